"""Keeping the search index equal to the database: bulk writing, applying recorded changes, checking.

Every change the index must follow is an IndexChange row written with the change itself
(archive.search.signals). Whoever writes the index next applies the rows in order and deletes them
once its commit is done: an ingest at each batch, a web process in its background applier. A crash
anywhere leaves rows, never a silent gap, and the next writer applies them.
"""

import logging
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from itertools import islice

from django import db
from haystack import connections
from haystack.constants import DEFAULT_ALIAS, ID
from haystack.query import SearchQuerySet

from archive.models import Article, IndexChange
from archive.search.backend import LOCK_WAIT
from archive.search.service import SearchRequest, run_search
from archive.search.writers import LockError

log = logging.getLogger(__name__)

BATCH_SIZE = 2000
# A web process applies at most this many recorded changes at a time, holding the index's lock
# for a few seconds at most; an ingest applies the rest.
APPLY_BATCH = 300
# How often a web process looks for changes recorded by other processes, in seconds.
APPLY_INTERVAL = 2.0
# Smaller loads are written directly; starting index subprocesses would cost more than they save.
BULK_MIN_DOCS = 200
# A bulk load's commits grow with it, up to this many documents (see BulkIndexer.commit_size).
MAX_COMMIT_DOCS = 80_000


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
    """Writes articles to the index through one writer kept open across batches, and applies the
    changes recorded in the IndexChange table, marking them done once the index has committed them.

    With Whoosh the analysis runs in subprocesses while the caller goes on storing. The writer is
    committed in steps, so that a long load becomes searchable as it goes: first after
    `commit_every` documents, then after as many as the load has committed so far (commit_size).
    Each commit adds a segment per writer process, and a search looks up its words in every
    segment: steps of a fixed 10,000 left 71k articles in 18 segments, and a never-seen query's
    p95 at 64-77 ms against 40-50 ms in one segment. The commit runs in a thread, and what arrives
    meanwhile waits for the next writer, so that storing never stops for it. Other engines get one
    update per batch.
    """

    def __init__(self, commit_every: int = 10_000, lock_wait: float = LOCK_WAIT, parallel: bool = True):
        self.commit_every = commit_every
        self.lock_wait = lock_wait
        self.parallel = parallel
        self.index = article_index()
        self.engine = backend()
        self._context = None
        self._writer = None
        self._pending = 0
        self._committed = 0  # documents this load has committed
        self._next_commit: set[int] = set()  # articles the next commit writes: in the writer or waiting
        self._rows: list[int] = []  # IndexChange rows the next commit applies
        self._waiting: list[int] = []  # stored while a commit runs
        self._waiting_removed: list[str] = []
        self._committing: threading.Thread | None = None
        self._committing_rows: list[int] = []
        self._commit_error: BaseException | None = None
        self._seen = 0  # the last IndexChange row drain() has looked at

    def add(self, ids: Iterable[int]) -> None:
        for batch in chunks(sorted(set(ids))):
            self._submit(batch, [], [])

    def drain(self, limit: int | None = None) -> int:
        """Applies the recorded changes not yet applied, oldest first; returns how many were taken.

        A change to an article the open writer already holds waits for the final sweep
        (apply_pending): inside one writer, a second version could not replace the first.
        """
        taken = 0
        while limit is None or taken < limit:
            size = BATCH_SIZE if limit is None else min(BATCH_SIZE, limit - taken)
            rows = list(IndexChange.objects.filter(id__gt=self._seen).values_list("id", "article_id")[:size])
            if not rows:
                break
            self._seen = rows[-1][0]
            claimed = [(row, pk) for row, pk in rows if pk not in self._next_commit]
            changed = {pk for _, pk in claimed}
            present = set(Article.objects.filter(pk__in=changed).values_list("pk", flat=True))
            removed = [identifier(pk) for pk in changed - present]
            self._submit(sorted(present), removed, [row for row, _ in claimed])
            taken += len(rows)
        return taken

    def _submit(self, ids: list[int], removed: list[str], rows: list[int]) -> None:
        if not (ids or removed or rows):
            return
        if self._committing is not None:
            # Storing goes on during a commit, but no further than one commit's worth ahead.
            if self._committing.is_alive() and len(self._waiting) + len(ids) <= self.commit_size():
                self._waiting += ids
                self._waiting_removed += removed
                self._rows += rows
                self._next_commit.update(ids)
                return
            self._finish_commit()
            ids, self._waiting = sorted(set(self._waiting + ids)), []
            removed, self._waiting_removed = self._waiting_removed + removed, []
        try:
            if not hasattr(self.engine, "writer"):
                self.engine.update(self.index, self.articles(ids))
                for doc_id in removed:
                    self.engine.remove(doc_id)
                mark_applied(self._rows + rows)
                self._rows = []
                return
            if self._writer is None and len(ids) < BULK_MIN_DOCS:
                with self.engine.writer(parallel=False, timeout=self.lock_wait) as writer:
                    # Read once the lock is held: a version read before could overwrite a newer one.
                    writer.write(self.index, self.articles(ids))
                    writer.remove(removed)
                mark_applied(self._rows + rows)
                self._rows, self._next_commit = [], set()
                return
            if self._writer is None:
                self._context = self.engine.writer(parallel=self.parallel, timeout=self.lock_wait)
                self._writer = self._context.__enter__()
        except BaseException:
            # Nothing written is waiting for a commit: what failed stays recorded for the next writer.
            if self._writer is None:
                self._rows, self._next_commit = [], set()
            raise
        articles = self.articles(ids)
        self._writer.write(self.index, articles)
        self._writer.remove(removed)
        self._next_commit.update(ids)
        self._rows += rows
        self._pending += len(articles)
        if self._pending >= self.commit_size():
            self._committed += self._pending
            context, self._context, self._writer, self._pending = self._context, None, None, 0
            self._committing_rows, self._rows, self._next_commit = self._rows, [], set()
            self._committing = threading.Thread(target=self._commit, args=(context,), name="index-commit")
            self._committing.start()

    def commit_size(self) -> int:
        """Documents the next commit holds: as many as the load has committed so far, at least
        commit_every and at most MAX_COMMIT_DOCS, so that a load of N documents ends in about
        log2(N / commit_every) commits, with no merging of what it wrote."""
        return min(MAX_COMMIT_DOCS, max(self.commit_every, self._committed))

    def articles(self, ids: list[int]) -> list[Article]:
        return [a for batch in chunks(ids) for a in self.index.index_queryset().filter(pk__in=batch)]

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
        mark_applied(self._committing_rows)
        self._committing_rows = []

    def close(self, error: BaseException | None = None) -> None:
        if self._committing is not None:
            self._finish_commit()
        if (self._waiting or self._waiting_removed) and error is None:
            waiting, self._waiting = self._waiting, []
            removed, self._waiting_removed = self._waiting_removed, []
            self._submit(waiting, removed, [])
            if self._committing is not None:
                self._finish_commit()
        if self._context is not None:
            context, self._context, self._writer, self._pending = self._context, None, None, 0
            if error is None:
                context.__exit__(None, None, None)
                mark_applied(self._rows)
            else:
                context.__exit__(type(error), error, error.__traceback__)
        elif error is None and self._rows:
            mark_applied(self._rows)
        self._rows, self._next_commit = [], set()

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        self.close(error)


