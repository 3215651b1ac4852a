"""Which outlet an article is filed under, in order of trust: manifest, URL domain, HTML metadata, page
text; the outlet table's outlets are created known, and a name only the page text gives creates nothing."""

import pytest

from archive.ingest.items import RawItem
from archive.ingest.pipeline import Pipeline, SourceResolver
from archive.models import Article, Source
from archive.text.article import Candidate, CleanArticle

pytestmark = pytest.mark.django_db

BODY = "قالت وزارة الدفاع في بيان اليوم إن المحادثات بين الجانبين أحرزت تقدما ملموسا في ملف سلامة الطيران."


@pytest.fixture
def sources(db):
    return {
        "morocco": Source.objects.create(
            name="المغرب اليوم", slug="almaghribtoday", domain="almaghribtoday.net"
        ),
        "syria": Source.objects.create(
            name="سيريانيوز", slug="syria-news", domain="syria-news.com", aliases=["Syria News"]
        ),
    }


def test_the_manifest_beats_the_url(sources):
    found = SourceResolver().resolve("المغرب اليوم", "https://syria-news.com/1", "سيريانيوز", "html")
    assert (found.source, found.origin) == (sources["morocco"], "manifest")


def test_the_url_beats_the_html_metadata(sources):
    found = SourceResolver().resolve("", "https://www.syria-news.com/1", "المغرب اليوم", "html")
    assert (found.source, found.origin) == (sources["syria"], "url")


def test_html_metadata_names_a_known_source_when_the_url_does_not(sources):
    found = SourceResolver().resolve("", "https://mirror.example/1", "syria news", "html")
    assert (found.source, found.origin) == (sources["syria"], "html")


def test_an_unknown_name_from_html_creates_a_flagged_source_but_from_the_text_nothing(sources):
    resolver = SourceResolver()
    assert resolver.resolve("", "", "جريدة الأفق", "text").source is None
    assert not Source.objects.filter(name="جريدة الأفق").exists()
    found = resolver.resolve("", "https://alofoq.example/1", "جريدة الأفق", "html")
    assert found.created and found.origin == "html"
    assert found.source.needs_review and found.source.domain == "alofoq.example"


def test_an_unknown_name_from_the_manifest_creates_a_flagged_source(sources):
    found = SourceResolver().resolve("وكالة تجريبية", "", "", "")
    assert found.created and found.source.needs_review and found.origin == "manifest"


def test_an_unknown_domain_alone_leaves_the_source_empty(sources):
    assert SourceResolver().resolve("", "https://unknown-outlet.example/1", "", "").source is None
    assert (
        SourceResolver()
        .resolve("", "https://unknown-outlet.example/1", "unknown-outlet.example", "url")
        .source
        is None
    )


def test_a_table_outlet_is_created_from_the_table_unflagged(sources):
    found = SourceResolver().resolve("", "https://www.alarabiya.net/ar/news/1", "", "")
    source = found.source
    assert found.origin == "url" and not found.created
    assert (source.name, source.domain, source.country) == ("العربية", "alarabiya.net", "الإمارات")
    assert not source.needs_review and {"Al Arabiya", "alarabiya"} <= set(source.aliases)
    by_name = SourceResolver().resolve("", "", "Sky News Arabia", "text")
    assert by_name.source.name == "سكاي نيوز عربية" and not by_name.source.needs_review
    assert by_name.origin == "text"


def test_a_table_outlet_the_archive_knows_is_not_created_twice(db):
    known = Source.objects.create(name="العربية نت", slug="alarabiya", domain="")
    found = SourceResolver().resolve("", "https://alarabiya.net/1", "", "")
    assert found.source == known
    assert Source.objects.count() == 1


def test_the_text_never_joins_a_source_awaiting_review(db):
    Source.objects.create(name="تعليقات", needs_review=True)
    resolver = SourceResolver()
    assert resolver.resolve("", "", "تعليقات", "text").source is None
    assert "تعليقات" not in resolver.known_names()
    assert resolver.resolve("", "", "تعليقات", "html").source.name == "تعليقات"


def test_a_stored_article_keeps_its_evidence_and_a_text_guess_as_a_candidate(
    sources, django_capture_on_commit_callbacks
):
    clean = CleanArticle(
        title="عنوان الخبر",
        paragraphs=[BODY],
        source="جريدة الأفق",
        source_origin="text",
        title_origin="html",
        candidates=[
            Candidate("title", "عنوان الخبر", "html", "<title>عنوان الخبر</title>"),
            Candidate("source", "جريدة الأفق", "text", "جريدة الأفق - خاص"),
            Candidate("published", "2018-03-01", "text", "1 آذار 2018"),
        ],
    )
    item = RawItem(origin="page.txt", data=BODY.encode(), content_type="text/plain")
    pipeline = Pipeline(index=False)
    with django_capture_on_commit_callbacks(execute=True):
        article = pipeline.store(item, clean, Article.sha256_of(item.data))
    article.refresh_from_db()
    assert article.source is None and article.source_origin == ""
    assert article.title_origin == "html"
    assert {(c["field"], c["value"], c["origin"]) for c in article.candidates} == {
        ("title", "عنوان الخبر", "html"),
        ("source", "جريدة الأفق", "text"),
        ("published", "2018-03-01", "text"),
    }
    assert pipeline.summary.unattributed == 1 and pipeline.summary.new_sources == []
    assert "articles with no source, for an editor: 1" in pipeline.summary.lines()


def test_without_the_cleaners_origins_the_input_says_where_the_name_came_from(
    sources, django_capture_on_commit_callbacks
):
    """Before the cleaners fill source_origin, an HTML page's site name counts as HTML metadata."""
    clean = CleanArticle(
        title="عنوان", paragraphs=[BODY], source="جريدة الأفق", url="https://alofoq.example/2"
    )
    item = RawItem(origin="page.html", data=b"<html>" + BODY.encode(), content_type="text/html")
    pipeline = Pipeline(index=False)
    with django_capture_on_commit_callbacks(execute=True):
        article = pipeline.store(item, clean, Article.sha256_of(item.data))
    assert article.source.name == "جريدة الأفق" and article.source.needs_review
    assert article.source_origin == "html"
    assert pipeline.summary.new_sources == ["جريدة الأفق"]
    assert ("source", "alofoq.example", "url") in {
        (c["field"], c["value"], c["origin"]) for c in article.candidates
    }
