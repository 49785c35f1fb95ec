"""The hours in which text messages may go out, in the club's local time.

A text that falls due at night waits for the morning: residents are older people, and a
phone that beeps at eleven at night about a trouser hem helps nobody. Times are stored
in UTC without a zone (as every timestamp column); the window is read in the club's zone,
so it follows the change to and from summer time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

_FORM = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class Window:
    opens: time
    closes: time
    zone: ZoneInfo

    @classmethod
    def parse(cls, text: str, zone: str) -> Window:
        """Read "08:00-20:00" in the given zone; raise ValueError for anything else."""
        match = _FORM.match(text or "")
        if not match:
            raise ValueError(f"SMS_WINDOW must look like 08:00-20:00, not {text!r}")
        hour_from, minute_from, hour_to, minute_to = (int(part) for part in match.groups())
        try:
            opens, closes = time(hour_from, minute_from), time(hour_to, minute_to)
        except ValueError:
            raise ValueError(f"SMS_WINDOW has an impossible time: {text!r}") from None
        if opens >= closes:
            raise ValueError(f"SMS_WINDOW must open before it closes, on the same day: {text!r}")
        return cls(opens, closes, ZoneInfo(zone))

    def is_open(self, moment: datetime) -> bool:
        """Whether a text may go out at moment (UTC, naive)."""
        local = _local(moment, self.zone)
        return self.opens <= local.time() < self.closes

    def next_opening(self, moment: datetime) -> datetime:
        """The next time (UTC, naive) the window opens after moment, or moment if it is open."""
        if self.is_open(moment):
            return moment
        local = _local(moment, self.zone)
        day = local.date() if local.time() < self.opens else local.date() + timedelta(days=1)
        opening = datetime.combine(day, self.opens, tzinfo=self.zone)
        return opening.astimezone(UTC).replace(tzinfo=None)


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.replace(tzinfo=UTC).astimezone(zone)
