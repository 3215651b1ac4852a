"""One engine per process and index: shared by threads, bounded in bytes, kept across index generations."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import MultifieldParser

from archive.search import engine as engine_module
from archive.search.analyzers import ArabicAnalyzer
from archive.search.docsets import DocSets, SegmentCache, nbytes
from archive.search.engine import engine_for

REPO = Path(__file__).resolve().parent.parent.parent
WORDS = ["حلب", "دمشق", "مجلس", "الأمن", "النفط", "سوريا", "روسيا", "اليمن", "غارات", "هدنة", "الحوثيون"]
SCHEMA = Schema(
    id=ID(stored=True, unique=True),
    title=TEXT(analyzer=ArabicAnalyzer(), stored=True),
    text=TEXT(analyzer=ArabicAnalyzer(), stored=True),
    source=ID(stored=True, sortable=True),
    year=ID(sortable=True),
)


def add(ix, docs, merge=False):
    writer = ix.writer()
    for doc_id, text in docs:
        writer.update_document(
            id=doc_id, title=text.split()[0], text=text, source=f"s{int(doc_id) % 3}", year="2018"
        )
    writer.commit(merge=merge)


def body(n: int) -> str:
    return " ".join(WORDS[(n * k) % len(WORDS)] for k in (1, 2, 5))


@pytest.fixture
def ix(tmp_path):
    ix = index.create_in(str(tmp_path), SCHEMA)
    add(ix, [(str(n), body(n)) for n in range(30)])
    add(ix, [(str(n), body(n)) for n in range(30, 45)])
    return ix


def parse(searcher, text):
    return MultifieldParser(["title", "text"], schema=searcher.schema).parse(text)


def test_two_threads_with_two_backends_share_one_engine(db):
    from haystack import connections

    found = {}

    def ask(name):
        backend = connections["default"].get_backend()
        found[name] = (backend, backend.engine, backend.current_searcher()[0])

    threads = [threading.Thread(target=ask, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (backend_a, engine_a, searcher_a), (backend_b, engine_b, searcher_b) = found["a"], found["b"]
    assert backend_a is not backend_b
    assert engine_a is engine_b and searcher_a is searcher_b


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3), min_size=1, max_size=12))
def test_the_cache_never_exceeds_its_bound(tmp_path_factory, queries):
    ix = index.create_in(str(tmp_path_factory.mktemp("ix")), SCHEMA)
    add(ix, [(str(n), body(n)) for n in range(20)])
    add(ix, [(str(n), body(n + 1)) for n in range(15, 25)])
    cache = SegmentCache(max_bytes=6_000)
    with ix.searcher() as searcher:
        docsets = DocSets(searcher, cache=cache)
        for words in queries:
            q = parse(searcher, " OR ".join(words))
            matched = docsets.matching(q)
            docsets.scored(q)
            docsets.counts("source", matched)
            assert cache.bytes <= cache.max_bytes
            assert matched == frozenset(searcher.docs_for_query(q))
    assert cache.bytes == sum(nbytes(key) + nbytes(value) for key, (value, _size) in cache._entries.items())


@pytest.mark.parametrize("value", ["abc", "-5", "1e9", "12 MB"])
def test_the_cache_size_setting_refuses_malformed_values(tmp_path, value):
    env = {**os.environ, "SEARCH_CACHE_BYTES": value, "ARCHIVE_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", "import archive.settings"], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0 and "SEARCH_CACHE_BYTES" in result.stderr


def test_the_cache_size_setting_reads_a_whole_number(tmp_path):
    env = {**os.environ, "SEARCH_CACHE_BYTES": "67108864", "ARCHIVE_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", "import archive.settings as s; print(s.SEARCH_CACHE_BYTES)"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "67108864"


def test_a_one_document_edit_keeps_the_other_segments_postings(ix):
    cache = SegmentCache(max_bytes=10_000_000)
    with ix.searcher() as before:
        docsets = DocSets(before, cache=cache)
        old_keys = {segment.key for segment in docsets.segments}
        for word in WORDS:
            docsets.matching(parse(before, word))
    kept = [key for key in cache.keys() if key[0] == "postings"]
    assert {key[1] for key in kept} == old_keys

    # Document 3 re-indexed with other words: a one-document segment, and a deletion in the first one.
    add(ix, [("3", "هدنة في دمشق")])
    with ix.searcher() as after:
        cached_before = set(cache.keys())
        docsets = DocSets(after, cache=cache)
        assert old_keys <= {segment.key for segment in docsets.segments}
        for word in WORDS:
            q = parse(after, word)
            assert docsets.matching(q) == frozenset(after.docs_for_query(q))
            docs, scores = docsets.scored(q)
            theirs = {hit.docnum: hit.score for hit in after.search(q, limit=None)}
            assert dict(zip(docs.tolist(), scores.tolist(), strict=True)) == pytest.approx(theirs)
        assert all(key in cache for key in kept)
        new_reads = [key for key in set(cache.keys()) - cached_before if key[0] == "postings"]
        assert new_reads and {key[1] for key in new_reads}.isdisjoint(old_keys)

        stored = {after.stored_fields(d)["id"] for d in docsets.matching(parse(after, "هدنة"))}
        assert "3" in stored
        old_words = set(ArabicAnalyzer()(body(3))) - set(ArabicAnalyzer()("هدنة في دمشق"))
        for token in old_words:
            assert "3" not in {after.stored_fields(d)["id"] for d in docsets.term("text", token.text)}


def test_a_small_generation_is_served_at_once_and_a_large_one_after_its_warm_up(ix, monkeypatch):
    engine = engine_for(ix.storage.folder, ix, "year", "unknown")
    first = engine.current()
    first.docsets.counts("source", first.docsets.live)
    add(ix, [("3", "هدنة في دمشق")])
    edited = engine.current()
    assert edited is not first and len(edited.docsets.live) == 45

    monkeypatch.setattr(engine_module, "WARM_INLINE_DOCS", 0)
    add(ix, [(str(n), body(n)) for n in range(100, 110)])
    started = threading.Event()
    release = threading.Event()
    warm = DocSets.warm

    def slow_warm(self, fields, terms):
        started.set()
        release.wait(10)
        return warm(self, fields, terms)

    monkeypatch.setattr(DocSets, "warm", slow_warm)
    assert engine.current() is edited  # the old generation serves while the new one warms
    assert started.wait(10)
    assert engine.current() is edited
    release.set()
    engine.warm_up.join(10)
    latest = engine.current()
    assert latest is not edited and len(latest.docsets.live) == 55
    assert ("values", latest.docsets.segments[-1].key, "source") in latest.docsets.cache


def test_the_engine_reads_the_segments_files_without_copying_them_into_memory(ix):
    from whoosh.filedb.compound import CompoundStorage

    assert ix.storage.supports_mmap  # Whoosh's default, which copies a mapped file into a BytesIO
    engine = engine_for(ix.storage.folder, ix, "year", "unknown")
    view = engine.current()
    assert not engine.index.storage.supports_mmap
    for segment in view.docsets.segments:
        files = segment.reader._storage.a  # the segment's compound file, overlaid on the folder
        assert isinstance(files, CompoundStorage) and files._source is None
    assert {view.searcher.stored_fields(d)["id"] for d in view.docsets.term("text", "حلب")}


def test_the_document_count_comes_from_the_table_of_contents_without_a_reader(db, monkeypatch):
    from haystack import connections
    from whoosh.index import FileIndex

    backend = connections["default"].get_backend()
    backend.setup()
    expected = backend.index.refresh().doc_count()
    monkeypatch.setattr(FileIndex, "reader", lambda *args, **kwargs: pytest.fail("a reader was opened"))
    assert backend.document_count() == expected


def test_a_new_engine_analyzes_its_documents_openings_before_its_first_search(tmp_path):
    import gc

    from archive.text import arabic

    ix = index.create_in(str(tmp_path), SCHEMA)
    add(ix, [("1", "استقبل محافظ الحديدة وفدا أمميا يتفقد ميناءها المحاصر")])
    labels = arabic._RUN_LABELS["light"]
    engine = engine_module.Engine(str(tmp_path), ix, "year", "unknown", highlighted_field="text")
    engine.current()
    before = labels.cache_info().hits
    labels("ميناءها")
    assert labels.cache_info().hits == before + 1  # analyzed by the warm-up, not by this call
    assert gc.get_freeze_count() > 0 and gc.get_threshold()[0] >= engine_module.GC_YOUNG_THRESHOLD
