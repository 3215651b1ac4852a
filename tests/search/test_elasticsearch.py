"""The Elasticsearch/OpenSearch backend, checked as data: no server runs here.

The index settings and mappings it creates, the analysis chain (simulated in Python filter by filter
and compared with archive.text.arabic), and the request bodies the search service sends for every
search shape the pages use, captured from the client, with canned answers read back into hits.
"""

import json
import os
import subprocess
import sys
import unicodedata
from datetime import date

import pytest
from haystack import connections
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from archive.search import service
from archive.search.service import FACET_FIELDS, SearchRequest, run_search
from archive.text import arabic

from ..conftest import REPO, reset_haystack

pytest.importorskip("elasticsearch")
regex = pytest.importorskip("regex")

from archive.search import elasticsearch as es  # noqa: E402  (needs the client)

# Every analysis component the index uses, with where Elasticsearch 7 and OpenSearch 2 document it
# (both ship them in the analysis-common module; no plugin is needed). docs/scaling.md has the same list.
ES = "https://www.elastic.co/guide/en/elasticsearch/reference/7.17/"
OS = "https://opensearch.org/docs/2.11/analyzers/"
BUILT_IN = {
    "char_filter": {"mapping": (ES + "analysis-mapping-charfilter.html", OS + "character-filters/mapping/")},
    "tokenizer": {"pattern": (ES + "analysis-pattern-tokenizer.html", OS + "tokenizers/pattern/")},
    "filter": {
        "pattern_replace": (
            ES + "analysis-pattern_replace-tokenfilter.html",
            OS + "token-filters/pattern-replace/",
        ),
        "length": (ES + "analysis-length-tokenfilter.html", OS + "token-filters/length/"),
        "lowercase": (ES + "analysis-lowercase-tokenfilter.html", OS + "token-filters/lowercase/"),
        "decimal_digit": (
            ES + "analysis-decimal-digit-tokenfilter.html",
            OS + "token-filters/decimal-digit/",
        ),
        "arabic_normalization": (
            ES + "analysis-normalization-tokenfilter.html",
            OS + "token-filters/normalization/",
        ),
        "synonym": (ES + "analysis-synonym-tokenfilter.html", OS + "token-filters/synonym/"),
        "stop": (ES + "analysis-stop-tokenfilter.html", OS + "token-filters/stop/"),
        "keyword_marker": (
            ES + "analysis-keyword-marker-tokenfilter.html",
            OS + "token-filters/keyword-marker/",
        ),
        "stemmer": (ES + "analysis-stemmer-tokenfilter.html", OS + "token-filters/stemmer/"),
    },
}


@pytest.fixture
def backend(settings, search_index):
    """The Elasticsearch backend as the settings select it, its client answering from `answers`."""
    settings.HAYSTACK_CONNECTIONS = {
        "default": {
            "ENGINE": "archive.search.elasticsearch.ArabicElasticsearchEngine",
            "URL": "http://127.0.0.1:9200/",
            "INDEX_NAME": "archive-test",
            "INCLUDE_SPELLING": True,
        }
    }
    connections.connections_info = settings.HAYSTACK_CONNECTIONS
    reset_haystack()
    engine = connections["default"].get_backend()
    engine.sent, engine.answers, engine.created = [], [], []
    engine.conn.indices.exists = lambda index: True
    engine.conn.indices.create = lambda index, body: engine.created.append(body)
    engine.conn.search = lambda body, index, **options: (
        engine.sent.append(body)
        or (engine.answers.pop(0) if engine.answers else {"hits": {"total": {"value": 0}, "hits": []}})
    )
    yield engine
    reset_haystack()


def search(backend, **request) -> tuple[dict, service.SearchPage]:
    page = run_search(SearchRequest(**request))
    return backend.sent[0], page


def query_of(body: dict) -> str:
    query = body["query"]
    return (query["bool"]["must"] if "bool" in query else query)["query_string"]["query"]


def filters_of(body: dict) -> list[str]:
    found = body["query"].get("bool", {}).get("filter", {})
    clauses = found["bool"]["must"] if "bool" in found else [found]
    return [c["query_string"]["query"] for c in clauses if "query_string" in c]


def mapping(backend) -> dict:
    from haystack import connections

    return backend.build_schema(connections["default"].get_unified_index().all_searchfields())[1]


# --- The index: settings, analysis components, mappings ---------------------------------------------


def test_every_analysis_component_is_one_elasticsearch_and_opensearch_ship():
    analysis = es.analysis()
    for kind in ("char_filter", "tokenizer", "filter"):
        for name, definition in analysis[kind].items():
            assert definition["type"] in BUILT_IN[kind], (kind, name)
    defined = set(analysis["filter"])
    for analyzer in analysis["analyzer"].values():
        assert analyzer["type"] == "custom"
        assert set(analyzer["char_filter"]) <= set(analysis["char_filter"])
        assert analyzer["tokenizer"] in analysis["tokenizer"]
        assert set(analyzer["filter"]) <= defined | set(BUILT_IN["filter"])


