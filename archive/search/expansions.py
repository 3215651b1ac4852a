"""What the archive searches beyond the typed words, in one place for the site and the evaluation:
the other spellings of a spelling group, place names as names, and Latin names in Arabic."""

from collections.abc import Callable

from . import crossscript, protected, variants
from .query import ParsedQuery


def expand(parsed: ParsedQuery, vocabulary: Callable[[], object | None] = lambda: None) -> ParsedQuery:
    """The query with its expansions; vocabulary() gives the index's words, asked for only when the
    query has Latin words to transliterate."""
    parsed = protected.protect(variants.expand(parsed))
    if not crossscript.has_latin(parsed):
        return parsed
    return crossscript.expand(parsed, vocabulary())
