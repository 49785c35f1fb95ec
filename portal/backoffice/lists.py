"""The administrator's short lists: reasons a job could not be done, projects and events."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from wtforms import BooleanField, DateField, StringField
from wtforms.validators import InputRequired, Length, Optional

from ..domain.errors import DomainError
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import NotDoneReason, Project
from ..queries import choices as choice_queries
from ..services import choices
from ..web.formerrors import show_error
from ..web.forms import BaseForm
from ..web.inputguard import bounded_date
from ..web.permissions import Permission, require_permission
from . import bp


class ReasonForm(BaseForm):
    label = StringField(
        _l("Reason"),
        validators=[
            InputRequired(_l("Write the reason.")),
            Length(max=120, message=_l("Write up to 120 characters.")),
        ],
    )
    active = BooleanField(_l("On the list (offered when a job is completed)"), default=True)


class ProjectForm(BaseForm):
    name = StringField(
        _l("Name of the project or event"),
        validators=[
            InputRequired(_l("Write the name of the project or event.")),
            Length(max=160, message=_l("Write up to 160 characters.")),
        ],
    )
    starts_on = DateField(_l("From (optional)"), validators=[Optional(), bounded_date()])
    ends_on = DateField(_l("To (optional)"), validators=[Optional(), bounded_date()])
    active = BooleanField(_l("Offered to staff"), default=True)


def _saved(save, form) -> bool:
    try:
        save()
    except DomainError as refused:
        show_error(form, refused)
        return False
    return True


@bp.route("/powody-niewykonania", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_BASELINE)
def not_done_reasons():
    form = ReasonForm()
    if form.validate_on_submit() and _saved(
        lambda: choices.save_not_done_reason(None, label=form.label.data, active=True), form
    ):
        flash(_("The reason has been added to the list."), "success")
        return redirect(url_for("backoffice.not_done_reasons"), 303)
    return render_template(
        "backoffice/lists/reasons.html", form=form, reasons=choice_queries.all_not_done_reasons()
    )


@bp.route("/powody-niewykonania/<int:reason_id>", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_BASELINE)
def not_done_reason(reason_id: int):
    reason = db.session.get(NotDoneReason, reason_id)
    if reason is None:
        abort(404)
    form = ReasonForm(obj=reason)
    if form.validate_on_submit() and _saved(
        lambda: choices.save_not_done_reason(
            reason, label=form.label.data, active=form.active.data
        ),
        form,
    ):
        flash(_("The reason has been saved."), "success")
        return redirect(url_for("backoffice.not_done_reasons"), 303)
    return render_template("backoffice/lists/reason.html", form=form, reason=reason)


@bp.route("/projekty", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_BASELINE)
def projects():
    form = ProjectForm()
    if form.validate_on_submit() and _saved(
        lambda: choices.save_project(
            None,
            name=form.name.data,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            active=True,
        ),
        form,
    ):
        flash(_("The project or event has been added."), "success")
        return redirect(url_for("backoffice.projects"), 303)
    return render_template(
        "backoffice/lists/projects.html", form=form, projects=choice_queries.all_projects()
    )


@bp.route("/projekty/<int:project_id>", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_BASELINE)
def project(project_id: int):
    found = db.session.get(Project, project_id)
    if found is None:
        abort(404)
    form = ProjectForm(obj=found)
    if form.validate_on_submit() and _saved(
        lambda: choices.save_project(
            found,
            name=form.name.data,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            active=form.active.data,
        ),
        form,
    ):
        flash(_("The project or event has been saved."), "success")
        return redirect(url_for("backoffice.projects"), 303)
    return render_template("backoffice/lists/project.html", form=form, project=found)
