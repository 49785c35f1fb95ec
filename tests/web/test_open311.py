"""The Open311 GeoReport v2 API through HTTP: every endpoint in JSON and XML with the fields the
standard requires, the list's filters, the privacy-safe profile, partners' keys and the errors.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, timedelta
from xml.etree import ElementTree

import pytest
from sqlalchemy import func, select

from portal.api.profile import WITHHELD
from portal.audit import AuditAction
from portal.domain.actor import Actor
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import (
    ApiKey,
    AuditEntry,
    Channel,
    ConsentMethod,
    EventKind,
    MessageKind,
    OutboxMessage,
    RequesterKind,
    ServiceCategory,
    ServiceRequest,
)
from portal.queries import open311 as reads
from portal.services import apikeys, privacy
from tests import factories

from .helpers import csrf_from

API = "/api/open311/v2"
FORMATS = ("json", "xml")
# What the standard lists for a request; the profile fills some and leaves the rest empty.
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
# The profile's own addition, documented in docs/open311.md.
PROFILE_FIELDS = REQUEST_FIELDS | {"extended_status"}
QUESTIONS = [
    {
        "code": "room",
        "kind": "text",
        "required": True,
        "label": "W którym pomieszczeniu?",
        "hint": "Np. kuchnia",
        "unit": "",
        "choices": [],
    },
    {
        "code": "size",
        "kind": "number",
        "required": False,
        "label": "Powierzchnia",
        "hint": "",
        "unit": "m²",
        "choices": [],
    },
    {
        "code": "paint",
        "kind": "choice",
        "required": False,
        "label": "Farba",
        "hint": "",
        "unit": "",
        "choices": [{"key": "own", "label": "własna"}, {"key": "club", "label": "klubu"}],
    },
    {
        "code": "ladder",
        "kind": "yes_no",
        "required": False,
        "label": "Czy jest drabina?",
        "hint": "",
        "unit": "",
        "choices": [],
    },
]


@pytest.fixture
def app_overrides():
    return {"API_RATE_LIMIT": "10000 per minute", "API_KEY_RATE_LIMIT": "10000 per hour"}


@pytest.fixture(autouse=True)
def renovation_questions(app):
    """Only the renovation service asks questions of its own, these (the demo's may change)."""
    with app.app_context():
        for code in ("tailoring", "upholstery"):
            factories.category(code).questions = None
        factories.category("renovation").questions = QUESTIONS
        db.session.commit()


def issue(app, institution="Miejski Ośrodek Pomocy Społecznej w Opolu") -> tuple[int, str]:
    with app.app_context():
        issued = apikeys.issue_key(institution, "", Actor(Role.ADMIN))
        return issued.key.id, issued.secret


def send(client, secret=None, fmt="json", headers=None, **fields):
    data = {
        "service_code": "tailoring",
        "first_name": "Halina",
        "last_name": "Testowa",
        "phone": "600 100 200",
        "description": "Skrócić zasłony",
        **fields,
    }
    if secret is not None:
        data["api_key"] = secret
    data = {name: value for name, value in data.items() if value is not None}
    return client.post(f"{API}/requests.{fmt}", data=data, headers=headers)


def parsed(response):
    """The body as the JSON mapping: XML read back into dicts and lists (Spark convention)."""
    if response.mimetype == "application/json":
        return response.get_json()
    return _from_xml(ElementTree.fromstring(response.data))


LISTS = {"services", "service_requests", "errors", "endpoints", "formats", "attributes", "values"}


def _from_xml(element):
    if element.tag in LISTS:
        return [_from_xml(child) for child in element]
    if len(element):
        return {child.tag: _from_xml(child) for child in element}
    return element.text


def _assert_format(response, fmt):
    if fmt == "json":
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        json.loads(response.data)
    else:
        assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
        assert response.data.startswith(b'<?xml version="1.0" encoding="utf-8"?>')


def _is_iso_with_zone(text: str) -> bool:
    return datetime.fromisoformat(text).tzinfo is not None


# --- Discovery and services -------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_names_the_endpoint_its_formats_and_how_to_get_a_key(client, fmt):
    response = client.get(f"{API}/discovery.{fmt}")

    assert response.status_code == 200
    _assert_format(response, fmt)
    found = parsed(response)
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(found)
    assert _is_iso_with_zone(found["changeset"])
    (endpoint,) = found["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/api/open311/v2")
    assert endpoint["type"] in ("production", "test")
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    assert _is_iso_with_zone(endpoint["changeset"])


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_services_are_the_ones_offered_with_the_fields_the_standard_requires(
    app, client, renovation_questions, fmt
):
    with app.app_context():
        factories.category("upholstery").active = False
        db.session.commit()

    found = parsed(client.get(f"{API}/services.{fmt}"))

    assert [service["service_code"] for service in found] == ["tailoring", "renovation"]
    for service in found:
        assert {
            "service_code",
            "service_name",
            "description",
            "metadata",
            "type",
            "keywords",
            "group",
        } <= set(service)
        assert service["type"] == "realtime"
    renovation = found[1]
    assert renovation["metadata"] in (True, "true")
    assert renovation["address_required"] in (True, "true")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_services_definition_gives_its_own_questions_as_attributes(
    client, renovation_questions, fmt
):
    response = client.get(f"{API}/services/renovation.{fmt}")

    assert response.status_code == 200
    _assert_format(response, fmt)
    found = parsed(response)
    assert found["service_code"] == "renovation"
    room, size, paint, ladder = found["attributes"]
    for attribute in (room, size, paint, ladder):
        assert {
            "variable",
            "code",
            "datatype",
            "required",
            "datatype_description",
            "order",
            "description",
            "values",
        } <= set(attribute)
    assert (room["code"], room["datatype"], room["description"]) == (
        "room",
        "string",
        "W którym pomieszczeniu?",
    )
    assert room["datatype_description"] == "Np. kuchnia"
    assert str(room["required"]).lower() == "true"
    assert str(size["required"]).lower() == "false"
    assert size["datatype"] == "number"
    assert "m²" in size["datatype_description"]
    assert [str(a["order"]) for a in (room, size, paint, ladder)] == ["1", "2", "3", "4"]
    assert paint["datatype"] == "singlevaluelist"
    assert paint["values"] == [{"key": "own", "name": "własna"}, {"key": "club", "name": "klubu"}]
    assert ladder["datatype"] == "singlevaluelist"
    assert [value["key"] for value in ladder["values"]] == ["yes", "no"]
    assert room["values"] in ([], None)


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_or_withdrawn_service_is_not_found(app, client, fmt):
    with app.app_context():
        factories.category("upholstery").active = False
        db.session.commit()

    for code in ("nie-ma-takiej", "upholstery"):
        response = client.get(f"{API}/services/{code}.{fmt}")

        assert response.status_code == 404
        _assert_format(response, fmt)
        (error,) = parsed(response)
        assert str(error["code"]) == "404"
        assert error["description"].startswith("service_code:")


# --- Requests: the profile ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_request_shows_the_service_status_group_and_days_and_nothing_else(app, client, fmt):
    with app.app_context():
        accepted = factories.make_request(status=Status.ACCEPTED)
        reference, group = accepted.reference, accepted.group.name

    response = client.get(f"{API}/requests/{reference.replace('/', '-')}.{fmt}")

    assert response.status_code == 200
    _assert_format(response, fmt)
    (found,) = parsed(response)
    assert set(found) == PROFILE_FIELDS
    assert found["service_request_id"] == reference
    assert found["status"] == "open"
    assert found["extended_status"] == "accepted"
    assert found["service_code"] == "tailoring"
    assert found["agency_responsible"] == group
    assert _is_iso_with_zone(found["requested_datetime"])
    assert _is_iso_with_zone(found["updated_datetime"])
    assert all(found[name] in (None, "") for name in WITHHELD)


def test_a_reference_is_found_with_hyphens_or_url_encoded_slashes(app, client):
    with app.app_context():
        reference = factories.make_request().reference

    for written in (
        reference.replace("/", "-"),
        reference.replace("/", "%2F"),
        reference.replace("/", "-").lower(),
    ):
        response = client.get(f"{API}/requests/{written}.json")

        assert response.status_code == 200, written
        assert response.get_json()[0]["service_request_id"] == reference


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("written", ["KR-2026-9999", "nie-numer", "KR-2026-00001234567"])
def test_a_request_that_does_not_exist_is_not_found(client, fmt, written):
    response = client.get(f"{API}/requests/{written}.{fmt}")

    assert response.status_code == 404
    _assert_format(response, fmt)
    assert str(parsed(response)[0]["code"]) == "404"


@pytest.mark.parametrize(
    ("status", "open_or_closed"),
    [
        (Status.SUBMITTED, "open"),
        (Status.NEEDS_INFO, "open"),
        (Status.ACCEPTED, "open"),
        (Status.SCHEDULED, "open"),
        (Status.IN_PROGRESS, "open"),
        (Status.READY, "open"),
        (Status.COMPLETED, "closed"),
        (Status.DECLINED, "closed"),
        (Status.CANCELLED, "closed"),
    ],
)
def test_each_status_is_open_or_closed_with_the_portals_own_beside_it(
    app, client, status, open_or_closed
):
    with app.app_context():
        reference = factories.make_request(status=status).reference

    (found,) = client.get(f"{API}/requests.json?service_request_id={reference}").get_json()

    assert (found["status"], found["extended_status"]) == (open_or_closed, status.value)


def test_dates_are_rounded_down_to_the_local_day_with_its_offset(app, client):
    with app.app_context():
        winter = factories.make_request()
        winter.created_at = datetime(2026, 1, 14, 9, 47, 12)
        summer = factories.make_request(status=Status.CANCELLED)
        # 22:30 UTC on 30 June is half past midnight on 1 July in Warsaw.
        summer.created_at = datetime(2026, 6, 30, 22, 30, 5)
        summer.closed_at = datetime(2026, 7, 2, 13, 1, 59)
        db.session.commit()
        references = f"{winter.reference},{summer.reference}"

    found = client.get(f"{API}/requests.json?service_request_id={references}").get_json()

    by_reference = {item["service_request_id"]: item for item in found}
    assert by_reference[winter.reference]["requested_datetime"] == "2026-01-14T00:00:00+01:00"
    assert by_reference[summer.reference]["requested_datetime"] == "2026-07-01T00:00:00+02:00"
    assert by_reference[summer.reference]["updated_datetime"] == "2026-07-02T00:00:00+02:00"


# --- Requests: the list and its filters ---------------------------------------------------


@pytest.fixture
def listed(app):
    """Requests of each service and status, one sent 100 days ago."""
    with app.app_context():
        today = datetime.now(UTC).replace(tzinfo=None)
        made = {
            "open_tailoring": factories.make_request(),
            "closed_tailoring": factories.make_request(status=Status.COMPLETED),
            "open_renovation": factories.make_request(code="renovation"),
            "closed_upholstery": factories.make_request(code="upholstery", status=Status.DECLINED),
            "old": factories.make_request(),
        }
        made["old"].created_at = today - timedelta(days=100)
        db.session.commit()
        return {name: request.reference for name, request in made.items()}


def _listed(client, fmt="json", **query) -> list[str]:
    response = client.get(f"{API}/requests.{fmt}", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)
    _assert_format(response, fmt)
    return [item["service_request_id"] for item in parsed(response)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_list_holds_the_last_90_days_newest_first(client, listed, fmt):
    found = _listed(client, fmt)

    assert listed["old"] not in found
    assert sorted(found) == sorted(set(listed.values()) - {listed["old"]})
    assert found[0] == listed["open_renovation"] or found == sorted(found, reverse=True)


def test_an_empty_parameter_counts_as_absent(client, listed):
    everything = _listed(client)

    assert (
        _listed(
            client,
            service_code="",
            status="",
            start_date="",
            end_date="",
            service_request_id="",
            jurisdiction_id="",
        )
        == everything
    )


def test_the_list_filters_by_service_codes_and_status(client, listed):
    assert set(_listed(client, service_code="renovation,upholstery")) == {
        listed["open_renovation"],
        listed["closed_upholstery"],
    }
    assert set(_listed(client, status="closed")) == {
        listed["closed_tailoring"],
        listed["closed_upholstery"],
    }
    assert set(_listed(client, status="open", service_code="tailoring")) == {
        listed["open_tailoring"]
    }
    assert len(_listed(client, status="open,closed")) == 4


def test_request_numbers_override_every_other_filter(client, listed):
    named = f"{listed['old']}, {listed['open_tailoring'].replace('/', '-')}"

    found = _listed(client, service_request_id=named, service_code="renovation", status="closed")

    assert set(found) == {listed["old"], listed["open_tailoring"]}


def test_dates_choose_whole_local_days(app, client, listed):
    with app.app_context():
        old = db.session.scalars(
            select(ServiceRequest).where(ServiceRequest.reference == listed["old"])
        ).one()
        old.created_at = datetime(2026, 3, 10, 9, 30)  # 10:30 in Warsaw
        db.session.commit()

    # Later that day and earlier that day: the whole day counts, not the minute.
    assert _listed(
        client, start_date="2026-03-10T15:00:00+01:00", end_date="2026-03-10T16:00:00+01:00"
    ) == [listed["old"]]
    assert _listed(client, start_date="2026-03-10", end_date="2026-03-10T08:00:00Z") == [
        listed["old"]
    ]
    assert _listed(client, start_date="2026-03-11T00:00:00+01:00", end_date="2026-04-01") == []
    assert _listed(client, end_date="2026-03-10T12:00:00+01:00") == [listed["old"]]
    assert _listed(client, start_date="2026-01-01T00:00:00Z") == [listed["old"]]


@pytest.mark.parametrize(
    ("query", "status", "parameter"),
    [
        ({"start_date": "2026-01-01", "end_date": "2026-04-02"}, 400, "end_date"),
        ({"start_date": "2026-05-01", "end_date": "2026-04-01"}, 400, "end_date"),
        ({"start_date": "wczoraj"}, 400, "start_date"),
        ({"end_date": "0001-01-01T00:00:00Z"}, 400, "end_date"),
        ({"start_date": "9999-12-31"}, 400, "start_date"),
        ({"status": "pending"}, 400, "status"),
        ({"service_code": "tailoring,nie-ma-takiej"}, 404, "service_code"),
        ({"service_request_id": ",".join(["KR/2026/0001"] * 1001)}, 400, "service_request_id"),
    ],
)
@pytest.mark.parametrize("fmt", FORMATS)
def test_filters_that_cannot_be_used_are_refused_by_name(client, query, status, parameter, fmt):
    response = client.get(f"{API}/requests.{fmt}", query_string=query)

    assert response.status_code == status
    _assert_format(response, fmt)
    (error,) = parsed(response)[:1]
    assert str(error["code"]) == str(status)
    assert error["description"].startswith(f"{parameter}:")


def test_exactly_90_days_is_allowed(client, listed):
    response = client.get(
        f"{API}/requests.json",
        query_string={"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-01T00:00:00Z"},
    )

    assert response.status_code == 200


def test_the_list_stops_at_its_limit(app, client, listed, monkeypatch):
    monkeypatch.setattr(reads, "MAX_REQUESTS", 2)

    assert len(_listed(client)) == 2
    assert len(_listed(client, service_request_id=",".join(list(listed.values())[:2]))) == 2


def test_requests_whose_data_were_erased_still_list_like_the_others(app, client, upload_folder):
    with app.app_context():
        done = factories.make_request(name="Ewa Wymazana", status=Status.COMPLETED)
        privacy.erase_person(
            done,
            Actor.of(factories.user(Role.ADMIN)),
            reason="Prośba z 3 maja",
            decision="Zgoda IOD",
            upload_folder=str(upload_folder),
        )
        assert done.anonymised_at is not None
        reference = done.reference

    (found,) = client.get(f"{API}/requests.json?service_request_id={reference}").get_json()

    assert found["status"] == "closed"
    assert found["service_code"] == "tailoring"
    assert reference in _listed(client)


# --- Privacy: nothing of a person, in any body of any endpoint ----------------------------

PERSONAL = {
    "name": "Zenobia Prywatna-Unikalska",
    "phone": "600 987 321",
    "email": "zenobia.unikalska@example.org",
    "address": "ul. Sekretna 77/13, Opole",
    "description": "Opis-poufny: rozdarta zasłona w sypialni",
}
PARTNER = "Ośrodek Pomocy Społecznej Unikalny"


@pytest.fixture
def private_world(app, client, renovation_questions, upload_folder):
    """Requests carrying distinctive personal data in every field that holds any."""
    key_id, secret = issue(app, PARTNER)
    sent = send(
        client,
        secret,
        service_code="renovation",
        first_name="Bożydar",
        last_name="Tajemniczy-Unikat",
        phone="601 234 987",
        email="bozydar.unikat@example.org",
        description="Opis-partnera: zacieki na suficie",
        address_string="ul. Ukryta 5/9, Opole",
        **{
            "attribute[room]": "Odpowiedź-unikalna sypialnia",
            "attribute[size]": "37,25",
            "attribute[paint]": "own",
            "attribute[ladder]": "yes",
        },
    )
    assert sent.status_code == 200, sent.get_data(as_text=True)
    with app.app_context():
        resident = factories.make_request(
            **PERSONAL,
            is_senior=True,
            receives_assistance=True,
            status=Status.ACCEPTED,
            upload_folder=str(upload_folder),
        )
        admin = Actor.of(factories.user(Role.ADMIN))
        from portal import services

        services.add_note(resident, "Notatka-wewnętrzna: zasiłek stały", admin)
        declined = factories.make_request(
            name="Teodor Odrzucony-Unikat", phone="602 555 444", receives_assistance=True
        )
        services.decline_request(declined, admin, note="Powód-unikalny: poza rejonem")
        done = factories.make_request(name="Walery Zrobiony-Unikat", phone="603 777 111")
        factories.walk_to(done, Status.IN_PROGRESS)
        services.complete_job(
            done,
            admin,
            completed_on=services.local_today("Europe/Warsaw"),
            outcome="done",
            work_done="Praca-unikalna: wszyto zamek",
        )
        references = [resident.reference, declined.reference, done.reference]
    return {
        "references": [sent.get_json()[0]["service_request_id"], *references],
        "secret": secret,
        "post_body": sent.get_data(as_text=True),
    }


SECRETS = [
    *PERSONAL.values(),
    "600987321",
    "987 321",
    "Zenobia",
    "Unikalska",
    "Sekretna",
    "Opis-poufny",
    "Bożydar",
    "Tajemniczy",
    "601 234 987",
    "601234987",
    "bozydar.unikat",
    "Opis-partnera",
    "Ukryta",
    "Odpowiedź-unikalna",
    "37,25",
    "37.25",
    PARTNER,
    "Notatka-wewnętrzna",
    "zasiłek",
    "Teodor",
    "Powód-unikalny",
    "Walery",
    "Praca-unikalna",
    "602 555 444",
    "603 777 111",
    "senior",
    "assist",
    "institution",
    "instytucj",
    "channel",
    "online",
    "partner",
    "consent",
]


def _every_body(client, references, secret) -> dict[str, str]:
    bodies = {}
    for fmt in FORMATS:
        paths = [
            f"/discovery.{fmt}",
            f"/services.{fmt}",
            f"/requests.{fmt}",
            f"/requests.{fmt}?status=open",
            f"/requests.{fmt}?status=closed",
            f"/requests.{fmt}?service_request_id={','.join(references)}",
        ]
        paths += [f"/services/{code}.{fmt}" for code in ("tailoring", "upholstery", "renovation")]
        paths += [f"/requests/{ref.replace('/', '-')}.{fmt}" for ref in references]
        for path in paths:
            response = client.get(API + path)
            assert response.status_code == 200, path
            bodies[path] = response.get_data(as_text=True)
        refused = send(client, secret, fmt=fmt, phone="", description="")
        bodies[f"POST refused .{fmt}"] = refused.get_data(as_text=True)
    return bodies


def test_no_response_of_any_endpoint_holds_anything_of_a_person(client, private_world):
    bodies = _every_body(client, private_world["references"], private_world["secret"])
    bodies["POST sent"] = private_world["post_body"]
    # The key_service text names partner institutions in general; not any request.
    listed = {path: body for path, body in bodies.items() if "discovery" not in path}

    leaks = {
        (path, secret)
        for path, body in listed.items()
        for secret in SECRETS
        if secret.casefold() in body.casefold()
    }

    assert leaks == set()
    every = client.get(
        f"{API}/requests.json?service_request_id={','.join(private_world['references'])}"
    )
    assert len(every.get_json()) == 4
    for item in every.get_json():
        assert set(item) == PROFILE_FIELDS
        assert all(item[name] is None for name in WITHHELD)


def test_discovery_and_services_hold_no_request_at_all(client, private_world):
    for fmt in FORMATS:
        for path in (f"/discovery.{fmt}", f"/services.{fmt}"):
            body = client.get(API + path).get_data(as_text=True)

            assert not any(secret in body for secret in list(PERSONAL.values()) + [PARTNER])
            assert not any(reference in body for reference in private_world["references"])


# --- Sending a request with a key ---------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_partner_sends_a_request_and_gets_its_number_and_a_notice(
    app, client, renovation_questions, fmt
):
    key_id, secret = issue(app)
    with app.app_context():
        staff_email = factories.user(Role.STAFF).email

    response = send(
        client,
        secret,
        fmt=fmt,
        service_code="renovation",
        address_string="ul. Ozimska 1, Opole",
        email="halina@example.org",
        lat="50.67",
        long="17.93",
        media_url="https://example.org/x.jpg",
        **{"attribute[room]": "kuchnia", "attribute[size]": "12,5", "attribute[ladder]": "no"},
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    _assert_format(response, fmt)
    (created,) = parsed(response)
    assert created["service_notice"]
    assert "token" not in created
    with app.app_context():
        request = db.session.scalars(
            select(ServiceRequest).where(ServiceRequest.reference == created["service_request_id"])
        ).one()
        key = db.session.get(ApiKey, key_id)
        assert request.channel == Channel.INSTITUTION
        assert request.requester_kind == RequesterKind.INSTITUTION
        assert request.institution_name == "Miejski Ośrodek Pomocy Społecznej w Opolu"
        assert request.institution_key == "miejski ośrodek pomocy społecznej w opolu"
        assert request.consent_method == ConsentMethod.PARTNER
        assert request.api_key_id == key_id
        assert (request.name, request.phone) == ("Halina Testowa", "600 100 200")
        assert request.address == "ul. Ozimska 1, Opole"
        assert request.email == "halina@example.org"
        assert request.email_updates is False
        assert request.taken_by_id is None
        assert {answer["code"]: answer["value"] for answer in request.answers} == {
            "room": "kuchnia",
            "size": "12.5",
            "ladder": "no",
        }
        assert [event.kind for event in request.events] == [EventKind.SUBMITTED]
        assert request.status == Status.SUBMITTED
        assert key.last_used_at is not None
        told = db.session.scalars(
            select(OutboxMessage.to_addr).where(
                OutboxMessage.request_id == request.id,
                OutboxMessage.kind == MessageKind.NEW_REQUEST,
            )
        ).all()
        assert staff_email in told
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == AuditAction.API_REQUEST_SENT)
        ).one()
        assert entry.request_id == request.id
        assert key.prefix in entry.detail
        assert "Miejski Ośrodek" in entry.detail


