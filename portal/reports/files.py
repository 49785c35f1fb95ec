"""The report as files: CSV (semicolons, for a Polish spreadsheet) and XLSX.

Exports leave the back office, so they carry aggregates only: no resident and no trainee
is named in them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..i18n import format_hours
from ..i18n import lazy_gettext as _l
from ..labels import (
    AS_AGREED_LABELS,
    CONTACT_LABELS,
    FEEDBACK_CHANNEL_LABELS,
    GENDER_LABELS,
    REQUESTER_KIND_LABELS,
)
from ..models import RequesterKind
from ..queries.figures import Report
from .chart import shown_months
from .wording import (
    council_sentence,
    month_name,
    period_title,
    persons_sentence,
    programme_sentence,
    projects_sentence,
)


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list]


def edition_name(edition) -> str:
    if edition is None:
        return _("Outside any programme edition")
    return _("Edition %(number)s", number=edition.number)


def export_tables(report: Report, *, institution, prepared_on: date) -> list[Table]:
    """Every table of the report as rows of aggregates: nothing in them names a person."""
    totals = report.totals
    categories = report.categories
    tables = [
        Table(
            _("Service totals"),
            [_("Item"), _("Value")],
            [
                [_("Institution"), institution.name if institution else ""],
                [_("Period"), period_title(report.period)],
                [_("From"), report.period.starts_on],
                [_("To"), report.period.ends_on],
                [_("Summary"), council_sentence(totals, report.period)],
                [_("Residents and institutions"), persons_sentence(report.persons) or ""],
                [_("Projects and events"), projects_sentence(report.projects) or ""],
                [_("The programme"), programme_sentence(report.programme) or ""],
                [_("Prepared on"), prepared_on],
            ],
        ),
        Table(
            _("Services by category"),
            [_("Service"), _("Recorded in the portal"), _("Counted before the portal"), _("Total")],
            [
                [row.category.name, row.recorded, row.baseline, row.total]
                for row in totals.by_category
            ]
            + [[_("Total"), totals.recorded, totals.baseline, totals.total]],
        ),
        Table(
            _("Services by requester"),
            [_("Requester"), _("Services")],
            [[str(REQUESTER_KIND_LABELS[kind]), totals.by_kind[kind]] for kind in RequesterKind]
            + [
                [_("not recorded (counted before the portal)"), totals.kind_not_recorded],
                [_("Total"), totals.total],
            ],
        ),
        Table(
            _("Services per month"),
            [_("Month")] + [category.name for category in categories] + [_("Total")],
            [
                [month_name(row.month)]
                + [row.by_category.get(c.id, 0) for c in categories]
                + [row.total]
                for row in shown_months(report)
            ],
        ),
        Table(
            _("Services by programme edition"),
            [_("Edition"), _("From"), _("To")]
            + [category.name for category in categories]
            + [_("Total")],
            [
                [
                    edition_name(row.edition),
                    row.edition.starts_on if row.edition else "",
                    row.edition.ends_on if row.edition else "",
                ]
                + [row.by_category.get(c.id, 0) for c in categories]
                + [row.total]
                for row in report.editions
            ],
        ),
        Table(
            _("Trainee hours by workshop group"),
            [_("Workshop group"), _("Trainees"), _("Hours")],
            [[row.label, row.trainees, row.hours] for row in report.hours_by_group],
        ),
        Table(
            _("Trainee hours by programme edition"),
            [_("Edition"), _("Trainees"), _("Hours")],
            [
                [_("Edition %(number)s", number=row.label), row.trainees, row.hours]
                for row in report.hours_by_edition
            ],
        ),
        Table(
            _("Trainees by gender"),
            [_("Gender"), _("Trainees")],
            [
                [_("women"), report.genders.female],
                [_("men"), report.genders.male],
                [_("not given"), report.genders.not_given],
                [_("Total"), report.genders.total],
            ],
        ),
        Table(
            _("Residents and institutions served"),
            [_("Service"), _("Residents"), _("Of them for the first time"), _("Institutions")],
            [
                [row.category.name, row.residents, row.first_time, row.institutions]
                for row in report.persons.by_category
            ]
            + [
                [
                    _("All services"),
                    report.persons.residents,
                    report.persons.first_time,
                    report.persons.institutions,
                ]
            ],
        ),
        _outcomes_table(report),
        Table(
            _("Projects and events"),
            [_("Project or event"), _("Services"), _("Trainee hours")],
            [[row.project.name, row.services, row.hours] for row in report.projects],
        ),
        _programme_table(report),
        Table(
            _("Programme by edition"),
            [
                _("Edition"),
                _("Participants"),
                _("Completed the programme"),
                _("Took up employment"),
                _("Took up an internship"),
            ],
            [
                [
                    _("Edition %(number)s", number=row.label),
                    row.participants,
                    row.completed,
                    row.employed,
                    row.internships,
                ]
                for row in report.programme.by_edition
            ],
        ),
        Table(
            _("Programme by gender"),
            [
                _("Gender"),
                _("Participants"),
                _("Completed the programme"),
                _("Took up employment"),
                _("Took up an internship"),
            ],
            [
                [
                    str(GENDER_LABELS[row.label]) if row.label else _("not given"),
                    row.participants,
                    row.completed,
                    row.employed,
                    row.internships,
                ]
                for row in report.programme.by_gender
            ],
        ),
        Table(
            _("Residents' satisfaction"),
            [_("Question"), _("Answer"), _("Answers")],
            _feedback_rows(report),
        ),
    ]
    if report.programme.by_year:
        tables.append(
            Table(
                _("Programme by year"),
                [
                    _("Year"),
                    _("Participants"),
                    _("Completed the programme"),
                    _("Took up employment"),
                    _("Took up an internship"),
                ],
                [
                    [row.label, row.participants, row.completed, row.employed, row.internships]
                    for row in report.programme.by_year
                ],
            )
        )
    return tables


PROGRAMME_MEASURES = (
    ("participants", _l("Participants")),
    ("women", _l("of them women")),
    ("men", _l("of them men")),
    ("completed", _l("Completed the programme")),
    ("left_early", _l("Left early")),
    ("employed", _l("Took up employment afterwards")),
    ("internships", _l("Took up an internship afterwards")),
    ("training", _l("Went on to training afterwards")),
)


def _programme_table(report: Report) -> Table:
    programme = report.programme
    rows = [
        [
            str(label),
            getattr(programme.recorded, name),
            getattr(programme.baseline, name),
            getattr(programme.total, name),
        ]
        for name, label in PROGRAMME_MEASURES
    ]
    rows.append(
        [_("Programme editions (counted before the portal)"), "", programme.baseline_editions, ""]
    )
    return Table(
        _("Programme figures"),
        [_("Figure"), _("Recorded in the portal"), _("Counted before the portal"), _("Total")],
        rows,
    )


def _outcomes_table(report: Report) -> Table:
    categories = report.outcomes.categories
    outcomes = report.outcomes
    rows = [
        [_("done")]
        + [outcomes.done.get(c.id, 0) for c in categories]
        + [sum(outcomes.done.values())]
    ]
    for row in outcomes.reasons:
        label = row.reason.label if row.reason else _("another reason")
        rows.append(
            [_("not done: %(reason)s", reason=label)]
            + [row.by_category.get(c.id, 0) for c in categories]
            + [row.total]
        )
    rows.append(
        [_("Not done in all")]
        + [outcomes.not_done_by_category.get(c.id, 0) for c in categories]
        + [outcomes.not_done]
    )
    return Table(
        _("Jobs done and not done"),
        [_("Outcome")] + [c.name for c in categories] + [_("Total")],
        rows,
    )


def _feedback_rows(report: Report) -> list[list]:
    """The satisfaction check's counts; the comments never leave the back office."""
    counts = report.feedback
    rows = []
    for question, labels, answers in (
        (_("Was the work done as agreed?"), AS_AGREED_LABELS, counts.as_agreed),
        (_("How was the contact with the club?"), CONTACT_LABELS, counts.contact),
        (_("How the answers were given"), FEEDBACK_CHANNEL_LABELS, counts.by_channel),
    ):
        rows += [[question, str(label), answers[key]] for key, label in labels.items()]
        if None in answers:
            rows.append([question, _("no answer to this question"), answers[None]])
    rows.append([_("Total"), "", counts.answered])
    return rows


