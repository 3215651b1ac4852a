"""Set algebra and cached scores must give exactly the documents, order and scores of Whoosh itself."""

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index
from whoosh import query as wq
from whoosh.fields import DATETIME, ID, TEXT, Schema
from whoosh.qparser import MultifieldParser

from archive.search.analyzers import ArabicAnalyzer, ArabicExactAnalyzer
from archive.search.backend import BROAD_PREFIX, FrequentPrefix, bounded_prefixes
from archive.search.docsets import DocSets, SegmentCache, nbytes

DOCS = [
    ("1", "روسيا تقصف حلب", "غارات روسية على حلب وريفها", "a", datetime(2018, 3, 1), "2018"),
    ("2", "مجلس الأمن", "اجتماع مجلس الأمن حول سوريا", "b", datetime(2018, 1, 5), "2018"),
    ("3", "سورية والأمم المتحدة", "الأمم المتحدة تدعو إلى هدنة في سوريا", "a", None, "unknown"),
    ("4", "النفط", "أسعار النفط ترتفع في الأسواق", "c", datetime(2016, 7, 9), "2016"),
    ("5", "حلب", "مجلس حلب المحلي يطالب الأمم المتحدة", "b", datetime(2018, 3, 1), "2018"),
    ("6", "اليمن", "الحوثيون في اليمن", "c", None, "unknown"),
]


# Queries of every shape the query parser renders, and a few more; all but a bare NOT can be scored.
QUERIES = [
    "حلب",
    "(title:حلب OR text:حلب) AND (title:روسيا OR text:روسيا)",
    "(title:حلب OR text:حلب) AND (title:مجلس OR text:مجلس)",
    "text:الأمم AND text:المتحدة",
    "سوريا OR النفط OR حلب",
    "حلب AND NOT text:روسيا",
    "حلب ANDNOT source:b",
    'exact:"مجلس الأمن"',
    'exact:"الأمم المتحدة" OR النفط',
    "exact:مجل*",
    "exact:ال*",
    "source:(a OR c)",
    "year:unknown",
    "الحوثيون",
    "كلمةغائبة",
]


@pytest.fixture(params=["loaded", "edited"])
def searcher(tmp_path, request):
    schema = Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=ArabicAnalyzer(), stored=True),
        text=TEXT(analyzer=ArabicAnalyzer(), stored=True),
        exact=TEXT(analyzer=ArabicExactAnalyzer(), phrase=True),
        source=ID(stored=True, sortable=True),
        published=DATETIME(sortable=True),
        year=ID(sortable=True),
    )
    ix = index.create_in(str(tmp_path), schema)
    # Two segments and a deletion, as a live index has after a few loads and an edit.
    for chunk in (DOCS[:3], DOCS[3:]):
        with ix.writer() as writer:
            for doc_id, title, text, source, published, year in chunk:
                fields = dict(id=doc_id, title=title, text=text, exact=f"{title}\n{text}", source=source)
                if published:
                    fields["published"] = published
                writer.add_document(year=year, **fields)
    with ix.writer() as writer:
        writer.delete_by_term("id", "6")
    if request.param == "edited":
        # An editor's change: document 4 re-indexed with new words, a tiny segment and a deletion.
        writer = ix.writer()
        writer.update_document(
            id="4",
            title="النفط",
            text="أسعار النفط في حلب",
            exact="النفط\nأسعار النفط في حلب",
            source="c",
            published=datetime(2016, 7, 9),
            year="2016",
        )
        writer.commit(merge=False)
    with ix.searcher() as s:
        assert (
            len(s.reader().segments()) == (3 if request.param == "edited" else 2)
            and s.reader().has_deletions()
        )
        yield s


def ids(searcher, docnums):
    return {searcher.stored_fields(d)["id"] for d in docnums}


@pytest.mark.parametrize("text", [*QUERIES, "NOT source:a"])
def test_matching_equals_whoosh(searcher, text):
    q = MultifieldParser(["title", "text"], schema=searcher.schema).parse(text)
    assert DocSets(searcher).matching(q) == frozenset(searcher.docs_for_query(q))


