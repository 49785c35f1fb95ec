"""The only module that reads or writes htmx's HX-* headers."""

from __future__ import annotations

from flask import request


def is_htmx_request() -> bool:
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def targets(element_id: str) -> bool:
    """Tell whether htmx asked for the element with this id only."""
    return is_htmx_request() and request.headers.get("HX-Target") == element_id


def vary_on_htmx(response):
    """Keep caches from serving a partial where a full page was asked for."""
    response.vary.add("HX-Request")
    return response
