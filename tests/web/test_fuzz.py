"""Hostile input on every route, as every kind of visitor: an answer, never a server error.

A seeded walk over `app.url_map` (GET and POST), as an anonymous visitor, a resident who
holds a private link, an instructor, staff and an administrator: JSON bodies, NUL bytes in
path segments and fields, ids out of every column's range, huge, NaN and negative numbers,
far dates. Valid CSRF tokens go with every post, so the hostile values reach the forms.
Below it, one focused test for each kind of input that used to end in a 500.
"""

from __future__ import annotations

import json
import random
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from portal.domain.actor import Actor
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import (
    BaselineTotal,
    IndicatorValue,
    NotDoneReason,
    ProgrammeBaseline,
    ProgrammeEdition,
    Project,
    ReplyTemplate,
    RequestEvent,
    WorkEntry,
)
from portal.services import apikeys
from tests import factories

from .helpers import csrf_from, log_in, request_count

SEED = 20260417
ROLES = ["anonymous", "resident", "instructor", "staff", "admin"]
HUGE_IDS = [2**31, 2**63, 10**20, 0]
BAD_SEGMENTS = ["%00", "a%00b", "x" * 300, "%C3%A9%E2%80%AE", "..%2F..%2Fetc"]
HOSTILE = [
    "\x00",
    "Jan\x00Kowalski",
    "x" * 5000,
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "1E-999999999",
    "1e999999",
    "-1",
    "0",
    "-99999999999999999999",
    "99999999999999999999",
    str(2**31),
    str(2**63),
    "1.5",
    "²",
    "٣",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "-2026-01-01",
    "",
    " ",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%s%s%n",
    "😀",
    "\u202e",
]
# Query-string names the filters, reports and pages read.
QUERY_NAMES = [
    "status",
    "category",
    "group",
    "channel",
    "kind",
    "date_from",
    "date_to",
    "q",
    "sort",
    "page",
    "grupa",
    "rodzaj",
    "next",
    "period",
    "year",
    "half",
    "quarter",
    "month",
    "since",
    "actor",
    "reference",
    "action",
]
JSON_BODIES = [[1, 2], {"reference": ["x"], "phone": 600123456}, "x", 7, None, {"a": {"b": 1}}]
# Steps that would end the walk's own session.
SKIPPED = {"backoffice.logout"}
SKIPPED_PATHS = {"/backoffice/wyloguj"}
FORM_ENCODED = "application/x-www-form-urlencoded"
TODAY = date.today()
# What a person would type into a field a page shows empty.
PLAUSIBLE = {
    "description": "Wymiana zamka w kurtce zimowej",
    "body": "Zadzwonić w piątek",
    "name": "Jan Testowy",
    "phone": "600 000 000",
    "worked_on": TODAY.isoformat(),
    "completed_on": TODAY.isoformat(),
    "scheduled_for": (TODAY + timedelta(days=7)).isoformat(),
    "starts_on": (TODAY - timedelta(days=30)).isoformat(),
    "ends_on": (TODAY + timedelta(days=30)).isoformat(),
    "number": "4321",
    "services": "3",
    "reference": "KR/2026/0001",
    "code": "123456",
    "password": "nowe-haslo-testowe-1",
    "current_password": "haslo-testowe-123",
    "consent": "y",
    "oral_consent": "y",
    "is_senior": "y",
    "work_done": "Wymieniono zamek",
}


