"""Driving the public form through HTTP as a browser would."""

from __future__ import annotations

import html
import re

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import ServiceRequest


def hidden_value(page: bytes | str, name: str) -> str:
    text = page.decode() if isinstance(page, bytes) else page
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', text) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', text
    )
    assert match, f"no hidden field {name}"
    return html.unescape(match.group(1))


def category_id(client, code: str) -> int:
    from portal.models import ServiceCategory

    with client.application.app_context():
        return db.session.scalars(
            select(ServiceCategory.id).where(ServiceCategory.code == code)
        ).one()


def question_answers(client) -> dict:
    """The form's fields answering the demo services' required questions, for every service
    (only the chosen service's are read)."""
    from portal.models import ServiceCategory
    from tests.factories import ANSWERS

    with client.application.app_context():
        ids = dict(db.session.execute(select(ServiceCategory.code, ServiceCategory.id)).all())
    return {
        f"q{ids[code]}_{question}": value
        for code, given in ANSWERS.items()
        if code in ids
        for question, value in given.items()
    }


def valid_answers(client, **changes) -> dict:
    page = client.get("/zglos").data
    answers = {
        "csrf_token": hidden_value(page, "csrf_token"),
        "submission_key": hidden_value(page, "submission_key"),
        "category_id": str(category_id(client, "tailoring")),
        "description": "Proszę skrócić spodnie o 5 cm i wymienić zamek.",
        "name": "Janina Nowak",
        "phone": "600 123 456",
        "email": "",
        "address": "",
        "contact_time": "rano",
        "is_senior": "y",
        "consent": "y",
        "website": "",
        **question_answers(client),
    }
    answers.update(changes)
    return {key: value for key, value in answers.items() if value is not None}


def request_count(client) -> int:
    with client.application.app_context():
        return db.session.scalar(select(func.count()).select_from(ServiceRequest))


def only_request(client) -> ServiceRequest:
    with client.application.app_context():
        request = db.session.scalars(select(ServiceRequest)).one()
        db.session.expunge(request)
        return request


def submit(client, **changes):
    return client.post(
        "/zglos", data=valid_answers(client, **changes), content_type="multipart/form-data"
    )


def log_in(client, email: str, password: str = "haslo-testowe-123"):
    page = client.get("/backoffice/logowanie").data
    return client.post(
        "/backoffice/logowanie",
        data={"csrf_token": hidden_value(page, "csrf_token"), "email": email, "password": password},
    )


def csrf_from(client, url: str) -> str:
    return hidden_value(client.get(url).data, "csrf_token")


def count_queries(app, client, url: str) -> int:
    """Fetch url and return how many SQL statements the app ran for it."""
    from sqlalchemy import event

    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200
    return len(statements)
