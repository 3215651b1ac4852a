"""haystack's Whoosh backend, made right for Arabic news and fast enough for an archive.

The stock backend analyzes every text field with an English stemmer, sends facet values through an
analyzer (splitting source names), counts facets with Python loops or DateRangeFacet, highlights
with the English stemmer, keeps one searcher per thread, and logs indexing errors and goes on. This
subclass keeps haystack as the interface and changes exactly those parts:

- text fields use the Arabic analyzers (or the analyzer a field names);
- facet fields are unanalyzed keyword columns;
- every thread's backend object delegates to the process's one engine for its index
  (archive.search.engine): one searcher, and one byte-bounded cache of what was read per segment;
- a search computes its matching documents once, from term postings and scores (archive.search.docsets):
  the count, the facets, date sorting and the ranked page (archive.search.ranking) all come from it;
- snippets are highlighted with the field's own analyzer, HTML-escaped (archive.search.snippets);
- every per-request path reads a bounded part of a body (snippets, related coverage), a prefix
  stands for its MAX_PREFIX_TERMS most frequent words, and "did you mean" runs only when asked
  for and within its budget (archive.search.spelling);
- indexing writes each batch with one writer and raises on the first bad document.

What the backend knows of the index (its field names, which field dates it) are class attributes,
as Django's Sitemap has them, so that a subclass for another index changes them in one place.
"""

import logging
import os
import threading
import warnings
from contextlib import contextmanager
from functools import reduce

import numpy as np
from django.utils.encoding import force_str
from haystack.backends import BaseEngine
from haystack.backends.whoosh_backend import WhooshSearchBackend, WhooshSearchQuery
from haystack.constants import DEFAULT_ALIAS, DJANGO_CT, DJANGO_ID, ID
from haystack.exceptions import SkipDocument
from haystack.fields import FacetField
from haystack.models import SearchResult
from haystack.utils import get_identifier
from whoosh import classify
from whoosh import query as wq
from whoosh.fields import BOOLEAN, DATETIME, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.fields import ID as WHOOSH_ID
from whoosh.qparser import MultifieldParser

from archive.search_indexes import UNKNOWN_DATE

from . import ranking, snippets, spelling
from .analyzers import ArabicAnalyzer
from .docsets import MAX_PREFIX_POSTINGS, DocSets
from .engine import Engine, engine_for
from .query import EXACT_FIELD, clitic_forms
from .snippets import HIGHLIGHT_MAX_CHARS as HIGHLIGHT_MAX_CHARS
from .snippets import query_words
from .vocabulary import Vocabulary, shared_lexicon
from .writers import bulk_load_lease, bulk_load_running, merge_tiny, open_writer, setup_lock

log = logging.getLogger(__name__)

# Batches at least this large are analyzed by several processes, each writing its own segment.
PARALLEL_MIN_DOCS = 1000
# How long a write waits for another process's lock before LockError, by default.
LOCK_WAIT = 60.0
# How much of an article's body its key terms for related coverage are taken from.
RELATED_MAX_CHARS = 20_000
# Key terms of an article that find its related coverage (Whoosh's more_like() default).
RELATED_TERMS = 5
# Documents an index check reads under one hold of the lock of the index's files.
STORED_SCAN_DOCS = 500
# A prefix is searched as its most frequent words: "ال*" has eleven thousand, which took seconds.
MAX_PREFIX_TERMS = 200
BROAD_PREFIX = "A prefix* matches many words; only the most frequent were searched."
# Whoosh checks a phrase's word positions in Python, document by document: "في من" in 71k articles
# took 4.5 s. A query's phrases may have this many candidate documents in all (those holding all of
# a phrase's words); beyond, a phrase is searched as its words, and a note says so.
MAX_PHRASE_CANDIDATES = 10_000
COMMON_PHRASE = "A phrase of very common words was searched as its words, in any order."
UNEXCLUDED_PHRASE = "An excluded phrase of very common words could not be applied, and was left out."
MATCH_ALL = ("*", "*:*")
# Backends of several threads setting themselves up at once (archive.search.engine shares the rest).
_SETUP_LOCK = threading.Lock()


