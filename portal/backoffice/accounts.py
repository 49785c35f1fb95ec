"""The administrator's pages: accounts and roles, workshop groups."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import queries
from ..domain.errors import DomainError
from ..domain.lifecycle import Role
from ..extensions import db
from ..models import User, WorkshopGroup
from ..services import accounts, twofactor
from ..services import sessions as session_records
from ..web import sessions
from ..web.formerrors import show_error
from ..web.permissions import Permission, require_permission
from . import bp
from .forms import AccountForm, EmptyForm, GroupForm, NewAccountForm


@bp.route("/konta", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_ACCOUNTS)
def accounts_list():
    form = NewAccountForm()
    new_password = None
    if form.validate_on_submit():
        try:
            user, new_password = accounts.create_user(
                form.email.data, form.name.data, Role(form.role.data)
            )
        except DomainError as refused:
            show_error(form, refused)
        else:
            flash(_("The account of %(name)s has been created.", name=user.name), "success")
            return render_template(
                "backoffice/accounts/password_once.html", user=user, password=new_password
            )
    return render_template("backoffice/accounts/accounts.html", form=form, users=queries.accounts())


def _account_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/konta/<int:user_id>", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_ACCOUNTS)
def edit_account(user_id: int):
    user = _account_or_404(user_id)
    form = AccountForm(obj=user)
    groups = queries.groups()
    form.groups.choices = [(group.id, group.name) for group in groups]
    if not form.is_submitted():
        form.groups.data = [group.id for group in user.groups]
        form.role.data = user.role.value
    if form.validate_on_submit():
        try:
            accounts.update_user(
                user,
                name=form.name.data,
                role=Role(form.role.data),
                active=form.active.data,
                group_ids=form.groups.data or [],
                acting=current_user,
            )
        except DomainError as refused:
            show_error(form, refused)
        else:
            flash(_("The account has been saved."), "success")
            return redirect(url_for("backoffice.accounts_list"), 303)
    return render_template(
        "backoffice/accounts/account.html",
        form=form,
        user=user,
        reset_form=EmptyForm(),
        live_sessions=session_records.live_sessions(user.id),
        two_factor_on=twofactor.has_two_factor(user),
    )


@bp.post("/konta/<int:user_id>/nowe-haslo")
@require_permission(Permission.MANAGE_ACCOUNTS)
def reset_password(user_id: int):
    user = _account_or_404(user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    password = accounts.reset_password(user, acting=current_user)
    return render_template("backoffice/accounts/password_once.html", user=user, password=password)


@bp.post("/konta/<int:user_id>/wyloguj")
@require_permission(Permission.MANAGE_ACCOUNTS)
def end_account_sessions(user_id: int):
    """Log the account out everywhere (ASVS 7.4.5), e.g. after a lost or shared computer."""
    user = _account_or_404(user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        count = session_records.end_other_sessions(user, keep=sessions.current_record())
    else:
        count = session_records.end_sessions(user, actor=current_user)
    flash(_("Sessions ended: %(count)s.", count=count), "success")
    return redirect(url_for("backoffice.edit_account", user_id=user.id, _anchor="sessions"), 303)


@bp.post("/konta/<int:user_id>/dwuetapowe")
@require_permission(Permission.MANAGE_ACCOUNTS)
def reset_two_factor(user_id: int):
    """Turn off someone's two-factor login, e.g. after a lost phone; their sessions end."""
    user = _account_or_404(user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    twofactor.reset(user, actor=current_user)
    flash(
        _("Two-factor login of %(name)s is off; they are logged out everywhere.", name=user.name),
        "success",
    )
    return redirect(url_for("backoffice.edit_account", user_id=user.id, _anchor="two-factor"), 303)


def _group_form(group: WorkshopGroup | None = None) -> GroupForm:
    form = GroupForm(obj=group)
    form.category_id.choices = [(c.id, c.name) for c in queries.all_categories()]
    return form


def _saved_group(group: WorkshopGroup | None, form: GroupForm) -> bool:
    """Save the form into the group (a new one when None); put a refusal at its field."""
    try:
        accounts.save_group(
            group,
            name=form.name.data,
            category_id=form.category_id.data,
            location=form.location.data,
            opening_hours=form.opening_hours.data,
            active=form.active.data,
        )
    except DomainError as refused:
        show_error(form, refused)
        return False
    return True


@bp.route("/grupy", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_GROUPS)
def groups_list():
    form = _group_form()
    if form.validate_on_submit() and _saved_group(None, form):
        flash(_("The group has been added."), "success")
        return redirect(url_for("backoffice.groups_list"), 303)
    return render_template(
        "backoffice/accounts/groups.html", form=form, groups=queries.groups(with_instructors=True)
    )


@bp.route("/grupy/<int:group_id>", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_GROUPS)
def edit_group(group_id: int):
    group = db.session.get(WorkshopGroup, group_id)
    if group is None:
        abort(404)
    form = _group_form(group)
    if form.validate_on_submit() and _saved_group(group, form):
        flash(_("The group has been saved."), "success")
        return redirect(url_for("backoffice.groups_list"), 303)
    return render_template("backoffice/accounts/group.html", form=form, group=group)
