"""haystack's Whoosh backend, made right for Arabic news and fast enough for an archive.

The stock backend analyzes every text field with an English stemmer, sends facet values through an
analyzer (splitting source names), counts facets with Python loops or DateRangeFacet, highlights
with the English stemmer, and logs indexing errors and goes on. This subclass keeps haystack as the
interface and changes exactly those parts:

- text fields use the Arabic analyzers (or the analyzer a field names);
- facet fields are unanalyzed keyword columns;
- a search computes its matching documents once, as a set, from term postings and scores cached
  until the index changes (archive.search.docsets): the count, the facets, date sorting and the
  ranked page all come from it, and a month histogram costs a few set intersections;
- snippets are highlighted with the field's own analyzer, from the first match on, HTML-escaped,
  matches in <mark>;
- every per-request path reads a bounded part of a body (snippets, related coverage), a prefix
  stands for its MAX_PREFIX_TERMS most frequent words, and "did you mean" runs only when asked
  for and within its budget (archive.search.spelling);
- indexing writes each batch with one writer and raises on the first bad document.
"""

import heapq
import html
import logging
import os
import re
import threading
import warnings
from contextlib import contextmanager

import numpy as np
from django.utils.encoding import force_str
from haystack.backends import BaseEngine
from haystack.backends.whoosh_backend import WhooshSearchBackend, WhooshSearchQuery
from haystack.constants import DEFAULT_ALIAS, DJANGO_CT, DJANGO_ID, ID
from haystack.exceptions import SkipDocument
from haystack.fields import FacetField
from haystack.models import SearchResult
from haystack.utils import get_identifier
from whoosh import highlight as whoosh_highlight
from whoosh import query as wq
from whoosh import sorting
from whoosh.fields import BOOLEAN, DATETIME, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.fields import ID as WHOOSH_ID
from whoosh.qparser import MultifieldParser

from . import spelling
from .analyzers import ArabicAnalyzer
from .docsets import MAX_PREFIX_POSTINGS, DocSets
from .query import EXACT_FIELD, clitic_forms
from .vocabulary import Vocabulary, shared_lexicon
from .writers import bulk_load_lease, bulk_load_running, merge_tiny, open_writer

log = logging.getLogger(__name__)

# Batches at least this large are analyzed by several processes, each writing its own segment.
PARALLEL_MIN_DOCS = 1000
# How long a write waits for another process's lock before LockError, by default.
LOCK_WAIT = 60.0
SNIPPET_CHARS = 220
SNIPPET_FRAGMENTS = 2
# How far into a body matches are looked for, and how much text from the first one is highlighted.
HIGHLIGHT_MAX_CHARS = 6_000
HIGHLIGHT_WINDOW_CHARS = 700
# How much of an article's body its key terms for related coverage are taken from.
RELATED_MAX_CHARS = 20_000
# A prefix is searched as its most frequent words: "ال*" has eleven thousand, which took seconds.
MAX_PREFIX_TERMS = 200
BROAD_PREFIX = "A prefix* matches many words; only the most frequent were searched."
# Whoosh checks a phrase's word positions in Python, document by document: "في من" in 71k articles
# took 4.5 s. A query's phrases may have this many candidate documents in all (those holding all of
# a phrase's words); beyond, a phrase is searched as its words, and a note says so.
MAX_PHRASE_CANDIDATES = 10_000
COMMON_PHRASE = "A phrase of very common words was searched as its words, in any order."
UNEXCLUDED_PHRASE = "An excluded phrase of very common words could not be applied, and was left out."
DEFAULT_FIELDS = ("title", "text")
MATCH_ALL = ("*", "*:*")
OPERATORS = {"AND", "OR", "NOT"}
WORD = re.compile(r"\w+")
# A date field and the keyword field that says "unknown" when it is empty (see archive.search_indexes).
DATED_BY = {"published": "year"}
UNKNOWN = ("unknown", b"unknown")


class MarkFormatter(whoosh_highlight.Formatter):
    """Escapes all text and wraps matches in <mark>, so a snippet is safe to insert as HTML."""

    between = " … "

    def _text(self, text):
        return html.escape(text, quote=False)

    def format_token(self, text, token, replace=False):
        return f"<mark>{html.escape(whoosh_highlight.get_text(text, token, replace), quote=False)}</mark>"


