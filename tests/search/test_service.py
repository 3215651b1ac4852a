"""Searching the seed archive as a journalist would: Arabic variants, facets, dates, highlighting."""

import hashlib
import io
from datetime import date
from unittest import mock

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.models import Annotation, Article, Source
from archive.search.service import SearchPage, SearchRequest, run_search

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


@pytest.mark.parametrize(
    ("pasted", "plain"),
    [
        ("سُورِيَة", "سورية"),
        ("لافْرُوف", "لافروف"),
        ("الأَمْرِيكِيَّة", "الأمريكية"),
        ('"جَبْهَة النُّصْرَة"', '"جبهة النصرة"'),
        ("لافــروف -العدنانيّ", "لافروف -العدناني"),
        ("ﻻﻓﺮﻭﻑ", "لافروف"),
        ("لاف\u200cروف", "لافروف"),
    ],
)
def test_pasted_vocalized_or_presentation_forms_find_what_the_plain_word_finds(seed_archive, pasted, plain):
    assert seeds_found(pasted) == seeds_found(plain) != set()


def test_a_vocalized_query_marks_the_word_in_the_unvocalized_text(seed_archive):
    page = run_search(SearchRequest(q="لافْرُوف"))
    assert page.hits and all("<mark>لافروف</mark>" in hit.snippet for hit in page.hits)


def test_vocalized_stored_text_is_marked_whole_for_a_bare_query(seed_archive):
    source = Source.objects.get(slug="buratha")
    Article.objects.create(
        source=source,
        title="بيان",
        body="قال مُحَمَّدٌ إن القصف توقف",
        original=b"x",
        original_content_type="text/plain",
        original_sha256="e" * 64,
    )
    for q in ("محمد", "مُحَمَّد"):
        snippet = next(hit.snippet for hit in run_search(SearchRequest(q=q)).hits if "القصف" in hit.snippet)
        assert "<mark>مُحَمَّدٌ</mark>" in snippet


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


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(
        st.text(max_size=200),
        st.lists(
            st.sampled_from(
                ["سوريا", "روسيا*", "الم*", "ال*", "-داعش", '"قوات', "OR", "title:x", "*", "~", "("]
            ),
            max_size=40,
        ).map(" ".join),
    ),
    st.sampled_from(["", "relevance", "newest", "oldest"]),
    st.integers(min_value=1, max_value=10**30),
)
def test_any_query_gets_a_page(seed_archive, q, sort, page):
    result = run_search(SearchRequest(q=q, sort=sort, page=page))
    assert isinstance(result, SearchPage)
    assert 0 <= result.count and 1 <= result.page <= result.pages
    assert len(result.hits) <= 20 and all(isinstance(hit.title, str) for hit in result.hits)


def test_titles_that_look_like_values_stay_text(seed_archive):
    source = Source.objects.get(slug="buratha")
    for n, title in enumerate(["1948", "true", "[1, 2]", "null", "2015-10-15T10:00:00"]):
        Article.objects.create(
            source=source,
            title=title,
            body=f"تقرير عن مدينة طرطوس رقم {n}",
            original=title.encode(),
            original_content_type="text/plain",
            original_sha256=f"{n:064d}",
        )
    titles = {hit.title for hit in run_search(SearchRequest(q="طرطوس")).hits}
    assert titles == {"1948", "true", "[1, 2]", "null", "2015-10-15T10:00:00"}


