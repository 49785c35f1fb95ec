"""The home page's impact line: the services done since the club began counting, by service.

The figures are the council report's own (`figures.service_totals` over the cumulative
period from the first day counted to today, past totals included), said in one sentence
with the Polish plural forms each service carries.
"""

from __future__ import annotations

from datetime import date

from babel.lists import format_list
from flask_babel import get_locale, ngettext

from ..domain.period import Period
from ..queries import figures
from ..queries.figures import ServiceTotals
from .wording import count_phrase


def impact_sentence(since: date, totals: ServiceTotals) -> str | None:
    """Say how many services were done since the day, by service; None when there are none."""
    if not totals.total:
        return None
    parts = format_list(
        [count_phrase(row.total, row.category) for row in totals.by_category if row.total],
        locale=get_locale(),
    )
    return ngettext(
        "Since %(year)s, our workshops have carried out %(num)d service free of charge: %(parts)s.",
        "Since %(year)s, our workshops have carried out %(num)d services free of charge: "
        "%(parts)s.",
        totals.total,
        year=since.year,
        parts=parts,
    )


def impact_line(today: date) -> str | None:
    """Count and say the services since the first day counted; four queries."""
    since = figures.first_counted_day()
    if since is None or since > today:
        return None
    return impact_sentence(since, figures.service_totals(Period.since(since, today)))
