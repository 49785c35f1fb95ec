"""Finding a request again by its number and the phone number given."""

import pytest

from .helpers import hidden_value, only_request, submit

MESSAGE_ID = 'class="notice notice--error"'


def _look_up(client, reference, phone):
    page = client.get("/nie-mam-linku").data
    return client.post(
        "/nie-mam-linku",
        data={
            "csrf_token": hidden_value(page, "csrf_token"),
            "reference": reference,
            "phone": phone,
        },
    )


@pytest.mark.parametrize(
    ("typed_reference", "typed_phone"),
    [
        ("{ref}", "600 123 456"),
        ("{ref_lower}", "+48 600-123-456"),
        ("{year}/1", "600123456"),
    ],
)
def test_right_number_and_phone_lead_to_the_status_page(client, typed_reference, typed_phone):
    submit(client)
    request = only_request(client)
    year = request.reference.split("/")[1]
    reference = typed_reference.format(
        ref=request.reference, ref_lower=request.reference.lower(), year=year
    )

    response = _look_up(client, reference, typed_phone)

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/zgloszenie/{request.access_token}")


@pytest.mark.parametrize(
    ("reference", "phone"),
    [
        ("{ref}", "600 123 457"),
        ("KR/1999/0001", "600 123 456"),
        ("XX/2026/0001", "600 123 456"),
    ],
)
def test_v11_5_1_wrong_data_reveals_nothing(client, reference, phone):
    submit(client)
    request = only_request(client)

    response = _look_up(client, reference.format(ref=request.reference), phone)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert MESSAGE_ID in page
    assert request.access_token not in page
    assert "Janina" not in page


def test_missing_answers_get_messages_at_their_fields(client):
    response = _look_up(client, "", "12")

    page = response.get_data(as_text=True)
    assert 'id="reference-error"' in page and 'id="phone-error"' in page


@pytest.fixture
def app_overrides():
    return {"LOOKUP_RATE_LIMIT": "1000 per minute"}


class TestRateLimit:
    @pytest.fixture
    def app_overrides(self):
        return {"LOOKUP_RATE_LIMIT": "3 per minute"}

    def test_lookups_are_rate_limited_and_the_right_answer_is_then_refused_too(self, client):
        submit(client)
        request = only_request(client)

        answers = [
            _look_up(client, request.reference, f"600 000 00{i}").status_code for i in range(3)
        ]
        blocked = _look_up(client, request.reference, "600 123 456")

        assert answers == [200, 200, 200]
        assert blocked.status_code == 429
        assert request.access_token not in blocked.get_data(as_text=True)


class TestSubmissionRateLimit:
    @pytest.fixture
    def app_overrides(self):
        return {"SUBMIT_RATE_LIMIT": "2 per minute"}

    def test_v2_4_1_too_many_submissions_are_refused_but_the_form_keeps_what_was_typed(
        self, client
    ):
        from .helpers import request_count

        codes = [submit(client).status_code for _ in range(2)]
        blocked = submit(client, name="Zofia Wiśniewska")

        assert codes == [303, 303]
        assert blocked.status_code == 429
        assert 'value="Zofia Wiśniewska"' in blocked.get_data(as_text=True)
        assert request_count(client) == 2
