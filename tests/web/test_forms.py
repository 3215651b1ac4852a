"""The search forms take any query string: valid or refused, never an exception; valid is a SearchRequest."""

from datetime import date

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.models import Source
from archive.search.service import SearchRequest
from archive.web.forms import MAX_VALUES, ChartForm, SearchForm

FORMS = [SearchForm, ChartForm]
LIKELY_VALUES = [
    "",
    "1",
    "0",
    "-1",
    "9" * 40,
    "9" * 5000,
    "1e3",
    "٣",
    "on",
    "false",
    "2015-01-01",
    "0001-01-01",
    "9999-12-31",
    "0000-01-01",
    "2015-02-29",
    "2015-13-01",
    "newest",
    "oldest",
    "relevance",
    "day",
    "week",
    "month",
    "verified",
    "test-source",
    "\x00",
    "\x01\x0b",
    "$x$",
]
texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
values = st.one_of(st.sampled_from(LIKELY_VALUES), texts)
keys = st.one_of(st.sampled_from(list(ChartForm.base_fields)), texts)
pairs = st.lists(st.tuples(keys, st.lists(values, min_size=1, max_size=MAX_VALUES + 5)), max_size=8)

pytestmark = pytest.mark.django_db


def query_dict(items) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, key_values in items:
        query.setlist(key, query.getlist(key) + key_values)
    return query


@pytest.fixture
def known_source(db):
    return Source.objects.get_or_create(name="مصدر الاختبار", slug="test-source")[0]


@pytest.mark.parametrize("form_class", FORMS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=pairs)
def test_any_query_string_is_valid_or_refused(known_source, form_class, items):
    form = form_class(query_dict(items))
    if form.is_valid():
        request = form.search_request()
        assert isinstance(request, SearchRequest)
        assert request.page >= 1 and len(request.sources) <= MAX_VALUES
        assert not (request.date_from and request.date_to and request.date_from > request.date_to)
    else:
        assert form.errors and form.errors_json()["errors"]


@given(day=st.dates(), q=texts)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_calendar_date_is_accepted(known_source, day, q):
    iso = f"{day.year:04d}-{day.month:02d}-{day.day:02d}"
    form = SearchForm({"q": q, "date_from": iso, "source": "test-source"})
    assert form.is_valid(), form.errors
    assert form.search_request().date_from == day and form.search_request().sources == ["test-source"]


def test_dates_the_calendar_lacks_are_refused(db):
    for iso in ("0000-01-01", "2015-02-29", "2015-13-01", "2015-01-32", "10000-01-01"):
        form = SearchForm({"date_from": iso})
        assert not form.is_valid() and "date_from" in form.errors, iso
    form = SearchForm({"date_from": "2016-02-29"})
    assert form.is_valid() and form.search_request().date_from == date(2016, 2, 29)
