"""The request lifecycle in one place: locale, template context and response headers."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, current_app, g, has_request_context, render_template, request, url_for
from flask_babel import format_date, format_datetime, refresh

from .. import labels, queries
from ..domain import languages, lifecycle
from ..domain.lifecycle import Status
from ..i18n import catalogue, current_language, format_hours, local_text
from ..services.requests import EDITABLE_FIELDS
from . import permissions, transport

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


# The language a visitor chose with the switcher, remembered without an account.
LANGUAGE_COOKIE = "jezyk"
# Parts of the portal that speak Polish only: the staff's back office and the API.
POLISH_ONLY = {"backoffice", "api"}


def select_locale() -> str:
    """The language of this request's pages: Polish for staff; for residents the one they
    chose, else the one their request was sent in (g.resident_language, set by the pages of
    a request), else the browser's preference among those the portal speaks, else Polish."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context() or request.blueprint in POLISH_ONLY:
        return default
    return (
        languages.known(request.cookies.get(LANGUAGE_COOKIE))
        or languages.known(g.get("resident_language"))
        or request.accept_languages.best_match(languages.LANGUAGES)
        or default
    )


def speak_residents_language(language: str) -> None:
    """Show this request's pages in the language a resident's request was sent in (unless
    the visitor chose another): called by the views of a request before they render."""
    g.resident_language = language
    refresh()


def register(app: Flask) -> None:
    # First of all, before CSRFProtect's check: a form over plain HTTP is explained, not refused.
    app.before_request_funcs.setdefault(None, []).insert(0, transport.require_https)
    app.context_processor(_template_context)
    app.jinja_env.globals.update(
        format_date=format_date,
        format_datetime=format_datetime,
        format_hours=format_hours,
        # Templates ask the lifecycle (status groups, the board's next move, who may change
        # a record) and the role table (navigation) instead of restating them.
        lifecycle=lifecycle,
        can_open=permissions.can_open,
    )
    app.jinja_env.filters["local"] = local_text
    app.after_request(_security_headers)
    app.before_request(_require_institution)
    _translate_templates_from_one_lookup(app)


def _translate_templates_from_one_lookup(app: Flask) -> None:
    """Give templates the same gettext functions as Flask-Babel's, reading the request's
    catalogue once; after babel.init_app, which installed its own."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: catalogue().ugettext(string),
        ngettext=lambda singular, plural, n: catalogue().ungettext(singular, plural, n),
        pgettext=lambda context, string: catalogue().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: catalogue().unpgettext(
            context, singular, plural, n
        ),
        newstyle=True,
    )


def _template_context() -> dict:
    return {
        "institution": queries.institution(),
        "status_labels": labels.STATUS_LABELS,
        "next_steps": labels.NEXT_STEPS,
        "resident_status_label": labels.resident_status_label,
        "event_actors": labels.EVENT_ACTORS,
        "channel_labels": labels.CHANNEL_LABELS,
        "requester_kind_labels": labels.REQUESTER_KIND_LABELS,
        "role_labels": labels.ROLE_LABELS,
        "as_agreed_labels": labels.AS_AGREED_LABELS,
        "contact_labels": labels.CONTACT_LABELS,
        "feedback_channel_labels": labels.FEEDBACK_CHANNEL_LABELS,
        "action_labels": labels.ACTION_LABELS,
        "consent_labels": labels.CONSENT_LABELS,
        "field_labels": labels.FIELD_LABELS,
        "change_label": labels.change_label,
        "change_value": labels.change_value,
        "outcome_labels": labels.OUTCOME_LABELS,
        "gender_labels": labels.GENDER_LABELS,
        "status_order": list(Status),
        "editable_fields": EDITABLE_FIELDS,
        "htmx_js": "vendor/htmx-2.0.11.min.js",
        "page_language": current_language() if has_request_context() else "pl",
        # Each language named in Polish, for the back office.
        "language_names": labels.LANGUAGE_NAMES,
        "language_autonyms": languages.AUTONYMS,
        "language_links": _language_links(),
    }


# The query arguments a page's address keeps when its language is switched (the service
# chosen on the form); others are dropped, as cached pages are shared between visitors.
_KEPT_ARGUMENTS = ("rodzaj",)


def _language_links() -> list[dict]:
    """The switcher's links, each language named in itself; none in the back office."""
    if not has_request_context() or request.blueprint in POLISH_ONLY:
        return []
    kept = {name: request.args[name] for name in _KEPT_ARGUMENTS if request.args.get(name)}
    here = request.path + ("?" + urlencode(kept) if kept else "")
    current = current_language()
    return [
        {
            "code": code,
            "name": languages.AUTONYMS[code],
            "current": code == current,
            "url": url_for("public.language", code=code, next=here),
        }
        for code in languages.LANGUAGES
    ]


def _require_institution():
    if request.endpoint in (None, "static") or request.blueprint == "backoffice":
        return None
    if queries.institution() is None:
        current_app.logger.error(
            "The institution's settings are not loaded: run `portal setup --institution FILE` "
            "(or `flask load-institution FILE`)."
        )
        return render_template("errors/not_configured.html"), 503, {"Retry-After": "3600"}
    return None


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    # Private links carry their token in the path: never send it to another site. (Not
    # no-referrer: Flask-WTF checks the Referer of HTTPS posts against this site.)
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("HSTS"):
        headers.setdefault("Strict-Transport-Security", current_app.config["HSTS"])
    if request.endpoint != "static":
        headers.setdefault("Cache-Control", "no-store")
    return response
