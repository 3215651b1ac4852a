"""Attention over time: how many matching articles each outlet published per day, week or month.

With no query the counts are one grouped database query; with a query they are the search engine's
facet counts of source-and-period pairs, so the numbers are the search's own. Beside them, what the
archive collected from each outlet (archive.search.coverage) gives each outlet's share of its own
output, and marks the periods with nothing collected as gaps rather than zeros. matplotlib draws the
chart on the server.
"""

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

import arabic_reshaper
import matplotlib
from bidi.algorithm import get_display
from django.db.models import Count
from django.utils.translation import gettext as _
from matplotlib import dates as mdates
from matplotlib import ft2font
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from archive.models import Source
from archive.search import coverage
from archive.search.periods import (
    KEY,
    day_key,
    month_key,
    months_between,
    next_start,
    parse_key,
    period_count,
    period_days,
    period_start,
    previous_start,
    year_key,
)
from archive.search.service import SearchRequest, base_queryset, filtered, parse_query
from archive.search_indexes import UNKNOWN_DATE

from .exports import matching_articles

matplotlib.use("Agg")  # no display on a server; Figure objects below never touch pyplot

MAX_SERIES = 5
PATH_DATA = re.compile(rb' d="[^"]*"')
MAX_BARS = 24
MIN_PERIODS = 7
# More periods than this and the chart steps up to a longer interval: a forced "day" over centuries of
# coverage (or a stray year 1 beside 2015) would draw, and list, millions of points.
MAX_PERIODS = 800
INTERVALS = ["day", "week", "month", "year"]
# The axis cannot reach past the calendar's end, where matplotlib's dates end too.
LAST_MOMENT = mdates.date2num(datetime(9999, 12, 31, 23, 59))
# matplotlib 3.11 lays out complex scripts itself (libraqm); before it, characters were drawn one by
# one, so Arabic had to be joined and reordered beforehand (and must not be twice).
LAYS_OUT_ARABIC = hasattr(ft2font, "LayoutItem")
COLORS = ["#1d5b86", "#c0561b", "#2e7d4f", "#7a4a9e", "#b0334d"]
OTHER_COLOR = "#a9b1b8"
GAP_COLOR = "#6b747b"
GAP_HATCH = "////"
STYLE = {
    "font.family": "DejaVu Sans",  # it has the Arabic presentation forms
    "font.size": 9,
    "svg.fonttype": "path",
    "svg.hashsalt": "archive-chart",
    "axes.edgecolor": "#8a949c",
    "axes.labelcolor": "#333a40",
    "xtick.color": "#4a535a",
    "ytick.color": "#4a535a",
}


@dataclass
class Series:
    """One outlet's matches per period (None where nothing at all was collected from it: a gap), and
    how many of its articles the archive holds for each period."""

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


def shaped(text: str) -> str:
    """Arabic letters joined and laid out right to left, unless matplotlib does it itself."""
    return str(text) if LAYS_OUT_ARABIC else get_display(arabic_reshaper.reshape(str(text)))


def period_range(first: date, last: date, interval: str) -> list[date]:
    """Every period from first to last, widened to a few periods so that a lone bar keeps its width."""
    periods = [first]
    while periods[-1] < last:
        periods.append(next_start(periods[-1], interval))
    for n in range(MIN_PERIODS - len(periods)):
        before, after = previous_start(periods[0], interval), next_start(periods[-1], interval)
        if before and (n % 2 or not after):
            periods.insert(0, before)
        elif after:
            periods.append(after)
    return periods


def choose_interval(months: list[str]) -> str:
    """Days for a few months of coverage, weeks up to about a year, months beyond."""
    if not months:
        return "month"
    first, last = min(months), max(months)
    span = months_between(first, last)
    return "day" if span <= 2 else "week" if span <= 12 else "month"


def wide_enough(per_source: dict[str, dict[str, int]], interval: str) -> str:
    """The interval asked for, or the shortest longer one that needs at most MAX_PERIODS periods."""
    keys = [key for counts in per_source.values() for key in counts if key != UNKNOWN_DATE]
    if not keys:
        return interval
    first, last = parse_key(min(keys)), parse_key(max(keys))
    for longer in INTERVALS[INTERVALS.index(interval) :]:
        if period_count(period_start(first, longer), period_start(last, longer), longer) <= MAX_PERIODS:
            return longer
    return INTERVALS[-1]


def bucketed(counts: dict[str, int], interval: str) -> dict[date, int]:
    """Facet counts keyed "YYYY-MM" or "YYYY-MM-DD", summed into the interval's periods."""
    periods: dict[date, int] = {}
    for key, n in counts.items():
        if key == UNKNOWN_DATE or not n or not KEY.fullmatch(key):  # see service.month_histogram
            continue
        start = period_start(parse_key(key), interval)
        periods[start] = periods.get(start, 0) + n
    return periods


