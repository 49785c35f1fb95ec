"""While the database is away: a Polish 503 with the club's phone, and no acknowledged loss.

PostgreSQL is stopped without stopping the shared server: the app talks to it through a
small TCP proxy, and stopping the proxy closes every connection and refuses new ones.
SQLite is stopped by moving its directory away and dropping the pooled connections, so
opening the file fails as it does on a missing or unmounted disk.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from portal.extensions import db
from portal.models import ServiceRequest
from tests import factories
from tests.conftest import free_port, make_app

from .helpers import log_in, valid_answers

DEMO_PHONE = "77 400 00 00"
UNAVAILABLE = "Portal chwilowo nie działa"
CONFIRMATION = re.compile(r"/zgloszenie/([A-Za-z0-9_-]+)/potwierdzenie$")


class TcpProxy:
    """Forwards a local port to the database; stop() cuts every connection and refuses more."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.05)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            _close(listener)  # shutdown first: a thread waiting in accept() holds the port
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            _close(sock)

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _address = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                _close(client)
                continue
            client.settimeout(None)
            with self._lock:
                self._sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            _close(source)
            _close(sink)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


class Outage:
    """The portal's database, and a way to take it away and bring it back."""

    def __init__(self, database_url: str, tmp_path: Path):
        url = make_url(database_url)
        self.proxy = None
        if url.get_backend_name() == "postgresql":
            self.proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
            self.proxy.start()
            self.url = url.set(host="127.0.0.1", port=self.proxy.port).render_as_string(
                hide_password=False
            )
        else:
            # A copy of the suite's database, in a directory of this test's own.
            self.directory = tmp_path / "database"
            self.directory.mkdir()
            target = sqlite3.connect(self.directory / "portal.sqlite3")
            with sqlite3.connect(url.database) as source:
                source.backup(target)
            target.close()
            self.url = f"sqlite:///{self.directory / 'portal.sqlite3'}"
        self.app = None

    def stop(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()
            return
        os.rename(self.directory, f"{self.directory}-away")
        with self.app.app_context():
            db.engine.dispose()  # open files would keep working; a new open must fail

    def start(self) -> None:
        if self.proxy is not None:
            self.proxy.start()
            return
        os.rename(f"{self.directory}-away", self.directory)

    def close(self) -> None:
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()
        if self.proxy is not None:
            self.proxy.stop()


@pytest.fixture
def outage(app, database_url, tmp_path):
    """The portal of `app`'s database, reached through something the test can stop."""
    found = Outage(database_url, tmp_path)
    (tmp_path / "outage-uploads").mkdir()
    found.app = make_app(found.url, str(tmp_path / "outage-uploads"))
    yield found
    found.close()


def _is_polish_503(response) -> bool:
    return (
        response.status_code == 503
        and response.headers.get("Retry-After", "").isdigit()
        and UNAVAILABLE in response.get_data(as_text=True)
        and "Nic nie zostało zapisane" in response.get_data(as_text=True)
    )


def test_the_request_form_during_an_outage_is_a_polish_503_with_the_clubs_phone(outage):
    client = outage.app.test_client()
    assert client.get("/zglos").status_code == 200

    outage.stop()
    try:
        response = client.get("/zglos")
    finally:
        outage.start()

    assert _is_polish_503(response)
    assert DEMO_PHONE in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_before_any_page_loaded_the_phone_comes_from_the_configuration(outage):
    outage.app.config["CONTACT_PHONE"] = "600 000 000"
    client = outage.app.test_client()

    outage.stop()
    try:
        response = client.get("/")
    finally:
        outage.start()

    assert _is_polish_503(response)
    assert "600 000 000" in response.get_data(as_text=True)


def test_a_logged_in_back_office_page_during_an_outage_is_a_polish_503(outage):
    with outage.app.app_context():
        email = factories.user().email
    client = outage.app.test_client()
    assert log_in(client, email).status_code == 303

    outage.stop()
    try:
        response = client.get("/backoffice/zgloszenia")
    finally:
        outage.start()

    assert _is_polish_503(response)


def _resident(portal, stop: threading.Event, answers: list) -> None:
    """Send the form again and again, each time as a new request, noting every answer."""
    client = portal.test_client()
    form = None
    while form is None and not stop.is_set():
        try:
            form = valid_answers(client)
        except AssertionError:  # the form came back as the outage page: open it again
            time.sleep(0.05)
    try:
        while not stop.is_set():
            response = client.post(
                "/zglos",
                data={**form, "submission_key": secrets.token_urlsafe(24)},
                content_type="multipart/form-data",
            )
            answers.append(("POST", response))
            answers.append(("GET", client.get("/")))
    except Exception as error:  # what the app let through; a server would answer a bare 500
        answers.append(("crash", error))


def _count(answers: list, status: int) -> int:
    return sum(1 for method, r in list(answers) if method == "POST" and r.status_code == status)


def _wait_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the residents' requests stopped coming"
        time.sleep(0.01)


def test_a_burst_of_requests_across_an_outage_loses_no_acknowledged_request(outage):
    answers: list = []
    stop = threading.Event()
    residents = [
        threading.Thread(target=_resident, args=(outage.app, stop, answers)) for _ in range(3)
    ]
    for resident in residents:
        resident.start()

    # Each step waits for the residents to be seen on the other side of it, however slow
    # the machine: answers before the outage, a refusal during it, a success after it.
    for _ in range(2):
        _wait_until(lambda: _count(answers, 303) > 0)
        outage.stop()
        refused = _count(answers, 503)
        _wait_until(lambda refused=refused: _count(answers, 503) > refused)
        outage.start()
        succeeded = _count(answers, 303)
        _wait_until(lambda succeeded=succeeded: _count(answers, 303) > succeeded)
    stop.set()
    for resident in residents:
        resident.join()

    crashes = [repr(error) for method, error in answers if method == "crash"]
    odd = [
        (method, r.status_code, r.get_data(as_text=True)[:200])
        for method, r in answers
        if method != "crash" and not (200 <= r.status_code < 400 or _is_polish_503(r))
    ]
    posts = [r for method, r in answers if method == "POST"]
    acknowledged = {
        CONFIRMATION.search(r.headers["Location"])[1] for r in posts if r.status_code == 303
    }
    with outage.app.app_context():
        stored = set(db.session.scalars(select(ServiceRequest.access_token)))
    assert crashes == []
    assert odd == []
    assert any(r.status_code == 503 for r in posts)
    assert acknowledged and acknowledged <= stored
    assert posts[-1].status_code == 303  # the portal recovers on its own


def test_a_connection_lost_after_the_page_was_made_does_not_spoil_the_answer(outage):
    cut = []

    @outage.app.after_request
    def cut_the_connection(response):
        if len(cut) == 1:
            outage.stop()  # the page is made; the session's transaction is still open
        cut.append(response.status_code)
        return response

    client = outage.app.test_client()
    client.get("/")
    try:
        response = client.get("/")
    finally:
        outage.start()

    assert response.status_code == 200
