"""The figures in words: the council sentence and Polish plural forms.

The council sentence ("wykonano N usług, w tym: ...") is built from gettext pieces and
the Polish plural forms each service category carries in `report_forms`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask_babel import format_date, gettext, ngettext

from ..domain.period import Period, PeriodKind
from ..i18n import current_language, setting_text
from ..models import RequesterKind, ServiceCategory
from ..queries.figures import (
    PersonsServed,
    ProgrammeFigures,
    ProjectRow,
    ServiceTotals,
)


def plural_index(number: int) -> int:
    """Return which Polish plural form a number takes: 0 one, 1 few, 2 many."""
    number = abs(number)
    if number == 1:
        return 0
    if 2 <= number % 10 <= 4 and not 12 <= number % 100 <= 14:
        return 1
    return 2


def plural_form(number: int, forms: str) -> str | None:
    """Pick the form for number from "one|few|many"; None when forms are not three."""
    parts = [part.strip() for part in (forms or "").split("|")]
    if len(parts) != 3 or not all(parts):
        return None
    return parts[plural_index(number)]


def count_phrase(number: int, category: ServiceCategory) -> str:
    """Say "686 usług krawieckich" from the category's forms, or fall back to its name."""
    # The forms are Polish; in another language the service's own name is said instead.
    form = plural_form(number, category.report_forms) if current_language() == "pl" else None
    if form is None:
        return gettext("%(name)s: %(num)s", name=setting_text(category, "name")[0], num=number)
    return f"{number} {form}"


def long_date(day: date) -> str:
    """Say a day in full: "5 marca 2026"."""
    return format_date(day, "d MMMM y")


def council_sentence(
    totals: ServiceTotals, period: Period, *, day_format: Callable[[date], str] | None = None
) -> str:
    """Say the period's totals in the words the club uses in its reports to the council."""
    day_format = day_format or long_date
    start, end = day_format(period.starts_on), day_format(period.ends_on)
    if totals.total == 0:
        return gettext(
            "In the period from %(start)s to %(end)s no services were carried out.",
            start=start,
            end=end,
        )
    parts = ", ".join(
        count_phrase(row.total, row.category) for row in totals.by_category if row.total
    )
    sentence = ngettext(
        "In the period from %(start)s to %(end)s, %(num)d service was carried out, including: %(parts)s.",
        "In the period from %(start)s to %(end)s, %(num)d services were carried out, including: %(parts)s.",
        totals.total,
        start=start,
        end=end,
        parts=parts,
    )
    institutions = totals.by_kind.get(RequesterKind.INSTITUTION, 0)
    if institutions:
        sentence += " " + ngettext(
            "%(num)d service was carried out in cooperation with other units of the welfare centre, "
            "city units and non-governmental organisations.",
            "%(num)d services were carried out in cooperation with other units of the welfare centre, "
            "city units and non-governmental organisations.",
            institutions,
        )
    return sentence


def month_name(month: date) -> str:
    """Say a month as a heading does: "Marzec 2026"."""
    name = format_date(month, "LLLL y")
    return name[:1].upper() + name[1:]


def period_covers(period: Period, today: date) -> str:
    """Say in words which days the figures count, e.g. for a year still running."""
    if period.starts_on <= today < period.ends_on:
        return gettext(
            "The figures count the days from %(start)s to today, %(today)s.",
            start=long_date(period.starts_on),
            today=long_date(today),
        )
    return gettext(
        "The figures count the days from %(start)s to %(end)s.",
        start=long_date(period.starts_on),
        end=long_date(period.ends_on),
    )


def period_title(period: Period) -> str:
    """Name the period the way a heading or a file says it."""
    year = period.starts_on.year
    if period.kind == PeriodKind.YEAR:
        return gettext("Year %(year)s", year=year)
    if period.kind == PeriodKind.HALF:
        if period.number == 1:
            return gettext("First half of %(year)s", year=year)
        return gettext("Second half of %(year)s", year=year)
    if period.kind == PeriodKind.QUARTER:
        return gettext("Quarter %(quarter)s of %(year)s", quarter=period.number, year=year)
    if period.kind == PeriodKind.MONTH:
        return month_name(period.starts_on)
    if period.kind == PeriodKind.SINCE:
        return gettext(
            "Cumulative since %(start)s (up to %(end)s)",
            start=long_date(period.starts_on),
            end=long_date(period.ends_on),
        )
    return gettext(
        "%(start)s – %(end)s", start=long_date(period.starts_on), end=long_date(period.ends_on)
    )


def persons_sentence(persons: PersonsServed) -> str | None:
    """Say how many residents and institutions the period's services went to."""
    parts = []
    if persons.residents:
        parts.append(
            ngettext("%(num)d resident", "%(num)d residents", persons.residents)
            + gettext(" (%(first)s of them for the first time)", first=persons.first_time)
        )
    if persons.institutions:
        parts.append(ngettext("%(num)d institution", "%(num)d institutions", persons.institutions))
    if not parts:
        return None
    if len(parts) == 2:
        return gettext(
            "The services went to %(residents)s and %(institutions)s.",
            residents=parts[0],
            institutions=parts[1],
        )
    return gettext("The services went to %(residents)s.", residents=parts[0])


def projects_sentence(projects: list[ProjectRow]) -> str | None:
    """Name the projects and events of the period: "including 12 services for …"."""
    parts = [
        ngettext(
            "%(num)d service for “%(name)s”",
            "%(num)d services for “%(name)s”",
            row.services,
            name=row.project.name,
        )
        for row in projects
        if row.services
    ]
    if not parts:
        return None
    return gettext("Including %(parts)s.", parts=", ".join(parts))


def programme_sentence(programme: ProgrammeFigures) -> str | None:
    """Say how many took part in the programme, and apart what followed in the period: an
    outcome counts on its own date, also for someone who took part earlier."""
    total = programme.total
    sentences = []
    if total.participants:
        sentence = ngettext(
            "%(num)d person took part in the programme",
            "%(num)d people took part in the programme",
            total.participants,
        )
        if total.women or total.men:
            sentence += gettext(
                " (including %(women)s and %(men)s)",
                women=ngettext("%(num)d woman", "%(num)d women", total.women),
                men=ngettext("%(num)d man", "%(num)d men", total.men),
            )
        sentences.append(sentence + ".")
    outcomes = []
    if total.completed:
        outcomes.append(
            ngettext(
                "%(num)d person completed the programme",
                "%(num)d people completed the programme",
                total.completed,
            )
        )
    if total.employed:
        outcomes.append(
            ngettext(
                "%(num)d took up employment after it",
                "%(num)d took up employment after it",
                total.employed,
            )
        )
    if total.internships:
        outcomes.append(
            ngettext(
                "%(num)d took up an internship after it",
                "%(num)d took up an internship after it",
                total.internships,
            )
        )
    if outcomes:
        sentences.append(gettext("In this period %(outcomes)s.", outcomes=", ".join(outcomes)))
    return " ".join(sentences) or None
