"""The page of a search: its first documents, in the order asked for, with their scores.

Five orders, cheapest first: by date (from the date keys), by other stored fields (Whoosh sorts),
by document number when there is no query (browsing), by relevance from cached term scores
(archive.search.docsets), and by Whoosh's own scorer for a query those cannot score.
"""

import numpy as np
from whoosh import query as wq
from whoosh import sorting

from .docsets import DocSet, DocSets


def page(
    *,
    docsets: DocSets,
    query: wq.Query | None,
    matched: DocSet,
    filtered: bool,
    sort_by=(),
    limit: int,
    dated_by: dict[str, str],
    undated_value: str,
) -> list[tuple[int, float]]:
    """The first `limit` matching documents with their scores (0 when sorted by a field).

    `filtered` says that `matched` is narrower than the query's own matches (filters applied), and
    `dated_by` names each date field's keyword field, which holds `undated_value` when it is empty."""
    if not len(matched) or not limit:
        return []
    fields = list(sort_by or ())
    if len(fields) == 1 and fields[0].lstrip("-") in dated_by:
        # Sorted results have no relevance score.
        name = fields[0].lstrip("-")
        return [(d, 0.0) for d in docsets.by_date(matched, name, fields[0].startswith("-"), limit)]
    if fields:
        return by_fields(docsets, query, matched, fields, limit, dated_by, undated_value)
    if query is None:
        return [(d, 0.0) for d in matched.array[:limit].tolist()]
    scored = docsets.scored(query)
    if scored is None:
        return by_whoosh(docsets, query, matched if filtered else None, limit)
    docs, scores = scored
    if filtered:
        keep = np.isin(docs, matched.array, assume_unique=True)
        docs, scores = docs[keep], scores[keep]
    return best(docs, scores, limit)


def best(docs: np.ndarray, scores: np.ndarray, limit: int) -> list[tuple[int, float]]:
    """Best first and, as Whoosh orders them, the earlier document first among equals."""
    if len(docs) > limit:
        # Only the candidates at or above the limit-th best score need sorting.
        threshold = -np.partition(-scores, limit - 1)[limit - 1]
        near = scores >= threshold
        docs, scores = docs[near], scores[near]
    order = np.lexsort((docs, -scores))[:limit]
    return [(int(docs[i]), float(scores[i])) for i in order]


def by_fields(docsets, query, matched, fields, limit, dated_by, undated_value) -> list[tuple[int, float]]:
    with docsets.lock:
        results = docsets.searcher.search(
            query or wq.Every(),
            limit=limit,
            filter=set(matched),
            sortedby=sort_facet(fields, dated_by, undated_value),
        )
        return [(hit.docnum, 0.0) for hit in results]


def by_whoosh(docsets, query, matched: DocSet | None, limit: int) -> list[tuple[int, float]]:
    with docsets.lock:
        results = docsets.searcher.search(
            query, limit=limit, filter=None if matched is None else set(matched), terms=False
        )
        return [(results.docnum(i), results.score(i)) for i in range(results.scored_length())]


def sort_facet(sort_by, dated_by: dict[str, str], undated_value: str) -> sorting.MultiFacet:
    """Sort keys in their own directions, with documents that have no date last either way."""
    undated = (undated_value, undated_value.encode())
    keys = []
    for field in sort_by:
        name = field.lstrip("-")
        if name in dated_by:
            # The column hands its raw bytes to the sort key.
            keys.append(
                sorting.TranslateFacet(lambda value: value in undated, sorting.FieldFacet(dated_by[name]))
            )
        keys.append(sorting.FieldFacet(name, reverse=field.startswith("-")))
    return sorting.MultiFacet(keys)
