"""Report periods: a year, half-year, quarter, month, a range of days, or since a day."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .errors import N_, DomainError


class PeriodKind(StrEnum):
    YEAR = "year"
    HALF = "half"
    QUARTER = "quarter"
    MONTH = "month"
    RANGE = "range"
    SINCE = "since"


class PeriodError(DomainError):
    """A period that cannot be; `field` names the value at fault."""


@dataclass(frozen=True)
class Period:
    """A stretch of days, first and last included, and how it was chosen."""

    kind: PeriodKind
    starts_on: date
    ends_on: date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(PeriodKind.YEAR, date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def half(cls, year: int, half: int) -> Period:
        if half not in (1, 2):
            raise PeriodError(N_("Choose the first or the second half-year."), field="half")
        first_month = 1 if half == 1 else 7
        return cls(PeriodKind.HALF, date(year, first_month, 1), _month_end(year, first_month + 5))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if quarter not in (1, 2, 3, 4):
            raise PeriodError(N_("Choose a quarter from 1 to 4."), field="quarter")
        first_month = 3 * (quarter - 1) + 1
        return cls(
            PeriodKind.QUARTER, date(year, first_month, 1), _month_end(year, first_month + 2)
        )

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        if not 1 <= month <= 12:
            raise PeriodError(N_("Choose a month."), field="month")
        return cls(PeriodKind.MONTH, date(year, month, 1), _month_end(year, month))

    @classmethod
    def between(cls, starts_on: date, ends_on: date) -> Period:
        if ends_on < starts_on:
            raise PeriodError(
                N_("The end date must not be before the start date."), field="date_to"
            )
        return cls(PeriodKind.RANGE, starts_on, ends_on)

    @classmethod
    def since(cls, starts_on: date, today: date) -> Period:
        """Count everything from a start date up to today: the club's cumulative total."""
        if starts_on > today:
            raise PeriodError(N_("The start date must not be in the future."), field="since")
        return cls(PeriodKind.SINCE, starts_on, today)

    @property
    def number(self) -> int:
        """Which half-year, quarter or month of its year the period is."""
        month = self.starts_on.month
        if self.kind == PeriodKind.HALF:
            return 1 if month <= 6 else 2
        if self.kind == PeriodKind.QUARTER:
            return (month - 1) // 3 + 1
        return month

    def months(self) -> list[date]:
        """Return the first day of every month the period touches."""
        first = self.starts_on.year * 12 + self.starts_on.month - 1
        last = self.ends_on.year * 12 + self.ends_on.month - 1
        return [date(index // 12, index % 12 + 1, 1) for index in range(first, last + 1)]


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])
