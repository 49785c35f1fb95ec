"""The read side: every page's data loaded in a fixed number of queries.

`requests` holds the queue, one request for the office or the resident, the board and
the catalogue (the institution, services, groups, editions, accounts); `figures` the
aggregates of the reports; `waiting` the counts behind a waiting estimate. The first and
the last are importable from here.
"""

from .requests import (
    BOARD_COLUMNS,
    STATUS_SETS,
    QueueFilters,
    QueuePage,
    accounts,
    active_categories,
    all_categories,
    board_crews,
    editions,
    groups,
    institution,
    jobs_for,
    queue,
    request_by_reference_and_phone,
    request_by_token,
    request_for_office,
    status_counts,
    usual_hours,
    work_sessions_of,
)
from .waiting import estimate_for, estimates_by_service

__all__ = [
    "BOARD_COLUMNS",
    "QueueFilters",
    "QueuePage",
    "STATUS_SETS",
    "accounts",
    "active_categories",
    "all_categories",
    "board_crews",
    "editions",
    "estimate_for",
    "estimates_by_service",
    "groups",
    "institution",
    "jobs_for",
    "queue",
    "request_by_reference_and_phone",
    "request_by_token",
    "request_for_office",
    "status_counts",
    "usual_hours",
    "work_sessions_of",
]
