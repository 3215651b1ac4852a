"""Links that change one part of the search state kept in the URL (a facet, a month, a page)."""

from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache

from django.http import QueryDict
from django.utils.formats import date_format
from django.utils.timezone import template_localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from archive.search import periods

FEW_MONTHS = 18
# Parameters that describe what is searched; the page number and chart interval are not part of it.
SEARCH_PARAMS = (
    "q",
    "source",
    "date_from",
    "date_to",
    "sort",
    "tags",
    "status",
    "agency",
    "annotated",
    "literal",
    "exact",
)
FILTER_PARAMS = ("source", "tags", "status", "agency")


def search_params(query: QueryDict) -> QueryDict:
    """The search parameters of a request, without the page, ready to append to another URL."""
    params = QueryDict(mutable=True)
    for key in SEARCH_PARAMS:
        values = [v for v in query.getlist(key) if v != ""]
        if values:
            params.setlist(key, values)
    return params


def with_changes(params: QueryDict, **changes) -> str:
    """A query string with some parameters replaced (a list sets all its values, None removes one)."""
    changed = params.copy()
    for key, value in changes.items():
        if value is None:
            changed.pop(key, None)
        else:
            changed.setlist(key, value if isinstance(value, list) else [value])
    return "?" + changed.urlencode() if changed else "?"


def toggled(params: QueryDict, key: str, value: str) -> str:
    """Adds a facet value to the search, or removes it if present (multi-select); back to page one."""
    values = params.getlist(key)
    values = [v for v in values if v != value] if value in values else [*values, value]
    return with_changes(params, **{key: values or None})


def facet_entries(params: QueryDict, key: str, entries: list[dict], labels: dict | None = None) -> list[dict]:
    """Facet counts as links that toggle the value, with the value's label and whether it is chosen."""
    chosen = set(params.getlist(key))
    rows = []
    for entry in entries:
        value = entry.get("slug") or entry.get("value")
        rows.append(
            {
                "value": value,
                "label": (labels or {}).get(value) or entry.get("name") or value,
                "count": entry["count"],
                "selected": value in chosen,
                "url": toggled(params, key, value),
            }
        )
    # Chosen values stay visible even when nothing matches them any more, so they can be removed.
    for value in chosen - {row["value"] for row in rows}:
        rows.append(
            {
                "value": value,
                "label": (labels or {}).get(value) or value,
                "count": 0,
                "selected": True,
                "url": toggled(params, key, value),
            }
        )
    return rows


def dated_link(params: QueryDict) -> Callable[[date, date], str]:
    """with_changes(params, date_from=…, date_to=…) for many periods: the rest encoded once (a
    histogram of ten years has 120 bars)."""
    rest = params.copy()
    rest.pop("date_from", None)
    rest.pop("date_to", None)
    prefix = "?" + (rest.urlencode() + "&" if rest else "")
    return lambda first, last: (
        f"{prefix}date_from={periods.key(first, 'day')}&date_to={periods.key(last, 'day')}"
    )


@lru_cache(maxsize=4096)
def month_label(first: date, language: str) -> str:
    """A month's name and year in the language's format ("أغسطس 2015"); the language is the key."""
    return date_format(first, "YEAR_MONTH_FORMAT")


def day_label(value: date | datetime) -> str:
    """A day as the pages write it ("3 أغسطس 2015"), as the template's date filter would: a time is
    shown in the current time zone first."""
    if isinstance(value, datetime):
        value = template_localtime(value).date()
    return _day_label(value, get_language())


@lru_cache(maxsize=20_000)
def _day_label(day: date, language: str) -> str:
    return date_format(day, "j F Y")


def histogram_bars(params: QueryDict, histogram: list[dict]) -> list[dict]:
    """Month bars with their height in percent, the month's name and a link narrowing the search to it.

    Every bar is labelled with its month when there are few; otherwise only the years are marked.
    """
    top = max((bucket["count"] for bucket in histogram), default=0) or 1
    few = len(histogram) <= FEW_MONTHS
    link = dated_link(params)
    language = get_language()
    bars = []
    for bucket in histogram:
        period, count = bucket["period"], bucket["count"]
        bar = {"period": period, "count": count, "height": round(100 * count / top, 1), "url": ""}
        if period != periods.UNKNOWN:
            first, last = periods.month_bounds(period)
            bar["url"] = link(first, last)
            bar["year"], bar["month"] = periods.key_parts(period)[:2]
            bar["label"] = month_label(first, language)
            # The first bar names its year too, unless January's label would follow too closely; so
            # does a bar after a gap of years (a histogram too long to fill in).
            bar["starts_year"] = (
                bar["month"] == "01"
                or (not bars and (few or bar["month"] <= "09"))
                or (bool(bars) and bars[-1].get("year", bar["year"]) != bar["year"])
            )
            bar["label_month"] = few
            bar["classes"] = " ".join(
                name for name, on in (("year-start", bar["starts_year"]), ("labelled", few)) if on
            )
            bar["title"] = f"{bar['label']}: {count}"
        bar["pct"] = int(bar["height"] + 0.5)  # the CSS class of its height, rounded half up
        bars.append(bar)
    return bars


def chosen_filters(params: QueryDict, labels: dict[str, dict]) -> list[dict]:
    """The filters in force, each with a link that removes it (labels: display names per parameter)."""
    chosen = []
    for key in FILTER_PARAMS:
        values = params.getlist(key)
        for value in values:
            rest = [v for v in values if v != value] or None
            chosen.append(
                {"label": labels.get(key, {}).get(value, value), "url": with_changes(params, **{key: rest})}
            )
    for key, label in (("date_from", _("من")), ("date_to", _("إلى"))):
        if params.get(key):
            chosen.append({"label": f"{label} {params[key]}", "url": with_changes(params, **{key: None})})
    if params.get("annotated"):
        chosen.append({"label": _("ذات ملاحظات"), "url": with_changes(params, annotated=None)})
    return chosen


def page_links(params: QueryDict, current: int, last: int) -> list[dict | None]:
    """Numbered links around the current page, with the first and the last; None marks a gap."""
    numbers = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    links, previous = [], 0
    for number in numbers:
        if number - previous > 1:
            links.append(None)
        links.append(
            {"number": number, "url": with_changes(params, page=str(number)), "current": number == current}
        )
        previous = number
    return links
