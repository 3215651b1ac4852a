"""The documents a query matches, as sets, their scores, and what the search page counts with them.

Whoosh walks a query's matchers in Python, document by document, to list and score its matches, and
stock haystack does it two or three times per page (the scored top, the count, the facets). Here
each term's postings are read once per searcher (one index generation) with the scores Whoosh's own
scorer gives them, and kept: the documents of a query are then set algebra over them, its scores
array arithmetic, and facet counts and date sorting work on the one set of matching documents.
"""

import heapq
import threading
from collections import Counter, OrderedDict
from functools import reduce
from typing import NamedTuple

import numpy as np
from whoosh import query as wq
from whoosh.reading import TermNotFound

# What a searcher keeps: terms (and phrase or prefix matches), and the documents they hold in all,
# at about 80 bytes each; the least recently used go first.
MAX_CACHED_TERMS = 1000
MAX_CACHED_DOCS = 3_000_000
# A prefix stands for its most frequent words up to this many documents in all: "الم*"'s 200 most
# frequent words held 306,000, whose postings took seconds to score.
MAX_PREFIX_POSTINGS = 50_000
NO_DOCS = np.zeros(0, dtype=np.int64)


class Postings(NamedTuple):
    """A term's documents (ascending) with the score Whoosh gives each, and the same as a set."""

    docs: np.ndarray
    scores: np.ndarray
    members: frozenset


class Expansion(NamedTuple):
    """The most frequent terms with a prefix, and whether the prefix has more."""

    terms: tuple[str, ...]
    more: bool


class Unscored(Exception):
    """A query this module cannot score as Whoosh would; Whoosh's own scorer takes it."""


