"""Hostile and malformed queries through the JSON API: each is answered, and the costly paths are not
taken for it (the corrector for a word too long to correct, a prefix too short or too broad)."""

from unittest import mock
from urllib.parse import quote

import pytest
from django.urls import reverse
from whoosh.spelling import Corrector

from archive.search import backend, spelling
from archive.search.query import MAX_CLAUSES, SHORT_PREFIX

pytestmark = pytest.mark.django_db(transaction=True)

HOSTILE = [
    "ب" * 1000,
    "x" * 1000,
    " ".join(f"كلمة{n}" for n in range(999)),
    " ".join("ب" * (n % 30 + 1) + "ت" for n in range(999)),
    "ال*",
    "ا*",
    "*",
    "**",
    "*:*",
    "?",
    "؟",
    "~",
    "سوريا~2",
    "^",
    "سوريا^10",
    "((((روسيا",
    "روسيا))))",
    "[x TO",
    "{a TO b}",
    '"',
    '"""',
    '"قوات سوريا',
    "\x00",
    "سو\x00ريا",
    "\x07\x1b[31m\x7f",
    "\ud800",
    "روسيا\udfff سوريا",
    "\u202e\u200fسوريا\u2066",
    "title:روسيا",
    "exact:*",
    "text:[a TO z]",
    "django_ct:archive.article",
    "id:archive.article.1",
    "year:2015 OR month:*",
    "AND OR NOT",
    "NOT روسيا",
    "- - - OR OR |",
    "\\",
    "/regex/",
    'r"a+"',
    "روسيا " * 5000,
]


def api(client, **params):
    return client.get(reverse("api_search"), params)


@pytest.fixture
def corrector_calls():
    with mock.patch.object(Corrector, "suggest", autospec=True, return_value=[]) as suggest:
        yield suggest


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_are_answered(client, seed_archive, corrector_calls, q):
    # Sent as raw bytes, so that a lone surrogate arrives as the (invalid) UTF-8 a client could send.
    response = client.get(f"{reverse('api_search')}?q={quote(q.encode('utf-8', 'surrogatepass'))}")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] >= 0 and isinstance(data["notes"], list)
    corrected = [call.args[1] for call in corrector_calls.call_args_list]
    assert len(corrected) <= spelling.MAX_CORRECTED
    assert all(spelling.correctable(word) for word in corrected)


def test_a_long_unknown_word_never_reaches_the_corrector(client, seed_archive, corrector_calls):
    data = api(client, q="لافرووف" * 100).json()
    assert data["count"] == 0 and data["suggestion"] is None
    assert not corrector_calls.called


def test_too_many_unknown_words_are_not_corrected(client, seed_archive, corrector_calls):
    words = [f"لافرو{letter}ف" for letter in "بتثجحخ"]
    assert api(client, q=" ".join(words)).json()["suggestion"] is None
    assert not corrector_calls.called


def test_a_misspelled_word_still_gets_a_suggestion(client, seed_archive):
    data = api(client, q="لافرووف").json()
    assert data["count"] == 0 and "لافروف" in data["suggestion"]


def test_corrections_are_kept_for_the_index_generation(client, seed_archive):
    spelling.corrections.clear()
    with mock.patch.object(Corrector, "suggest", autospec=True, return_value=["لافروف"]) as suggest:
        api(client, q="لافرووف")
        api(client, q="لافرووف")
    assert suggest.call_count == 1


@pytest.mark.parametrize("name", ["chart_svg", "chart_csv", "export_csv", "search_feed"])
def test_only_the_page_and_the_api_ask_for_suggestions(client, seed_archive, name):
    suggesting = mock.patch.object(
        backend.ArabicWhooshSearchBackend, "create_spelling_suggestion", return_value=None
    )
    with suggesting as suggest:
        assert client.get(reverse(name), {"q": "لافرووف"}).status_code == 200
        assert not suggest.called
        client.get(reverse("search"), {"q": "لافرووف"})
        api(client, q="لافرووف")
        assert suggest.call_count == 2


def test_a_short_prefix_is_searched_as_a_word_with_a_note(client, seed_archive):
    with mock.patch.object(backend.DocSets, "prefix_terms") as expand:
        data = api(client, q="ال*").json()
    assert SHORT_PREFIX in data["notes"]
    assert not expand.called


def test_a_broad_prefix_is_cut_to_its_most_frequent_words_with_a_note(client, seed_archive, monkeypatch):
    everything = api(client, q="الامر*").json()["count"]
    assert everything > 1 and backend.BROAD_PREFIX not in api(client, q="الامر*").json()["notes"]
    monkeypatch.setattr(backend, "MAX_PREFIX_TERMS", 1)
    data = api(client, q="الامر*").json()
    assert backend.BROAD_PREFIX in data["notes"]
    assert 0 < data["count"] <= everything


def test_a_phrase_of_very_common_words_is_searched_as_its_words_with_a_note(
    client, seed_archive, monkeypatch
):
    # literal: typed unquoted, the name of an actor is searched as its phrase (archive.search.protected)
    words = api(client, q="الجيش السوري", literal=1).json()["count"]
    phrase = api(client, q='"الجيش السوري"').json()
    assert backend.COMMON_PHRASE not in phrase["notes"] and phrase["count"] < words
    monkeypatch.setattr(backend, "MAX_PHRASE_CANDIDATES", 1)
    with mock.patch("whoosh.query.Phrase.matcher") as positions:
        data = api(client, q='"الجيش السوري"').json()
    assert not positions.called  # no document's word positions were read
    assert backend.COMMON_PHRASE in data["notes"] and data["count"] == words
    monkeypatch.setattr(backend, "MAX_PHRASE_CANDIDATES", words)
    kept = api(client, q='"الجيش السوري"').json()  # no more articles share its words than allowed
    assert backend.COMMON_PHRASE not in kept["notes"] and kept["count"] == phrase["count"]


def test_the_page_says_so_in_the_readers_language(client, seed_archive):
    html = client.get(reverse("search"), {"q": "ال*"}).content.decode()
    assert "3 أحرف على الأقل" in html


def test_many_words_keep_the_clause_limit(client, seed_archive):
    data = api(client, q=" ".join(f"كلمة{n}" for n in range(999))).json()
    assert f"Only the first {MAX_CLAUSES} terms were searched." in data["notes"]


@pytest.mark.parametrize("page", ["2", "999999", str(2**63), "9" * 40])
def test_huge_page_numbers_show_the_last_page(client, seed_archive, page):
    data = api(client, q="سوريا", page=page).json()
    assert data["page"] == data["pages"] == 1 and data["results"]


@pytest.mark.parametrize("page", ["0", "-1", "1e9", "x", "\x00"])
def test_invalid_page_numbers_are_refused(client, seed_archive, page):
    assert api(client, q="سوريا", page=page).status_code == 400


def test_the_notes_are_translated_for_english_readers(client, seed_archive):
    client.cookies["django_language"] = "en"
    html = client.get(reverse("search"), {"q": "ال*"}).content.decode()
    assert "needs at least 3 letters" in html
