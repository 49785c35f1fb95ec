import pytest

from portal.domain.phones import phone_digits
from portal.references import format_reference, parse_reference


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("600123456", "600123456"),
        ("600 123 456", "600123456"),
        ("600-123-456", "600123456"),
        ("+48 600 123 456", "600123456"),
        ("0048600123456", "600123456"),
        ("48600123456", "600123456"),
        ("(77) 441 23 70", "774412370"),
        ("0 77 441 23 70", "774412370"),
        ("+49 30 1234567", "49301234567"),
    ],
)
def test_phone_numbers_are_read_as_people_type_them(typed, digits):
    assert phone_digits(typed) == digits


@pytest.mark.parametrize("typed", ["", "   ", "12345", "abc", "600 123 4567", "600123456x", "+1"])
def test_phone_numbers_that_cannot_be_called_are_refused(typed):
    assert phone_digits(typed) is None


def test_reference_is_prefix_year_and_four_digit_number():
    assert format_reference("KR", 2026, 42) == "KR/2026/0042"
    assert format_reference("KR", 2026, 12345) == "KR/2026/12345"


@pytest.mark.parametrize(
    "typed",
    [
        "KR/2026/0042",
        "kr/2026/42",
        "KR 2026 0042",
        " kr-2026-042 ",
        "2026/42",
        "KR/2026/ 0042",
        "KR.2026.42",
    ],
)
def test_reference_is_read_as_people_type_it(typed):
    assert parse_reference(typed, "KR") == "KR/2026/0042"


@pytest.mark.parametrize(
    "typed", ["", "XX/2026/0042", "KR/26/42", "KR/2026", "0042", "KR/2026/abc"]
)
def test_unreadable_reference_gives_none(typed):
    assert parse_reference(typed, "KR") is None
