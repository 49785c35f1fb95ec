"""Reply templates' placeholders: found, filled, and refused when unknown or left empty."""

from portal.domain import replies


def test_known_placeholders_are_filled_and_those_without_a_value_stay():
    text = "Prosimy przyjść {data}, {godziny}, zgłoszenie {numer}."

    filled = replies.fill(text, {"numer": "KR/2026/0007", "data": "wtorek, 1 grudnia 2026"})

    assert filled == "Prosimy przyjść wtorek, 1 grudnia 2026, {godziny}, zgłoszenie KR/2026/0007."
    assert replies.unfilled(filled) == ["godziny"]


def test_unknown_names_in_braces_are_reported_and_never_filled():
    text = "Dzień dobry {imie}, termin {data} {data}."

    assert replies.unknown_placeholders(text) == ["imie"]
    assert replies.placeholders_in(text) == ["imie", "data"]
    assert (
        replies.fill(text, {"imie": "Anna", "data": "jutro"})
        == "Dzień dobry {imie}, termin jutro jutro."
    )
    assert replies.unfilled("Dzień dobry {imie}.") == []


def test_a_value_holding_braces_is_not_filled_again():
    assert replies.fill("{numer} {data}", {"numer": "{data}", "data": "jutro"}) == "{data} jutro"