class ArabicWhooshSearchBackend(WhooshSearchBackend):
    # The fields an unqualified word searches, and those a result's snippets are made from.
    default_fields = ("title", "text")
    title_field = "title"
    body_field = "text"
    # A date field and the keyword field that holds undated_value when it is empty (archive.search_indexes).
    dated_by = {"published": "year"}
    undated_value = UNKNOWN_DATE

    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.silently_fail = False
        self.writer_procs = int(connection_options.get("WRITER_PROCS", os.cpu_count() or 1))
        self.writer_limit_mb = int(connection_options.get("WRITER_LIMIT_MB", 1024))
        self._engine: Engine | None = None

    def setup(self):
        # Each thread's backend sets itself up on first use; two at once would both create the folder
        # (haystack's makedirs then fails) or the index. Other processes wait on a file lock.
        with _SETUP_LOCK:
            if not self.use_file_storage:
                super().setup()
            else:
                os.makedirs(self.path, exist_ok=True)
                with setup_lock(self.path):
                    super().setup()
        self.parser = MultifieldParser(self.default_fields, schema=self.schema)

    def build_schema(self, fields):
        schema_fields = {
            ID: WHOOSH_ID(stored=True, unique=True),
            DJANGO_CT: WHOOSH_ID(stored=True),
            DJANGO_ID: WHOOSH_ID(stored=True),
        }
        content_field_name = ""
        for field_class in fields.values():
            name = field_class.index_fieldname
            if isinstance(field_class, FacetField):
                schema_fields[name] = (
                    KEYWORD(stored=True, commas=True, lowercase=False)
                    if field_class.is_multivalued
                    else WHOOSH_ID(stored=True, sortable=True)
                )
            elif not field_class.indexed:
                schema_fields[name] = STORED()
            elif field_class.field_type in ("date", "datetime"):
                schema_fields[name] = DATETIME(stored=field_class.stored, sortable=True)
            elif field_class.field_type in ("integer", "float"):
                numtype = int if field_class.field_type == "integer" else float
                schema_fields[name] = NUMERIC(stored=field_class.stored, numtype=numtype, sortable=True)
            elif field_class.field_type == "boolean":
                schema_fields[name] = BOOLEAN(stored=field_class.stored)
            else:
                schema_fields[name] = TEXT(
                    stored=field_class.stored,
                    analyzer=field_class.analyzer or ArabicAnalyzer(),
                    field_boost=field_class.boost,
                    # Phrases are matched on the exact field only; positions elsewhere would be dead weight.
                    phrase=name == EXACT_FIELD,
                )
            if field_class.document:
                content_field_name = name
        return content_field_name, Schema(**schema_fields)

    def update(self, index, iterable, commit=True):
        """Writes the batch with one writer; a document that cannot be indexed stops the batch."""
        documents = list(iterable)
        with self.writer(parallel=len(documents) >= PARALLEL_MIN_DOCS, timeout=LOCK_WAIT) as writer:
            writer.write(index, documents)

    @contextmanager
    def writer(self, parallel: bool = True, timeout: float = LOCK_WAIT):
        """An open index writer: documents given to it are analyzed (by subprocesses, when parallel)
        while the caller goes on; all is committed when the block ends, or nothing if it raises.

        LockError when another process holds the index for more than `timeout` seconds."""
        if not self.setup_complete:
            self.setup()
        self.index = self.index.refresh()
        procs = self.writer_procs if parallel else 1
        # Each (sub)writer sorts its postings in memory up to limitmb, then spills runs to disk and merges
        # them again: at 256 MB a 5,000-article share already spilled, which cost a third more time.
        writer = open_writer(self.index, procs=procs, timeout=timeout, limitmb=self.writer_limit_mb)
        try:
            yield IndexWriter(self, writer)
        except BaseException:
            writer.cancel()
            raise
        # Each subprocess's segment is added as it is. Whoosh's default policy would, once some twenty
        # segments exist, rewrite them all in one commit (15 minutes at 140k articles).
        writer.commit(mergetype=merge_tiny)

    def remove(self, obj_or_string, commit=True):
        with self.writer(parallel=False) as writer:
            writer.remove([get_identifier(obj_or_string)])

    def bulk_load(self):
        """A lease held while a bulk load runs: web processes then leave the index to it."""
        if not self.setup_complete:
            self.setup()
        return bulk_load_lease(self.path)

    def bulk_load_running(self) -> bool:
        return bulk_load_running(self.path)

    def document_count(self) -> int:
        """Documents in the index, from its table of contents: Whoosh's doc_count() opens a reader of
        every segment (and copies their files into memory)."""
        if not self.setup_complete:
            self.setup()
        return sum(segment.doc_count() for segment in self.index.refresh()._segments())

    @property
    def engine(self) -> Engine:
        """The process's one engine for this index, shared with every other thread's backend."""
        if self._engine is None:
            if not self.setup_complete:
                self.setup()
            undated_field = next(iter(self.dated_by.values()))
            self._engine = engine_for(
                self.path, self.index, undated_field, self.undated_value, highlighted_field=self.body_field
            )
        return self._engine

    def forget_searcher(self) -> None:
        """Moves the engine to the index's latest generation, off any request's path."""
        self.engine.forget_outdated()

    def current_searcher(self) -> tuple:
        """The process's searcher for the index as it is now, with its document sets."""
        view = self.engine.current()
        return view.searcher, view.docsets

    def vocabulary(self) -> Vocabulary:
        """The exact field's Arabic words, for Latin names (archive.search.crossscript): read once per
        segment and shared by the process's threads. The background applier calls this after each
        change of the index, which also opens (and warms) the engine's new searcher."""
        _searcher, docsets = self.current_searcher()
        lexicon = shared_lexicon(self.path)
        if lexicon.unread(docsets.reader):
            # Through a reader of its own, so that searches need not wait for the words to be read
            # (the engine's index: its files are not copied into memory).
            reader = self.engine.index.refresh().reader()
            try:
                lexicon.update(reader, EXACT_FIELD, self.path if self.use_file_storage else None)
            finally:
                reader.close()
        return Vocabulary(lexicon, lambda word: docsets.doc_frequency(EXACT_FIELD, word))

    def search(
        self,
        query_string,
        sort_by=None,
        start_offset=0,
        end_offset=None,
        fields="",
        highlight=False,
        facets=None,
        date_facets=None,
        query_facets=None,
        narrow_queries=None,
        spelling_query=None,
        within=None,
        dwithin=None,
        distance_point=None,
        models=None,
        limit_to_registered_models=None,
        result_class=None,
        **kwargs,
    ):
        """Like the stock search, but the matching documents are computed once, as a set, and serve the
        count, the facets and date sorting; the page is ranked from cached term scores (DocSets).

        date_facets are refused in favour of the precomputed year, month and day facet fields."""
        if date_facets:
            warnings.warn("date_facet() is not supported: facet on year, month or day instead.", stacklevel=2)
        searcher, docsets = self.current_searcher()
        query_string = force_str(query_string).strip()
        if not query_string or docsets.live.array.size == 0:
            return {"results": [], "hits": 0, "facets": {}, "spelling_suggestion": None, "notes": []}
        filters = [self.parser.parse(force_str(nq)) for nq in narrow_queries or ()]
        query = None if query_string in MATCH_ALL else self.parser.parse(query_string)
        notes: list[str] = []
        if query is not None:
            query = bounded_prefixes(query, docsets, notes, MAX_PREFIX_TERMS)
            query = bounded_phrases(query, docsets, notes, MAX_PHRASE_CANDIDATES)
        parts = [q for q in (query, *filters) if q is not None]
        matched = docsets.matching(wq.And(parts) if parts else wq.Every())
        hits = len(matched)

        limit = max(start_offset, end_offset or start_offset + 20)
        found = ranking.page(
            docsets=docsets,
            query=query,
            matched=matched,
            filtered=bool(filters),
            sort_by=sort_by,
            limit=limit,
            dated_by=self.dated_by,
            undated_value=self.undated_value,
        )[start_offset:]
        with docsets.lock:
            stored = [(searcher.stored_fields(docnum), score) for docnum, score in found]
        terms = self.highlight_terms(highlight, query_string) if highlight and query else frozenset()
        documents = [self.make_result(fields, score, terms, result_class) for fields, score in stored]

        facet_counts = {}
        if facets:
            facet_counts = {
                "fields": {name: docsets.counts(name, matched) for name in facets},
                "dates": {},
                "queries": {},
            }
        suggestion = None
        # Only a caller that shows suggestions asks for one (the page and the API, not exports).
        if self.include_spelling and spelling_query and hits == 0:
            suggestion = self.create_spelling_suggestion(spelling_query)
        return {
            "results": documents,
            "hits": hits,
            "facets": facet_counts,
            "spelling_suggestion": suggestion,
            "notes": notes,
        }

    def more_like_this(
        self,
        model_instance,
        additional_query_string=None,
        start_offset=0,
        end_offset=None,
        models=None,
        limit_to_registered_models=None,
        result_class=None,
        **kwargs,
    ):
        """Related coverage from the key terms of the article's opening, on the shared searcher (the
        stock method opens a new searcher on every call, and analyzes the whole body: 13 s for 7 MB)."""
        searcher, docsets = self.current_searcher()
        top = end_offset or 20
        field = self.content_field_name
        with docsets.lock:
            docnum = searcher.document_number(**{ID: get_identifier(model_instance)})
            if docnum is None:
                return {"results": [], "hits": 0}
            body = searcher.stored_fields(docnum).get(field) or ""
        # Whoosh's more_like(): the key terms of the text (Bo1), searched as one Or. The terms are
        # weighed one lookup at a time and the Or scored by the document sets, so that the other
        # threads' searches read the index between, instead of waiting for the whole of it.
        expander = classify.Expander(LockedReader(searcher.reader(), docsets.lock), field)
        expander.add_text(body[:RELATED_MAX_CHARS])
        key_terms = expander.expanded_terms(RELATED_TERMS, normalize=False)
        if not key_terms:
            return {"results": [], "hits": 0}
        docs, scores = docsets.scored(
            wq.Or([wq.Term(field, word, boost=weight) for word, weight in key_terms])
        )
        others = docs != docnum
        found = ranking.best(docs[others], scores[others], top)
        with docsets.lock:
            stored = [(searcher.stored_fields(number), score) for number, score in found]
        results = [self.make_result(fields, score, frozenset(), result_class) for fields, score in stored]
        return {"results": results[start_offset:top], "hits": len(results)}

    def make_result(self, stored_fields, score, terms, result_class=None):
        # Whoosh returns stored values as they were given (dates as datetimes, numbers as numbers): the
        # stock conversion would read a title such as "1948" or "true" as a number or a boolean.
        values = dict(stored_fields)
        app_label, model_name = values.pop(DJANGO_CT).split(".")
        pk = values.pop(DJANGO_ID)
        if terms:
            analyzer = self.schema[self.body_field].analyzer
            values["highlighted"] = {
                self.body_field: [snippets.cached(values.get(self.body_field, ""), terms, analyzer)],
                self.title_field: [
                    snippets.cached(values.get(self.title_field, ""), terms, analyzer, whole=True)
                ],
            }
        result_class = result_class or SearchResult
        return result_class(app_label, model_name, pk, score or 0, **values)

    def highlight_terms(self, highlight, query_string: str) -> frozenset:
        """The analyzed words to mark: the user's words when the caller passes them, else the query's."""
        analyzer = self.schema[self.body_field].analyzer
        return snippets.highlight_terms(analyzer, highlight, query_string, self.schema)

    def create_spelling_suggestion(self, query_string):
        """Replaces query words the index never saw by the closest words it has ("did you mean"),
        within the budget of archive.search.spelling."""
        searcher, docsets = self.current_searcher()
        reader = searcher.reader()
        analyzer = searcher.schema[EXACT_FIELD].analyzer
        words = query_words(force_str(query_string), self.schema)
        pairs = [(word, next((token.text for token in analyzer(word)), None)) for word in words]

        def correct(term: str, maxdist: int, prefix: int) -> str | None:
            with docsets.lock:
                found = reader.corrector(EXACT_FIELD).suggest(term, limit=1, maxdist=maxdist, prefix=prefix)
            return found[0] if found else None

        return spelling.suggest(
            pairs, lambda term: docsets.doc_frequency(EXACT_FIELD, term) > 0, correct, index_state(reader)
        )

    def stored_values(self, key_field: str, value_field: str) -> dict:
        """One stored field keyed by another for every live document: a fast scan for index checks,
        which takes the lock of the index's files a few hundred documents at a time, so that a web
        process's searches go on while its applier checks the index."""
        searcher, docsets = self.current_searcher()
        reader = searcher.reader()
        values = {}
        size = reader.doc_count_all()
        for start in range(0, size, STORED_SCAN_DOCS):
            with docsets.lock:
                for docnum in range(start, min(size, start + STORED_SCAN_DOCS)):
                    if not reader.is_deleted(docnum):
                        fields = reader.stored_fields(docnum)
                        values[fields[key_field]] = fields.get(value_field)
        return values


