"""Routes of the public side; each builds a form, calls one service and renders or redirects."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from .. import queries, services, sms
from ..domain import languages, lifecycle
from ..domain.actor import Actor
from ..domain.errors import DomainError, StaleEdit
from ..domain.waiting import TOLD
from ..extensions import limiter
from ..i18n import N_, current_language
from ..labels import request_status_box, waiting_sentence
from ..references import parse_reference
from ..reports.impact import impact_line
from ..services import feedback, notifications
from ..web import pagecache
from ..web.formerrors import show_error
from ..web.photouploads import clean_uploads
from ..web.requestcycle import LANGUAGE_COOKIE, speak_residents_language
from . import bp
from .forms import (
    AnswerForm,
    CancelForm,
    FeedbackForm,
    LinkByEmailForm,
    LostLinkForm,
    RequestForm,
    new_submission_key,
)


def _submit_limit() -> str:
    return current_app.config["SUBMIT_RATE_LIMIT"]


def _lookup_limit() -> str:
    return current_app.config["LOOKUP_RATE_LIMIT"]


def _link_limit() -> str:
    return current_app.config["LINK_EMAIL_RATE_LIMIT"]


def _answer_limit() -> str:
    return current_app.config["ANSWER_RATE_LIMIT"]


def _private_link_ip_limit() -> str:
    return current_app.config["PRIVATE_LINK_IP_RATE_LIMIT"]


# One allowance per connection, shared by everything sent through private links, so that
# many links tried from one address are held back as well as many tries through one link.
_limit_per_connection = limiter.shared_limit(_private_link_ip_limit, scope="private-link-ip")


def _token_key() -> str:
    """Limits counted per request (its private link), whoever sends."""
    return f"{request.endpoint}:" + (request.view_args or {}).get("token", "")


def _lookup_reference_key() -> str:
    return "lookup:" + (request.form.get("reference") or "").strip().upper()


def _settings_version(categories) -> tuple:
    return pagecache.settings_version(queries.institution(), categories)


@bp.get("/")
def home():
    categories = queries.active_categories()
    impact = _impact_line()
    return pagecache.cached_page(
        _settings_version(categories),
        ("home", impact),
        lambda: render_template("public/home.html", categories=categories, impact=impact),
    )


def _impact_line() -> str | None:
    """The services done so far, in words, when the institution shows them (kept a while).

    A worker counts again at most WAITING_ESTIMATE_SECONDS (5 minutes by default) after it
    last counted, and the page is cached by the sentence itself: a completion shows on the
    home page within that time. Counting costs four queries however many services there are.
    """
    institution = queries.institution()
    if institution is None or not institution.show_impact:
        return None
    return pagecache.remembered(
        f"impact-line:{get_locale()}",
        current_app.config["WAITING_ESTIMATE_SECONDS"],
        lambda: impact_line(_today()),
    )


def _today():
    return services.local_today(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _waiting_sentences(categories) -> dict[int, str]:
    """Each service's usual wait for a request sent today, in words (kept a few minutes)."""
    estimates = pagecache.remembered(
        "waiting-estimates",
        current_app.config["WAITING_ESTIMATE_SECONDS"],
        lambda: queries.estimates_by_service(_today()),
    )
    return {c.id: waiting_sentence(estimates.get(c.id)) for c in categories}


def _blank_form_page(categories) -> str:
    """The empty form, with the service named in ?rodzaj= already chosen."""
    chosen = next((c for c in categories if c.code == request.args.get("rodzaj")), None)
    waiting = _waiting_sentences(categories)

    def render() -> str:
        form = _request_form(categories, submission_key=pagecache.placeholder("submission_key"))
        if chosen is not None:
            form.category_id.data = chosen.id
        return render_template("public/new_request.html", form=form, waiting=waiting)

    return pagecache.cached_page(
        _settings_version(categories),
        (
            "new_request",
            chosen.id if chosen else None,
            tuple(sorted(waiting.items())),
            sms.is_configured(),
        ),
        render,
        fresh={"submission_key": new_submission_key},
    )


@bp.route("/zglos", methods=["GET", "POST"])
@limiter.limit(_submit_limit, methods=["POST"])
def new_request():
    categories = queries.active_categories()
    if request.method == "GET":
        return _blank_form_page(categories)
    form = _request_form(categories)
    if form.is_submitted() and form.website.data:
        form.website.data = ""
        flash(_("The form could not be sent. Please try again, or call us."), "error")
        return render_template(
            "public/new_request.html", form=form, waiting=_waiting_sentences(categories)
        ), 200
    if form.validate_on_submit():
        cleaned = clean_uploads(form.photos, max_count=current_app.config["PHOTO_MAX_COUNT"])
        if cleaned is not None:
            try:
                submission = services.submit_request(
                    _request_data(form, cleaned),
                    Actor.resident(),
                    upload_folder=current_app.config["UPLOAD_FOLDER"],
                    timezone=current_app.config["BABEL_DEFAULT_TIMEZONE"],
                )
            except DomainError as refused:
                show_error(form, refused)
            else:
                return redirect(
                    url_for("public.confirmation", token=submission.request.access_token), 303
                )
    return render_template(
        "public/new_request.html", form=form, waiting=_waiting_sentences(categories)
    )


