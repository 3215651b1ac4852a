"""Highlighted snippets for search results: HTML-escaped, matches in <mark>, found with the field's
own analyzer, from the first match on.

The fragments are Whoosh's (ContextFragmenter, BasicFragmentScorer, the first two in text order),
made here from the analyzer's words as plain tuples: Whoosh's highlighter re-analyzed each window
through its Token objects, copying every match, which cost more than the search itself."""

import html
import re
from collections import deque
from collections.abc import Iterable, Iterator

from .docsets import shared_cache

SNIPPET_CHARS = 220
SNIPPET_FRAGMENTS = 2
# Context kept before a fragment's first match and after its last, as Whoosh's ContextFragmenter.
SNIPPET_SURROUND = 60
BETWEEN = " … "
# How far into a body matches are looked for, and how much text from the first one is highlighted.
HIGHLIGHT_MAX_CHARS = 6_000
HIGHLIGHT_WINDOW_CHARS = 700
OPERATORS = {"AND", "OR", "NOT"}
WORD = re.compile(r"\w+")

# A word of a text: its [start, end) offsets and its analysis (its own text for a stop word).
Word = tuple[int, int, str]
# A fragment: its [start, end) offsets and the words marked in it.
Fragment = tuple[int, int, list[Word]]


def query_words(query_string: str, field_names) -> list[str]:
    """The words of a query string, without its operators and field names."""
    return [w for w in WORD.findall(query_string) if w not in OPERATORS and w not in field_names]


def highlight_terms(analyzer, highlight, query_string: str, field_names) -> frozenset:
    """The analyzed words to mark: the user's words when the caller passes them, else the query's."""
    if isinstance(highlight, dict) and "words" in highlight:
        words = highlight["words"]
    else:
        words = query_words(query_string, field_names)
    return frozenset(token.text for token in analyzer(" ".join(words)))


def cached(text: str, terms: frozenset, analyzer, whole: bool = False) -> str:
    """snippet(), kept in the process's search cache: a repeated query shows the same hits with the
    same words marked, and highlighting was half of its time."""
    head = text[:HIGHLIGHT_MAX_CHARS]
    key = ("snippet", type(analyzer).__name__, getattr(analyzer, "stemmer", None), whole, terms)
    key += (len(text), hash(head))
    return shared_cache().get(key, lambda: snippet(text, terms, analyzer, whole))


def snippet(text: str, terms: frozenset, analyzer, whole: bool = False) -> str:
    """Escaped fragments around the matches, or the escaped opening when nothing matches.

    Only a window from the first match on is highlighted: analyzing whole bodies with offsets for
    the twenty results of a page cost more than the search itself."""
    text = text[:HIGHLIGHT_MAX_CHARS]
    if whole:
        matches = [word for word in analyzed(text, analyzer) if word[2] in terms]
        fragments = [(0, len(text), matches)] if matches else []
        window = text
    else:
        start = analyzer.first_match(text, terms) if hasattr(analyzer, "first_match") else 0
        # From a word boundary a little before the match, so that it has context on both sides.
        begin = 0 if start is None else text.rfind(" ", 0, max(0, start - SNIPPET_SURROUND)) + 1
        window = "" if start is None else text[begin : start + HIGHLIGHT_WINDOW_CHARS]
        fragments = best_fragments(context_fragments(analyzed(window, analyzer), terms), SNIPPET_FRAGMENTS)
    if fragments:
        return BETWEEN.join(marked(window, fragment) for fragment in fragments)
    opening = (
        text if whole else text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + ("…" if len(text) > SNIPPET_CHARS else "")
    )
    return html.escape(opening, quote=False)


def analyzed(text: str, analyzer) -> Iterable[Word]:
    """The words of a text with their offsets, as the highlighter matches them: stop words kept, with
    their own text."""
    if hasattr(analyzer, "spans"):
        return analyzer.spans(text)
    if hasattr(analyzer, "words"):
        return (
            (word.start, word.end, word.text if term is None else term)
            for word, term in analyzer.words(text, False)
        )
    return (
        (token.startchar, token.endchar, token.text)
        for token in analyzer(text, chars=True, mode="query", removestops=False)
    )


def context_fragments(words: Iterable[Word], terms: frozenset) -> Iterator[Fragment]:
    """Whoosh's ContextFragmenter(maxchars=SNIPPET_CHARS, surround=SNIPPET_SURROUND): runs of matches
    with some context on either side, each at most SNIPPET_CHARS long."""
    first = None
    firsts: deque = deque()
    countdown = -1  # < 0 outside a fragment; else the characters it may still take after a match
    matches: list[Word] = []
    length = 0
    end = 0
    for word in words:
        start, end, analysis = word
        size = end - start
        matched = analysis in terms
        if countdown < 0 and not matched:
            firsts.append(start)
            while firsts and end - firsts[0] > SNIPPET_SURROUND:
                firsts.popleft()
        elif length + size > SNIPPET_CHARS:
            countdown = 0
        elif matched:
            countdown = SNIPPET_SURROUND
            if first is None:
                if firsts:
                    first = firsts[0]
                else:
                    first = start
                    countdown += SNIPPET_SURROUND
            matches.append(word)
        if countdown >= 0:
            length += size
            countdown -= size
            if countdown <= 0:
                yield (0 if first is None else first), end, matches
                matches, firsts, first, length = [], deque(), None, 0
    if matches:
        yield first, end, matches


def best_fragments(fragments: Iterable[Fragment], count: int) -> list[Fragment]:
    """The `count` best fragments in text order, scored as Whoosh's BasicFragmentScorer: matches times
    distinct matched words; the later fragment first among equals, as Whoosh picks them."""
    scored = [
        (len(matches) * (len({word[2] for word in matches}) * 100 or 1), start, (start, end, matches))
        for start, end, matches in fragments
    ]
    scored.sort(key=lambda item: item[:2], reverse=True)
    return sorted((fragment for score, _, fragment in scored[:count] if score >= 1), key=lambda f: f[0])


def marked(text: str, fragment: Fragment) -> str:
    """A fragment of the text, escaped, its matches in <mark> (a match overlapping the one before is
    left unmarked)."""
    begin, end, matches = fragment
    out = []
    at = begin
    for start, stop, _ in matches:
        if start < at:
            continue
        if start > at:
            out.append(html.escape(text[at:start], quote=False))
        out.append(f"<mark>{html.escape(text[start:stop], quote=False)}</mark>")
        at = stop
    out.append(html.escape(text[at:end], quote=False))
    return "".join(out)
