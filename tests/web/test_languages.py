"""The public pages in Polish, Ukrainian and English: chosen by the browser or the switcher,
remembered without an account, stored with the request; the back office stays Polish."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from portal.extensions import db
from portal.models import Institution, ServiceRequest
from tests import factories

from .helpers import only_request, submit

TRANSLATIONS = Path(__file__).resolve().parents[2] / "portal" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}|%s")


def _strings(language: str) -> dict[str, str]:
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalogue = read_po(handle, locale=language)
    return {
        message.id: message.string
        for message in catalogue
        if message.id and isinstance(message.id, str)
    }


def _fragments(text: str) -> list[str]:
    """The parts of a catalogue text between its placeholders and tags, long enough to be
    telling (three words or more)."""
    parts = re.split(r"<[^>]+>|" + PLACEHOLDER.pattern, text)
    return [part.strip(" .,:;()–-") for part in parts if len(part.split()) >= 3]


def _visible_text(page: str) -> str:
    """What a reader sees: no scripts, styles or tags; texts marked as Polish left out."""
    page = re.sub(r"(?s)<(script|style|title)\b.*?</\1>", " ", page)
    page = re.sub(r'(?s)<span lang="pl">.*?</span>', " ", page)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _foreign_fragments(page_language: str) -> set[str]:
    """Texts that would betray an untranslated string on a page in page_language: the
    English source texts (for pl and uk) and the Polish translations (for en and uk)."""
    own = _strings(page_language)
    found = set()
    for other in {"pl", "uk", "en"} - {page_language}:
        for msgid, string in _strings(other).items():
            source = msgid if other == "en" else string
            if source and source != own.get(msgid):
                found.update(_fragments(source))
    # Fragments that the page's own language says the same way are no betrayal.
    same = {part for text in own.values() for part in _fragments(text)}
    return found - same


def _public_pages(client, app) -> dict[str, str]:
    with app.app_context():
        request = factories.make_request(email="jan@example.pl")
        token, request_id = request.access_token, request.id
    return {
        "home": "/",
        "form": "/zglos",
        "form-renovation": "/zglos?rodzaj=renovation",
        "confirmation": f"/zgloszenie/{token}/potwierdzenie",
        "status": f"/zgloszenie/{token}",
        "cancel": f"/zgloszenie/{token}/anuluj",
        "printable": f"/zgloszenie/{token}/do-druku",
        "lost-link": "/nie-mam-linku",
        "privacy": "/ochrona-danych",
        "accessibility": "/deklaracja-dostepnosci",
    } | {"_id": request_id}


@pytest.mark.parametrize("language", ["uk", "en", "pl"])
def test_every_public_page_is_wholly_in_the_chosen_language(client, app, language):
    pages = _public_pages(client, app)
    pages.pop("_id")
    client.set_cookie("jezyk", language)
    foreign = _foreign_fragments(language)
    for name, path in pages.items():
        response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        page = response.get_data(as_text=True)
        assert f'<html lang="{language}">' in page, name
        text = _visible_text(page)
        leaked = sorted(fragment for fragment in foreign if fragment in text)
        assert not leaked, f"{name} in {language} shows: {leaked[:5]}"


def test_a_form_with_errors_is_in_the_chosen_language(client):
    client.set_cookie("jezyk", "uk")
    response = submit(client, name="", consent=None)
    page = response.get_data(as_text=True)
    assert "Будь ласка, виправте" in page or 'lang="uk"' in page
    text = _visible_text(page)
    leaked = sorted(fragment for fragment in _foreign_fragments("uk") if fragment in text)
    assert not leaked, leaked[:5]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("uk-UA,uk;q=0.9,en;q=0.5", "uk"),
        ("en-GB,en;q=0.8", "en"),
        ("pl-PL,pl;q=0.9,en;q=0.5", "pl"),
        ("de-DE,de;q=0.9", "pl"),
        ("ru-RU,ru;q=0.9,uk;q=0.8", "uk"),
        (None, "pl"),
    ],
)
def test_the_browsers_preference_chooses_the_language(client, header, expected):
    headers = {"Accept-Language": header} if header else {}
    page = client.get("/", headers=headers).get_data(as_text=True)
    assert f'<html lang="{expected}">' in page


def test_the_switcher_is_a_plain_link_on_every_public_page_and_is_remembered(client):
    home = client.get("/").get_data(as_text=True)
    switch = re.search(r'<a href="([^"]+)" lang="uk" hreflang="uk">Українська</a>', home)
    assert switch, "no link to Ukrainian"
    response = client.get(html.unescape(switch.group(1)))
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "jezyk=uk" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # Remembered without an account: every later page is Ukrainian, whatever the browser says.
    page = client.get("/zglos", headers={"Accept-Language": "pl"}).get_data(as_text=True)
    assert '<html lang="uk">' in page
    assert '<span aria-current="true" lang="uk">Українська</span>' in page
    assert 'lang="pl" hreflang="pl">Polski</a>' in page


def test_the_switcher_returns_to_the_same_page_and_only_to_this_site(client):
    response = client.get("/jezyk/en?next=/zglos%3Frodzaj%3Dtailoring")
    assert response.headers["Location"] == "/zglos?rodzaj=tailoring"
    for target in ("//evil.example/", "https://evil.example/", "\\\\evil", ""):
        response = client.get("/jezyk/en", query_string={"next": target})
        assert response.headers["Location"] == "/", target
    assert client.get("/jezyk/de").status_code == 404


def test_a_request_keeps_its_language_for_the_status_page_and_the_office_stays_polish(
    client, app, accounts
):
    client.set_cookie("jezyk", "uk")
    submit(client)
    request = only_request(client)
    assert request.language == "uk"

    # The private link opened elsewhere (a browser that prefers Polish, no choice made).
    other = app.test_client()
    page = other.get(
        f"/zgloszenie/{request.access_token}", headers={"Accept-Language": "pl"}
    ).get_data(as_text=True)
    assert '<html lang="uk">' in page
    # A choice made on the page wins over the request's language.
    other.set_cookie("jezyk", "en")
    page = other.get(f"/zgloszenie/{request.access_token}").get_data(as_text=True)
    assert '<html lang="en">' in page

    # The back office shows the request in Polish, saying which language the resident reads.
    accounts.login_as("staff")
    client.set_cookie("jezyk", "uk")
    office = client.get(
        f"/backoffice/zgloszenia/{request.id}", headers={"Accept-Language": "uk"}
    ).get_data(as_text=True)
    assert '<html lang="pl">' in office, office[:3000]
    assert 'id="resident-language"' in office, re.findall(r"<title>.*?</title>", office)
    assert 'id="resident-language"' in office and "ukraiński" in office.lower()
    assert "Українська" in office


def test_a_text_not_translated_in_the_settings_is_shown_in_polish_marked_as_polish(client, app):
    with app.app_context():
        institution = db.session.scalars(select(Institution)).one()
        texts = dict(institution.texts or {})
        texts["uk"] = {k: v for k, v in texts.get("uk", {}).items() if k != "eligibility"}
        institution.texts = texts
        polish = institution.eligibility.split("\n")[0]
        db.session.commit()
    client.set_cookie("jezyk", "uk")
    page = client.get("/").get_data(as_text=True)
    marked = re.search(r'<span lang="pl">([^<]*)</span>', page)
    assert marked and polish in html.unescape(marked.group(1))
    # Translated texts are not marked.
    assert '<span lang="pl">Клуб' not in page
    client.set_cookie("jezyk", "pl")
    assert '<span lang="pl">' not in client.get("/").get_data(as_text=True)


def test_the_services_names_and_guidance_come_in_the_chosen_language(client):
    client.set_cookie("jezyk", "uk")
    page = client.get("/zglos").get_data(as_text=True)
    assert "Кравецькі послуги" in page and "Krawiectwo – przeróbki" not in page
    client.set_cookie("jezyk", "en")
    page = client.get("/zglos").get_data(as_text=True)
    assert "Tailoring – clothes altered and mended" in page


def test_the_stored_language_is_one_the_portal_speaks(client, app):
    client.set_cookie("jezyk", "xx")
    submit(client)
    with app.app_context():
        assert db.session.scalars(select(ServiceRequest.language)).one() == "pl"
