"""haystack's Whoosh backend, made right for Arabic news and fast enough for an archive.

The stock backend analyzes every text field with an English stemmer, sends facet values through an
analyzer (splitting source names), counts facets with Python loops or DateRangeFacet, highlights
with the English stemmer, and logs indexing errors and goes on. This subclass keeps haystack as the
interface and changes exactly those parts:

- text fields use the Arabic analyzers (or the analyzer a field names);
- facet fields are unanalyzed keyword columns;
- facet counts intersect the matching documents with per-value document sets that are cached until
  the index changes, so a month histogram costs a few set intersections;
- snippets are highlighted with the field's own analyzer, HTML-escaped, matches in <mark>;
- indexing writes each batch with one writer and raises on the first bad document.
"""

import html
import os
import re
import threading
import warnings
from contextlib import contextmanager

from django.utils.encoding import force_str
from haystack.backends import BaseEngine
from haystack.backends.whoosh_backend import WhooshSearchBackend, WhooshSearchQuery
from haystack.constants import DJANGO_CT, DJANGO_ID, ID
from haystack.exceptions import SkipDocument
from haystack.fields import FacetField
from haystack.models import SearchResult
from haystack.utils import get_identifier
from whoosh import highlight as whoosh_highlight
from whoosh import sorting
from whoosh.fields import BOOLEAN, DATETIME, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.fields import ID as WHOOSH_ID
from whoosh.qparser import MultifieldParser
from whoosh.query import And, ConstantScoreQuery, Every

from .analyzers import ArabicAnalyzer
from .query import EXACT_FIELD

# Batches at least this large are analyzed by several processes, each writing its own segment.
PARALLEL_MIN_DOCS = 1000
SNIPPET_CHARS = 220
SNIPPET_FRAGMENTS = 2
# Matches past the opening are rare in news, and analyzing whole long bodies dominates a results page.
HIGHLIGHT_MAX_CHARS = 6_000
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


class FacetCache:
    """For each facet field, the set of documents holding each value, valid for one searcher."""

    def __init__(self, searcher):
        self.searcher = searcher
        self._sets: dict[str, dict[str, frozenset]] = {}
        self._lock = threading.Lock()

    def value_sets(self, fieldname: str) -> dict[str, frozenset]:
        with self._lock:
            if fieldname not in self._sets:
                reader = self.searcher.reader()
                sets = {}
                if fieldname in reader.indexed_field_names():
                    for term in reader.lexicon(fieldname):
                        value = term.decode("utf-8") if isinstance(term, bytes) else str(term)
                        sets[value] = frozenset(reader.postings(fieldname, term).all_ids())
                self._sets[fieldname] = sets
            return self._sets[fieldname]

    def counts(self, fieldname: str, docs) -> list[tuple[str, int]]:
        counted = [(value, len(members & docs)) for value, members in self.value_sets(fieldname).items()]
        return sorted(((v, n) for v, n in counted if n), key=lambda item: (-item[1], item[0]))