def attention(request: SearchRequest, interval: str = "", share: bool = False) -> Attention:
    """Counts per outlet and period for a search: from the database when there is no query to rank by.

    With `share`, the chart shows each outlet's matches as a percentage of its articles in the period."""
    parsed = parse_query(request)
    if parsed.is_empty:
        per_source, undated = database_counts(request)
        interval = interval or choose_interval(sorted({key[:7] for c in per_source.values() for key in c}))
    else:
        sqs = filtered(base_queryset(request, parsed), request)
        per_source, undated, interval = search_counts(sqs, interval)
    interval = wide_enough(per_source, interval)
    collected = coverage.collected(interval)
    if request.sources:
        collected = {slug: counts for slug, counts in collected.items() if slug in request.sources}
    result = assemble(per_source, undated, interval, collected)
    result.share = share
    return result


def database_counts(request: SearchRequest) -> tuple[dict[str, dict[str, int]], int]:
    """Articles per outlet and day, in one grouped query, and how many are undated."""
    articles = matching_articles(request)
    per_source: dict[str, dict[str, int]] = {}
    dated = (
        articles.exclude(published_on=None)
        .values_list("source__slug", "published_on")
        .annotate(n=Count("id"))
    )
    for slug, day, n in dated:
        per_source.setdefault(slug, {})[day_key(day)] = n
    return per_source, articles.filter(published_on=None).count()


def search_counts(sqs, interval: str) -> tuple[dict[str, dict[str, int]], int, str]:
    """The search's own counts of source-and-period pairs (see coverage.PAIR_FIELDS), in one facet search."""
    month_field, day_field = coverage.PAIR_FIELDS["month"], coverage.PAIR_FIELDS["day"]
    fields = sqs.facet(month_field).facet(day_field).facet_counts().get("fields", {})
    months = coverage.split_pairs(fields.get(month_field, []))
    undated = sum(counts.pop(UNKNOWN_DATE, 0) for counts in months.values())
    interval = interval or choose_interval(sorted({key for counts in months.values() for key in counts}))
    months_will_do = interval in ("month", "year") or wide_enough(months, interval) in ("month", "year")
    per_source = months if months_will_do else coverage.split_pairs(fields.get(day_field, []))
    return per_source, undated, interval


