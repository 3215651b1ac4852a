"""One search engine per process and index: one searcher and one cache, shared by every thread.

haystack keeps one backend object per thread (connections[alias] is thread-local), so gunicorn's
2 workers × 4 threads made eight searchers, each with its own postings and facet caches. The backend
objects now delegate to the Engine of their index's path, taken from a module-level registry: it
holds the one current searcher with its DocSets, and a lock that every read of the searcher's files
takes (Whoosh reads them with seek() and read()). What is read is cached per segment in the process's
one byte-bounded cache (archive.search.docsets).

The engine opens the index's files without mmap: Whoosh reads a mapped segment through an io.BytesIO
of its memoryview, which copies the whole file into the process (650 MB of anonymous memory for 71k
articles, per worker, and as much again for each other reader). Read with read(), the files stay in
the system's page cache, shared by the workers.

A new index generation is swapped in at once when what it adds is small (an edit, a recorded
change), so an editor sees an annotation at the next search. One that brings large unread segments
(a bulk load) is warmed in a background thread, the old searcher serving meanwhile: facet values,
date keys and the recently searched terms are read for the new segments, then it is swapped in.

The first generation a process opens is warmed before it serves: the openings of a sample of
documents are analyzed as highlighting will analyze them, and what the process holds then is
frozen out of the garbage collector's walks (freeze_long_lived).
"""

import gc
import logging
import os
import threading
import weakref

from whoosh.filedb.filestore import FileStorage

from .docsets import DocSets

log = logging.getLogger(__name__)

# A new generation whose unread segments hold more documents than this is warmed before it serves.
WARM_INLINE_DOCS = 5_000
# How many of the most recently searched terms a warm-up reads for the new segments.
WARM_TERMS = 2_000
# Before its first search an engine analyzes the openings of this many documents, as highlighting
# will: the first analysis of a word costs twenty times a cached one, and news repeats its words, so
# the first searches of a process no longer pay for the whole vocabulary of their hits (about 1 s).
WARM_ANALYSIS_DOCS = 400
WARM_ANALYSIS_CHARS = 3_000


class View:
    """One generation of the index: its searcher, its document sets, and what names its contents."""

    def __init__(self, searcher, docsets: DocSets, stamp: tuple):
        self.searcher = searcher
        self.docsets = docsets
        self.stamp = stamp


