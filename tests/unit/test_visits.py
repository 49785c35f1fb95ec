"""The hours of a visit as staff type them, written the one way."""

from datetime import time

import pytest

from portal.domain import visits
from portal.domain.errors import DomainError


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("10:00–12:00", "10:00–12:00"),
        ("10-12", "10:00–12:00"),
        ("9.30 - 11.15", "9:30–11:15"),
        ("8 do 10", "8:00–10:00"),
        ("9:30", "9:30"),
        ("około 14", "14:00"),
        ("", ""),
    ],
)
def test_typed_hours_are_kept_one_way(typed, kept):
    assert visits.normalised(typed) == kept


@pytest.mark.parametrize("typed", ["rano", "12-10", "25:00", "10:75", "10:00–10:00"])
def test_what_is_not_hours_is_refused_at_the_field(typed):
    with pytest.raises(DomainError) as refused:
        visits.normalised(typed)

    assert refused.value.field == "scheduled_time"


def test_the_start_orders_a_days_visits_and_free_text_goes_last():
    assert visits.start_of("9:30–11:00") == time(9, 30)
    assert visits.start_of("po południu") is None
