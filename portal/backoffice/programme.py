"""The administrator's pages for programme editions and their trainees."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from .. import queries, services
from ..domain.errors import DomainError
from ..extensions import db
from ..models import Gender, ProgrammeEdition, Trainee
from ..services import programme
from ..web.formerrors import show_error
from ..web.permissions import Permission, require_permission
from . import bp
from .forms import EditionForm, TraineeForm


def _trainee_form(trainee=None, edition_id=None) -> TraineeForm:
    form = TraineeForm(obj=trainee)
    form.edition_id.choices = [
        (e.id, _("Edition %(number)s", number=e.number)) for e in queries.editions()
    ]
    form.group_id.choices = [(g.id, g.name) for g in queries.groups(active_only=True)]
    if trainee is not None and not form.is_submitted():
        form.gender.data = trainee.gender.value if trainee.gender else ""
        form.ended_because.data = trainee.ended_because.value if trainee.ended_because else ""
        form.after.data = trainee.after.value if trainee.after else ""
    if trainee is None and edition_id and not form.is_submitted():
        form.edition_id.data = edition_id
    return form


def _save_trainee(trainee, form) -> Trainee | None:
    try:
        return programme.save_trainee(
            trainee,
            name=form.name.data,
            edition_id=form.edition_id.data,
            group_id=form.group_id.data,
            gender=Gender(form.gender.data) if form.gender.data else None,
            active=form.active.data,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            ended_because=form.ended_because.data or None,
            after=form.after.data or None,
            after_on=form.after_on.data,
            today=services.local_today(current_app.config["BABEL_DEFAULT_TIMEZONE"]),
        )
    except DomainError as refused:
        show_error(form, refused)
        return None


@bp.route("/edycje", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_PROGRAMME)
def editions():
    form = EditionForm()
    if form.validate_on_submit():
        try:
            edition = programme.save_edition(
                None,
                number=form.number.data,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
            )
        except DomainError as refused:
            show_error(form, refused)
        else:
            flash(_("Edition %(number)s has been added.", number=edition.number), "success")
            return redirect(url_for("backoffice.edition", edition_id=edition.id), 303)
    return render_template(
        "backoffice/programme/editions.html", form=form, editions=queries.editions()
    )


@bp.route("/edycje/<int:edition_id>", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_PROGRAMME)
def edition(edition_id: int):
    found = db.session.get(ProgrammeEdition, edition_id)
    if found is None:
        abort(404)
    form = EditionForm(obj=found)
    if form.validate_on_submit():
        try:
            programme.save_edition(
                found,
                number=form.number.data,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
            )
        except DomainError as refused:
            show_error(form, refused)
        else:
            flash(_("The edition has been saved."), "success")
            return redirect(url_for("backoffice.edition", edition_id=edition_id), 303)
    return render_template(
        "backoffice/programme/edition.html",
        edition=found,
        form=form,
        trainee_form=_blank_trainee_form(edition_id),
    )


def _blank_trainee_form(edition_id):
    form = TraineeForm(formdata=None)
    form.edition_id.choices = [
        (e.id, _("Edition %(number)s", number=e.number)) for e in queries.editions()
    ]
    form.group_id.choices = [(g.id, g.name) for g in queries.groups(active_only=True)]
    form.edition_id.data = edition_id
    return form


@bp.post("/edycje/<int:edition_id>/uczestnicy")
@require_permission(Permission.MANAGE_PROGRAMME)
def add_trainee(edition_id: int):
    found = db.session.get(ProgrammeEdition, edition_id)
    if found is None:
        abort(404)
    form = _trainee_form(edition_id=edition_id)
    if form.validate_on_submit() and _save_trainee(None, form) is not None:
        flash(_("The trainee has been added."), "success")
        return redirect(url_for("backoffice.edition", edition_id=edition_id), 303)
    return render_template(
        "backoffice/programme/edition.html",
        edition=found,
        form=EditionForm(obj=found, formdata=None),
        trainee_form=form,
    )


@bp.route("/uczestnicy/<int:trainee_id>", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_PROGRAMME)
def trainee(trainee_id: int):
    found = db.session.get(Trainee, trainee_id)
    if found is None:
        abort(404)
    form = _trainee_form(found)
    if form.validate_on_submit() and _save_trainee(found, form) is not None:
        flash(_("The trainee has been saved."), "success")
        return redirect(url_for("backoffice.edition", edition_id=found.edition_id), 303)
    return render_template("backoffice/programme/trainee.html", trainee=found, form=form)
