"""Journalists' pages: search, articles with their originals, sources, browsing by date, exports.

Each view validates its parameters with a form and asks archive.search (service, coverage, exports)
or the ORM for the data; what the page shows is decided in the templates.
"""

import csv
import io
from datetime import date, datetime

from django.db.models import Count, Max, Min
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.generic import ListView

from archive.models import UNKNOWN, Article, Source
from archive.search import coverage, periods, protected, service

from . import charts, exports, labels
from .forms import ChartForm, SearchForm
from .state import (
    FILTER_PARAMS,
    chosen_filters,
    day_label,
    facet_entries,
    histogram_bars,
    page_links,
    search_params,
    with_changes,
)

ARTICLES_PER_PAGE = 30
MAX_ID = 2**63 - 1


def get_article(pk: int) -> Article:
    if pk > MAX_ID:
        raise Http404
    return get_object_or_404(Article.objects.select_related("source"), pk=pk)


def parse_published(iso: str):
    if not iso:
        return None
    return datetime.fromisoformat(iso) if "T" in iso else date.fromisoformat(iso)


def hit_rows(hits: list[service.Hit]) -> list[dict]:
    """Each hit with its links and its day's name, made once per page: the template's url tags and
    date filter for twenty hits took a fifth of the page's rendering."""
    article_prefix, article_suffix = reverse("article_detail", args=[0]).rsplit("0", 1)
    source_urls: dict[str, str] = {}
    rows = []
    for hit in hits:
        published = parse_published(hit.published)
        if hit.source_slug and hit.source_slug not in source_urls:
            source_urls[hit.source_slug] = reverse("source_detail", args=[hit.source_slug])
        rows.append(
            {
                "hit": hit,
                "published": published,
                "day": day_label(published) if published else "",
                "url": f"{article_prefix}{hit.id}{article_suffix}",
                "source_url": source_urls.get(hit.source_slug, ""),
            }
        )
    return rows


@require_GET
def search(request):
    form = ChartForm(request.GET)
    params = search_params(request.GET)
    context = {"form": form, "params": params, "query_string": params.urlencode()}
    if not form.is_valid():
        return render(request, "archive/search.html", context, status=400)
    page = service.run_search(form.search_request())
    interval, normalize = form.cleaned_data["interval"], form.cleaned_data["normalize"]
    source_names = dict(Source.objects.filter(slug__in=params.getlist("source")).values_list("slug", "name"))
    source_names[UNKNOWN] = _("مصدر غير معروف")
    context.update(
        page=page,
        hits=hit_rows(page.hits),
        notes=[labels.note(note) for note in page.notes],
        expansions=[e for e in page.parsed.expansions if e.origin != protected.NAME],
        names=[e.typed for e in page.parsed.expansions if e.origin == protected.NAME],
        understood=page.parsed.understood() if params.get("q") else "",
        literal_url=with_changes(params, literal="1"),
        expanded_url=with_changes(params, literal=None) if page.request.literal else "",
        facets={
            "source": facet_entries(params, "source", page.facets.get("source", []), source_names),
            "status": facet_entries(params, "status", page.facets.get("status", []), labels.STATUS),
            "tags": facet_entries(params, "tags", page.facets.get("tags", [])),
            "agency": facet_entries(params, "agency", page.facets.get("agency", [])),
        },
        bars=histogram_bars(params, page.histogram),
        pages=page_links(params, page.page, page.pages),
        suggestion_url=with_changes(params, q=page.suggestion) if page.suggestion else "",
        hidden_filters=[(key, value) for key in FILTER_PARAMS for value in params.getlist(key)],
        chosen=chosen_filters(params, {"source": source_names, "status": labels.STATUS}),
        sort_label=labels.SORT[page.request.effective_sort],
        interval=interval,
        intervals=ChartForm.INTERVALS,
        normalize=normalize,
        measures=ChartForm.NORMALIZE,
        chart_query=with_changes(params, interval=interval or None, normalize=normalize or None)[1:],
    )
    return render(request, "archive/search.html", context)