class LockedReader:
    """An index reader for Whoosh's key-term Expander whose every lookup takes the lock of the index's
    files, one at a time; the Expander reads nothing else."""

    def __init__(self, reader, lock):
        self.reader = reader
        self.lock = lock
        self.schema = reader.schema

    def __contains__(self, term) -> bool:
        with self.lock:
            return term in self.reader

    def frequency(self, fieldname, text) -> float:
        with self.lock:
            return self.reader.frequency(fieldname, text)

    def doc_count_all(self) -> int:
        return self.reader.doc_count_all()

    def field_length(self, fieldname) -> int:
        with self.lock:
            return self.reader.field_length(fieldname)


class IndexWriter:
    """What an open writer offers the indexing code: write documents, remove them by identifier."""

    def __init__(self, backend: ArabicWhooshSearchBackend, writer):
        self.backend = backend
        self.writer = writer

    def write(self, index, objects) -> None:
        """Writes each object's document; one that cannot be prepared is logged and left out, so that
        it never holds back the others (check_index then reports it missing)."""
        for obj in objects:
            try:
                doc = index.full_prepare(obj)
            except SkipDocument:
                continue
            except Exception:
                log.exception("%s could not be indexed", get_identifier(obj))
                continue
            doc.pop("boost", None)
            self.writer.update_document(
                **{key: self.backend._from_python(value) for key, value in doc.items() if value is not None}
            )

    def remove(self, identifiers) -> None:
        for identifier in identifiers:
            self.writer.delete_by_term(ID, identifier)