@pytest.fixture
def world(app, upload_folder):
    """A job in the instructor's group, with a trainee, a work log entry and a photo."""
    with app.app_context():
        job = factories.make_request(status=Status.IN_PROGRESS, upload_folder=str(upload_folder))
        done = factories.make_request(status=Status.COMPLETED, upload_folder=str(upload_folder))
        trainee = factories.trainee(group_code="tailoring")
        instructor = factories.user(Role.INSTRUCTOR)
        instructor.groups = [factories.group_for("tailoring")]
        db.session.commit()
        session = factories.work_session(job, trainee, supervisor=instructor)
        return {
            "request_id": job.id,
            "completed_id": done.id,
            "token": job.access_token,
            "session_id": session.id,
            "edition_id": trainee.edition_id,
            "trainee_id": trainee.id,
            "user_id": factories.user(Role.STAFF).id,
            "group_id": factories.group_for("tailoring").id,
            "target": Status.READY.value,
            "photo_id": 1,
            "template_id": db.session.scalars(select(ReplyTemplate.id)).first(),
            "baseline_id": db.session.scalars(select(BaselineTotal.id)).first(),
            "programme_baseline_id": db.session.scalars(select(ProgrammeBaseline.id)).first(),
            "reason_id": db.session.scalars(select(NotDoneReason.id)).first(),
            "project_id": db.session.scalars(select(Project.id)).first(),
            "indicator_id": db.session.scalars(select(IndicatorValue.indicator_id)).first(),
            "value_id": db.session.scalars(select(IndicatorValue.id)).first(),
            "message_id": 1,
            "instructor_email": instructor.email,
            # The language switch (/jezyk/<code>): Polish, so the pages after it stay Polish.
            "code": "pl",
            # The Open311 API: a format, a service, a request's reference as its URL writes
            # it, and a partner's key for the administrator's pages.
            "fmt": "json",
            "service_code": "tailoring",
            "service_request_id": job.reference.replace("/", "-"),
            "key_id": apikeys.issue_key("Dzienny Dom Pomocy", "", Actor(Role.ADMIN)).key.id,
        }


def _client(app, world, role: str):
    """A client for the kind of visitor, logged in through the real login form, and its token."""
    with app.app_context():
        emails = {
            "staff": factories.user(Role.STAFF).email,
            "admin": factories.user(Role.ADMIN).email,
            "instructor": world["instructor_email"],
        }
    client = app.test_client()
    if role in emails:
        assert log_in(client, emails[role]).status_code == 303
    return client, csrf_from(client, "/nie-mam-linku")


def _path(rule, values: dict) -> str:
    """Fill the rule's placeholders with values as they are, unchecked by its converters."""
    return re.sub(r"<(?:[^:>]+:)?(\w+)>", lambda match: str(values[match[1]]), rule.rule)


def _valid_values(world: dict, role: str) -> dict:
    values = dict(world)
    if role != "resident":
        values["token"] = "nieznany-link-do-zgloszenia"
    return values


def _hostile_paths(rule, world: dict, role: str, rng: random.Random) -> list[str]:
    """The rule with valid values first, then with each argument made hostile in turn."""
    values = _valid_values(world, role)
    paths = [_path(rule, values)]
    for name in sorted(rule.arguments):
        value = rng.choice(HUGE_IDS if name.endswith("_id") else BAD_SEGMENTS)
        paths.append(_path(rule, {**values, name: value}))
    return paths


class _Forms(HTMLParser):
    """The forms of a page: where each goes, how, and the values a browser would send."""

    def __init__(self, page_path: str):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[dict] = []
        self._select = self._textarea = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            method = (attrs.get("method") or "get").upper()
            self.forms.append({"action": attrs.get("action") or self.page_path, "method": method})
            self.forms[-1]["fields"] = {}
            return
        if not self.forms or not attrs.get("name"):
            return
        fields, name = self.forms[-1]["fields"], attrs["name"]
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    fields[name] = attrs.get("value", "on")
                else:
                    fields.setdefault(name, "")
            elif kind not in ("submit", "button", "reset", "image", "file"):
                fields[name] = attrs.get("value", "")
        elif tag == "select":
            self._select, self._options = name, []
        elif tag == "textarea":
            self._textarea = name
            fields[name] = ""
        if tag == "option" and self._select:
            self._options.append((attrs.get("value", ""), "selected" in attrs))

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select and self.forms:
            chosen = [value for value, selected in self._options if selected] or [
                value for value, _ in self._options[1:2] or self._options[:1]
            ]
            self.forms[-1]["fields"][self._select] = chosen[0] if chosen else ""
            self._select = None


def _forms_on(client, path: str) -> list[dict]:
    response = client.get(path)
    if response.status_code != 200 or "html" not in response.content_type:
        return []
    parser = _Forms(path)
    parser.feed(response.get_data(as_text=True))
    return parser.forms


def _plausible(name: str, value: str) -> str:
    """A value the form would accept, for a field the page leaves empty."""
    if value:
        return value
    base = name.removeprefix("work-")
    if base.startswith("hours-"):
        return "2"
    return PLAUSIBLE.get(base, "")


