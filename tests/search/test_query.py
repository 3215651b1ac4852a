"""The query syntax: what journalists type, including malformed input, becomes a safe engine query."""

import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from whoosh import query as wq
from whoosh.fields import TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.qparser import MultifieldParser

from archive.search import query
from archive.search.analyzers import ArabicAnalyzer, ArabicExactAnalyzer
from archive.search.backend import BROAD_PREFIX, MAX_PHRASE_CANDIDATES, bounded_phrases, bounded_prefixes
from archive.search.docsets import DocSets
from archive.search.query import (
    MAX_CLAUSES,
    MAX_PREFIXES,
    MAX_QUERY_CHARS,
    SHORT_PREFIX,
    TOO_MANY_PREFIXES,
    TOO_MANY_WORDS,
    And,
    Clause,
    Not,
    Or,
    clitic_forms,
    parse,
    render,
)
from archive.text import arabic


def test_words_are_all_required_stemmed_and_as_their_exact_form():
    assert render(parse("روسيا سوريا")) == (
        "((title:روسيا OR text:روسيا OR exact:روسيا) AND (title:سوريا OR text:سوريا OR exact:سوريا))"
    )


def test_quoted_phrase_searches_the_exact_field():
    assert render(parse('"قوات سوريا الديمقراطية"')) == 'exact:"قوات سوريا الديمقراطيه"'


def test_a_quoted_word_is_its_exact_form_only():
    assert render(parse('"الحديدة"')) == "exact:الحديده"
    assert parse('"الحديدة"').understood() == '"الحديده"'


def test_the_exact_switch_searches_every_word_in_its_exact_form():
    parsed = parse("دوما كيماوي title:حلب حوثي*", exact=True)
    assert render(parsed).startswith(
        "(exact:دوما AND exact:كيماوي AND (title:حلب AND exact:حلب) AND (exact:حوثي* OR"
    )
    assert parsed.understood() == '"دوما" AND "كيماوي" AND title:"حلب" AND حوثي*'


def test_or_joins_two_alternatives():
    parsed = parse("داعش OR النصرة")
    assert isinstance(parsed.tree, Or) and len(parsed.tree.children) == 2
    assert " OR " in render(parsed)


def test_exclusion_is_on_the_exact_forms_with_their_proclitics():
    rendered = render(parse("روسيا -داعش"))
    assert rendered.startswith(
        "((title:روسيا OR text:روسيا OR exact:روسيا) AND NOT (exact:داعش OR exact:وداعش"
    )
    excluded = rendered.split("AND NOT", 1)[1]
    assert "exact:بداعش" in excluded and "exact:الداعش" in excluded and "title:" not in excluded


def test_excluding_the_railway_adjective_keeps_the_city():
    excluded = render(parse("اليمن -الحديدية")).split("AND NOT", 1)[1]
    assert "exact:بالحديديه" in excluded and "exact:للحديديه" in excluded
    assert "الحديده " not in excluded + " " and "حديد)" not in excluded


def test_prefix_uses_normalized_exact_field_after_any_proclitic():
    rendered = render(parse("الدِّيمقراط*"))
    assert rendered.startswith("(exact:الديمقراط* OR exact:والديمقراط*")
    assert "exact:للديمقراط*" in rendered and "exact:الالديمقراط*" not in rendered


@pytest.mark.parametrize(
    ("word", "forms"),
    [
        ("حوثي", {"حوثي", "الحوثي", "والحوثي", "بالحوثي", "للحوثي", "وللحوثي", "فبالحوثي", "كحوثي"}),
        ("الرقه", {"الرقه", "للرقه", "بالرقه", "وللرقه", "فللرقه"}),
    ],
)
def test_the_proclitic_forms_of_a_word(word, forms):
    assert forms <= set(clitic_forms(word))
    assert len(clitic_forms(word)) == len(set(clitic_forms(word)))


def test_a_latin_word_has_no_proclitic_forms():
    assert clitic_forms("lavrov") == ("lavrov",)


