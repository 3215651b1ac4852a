"""Attention over time: how many matching articles each outlet published per day, week, month or year.

The counts are the search's own facet counts of source-and-period pairs (archive.search_indexes), with
or without a query. Beside them, what the archive collected from each outlet (one facet search with no
query, kept per index state) gives each outlet's share of its own output, as Media Cloud's normalized
view does, and marks a period where an outlet has nothing collected as a gap in collection, not a lack
of coverage. The chart (archive.web.charts) draws what attention() returns; it decides nothing.
"""

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext_lazy as _
from haystack import connections
from haystack.query import SearchQuerySet

from archive.models import UNKNOWN, Article, Source

from . import periods
from .backend import index_state
from .service import SearchRequest, matching
from .spelling import BoundedCache

# Index fields holding "slug|YYYY-MM" and "slug|YYYY-MM-DD" (archive.search_indexes).
PAIR_FIELDS = {"month": "source_month", "day": "source_day"}
MAX_KEPT = 4  # index states remembered, per field
MAX_SERIES = 5  # outlets drawn apart; the others are summed as one series (slug "")
MIN_PERIODS = 7
# More periods than this and the chart steps up to a longer interval: a forced "day" over centuries of
# coverage (or a stray year 1 beside 2015) would draw, and list, millions of points.
MAX_PERIODS = 800
INTERVALS = ["day", "week", "month", "year"]

_kept = BoundedCache(MAX_KEPT * len(PAIR_FIELDS))
# One count at a time: threads asking for the same counts wait for the first, then read them kept.
_counting = threading.Lock()


@dataclass
class Series:
    """One outlet's matches per period (None where nothing at all was collected from it: a gap), and
    how many of its articles the archive holds for each period. slug "" is the other outlets summed."""

    slug: str
    name: str
    counts: list[int | None]
    collected: list[int] = field(default_factory=list)

    @property
    def shares(self) -> list[float | None]:
        """Matches as a percentage of the outlet's articles in each period; None in a gap."""
        return [
            None if n is None or not total else 100 * n / total
            for n, total in zip(self.counts, self.collected, strict=True)
        ]

    @property
    def gaps(self) -> list[bool]:
        return [n is None for n in self.counts]

    @property
    def gap_spans(self) -> list[tuple[int, int]]:
        """The runs of gaps, as the indexes of their first and last periods."""
        spans, start = [], None
        for i, gap in enumerate([*self.gaps, False]):
            if gap and start is None:
                start = i
            elif not gap and start is not None:
                spans.append((start, i - 1))
                start = None
        return spans


@dataclass
class PeriodRow:
    """One line of the chart's numbers: per series a count or a share (None in a gap, or undated), the
    total (all outlets' count, or their matches as a share of their articles) and which series have a gap."""

    key: str
    values: list[int | float | None]
    total: int | float | None
    gaps: list[bool]


@dataclass
class Attention:
    interval: str
    periods: list[date] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    undated: int = 0
    share: bool = False  # each outlet's matches as a share of its own articles, not as counts

    @property
    def total(self) -> int:
        return sum(n or 0 for s in self.series for n in s.counts)

    @property
    def has_gaps(self) -> bool:
        return any(any(s.gaps) for s in self.series)

    def plotted(self, series: Series) -> list[int | float | None]:
        """What the chart shows of a series: its shares, or its counts."""
        return series.shares if self.share else series.counts

    def rows(self) -> Iterator[PeriodRow]:
        """The numbers period by period, then the undated matches (counted only, never a share)."""
        for i, period in enumerate(self.periods):
            counts = [s.counts[i] for s in self.series]
            matched = sum(n or 0 for n in counts)
            if self.share:
                held = sum(s.collected[i] for s in self.series)
                values, total = [s.shares[i] for s in self.series], (100 * matched / held if held else None)
            else:
                values, total = counts, matched
            key = periods.key(period, self.interval)
            yield PeriodRow(key, values, total, [n is None for n in counts])
        if self.undated:
            blank = [None] * len(self.series)
            yield PeriodRow(
                periods.UNKNOWN, blank, None if self.share else self.undated, [False] * len(blank)
            )


def attention(request: SearchRequest, interval: str = "", share: bool = False) -> Attention:
    """Counts per outlet and period for a search, at the interval asked for ("" chooses one), with each
    outlet's articles per period beside them; `share` asks for the matches as a share of those."""
    sqs = matching(request)
    fields = sqs.facet(PAIR_FIELDS["month"]).facet(PAIR_FIELDS["day"]).facet_counts().get("fields", {})
    per_source, undated, interval = source_period_counts(fields, interval)
    interval = wide_enough(per_source, interval)
    held = collected(interval)
    if request.sources:
        held = {slug: counts for slug, counts in held.items() if slug in request.sources}
    result = assemble(per_source, undated, interval, held)
    result.share = share
    return result


def source_period_counts(fields: dict, interval: str) -> tuple[dict[str, dict[str, int]], int, str]:
    """Facet counts of the pair fields as counts per outlet and period key, the undated matches, and the
    interval (chosen from the span when none is asked for); day keys only when months will not do."""
    months = split_pairs(fields.get(PAIR_FIELDS["month"], []))
    undated = sum(counts.pop(periods.UNKNOWN, 0) for counts in months.values())
    interval = interval or choose_interval(sorted({key for counts in months.values() for key in counts}))
    months_will_do = interval in ("month", "year") or wide_enough(months, interval) in ("month", "year")
    per_source = months if months_will_do else split_pairs(fields.get(PAIR_FIELDS["day"], []))
    return per_source, undated, interval


