"""Persons served, outcomes by reason, projects and the programme's participation against a
hand-counted world: repeat residents, institutions under several spellings, edge dates, jobs
not done, trainees with their own periods and what followed, the paper count before the portal;
the figures stay as they were after retention; the report costs the same queries at any size."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from portal import persons, services
from portal.domain.actor import Actor
from portal.domain.lifecycle import Role, Status
from portal.domain.period import Period
from portal.extensions import db
from portal.models import (
    AfterProgramme,
    Channel,
    Gender,
    NotDoneReason,
    Outcome,
    ParticipationEnd,
    ProgrammeBaseline,
    Project,
    ServiceRequest,
    User,
)
from portal.queries import figures
from portal.services import retention, worklog
from tests import factories

STAFF = Actor(Role.STAFF)
YEAR = Period.year(2025)


def job(code, completed_on, *, outcome=Outcome.DONE, reason=None, text="", **fields):
    request = factories.make_request(code=code, status=Status.IN_PROGRESS, **fields)
    factories.sent_on(request, min(completed_on, date(2024, 1, 1)))
    services.complete_job(
        request,
        STAFF,
        completed_on=completed_on,
        outcome=outcome,
        work_done="Wykonano" if outcome == Outcome.DONE else "",
        not_done_reason=text,
        not_done_reason_id=reason.id if reason else None,
    )
    return request


def institution(name):
    return {"channel": Channel.INSTITUTION, "institution_name": name, "is_senior": False}


@pytest.fixture
def world(app):
    with app.app_context():
        no_contact = NotDoneReason(label="Nie odbiera telefonu", position=1)
        unused = NotDoneReason(label="Zabrakło nici", position=2)
        project = Project(name="Stroje dla DDP", starts_on=date(2025, 1, 1))
        other_project = Project(name="Dni Seniora")
        db.session.add_all([no_contact, unused, project, other_project])
        db.session.commit()
        a = {"name": "Anna Kowalska", "phone": "600 100 100"}
        b = {"name": "Bożena Nowak", "phone": "600 200 200", "email": "b@example.pl"}
        jobs = {
            "a-2024": job("tailoring", date(2024, 6, 10), **a),
            "a-feb": job("tailoring", date(2025, 2, 1), **a),
            # The same phone written another way: the same person.
            "a-mar": job(
                "upholstery", date(2025, 3, 1), name="Anna Kowalska", phone="+48 600-100-100"
            ),
            "b-first-day": job("tailoring", date(2025, 1, 1), **b),
            # Another phone, the same e-mail in capitals: the same person.
            "b-last-day": job(
                "renovation",
                date(2025, 12, 31),
                name="Bożena Nowak",
                phone="601 999 999",
                email="B@Example.PL",
                address="ul. Łąkowa 1, Opole",
            ),
            "c-next-year": job(
                "tailoring", date(2026, 1, 1), name="Celina Lis", phone="600 300 300"
            ),
            "c-not-done": job(
                "tailoring",
                date(2025, 5, 5),
                outcome=Outcome.NOT_DONE,
                reason=no_contact,
                name="Celina Lis",
                phone="600 300 300",
            ),
            "d-other": job(
                "tailoring",
                date(2025, 6, 6),
                outcome=Outcome.NOT_DONE,
                text="Materiał się rozpadł",
                name="Damian Wróbel",
                phone="600 400 400",
            ),
            "e-project": job(
                "upholstery", date(2025, 4, 4), name="Edward Sowa", phone="600 500 500"
            ),
            "ddp-1": job("tailoring", date(2025, 7, 7), **institution("DDP Złota Jesień")),
            "ddp-2": job("tailoring", date(2025, 8, 8), **institution("  ddp  ZŁOTA jesień ")),
            "mopr": job("upholstery", date(2025, 9, 9), **institution("MOPR Opole")),
        }
        admin = db.session.scalars(select(User)).first() or factories.user(role=Role.ADMIN)
        for key in ("e-project", "ddp-1"):
            services.set_project(jobs[key], project.id, Actor.of(admin))
        # A job of the project still being worked on: its hours count, its service not yet.
        open_job = factories.make_request(
            code="tailoring", status=Status.IN_PROGRESS, name="Felicja Kos", phone="600 600 600"
        )
        services.set_project(open_job, project.id, Actor.of(admin))
        programme_world(admin, jobs, open_job)
        return {"jobs": {key: request.id for key, request in jobs.items()}, "admin": admin.id}


def programme_world(admin, jobs, open_job):
    e200 = factories.edition(200, date(2024, 1, 1), date(2024, 6, 30))
    e201 = factories.edition(201, date(2025, 1, 1), date(2025, 5, 31))
    e202 = factories.edition(202, date(2025, 10, 1), date(2026, 2, 28))

    def trainee(name, edition, gender, **values):
        found = factories.trainee(name, edition_=edition, gender=gender, group_code="upholstery")
        for key, value in values.items():
            setattr(found, key, value)
        db.session.commit()
        return found

    t1 = trainee(
        "T1 Ewa",
        e201,
        Gender.FEMALE,
        ended_because=ParticipationEnd.COMPLETED,
        after=AfterProgramme.EMPLOYMENT,
        after_on=date(2025, 7, 1),
    )
    trainee(
        "T2 Jan",
        e201,
        Gender.MALE,
        ends_on=date(2025, 3, 15),
        ended_because=ParticipationEnd.LEFT_EARLY,
    )
    trainee(
        "T3 Ola",
        e201,
        Gender.FEMALE,
        starts_on=date(2024, 11, 1),
        ended_because=ParticipationEnd.COMPLETED,
        after=AfterProgramme.INTERNSHIP,
    )
    trainee(
        "T4 Kim",
        e201,
        None,
        ended_because=ParticipationEnd.COMPLETED,
        after=AfterProgramme.EMPLOYMENT,
        after_on=date(2026, 2, 1),
    )
    trainee(
        "T5 Piotr",
        e202,
        Gender.MALE,
        ended_because=ParticipationEnd.COMPLETED,
        after=AfterProgramme.TRAINING,
        after_on=date(2026, 3, 1),
    )
    trainee("T6 Iza", e202, Gender.FEMALE, starts_on=date(2026, 1, 10))
    trainee(
        "T7 Adam",
        e200,
        Gender.MALE,
        ended_because=ParticipationEnd.COMPLETED,
        after=AfterProgramme.EMPLOYMENT,
        after_on=date(2025, 1, 1),
    )
    # The paper count comes from the Opole file the test app loads: 2019 to March 2026,
    # 17 editions, 167 participants, 41 of them employed afterwards.
    assert db.session.scalars(select(ProgrammeBaseline)).one().participants == 167
    supervisor = db.session.get(User, admin.id)
    project_job = db.session.get(ServiceRequest, jobs["e-project"].id)
    factories.work_session(
        project_job, t1, supervisor=supervisor, hours="3", worked_on=date(2025, 4, 1)
    )
    factories.work_session(
        open_job, t1, supervisor=supervisor, hours="2", worked_on=date(2025, 5, 1)
    )
    factories.work_session(
        open_job, t1, supervisor=supervisor, hours="1.5", worked_on=date(2026, 1, 2)
    )


def _by_code(rows, value):
    return {row.category.code: value(row) for row in rows}


def test_persons_served_count_each_resident_and_institution_once(app, world):
    with app.app_context():
        persons = figures.persons_served(YEAR)

    assert (persons.residents, persons.first_time, persons.institutions) == (3, 2, 2)
    assert _by_code(persons.by_category, lambda r: (r.residents, r.first_time, r.institutions)) == {
        "tailoring": (2, 1, 1),
        "upholstery": (2, 1, 1),
        "renovation": (1, 1, 0),
    }


def test_a_person_is_first_time_only_before_any_job_done_for_them(app, world):
    with app.app_context():
        since_2024 = figures.persons_served(Period.between(date(2024, 1, 1), date(2025, 12, 31)))
        next_year = figures.persons_served(Period.between(date(2026, 1, 1), date(2026, 1, 1)))

    # Anna was served in 2024 already: first-time over 2024–2025, not over 2025 alone.
    assert (since_2024.residents, since_2024.first_time) == (3, 3)
    # Celina's only job done is on 1 January 2026; her earlier one was not done.
    assert (next_year.residents, next_year.first_time, next_year.institutions) == (1, 1, 0)


def test_requests_of_one_person_share_a_key_and_others_do_not(app, world):
    with app.app_context():
        keys = {
            key: db.session.get(ServiceRequest, request_id).person_key
            for key, request_id in world["jobs"].items()
        }

    assert keys["a-2024"] == keys["a-feb"] == keys["a-mar"]
    assert keys["b-first-day"] == keys["b-last-day"]
    assert keys["c-next-year"] == keys["c-not-done"]
    assert len({keys["a-2024"], keys["b-first-day"], keys["c-not-done"], keys["e-project"]}) == 4


def test_a_corrected_phone_links_the_request_to_its_person(app, world):
    with app.app_context():
        request = db.session.get(ServiceRequest, world["jobs"]["e-project"])
        anna = db.session.get(ServiceRequest, world["jobs"]["a-2024"]).person_key
        services.correct_request(
            request,
            {"phone": "600100100"},
            Actor.of(db.session.get(User, world["admin"])),
            expected_version=request.version,
        )
        assert request.person_key == anna
        persons = figures.persons_served(YEAR)

    assert (persons.residents, persons.first_time) == (2, 1)


def test_outcomes_count_done_and_not_done_by_reason_and_service(app, world):
    with app.app_context():
        outcomes = figures.outcome_counts(YEAR)
        codes = {c.id: c.code for c in db.session.scalars(select(factories.ServiceCategory))}

    assert {codes[k]: v for k, v in outcomes.done.items()} == {
        "tailoring": 4,
        "upholstery": 3,
        "renovation": 1,
    }
    by_reason = {
        (row.reason.label if row.reason else None): {
            codes[k]: v for k, v in row.by_category.items()
        }
        for row in outcomes.reasons
        if row.reason is None or row.reason.label in ("Nie odbiera telefonu", "Zabrakło nici")
    }
    assert by_reason == {
        "Nie odbiera telefonu": {"tailoring": 1},
        "Zabrakło nici": {},
        None: {"tailoring": 1},
    }
    assert outcomes.not_done == 2


def test_projects_count_their_services_and_hours(app, world):
    with app.app_context():
        rows = figures.project_counts(YEAR)
        next_year = figures.project_counts(Period.year(2026))

    assert [(row.project.name, row.services, row.hours) for row in rows] == [
        ("Stroje dla DDP", 2, Decimal("5"))
    ]
    assert [(row.project.name, row.services, row.hours) for row in next_year] == [
        ("Stroje dla DDP", 0, Decimal("1.5"))
    ]


def test_programme_counts_participation_by_own_periods_and_what_followed(app, world):
    with app.app_context():
        programme = figures.programme_figures(YEAR)

    total = programme.total
    assert (total.participants, total.women, total.men) == (5, 2, 2)
    assert (total.completed, total.left_early) == (3, 1)
    assert (total.employed, total.internships, total.training) == (2, 1, 0)
    assert programme.baseline.participants == 0
    assert [
        (row.label, row.participants, row.completed, row.employed) for row in programme.by_edition
    ] == [(200, 0, 0, 1), (201, 4, 3, 1), (202, 1, 0, 0)]
    assert [(row.label, row.participants, row.completed) for row in programme.by_gender] == [
        (Gender.FEMALE, 2, 2),
        (Gender.MALE, 2, 0),
        (None, 1, 1),
    ]


def test_cumulative_programme_figures_continue_from_the_paper_count(app, world):
    with app.app_context():
        programme = figures.programme_figures(Period.since(date(2019, 1, 1), date(2026, 11, 29)))

    assert programme.participants == 167 + 7
    assert programme.employed == 41 + 3
    assert programme.completed == 0 + 5
    assert programme.internships == 0 + 1
    assert programme.baseline_editions == 17
    assert [
        (row.label, row.participants, row.completed, row.employed) for row in programme.by_year
    ][-3:] == [(2024, 2, 1, 0), (2025, 5, 3, 2), (2026, 2, 1, 1)]


def test_paper_counts_only_partly_inside_the_period_are_left_out(app, world):
    with app.app_context():
        programme = figures.programme_figures(Period.year(2025))

    assert programme.baseline.participants == 0
    assert programme.partial_baseline == 167


def test_the_work_log_takes_trainees_by_their_own_period(app, world):
    with app.app_context():
        group = factories.group_for("upholstery").id
        names = lambda day: [t.name for t in worklog.eligible_trainees(group, day)]  # noqa: E731

        assert "T3 Ola" in names(date(2024, 12, 1))
        assert "T1 Ewa" not in names(date(2024, 12, 1))
        assert "T2 Jan" in names(date(2025, 3, 15))
        assert "T2 Jan" not in names(date(2025, 3, 16))
        assert "T6 Iza" not in names(date(2025, 12, 1))
        assert "T6 Iza" in names(date(2026, 1, 10))


def _report_numbers(report):
    persons = report.persons
    return (
        (persons.residents, persons.first_time, persons.institutions),
        [(r.residents, r.first_time, r.institutions) for r in persons.by_category],
        report.outcomes.done,
        [(r.reason.id if r.reason else None, r.by_category) for r in report.outcomes.reasons],
        [(r.project.id, r.services, r.hours) for r in report.projects],
        vars(report.programme.total),
        report.totals.total,
    )


def test_retention_leaves_every_figure_as_it_was(app, world):
    with app.app_context():
        periods = [YEAR, Period.since(date(2019, 1, 1), date(2026, 11, 29))]
        before = [
            _report_numbers(figures.build_report(p, with_trainee_names=False)) for p in periods
        ]
        requests = retention.load_for_anonymising(list(world["jobs"].values()))
        retention.anonymise(requests, upload_folder="/tmp")
        db.session.commit()
        db.session.expunge_all()
        assert all(db.session.get(ServiceRequest, i).anonymised_at for i in world["jobs"].values())
        after = [
            _report_numbers(figures.build_report(p, with_trainee_names=False)) for p in periods
        ]

    assert after == before


def _statements(app, work):
    captured = []

    def record(conn, cursor, statement, parameters, context, executemany):
        captured.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            work()
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    return len(captured)


def test_the_report_costs_the_same_queries_whatever_the_data(app, world):
    since = Period.since(date(2019, 1, 1), date(2026, 11, 29))

    def report():
        figures.build_report(YEAR, with_trainee_names=True)
        figures.build_report(since, with_trainee_names=True)

    before = _statements(app, report)
    with app.app_context():
        more = factories.edition(203, date(2025, 6, 1), date(2025, 9, 30))
        for number in range(6):
            factories.trainee(f"Nowy {number}", edition_=more, gender=Gender.FEMALE)
            job("renovation", date(2025, 6, 1 + number), phone=f"700 000 00{number}")
            job("tailoring", date(2025, 7, 1 + number), **institution(f"Fundacja {number}"))
        db.session.add(Project(name="Nowy projekt"))
        db.session.add(NotDoneReason(label="Nowy powód", position=3))
        db.session.commit()
    after = _statements(app, report)

    assert after == before


def test_requests_written_past_the_orm_are_linked_to_their_person(app):
    with app.app_context():
        ids = [
            factories.make_request(phone=phone, email=email).id
            for phone, email in (
                ("600 700 800", None),
                ("600 700 801", "ala@example.pl"),
                ("+48 600 700 800", None),
                ("600 700 802", "ALA@example.pl"),
                ("600 700 803", None),
            )
        ]
        table = ServiceRequest.__table__
        db.session.execute(table.update().where(table.c.id.in_(ids)).values(person_key=None))
        persons.link_unlinked(db.session)
        db.session.commit()
        keys = list(
            db.session.scalars(
                select(ServiceRequest.person_key)
                .where(ServiceRequest.id.in_(ids))
                .order_by(ServiceRequest.id)
            )
        )

    assert keys == [ids[0], ids[1], ids[0], ids[1], ids[4]]


def test_a_corrected_e_mail_unlinks_a_request_from_the_wrong_person(app):
    with app.app_context():
        first = factories.make_request(phone="600 800 100", email="x@example.pl")
        typo = factories.make_request(phone="600 800 200", email="x@example.pl")
        assert typo.person_key == first.person_key
        admin = factories.user(Role.ADMIN)

        services.correct_request(
            typo, {"email": "y@example.pl"}, Actor.of(admin), expected_version=typo.version
        )

        assert typo.person_key == typo.id
        assert first.person_key == first.id


def test_bulk_linking_follows_a_chain_of_phone_and_e_mail_as_the_hooks_do(app):
    with app.app_context():
        ids = [
            factories.make_request(phone=phone, email=email).id
            for phone, email in (
                ("600 900 100", None),
                ("600 900 100", "chain@example.pl"),
                ("600 900 200", "chain@example.pl"),
                ("600 900 200", None),
            )
        ]
        hooks = list(
            db.session.scalars(
                select(ServiceRequest.person_key)
                .where(ServiceRequest.id.in_(ids))
                .order_by(ServiceRequest.id)
            )
        )
        table = ServiceRequest.__table__
        db.session.execute(table.update().where(table.c.id.in_(ids)).values(person_key=None))
        persons.link_unlinked(db.session)
        db.session.commit()
        bulk = list(
            db.session.scalars(
                select(ServiceRequest.person_key)
                .where(ServiceRequest.id.in_(ids))
                .order_by(ServiceRequest.id)
            )
        )

    assert hooks == bulk == [ids[0]] * 4
