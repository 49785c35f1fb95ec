"""The only module that reads or writes htmx's HX-* headers.

A page that htmx may refresh in part answers an htmx request with its partial (the
template beside it whose name starts with `_`) and any other request with the whole
page; the choice rests on `HX-Request` alone, never on which element asked, and every
such answer says `Vary: HX-Request` so that no cache hands one out for the other.
"""

from __future__ import annotations

from flask import make_response, render_template, request


def is_htmx_request() -> bool:
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render_page_or_partial(page: str, partial: str, **context):
    """Render partial for an htmx request and page for any other, varying on HX-Request."""
    response = make_response(render_template(partial if is_htmx_request() else page, **context))
    response.vary.add("HX-Request")
    return response
