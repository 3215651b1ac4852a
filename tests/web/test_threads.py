"""Threads searching and drawing at once give what one thread gives, byte for byte.

A server runs requests in threads; a chart that borrowed matplotlib's process-wide settings while
drawing could come out in another chart's style (it did: 1 of 160 SVGs, with 8 threads).
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from django.db import connections
from django.utils import translation

from archive.models import Source
from archive.search import coverage, periods
from archive.search.coverage import Attention, Series
from archive.search.service import SearchRequest, run_search
from archive.web import charts

from .conftest import make_article

THREADS = 8


def all_at_once(tasks, rounds: int):
    """Runs each task in its own thread, all released together, rounds times over; their answers in order."""
    barrier = threading.Barrier(len(tasks))

    def run(task):
        try:
            barrier.wait()
            return [task() for _ in range(rounds)]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
        return list(pool.map(run, tasks))


def monthly(first: date, n: int) -> list[date]:
    starts = [first]
    while len(starts) < n:
        starts.append(periods.next_start(starts[-1], "month"))
    return starts


def chart_data(n: int) -> Attention:
    """Eight different charts: bars or lines, counts or shares, gaps, and names with "$" in them."""
    count = 6 + 5 * n  # more than charts.MAX_BARS periods from n = 4 on: lines
    months = monthly(date(1990 + n, 1, 1), count)
    series = [
        Series(
            f"s{k}",
            f"$منفذ {k}$ {n}" if k % 2 else f"outlet {k}",
            [None if (i + k) % 7 == 3 else (i * (k + 1) + n) % 9 for i in range(count)],
            [9] * count,
        )
        for k in range(1 + n % 4)
    ]
    return Attention("month", months, series, undated=n, share=n % 2 == 1)


def drawn(data: Attention) -> bytes:
    with translation.override("ar"):  # the active language is per thread
        return charts.render(data, "svg")


def test_charts_drawn_at_once_are_the_charts_drawn_alone(db):
    data = [chart_data(n) for n in range(THREADS)]
    alone = [drawn(d) for d in data]
    assert len(set(alone)) == THREADS  # eight different charts
    assert [drawn(d) for d in data] == alone  # the same bytes every time
    together = all_at_once([lambda d=d: drawn(d) for d in data], rounds=4)
    assert together == [[chart] * 4 for chart in alone]


@pytest.fixture
def committed_archive(transactional_db):
    """Articles the other threads' database connections can read (the test's transaction is committed)."""
    outlets = [Source.objects.create(name=f"منفذ {n}", slug=f"o{n}") for n in range(3)]
    words = ["الميناء", "القافلة", "الحدود"]
    for n in range(36):
        body = f"خبر عن {words[n % 3]} و{words[(n + 1) % 3]} رقم {n}"
        make_article(outlets[n % 3], f"{words[n % 3]} {n}", body, date(2016, 1 + n % 12, 1 + n % 28))
    make_article(outlets[0], "بلا تاريخ", "خبر عن الميناء")
    return outlets


def test_searches_and_charts_at_once_answer_as_one_thread_does(committed_archive):
    requests = [
        (SearchRequest(q="الميناء"), "", False),
        (SearchRequest(q="القافلة", sort="oldest"), "month", True),
        (SearchRequest(q="الحدود OR الميناء", page=2), "week", False),
        (SearchRequest(sources=["o1"]), "", True),
        (SearchRequest(date_from=date(2016, 3, 1), date_to=date(2016, 6, 30)), "day", False),
        (SearchRequest(q="ميناء*"), "month", False),
        (SearchRequest(q="الحدود", sources=["o0", "o2"]), "", True),
        (SearchRequest(q="كلمة لا توجد"), "", False),
    ]

    def answer(request, interval, share):
        # The active language is per thread (an earlier test may leave this one in English).
        with translation.override("ar"):
            data = coverage.attention(request, interval, share)
            return run_search(request).as_json(), list(charts.csv_rows(data)), charts.render(data, "svg")

    alone = [answer(*args) for args in requests]
    assert len({str(page) for page, _rows, _svg in alone}) == len(requests)
    together = all_at_once([lambda args=args: answer(*args) for args in requests], rounds=3)
    assert together == [[one] * 3 for one in alone]