def _walk(app, world, role: str) -> list:
    rng = random.Random(f"{SEED}-{role}")
    client, token = _client(app, world, role)
    errors = []

    def send(role, method, path, what, **options):
        try:
            response = client.open(path, method=method, **options)
        except Exception as error:  # with TESTING on, a crash in an error handler propagates
            errors.append((role, method, path, what, repr(error)))
            return None
        if response.status_code >= 500 or b"Traceback" in response.get_data():
            errors.append((role, method, path, what, response.status_code))
        return response

    rules = [
        rule
        for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule)
        if rule.endpoint not in SKIPPED and rule.endpoint != "static"
    ]
    forms = {}
    for rule in rules:
        valid, *hostile = _hostile_paths(rule, world, role, rng)
        if "GET" in rule.methods:
            for form in _forms_on(client, valid):
                forms.setdefault((form["method"], form["action"]), form["fields"])
            for name in rng.sample(QUERY_NAMES, 2):
                query = {name: rng.choice(HOSTILE)}
                send(role, "GET", valid, query, query_string=query)
        for path in hostile:
            for method in sorted(rule.methods & {"GET", "POST"}):
                send(role, method, path, "path", data={"csrf_token": token})
        if "POST" in rule.methods:
            body = rng.choice(JSON_BODIES)
            response = send(
                role,
                "POST",
                valid,
                f"json {body!r}",
                data=json.dumps(body),
                content_type="application/json",
                headers={"X-CSRFToken": token},
            )
            if response is not None and response.status_code != 415:
                errors.append((role, "POST", valid, "json not refused", response.status_code))
    for (method, action), fields in sorted(forms.items()):
        if urlsplit(action).path in SKIPPED_PATHS:
            continue
        baseline = {name: _plausible(name, value) for name, value in fields.items()}
        for name in sorted(fields):
            if name == "csrf_token":
                continue
            for value in rng.sample(HOSTILE, 2):
                data = {**baseline, name: value}
                if method == "GET":
                    send(role, "GET", action, data, query_string=data)
                else:
                    kind = rng.choice(["multipart/form-data", FORM_ENCODED])
                    send(role, "POST", action, data, data=data, content_type=kind)
    assert role in ("anonymous", "resident") or client.get("/backoffice/konto").status_code == 200
    return errors


@pytest.mark.parametrize("role", ROLES)
def test_hostile_input_on_every_route_as_every_visitor_never_gets_a_server_error(app, world, role):
    errors = _walk(app, world, role)

    assert errors == [], "\n".join(map(repr, errors))


# --- Each cause the fuzzing found, on its own -------------------------------------------


def test_a_json_body_to_the_public_form_gets_415_and_saves_nothing(client):
    token = csrf_from(client, "/zglos")

    response = client.post(
        "/zglos", data="[1, 2]", content_type="application/json", headers={"X-CSRFToken": token}
    )

    assert response.status_code == 415
    assert "Nie udało się odczytać formularza" in response.get_data(as_text=True)
    assert request_count(client) == 0


def test_a_json_body_to_the_lost_link_page_gets_415(client):
    token = csrf_from(client, "/nie-mam-linku")

    response = client.post(
        "/nie-mam-linku",
        json={"reference": ["x"], "phone": 600123456},
        headers={"X-CSRFToken": token},
    )

    assert response.status_code == 415


@pytest.mark.parametrize(
    ("body", "content_type"),
    [('{"body": 7}', "application/json"), ("body=x", "text/plain"), ("<a/>", "")],
)
def test_a_back_office_form_takes_only_form_bodies(app, client, accounts, body, content_type):
    accounts.login_as("staff")
    with app.app_context():
        request_id = factories.make_request().id
    token = csrf_from(client, f"/backoffice/zgloszenia/{request_id}")

    response = client.post(
        f"/backoffice/zgloszenia/{request_id}/notatki",
        data=body,
        content_type=content_type or None,
        headers={"X-CSRFToken": token},
    )

    assert response.status_code == 415
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RequestEvent)) == 1


def test_htmx_posts_and_bodiless_posts_still_go_through(app, client, accounts):
    accounts.login_as("instructor", groups=["tailoring"])
    with app.app_context():
        request_id = factories.make_request(status=Status.ACCEPTED).id
    token = csrf_from(client, "/backoffice/tablica")

    moved = client.post(
        f"/backoffice/tablica/{request_id}/in_progress",
        data={},
        content_type=FORM_ENCODED,
        headers={"X-CSRFToken": token, "HX-Request": "true", "HX-Target": "board"},
    )
    extended = client.post("/backoffice/sesja/przedluz", headers={"X-CSRFToken": token})

    assert moved.status_code == 200
    assert 'id="board"' in moved.get_data(as_text=True)
    assert extended.status_code == 200


