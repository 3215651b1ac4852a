"""The evaluation bench's own rules: its variant generators and its name matcher (bench/eval_search.py).

The bench must not flatter the product, so its rules are tested here on their own, on hand-made words.
"""

import importlib.util
import random
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.text import arabic

BENCH = Path(__file__).resolve().parent.parent / "bench" / "eval_search.py"
_spec = importlib.util.spec_from_file_location("eval_search", BENCH)
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

CHANGES_NO_NORMAL_FORM = [
    "harakat (fatha, damma, kasra, sukun), anywhere",
    "tanwin, anywhere",
    "shadda (alone or with a haraka), anywhere",
    "dagger alef, anywhere",
    "any mark after the first letter",
    "any mark in the middle",
    "any mark after the last letter",
    "fully vocalized (a mark after every letter)",
    "tatweel inside the word (twice)",
    "ZWNJ / ZWJ inside the word",
    "bidi controls LRM RLM ALM inside the word",
]
arabic_words = st.text(alphabet="ابتثجحخدذرزسشصضطظعغفقكلمنهوي", min_size=3, max_size=10)


def test_mark_positions():
    word = "سوريا"
    first = bench.mark_rule(bench.HARAKAT, "first")(word, random.Random(1))
    last = bench.mark_rule(bench.HARAKAT, "last")(word, random.Random(1))
    middle = bench.mark_rule(bench.HARAKAT, "middle")(word, random.Random(1))
    assert first[1] in bench.HARAKAT and first.replace(first[1], "", 1) == word
    assert last[-1] in bench.HARAKAT and last[:-1] == word
    at = next(i for i, c in enumerate(middle) if c in bench.HARAKAT)
    assert 1 < at < len(word)


def test_short_words_get_no_mark_in_the_middle():
    assert bench.mark_rule(bench.HARAKAT, "middle")("من", random.Random(0)) is None


@settings(max_examples=60, deadline=None)
@given(word=arabic_words, seed=st.integers(0, 1000))
def test_marks_and_invisibles_change_the_word_but_not_its_normal_form(word, seed):
    for kind in CHANGES_NO_NORMAL_FORM:
        variant = bench.PRODUCT_VARIANTS[kind](word, random.Random(seed))
        assert variant != word, kind
        assert arabic.normalize(variant) == arabic.normalize(word), kind
        assert variant.startswith(word[0]), kind  # never before the first letter


@settings(max_examples=60, deadline=None)
@given(word=arabic_words)
def test_presentation_forms_fold_back_under_nfkc(word):
    shaped = bench.v_presentation_forms(word, random.Random(0))
    assert all(0xFE70 <= ord(c) <= 0xFEFF for c in shaped)
    assert unicodedata.normalize("NFKC", shaped) == word


def test_lam_alef_ligature_takes_its_joined_form_after_a_joining_letter():
    assert bench.v_lam_alef("السلام", random.Random(0)) == "السﻼم"  # U+FEFC, final: after س
    assert bench.v_lam_alef("الأولى", random.Random(0)) == "اﻷولى"  # U+FEF7, isolated: after ا
    assert unicodedata.normalize("NFKC", bench.v_lam_alef("السلام", random.Random(0))) == "السلام"
    assert bench.v_lam_alef("سوريا", random.Random(0)) is None


def test_other_alphabets_and_digits():
    rng = random.Random(0)
    assert bench.PRODUCT_VARIANTS["Persian letters ی ک"]("الكويتي", rng) == "الکویتی"
    assert bench.PRODUCT_VARIANTS["Urdu letters ی ک ہ ۃ"]("مدرسة هادئة", rng) == "مدرسۃ ہادئۃ"
    assert bench.PRODUCT_VARIANTS["Kurdish ە for ه"]("جبهة", rng) == "جبەة"
    assert bench.PRODUCT_VARIANTS["Arabic-Indic digits ٠-٩"]("2018", rng) == "٢٠١٨"
    assert bench.PRODUCT_VARIANTS["Extended Arabic-Indic digits ۰-۹"]("2018", rng) == "۲۰۱۸"
    assert bench.PRODUCT_VARIANTS["Arabic-Indic digits ٠-٩"]("سوريا", rng) is None
    assert bench.PRODUCT_VARIANTS["tanwin, anywhere"]("2018", rng) is None