def test_the_tables_are_generated_from_the_analysis_of_archive_text():
    filters = es.analysis()["filter"]
    assert filters["arabic_stop"]["stopwords"] == sorted(arabic.STOP_WORDS)
    assert filters["arabic_protected"]["keywords"] == sorted(arabic.PROTECTED)
    variants = dict(rule.split(" => ") for rule in filters["arabic_variants"]["synonyms"])
    assert variants == {k: v for k, v in arabic._NAME_FORMS.items() if k != v}
    assert variants["لسوريه"] == "سوريا" and variants["ترمب"] == "ترامب"
    infixes = [(f["pattern"], f["replacement"]) for n, f in filters.items() if n.startswith("arabic_infix_")]
    assert infixes == [(p.pattern, r) for p, r in arabic._INFIXES]
    months = dict(rule.split(" => ") for rule in filters["arabic_months"]["synonyms"])
    assert months["كانون الثاني"] == "يناير" and months["وتموز"] == "يوليو"
    assert not set(months) & set(arabic._AMBIGUOUS_MONTHS)  # نيسان the carmaker stays a word
    folding = dict(rule.split(" => ") for rule in es.folding_mappings())
    assert folding["ؤ"] == "ء" and folding["گ"] == "ك" and "أ" not in folding  # arabic_normalization does أ
    assert folding["\\uFEF7"] == "لا"  # the lam-alef ligature, as NFKC gives it


def test_the_index_is_created_with_the_analysis_and_keyword_facets(backend):
    backend.conn.indices.exists = lambda index: False
    backend.setup()
    (body,) = backend.created
    assert body["settings"]["analysis"] == es.analysis()
    assert body["settings"]["index"]["highlight"]["max_analyzed_offset"] >= 1_000_000
    assert body["mappings"]["_source"] == {"excludes": ["exact"]}
    properties = body["mappings"]["properties"]
    for name in (*FACET_FIELDS, "year", "month", "day", "source_month", "source_day", "annotated"):
        assert properties[name] == {"type": "keyword"}, name
    assert properties["published"] == {"type": "date"}
    assert properties["text"] == {"type": "text", "analyzer": es.STEMMED, "index_options": "freqs"}
    assert properties["title"]["analyzer"] == es.STEMMED and properties["title"]["boost"] == 2.0
    assert properties["exact"] == {"type": "text", "analyzer": es.EXACT}  # positions, for phrases
    assert properties["url"] == {"type": "keyword", "index": False, "doc_values": False}


def test_an_existing_index_is_used_as_it_is(backend):
    backend.conn.indices.exists = lambda index: True
    backend.setup()
    assert backend.created == [] and backend.setup_complete


# --- The analysis chain, simulated filter by filter -------------------------------------------------


def unescape(text: str) -> str:
    return regex.sub(r"\\u([0-9A-F]{4})", lambda m: chr(int(m.group(1), 16)), text)


def simulate(text: str, analyzer: str = es.STEMMED) -> list[str]:
    """What the index's analyzer makes of a text, each component as its documentation describes it."""
    analysis = es.analysis()
    chain = analysis["analyzer"][analyzer]["filter"]
    folding = dict(unescape(rule).split(" => ") for rule in es.folding_mappings())
    text = "".join(folding.get(c, c) for c in text)
    pattern = analysis["tokenizer"]["arabic_words"]["pattern"]
    tokens = regex.findall(pattern, text, flags=regex.VERSION1)
    filters = analysis["filter"]
    out: list[str] = []
    for name in chain:
        if name == "arabic_marks":
            tokens = [regex.sub(unescape(filters[name]["pattern"]), "", t) for t in tokens]
        elif name == "arabic_nonempty":
            tokens = [t for t in tokens if t]
        elif name == "lowercase":
            tokens = [t.lower() for t in tokens]
        elif name == "decimal_digit":
            tokens = ["".join(str(unicodedata.digit(c)) if c.isdecimal() else c for c in t) for t in tokens]
        elif name == "arabic_normalization":
            tokens = [arabic.lucene_normalize(t) for t in tokens]
        elif name == "arabic_months":
            rules = dict(rule.split(" => ") for rule in filters[name]["synonyms"])
            out, i = [], 0
            while i < len(tokens):
                pair = " ".join(tokens[i : i + 2])
                if pair in rules:
                    out.append(rules[pair])
                    i += 2
                else:
                    out.append(rules.get(tokens[i], tokens[i]))
                    i += 1
            tokens = out
        elif name == "arabic_stop":
            tokens = [t for t in tokens if t not in set(filters[name]["stopwords"])]
        elif name == "arabic_variants":
            rules = dict(rule.split(" => ") for rule in filters[name]["synonyms"])
            tokens = [rules.get(t, t) for t in tokens]
        elif name.startswith("arabic_infix_"):
            tokens = [regex.sub(filters[name]["pattern"], filters[name]["replacement"], t) for t in tokens]
        elif name == "arabic_stemmer":
            keep = set(filters["arabic_protected"]["keywords"])
            tokens = [t if t in keep else arabic.lucene_stem(t) for t in tokens]
    return tokens


