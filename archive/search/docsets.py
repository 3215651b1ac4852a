"""The documents a query matches, their scores, and what the search page counts with them.

Whoosh walks a query's matchers in Python, document by document, to list and score its matches, and
stock haystack does it two or three times per page. Here a query's documents are sorted numpy arrays
built from term postings, its scores array arithmetic, and facet counts and date sorting work on the
one array of matching documents.

What is read from the index is kept per segment, as Whoosh segments never change: a term's postings
are the segment's own document numbers and term weights, read once, with deleted documents still in
them; a facet field's values, a field's lengths and a date column likewise. A searcher (one index
generation) lays its segments out at their offsets, leaves its deleted documents out and scores with
its own index-wide statistics: BM25F's idf and average field length are recomputed with numpy when a
searcher first uses a term, so a re-indexed document (a tiny new segment and one deletion in an old
one) keeps every other segment's postings. What a searcher assembles is kept too, keyed by the state
of all its segments. All of it lives in one cache per process (SegmentCache), bounded in bytes.
"""

import io
import itertools
import math
import os
import pickle
import struct
import sys
import threading
import weakref
import zlib
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from functools import reduce
from typing import NamedTuple

import numpy as np
from django.conf import settings
from whoosh import query as wq
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermsReader
from whoosh.columns import NumericColumn
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

# A prefix stands for its most frequent words up to this many documents in all: "الم*"'s 200 most
# frequent words held 306,000, whose postings took seconds to score.
MAX_PREFIX_POSTINGS = 50_000
DEFAULT_CACHE_BYTES = 256 * 1024 * 1024
NO_DOCS = np.zeros(0, dtype=np.int64)
NO_SCORES = np.zeros(0)
# Whoosh keeps a field's length per document as one byte; this is what each byte stands for.
LENGTH_OF_BYTE = np.array([byte_to_length(code) or 1 for code in range(256)], dtype=np.float64)


def nbytes(value) -> int:
    """What a cached value costs in memory, as an honest estimate: numpy's own buffer sizes, and
    sys.getsizeof for the Python containers and the objects in them."""
    kind = type(value)
    if kind is str or kind is int or kind is bytes:
        return sys.getsizeof(value)
    if kind is np.ndarray:
        return sys.getsizeof(value) + (0 if value.base is None else value.nbytes)
    if isinstance(value, tuple | list | frozenset | set):
        size = sys.getsizeof(value)
        for item in value:
            size += nbytes(item)
        return size
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(nbytes(k) + nbytes(v) for k, v in value.items())
    if isinstance(value, DocSet):
        return sys.getsizeof(value) + nbytes(value.array)
    return sys.getsizeof(value)


class SegmentCache:
    """The least recently used entries first out, to keep within max_bytes; safe to share between
    threads. A value is computed outside the lock (two threads may both compute it: the first kept
    wins), and one larger than the whole bound is returned without being kept."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, compute: Callable):
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return entry[0]
            self.misses += 1
        value = compute()
        size = nbytes(key) + nbytes(value)
        with self._lock:
            if key in self._entries:
                return self._entries[key][0]
            if size <= self.max_bytes:
                self._entries[key] = (value, size)
                self.bytes += size
                while self.bytes > self.max_bytes:
                    _key, (_value, freed) = self._entries.popitem(last=False)
                    self.bytes -= freed
        return value

    def __contains__(self, key) -> bool:
        with self._lock:
            return key in self._entries

    def keys(self) -> list:
        """The keys, the most recently used last."""
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0


_cache: SegmentCache | None = None
_cache_lock = threading.Lock()


def shared_cache() -> SegmentCache:
    """The process's one cache, of settings.SEARCH_CACHE_BYTES."""
    global _cache
    with _cache_lock:
        if _cache is None:
            _cache = SegmentCache(getattr(settings, "SEARCH_CACHE_BYTES", DEFAULT_CACHE_BYTES))
        return _cache


class DocSet:
    """Documents as a sorted array of distinct document numbers, compared like a set of them."""

    __slots__ = ("array", "_mask")

    def __init__(self, array: np.ndarray):
        self.array = array
        self._mask = None

    def __len__(self) -> int:
        return len(self.array)

    def __iter__(self) -> Iterator[int]:
        return iter(self.array.tolist())

    def __contains__(self, docnum) -> bool:
        at = np.searchsorted(self.array, docnum)
        return bool(at < len(self.array) and self.array[at] == docnum)

    def __eq__(self, other) -> bool:
        if isinstance(other, DocSet):
            return np.array_equal(self.array, other.array)
        if isinstance(other, set | frozenset):
            return len(other) == len(self.array) and other.issuperset(self.array.tolist())
        return NotImplemented

    def __le__(self, other) -> bool:
        return set(self.array.tolist()) <= set(other)

    def __ge__(self, other) -> bool:
        return set(self.array.tolist()) >= set(other)

    __hash__ = None

    def mask(self, size: int) -> np.ndarray:
        """The documents as a boolean array over all document numbers, made once."""
        if self._mask is None or len(self._mask) != size:
            mask = np.zeros(size, dtype=bool)
            mask[self.array] = True
            self._mask = mask
        return self._mask


