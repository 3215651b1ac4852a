"""How many articles the archive collected from each outlet per month or day, whatever they say.

The attention chart divides an outlet's matches by this (its share of the outlet's output, as Media
Cloud's normalized view does), and a period where an outlet has none is a gap in collection, not a
lack of coverage. The counts are one facet search with no query, kept per index state.
"""

import threading

from haystack import connections
from haystack.query import SearchQuerySet

from archive.models import Article
from archive.search_indexes import UNKNOWN_DATE

from . import periods
from .backend import index_state
from .spelling import BoundedCache

# Index fields holding "slug|YYYY-MM" and "slug|YYYY-MM-DD" (archive.search_indexes).
PAIR_FIELDS = {"month": "source_month", "day": "source_day"}
MAX_KEPT = 4  # index states remembered, per field

_kept = BoundedCache(MAX_KEPT * len(PAIR_FIELDS))
# One count at a time: threads asking for the same counts wait for the first, then read them kept.
_counting = threading.Lock()


def split_pairs(counts: list[tuple[str, int]]) -> dict[str, dict[str, int]]:
    """Facet counts of "slug|period" values, as counts per period for each source (a key not zero-padded,
    from an index of before, counts nowhere)."""
    per_source: dict[str, dict[str, int]] = {}
    for value, n in counts:
        slug, _sep, period = value.rpartition("|")
        if period == UNKNOWN_DATE or periods.KEY.fullmatch(period):
            per_source.setdefault(slug, {})[period] = n
    return per_source


def _state() -> tuple | None:
    """What names the index's current contents, when the engine says (the Whoosh backend does)."""
    backend = connections["default"].get_backend()
    if not hasattr(backend, "current_searcher"):
        return None
    searcher, _docsets = backend.current_searcher()
    return (backend.path, index_state(searcher.reader()))


def collected(precision: str) -> dict[str, dict[str, int]]:
    """Articles in the index per outlet slug and period key ("YYYY-MM" for "month", else "YYYY-MM-DD")."""
    field = PAIR_FIELDS["month" if precision in ("month", "year") else "day"]

    def count() -> dict[str, dict[str, int]]:
        counts = SearchQuerySet().models(Article).all().facet(field).facet_counts()
        return split_pairs(counts.get("fields", {}).get(field, []))

    state = _state()
    if state is None:
        return count()
    with _counting:
        return _kept.get((field, state), count)
