"""Every validation rule of the form: a message at the field, everything typed kept, no request."""

import re

import pytest

from .helpers import category_id, request_count, submit


def _renovation(client):
    return str(category_id(client, "renovation"))


CASES = [
    ("category_id", {"category_id": None}),
    ("category_id", {"category_id": "abc"}),
    ("category_id", {"category_id": "999999"}),
    ("description", {"description": ""}),
    ("description", {"description": "za krótko"}),
    ("description", {"description": "x" * 2001}),
    ("name", {"name": ""}),
    ("name", {"name": "J"}),
    ("name", {"name": "J" * 121}),
    ("phone", {"phone": ""}),
    ("phone", {"phone": "12345"}),
    ("phone", {"phone": "zadzwoń do mnie"}),
    ("email", {"email": "janina@"}),
    ("email", {"email": "janina.example.pl"}),
    ("contact_time", {"contact_time": "r" * 201}),
    ("receives_assistance", {"is_senior": None, "receives_assistance": None}),
    ("consent", {"consent": None}),
]


@pytest.mark.parametrize(
    ("field", "changes"), CASES, ids=[f"{f}-{i}" for i, (f, _) in enumerate(CASES)]
)
def test_v2_2_1_bad_answer_gets_a_message_at_its_field_and_keeps_the_rest(client, field, changes):
    response = submit(client, **changes)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert request_count(client) == 0
    assert f'id="{field}-error"' in page
    assert 'id="error-summary"' in page
    assert page.count('class="field-error"') == 1
    if field != "name":
        assert 'value="Janina Nowak"' in page
    if field != "description":
        assert "Proszę skrócić spodnie o 5 cm i wymienić zamek." in page
    if field != "phone":
        assert 'value="600 123 456"' in page


def test_v2_2_3_renovation_needs_the_home_address(client):
    response = submit(client, category_id=_renovation(client), address="   ")

    page = response.get_data(as_text=True)
    assert 'id="address-error"' in page
    assert 'aria-invalid="true"' in page
    assert request_count(client) == 0


def test_renovation_with_an_address_is_accepted(client):
    response = submit(client, category_id=_renovation(client), address="ul. Ozimska 10/2, Opole")

    assert response.status_code == 303
    assert request_count(client) == 1


def test_the_field_in_error_points_at_its_message(client):
    page = submit(client, phone="12").get_data(as_text=True)

    assert 'aria-describedby="phone-hint phone-error"' in page
    assert 'href="#phone"' in page


def test_the_page_title_says_there_is_an_error(client):
    page = submit(client, phone="12").get_data(as_text=True)

    title = page.split("<title>")[1].split("</title>")[0]
    assert title.startswith(("Błąd", "Error"))


def test_receiving_assistance_alone_is_enough(client):
    response = submit(client, is_senior=None, receives_assistance="y")

    assert response.status_code == 303


def test_email_updates_with_an_email_are_recorded(client):
    from .helpers import only_request

    submit(client, email="janina@example.pl", email_updates="y")

    request = only_request(client)
    assert request.email == "janina@example.pl" and request.email_updates is True


def test_the_blank_form_has_the_email_box_ticked_and_an_address_alone_means_updates(client):
    from .helpers import only_request

    page = client.get("/zglos").get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*name="email_updates"', page) or re.search(
        r'<input[^>]*name="email_updates"[^>]*checked', page
    )

    # The box as the blank form sends it: ticked, with no address. Nothing to write to.
    response = submit(client, email="", email_updates="y")
    assert response.status_code == 303
    assert only_request(client).email_updates is False


def test_unticking_the_email_box_means_no_emails(client):
    from .helpers import only_request

    submit(client, email="janina@example.pl", email_updates=None)

    request = only_request(client)
    assert request.email == "janina@example.pl" and request.email_updates is False


@pytest.mark.parametrize(
    "garbage",
    [
        {"category_id": "1' OR '1'='1"},
        {"description": "<script>alert(1)</script>" * 3},
        {"name": "\x00\x01\x02"},
        {"phone": "+" + "9" * 500},
        {"email": "a@" + "b" * 300 + ".pl"},
        {"submission_key": "../../etc/passwd"},
        {"submission_key": "x" * 5000},
        {"is_senior": "maybe", "consent": "sure"},
        {"category_id": "-1"},
        {"description": "ąęćłńóśźż " * 50},
    ],
)
def test_no_input_gives_a_server_error(client, garbage):
    response = submit(client, **garbage)

    assert response.status_code in (200, 303)
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
