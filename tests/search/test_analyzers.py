"""The Whoosh analyzers: positions and offsets, phrase queries, highlighting, and pickling into a schema."""

import pickle
import uuid
from pathlib import Path

import pytest
from whoosh import highlight
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.qparser import QueryParser

from archive.search.analyzers import ArabicAnalyzer, ArabicExactAnalyzer, LuceneArabicAnalyzer
from archive.text import arabic

DOCS = {
    "sdf-waw": "قالت قوّات سوريا الديموقراطية إنها تقدمت في الرقة.",
    "sdf": "أعلنت وزارة الدفاع الأمريكية دعمها قوات سوريا الديمقراطية.",
    "syrian": "تقدمت القوات السورية في ريف حلب، وقالت الديمقراطية إنها باقية.",
    "minister": "قال الوزير الأميركي إن واشنطن وموسكو تبحثان الوضع في سورية.",
}


@pytest.fixture(scope="module")
def index():
    schema = Schema(
        id=ID(stored=True),
        body=TEXT(analyzer=ArabicAnalyzer(), stored=True),
        exact=TEXT(analyzer=ArabicExactAnalyzer()),
    )
    # Whoosh names its temporary files after the index: a unique name keeps parallel runs apart.
    storage = RamStorage()
    name = f"test{uuid.uuid4().hex}"
    writer = storage.create_index(schema, indexname=name).writer()
    for key, text in DOCS.items():
        writer.add_document(id=key, body=text, exact=text)
    writer.commit()
    return storage.open_index(indexname=name)


def search(index, query: str, field: str = "body") -> set[str]:
    with index.searcher() as searcher:
        return {hit["id"] for hit in searcher.search(QueryParser(field, index.schema).parse(query))}


def test_tokens_carry_terms_positions_and_original_offsets():
    text = "وقالت قوّات سوريـا في الديموقراطيّة"
    tokens = [
        (t.text, t.pos, text[t.startchar : t.endchar])
        for t in ArabicAnalyzer()(text, positions=True, chars=True)
    ]
    assert tokens == [
        ("قالت", 0, "وقالت"),
        ("قو", 1, "قوّات"),
        ("سوريا", 2, "سوريـا"),
        ("ديمقراط", 3, "الديموقراطيّة"),
    ]


def test_stop_words_are_kept_but_marked_for_highlighting():
    tokens = [(t.text, t.stopped) for t in ArabicAnalyzer()("سوريا في غزة", removestops=False, chars=True)]
    assert tokens == [("سوريا", False), ("في", True), ("غز", False)]


def test_start_offsets_and_unstemmed_words():
    analyzer = ArabicAnalyzer()
    tokens = list(analyzer("الكتاب", chars=True, start_char=10, start_pos=5, positions=True))
    assert (tokens[0].startchar, tokens[0].endchar, tokens[0].pos) == (10, 16, 5)
    assert [t.text for t in analyzer("الكتاب في", no_morph=True)] == ["الكتاب", "في"]
    assert [t.text for t in analyzer("الكتابُ", tokenize=False)] == ["كتاب"]


def test_exact_and_lucene_analyzers():
    assert [t.text for t in ArabicExactAnalyzer()("في الأميركيّة")] == ["في", "الاميركيه"]
    text = "قوات سوريا الديمقراطية في ١٢٣٤"
    assert [t.text for t in LuceneArabicAnalyzer()(text)] == arabic.analyze_lucene(text)


@pytest.mark.parametrize(
    "analyzer",
    [ArabicAnalyzer(), ArabicAnalyzer("snowball"), ArabicExactAnalyzer(), LuceneArabicAnalyzer()],
    ids=repr,
)
def test_analyzers_pickle(analyzer):
    restored = pickle.loads(pickle.dumps(analyzer))
    assert restored == analyzer
    text = "قوات سوريا الديموقراطية"
    assert [t.text for t in restored(text)] == [t.text for t in analyzer(text)]


