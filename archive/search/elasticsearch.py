"""haystack's Elasticsearch 7 backend with the archive's Arabic analysis (Elasticsearch 7, OpenSearch 2).

The stock backend indexes every text field with the English snowball analyzer and highlights with `<em>`.
This subclass creates the index with the analysis of archive.text.arabic, written as the engine's own
filters and generated from the same tables (docs/scaling.md lists each filter and where it is
documented):

- normalization: the built-in arabic_normalization, plus a mapping char_filter for the foldings ours does
  beyond it (Persian and Maghrebi letters, hamza seats, presentation forms) and a pattern_replace filter
  deleting the marks and invisible characters it leaves;
- words: a pattern tokenizer with our word pattern (digits never join an Arabic word);
- the unambiguous month names and the spelling-variant names as synonyms, the infix families as
  pattern_replace filters, our stop words as a stop filter;
- stemming: the built-in Arabic stemmer (Lucene's light rules) with the names and months our stemmer
  leaves alone as a keyword_marker. docs/search-evaluation.md measured those rules inside our analysis at
  94.7% recall on variant queries, against 96.0% for light_stem (the extra combined clitics, the feminine
  dual and root-و stems are what a regex chain could not express without losing keyword_marker).

Facets are keyword fields; the dates are the year/month/day keyword fields of archive.search_indexes;
snippets come from the unified highlighter, HTML-encoded, matches in <mark>.
"""

import unicodedata

from django.conf import settings
from haystack.backends.elasticsearch7_backend import (
    Elasticsearch7SearchBackend,
    Elasticsearch7SearchEngine,
    Elasticsearch7SearchQuery,
)
from haystack.constants import DJANGO_CT, DJANGO_ID, ID
from haystack.fields import FacetField

from archive.text import arabic

from .query import EXACT_FIELD
from .snippets import SNIPPET_CHARS, SNIPPET_FRAGMENTS

STEMMED = "arabic_stemmed"
EXACT = "arabic_exact"
# Buckets a facet returns at most: every month of fifty years, and more outlets, agencies and tags than
# an archive has (Elasticsearch returns 10 by default).
FACET_SIZES = {"month": 1200, "day": 20_000, "source_month": 50_000, "source_day": 50_000}
FACET_SIZE = 1000
FRAGMENT_SEPARATOR = " … "
ARABIC_BLOCKS = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF))
PRESENTATION_FORMS = ((0xFB50, 0xFDFF), (0xFE70, 0xFEFF))


def char_class(chars) -> str:
    """A Java regex character class body for these characters, as ranges of \\uXXXX escapes."""
    codes = sorted(set(map(ord, chars)))
    ranges, start = [], None
    for i, code in enumerate(codes):
        if start is None:
            start = code
        if i + 1 == len(codes) or codes[i + 1] != code + 1:
            ranges.append(f"\\u{start:04X}" if start == code else f"\\u{start:04X}-\\u{code:04X}")
            start = None
    return "".join(ranges)


def deleted_chars() -> list[str]:
    """What normalize() deletes: marks, tatweel, bidi controls and zero-width characters."""
    return [chr(code) for code, value in arabic._TABLE.items() if value is None]


def folding_mappings() -> list[str]:
    """The letters ours folds beyond arabic_normalization, its digits, and NFKC of the presentation forms."""
    lucene = {chr(k): v for k, v in arabic._LUCENE_NORMALIZE.items() if v}
    rules = [
        f"{source} => {target}" for source, target in arabic._FOLDED.items() if lucene.get(source) != target
    ]
    # Arabic-Indic digits lie in the Arabic block, which the tokenizer keeps for letters: folded first.
    rules += [f"{chr(code)} => {value}" for code, value in arabic._TABLE.items() if value and value.isdigit()]
    for low, high in PRESENTATION_FORMS:
        for code in range(low, high + 1):
            folded = arabic.normalize(chr(code)).strip()
            if folded and folded != chr(code) and unicodedata.category(chr(code)) != "Cn":
                rules.append(f"\\u{code:04X} => {folded}")
    return rules


def word_pattern() -> str:
    """Our tokenizer's words (arabic._WORD), with the characters normalize() deletes kept inside a word."""
    invisible = char_class(deleted_chars())
    arabic_letters = char_class(arabic._ARABIC_LETTERS)
    blocks = "".join(f"\\u{low:04X}-\\u{high:04X}" for low, high in ARABIC_BLOCKS)
    return f"[{arabic_letters}{invisible}]+|[[\\p{{L}}\\p{{N}}\\p{{M}}{invisible}]&&[^{blocks}_]]+"