# --- The query language ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "understood"),
    [
        ("دوما (كيماوي OR كيميائي)", "دوما AND (كيماوي OR كيمياءي)"),
        ("دوما AND كيماوي", "دوما AND كيماوي"),
        ("a b OR c", "(a AND b) OR c"),
        ("a OR b c", "a OR (b AND c)"),
        ("a AND b OR c AND d", "(a AND b) OR (c AND d)"),
        ("NOT a b", "NOT a AND b"),
        ("a NOT b OR c", "(a AND NOT b) OR c"),
        ("a -(b OR c)", "a AND NOT (b OR c)"),
        ('a -"b c"', 'a AND NOT "b c"'),
        ("a NOT NOT b", "a AND b"),
        ("a (b (c OR d))", "a AND b AND (c OR d)"),
        ('title:(a OR "b c") d', '(title:a OR title:"b c") AND d'),
        ("-title:a b", "NOT title:a AND b"),
        ('"a b"~5', '"a b"~5'),
        ('title:"a b"~3', 'title:"a b"~3'),
        ("a | b", "a OR b"),
        ("and or not", "and AND or AND not"),
        ("«مجلس الأمن»", '"مجلس الامن"'),
    ],
)
def test_precedence_brackets_fields_and_proximity(raw, understood):
    assert parse(raw).understood() == understood
    assert parse(raw).notes == []


@pytest.mark.parametrize(
    ("raw", "understood"),
    [
        ("حلب أو إدلب", "حلب OR ادلب"),
        ("حلب او إدلب", "حلب OR ادلب"),
        ('"حلب أو إدلب"', '"حلب او ادلب"'),
        ('"قوات سوريا" أو (حلب)', '"قوات سوريا" OR حلب'),
        ("أو حلب", "او AND حلب"),
        ("حلب أو", "حلب AND او"),
        ("حلب AND أو إدلب", "حلب AND او AND ادلب"),
        ("-أو حلب", "NOT او AND حلب"),
    ],
)
def test_arabic_or_is_an_operator_only_between_two_terms_outside_quotes(raw, understood):
    assert parse(raw).understood() == understood


def test_proximity_is_rendered_with_its_slop_and_capped():
    assert render(parse('"مجلس الأمن"~5')) == 'exact:"مجلس الامن"~5'
    parsed = parse('"مجلس الأمن"~500')
    assert render(parsed) == f'exact:"مجلس الامن"~{query.MAX_SLOP}' and query.WIDE_PROXIMITY in parsed.notes


def test_a_title_phrase_needs_its_words_in_the_title_and_the_phrase_in_the_article():
    assert render(parse('title:"مجلس الأمن"')) == '(title:مجلس AND title:الامن AND exact:"مجلس الامن")'
    assert render(parse("title:حلب")) == "title:حلب"
    assert render(parse("title:حلب*")) == "title:حلب*"


@pytest.mark.parametrize(
    ("raw", "note", "understood"),
    [
        ('"قوات سوريا', query.UNBALANCED_QUOTE, "قوات AND سوريا"),
        ('"قوات" سوريا"', query.UNBALANCED_QUOTE, '"قوات" AND سوريا'),
        ("((روسيا", query.UNCLOSED_BRACKET, "روسيا"),
        ("روسيا)) سوريا", query.UNOPENED_BRACKET, "روسيا AND سوريا"),
        ("روسيا () سوريا", query.EMPTY_BRACKETS, "روسيا AND سوريا"),
        ("(" * 30 + "روسيا" + ")" * 30, query.DEEP_BRACKETS, "روسيا"),
        ("OR روسيا", query.LONE_OPERATOR, "روسيا"),
        ("روسيا OR", query.LONE_OPERATOR, "روسيا"),
        ("روسيا OR OR سوريا", query.LONE_OPERATOR, "روسيا OR سوريا"),
        ("روسيا AND", query.LONE_OPERATOR, "روسيا"),
        ("AND روسيا", query.LONE_OPERATOR, "روسيا"),
        ("روسيا NOT", query.LONE_OPERATOR, "روسيا"),
        ("(روسيا OR) سوريا", query.LONE_OPERATOR, "روسيا AND سوريا"),
        ("روسيا OR -سوريا", query.NOTHING_TO_EXCLUDE, "روسيا"),
        ("روسيا (-سوريا OR حلب)", query.NOTHING_TO_EXCLUDE, "روسيا AND حلب"),
    ],
)
def test_malformed_syntax_is_repaired_with_a_note(raw, note, understood):
    parsed = parse(raw)
    assert note in parsed.notes
    assert parsed.understood() == understood