@pytest.mark.parametrize("suffix", ["", "/potwierdzenie", "/anuluj"])
@pytest.mark.parametrize("token", ["%00", "abc%00def", "x" * 65, "%C5%BC%C3%B3%C5%82w"])
def test_a_private_link_that_no_request_could_have_is_not_found(client, token, suffix):
    response = client.get(f"/zgloszenie/{token}{suffix}")

    assert response.status_code == 404


@pytest.mark.parametrize(
    "hours", ["NaN", "sNaN", "Infinity", "1E-999999999", "1e1", "0.0001", "2,125", "٣"]
)
def test_hours_that_are_not_a_plain_number_are_refused_with_a_message(app, client, accounts, hours):
    accounts.login_as("instructor", groups=["tailoring"])
    with app.app_context():
        job = factories.make_request(status=Status.IN_PROGRESS).id
        trainee = factories.trainee().id
    token = csrf_from(client, f"/backoffice/zgloszenia/{job}")

    response = client.post(
        f"/backoffice/zgloszenia/{job}/praca",
        data={
            "csrf_token": token,
            "work-worked_on": date.today().isoformat(),
            "work-description": "Skrócono nogawki",
            f"hours-{trainee}": hours,
        },
    )

    assert response.status_code == 200
    assert 'id="work-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WorkEntry)) == 0


def _int_rules(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules() if "_id>" in rule.rule),
        key=lambda rule: rule.rule,
    )


@pytest.mark.parametrize("number", [2**31, 2**63, 10**20])
def test_an_id_beyond_any_column_is_not_found_on_every_route(app, client, accounts, number):
    accounts.login_as("admin")
    token = csrf_from(client, "/backoffice/konto")
    answers = {}

    for rule in _int_rules(app):
        path = _path(
            rule, {"target": "ready", **dict.fromkeys(rule.arguments - {"target"}, number)}
        )
        method = "POST" if "POST" in rule.methods else "GET"
        answers[rule.rule] = client.open(
            path, method=method, data={"csrf_token": token}
        ).status_code

    assert len(answers) >= 15
    assert set(answers.values()) == {404}


@pytest.mark.parametrize("url", ["/backoffice/zgloszenia", "/backoffice/audyt"])
@pytest.mark.parametrize(
    ("field", "value"), [("date_from", "0001-01-01"), ("date_to", "9999-12-31")]
)
def test_a_far_date_in_a_filter_gets_a_message_at_the_field(client, accounts, url, field, value):
    accounts.login_as("admin")

    response = client.get(url, query_string={field: value})

    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Wpisz datę od 1 stycznia 2000 do 31 grudnia 2100." in text
    assert f'aria-describedby="{field}-error"' in text


def test_a_group_number_beyond_any_column_shows_the_whole_board(client, accounts):
    accounts.login_as("instructor", groups=["tailoring"])

    response = client.get("/backoffice/tablica?grupa=99999999999999999999")

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("number", "9" * 20),
        ("number", "-5"),
        ("starts_on", "0001-01-01"),
        ("ends_on", "9999-12-31"),
    ],
)
def test_an_edition_with_a_huge_number_or_far_date_gets_a_message(
    app, client, accounts, field, value
):
    accounts.login_as("admin")
    answers = {
        "csrf_token": csrf_from(client, "/backoffice/edycje"),
        "number": "7",
        "starts_on": date.today().isoformat(),
        "ends_on": (date.today() + timedelta(days=150)).isoformat(),
    }

    response = client.post("/backoffice/edycje", data={**answers, field: value})

    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProgrammeEdition)) == 0


def test_a_locked_out_login_with_a_nul_in_the_address_gets_the_lock_out_page(client, app):
    app.config["LOGIN_RATE_LIMIT_IP"] = "1 per 15 minutes"
    token = csrf_from(client, "/backoffice/logowanie")
    answers = {"csrf_token": token, "email": "a\x00b@example.org", "password": "zle-haslo"}

    client.post("/backoffice/logowanie", data=answers)
    response = client.post("/backoffice/logowanie", data=answers)

    assert response.status_code == 429
