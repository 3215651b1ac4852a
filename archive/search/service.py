"""One search, as the pages and the JSON API both need it: results, facets, histogram, suggestion.

Everything goes through haystack's SearchQuerySet, so the same code serves Whoosh on a laptop and
Elasticsearch or OpenSearch on a larger install. The query a request stands for is built in one place,
matching(), for the pages, the API, the feed, the chart (archive.search.coverage) and the exports
(archive.search.exports); they all get plain data back, never a queryset.
"""

import math
from dataclasses import dataclass, field
from datetime import date
from html import escape

from django.db.models import Count
from haystack import connections
from haystack.query import SearchQuerySet

from archive.models import Article, Source

from . import expansions, periods
from . import query as query_syntax

PER_PAGE = 20
SORTS = {"relevance": None, "newest": "-published", "oldest": "published"}
FACET_FIELDS = ("source", "month", "year", "agency", "tags", "status")
MAX_FILLED_MONTHS = 600
MAX_DATE_TERMS = 40


@dataclass
class SearchRequest:
    """A validated search; the form in archive.web.forms builds it from the URL."""

    q: str = ""
    sources: list[str] = field(default_factory=list)
    date_from: date | None = None
    date_to: date | None = None
    sort: str = ""
    page: int = 1
    tags: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    agency: list[str] = field(default_factory=list)
    annotated: bool = False
    literal: bool = False  # Latin words are searched as typed only, not also in Arabic
    exact: bool = False  # every word in its exact form only, never stemmed

    @property
    def effective_sort(self) -> str:
        return self.sort or ("relevance" if self.q.strip() else "newest")


@dataclass
class Hit:
    id: int
    url: str
    title: str
    title_html: str  # escaped, matches in <mark>
    snippet: str  # escaped, matches in <mark>
    source_name: str
    source_slug: str
    published: str  # ISO 8601 at the precision known, or ""
    score: float
    copies: int = 0  # other outlets that carried the same story

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "url": self.url or None,
            "title": self.title,
            "source": {"name": self.source_name, "slug": self.source_slug} if self.source_name else None,
            "published": self.published or None,
            "snippet": self.snippet,
            "score": round(self.score, 4),
            "copies": self.copies,
        }


@dataclass
class SearchPage:
    request: SearchRequest
    parsed: query_syntax.ParsedQuery
    count: int = 0
    page: int = 1
    pages: int = 0
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[dict]] = field(default_factory=dict)
    histogram: list[dict] = field(default_factory=list)
    suggestion: str | None = None
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "count": self.count,
            "page": self.page,
            "pages": self.pages,
            "results": [hit.as_json() for hit in self.hits],
            "facets": {**self.facets, "date": self.histogram},
            "suggestion": self.suggestion,
            "notes": self.notes,
            "expansions": [expansion.as_json() for expansion in self.parsed.expansions],
            "understood": self.parsed.understood(),
        }


def quoted(values) -> str:
    return " OR ".join('"{}"'.format(str(v).replace('"', "")) for v in values)


def matching(
    request: SearchRequest, parsed: query_syntax.ParsedQuery | None = None, skip: str = ""
) -> SearchQuerySet:
    """What the request matches, its query and every filter (but the one named by skip), unordered.

    The one place a request becomes an engine query: a new filter is added in filtered() and nowhere
    else. parsed is the request's parse_query(), when the caller already has it."""
    parsed = parse_query(request) if parsed is None else parsed
    sqs = SearchQuerySet().models(Article)
    sqs = sqs.all() if parsed.is_empty else sqs.raw_search(query_syntax.render(parsed))
    return filtered(sqs, request, skip)


def filtered(sqs: SearchQuerySet, request: SearchRequest, skip: str = "") -> SearchQuerySet:
    """Applies the request's filters as narrowing queries (they never change relevance)."""
    if request.sources and skip != "source":
        sqs = sqs.narrow(f"source:({quoted(request.sources)})")
    if request.date_from or request.date_to:
        sqs = sqs.narrow(date_filter(request.date_from or date.min, request.date_to or date.max))
    for name in ("tags", "status", "agency"):
        if getattr(request, name):
            sqs = sqs.narrow(f"{name}:({quoted(getattr(request, name))})")
    if request.annotated:
        sqs = sqs.narrow("annotated:yes")
    return sqs


