"""The council sentence: Polish plural forms, the category phrases, and the sentence itself."""

import io
from datetime import date

import pytest
from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.support import Translations

from portal.domain.period import Period, PeriodError, PeriodKind
from portal.models import RequesterKind, ServiceCategory
from portal.queries.figures import CategoryTotal, ServiceTotals
from portal.reports import wording

TAILORING = "usługa krawiecka|usługi krawieckie|usług krawieckich"
UPHOLSTERY = "usługa stolarsko-tapicerska|usługi stolarsko-tapicerskie|usług stolarsko-tapicerskich"
RENOVATION = "usługa remontowo-budowlana|usługi remontowo-budowlane|usług remontowo-budowlanych"


@pytest.mark.parametrize(
    ("number", "index"),
    [
        (0, 2),
        (1, 0),
        (2, 1),
        (3, 1),
        (4, 1),
        (5, 2),
        (11, 2),
        (12, 2),
        (13, 2),
        (14, 2),
        (21, 2),
        (22, 1),
        (24, 1),
        (25, 2),
        (101, 2),
        (102, 1),
        (111, 2),
        (112, 2),
        (114, 2),
        (122, 1),
        (1122, 1),
        (686, 2),
        (333, 1),
        (103, 1),
        (57, 2),
        (1000, 2),
    ],
)
def test_polish_plural_rule(number, index):
    assert wording.plural_index(number) == index


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (1, "usługa krawiecka"),
        (3, "usługi krawieckie"),
        (5, "usług krawieckich"),
        (12, "usług krawieckich"),
        (22, "usługi krawieckie"),
        (686, "usług krawieckich"),
    ],
)
def test_plural_form_picks_one_of_the_three(number, expected):
    assert wording.plural_form(number, TAILORING) == expected


@pytest.mark.parametrize("forms", ["", "usługa", "usługa|usługi", "usługa||usług", "a|b|c|d"])
def test_plural_forms_that_are_not_three_give_none(forms):
    assert wording.plural_form(5, forms) is None


def test_a_category_without_forms_is_named_instead():
    category = ServiceCategory(name="Szycie", report_forms="")

    assert wording.count_phrase(4, category) == "Szycie: 4"


def _category(name, forms, position=0):
    return ServiceCategory(name=name, report_forms=forms, position=position, active=True)


def _opole_totals():
    return ServiceTotals(
        by_category=[
            CategoryTotal(_category("Stolarstwo", UPHOLSTERY), baseline=333),
            CategoryTotal(_category("Remonty", RENOVATION), baseline=103),
            CategoryTotal(_category("Krawiectwo", TAILORING), baseline=686),
        ],
        by_kind={RequesterKind.SENIOR: 0, RequesterKind.ASSISTED: 0, RequesterKind.INSTITUTION: 57},
    )


OPOLE_PERIOD = Period.between(date(2019, 1, 1), date(2026, 3, 31))


def test_the_sentence_puts_the_numbers_and_the_category_forms_in_order():
    sentence = wording.council_sentence(_opole_totals(), OPOLE_PERIOD, day_format=date.isoformat)

    assert sentence == (
        "In the period from 2019-01-01 to 2026-03-31, 1122 services were carried out, including: "
        "333 usługi stolarsko-tapicerskie, 103 usługi remontowo-budowlane, 686 usług krawieckich. "
        "57 services were carried out in cooperation with other units of the welfare centre, "
        "city units and non-governmental organisations."
    )


def _polish(monkeypatch):
    """Translate the sentence's pieces as the Polish catalogue is meant to."""
    catalog = Catalog(locale="pl")
    catalog.add(
        (
            "In the period from %(start)s to %(end)s, %(num)d service was carried out, including: %(parts)s.",
            "In the period from %(start)s to %(end)s, %(num)d services were carried out, including: %(parts)s.",
        ),
        (
            "W okresie od %(start)s r. do %(end)s r. wykonano %(num)d usługę, w tym: %(parts)s.",
            "W okresie od %(start)s r. do %(end)s r. wykonano %(num)d usługi, w tym: %(parts)s.",
            "W okresie od %(start)s r. do %(end)s r. wykonano %(num)d usług, w tym: %(parts)s.",
        ),
    )
    cooperation = (
        " wykonano w ramach współpracy z innymi komórkami ośrodka, jednostkami miasta "
        "oraz organizacjami pozarządowymi."
    )
    catalog.add(
        (
            "%(num)d service was carried out in cooperation with other units of the welfare centre, "
            "city units and non-governmental organisations.",
            "%(num)d services were carried out in cooperation with other units of the welfare centre, "
            "city units and non-governmental organisations.",
        ),
        tuple(f"%(num)d {word}{cooperation}" for word in ("usługę", "usługi", "usług")),
    )
    catalog.add(
        "In the period from %(start)s to %(end)s no services were carried out.",
        "W okresie od %(start)s r. do %(end)s r. nie wykonano żadnej usługi.",
    )
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    translations = Translations(buffer)

    def gettext(string, **variables):
        return (
            translations.ugettext(string) % variables
            if variables
            else translations.ugettext(string)
        )

    def ngettext(singular, plural, num, **variables):
        variables.setdefault("num", num)
        return translations.ungettext(singular, plural, num) % variables

    monkeypatch.setattr(wording, "gettext", gettext)
    monkeypatch.setattr(wording, "ngettext", ngettext)