class RawPostings(NamedTuple):
    """A term's postings in one segment: its document numbers there (ascending) and term weights,
    deleted documents included."""

    docs: np.ndarray
    weights: np.ndarray


class Postings(NamedTuple):
    """A term's live documents in a searcher (ascending), with the score Whoosh's scorer gives each."""

    docs: np.ndarray
    scores: np.ndarray


class FacetValues(NamedTuple):
    """A keyword field's values and, for each posting, its document and the index of its value."""

    values: tuple[str, ...]
    docs: np.ndarray
    codes: np.ndarray


class Expansion(NamedTuple):
    """The most frequent terms with a prefix, and whether the prefix has more."""

    terms: tuple[str, ...]
    more: bool


class Segment(NamedTuple):
    """One segment as a searcher sees it: its reader, where its documents start, its deletions."""

    key: str
    reader: object
    searcher: object
    offset: int
    size: int
    deleted: np.ndarray | None
    dead: np.ndarray | None  # the deletions as a boolean array over the segment's documents

    @property
    def state(self) -> tuple:
        """The segment and its deletions: deleted documents only ever grow in number."""
        return (self.key, 0 if self.deleted is None else len(self.deleted))


class Unscored(Exception):
    """A query this module cannot score as Whoosh would; Whoosh's own scorer takes it."""


