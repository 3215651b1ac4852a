"""Articles dated at the ends of the calendar (years 1, 999 and 9999): every page that searches answers."""

from datetime import date

import pytest
from django.urls import reverse

from archive.models import Article
from archive.search.indexing import index_articles

from .conftest import make_article

EDGE_DAYS = (date(1, 1, 1), date(999, 5, 1), date(9999, 12, 31))
SEARCH_PAGES = ("search", "api_search", "chart_svg", "chart_png", "chart_csv", "export_csv", "search_feed")


@pytest.fixture
def edge_articles(source):
    articles = [
        make_article(source, f"خبر مؤرخ {day.year}", "قصف مدينة حلب", published_on=day) for day in EDGE_DAYS
    ]
    make_article(source, "خبر حديث", "قصف مدينة حلب", published_on=date(2015, 10, 15))
    return articles


@pytest.mark.parametrize("name", SEARCH_PAGES)
@pytest.mark.parametrize("params", [{}, {"q": "حلب"}, {"q": "حلب", "sort": "oldest"}])
def test_search_pages_answer(client, edge_articles, name, params):
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body


@pytest.mark.parametrize("interval", ["day", "week", "month"])
def test_chart_answers_for_every_interval(client, edge_articles, interval):
    for name in ("chart_svg", "chart_csv"):
        assert client.get(reverse(name), {"q": "حلب", "interval": interval}).status_code == 200


def test_histogram_counts_every_article_in_order(client, edge_articles):
    histogram = client.get(reverse("api_search"), {"q": "حلب"}).json()["facets"]["date"]
    assert [b for b in histogram if b["count"]] == [
        {"period": "0001-01", "count": 1},
        {"period": "0999-05", "count": 1},
        {"period": "2015-10", "count": 1},
        {"period": "9999-12", "count": 1},
    ]


def test_month_filter_finds_the_early_article(client, edge_articles):
    data = client.get(reverse("api_search"), {"date_from": "0999-05-01", "date_to": "0999-05-31"}).json()
    assert data["count"] == 1 and data["results"][0]["published"] == "0999-05-01"
    assert data["facets"]["date"] == [{"period": "0999-05", "count": 1}]


@pytest.mark.parametrize(
    ("low", "high", "count"),
    [
        ("0001-01-01", "0001-12-31", 1),
        ("0001-01-01", "1000-01-01", 2),
        ("9999-01-01", "9999-12-31", 1),
        ("9999-12-01", "9999-12-31", 1),
        ("9999-12-31", "9999-12-31", 1),
        ("2000-01-01", "9999-12-31", 2),
    ],
)
def test_date_filters_at_the_ends_of_the_calendar(client, edge_articles, low, high, count):
    response = client.get(reverse("api_search"), {"date_from": low, "date_to": high})
    assert response.status_code == 200 and response.json()["count"] == count


def test_histogram_bars_link_to_zero_padded_months(client, edge_articles):
    response = client.get(reverse("search"), {"q": "حلب"})
    html = response.content.decode()
    assert 'data-period="0999-05"' in html
    assert "date_from=0999-05-01&amp;date_to=0999-05-31" in html


def test_chart_csv_keeps_zero_padded_periods(client, edge_articles):
    rows = client.get(reverse("chart_csv"), {"q": "حلب", "interval": "month"}).content.decode("utf-8-sig")
    periods = [line.split(",")[0] for line in rows.splitlines()[1:]]
    # Months from year 1 to 9999 would be far too many periods: the chart steps up to years.
    assert periods[0] == "0001" and periods[-1] == "9999"
    assert "0999" in periods


def test_an_editor_typo_in_the_year_keeps_the_search_answering(client, edge_articles):
    article = Article.objects.get(published_on=date(2015, 10, 15))
    article.published_on = date(215, 10, 15)  # saved from the admin, as an editor's typo would be
    article.save()
    index_articles([article.pk])
    data = client.get(reverse("api_search"), {"q": "حلب"}).json()
    assert {"period": "0215-10", "count": 1} in data["facets"]["date"]
