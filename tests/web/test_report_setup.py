"""Over HTTP: the completion's reason from the list, a job's project, the administrator's
lists of reasons and projects, the programme before the portal, a trainee's participation,
and the report's new tables in the page and in the files, cell by cell."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal import services
from portal.domain.actor import Actor
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import (
    AfterProgramme,
    Gender,
    NotDoneReason,
    ParticipationEnd,
    ProgrammeBaseline,
    Project,
    RequestEvent,
    ServiceRequest,
    Trainee,
)
from tests import factories

from .helpers import csrf_from

REPORTS = "/backoffice/raporty"


@pytest.fixture
def staff(accounts):
    return accounts.login_as("staff")


@pytest.fixture
def admin(accounts):
    return accounts.login_as("admin")


def _ids(app, status=Status.IN_PROGRESS, **fields) -> dict:
    with app.app_context():
        request = factories.make_request(status=status, **fields)
        reason = db.session.scalars(
            select(NotDoneReason).where(NotDoneReason.label == "Brak kontaktu z mieszkańcem")
        ).one()
        project = db.session.scalars(
            select(Project).where(Project.name == "Opolskie Dni Seniora")
        ).one()
        return {"request": request.id, "reason": reason.id, "project": project.id}


def _complete(client, request_id, **fields):
    url = f"/backoffice/zgloszenia/{request_id}/realizacja"
    data = {
        "csrf_token": csrf_from(client, url),
        "version": "1",
        "completed_on": date.today().isoformat(),
        "outcome": "not_done",
        "work_done": "",
        "reason_choice": "",
        "not_done_reason": "",
    }
    with client.application.app_context():
        data["version"] = str(db.session.get(ServiceRequest, request_id).version)
    data.update(fields)
    return client.post(url, data=data)


def test_a_job_not_done_takes_a_reason_from_the_list_and_the_resident_reads_it(app, client, staff):
    ids = _ids(app)

    page = client.get(f"/backoffice/zgloszenia/{ids['request']}/realizacja").get_data(as_text=True)
    assert "Brak kontaktu z mieszkańcem" in page and "Inny powód (opisz poniżej)" in page
    response = _complete(client, ids["request"], reason_choice=str(ids["reason"]))

    assert response.status_code == 303
    with app.app_context():
        request = db.session.get(ServiceRequest, ids["request"])
        assert request.not_done_reason_id == ids["reason"]
        assert request.not_done_reason is None
        completion = [e for e in request.events if e.to_status == Status.COMPLETED][0]
        assert completion.note == "Brak kontaktu z mieszkańcem"


def test_another_reason_needs_its_text_and_keeps_what_was_typed(app, client, staff):
    ids = _ids(app)

    response = _complete(client, ids["request"], reason_choice="other", work_done="notatka")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="not_done_reason-error"' in page
    assert '<option selected value="other">' in page or 'value="other" selected' in page
    response = _complete(client, ids["request"], reason_choice="other", not_done_reason="Zalało")
    assert response.status_code == 303
    with app.app_context():
        request = db.session.get(ServiceRequest, ids["request"])
        assert (request.not_done_reason_id, request.not_done_reason) == (None, "Zalało")


def test_a_reason_off_the_list_cannot_be_chosen_and_a_forged_one_is_refused(app, client, staff):
    ids = _ids(app)
    with app.app_context():
        db.session.get(NotDoneReason, ids["reason"]).active = False
        db.session.commit()

    page = client.get(f"/backoffice/zgloszenia/{ids['request']}/realizacja").get_data(as_text=True)
    assert "Brak kontaktu z mieszkańcem" not in page
    response = _complete(client, ids["request"], reason_choice=str(ids["reason"]))

    assert response.status_code == 200
    with app.app_context():
        assert db.session.get(ServiceRequest, ids["request"]).status == Status.IN_PROGRESS


def test_staff_label_a_job_with_a_project_and_the_history_keeps_it(app, client, staff):
    ids = _ids(app)
    url = f"/backoffice/zgloszenia/{ids['request']}"

    response = client.post(
        f"{url}/projekt",
        data={"csrf_token": csrf_from(client, url), "project_id": str(ids["project"])},
    )

    assert response.status_code == 303
    with app.app_context():
        request = db.session.get(ServiceRequest, ids["request"])
        assert request.project_id == ids["project"]
        change = db.session.scalars(
            select(RequestEvent)
            .where(RequestEvent.request_id == ids["request"])
            .order_by(RequestEvent.id.desc())
        ).first()
        assert change.changes == {"project_id": {"old": None, "new": "Opolskie Dni Seniora"}}
        assert not change.is_public
    response = client.post(
        f"{url}/projekt", data={"csrf_token": csrf_from(client, url), "project_id": "99999"}
    )
    assert response.status_code == 400
    assert 'id="project_id-error"' in response.get_data(as_text=True)


def test_an_instructor_cannot_label_a_project(app, client, accounts):
    ids = _ids(app)
    accounts.login_as("instructor", groups=("tailoring",))
    url = f"/backoffice/zgloszenia/{ids['request']}"

    assert 'action="' + url + '/projekt"' not in client.get(url).get_data(as_text=True)
    response = client.post(
        f"{url}/projekt",
        data={"csrf_token": csrf_from(client, url), "project_id": str(ids["project"])},
    )
    assert response.status_code == 403


def test_the_administrator_keeps_the_reasons_and_a_duplicate_is_refused_at_its_field(
    app, client, admin
):
    url = "/backoffice/powody-niewykonania"

    response = client.post(url, data={"csrf_token": csrf_from(client, url), "label": "  Zalanie "})
    assert response.status_code == 303
    response = client.post(url, data={"csrf_token": csrf_from(client, url), "label": "zalanie"})

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Ten powód jest już na liście." in page and 'value="zalanie"' in page
    with app.app_context():
        reason = db.session.scalars(
            select(NotDoneReason).where(NotDoneReason.label == "Zalanie")
        ).one()
    edit = f"{url}/{reason.id}"
    response = client.post(
        edit, data={"csrf_token": csrf_from(client, edit), "label": "Zalanie mieszkania"}
    )
    assert response.status_code == 303
    with app.app_context():
        reason = db.session.get(NotDoneReason, reason.id)
        assert (reason.label, reason.active) == ("Zalanie mieszkania", False)


def test_the_administrator_adds_a_project_and_wrong_dates_are_explained(app, client, admin):
    url = "/backoffice/projekty"

    response = client.post(
        url,
        data={
            "csrf_token": csrf_from(client, url),
            "name": "Turbany „Jesteśmy z Wami” 2027",
            "starts_on": "2027-05-01",
            "ends_on": "2027-04-01",
        },
    )

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="ends_on-error"' in page and "Turbany „Jesteśmy z Wami” 2027" in page
    response = client.post(
        url,
        data={
            "csrf_token": csrf_from(client, url),
            "name": "Turbany „Jesteśmy z Wami” 2027",
            "starts_on": "2027-04-01",
        },
    )
    assert response.status_code == 303
    assert "Turbany „Jesteśmy z Wami” 2027" in client.get(url).get_data(as_text=True)


def test_the_programme_before_the_portal_is_entered_and_deleted(app, client, admin):
    url = "/backoffice/dane-historyczne/program"
    fields = {
        "starts_on": "2015-01-01",
        "ends_on": "2015-12-31",
        "editions": "2",
        "participants": "20",
        "women": "12",
        "men": "8",
        "employed": "25",
        "note": "Sprawozdanie za 2015 r.",
    }

    response = client.post(url, data={"csrf_token": csrf_from(client, url), **fields})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="employed-error"' in page and 'value="Sprawozdanie za 2015 r."' in page

    fields["employed"] = "5"
    response = client.post(url, data={"csrf_token": csrf_from(client, url), **fields})
    assert response.status_code == 303
    with app.app_context():
        row = db.session.scalars(
            select(ProgrammeBaseline).where(ProgrammeBaseline.participants == 20)
        ).one()
        assert (row.women, row.men, row.employed, row.completed) == (12, 8, 5, None)
    response = client.post(f"{url}/{row.id}/usun", data={"csrf_token": csrf_from(client, url)})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(ProgrammeBaseline, row.id) is None


def test_a_trainee_gets_an_own_period_and_what_followed(app, client, admin):
    with app.app_context():
        edition = factories.edition(300, date(2026, 1, 1), date(2026, 6, 30))
        trainee = factories.trainee("Halina Próbna", edition_=edition)
        trainee_id, edition_id, group_id = trainee.id, edition.id, trainee.group_id
    url = f"/backoffice/uczestnicy/{trainee_id}"
    fields = {
        "name": "Halina Próbna",
        "edition_id": str(edition_id),
        "group_id": str(group_id),
        "gender": "female",
        "active": "y",
        "starts_on": "2026-02-01",
        "ends_on": "2026-01-15",
        "ended_because": "left_early",
        "after": "employment",
        "after_on": "2026-07-01",
    }

    response = client.post(url, data={"csrf_token": csrf_from(client, url), **fields})
    assert response.status_code == 200
    assert 'id="ends_on-error"' in response.get_data(as_text=True)

    fields["ends_on"] = ""
    response = client.post(url, data={"csrf_token": csrf_from(client, url), **fields})
    assert "Wpisz ostatni dzień udziału w programie." in response.get_data(as_text=True)

    fields["ends_on"] = "2026-05-15"
    response = client.post(url, data={"csrf_token": csrf_from(client, url), **fields})
    assert response.status_code == 303
    with app.app_context():
        trainee = db.session.get(Trainee, trainee_id)
        assert (trainee.first_day, trainee.last_day) == (date(2026, 2, 1), date(2026, 5, 15))
        assert trainee.ended_because == ParticipationEnd.LEFT_EARLY
        assert (trainee.after, trainee.after_on) == (AfterProgramme.EMPLOYMENT, date(2026, 7, 1))


@pytest.fixture
def year_2025(app):
    """2025: two services for one resident (one of them for a project), one for an
    institution, one job not done for a listed reason; two trainees, one employed after."""
    with app.app_context():
        ids = _ids(app)
        admin = factories.user(Role.ADMIN)
        for number, (code, phone, fields) in enumerate(
            [
                ("tailoring", "600 111 222", {}),
                ("upholstery", "+48 600-111-222", {}),
                (
                    "tailoring",
                    "600 999 999",
                    {"channel": "institution", "institution_name": "Dom Dziennego Pobytu"},
                ),
            ]
        ):
            request = factories.make_request(
                code=code, status=Status.IN_PROGRESS, phone=phone, name="Łucja Żak", **fields
            )
            factories.sent_on(request, date(2025, 1, 1))
            services.complete_job(
                request,
                Actor(Role.STAFF),
                completed_on=date(2025, 3, 1 + number),
                outcome="done",
                work_done="Uszyto",
            )
            if number == 0:
                services.set_project(request, ids["project"], Actor.of(admin))
        not_done = factories.make_request(status=Status.IN_PROGRESS, phone="600 333 444")
        factories.sent_on(not_done, date(2025, 1, 1))
        services.complete_job(
            not_done,
            Actor(Role.STAFF),
            completed_on=date(2025, 4, 4),
            outcome="not_done",
            not_done_reason_id=ids["reason"],
        )
        edition = factories.edition(301, date(2025, 1, 1), date(2025, 6, 30))
        factories.trainee("Ola Ęta", edition_=edition, gender=Gender.FEMALE)
        employed = factories.trainee("Jan Ćma", edition_=edition, gender=Gender.MALE)
        employed.ended_because = ParticipationEnd.COMPLETED
        employed.after, employed.after_on = AfterProgramme.EMPLOYMENT, date(2025, 9, 1)
        db.session.commit()


def test_the_report_page_shows_persons_outcomes_projects_and_the_programme(
    client, staff, year_2025
):
    page = client.get(REPORTS, query_string={"period": "year", "year": 2025}).get_data(as_text=True)

    assert "Usługi trafiły do 1 mieszkańca (w tym 1 po raz pierwszy) i 1 instytucji." in page
    assert "W tym 1 usługa w ramach „Opolskie Dni Seniora”." in page
    assert "niewykonane: Brak kontaktu z mieszkańcem" in page
    assert (
        "W programie uczestniczyły 2 osoby (w tym 1 kobieta i 1 mężczyzna). W tym okresie "
        "program ukończyła 1 osoba, 1 osoba podjęła zatrudnienie po programie." in page
    )


def _sheet(workbook, title):
    return [list(row) for row in workbook[title[:31]].iter_rows(values_only=True)]


def test_the_files_carry_the_new_tables_cell_by_cell(client, staff, year_2025):
    args = {"period": "year", "year": 2025}
    workbook = load_workbook(
        io.BytesIO(client.get(f"{REPORTS}/eksport.xlsx", query_string=args).data)
    )

    persons = _sheet(workbook, "Mieszkańcy i instytucje, którym pomogliśmy")
    assert persons[1] == ["Usługa", "Mieszkańcy", "W tym po raz pierwszy", "Instytucje"]
    assert persons[2][1:] == [1, 1, 1] and persons[3][1:] == [1, 1, 0]
    assert persons[-1] == ["Wszystkie usługi", 1, 1, 1]
    outcomes = _sheet(workbook, "Zlecenia wykonane i niewykonane")
    assert outcomes[2][0] == "wykonane" and outcomes[2][-1] == 3
    assert ["niewykonane: Brak kontaktu z mieszkańcem", 1, 0, 0, 1] in outcomes
    assert outcomes[-1] == ["Niewykonane razem", 1, 0, 0, 1]
    projects = _sheet(workbook, "Projekty i akcje")
    assert projects[2] == ["Opolskie Dni Seniora", 1, 0]
    programme = _sheet(workbook, "Dane programu")
    assert programme[2] == ["Uczestnicy", 2, 0, 2]
    assert ["Podjęli zatrudnienie po programie", 1, 0, 1] in programme
    genders = _sheet(workbook, "Program według płci")
    assert genders[2:] == [["kobieta", 1, 0, 0, 0], ["mężczyzna", 1, 1, 1, 0]]

    body = client.get(f"{REPORTS}/eksport.csv", query_string=args).data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert ["Opolskie Dni Seniora", "1", "0"] in rows
    assert ["niewykonane: Brak kontaktu z mieszkańcem", "1", "0", "0", "1"] in rows
    assert "Łucja" not in body and "Ola Ęta" not in body and "600 111 222" not in body


def test_a_name_differing_only_in_polish_capitals_is_refused_not_an_error(app, client, admin):
    url = "/backoffice/projekty"
    client.post(url, data={"csrf_token": csrf_from(client, url), "name": "Święto Ulicy"})

    response = client.post(url, data={"csrf_token": csrf_from(client, url), "name": "ŚWIĘTO ULICY"})

    assert response.status_code == 200
    assert "Projekt lub akcja o tej nazwie już istnieje." in response.get_data(as_text=True)