WORDS = [
    *"سوريا وسورية لسورية ترمب وبوتن الأميركيين الديموقراطية الانكليز المليشيات فايسبوك الأوربية".split(),
    *"مُحَمَّد الـحـرب إسرائيل آذار شباط وتموز كانون الثاني تشرين الأول جانفي في من على الذي".split(),
    *"گزارش پیام ڤيينا ژنرال المسؤولين المسئولين شئون ٢٠١٥ ۱۳۹۴ و5 ابريل2015 Lavrov Hezbollah".split(),
    "\ufefb",  # the lam-alef ligature
    "\ufe8d\ufedf\ufea4\ufeae\ufe8f",  # الحرب in presentation forms
    "نا\u200cجح",  # a zero-width non-joiner inside a word
    "\u202bالرقة\u202c",  # bidi embedding around a word
    *"الحديدة الرقة موسكو وموسكو داعش لداعش يناير الوزير المدارس بالمدينة والاتفاقيات".split(),
]


@hypothesis_settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12))
def test_the_stemmed_analyzer_matches_ours_with_lucenes_stemming_rules(words):
    text = " ".join(words)
    assert simulate(text) == arabic.analyze(text, stemmer="lucene")


@hypothesis_settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12))
def test_the_exact_analyzer_matches_our_exact_words(words):
    text = " ".join(words)
    assert simulate(text, es.EXACT) == arabic.analyze_exact(text)


# --- Request bodies for every search shape the pages use ---------------------------------------------


def test_words_are_searched_stemmed_and_exact_without_wildcard_analysis(backend, db):
    body, _ = search(backend, q="الغارات سوريا")
    clause = (body["query"]["bool"]["must"] if "bool" in body["query"] else body["query"])["query_string"]
    assert clause["analyze_wildcard"] is False and "fuzziness" not in clause
    query = clause["query"]
    assert "text:الغارات" in query and "exact:الغارات" in query and "title:سوريا" in query
    assert set(regex.findall(r"(\w+):", query)) <= set(mapping(backend))


def test_a_phrase_and_a_proximity_search_the_exact_field(backend, db):
    body, _ = search(backend, q='"مجلس الامن" "وقف النار"~3')
    assert 'exact:"مجلس الامن"' in query_of(body) and 'exact:"وقف النار"~3' in query_of(body)


def test_a_prefix_searches_its_proclitic_forms_unanalyzed(backend, db):
    body, _ = search(backend, q="حوثي*")
    assert "exact:حوثي*" in query_of(body) and "exact:والحوثي*" in query_of(body)


def test_or_not_and_title_keep_their_syntax(backend, db):
    body, _ = search(backend, q="(دوما OR حلب) -روسيا title:هدنة")
    query = query_of(body)
    assert " OR " in query and "NOT " in query and "title:هدنه" in query


def test_a_spelling_group_is_searched_in_all_its_spellings(backend, db):
    body, page = search(backend, q="كيماوي")
    assert "كيمياءي" in query_of(body) and page.parsed.expansions


def test_sources_and_dates_filter_on_keyword_fields(backend, db):
    body, _ = search(
        backend, q="غارة", sources=["aljazeera", "bbc"], date_from=date(2015, 9, 1), date_to=date(2015, 10, 3)
    )
    filters = filters_of(body)
    assert 'source:("aljazeera" OR "bbc")' in filters
    assert any('month:"2015-09"' in f and 'day:"2015-10-03"' in f for f in filters)
    assert "source" not in body["aggs"]  # counted without the source filter, in a second search
    assert backend.sent[1]["aggs"].keys() == {"source"}


def test_every_facet_returns_all_its_values(backend, db):
    body, _ = search(backend, q="")
    assert body["query"] == {
        "bool": {"must": {"match_all": {}}, "filter": {"terms": {"django_ct": ["archive.article"]}}}
    }
    assert set(body["aggs"]) == set(FACET_FIELDS)
    assert body["aggs"]["month"]["terms"] == {"field": "month", "size": 1200}
    assert all(agg["terms"]["size"] >= 1000 for agg in body["aggs"].values())


@pytest.mark.parametrize(("sort", "order"), [("newest", "desc"), ("oldest", "asc")])
def test_a_date_sort_puts_undated_articles_last(backend, db, sort, order):
    body, _ = search(backend, q="غارة", sort=sort)
    assert body["sort"] == [{"published": {"order": order, "missing": "_last", "unmapped_type": "date"}}]


