"""Reply templates: the administrator's list and form, and filling one into a message box."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import queries
from ..domain.errors import DomainError
from ..domain.replies import PLACEHOLDERS, Situation
from ..labels import SITUATION_LABELS
from ..queries import replies as reply_queries
from ..services import replies
from ..web.formerrors import show_error
from ..web.permissions import Permission, require_permission
from . import bp
from .forms import EmptyForm, ReplyTemplateForm


def _form(template=None) -> ReplyTemplateForm:
    form = ReplyTemplateForm(obj=template)
    form.situation.choices = [(s.value, SITUATION_LABELS[s]) for s in Situation]
    form.category_id.choices = [("", _("Every service"))] + [
        (c.id, c.name) for c in queries.all_categories()
    ]
    if template is not None and not form.is_submitted():
        form.situation.data = template.situation.value
    return form


def _save(template, form):
    try:
        return replies.save_template(
            template,
            situation=form.situation.data,
            category_id=form.category_id.data,
            title=form.title.data,
            body=form.body.data,
            active=form.active.data,
        )
    except DomainError as refused:
        show_error(form, refused)
        return None


def _page(form, template=None):
    return render_template(
        "backoffice/replies/replies.html" if template is None else "backoffice/replies/reply.html",
        form=form,
        template=template,
        templates=reply_queries.all_templates() if template is None else [],
        placeholders=PLACEHOLDERS,
        situation_labels=SITUATION_LABELS,
    )


@bp.route("/gotowe-teksty", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_REPLIES)
def reply_templates():
    form = _form()
    if form.validate_on_submit() and _save(None, form) is not None:
        flash(_("The template has been added."), "success")
        return redirect(url_for("backoffice.reply_templates"), 303)
    return _page(form)


@bp.route("/gotowe-teksty/<int:template_id>", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_REPLIES)
def reply_template(template_id: int):
    template = reply_queries.template(template_id)
    if template is None:
        abort(404)
    form = _form(template)
    if form.validate_on_submit() and _save(template, form) is not None:
        flash(_("The changes have been saved."), "success")
        return redirect(url_for("backoffice.reply_templates"), 303)
    return _page(form, template)


@bp.post("/gotowe-teksty/<int:template_id>/usun")
@require_permission(Permission.MANAGE_REPLIES)
def delete_reply_template(template_id: int):
    template = reply_queries.template(template_id)
    if template is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    replies.delete_template(template)
    flash(_("The template has been removed."), "success")
    return redirect(url_for("backoffice.reply_templates"), 303)


@bp.get("/zgloszenia/<int:request_id>/gotowy-tekst")
@require_permission(Permission.MOVE_REQUEST)
def reply_text(request_id: int):
    """One move's message box with the chosen template filled in (htmx swaps it in)."""
    from .requests import message_field_context, visible_request

    service_request = visible_request(request_id)
    context = message_field_context(
        service_request,
        request.args.get("akcja", ""),
        request.args.get("szablon", type=int),
        group_id=request.args.get(request.args.get("akcja", "") + "-group_id", type=int),
    )
    if context is None:
        # No such move open now (or a link without one): the request's page shows what is.
        return redirect(url_for("backoffice.request_page", request_id=request_id), 303)
    return render_template("backoffice/requests/_message_field.html", **context)
