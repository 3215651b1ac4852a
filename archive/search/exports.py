"""Every article a search matches, in the search's order, as plain rows read a batch at a time.

The matches are the index's (archive.search.service.matching), whether or not there is a query; the
database only supplies the exported fields of each batch of matched ids, so an export of the whole
archive holds one batch in memory, never the whole result.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from archive.models import Article

from .service import SearchRequest, matching, ordered

BATCH = 2000
FIELDS = ("id", "title", "url", "published_on", "published_at", "source__name", "source__needs_review")


@dataclass(frozen=True)
class ExportRow:
    id: int
    title: str
    source: str
    published: str  # ISO 8601 at the precision known, or ""
    url: str


def matched_ids(request: SearchRequest) -> Iterator[list[int]]:
    """The ids of all matching articles in the search's order, BATCH at a time."""
    sqs = ordered(matching(request), request)
    total, batch = sqs.count(), BATCH
    for start in range(0, total, batch):
        # A fresh copy per batch, so the queryset's result cache never holds the whole export.
        yield [int(result.pk) for result in sqs.all()[start : start + batch] if result is not None]


def export_rows(request: SearchRequest) -> Iterator[ExportRow]:
    """Every matching article as a row; one deleted from the database since it was indexed is skipped."""
    for ids in matched_ids(request):
        found = Article.objects.filter(pk__in=ids).select_related("source").only(*FIELDS).in_bulk()
        for pk in ids:
            if article := found.get(pk):
                published = article.published.isoformat() if article.published else ""
                source = article.public_source  # none for an unknown source or one awaiting review
                yield ExportRow(pk, article.title, source.name if source else "", published, article.url)
