"""Period keys for every date from year 1 to 9999: they parse back, sort as the dates do, and step."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.search import periods

days = st.dates(min_value=date.min, max_value=date.max)
intervals = st.sampled_from(["day", "week", "month", "year"])
checked = settings(max_examples=200, deadline=None)


@checked
@given(days)
def test_keys_are_zero_padded_and_parse_back(day):
    assert periods.day_key(day) == day.isoformat()
    assert periods.parse_key(periods.day_key(day)) == day
    assert periods.parse_key(periods.month_key(day)) == day.replace(day=1)
    assert periods.parse_key(periods.year_key(day)) == date(day.year, 1, 1)
    assert len(periods.year_key(day)) == 4 and len(periods.month_key(day)) == 7


@checked
@given(days, days)
def test_key_order_is_date_order(a, b):
    assert (periods.day_key(a) < periods.day_key(b)) == (a < b)
    assert (periods.month_key(a) < periods.month_key(b)) == ((a.year, a.month) < (b.year, b.month))
    assert (periods.year_key(a) < periods.year_key(b)) == (a.year < b.year)


def test_every_year_has_a_four_digit_key_in_order():
    years = range(date.min.year, date.max.year + 1)
    keys = [periods.month_key(date(year, 12, 31)) for year in years]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert [periods.parse_key(key).year for key in keys] == list(years)
    assert {len(periods.year_key(date(year, 1, 1))) for year in years} == {4}


@checked
@given(days)
def test_month_bounds(day):
    first, last = periods.month_bounds(periods.month_key(day))
    assert first <= day <= last
    assert first.day == 1 and (last == date.max or (last + timedelta(days=1)).day == 1)


@checked
@given(days, intervals)
def test_periods_step_within_the_calendar(day, interval):
    start = periods.period_start(day, interval)
    assert start <= day
    after, before = periods.next_start(start, interval), periods.previous_start(start, interval)
    if after is not None:
        assert day < after and periods.period_start(after, interval) == after
        assert periods.previous_start(after, interval) == start
    else:
        assert periods.period_start(date.max, interval) == start
    if before is not None:
        assert before < start and periods.next_start(before, interval) == start
    else:
        assert start - date.min < timedelta(days=7 if interval == "week" else 1) or interval in (
            "month",
            "year",
        )
    if after is not None:
        assert periods.period_days(start, interval) == (after - start).days
        assert periods.period_count(start, after, interval) == 2
    else:  # the calendar's last week is cut short by its end
        assert periods.period_days(start, interval) >= (date.max - start).days + 1


@settings(max_examples=100, deadline=None)
@given(days, days)
def test_month_range_lists_every_month_once(a, b):
    low, high = sorted((a, b))
    if periods.months_between(periods.month_key(low), periods.month_key(high)) > 2400:
        high = low  # the walk itself is what is tested here, not its length
    keys = periods.month_range(periods.month_key(low), periods.month_key(high))
    assert keys == sorted(set(keys))
    assert keys[0] == periods.month_key(low) and keys[-1] == periods.month_key(high)
    assert len(keys) == periods.months_between(keys[0], keys[-1])
    assert periods.period_count(low, high, "month") == len(keys)


def test_the_calendar_ends():
    assert periods.next_month(date(9999, 12, 1)) is None
    assert periods.previous_month(date(1, 1, 1)) is None
    assert periods.next_day(date.max) is None
    assert periods.next_start(date(9999, 12, 27), "week") is None
    assert periods.period_start(date.min, "week") == date.min  # year 1 began on a Monday
    assert periods.months_between("9999-12", "0001-01") == 0


@pytest.mark.parametrize("key", ["", "999", "999-05", "2015-5", "2015-13", "0000", "2015-02-30", "٢٠١٥", "x"])
def test_malformed_keys_are_refused(key):
    with pytest.raises(ValueError):
        periods.parse_key(key)


precisions = st.sampled_from(["year", "month", "week", "day"])


@checked
@given(days, precisions)
def test_one_key_function_names_every_period_and_parses_back(day, precision):
    key = periods.key(day, precision)
    start = periods.period_start(day, precision)
    assert periods.parse_key(key) == start and periods.is_key(key, precision)
    assert len(key) == periods.KEY_LENGTHS[precision] and key.isascii()
    assert "-".join(periods.key_parts(key)) == key
    assert periods.period_start(periods.period_end(start, precision), precision) == start
    following = periods.next_start(start, precision)
    assert periods.period_end(start, precision) == (following - timedelta(days=1) if following else date.max)


@checked
@given(days, days, precisions)
def test_key_string_order_is_period_order(a, b, precision):
    ka, kb = periods.key(a, precision), periods.key(b, precision)
    sa, sb = periods.period_start(a, precision), periods.period_start(b, precision)
    assert (ka < kb) == (sa < sb) and (ka == kb) == (sa == sb)


def test_no_date_is_the_unknown_period():
    assert {periods.key(None, precision) for precision in ("year", "month", "day")} == {periods.UNKNOWN}
    assert not periods.is_key(periods.UNKNOWN)


@pytest.mark.parametrize(
    ("text", "precision"), [("2015-13", ""), ("999", ""), ("2015-05", "day"), ("2015", "month")]
)
def test_is_key_refuses_what_is_not_a_period_of_that_precision(text, precision):
    assert not periods.is_key(text, precision)
