"""The gateways that carry text messages: SMSAPI.pl, and any HTTP service speaking plain JSON.

Each gateway sends one message and answers with a `Receipt`, or raises one of three
errors, which tell the outbox what to do with the message:

- `Refused`: the gateway refused this message for good (a number that is no mobile, a
  login the gateway does not know, a text it will not carry). No retry will help; the
  message is parked for the administrator.
- `TryLater`: this message, not now (the gateway said so, or its answer could not be read).
- `Unavailable`: the gateway cannot be reached, failed (5xx), took longer than the
  timeout, or refuses everything for now (no credit left). Every message would fail the
  same way, so the run stops sending texts and they are tried again later.

Exactly once: every attempt at the same outbox row carries the same reference, and the
gateway is asked to refuse a second message with it (SMSAPI's `idx` with `check_idx=1`,
the JSON gateway's `Idempotency-Key`). So when an answer is lost (a timeout after the
gateway took the message, a worker that stopped before recording it) the next attempt
is recognised instead of sending the text twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import requests

SMSAPI_URL = "https://api.smsapi.pl"

# SMSAPI's error codes (its "Kody błędów"): the message was sent before with this idx.
SMSAPI_DUPLICATE = frozenset({53})
# Everything fails for now: too many requests, no credit, the service's own failures.
SMSAPI_UNAVAILABLE = frozenset({103, 200, 201, 202, 203, 999})
# This message, later: too many messages to this number in a short time.
SMSAPI_TRY_LATER = frozenset({52})
# Refusals worth a word to the administrator reading the error (all others are refusals too).
SMSAPI_HINTS = {
    13: "the number cannot take a text message",
    14: "check SMS_SENDER: the gateway does not know this sender name",
    101: "check SMS_GATEWAY_TOKEN",
    102: "check SMS_GATEWAY_TOKEN",
    105: "the gateway's IP filter refuses this server",
}
# Statuses of a plain HTTP gateway that mean "not now" rather than "never".
HTTP_TRY_LATER = frozenset({408, 409, 425, 429})


class GatewayError(Exception):
    """A message the gateway did not take."""


class Refused(GatewayError):
    """Refused for good: park the message."""


class TryLater(GatewayError):
    """Not this message now: try it again later."""


class Unavailable(GatewayError):
    """The gateway cannot take any message now: stop sending texts for this run."""


@dataclass(frozen=True)
class TextMessage:
    to: str  # E.164, e.g. +48600123456
    text: str
    # The same on every attempt at one outbox row: the gateway's duplicate check.
    reference: str


@dataclass(frozen=True)
class Receipt:
    provider_id: str | None = None
    segments: int | None = None
    # What the gateway charged, in złoty, when it says.
    cost: Decimal | None = None
    # The gateway had this message already (an earlier attempt whose answer was lost).
    repeated: bool = False


class _HttpGateway:
    name = "gateway"

    def __init__(
        self, url: str, token: str, sender: str, *, connect_timeout: float, read_timeout: float
    ) -> None:
        self.url = url
        self.token = token
        self.sender = sender
        self.timeout = (connect_timeout, read_timeout)
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def send(self, message: TextMessage) -> Receipt:
        raise NotImplementedError

    def close(self) -> None:
        self.session.close()

    def _post(self, url: str, **options) -> requests.Response:
        try:
            return self.session.post(url, timeout=self.timeout, **options)
        except requests.Timeout as error:
            raise Unavailable(f"{self.name}: no answer in time ({type(error).__name__})") from None
        except requests.RequestException as error:
            raise Unavailable(f"{self.name}: {type(error).__name__}: {error}") from None


class SmsApiGateway(_HttpGateway):
    """SMSAPI.pl (and .com): a form POST to /sms.do with a bearer token, answered in JSON."""

    name = "SMSAPI"

    def send(self, message: TextMessage) -> Receipt:
        form = {
            "to": message.to.removeprefix("+"),
            "message": message.text,
            "encoding": "utf-8",
            "format": "json",
            "idx": message.reference,
            "check_idx": "1",
        }
        if self.sender:
            form["from"] = self.sender
        response = self._post(f"{self.url.rstrip('/')}/sms.do", data=form)
        body = _json(response)
        if response.status_code >= 500:
            raise Unavailable(f"SMSAPI: HTTP {response.status_code}")
        if isinstance(body, dict) and body.get("error") is not None:
            return self._refusal(body)
        if response.status_code in (401, 403):
            raise Refused(f"SMSAPI: HTTP {response.status_code}, the token was not accepted")
        if response.status_code >= 300 or not isinstance(body, dict):
            raise TryLater(f"SMSAPI: HTTP {response.status_code} with an answer that is not JSON")
        sent = (body.get("list") or [None])[0]
        if not isinstance(sent, dict) or not sent.get("id"):
            raise TryLater(f"SMSAPI: an answer without the message: {str(body)[:200]}")
        return Receipt(
            provider_id=str(sent["id"]),
            segments=_integer(sent.get("parts", body.get("parts"))),
            cost=_decimal(sent.get("points")),
        )

    def _refusal(self, body: dict) -> Receipt:
        code = _integer(body.get("error"))
        said = f"SMSAPI error {body.get('error')}: {body.get('message') or ''}".strip()
        if code in SMSAPI_HINTS:
            said = f"{said} ({SMSAPI_HINTS[code]})"
        if code in SMSAPI_DUPLICATE:
            return Receipt(repeated=True)
        if code in SMSAPI_UNAVAILABLE:
            raise Unavailable(said)
        if code in SMSAPI_TRY_LATER:
            raise TryLater(said)
        raise Refused(said)


class JsonGateway(_HttpGateway):
    """A generic HTTP gateway: a JSON POST with a bearer token and an Idempotency-Key."""

    name = "JSON gateway"

    def send(self, message: TextMessage) -> Receipt:
        response = self._post(
            self.url,
            json={
                "to": message.to,
                "text": message.text,
                "sender": self.sender or None,
                "reference": message.reference,
            },
            headers={"Idempotency-Key": message.reference},
        )
        status = response.status_code
        said = f"{self.name}: HTTP {status} {response.text[:200]}".strip()
        if status >= 500:
            raise Unavailable(said)
        if status in HTTP_TRY_LATER:
            raise TryLater(said)
        if status >= 400:
            raise Refused(said)
        body = _json(response)
        if not (200 <= status < 300) or not isinstance(body, dict) or not body.get("id"):
            raise TryLater(f"{self.name}: HTTP {status} without the message's id")
        return Receipt(
            provider_id=str(body["id"]),
            segments=_integer(body.get("segments")),
            cost=_decimal(body.get("cost")),
        )


GATEWAYS = {"smsapi": SmsApiGateway, "json": JsonGateway}


def _json(response: requests.Response):
    try:
        return response.json()
    except ValueError:
        return None


def _integer(value) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _decimal(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None
