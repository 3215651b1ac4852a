"""The attention chart as a share of each outlet's output, and gaps in collection marked as such."""

from datetime import date

import pytest
from django.urls import reverse

from archive.models import Source
from archive.search import coverage

from .conftest import make_article
from .test_feeds_exports import csv_of

GAP = "no articles collected"


@pytest.fixture
def two_outlets(db):
    """Outlet A publishes every month; nothing was collected from outlet B in February 2018."""
    a = Source.objects.create(name="المنفذ أ", slug="a")
    b = Source.objects.create(name="المنفذ ب", slug="b")
    plan = [  # (outlet, month, articles, of which about the port)
        (a, 1, 4, 2),
        (a, 2, 2, 1),
        (a, 3, 2, 0),
        (b, 1, 2, 1),
        (b, 3, 4, 2),
    ]
    for outlet, month, articles, matching in plan:
        for n in range(articles):
            body = "خبر عن الميناء والسفن" if n < matching else "خبر عن الزراعة والمطر"
            make_article(outlet, f"{outlet.slug} {month} {n}", f"{body} {n}", date(2018, month, 1 + n))
    return a, b


def rows_by_period(client, **params) -> dict[str, dict]:
    response = client.get(reverse("chart_csv"), {"q": "الميناء", "interval": "month", **params})
    assert response.status_code == 200
    return {row["period"]: row for row in csv_of(response)}


def test_a_month_with_nothing_collected_is_a_gap_not_a_zero(client, two_outlets):
    rows = rows_by_period(client)
    assert (rows["2018-01"]["المنفذ أ"], rows["2018-01"]["المنفذ ب"], rows["2018-01"]["total"]) == (
        "2",
        "1",
        "3",
    )
    assert (rows["2018-02"]["المنفذ أ"], rows["2018-02"]["المنفذ ب"]) == ("1", "")  # B: a gap
    assert rows["2018-02"][GAP] == "المنفذ ب" and rows["2018-02"]["total"] == "1"
    assert (rows["2018-03"]["المنفذ أ"], rows["2018-03"][GAP]) == ("0", "")  # A collected, none matched
    assert rows["2018-03"]["المنفذ ب"] == "2"


def test_the_share_of_each_outlets_articles(client, two_outlets):
    rows = rows_by_period(client, normalize="share")
    a, b, total = "المنفذ أ (% of its articles)", "المنفذ ب (% of its articles)", "total (% of its articles)"
    assert (rows["2018-01"][a], rows["2018-01"][b], rows["2018-01"][total]) == ("50.00", "50.00", "50.00")
    assert (rows["2018-02"][a], rows["2018-02"][b], rows["2018-02"][GAP]) == ("50.00", "", "المنفذ ب")
    assert (rows["2018-03"][a], rows["2018-03"][b], rows["2018-03"][total]) == ("0.00", "50.00", "33.33")


def test_browsing_without_a_query_has_the_same_gaps(client, two_outlets):
    response = client.get(reverse("chart_csv"), {"interval": "month", "normalize": "share"})
    rows = {row["period"]: row for row in csv_of(response)}
    assert rows["2018-02"]["المنفذ ب (% of its articles)"] == "" and rows["2018-02"][GAP] == "المنفذ ب"
    assert rows["2018-01"]["المنفذ أ (% of its articles)"] == "100.00"


def test_a_source_filter_keeps_the_other_outlets_out_of_the_denominator(client, two_outlets):
    rows = rows_by_period(client, normalize="share", source="b")
    assert list(rows["2018-01"]) == [
        "period",
        "المنفذ ب (% of its articles)",
        "total (% of its articles)",
        GAP,
    ]
    assert rows["2018-01"]["total (% of its articles)"] == "50.00"


def test_gaps_are_hatched_and_named_in_the_chart(client, two_outlets):
    for normalize in ("", "share"):
        svg = client.get(reverse("chart_svg"), {"q": "الميناء", "normalize": normalize}).content
        assert b"<pattern" in svg  # the hatch of the gap bands and of their legend entry
    assert client.get(reverse("chart_png"), {"q": "الميناء", "normalize": "share"}).status_code == 200


def test_a_chart_without_gaps_has_no_hatch(client, db):
    outlet = Source.objects.create(name="منفذ", slug="o")
    for day in range(1, 29):
        make_article(outlet, f"خبر {day}", "خبر عن الميناء", date(2018, 2, day))
    svg = client.get(reverse("chart_svg"), {"q": "الميناء", "interval": "day"}).content
    assert b"<pattern" not in svg


def test_the_measure_is_a_choice(client, db):
    assert client.get(reverse("chart_csv"), {"normalize": "ratio"}).status_code == 400
    assert client.get(reverse("search"), {"q": "x", "normalize": "ratio"}).status_code == 400


def test_the_search_page_offers_the_switch_and_the_chart_follows_it(client, two_outlets):
    html = client.get(reverse("search"), {"q": "الميناء"}).content.decode()
    assert "normalize=share#attention" in html and "chart.svg?q=" in html
    assert "normalize=share" not in html.split('class="chart-frame"')[1].split("</div>")[0]
    chosen = client.get(reverse("search"), {"q": "الميناء", "normalize": "share"}).content.decode()
    frame = chosen.split('class="chart-frame"')[1].split("</div>")[0]
    assert "normalize=share" in frame
    assert 'normalize=share#attention" aria-current="true"' in chosen


def test_collected_counts_are_kept_until_the_index_changes(two_outlets):
    first = coverage.collected("month")
    assert first["b"] == {"2018-01": 2, "2018-03": 4}
    assert coverage.collected("month") is first
    make_article(two_outlets[1], "جديد", "خبر", date(2018, 2, 3))
    assert coverage.collected("month")["b"]["2018-02"] == 1
    assert coverage.collected("day")["a"]["2018-01-04"] == 1


def test_periods_added_around_a_short_range_are_not_gaps(db):
    data = coverage.assemble(
        {"a": {"2018-02": 2}, "b": {"2018-03": 1}},
        0,
        "month",
        collected={"a": {"2018-02": 4}, "b": {"2018-03": 5}},
    )
    assert len(data.periods) > 2  # padded to a readable width
    by_slug = {s.slug: dict(zip(data.periods, s.counts, strict=True)) for s in data.series}
    assert by_slug["a"][date(2018, 2, 1)] == 2 and by_slug["a"][date(2018, 3, 1)] is None  # within: a gap
    outside = [p for p in data.periods if not date(2018, 2, 1) <= p <= date(2018, 3, 1)]
    assert outside and all(by_slug["a"][p] == 0 and by_slug["b"][p] == 0 for p in outside)
