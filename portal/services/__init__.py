"""The write side: every use case as one plain function taking plain values and an actor.

A service checks what the domain allows, changes the models, records the history,
queues the notifications and commits once; when it refuses or fails it rolls back its
own work before raising a `DomainError` or `StaleEdit`. It never reads the HTTP
request or the logged-in user, so the views, the commands and the tests call it alike.
The request's own use cases are importable from here; the others live in the modules
named after their area (`worklog`, `programme`, `accounts`, ...).
"""

from .requests import (
    EDITABLE_FIELDS,
    MOVES,
    RequestData,
    Submission,
    accept_request,
    add_note,
    answer_question,
    ask_for_information,
    board_move,
    cancel_by_resident,
    cancel_request,
    close_as_duplicate,
    complete_job,
    correct_completion,
    correct_request,
    decline_request,
    edition_running_on,
    local_today,
    mark_ready,
    move_request,
    reschedule,
    resume_review,
    schedule_job,
    set_project,
    shows_not_done_reason,
    start_job,
    submit_request,
    submitted_on,
    undo_board_move,
)

__all__ = [
    "EDITABLE_FIELDS",
    "MOVES",
    "RequestData",
    "Submission",
    "accept_request",
    "add_note",
    "answer_question",
    "ask_for_information",
    "board_move",
    "cancel_by_resident",
    "cancel_request",
    "close_as_duplicate",
    "complete_job",
    "correct_completion",
    "correct_request",
    "decline_request",
    "edition_running_on",
    "local_today",
    "mark_ready",
    "move_request",
    "reschedule",
    "resume_review",
    "schedule_job",
    "set_project",
    "shows_not_done_reason",
    "start_job",
    "submit_request",
    "submitted_on",
    "undo_board_move",
]