class DocSets:
    """One searcher's documents, scores, facet counts and date keys, read through the shared cache.

    `lock` guards the searcher's files, which Whoosh reads with seek() and read(): every read of the
    index takes it, while set algebra and scoring do not."""

    def __init__(
        self,
        searcher,
        undated_field: str = "year",
        undated_value: str = "unknown",
        cache: SegmentCache | None = None,
        lock=None,
        storage=None,
    ):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.cache = shared_cache() if cache is None else cache
        self.lock = threading.RLock() if lock is None else lock
        self.undated_field = undated_field
        self.undated_value = undated_value
        self.storage = (
            getattr(getattr(searcher, "_ix", None), "storage", None) if storage is None else storage
        )
        self.segments = self._segments()
        self.size = searcher.doc_count_all()
        self.state = tuple(segment.state for segment in self.segments)
        # Fields and terms this searcher has used, for warming the next one (archive.search.engine).
        self.used_fields: set[tuple[str, str]] = set()

    def _segments(self) -> list[Segment]:
        segments = []
        for subsearcher, offset in self.searcher.leaf_searchers():
            reader = subsearcher.reader()
            segment = reader.segment() if hasattr(reader, "segment") else None
            if segment is None or reader.doc_count_all() == 0:
                continue
            deleted = sorted(segment.deleted_docs()) if segment.has_deletions() else None
            segments.append(
                Segment(
                    segment_key(segment, self.storage),
                    reader,
                    subsearcher,
                    offset,
                    reader.doc_count_all(),
                    None if deleted is None else np.array(deleted, dtype=np.int64),
                    None if deleted is None else dead_mask(deleted, reader.doc_count_all()),
                )
            )
        return segments

    # --- Reading, per segment -------------------------------------------------------------------

    def _raw_postings(self, segment: Segment, fieldname: str, text) -> RawPostings:
        return self.cache.get(
            ("postings", segment.key, fieldname, text), lambda: self._read(segment.reader, fieldname, text)
        )

    def _read(self, reader, fieldname: str, text) -> RawPostings:
        try:
            docs, weights = term_postings(reader, fieldname, text, self.lock)
        except TermNotFound:
            return RawPostings(NO_DOCS.astype(np.int32), NO_SCORES.astype(np.float32))
        return RawPostings(np.array(docs, dtype=np.int32), np.array(weights, dtype=np.float32))

    def _lengths(self, segment: Segment, fieldname: str) -> np.ndarray:
        """The length byte of a field for each of a segment's documents."""

        def read():
            with self.lock:
                return length_bytes(segment.reader, fieldname, segment.size).astype(np.uint8)

        return self.cache.get(("lengths", segment.key, fieldname), read)

    def _segment_values(self, segment: Segment, fieldname: str) -> FacetValues:
        def read():
            values, docs, codes = [], [], []
            with self.lock:
                if fieldname in segment.reader.indexed_field_names():
                    for term in segment.reader.lexicon(fieldname):
                        found = self._read(segment.reader, fieldname, term).docs
                        if len(found):
                            codes.append(np.full(len(found), len(values), dtype=np.int32))
                            docs.append(found)
                            values.append(term.decode("utf-8") if isinstance(term, bytes) else str(term))
            return FacetValues(
                tuple(values),
                np.concatenate(docs) if docs else NO_DOCS.astype(np.int32),
                np.concatenate(codes) if codes else np.zeros(0, dtype=np.int32),
            )

        return self.cache.get(("values", segment.key, fieldname), read)

    def _column(self, segment: Segment, fieldname: str) -> np.ndarray:
        def read():
            with self.lock:
                if not segment.reader.has_column(fieldname):
                    return np.zeros(segment.size, dtype=np.uint64)
                column = segment.reader.column_reader(fieldname, translate=False)
                return column_values(column, segment.size).astype(np.uint64)

        return self.cache.get(("column", segment.key, fieldname), read)

    def _prefix_counts(self, segment: Segment, fieldname: str, prefix: str) -> dict:
        def read():
            with self.lock:
                if fieldname not in segment.reader.indexed_field_names():
                    return {}
                return {
                    text: info.doc_frequency() for text, info in segment.reader.iter_prefix(fieldname, prefix)
                }

        return self.cache.get(("prefix", segment.key, fieldname, prefix), read)

    def _whoosh_docs(self, segment: Segment, q: wq.Query) -> np.ndarray:
        """The live documents Whoosh matches for q in one segment (phrases, ranges, wildcards)."""
        try:
            hash(q)
        except TypeError:  # a query type that defines no hash is simply not kept
            return whoosh_docs(segment, q, self.lock)
        return self.cache.get(("docs", *segment.state, q), lambda: whoosh_docs(segment, q, self.lock))

    def _live(self, segment: Segment, docs: np.ndarray) -> np.ndarray:
        if segment.deleted is None or not len(docs):
            return docs
        return docs[~segment.dead[docs]]

    # --- Assembled, per searcher ----------------------------------------------------------------

    def _assembled(self, key: tuple, compute: Callable):
        return self.cache.get(("searcher", self.state, *key), compute)

    @property
    def live(self) -> DocSet:
        """Every live document (postings leave deleted documents out already; "everything" must too)."""

        def compute():
            parts = [self._live(s, np.arange(s.size, dtype=np.int64)) + s.offset for s in self.segments]
            return np.concatenate(parts) if parts else NO_DOCS

        return DocSet(self._assembled(("live",), compute))

    def postings(self, fieldname: str, text) -> Postings:
        """A term's live documents with their scores under the searcher's weighting (BM25F)."""
        return self._assembled(("term", fieldname, text), lambda: self._scored_term(fieldname, text))

    def _scored_term(self, fieldname: str, text) -> Postings:
        found = []
        for segment in self.segments:
            raw = self._raw_postings(segment, fieldname, text)
            if len(raw.docs):
                found.append((segment, raw))
        if not found:
            return Postings(NO_DOCS, NO_SCORES)
        # Laid out at the segments' offsets and scored at once: numpy's cost is per call.
        docs = np.concatenate([raw.docs.astype(np.int64) + segment.offset for segment, raw in found])
        weights = np.concatenate([raw.weights for _, raw in found]).astype(np.float64)
        frequency = len(docs)  # deleted documents count, as in Whoosh's statistics
        dead = self._dead()
        if dead is not None:
            live = ~dead[docs]
            docs, weights = docs[live], weights[live]
        weighting = self.searcher.weighting
        schema = self.searcher.schema
        if fieldname in schema and schema[fieldname].scorable and isinstance(weighting, BM25F):
            idf = math.log(self.size / (frequency + 1)) + 1
            average = (self.searcher.field_length(fieldname) / (self.size or 1)) or 1
            b = weighting._field_B.get(fieldname, weighting.B)
            k1 = weighting.K1
            lengths = LENGTH_OF_BYTE[self._field_lengths(fieldname)[docs]]
            weights = idf * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * lengths / average)))
        return Postings(docs, weights)

    def _dead(self) -> np.ndarray | None:
        """The searcher's deleted documents as a boolean array over all of them, or None."""
        if all(segment.dead is None for segment in self.segments):
            return None

        def compute():
            dead = np.zeros(self.size, dtype=bool)
            for segment in self.segments:
                if segment.dead is not None:
                    dead[segment.offset : segment.offset + segment.size] = segment.dead
            return dead

        return self._assembled(("dead",), compute)

    def _field_lengths(self, fieldname: str) -> np.ndarray:
        """A field's length byte for every document of the searcher."""

        def compute():
            lengths = np.zeros(self.size, dtype=np.uint8)
            for segment in self.segments:
                lengths[segment.offset : segment.offset + segment.size] = self._lengths(segment, fieldname)
            return lengths

        return self._assembled(("lengths", fieldname), compute)

    def term(self, fieldname: str, text) -> DocSet:
        return DocSet(self.postings(fieldname, text).docs)

    def facet(self, fieldname: str) -> FacetValues:
        """A keyword field's values over the searcher's live documents."""
        self.used_fields.add(("facet", fieldname))

        def compute():
            values: dict[str, int] = {}
            docs, codes = [], []
            for segment in self.segments:
                found = self._segment_values(segment, fieldname)
                if not len(found.docs):
                    continue
                mapping = np.array([values.setdefault(v, len(values)) for v in found.values], dtype=np.int32)
                seg_docs, seg_codes = found.docs.astype(np.int64), found.codes
                if segment.deleted is not None:
                    keep = ~segment.dead[seg_docs]
                    seg_docs, seg_codes = seg_docs[keep], seg_codes[keep]
                docs.append(seg_docs + segment.offset)
                codes.append(mapping[seg_codes])
            if not docs:
                return FacetValues((), NO_DOCS, np.zeros(0, dtype=np.int32))
            return FacetValues(tuple(values), np.concatenate(docs), np.concatenate(codes))

        return self._assembled(("facet", fieldname), compute)

    def date_keys(self, fieldname: str) -> np.ndarray:
        """A date column's raw sort keys, one per document of the searcher."""
        self.used_fields.add(("date", fieldname))

        def compute():
            parts = [self._column(segment, fieldname) for segment in self.segments]
            return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)

        return self._assembled(("dates", fieldname), compute)

    # --- Matching -------------------------------------------------------------------------------

    def matching(self, q: wq.Query) -> DocSet:
        """The live documents matching q: array set algebra where the query allows it, Whoosh elsewhere."""
        return DocSet(self._docs(q.normalize()))

    def _docs(self, q: wq.Query) -> np.ndarray:
        if isinstance(q, wq.Term):
            return self.postings(q.fieldname, q.text).docs
        if isinstance(q, wq.Every) and not q.fieldname:
            return self.live.array
        if isinstance(q, wq.And):
            parts = sorted((self._docs(sub) for sub in q.subqueries), key=len)
            return reduce(_intersection, parts) if parts else NO_DOCS
        if isinstance(q, wq.Or) and not q.minmatch:
            return _union([self._docs(sub) for sub in q.subqueries])
        if isinstance(q, wq.Not):
            return np.setdiff1d(self.live.array, self._docs(q.query), assume_unique=True)
        if isinstance(q, wq.AndNot):
            return np.setdiff1d(self._docs(q.a), self._docs(q.b), assume_unique=True)
        if isinstance(q, wq.ConstantScoreQuery):
            return self._docs(q.child)
        if isinstance(q, wq.Prefix):
            # From the words' cached postings, which scoring reads too; ranges have too many terms.
            return _union([self.postings(field, text).docs for field, text in self._expanded(q)])
        if q is wq.NullQuery:
            return NO_DOCS
        # Phrases, ranges, wildcards: Whoosh knows how to match them, segment by segment.
        read = self._phrase_docs if isinstance(q, wq.Phrase) else self._whoosh_docs
        parts = [read(segment, q).astype(np.int64) + segment.offset for segment in self.segments]
        return np.concatenate(parts) if parts else NO_DOCS

    def _holding_all(self, segment: Segment, phrase: wq.Phrase) -> np.ndarray:
        """The segment's documents (deleted ones too) with every word of the phrase, from the words'
        cached postings; none without a look-up of each word first, as a missing word is common
        (a spelling with a proclitic) and the other words' postings may be long."""
        with self.lock:
            if not all((phrase.fieldname, word) in segment.reader for word in phrase.words):
                return NO_DOCS
        docs = None
        for word in phrase.words:
            found = self._raw_postings(segment, phrase.fieldname, word).docs
            docs = found if docs is None else np.intersect1d(docs, found, assume_unique=True)
            if not len(docs):
                break
        return NO_DOCS if docs is None else docs

    def _phrase_docs(self, segment: Segment, phrase: wq.Phrase) -> np.ndarray:
        """The live documents of one segment holding the phrase. Whoosh's phrase matcher walks the
        postings and positions of every word in Python; here only the documents holding all the
        words are looked at, most of a name's spellings with a proclitic are in no segment at all,
        and words next to each other (slop 1) are checked from their positions directly, all the
        candidates at once (phrase_starts)."""

        def read():
            candidates = self._holding_all(segment, phrase)
            if not len(candidates):
                return NO_DOCS.astype(np.int32)
            direct = (
                phrase.slop == 1
                and len(phrase.words) > 1
                and isinstance(getattr(segment.reader, "_terms", None), W3TermsReader)
                and segment.reader.schema[phrase.fieldname].format.supports("positions")
            )
            if not direct:
                return whoosh_docs(segment, phrase, self.lock)
            field = segment.reader.schema[phrase.fieldname]
            starts = None
            for step, word in enumerate(phrase.words):
                table = self._position_table(segment, phrase.fieldname, word)
                shifted = phrase_starts(table, candidates, step, field.format.decode_positions)
                starts = shifted if starts is None else np.intersect1d(starts, shifted, assume_unique=True)
            return self._live(segment, np.unique(starts >> 32).astype(np.int32))

        key = ("phrase", *segment.state, phrase.fieldname, tuple(phrase.words), phrase.slop)
        return self.cache.get(key, read)

    def _position_table(self, segment: Segment, fieldname: str, word: str) -> tuple[np.ndarray, tuple]:
        """A word's postings in one segment as (document numbers, their encoded positions), deleted
        documents included; kept, as a name's spellings with each proclitic share their other words."""
        key = ("positions", *segment.state, fieldname, word)
        return self.cache.get(key, lambda: position_table(segment.reader, fieldname, word, self.lock))

    def _expanded(self, q: wq.MultiTerm) -> list:
        with self.lock:
            return list(q.expanded_terms(self.reader))

    def prefix_terms(self, fieldname: str, prefix: str, limit: int) -> tuple[tuple[str, ...], bool]:
        """The `limit` terms starting with prefix found in the most documents, and whether there are
        more; kept like any term."""
        found = self._assembled(
            ("prefix", fieldname, prefix, limit), lambda: self._expand(fieldname, prefix, limit)
        )
        return found.terms, found.more

    def _expand(self, fieldname: str, prefix: str, limit: int) -> Expansion:
        """The most frequent words of a prefix, at most `limit` and no more than MAX_PREFIX_POSTINGS
        documents in all (but at least one word): their postings are what searching them reads.

        Counted segment by segment: the lexicon of many segments merged on the fly took seconds."""
        counts: Counter = Counter()
        for segment in self.segments:
            counts.update(self._prefix_counts(segment, fieldname, prefix))
        terms, postings = [], 0
        for text, frequency in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            if len(terms) == limit or (terms and postings + frequency > MAX_PREFIX_POSTINGS):
                break
            terms.append(text.decode("utf-8"))
            postings += frequency
        return Expansion(tuple(sorted(terms)), len(terms) < len(counts))

    def doc_frequency(self, fieldname: str, text) -> int:
        with self.lock:
            return self.reader.doc_frequency(fieldname, text)

    # --- Scoring --------------------------------------------------------------------------------

    def scored(self, q: wq.Query) -> tuple[np.ndarray, np.ndarray] | None:
        """The documents matching q (ascending) and their scores, the sums Whoosh's matchers would
        compute; None for a query this cannot score, or a weighting other than BM25F's."""
        weighting = self.searcher.weighting
        if (
            weighting.use_final
            or not isinstance(weighting, BM25F)
            or type(weighting).scorer is not BM25F.scorer
        ):
            return None
        try:
            return self._scored(q.normalize())
        except Unscored:
            return None

    def _scored(self, q: wq.Query) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(q, wq.Term):
            found = self.postings(q.fieldname, q.text)
            return found.docs, found.scores * q.boost
        if isinstance(q, wq.Or) and not q.minmatch and not q.scale and q.boost == 1.0:
            return _summed_union([self._scored(sub) for sub in q.subqueries])
        if isinstance(q, wq.And) and q.boost == 1.0:
            wanted = [sub for sub in q.subqueries if not isinstance(sub, wq.Not)]
            if not wanted:
                raise Unscored(q)
            docs, scores = _summed_intersection([self._scored(sub) for sub in wanted])
            for excluded in (sub for sub in q.subqueries if isinstance(sub, wq.Not)):
                # Whoosh's inverse matcher adds its boost to every document it lets through.
                docs, scores = _without(docs, scores + excluded.boost, self._docs(excluded.query))
            return docs, scores
        if isinstance(q, wq.AndNot):
            return _without(*self._scored(q.a), self._docs(q.b))
        if isinstance(q, wq.Phrase):
            # Whoosh scores a phrase as the sum of its words' scores, where the words are in order.
            docs = self._docs(q)
            words = [self._scored(wq.Term(q.fieldname, word)) for word in q.words]
            docs, scores = _summed_intersection([(docs, np.zeros(len(docs))), *words])
            return docs, scores * q.boost
        if isinstance(q, wq.MultiTerm):
            return _concatenated([self._scored_in(segment, q) for segment in self.segments])
        if isinstance(q, wq.ConstantScoreQuery):
            docs = self._docs(q.child)
            return docs, np.full(len(docs), q.score)
        if q is wq.NullQuery:
            return NO_DOCS, NO_SCORES
        raise Unscored(q)

    def _scored_in(self, segment: Segment, q: wq.MultiTerm) -> tuple[np.ndarray, np.ndarray]:
        """A prefix or wildcard in one segment, as Whoosh scores it there: as its one term when it
        stands for one in that segment, else by its boost alone (constantscore) or as the boosted sum
        of its terms."""
        with self.lock:
            words = [word for word in q._btexts(segment.reader) if word]
        parts = []
        for word in words:
            docs, scores = self._scored(wq.Term(q.fieldname, word))
            low, high = np.searchsorted(docs, [segment.offset, segment.offset + segment.size])
            parts.append((docs[low:high], scores[low:high]))
        if len(parts) == 1:
            return parts[0]
        docs, scores = _summed_union(parts)
        return docs, np.full(len(docs), q.boost) if q.constantscore else scores * q.boost

    # --- Facets ---------------------------------------------------------------------------------

    def value_sets(self, fieldname: str) -> dict[str, DocSet]:
        """For a keyword field, the live documents holding each value."""
        found = self.facet(fieldname)
        order = np.argsort(found.codes, kind="stable")
        bounds = np.searchsorted(found.codes[order], np.arange(len(found.values) + 1))
        return {
            value: DocSet(np.sort(found.docs[order[bounds[i] : bounds[i + 1]]]))
            for i, value in enumerate(found.values)
        }

    def value_docs(self, fieldname: str, value: str) -> np.ndarray:
        found = self.facet(fieldname)
        if value not in found.values:
            return NO_DOCS
        return np.sort(found.docs[found.codes == found.values.index(value)])

    def counts(self, fieldname: str, docs: DocSet) -> list[tuple[str, int]]:
        """Each value's count among docs, most frequent first."""
        found = self.facet(fieldname)
        if not len(found.values) or not len(docs):
            return []
        counted = np.bincount(found.codes[docs.mask(self.size)[found.docs]], minlength=len(found.values))
        pairs = [(found.values[i], int(counted[i])) for i in np.flatnonzero(counted)]
        return sorted(pairs, key=lambda item: (-item[1], item[0]))

    # --- Sorting by date ------------------------------------------------------------------------

    def by_date(self, docs: DocSet, fieldname: str, newest: bool, limit: int) -> list[int]:
        """The first `limit` documents by date, newest or oldest first, undated ones last either way."""
        keys = self.date_keys(fieldname)
        undated = self.value_docs(self.undated_field, self.undated_value)
        dated = np.setdiff1d(docs.array, undated, assume_unique=True) if len(undated) else docs.array
        chosen = keys[dated]
        if newest:
            chosen = np.iinfo(np.uint64).max - chosen
        if len(dated) > limit:
            threshold = np.partition(chosen, limit - 1)[limit - 1]
            near = chosen <= threshold
            dated, chosen = dated[near], chosen[near]
        top = dated[np.lexsort((dated, chosen))[:limit]].tolist()
        if len(top) < limit and len(undated):
            top += _intersection(docs.array, undated)[: limit - len(top)].tolist()
        return top

    # --- Warming --------------------------------------------------------------------------------

    def warm(self, fields: set[tuple[str, str]], terms: list[tuple[str, object]]) -> None:
        """Reads for every segment what another searcher used: facet values, date keys, terms."""
        for kind, fieldname in fields:
            if kind == "facet":
                self.facet(fieldname)
            else:
                self.date_keys(fieldname)
        for fieldname, text in terms:
            self.postings(fieldname, text)

    def unread_docs(self, fields: set[tuple[str, str]]) -> int:
        """The documents of the segments whose facet values or date keys for these fields are not
        cached yet: what the first search of this searcher would read."""
        return sum(
            segment.size
            for segment in self.segments
            if not all(
                ("values" if kind == "facet" else "column", segment.key, fieldname) in self.cache
                for kind, fieldname in fields
            )
        )