def _request_form(categories, **kwargs) -> RequestForm:
    """The request form with each service's questions; text messages only if they are sent."""
    form = RequestForm.for_services(categories, **kwargs)
    if not sms.is_configured():
        del form.sms_updates
    return form


def _request_data(form: RequestForm, cleaned) -> services.RequestData:
    return services.RequestData(
        category_id=form.category_id.data,
        description=form.description.data,
        name=form.name.data,
        phone=form.phone.data,
        email=form.email.data,
        email_updates=form.email_updates.data,
        address=form.address.data,
        contact_time=form.contact_time.data,
        is_senior=form.is_senior.data,
        receives_assistance=form.receives_assistance.data,
        submission_key=form.submission_key.data,
        photos=cleaned,
        language=current_language(),
        sms_updates=bool(form.sms_updates.data) if "sms_updates" in form else False,
        answers=form.raw_answers(form.selected_category()),
    )


def _request_or_404(token: str):
    service_request = queries.request_by_token(token)
    if service_request is None:
        abort(404)
    speak_residents_language(service_request.language)
    return service_request


@bp.get("/zgloszenie/<token>/potwierdzenie")
def confirmation(token: str):
    service_request = _request_or_404(token)
    return render_template(
        "public/confirmation.html",
        service_request=service_request,
        box=request_status_box(service_request),
        waiting=_waiting_for(service_request),
        link_form=LinkByEmailForm(),
    )


def _waiting_for(service_request) -> str:
    """The request's usual wait in words, while it waits for a date; else nothing."""
    if service_request.status not in TOLD:
        return ""
    return waiting_sentence(queries.estimate_for(service_request, _today()))


@bp.get("/zgloszenie/<token>")
def status(token: str):
    return _status_page(_request_or_404(token))


def _status_page(
    service_request,
    answer_form: AnswerForm | None = None,
    feedback_form: FeedbackForm | None = None,
    code: int = 200,
    unsent_answer: str = "",
):
    can_answer = lifecycle.resident_can_answer(service_request.status)
    return render_template(
        "public/status.html",
        service_request=service_request,
        unsent_answer=unsent_answer,
        box=request_status_box(service_request),
        waiting=_waiting_for(service_request),
        can_cancel=lifecycle.resident_can_cancel(service_request.status),
        answer_form=(answer_form or AnswerForm()) if can_answer else None,
        feedback_form=(feedback_form or FeedbackForm())
        if feedback.asks_for_feedback(service_request)
        else None,
        link_form=LinkByEmailForm(),
    ), code


@bp.post("/zgloszenie/<token>/opinia")
@limiter.limit(_answer_limit, key_func=_token_key)
@_limit_per_connection
def give_feedback(token: str):
    """The resident's answers to the satisfaction check; each one optional."""
    service_request = _request_or_404(token)
    if not feedback.asks_for_feedback(service_request):
        return redirect(url_for("public.status", token=token), 303)
    form = FeedbackForm()
    if form.validate_on_submit():
        try:
            feedback.record_feedback(
                service_request,
                feedback.FeedbackAnswers(
                    as_agreed=form.as_agreed.data or None,
                    contact=form.contact.data or None,
                    comment=form.comment.data or "",
                ),
                Actor.resident(),
            )
        except DomainError as refused:
            show_error(form, refused)
        else:
            return redirect(url_for("public.status", token=token, _anchor="feedback"), 303)
    return _status_page(service_request, feedback_form=form)


@bp.post("/zgloszenie/<token>/odpowiedz")
@limiter.limit(_answer_limit, key_func=_token_key)
@_limit_per_connection
def answer(token: str):
    """The resident answers the office's question: text and photos, through the private link."""
    service_request = _request_or_404(token)
    form = AnswerForm()
    if not lifecycle.resident_can_answer(service_request.status):
        return _answer_not_sent(service_request, form)
    if form.validate_on_submit():
        cleaned = clean_uploads(form.photos, max_count=current_app.config["PHOTO_MAX_COUNT"])
        if cleaned is not None:
            try:
                services.answer_question(
                    service_request,
                    form.answer.data,
                    photos_added=cleaned,
                    upload_folder=current_app.config["UPLOAD_FOLDER"],
                )
            except DomainError as refused:
                show_error(form, refused)
            except StaleEdit:
                if not lifecycle.resident_can_answer(service_request.status):
                    return _answer_not_sent(service_request, form)
                changed = N_("Your request changed in the meantime. Check the page and send again.")
                show_error(form, DomainError(changed, field="answer"))
            else:
                flash(
                    _("Thank you. Your answer has been sent to the office."),
                    "success",
                )
                return redirect(url_for("public.status", token=token), 303)
    return _status_page(service_request, answer_form=form)