def _polish_day(day):
    return format_date(day, "d MMMM y", locale="pl")


def test_with_the_polish_catalogue_the_sentence_reads_as_the_club_writes_it(monkeypatch):
    _polish(monkeypatch)

    sentence = wording.council_sentence(_opole_totals(), OPOLE_PERIOD, day_format=_polish_day)

    assert sentence == (
        "W okresie od 1 stycznia 2019 r. do 31 marca 2026 r. wykonano 1122 usługi, w tym: "
        "333 usługi stolarsko-tapicerskie, 103 usługi remontowo-budowlane, 686 usług krawieckich. "
        "57 usług wykonano w ramach współpracy z innymi komórkami ośrodka, jednostkami miasta "
        "oraz organizacjami pozarządowymi."
    )


def test_one_service_takes_the_accusative_after_wykonano_and_empty_categories_are_left_out(
    monkeypatch,
):
    _polish(monkeypatch)
    totals = ServiceTotals(
        by_category=[
            CategoryTotal(_category("Krawiectwo", TAILORING), recorded=1),
            CategoryTotal(_category("Remonty", RENOVATION)),
        ],
        by_kind={RequesterKind.SENIOR: 0, RequesterKind.ASSISTED: 0, RequesterKind.INSTITUTION: 1},
    )

    sentence = wording.council_sentence(totals, Period.month(2026, 3), day_format=_polish_day)

    assert sentence == (
        "W okresie od 1 marca 2026 r. do 31 marca 2026 r. wykonano 1 usługę, w tym: 1 usługa krawiecka. "
        "1 usługę wykonano w ramach współpracy z innymi komórkami ośrodka, jednostkami miasta "
        "oraz organizacjami pozarządowymi."
    )


def test_a_period_without_services_says_so(monkeypatch):
    _polish(monkeypatch)
    totals = ServiceTotals(
        by_category=[CategoryTotal(_category("Krawiectwo", TAILORING))], by_kind={}
    )

    sentence = wording.council_sentence(totals, Period.year(2024), day_format=_polish_day)

    assert (
        sentence
        == "W okresie od 1 stycznia 2024 r. do 31 grudnia 2024 r. nie wykonano żadnej usługi."
    )


def test_no_institution_sentence_when_no_service_was_for_an_institution():
    totals = ServiceTotals(
        by_category=[CategoryTotal(_category("Krawiectwo", TAILORING), recorded=5)],
        by_kind={RequesterKind.SENIOR: 5, RequesterKind.ASSISTED: 0, RequesterKind.INSTITUTION: 0},
    )

    sentence = wording.council_sentence(totals, Period.year(2026), day_format=date.isoformat)

    assert sentence.endswith("including: 5 usług krawieckich.")


@pytest.mark.parametrize(
    ("period", "kind", "starts_on", "ends_on"),
    [
        (Period.year(2024), PeriodKind.YEAR, date(2024, 1, 1), date(2024, 12, 31)),
        (Period.half(2026, 1), PeriodKind.HALF, date(2026, 1, 1), date(2026, 6, 30)),
        (Period.half(2026, 2), PeriodKind.HALF, date(2026, 7, 1), date(2026, 12, 31)),
        (Period.quarter(2026, 1), PeriodKind.QUARTER, date(2026, 1, 1), date(2026, 3, 31)),
        (Period.quarter(2026, 4), PeriodKind.QUARTER, date(2026, 10, 1), date(2026, 12, 31)),
        (Period.month(2024, 2), PeriodKind.MONTH, date(2024, 2, 1), date(2024, 2, 29)),
        (Period.month(2026, 2), PeriodKind.MONTH, date(2026, 2, 1), date(2026, 2, 28)),
        (
            Period.between(date(2026, 3, 31), date(2026, 4, 1)),
            PeriodKind.RANGE,
            date(2026, 3, 31),
            date(2026, 4, 1),
        ),
        (
            Period.since(date(2019, 1, 1), date(2026, 11, 25)),
            PeriodKind.SINCE,
            date(2019, 1, 1),
            date(2026, 11, 25),
        ),
    ],
)
def test_periods_span_whole_days_first_and_last_included(period, kind, starts_on, ends_on):
    assert (period.kind, period.starts_on, period.ends_on) == (kind, starts_on, ends_on)


def test_a_period_knows_its_number_and_its_months():
    assert Period.half(2026, 2).number == 2
    assert Period.quarter(2026, 3).number == 3
    assert Period.month(2026, 11).number == 11
    assert Period.between(date(2025, 11, 15), date(2026, 2, 2)).months() == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: Period.half(2026, 3), "half"),
        (lambda: Period.quarter(2026, 0), "quarter"),
        (lambda: Period.month(2026, 13), "month"),
        (lambda: Period.between(date(2026, 4, 2), date(2026, 4, 1)), "date_to"),
        (lambda: Period.since(date(2026, 11, 26), date(2026, 11, 25)), "since"),
    ],
)
def test_impossible_periods_are_refused_at_their_field(make, field):
    with pytest.raises(PeriodError) as error:
        make()

    assert error.value.field == field