_storage_tokens: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_tokens = itertools.count()


def segment_key(segment, storage) -> str:
    """A segment's id, and the identity of its file where the index is a folder: a segment's id is
    random, but an index made again in the same folder by a seeded random (tests) repeats them."""
    key = segment.segment_id()
    folder = getattr(storage, "folder", None)
    if not folder:
        with _cache_lock:
            token = _storage_tokens.setdefault(storage, next(_tokens)) if storage is not None else "?"
        return f"{key}@{token}"
    for extension in (".seg", ".trm"):
        try:
            status = os.stat(os.path.join(folder, key + extension))
        except OSError:
            continue
        return f"{key}@{status.st_ino}:{status.st_mtime_ns}:{status.st_size}"
    return f"{key}@{folder}"


def whoosh_docs(segment: Segment, q: wq.Query, lock) -> np.ndarray:
    """The live documents Whoosh matches for q in one segment; `lock` guards the segment's files."""
    with lock:
        return np.array(sorted(segment.searcher.docs_for_query(q)), dtype=np.int32)


def dead_mask(deleted: list[int], size: int) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    mask[deleted] = True
    return mask


def term_postings(reader, fieldname: str, text, lock) -> tuple:
    """A term's document numbers and weights in one segment, deleted documents included (the
    searcher leaves them out itself); `lock` guards the reader's files.

    With Whoosh's own codec the postings are read from the file at once and decoded from memory,
    outside the lock: its matcher reads each block's header through pickle.load on the file, which
    is a seek and a read per few bytes, about fifty per term and segment. Lists or arrays."""
    with lock:
        if reader.is_closed or fieldname not in reader.schema:
            raise TermNotFound(fieldname)
        if not isinstance(getattr(reader, "_terms", None), W3TermsReader):
            matcher = reader.postings(fieldname, text)
            if isinstance(matcher, FilterMatcher):
                # The filter has moved its child past the deletions: start it again.
                matcher = matcher.child
                matcher.reset()
            return read_matcher(matcher)
        stored = stored_postings(reader, fieldname, text)
    if isinstance(stored, bytes):
        return decoded_postings(stored)
    ids, weights, _values = stored
    return list(ids), list(weights)


