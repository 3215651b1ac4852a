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


def test_an_actor_the_stemmer_would_change_is_a_name_with_the_spellings_of_its_row():
    rendered = render(protected.protect(parse("البغدادي")))
    assert "exact:البغدادي" in rendered and "exact:للبغدادي" in rendered and "text:" not in rendered
    houthis = protected.protect(parse("الحوثيين"))
    assert houthis.expansions[0].arabic == ("الحوثيين", "الحوثي", "الحوثيون")
    assert "exact:والحوثي" in render(houthis)
    assert "ترامب" not in protected.protected_names()  # the stemmer leaves it whole: nothing to protect


def test_a_name_of_several_words_typed_in_a_row_is_searched_as_its_phrase():
    rendered = render(protected.protect(parse("دير الزور قصف")))
    assert 'exact:"دير الزور"' in rendered and 'exact:"بدير الزور"' in rendered
    assert "text:دير" not in rendered and "text:قصف" in rendered
    assert 'exact:"حزب الله"' in render(protected.protect(parse("حزب الله (لبنان OR سوريا)")))
    assert 'exact:"الشرق الاوسط"' in render(protected.protect(parse("الشرق الأوسط")))  # an outlet's name
    for q in ("الزور دير", '"دير" الزور', "دير OR الزور", "title:دير الزور", "دير* الزور"):
        assert 'exact:"دير الزور"' not in render(protected.protect(parse(q))), q


def test_a_name_is_searched_in_the_spellings_the_analysis_folds_together():
    sdf = protected.protect(parse("قوات سوريا الديمقراطية"))
    assert 'exact:"قوات سوريا الديموقراطيه"' in render(sdf)  # the spelling of seed 000
    assert "exact:البنتاجون" in render(protected.protect(parse("البنتاغون")))


def test_the_article_found_by_a_phrase_name_and_not_by_its_words_apart(seed_archive):
    from archive.models import Source
    from tests.web.conftest import make_article

    source = Source.objects.get(slug="buratha")
    city = make_article(source, "معارك في دير الزور", "اشتباكات عنيفة في مدينة دير الزور شرقي سوريا")
    apart = make_article(source, "تزوير في دير قديم", "كشف الزور في سجلات الدير القديم")
    found = {hit.id for hit in run_search(SearchRequest(q="دير الزور")).hits}
    assert city.pk in found and apart.pk not in found


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