def test_the_key_may_come_in_an_authorization_bearer_header(app, client):
    _key_id, secret = issue(app)

    response = send(client, headers={"Authorization": f"Bearer {secret}"})

    assert response.status_code == 200, response.get_data(as_text=True)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_request_without_a_key_is_refused_with_403(app, client, fmt):
    response = send(client, fmt=fmt)

    assert response.status_code == 403
    _assert_format(response, fmt)
    (error,) = parsed(response)
    assert str(error["code"]) == "403"
    assert error["description"].startswith("api_key:")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ServiceRequest)) == 0


@pytest.fixture
def security_log(caplog, monkeypatch):
    # The migrations' logging.config.fileConfig disables loggers that already exist.
    monkeypatch.setattr(logging.getLogger("portal.security"), "disabled", False)
    caplog.set_level(logging.DEBUG)
    return caplog


def _security_events(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "portal.security"]


@pytest.mark.parametrize(
    "wrong",
    ["kis_nieznany-klucz-0123456789", "x", "kis_" + "A" * 200, "Zenobia Prywatna", "\u202ekis_"],
)
def test_a_wrong_key_is_refused_with_403_and_logged_without_the_key(
    app, client, security_log, wrong
):
    _key_id, secret = issue(app)

    response = send(client, wrong)

    assert response.status_code == 403
    (event,) = [e for e in _security_events(security_log) if e["event"] == "authn_login_fail"]
    assert event["outcome"] == "failure"
    assert event["reason"] == "unknown"
    assert wrong not in json.dumps(event) or len(wrong) <= 12
    assert "Zenobia" not in json.dumps(event)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ServiceRequest)) == 0