def test_related_coverage_reads_only_the_opening_of_a_long_body(seed_archive):
    from archive.search.backend import RELATED_MAX_CHARS
    from archive.search.service import related

    source = Source.objects.get(slug="buratha")
    opening = "مرفأ طرطوس الساحلي " * (RELATED_MAX_CHARS // 19 + 1)
    rest = "بنغازي الليبية " * 200_000  # 3 MB that the opening's key terms never see
    made = {}
    for name, body in (("long", opening + rest), ("tartus", "مرفأ طرطوس الساحلي"), ("benghazi", rest[:300])):
        made[name] = Article.objects.create(
            source=source,
            title=name,
            body=body,
            original=name.encode(),
            original_content_type="text/plain",
            original_sha256=hashlib.sha256(name.encode()).hexdigest(),
        )
    found = {hit.id for hit in related(made["long"])}
    assert made["tartus"].pk in found and made["benghazi"].pk not in found


def test_snippets_analyze_only_the_opening_of_a_long_body(seed_archive):
    from archive.search.analyzers import ArabicAnalyzer
    from archive.search.backend import HIGHLIGHT_MAX_CHARS

    source = Source.objects.get(slug="buratha")
    Article.objects.create(
        source=source,
        title="تقرير طويل",
        body="جملة لا تذكر المدينة. " * 100_000 + "طرطوس",
        original=b"long",
        original_content_type="text/plain",
        original_sha256="c" * 64,
    )
    seen = []
    original = ArabicAnalyzer.first_match

    def first_match(self, value, terms):
        seen.append(len(value))
        return original(self, value, terms)

    with mock.patch.object(ArabicAnalyzer, "first_match", first_match):
        (hit,) = run_search(SearchRequest(q="طرطوس")).hits
    assert seen and max(seen) <= HIGHLIGHT_MAX_CHARS
    assert hit.snippet.endswith("…") and len(hit.snippet) < 600


def test_a_broad_prefix_says_so(seed_archive, monkeypatch):
    from archive.search import backend

    monkeypatch.setattr(backend, "MAX_PREFIX_TERMS", 1)
    page = run_search(SearchRequest(q="الامر*"))
    assert page.count > 0 and backend.BROAD_PREFIX in page.notes
    assert backend.BROAD_PREFIX not in run_search(SearchRequest(q="الامر*"), with_facets=False).notes[1:]


def test_the_feed_asks_for_no_suggestion(seed_archive):
    assert run_search(SearchRequest(q="لافرووف"), with_suggestion=False).suggestion is None
    assert run_search(SearchRequest(q="لافرووف")).suggestion


def test_an_arabic_query_never_reads_the_vocabulary_for_latin_names(seed_archive):
    from haystack import connections

    backend = type(connections["default"].get_backend())
    with mock.patch.object(backend, "vocabulary", side_effect=AssertionError("read")) as vocabulary:
        assert run_search(SearchRequest(q="سوريا")).count == 5
        assert run_search(SearchRequest(q='"Lavrov"')).count == 0
        vocabulary.assert_not_called()


def test_a_quoted_word_finds_its_exact_form_only(seed_archive):
    assert seeds_found('"الأمريكي"') == {"002", "003"}  # 002 spells it الامريكي
    assert seeds_found("الأمريكي") >= {"002", "003", "004"}
    assert seeds_found("الأمريكي") == seeds_found("الامريكي")


def test_the_exact_switch_finds_what_quotes_find(seed_archive):
    assert (
        run_search(SearchRequest(q="الأمريكي", exact=True)).count
        == run_search(SearchRequest(q='"الأمريكي"')).count
    )


def test_an_exclusion_leaves_out_the_exact_form_not_the_words_sharing_its_stem(seed_archive):
    assert not seeds_found("سوريا -الأمريكي") & {"002", "003"}
    assert "004" in seeds_found("سوريا -الأمريكي")  # it says الأمريكية only
    assert not seeds_found("سوريا -الأمريكية") & {"002", "003", "004"}


def test_a_prefix_finds_the_word_after_its_proclitics(seed_archive):
    found = seeds_found("أمريكي*")
    assert seeds_found('"الأمريكية"') <= found and seeds_found('"والأمريكية"') <= found


def test_a_bracketed_query_keeps_its_required_word(seed_archive):
    for hit in run_search(SearchRequest(q="لافروف (النصرة OR كيربي)")).hits:
        assert "لافروف" in Article.objects.get(pk=hit.id).body


def test_the_exact_switch_searches_only_what_was_typed(seed_archive):
    assert run_search(SearchRequest(q="Lavrov", exact=True)).parsed.expansions == []
    assert run_search(SearchRequest(q="الحديدة كيماوي", exact=True)).parsed.expansions == []


def test_related_coverage_is_whooshs_more_like_without_holding_the_index(seed_archive):
    from haystack import connections
    from haystack.constants import ID
    from haystack.utils import get_identifier

    from archive.search.backend import RELATED_MAX_CHARS

    backend = connections["default"].get_backend()
    searcher, _ = backend.current_searcher()
    for article in Article.objects.all():
        ours = [int(r.pk) for r in backend.more_like_this(article)["results"]]
        docnum = searcher.document_number(**{ID: get_identifier(article)})
        body = searcher.stored_fields(docnum)["text"]
        hits = searcher.more_like(docnum, "text", text=body[:RELATED_MAX_CHARS], top=20)
        assert ours == [int(hit["django_id"]) for hit in hits]


def test_an_index_check_reads_every_live_document_a_batch_at_a_time(seed_archive, monkeypatch):
    from haystack import connections

    from archive.search import backend as backend_module
    from archive.search.indexing import apply_pending, identifier

    monkeypatch.setattr(backend_module, "STORED_SCAN_DOCS", 2)
    gone = Article.objects.order_by("pk").first().pk
    Article.objects.filter(pk=gone).delete()
    apply_pending(wait=True)  # the index's document for it is deleted, not yet merged away
    values = connections["default"].get_backend().stored_values("id", "revision")
    assert set(values) == {identifier(pk) for pk in Article.objects.values_list("pk", flat=True)}
    assert identifier(gone) not in values and len(values) >= 4 and all(values.values())