def test_snippets_mark_the_typed_words_in_escaped_text(backend, db):
    body, _ = search(backend, q="الغارات")
    highlight = body["highlight"]
    assert highlight["pre_tags"] == ["<mark>"] and highlight["post_tags"] == ["</mark>"]
    assert highlight["encoder"] == "html"
    assert highlight["fields"]["text"]["highlight_query"] == {"match": {"text": {"query": "الغارات"}}}
    assert highlight["fields"]["title"]["number_of_fragments"] == 0


def test_a_search_with_no_hits_asks_for_a_suggestion_from_the_exact_words(backend, db):
    body, _ = search(backend, q="الغرات")
    assert body["suggest"] == {"suggest": {"text": "الغرات", "term": {"field": "exact"}}}


# --- Answers read back ---------------------------------------------------------------------------


def answer(hits: int = 1) -> dict:
    source = {
        "django_ct": "archive.article",
        "django_id": "7",
        "id": "archive.article.7",
        "title": "1948",
        "text": "نص",
        "source": "aljazeera",
        "source_name": "الجزيرة",
        "published_iso": "2015-09-10",
        "url": "https://example.org/a",
    }
    return {
        "hits": {
            "total": {"value": hits},
            "hits": [
                {
                    "_id": "archive.article.7",
                    "_score": 2.5,
                    "_source": source,
                    "highlight": {
                        "text": ["أولى <mark>الغارات</mark>", "ثم &lt;b&gt;"],
                        "title": ["<mark>1948</mark>"],
                    },
                }
            ],
        },
        "aggregations": {
            name: {"meta": {"_type": "terms"}, "buckets": [{"key": "2015-09", "doc_count": 3}]}
            for name in FACET_FIELDS
        },
    }


def test_an_answer_becomes_hits_with_snippets_and_facets(backend, db):
    backend.answers.append(answer())
    page = run_search(SearchRequest(q="الغارات"))
    (hit,) = page.hits
    assert (hit.id, hit.title, hit.source_slug, hit.published) == (7, "1948", "aljazeera", "2015-09-10")
    assert hit.snippet == "أولى <mark>الغارات</mark> … ثم &lt;b&gt;"
    assert hit.title_html == "<mark>1948</mark>"
    assert page.count == 1
    assert page.histogram == [{"period": "2015-09", "count": 3}]


def test_check_index_reads_every_document_by_scrolling(backend, monkeypatch):
    import elasticsearch.helpers

    def scan(client, index, query, _source):
        assert _source == ["id", "revision"]
        return iter([{"_source": {"id": f"archive.article.{n}", "revision": f"r{n}"}} for n in range(15_000)])

    monkeypatch.setattr(elasticsearch.helpers, "scan", scan)
    backend.conn.count = lambda index: {"count": 15_000}
    values = backend.stored_values("id", "revision")
    assert len(values) == 15_000 and values["archive.article.14999"] == "r14999"
    assert backend.document_count() == 15_000


def test_opensearch_is_spoken_to_despite_the_clients_product_check():
    backend = es.ArabicElasticsearchSearchBackend(
        "default", URL="http://127.0.0.1:9200/", INDEX_NAME="archive", DISTRIBUTION="opensearch"
    )
    assert backend.conn.transport._verified_elasticsearch is True
    plain = es.ArabicElasticsearchSearchBackend("default", URL="http://127.0.0.1:9200/", INDEX_NAME="archive")
    assert plain.conn.transport._verified_elasticsearch is None


@pytest.mark.parametrize("engine", ["elasticsearch", "opensearch"])
def test_the_settings_select_the_arabic_backend(tmp_path, engine):
    code = "from django.conf import settings; import json; print(json.dumps(settings.HAYSTACK_CONNECTIONS))"
    env = {**os.environ, "ARCHIVE_DATA_DIR": str(tmp_path), "SEARCH_ENGINE": engine}
    env["HAYSTACK_URL"] = "http://search.internal:9200"
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    connection = json.loads(done.stdout.strip().splitlines()[-1])["default"]
    assert connection["ENGINE"] == "archive.search.elasticsearch.ArabicElasticsearchEngine"
    assert (connection["URL"], connection["DISTRIBUTION"]) == ("http://search.internal:9200", engine)


def test_a_search_engine_without_a_url_is_refused_by_name(tmp_path):
    env = {**os.environ, "ARCHIVE_DATA_DIR": str(tmp_path), "SEARCH_ENGINE": "elasticsearch"}
    env.pop("HAYSTACK_URL", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert done.returncode != 0 and "SEARCH_ENGINE=elasticsearch needs HAYSTACK_URL" in done.stderr