def mark_applied(rows: list[int]) -> None:
    """Deletes IndexChange rows whose changes the index has committed."""
    for batch in chunks(rows):
        IndexChange.objects.filter(id__in=batch).delete()


def apply_pending(wait: bool = True, limit: int | None = None, parallel: bool = True) -> int:
    """Brings the index up to the recorded changes; returns how many rows it went through.

    Repeats until none is left, as rows deferred by a writer become applicable after its commit.
    Without `wait`, LockError at once if another process is writing the index. Web processes pass
    parallel=False: a subprocess forked from a threaded server can inherit a lock another thread holds.
    """
    applied = 0
    while limit is None or applied < limit:
        with BulkIndexer(lock_wait=LOCK_WAIT if wait else 0, parallel=parallel) as indexer:
            taken = indexer.drain(None if limit is None else limit - applied)
        applied += taken
        if not taken:
            break
    return applied


def pending_changes() -> int:
    return IndexChange.objects.count()


def indexed_count() -> int:
    engine = backend()
    if hasattr(engine, "document_count"):
        return engine.document_count()
    return SearchQuerySet().models(Article).count()


def bulk_load(indexing: bool = True):
    """Held for the whole of an ingest: web processes leave the index to it meanwhile."""
    engine = backend()
    return engine.bulk_load() if indexing and hasattr(engine, "bulk_load") else nullcontext()


def bulk_load_running() -> bool:
    engine = backend()
    return hasattr(engine, "bulk_load_running") and engine.bulk_load_running()


