"""The services' own questions on the public form and at intake: asked with the form's
field macros, checked, kept on error, stored with the request and shown to the office."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.extensions import db
from portal.models import ServiceRequest

from .helpers import category_id, csrf_from, hidden_value, only_request, request_count, submit


def _field(client, code: str, question: str) -> str:
    return f"q{category_id(client, code)}_{question}"


def test_the_form_asks_each_services_questions_right_after_its_option(client):
    page = client.get("/zglos").get_data(as_text=True)
    tailoring = category_id(client, "tailoring")
    assert '<div class="service-questions" id="questions-tailoring">' in page
    block = re.search(r'(?s)id="questions-tailoring">(.*)id="questions-upholstery"', page)
    assert (
        f'<label class="label" for="q{tailoring}_garment">Jakie to ubranie lub rzecz?</label>'
        in block.group(1)
    )
    assert "Co trzeba zrobić?" in block.group(1) and "Wymiana zamka lub guzików" in block.group(1)
    # Right after the option, so that CSS shows it only while the service is chosen.
    option = page.index(f'value="{tailoring}"')
    assert option < page.index('id="questions-tailoring"') < page.index('id="questions-upholstery"')
    # A number with its unit, an optional question says so.
    renovation = category_id(client, "renovation")
    assert f'id="q{renovation}_size"' in page and 'inputmode="decimal"' in page
    assert "Przybliżona powierzchnia pomieszczenia (opcjonalnie)" in page
    assert "W m²." in page


def test_a_missing_or_wrong_answer_is_refused_at_its_field_keeping_everything_typed(client):
    renovation = str(category_id(client, "renovation"))
    room, size = _field(client, "renovation", "room"), _field(client, "renovation", "size")
    response = submit(
        client,
        category_id=renovation,
        address="ul. Ozimska 10/2",
        description="Pomalować kuchnię na biało, dwie ściany.",
        **{room: "", size: "dwanaście"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and request_count(client) == 0
    assert f'id="{room}-error"' in page and "Odpowiedz na to pytanie." in page
    assert f'id="{size}-error"' in page and "Wpisz liczbę, np. 12 lub 12,5." in page
    assert 'value="dwanaście"' in page and "Pomalować kuchnię na biało" in page
    assert f'href="#{room}"' in page  # in the error summary, linking to the field


def test_only_the_chosen_services_questions_are_checked_and_stored(client):
    tailoring_kind = _field(client, "tailoring", "alteration")
    room = _field(client, "renovation", "room")
    response = submit(client, **{tailoring_kind: "zip", room: ""})
    assert response.status_code == 303
    request = only_request(client)
    assert request.answers == [
        {
            "code": "garment",
            "question": "Jakie to ubranie lub rzecz?",
            "answer": "spodnie",
            "value": "spodnie",
        },
        {
            "code": "alteration",
            "question": "Co trzeba zrobić?",
            "answer": "Wymiana zamka lub guzików",
            "value": "zip",
        },
    ]


def test_a_choice_outside_the_list_is_refused(client):
    response = submit(client, **{_field(client, "tailoring", "alteration"): "sew-a-dress"})
    assert response.status_code == 200 and request_count(client) == 0
    assert "Wybierz jedną z odpowiedzi." in response.get_data(as_text=True)


def test_a_ukrainian_resident_reads_the_questions_in_ukrainian_and_the_office_in_polish(
    client, accounts
):
    client.set_cookie("jezyk", "uk")
    page = client.get("/zglos").get_data(as_text=True)
    assert "Що це за одяг або річ?" in page and "Вкоротити або звузити" in page
    assert "Чи можете Ви привезти меблі до майстерні?" in page
    kind = _field(client, "tailoring", "alteration")
    submit(client, **{kind: "mend", _field(client, "tailoring", "garment"): "куртка"})
    request = only_request(client)
    assert request.language == "uk"
    assert [a["answer"] for a in request.answers] == ["куртка", "Naprawa: dziura, rozprucie"]

    client.set_cookie("jezyk", "pl")
    accounts.login_as("staff")
    office = client.get(f"/backoffice/zgloszenia/{request.id}").get_data(as_text=True)
    assert "Jakie to ubranie lub rzecz?" in office and "куртка" in office
    assert "Naprawa: dziura, rozprucie" in office


def test_the_tag_shows_the_answers(client, app, accounts):
    from tests import factories

    with app.app_context():
        job = factories.make_request(code="upholstery")
        job_id = job.id
    accounts.login_as("staff")
    tag = client.get(f"/backoffice/zgloszenia/{job_id}/metka").get_data(as_text=True)
    assert "Jaki to mebel?" in tag and "krzesło" in tag
    assert "Czy możesz przywieźć mebel do pracowni?" in tag and "tak" in tag


def test_at_intake_staff_ask_the_questions_and_may_leave_one_open(client, app, accounts):
    accounts.login_as("staff")
    page = client.get("/backoffice/zapisz-zgloszenie").get_data(as_text=True)
    renovation = category_id(client, "renovation")
    assert "Pytania do usługi: Drobne remonty w mieszkaniu" in page
    form = {
        "csrf_token": hidden_value(page, "csrf_token"),
        "submission_key": hidden_value(page, "submission_key"),
        "channel": "phone",
        "name": "Stefan Dzwoniący",
        "phone": "600 987 654",
        "category_id": str(renovation),
        "description": "Pomalować przedpokój.",
        "address": "ul. Kościuszki 3/4, Opole",
        "is_senior": "y",
        "oral_consent": "y",
        "language": "uk",
        f"q{renovation}_room": "",
        f"q{renovation}_size": "abc",
    }
    response = client.post("/backoffice/zapisz-zgloszenie", data=form)
    assert response.status_code == 200
    assert "Wpisz liczbę, np. 12 lub 12,5." in response.get_data(as_text=True)
    form[f"q{renovation}_size"] = "8"
    form["csrf_token"] = csrf_from(client, "/backoffice/zapisz-zgloszenie")
    response = client.post("/backoffice/zapisz-zgloszenie", data=form)
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    with app.app_context():
        request = db.session.scalars(select(ServiceRequest)).one()
        assert request.language == "uk"
        assert request.answers == [
            {
                "code": "size",
                "question": "Przybliżona powierzchnia pomieszczenia",
                "answer": "8 m²",
                "value": "8",
            }
        ]
