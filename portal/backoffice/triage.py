"""The queue: every request that needs a person's attention, filtered and searched."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, redirect, request
from flask_login import current_user

from .. import labels, queries
from ..domain.lifecycle import Status
from ..i18n import lazy_gettext as _l
from ..models import Channel, RequesterKind, utcnow
from ..queries import duplicates
from ..web import htmx
from ..web.permissions import Permission, has_permission, require_permission, sees_all_requests
from . import bp
from .forms import QueueFilterForm

STATUS_SET_LABELS = {
    "waiting": _l("Waiting to be checked"),
    "jobs": _l("In the workshops"),
    "open": _l("All open"),
    "closed": _l("Closed"),
    "all": _l("All"),
}


@bp.get("/")
@require_permission(Permission.VIEW_QUEUE)
def start():
    from .auth import start_page

    return redirect(start_page(current_user))


def _filter_form() -> QueueFilterForm:
    form = QueueFilterForm(request.args)
    default_set = "waiting" if sees_all_requests(current_user) else "jobs"
    form.status.choices = [(key, label) for key, label in STATUS_SET_LABELS.items()] + [
        (status.value, labels.STATUS_LABELS[status]) for status in Status
    ]
    if not request.args.get("status"):
        form.status.data = default_set
    form.category.choices = [(None, _l("All services"))] + [
        (c.id, c.name) for c in queries.all_categories()
    ]
    visible_groups = queries.groups()
    if not sees_all_requests(current_user):
        visible_groups = [g for g in visible_groups if g.id in current_user.group_ids]
    form.group.choices = [(None, _l("All groups"))] + [(g.id, g.name) for g in visible_groups]
    form.channel.choices = [("", _l("All channels"))] + [
        (c.value, labels.CHANNEL_LABELS[c]) for c in Channel
    ]
    form.kind.choices = [("", _l("Everyone"))] + [
        (k.value, labels.REQUESTER_KIND_LABELS[k]) for k in RequesterKind
    ]
    form.sort.choices = [("oldest", _l("Oldest first")), ("newest", _l("Newest first"))]
    form.validate()
    return form


@bp.get("/zgloszenia")
@require_permission(Permission.VIEW_QUEUE)
def queue():
    form = _filter_form()
    filters = queries.QueueFilters(
        status=form.status.data or "waiting",
        category_id=form.category.data if not form.category.errors else None,
        group_id=form.group.data if not form.group.errors else None,
        channel=form.channel.data or "",
        kind=form.kind.data or "",
        date_from=form.date_from.data if not form.date_from.errors else None,
        date_to=form.date_to.data if not form.date_to.errors else None,
        search=(form.q.data or "") if not form.q.errors else "",
        newest_first=form.sort.data == "newest",
        page=form.page.data if form.page.data and not form.page.errors else 1,
    )
    config = current_app.config
    result = queries.queue(
        filters,
        current_user,
        page_size=config["QUEUE_PAGE_SIZE"],
        timezone=config["BABEL_DEFAULT_TIMEZONE"],
    )
    # The same person's other requests are the office's business, not the workshop's.
    repeated = (
        duplicates.flagged(
            result.items,
            closed_since=utcnow() - timedelta(days=config["DUPLICATE_WINDOW_DAYS"]),
        )
        if has_permission(current_user, Permission.TRIAGE)
        else set()
    )
    context = {
        "form": form,
        "result": result,
        "repeated": repeated,
        "filters": filters,
        "stale_before": utcnow() - timedelta(days=config["QUEUE_STALE_DAYS"]),
        "stale_days": config["QUEUE_STALE_DAYS"],
        "now": utcnow(),
        "status_set_labels": STATUS_SET_LABELS,
        "page_args": {k: v for k, v in request.args.items() if k != "page" and v},
    }
    return htmx.render_page_or_partial(
        "backoffice/triage/queue.html", "backoffice/triage/_queue_results.html", **context
    )