def synonym_rules(table: dict[str, str]) -> list[str]:
    return [f"{source} => {target}" for source, target in sorted(table.items()) if source != target]


def month_rules() -> list[str]:
    """The month names folded out of context (the ambiguous ones need a neighbour, which a filter lacks)."""
    two_words = {" ".join(words): month for words, month in arabic._TWO_WORD_MONTHS.items()}
    return synonym_rules({**arabic._MONTH_FORMS, **two_words})


def infix_filters() -> dict[str, dict]:
    return {
        f"arabic_infix_{n}": {
            "type": "pattern_replace",
            "pattern": pattern.pattern,
            "replacement": replacement,
        }
        for n, (pattern, replacement) in enumerate(arabic._INFIXES)
    }


def analysis() -> dict:
    """The index's analysis settings: two analyzers sharing normalization, tokenizer and marks."""
    infixes = infix_filters()
    common = ["arabic_marks", "arabic_nonempty", "lowercase", "decimal_digit", "arabic_normalization"]
    return {
        "char_filter": {"arabic_folding": {"type": "mapping", "mappings": folding_mappings()}},
        "tokenizer": {"arabic_words": {"type": "pattern", "pattern": word_pattern(), "group": 0}},
        "filter": {
            "arabic_marks": {
                "type": "pattern_replace",
                "pattern": f"[{char_class(deleted_chars())}]",
                "replacement": "",
            },
            "arabic_nonempty": {"type": "length", "min": 1},
            "arabic_months": {"type": "synonym", "synonyms": month_rules(), "lenient": True},
            "arabic_stop": {"type": "stop", "stopwords": sorted(arabic.STOP_WORDS)},
            "arabic_variants": {
                "type": "synonym",
                "synonyms": synonym_rules(arabic._NAME_FORMS),
                "lenient": True,
            },
            **infixes,
            "arabic_protected": {"type": "keyword_marker", "keywords": sorted(arabic.PROTECTED)},
            "arabic_stemmer": {"type": "stemmer", "language": "arabic"},
        },
        "analyzer": {
            STEMMED: {
                "type": "custom",
                "char_filter": ["arabic_folding"],
                "tokenizer": "arabic_words",
                "filter": [
                    *common,
                    "arabic_months",
                    "arabic_stop",
                    "arabic_variants",
                    *infixes,
                    "arabic_protected",
                    "arabic_stemmer",
                ],
            },
            EXACT: {
                "type": "custom",
                "char_filter": ["arabic_folding"],
                "tokenizer": "arabic_words",
                "filter": common,
            },
        },
    }


def index_settings() -> dict:
    """What the index is created with; bodies are highlighted whole up to the longest one ingested."""
    longest = settings.ARCHIVE_MAX_BODY_CHARS + 10_000
    return {"index": {"highlight": {"max_analyzed_offset": max(1_000_000, longest)}}, "analysis": analysis()}