def test_deleted_documents_are_never_counted(searcher):
    docsets = DocSets(searcher)
    assert "6" not in ids(searcher, docsets.live)
    assert dict(docsets.counts("source", docsets.live)) == {"a": 2, "b": 2, "c": 1}
    assert ids(searcher, docsets.value_sets("year")["unknown"]) == {"3"}


def test_date_order_puts_undated_last_both_ways(searcher):
    docsets = DocSets(searcher)
    newest = [searcher.stored_fields(d)["id"] for d in docsets.by_date(docsets.live, "published", True, 10)]
    oldest = [searcher.stored_fields(d)["id"] for d in docsets.by_date(docsets.live, "published", False, 10)]
    assert newest == ["1", "5", "2", "4", "3"]
    assert oldest == ["4", "2", "1", "5", "3"]
    assert len(docsets.by_date(docsets.live, "published", True, 2)) == 2


@pytest.mark.parametrize("text", QUERIES)
def test_scores_equal_whoosh(searcher, text):
    q = MultifieldParser(["title", "text"], schema=searcher.schema).parse(text)
    docs, scores = DocSets(searcher).scored(q)
    ours = sorted(zip(docs.tolist(), scores.tolist(), strict=True), key=lambda pair: (-pair[1], pair[0]))
    theirs = [(hit.docnum, hit.score) for hit in searcher.search(q, limit=None)]
    assert [d for d, _ in ours] == [d for d, _ in theirs]
    assert [s for _, s in ours] == pytest.approx([s for _, s in theirs])


def test_the_cache_keeps_within_its_bounds(searcher):
    cache = SegmentCache(max_bytes=3_000)
    docsets = DocSets(searcher, cache=cache)
    for word in ("حلب", "مجلس", "سوريا", "النفط"):
        docsets.postings("text", next(iter(ArabicAnalyzer()(word))).text)
        assert cache.bytes <= cache.max_bytes
    assert cache.bytes == sum(nbytes(key) + nbytes(value) for key, (value, _size) in cache._entries.items())


def test_a_prefix_stands_for_its_most_frequent_words(searcher):
    docsets = DocSets(searcher)
    every, more = docsets.prefix_terms("exact", "ال", 100)
    assert not more and {"الامم", "المتحده", "الامن", "النفط"} <= set(every)
    top, more = docsets.prefix_terms("exact", "ال", 2)
    assert more and set(top) == {"الامم", "المتحده"}  # in two documents each, the others in one
    assert docsets.prefix_terms("exact", "غائب", 5) == ((), False)
    assert docsets.prefix_terms("nofield", "ال", 5) == ((), False)


@pytest.mark.parametrize("text", ["exact:ال*", "exact:مجل*", "حلب AND exact:ال*", "exact:غائب*"])
def test_a_bounded_prefix_matches_and_scores_as_whoosh_while_within_the_limit(searcher, text):
    q = MultifieldParser(["title", "text"], schema=searcher.schema).parse(text)
    notes = []
    bounded = bounded_prefixes(q, DocSets(searcher), notes, 100)
    assert notes == [] and all(
        isinstance(node, FrequentPrefix) for node in bounded.leaves() if isinstance(node, wq.Prefix)
    )
    docs, scores = DocSets(searcher).scored(bounded)
    theirs = {hit.docnum: hit.score for hit in searcher.search(q, limit=None)}
    assert dict(zip(docs.tolist(), scores.tolist(), strict=True)) == pytest.approx(theirs)
    assert DocSets(searcher).matching(bounded) == frozenset(searcher.docs_for_query(q))


def test_a_broad_prefix_is_cut_with_a_note(searcher):
    q = MultifieldParser(["title", "text"], schema=searcher.schema).parse("exact:ال*")
    notes = []
    docsets = DocSets(searcher)
    narrowed = docsets.matching(bounded_prefixes(q, docsets, notes, 2))
    assert notes == [BROAD_PREFIX]
    assert ids(searcher, narrowed) == {"3", "5"}  # الامم and المتحده; الامن (in "2") is left out


