"""Snippets: the same fragments Whoosh's highlighter made, HTML-escaped, with only <mark> tags."""

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import highlight as whoosh_highlight
from whoosh.analysis import StandardAnalyzer

from archive.search import snippets
from archive.search.analyzers import ArabicAnalyzer, ArabicExactAnalyzer

ANALYZER = ArabicAnalyzer()
WORDS = ["حلب", "دمشق", "مجلس", "الأمن", "وقال", "في", "من", "سوريا", "سورية", "الحوثيون", "كانون", "الثاني"]
WORDS += [
    "آب",
    "2015",
    "قوّات",
    "الـــحرب",
    "لاف\u200cروف",
    "ﷺ",
    "<b>",
    "&amp;",
    "a<b",
    "'\"",
    "Aleppo",
    "x_y",
]
MARK = re.compile(r"</?mark>")


class OldMarkFormatter(whoosh_highlight.Formatter):
    between = " … "

    def _text(self, text):
        return html.escape(text, quote=False)

    def format_token(self, text, token, replace=False):
        return f"<mark>{html.escape(whoosh_highlight.get_text(text, token, replace), quote=False)}</mark>"


def old_snippet(text, terms, analyzer, whole=False):
    """Snippets as Whoosh's highlighter made them: the oracle of the ones made now."""
    text = text[: snippets.HIGHLIGHT_MAX_CHARS]
    if whole:
        fragmenter = whoosh_highlight.WholeFragmenter()
        window = text
    else:
        fragmenter = whoosh_highlight.ContextFragmenter(maxchars=snippets.SNIPPET_CHARS, surround=60)
        start = analyzer.first_match(text, terms) if hasattr(analyzer, "first_match") else 0
        begin = 0 if start is None else text.rfind(" ", 0, max(0, start - 60)) + 1
        window = "" if start is None else text[begin : start + snippets.HIGHLIGHT_WINDOW_CHARS]
    marked = whoosh_highlight.highlight(window, terms, analyzer, fragmenter, OldMarkFormatter(), top=2)
    if marked:
        return marked
    opening = (
        text
        if whole
        else text[: snippets.SNIPPET_CHARS].rsplit(" ", 1)[0]
        + ("…" if len(text) > snippets.SNIPPET_CHARS else "")
    )
    return html.escape(opening, quote=False)


def terms_of(analyzer, words):
    return frozenset(token.text for token in analyzer(" ".join(words)))


texts = st.lists(st.sampled_from(WORDS), max_size=400).map(" ".join)
queries = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3)


@settings(max_examples=100, deadline=None)
@given(texts, queries, st.booleans(), st.sampled_from([ANALYZER, ArabicExactAnalyzer(), StandardAnalyzer()]))
def test_snippets_are_the_fragments_whooshs_highlighter_made(text, words, whole, analyzer):
    terms = terms_of(analyzer, words)
    assert snippets.snippet(text, terms, analyzer, whole) == old_snippet(text, terms, analyzer, whole)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=800), st.lists(st.text(min_size=1, max_size=8), max_size=4), st.booleans())
def test_any_text_gives_escaped_html_with_marks_only(text, words, whole):
    made = snippets.snippet(text, terms_of(ANALYZER, words), ANALYZER, whole)
    tags = MARK.findall(made)
    assert tags == ["<mark>", "</mark>"] * (len(tags) // 2)  # balanced, never nested
    plain = MARK.sub("", made)
    assert "<" not in plain and ">" not in plain
    assert re.fullmatch(r"(?:[^&]|&(?:amp|lt|gt);)*", plain, re.S)
    # Each fragment is a piece of the text; the opening shown without a match may end with an ellipsis.
    for part in html.unescape(plain).split(" … "):
        assert part in text or (part.endswith("…") and part[:-1] in text)


def test_a_deep_match_is_shown_with_its_context_and_the_rest_is_left_out():
    filler = "جملة تمهيدية لا تذكر المدينة. " * 100
    made = snippets.snippet(
        f"{filler}وصل الوفد إلى طرطوس صباحا. {filler}", terms_of(ANALYZER, ["طرطوس"]), ANALYZER
    )
    assert "الوفد إلى <mark>طرطوس</mark> صباحا" in made
    assert len(MARK.sub("", made)) <= snippets.SNIPPET_CHARS + 2 * 60


def test_without_a_match_the_opening_is_shown_escaped():
    text = "<b>بيان</b> " + "كلمة " * 100
    made = snippets.snippet(text, terms_of(ANALYZER, ["طرطوس"]), ANALYZER)
    assert made.startswith("&lt;b&gt;بيان&lt;/b&gt; كلمة") and made.endswith("…") and "<mark>" not in made
    assert snippets.snippet("<i>عنوان</i>", frozenset(), ANALYZER, whole=True) == "&lt;i&gt;عنوان&lt;/i&gt;"


def test_a_title_is_marked_whole_and_words_are_matched_by_their_analysis():
    made = snippets.snippet(
        "قوّات سوريا الديموقراطية في الرقة", terms_of(ANALYZER, ["سورية", "الديمقراطية"]), ANALYZER, whole=True
    )
    assert made == "قوّات <mark>سوريا</mark> <mark>الديموقراطية</mark> في الرقة"


def test_a_snippet_is_made_once_and_then_served_from_the_search_cache(monkeypatch):
    from archive.search import snippets as module
    from archive.search.analyzers import ArabicAnalyzer

    made = []
    real = module.snippet
    monkeypatch.setattr(module, "snippet", lambda *args, **kwargs: made.append(args) or real(*args, **kwargs))
    analyzer = ArabicAnalyzer()
    terms = frozenset(token.text for token in analyzer("الحكومة"))
    text = "قالت الحكومة السورية اليوم إن المفاوضات ستستأنف الأسبوع المقبل في جنيف"
    first = module.cached(text, terms, analyzer)
    again = module.cached(text, terms, analyzer)
    other = module.cached(text + " وأضافت", terms, analyzer)
    assert first == again and "<mark>الحكومة</mark>" in first
    assert len(made) == 2  # the same text once, the longer text once more
    assert other.endswith("وأضافت")