def assemble(
    per_source: dict[str, dict[str, int]],
    undated: int,
    interval: str,
    collected: dict[str, dict[str, int]] | None = None,
) -> Attention:
    """The leading outlets as series over every period, the others summed as one ("" is "the rest").

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
    if period_count(first, last, interval) > MAX_PERIODS:
        result.periods = sorted(set(starts))
    else:
        result.periods = period_range(first, last, interval)
    names = dict(Source.objects.filter(slug__in=ranked[:MAX_SERIES]).values_list("slug", "name"))
    shown = ranked[:MAX_SERIES]
    held_rest: dict[date, int] = {}
    for slug in held.keys() - set(shown):
        for period, n in held[slug].items():
            held_rest[period] = held_rest.get(period, 0) + n
    series = [(slug, names.get(slug, slug), buckets[slug], held.get(slug, {})) for slug in shown]
    collected_periods = [period for counts in held.values() for period, n in counts.items() if n]
    span = (min(collected_periods), max(collected_periods)) if collected_periods else None
    for slug, name, counts, outlet_held in [*series, ("", _("مصادر أخرى"), rest, held_rest)]:
        if any(counts.values()):  # outlets whose matching articles are all undated are left out
            totals = [max(outlet_held.get(p, 0), counts.get(p, 0)) for p in result.periods]
            values = [
                None if span and span[0] <= p <= span[1] and not total else counts.get(p, 0)
                for p, total in zip(result.periods, totals, strict=True)
            ]
            result.series.append(Series(slug, name, values, totals))
    return result


def render(data: Attention, fmt: str = "svg") -> bytes:
    """The chart as SVG or PNG, with fixed margins (a layout engine would double the drawing time)."""
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(8.4, 3.1), dpi=100)
        fig.subplots_adjust(left=0.085, right=0.965, bottom=0.13, top=0.8)
        ax = fig.add_subplot()
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", color="#e3e6e9", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.yaxis.set_major_locator(MaxNLocator(integer=not data.share, nbins=5))
        ax.set_ylabel(shaped(_("٪ من مقالات المصدر") if data.share else _("عدد المقالات")))
        if data.periods:
            handles = draw(ax, data)
            labels = [shaped(series.name) for series in data.series]  # given, so "_name" is not hidden
            if data.has_gaps:
                handles.append(
                    Patch(facecolor="none", edgecolor=GAP_COLOR, hatchcolor=GAP_COLOR, hatch=GAP_HATCH)
                )
                labels.append(shaped(_("لا مقالات مجموعة")))
            fig.legend(
                handles,
                labels,
                loc="upper center",
                bbox_to_anchor=(0.53, 1.0),
                ncols=min(len(handles), 3),
                frameon=False,
                handlelength=1.2,
                columnspacing=1.6,
            )
        else:
            ax.text(
                0.5,
                0.5,
                shaped(_("لا مقالات مؤرخة تطابق البحث")),
                ha="center",
                va="center",
                transform=ax.transAxes,
                color="#4a535a",
            )
            ax.set_xticks([])
            ax.set_yticks([])
        for text in fig.findobj(Text):
            text.set_parse_math(False)  # an outlet named "$x$" is drawn as written, not as math
        out = io.BytesIO()
        fig.savefig(out, format=fmt, metadata={"Date": None} if fmt == "svg" else {})
    return compact(out.getvalue()) if fmt == "svg" else out.getvalue()


def compact(svg: bytes) -> bytes:
    """Path coordinates to two decimals: a third lighter, and no visible difference at screen size."""
    return PATH_DATA.sub(lambda m: re.sub(rb"(\.\d\d)\d+", rb"\1", m.group(0)), svg)


def draw(ax, data: Attention):
    """Stacked bars for a few periods; for many, or for shares (which do not add up), one line per
    outlet. A period with nothing collected from an outlet is hatched in its colour, its line broken.

    Returns what the legend shows, one handle per series.
    """
    colors = iter(COLORS)
    handles = []
    bottom = [0] * len(data.periods)
    for series in data.series:
        color = next(colors) if series.slug else OTHER_COLOR
        values = series.shares if data.share else series.counts
        if len(data.periods) <= MAX_BARS and not data.share:
            counts = [n or 0 for n in series.counts]
            width = [period_days(start, data.interval) * 0.82 for start in data.periods]
            handles.append(
                ax.bar(data.periods, counts, width=width, bottom=bottom, color=color, align="edge")
            )
            bottom = [b + n for b, n in zip(bottom, counts, strict=True)]
        else:
            points = [float("nan") if v is None else v for v in values]
            few = len(data.periods) <= MAX_BARS
            handles.extend(
                ax.plot(data.periods, points, color=color, linewidth=1.3, marker="o" if few else None, ms=3)
            )
        hatch_gaps(ax, data, series, color)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(
        mdates.ConciseDateFormatter(
            locator,
            formats=["%Y", "%Y-%m", "%m-%d", "%H:%M", "%H:%M", "%S"],
            zero_formats=["", "%Y-%m", "%m-%d", "%H:%M", "%H:%M", "%S"],
            # Day ticks ("06-15") name their year once, under the end of the axis.
            offset_formats=["", "%Y", "%Y", "%Y-%m", "%Y-%m-%d", "%Y-%m-%d"],
        )
    )
    end = mdates.date2num(data.periods[-1]) + period_days(data.periods[-1], data.interval)
    ax.set_xlim(mdates.date2num(data.periods[0]), min(end, LAST_MOMENT))
    ax.margins(y=0.05)
    ax.set_ylim(bottom=0)
    return handles


def hatch_gaps(ax, data: Attention, series: Series, color: str) -> None:
    """Bands over the periods where nothing was collected from the outlet, one collection per outlet."""
    runs, start = [], None
    for i, gap in enumerate([*series.gaps, False]):
        if gap and start is None:
            start = i
        elif not gap and start is not None:
            last = data.periods[i - 1]
            end = min(mdates.date2num(last) + period_days(last, data.interval), LAST_MOMENT)
            runs.append(
                [(mdates.date2num(data.periods[start]), 0), (mdates.date2num(data.periods[start]), 1)]
            )
            runs[-1].extend([(end, 1), (end, 0)])
            start = None
    if runs:
        bands = PolyCollection(
            runs, facecolors="none", edgecolors=color, hatchcolor=color, hatch=GAP_HATCH, linewidths=0
        )
        bands.set_transform(ax.get_xaxis_transform())  # x in dates, y across the whole axes
        ax.add_collection(bands, autolim=False)


def csv_rows(data: Attention):
    """The chart's numbers: one row per period, one column per outlet, the total, and the outlets from
    which nothing was collected in that period (their cells are empty: a gap, not zero coverage).

    With `share`, the cells are percentages of each outlet's articles, and the total is all outlets'."""
    unit = " (% of its articles)" if data.share else ""
    yield ["period", *[f"{s.name}{unit}" for s in data.series], "total" + unit, "no articles collected"]
    for i, period in enumerate(data.periods):
        counts = [s.counts[i] for s in data.series]
        gaps = "; ".join(s.name for s in data.series if s.counts[i] is None)
        label = {"month": month_key, "year": year_key}.get(data.interval, day_key)(period)
        if data.share:
            matched = sum(n or 0 for n in counts)
            held = sum(s.collected[i] for s in data.series)
            cells = [percent(s.shares[i]) for s in data.series]
            yield [label, *cells, percent(100 * matched / held if held else None), gaps]
        else:
            yield [label, *["" if n is None else n for n in counts], sum(n or 0 for n in counts), gaps]
    if data.undated:
        yield [UNKNOWN_DATE, *[""] * len(data.series), "" if data.share else data.undated, ""]


def percent(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"
