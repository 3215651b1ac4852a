"""The attention chart drawn on the server: what archive.search.coverage.attention() returns, as SVG,
PNG or the CSV of its numbers. Nothing here searches, counts or decides a share or a gap.

Each chart is its own matplotlib Figure on its own canvas, every setting given to the artists that use
it: nothing touches matplotlib's process-wide state (no pyplot, no backend switch, no rcParams), so
threads draw at once and each chart comes out as it would alone.
"""

import io
import re
from datetime import datetime

import arabic_reshaper
from bidi.algorithm import get_display
from django.utils.translation import gettext as _
from matplotlib import dates as mdates
from matplotlib import ft2font
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from archive.search.coverage import Attention, Series
from archive.search.periods import period_days

PATH_DATA = re.compile(rb' d="[^"]*"')
# The ids matplotlib's SVG writer makes for clip paths, hatches and markers: a salted hash, random
# unless the process-wide svg.hashsalt is set, so they are renamed in order of appearance instead.
SALTED_ID = re.compile(rb'id="([a-z][0-9a-f]{10})"')
MAX_BARS = 24
# The axis cannot reach past the calendar's end, where matplotlib's dates end too.
LAST_MOMENT = mdates.date2num(datetime(9999, 12, 31, 23, 59))
# matplotlib 3.11 lays out complex scripts itself (libraqm); before it, characters were drawn one by
# one, so Arabic had to be joined and reordered beforehand (and must not be twice).
LAYS_OUT_ARABIC = hasattr(ft2font, "LayoutItem")
COLORS = ["#1d5b86", "#c0561b", "#2e7d4f", "#7a4a9e", "#b0334d"]
OTHER_COLOR = "#a9b1b8"
GAP_COLOR = "#6b747b"
GAP_HATCH = "////"
FONT = {"family": "DejaVu Sans", "size": 9}  # DejaVu Sans has the Arabic presentation forms
EDGE_COLOR = "#8a949c"
LABEL_COLOR = "#333a40"
TICK_COLOR = "#4a535a"
CANVASES = {"svg": FigureCanvasSVG, "png": FigureCanvasAgg}


def shaped(text: str) -> str:
    """Arabic letters joined and laid out right to left, unless matplotlib does it itself."""
    return str(text) if LAYS_OUT_ARABIC else get_display(arabic_reshaper.reshape(str(text)))


def series_name(series: Series) -> str:
    """An outlet's name; the other outlets summed are "other sources"."""
    return series.name if series.slug else _("مصادر أخرى")


def render(data: Attention, fmt: str = "svg") -> bytes:
    """The chart as SVG or PNG, with fixed margins (a layout engine would double the drawing time)."""
    fig = Figure(figsize=(8.4, 3.1), dpi=100)
    canvas = CANVASES[fmt](fig)
    fig.subplots_adjust(left=0.085, right=0.965, bottom=0.13, top=0.8)
    ax = fig.add_subplot()
    for spine in ax.spines.values():
        spine.set_edgecolor(EDGE_COLOR)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(colors=TICK_COLOR, labelsize=FONT["size"], labelfontfamily=FONT["family"])
    for axis in (ax.xaxis, ax.yaxis):
        axis.get_offset_text().set(color=TICK_COLOR, fontsize=FONT["size"], fontfamily=FONT["family"])
    ax.grid(axis="y", color="#e3e6e9", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.yaxis.set_major_locator(MaxNLocator(integer=not data.share, nbins=5))
    ylabel = _("٪ من مقالات المصدر") if data.share else _("عدد المقالات")
    ax.set_ylabel(shaped(ylabel), color=LABEL_COLOR, fontsize=FONT["size"], fontfamily=FONT["family"])
    if data.periods:
        handles = draw(ax, data)
        labels = [shaped(series_name(series)) for series in data.series]  # given, so "_name" is not hidden
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
            prop=FONT,
        )
    else:
        ax.text(
            0.5,
            0.5,
            shaped(_("لا مقالات مؤرخة تطابق البحث")),
            ha="center",
            va="center",
            transform=ax.transAxes,
            color=TICK_COLOR,
            fontsize=FONT["size"],
            fontfamily=FONT["family"],
        )
        ax.set_xticks([])
        ax.set_yticks([])
    for text in fig.findobj(Text):
        text.set_parse_math(False)  # an outlet named "$x$" is drawn as written, not as math
        text.set_usetex(False)
    out = io.BytesIO()
    canvas.print_figure(out, format=fmt, metadata={"Date": None} if fmt == "svg" else {})
    return compact(numbered_ids(out.getvalue())) if fmt == "svg" else out.getvalue()


def numbered_ids(svg: bytes) -> bytes:
    """The SVG with its salted ids renamed by order of first appearance, so that a chart is the same
    bytes every time it is drawn."""
    ids = {old: b"%s%d" % (old[:1], n) for n, old in enumerate(dict.fromkeys(SALTED_ID.findall(svg)))}
    if not ids:
        return svg
    used = re.compile(rb'(id="|#)(' + b"|".join(map(re.escape, ids)) + rb")(?![0-9a-f])")
    return used.sub(lambda m: m.group(1) + ids[m.group(2)], svg)


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
        values = data.plotted(series)
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
    """Bands over the series' gap spans (coverage says where), one collection per outlet."""
    runs = []
    for first, last in series.gap_spans:
        start = mdates.date2num(data.periods[first])
        end = min(
            mdates.date2num(data.periods[last]) + period_days(data.periods[last], data.interval), LAST_MOMENT
        )
        runs.append([(start, 0), (start, 1), (end, 1), (end, 0)])
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
    names = [series_name(s) for s in data.series]
    unit = " (% of its articles)" if data.share else ""
    yield ["period", *[f"{name}{unit}" for name in names], "total" + unit, "no articles collected"]
    cell = percent if data.share else count
    for row in data.rows():
        gaps = "; ".join(name for name, gap in zip(names, row.gaps, strict=True) if gap)
        yield [row.key, *[cell(value) for value in row.values], cell(row.total), gaps]


def count(value: int | None) -> int | str:
    return "" if value is None else value


def percent(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"
