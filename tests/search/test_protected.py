"""Place names keep their identity: الحديدة is searched as the city, not as الحديد (iron)."""

from archive.search import protected
from archive.search.query import parse, render
from archive.search.service import SearchRequest, run_search


def test_a_place_is_searched_as_its_exact_form_with_its_proclitics():
    parsed = protected.protect(parse("الحديدة"))
    rendered = render(parsed)
    assert "exact:الحديده" in rendered and "exact:بالحديده" in rendered and "exact:للحديده" in rendered
    assert "text:" not in rendered and "title:" not in rendered
    assert [e.as_json() for e in parsed.expansions] == [
        {"query": "الحديده", "arabic": ["الحديده"], "origin": "name"}
    ]


def test_other_words_quoted_words_and_names_the_analysis_keeps_are_left_alone():
    for q in ("الحديد", '"الحديدة"', "حديد*", "سوريا"):
        assert protected.protect(parse(q)).expansions == [], q
    assert "سوريا" not in protected.protected_names()  # folded with سورية by the analysis itself


def test_the_city_is_found_and_iron_is_not(seed_archive):
    from archive.models import Source
    from tests.web.conftest import make_article

    source = Source.objects.get(slug="buratha")
    city = make_article(source, "قصف في الحديدة", "اشتباكات قرب ميناء الحديدة وفي مدينة بالحديدة")
    iron = make_article(source, "كيف تحصل على الحديد", "الحديد في الطعام والسكك الحديدية")
    found = {hit.id for hit in run_search(SearchRequest(q="الحديدة")).hits}
    assert city.pk in found and iron.pk not in found
    literal = {hit.id for hit in run_search(SearchRequest(q="الحديدة", literal=True)).hits}
    assert {city.pk, iron.pk} <= literal  # as a plain word, its stem finds iron too


def test_the_page_says_a_name_was_searched_as_a_name(client, seed_archive):
    from django.urls import reverse

    page = client.get(reverse("search"), {"q": "حلب"}).content.decode()
    assert "بُحث عن هذه الأسماء أسماءً" in page and "literal=1" in page
