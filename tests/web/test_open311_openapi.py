"""The OpenAPI description of the Open311 API: complete, true to the routes, and a property-based
fuzz of the API from it (schemathesis), which never meets a server error.

The description is the file kept in the repository (portal/api/openapi.yaml), served as it is.
Every route of the blueprint is described and every described path is a route, method by
method. The fuzz draws a bounded number of cases per operation, valid and invalid ones, as
an anonymous client and, for sending requests, with a live key.
"""

from __future__ import annotations

import re

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import func, select

from portal.api import PREFIX
from portal.api.views import OPENAPI
from portal.domain.actor import Actor
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import ServiceRequest
from portal.services import apikeys
from tests import factories

SPEC_URL = f"{PREFIX}/openapi.yaml"
# Enough to reach every branch of every operation in seconds, few enough for every run.
EXAMPLES = 12


@pytest.fixture
def app_overrides():
    return {"API_RATE_LIMIT": "100000 per minute", "API_KEY_RATE_LIMIT": "100000 per hour"}


def _described() -> dict:
    return yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))


def _routes(app) -> set[tuple[str, str]]:
    """(method, path as OpenAPI writes it) for every route of the blueprint."""
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("open311."):
            continue
        path = rule.rule.removeprefix(PREFIX)
        formats = re.search(r"<any\(([^)]*)\):fmt>", path)
        variants = (
            [path.replace(formats[0], fmt.strip()) for fmt in formats[1].split(",")]
            if formats
            else [path]
        )
        for variant in variants:
            variant = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", variant)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                found.add((method.lower(), variant))
    return found


def test_every_route_is_described_and_every_described_path_is_a_route(app):
    described = {
        (method, path)
        for path, operations in _described()["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    }

    assert _routes(app) == described
    assert _described()["servers"] == [{"url": PREFIX}]


def test_the_description_is_served_as_kept_in_the_repository(client):
    response = client.get(SPEC_URL)

    assert response.status_code == 200
    assert response.content_type == "application/yaml; charset=utf-8"
    assert response.get_data(as_text=True) == OPENAPI.read_text(encoding="utf-8")
    assert yaml.safe_load(response.get_data(as_text=True))["openapi"].startswith("3.")


def test_the_description_is_a_valid_openapi_3_document(app):
    schema = schemathesis.openapi.from_dict(_described())

    operations = [result.ok() for result in schema.get_all_operations()]

    assert {(op.method.lower(), op.path) for op in operations} == _routes(app)


@pytest.fixture
def fuzzed(app, upload_folder):
    """Requests of every kind the profile shows, a live key, and the loaded description."""
    with app.app_context():
        for status in (Status.SUBMITTED, Status.ACCEPTED, Status.COMPLETED, Status.CANCELLED):
            factories.make_request(status=status, upload_folder=str(upload_folder))
        reference = factories.make_request(code="renovation").reference
        secret = apikeys.issue_key("Dzienny Dom Pomocy", "", Actor(Role.ADMIN)).secret
        answers = {
            code: _valid_answers(factories.category(code))
            for code in ("tailoring", "upholstery", "renovation")
        }
    return {
        "answers": answers,
        "schema": schemathesis.openapi.from_wsgi(SPEC_URL, app),
        "secret": secret,
        "reference": reference,
    }


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _fuzz(operation, mode: GenerationMode, prepare) -> bool:
    """Run the operation's cases; False when the mode has none (nothing to make invalid)."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def run(case, data):
        prepare(case, data)
        response = case.call()
        case.validate_response(response, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:
        if mode == GenerationMode.POSITIVE:
            raise
        return False
    return True


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_fuzzing_every_operation_never_meets_a_server_error(fuzzed, mode):
    def anonymous(case, data):
        if case.path_parameters and "service_request_id" in case.path_parameters:
            if data.draw(st.booleans()):
                case.path_parameters["service_request_id"] = fuzzed["reference"].replace("/", "-")

    ran = [_fuzz(result.ok(), mode, anonymous) for result in fuzzed["schema"].get_all_operations()]

    # Every operation but those without a parameter to make invalid (discovery).
    assert ran.count(True) >= len(ran) - 2


# What a partner's system would fill in, for the cases drawn to go through with them.
PLAUSIBLE = {
    "first_name": "Halina",
    "last_name": "Testowa",
    "phone": "600 100 200",
    "description": "Wymiana zamka w kurtce",
    "address_string": "ul. Próbna 1, Opole",
}


def _valid_answers(category) -> dict[str, str]:
    """attribute[code]=value answering every question of the service acceptably."""
    answers = {}
    for question in category.questions or []:
        value = {"text": "tak", "number": "2", "yes_no": "yes"}.get(question["kind"])
        if question["kind"] == "choice":
            value = question["choices"][0]["key"]
        answers[f"attribute[{question['code']}]"] = value
    return answers


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_fuzzing_requests_sent_with_a_live_key_never_meets_a_server_error(app, fuzzed, mode):
    def with_key(case, data):
        if isinstance(case.body, dict):
            case.body["api_key"] = fuzzed["secret"]
            if data.draw(st.booleans()):
                case.body["service_code"] = data.draw(
                    st.sampled_from(["tailoring", "upholstery", "renovation"])
                )
                if data.draw(st.booleans()):
                    code = case.body["service_code"]
                    case.body.clear()
                    case.body.update(
                        api_key=fuzzed["secret"],
                        service_code=code,
                        **PLAUSIBLE,
                        **fuzzed["answers"][code],
                    )
        else:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {fuzzed['secret']}"}

    posts = [result.ok() for result in fuzzed["schema"].get_all_operations()]
    posts = [operation for operation in posts if operation.method.upper() == "POST"]

    assert len(posts) == 2
    assert all(_fuzz(operation, mode, with_key) for operation in posts)
    if mode == GenerationMode.POSITIVE:
        with app.app_context():
            sent = db.session.scalar(
                select(func.count())
                .select_from(ServiceRequest)
                .where(ServiceRequest.api_key_id.is_not(None))
            )
        assert sent > 0
