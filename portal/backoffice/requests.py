"""One request's page: its data, photos, history, notes and the moves allowed now."""

from __future__ import annotations

import os
from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import audit, queries, services
from ..domain import lifecycle
from ..domain.actor import Actor
from ..domain.errors import DomainError, StaleEdit
from ..domain.lifecycle import Status
from ..extensions import db
from ..labels import SITUATION_OF_MOVE, STATUS_LABELS
from ..models import FeedbackChannel, Photo, WorkshopGroup, utcnow
from ..queries import choices as choice_queries
from ..queries import duplicates
from ..queries import replies as reply_queries
from ..services import custody, feedback, worklog
from ..web.formerrors import show_error
from ..web.permissions import (
    Permission,
    can_see_eligibility,
    can_view_request,
    has_permission,
    require_permission,
)
from . import bp
from .forms import (
    DropOffForm,
    EditRequestForm,
    NoteForm,
    ProjectLabelForm,
    RescheduleForm,
    StaffFeedbackForm,
    StatusChangeForm,
    WorkLogForm,
)


def visible_request(request_id: int):
    service_request = queries.request_for_office(request_id)
    if service_request is None:
        abort(404)
    if not can_view_request(current_user, service_request):
        abort(403)
    return service_request


# The moves offered on a request's page, in the order of the work: what usually comes next
# first, the ways of closing without a service last.
WORK_ORDER = [
    Status.ACCEPTED,
    Status.NEEDS_INFO,
    Status.SUBMITTED,
    Status.SCHEDULED,
    Status.IN_PROGRESS,
    Status.READY,
    Status.DUPLICATE,
    Status.DECLINED,
    Status.CANCELLED,
]


def duplicate_window_start():
    return utcnow() - timedelta(days=current_app.config["DUPLICATE_WINDOW_DAYS"])


def _status_forms(
    service_request,
    failed: StatusChangeForm | None = None,
    failed_target=None,
    related=(),
):
    """Build one small form per move this user may make on this request now, in work order."""
    forms = {}
    # The groups of the request's own service first; the first of them is the default.
    groups = sorted(
        queries.groups(active_only=True),
        key=lambda g: (g.category_id != service_request.category_id, g.name),
    )
    default_group = next(
        (g.id for g in groups if g.category_id == service_request.category_id), None
    )
    group_choices = _group_choices(groups)
    allowed = set(lifecycle.allowed_targets(service_request.status, current_user.role))
    for target in WORK_ORDER:
        if target not in allowed:
            continue  # completion has its own form, linked from the page
        if failed is not None and target == failed_target:
            form = failed
        else:
            form = StatusChangeForm(prefix=target.value, formdata=None)
            form.version.data = service_request.version
            if target == Status.ACCEPTED:
                form.group_id.data = service_request.group_id or default_group
            if target == Status.DUPLICATE:
                # The same person's newest other request still open, if there is one.
                form.duplicate_of.data = next(
                    (r.reference for r in related if r.status in lifecycle.OPEN), ""
                )
        form.group_id.choices = group_choices
        forms[target] = form
    return forms


def _group_choices(groups) -> list:
    # An empty first choice with a label: WTForms would show the value ("None") otherwise.
    return [("", _("— choose a group —"))] + [(group.id, group.name) for group in groups]