def test_postings_decoded_at_once_are_whooshs_own_over_many_blocks_and_deletions(tmp_path):
    import threading

    from whoosh.matching.wrappers import FilterMatcher

    from archive.search.docsets import term_postings

    def whooshs(reader, text):
        matcher = reader.postings("body", text)
        if isinstance(matcher, FilterMatcher):
            matcher = matcher.child
            matcher.reset()
        found = []
        while matcher.is_active():
            found.append((matcher.id(), matcher.weight()))
            matcher.next()
        return found

    schema = Schema(id=ID(stored=True, unique=True), body=TEXT(phrase=True))
    ix = index.create_in(str(tmp_path), schema)
    writer = ix.writer()
    for n in range(700):  # a common word over several blocks (Whoosh writes 128 postings a block)
        words = ["عام"] * (1 + n % 4) + (["نادر"] if n % 97 == 0 else []) + [f"كلمة{n % 13}"]
        writer.add_document(id=str(n), body=" ".join(words + (["فريدة"] if n == 3 else [])))
    writer.commit()
    writer = ix.writer()
    writer.delete_by_term("id", "5")
    writer.commit(optimize=False)
    lock = threading.RLock()
    with ix.searcher() as searcher:
        (reader,) = [r for r, _ in searcher.reader().leaf_readers()]
        for text in ("عام", "نادر", "كلمة3", "فريدة"):
            docs, weights = term_postings(reader, "body", text, lock)
            assert [(int(d), float(w)) for d, w in zip(docs, weights, strict=True)] == whooshs(reader, text)
        docs, weights = term_postings(reader, "body", "عام", lock)
        assert len(docs) == 700 and 5 in list(docs)  # deletions are the searcher's to apply
        assert sorted({float(w) for w in weights}) == [1.0, 2.0, 3.0, 4.0]
        assert [int(d) for d in term_postings(reader, "body", "فريدة", lock)[0]] == [3]


PHRASE_WORDS = ["حزب", "الله", "دير", "الزور", "من", "في"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(PHRASE_WORDS), min_size=1, max_size=12), min_size=1, max_size=60),
    st.lists(st.sampled_from(PHRASE_WORDS), min_size=2, max_size=3),
    st.integers(min_value=1, max_value=3),
    st.sets(st.integers(min_value=0, max_value=59), max_size=5),
)
def test_phrases_match_the_documents_whooshs_phrase_matcher_finds(bodies, words, slop, deleted):
    import tempfile

    from whoosh.analysis import SpaceSeparatedTokenizer

    schema = Schema(
        id=ID(stored=True, unique=True), exact=TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=True)
    )
    with tempfile.TemporaryDirectory() as folder:
        ix = index.create_in(folder, schema)
        half = len(bodies) // 2
        for start, stop in ((0, half), (half, len(bodies))):  # two segments
            writer = ix.writer()
            for n in range(start, stop):
                writer.add_document(id=str(n), exact=" ".join(bodies[n]))
            writer.commit(merge=False)
        writer = ix.writer()
        for n in deleted:
            writer.delete_by_term("id", str(n))
        writer.commit(merge=False)
        phrase = wq.Phrase("exact", words, slop=slop)
        with ix.searcher() as searcher:
            expected = sorted(searcher.docs_for_query(phrase))
            found = DocSets(searcher, cache=SegmentCache(10**7)).matching(phrase)
            assert list(found) == expected


def test_a_rare_phrase_of_common_words_is_found_in_the_blocks_that_hold_it(tmp_path):
    from whoosh.analysis import SpaceSeparatedTokenizer

    schema = Schema(
        id=ID(stored=True, unique=True), exact=TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=True)
    )
    ix = index.create_in(str(tmp_path), schema)
    writer = ix.writer()
    for n in range(1000):  # the first word in every document (many blocks), the phrase in a few
        text = "قال حزب الله" if n % 211 == 0 else "الله قال حزب" if n % 300 == 5 else "حزب قال"
        writer.add_document(id=str(n), exact=text)
    writer.commit()
    phrase = wq.Phrase("exact", ["حزب", "الله"])
    with ix.searcher() as searcher:
        found = list(DocSets(searcher, cache=SegmentCache(10**7)).matching(phrase))
        assert found == sorted(searcher.docs_for_query(phrase)) == [0, 211, 422, 633, 844]