class Engine:
    """The searcher of one index in this process, swapped for a new one when the index changes."""

    def __init__(
        self, path: str, index, undated_field: str, undated_value: str, highlighted_field: str | None = None
    ):
        self.path = path
        self.index = unmapped(index)
        self.undated_field = undated_field
        self.undated_value = undated_value
        self.highlighted_field = highlighted_field
        self.lock = threading.RLock()  # the searchers' files
        self._swap_lock = threading.Lock()
        self._view: View | None = None
        self._warming: tuple | None = None  # the stamp a background thread is warming
        self.warm_up: threading.Thread | None = None

    def stamp(self) -> tuple:
        """The latest generation, and the identity of its table of contents: a rebuilt index starts
        again at generation 1 with other files."""
        generation = self.index.latest_generation()
        folder = getattr(self.index.storage, "folder", None)
        if folder is None:
            return (generation,)
        try:
            status = os.stat(os.path.join(folder, f"_{self.index.indexname}_{generation}.toc"))
        except OSError:
            return (generation,)
        return (generation, status.st_ino, status.st_mtime_ns)

    def current(self) -> View:
        """The view searches use now: the latest generation, unless it is still being warmed."""
        stamp = self.stamp()
        view = self._view
        if view is not None and (view.stamp == stamp or self._warming == stamp):
            return view
        with self._swap_lock:
            view = self._view
            if view is not None and (view.stamp == stamp or self._warming == stamp):
                return view
            fresh = self._open(stamp)
            if view is None:  # the process's first view: warmed before any search waits on it
                if self.highlighted_field:
                    self._warm_analysis(fresh)
                freeze_long_lived()
            else:
                fresh.docsets.used_fields |= view.docsets.used_fields
            if view is None or fresh.docsets.unread_docs(fresh.docsets.used_fields) <= WARM_INLINE_DOCS:
                self._view = fresh
                self._warming = None  # a warm-up of an older generation must not replace this one
                return fresh
            self._warming = stamp
            used = set(fresh.docsets.used_fields)  # a copy: request threads add to the old view's set
            self.warm_up = threading.Thread(
                target=self._warm, args=(fresh, used), name="search-warm-up", daemon=True
            )
            self.warm_up.start()
        return view

    def _open(self, stamp: tuple) -> View:
        with self.lock:
            # Not Searcher.refresh(): it reuses segment readers and with them outdated deletions.
            # The old searcher is left to the garbage collector, as another thread may still use it.
            self.index = self.index.refresh()
            searcher = self.index.searcher()
            docsets = DocSets(
                searcher, self.undated_field, self.undated_value, lock=self.lock, storage=self.index.storage
            )
        return View(searcher, docsets, stamp)

    def _warm(self, fresh: View, used_fields: set) -> None:
        try:
            fresh.docsets.warm(used_fields, recent_terms(fresh.docsets.cache.keys(), WARM_TERMS))
        except Exception:
            log.exception("warming the new searcher failed; it serves unwarmed")
        with self._swap_lock:
            if self._warming == fresh.stamp:
                self._view = fresh
                self._warming = None

    def _warm_analysis(self, view: View) -> None:
        """Fills the highlighting analyzer's caches from documents spread over the index."""
        analyzer = view.searcher.schema[self.highlighted_field].analyzer
        if not hasattr(analyzer, "spans"):
            return
        size = view.searcher.doc_count_all()
        try:
            for docnum in range(0, size, max(1, size // WARM_ANALYSIS_DOCS)):
                with self.lock:
                    text = view.searcher.stored_fields(docnum).get(self.highlighted_field) or ""
                analyzer.spans(text[:WARM_ANALYSIS_CHARS])
        except Exception:
            log.exception("warming the analysis of highlighted words failed; searches warm it")

    def forget_outdated(self) -> None:
        """Moves to the index's latest generation now, off any request's path (the index applier calls
        it after each change): a small one at once, a large one warmed in the background while the old
        searcher serves. Dropping the searcher instead would make the next request pay the cold read."""
        if self._view is not None:
            self.current()


# The cyclic collector's first threshold: objects allocated before a young collection. Python's 700
# made a full collection every ~70,000 allocations, a few searches, and each walked the caches.
GC_YOUNG_THRESHOLD = 50_000


_frozen = threading.Event()


def freeze_long_lived() -> None:
    """Once per process, when its first index is open: takes what the process holds then (modules,
    settings, the search tables and warmed caches) out of the cyclic garbage collector's walks, and
    collects young objects less often. Full collections walked all of it every few searches, and a
    search waited 100–230 ms for one."""
    if _frozen.is_set():
        return
    _frozen.set()
    gc.collect()
    gc.freeze()
    young, middle, old = gc.get_threshold()
    gc.set_threshold(max(young, GC_YOUNG_THRESHOLD), middle, old)


def unmapped(index):
    """The index, opened from a storage that reads its files instead of mapping them."""
    storage = index.storage
    if not isinstance(storage, FileStorage) or not storage.supports_mmap:
        return index
    return FileStorage(storage.folder, supports_mmap=False).open_index(index.indexname, schema=index.schema)


def recent_terms(keys: list, limit: int) -> list[tuple[str, object]]:
    """The most recently used distinct terms among a cache's keys, the most recent first."""
    terms: dict = {}
    for key in reversed(keys):
        if key[0] == "postings":
            terms.setdefault(key[2:4], None)
            if len(terms) == limit:
                break
    return list(terms)


_engines: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
_engines_lock = threading.Lock()


def engine_for(
    path: str, index, undated_field: str, undated_value: str, highlighted_field: str | None = None
) -> Engine:
    """The one engine of the index at `path` in this process, whichever thread or backend asks; it
    lives as long as a backend holds it."""
    with _engines_lock:
        engine = _engines.get(path)
        if engine is None:
            engine = Engine(path, index, undated_field, undated_value, highlighted_field)
            _engines[path] = engine
        return engine
