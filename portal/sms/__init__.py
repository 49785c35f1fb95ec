"""Text messages (SMS) to residents: the gateways, the sending window, segments and numbers.

Nothing here is on unless `SMS_GATEWAY` names a gateway (`smsapi` or `json`) with its
token (and, for `json`, its address): until then `is_configured()` is False, no text is
queued and the forms offer none. The outbox worker sends the texts queued by
`services.notifications` through the gateway `gateway()` builds, inside the hours of
`sending_window()`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import current_app

from .gateways import (
    GATEWAYS,
    SMSAPI_URL,
    GatewayError,
    Receipt,
    Refused,
    TextMessage,
    TryLater,
    Unavailable,
)
from .numbers import mobile_number
from .segments import count, segments
from .window import Window

__all__ = [
    "GatewayError",
    "Receipt",
    "Refused",
    "SmsNotConfigured",
    "TextMessage",
    "TryLater",
    "Unavailable",
    "Window",
    "configuration_problem",
    "count",
    "gateway",
    "is_configured",
    "mobile_number",
    "price_per_segment",
    "segments",
    "sending_window",
]


class SmsNotConfigured(RuntimeError):
    """SMS_GATEWAY is set but the settings it needs are missing or wrong."""


def configuration_problem(config=None) -> str | None:
    """Say what is wrong with the text-message settings, or None when they are complete."""
    config = current_app.config if config is None else config
    name = config.get("SMS_GATEWAY")
    if not name:
        return None
    if name not in GATEWAYS:
        return f"SMS_GATEWAY must be one of {', '.join(sorted(GATEWAYS))}, not {name!r}."
    if not config.get("SMS_GATEWAY_TOKEN"):
        return "Set SMS_GATEWAY_TOKEN, the gateway's API token."
    if name == "json" and not config.get("SMS_GATEWAY_URL"):
        return "Set SMS_GATEWAY_URL, the address the JSON gateway takes messages at."
    try:
        sending_window(config)
        price_per_segment(config)
    except ValueError as error:
        return str(error)
    return None


def is_configured(config=None) -> bool:
    """Whether texts are sent: a gateway is named and its settings are complete."""
    config = current_app.config if config is None else config
    return bool(config.get("SMS_GATEWAY")) and configuration_problem(config) is None


def gateway(config=None):
    """Build the configured gateway (close it after use); raise SmsNotConfigured if none."""
    config = current_app.config if config is None else config
    problem = configuration_problem(config)
    if problem or not config.get("SMS_GATEWAY"):
        raise SmsNotConfigured(problem or "SMS_GATEWAY is not set.")
    name = config["SMS_GATEWAY"]
    url = config.get("SMS_GATEWAY_URL") or (SMSAPI_URL if name == "smsapi" else "")
    return GATEWAYS[name](
        url,
        config["SMS_GATEWAY_TOKEN"],
        config.get("SMS_SENDER") or "",
        connect_timeout=float(config["SMS_CONNECT_TIMEOUT"]),
        read_timeout=float(config["SMS_TIMEOUT"]),
    )


def sending_window(config=None) -> Window:
    """The hours texts may go out, in the club's time zone."""
    config = current_app.config if config is None else config
    return Window.parse(config["SMS_WINDOW"], config["BABEL_DEFAULT_TIMEZONE"])


def price_per_segment(config=None) -> Decimal:
    """What one segment costs in złoty, for gateways that do not say what they charged."""
    config = current_app.config if config is None else config
    value = str(config.get("SMS_PRICE_PER_SEGMENT") or "0").strip().replace(",", ".")
    try:
        price = Decimal(value)
    except InvalidOperation:
        raise ValueError(
            f"SMS_PRICE_PER_SEGMENT must be a number of złoty, not {value!r}"
        ) from None
    if not price.is_finite() or price < 0:
        raise ValueError(f"SMS_PRICE_PER_SEGMENT must be a number of złoty, not {value!r}")
    return price