def date_filter(low: date, high: date) -> str:
    """A date range as whole years, whole months and the days left over at its edges.

    A month picked from the histogram becomes one month term instead of a union of 31 day terms,
    which is what keeps browsing fast; ranges needing too many terms stay a plain range.
    """
    terms: list[str] = []
    day: date | None = low
    while day is not None and day <= high and len(terms) <= MAX_DATE_TERMS:
        year_end, month_end = date(day.year, 12, 31), periods.month_end(day)
        if day.month == 1 and day.day == 1 and year_end <= high:
            terms.append(f'year:"{periods.key(day, "year")}"')
            day = periods.next_day(year_end)
        elif day.day == 1 and month_end <= high:
            terms.append(f'month:"{periods.key(day, "month")}"')
            day = periods.next_day(month_end)
        else:
            terms.append(f'day:"{periods.key(day, "day")}"')
            day = periods.next_day(day)
    if len(terms) > MAX_DATE_TERMS or (day is not None and day <= high):
        return f"day:[{periods.key(low, 'day')} TO {periods.key(high, 'day')}]"
    return "(" + " OR ".join(terms) + ")"


def parse_query(request: SearchRequest) -> query_syntax.ParsedQuery:
    """The request's query as the engine searches it: parsed (every word exact if the request asks so),
    with the other spellings of its words' spelling groups, place names searched as names, and Latin
    names also in Arabic, unless the request asks for the literal or the exact words. Pages, the API, charts,
    exports and feeds all search this."""
    parsed = query_syntax.parse(request.q, exact=request.exact)
    if request.literal or request.exact:
        return parsed
    return expansions.expand(parsed, engine_vocabulary)


def engine_vocabulary():
    """The index's vocabulary, for the Latin-name expansions; None from an engine that keeps none.

    One of the two places this module asks the engine for more than haystack offers (the other is the
    notes a search leaves, in run_search)."""
    backend = connections["default"].get_backend()
    return backend.vocabulary() if hasattr(backend, "vocabulary") else None


def engine_notes(sqs: SearchQuerySet) -> list[str]:
    """What the engine narrowed in a search it ran (a prefix with too many words), where its query
    class says (archive.search.backend's does); none from another engine."""
    return getattr(sqs.query, "get_notes", list)()


def ordered(sqs: SearchQuerySet, request: SearchRequest) -> SearchQuerySet:
    """The matches in the order the request asks for (relevance: the engine's own)."""
    order = SORTS.get(request.effective_sort)
    return sqs.order_by(order) if order else sqs


def run_search(
    request: SearchRequest, per_page: int = PER_PAGE, with_facets: bool = True, with_suggestion: bool = True
) -> SearchPage:
    """One page of results; a "did you mean" only for callers that show it (with_suggestion)."""
    parsed = parse_query(request)
    result = SearchPage(request=request, parsed=parsed, notes=list(parsed.notes))
    if request.q.strip() and parsed.is_empty:
        result.notes.append("The query has no searchable words; showing everything that matches the filters.")

    sqs = ordered(matching(request, parsed), request)
    if not parsed.is_empty:
        sqs = sqs.highlight(words=parsed.highlight_words())
        if with_suggestion:
            sqs.query.set_spelling_query(" ".join(parsed.typed_words()))
    if with_facets:
        for name in FACET_FIELDS:
            if name != "source" or not request.sources:
                sqs = sqs.facet(name)

    # The page is fetched before the count, so that one engine query answers both.
    page = max(1, request.page)
    found = list(sqs[(page - 1) * per_page : page * per_page])
    result.count = sqs.count()
    result.pages = max(1, math.ceil(result.count / per_page))
    if page > result.pages:
        page = result.pages
        if result.count:  # with nothing found, asking again would only run the spelling again
            found = list(sqs.all()[(page - 1) * per_page : page * per_page])  # a copy: no cached page
    result.page = page
    result.hits = [make_hit(r) for r in found]
    add_copy_counts(result.hits)
    result.notes.extend(n for n in engine_notes(sqs) if n not in result.notes)
    if with_suggestion and not parsed.is_empty and result.count == 0:
        result.suggestion = sqs.query.get_spelling_suggestion()

    if with_facets:
        counts = sqs.facet_counts().get("fields", {})
        if request.sources:
            # Multi-select: the source counts ignore the source filter, so other outlets stay visible.
            unfiltered = matching(request, parsed, skip="source").facet("source")
            counts["source"] = unfiltered.facet_counts().get("fields", {}).get("source", [])
        result.facets = facet_lists(counts)
        result.histogram = month_histogram(dict(counts.get("month", [])), request)
    return result