class FrequentPrefix(wq.Prefix):
    """A prefix that stands for the given words only (its most frequent), matched and scored as Whoosh
    matches and scores a prefix."""

    def __init__(self, fieldname, text, words, boost=1.0, constantscore=True):
        super().__init__(fieldname, text, boost=boost, constantscore=constantscore)
        self.words = tuple(words)

    def _btexts(self, ixreader):
        # Those the reader has, as Whoosh expands a prefix segment by segment.
        return (word for word in self.words if (self.fieldname, word) in ixreader)

    def __eq__(self, other):
        return super().__eq__(other) and self.words == other.words

    def __hash__(self):
        return super().__hash__() ^ hash(self.words)


def bounded_prefixes(query: wq.Query, docsets: DocSets, notes: list[str], limit: int) -> wq.Query:
    """The query with each prefix standing for its `limit` most frequent words; a note says so when
    it has more.

    A prefix and its forms after proclitics joined by OR (archive.search.query renders حوثي* as حوثي*,
    الحوثي*, والحوثي*…) count as one prefix, with the bounds of one; other prefixes keep their own."""

    def bounded(node):
        if _unbounded_prefix(node):
            return shared_prefix([node], docsets, notes, limit)
        if isinstance(node, wq.Or):
            prefixes: dict[tuple[str, str], list] = {}
            others = []
            subs = [sub for sub in node.subqueries if _unbounded_prefix(sub)]
            for sub in node.subqueries:
                if _unbounded_prefix(sub):
                    prefixes.setdefault((sub.fieldname, _typed_prefix(sub, subs)), []).append(sub)
                else:
                    others.append(bounded(sub))
            if prefixes:
                shared = [shared_prefix(subs, docsets, notes, limit) for subs in prefixes.values()]
                return wq.Or([*shared, *others], boost=node.boost, minmatch=node.minmatch, scale=node.scale)
        return node.apply(bounded)

    return bounded(query)


