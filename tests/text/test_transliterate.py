"""Latin names to Arabic spellings: only words the vocabulary holds, cheapest reading first."""

import bisect

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.text import transliterate
from archive.text.transliterate import MAX_STEPS, spellings


class Words:
    """A sorted word list with the two questions spellings() asks."""

    def __init__(self, *words):
        self.words = sorted(words)

    def has_prefix(self, prefix):
        at = bisect.bisect_left(self.words, prefix)
        return at < len(self.words) and self.words[at].startswith(prefix)

    def is_word(self, word):
        return word in self.words


def spelled(latin, *words):
    vocabulary = Words(*words)
    return spellings(latin, vocabulary.has_prefix, vocabulary.is_word)


def test_a_name_finds_its_arabic_spelling():
    assert spelled("Lavrov", "لافروف", "لاجىء", "فروع") == {"لافروف": 0}
    assert set(spelled("Shoigu", "شويغو", "شويجو", "شغل")) == {"شويغو", "شويجو"}
    assert "ستولتنبرغ" in spelled("Stoltenberg", "ستولتنبرغ")


def test_letters_the_latin_does_not_have_are_never_added():
    # Kerry is كيري, not Kirby (كيربي): the ب has no Latin letter to come from.
    assert set(spelled("Kerry", "كيري", "كيربي", "كوري")) == {"كيري"}


def test_a_less_usual_letter_costs_more():
    found = spelled("Kerry", "كيري", "قري")
    assert found["كيري"] < found["قري"]


def test_the_article_is_allowed_and_costs_more_than_the_bare_word():
    found = spelled("Hodeidah", "الحديده", "حديده")
    assert found["الحديده"] > found["حديده"]


def test_accents_and_apostrophes_are_read_as_plain_letters():
    assert "اردوغان" in spelled("Erdoğan", "اردوغان")
    assert "صنعاء" in spelled("San'aa", "صنعاء")


def test_short_foreign_and_empty_words_give_nothing():
    for word in ("oil", "war", "لافروف", "Лавров", "", "'''", "a" * 40):
        assert spelled(word, "ويل", "ور", "لافروف") == {}


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz'", max_size=30))
def test_any_latin_word_gives_only_words_of_the_vocabulary(word):
    words = ("لافروف", "كيري", "الحديده", "ايران", "ا", "بب")
    found = spelled(word, *words)
    assert set(found) <= set(words)
    assert all(cost >= 0 for cost in found.values())


def test_the_walk_is_bounded_for_a_word_with_many_readings():
    calls = []

    def has_prefix(prefix):
        calls.append(prefix)
        return True  # every branch lives: the worst case

    spellings("Ghazghazghazghazghazgh", has_prefix, lambda word: False)
    assert len(calls) <= MAX_STEPS


def test_is_latin():
    assert transliterate.is_latin("Deir") and transliterate.is_latin("Erdoğan")
    assert not transliterate.is_latin("دير") and not transliterate.is_latin("2018")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="aeiouwyhkgstcz'b", max_size=12))
def test_every_sound_of_any_latin_word_has_spellings(word):
    for options in transliterate.sounds(word):
        assert options and all(isinstance(letters, str) and cost >= 0 for letters, cost in options)


def test_a_word_starting_with_a_vowel_and_a_semivowel():
    assert "اوكرانيا" in spelled("Awkrania", "اوكرانيا")
    assert transliterate.sounds("aw")
