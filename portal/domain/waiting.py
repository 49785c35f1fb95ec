"""How long a resident usually waits, told as a range of weeks, never as a promise.

The estimate comes from the service's own recent work: how many of its jobs were done in
the last WINDOW_WEEKS weeks (its pace), and how many requests of the service are ahead in
the queue. The wait is the queue divided by the pace; the range runs from three quarters of
it to one and a half times it, in whole weeks, because a workshop's pace varies with its
trainees, its materials and the season. With fewer than ENOUGH_DONE jobs done in the window
there is no estimate: a pace read from two or three jobs would mislead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .lifecycle import OPEN, Status

WINDOW_WEEKS = 12
ENOUGH_DONE = 6
# Requests that still wait for the workshop's work: the open ones, but for a finished item
# waiting to be collected.
AHEAD = frozenset(OPEN - {Status.READY})
# The statuses in which a resident is told the usual wait: before a date is arranged.
TOLD = frozenset({Status.SUBMITTED, Status.NEEDS_INFO, Status.ACCEPTED})


@dataclass(frozen=True)
class WaitingEstimate:
    """The usual wait, from `low` to `high` weeks (both whole, `low` ≥ 1, `high` > `low`)."""

    low: int
    high: int


def estimate_wait(ahead: int, done_in_window: int) -> WaitingEstimate | None:
    """The usual wait of a request with `ahead` others of its service before it in the queue.

    done_in_window is how many of the service's jobs were done in the last WINDOW_WEEKS
    weeks. None when that is too few to judge the pace by.
    """
    if done_in_window < ENOUGH_DONE:
        return None
    per_week = done_in_window / WINDOW_WEEKS
    # The request itself is done after those ahead of it.
    weeks = (max(ahead, 0) + 1) / per_week
    low = max(1, math.floor(weeks * 0.75))
    high = max(low + 1, math.ceil(weeks * 1.5))
    return WaitingEstimate(low, high)
