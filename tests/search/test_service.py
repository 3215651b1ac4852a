"""Searching the seed archive as a journalist would: Arabic variants, facets, dates, highlighting."""

import io
from datetime import date

import pytest
from django.core.management import call_command

from archive.models import Annotation, Article, Source
from archive.search.service import SearchRequest, run_search

pytestmark = pytest.mark.django_db(transaction=True)


def seeds_found(q: str) -> set[str]:
    page = run_search(SearchRequest(q=q))
    names = dict(Article.objects.values_list("pk", "original_name"))
    return {names[hit.id].rsplit("/", 1)[-1][:3] for hit in page.hits}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("قوات سوريا الديمقراطية", {"000", "002"}),
        ("الأمريكية", {"000", "001", "002", "003", "004"}),
        ("سورية", {"000", "001", "002", "003", "004"}),
        ("الإسلامية", {"000", "004"}),
        ("لافروف", {"000", "002"}),
        ("الامريكيه", {"000", "001", "002", "003", "004"}),
    ],
)
def test_seed_queries(seed_archive, q, expected):
    assert expected <= seeds_found(q)


def test_quoted_phrase_matches_the_surface_words(seed_archive):
    assert seeds_found('"جبهة النصرة"') == {"000", "001"}


def test_exclusion_and_or(seed_archive):
    assert "000" not in seeds_found("روسيا -العدناني")
    assert {"000", "003"} <= seeds_found("العدناني OR كيربي")


def test_source_facet_keeps_names_whole(seed_archive):
    page = run_search(SearchRequest(q="سوريا"))
    names = {entry["name"] for entry in page.facets["source"]}
    assert "صوت الإمارات" in names and "المركز الديمقراطي العربي" in names
    assert all(entry["count"] == 1 for entry in page.facets["source"])


def test_source_filter_narrows_and_keeps_other_sources_selectable(seed_archive):
    page = run_search(SearchRequest(q="سوريا", sources=["buratha"]))
    assert page.count == 1 and page.hits[0].source_slug == "buratha"
    assert len(page.facets["source"]) == 5


def test_histogram_is_chronological_with_unknown_bucket(seed_archive):
    Article.objects.filter(source__slug="syria-news").update(published_on=date(2015, 7, 2))
    call_command("check_index", "--repair", stdout=io.StringIO())
    page = run_search(SearchRequest())
    periods = [bucket["period"] for bucket in page.histogram]
    assert periods[:4] == ["2015-07", "2015-08", "2015-09", "2015-10"]
    assert page.histogram[1]["count"] == 0
    assert page.histogram[-1] == {"period": "unknown", "count": 3}


def test_date_range_filter(seed_archive):
    page = run_search(SearchRequest(date_from=date(2015, 10, 1), date_to=date(2015, 10, 31)))
    assert page.count == 1 and page.hits[0].published.startswith("2015-10-15")
    assert run_search(SearchRequest(date_from=date(2016, 1, 1))).count == 0


def test_empty_query_browses_newest_first(seed_archive):
    page = run_search(SearchRequest())
    assert page.count == 5
    assert page.hits[0].published.startswith("2015-10-15")


def test_sorting_oldest_and_newest(seed_archive):
    Article.objects.filter(source__slug="buratha").update(published_on=date(2015, 1, 1))
    Article.objects.filter(source__slug="democraticac").update(published_on=date(2016, 1, 1))
    call_command("check_index", "--repair", stdout=io.StringIO())
    newest = run_search(SearchRequest(q="سوريا", sort="newest")).hits
    oldest = run_search(SearchRequest(q="سوريا", sort="oldest")).hits
    assert newest[0].source_slug == "democraticac"
    dated = [h for h in oldest if h.published]
    assert dated[0].source_slug == "buratha"


def test_snippets_highlight_arabic_matches_and_escape_html(seed_archive):
    source = Source.objects.get(slug="buratha")
    Article.objects.create(
        source=source,
        title="<b>عنوان</b>",
        body="<script>alert(1)</script> قصف مدينة حلب",
        original=b"x",
        original_content_type="text/plain",
        original_sha256="f" * 64,
    )
    page = run_search(SearchRequest(q="حلب"))
    snippet = next(hit.snippet for hit in page.hits if "alert" in hit.snippet)
    assert "<script" not in snippet and "</script" not in snippet
    assert "alert(1)&lt;/script&gt;" in snippet
    assert "<mark>حلب</mark>" in snippet
    assert all("<mark>" in hit.snippet for hit in page.hits)


def test_snippet_shows_a_match_deep_in_a_long_body(seed_archive):
    source = Source.objects.get(slug="buratha")
    filler = "جملة تمهيدية طويلة لا تذكر المدينة. " * 120
    Article.objects.create(
        source=source,
        title="تقرير مطول",
        body=f"{filler}وفي الختام وصل الوفد إلى طرطوس صباحا. {filler}",
        original=b"long",
        original_content_type="text/plain",
        original_sha256="d" * 64,
    )
    (hit,) = run_search(SearchRequest(q="طرطوس")).hits
    assert "<mark>طرطوس</mark>" in hit.snippet and "الوفد" in hit.snippet
    assert len(hit.snippet) < 600


@pytest.mark.parametrize(
    "q",
    [
        '"قوات سوريا',
        "((روسيا",
        "OR",
        "-",
        "*",
        "روسيا OR",
        "\x00\x1b",
        "ر" * 10_240,
        "a:b:c",
        "[x TO",
        "سوريا~2",
        "^",
        "\\",
    ],
)
def test_malformed_queries_never_raise(seed_archive, q):
    page = run_search(SearchRequest(q=q))
    assert page.count >= 0


def test_spelling_suggestion(seed_archive):
    page = run_search(SearchRequest(q="لافرووف"))
    assert page.count == 0
    assert page.suggestion and "لافروف" in page.suggestion


def test_index_follows_saves_and_deletes(seed_archive):
    source = Source.objects.get(slug="buratha")
    article = Article.objects.create(
        source=source,
        title="خبر جديد",
        body="اجتماع في مدينة طرطوس الساحلية",
        original=b"y",
        original_content_type="text/plain",
        original_sha256="e" * 64,
    )
    assert run_search(SearchRequest(q="طرطوس")).count == 1
    article.title = "عنوان معدل عن اللاذقية"
    article.save()
    assert run_search(SearchRequest(q="اللاذقية عنوان")).count == 1
    article.delete()
    assert run_search(SearchRequest(q="طرطوس")).count == 0


def test_annotations_update_the_facets(seed_archive):
    article = Article.objects.get(source__slug="buratha")
    note = Annotation.objects.create(article=article, text="تحقق", status="verified")
    page = run_search(SearchRequest())
    assert {"value": "verified", "count": 1} in page.facets["status"]
    note.delete()
    assert run_search(SearchRequest()).facets["status"] == []


def test_check_index_reports_and_repairs(seed_archive):
    from archive.search.indexing import backend

    Article.objects.filter(source__slug="buratha").update(title="عنوان تغير دون إشارة")
    backend().remove(f"archive.article.{Article.objects.get(source__slug='syria-news').pk}")
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("check_index", stdout=out)
    assert "missing from the index: 1" in out.getvalue() and "outdated in the index: 1" in out.getvalue()
    out = io.StringIO()
    call_command("check_index", "--repair", stdout=out)
    assert "Repaired." in out.getvalue()
    assert run_search(SearchRequest(q="تغير")).count == 1


def test_related_coverage(seed_archive):
    from archive.search.service import related

    article = Article.objects.get(source__slug="emiratesvoice")
    hits = related(article)
    assert hits and article.pk not in {hit.id for hit in hits}