def test_a_key_differing_from_a_live_one_after_its_prefix_is_refused(app, client):
    _key_id, secret = issue(app)

    response = send(client, secret[:-1] + ("A" if secret[-1] != "A" else "B"))

    assert response.status_code == 403


def test_a_revoked_key_is_refused_with_403_logged_and_audited(app, client, security_log):
    key_id, secret = issue(app)
    with app.app_context():
        apikeys.revoke_key(db.session.get(ApiKey, key_id), Actor(Role.ADMIN))

    response = send(client, secret)

    assert response.status_code == 403
    assert [e["event"] for e in _security_events(security_log)] == ["authn_token_reuse"]
    with app.app_context():
        key = db.session.get(ApiKey, key_id)
        actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions == [
            AuditAction.API_KEY_ISSUED,
            AuditAction.API_KEY_REVOKED,
            AuditAction.API_KEY_REFUSED,
        ]
        assert db.session.scalar(select(func.count()).select_from(ServiceRequest)) == 0
        assert key.prefix in db.session.scalars(select(AuditEntry.detail)).all()[-1]


@pytest.mark.parametrize(
    ("fields", "parameter"),
    [
        ({"first_name": "", "last_name": ""}, "last_name"),
        ({"phone": ""}, "phone"),
        ({"phone": "12"}, "phone"),
        ({"description": ""}, "description"),
        ({"description": "x" * 4001}, "description"),
        ({"email": "nie-adres"}, "email"),
        ({"service_code": "renovation"}, "address_string"),
        ({"service_code": "renovation", "address_string": "ul. Długa 1"}, "attribute[room]"),
        (
            {
                "service_code": "renovation",
                "address_string": "ul. Długa 1",
                "attribute[room]": "kuchnia",
                "attribute[size]": "dużo",
            },
            "attribute[size]",
        ),
        (
            {
                "service_code": "renovation",
                "address_string": "ul. Długa 1",
                "attribute[room]": "kuchnia",
                "attribute[paint]": "zielona",
            },
            "attribute[paint]",
        ),
        (
            {
                "service_code": "renovation",
                "address_string": "ul. Długa 1",
                "attribute[room]": "kuchnia",
                "attribute[ladder]": "tak",
            },
            "attribute[ladder]",
        ),
        ({"attribute[nie_ma]": "x"}, "attribute[nie_ma]"),
        ({"service_code": ""}, "service_code"),
    ],
)
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_request_with_a_problem_is_refused_with_400_naming_the_parameter(
    app, client, renovation_questions, fields, parameter, fmt
):
    key_id, secret = issue(app)

    response = send(client, secret, fmt=fmt, **fields)

    assert response.status_code == 400, response.get_data(as_text=True)
    _assert_format(response, fmt)
    errors = parsed(response)
    assert all(str(error["code"]) == "400" for error in errors)
    assert any(error["description"].startswith(f"{parameter}:") for error in errors), errors
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ServiceRequest)) == 0
        refused = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == AuditAction.API_REQUEST_REFUSED)
        ).one()
        assert parameter in refused.detail
        assert db.session.get(ApiKey, key_id).last_used_at is not None