def test_first_word_forms_keep_or_add_the_article():
    forms = bench.first_word_forms("القدس")
    assert {"القدس", "بالقدس", "للقدس", "والقدس", "وللقدس", "فبالقدس"} <= forms
    assert "قدس" not in forms and "لالقدس" not in forms
    assert {"حلب", "بحلب", "الحلب", "وبحلب"} <= bench.first_word_forms("حلب")


@pytest.mark.parametrize(
    ("forms", "text", "names"),
    [
        (["لافروف"], "قال ولافروف إن", True),
        (["لافروف"], "وزير الخارجية لافْروف", True),  # vocalized in the text
        (["لافروف"], "النهج اللافروفي", False),  # a suffix makes another word
        (["لافروف"], "لافرو", False),
        (["القدس"], "وصل للقدس أمس", True),
        (["القدس"], "قدس الأقداس", False),
        (["دير الزور"], "معارك بدير الزور", True),
        (["دير الزور"], "الزور دير", False),
        (["دير الزور"], "دير بعيد عن الزور", False),
        (["سوريا", "سورية"], "في سوريةَ", True),
        (["نتنياهو"], "نتانياهو", False),  # spellings count only when listed
    ],
)
def test_name_matcher(forms, text, names):
    assert bench.NameMatcher(forms)(text) is names


def test_names_file_is_split_and_large_enough():
    names = bench.read_names()
    held_out = [n for n in names if n["split"] == "held-out"]
    dev = [n for n in names if n["split"] == "dev"]
    assert len(names) >= 70 and len(held_out) >= 60 and 15 <= len(dev) <= 30
    assert {n["kind"] for n in names} == {"person", "place", "country", "organisation"}
    assert len({n["latin"] for n in names}) == len(names)
    assert all(arabic.tokenize(form) for n in names for form in n["forms"])


def test_held_out_split_is_about_half():
    ids = [f"article-{i}" for i in range(2000)]
    share = sum(map(bench.is_held_out, ids)) / len(ids)
    assert 0.45 < share < 0.55


def test_query_shapes():
    doc = {"title": "اجتماع وزراء الخارجية في جنيف", "text": "بحث الوزراء الأزمة السورية"}
    parts = bench.shape_parts(["الخارجية", "جنيف", "الأزمة"], ["الموصل", "بحث"], doc, random.Random(0))
    phrase = bench.shape_text('"phrase" + words', parts, lambda w: w)
    quoted = phrase.split('"')[1]
    assert quoted in doc["title"] and len(quoted.split()) == 2
    assert bench.shape_text("prefix* + words", parts, lambda w: w) == "الخارج* جنيف الأزمة"
    assert bench.shape_text("words OR words", parts, lambda w: w) == "الخارجية جنيف الأزمة OR الموصل بحث"
    assert bench.shape_text("words -word", parts, lambda w: w) == "الخارجية جنيف الأزمة -الموصل"
    marked = bench.shape_text(bench.EXCLUDED_SHAPE, parts, lambda w: w + "\u064e")
    assert marked == "الخارجية جنيف -الأزمةَ"  # only the excluded word is marked


def test_exact_query_counts_the_articles_the_matcher_accepts():
    from whoosh.filedb.filestore import RamStorage

    texts = {"a": "قال ولافروف إن", "b": "النهج اللافروفي", "c": "معارك بدير الزور", "d": "دير بعيد عن الزور"}
    index = RamStorage().create_index(bench.product_schema())
    with index.writer() as writer:
        for key, text in texts.items():
            writer.add_document(id=key, title="", text=text, exact=text)
    with index.searcher() as searcher:
        for forms in (["لافروف"], ["دير الزور"]):
            matcher = bench.NameMatcher(forms)
            found = {hit["id"] for hit in searcher.search(matcher.exact_query(), limit=None)}
            assert found == {key for key, text in texts.items() if matcher(text)}
            assert len(found) == 1
