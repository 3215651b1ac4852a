"""The JSON API's contract: shape and types, filters, forgiving queries, refused parameters."""

from datetime import date

import pytest
from django.urls import reverse

from archive.models import Annotation, Article, Source, Tag
from archive.search import names

from .conftest import date_seeds, make_article

MALFORMED_QUERIES = [
    '"جبهة النصرة',
    "(روسيا OR (سوريا",
    "OR",
    "-",
    "- OR -",
    "روسيا)) AND ((",
    "*",
    "سوريا" * 2048,  # 10 KB
    "سو\x00ريا\x07 \x1b[31m روسيا",
    "title:روسيا",
    "\u200f\u202eسوريا",
]


def api(client, **params):
    return client.get(reverse("api_search"), params)


def test_search_shape_and_types(client, seed_archive):
    response = api(client, q="سوريا")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert {"count", "page", "pages", "results", "facets", "suggestion"} <= set(data)
    assert isinstance(data["count"], int) and data["count"] == 5
    assert data["page"] == 1 and data["pages"] == 1
    assert data["suggestion"] is None
    for result in data["results"]:
        assert isinstance(result["id"], int)
        assert result["url"] is None or result["url"].startswith("http")
        assert isinstance(result["title"], str) and result["title"]
        assert set(result["source"]) >= {"name", "slug"}
        assert result["published"] is None or isinstance(result["published"], str)
        assert isinstance(result["snippet"], str)
        assert isinstance(result["score"], float | int)
    assert any("<mark>" in r["snippet"] for r in data["results"])
    sources = data["facets"]["source"]
    assert all(set(entry) >= {"slug", "name", "count"} for entry in sources)
    assert sum(entry["count"] for entry in sources) == 5
    assert all(set(bucket) == {"period", "count"} for bucket in data["facets"]["date"])


def test_snippets_are_escaped_with_marks_only(client, source):
    make_article(source, "عنوان <b>غامق</b>", "نص فيه <script>alert(1)</script> وكلمة دمشق في الوسط")
    result = api(client, q="دمشق").json()["results"][0]
    assert "<script>" not in result["snippet"] and "&lt;script&gt;" in result["snippet"]
    assert "<mark>دمشق</mark>" in result["snippet"]
    assert result["title"] == "عنوان <b>غامق</b>"  # plain text in JSON; escaping is the reader's job


def test_source_filter_narrows(client, seed_archive):
    data = api(client, q="سوريا", source="buratha").json()
    assert data["count"] == 1
    assert {r["source"]["slug"] for r in data["results"]} == {"buratha"}
    two = api(client, q="سوريا", source=["buratha", "syria-news"]).json()
    assert two["count"] == 2
    assert {r["source"]["slug"] for r in two["results"]} == {"buratha", "syria-news"}


def test_date_filter_narrows(client, seed_archive):
    date_seeds(date(2015, 8, 3), date(2015, 9, 10), date(2015, 9, 20), date(2015, 10, 15), date(2015, 11, 1))
    data = api(client, date_from="2015-09-01", date_to="2015-09-30").json()
    assert data["count"] == 2
    assert all(r["published"].startswith("2015-09") for r in data["results"])
    assert api(client, date_from="2015-10-01").json()["count"] == 2
    assert api(client, date_to="2015-08-31").json()["count"] == 1


@pytest.mark.parametrize("bounds", [{"date_from": "0001-01-01"}, {"date_to": "9999-12-31"}])
def test_extreme_dates_are_accepted(client, seed_archive, bounds):
    data = api(client, **bounds).json()
    assert data["count"] == Article.objects.exclude(published_on=None).count()
    assert len(data["facets"]["date"]) < 24


def test_empty_query_lists_everything_newest_first(client, seed_archive):
    date_seeds(date(2015, 8, 3), date(2015, 9, 10), date(2015, 10, 15))
    data = api(client).json()
    assert data["count"] == Article.objects.count()
    dated = [r["published"][:10] for r in data["results"] if r["published"]]
    assert dated == sorted(dated, reverse=True) and dated[0] == "2015-10-15"
    oldest = [r["published"][:10] for r in api(client, sort="oldest").json()["results"] if r["published"]]
    assert oldest[0] == "2015-08-03"


def test_pages(client, source):
    for n in range(25):
        make_article(source, f"خبر رقم {n}", f"نص الخبر عن الميناء رقم {n}", date(2016, 1, 1 + n))
    first = api(client, q="الميناء").json()
    assert (first["count"], first["pages"], len(first["results"])) == (25, 2, 20)
    second = api(client, q="الميناء", page=2).json()
    assert second["page"] == 2 and len(second["results"]) == 5
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


@pytest.mark.parametrize("q", MALFORMED_QUERIES)
def test_malformed_queries_are_repaired(client, seed_archive, q):
    response = api(client, q=q)
    assert response.status_code == 200
    data = response.json()
    assert isinstance(data["count"], int) and isinstance(data["notes"], list)