def test_deep_nesting_and_long_chains_of_operators_are_cheap():
    for raw in ("(" * 5000, ")" * 5000, "NOT " * 2000 + "روسيا", "-(" * 3000 + "روسيا", "a " + "OR " * 3000):
        parsed = parse(raw)
        assert len(render(parsed)) < 10_000


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
    assert len(parsed.clauses()) <= MAX_CLAUSES


def test_lone_operators_leave_an_empty_query():
    for raw in ("OR", "-", "*", "- OR", '""', "AND OR NOT", "()", "NOT"):
        assert parse(raw).is_empty, raw


def test_only_exclusions_is_empty():
    assert parse("-داعش").is_empty
    assert parse("NOT داعش -حلب").is_empty


def test_long_input_is_cut_with_a_note():
    parsed = parse("ب" * (MAX_QUERY_CHARS + 500))
    assert query.CUT in parsed.notes


def test_unbalanced_quote_is_dropped_with_a_note():
    parsed = parse('"قوات سوريا')
    assert parsed.clauses()[0].phrase is False
    assert parsed.notes


def test_other_field_syntax_is_not_passed_through():
    # Only title: is a field; "source:x" must not become a field query the user did not mean.
    assert render(parse("source:x")) == 'exact:"source x"'
    assert render(parse("title:x")) == "title:x"
    assert render(parse("title:")) == "(title:title OR text:title OR exact:title)"


def test_operator_words_are_lowercased_into_plain_words():
    assert "AND" not in render(parse("and")).replace(" AND ", "")
    assert isinstance(parse("a or b").tree, And)


# --- Any input at all -----------------------------------------------------------------------------

SYNTAX = "*?~^\"'()[]{}:+-!/\\|<>= \t\n«»“”"
WORD = r"[^\s()\[\]{}\"':*?^~+\-!/\\<>=|]+"
# The engine syntax the parser renders, token by token: brackets, the three operators, a field's word,
# prefix or phrase (with a proximity).
RENDERED_TOKEN = re.compile(
    rf'\(|\)|AND|OR|NOT|(?:title|text|exact):{WORD}\*?|exact:"{WORD}(?: {WORD})+"(?:~[1-9][0-9]*)?'
)
pieces = st.one_of(
    st.sampled_from([*SYNTAX, "OR", "AND", "NOT", "أو", "title:", "exact", "text", "ال", "سوريا", "~5"]),
    st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
    st.characters(codec=None, categories=["Cc", "Cf", "Cs", "Co", "Mn", "Zs"]),
)
hostile_text = st.one_of(
    st.text(max_size=300),
    st.lists(pieces, max_size=300).map("".join),
    st.lists(
        st.sampled_from(
            [
                "سوريا",
                "روسيا*",
                "-داعش",
                '"قوات',
                "OR",
                "title:x",
                "*:*",
                "ال*",
                "(",
                ")",
                "NOT",
                "AND",
                "أو",
                '"a b"~3',
            ]
        ),
        max_size=60,
    ).map(" ".join),
)
schema = Schema(
    title=TEXT(analyzer=ArabicAnalyzer(), field_boost=2.0),
    text=TEXT(analyzer=ArabicAnalyzer()),
    exact=TEXT(analyzer=ArabicExactAnalyzer(), phrase=True),
)
whoosh_parser = MultifieldParser(("title", "text"), schema=schema)


def fields_of(q) -> set[str]:
    own = {q.fieldname} if getattr(q, "fieldname", None) else set()
    return own.union(*(fields_of(child) for child in q.children()))