def stored_postings(reader, fieldname: str, text) -> bytes | tuple:
    """A term's postings in one segment as Whoosh 3 keeps them: the bytes of its postings, or the
    (ids, weights, values) of a term of one posting, inlined in its entry. The caller holds the
    lock of the reader's files."""
    info = reader._terms.term_info(fieldname, reader.schema[fieldname].to_bytes(text))
    if info.is_inlined():
        return info.inlined_postings()
    offset, length = info.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes keeps struct.unpack's tuple
        (length,) = length
    return reader._terms._postfile.get(offset, length)


_BLOCK_LENGTH = struct.Struct("!i")


def posting_blocks(region: bytes) -> Iterator[tuple[np.ndarray, object, tuple]]:
    """The blocks of one term's postings as Whoosh 3 writes them: (document numbers, weights as
    written, values).

    A header tag, then blocks of a signed length (negative for the last), the pickled block
    information (with the block's last document) and the pickled, maybe compressed, (delta-coded
    ids, weights, values). Whoosh's matcher decodes the ids one by one in Python; here each block
    is one cumulative sum."""
    if region[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError("not Whoosh 3 postings")
    at = 4
    while True:
        (length,) = _BLOCK_LENGTH.unpack_from(region, at)
        at += _BLOCK_LENGTH.size
        end = at + abs(length)
        block = io.BytesIO(region[at:end])
        # The index's own files, which Whoosh itself reads with pickle.
        count, _last, _max_weight, compression, _shortest, _longest = pickle.load(block)  # noqa: S301
        data = block.read()
        ids, weights, values = pickle.loads(zlib.decompress(data) if compression else data)[:3]  # noqa: S301
        if weights is None or isinstance(weights, float):
            weights = np.full(count, 1.0 if weights is None else weights, dtype=np.float32)
        yield np.cumsum(np.array(ids, dtype=np.int64)), weights, values
        if length < 0:
            return
        at = end


def decoded_postings(region: bytes) -> tuple[np.ndarray, np.ndarray]:
    """The document numbers and weights of one term's postings (posting_blocks)."""
    docs, weights = [], []
    for ids, block_weights, _values in posting_blocks(region):
        docs.append(ids)
        weights.append(np.asarray(block_weights, dtype=np.float32))
    return np.concatenate(docs).astype(np.int32), np.concatenate(weights)


def position_table(reader, fieldname: str, text, lock) -> tuple[np.ndarray, tuple]:
    """A term's document numbers in one segment (ascending) and each one's positions as the field's
    format encodes them, with Whoosh's own codec (the caller checks it); `lock` guards the files."""
    with lock:
        stored = stored_postings(reader, fieldname, text)
    if not isinstance(stored, bytes):
        ids, _weights, values = stored
        return np.array(ids, dtype=np.int64), tuple(values)
    blocks = list(posting_blocks(stored))
    ids = np.concatenate([block_ids for block_ids, _, _ in blocks])
    return ids, tuple(itertools.chain.from_iterable(values for *_, values in blocks))


def phrase_starts(table: tuple[np.ndarray, tuple], wanted: np.ndarray, step: int, decode) -> np.ndarray:
    """Where a phrase would start if this word stood `step` words into it, in the wanted documents
    (ascending, all of them in the table): (document << 32) + position - step, ascending. A
    document holds the phrase where every word's starts meet."""
    ids, values = table
    rows = np.searchsorted(ids, wanted)
    positions = [decode(values[row]) for row in rows.tolist()]
    lengths = np.fromiter(map(len, positions), dtype=np.int64, count=len(positions))
    flat = np.fromiter(itertools.chain.from_iterable(positions), dtype=np.int64, count=int(lengths.sum()))
    docs = np.repeat(ids[rows], lengths)
    keep = flat >= step
    return (docs[keep] << 32) + flat[keep] - step


def read_matcher(matcher) -> tuple[list, list]:
    """A leaf matcher's document numbers and weights, block by block where the codec allows it."""
    docs, weights = [], []
    blocks = all(hasattr(matcher, name) for name in ("_read_ids", "_read_weights", "_next_block", "_i"))
    while matcher.is_active():
        if blocks and matcher._i == 0:
            matcher._read_ids()
            matcher._read_weights()
            docs.extend(matcher._ids)
            weights.extend(matcher._weights)
            matcher._next_block()
            continue
        docs.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return docs, weights


def length_bytes(reader, fieldname: str, size: int) -> np.ndarray:
    """A field's length byte per document of a segment: from its lengths column where the codec has
    one (Whoosh's own), else document by document."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
    from whoosh.util.numeric import length_to_byte

    perdoc = getattr(reader, "_perdoc", None)
    if perdoc is not None and hasattr(perdoc, "_cached_reader"):
        column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        return np.zeros(size, dtype=np.uint8) if column is None else column_values(column, size)
    return np.array([length_to_byte(reader.doc_field_length(d, fieldname, 0) or 0) for d in range(size)])


def column_values(column, size: int) -> np.ndarray:
    """A column's value for each of `size` documents: a numeric column's bytes read at once (Whoosh's
    reader reads them value by value, a seek and a read each), any other column through its reader."""
    if type(column) is NumericColumn.Reader and not column._reverse and column._count <= size:
        found = np.frombuffer(
            column._dbfile.get(column._basepos, column._count * column._fixedlen),
            dtype=">" + column._typecode,
        )
        values = np.full(size, column._default, dtype=found.dtype.newbyteorder("="))
        values[: len(found)] = found
        return values
    return np.array(list(column))


def _intersection(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.intersect1d(a, b, assume_unique=True)


def _union(parts: list[np.ndarray]) -> np.ndarray:
    parts = [part for part in parts if len(part)]
    if not parts:
        return NO_DOCS
    return parts[0] if len(parts) == 1 else np.unique(np.concatenate(parts))


def _summed_union(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    if not parts:
        return NO_DOCS, NO_SCORES
    docs = np.concatenate([d for d, _ in parts])
    unique, where = np.unique(docs, return_inverse=True)
    return unique, np.bincount(where, weights=np.concatenate([s for _, s in parts]), minlength=len(unique))


def _concatenated(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    if not parts:
        return NO_DOCS, NO_SCORES
    return np.concatenate([d for d, _ in parts]), np.concatenate([s for _, s in parts])


def _summed_intersection(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    parts = sorted(parts, key=lambda part: len(part[0]))
    docs, scores = parts[0]
    for other_docs, other_scores in parts[1:]:
        docs, mine, theirs = np.intersect1d(docs, other_docs, assume_unique=True, return_indices=True)
        scores = scores[mine] + other_scores[theirs]
    return docs, scores


def _without(docs: np.ndarray, scores: np.ndarray, excluded: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if not len(excluded):
        return docs, scores
    keep = ~np.isin(docs, excluded, assume_unique=True)
    return docs[keep], scores[keep]
