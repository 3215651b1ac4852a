"""Highlighted snippets for search results: HTML-escaped, matches in <mark>, found with the field's
own analyzer, from the first match on."""

import html
import re

from whoosh import highlight as whoosh_highlight

SNIPPET_CHARS = 220
SNIPPET_FRAGMENTS = 2
# How far into a body matches are looked for, and how much text from the first one is highlighted.
HIGHLIGHT_MAX_CHARS = 6_000
HIGHLIGHT_WINDOW_CHARS = 700
OPERATORS = {"AND", "OR", "NOT"}
WORD = re.compile(r"\w+")


class MarkFormatter(whoosh_highlight.Formatter):
    """Escapes all text and wraps matches in <mark>, so a snippet is safe to insert as HTML."""

    between = " … "

    def _text(self, text):
        return html.escape(text, quote=False)

    def format_token(self, text, token, replace=False):
        return f"<mark>{html.escape(whoosh_highlight.get_text(text, token, replace), quote=False)}</mark>"


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


def snippet(text: str, terms: frozenset, analyzer, whole: bool = False) -> str:
    """Escaped fragments around the matches, or the escaped opening when nothing matches.

    Only a window from the first match on is highlighted: analyzing whole bodies with offsets for
    the twenty results of a page cost more than the search itself."""
    text = text[:HIGHLIGHT_MAX_CHARS]
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
        text if whole else text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + ("…" if len(text) > SNIPPET_CHARS else "")
    )
    return html.escape(opening, quote=False)
