"""The strategy's indicators in words and as a file: where each value comes from, numbers
written the Polish way, and the year's table as a spreadsheet in the form of the report."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import format_decimal
from flask_babel import gettext as _

from ..domain.indicators import MANUAL, Figure
from ..i18n import lazy_gettext as _l
from ..queries.indicators import IndicatorRow, IndicatorTable
from .files import Table, report_xlsx

# What each of the portal's figures counts, as the table says after "from the portal:".
FIGURE_LABELS = {
    Figure.SERVICES: _l("services done"),
    Figure.SERVICES_FOR_INSTITUTIONS: _l("services done for institutions"),
    Figure.RESIDENTS_SERVED: _l("residents served"),
    Figure.FIRST_TIME_RESIDENTS: _l("residents served for the first time"),
    Figure.INSTITUTIONS_SERVED: _l("institutions served"),
    Figure.JOBS_NOT_DONE: _l("jobs that could not be done"),
    Figure.PARTICIPANTS: _l("programme participants"),
    Figure.COMPLETED_PROGRAMME: _l("participants who completed the programme"),
    Figure.EMPLOYED_AFTER: _l("participants who took up employment after it"),
    Figure.INTERNSHIPS_AFTER: _l("participants who began an internship after it"),
    Figure.TRAINEE_HOURS: _l("hours worked by the trainees"),
}


def source_label(source: str) -> str:
    """Where an indicator's realised value comes from, in a few words."""
    if source == MANUAL:
        return _("entered by hand")
    return _("from the portal: %(figure)s", figure=FIGURE_LABELS[Figure(source)])


def source_choices() -> list[tuple[str, str]]:
    return [(MANUAL, source_label(MANUAL))] + [
        (figure.value, source_label(figure.value)) for figure in Figure
    ]


def row_note(row: IndicatorRow) -> str:
    """The note of the table: a computed value names its figure, one typed its own note."""
    if row.figure is None:
        return row.note
    return "; ".join(text for text in (source_label(row.figure.value), row.note) if text)


def format_amount(value: Decimal | int | None) -> str:
    """A planned or realised value as the locale writes it (12, 12,5, 1 234); None is blank."""
    if value is None:
        return ""
    return format_decimal(value, "#,##0.##")


def _number(value: Decimal | int | None):
    """A number as a spreadsheet number: whole ones as integers, empty cells for none."""
    if value is None:
        return ""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def indicators_sheet(table: IndicatorTable) -> Table:
    """The year's table with the action on every row, so the sheet can be sorted and filtered."""
    return Table(
        _("Indicators %(year)s", year=table.year),
        [
            _("Strategy action"),
            _("Indicator name"),
            _("Unit of measure"),
            _("Planned value"),
            _("Realised value"),
            _("%(sign)s of the plan", sign="%"),
            _("Notes"),
        ],
        [
            [
                group.action,
                row.indicator.name,
                row.indicator.unit,
                _number(row.planned),
                _number(row.realised),
                _number(row.percent),
                row_note(row),
            ]
            for group in table.actions
            for row in group.rows
        ],
    )


def indicators_xlsx(table: IndicatorTable) -> bytes:
    return report_xlsx([indicators_sheet(table)])


def export_name(year: int) -> str:
    return f"wskazniki-{year}.xlsx"
