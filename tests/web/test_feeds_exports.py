"""What leaves the archive as files: the CSV of a whole search, the Atom feed, the chart and its numbers."""

import csv
import io
import xml.etree.ElementTree as ET
from datetime import date

import matplotlib
import pytest
from django.urls import reverse

from archive.models import Annotation, Article, Source
from archive.search import coverage, exports, periods
from archive.search.indexing import index_articles
from archive.search.service import SearchRequest, run_search

from .conftest import date_seeds, make_article

ATOM = "{http://www.w3.org/2005/Atom}"
SVG = "{http://www.w3.org/2000/svg}"


def csv_of(response) -> list[dict]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads UTF-8 only with the byte order mark
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.fixture
def port_articles(source):
    return [
        make_article(source, f"الميناء {n}", f"خبر عن الميناء رقم {n}", date(2016, 2, 1 + n % 28))
        for n in range(45)
    ]


def test_csv_export_has_every_page(client, port_articles, monkeypatch):
    monkeypatch.setattr(exports, "BATCH", 7)  # several batches, as with a large archive
    response = client.get(reverse("export_csv"), {"q": "الميناء"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment")
    rows = csv_of(response)
    assert list(rows[0]) == ["id", "title", "source", "published", "url", "permalink"]
    assert len(rows) == 45
    assert {int(r["id"]) for r in rows} == {a.pk for a in port_articles}
    row = next(r for r in rows if r["title"] == "الميناء 3")
    assert row["source"] == "مصدر الاختبار" and row["published"] == "2016-02-04"
    assert row["permalink"] == f"http://testserver/articles/{row['id']}/"


@pytest.mark.parametrize("q", ["", "الميناء"])
def test_export_rows_are_read_a_batch_at_a_time_in_the_searchs_order(port_articles, monkeypatch, q):
    monkeypatch.setattr(exports, "BATCH", 7)
    request = SearchRequest(q=q, sort="oldest")
    assert [len(ids) for ids in exports.matched_ids(request)] == [7] * 6 + [3]
    rows = list(exports.export_rows(request))
    assert [row.id for row in rows] == [hit.id for hit in run_search(request, per_page=45).hits]
    assert [row.published for row in rows] == sorted(row.published for row in rows)


def test_csv_export_follows_sort_and_filters(client, seed_archive):
    date_seeds(date(2015, 8, 3), date(2015, 9, 10), date(2015, 10, 15))
    rows = csv_of(client.get(reverse("export_csv"), {"sort": "oldest", "date_from": "2015-09-01"}))
    assert [r["published"] for r in rows] == ["2015-09-10", "2015-10-15"]
    everything = csv_of(client.get(reverse("export_csv")))
    assert len(everything) == Article.objects.count()


def test_csv_export_without_a_query_matches_the_search(client, seed_archive):
    date_seeds(date(2015, 8, 3), date(2015, 9, 10), date(2015, 10, 15))
    article = Article.objects.get(published_on=date(2015, 9, 10))
    Annotation.objects.create(article=article, text="ملاحظة", status="disputed")
    index_articles([article.pk])
    for params in ({"source": ["buratha", "syria-news"]}, {"status": "disputed"}, {"date_to": "2015-09-30"}):
        exported = [int(row["id"]) for row in csv_of(client.get(reverse("export_csv"), params))]
        searched = [hit["id"] for hit in client.get(reverse("api_search"), params).json()["results"]]
        assert exported == searched, params


def test_csv_export_refuses_bad_parameters(client, db):
    response = client.get(reverse("export_csv"), {"date_from": "soon"})
    assert response.status_code == 400 and "date_from" in response.json()["errors"]


def test_atom_feed_of_a_search(client, seed_archive):
    date_seeds(date(2015, 8, 3), date(2015, 9, 10), date(2015, 10, 15))
    response = client.get(reverse("search_feed"), {"q": "سوريا"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    assert "سوريا" in feed.find(f"{ATOM}title").text
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 5
    links = [e.find(f"{ATOM}link").get("href") for e in entries]
    assert all(link.startswith("http://testserver/articles/") for link in links)
    # Newest first, whatever the relevance: a feed reader shows what is new.
    assert (
        links[0] == f"http://testserver/articles/{Article.objects.get(published_on=date(2015, 10, 15)).pk}/"
    )
    assert all(e.find(f"{ATOM}summary") is not None for e in entries)


def test_atom_feed_escapes_titles(client, source):
    make_article(source, "عنوان <script>alert(1)</script>", "نص عن الحدود")
    feed = client.get(reverse("search_feed"), {"q": "الحدود"}).content.decode()
    assert "<script>" not in feed
    ET.fromstring(feed)


def test_atom_feed_refuses_bad_parameters(client, db):
    assert client.get(reverse("search_feed"), {"sort": "popular"}).status_code == 400


@pytest.mark.parametrize("interval", ["", "day", "week", "month"])
def test_chart_svg(client, seed_archive, interval):
    date_seeds(date(2015, 8, 3), date(2015, 9, 10), date(2015, 10, 15), date(2015, 10, 16))
    response = client.get(reverse("chart_svg"), {"q": "سوريا", "interval": interval})
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert ET.fromstring(response.content).tag == f"{SVG}svg"


def test_chart_png_and_empty_chart(client, db):
    response = client.get(reverse("chart_png"), {"q": "لا شيء يطابق"})
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_chart_csv_has_the_chart_numbers(client, seed_archive):
    date_seeds(date(2015, 8, 3), date(2015, 9, 10), date(2015, 10, 15), date(2015, 10, 16))
    response = client.get(reverse("chart_csv"), {"interval": "month"})
    assert response.status_code == 200
    rows = csv_of(response)
    by_period = {row["period"]: row for row in rows}
    assert {"2015-08", "2015-09", "2015-10"} <= set(by_period)
    assert by_period["2015-10"]["total"] == "2"
    assert by_period["unknown"]["total"] == "1"
    assert sum(int(r["total"]) for r in rows) == Article.objects.count()


def test_chart_refuses_bad_parameters(client, db):
    assert client.get(reverse("chart_svg"), {"interval": "hour"}).status_code == 400
    assert client.get(reverse("chart_csv"), {"source": "nope"}).status_code == 400


def test_chart_numbers_agree_between_database_and_search(client, db):
    """Seven outlets: the five leading ones are series, the rest one "other" column, query or not."""
    for n in range(7):
        outlet = Source.objects.create(name=f"منفذ {n}", slug=f"outlet-{n}")
        for k in range(n + 1):
            make_article(outlet, f"خبر {n}-{k}", f"نص عن القافلة {n} {k}", date(2017, 1 + k % 3, 1 + n))
    by_query = csv_of(client.get(reverse("chart_csv"), {"q": "القافلة", "interval": "month"}))
    browsing = csv_of(client.get(reverse("chart_csv"), {"interval": "month"}))
    assert by_query == browsing
    assert list(by_query[0]) == [
        "period",
        "منفذ 6",
        "منفذ 5",
        "منفذ 4",
        "منفذ 3",
        "منفذ 2",
        "مصادر أخرى",
        "total",
        "no articles collected",
    ]
    assert sum(int(row["total"]) for row in by_query) == 28
    assert sum(int(row["مصادر أخرى"] or 0) for row in by_query) == 3  # outlets 0 and 1


def test_chart_of_an_annotation_filter_counts_like_the_search(client, seed_archive):
    date_seeds(date(2015, 8, 3), date(2015, 9, 10), date(2015, 10, 15))
    for article in Article.objects.filter(published_on__isnull=False)[:2]:
        Annotation.objects.create(article=article, text="ملاحظة", status="verified")
    index_articles(Article.objects.values_list("pk", flat=True))
    rows = csv_of(client.get(reverse("chart_csv"), {"status": "verified"}))
    expected = client.get(reverse("api_search"), {"status": "verified"}).json()["count"]
    assert expected == 2 and sum(int(row["total"]) for row in rows) == expected


def test_chart_from_source_and_period_pairs():
    fields = {
        "source_month": [("a|2017-01", 3), ("b|2017-01", 1), ("b|2017-03", 2), ("a|unknown", 4)],
        "source_day": [
            ("a|2017-01-02", 2),
            ("a|2017-01-09", 1),
            ("b|2017-01-03", 1),
            ("b|2017-03-01", 2),
        ],
    }
    per_source, undated, interval = coverage.source_period_counts(fields, "")
    assert (undated, interval) == (4, "week")
    assert per_source == {"a": {"2017-01-02": 2, "2017-01-09": 1}, "b": {"2017-01-03": 1, "2017-03-01": 2}}
    per_source, _undated, interval = coverage.source_period_counts(fields, "month")
    assert interval == "month" and per_source == {"a": {"2017-01": 3}, "b": {"2017-01": 1, "2017-03": 2}}


def test_atom_feed_drops_what_xml_cannot_hold(client, source):
    odd = Source.objects.create(name="مصدر\x01غريب\x0b", slug="odd")
    make_article(odd, "عنوان\x01فيه\x0bتحكم\ufffe", "نص\x01 عن الحدود\x0b والمعابر\x1f")
    response = client.get(reverse("search_feed"), {"q": "الحدود\x01\x0b"})
    assert response.status_code == 200
    feed = ET.fromstring(response.content)
    assert feed.find(f"{ATOM}title").text.endswith(": الحدود")
    entry = feed.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "عنوانفيهتحكم"
    assert entry.find(f"{ATOM}author/{ATOM}name").text == "مصدرغريب"
    assert "\x01" not in entry.find(f"{ATOM}summary").text


def test_xml_safe_keeps_tab_newline_and_everything_above_the_controls():
    from archive.web.feeds import xml_safe

    assert xml_safe("a\x00\x01\x08\x0b\x0c\x0e\x1f\ud800\udfff\ufffe\uffffb") == "ab"
    assert xml_safe("\t\n\r سوريا \U0001f600 \ufffd") == "\t\n\r سوريا \U0001f600 \ufffd"


@pytest.mark.parametrize("name", ["$x$", "$\\frac{", "\\$", "$$", "_^{}", "$x^2$ = @cmd"])
def test_chart_draws_source_names_as_written(client, db, name):
    outlet = Source.objects.create(name=name, slug="odd")
    for day in (1, 2, 9):
        make_article(outlet, f"خبر {day}", "نص عن القافلة", date(2017, 3, day))
    for fmt in ("chart_svg", "chart_png"):
        assert client.get(reverse(fmt), {"q": "القافلة"}).status_code == 200
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text as <text>, so it can be read back
        svg = client.get(reverse("chart_svg")).content.decode()
    texts = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert name in texts


def test_csv_cells_that_spreadsheets_would_run_are_neutralised(client, db):
    outlet = Source.objects.create(name="@SUM(A1)", slug="odd")
    for title in ('=HYPERLINK("http://x")', "+1+1", "-2", "@cmd", "\tx", "\rx", "عادي"):
        make_article(outlet, title, f"نص عن الجسر {title}", date(2017, 3, 1))
    for params in ({}, {"q": "الجسر"}):
        rows = csv_of(client.get(reverse("export_csv"), params))
        assert {row["title"] for row in rows} == {
            '\'=HYPERLINK("http://x")',
            "'+1+1",
            "'-2",
            "'@cmd",
            "'\tx",
            "'\rx",
            "عادي",
        }
        assert {row["source"] for row in rows} == {"'@SUM(A1)"}
    header = csv_of(client.get(reverse("chart_csv")))[0]
    assert "'@SUM(A1)" in header


@pytest.mark.parametrize("q", ["", "الميناء"])
def test_csv_export_stops_at_the_row_cap_and_says_so(client, port_articles, settings, q):
    settings.ARCHIVE_EXPORT_MAX_ROWS = 10
    rows = csv_of(client.get(reverse("export_csv"), {"q": q}))
    assert len(rows) == 11 and all(row["id"] for row in rows[:10])
    assert rows[-1]["id"] == "" and "first 10 articles" in rows[-1]["title"]
    settings.ARCHIVE_EXPORT_MAX_ROWS = 45
    assert len(csv_of(client.get(reverse("export_csv"), {"q": q}))) == 45  # exactly the cap: not cut


def test_chart_of_the_whole_calendar_steps_up_to_years(client, source):
    for day in (date(1, 1, 1), date(2015, 6, 1), date(9999, 12, 31)):
        make_article(source, f"خبر {day}", "نص", day)
    for interval in ("day", "week", "month"):
        rows = csv_of(client.get(reverse("chart_csv"), {"interval": interval}))
        assert rows[0]["period"] == "0001" and rows[-1]["period"] == "9999"
        assert sum(int(row["total"]) for row in rows) == 3
        assert client.get(reverse("chart_png"), {"interval": interval}).status_code == 200


def test_chart_periods_stop_at_the_calendars_edges():
    assert periods.next_start(date(9999, 12, 1), "month") is None
    assert periods.next_start(date(9999, 1, 1), "year") is None
    assert periods.previous_start(date(1, 1, 1), "day") is None
    assert periods.previous_start(date(1, 6, 1), "year") is None
    first = coverage.period_range(date(1, 1, 1), date(1, 1, 1), "day")
    assert first[0] == date(1, 1, 1) and len(first) == coverage.MIN_PERIODS
    last = coverage.period_range(date(9999, 12, 1), date(9999, 12, 1), "month")
    assert last[-1] == date(9999, 12, 1) and len(last) == coverage.MIN_PERIODS
    assert coverage.wide_enough({"a": {"2015-01-01": 1, "2018-01-01": 1}}, "day") == "week"
    assert coverage.wide_enough({"a": {"2015-01-01": 1, "2015-03-01": 1}}, "day") == "day"


def test_exports_feeds_and_charts_search_a_latin_name_as_the_page_does(client, seed_archive):
    page = {hit["id"] for hit in client.get(reverse("api_search"), {"q": "Lavrov"}).json()["results"]}
    assert len(page) == 2
    assert {int(row["id"]) for row in csv_of(client.get(reverse("export_csv"), {"q": "Lavrov"}))} == page
    feed = ET.fromstring(client.get(reverse("search_feed"), {"q": "Lavrov"}).content)
    assert len(feed.findall(f"{ATOM}entry")) == 2
    chart = csv_of(client.get(reverse("chart_csv"), {"q": "Lavrov", "interval": "month"}))
    assert sum(int(row["total"]) for row in chart) == 2
    literal = csv_of(client.get(reverse("export_csv"), {"q": "Lavrov", "literal": "1"}))
    assert literal == []
