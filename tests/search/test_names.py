"""Latin names → Arabic forms: the key normalization, the two name files and the lookups (issue #10)."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.search import names
from archive.search.names import latin_key, lookup, without_articles


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Deir ez-Zor", "deir ez zor"),
        ("Ḥalab", "halab"),
        ("Sana'a", "sanaa"),
        ("Ma‘rib", "marib"),
        ("Dar‘ā", "dara"),
        ("  Bashar   al-Assad ", "bashar al assad"),
        ("Kim Jong-un", "kim jong un"),
        ("Erdoğan", "erdogan"),
        ("Hələb", "heleb"),
        ("Łódź", "lodz"),
        ("U.S.", "u s"),
        ("Türkiye", "turkiye"),
    ],
)
def test_latin_key(text, key):
    assert latin_key(text) == key


latin_text = st.text(st.characters(codec="utf-8", categories=("L", "M", "N", "P", "Zs")), max_size=30)


@settings(max_examples=200, deadline=None)
@given(latin_text)
def test_latin_key_is_idempotent_and_plain(text):
    key = latin_key(text)
    assert latin_key(key) == key
    assert set(key) <= set("abcdefghijklmnopqrstuvwxyz0123456789 ")
    assert key == key.strip() and "  " not in key


ascii_words = st.lists(st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8), min_size=1, max_size=4)
_ACUTE = "\u0301"


@settings(max_examples=200, deadline=None)
@given(ascii_words, st.data())
def test_case_accents_and_hyphens_do_not_matter(words, data):
    plain = " ".join(words)
    separators = [data.draw(st.sampled_from([" ", "-", " - ", "  ", "–"])) for _ in words[1:]]
    styled = words[0]
    for separator, word in zip(separators, words[1:], strict=True):
        styled += separator + word
    styled = "".join(c.upper() if data.draw(st.booleans()) else c for c in styled)
    styled = "".join(c + _ACUTE if c in "aeiou" and data.draw(st.booleans()) else c for c in styled)
    assert latin_key(unicodedata.normalize("NFC", styled)) == plain


def test_without_articles():
    assert without_articles("bashar al assad") == "bashar assad"
    assert without_articles("deir ez zor") == "deir zor"
    assert without_articles("al") == "al"
    assert without_articles("us army") == "us army"


@pytest.mark.parametrize(
    "spelling", ["al-Assad", "al Assad", "Assad", "el-Assad", "Bashar el-Assad", "AL ASSAD"]
)
def test_the_latin_article_does_not_matter(spelling):
    assert lookup(spelling) == lookup("Bashar al-Assad")
    assert "بشار الأسد" in lookup(spelling)


@pytest.mark.parametrize(
    ("name", "arabic"),
    [
        ("Aleppo", "حلب"),
        ("Damascus", "دمشق"),
        ("Jerusalem", "القدس"),
        ("Hodeidah", "الحديدة"),
        ("Al Hudaydah", "الحديدة"),
        ("Deir ez-Zor", "دير الزور"),
        ("Dayr az Zawr", "دير الزور"),
        ("Sanaa", "صنعاء"),
        ("Mosul", "الموصل"),
        ("Raqqa", "الرقة"),
    ],
)
def test_exonyms_lead_to_the_arabic_name_first(name, arabic):
    assert lookup(name)[0] == arabic


@pytest.mark.parametrize(
    ("name", "arabic"),
    [
        ("Hezbollah", "حزب الله"),
        ("Daesh", "داعش"),
        ("ISIL", "تنظيم الدولة"),
        ("Houthis", "الحوثيين"),
        ("Lavrov", "لافروف"),
        ("Sergei Lavrov", "سيرغي لافروف"),
        ("Putin", "بوتين"),
        ("Erdogan", "أردوغان"),
        ("Mohammed bin Salman", "محمد بن سلمان"),
        ("Khashoggi", "خاشقجي"),
        ("de Mistura", "دي ميستورا"),
        ("Kim Jong-un", "كيم جونغ أون"),
        ("NATO", "الناتو"),
        ("White House", "البيت الأبيض"),
        ("Syria", "سوريا"),
        ("USA", "الولايات المتحدة"),
        ("UK", "بريطانيا"),
        ("Emirates", "الإمارات"),
        ("Turkey", "تركيا"),
    ],
)
def test_actors(name, arabic):
    assert arabic in lookup(name)


def test_a_surname_that_is_an_arabic_word_puts_the_full_name_first():
    assert lookup("Saleh")[0] == "علي عبد الله صالح"
    assert "صالح" not in lookup("Ali Abdullah Saleh")


@pytest.mark.parametrize(
    "word",
    "war the police oil people city news of bath mobile van victoria bar salt may who hit tell man "
    "water army attack president minister".split(),
)
def test_everyday_english_words_map_to_nothing(word):
    assert lookup(word) == ()


def test_countries_from_iso_codes():
    assert lookup("Egypt")[0] == "مصر"
    assert lookup("Lebanon") == ("لبنان", "الجمهورية اللبنانية")
    assert lookup("South Sudan")[0] == "جنوب السودان"


def test_unknown_names_map_to_nothing():
    assert lookup("") == ()
    assert lookup("Xqzvbn Ptlkrw") == ()


def _rows(path):
    return names.read_table(path)


@pytest.mark.parametrize("path", [names.ACTORS, names.PLACES], ids=["actors", "places"])
def test_name_files_are_well_formed(path):
    kinds = {"person", "organisation", "country", "place"}
    for keys, forms, kind in _rows(path):
        assert kind in kinds
        assert all(key.strip() for key in keys) and all(form.strip() for form in forms)
        assert len(set(forms)) == len(forms)
        for form in forms:
            assert not any(unicodedata.category(c) == "Mn" for c in form), form  # no diacritics
        for key in keys:
            assert len(latin_key(key).split()) <= names.MAX_KEY_WORDS


def test_generated_keys_are_stored_normalized():
    for keys, _forms, _kind in _rows(names.PLACES):
        assert all(latin_key(key) == key for key in keys)


def test_max_key_words_is_the_longest_key():
    longest = max(
        len(latin_key(k).split()) for p in (names.ACTORS, names.PLACES) for ks, _, _ in _rows(p) for k in ks
    )
    assert longest == names.MAX_KEY_WORDS


def test_no_key_has_two_entries():
    seen = {}
    for path in (names.ACTORS, names.PLACES):
        for keys, forms, _kind in _rows(path):
            for key in keys:
                match = without_articles(latin_key(key))
                assert match not in seen, (key, seen.get(match))
                seen[match] = forms


def test_read_table_rejects_a_malformed_row(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("# comment\nAleppo\tحلب\tplace\nDamascus\tدمشق\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.tsv:3: expected 3 tab-separated columns"):
        names.read_table(bad)