def make_hit(result) -> Hit:
    highlighted = getattr(result, "highlighted", None) or {}
    title = result.title or ""
    snippet = (highlighted.get("text") or [""])[0] or escape(opening(result.text or ""), quote=False)
    return Hit(
        id=int(result.pk),
        url=result.url or "",
        title=title,
        title_html=(highlighted.get("title") or [""])[0] or escape(title, quote=False),
        snippet=snippet,
        source_name=result.source_name,
        source_slug=result.source,
        published=result.published_iso or "",
        score=float(result.score or 0),
    )


def opening(text: str, chars: int = 220) -> str:
    """The start of a body, cut at a word, for results with nothing to highlight."""
    if len(text) <= chars:
        return text
    return text[:chars].rsplit(" ", 1)[0] + "…"


def add_copy_counts(hits: list[Hit]) -> None:
    """How many other outlets carried each hit's story (one query for the page)."""
    if not hits:
        return
    groups = dict(Article.objects.filter(pk__in=[h.id for h in hits]).values_list("pk", "story_group_id"))
    group_ids = {g for g in groups.values() if g}
    if not group_ids:
        return
    per_group = dict(
        Article.objects.filter(story_group__in=group_ids)
        .values("story_group")
        .annotate(n=Count("source", distinct=True))
        .values_list("story_group", "n")
    )
    for hit in hits:
        if group := groups.get(hit.id):
            hit.copies = max(0, per_group.get(group, 1) - 1)


def facet_lists(counts: dict) -> dict[str, list[dict]]:
    names = dict(Source.objects.values_list("slug", "name"))
    lists = {
        "source": [{"slug": s, "name": names.get(s, s), "count": n} for s, n in counts.get("source", [])],
        "year": sorted(
            ({"period": y, "count": n} for y, n in counts.get("year", [])),
            key=lambda b: (b["period"] == periods.UNKNOWN, b["period"]),
        ),
    }
    for name in ("agency", "tags", "status"):
        lists[name] = [{"value": v, "count": n} for v, n in counts.get(name, []) if v]
    return lists


def month_histogram(counts: dict[str, int], request: SearchRequest) -> list[dict]:
    """Months in order, an "unknown" bucket for undated articles, and the empty months between filled
    in unless that would make more than MAX_FILLED_MONTHS bars (then only months with articles)."""
    unknown = counts.pop(periods.UNKNOWN, 0)
    # A key that is not "YYYY-MM" (one indexed before keys were zero-padded) counts nowhere.
    months = sorted(m for m, n in counts.items() if n and periods.is_key(m, "month"))
    buckets = []
    if months:
        first, last = months[0], months[-1]
        # The filter's bounds widen the axis, unless that would fill it with empty months only.
        if request.date_from:
            low = periods.key(request.date_from, "month")
            if periods.months_between(low, last) <= MAX_FILLED_MONTHS:
                first = min(first, low)
        if request.date_to:
            high = periods.key(request.date_to, "month")
            if periods.months_between(first, high) <= MAX_FILLED_MONTHS:
                last = max(last, high)
        if periods.months_between(first, last) <= MAX_FILLED_MONTHS:
            months = periods.month_range(first, last)
        buckets = [{"period": period, "count": counts.get(period, 0)} for period in months]
    if unknown:
        buckets.append({"period": periods.UNKNOWN, "count": unknown})
    return buckets


def related(article: Article, limit: int = 5) -> list[Hit]:
    """Related coverage: more-like-this from the index, other copies of the same story left out."""
    same_story = set(article.other_copies().values_list("pk", flat=True)) | {article.pk}
    hits = []
    for result in SearchQuerySet().more_like_this(article)[: limit + len(same_story)]:
        if result is not None and int(result.pk) not in same_story:
            hits.append(make_hit(result))
        if len(hits) == limit:
            break
    return hits