def test_schema_pickled_in_the_index_keeps_the_analyzers(index):
    assert isinstance(index.schema["body"].analyzer, ArabicAnalyzer)
    assert isinstance(index.schema["exact"].analyzer, ArabicExactAnalyzer)


def test_phrase_query_matches_both_spellings(index):
    assert search(index, '"قوات سوريا الديمقراطية"') == {"sdf", "sdf-waw"}
    assert search(index, '"قوات سوريا الديموقراطية"') == {"sdf", "sdf-waw"}
    assert search(index, '"سوريا قوات"') == set()


def test_exact_phrase_keeps_the_spelling(index):
    assert search(index, '"قوات سوريا الديموقراطية"', field="exact") == {"sdf-waw"}


def test_variant_queries(index):
    assert search(index, "الأميركية") == {"sdf", "minister"}
    assert search(index, "سورية") == {"sdf", "sdf-waw", "minister"}
    assert search(index, "السوري") == {"syrian"}
    assert search(index, "وزير") == {"minister"}


def test_highlighting_marks_the_original_words():
    text = DOCS["sdf-waw"]
    analyzer = ArabicAnalyzer()
    terms = {t.text for t in analyzer("قوات سوريا الديمقراطية")}
    formatter = highlight.HtmlFormatter(tagname="mark", classname="", termclass="")
    marked = highlight.highlight(text, terms, analyzer, highlight.WholeFragmenter(), formatter)
    assert marked.count("<mark") == 3
    for word in ("قوّات", "سوريا", "الديموقراطية"):
        assert f">{word}</mark>" in marked
    assert "الرقة" in marked and ">في<" not in marked


def test_highlighting_in_a_search_hit(index):
    with index.searcher() as searcher:
        hits = searcher.search(QueryParser("body", index.schema).parse("الأمريكية سورية"))
        hits.fragmenter = highlight.WholeFragmenter()
        marked = {hit["id"]: hit.highlights("body") for hit in hits}
    assert set(marked) == {"minister", "sdf"}
    assert "الأميركي</b>" in marked["minister"] and "سورية</b>" in marked["minister"]
    assert "الأمريكية</b>" in marked["sdf"] and "سوريا</b>" in marked["sdf"]


SEEDS = sorted((Path(__file__).resolve().parents[2] / "fixtures" / "seeds").glob("*.txt"))
TRICKY = [
    "وُلِد في 15 كانون الثاني 2015، وفي شهر آب عاد، وفي مايو كتب: ﷺ ٢٠١٥ — الـــحرب",
    "من في إلى على عن، والولايات المتحدة وبالأمم المتحدة",
    "‏RTL‎ mark، co-operation و5 ابريل2015",
]


@pytest.mark.parametrize("analyzer", [ArabicAnalyzer(), ArabicExactAnalyzer()], ids=["stemmed", "exact"])
@pytest.mark.parametrize("text", [*TRICKY, *(p.read_text(encoding="utf-8") for p in SEEDS)])
def test_indexing_path_gives_the_terms_and_positions_of_the_offsets_path(analyzer, text):
    # Indexing asks for no offsets and takes a faster path; it must index exactly what highlighting sees.
    fast = [(t.text, t.pos) for t in analyzer(text, positions=True)]
    slow = [(t.text, t.pos) for t in analyzer(text, positions=True, chars=True)]
    assert fast == slow and len(fast) > 3


def test_first_match_finds_the_first_word_with_a_query_term():
    text = "في البداية خبر عن الاقتصاد، ثم ذكر الولايات المتحدة وسوريا"
    analyzer = ArabicAnalyzer()
    terms = frozenset(t.text for t in analyzer("سورية الأميركية"))
    assert analyzer.first_match(text, terms) == text.index("وسوريا")
    assert analyzer.first_match(text, frozenset({"غائب"})) is None