class ArabicWhooshSearchBackend(WhooshSearchBackend):
    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.silently_fail = False
        self.writer_procs = int(connection_options.get("WRITER_PROCS", os.cpu_count() or 1))
        self._searcher = None
        self._docsets = None
        self._searcher_lock = threading.Lock()

    def setup(self):
        super().setup()
        self.parser = MultifieldParser(DEFAULT_FIELDS, schema=self.schema)

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
        writer = open_writer(self.index, procs=procs, timeout=timeout, limitmb=1024)
        try:
            yield IndexWriter(self, writer)
        except BaseException:
            writer.cancel()
            raise
        if procs > 1:
            writer.commit()  # each subprocess's segment is added as it is
        else:
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
        """Documents in the index, from its table of contents (no searcher, nothing cached)."""
        if not self.setup_complete:
            self.setup()
        return self.index.refresh().doc_count()

    def forget_searcher(self) -> None:
        """Lets this thread's searcher and its caches go (a thread that searched once, long ago)."""
        with self._searcher_lock:
            self._searcher = self._docsets = None

    def current_searcher(self) -> tuple:
        """One searcher shared by requests until the index changes, with its document sets."""
        if not self.setup_complete:
            self.setup()
        with self._searcher_lock:
            # Not Searcher.refresh(): it reuses segment readers and with them outdated deletions.
            # The old searcher is left to the garbage collector, as another thread may still use it.
            if (
                self._searcher is None
                or self._searcher.reader().generation() != self.index.latest_generation()
            ):
                self._searcher = self.index.searcher()
                self._docsets = DocSets(self._searcher, DATED_BY["published"], UNKNOWN[0])
            return self._searcher, self._docsets

    def vocabulary(self) -> Vocabulary:
        """The exact field's Arabic words, for Latin names (archive.search.crossscript): read once per
        segment and shared by the process's threads."""
        searcher, _ = self.current_searcher()
        return Vocabulary.from_reader(
            searcher.reader(),
            EXACT_FIELD,
            shared_lexicon(self.path),
            self.path if self.use_file_storage else None,
        )

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
        if not query_string or searcher.doc_count() == 0:
            return {"results": [], "hits": 0, "facets": {}, "spelling_suggestion": None, "notes": []}
        filters = [self.parser.parse(force_str(nq)) for nq in narrow_queries or ()]
        notes: list[str] = []
        query = None if query_string in MATCH_ALL else self.parser.parse(query_string)
        if query is not None:
            query = bounded_prefixes(query, docsets, notes, MAX_PREFIX_TERMS)
            query = bounded_phrases(query, docsets, notes, MAX_PHRASE_CANDIDATES)
        parts = [q for q in (query, *filters) if q is not None]
        matched = docsets.matching(wq.And(parts) if parts else wq.Every())
        hits = len(matched)

        limit = max(start_offset, end_offset or start_offset + 20)
        page = self.page(searcher, docsets, query, matched, bool(filters), sort_by, limit)[start_offset:]
        terms = self.highlight_terms(highlight, query_string) if highlight and query else frozenset()
        documents = [
            self.make_result(searcher.stored_fields(docnum), score, terms, result_class)
            for docnum, score in page
        ]

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

    def page(self, searcher, docsets, query, matched, filtered, sort_by, limit) -> list[tuple[int, float]]:
        """The first `limit` matching documents with their scores, in the order asked for."""
        if not matched or not limit:
            return []
        fields = list(sort_by or ())
        if fields and [f.lstrip("-") for f in fields] == ["published"]:
            # Sorted results have no relevance score.
            return [(d, 0.0) for d in docsets.by_date(matched, "published", fields[0][0] == "-", limit)]
        if fields:
            results = searcher.search(
                query or wq.Every(), limit=limit, filter=set(matched), sortedby=self.sort_facet(fields)
            )
            return [(hit.docnum, 0.0) for hit in results]
        if query is None:
            return [(d, 0.0) for d in heapq.nsmallest(limit, matched)]
        scored = docsets.scored(query)
        if scored is not None:
            docs, scores = scored
            if filtered:
                keep = np.isin(docs, np.fromiter(matched, dtype=np.int64, count=len(matched)))
                docs, scores = docs[keep], scores[keep]
            # Best first and, as Whoosh orders them, the earlier document first among equals.
            best = np.lexsort((docs, -scores))[:limit]
            return [(int(docs[i]), float(scores[i])) for i in best]
        results = searcher.search(query, limit=limit, filter=set(matched) if filtered else None, terms=False)
        return [(results.docnum(i), results.score(i)) for i in range(results.scored_length())]

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
        searcher, _ = self.current_searcher()
        docnum = searcher.document_number(**{ID: get_identifier(model_instance)})
        if docnum is None:
            return {"results": [], "hits": 0}
        top = end_offset or 20
        body = searcher.stored_fields(docnum).get(self.content_field_name) or ""
        hits = searcher.more_like(docnum, self.content_field_name, text=body[:RELATED_MAX_CHARS], top=top)
        results = [self.make_result(hit.fields(), hit.score, frozenset(), result_class) for hit in hits]
        return {"results": results[start_offset:top], "hits": len(results)}

    def sort_facet(self, sort_by) -> sorting.MultiFacet:
        """Sort keys in their own directions, with documents that have no date last either way."""
        keys = []
        for field in sort_by:
            name = field.lstrip("-")
            if name in DATED_BY:
                # The column hands its raw bytes to the sort key.
                keys.append(
                    sorting.TranslateFacet(lambda value: value in UNKNOWN, sorting.FieldFacet(DATED_BY[name]))
                )
            keys.append(sorting.FieldFacet(name, reverse=field.startswith("-")))
        return sorting.MultiFacet(keys)

    def make_result(self, stored_fields, score, terms, result_class=None):
        # Whoosh returns stored values as they were given (dates as datetimes, numbers as numbers): the
        # stock conversion would read a title such as "1948" or "true" as a number or a boolean.
        values = dict(stored_fields)
        app_label, model_name = values.pop(DJANGO_CT).split(".")
        pk = values.pop(DJANGO_ID)
        if terms:
            values["highlighted"] = {
                "text": [self.snippet(values.get("text", ""), terms)],
                "title": [self.snippet(values.get("title", ""), terms, whole=True)],
            }
        result_class = result_class or SearchResult
        return result_class(app_label, model_name, pk, score or 0, **values)

    def highlight_terms(self, highlight, query_string: str) -> frozenset:
        """The analyzed words to mark: the user's words when the caller passes them, else the query's."""
        if isinstance(highlight, dict) and "words" in highlight:
            words = highlight["words"]
        else:
            words = [w for w in WORD.findall(query_string) if w not in OPERATORS and w not in self.schema]
        return frozenset(token.text for token in self.schema["text"].analyzer(" ".join(words)))

    def snippet(self, text: str, terms: frozenset, whole: bool = False) -> str:
        """Escaped fragments around the matches, or the escaped opening when nothing matches.

        Only a window from the first match on is highlighted: analyzing whole bodies with offsets
        for the twenty results of a page cost more than the search itself."""
        text = text[:HIGHLIGHT_MAX_CHARS]
        analyzer = self.schema["text"].analyzer
        if whole:
            fragmenter = whoosh_highlight.WholeFragmenter()
            window = text
        else:
            fragmenter = whoosh_highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60)
            start = analyzer.first_match(text, terms) if hasattr(analyzer, "first_match") else 0
            # From a word boundary a little before the match, so that it has context on both sides.
            begin = 0 if start is None else text.rfind(" ", 0, max(0, start - 60)) + 1
            window = "" if start is None else text[begin : start + HIGHLIGHT_WINDOW_CHARS]
        marked = whoosh_highlight.highlight(
            window, terms, analyzer, fragmenter, MarkFormatter(), top=SNIPPET_FRAGMENTS
        )
        if marked:
            return marked
        opening = (
            text
            if whole
            else text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + ("…" if len(text) > SNIPPET_CHARS else "")
        )
        return html.escape(opening, quote=False)

    def create_spelling_suggestion(self, query_string):
        """Replaces query words the index never saw by the closest words it has ("did you mean"),
        within the budget of archive.search.spelling."""
        searcher, _ = self.current_searcher()
        reader = searcher.reader()
        analyzer = searcher.schema[EXACT_FIELD].analyzer
        words = [
            w for w in WORD.findall(force_str(query_string)) if w not in OPERATORS and w not in self.schema
        ]
        pairs = [(word, next((token.text for token in analyzer(word)), None)) for word in words]

        def correct(term: str, maxdist: int, prefix: int) -> str | None:
            found = reader.corrector(EXACT_FIELD).suggest(term, limit=1, maxdist=maxdist, prefix=prefix)
            return found[0] if found else None

        return spelling.suggest(
            pairs, lambda term: reader.doc_frequency(EXACT_FIELD, term) > 0, correct, index_state(reader)
        )

    def stored_values(self, key_field: str, value_field: str) -> dict:
        """One stored field keyed by another for every document: a fast scan for index checks."""
        searcher, _ = self.current_searcher()
        return {fields[key_field]: fields.get(value_field) for fields in searcher.all_stored_fields()}


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
        return iter(self.words)

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
            frequency.update((word, docsets.reader.doc_frequency(first.fieldname, word)) for word in words)
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
            words = sorted((docsets.term(node.fieldname, word) for word in node.words), key=len)
            if words and len(words[0]) <= budget[0]:
                shared = len(frozenset.intersection(*words))
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
