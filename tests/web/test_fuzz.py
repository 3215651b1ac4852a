"""Every public URL, fed hostile paths and parameters, answers below 500 and never links to javascript:.

The URLs come from archive.web.urls and the parameter names from the search forms, so a new page or a
new parameter is fuzzed without touching this file. The archive holds the seed pages plus stored values
that broke pages before: control characters in a title, a source named like math text and a formula,
the calendar's first and last days, a javascript: URL.
"""

import re
from datetime import date
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.models import Source
from archive.web.forms import ChartForm
from archive.web.urls import urlpatterns

from .conftest import make_article

PATTERNS = {pattern.name: pattern for pattern in urlpatterns}
URL_NAMES = list(PATTERNS)
PARAMS = [*ChartForm.base_fields, "fmt", "year", "format", "callback", "page_size"]
JAVASCRIPT_LINK = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)

HOSTILE_VALUES = [
    "",
    "\x00",
    "a\x00b",
    "\x01\x0b\x1b[31m",
    "\x7f\x85\u2028",
    "w" * 1000,
    "سوريا " * 200,
    "$x$",
    "$\\frac{",
    "\\$",
    "$$",
    "_^{}",
    "$x^2$ = @cmd",
    '=HYPERLINK("http://x")',
    "%",
    "%00",
    "%zz",
    "%ED%A0%80",
    "\ufdfa\ufefb\ufe8d",  # Arabic presentation forms
    "\ufeff\u202e\u200f",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "' OR 1=1 --",
    '"unbalanced (',
    "0",
    "-1",
    "1",
    "2",
    "9" * 30,
    "2147483648",
    "-9223372036854775809",
    "1e9",
    "NaN",
    "٣",
    "0001-01-01",
    "9999-12-31",
    "0000-01-01",
    "10000-01-01",
    "2015-00-10",
    "2015-13-01",
    "2015-01-00",
    "2015-01-32",
    "2015-02-29",
    "2016-02-29",
    "2015-1-1",
    "day",
    "week",
    "month",
    "year",
    "newest",
    "oldest",
    "relevance",
    "buratha",
    "verified",
    "on",
]

# Query strings every URL is tried with, besides the generated ones.
FIXED_QUERIES = [
    {},
    {"q": "\x01\x0b"},
    {"q": "$x$ $\\frac{ \\$ $$ _^{}"},
    {"q": "w" * 1000},
    {"q": "سوريا", "page": "99999999999999999999"},
    {"page": "-1"},
    {"page": "0"},
    {"page": "2"},
    {"interval": "day"},
    {"interval": "week", "q": "سوريا"},
    {"interval": "day", "q": "سوريا"},
    {"date_from": "0001-01-01", "date_to": "9999-12-31", "interval": "day"},
    {"date_from": "0000-01-01"},
    {"date_to": "2015-02-29"},
    {"source": ["buratha"] * 60},
    {"q": ["a"] * 60, "tags": ["\x00"] * 60, "agency": ["$x$"] * 60},
    {"sort": "oldest", "annotated": "1", "status": "verified"},
    {"unknown": "x", "callback": "alert", "fmt": "exe"},
    {"q": "%ED%A0%80 %00 %zz"},
    {"q": "\ufdfa\ufefb"},
]

# Paths that are not generated from the patterns: the calendar's edges and holes, odd encodings.
FIXED_PATHS = [
    "/dates/0000/",
    "/dates/0001/",
    "/dates/0001/01/",
    "/dates/0001/01/01/",
    "/dates/9999/",
    "/dates/9999/12/",
    "/dates/9999/12/31/",
    "/dates/2015/00/",
    "/dates/2015/13/",
    "/dates/2015/01/00/",
    "/dates/2015/01/32/",
    "/dates/2015/02/29/",
    "/dates/2016/02/29/",
    "/dates/2015/02/30/",
    "/dates/0000/01/01/",
    "/dates/2015/2/1/",
    "/articles/0/",
    "/articles/9223372036854775808/",
    "/articles/" + "9" * 5000 + "/",
    "/api/articles/99999999999999999999/",
    "/sources/%ED%A0%80/",
    "/sources/%00/",
    "/sources/" + "s" * 1000 + "/",
    "/sources/%24x%5E2%24/",
    "/%ff%fe/",
    "/chart.svg/",
    "/feed.atom?q=%01%0b",
    "/export.csv?q=%00",
]

