"""Spelling groups: the other spellings of a word or name are searched too, and the page says so."""

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.fields import TEXT, Schema
from whoosh.qparser import MultifieldParser

from archive.search import variants
from archive.search.analyzers import ArabicAnalyzer, ArabicExactAnalyzer
from archive.search.query import parse, render
from archive.search.service import SearchRequest, run_search
from archive.text import arabic


def expanded(q):
    return variants.expand(parse(q))


def test_every_spelling_of_a_group_finds_the_others():
    table = variants.groups()
    for group in variants.read_groups():
        for spelling in group:
            assert set(table[spelling]) == set(group) - {spelling}


def test_a_word_of_a_group_is_searched_with_its_other_spellings():
    parsed = expanded("هجوم كيماوي")
    assert parsed.understood() == "هجوم AND (كيماوي OR كيمياءي OR كيمياوي)"
    assert [e.as_json() for e in parsed.expansions] == [
        {"query": "كيماوي", "arabic": ["كيمياءي", "كيمياوي"], "origin": "spelling"}
    ]
    assert "text:كيمياوي" in render(parsed)


def test_a_spelling_typed_with_its_proclitics_or_article_is_found_in_its_group():
    for q in ("بالكيماوي", "الكيماوي", "وكيماوي"):
        assert expanded(q).expansions[0].arabic == ("كيمياءي", "كيمياوي"), q
    assert expanded("للدولة الإسلامية").expansions[0].arabic == ("داعش", "تنظيم الدوله")
    assert expanded("والحوثيين").expansions[0].arabic == ("انصار الله",)
    for q in ("بلبنان", "كيماويات", "لل", "ال"):
        assert expanded(q).expansions == [], q


def test_a_name_in_two_words_or_one():
    assert expanded("عبد ربه منصور").understood() == "((عبد AND ربه) OR عبدربه) AND منصور"
    assert expanded("عبدربه").understood() == 'عبدربه OR "عبد ربه"'


def test_quoted_exact_prefix_and_excluded_words():
    assert expanded('"كيماوي"').expansions == []
    assert variants.expand(parse("كيماوي", exact=True)).expansions == []
    assert expanded("كيماو*").expansions == []
    excluded = 'سوريا AND NOT (داعش OR "الدوله الاسلاميه" OR "تنظيم الدوله")'
    assert expanded("سوريا -داعش").understood() == excluded


schema = Schema(
    title=TEXT(analyzer=ArabicAnalyzer()),
    text=TEXT(analyzer=ArabicAnalyzer()),
    exact=TEXT(analyzer=ArabicExactAnalyzer(), phrase=True),
)
spellings = [" ".join(words) for group in variants.read_groups() for words in group]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*spellings, "سوريا", "OR", "-", '"', "(", ")", "NOT", "حلب*"]), max_size=10))
def test_any_query_with_group_words_renders_a_query_the_engine_parses(pieces):
    parsed = expanded(" ".join(pieces))
    plain = parse(" ".join(pieces))
    assert set(plain.typed_words()) <= set(parsed.typed_words())
    rendered = render(parsed)
    if rendered:
        MultifieldParser(("title", "text"), schema=schema).parse(rendered)


def test_outlets_that_spell_differently_are_counted_together(seed_archive):
    from archive.models import Source
    from tests.web.conftest import make_article

    source = Source.objects.get(slug="buratha")
    for spelling in ("كيميائي", "كيماوي", "الكيمياوية"):
        make_article(source, f"هجوم {spelling}", f"اتهامات بهجوم {spelling} في دوما")
    assert run_search(SearchRequest(q="هجوم كيماوي")).count == 3
    literal = run_search(SearchRequest(q="هجوم كيماوي", literal=True))
    assert literal.count == 1 and literal.parsed.expansions == []
    assert arabic.tokenize("كيميائي") == ["كيمياءي"]