def article_detail(request, pk):
    article = get_article(pk)
    annotations = [
        {
            "note": note,
            "status": labels.STATUS.get(note.status, note.status),
            "kind": labels.KIND.get(note.kind, note.kind),
        }
        for note in article.public_annotations()
    ]
    return render(
        request,
        "archive/article.html",
        {
            "article": article,
            "source": article.public_source,
            "annotations": annotations,
            "date_origin": labels.DATE_ORIGIN.get(article.date_origin, ""),
            "copies": article.other_copies(),
            "related": [
                {"hit": hit, "published": parse_published(hit.published)} for hit in service.related(article)
            ],
            "permalink": request.build_absolute_uri(article.get_absolute_url()),
            "accessed": timezone.localdate(),
            "original_size": len(article.original),
            "original_name": article.original_name.replace("\\", "/").rsplit("/", 1)[-1],
        },
    )


def article_original(request, pk, download=False):
    """The original as received: shown as plain text (never HTML), or downloaded byte for byte."""
    article = get_article(pk)
    data = bytes(article.original)
    if download:
        response = HttpResponse(data, content_type="application/octet-stream")
        filename = f"article-{article.pk}-original{original_extension(article.original_content_type)}"
    else:
        text = data.decode(article.original_encoding or "utf-8", errors="replace")
        response = HttpResponse(text.encode("utf-8"), content_type="text/plain; charset=utf-8")
        filename = f"article-{article.pk}-original.txt"
    response["Content-Disposition"] = content_disposition_header(download, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def original_extension(content_type: str) -> str:
    kind = content_type.split(";")[0].strip().lower()
    return {
        "text/html": ".html",
        "application/warc": ".warc",
        "application/json": ".json",
        "application/x-ndjson": ".jsonl",
    }.get(kind, ".txt" if kind.startswith("text/") else ".bin")


def source_list(request):
    sources = (
        Source.objects.public()
        .annotate(
            n=Count("articles"), first=Min("articles__published_on"), last=Max("articles__published_on")
        )
        .order_by("-n", "name")
    )
    return render(request, "archive/source_list.html", {"sources": sources})


class SourceArticles(ListView):
    """One outlet: what is known about it, its coverage over time and its articles, newest first."""

    template_name = "archive/source_detail.html"
    paginate_by = ARTICLES_PER_PAGE

    def get_queryset(self):
        if "\x00" in self.kwargs["slug"]:  # no slug has one, and PostgreSQL refuses it in a query
            raise Http404
        self.source = get_object_or_404(Source.objects.public(), slug=self.kwargs["slug"])
        return self.source.articles.select_related("source")

    def get_context_data(self, **kwargs):
        stats = self.source.articles.aggregate(first=Min("published_on"), last=Max("published_on"))
        return super().get_context_data(
            source=self.source, stats=stats, chart_query=urlencode({"source": self.source.slug}), **kwargs
        )


class DatedArticles(ListView):
    """Articles published in the year, month or day of the URL, newest first, with counts per source.

    A date the calendar lacks (month 13, 29 February 2015, year 0) is a 404; at the calendar's edges
    (year 1, year 9999) there is simply no previous or next period.
    """

    period = "day"
    paginate_by = ARTICLES_PER_PAGE

    def get_queryset(self):
        self.first, self.last = period_bounds(**self.kwargs)
        return Article.objects.filter(published_on__range=(self.first, self.last)).select_related("source")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        previous, following = neighbours(self.first, self.period)
        context.update(
            {self.period: self.first, f"previous_{self.period}": previous, f"next_{self.period}": following}
        )
        context["per_source"] = per_source(self.get_queryset())
        context["total"] = sum(row["n"] for row in context["per_source"])
        return context


def period_bounds(year: str, month: str = "", day: str = "") -> tuple[date, date]:
    """The first and last days of the period named in a URL; Http404 for a date the calendar lacks."""
    try:
        first = date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise Http404("No such date") from None
    period = "day" if day else "month" if month else "year"
    return first, periods.period_end(first, period)


def neighbours(first: date, period: str) -> tuple[date | None, date | None]:
    """The first days of the periods just before and just after, or None past the calendar's edge."""
    return periods.previous_start(first, period), periods.next_start(first, period)


def per_source(articles) -> list[dict]:
    """Counts per public source, most first; articles with no source or one awaiting review are counted
    together as one row with an empty slug (shown as unknown)."""
    rows = articles.order_by().values("source__slug", "source__name", "source__needs_review")
    known, unknown = [], 0
    for row in rows.annotate(n=Count("id")):
        if row["source__slug"] is None or row["source__needs_review"]:
            unknown += row["n"]
        else:
            known.append({"slug": row["source__slug"], "name": row["source__name"], "n": row["n"]})
    if unknown:
        known.append({"slug": "", "name": "", "n": unknown})
    return sorted(known, key=lambda row: -row["n"])


def date_index(request):
    dated = Article.objects.filter(published_on__isnull=False).order_by()
    years = list(dated.values("published_on__year").annotate(n=Count("id")).order_by("published_on__year"))
    top = max((row["n"] for row in years), default=0) or 1
    for row in years:
        row["percent"] = percent(row["n"], top)
    return render(
        request,
        "archive/date_index.html",
        {
            "years": years,
            "undated": Article.objects.filter(published_on__isnull=True).count(),
            "per_source": per_source(Article.objects.all()),
        },
    )


def percent(n: int, top: int) -> int:
    """A whole percent, the step of the bar classes in site.css (.pct-0 to .pct-100)."""
    return round(100 * n / top)


class YearArticles(DatedArticles):
    """A year's months with their counts; the articles themselves are listed by month."""

    template_name = "archive/date_year.html"
    period = "year"
    paginate_by = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = dict(
            self.get_queryset().order_by().values_list("published_on__month").annotate(n=Count("id"))
        )
        top = max(counts.values(), default=0) or 1
        context["months"] = [
            {
                "date": self.first.replace(month=m),
                "n": counts.get(m, 0),
                "percent": percent(counts.get(m, 0), top),
            }
            for m in range(1, 13)
        ]
        return context


class MonthArticles(DatedArticles):
    template_name = "archive/date_month.html"
    period = "month"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = dict(self.get_queryset().order_by().values_list("published_on__day").annotate(n=Count("id")))
        top = max(counts.values(), default=0) or 1
        context["days"] = [
            {
                "date": self.first.replace(day=d),
                "n": counts.get(d, 0),
                "percent": percent(counts.get(d, 0), top),
            }
            for d in range(1, self.last.day + 1)
        ]
        return context


class DayArticles(DatedArticles):
    template_name = "archive/date_day.html"
    period = "day"


class UndatedArticles(ListView):
    template_name = "archive/date_unknown.html"
    paginate_by = ARTICLES_PER_PAGE

    def get_queryset(self):
        return Article.objects.filter(published_on__isnull=True).select_related("source").order_by("-id")

    def get_context_data(self, **kwargs):
        return super().get_context_data(per_source=per_source(self.get_queryset()), **kwargs)


def attention(request):
    """The chart's numbers for the search in the URL, or the 400 response that refuses its parameters."""
    form = ChartForm(request.GET)
    if not form.is_valid():
        return None, JsonResponse(form.errors_json(), status=400)
    share = form.cleaned_data["normalize"] == "share"
    return coverage.attention(form.search_request(), form.cleaned_data["interval"], share), None


@require_GET
def chart(request, fmt):
    data, refused = attention(request)
    if refused:
        return refused
    content_type = {"svg": "image/svg+xml", "png": "image/png"}[fmt]
    response = HttpResponse(charts.render(data, fmt), content_type=content_type)
    response["Cache-Control"] = "max-age=300"
    patch_vary_headers(response, ["Cookie"])  # the labels follow the language chosen in the cookie
    return response


@require_GET
def chart_csv(request):
    data, refused = attention(request)
    if refused:
        return refused
    out = io.StringIO()
    csv.writer(out).writerows(exports.safe_rows(charts.csv_rows(data)))
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, "attention-over-time.csv")
    return response


@require_GET
def export_csv(request):
    form = SearchForm(request.GET)
    if not form.is_valid():
        return JsonResponse(form.errors_json(), status=400)
    lines = exports.csv_lines(
        form.search_request(), lambda pk: request.build_absolute_uri(reverse("article_detail", args=[pk]))
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, "archive-search.csv")
    return response
