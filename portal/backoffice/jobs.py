"""The workshop floor: the instructor's board, job tags, the work log and completions."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import queries, services
from ..domain import lifecycle
from ..domain.actor import Actor
from ..domain.errors import DomainError, StaleEdit
from ..domain.lifecycle import Status
from ..domain.replies import Situation
from ..extensions import db
from ..i18n import format_hours
from ..labels import STATUS_LABELS
from ..models import Outcome, RequestEvent, WorkSession, utcnow
from ..queries import choices as choice_queries
from ..queries import replies as reply_queries
from ..queries import visits as visit_queries
from ..services import worklog
from ..web import htmx
from ..web.formerrors import show_error
from ..web.inputguard import query_date, query_id
from ..web.permissions import (
    Permission,
    can_view_request,
    has_permission,
    require_permission,
    sees_all_requests,
)
from . import bp
from .forms import CompletionForm, EmptyForm, WorkLogForm
from .requests import visible_request


def next_move(job) -> Status | None:
    """The board card's one-tap move for job (see `lifecycle.next_board_move`)."""
    return lifecycle.next_board_move(job.status, home_visit=job.category.requires_address)


def _today():
    return services.local_today(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _board_context(moved=None, news: str = "", failed_hours=None, focus_job=None):
    """What the board shows. moved: the move just made (its card offers to undo it);
    news: what the live region says; failed_hours: (job id, message, typed values) of hours
    that could not be saved, shown back on their card."""
    group_id = query_id("grupa")
    groups = queries.groups(active_only=True)
    if not sees_all_requests(current_user):
        groups = [g for g in groups if g.id in current_user.group_ids]
    board, counts = queries.jobs_for(current_user, group_id)
    jobs = [job for column in board.values() for job in column]
    can_log = has_permission(current_user, Permission.LOG_WORK)
    today = _today()
    return {
        "board": board,
        "counts": counts,
        "groups": groups,
        "group_id": group_id,
        "next_move": next_move,
        "action_form": EmptyForm(),
        "today": today,
        "moved": moved,
        "news": news,
        "failed_hours": failed_hours,
        "focus_job": focus_job,
        "now": utcnow(),
        "crews": queries.board_crews(jobs, today) if can_log else {},
        "usual": queries.usual_hours(jobs) if can_log else {},
    }


def _board_response(moved=None, news: str = "", failed_hours=None, focus_job=None):
    """The board after an action: in place for htmx (with the live region's news), else
    back to the board's address, the undo offered through the query string."""
    if htmx.is_htmx_request():
        return htmx.render_page_or_partial(
            "backoffice/jobs/board.html",
            "backoffice/jobs/_board.html",
            **_board_context(moved, news, failed_hours, focus_job),
        )
    if failed_hours is not None:
        return render_template(
            "backoffice/jobs/board.html", **_board_context(moved, news, failed_hours)
        )
    if news:
        flash(news, "success")
    args = {k: v for k, v in request.args.items() if k == "grupa"}
    if moved is not None:
        args["cofnij"] = moved.id
    return redirect(url_for("backoffice.board", **args), 303)


def _moved_from_query():
    """The move the board offers to undo after a reload without a script (?cofnij=event)."""
    event_id = query_id("cofnij")
    event = db.session.get(RequestEvent, event_id) if event_id else None
    if event is None or event.actor_id != current_user.id:
        return None
    return event


@bp.get("/tablica")
@require_permission(Permission.VIEW_BOARD)
def board():
    return htmx.render_page_or_partial(
        "backoffice/jobs/board.html",
        "backoffice/jobs/_board.html",
        **_board_context(moved=_moved_from_query()),
    )


@bp.post("/tablica/<int:request_id>/<target>")
@require_permission(Permission.MOVE_REQUEST)
def advance_job(request_id: int, target: str):
    job = visible_request(request_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        target_status = Status(target)
    except ValueError:
        abort(404)
    try:
        event = services.board_move(job, target_status, Actor.of(current_user))
    except (DomainError, StaleEdit):
        return _board_response(
            news=_("%(reference)s: this move is not possible now.", reference=job.reference)
        )
    return _board_response(
        moved=event,
        news=_(
            "%(reference)s: %(status)s. You can undo it.",
            reference=job.reference,
            status=STATUS_LABELS[target_status],
        ),
    )


@bp.post("/tablica/<int:request_id>/cofnij")
@require_permission(Permission.MOVE_REQUEST)
def undo_job_move(request_id: int):
    job = visible_request(request_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        event = services.undo_board_move(
            job, Actor.of(current_user), event_id=request.form.get("event", type=int) or 0
        )
    except DomainError as refused:
        return _board_response(news=f"{job.reference}: {_(refused.message)}")
    except StaleEdit:
        return _board_response(
            news=_("%(reference)s: this move can no longer be undone.", reference=job.reference)
        )
    return _board_response(
        news=_(
            "%(reference)s: undone, back to %(status)s.",
            reference=job.reference,
            status=STATUS_LABELS[event.to_status],
        ),
        focus_job=job.id,
    )


@bp.post("/tablica/<int:request_id>/godziny")
@require_permission(Permission.LOG_WORK)
def board_log_work(request_id: int):
    """Hours logged from a board card: today, the trainees ticked, what was done."""
    job = visible_request(request_id)
    form = WorkLogForm(prefix="work")
    if not form.validate_on_submit():
        message = next((error for field in form for error in field.errors), "")
        return _board_response(failed_hours=(job.id, message, request.form))
    hours = _hours_from_form()
    try:
        session = worklog.log_work(
            job,
            Actor.of(current_user),
            worklog.WorkData(form.worked_on.data, form.description.data, hours),
            today=_today(),
        )
    except DomainError as refused:
        return _board_response(failed_hours=(job.id, _(refused.message), request.form))
    total = sum(entry.hours for entry in session.entries)
    return _board_response(
        news=_(
            "%(reference)s: %(hours)s h of work logged.",
            reference=job.reference,
            hours=format_hours(total),
        ),
        focus_job=job.id,
    )


@bp.get("/wizyty")
@require_permission(Permission.VIEW_BOARD)
def visits():
    """The visits at residents' homes: one day's list to print, or a week at a glance.

    ?dzien=2026-12-03 for a day (default: today); ?tydzien=2026-11-30 for the week from
    that day's Monday.
    """
    today = _today()
    week = query_date("tydzien")
    group_id = query_id("grupa")
    if week is not None:
        monday = week - timedelta(days=week.weekday())
        days = [monday + timedelta(days=offset) for offset in range(7)]
        found = visit_queries.visits_between(current_user, days[0], days[-1], group_id)
        return render_template(
            "backoffice/jobs/visits_week.html",
            days=days,
            found=found,
            today=today,
            monday=monday,
            group_id=group_id,
            timedelta=timedelta,
        )
    day = query_date("dzien") or today
    found = visit_queries.visits_between(current_user, day, day, group_id)
    return render_template(
        "backoffice/jobs/visits_day.html",
        day=day,
        day_visits=found.get(day, []),
        today=today,
        group_id=group_id,
        timedelta=timedelta,
    )


@bp.get("/zgloszenia/<int:request_id>/metka")
@require_permission(Permission.VIEW_REQUEST)
def job_tag(request_id: int):
    return render_template("backoffice/jobs/job_tag.html", job=visible_request(request_id))


OTHER_REASON = "other"


def _completion_form(job, *, filled: bool) -> CompletionForm:
    """The completion form; filled: with the job's recorded completion (to correct it)."""
    form = CompletionForm(obj=job if filled else None)
    reasons = choice_queries.not_done_reasons(job.not_done_reason_id)
    form.reason_choice.choices = (
        [("", _("— choose the reason —"))]
        + [(str(reason.id), reason.label) for reason in reasons]
        + [(OTHER_REASON, _("Another reason (write it below)"))]
    )
    if filled and job.outcome == Outcome.NOT_DONE:
        form.reason_choice.data = (
            str(job.not_done_reason_id) if job.not_done_reason_id else OTHER_REASON
        )
    return form


def _reason_id(form: CompletionForm) -> int | None:
    choice = form.reason_choice.data or ""
    return int(choice) if choice.isdecimal() else None


def _save_completion(service, job, form: CompletionForm):
    """Call service with the completion form's values.

    Return a redirect when someone else changed the job meanwhile, False when the domain
    refused (the message is put at its field), True when it was saved.
    """
    try:
        service(
            job,
            Actor.of(current_user),
            completed_on=form.completed_on.data,
            outcome=Outcome(form.outcome.data),
            work_done=form.work_done.data,
            not_done_reason=form.not_done_reason.data,
            not_done_reason_id=_reason_id(form),
            expected_version=form.expected_version(),
            today=_today(),
            timezone=current_app.config["BABEL_DEFAULT_TIMEZONE"],
            **(
                {"picked_up_by": form.picked_up_by.data} if service is services.complete_job else {}
            ),
        )
    except StaleEdit:
        flash(_("Someone else changed this job in the meantime. Check it and try again."), "error")
        return redirect(url_for("backoffice.request_page", request_id=job.id), 303)
    except DomainError as refused:
        show_error(form, refused, default_field="completed_on")
        return False
    return True


@bp.route("/zgloszenia/<int:request_id>/realizacja", methods=["GET", "POST"])
@require_permission(Permission.MOVE_REQUEST)
def complete(request_id: int):
    job = visible_request(request_id)
    if not lifecycle.is_allowed(job.status, Status.COMPLETED, current_user.role):
        flash(_("This job cannot be completed now."), "error")
        return redirect(url_for("backoffice.request_page", request_id=request_id), 303)
    form = _completion_form(job, filled=False)
    if request.method == "GET":
        form.version.data = job.version
        form.completed_on.data = _today()
    if form.validate_on_submit():
        saved = _save_completion(services.complete_job, job, form)
        if saved is True:
            flash(_("The job has been completed."), "success")
            return redirect(url_for("backoffice.board"), 303)
        if saved is not False:
            return saved
    return _completion_page(form, job, correcting=False)


@bp.route("/zgloszenia/<int:request_id>/korekta-realizacji", methods=["GET", "POST"])
@require_permission(Permission.CORRECT_COMPLETION)
def correct_completion(request_id: int):
    job = visible_request(request_id)
    if job.status != Status.COMPLETED:
        flash(_("Only a completed job can be corrected here."), "error")
        return redirect(url_for("backoffice.request_page", request_id=request_id), 303)
    form = _completion_form(job, filled=request.method == "GET")
    if request.method == "GET":
        form.version.data = job.version
        form.outcome.data = job.outcome.value if job.outcome else "done"
    if form.validate_on_submit():
        saved = _save_completion(services.correct_completion, job, form)
        if saved is True:
            flash(_("The correction has been saved and recorded in the history."), "success")
            return redirect(url_for("backoffice.request_page", request_id=request_id), 303)
        if saved is not False:
            return saved
    return _completion_page(form, job, correcting=True)


def _completion_page(form: CompletionForm, job, *, correcting: bool):
    timezone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    choices = reply_queries.templates_for(job).get(Situation.NOT_DONE, [])
    chosen, text = reply_queries.filled_choice(job, choices, request.args.get("szablon", type=int))
    if chosen is not None and request.method == "GET":
        # "Insert the text": the reason box filled from the chosen ready text.
        form.not_done_reason.data = text
        form.outcome.data = Outcome.NOT_DONE.value
    return render_template(
        "backoffice/jobs/complete.html",
        form=form,
        job=job,
        correcting=correcting,
        earliest=services.submitted_on(job, timezone),
        today=_today(),
        reason_shown=services.shows_not_done_reason(),
        reply_choices=choices,
        chosen_id=chosen.id if chosen else None,
    )


def _hours_from_form() -> dict[int, str]:
    """Read the hours typed next to each trainee's name; an empty box means they did not work."""
    hours = {}
    for key, value in request.form.items():
        trainee_id = key.removeprefix("hours-")
        # isdecimal, not isdigit: int() refuses digits such as "²".
        if key.startswith("hours-") and trainee_id.isdecimal() and value.strip():
            hours[int(trainee_id)] = value
    return hours


@bp.post("/zgloszenia/<int:request_id>/praca")
@require_permission(Permission.LOG_WORK)
def log_work(request_id: int):
    from .requests import render_request_page

    job = visible_request(request_id)
    form = WorkLogForm(prefix="work")
    if form.validate_on_submit():
        try:
            worklog.log_work(
                job,
                Actor.of(current_user),
                worklog.WorkData(form.worked_on.data, form.description.data, _hours_from_form()),
                today=_today(),
            )
        except DomainError as refused:
            if refused.field == "trainees":  # the table of hours, not one field
                return render_request_page(job, work_form=form, work_error=_(refused.message))
            show_error(form, refused)
        else:
            flash(_("The work has been logged."), "success")
            return redirect(
                url_for("backoffice.request_page", request_id=request_id) + "#work-log", 303
            )
    return render_request_page(job, work_form=form)


@bp.route("/praca/<int:session_id>", methods=["GET", "POST"])
@require_permission(Permission.LOG_WORK)
def edit_work(session_id: int):
    session = db.session.get(WorkSession, session_id)
    if session is None or not can_view_request(current_user, session.request):
        abort(404)
    if not worklog.can_edit_session(current_user, session):
        abort(403)
    job = session.request
    form = WorkLogForm(prefix="work", obj=session if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = session.version
    error_message = None
    if form.validate_on_submit():
        try:
            worklog.correct_work(
                session,
                Actor.of(current_user),
                worklog.WorkData(form.worked_on.data, form.description.data, _hours_from_form()),
                today=_today(),
                expected_version=form.expected_version(),
            )
        except StaleEdit:
            error_message = _("This entry was changed in the meantime. Check it and try again.")
        except DomainError as refused:
            error_message = _(refused.message)
        else:
            flash(_("The work log entry has been changed."), "success")
            return redirect(
                url_for("backoffice.request_page", request_id=job.id) + "#work-log", 303
            )
    logged = {entry.trainee_id: entry.hours for entry in session.entries}
    trainees = {t.id: t for t in worklog.eligible_trainees(job.group_id, session.worked_on)}
    trainees.update({entry.trainee_id: entry.trainee for entry in session.entries})
    return render_template(
        "backoffice/jobs/edit_work.html",
        form=form,
        session=session,
        job=job,
        trainees=sorted(trainees.values(), key=lambda t: t.name),
        logged=logged,
        error_message=error_message,
    )
