"""In production the portal is reached over HTTPS only; plain HTTP is redirected or explained."""

import json
import logging

import pytest

from .helpers import valid_answers

PROXY = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-For": "203.0.113.7",
    "Referer": "https://localhost/zglos",
}


@pytest.fixture
def app_overrides():
    return {
        "REQUIRE_HTTPS": True,
        "TRUSTED_PROXIES": 1,
        "PUBLIC_BASE_URL": "https://portal.example.pl",
        "SESSION_COOKIE_NAME": "__Host-session",
        "SESSION_COOKIE_SECURE": True,
    }


@pytest.fixture
def security_log(caplog, monkeypatch):
    monkeypatch.setattr(logging.getLogger("portal.security"), "disabled", False)
    caplog.set_level(logging.INFO)
    return caplog


def _events(caplog, name):
    return [
        json.loads(r.getMessage())
        for r in caplog.records
        if r.name == "portal.security" and json.loads(r.getMessage())["event"] == name
    ]


def test_a_page_over_plain_http_is_redirected_to_the_public_https_address(client):
    response = client.get("/zglos?kategoria=1", base_url="http://portal.example.pl")

    assert response.status_code == 308
    assert response.headers["Location"] == "https://portal.example.pl/zglos?kategoria=1"


def test_a_form_posted_over_plain_http_is_explained_in_polish_and_not_saved(client):
    response = client.post("/zglos", data={"name": "Jan"}, base_url="http://portal.example.pl")

    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "https://" in page and "Nic nie zostało wysłane ani zapisane" in page
    assert 'href="https://portal.example.pl/zglos"' in page


def test_through_a_trusted_proxy_that_says_https_the_form_works(client):
    answers = valid_answers(_Via(client, PROXY))

    response = client.post(
        "/zglos", data=answers, headers=PROXY, content_type="multipart/form-data"
    )

    assert response.status_code == 303, response.get_data(as_text=True)[:300]


@pytest.mark.parametrize("app_overrides", [{"REQUIRE_HTTPS": True, "TRUSTED_PROXIES": 0}])
def test_proxy_headers_that_are_not_trusted_give_a_503_and_an_operator_log_line(client, caplog):
    caplog.set_level(logging.ERROR, logger="portal.deploy")

    response = client.get("/", headers=PROXY)

    assert response.status_code == 503
    assert "TRUSTED_PROXIES=1" in caplog.text


def test_a_form_whose_cookie_never_came_back_is_told_apart_from_an_expired_one(
    client, security_log
):
    answers = valid_answers(_Via(client, PROXY))
    client.delete_cookie("__Host-session")

    response = client.post(
        "/zglos", data=answers, headers=PROXY, content_type="multipart/form-data"
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "nie odesłała" in page and "Formularz wygasł" not in page
    assert [e["reason"] for e in _events(security_log, "csrf_fail")] == ["session_cookie_missing"]
    assert "Janina" not in security_log.text


def test_a_stale_token_still_reads_as_an_expired_form_and_is_logged(client, security_log):
    answers = valid_answers(_Via(client, PROXY), csrf_token="stale")

    response = client.post(
        "/zglos", data=answers, headers=PROXY, content_type="multipart/form-data"
    )

    assert response.status_code == 400
    assert "Formularz wygasł" in response.get_data(as_text=True)
    assert [e["reason"] for e in _events(security_log, "csrf_fail")] == ["token_invalid"]


class _Via:
    """A test client whose GETs arrive through the proxy, for the form helpers."""

    def __init__(self, client, headers):
        self.client, self.headers = client, headers
        self.application = client.application

    def get(self, url, **kwargs):
        return self.client.get(url, headers=self.headers, **kwargs)
