"""Period keys ("YYYY", "YYYY-MM", "YYYY-MM-DD", or "unknown") and the calendar arithmetic around them.

The index's date facets, the histogram, the date filter, the chart and its CSV all speak in these
keys, so they are made and read here and nowhere else: zero-padded for every year a date can have (1 to
9999), since strftime's %Y is not ("999" on Linux), and unpadded keys neither sort nor parse back.
Plain Python.
"""

import calendar
import re
from datetime import date, timedelta

KEY = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", re.ASCII)
UNKNOWN = "unknown"  # the period of an article with no date
KEY_LENGTHS = {"year": 4, "month": 7, "week": 10, "day": 10}


def year_key(day: date) -> str:
    return f"{day.year:04d}"


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def day_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def key(day: date | None, precision: str) -> str:
    """The key of the year, month, week (its Monday's day) or day that day falls in; UNKNOWN for no date."""
    if day is None:
        return UNKNOWN
    if precision == "year":
        return year_key(day)
    if precision == "month":
        return month_key(day)
    return day_key(period_start(day, precision))


def is_key(text: str, precision: str = "") -> bool:
    """Whether text names a real period (of that precision, if given); "2015-13" and "999" do not."""
    if precision and len(text) != KEY_LENGTHS[precision]:
        return False
    try:
        parse_key(text)
    except ValueError:
        return False
    return True


def key_parts(key: str) -> tuple[str, ...]:
    """A key's year, month and day as written ("0999-05": "0999", "05"); ValueError for a non-key."""
    parse_key(key)
    return tuple(part for part in KEY.fullmatch(key).groups() if part)


def parse_key(key: str) -> date:
    """The first day of the period a key names; ValueError for anything that is not a key."""
    match = KEY.fullmatch(key)
    if not match:
        raise ValueError(f"not a period key: {key!r}")
    year, month, day = (int(part) if part else 1 for part in match.groups())
    return date(year, month, day)


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_bounds(key: str) -> tuple[date, date]:
    """The first and the last day of the month a "YYYY-MM" (or longer) key falls in."""
    first = month_start(parse_key(key))
    return first, month_end(first)


def next_month(day: date) -> date | None:
    """The first day of the following month; None after December 9999."""
    if day.month < 12:
        return date(day.year, day.month + 1, 1)
    return date(day.year + 1, 1, 1) if day.year < date.max.year else None


def previous_month(day: date) -> date | None:
    """The first day of the month before; None before January of year 1."""
    if day.month > 1:
        return date(day.year, day.month - 1, 1)
    return date(day.year - 1, 12, 1) if day.year > date.min.year else None


def next_day(day: date) -> date | None:
    return day + timedelta(days=1) if day < date.max else None


def months_between(first: str, last: str) -> int:
    """How many months from first to last, both counted ("YYYY-MM" keys); 0 when last is earlier."""
    low, high = parse_key(first[:7]), parse_key(last[:7])
    return max(0, (high.year - low.year) * 12 + high.month - low.month + 1)


def month_range(first: str, last: str) -> list[str]:
    """The month keys from first to last, both included."""
    keys: list[str] = []
    month, end = parse_key(first[:7]), parse_key(last[:7])
    while month is not None and month <= end:
        keys.append(month_key(month))
        month = next_month(month)
    return keys


def period_start(day: date, interval: str) -> date:
    """The first day of the day, week (from Monday), month or year that day falls in.

    Year 1 began on a Monday, so no week starts before the calendar does."""
    if interval == "year":
        return day.replace(month=1, day=1)
    if interval == "month":
        return month_start(day)
    if interval == "week":
        return day - timedelta(days=day.weekday())
    return day


def period_end(start: date, interval: str) -> date:
    """The last day of the day, week, month or year beginning at start (the calendar's last day at most)."""
    after = next_start(start, interval)
    return after - timedelta(days=1) if after else date.max


def period_count(first: date, last: date, interval: str) -> int:
    """How many periods from the one starting at first to the one starting at last, both counted."""
    if interval == "year":
        return max(0, last.year - first.year + 1)
    if interval == "month":
        return months_between(month_key(first), month_key(last))
    return max(0, (last - first).days // (7 if interval == "week" else 1) + 1)


def next_start(start: date, interval: str) -> date | None:
    """The start of the period after the one beginning at start; None past the end of the calendar."""
    if interval == "year":
        return date(start.year + 1, 1, 1) if start.year < date.max.year else None
    if interval == "month":
        return next_month(start)
    step = timedelta(days=7 if interval == "week" else 1)
    return start + step if date.max - start >= step else None


def previous_start(start: date, interval: str) -> date | None:
    """The start of the period before the one beginning at start; None before the calendar begins."""
    if interval == "year":
        return date(start.year - 1, 1, 1) if start.year > date.min.year else None
    if interval == "month":
        return previous_month(start)
    step = timedelta(days=7 if interval == "week" else 1)
    return start - step if start - date.min >= step else None


def period_days(start: date, interval: str) -> int:
    """How many days the period beginning at start lasts (a bar's width)."""
    if interval == "year":
        return 366 if calendar.isleap(start.year) else 365
    if interval == "month":
        return calendar.monthrange(start.year, start.month)[1]
    return 7 if interval == "week" else 1
