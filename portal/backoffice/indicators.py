"""The city strategy's indicators: the year's table of planned against realised values and
its spreadsheet for staff, and the administrator's pages that keep the indicators and
enter each year's values.

The table and the figures behind it come from `queries.indicators`, their words and file
from `reports.indicators`; the changes are `services.indicators`' use cases.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from .. import audit, services
from ..domain.errors import DomainError
from ..domain.indicators import MANUAL
from ..i18n import lazy_gettext as _l
from ..models import Indicator
from ..queries import indicators as indicator_queries
from ..reports.indicators import (
    export_name,
    format_amount,
    indicators_xlsx,
    row_note,
    source_choices,
    source_label,
)
from ..services import indicators as indicator_services
from ..services.indicators import FIRST_YEAR, LAST_YEAR
from ..web.formerrors import show_error
from ..web.forms import BaseForm
from ..web.inputguard import bounded_int
from ..web.permissions import Permission, require_permission
from . import bp
from .forms import EmptyForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AmountField(StringField):
    """A number as people type it: 12, 12,5 or 1 234,5; an empty box is None."""

    def process_formdata(self, valuelist) -> None:
        text = (valuelist[0] if valuelist else "") or ""
        text = "".join(text.split()).replace(",", ".")
        self.data = None
        if not text:
            return
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(_l("Enter a number, for example 12 or 12,5.")) from None
        if not number.is_finite():
            raise ValueError(_l("Enter a number, for example 12 or 12,5."))
        self.data = number

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]  # what was typed stays in the box, right or wrong
        return "" if self.data is None else format_decimal(self.data, "0.##")


class YearForm(BaseForm):
    """The year of the table, chosen in the query string: a GET form without CSRF."""

    class Meta:
        csrf = False

    year = IntegerField(
        _l("Year"),
        validators=[
            InputRequired(_l("Enter the year.")),
            NumberRange(
                FIRST_YEAR, LAST_YEAR, message=_l("Enter a year between %(min)s and %(max)s.")
            ),
        ],
    )


class IndicatorForm(BaseForm):
    action = StringField(
        _l("Strategy action"),
        validators=[
            InputRequired(_l("Give the action of the strategy the indicator belongs to.")),
            Length(max=200, message=_l("Write up to 200 characters.")),
        ],
    )
    name = StringField(
        _l("Indicator name"),
        validators=[
            InputRequired(_l("Give the indicator's name.")),
            Length(max=200, message=_l("Write up to 200 characters.")),
        ],
    )
    unit = StringField(
        _l("Unit of measure"),
        validators=[
            InputRequired(_l("Give the unit of measure, for example number of persons.")),
            Length(max=60, message=_l("Write up to %(max)s characters.", max=60)),
        ],
    )
    source = SelectField(
        _l("Where the realised value comes from"),
        validators=[InputRequired(_l("Choose where the realised value comes from."))],
    )
    position = IntegerField(_l("Place in the table"), validators=[Optional(), bounded_int(0, 9999)])
    active = BooleanField(_l("Shown in the table of the year"), default=True)


def _not_negative(form, field) -> None:
    if field.data is not None and field.data < 0:
        raise ValidationError(_l("Enter a number, 0 or more."))


class IndicatorValueForm(BaseForm):
    year = IntegerField(
        _l("Year"),
        validators=[
            InputRequired(_l("Enter the year.")),
            NumberRange(
                FIRST_YEAR, LAST_YEAR, message=_l("Enter a year between %(min)s and %(max)s.")
            ),
        ],
    )
    planned = AmountField(_l("Planned value"), validators=[_not_negative])
    realised = AmountField(_l("Realised value"), validators=[_not_negative])
    note = StringField(
        _l("Source or note"),
        validators=[Length(max=300, message=_l("Write up to %(max)s characters.", max=300))],
    )


def _today() -> date:
    return services.local_today(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _year_form() -> tuple[YearForm, int | None]:
    """Read the year from the query string; this year when none is given."""
    data = MultiDict({"year": str(_today().year)})
    if "year" in request.args:
        data["year"] = request.args["year"]
    form = YearForm(formdata=data)
    return form, form.year.data if form.validate() else None


def _indicator_or_404(indicator_id: int) -> Indicator:
    found = indicator_queries.indicator(indicator_id)
    if found is None:
        abort(404)
    return found


def _indicator_form(indicator: Indicator | None = None, **options) -> IndicatorForm:
    form = IndicatorForm(obj=indicator, **options)
    form.source.choices = source_choices()
    return form


def _value_form(indicator: Indicator, **options) -> IndicatorValueForm:
    """The form of a year's values: a computed indicator's realised value is never typed."""
    form = IndicatorValueForm(**options)
    if indicator.source != MANUAL:
        del form.realised
        del form.note
    return form


def _saved_indicator(indicator: Indicator | None, form: IndicatorForm) -> Indicator | None:
    try:
        return indicator_services.save_indicator(
            indicator,
            action=form.action.data,
            name=form.name.data,
            unit=form.unit.data,
            source=form.source.data,
            position=form.position.data,
            active=form.active.data,
        )
    except DomainError as refused:
        show_error(form, refused)
        return None


def _indicator_page(indicator: Indicator, form: IndicatorForm, value_form: IndicatorValueForm):
    return render_template(
        "backoffice/indicators/indicator.html",
        indicator=indicator,
        form=form,
        value_form=value_form,
        actions=indicator_queries.action_names(),
        delete_form=EmptyForm(formdata=None),
        source_label=source_label,
        format_amount=format_amount,
    )


# --- The table ---------------------------------------------------------------------------


@bp.get("/wskazniki", endpoint="indicators")
@require_permission(Permission.VIEW_REPORTS)
def indicators_page():
    form, year = _year_form()
    return render_template(
        "backoffice/indicators/indicators.html",
        form=form,
        year=year,
        table=indicator_queries.indicator_table(year) if year else None,
        years=indicator_queries.years_with_values(),
        this_year=_today().year,
        format_amount=format_amount,
        row_note=row_note,
    )


@bp.get("/wskazniki/eksport.xlsx")
@require_permission(Permission.VIEW_REPORTS)
def export_indicators_xlsx():
    form, year = _year_form()
    if year is None:
        return redirect(url_for("backoffice.indicators", **request.args.to_dict()))
    body = indicators_xlsx(indicator_queries.indicator_table(year))
    filename = export_name(year)
    audit.record(current_user, audit.AuditAction.EXPORT_REPORT, None, filename)
    response = Response(body, content_type=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- The administrator's settings --------------------------------------------------------


@bp.route("/wskazniki/ustawienia", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_BASELINE)
def indicator_settings():
    form = _indicator_form()
    if form.validate_on_submit():
        added = _saved_indicator(None, form)
        if added is not None:
            flash(_("The indicator has been added. Enter its values for the years."), "success")
            return redirect(url_for("backoffice.indicator", indicator_id=added.id), 303)
    indicators = indicator_queries.all_indicators()
    return render_template(
        "backoffice/indicators/indicator_settings.html",
        form=form,
        indicators=indicators,
        actions=sorted({found.action for found in indicators}),
        source_label=source_label,
    )


@bp.route("/wskazniki/ustawienia/<int:indicator_id>", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_BASELINE)
def indicator(indicator_id: int):
    found = _indicator_or_404(indicator_id)
    form = _indicator_form(found)
    if form.validate_on_submit() and _saved_indicator(found, form) is not None:
        flash(_("The changes have been saved."), "success")
        return redirect(url_for("backoffice.indicator", indicator_id=found.id), 303)
    # A link "change" on a year's row fills the values form with that year's values.
    chosen = request.args.get("year", type=int)
    value = next((value for value in found.values if value.year == chosen), None)
    value_form = _value_form(
        found,
        formdata=None,
        obj=value,
        data=None if value else {"year": chosen or _today().year},
    )
    return _indicator_page(found, form, value_form)


@bp.post("/wskazniki/ustawienia/<int:indicator_id>/wartosci")
@require_permission(Permission.MANAGE_BASELINE)
def save_indicator_value(indicator_id: int):
    found = _indicator_or_404(indicator_id)
    value_form = _value_form(found)
    if value_form.validate_on_submit():
        try:
            saved = indicator_services.save_indicator_value(
                found,
                year=value_form.year.data,
                planned=value_form.planned.data,
                realised=value_form.realised.data if "realised" in value_form else None,
                note=value_form.note.data if "note" in value_form else "",
            )
        except DomainError as refused:
            show_error(value_form, refused)
        else:
            flash(_("The values for %(year)s have been saved.", year=saved.year), "success")
            return redirect(url_for("backoffice.indicator", indicator_id=found.id), 303)
    return _indicator_page(found, _indicator_form(found, formdata=None), value_form)


@bp.post("/wskazniki/ustawienia/wartosci/<int:value_id>/usun")
@require_permission(Permission.MANAGE_BASELINE)
def delete_indicator_value(value_id: int):
    value = indicator_queries.indicator_value(value_id)
    if value is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    indicator_id, year = value.indicator_id, value.year
    indicator_services.delete_indicator_value(value)
    flash(_("The values for %(year)s have been removed.", year=year), "success")
    return redirect(url_for("backoffice.indicator", indicator_id=indicator_id), 303)