def split_pairs(counts: list[tuple[str, int]]) -> dict[str, dict[str, int]]:
    """Facet counts of "slug|period" values, as counts per period for each source (a key not zero-padded,
    from an index of before, counts nowhere)."""
    per_source: dict[str, dict[str, int]] = {}
    for value, n in counts:
        slug, _sep, period = value.rpartition("|")
        if period == periods.UNKNOWN or periods.is_key(period):
            per_source.setdefault(slug, {})[period] = n
    return per_source


def index_version() -> tuple | None:
    """What names the index's current contents, when the engine says (archive.search.backend does).

    The one place this module asks the engine for more than haystack offers."""
    backend = connections["default"].get_backend()
    if not hasattr(backend, "current_searcher"):
        return None
    searcher, _docsets = backend.current_searcher()
    return (backend.path, index_state(searcher.reader()))


def collected(precision: str) -> dict[str, dict[str, int]]:
    """Articles in the index per outlet slug and period key ("YYYY-MM" for "month", else "YYYY-MM-DD")."""
    field = PAIR_FIELDS["month" if precision in ("month", "year") else "day"]

    def count() -> dict[str, dict[str, int]]:
        counts = SearchQuerySet().models(Article).all().facet(field).facet_counts()
        return split_pairs(counts.get("fields", {}).get(field, []))

    version = index_version()
    if version is None:
        return count()
    with _counting:
        return _kept.get((field, version), count)


def choose_interval(months: list[str]) -> str:
    """Days for a few months of coverage, weeks up to about a year, months beyond."""
    if not months:
        return "month"
    span = periods.months_between(min(months), max(months))
    return "day" if span <= 2 else "week" if span <= 12 else "month"


def wide_enough(per_source: dict[str, dict[str, int]], interval: str) -> str:
    """The interval asked for, or the shortest longer one that needs at most MAX_PERIODS periods."""
    keys = [key for counts in per_source.values() for key in counts if key != periods.UNKNOWN]
    if not keys:
        return interval
    first, last = periods.parse_key(min(keys)), periods.parse_key(max(keys))
    for longer in INTERVALS[INTERVALS.index(interval) :]:
        span = periods.period_count(
            periods.period_start(first, longer), periods.period_start(last, longer), longer
        )
        if span <= MAX_PERIODS:
            return longer
    return INTERVALS[-1]


def period_range(first: date, last: date, interval: str) -> list[date]:
    """Every period from first to last, widened to a few periods so that a lone bar keeps its width."""
    starts = [first]
    while starts[-1] < last:
        starts.append(periods.next_start(starts[-1], interval))
    for n in range(MIN_PERIODS - len(starts)):
        before, after = periods.previous_start(starts[0], interval), periods.next_start(starts[-1], interval)
        if before and (n % 2 or not after):
            starts.insert(0, before)
        elif after:
            starts.append(after)
    return starts


def bucketed(counts: dict[str, int], interval: str) -> dict[date, int]:
    """Counts keyed "YYYY-MM" or "YYYY-MM-DD", summed into the interval's periods."""
    starts: dict[date, int] = {}
    for key, n in counts.items():
        if not n or not periods.is_key(key):  # "unknown", or a key from an index of before
            continue
        start = periods.period_start(periods.parse_key(key), interval)
        starts[start] = starts.get(start, 0) + n
    return starts


def assemble(
    per_source: dict[str, dict[str, int]],
    undated: int,
    interval: str,
    collected: dict[str, dict[str, int]] | None = None,
) -> Attention:
    """The leading outlets as series over every period, the others summed as one (slug "").

    `collected` holds every outlet's articles per period whatever the search; an outlet with none in a
    period within the archive's span has a gap there (None), not a zero. Without it no period is a gap,
    nor is a period added around a short range before or after anything was collected."""
    result = Attention(interval=interval, undated=undated)
    buckets = {slug: bucketed(counts, interval) for slug, counts in per_source.items()}
    held = {slug: bucketed(counts, interval) for slug, counts in (collected or {}).items()}
    ranked = sorted((slug for slug in buckets if slug), key=lambda slug: (-sum(buckets[slug].values()), slug))
    rest = buckets.pop("", {})
    for slug in ranked[MAX_SERIES:]:
        for period, n in buckets.pop(slug).items():
            rest[period] = rest.get(period, 0) + n
    starts = [period for counts in (*buckets.values(), rest) for period in counts]
    if not starts:
        return result
    first, last = min(starts), max(starts)
    if periods.period_count(first, last, interval) > MAX_PERIODS:
        result.periods = sorted(set(starts))
    else:
        result.periods = period_range(first, last, interval)
    shown = ranked[:MAX_SERIES]
    names = dict(Source.objects.public().filter(slug__in=shown).values_list("slug", "name"))
    names[UNKNOWN] = _("مصدر غير معروف")  # no source, or one awaiting an editor's review
    held_rest: dict[date, int] = {}
    for slug in held.keys() - set(shown):
        for period, n in held[slug].items():
            held_rest[period] = held_rest.get(period, 0) + n
    series = [(slug, names.get(slug, slug), buckets[slug], held.get(slug, {})) for slug in shown]
    collected_periods = [period for counts in held.values() for period, n in counts.items() if n]
    span = (min(collected_periods), max(collected_periods)) if collected_periods else None
    for slug, name, counts, outlet_held in [*series, ("", "", rest, held_rest)]:
        if any(counts.values()):  # outlets whose matching articles are all undated are left out
            totals = [max(outlet_held.get(p, 0), counts.get(p, 0)) for p in result.periods]
            values = [
                None if span and span[0] <= p <= span[1] and not total else counts.get(p, 0)
                for p, total in zip(result.periods, totals, strict=True)
            ]
            result.series.append(Series(slug, name, values, totals))
    return result
