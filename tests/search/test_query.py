"""The query syntax: what journalists type, including malformed input, becomes a safe engine query."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq
from whoosh.fields import TEXT, Schema
from whoosh.qparser import MultifieldParser

from archive.search.analyzers import ArabicAnalyzer, ArabicExactAnalyzer
from archive.search.query import MAX_CLAUSES, MAX_QUERY_CHARS, SHORT_PREFIX, TOO_MANY_WORDS, parse, render


def test_words_are_all_required():
    assert render(parse("روسيا سوريا")) == "((title:روسيا OR text:روسيا) AND (title:سوريا OR text:سوريا))"


def test_quoted_phrase_searches_the_exact_field():
    assert render(parse('"قوات سوريا الديمقراطية"')) == '(exact:"قوات سوريا الديمقراطيه")'


def test_or_joins_two_groups():
    parsed = parse("داعش OR النصرة")
    assert len(parsed.groups) == 2
    assert " OR " in render(parsed)


def test_arabic_or_word_works_too():
    assert len(parse("داعش أو النصرة").groups) == 2


def test_exclusion():
    rendered = render(parse("روسيا -داعش"))
    assert rendered.endswith("AND NOT (title:داعش OR text:داعش))")


def test_prefix_uses_normalized_exact_field():
    assert render(parse("الدِّيمقراط*")) == "(exact:الديمقراط*)"


@pytest.mark.parametrize(
    "raw",
    [
        '"unbalanced',
        "((روسيا",
        "روسيا)",
        "OR",
        "-",
        "*",
        "- OR *",
        "AND NOT",
        "title:x",
        "\x00\x07روسيا\x1b",
        "\u202eروسيا\u202c",
        '"" ""',
        "a" * 10_000,
        "روسيا " * 5_000,
    ],
)
def test_malformed_input_never_reaches_the_engine_unrepaired(raw):
    parsed = parse(raw)
    rendered = render(parsed)
    assert rendered.count('"') % 2 == 0
    assert rendered.count("(") == rendered.count(")")
    assert "\x00" not in rendered and "\u202e" not in rendered
    assert sum(len(g) for g in parsed.groups) <= MAX_CLAUSES


def test_lone_operators_leave_an_empty_query():
    for raw in ("OR", "-", "*", "- OR", '""'):
        assert parse(raw).is_empty, raw


def test_only_exclusions_is_empty():
    assert parse("-داعش").is_empty


def test_long_input_is_cut_with_a_note():
    parsed = parse("ب" * (MAX_QUERY_CHARS + 500))
    assert any("cut" in note for note in parsed.notes)


def test_unbalanced_quote_is_dropped_with_a_note():
    parsed = parse('"قوات سوريا')
    assert parsed.groups[0][0].phrase is False
    assert parsed.notes


def test_field_syntax_is_not_passed_through():
    # "title:x" must not become a field query the user did not mean; its words are searched together.
    assert render(parse("title:x")) == '(exact:"title x")'


def test_operator_words_are_lowercased_into_plain_words():
    assert "AND" not in render(parse("and")).replace(" AND ", "")


# --- Any input at all -----------------------------------------------------------------------------

SYNTAX = "*?~^\"'()[]{}:+-!/\\|<>= \t\n"
WORD = r"[^\s()\[\]{}\"':*?^~+\-!/\\<>=|]+"
CLAUSE = rf"(?:\((?:title:{WORD} OR text:{WORD})\)|exact:\"{WORD}(?: {WORD})*\"|exact:{WORD}\*)"
GROUP = rf"\({CLAUSE}(?: AND {CLAUSE})*(?: AND NOT {CLAUSE})*\)"
RENDERED = re.compile(rf"(?:{GROUP}(?: OR {GROUP})*)?")
pieces = st.one_of(
    st.sampled_from([*SYNTAX, "OR", "AND", "NOT", "أو", "title", "exact", "text", "ال", "سوريا"]),
    st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
    st.characters(codec=None, categories=["Cc", "Cf", "Cs", "Co", "Mn", "Zs"]),
)
hostile_text = st.one_of(
    st.text(max_size=300),
    st.lists(pieces, max_size=300).map("".join),
    st.lists(
        st.sampled_from(["سوريا", "روسيا*", "-داعش", '"قوات', "OR", "title:x", "*:*", "ال*"]), max_size=60
    ).map(" ".join),
)
whoosh_parser = MultifieldParser(
    ("title", "text"),
    schema=Schema(
        title=TEXT(analyzer=ArabicAnalyzer()),
        text=TEXT(analyzer=ArabicAnalyzer()),
        exact=TEXT(analyzer=ArabicExactAnalyzer(), phrase=True),
    ),
)


def fields_of(q) -> set[str]:
    own = {q.fieldname} if getattr(q, "fieldname", None) else set()
    return own.union(*(fields_of(child) for child in q.children()))


@settings(max_examples=300, deadline=None)
@given(hostile_text)
def test_any_input_renders_only_the_parsers_own_syntax(raw):
    parsed = parse(raw)
    rendered = render(parsed)
    assert RENDERED.fullmatch(rendered), rendered
    assert sum(len(c.words) for g in parsed.groups for c in g) <= MAX_CLAUSES
    assert sum(len(g) for g in parsed.groups) <= MAX_CLAUSES
    assert len(parsed.notes) == len(set(parsed.notes))
    if rendered:
        q = whoosh_parser.parse(rendered)
        assert fields_of(q) <= {"title", "text", "exact"}
        assert not any(isinstance(node, wq.Every) for node in q.leaves())


@pytest.mark.parametrize("raw", ["ال*", "الـــ*", "a*", "ب*", "-ال*"])
def test_a_prefix_too_short_once_normalized_is_a_word_with_a_note(raw):
    parsed = parse(raw)
    assert not any(c.prefix for g in parsed.groups for c in g)
    assert SHORT_PREFIX in parsed.notes


def test_a_prefix_of_three_letters_is_searched():
    assert render(parse("الم*")) == "(exact:الم*)"
    assert parse("الم*").notes == []


def test_a_long_phrase_is_cut_to_the_word_budget():
    words = [f"كلمة{n}" for n in range(MAX_CLAUSES + 8)]
    parsed = parse("سوريا " + '"' + " ".join(words) + '"')
    assert [len(c.words) for c in parsed.groups[0]] == [1, MAX_CLAUSES - 1]
    assert TOO_MANY_WORDS in parsed.notes


# --- What people paste: the query is normalized exactly as the text is ------------------------------

# Every class the index folds away inside a word: harakat, shadda, sukun, tanwin and the dagger alef;
# tatweel; ZWNJ, ZWJ and the bidi controls.
MARKS = [
    *map(chr, range(0x064B, 0x0653)),
    "\u0670",
    "\u0640",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u061c",
]
# One spelling of the index's and what a PDF, a Persian keyboard or an old font gives instead.
RESPELLINGS = [
    ("سوريا", "ﺳﻮﺭﻳﺎ"),  # Presentation Forms-B
    ("لا", "ﻻ"),  # the lam-alef ligature
    ("كيري", "کیری"),  # Persian keheh and farsi yeh
    ("مدرسه", "مدرسە"),  # Kurdish ae for heh
    ("2018", "٢٠١٨"),  # Arabic-Indic digits
    ("2018", "۲۰۱۸"),  # Extended Arabic-Indic digits
]
arabic_word = st.text(
    alphabet=st.characters(min_codepoint=0x0621, max_codepoint=0x064A), min_size=3, max_size=9
)


@st.composite
def marked(draw, word):
    """The word with marks of any class inserted at any positions, first letter to last."""
    letters = list(word)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(1, len(letters)))
        letters.insert(at, draw(st.sampled_from(MARKS)))
    return "".join(letters)


SHAPES = ["{}", '"{} {}"', "{}*", "سوريا OR {}", "روسيا -{}", "-{} روسيا", '"الحرب في {}"', "{} أو {}"]


@settings(max_examples=200, deadline=None)
@given(st.data(), arabic_word, st.sampled_from(SHAPES))
def test_marks_anywhere_in_a_word_change_nothing_in_any_query_shape(data, word, shape):
    bare = shape.format(word, word)
    vocalized = shape.format(data.draw(marked(word)), data.draw(marked(word)))
    assert render(parse(vocalized)) == render(parse(bare))
    assert parse(vocalized).highlight_words() == parse(bare).highlight_words()


@pytest.mark.parametrize(("plain", "pasted"), RESPELLINGS)
@pytest.mark.parametrize("shape", SHAPES)
def test_presentation_forms_persian_letters_and_digits_are_folded(plain, pasted, shape):
    assert render(parse(shape.format(pasted, pasted))) == render(parse(shape.format(plain, plain)))


@pytest.mark.parametrize(
    ("vocalized", "bare"), [("سُوريا", "سوريا"), ("الحَرْب", "الحرب"), ("مُحَمَّد", "محمد"), ("حلــب", "حلب")]
)
def test_the_words_the_issue_found_nothing_for(vocalized, bare):
    assert parse(vocalized).groups == parse(bare).groups