def only_the_parsers_syntax(rendered: str) -> bool:
    """Whether the string is the rendered tokens only, operands and operators in turn, brackets balanced."""
    if not rendered:
        return True
    depth, wants_operand = 0, True
    spaced = rendered.replace("(", "( ").replace(")", " )")
    for token in re.split(r' (?=(?:[^"]*"[^"]*")*[^"]*$)', spaced):
        if not RENDERED_TOKEN.fullmatch(token):
            return False
        if wants_operand:
            if token == "(":
                depth += 1
            elif token in ("AND", "OR", ")"):
                return False
            elif token != "NOT":
                wants_operand = False
        elif token == ")":
            depth -= 1
            if depth < 0:
                return False
        elif token in ("AND", "OR"):
            wants_operand = True
        else:
            return False
    return depth == 0 and not wants_operand


def test_the_syntax_check_refuses_what_the_parser_never_writes():
    assert only_the_parsers_syntax('((title:a OR exact:"a b"~2) AND NOT exact:c*)')
    for foreign in (
        "title:a OR",
        "source:a",
        "(exact:a",
        "exact:a)",
        "exact:*",
        "text:[a TO z]",
        'exact:"a b"~0',
    ):
        assert not only_the_parsers_syntax(foreign), foreign


@settings(max_examples=300, deadline=None)
@given(hostile_text, st.booleans())
def test_any_input_renders_only_the_parsers_own_syntax(raw, exact):
    parsed = parse(raw, exact=exact)
    rendered = render(parsed)
    assert only_the_parsers_syntax(rendered), rendered
    assert sum(len(c.words) for c in parsed.clauses()) <= MAX_CLAUSES
    assert len(parsed.notes) == len(set(parsed.notes))
    if rendered:
        q = whoosh_parser.parse(rendered)
        assert fields_of(q) <= {"title", "text", "exact"}
        assert not any(isinstance(node, wq.Every) for node in q.leaves())
    # What the page says was searched is itself a query that searches exactly that.
    assert render(parse(parsed.understood())) == rendered


# --- A reference grammar: trees printed as a journalist might type them parse back to themselves --------

words = st.sampled_from(["دوما", "كيماوي", "حلب", "ادلب", "الحديده", "روسيا", "syria", "and", "not", "ليس"])
prefixes = st.sampled_from(["حوثي", "الحوث", "روسي", "kerr"])
fields = st.sampled_from(["", "title"])
leaf_nodes = st.one_of(
    st.builds(lambda w, f: Clause((w,), field=f), words, fields),
    st.builds(lambda w, f: Clause((w,), exact=True, quoted=True, field=f), words, fields),
    st.builds(lambda p, f: Clause((p,), prefix=True, field=f), prefixes, fields),
    st.builds(
        lambda ws, f, slop: Clause(tuple(ws), quoted=True, field=f, slop=slop),
        st.lists(words, min_size=2, max_size=3),
        fields,
        st.sampled_from([0, 2, 5]),
    ),
)


def compound(children):
    """An AND of at least one wanted part and any excluded ones, or an OR of wanted parts: the normal form
    the parser gives (no AND directly in an AND, no OR in an OR, nothing only excluded)."""
    wanted = children.filter(lambda n: not isinstance(n, And))
    ands = st.lists(st.one_of(wanted, children.map(Not)), min_size=2, max_size=4).filter(
        lambda parts: any(not isinstance(p, Not) for p in parts)
    )
    ors = st.lists(children.filter(lambda n: not isinstance(n, Or)), min_size=2, max_size=3)
    return st.one_of(ands.map(lambda parts: And(tuple(parts))), ors.map(lambda parts: Or(tuple(parts))))


def depth(node) -> int:
    if isinstance(node, Clause):
        return 0
    return 1 + max(map(depth, node.children if not isinstance(node, Not) else (node.child,)))


trees = st.recursive(leaf_nodes, compound, max_leaves=10).filter(
    lambda tree: (
        sum(len(c.words) for c, _ in query.leaves(tree)) <= MAX_CLAUSES and depth(tree) < query.MAX_DEPTH
    )
)


