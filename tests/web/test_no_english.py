"""No English reaches a Polish page: every GET page, public and back office, as each role.

The English source texts are the msgids of the catalogue whose Polish msgstr differs; none of
them may appear in the text a person reads (the page text and the attributes read aloud or
shown). A msgid found verbatim means something was shown without going through gettext, or
its translation is missing. WTForms' "None" for an empty choice and names straight from the
code (completed_on, not_done) are looked for too.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import url_for
from sqlalchemy import select

from portal import services
from portal.domain.actor import Actor
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import (
    BaselineTotal,
    IndicatorValue,
    MessageKind,
    NotDoneReason,
    OutboxMessage,
    OutboxStatus,
    Outcome,
    Project,
    ReplyTemplate,
)
from portal.services import apikeys, worklog
from tests import factories

CATALOGUE = Path(__file__).resolve().parents[2] / "portal/translations/pl/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
# English words that are also Polish, or names: they may stand on a Polish page.
SAME_IN_POLISH = {"Status", "Start", "Menu", "Admin", "OK", "E-mail", "PDF", "CSV", "Excel"}
READ_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "label", "content"}


def _english_fragments() -> tuple[set[str], set[str]]:
    """Return (phrases, single words) of the msgids whose Polish differs from them."""
    with open(CATALOGUE, "rb") as handle:
        catalogue = read_po(handle, locale="pl")
    phrases, words = set(), set()
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            if msgid in strings:
                continue
            for fragment in PLACEHOLDER.split(msgid):
                for line in fragment.splitlines():
                    line = line.strip(" .,:;–-()“”\"'")
                    if " " in line and len(line) >= 12:
                        phrases.add(line)
                    elif (
                        " " not in line
                        and len(line) >= 4
                        and line == msgid.strip(" .:")
                        and line not in SAME_IN_POLISH
                    ):
                        words.add(line)
    return phrases, words


class _ReadText(HTMLParser):
    """Collect what a person reads: text outside scripts and styles, and read attributes.

    Text marked as another language (the language switcher's "English", lang="en") is
    no English word reaching a Polish page: a reader and a screen reader know it as such.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skip = 0
        self._foreign: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        language = dict(attrs).get("lang")
        if self._foreign and tag == self._foreign[-1]:
            self._foreign.append(tag)
        elif language and not language.startswith("pl") and tag != "html":
            self._foreign.append(tag)
        if self._foreign:
            return
        for name, value in attrs:
            if value and (name in READ_ATTRIBUTES or name.startswith("data-session-text")):
                self.chunks.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        if self._foreign and tag == self._foreign[-1]:
            self._foreign.pop()

    def handle_data(self, data):
        if not self._skip and not self._foreign and data.strip():
            self.chunks.append(" ".join(data.split()))


def english_on(html: str, phrases: set[str], words: set[str]) -> set[str]:
    reader = _ReadText()
    reader.feed(html)
    found = set()
    for chunk in reader.chunks:
        found.update(phrase for phrase in phrases if phrase in chunk)
        tokens = set(re.findall(r"[\w’'-]+", chunk))
        found.update(words & tokens)
        # A field or status name straight from the code (completed_on, not_done), standing
        # alone: not a piece of a link, a random token shown on the page (…-r_r-…) or a
        # ready text's placeholder in braces ({adres_pracowni}, Polish on purpose).
        found.update(re.findall(r"(?<![\w/.{-])[a-z]+(?:_[a-z]+)+(?![\w/}-])(?!\.\w)", chunk))
        found.update(re.findall(r"\b(?:True|False)\b", chunk))
    if re.search(r"<option[^>]*>\s*None\s*</option>", html):
        found.add("None (an empty choice)")
    return found


@pytest.fixture(scope="module")
def english():
    return _english_fragments()


def test_the_check_finds_english_and_leaves_polish_alone(english):
    phrases, words = english
    polish = (
        "<p>Zakończone – nie udało się wykonać usługi. Status: przyjęte. "
        "Centrum RE-Start</p><p title='Zgłoszenie'>Anna</p><script>var a = 'Completed';</script>"
    )

    assert english_on(polish, phrases, words) == set()
    assert "Request sent" in english_on("<p>Request sent</p>", phrases, words)
    assert english_on("<p>Status: Completed</p>", phrases, words) == {"Completed"}
    assert "Print this page" in english_on('<a title="Print this page">x</a>', phrases, words)
    assert english_on("<td>work_done</td>", phrases, words) == {"work_done"}
    assert english_on('<a lang="en" hreflang="en">English</a>', phrases, words) == set()
    assert english_on("<a>English</a>", phrases, words) == {"English"}
    assert english_on('<option value="None">None</option>', phrases, words) == {
        "None (an empty choice)"
    }


@pytest.fixture
def world(app, upload_folder):
    """Requests in the states the pages show differently, with work logged, a photo, a message."""
    from portal.photos import clean_photo

    with app.app_context():
        today = services.local_today("Europe/Warsaw")
        admin = Actor.of(factories.user(Role.ADMIN))
        instructor = factories.user(Role.INSTRUCTOR)
        instructor.groups = [factories.group_for("tailoring")]
        db.session.commit()
        trainee = factories.trainee("Ala Igłowa", group_code="tailoring")
        photo = clean_photo(
            factories.image_bytes(), max_bytes=10**7, max_pixels=10**8, max_side=400
        )
        job = factories.make_request(
            status=Status.IN_PROGRESS,
            upload_folder=str(upload_folder),
            photos=[photo],
            email="janina@example.org",
            email_updates=True,
        )
        session = factories.work_session(job, trainee, supervisor=instructor, hours="1.5")
        done = factories.make_request(name="Zofia Zrobiona", status=Status.COMPLETED)
        not_done = factories.make_request(name="Nina Niewykonana", status=Status.IN_PROGRESS)
        services.complete_job(
            not_done,
            admin,
            completed_on=today,
            outcome=Outcome.NOT_DONE,
            not_done_reason="Brak części zamiennych",
        )
        services.correct_completion(
            done, admin, completed_on=today, outcome=Outcome.NOT_DONE, not_done_reason="Pomyłka"
        )
        worklog.correct_work(
            session,
            admin,
            worklog.WorkData(today, "Skrócono rękawy", {trainee.id: "2,5"}),
            today=today,
            expected_version=None,
        )
        services.correct_request(
            job, {"is_senior": False, "email_updates": False}, admin, expected_version=None
        )
        scheduled = factories.make_request(name="Sabina Umówiona", status=Status.SCHEDULED)
        declined = factories.make_request(name="Dorota Odrzucona", status=Status.DECLINED)
        submitted = factories.make_request(name="Stefan Nowy", code="renovation")
        message = OutboxMessage(
            kind=MessageKind.SUBMITTED,
            to_addr="janina@example.org",
            payload={"reference": job.reference, "token": job.access_token},
            status=OutboxStatus.PARKED,
            last_error="550 No such mailbox",
            message_id_header="<world@example.org>",
            request=job,
        )
        db.session.add(message)
        db.session.commit()
        return {
            "requests": [job.id, done.id, not_done.id, scheduled.id, declined.id, submitted.id],
            "tokens": [
                r.access_token for r in (job, done, not_done, scheduled, declined, submitted)
            ],
            "request_id": job.id,
            "completed_id": done.id,
            "photo_id": job.photos[0].id,
            "session_id": session.id,
            "edition_id": trainee.edition_id,
            "trainee_id": trainee.id,
            "user_id": instructor.id,
            "group_id": factories.group_for("tailoring").id,
            "baseline_id": db.session.scalars(select(BaselineTotal.id)).first(),
            "template_id": db.session.scalars(select(ReplyTemplate.id)).first(),
            "reason_id": db.session.scalars(select(NotDoneReason.id)).first(),
            "project_id": db.session.scalars(select(Project.id)).first(),
            "indicator_id": db.session.scalars(select(IndicatorValue.indicator_id)).first(),
            "value_id": db.session.scalars(select(IndicatorValue.id)).first(),
            # The language switch (/jezyk/<code>): Polish, so the pages after it stay Polish.
            "code": "pl",
            # The Open311 API answers in JSON and XML, not pages: its routes are walked for
            # completeness; the administrator's pages of partners' keys are pages.
            "fmt": "json",
            "service_code": "tailoring",
            "service_request_id": job.reference.replace("/", "-"),
            "key_id": apikeys.issue_key("Dzienny Dom Pomocy", "", admin).key.id,
        }


# Pages that are files, images or a step of a login that needs a password first.
NOT_HTML = {
    "static",
    "backoffice.photo",
    "backoffice.export_report_csv",
    "backoffice.export_report_xlsx",
    "backoffice.export_indicators_xlsx",
    "backoffice.export_job_list_csv",
    "backoffice.export_job_list_xlsx",
}


def _get_urls(app, world) -> list[str]:
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint in NOT_HTML:
                continue
            if "request_id" in rule.arguments:
                ids = world["requests"]
                if rule.endpoint == "backoffice.correct_completion":
                    ids = [world["completed_id"]]
                for request_id in ids:
                    urls.append(url_for(rule.endpoint, request_id=request_id))
            elif "token" in rule.arguments:
                urls.extend(url_for(rule.endpoint, token=token) for token in world["tokens"])
            else:
                urls.append(
                    url_for(rule.endpoint, **{name: world[name] for name in rule.arguments})
                )
    urls.append("/nie-ma-takiej-strony")  # the 404 page
    return sorted(set(urls))


def _english_pages(client, urls, english) -> dict[str, set[str]]:
    from portal.models import User

    phrases, words = english
    with client.application.app_context():
        # The factories name accounts after their role, in English ("Staff 3").
        for user in db.session.scalars(select(User)):
            user.name = f"Osoba {user.id}"
        db.session.commit()
    problems = {}
    for url in urls:
        response = client.get(url, follow_redirects=True)
        if not response.mimetype == "text/html":
            continue
        found = english_on(response.get_data(as_text=True), phrases, words)
        if found:
            problems[url] = found
    return problems


def test_no_public_page_shows_english(app, client, world, english):
    urls = [url for url in _get_urls(app, world) if not url.startswith("/backoffice")]

    assert _english_pages(client, urls, english) == {}


@pytest.mark.parametrize("role", ["anonymous", "instructor", "staff", "admin"])
def test_no_back_office_page_shows_english(app, client, accounts, world, english, role):
    if role != "anonymous":
        accounts.login_as(role, groups=["tailoring"] if role == "instructor" else ())
    urls = [url for url in _get_urls(app, world) if url.startswith("/backoffice")]
    urls += ["/backoffice/raporty?period=year&year=2026", "/backoffice/zgloszenia?status=all"]

    assert _english_pages(client, urls, english) == {}