def test_every_problem_is_listed_at_once(app, client, renovation_questions):
    _key_id, secret = issue(app)

    response = send(client, secret, service_code="renovation", phone="", description="")

    described = [error["description"].split(":")[0] for error in response.get_json()]
    assert described == ["phone", "description", "address_string", "attribute[room]"]


@pytest.mark.parametrize("code", ["nie-ma-takiej", "upholstery"])
def test_a_request_for_an_unknown_or_withdrawn_service_is_refused_with_404(app, client, code):
    _key_id, secret = issue(app)
    with app.app_context():
        factories.category("upholstery").active = False
        db.session.commit()

    response = send(client, secret, service_code=code)

    assert response.status_code == 404
    assert response.get_json()[0]["description"].startswith("service_code:")


def test_control_characters_are_dropped_from_what_a_partner_sends(app, client):
    _key_id, secret = issue(app)

    response = send(client, secret, first_name="Ha\x00lina", description="Skrócić\x07 zasłony")

    assert response.status_code == 200
    with app.app_context():
        request = db.session.scalars(select(ServiceRequest)).one()
        assert (request.name, request.description) == ("Halina Testowa", "Skrócić zasłony")


# --- Limits -------------------------------------------------------------------------------


def test_sending_is_limited_per_key(app, client):
    app.config["API_KEY_RATE_LIMIT"] = "2 per hour"
    _first_id, first = issue(app)
    _second_id, second = issue(app, "Dzienny Dom Senior+")

    answers = [send(client, first).status_code for _ in range(3)]
    other = send(client, second)

    assert answers == [200, 200, 429]
    assert other.status_code == 200
    limited = send(client, first, fmt="xml")
    assert limited.status_code == 429
    _assert_format(limited, "xml")
    assert str(parsed(limited)[0]["code"]) == "429"
    assert "Retry-After" in limited.headers
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ServiceRequest)) == 3


