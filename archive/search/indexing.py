"""Writing articles to the search index in batches, and comparing the index with the database."""

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from haystack import connections
from haystack.constants import DEFAULT_ALIAS, ID
from haystack.query import SearchQuerySet

from archive.models import Article

BATCH_SIZE = 2000
# Smaller loads are written directly; starting index subprocesses would cost more than they save.
BULK_MIN_DOCS = 200


def article_index():
    return connections[DEFAULT_ALIAS].get_unified_index().get_index(Article)


def backend():
    return connections[DEFAULT_ALIAS].get_backend()


def chunks(items: Iterable, size: int = BATCH_SIZE) -> Iterator[list]:
    """Consecutive lists of at most `size` items, from any iterable, read as they are needed."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def index_articles(ids: Iterable[int]) -> int:
    """Indexes (or re-indexes) these articles, one writer per batch; returns how many were written."""
    index, written = article_index(), 0
    for batch in chunks(sorted(set(ids))):
        articles = list(index.index_queryset().filter(pk__in=batch))
        backend().update(index, articles)
        written += len(articles)
    return written


class BulkIndexer:
    """Indexes articles as a bulk load stores them, through one writer kept open across batches.

    With Whoosh the analysis runs in subprocesses while the load goes on storing. Every
    `commit_every` documents the writer is committed, so that a long load becomes searchable in
    steps; the commit runs in a thread, and what is stored meanwhile waits for the next writer,
    so that storing never stops for it. Other engines get one update per batch.
    """

    def __init__(self, commit_every: int = 10_000):
        self.commit_every = commit_every
        self.index = article_index()
        self.engine = backend()
        self._context = None
        self._write = None
        self._pending = 0
        self._waiting: list[int] = []  # stored while a commit runs
        self._committing: threading.Thread | None = None
        self._commit_error: BaseException | None = None

    def add(self, ids: Iterable[int]) -> None:
        for batch in chunks(sorted(set(ids))):
            self._add(batch)

    def _add(self, ids: list[int]) -> None:
        if self._committing is not None:
            # Storing goes on during a commit, but no further than one commit's worth ahead.
            if self._committing.is_alive() and len(self._waiting) + len(ids) <= self.commit_every:
                self._waiting += ids
                return
            self._finish_commit()
            ids, self._waiting = self._waiting + ids, []
        articles = [a for batch in chunks(ids) for a in self.index.index_queryset().filter(pk__in=batch)]
        if self._write is None and (len(articles) < BULK_MIN_DOCS or not hasattr(self.engine, "writer")):
            self.engine.update(self.index, articles)
            return
        if self._write is None:
            self._context = self.engine.writer()
            self._write = self._context.__enter__()
        self._write(self.index, articles)
        self._pending += len(articles)
        if self._pending >= self.commit_every:
            context, self._context, self._write, self._pending = self._context, None, None, 0
            self._committing = threading.Thread(target=self._commit, args=(context,), name="index-commit")
            self._committing.start()

    def _commit(self, context) -> None:
        try:
            context.__exit__(None, None, None)
        except BaseException as error:  # raised in the loading thread by _finish_commit
            self._commit_error = error

    def _finish_commit(self) -> None:
        self._committing.join()
        self._committing = None
        if self._commit_error is not None:
            error, self._commit_error = self._commit_error, None
            raise error

    def close(self, error: BaseException | None = None) -> None:
        if self._committing is not None:
            self._finish_commit()
        if self._waiting and error is None:
            waiting, self._waiting = self._waiting, []
            self.add(waiting)
            if self._committing is not None:
                self._finish_commit()
        if self._context is not None:
            context, self._context, self._write, self._pending = self._context, None, None, 0
            if error is None:
                context.__exit__(None, None, None)
            else:
                context.__exit__(type(error), error, error.__traceback__)

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        self.close(error)


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