def _csv_cell(value) -> str | int:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return format_hours(value)
    if isinstance(value, date):
        return value.isoformat()
    return _text_cell(value)


def _text_cell(value) -> str:
    """Text as text: a spreadsheet reads a cell starting with one of these as a formula."""
    text = str(value)
    if text[:1] in ("=", "+", "-", "@"):
        return "'" + text
    return text


def report_csv(tables: list[Table]) -> str:
    """Write the tables one under another, for Polish Excel: ';' between cells."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.header)
        writer.writerows([[_csv_cell(value) for value in row] for row in table.rows])
    return out.getvalue()


def _sheet_title(title: str, taken: set[str]) -> str:
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()[:31] or "Arkusz"
    candidate, number = cleaned, 2
    while candidate.lower() in taken:
        suffix = f" ({number})"
        candidate, number = cleaned[: 31 - len(suffix)] + suffix, number + 1
    taken.add(candidate.lower())
    return candidate


def report_xlsx(tables: list[Table]) -> bytes:
    """Write each table on a sheet of its own, numbers as numbers and dates as dates."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, taken))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append(table.header)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_xlsx_cell(value) for value in row])
        for row in sheet.iter_rows(min_row=3):
            for cell in row:
                if isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(cell.value, float):
                    cell.number_format = "0.00"
        _fit_columns(sheet, table)
        sheet.freeze_panes = "A3"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _fit_columns(sheet, table: Table) -> None:
    """Make columns as wide as their text, within reason; wrap the long summary sentence."""
    for index, column in enumerate(zip(table.header, *table.rows, strict=False), start=1):
        longest = max(len(str(value)) for value in column)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(longest + 2, 10), 80)
        if longest > 80:
            for cell in sheet[get_column_letter(index)][2:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def _xlsx_cell(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, int | date):
        return value
    return _text_cell(value)