def test_repairs_are_noted(client, seed_archive):
    assert api(client, q='"جبهة النصرة').json()["notes"]
    assert api(client, q="سوريا" * 2048).json()["notes"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2015-13-45"}, "date_from"),
        ({"date_to": "yesterday"}, "date_to"),
        ({"date_from": "2016-01-01", "date_to": "2015-01-01"}, "date_to"),
        ({"sort": "random"}, "sort"),
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"page": "-3"}, "page"),
        ({"source": "no-such-outlet"}, "source"),
        ({"source": ["buratha", "nope"]}, "source"),
        ({"status": "maybe"}, "status"),
    ],
)
def test_bad_parameters_are_refused_with_400_json(client, seed_archive, params, field):
    response = api(client, q="سوريا", **params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    errors = response.json()["errors"]
    assert field in errors and errors[field][0]["message"]


def test_article_shows_metadata_and_public_annotations_only(client, seed_archive):
    article = Article.objects.get(source__slug="buratha")
    public = Annotation.objects.create(
        article=article,
        kind="verification",
        status="verified",
        text="تحققنا من التصريح",
        quote="الاجتماع",
        is_public=True,
    )
    public.tags.add(Tag.objects.create(name="روسيا"))
    Annotation.objects.create(article=article, text="ملاحظة داخلية سرية", is_public=False)

    data = client.get(reverse("api_article", args=[article.pk])).json()
    assert data["id"] == article.pk and data["title"] == article.title
    assert data["source"] == {"name": "وكالة انباء براثا", "slug": "buratha"}
    assert data["paragraphs"] == article.paragraphs and len(data["paragraphs"]) > 1
    assert data["original_sha256"] == article.original_sha256
    for key in (
        "published",
        "date_precision",
        "date_origin",
        "dateline",
        "author",
        "section",
        "agency",
        "url",
        "copies",
    ):
        assert key in data
    assert len(data["annotations"]) == 1
    note = data["annotations"][0]
    assert (
        note["text"] == "تحققنا من التصريح"
        and note["status"] == "verified"
        and note["kind"] == "verification"
    )
    assert note["quote"] == "الاجتماع" and note["tags"] == ["روسيا"]
    assert note["created"] and note["updated"]
    assert "سرية" not in response_text(client, article)


def response_text(client, article):
    return client.get(reverse("api_article", args=[article.pk])).content.decode()


def test_article_copies_of_the_same_story(client, source):
    from archive.models import StoryGroup

    group = StoryGroup.objects.create()
    first = make_article(source, "خبر منقول", "نص منقول عن الوكالة", story_group=group)
    other_source = type(source).objects.create(name="منفذ آخر", slug="other")
    copy = make_article(other_source, "خبر منقول", "نص منقول عن الوكالة نفسها", story_group=group)
    copies = client.get(reverse("api_article", args=[first.pk])).json()["copies"]
    assert [c["id"] for c in copies] == [copy.pk] and copies[0]["source"]["slug"] == "other"


def test_missing_article_is_404(client, db):
    assert client.get(reverse("api_article", args=[999999])).status_code == 404
    assert client.get("/api/articles/99999999999999999999999/").status_code == 404


def test_a_latin_name_is_also_searched_in_arabic_and_the_api_says_so(client, seed_archive):
    data = api(client, q="Lavrov").json()
    assert data["count"] == 2
    assert data["expansions"] == [{"query": "lavrov", "arabic": ["لافروف"], "origin": "list"}]
    assert all("<mark>لافروف</mark>" in result["snippet"] for result in data["results"])


def test_a_name_in_no_list_is_transliterated_against_the_archives_words(client, seed_archive):
    source = Source.objects.get(slug="buratha")
    for n in range(2):
        make_article(source, f"بيان {n}", "قالت المتحدثة يوري فورونتسوف إن موسكو ترفض ذلك")
    assert names.lookup("Vorontsov") == ()
    data = api(client, q="Vorontsov").json()
    assert data["expansions"] == [
        {"query": "vorontsov", "arabic": ["فورونتسوف"], "origin": "transliteration"}
    ]
    assert data["count"] == 2


def test_literal_searches_the_latin_words_only(client, seed_archive):
    data = api(client, q="Lavrov", literal="1").json()
    assert data["count"] == 0 and data["expansions"] == []
    assert api(client, q="سوريا").json()["expansions"] == []


def test_the_api_says_how_the_query_was_understood(client, seed_archive):
    data = api(client, q="هجوم (قصف OR غارة) -هدنة").json()
    assert data["understood"] == "هجوم AND (قصف OR غاره) AND NOT هدنه"
    names = api(client, q="هجوم (النصرة OR طالبان)").json()  # names are searched as their exact forms
    assert names["understood"] == 'هجوم AND ("النصره" OR "طالبان")'
    assert api(client).json()["understood"] == ""


def test_the_exact_switch_in_the_api(client, seed_archive):
    stemmed = api(client, q="الأمريكي").json()
    exact = api(client, q="الأمريكي", exact="1").json()
    assert exact["understood"] == '"الامريكي"'
    assert 0 < exact["count"] < stemmed["count"]
