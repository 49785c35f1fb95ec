"""Headers on every response, and error pages that reveal nothing about the server."""

import pytest

from portal import create_app
from portal.config import ProductionConfig

from .helpers import only_request, submit

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def _urls(client):
    submit(client)
    token = only_request(client).access_token
    return [
        "/",
        "/zglos",
        f"/zgloszenie/{token}",
        "/nie-mam-linku",
        "/ochrona-danych",
        "/nie-ma-takiej-strony",
        "/backoffice/logowanie",
        "/backoffice/zgloszenia",
        "/static/css/portal.css",
    ]


def test_v3_4_3_every_response_carries_the_security_headers(client):
    for url in _urls(client):
        response = client.get(url)
        for name, value in EXPECTED.items():
            assert response.headers.get(name) == value, (url, name)
        policy = response.headers["Content-Security-Policy"]
        assert (
            "script-src 'self'" in policy
            and "object-src 'none'" in policy
            and "frame-ancestors 'none'" in policy
        )
        assert "base-uri 'none'" in policy and "'unsafe-inline'" not in policy
        assert "Access-Control-Allow-Origin" not in response.headers


def test_v14_3_2_pages_are_not_cached(client):
    for url in _urls(client):
        if url.startswith("/static"):
            continue
        assert client.get(url).headers["Cache-Control"] == "no-store", url


def test_a_refused_form_still_carries_the_headers(client):
    response = client.post("/zglos", data={})

    assert response.status_code == 400
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def production(app, database_url, tmp_path):
    app = create_app(
        ProductionConfig,
        {
            "SECRET_KEY": "p" * 48,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "UPLOAD_FOLDER": str(tmp_path),
        },
    )

    def explode():
        raise RuntimeError("boom at /srv/portal/secret.py with sqlalchemy SECRET_KEY")

    app.add_url_rule("/explode", "explode", explode)
    return app


def test_v3_4_1_production_sends_hsts(production):
    response = production.test_client().get("/nie-ma-takiej-strony")

    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_v16_5_1_a_server_error_in_production_reveals_nothing(production):
    response = production.test_client().get("/explode")

    page = response.get_data(as_text=True)
    assert response.status_code == 500
    for leak in (
        "Traceback",
        "boom",
        "/srv/",
        "sqlalchemy",
        "SECRET_KEY",
        "RuntimeError",
        "Werkzeug",
    ):
        assert leak not in page
    assert 'lang="pl"' in page


def test_v13_4_1_trace_is_refused_and_the_repository_is_not_served(client):
    assert client.open("/", method="TRACE").status_code == 405
    assert client.get("/.git/HEAD").status_code == 404
    assert client.get("/static/../wsgi.py").status_code == 404


def test_v3_3_1_production_session_cookie_flags(production):
    client = production.test_client()

    response = client.get("/zglos")

    cookie = response.headers.get("Set-Cookie", "")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