@st.composite
def typed(draw, node, inside=None) -> str:
    """The tree as query text, in any of the spellings the syntax allows for it."""
    if isinstance(node, Clause):
        prefix = "title:" if node.field else ""
        if node.phrase or node.exact:
            left, right = draw(st.sampled_from(['""', "«»", "“”"]))
            slop = f"~{node.slop}" if node.slop else ""
            return f"{prefix}{left}{' '.join(node.words)}{right}{slop}"
        return prefix + node.words[0] + ("*" if node.prefix else "")
    if isinstance(node, Not):
        child = draw(typed(node.child, Not))
        bracketed = child if isinstance(node.child, Clause) else f"({child})"
        return draw(st.sampled_from(["NOT ", "-"])) + bracketed
    if isinstance(node, And):
        joiner = draw(st.sampled_from([" ", " AND "]))
        text = joiner.join(draw(typed(child, And)) for child in node.children)
    else:
        joiner = draw(st.sampled_from([" OR ", " | ", " أو "]))
        text = joiner.join(draw(typed(child, Or)) for child in node.children)
    # Brackets where precedence needs them, and now and then where it does not.
    needed = inside is Not or (inside is And and isinstance(node, Or))
    if inside is not None and not needed and draw(st.booleans()):
        return f"({text})"
    return f"({text})" if needed and inside is not Not else text


@settings(max_examples=300, deadline=None)
@given(st.data(), trees)
def test_a_tree_typed_in_any_spelling_parses_back_to_itself(data, tree):
    assume(sum(c.prefix for c, _ in query.leaves(tree)) <= MAX_PREFIXES)  # more are repaired, with a note
    text = data.draw(typed(tree))
    parsed = parse(text)
    assert parsed.tree == tree, text
    assert parsed.notes == []
    assert parse(parsed.understood()).tree == tree


# --- On an index: every hit of X (A OR B) holds X, and A or B -----------------------------------------

VOCABULARY = [
    "دوما",
    "ودوما",
    "بدوما",
    "كيماوي",
    "الكيماوي",
    "كيميائي",
    "كيمياوي",
    "حلب",
    "الحديدة",
    "الحديد",
    "مدرسة",
]


def stems(text: str) -> set[str]:
    return {t for t in arabic.analyze_words(text) if t}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=6), min_size=1, max_size=25),
    st.lists(st.sampled_from(VOCABULARY), min_size=3, max_size=3, unique=True),
    st.booleans(),
)
def test_every_hit_of_a_bracketed_query_holds_its_required_part(documents, picked, quoted):
    x, a, b = picked
    ix = RamStorage().create_index(schema)
    with ix.writer() as writer:
        for words in documents:
            body = " ".join(words)
            writer.add_document(title="", text=body, exact=body)
    typed_x = f'"{x}"' if quoted else x
    rendered = render(parse(f"{typed_x} ({a} OR {b})"))
    with ix.searcher() as searcher:
        docsets = DocSets(searcher)
        q = bounded_phrases(
            bounded_prefixes(whoosh_parser.parse(rendered), docsets, [], 200),
            docsets,
            [],
            MAX_PHRASE_CANDIDATES,
        )
        hits = docsets.matching(q)
    for docnum, words in enumerate(documents):
        body = " ".join(words)
        has_x = arabic.tokenize(x)[0] in arabic.tokenize(body) if quoted else stems(x) <= stems(body)
        has_a_or_b = stems(a) <= stems(body) or stems(b) <= stems(body)
        assert (docnum in hits) == (has_x and has_a_or_b), (rendered, body)


def test_an_exact_form_ranks_above_a_match_of_its_stem_only():
    ix = RamStorage().create_index(schema)
    with ix.writer() as writer:
        # The stem-only article first: among equal scores, Whoosh would rank it first.
        for body in ("قصف مدارس في المدينة اليوم", "قصف المدارس في المدينة اليوم"):
            writer.add_document(title="", text=body, exact=body)
    with ix.searcher() as searcher:
        hits = searcher.search(whoosh_parser.parse(render(parse("المدارس"))))
        assert [hit.docnum for hit in hits] == [1, 0]
        assert hits.score(0) > hits.score(1)


