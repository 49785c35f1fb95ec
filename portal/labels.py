"""What statuses, channels and kinds are called, and what each status means to a resident."""

from flask_babel import lazy_gettext as _l

from .lifecycle import Role, Status
from .models import Channel, RequesterKind

STATUS_LABELS = {
    Status.SUBMITTED: _l("Received, waiting for review"),
    Status.NEEDS_INFO: _l("We need more information"),
    Status.ACCEPTED: _l("Accepted by the workshop"),
    Status.SCHEDULED: _l("Date arranged"),
    Status.IN_PROGRESS: _l("Work in progress"),
    Status.READY: _l("Ready for pick-up"),
    Status.COMPLETED: _l("Completed"),
    Status.DECLINED: _l("Declined"),
    Status.CANCELLED: _l("Cancelled"),
}

NEXT_STEPS = {
    Status.SUBMITTED: _l(
        "A member of staff will look at your request, usually within a few working days, "
        "and will call you to talk it over."
    ),
    Status.NEEDS_INFO: _l(
        "We need more information before we can go ahead. Please call us or wait for our call."
    ),
    Status.ACCEPTED: _l(
        "Your request has been passed to a workshop. We will call you to arrange a date."
    ),
    Status.SCHEDULED: _l(
        "A date has been arranged. If you cannot make it, please call us as soon as you can."
    ),
    Status.IN_PROGRESS: _l("The workshop is working on your request."),
    Status.READY: _l(
        "The work is done. You can pick up your item at the workshop during opening hours."
    ),
    Status.COMPLETED: _l("The service has been completed. Thank you for using the workshops."),
    Status.DECLINED: _l(
        "We cannot carry out this request. The reason is given below. "
        "If you have questions, please call us."
    ),
    Status.CANCELLED: _l("This request has been cancelled. You can send a new request at any time."),
}

EVENT_ACTORS = {
    Role.RESIDENT: _l("you"),
    Role.INSTRUCTOR: _l("workshop"),
    Role.STAFF: _l("office"),
    Role.ADMIN: _l("office"),
}

CHANNEL_LABELS = {
    Channel.ONLINE: _l("online form"),
    Channel.PHONE: _l("by phone"),
    Channel.IN_PERSON: _l("in person"),
    Channel.INSTITUTION: _l("from an institution"),
}

REQUESTER_KIND_LABELS = {
    RequesterKind.SENIOR: _l("senior"),
    RequesterKind.ASSISTED: _l("receiving social assistance"),
    RequesterKind.INSTITUTION: _l("institution"),
}
