"""Latin-script queries also search the Arabic forms of their names, and say so."""

import bisect

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.fields import TEXT, Schema
from whoosh.qparser import MultifieldParser

from archive.search import crossscript
from archive.search.analyzers import ArabicAnalyzer, ArabicExactAnalyzer
from archive.search.query import parse, render


class FakeVocabulary:
    """An index's words with their document frequencies."""

    def __init__(self, frequencies: dict[str, int]):
        self.frequencies = frequencies
        self.words = sorted(frequencies)

    def doc_frequency(self, word):
        return self.frequencies.get(word, 0)

    def has_prefix(self, prefix):
        at = bisect.bisect_left(self.words, prefix)
        return at < len(self.words) and self.words[at].startswith(prefix)

    def is_word(self, word):
        return word in self.frequencies


VOCABULARY = FakeVocabulary(
    {
        "لافروف": 300,
        "فورونتسوف": 30,
        "وفورونتسوف": 4,
        "لفورونتسوف": 2,
        "دفوركوفيتش": 12,
        "كيري": 350,
        "وكيري": 30,
        "كيربي": 20,
        "دير": 900,
        "الزور": 400,
        "بدير": 50,
        "حلب": 1000,
        "بحلب": 200,
        "الرقه": 150,
        "للرقه": 12,
        "بالرقه": 30,
        "ترمب": 500,
        "ترامب": 5000,
        "روسيا": 4000,
    }
)


def expanded(q, vocabulary=VOCABULARY):
    return crossscript.expand(parse(q), vocabulary)


def test_a_latin_name_also_searches_its_arabic_spelling_with_proclitics():
    parsed = expanded("Vorontsov")
    [clause] = parsed.clauses()
    assert set(clause.alternatives) == {("فورونتسوف",), ("وفورونتسوف",), ("لفورونتسوف",)}
    assert [e.as_json() for e in parsed.expansions] == [
        {"query": "vorontsov", "arabic": ["فورونتسوف"], "origin": "transliteration"}
    ]
    assert "exact:فورونتسوف" in render(parsed) and "title:vorontsov" in render(parsed)


def test_a_listed_name_comes_from_the_list():
    assert [e.as_json() for e in expanded("Lavrov").expansions] == [
        {"query": "lavrov", "arabic": ["لافروف"], "origin": "list"}
    ]


def test_kerry_is_not_kirby():
    assert expanded("Kerry").expansions[0].arabic == ("كيري",)


def test_a_place_from_the_lists_with_its_article_and_proclitics():
    parsed = expanded("Raqqa")
    [clause] = parsed.clauses()
    assert parsed.expansions[0].origin == crossscript.LIST
    assert {("الرقه",), ("للرقه",), ("بالرقه",)} <= set(clause.alternatives)


def test_a_name_of_several_words_is_one_phrase():
    parsed = expanded("Deir ez-Zor")
    [clause] = parsed.clauses()
    assert parsed.expansions[0].arabic == ("دير الزور",)
    assert ("دير", "الزور") in clause.alternatives and ("بدير", "الزور") in clause.alternatives
    assert 'exact:"دير الزور"' in render(parsed)


def test_a_spelling_the_analysis_folds_is_searched_in_both_spellings():
    [clause] = expanded("Trump").clauses()
    assert {("ترمب",), ("ترامب",)} <= set(clause.alternatives)


def test_a_quoted_latin_phrase_stays_literal():
    parsed = expanded('"Lavrov"')
    assert parsed.expansions == [] and render(parsed) == render(parse('"Lavrov"'))


def test_arabic_words_and_unknown_latin_words_are_left_alone():
    parsed = expanded("روسيا Zzqxw")
    assert parsed.expansions == []
    assert render(parsed) == render(parse("روسيا Zzqxw"))


def test_an_excluded_name_excludes_its_arabic_forms_too():
    rendered = render(expanded("روسيا -Lavrov"))
    assert rendered.startswith("((title:روسيا OR text:روسيا OR exact:روسيا) AND NOT (")
    assert "exact:لافروف" in rendered.split("AND NOT", 1)[1]


def test_with_no_vocabulary_the_lists_alone_are_used():
    parsed = crossscript.expand(parse("Aleppo Vorontsov"), None)
    assert [e.typed for e in parsed.expansions] == ["aleppo"]
    assert ("وحلب",) in parsed.clauses()[0].alternatives  # unchecked: the index may hold it


def test_highlighting_marks_the_arabic_forms_and_did_you_mean_corrects_only_what_was_typed():
    parsed = expanded("Lavrov")
    assert "لافروف" in parsed.highlight_words()
    assert parsed.typed_words() == ["lavrov"]


schema = Schema(
    title=TEXT(analyzer=ArabicAnalyzer()),
    text=TEXT(analyzer=ArabicAnalyzer()),
    exact=TEXT(analyzer=ArabicExactAnalyzer(), phrase=True),
)
latin_query = st.lists(
    st.one_of(
        st.sampled_from(["Lavrov", "Kerry", "Aleppo", "Deir", "ez-Zor", "Raqqa", "-Trump", '"Kerry"', "OR"]),
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz-'\"*", min_size=1, max_size=12),
    ),
    max_size=8,
).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(latin_query)
def test_any_latin_query_renders_a_query_the_engine_parses(q):
    rendered = render(expanded(q))
    assert rendered.count("(") == rendered.count(")") and rendered.count('"') % 2 == 0
    if rendered:
        parsed = MultifieldParser(("title", "text"), schema=schema).parse(rendered)
        assert {getattr(leaf, "fieldname", None) for leaf in parsed.leaves()} <= {"title", "text", "exact"}


@pytest.mark.parametrize("q", ["Lavrov", "Deir ez-Zor", "-Kerry روسيا", "Aleppo OR Raqqa"])
def test_the_literal_words_are_still_searched(q):
    plain = render(parse(q))
    for word in parse(q).typed_words():
        assert word in plain and word in render(expanded(q))


def test_a_query_transliterates_a_bounded_number_of_words():
    parsed = expanded(" ".join(["Vorontsov", "Dvorkovich", "Aleppo"] * 8))
    transliterated = [e for e in parsed.expansions if e.origin == crossscript.TRANSLITERATION]
    assert len(transliterated) == crossscript.MAX_TRANSLITERATED
    assert sum(e.origin == crossscript.LIST for e in parsed.expansions) == 8  # the lists are still read


def test_only_a_query_with_latin_words_needs_the_vocabulary():
    assert crossscript.has_latin(parse("روسيا Lavrov"))
    assert not crossscript.has_latin(parse('روسيا "Lavrov" حلب*'))


def test_latin_names_inside_brackets_and_exclusions_are_expanded_too():
    parsed = expanded("Aleppo (Lavrov OR Kerry) -Raqqa")
    assert [e.typed for e in parsed.expansions] == ["aleppo", "lavrov", "kerry", "raqqa"]
    assert parsed.understood() == "aleppo AND (lavrov OR kerry) AND NOT raqqa"
    assert "exact:للرقه" in render(parsed).split("AND NOT", 1)[1]


def test_everyday_english_words_are_not_transliterated():
    vocabulary = FakeVocabulary({"ذات": 900, "سيد": 300, "صيد": 50, "قلد": 10, "حافه": 20})
    for word in ("that", "said", "killed", "have"):
        assert crossscript.expand(parse(word), vocabulary).expansions == [], word
