"""Reports for the council: the totals page, CSV and XLSX exports, the printable summary,
and the administrator's page of totals counted on paper before the portal.

The figures come from `queries.figures`, their words, files and chart from `reports/`;
this module reads the period from the query string and answers with pages and files.
"""

from __future__ import annotations

from datetime import date

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
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from .. import audit, queries, services
from ..domain.errors import DomainError
from ..domain.period import Period, PeriodError, PeriodKind
from ..extensions import db
from ..i18n import format_hours
from ..i18n import lazy_gettext as _l
from ..labels import REQUESTER_KIND_LABELS
from ..models import BaselineTotal, ProgrammeBaseline, RequesterKind
from ..queries import figures
from ..reports.chart import build_chart, shown_months
from ..reports.files import (
    PROGRAMME_MEASURES,
    edition_name,
    export_tables,
    report_csv,
    report_xlsx,
)
from ..reports.wording import (
    council_sentence,
    month_name,
    period_covers,
    period_title,
    persons_sentence,
    programme_sentence,
    projects_sentence,
)
from ..services import baseline
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

    period = RadioField(
        _l("Kind of period"),
        choices=[(kind.value, label) for kind, label in PERIOD_LABELS.items()],
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
    except PeriodError as refused:
        show_error(form, refused)
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
            covers=period_covers(period, _today()),
            args=period_args(period),
            sentence=council_sentence(report.totals, period),
            persons_sentence=persons_sentence(report.persons),
            projects_sentence=projects_sentence(report.projects),
            programme_sentence=programme_sentence(report.programme),
            chart=build_chart(report),
            months=shown_months(report),
        )
    return render_template(
        "backoffice/reports/reports.html",
        **context,
        month_name=month_name,
        edition_name=edition_name,
        programme_measures=PROGRAMME_MEASURES,
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
    body = "\ufeff" + report_csv(
        export_tables(report, institution=queries.institution(), prepared_on=_today())
    )
    audit.record(current_user, audit.AuditAction.EXPORT_REPORT, None, _export_name(period, "csv"))
    return _attachment(body.encode("utf-8"), "text/csv; charset=utf-8", _export_name(period, "csv"))


@bp.get("/raporty/eksport.xlsx")
@require_permission(Permission.VIEW_REPORTS)
def export_report_xlsx():
    period = _period_or_back()
    if not isinstance(period, Period):
        return period
    report = figures.build_report(period, with_trainee_names=False)
    body = report_xlsx(
        export_tables(report, institution=queries.institution(), prepared_on=_today())
    )
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
    programme = figures.programme_figures(period)
    return render_template(
        "backoffice/reports/report_summary.html",
        period=period,
        title=period_title(period),
        args=period_args(period),
        totals=totals,
        sentence=council_sentence(totals, period),
        projects=projects_sentence(figures.project_counts(period)),
        persons=persons_sentence(figures.persons_served(period)),
        # Participants by their own periods, and the paper count when it lies inside.
        trainees=programme_sentence(programme),
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
            baseline.add_baseline_total(
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
        "backoffice/reports/baseline.html",
        form=form,
        rows=figures.baseline_totals(),
        delete_form=EmptyForm(),
    )


@bp.post("/dane-historyczne/<int:baseline_id>/usun")
@require_permission(Permission.MANAGE_BASELINE)
def delete_baseline_total(baseline_id: int):
    return _delete_past_row(
        BaselineTotal,
        baseline_id,
        baseline.delete_baseline_total,
        _("The past total has been deleted."),
        "backoffice.baseline_totals",
    )


def _delete_past_row(model, row_id: int, delete, done: str, back: str):
    """Delete a row of figures counted before the portal, entered by mistake."""
    row = db.session.get(model, row_id)
    if row is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    delete(row)
    flash(done, "success")
    return redirect(url_for(back), 303)


# --- The programme before the portal ------------------------------------------------------


def _count_field(label, *, required: bool = False) -> IntegerField:
    validators = [InputRequired(_l("Enter the number."))] if required else [Optional()]
    return IntegerField(
        label,
        validators=[
            *validators,
            NumberRange(min=0, max=100_000, message=_l("Enter a whole number, 0 or more.")),
        ],
    )


class ProgrammeBaselineForm(BaseForm):
    starts_on = DateField(
        _l("First day of the period"),
        validators=[InputRequired(_l("Enter the first day of the period.")), _sensible_date],
    )
    ends_on = DateField(
        _l("Last day of the period"),
        validators=[InputRequired(_l("Enter the last day of the period.")), _sensible_date],
    )
    editions = _count_field(_l("Programme editions"), required=True)
    participants = _count_field(_l("Participants"), required=True)
    women = _count_field(_l("Of them women (optional)"))
    men = _count_field(_l("Of them men (optional)"))
    completed = _count_field(_l("Completed the programme (optional)"))
    employed = _count_field(_l("Took up employment afterwards (optional)"))
    internships = _count_field(_l("Took up an internship afterwards (optional)"))
    note = StringField(_l("Source or note"), validators=[Length(max=300)])


@bp.route("/dane-historyczne/program", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_BASELINE)
def programme_baseline():
    form = ProgrammeBaselineForm()
    if form.validate_on_submit():
        try:
            baseline.add_programme_baseline(
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                editions=form.editions.data,
                participants=form.participants.data,
                women=form.women.data,
                men=form.men.data,
                completed=form.completed.data,
                employed=form.employed.data,
                internships=form.internships.data,
                note=form.note.data or "",
                today=_today(),
            )
        except DomainError as refused:
            show_error(form, refused)
        else:
            flash(_("The past programme figures have been added."), "success")
            return redirect(url_for("backoffice.programme_baseline"), 303)
    return render_template(
        "backoffice/reports/programme_baseline.html",
        form=form,
        rows=figures.programme_baselines(),
        delete_form=EmptyForm(),
    )


@bp.post("/dane-historyczne/program/<int:programme_baseline_id>/usun")
@require_permission(Permission.MANAGE_BASELINE)
def delete_programme_baseline(programme_baseline_id: int):
    return _delete_past_row(
        ProgrammeBaseline,
        programme_baseline_id,
        baseline.delete_programme_baseline,
        _("The past programme figures have been deleted."),
        "backoffice.programme_baseline",
    )
