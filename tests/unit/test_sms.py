"""Text messages without the app: segments as the networks count them, the sending hours,
and which phone numbers can take a text."""

from datetime import datetime

import pytest

from portal.sms.numbers import mobile_number
from portal.sms.segments import Encoding, count, segments
from portal.sms.window import Window

POLISH = "Żółć, gęślą jaźń. "
UKRAINIAN = "Ваша річ готова. "


def repeated(text: str, length: int) -> str:
    return (text * (length // len(text) + 1))[:length]


# Segments


@pytest.mark.parametrize(
    "length, expected",
    [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)],
)
def test_plain_text_takes_160_characters_in_one_segment_and_153_in_each_part(length, expected):
    text = repeated("Zgloszenie KR/2026/0042 gotowe. ", length)

    counted = count(text)

    assert counted == (Encoding.GSM7, length, expected)


@pytest.mark.parametrize(
    "length, expected",
    [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)],
)
@pytest.mark.parametrize("language_text", [POLISH, UKRAINIAN], ids=["polish", "ukrainian"])
def test_polish_and_ukrainian_text_takes_70_in_one_segment_and_67_in_each_part(
    language_text, length, expected
):
    text = repeated(language_text, length)

    counted = count(text)

    assert counted == (Encoding.UCS2, length, expected)


@pytest.mark.parametrize("letter", list("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ"))
def test_one_polish_letter_sends_the_whole_text_in_ucs2(letter):
    plain = "a" * 69

    assert count(plain + letter) == (Encoding.UCS2, 70, 1)
    assert count("a" * 70 + letter) == (Encoding.UCS2, 71, 2)


def test_the_letters_of_the_gsm_alphabet_stay_in_seven_bits():
    text = "Ñandu è ù à ü ö ä Ø å É ß @ £ $ ¥ § ¿ ¡ ΔΦΓΛΩΠΨΣΘΞ"

    assert count(text).encoding == Encoding.GSM7


@pytest.mark.parametrize("char", list("€[]{}^~|\\"))
def test_characters_of_the_extension_table_count_twice(char):
    assert count(char * 80) == (Encoding.GSM7, 160, 1)
    assert count(char * 81) == (Encoding.GSM7, 162, 2)


def test_an_escaped_character_is_never_split_between_two_parts():
    # 152 + 2 + 152 = 306 septets: two parts by arithmetic, but the € cannot start in the
    # last septet of the first part, so the parts hold 152, 153 and 1.
    text = "a" * 152 + "€" + "a" * 152

    assert count(text) == (Encoding.GSM7, 306, 3)


def test_a_character_beyond_the_basic_plane_takes_two_units_and_is_never_split():
    assert count("a" * 68 + "🙂") == (Encoding.UCS2, 70, 1)
    assert count("ą" * 66 + "🙂" + "ą" * 66) == (Encoding.UCS2, 134, 3)


def test_the_en_dash_and_curly_quotes_are_not_gsm_characters():
    assert count("10:00–12:00").encoding == Encoding.UCS2
    assert count("„tak”").encoding == Encoding.UCS2
    assert count("10:00-12:00").encoding == Encoding.GSM7


def test_an_empty_text_still_takes_one_segment():
    assert segments("") == 1


# The sending window


WARSAW = "Europe/Warsaw"


def utc(*parts) -> datetime:
    return datetime(*parts)


@pytest.mark.parametrize(
    "moment, open_",
    [
        (utc(2026, 1, 15, 6, 59), False),  # 07:59 in Warsaw (winter, UTC+1)
        (utc(2026, 1, 15, 7, 0), True),  # 08:00
        (utc(2026, 1, 15, 18, 59), True),  # 19:59
        (utc(2026, 1, 15, 19, 0), False),  # 20:00
        (utc(2026, 7, 15, 5, 59), False),  # 07:59 in summer (UTC+2)
        (utc(2026, 7, 15, 6, 0), True),  # 08:00
        (utc(2026, 7, 15, 18, 0), False),  # 20:00
    ],
)
def test_the_window_is_read_in_the_clubs_time_through_the_year(moment, open_):
    window = Window.parse("08:00-20:00", WARSAW)

    assert window.is_open(moment) is open_


def test_a_text_due_in_the_night_waits_for_the_morning():
    window = Window.parse("08:00-20:00", WARSAW)

    evening = window.next_opening(utc(2026, 1, 15, 20, 30))  # 21:30 in Warsaw
    early = window.next_opening(utc(2026, 1, 16, 4, 0))  # 05:00
    open_now = window.next_opening(utc(2026, 1, 16, 10, 0))

    assert evening == utc(2026, 1, 16, 7, 0)
    assert early == utc(2026, 1, 16, 7, 0)
    assert open_now == utc(2026, 1, 16, 10, 0)


def test_the_morning_after_the_clocks_change_is_the_local_morning():
    window = Window.parse("08:00-20:00", WARSAW)

    # The night of 28 to 29 March 2026: clocks go forward.
    assert window.next_opening(utc(2026, 3, 28, 22, 0)) == utc(2026, 3, 29, 6, 0)


@pytest.mark.parametrize("text", ["9:30 – 17:00", "09:30-17:00", " 9:30-17:00 "])
def test_the_window_reads_the_hours_as_people_write_them(text):
    window = Window.parse(text, WARSAW)

    assert (window.opens.hour, window.opens.minute, window.closes.hour) == (9, 30, 17)


@pytest.mark.parametrize("text", ["", "8-20", "20:00-08:00", "08:00-08:00", "25:00-26:00"])
def test_a_window_that_is_no_window_is_refused(text):
    with pytest.raises(ValueError, match="SMS_WINDOW"):
        Window.parse(text, WARSAW)


# Numbers


@pytest.mark.parametrize(
    "phone, expected",
    [
        ("600 123 456", "+48600123456"),
        ("+48 600-123-456", "+48600123456"),
        ("0048 600 123 456", "+48600123456"),
        ("48600123456", "+48600123456"),
        ("510 000 000", "+48510000000"),
        ("882 000 000", "+48882000000"),
        ("452 000 000", "+48452000000"),
        ("+380 67 123 45 67", "+380671234567"),
        ("+49 151 23456789", "+4915123456789"),
    ],
)
def test_a_mobile_number_is_written_in_e164(phone, expected):
    assert mobile_number(phone) == expected


@pytest.mark.parametrize(
    "phone",
    [
        "77 400 00 00",  # Opole
        "(077) 400 00 00",
        "22 123 45 67",  # Warsaw
        "+48 77 400 00 00",
        "+380 44 123 45 67",  # Kyiv
        "800 100 100",  # free of charge, no mobile
        "12345",
        "",
        None,
        "[usunięto]",
    ],
)
def test_a_landline_or_no_number_takes_no_text(phone):
    assert mobile_number(phone) is None
