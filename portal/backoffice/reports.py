"""Reports for the council: the totals page, CSV and XLSX exports, the printable summary,
and the administrator's page of totals counted on paper before the portal.

The figures come from `portal.reports`; this module chooses the period from the
query string, lays the figures out for people and files, and draws the chart.
Exports leave the back office, so they carry aggregates only: no resident and no
trainee is named in them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from werkzeug.datastructures import MultiDict
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from .. import audit, queries, services
from .. import reports as figures
from ..domain.errors import DomainError
from ..extensions import db
from ..i18n import format_hours
from ..labels import REQUESTER_KIND_LABELS
from ..models import BaselineTotal, RequesterKind
from ..reports import Period, PeriodError, PeriodKind, Report
from ..web.formerrors import show_error
from ..web.forms import BaseForm
from ..web.permissions import Permission, require_permission
from . import bp
from .forms import EmptyForm, _optional_int

# Dates before any club counted, or far ahead, are typing mistakes.
FIRST_YEAR, LAST_YEAR = 1990, 2100

PERIOD_LABELS = {
    PeriodKind.YEAR: _l("Year"),
    PeriodKind.HALF: _l("Half-year"),
    PeriodKind.QUARTER: _l("Quarter"),
    PeriodKind.MONTH: _l("Month"),
    PeriodKind.RANGE: _l("Dates from – to"),
    PeriodKind.SINCE: _l("Cumulative, since a date"),
}

# Which fields each kind of period is read from.
PERIOD_FIELDS = {
    PeriodKind.YEAR: ("year",),
    PeriodKind.HALF: ("year", "half"),
    PeriodKind.QUARTER: ("year", "quarter"),
    PeriodKind.MONTH: ("year", "month"),
    PeriodKind.RANGE: ("date_from", "date_to"),
    PeriodKind.SINCE: ("since",),
}

MISSING = {
    "year": _l("Enter the year."),
    "half": _l("Choose the half-year."),
    "quarter": _l("Choose the quarter."),
    "month": _l("Choose the month."),
    "date_from": _l("Enter the first day of the period."),
    "date_to": _l("Enter the last day of the period."),
    "since": _l("Enter the date to count from."),
}


def _sensible_date(form, field) -> None:
    if field.data and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(
            _l("Enter a date between %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR)
        )


class PeriodForm(BaseForm):
    """The period of a report, chosen in the query string: a GET form without CSRF."""

    class Meta:
        csrf = False

    period = SelectField(
        _l("Period"), choices=[(kind.value, label) for kind, label in PERIOD_LABELS.items()]
    )
    year = IntegerField(
        _l("Year"),
        validators=[
            Optional(),
            NumberRange(
                FIRST_YEAR, LAST_YEAR, message=_l("Enter a year between %(min)s and %(max)s.")
            ),
        ],
    )
    half = SelectField(
        _l("Half-year"), coerce=int, choices=[(1, _l("January–June")), (2, _l("July–December"))]
    )
    quarter = SelectField(
        _l("Quarter"), coerce=int, choices=[(1, "I"), (2, "II"), (3, "III"), (4, "IV")]
    )
    month = SelectField(_l("Month"), coerce=int)
    date_from = DateField(_l("From"), validators=[Optional(), _sensible_date])
    date_to = DateField(_l("To"), validators=[Optional(), _sensible_date])
    since = DateField(_l("Counting since"), validators=[Optional(), _sensible_date])

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        if self.period.errors:
            return False
        needed = PERIOD_FIELDS[PeriodKind(self.period.data)]
        for name in ("year", "half", "quarter", "month", "date_from", "date_to", "since"):
            field = self[name]
            if name not in needed:
                field.errors = []  # a typo in a field this period does not use is no obstacle
            elif field.data is None and not field.errors:
                field.errors = [MISSING[name]]
        return not any(self[name].errors for name in needed)


def _month_choices() -> list[tuple[int, str]]:
    return [(month, format_date(date(2000, month, 1), "LLLL")) for month in range(1, 13)]


def _today() -> date:
    return services.local_today(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _period_form() -> tuple[PeriodForm, Period | None]:
    """Read the period from the query string, filling what is not given with this year."""
    today = _today()
    defaults = {
        "period": PeriodKind.YEAR.value,
        "year": today.year,
        "half": 1 if today.month <= 6 else 2,
        "quarter": (today.month - 1) // 3 + 1,
        "month": today.month,
        "date_from": date(today.year, 1, 1).isoformat(),
        "date_to": today.isoformat(),
        "since": (figures.earliest_baseline_start() or date(today.year, 1, 1)).isoformat(),
    }
    data = MultiDict({key: str(value) for key, value in defaults.items()})
    for key in defaults:
        if key in request.args:
            data[key] = request.args[key]
    form = PeriodForm(formdata=data)
    form.month.choices = _month_choices()
    if not form.validate():
        return form, None
    try:
        return form, _period_of(form, today)
    except PeriodError as error:
        form[error.field].errors.append(str(error))
        return form, None


def _period_of(form: PeriodForm, today: date) -> Period:
    kind = PeriodKind(form.period.data)
    if kind == PeriodKind.YEAR:
        return Period.year(form.year.data)
    if kind == PeriodKind.HALF:
        return Period.half(form.year.data, form.half.data)
    if kind == PeriodKind.QUARTER:
        return Period.quarter(form.year.data, form.quarter.data)
    if kind == PeriodKind.MONTH:
        return Period.month(form.year.data, form.month.data)
    if kind == PeriodKind.RANGE:
        return Period.between(form.date_from.data, form.date_to.data)
    return Period.since(form.since.data, today)


def period_args(period: Period) -> dict[str, str | int]:
    """The query string that chooses this period again, for links to exports and the summary."""
    args: dict[str, str | int] = {"period": period.kind.value}
    if period.kind in (PeriodKind.YEAR, PeriodKind.HALF, PeriodKind.QUARTER, PeriodKind.MONTH):
        args["year"] = period.starts_on.year
    if period.kind in (PeriodKind.HALF, PeriodKind.QUARTER, PeriodKind.MONTH):
        args[period.kind.value] = period.number
    if period.kind == PeriodKind.RANGE:
        args["date_from"], args["date_to"] = (
            period.starts_on.isoformat(),
            period.ends_on.isoformat(),
        )
    if period.kind == PeriodKind.SINCE:
        args["since"] = period.starts_on.isoformat()
    return args


def _long_date(day: date) -> str:
    return format_date(day, "d MMMM y")


def _month_name(month: date) -> str:
    name = format_date(month, "LLLL y")
    return name[:1].upper() + name[1:]


def period_title(period: Period) -> str:
    """Name the period the way a heading or a file says it."""
    year = period.starts_on.year
    if period.kind == PeriodKind.YEAR:
        return _("Year %(year)s", year=year)
    if period.kind == PeriodKind.HALF:
        if period.number == 1:
            return _("First half of %(year)s", year=year)
        return _("Second half of %(year)s", year=year)
    if period.kind == PeriodKind.QUARTER:
        return _("Quarter %(quarter)s of %(year)s", quarter=period.number, year=year)
    if period.kind == PeriodKind.MONTH:
        return _month_name(period.starts_on)
    if period.kind == PeriodKind.SINCE:
        return _(
            "Cumulative since %(start)s (up to %(end)s)",
            start=_long_date(period.starts_on),
            end=_long_date(period.ends_on),
        )
    return _(
        "%(start)s – %(end)s", start=_long_date(period.starts_on), end=_long_date(period.ends_on)
    )


# --- The chart ---------------------------------------------------------------------------


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int
    title: str


@dataclass
class AxisLabel:
    x: float
    y: float
    text: str


@dataclass
class Chart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    bars: list[Bar]
    totals: list[AxisLabel]
    ticks: list[AxisLabel]
    months: list[AxisLabel]
    years: list[AxisLabel]
    wide: bool


def _tick_step(largest: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that reaches the largest bar in four steps."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            if factor * magnitude * 4 >= largest:
                return factor * magnitude
        magnitude *= 10


def shown_months(report: Report) -> list[figures.MonthRow]:
    """The months to chart and tabulate: over a long period, from the first to the last service."""
    months = report.months
    if len(months) <= 12:
        return months
    busy = [index for index, row in enumerate(months) if row.total]
    if not busy:
        return months[-1:]
    return months[busy[0] : busy[-1] + 1]


def build_chart(report: Report) -> Chart:
    """Lay out one stacked bar per month, a segment per service category, in SVG units."""
    months = shown_months(report)
    series = {category.id: index for index, category in enumerate(report.categories)}
    slot = max(32, min(72, 840 // max(1, len(months))))
    bar_width = slot * 0.7
    plot_left, plot_top, plot_height = 44, 20, 220
    plot_bottom = plot_top + plot_height
    width = plot_left + slot * len(months) + 12
    height = plot_bottom + 48
    step = _tick_step(max((row.total for row in months), default=0))
    scale = plot_height / (step * 4)

    bars, totals, labels, years = [], [], [], []
    label_every = 1 if len(months) <= 18 else 3 if len(months) <= 48 else 12
    for index, row in enumerate(months):
        x = plot_left + index * slot + (slot - bar_width) / 2
        top = plot_bottom
        month_name = _month_name(row.month)
        for category in report.categories:
            count = row.by_category.get(category.id, 0)
            if not count:
                continue
            top -= count * scale
            bars.append(
                Bar(
                    x,
                    top,
                    bar_width,
                    count * scale,
                    series[category.id] % 6,
                    f"{month_name}, {category.name}: {count}",
                )
            )
        centre = x + bar_width / 2
        if row.total and slot >= 40:
            totals.append(AxisLabel(centre, top - 4, str(row.total)))
        if index % label_every == 0 or row.month.month == 1:
            if label_every < 12:
                labels.append(AxisLabel(centre, plot_bottom + 16, format_date(row.month, "LLL")))
            if row.month.month == 1 or index == 0:
                years.append(AxisLabel(centre, plot_bottom + 34, str(row.month.year)))
    ticks = [
        AxisLabel(plot_left - 6, plot_bottom - i * step * scale, str(i * step)) for i in range(5)
    ]
    return Chart(
        width=width,
        height=height,
        plot_left=plot_left,
        plot_right=width - 12,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        bars=bars,
        totals=totals,
        ticks=ticks,
        months=labels,
        years=years,
        wide=len(months) > 24,
    )


# --- Exports -----------------------------------------------------------------------------


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list]


def _edition_name(edition) -> str:
    if edition is None:
        return _("Outside any programme edition")
    return _("Edition %(number)s", number=edition.number)


def export_tables(report: Report) -> list[Table]:
    """Every table of the report as rows of aggregates: nothing in them names a person."""
    institution = queries.institution()
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
                [_("Summary"), figures.council_sentence(totals, report.period)],
                [_("Prepared on"), _today()],
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
                [_month_name(row.month)]
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
                    _edition_name(row.edition),
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
    ]
    return tables


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


def _export_name(period: Period, extension: str) -> str:
    return f"raport-{period.starts_on.isoformat()}-{period.ends_on.isoformat()}.{extension}"


def _attachment(body, content_type: str, filename: str) -> Response:
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Views -------------------------------------------------------------------------------


@bp.get("/raporty", endpoint="reports")
@require_permission(Permission.VIEW_REPORTS)
def report_page():
    form, period = _period_form()
    report = figures.build_report(period, with_trainee_names=True) if period else None
    context = {"form": form, "period": period, "report": report}
    if report is not None:
        context.update(
            title=period_title(period),
            args=period_args(period),
            sentence=figures.council_sentence(report.totals, period),
            chart=build_chart(report),
            months=shown_months(report),
        )
    return render_template(
        "backoffice/reports.html",
        **context,
        month_name=_month_name,
        edition_name=_edition_name,
        format_hours=format_hours,
    )


def _period_or_back() -> Period | Response:
    form, period = _period_form()
    if period is None:
        return redirect(url_for("backoffice.reports", **request.args.to_dict()))
    return period


@bp.get("/raporty/eksport.csv")
@require_permission(Permission.VIEW_REPORTS)
def export_report_csv():
    period = _period_or_back()
    if not isinstance(period, Period):
        return period
    report = figures.build_report(period, with_trainee_names=False)
    body = "\ufeff" + report_csv(export_tables(report))
    audit.record(current_user, audit.AuditAction.EXPORT_REPORT, None, _export_name(period, "csv"))
    return _attachment(body.encode("utf-8"), "text/csv; charset=utf-8", _export_name(period, "csv"))


@bp.get("/raporty/eksport.xlsx")
@require_permission(Permission.VIEW_REPORTS)
def export_report_xlsx():
    period = _period_or_back()
    if not isinstance(period, Period):
        return period
    report = figures.build_report(period, with_trainee_names=False)
    body = report_xlsx(export_tables(report))
    audit.record(current_user, audit.AuditAction.EXPORT_REPORT, None, _export_name(period, "xlsx"))
    return _attachment(
        body,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _export_name(period, "xlsx"),
    )


@bp.get("/raporty/podsumowanie")
@require_permission(Permission.VIEW_REPORTS)
def report_summary():
    period = _period_or_back()
    if not isinstance(period, Period):
        return period
    totals = figures.service_totals(period)
    genders = figures.trainees_by_gender(period)
    return render_template(
        "backoffice/report_summary.html",
        period=period,
        title=period_title(period),
        args=period_args(period),
        totals=totals,
        sentence=figures.council_sentence(totals, period),
        trainees=figures.trainees_sentence(genders),
        genders=genders,
        today=_today(),
    )


# --- Past totals -------------------------------------------------------------------------


class BaselineForm(BaseForm):
    starts_on = DateField(
        _l("First day of the period"),
        validators=[InputRequired(_l("Enter the first day of the period.")), _sensible_date],
    )
    ends_on = DateField(
        _l("Last day of the period"),
        validators=[InputRequired(_l("Enter the last day of the period.")), _sensible_date],
    )
    category_id = SelectField(_l("Service"), coerce=_optional_int)
    requester_kind = SelectField(_l("Requester"), default="")
    services = IntegerField(
        _l("Number of services"),
        validators=[
            InputRequired(_l("Enter the number of services.")),
            NumberRange(min=0, max=1_000_000, message=_l("Enter a whole number, 0 or more.")),
        ],
    )
    note = StringField(_l("Source or note"), validators=[Length(max=300)])


def _baseline_form() -> BaselineForm:
    form = BaselineForm()
    form.category_id.choices = [(None, _l("No service: only “of which” for a requester"))] + [
        (category.id, category.name) for category in queries.all_categories()
    ]
    form.requester_kind.choices = [("", _l("not recorded"))] + [
        (kind.value, REQUESTER_KIND_LABELS[kind]) for kind in RequesterKind
    ]
    return form


@bp.route("/dane-historyczne", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_BASELINE)
def baseline_totals():
    form = _baseline_form()
    if form.validate_on_submit():
        try:
            figures.add_baseline_total(
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                category_id=form.category_id.data,
                requester_kind=RequesterKind(form.requester_kind.data)
                if form.requester_kind.data
                else None,
                services=form.services.data,
                note=form.note.data or "",
                today=_today(),
            )
        except DomainError as refused:
            show_error(form, refused)
        else:
            flash(_("The past total has been added."), "success")
            return redirect(url_for("backoffice.baseline_totals"), 303)
    return render_template(
        "backoffice/baseline.html",
        form=form,
        rows=figures.baseline_totals(),
        delete_form=EmptyForm(),
    )


@bp.post("/dane-historyczne/<int:baseline_id>/usun")
@require_permission(Permission.MANAGE_BASELINE)
def delete_baseline_total(baseline_id: int):
    row = db.session.get(BaselineTotal, baseline_id)
    if row is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    figures.delete_baseline_total(row)
    flash(_("The past total has been deleted."), "success")
    return redirect(url_for("backoffice.baseline_totals"), 303)
