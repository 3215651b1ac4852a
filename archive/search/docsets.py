"""The documents a query matches, as sets, and what the search page counts with them.

Whoosh walks a query's matchers in Python to list its documents, and stock haystack does it two or
three times per page (the scored top, the count, the facets). Here the set of matching documents is
computed once, by set algebra over the postings of each term, which are cached for as long as the
searcher lives (one index generation). Facet counts and date sorting then work on that set.
"""

import heapq
import threading
from collections import OrderedDict
from functools import reduce

from whoosh import query as wq
from whoosh.reading import TermNotFound

# Postings kept per searcher; a term's set costs about 60 bytes per document it occurs in.
MAX_CACHED_TERMS = 2000


class DocSets:
    """Per-searcher caches: each term's documents, each facet value's documents, the date sort keys."""

    def __init__(self, searcher, undated_field: str = "year", undated_value: str = "unknown"):
        self.searcher = searcher
        self.reader = searcher.reader()
        self._terms: OrderedDict = OrderedDict()
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
        if q is wq.NullQuery:
            return frozenset()
        # Phrases, prefixes, ranges: Whoosh knows how to match them.
        return frozenset(self.searcher.docs_for_query(q))

    def term(self, fieldname: str, text) -> frozenset:
        key = (fieldname, text)
        with self._lock:
            if key in self._terms:
                self._terms.move_to_end(key)
                return self._terms[key]
        try:
            docs = frozenset(self.reader.postings(fieldname, text).all_ids())
        except TermNotFound:
            docs = frozenset()
        with self._lock:
            self._terms[key] = docs
            if len(self._terms) > MAX_CACHED_TERMS:
                self._terms.popitem(last=False)
        return docs

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
