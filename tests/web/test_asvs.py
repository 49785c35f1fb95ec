"""Small, direct checks of ASVS 5.0 Level 2 requirements not covered by a test elsewhere.

docs/security/asvs.md lists every requirement that applies with the test that shows it,
and those that do not apply with the reason; tests/unit/test_asvs_register.py keeps the
two in step.
"""

import re
from pathlib import Path

from portal.domain.lifecycle import Status
from portal.extensions import db
from portal.models import ServiceRequest
from tests import factories

from .helpers import request_count, submit

ROOT = Path(__file__).resolve().parents[2]
SOURCE = [path for path in (ROOT / "portal").rglob("*.py")]
TEMPLATES = [path for path in (ROOT / "portal" / "templates").rglob("*.html")]
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_v1_2_1_user_text_is_escaped_wherever_it_is_shown(app, client, accounts):
    submit(client, name="Ala " + XSS, description="Opis " + XSS, contact_time=XSS)
    with app.app_context():
        request = db.session.query(ServiceRequest).one()
        token, request_id = request.access_token, request.id
    pages = [client.get(f"/zgloszenie/{token}").get_data(as_text=True)]
    accounts.login_as("staff")
    pages += [
        client.get("/backoffice/zgloszenia").get_data(as_text=True),
        client.get(f"/backoffice/zgloszenia/{request_id}").get_data(as_text=True),
    ]

    for page in pages:
        assert "<script>alert" not in page and "onerror=alert(1)>" not in page
    assert "&lt;script&gt;" in pages[2]


def test_v1_2_4_search_and_filters_treat_sql_as_text(app, client, accounts):
    with app.app_context():
        factories.make_request(name="Jan Kowalski")
    accounts.login_as("staff")

    for attack in ("' OR '1'='1", "1; DROP TABLE service_request; --", '" OR ""="'):
        response = client.get(
            "/backoffice/zgloszenia",
            query_string={"status": "all", "q": attack, "category": attack},
        )
        assert response.status_code == 200
        assert "Jan Kowalski" not in response.get_data(as_text=True)
    assert request_count(client) == 1


def test_v1_2_9_search_wildcards_are_matched_literally(app, client, accounts):
    with app.app_context():
        factories.make_request(name="Jan Kowalski")
        factories.make_request(name="Anna 100% Nowak")
    accounts.login_as("staff")

    everything = client.get(
        "/backoffice/zgloszenia", query_string={"status": "all", "q": "%"}
    ).get_data(as_text=True)
    underscore = client.get(
        "/backoffice/zgloszenia", query_string={"status": "all", "q": "_"}
    ).get_data(as_text=True)

    assert "Anna 100% Nowak" in everything and "Jan Kowalski" not in everything
    assert "Jan Kowalski" not in underscore


def test_v1_3_3_every_text_field_has_a_length_limit(client):
    response = submit(client, name="N" * 121, contact_time="c" * 201, address="a" * 301)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert all(f'id="{field}-error"' in page for field in ("name", "contact_time", "address"))


def test_v1_3_4_svg_is_refused(client, upload_folder):
    import io

    from .helpers import valid_answers

    answers = valid_answers(client)
    answers["photos"] = [
        (io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>'), "a.svg")
    ]

    response = client.post("/zglos", data=answers, content_type="multipart/form-data")

    assert 'id="photos-error"' in response.get_data(as_text=True)
    assert list(upload_folder.iterdir()) == []


def test_v1_3_7_no_template_is_built_from_input():
    for path in SOURCE:
        assert "render_template_string" not in path.read_text(), path


def test_v1_3_11_an_e_mail_address_cannot_smuggle_mail_headers(client):
    response = submit(client, email="ala@example.pl\r\nBcc: spam@example.org", email_updates="y")

    assert 'id="email-error"' in response.get_data(as_text=True)
    assert request_count(client) == 0


def test_v1_5_2_nothing_is_unpickled_or_loaded_unsafely():
    for path in SOURCE:
        text = path.read_text()
        assert "import pickle" not in text and "yaml.load(" not in text and "eval(" not in text, (
            path
        )


def test_v3_4_2_no_cross_origin_access_is_granted(client):
    response = client.options("/zglos", headers={"Origin": "https://evil.example"})

    assert "Access-Control-Allow-Origin" not in response.headers


def test_v3_4_6_pages_cannot_be_framed(client):
    response = client.get("/")

    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_v6_3_2_a_fresh_installation_has_no_accounts(app):
    from portal.models import User

    with app.app_context():
        assert db.session.query(User).count() == 0


def test_v11_4_1_no_md5_or_sha1_is_used_for_security():
    for path in SOURCE:
        text = path.read_text().lower()
        assert "md5" not in text and "hashlib.sha1" not in text, path


def test_v11_5_1_private_links_are_unguessable_and_the_reference_alone_opens_nothing(app, client):
    submit(client)
    with app.app_context():
        request = db.session.query(ServiceRequest).one()

    assert len(request.access_token) >= 32
    assert client.get(f"/zgloszenie/{request.reference}").status_code == 404
    assert client.get(f"/zgloszenie/{request.reference.replace('/', '%2F')}").status_code == 404


def test_v14_2_3_no_third_party_resources_are_loaded():
    # Links to other sites are fine; loading anything from them (scripts, styles, images, fonts) is not.
    external = re.compile(
        r'(\bsrc="(https?:)?//|<link[^>]+href="(https?:)?//|url\((https?:)?//)', re.I
    )
    for path in TEMPLATES:
        text = path.read_text()
        if "emails" in path.parts:
            continue
        assert not external.search(text), path


def test_v14_3_3_htmx_keeps_no_page_history_in_browser_storage(client):
    page = client.get("/").get_data(as_text=True)

    assert '"historyCacheSize": 0' in page


def test_v15_3_3_forms_never_assign_all_fields_to_a_model():
    for path in SOURCE:
        assert "populate_obj" not in path.read_text(), path


def test_v8_3_1_a_closed_request_cannot_be_moved_by_posting_directly(app, client, accounts):
    with app.app_context():
        request_id = factories.make_request(status=Status.COMPLETED).id
    accounts.login_as("admin")
    from .helpers import csrf_from

    token = csrf_from(client, "/backoffice/konto")
    response = client.post(
        f"/backoffice/zgloszenia/{request_id}/status/cancelled", data={"csrf_token": token}
    )

    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(ServiceRequest, request_id).status == Status.COMPLETED
