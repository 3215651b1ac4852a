"""Writing articles to the search index in batches, and comparing the index with the database."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from haystack import connections
from haystack.constants import DEFAULT_ALIAS, ID
from haystack.query import SearchQuerySet

from archive.models import Article

BATCH_SIZE = 2000


def article_index():
    return connections[DEFAULT_ALIAS].get_unified_index().get_index(Article)


def backend():
    return connections[DEFAULT_ALIAS].get_backend()


def chunks(ids: list[int], size: int = BATCH_SIZE) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def index_articles(ids: Iterable[int]) -> int:
    """Indexes (or re-indexes) these articles, one writer per batch; returns how many were written."""
    index, written = article_index(), 0
    for batch in chunks(sorted(set(ids))):
        articles = list(index.index_queryset().filter(pk__in=batch))
        backend().update(index, articles)
        written += len(articles)
    return written


def identifier(pk) -> str:
    return f"archive.article.{pk}"


@dataclass
class IndexDifference:
    """Articles missing from the index, indexed with outdated data, or indexed but deleted."""

    missing: set[int] = field(default_factory=set)
    outdated: set[int] = field(default_factory=set)
    stale: set[str] = field(default_factory=set)

    @property
    def clean(self) -> bool:
        return not (self.missing or self.outdated or self.stale)


def indexed_revisions() -> dict[str, str]:
    """Each indexed document's identifier and the revision hash it was indexed with."""
    engine = backend()
    if hasattr(engine, "stored_values"):
        return engine.stored_values(ID, "revision")
    results = SearchQuerySet().models(Article).all().values_list(ID, "revision")
    return {doc_id: revision for doc_id, revision in results}


def compare() -> IndexDifference:
    index = article_index()
    indexed = indexed_revisions()
    difference = IndexDifference()
    for article in index.index_queryset().iterator(chunk_size=2000):
        revision = indexed.pop(identifier(article.pk), None)
        if revision is None:
            difference.missing.add(article.pk)
        elif revision != index.prepare_revision(article):
            difference.outdated.add(article.pk)
    difference.stale = set(indexed)
    return difference


def repair(difference: IndexDifference) -> None:
    index_articles(difference.missing | difference.outdated)
    for doc_id in difference.stale:
        backend().remove(doc_id)