def _typed_prefix(prefix: wq.Prefix, siblings: list[wq.Prefix]) -> str:
    """The shortest sibling prefix of the same field of which this one is a form after proclitics
    (الحوثي for حوثي), or its own text."""
    for sibling in sorted(siblings, key=lambda s: len(s.text)):
        if sibling.fieldname == prefix.fieldname and prefix.text in clitic_forms(sibling.text):
            return sibling.text
    return prefix.text


def _unbounded_prefix(node) -> bool:
    return isinstance(node, wq.Prefix) and not isinstance(node, FrequentPrefix)


def shared_prefix(
    prefixes: list[wq.Prefix], docsets: DocSets, notes: list[str], limit: int
) -> FrequentPrefix:
    """One prefix standing for the `limit` most frequent words of all the given prefixes of a field (and
    no more than MAX_PREFIX_POSTINGS documents in all, as docsets bounds one prefix)."""
    first = prefixes[0]
    frequency: dict[str, int] = {}
    more = False
    for prefix in prefixes:
        words, more_words = docsets.prefix_terms(first.fieldname, prefix.text, limit)
        more = more or more_words
        if len(prefixes) > 1:
            frequency.update((word, docsets.doc_frequency(first.fieldname, word)) for word in words)
        else:
            frequency.update(dict.fromkeys(words, 0))
    kept, postings = [], 0
    for word in sorted(frequency, key=lambda w: (-frequency[w], w)):
        if len(kept) == limit or (kept and postings + frequency[word] > MAX_PREFIX_POSTINGS):
            more = True
            break
        kept.append(word)
        postings += frequency[word]
    if more and BROAD_PREFIX not in notes:
        notes.append(BROAD_PREFIX)
    return FrequentPrefix(first.fieldname, first.text, sorted(kept), first.boost, first.constantscore)