def test_reading_is_limited_per_client_address(app, client):
    app.config["API_RATE_LIMIT"] = "3 per minute"

    answers = [client.get(f"{API}/services.json").status_code for _ in range(3)]
    answers.append(client.get(f"{API}/requests.json").status_code)
    other = client.get(f"{API}/services.json", environ_base={"REMOTE_ADDR": "192.0.2.7"})

    assert answers == [200, 200, 200, 429]
    assert other.status_code == 200


# --- Errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_address_under_the_api_is_not_found_in_the_apis_shape(client, fmt):
    response = client.get(f"{API}/nie-ma-takiego.{fmt}")

    assert response.status_code == 404
    _assert_format(response, fmt)
    assert str(parsed(response)[0]["code"]) == "404"


def test_a_method_the_address_does_not_take_gets_405_with_allow(client):
    response = client.delete(f"{API}/requests.json")

    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert response.get_json()[0]["code"] == 405


def test_a_json_body_gets_415_in_the_apis_shape(app, client):
    _key_id, secret = issue(app)

    response = client.post(f"{API}/requests.json", json={"api_key": secret})

    assert response.status_code == 415
    assert response.get_json()[0]["code"] == 415


def test_the_api_needs_no_csrf_token_but_the_back_office_still_does(app, client, accounts):
    _key_id, secret = issue(app)
    accounts.login_as("admin")

    sent = send(client, secret)
    issued = client.post("/backoffice/klucze-api", data={"institution_name": "Bez tokenu"})

    assert sent.status_code == 200
    assert issued.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ApiKey)) == 1
    token = csrf_from(client, "/backoffice/klucze-api")
    assert (
        client.post(
            "/backoffice/klucze-api", data={"csrf_token": token, "institution_name": "Z tokenem"}
        ).status_code
        == 200
    )


