"""A search's results, every page of them, as CSV streamed row by row (Excel reads it thanks to the BOM).

An export stops after ARCHIVE_EXPORT_MAX_ROWS articles (a setting, 10,000 unless set) and then says so
in a last row. Every cell is neutralised against formula injection, as OWASP advises.
"""

import csv
from collections.abc import Iterable, Iterator
from itertools import islice

from django.conf import settings
from django.db.models import F

from archive.models import Annotation, Article
from archive.search import query as query_syntax
from archive.search.service import SORTS, SearchRequest, base_queryset, filtered, parse_query

CHUNK = 2000
COLUMNS = ["id", "title", "source", "published", "url", "permalink"]
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def max_rows() -> int:
    return settings.ARCHIVE_EXPORT_MAX_ROWS


def neutralised(value) -> str:
    """The cell as text a spreadsheet shows as written: a would-be formula gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_rows(rows: Iterable[list]) -> Iterator[list[str]]:
    for row in rows:
        yield [neutralised(value) for value in row]


def matching_ids(request: SearchRequest) -> Iterator[list[int]]:
    """The ids of all matching articles in the search's order, a chunk at a time."""
    chunk = CHUNK
    sqs = filtered(base_queryset(request, parse_query(request)), request)
    if order := SORTS.get(request.effective_sort):
        sqs = sqs.order_by(order)
    total = sqs.count()
    for start in range(0, total, chunk):
        # A fresh clone per chunk, so the queryset's result cache never holds the whole export.
        yield [int(result.pk) for result in sqs.all()[start : start + chunk] if result is not None]


def articles(request: SearchRequest) -> Iterator[Article]:
    """Every matching article in the search's order; with no query the database alone can say which."""
    fields = ("id", "title", "url", "published_on", "published_at", "source__name")
    if query_syntax.parse(request.q).is_empty:
        # Undated articles last either way, as the index sorts them (PostgreSQL puts NULL first in DESC).
        descending = request.effective_sort != "oldest"
        order = [
            *(
                F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True)
                for name in ("published_on", "published_at")
            ),
            "-id" if descending else "id",
        ]
        yield from (
            matching_articles(request).select_related("source").only(*fields).order_by(*order).iterator(CHUNK)
        )
        return
    for ids in matching_ids(request):
        found = Article.objects.filter(pk__in=ids).select_related("source").only(*fields).in_bulk()
        yield from (found[pk] for pk in ids if pk in found)


def matching_articles(request: SearchRequest):
    """The articles a search with no query matches, filtered in the database as the index filters them."""
    articles = Article.objects.all()
    if request.sources:
        articles = articles.of_sources(request.sources)
    if request.date_from:
        articles = articles.filter(published_on__gte=request.date_from)
    if request.date_to:
        articles = articles.filter(published_on__lte=request.date_to)
    if request.agency:
        articles = articles.filter(agency__in=request.agency)
    notes = Annotation.objects.all()
    if request.tags:
        articles = articles.filter(pk__in=notes.filter(tags__name__in=request.tags).values("article_id"))
    if request.status:
        articles = articles.filter(pk__in=notes.filter(status__in=request.status).values("article_id"))
    if request.annotated:
        articles = articles.filter(pk__in=notes.values("article_id"))
    return articles.order_by()


class Echo:
    """A file-like object whose write returns the line, for csv.writer inside a generator."""

    def write(self, value):
        return value


def csv_lines(request: SearchRequest, permalink) -> Iterator[str]:
    """The export's lines; past the row cap, one last row says the export was cut and where."""
    writer = csv.writer(Echo())
    limit = max_rows()
    yield "\ufeff" + writer.writerow(COLUMNS)
    for n, article in enumerate(islice(articles(request), limit + 1)):
        if n == limit:
            yield writer.writerow(
                ["", f"[cut: only the first {limit} articles are exported; narrow the search]"]
            )
            return
        published = article.published.isoformat() if article.published else ""
        row = [
            article.pk,
            article.title,
            article.source.name if article.source else "",
            published,
            article.url,
            permalink(article),
        ]
        yield writer.writerow([neutralised(value) for value in row])