def bounded_phrases(query: wq.Query, docsets: DocSets, notes: list[str], limit: int) -> wq.Query:
    """The query with its phrases' position checks bounded to `limit` candidate documents in all.

    Past the budget a phrase is searched as its words, in any order, and an excluded phrase is
    dropped (excluding all articles with its very common words would exclude nearly everything);
    a note says so."""
    budget = [limit]

    def bounded(node, excluded=False):
        if isinstance(node, wq.Phrase):
            words = sorted((docsets.postings(node.fieldname, word).docs for word in node.words), key=len)
            if words and len(words[0]) <= budget[0]:
                shared = len(reduce(lambda a, b: np.intersect1d(a, b, assume_unique=True), words))
                if shared <= budget[0]:
                    budget[0] -= shared
                    return node
            note = UNEXCLUDED_PHRASE if excluded else COMMON_PHRASE
            if note not in notes:
                notes.append(note)
            if excluded:
                return wq.NullQuery
            return wq.And([wq.Term(node.fieldname, word) for word in node.words], boost=node.boost)
        if isinstance(node, wq.Not):
            return wq.Not(bounded(node.query, excluded=True), boost=node.boost)
        return node.apply(bounded)

    return bounded(query)


def index_state(reader) -> tuple:
    """What names an index's contents: its generation and its segments (whose ids are random), so that
    a rebuilt index starting again at generation 1 is not taken for the old one."""
    segments = [getattr(leaf, "segment", lambda: None)() for leaf, _ in reader.leaf_readers()]
    return (reader.generation(), *(segment.segment_id() for segment in segments if segment is not None))


class ArabicWhooshSearchQuery(WhooshSearchQuery):
    """The stock query, which also keeps the notes the backend adds when it narrows a query."""

    def __init__(self, using=DEFAULT_ALIAS):
        super().__init__(using=using)
        self._notes: list[str] = []

    def run(self, spelling_query=None, **kwargs):
        final_query = self.build_query()
        search_kwargs = self.build_params(spelling_query=spelling_query)
        search_kwargs.update(kwargs)
        results = self.backend.search(final_query, **search_kwargs)
        self._results = results.get("results", [])
        self._hit_count = results.get("hits", 0)
        self._facet_counts = self.post_process_facets(results)
        self._spelling_suggestion = results.get("spelling_suggestion", None)
        self._notes = results.get("notes", [])

    def get_notes(self) -> list[str]:
        if self._hit_count is None:
            self.run()
        return self._notes


class ArabicWhooshEngine(BaseEngine):
    backend = ArabicWhooshSearchBackend
    query = ArabicWhooshSearchQuery