class ArabicWhooshSearchBackend(WhooshSearchBackend):
    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.silently_fail = False
        self.writer_procs = int(connection_options.get("WRITER_PROCS", os.cpu_count() or 1))
        self._searcher = None
        self._facets = None
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
        with self.writer(parallel=len(documents) >= PARALLEL_MIN_DOCS) as write:
            write(index, documents)

    @contextmanager
    def writer(self, parallel: bool = True):
        """An open index writer for a bulk load: documents given to it are analyzed by subprocesses
        while the caller goes on (storing the next articles); all is committed when the block ends."""
        if not self.setup_complete:
            self.setup()
        self.index = self.index.refresh()
        options = (
            {"procs": self.writer_procs, "multisegment": True} if parallel and self.writer_procs > 1 else {}
        )
        writer = self.index.writer(timeout=60, delay=0.25, limitmb=256, **options)

        def write(index, objects):
            for obj in objects:
                try:
                    doc = index.full_prepare(obj)
                except SkipDocument:
                    continue
                doc.pop("boost", None)
                writer.update_document(
                    **{key: self._from_python(value) for key, value in doc.items() if value is not None}
                )

        try:
            yield write
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def remove(self, obj_or_string, commit=True):
        if not self.setup_complete:
            self.setup()
        self.index = self.index.refresh()
        self.index.delete_by_term(ID, get_identifier(obj_or_string))

    def current_searcher(self):
        """One searcher shared by requests until the index changes, with its facet sets."""
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
                self._facets = FacetCache(self._searcher)
            return self._searcher, self._facets

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
        """Like the stock search, with fast facets; date_facets are refused in favour of the
        precomputed year, month and day facet fields, which count in a few set intersections."""
        if date_facets:
            warnings.warn("date_facet() is not supported: facet on year, month or day instead.", stacklevel=2)
        searcher, facet_cache = self.current_searcher()
        query_string = force_str(query_string).strip()
        if not query_string or searcher.doc_count() == 0:
            return {"results": [], "hits": 0, "facets": {}, "spelling_suggestion": None}
        filters = [ConstantScoreQuery(self.parser.parse(force_str(nq)), 0.0) for nq in narrow_queries or ()]
        if query_string in MATCH_ALL:
            # Browsing: the filters alone select the documents, without walking the whole index.
            query = And(filters) if filters else Every()
        else:
            query = self.parser.parse(query_string)
            if filters:
                # Zero-scored, so that filtering by source or date never changes the relevance order.
                query = And([query, *filters])

        sortedby = self.sort_facet(sort_by) if sort_by else None

        page_length = max(0, (end_offset or start_offset + 20) - start_offset)
        limit = start_offset + page_length
        results = searcher.search(query, limit=limit or 1, sortedby=sortedby, terms=False)
        hits = len(results)

        facet_counts = {}
        if facets:
            docs = results.docs()
            facet_counts = {
                "fields": {name: facet_cache.counts(name, docs) for name in facets},
                "dates": {},
                "queries": {},
            }

        terms = self.highlight_terms(highlight, query_string) if highlight else frozenset()
        documents = []
        for position in range(start_offset, min(limit, results.scored_length())):
            # Sorted results carry their sort key where the score would be; they have no relevance score.
            score = 0.0 if sortedby else results.score(position)
            documents.append(self.make_result(results[position], score, terms, result_class))

        suggestion = None
        if self.include_spelling and (spelling_query or query_string) and hits == 0:
            suggestion = self.create_spelling_suggestion(spelling_query or query_string)
        return {"results": documents, "hits": hits, "facets": facet_counts, "spelling_suggestion": suggestion}

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
        """Related coverage from the article's key terms, on the shared searcher (the stock method
        opens a new searcher, and so reads the index files, on every call)."""
        searcher, _ = self.current_searcher()
        docnum = searcher.document_number(**{ID: get_identifier(model_instance)})
        if docnum is None:
            return {"results": [], "hits": 0}
        top = end_offset or 20
        hits = searcher.more_like(docnum, self.content_field_name, top=top)
        results = [self.make_result(hit, hit.score, frozenset(), result_class) for hit in hits]
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

    def make_result(self, hit, score, terms, result_class=None):
        stored = dict(hit.fields())
        app_label, model_name = stored.pop(DJANGO_CT).split(".")
        pk = stored.pop(DJANGO_ID)
        values = {key: self._to_python(value) if key != "text" else value for key, value in stored.items()}
        if terms:
            values["highlighted"] = {
                "text": [self.snippet(stored.get("text", ""), terms)],
                "title": [self.snippet(stored.get("title", ""), terms, whole=True)],
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
        """Escaped fragments around the matches, or the escaped opening when nothing matches."""
        text = text[:HIGHLIGHT_MAX_CHARS]
        analyzer = self.schema["text"].analyzer
        if whole:
            fragmenter = whoosh_highlight.WholeFragmenter()
        else:
            fragmenter = whoosh_highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60)
        marked = whoosh_highlight.highlight(
            text, terms, analyzer, fragmenter, MarkFormatter(), top=SNIPPET_FRAGMENTS
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
        """Replaces query words the index never saw by the closest words it has ("did you mean")."""
        searcher, _ = self.current_searcher()
        reader = searcher.reader()
        analyzer = searcher.schema["exact"].analyzer
        corrector = reader.corrector("exact")
        words = [
            w for w in WORD.findall(force_str(query_string)) if w not in OPERATORS and w not in self.schema
        ]
        changed, suggested = False, []
        for word in words:
            surface = [token.text for token in analyzer(word)]
            if not surface or reader.doc_frequency("exact", surface[0]):
                suggested.append(word)
                continue
            found = corrector.suggest(surface[0], limit=1, maxdist=2)
            suggested.append(found[0] if found else word)
            changed = changed or bool(found)
        return " ".join(suggested) if changed else None

    def stored_values(self, key_field: str, value_field: str) -> dict:
        """One stored field keyed by another for every document: a fast scan for index checks."""
        searcher, _ = self.current_searcher()
        return {fields[key_field]: fields.get(value_field) for fields in searcher.all_stored_fields()}


class ArabicWhooshEngine(BaseEngine):
    backend = ArabicWhooshSearchBackend
    query = WhooshSearchQuery