def test_a_prefix_finds_the_word_after_its_proclitics_within_one_bound():
    ix = RamStorage().create_index(schema)
    bodies = ["الحوثيين", "والحوثي", "بالحوثيين", "حوثي", "للحوثيين", "الحوثيين", "حوار", "الحوار"]
    with ix.writer() as writer:
        for body in bodies:
            writer.add_document(title="", text=body, exact=body)
    with ix.searcher() as searcher:
        docsets = DocSets(searcher)
        notes: list[str] = []
        q = bounded_prefixes(whoosh_parser.parse(render(parse("حوثي*"))), docsets, notes, 200)
        assert docsets.matching(q) == {0, 1, 2, 3, 4, 5} and notes == []
        # The proclitic forms share one bound: the most frequent words of them all, and the note.
        q = bounded_prefixes(whoosh_parser.parse(render(parse("حوثي*"))), docsets, notes, 2)
        assert docsets.matching(q) == {0, 2, 5}  # الحوثيين twice, then بالحوثيين first of the rest
        assert notes == [BROAD_PREFIX]
        # Two prefixes the user typed keep a bound each: حوار* does not eat into حوثي*'s words.
        q = bounded_prefixes(whoosh_parser.parse(render(parse("حوار* OR حوثي*"))), docsets, [], 2)
        assert {0, 2, 5, 6, 7} <= docsets.matching(q)


@pytest.mark.parametrize("raw", ["ال*", "الـــ*", "a*", "ب*", "-ال*", "الم*", "وال*", "بال*", "الا*"])
def test_a_prefix_too_short_once_normalized_is_a_word_with_a_note(raw):
    parsed = parse(raw)
    assert not any(c.prefix for c in parsed.clauses())
    assert SHORT_PREFIX in parsed.notes


def test_a_prefix_of_three_letters_after_the_article_is_searched():
    assert render(parse("الحوث*")).startswith("(exact:الحوث* OR exact:والحوث*")
    assert parse("حوث*").notes == [] and parse("الحوث*").notes == []


def test_a_query_has_at_most_a_few_prefixes():
    parsed = parse(" ".join(f"{word}*" for word in ("حوث", "كيما", "مليش", "صوار", "طائر", "دبلوم")))
    assert sum(c.prefix for c in parsed.clauses()) == MAX_PREFIXES
    assert TOO_MANY_PREFIXES in parsed.notes


def test_a_long_phrase_is_cut_to_the_word_budget():
    words = [f"كلمة{n}" for n in range(MAX_CLAUSES + 8)]
    parsed = parse("سوريا " + '"' + " ".join(words) + '"')
    assert [len(c.words) for c in parsed.clauses()] == [1, MAX_CLAUSES - 1]
    assert TOO_MANY_WORDS in parsed.notes


def test_a_clause_cut_to_the_word_budget_keeps_what_it_was():
    filler = " ".join("س" + "ب" * n for n in range(1, MAX_CLAUSES - 1))  # MAX_CLAUSES - 2 words
    near = parse(filler + ' "قصف مدينة حلب"~3').clauses()[-1]
    assert near.words == ("قصف", "مدينه") and near.slop == 3 and near.quoted
    joined = parse(filler + " واشنطن/موسكو/باريس").clauses()[-1]
    assert joined.words == ("واشنطن", "موسكو") and not joined.quoted


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
    assert parse(vocalized).tree == parse(bare).tree


def test_words_past_the_budget_are_dropped_with_a_note():
    parsed = parse(" ".join(["حلب", "دمشق"] * MAX_CLAUSES))
    assert len(parsed.clauses()) == MAX_CLAUSES and TOO_MANY_WORDS in parsed.notes


def test_a_prefix_or_a_bracketed_arabic_or_is_a_word():
    assert parse("سوريا أو* روسيا").understood() == "سوريا AND او AND روسيا"


def test_a_title_exclusion_is_an_exclusion_of_the_exact_form():
    assert parse("حلب title:-الحديدية").understood() == parse("حلب -title:الحديدية").understood()
    rendered = render(parse("حلب -title:الحديدية"))
    excluded = rendered.split("NOT", 1)[1]
    assert "title:الحديديه" in excluded and "exact:الحديديه" in excluded and "exact:للحديديه" in excluded