def test_a_service_without_questions_has_an_empty_definition(app, client):
    with app.app_context():
        category = db.session.scalars(
            select(ServiceCategory).where(ServiceCategory.code == "upholstery")
        ).one()
        category.questions = None
        db.session.commit()

    found = client.get(f"{API}/services/upholstery.json").get_json()
    listed = {s["service_code"]: s for s in client.get(f"{API}/services.json").get_json()}

    assert found == {"service_code": "upholstery", "attributes": []}
    assert listed["upholstery"]["metadata"] is False


def test_the_default_window_ends_today(app, client):
    with app.app_context():
        reference = factories.make_request().reference
    tomorrow = (date.today() + timedelta(days=1)).isoformat()

    assert reference in _listed(client)
    assert reference in _listed(client, end_date=tomorrow)


def test_a_request_sent_again_with_its_idempotency_key_is_recorded_once(
    app, client, renovation_questions
):
    _key_id, secret = issue(app)
    _other_id, other_secret = issue(app, institution="Dzienny Dom Pomocy nr 2")
    fields = {
        "service_code": "renovation",
        "address_string": "ul. Ozimska 1, Opole",
        "attribute[room]": "kuchnia",
    }

    first = send(client, secret, headers={"Idempotency-Key": "mops-2026-0042"}, **fields)
    again = send(client, secret, headers={"Idempotency-Key": "mops-2026-0042"}, **fields)
    other = send(client, secret, headers={"Idempotency-Key": "mops-2026-0043"}, **fields)
    # The same name under another institution's key is that institution's own request.
    theirs = send(client, other_secret, headers={"Idempotency-Key": "mops-2026-0042"}, **fields)
    wrong = send(client, secret, headers={"Idempotency-Key": "zły klucz!"}, **fields)

    references = [parsed(r)[0]["service_request_id"] for r in (first, again, other, theirs)]
    assert references[0] == references[1]
    assert len(set(references)) == 3
    assert wrong.status_code == 400 and "Idempotency-Key" in wrong.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ServiceRequest)) == 3