def render_request_page(
    service_request,
    status_forms=None,
    note_form=None,
    work_form=None,
    work_error=None,
    feedback_form=None,
    code=200,
    related=None,
    drop_off_form=None,
    reschedule_form=None,
    project_form=None,
):
    today = services.local_today(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    can_take_item = (
        has_permission(current_user, Permission.MOVE_REQUEST)
        and custody.takes_items(service_request)
        and service_request.status in custody.RECEIVABLE
    )
    if drop_off_form is None and can_take_item:
        held = service_request.custody
        drop_off_form = DropOffForm(formdata=None, obj=held)
        if held is None:
            drop_off_form.received_on.data = today
    if related is None:
        related = related_requests(service_request)
    status_forms = status_forms or _status_forms(service_request, related=related)
    reply_choices = reply_queries.templates_for(service_request) if status_forms else {}
    inserted = _inserted_template(service_request, status_forms, reply_choices)
    if work_form is None:
        work_form = WorkLogForm(prefix="work", formdata=None)
        work_form.worked_on.data = today
    can_log = (
        has_permission(current_user, Permission.LOG_WORK)
        and service_request.status in lifecycle.JOB
        and service_request.group_id is not None
    )
    return (
        render_template(
            "backoffice/requests/request.html",
            service_request=service_request,
            status_forms=status_forms,
            open_action=inserted or _open_action(status_forms),
            reply_choices={
                target: reply_choices.get(SITUATION_OF_MOVE.get(target), [])
                for target in status_forms
            },
            chosen_template=request.args.get("szablon", type=int) if inserted else None,
            related=related,
            note_form=note_form or NoteForm(formdata=None),
            work_form=work_form,
            work_error=work_error,
            can_log_work=can_log,
            trainees=worklog.eligible_trainees(service_request.group_id, today) if can_log else [],
            work_sessions=queries.work_sessions_of(service_request.id),
            can_complete=lifecycle.is_allowed(
                service_request.status, Status.COMPLETED, current_user.role
            ),
            can_correct_completion=has_permission(current_user, Permission.CORRECT_COMPLETION)
            and service_request.status == Status.COMPLETED,
            can_edit_session=worklog.can_edit_session,
            show_eligibility=can_see_eligibility(current_user),
            can_edit=has_permission(current_user, Permission.EDIT_REQUEST)
            and lifecycle.may_change_record(service_request.status, current_user.role),
            requirements=lifecycle.REQUIREMENTS,
            drop_off_form=drop_off_form if can_take_item else None,
            reschedule_form=_reschedule_form(service_request, reschedule_form),
            project_form=project_form or _project_form(service_request),
            now=utcnow(),
            feedback_form=(feedback_form or StaffFeedbackForm(formdata=None))
            if has_permission(current_user, Permission.RECORD_FEEDBACK)
            and feedback.asks_for_feedback(service_request)
            else None,
        ),
        code,
    )


def message_field_context(service_request, target: str, template_id: int | None, group_id=None):
    """A move's message box with a template filled in, or None if the move is not open.

    What the template's placeholders need from the move itself (the date being arranged)
    stays as a placeholder until the move is saved.
    """
    try:
        target = Status(target)
    except ValueError:
        return None
    if not lifecycle.is_allowed(service_request.status, target, current_user.role):
        return None
    form = StatusChangeForm(prefix=target.value, formdata=None)
    choices = reply_queries.templates_for(service_request).get(SITUATION_OF_MOVE.get(target), [])
    group = db.session.get(WorkshopGroup, group_id) if group_id else None
    chosen, text = reply_queries.filled_choice(service_request, choices, template_id, group=group)
    if chosen is not None:
        form.note.data = text
    return {
        "form": form,
        "target": target,
        "needs": lifecycle.REQUIREMENTS.get(target, frozenset()),
        "service_request": service_request,
        "choices": choices,
        "chosen_id": chosen.id if chosen else None,
    }


def _inserted_template(service_request, status_forms: dict, reply_choices: dict):
    """Without a script, "insert the text" reloads the page with ?akcja=...&szablon=...:
    fill that move's box and return the move, to show it open."""
    try:
        target = Status(request.args.get("akcja", ""))
    except ValueError:
        return None
    chosen, text = reply_queries.filled_choice(
        service_request,
        reply_choices.get(SITUATION_OF_MOVE.get(target), []),
        request.args.get("szablon", type=int),
    )
    if target not in status_forms or chosen is None:
        return None
    status_forms[target].note.data = text
    return target


def _open_action(status_forms: dict):
    """The move shown open: the one whose form came back with an error, else the first
    that goes on with the work (closing without a service is never opened by default)."""
    for target, form in status_forms.items():
        if any(field.errors for field in form):
            return target
    return next((t for t in status_forms if t not in lifecycle.CLOSED_WITHOUT_SERVICE), None)


def _reschedule_form(service_request, failed=None):
    """The form that moves an arranged date, for those who may arrange one; else None."""
    if service_request.status != Status.SCHEDULED or not lifecycle.is_allowed(
        Status.ACCEPTED, Status.SCHEDULED, current_user.role
    ):
        return None
    if failed is not None:
        return failed
    form = RescheduleForm(prefix="reschedule", formdata=None, obj=service_request)
    form.note.data = ""
    form.version.data = service_request.version
    return form


@bp.post("/zgloszenia/<int:request_id>/termin")
@require_permission(Permission.MOVE_REQUEST)
def reschedule(request_id: int):
    """Move the arranged date: the history keeps both, the resident is told."""
    service_request = visible_request(request_id)
    form = RescheduleForm(prefix="reschedule")
    if not form.validate_on_submit():
        return render_request_page(service_request, reschedule_form=form)
    try:
        services.reschedule(
            service_request,
            Actor.of(current_user),
            scheduled_for=form.scheduled_for.data,
            scheduled_time=form.scheduled_time.data or "",
            survey_visit=bool(form.survey_visit.data),
            note=form.note.data or "",
            expected_version=form.expected_version(),
        )
    except StaleEdit:
        flash(
            _(
                "Someone else changed this request in the meantime, so nothing was saved. "
                "Below is its current state; check it and try again."
            ),
            "error",
        )
        return redirect(url_for("backoffice.request_page", request_id=request_id), 303)
    except DomainError as refused:
        show_error(form, refused)
        return render_request_page(service_request, reschedule_form=form)
    flash(_("The date has been changed; the resident is told."), "success")
    return redirect(url_for("backoffice.request_page", request_id=request_id), 303)


def related_requests(service_request) -> list:
    """The same person's other requests, for those who triage (instructors see jobs only)."""
    if not has_permission(current_user, Permission.TRIAGE):
        return []
    return duplicates.related_to(service_request, closed_since=duplicate_window_start())


@bp.get("/zgloszenia/<int:request_id>")
@require_permission(Permission.VIEW_REQUEST)
def request_page(request_id: int):
    service_request = visible_request(request_id)
    page = render_request_page(service_request)
    audit.record(current_user, audit.AuditAction.VIEW_REQUEST, service_request.id)
    return page


@bp.post("/zgloszenia/<int:request_id>/status/<target>")
@require_permission(Permission.MOVE_REQUEST)
def change_status(request_id: int, target: str):
    service_request = visible_request(request_id)
    try:
        target_status = Status(target)
    except ValueError:
        abort(404)
    if target_status == Status.COMPLETED:
        return redirect(url_for("backoffice.complete", request_id=request_id), 303)
    form = StatusChangeForm(prefix=target_status.value)
    form.group_id.choices = _group_choices(queries.groups(active_only=True))
    related = related_requests(service_request)
    if not form.validate_on_submit():
        return render_request_page(
            service_request,
            _status_forms(service_request, form, target_status, related),
            related=related,
        )
    try:
        services.move_request(
            service_request,
            target_status,
            Actor.of(current_user),
            note=form.note.data,
            group_id=form.group_id.data,
            scheduled_for=form.scheduled_for.data,
            scheduled_time=form.scheduled_time.data,
            duplicate_of=form.duplicate_of.data or "",
            survey_visit=bool(form.survey_visit.data),
            expected_version=form.expected_version(),
        )
    except StaleEdit:
        flash(
            _(
                "Someone else changed this request in the meantime, so nothing was saved. "
                "Below is its current state; check it and try again."
            ),
            "error",
        )
        return redirect(url_for("backoffice.request_page", request_id=request_id), 303)
    except lifecycle.TransitionNotAllowed as refused:
        show_error(form, refused)
        return redirect(url_for("backoffice.request_page", request_id=request_id), 303)
    except DomainError as refused:
        # What is missing or wrong is shown at its field, with what was typed kept.
        show_error(form, refused)
        return render_request_page(
            service_request,
            _status_forms(service_request, form, target_status, related),
            related=related,
        )
    flash(_("Status changed: %(status)s.", status=_status_label(target_status)), "success")
    return redirect(url_for("backoffice.request_page", request_id=request_id), 303)


def _status_label(status: Status) -> str:
    return str(STATUS_LABELS[status])


def _project_form(service_request, formdata=None) -> ProjectLabelForm | None:
    """The project label's form, for office staff when the club keeps any projects."""
    if not has_permission(current_user, Permission.EDIT_REQUEST):
        return None
    projects = choice_queries.projects(service_request.project_id)
    if not projects:
        return None
    form = ProjectLabelForm(formdata=formdata)
    form.project_id.choices = [(None, _("none"))] + [(p.id, p.name) for p in projects]
    if formdata is None:
        form.project_id.data = service_request.project_id
    return form


@bp.post("/zgloszenia/<int:request_id>/projekt")
@require_permission(Permission.EDIT_REQUEST)
def label_project(request_id: int):
    service_request = visible_request(request_id)
    form = _project_form(service_request, formdata=request.form)
    if form is None:
        abort(404)
    if not form.validate_on_submit():
        return render_request_page(service_request, project_form=form, code=400)
    try:
        changed = services.set_project(
            service_request, form.project_id.data, Actor.of(current_user)
        )
    except DomainError as refused:
        show_error(form, refused, default_field="project_id")
        return render_request_page(service_request, project_form=form, code=400)
    if changed is not None:
        flash(_("The project or event has been saved."), "success")
    return redirect(url_for("backoffice.request_page", request_id=request_id) + "#project", 303)


@bp.post("/zgloszenia/<int:request_id>/notatki")
@require_permission(Permission.ADD_NOTE)
def add_note(request_id: int):
    service_request = visible_request(request_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return render_request_page(service_request, note_form=form)
    try:
        services.add_note(service_request, form.body.data, Actor.of(current_user))
    except DomainError as refused:
        show_error(form, refused, default_field="body")
        return render_request_page(service_request, note_form=form)
    flash(_("The note has been added."), "success")
    return redirect(url_for("backoffice.request_page", request_id=request_id) + "#history", 303)


@bp.post("/zgloszenia/<int:request_id>/opinia")
@require_permission(Permission.RECORD_FEEDBACK)
def record_feedback(request_id: int):
    """Write down the resident's satisfaction answers given by phone or on paper."""
    service_request = visible_request(request_id)
    form = StaffFeedbackForm()
    if not form.validate_on_submit():
        return render_request_page(service_request, feedback_form=form)
    try:
        feedback.record_feedback(
            service_request,
            feedback.FeedbackAnswers(
                as_agreed=form.as_agreed.data or None,
                contact=form.contact.data or None,
                comment=form.comment.data or "",
            ),
            Actor.of(current_user),
            channel=FeedbackChannel(form.channel.data),
        )
    except DomainError as refused:
        show_error(form, refused)
        return render_request_page(service_request, feedback_form=form)
    flash(_("The resident's answers have been recorded."), "success")
    return redirect(url_for("backoffice.request_page", request_id=request_id) + "#feedback", 303)


@bp.route("/zgloszenia/<int:request_id>/edycja", methods=["GET", "POST"])
@require_permission(Permission.EDIT_REQUEST)
def edit_request(request_id: int):
    service_request = visible_request(request_id)
    categories = queries.all_categories()
    form = EditRequestForm(
        categories, obj=service_request if not request.method == "POST" else None
    )
    if not request.method == "POST":
        form.version.data = service_request.version
    stale = False
    if form.validate_on_submit():
        changes = {name: getattr(form, name).data for name in services.EDITABLE_FIELDS}
        try:
            services.correct_request(
                service_request,
                changes,
                Actor.of(current_user),
                expected_version=form.expected_version(),
            )
        except StaleEdit:
            service_request = visible_request(request_id)
            form.version.data = service_request.version
            stale = True
        except DomainError as refused:
            show_error(form, refused)
        else:
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("backoffice.request_page", request_id=request_id), 303)
    return render_template(
        "backoffice/requests/edit_request.html",
        form=form,
        service_request=service_request,
        stale=stale,
        show_eligibility=can_see_eligibility(current_user),
    )


@bp.get("/zgloszenia/<int:request_id>/zdjecia/<int:photo_id>")
@require_permission(Permission.VIEW_REQUEST)
def photo(request_id: int, photo_id: int):
    service_request = visible_request(request_id)
    found = db.session.get(Photo, photo_id)
    if found is None or found.request_id != service_request.id:
        abort(404)
    path = os.path.join(current_app.config["UPLOAD_FOLDER"], found.stored_name)
    if not os.path.exists(path):
        abort(404)
    response = send_file(path, mimetype="image/jpeg", max_age=0)
    response.headers["Content-Disposition"] = "inline"
    audit.record(current_user, audit.AuditAction.VIEW_PHOTO, request_id, f"photo={photo_id}")
    return response