def _answer_not_sent(service_request, form: AnswerForm):
    """The office moved on while the resident typed: show the text back, never drop it."""
    typed = (form.answer.data or "").strip()
    if not typed:
        flash(_("The office is not waiting for an answer to this request any more."), "info")
        return redirect(url_for("public.status", token=service_request.access_token), 303)
    return _status_page(service_request, code=409, unsent_answer=typed)


def rate_limited_status():
    """The status page again, with what was typed, when a private link sends too much."""
    token = (request.view_args or {}).get("token", "")
    service_request = queries.request_by_token(token)
    if service_request is None:
        return render_template("errors/429.html"), 429
    flash(
        _(
            "Too many answers have been sent. Please wait an hour and send again, "
            "or call us and give your request number."
        ),
        "error",
    )
    if request.endpoint == "public.give_feedback":
        return _status_page(service_request, feedback_form=FeedbackForm(), code=429)
    if not lifecycle.resident_can_answer(service_request.status):
        return _status_page(
            service_request, code=429, unsent_answer=(request.form.get("answer") or "").strip()
        )
    return _status_page(service_request, answer_form=AnswerForm(), code=429)


@bp.get("/zgloszenie/<token>/do-druku")
def printable(token: str):
    """The request's number, status and what happens next on one page, to print or keep."""
    service_request = _request_or_404(token)
    return render_template(
        "public/printable.html",
        service_request=service_request,
        box=request_status_box(service_request),
    )


@bp.post("/zgloszenie/<token>/link-na-email")
@limiter.limit(_link_limit, key_func=_token_key)
@_limit_per_connection
def link_by_email(token: str):
    """Send the private link to the address given in the request, and to no other."""
    service_request = _request_or_404(token)
    form = LinkByEmailForm()
    if form.validate_on_submit() and service_request.email:
        notifications.send_private_link(service_request)
        flash(
            _("We have sent the link to the e-mail address given in the request."),
            "success",
        )
    back = "public.confirmation" if form.back.data == "confirmation" else "public.status"
    return redirect(url_for(back, token=token), 303)


@bp.route("/zgloszenie/<token>/anuluj", methods=["GET", "POST"])
def cancel(token: str):
    service_request = _request_or_404(token)
    if not lifecycle.resident_can_cancel(service_request.status):
        flash(_("This request can no longer be cancelled here. Please call us."), "info")
        return redirect(url_for("public.status", token=token), 303)
    form = CancelForm()
    if request.method == "GET":
        form.version.data = service_request.version
    if form.validate_on_submit():
        try:
            expected = int(form.version.data) if form.version.data else None
        except ValueError:
            expected = None
        try:
            services.cancel_by_resident(service_request, form.reason.data, expected)
        except StaleEdit:
            flash(
                _("Your request changed in the meantime. Check its status below and try again."),
                "error",
            )
        except lifecycle.LifecycleError:
            flash(_("This request can no longer be cancelled here. Please call us."), "info")
        else:
            flash(_("Your request has been cancelled."), "success")
        return redirect(url_for("public.status", token=token), 303)
    return render_template("public/cancel.html", service_request=service_request, form=form)


@bp.route("/nie-mam-linku", methods=["GET", "POST"])
@limiter.limit(_lookup_limit, methods=["POST"])
@limiter.limit(_lookup_limit, methods=["POST"], key_func=_lookup_reference_key)
def lost_link():
    form = LostLinkForm()
    if form.validate_on_submit():
        institution = queries.institution()
        reference = parse_reference(form.reference.data, institution.reference_prefix)
        found = reference and queries.request_by_reference_and_phone(reference, form.phone.data)
        if found:
            return redirect(url_for("public.status", token=found.access_token), 303)
        flash(
            _(
                "We could not find a request with this number and phone number. "
                "Check both and try again, or call us."
            ),
            "error",
        )
    return render_template("public/lost_link.html", form=form)


@bp.get("/ochrona-danych")
def privacy():
    return render_template("public/privacy.html")


@bp.get("/deklaracja-dostepnosci")
def accessibility():
    return render_template("public/accessibility.html")


def rate_limited_form():
    """Show the form again, with what was typed, when one address sends too many requests."""
    categories = queries.active_categories()
    form = RequestForm(categories)
    form.website.data = ""
    flash(
        _(
            "Too many requests have been sent from this connection. Please wait a few minutes "
            "and send the form again, or call us."
        ),
        "error",
    )
    return render_template(
        "public/new_request.html", form=form, waiting=_waiting_sentences(categories)
    ), 429


@bp.get("/jezyk/<code>")
def language(code: str):
    """Switch the language of the public pages: a plain link, remembered in a cookie."""
    chosen = languages.known(code)
    if chosen is None:
        abort(404)
    response = redirect(_local_path(request.args.get("next")), 303)
    response.set_cookie(
        LANGUAGE_COOKIE,
        chosen,
        max_age=365 * 24 * 3600,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


def _local_path(target: str | None) -> str:
    """Where a switch of language returns to: a path of this site, else the home page."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("public.home")
    return target
