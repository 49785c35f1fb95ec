"""Two SMS gateways on local ports: SMSAPI.pl's /sms.do and a generic JSON gateway.

Each is a real HTTP server (Werkzeug, a thread per request) that checks the bearer token,
keeps every message it takes, and, like the real services, refuses a second message with
the same reference (SMSAPI: `idx` with `check_idx=1` answers error 53; the JSON gateway
answers an `Idempotency-Key` it has seen with its first answer again). A test can tell it
to fail (5xx), to take a message and then hang past the client's timeout (a lost answer),
or to refuse numbers for good.
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from enum import StrEnum

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from portal.sms.segments import count


class Mode(StrEnum):
    OK = "ok"
    # Answer 5xx without taking the message.
    FAIL = "fail"
    # Take the message, then say nothing until well past the client's timeout.
    HANG = "hang"


@dataclass
class Received:
    to: str
    text: str
    sender: str | None
    reference: str
    provider_id: str


@dataclass
class FakeGateway:
    token: str = "test-token"
    mode: Mode = Mode.OK
    hang_seconds: float = 3.0
    # Numbers refused for good (SMSAPI error 13, JSON 422).
    refuse: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    attempts: int = 0

    name = "fake"
    path = "/"

    def __post_init__(self) -> None:
        self._ids = itertools.count(1001)
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server = None

    # Running

    def start(self) -> FakeGateway:
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        # A short poll: stopping waits for the loop to notice, and tests stop it often.
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def app_config(self, **changes) -> dict:
        config = {
            "SMS_GATEWAY": self.name,
            "SMS_GATEWAY_URL": self.base_url + self.url_path,
            "SMS_GATEWAY_TOKEN": self.token,
            "SMS_SENDER": "KIS Opole",
            "SMS_PRICE_PER_SEGMENT": "0.09",
            "SMS_CONNECT_TIMEOUT": 1,
            "SMS_TIMEOUT": 0.5,
        }
        config.update(changes)
        return config

    @property
    def texts(self) -> list[str]:
        return [message.text for message in self.received]

    # Serving

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        with self._lock:
            self.attempts += 1
        response = self.answer(request)
        return response(environ, start_response)

    def _hang_if_told(self) -> None:
        if self.mode == Mode.HANG:
            self._release.wait(self.hang_seconds)

    def _next_id(self) -> str:
        return str(next(self._ids))

    def answer(self, request: Request) -> Response:
        raise NotImplementedError


def _json(body, status=200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


class FakeSmsApi(FakeGateway):
    """SMSAPI.pl: POST /sms.do, form-encoded, answered in JSON."""

    name = "smsapi"
    url_path = ""

    def answer(self, request: Request) -> Response:
        if request.method != "POST" or request.path != "/sms.do":
            return _json({"error": 8, "message": "Error in request"}, 404)
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _json({"error": 101, "message": "Authorization failed"}, 401)
        form = request.form
        if form.get("format") != "json" or form.get("encoding") != "utf-8":
            return _json({"error": 8, "message": "Expected format=json and encoding=utf-8"})
        if not form.get("to") or not form.get("message"):
            return _json({"error": 11, "message": "Message too long or there is no message"})
        if self.mode == Mode.FAIL:
            return Response("Service temporarily unavailable", status=503)
        idx = form.get("idx", "")
        with self._lock:
            if form.get("check_idx") == "1" and any(m.reference == idx for m in self.received):
                return _json(
                    {"error": 53, "message": "Not unique idx. The message was sent already."}
                )
            if form["to"] in self.refuse:
                return _json(
                    {
                        "error": 13,
                        "message": "No correct phone numbers",
                        "invalid_numbers": [
                            {"number": form["to"], "message": "Invalid phone number"}
                        ],
                    }
                )
            sent = Received(form["to"], form["message"], form.get("from"), idx, self._next_id())
            self.received.append(sent)
        self._hang_if_told()
        parts = count(sent.text).segments
        return _json(
            {
                "count": 1,
                "list": [
                    {
                        "id": sent.provider_id,
                        "points": round(0.16 * parts, 4),
                        "number": sent.to,
                        "submitted_number": sent.to,
                        "status": "QUEUE",
                        "idx": idx,
                        "parts": parts,
                    }
                ],
            }
        )


class FakeJsonGateway(FakeGateway):
    """A generic JSON gateway: POST /messages with an Idempotency-Key."""

    name = "json"
    url_path = "/messages"
    # Whether the answer says how many segments and what they cost.
    reports_cost = False

    def __post_init__(self) -> None:
        super().__post_init__()
        self._answered: dict[str, tuple[int, dict]] = {}

    def answer(self, request: Request) -> Response:
        if request.method != "POST" or request.path != self.url_path:
            return _json({"error": "not found"}, 404)
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _json({"error": "unauthorized"}, 401)
        key = request.headers.get("Idempotency-Key")
        body = request.get_json(silent=True) or {}
        if not key or not body.get("to") or not body.get("text"):
            return _json({"error": "to, text and an Idempotency-Key are required"}, 400)
        if self.mode == Mode.FAIL:
            return _json({"error": "upstream failed"}, 502)
        with self._lock:
            if key in self._answered:
                status, first = self._answered[key]
                return _json(first, status)
            if body["to"] in self.refuse:
                return _json({"error": "not a mobile number"}, 422)
            sent = Received(
                body["to"], body["text"], body.get("sender"), body.get("reference"), self._next_id()
            )
            self.received.append(sent)
            answer = {"id": f"msg-{sent.provider_id}"}
            if self.reports_cost:
                segments = count(sent.text).segments
                answer.update(segments=segments, cost=f"{0.11 * segments:.4f}")
            self._answered[key] = (201, answer)
        self._hang_if_told()
        return _json(answer, 201)


FAKES = {"smsapi": FakeSmsApi, "json": FakeJsonGateway}