VALID_DATE_PAGES = ["/dates/0001/", "/dates/0001/01/01/", "/dates/9999/12/31/", "/dates/2016/02/29/"]


@pytest.fixture
def hostile_archive(seed_archive):
    """The seed archive plus the stored values that once broke a page, each indexed as ingested."""
    odd = Source.objects.create(name="$x^2$ = @cmd", slug="x2-cmd")
    math = Source.objects.create(name="$\\frac{ _^{} \\$ $$", slug="math")
    return {
        "control": make_article(odd, "عنوان\x01فيه\x0bتحكم", "نص\x01 عن سوريا\x0b والحدود", date(2015, 8, 3)),
        "first": make_article(odd, "أول يوم في التقويم", "نص عن سوريا في اليوم الأول", date(1, 1, 1)),
        "last": make_article(math, "آخر يوم في التقويم", "نص عن سوريا في اليوم الأخير", date(9999, 12, 31)),
        "script": make_article(
            math, "رابط خبيث", "نص عن سوريا ورابط", date(2015, 9, 1), url="javascript:alert(1)"
        ),
    }


def sample_kwargs(pattern, archive) -> dict:
    """Path parameters that resolve to something in the hostile archive (a new name must be added here)."""
    values = {"pk": str(archive["control"].pk), "slug": "x2-cmd", "year": "0001", "month": "01", "day": "01"}
    return {name: values[name] for name in pattern.pattern.regex.groupindex}


def sample_path(pattern, archive) -> str:
    path = "/" + str(pattern.pattern)
    for name, value in sample_kwargs(pattern, archive).items():
        path = re.sub(rf"\(\?P<{name}>[^)]*\)|<(?:\w+:)?{name}>", value, path, count=1)
    return re.sub(r"[\^$]|\\Z", "", path)


def check(client, url: str):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code < 500, url
    if response.get("Content-Type", "").startswith("text/html"):
        assert not JAVASCRIPT_LINK.search(body.decode("utf-8", "replace")), url
    return response


def with_query(path: str, query: dict) -> str:
    return f"{path}?{urlencode(query, doseq=True)}" if query else path


@pytest.mark.parametrize("name", URL_NAMES)
def test_known_edge_cases_on_every_url(client, hostile_archive, name):
    path = sample_path(PATTERNS[name], hostile_archive)
    for query in FIXED_QUERIES:
        check(client, with_query(path, query))


@pytest.mark.parametrize("url", FIXED_PATHS)
def test_known_edge_paths(client, hostile_archive, url):
    check(client, url)


@pytest.mark.parametrize("url", VALID_DATE_PAGES)
def test_the_calendars_edges_are_pages(client, hostile_archive, url):
    assert check(client, url).status_code == 200


texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
values = st.one_of(st.sampled_from(HOSTILE_VALUES), texts, st.integers(-(10**25), 10**25).map(str))
queries = st.dictionaries(
    st.one_of(st.sampled_from(PARAMS), texts),
    st.one_of(st.lists(values, min_size=1, max_size=3), values.map(lambda v: [v] * 60)),
    max_size=5,
)


@pytest.mark.parametrize("name", URL_NAMES)
@settings(
    max_examples=10,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_generated_requests_on_every_url(client, hostile_archive, name, data):
    pattern = PATTERNS[name]
    generated = data.draw(st.from_regex(pattern.pattern.regex, fullmatch=True), label="path")
    path = "/" + quote(generated.rstrip("\n"), safe="/")
    check(client, with_query(path, data.draw(queries, label="query")))
    check(client, with_query(sample_path(pattern, hostile_archive), data.draw(queries, label="query")))