class ArabicElasticsearchSearchBackend(Elasticsearch7SearchBackend):
    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.silently_fail = connection_options.get("SILENTLY_FAIL", False)
        if connection_options.get("DISTRIBUTION") == "opensearch":
            # The 7.14+ client refuses any server that is not Elasticsearch; OpenSearch 2 speaks the same API.
            self.conn.transport._verified_elasticsearch = True

    def setup(self):
        """Creates the index with its analysis and mappings when it is missing; an index that exists is
        used as it is (a change of analysis needs rebuild_index, as with Whoosh)."""
        unified_index = self.unified_index()
        self.content_field_name, properties = self.build_schema(unified_index.all_searchfields())
        if not self.conn.indices.exists(index=self.index_name):
            self.conn.indices.create(index=self.index_name, body=self.index_body(properties))
        self.setup_complete = True

    def unified_index(self):
        from haystack import connections

        return connections[self.connection_alias].get_unified_index()

    def index_body(self, properties: dict) -> dict:
        # The exact field repeats title and body: searched, never shown, so not kept in _source.
        return {
            "settings": index_settings(),
            "mappings": {"_source": {"excludes": [EXACT_FIELD]}, "properties": properties},
        }

    def build_schema(self, fields):
        """Facets and dates as keywords, the text fields with the Arabic analyzers; positions only where
        phrases are searched (the exact field), as in the Whoosh schema."""
        content_field_name = ""
        mapping = {DJANGO_CT: {"type": "keyword"}, DJANGO_ID: {"type": "keyword"}, ID: {"type": "keyword"}}
        for field_class in fields.values():
            name = field_class.index_fieldname
            if field_class.document:
                content_field_name = name
            if isinstance(field_class, FacetField):
                mapping[name] = {"type": "keyword"}
            elif not field_class.indexed:
                mapping[name] = {"type": "keyword", "index": False, "doc_values": False}
            elif field_class.field_type in ("date", "datetime"):
                mapping[name] = {"type": "date"}
            elif field_class.field_type in self.FIELD_MAPPINGS and field_class.field_type != "ngram":
                mapping[name] = dict(self.FIELD_MAPPINGS[field_class.field_type])
            elif name == EXACT_FIELD:
                mapping[name] = {"type": "text", "analyzer": EXACT}
            else:
                mapping[name] = {"type": "text", "analyzer": STEMMED, "index_options": "freqs"}
                if field_class.boost != 1.0:
                    mapping[name]["boost"] = field_class.boost
        return content_field_name, mapping

    def build_search_kwargs(self, query_string, highlight=False, spelling_query=None, facets=None, **kwargs):
        """The stock body, with words already normalized by our parser (no wildcard analysis), facets that
        return every value, undated articles last in a date sort, and <mark> snippets of the typed words."""
        body = super().build_search_kwargs(query_string, highlight=False, facets=facets, **kwargs)
        for clause in self._query_strings(body.get("query", {})):
            clause["analyze_wildcard"] = False
            clause.pop("fuzziness", None)
        for name, aggregation in body.get("aggs", {}).items():
            aggregation["terms"].setdefault("size", FACET_SIZES.get(name, FACET_SIZE))
        for order in body.get("sort", []):
            for options in order.values():
                options.update(missing="_last", unmapped_type="date")
        body.pop("suggest", None)
        if self.include_spelling and spelling_query:
            body["suggest"] = {"suggest": {"text": spelling_query, "term": {"field": EXACT_FIELD}}}
        if highlight:
            body["highlight"] = self.highlight_body(highlight)
        return body

    @staticmethod
    def _query_strings(node):
        """Every query_string clause of a query body."""
        if isinstance(node, dict):
            if "query_string" in node:
                yield node["query_string"]
            for value in node.values():
                yield from ArabicElasticsearchSearchBackend._query_strings(value)
        elif isinstance(node, list):
            for value in node:
                yield from ArabicElasticsearchSearchBackend._query_strings(value)

    def highlight_body(self, highlight) -> dict:
        """Matches of the user's words (when the caller passes them) in <mark>, all text HTML-escaped:
        fragments of the body, the whole title."""
        words = " ".join(highlight["words"]) if isinstance(highlight, dict) and "words" in highlight else ""

        def field(name: str, **options) -> dict:
            if words:
                options["highlight_query"] = {"match": {name: {"query": words}}}
            return options

        return {
            "type": "unified",
            "encoder": "html",
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "fields": {
                "text": field("text", fragment_size=SNIPPET_CHARS, number_of_fragments=SNIPPET_FRAGMENTS),
                "title": field("title", number_of_fragments=0),
            },
        }

    def _process_results(self, raw_results, highlight=False, result_class=None, **kwargs):
        """The stock results, each hit's snippets as the pages read them: {"text": [...], "title": [...]}."""
        results = super()._process_results(raw_results, highlight, result_class, **kwargs)
        marked = {hit["_id"]: hit.get("highlight") for hit in raw_results.get("hits", {}).get("hits", [])}
        for result in results["results"]:
            fragments = marked.get(result.id)
            if fragments is not None:
                result.highlighted = {
                    name: [FRAGMENT_SEPARATOR.join(fragments[name])]
                    for name in ("text", "title")
                    if name in fragments
                }
        return results

    def document_count(self) -> int:
        if not self.setup_complete:
            self.setup()
        return self.conn.count(index=self.index_name)["count"]

    def stored_values(self, key_field: str, value_field: str) -> dict:
        """One stored field keyed by another for every document, by scrolling (a search stops at 10,000)."""
        from elasticsearch.helpers import scan

        if not self.setup_complete:
            self.setup()
        hits = scan(
            self.conn,
            index=self.index_name,
            query={"query": {"match_all": {}}},
            _source=[key_field, value_field],
        )
        return {hit["_source"][key_field]: hit["_source"].get(value_field) for hit in hits}


class ArabicElasticsearchEngine(Elasticsearch7SearchEngine):
    backend = ArabicElasticsearchSearchBackend
    query = Elasticsearch7SearchQuery