def reconcile() -> int:
    """Records what the index lacks when its document count disagrees with the database's.

    The IndexChange rows cover every change made since they exist; this catches what older crashes or
    a restored backup left behind. Returns how many articles were recorded."""
    if IndexChange.objects.exists() or Article.objects.count() == indexed_count():
        return 0
    difference = compare()
    stale = {int(doc_id.rsplit(".", 1)[1]) for doc_id in difference.stale}
    changed = difference.missing | difference.outdated | stale
    IndexChange.record(changed)
    return len(changed)


def apply_pending_now() -> None:
    """After a commit: wakes this process's background applier, or applies at once if there is none.

    Never waits for another process's lock and never raises: the change is recorded, and whoever
    writes the index next (an ingest, a web process) applies it."""
    if _applier is not None and _applier.is_alive():
        _applier.wake.set()
        return
    if bulk_load_running():
        return  # the load applies it, at its next batch
    try:
        apply_pending(wait=False, limit=APPLY_BATCH, parallel=False)
    except LockError:
        log.info("the index is being written by another process; the change is left for it")
    except Exception:
        log.exception("applying index changes failed; they are kept and retried")


class BackgroundApplier(threading.Thread):
    """Applies recorded changes in a web process: at start (after a reconciliation), when a save in
    this process wakes it, and every few seconds for changes made by other processes. After each
    change of the index it reads the new words for Latin-name search, so that no request waits."""

    def __init__(self, interval: float = APPLY_INTERVAL):
        super().__init__(name="index-applier", daemon=True)
        self.interval = interval
        self.wake = threading.Event()
        self.stopping = False
        self.warmed_generation = None

    def run(self):
        self.catch_up(reconciling=True)
        self.warm()
        while not self.stopping:
            self.wake.wait(self.interval)
            self.wake.clear()
            if not self.stopping:
                self.catch_up()
                self.warm()

    def warm(self) -> None:
        """Reads the words of new index segments into the process's vocabulary (archive.search.vocabulary)."""
        engine = backend()
        if not hasattr(engine, "vocabulary"):
            return
        try:
            if not engine.setup_complete:
                engine.setup()
            # Recorded before reading: a commit made while the words are read is read at the next round.
            generation = engine.index.refresh().latest_generation()
            if generation != self.warmed_generation:
                self.warmed_generation = generation
                engine.vocabulary()
        except Exception:
            log.exception("reading the index's words failed; a request will read them")
        finally:
            engine.forget_searcher()

    def stop(self) -> None:
        self.stopping = True
        self.wake.set()
        self.join()

    def catch_up(self, reconciling: bool = False) -> None:
        try:
            if bulk_load_running():
                return  # an ingest applies every recorded change at its next batch
            if reconciling:
                reconcile()
            if IndexChange.objects.exists():
                apply_pending(wait=False, limit=APPLY_BATCH, parallel=False)
        except LockError:
            pass  # another process is writing the index: tried again at the next round
        except Exception:
            log.exception("applying index changes failed; they are kept and retried")
        finally:
            db.connection.close()
            engine = backend()
            if hasattr(engine, "forget_searcher"):
                engine.forget_searcher()  # a reconciliation's, which no request of this thread reuses


_applier: BackgroundApplier | None = None
_applier_lock = threading.Lock()


def open_search_engine() -> None:
    """Opens the process's search engine, warmed (archive.search.engine), reads its vocabulary for
    Latin names and answers the page with no query (its facet values and date keys), before a
    request needs them. A failure is only logged: the first search opens the engine then, and
    shows what is wrong."""
    engine = backend()
    if not hasattr(engine, "current_searcher"):
        return
    try:
        engine.current_searcher()
        engine.vocabulary()
        run_search(SearchRequest())
    except Exception:
        log.exception("opening the search index failed; a request will open it")


def start_background_applier() -> BackgroundApplier:
    """The process's one background applier, started on first call (the WSGI module calls it), and
    again in any process forked from this one (gunicorn --preload), where threads do not follow."""
    global _applier
    with _applier_lock:
        if _applier is None:
            os.register_at_fork(after_in_child=_restart_after_fork)
        if _applier is None or not _applier.is_alive():
            _applier = BackgroundApplier()
            _applier.start()
        return _applier


def _restart_after_fork() -> None:
    global _applier, _applier_lock
    _applier, _applier_lock = None, threading.Lock()
    start_background_applier()


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