class DocSets:
    """Per-searcher caches: each term's documents, each facet value's documents, the date sort keys."""

    def __init__(self, searcher, undated_field: str = "year", undated_value: str = "unknown"):
        self.searcher = searcher
        self.reader = searcher.reader()
        self._terms: OrderedDict = OrderedDict()  # term postings, and documents of other queries
        self._cached_docs = 0
        self._values: dict[str, dict[str, frozenset]] = {}
        self._date_keys: dict[str, list] = {}
        self._lock = threading.Lock()
        self.undated_field = undated_field
        self.undated_value = undated_value
        # Postings leave deleted documents out already; "everything" must too.
        self.live = frozenset(self.reader.all_doc_ids())

    # --- Matching -------------------------------------------------------------------------------

    def matching(self, q: wq.Query) -> frozenset:
        """The live documents matching q: set algebra where the query allows it, Whoosh elsewhere."""
        return self._docs(q.normalize())

    def _docs(self, q: wq.Query) -> frozenset:
        if isinstance(q, wq.Term):
            return self.term(q.fieldname, q.text)
        if isinstance(q, wq.Every) and not q.fieldname:
            return self.live
        if isinstance(q, wq.And):
            parts = sorted((self._docs(sub) for sub in q.subqueries), key=len)
            return reduce(frozenset.intersection, parts) if parts else frozenset()
        if isinstance(q, wq.Or) and not q.minmatch:
            return frozenset().union(*(self._docs(sub) for sub in q.subqueries))
        if isinstance(q, wq.Not):
            return self.live - self._docs(q.query)
        if isinstance(q, wq.AndNot):
            return self._docs(q.a) - self._docs(q.b)
        if isinstance(q, wq.ConstantScoreQuery):
            return self._docs(q.child)
        if isinstance(q, wq.Prefix):
            # From the words' cached postings, which scoring reads too; ranges have too many terms.
            return frozenset().union(
                *(self.term(field, text) for field, text in q.expanded_terms(self.reader))
            )
        if q is wq.NullQuery:
            return frozenset()
        # Phrases, ranges, wildcards: Whoosh knows how to match them, and the answer is kept.
        return self._cached(q, lambda: frozenset(self.searcher.docs_for_query(q)))

    def _cached(self, key, compute):
        try:
            hash(key)
        except TypeError:  # a query type that defines no hash is simply not kept
            return compute()
        with self._lock:
            if key in self._terms:
                self._terms.move_to_end(key)
                return self._terms[key]
        value = compute()
        with self._lock:
            if key not in self._terms:
                self._terms[key] = value
                self._cached_docs += _size(value)
            while len(self._terms) > 1 and (
                len(self._terms) > MAX_CACHED_TERMS or self._cached_docs > MAX_CACHED_DOCS
            ):
                self._cached_docs -= _size(self._terms.popitem(last=False)[1])
        return value

    def forget_queries(self) -> None:
        """Drops the cached postings and query documents, as a new index generation would."""
        with self._lock:
            self._terms.clear()
            self._cached_docs = 0

    def term(self, fieldname: str, text) -> frozenset:
        return self.postings(fieldname, text).members

    def postings(self, fieldname: str, text) -> Postings:
        return self._cached((fieldname, text), lambda: self._read_postings(fieldname, text))

    def _read_postings(self, fieldname: str, text) -> Postings:
        docs, scores = [], []
        try:
            matcher = self.searcher.postings(fieldname, text)
        except TermNotFound:
            matcher = None
        while matcher is not None and matcher.is_active():
            docs.append(matcher.id())
            scores.append(matcher.score())
            matcher.next()
        return Postings(np.array(docs, dtype=np.int64), np.array(scores), frozenset(docs))

    def prefix_terms(self, fieldname: str, prefix: str, limit: int) -> tuple[tuple[str, ...], bool]:
        """The `limit` terms starting with prefix found in the most documents, and whether there are
        more; walking the lexicon's prefix is kept like any term."""
        found = self._cached(
            ("prefix", fieldname, prefix, limit), lambda: self._expand(fieldname, prefix, limit)
        )
        return found.terms, found.more

    def _expand(self, fieldname: str, prefix: str, limit: int) -> Expansion:
        """The most frequent words of a prefix, at most `limit` and no more than MAX_PREFIX_POSTINGS
        documents in all (but at least one word): their postings are what searching them reads.

        Counted segment by segment: the lexicon of many segments merged on the fly took seconds."""
        counts: Counter = Counter()
        for leaf, _offset in self.reader.leaf_readers():
            if fieldname in leaf.indexed_field_names():
                for text, info in leaf.iter_prefix(fieldname, prefix):
                    counts[text] += info.doc_frequency()
        terms, postings = [], 0
        for text, frequency in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            if len(terms) == limit or (terms and postings + frequency > MAX_PREFIX_POSTINGS):
                break
            terms.append(text.decode("utf-8"))
            postings += frequency
        return Expansion(tuple(sorted(terms)), len(terms) < len(counts))

    # --- Scoring --------------------------------------------------------------------------------

    def scored(self, q: wq.Query) -> tuple[np.ndarray, np.ndarray] | None:
        """The documents matching q (ascending) and their scores, the sums Whoosh's matchers would
        compute; None for a query this cannot score, or a weighting that is not per posting."""
        if self.searcher.weighting.use_final:
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
            docs = _array(self._docs(q))
            words = [self._scored(wq.Term(q.fieldname, word)) for word in q.words]
            docs, scores = _summed_intersection([(docs, np.zeros(len(docs))), *words])
            return docs, scores * q.boost
        if isinstance(q, wq.MultiTerm):
            # A prefix or wildcard is scored as its one term, else by its boost alone (constantscore)
            # or as the boosted sum of its terms.
            terms = [wq.Term(field, text) for field, text in q.expanded_terms(self.reader) if text]
            if len(terms) == 1:
                return self._scored(terms[0])
            docs, scores = _summed_union([self._scored(term) for term in terms])
            return docs, np.full(len(docs), q.boost) if q.constantscore else scores * q.boost
        if isinstance(q, wq.ConstantScoreQuery):
            docs = _array(self._docs(q.child))
            return docs, np.full(len(docs), q.score)
        if q is wq.NullQuery:
            return NO_DOCS, np.zeros(0)
        raise Unscored(q)

    # --- Facets ---------------------------------------------------------------------------------

    def value_sets(self, fieldname: str) -> dict[str, frozenset]:
        """For a keyword field, the live documents holding each value."""
        with self._lock:
            if fieldname in self._values:
                return self._values[fieldname]
        sets = {}
        if fieldname in self.reader.indexed_field_names():
            for term in self.reader.lexicon(fieldname):
                value = term.decode("utf-8") if isinstance(term, bytes) else str(term)
                members = frozenset(self.reader.postings(fieldname, term).all_ids())
                if members:
                    sets[value] = members
        with self._lock:
            self._values[fieldname] = sets
        return sets

    def counts(self, fieldname: str, docs: frozenset) -> list[tuple[str, int]]:
        """Each value's count among docs, most frequent first."""
        counted = [(value, len(members & docs)) for value, members in self.value_sets(fieldname).items()]
        return sorted(((v, n) for v, n in counted if n), key=lambda item: (-item[1], item[0]))

    # --- Sorting by date ------------------------------------------------------------------------

    def by_date(self, docs: frozenset, fieldname: str, newest: bool, limit: int) -> list[int]:
        """The first `limit` documents by date, newest or oldest first, undated ones last either way."""
        keys = self.date_keys(fieldname)
        undated = self.value_sets(self.undated_field).get(self.undated_value, frozenset())
        dated = docs - undated if undated else docs
        if newest:
            top = heapq.nsmallest(limit, dated, key=lambda d: (-keys[d], d))
        else:
            top = heapq.nsmallest(limit, dated, key=lambda d: (keys[d], d))
        if len(top) < limit:
            top += sorted(docs & undated)[: limit - len(top)]
        return top

    def date_keys(self, fieldname: str) -> list:
        with self._lock:
            if fieldname not in self._date_keys:
                column = self.reader.column_reader(fieldname, translate=False)
                self._date_keys[fieldname] = list(column)
            return self._date_keys[fieldname]


def _size(cached: Postings | Expansion | frozenset) -> int:
    if isinstance(cached, Postings):
        return len(cached.members)
    return len(cached.terms) if isinstance(cached, Expansion) else len(cached)


def _array(docs: frozenset) -> np.ndarray:
    return np.sort(np.fromiter(docs, dtype=np.int64, count=len(docs)))


def _summed_union(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    if not parts:
        return NO_DOCS, np.zeros(0)
    docs = np.concatenate([d for d, _ in parts])
    unique, where = np.unique(docs, return_inverse=True)
    return unique, np.bincount(where, weights=np.concatenate([s for _, s in parts]), minlength=len(unique))


def _summed_intersection(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    parts = sorted(parts, key=lambda part: len(part[0]))
    docs, scores = parts[0]
    for other_docs, other_scores in parts[1:]:
        docs, mine, theirs = np.intersect1d(docs, other_docs, assume_unique=True, return_indices=True)
        scores = scores[mine] + other_scores[theirs]
    return docs, scores


def _without(docs: np.ndarray, scores: np.ndarray, excluded: frozenset) -> tuple[np.ndarray, np.ndarray]:
    if not excluded:
        return docs, scores
    keep = ~np.isin(docs, _array(excluded), assume_unique=True)
    return docs[keep], scores[keep]
