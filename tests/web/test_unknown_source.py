"""An article with no source, or one whose source awaits review, renders everywhere it is listed: it is
shown as unknown, never under a guessed outlet, and no page fails."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from archive.models import Source

from .conftest import make_article

pytestmark = pytest.mark.django_db

UNKNOWN_LABEL = "مصدر غير معروف"


@pytest.fixture
def articles(source):
    flagged = Source.objects.create(name="تعليقات", slug="comments", needs_review=True)
    day = date(2016, 2, 3)
    return {
        "none": make_article(None, "خبر بلا مصدر عن حمص", "اشتباكات في ريف حمص الشمالي اليوم.", day),
        "flagged": make_article(flagged, "خبر من مصدر مشكوك عن حمص", "قصف على حمص القديمة.", day),
        "known": make_article(source, "خبر معروف المصدر عن حمص", "هدوء حذر في حمص.", day),
        "undated": make_article(None, "خبر بلا مصدر ولا تاريخ عن حمص", "نص بلا تاريخ عن حمص."),
    }


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_search_shows_unknown_and_files_it_under_one_unknown_facet(client, articles):
    page = text(client.get("/", {"q": "حمص"}))
    assert "تعليقات" not in page
    assert UNKNOWN_LABEL in page
    assert 'data-facet="source" data-value="unknown"' in page
    narrowed = text(client.get("/", {"q": "حمص", "source": "unknown"}))
    assert "النتائج: 3" in narrowed


def test_a_flagged_source_is_not_a_public_filter(client, articles):
    assert client.get("/", {"source": "comments"}).status_code == 400


def test_browse_pages(client, articles):
    for url in ("/dates/2016/02/", "/dates/2016/02/03/", "/dates/2016/", "/dates/", "/dates/unknown/"):
        page = text(client.get(url))
        assert "تعليقات" not in page, url
        assert UNKNOWN_LABEL in page, url


def test_article_pages(client, articles):
    for key in ("none", "flagged"):
        page = text(client.get(reverse("article_detail", args=[articles[key].pk])))
        assert UNKNOWN_LABEL in page and "تعليقات" not in page


def test_source_list_and_page_show_reviewed_sources_only(client, articles, source):
    page = text(client.get("/sources/"))
    assert source.name in page and "تعليقات" not in page
    assert client.get("/sources/comments/").status_code == 404
    assert client.get("/sources/unknown/").status_code == 404


def test_feed(client, articles):
    feed = text(client.get("/feed.atom", {"q": "حمص"}))
    assert feed.count("<entry>") == 4 and "تعليقات" not in feed


@pytest.mark.parametrize("params", [{}, {"q": "حمص"}, {"source": "unknown"}])
def test_export(client, articles, params):
    rows = list(
        csv.DictReader(
            io.StringIO(b"".join(client.get("/export.csv", params).streaming_content).decode("utf-8-sig"))
        )
    )
    titles = {row["title"]: row["source"] for row in rows}
    assert titles[articles["none"].title] == ""
    if params.get("source") == "unknown":
        assert articles["known"].title not in titles and len(titles) == 3


def test_api(client, articles):
    found = client.get("/api/search/", {"q": "حمص"}).json()
    by_id = {hit["id"]: hit for hit in found["results"]}
    assert by_id[articles["none"].pk]["source"] is None
    assert by_id[articles["flagged"].pk]["source"] is None
    assert by_id[articles["known"].pk]["source"]["slug"] == "test-source"
    assert client.get(f"/api/articles/{articles['none'].pk}/").json()["source"] is None
    assert client.get(f"/api/articles/{articles['flagged'].pk}/").json()["source"] is None


def test_charts(client, articles):
    for url in ("/chart.svg", "/chart.csv"):
        assert client.get(url).status_code == 200
        assert client.get(url, {"q": "حمص"}).status_code == 200
