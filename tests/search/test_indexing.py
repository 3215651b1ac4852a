"""Bulk indexing: the writer commits in the background while storing goes on, and loses nothing."""

import threading

import pytest
from django.apps import apps
from django.core.management import call_command

from archive.models import Article, Source
from archive.search import indexing
from archive.search.service import SearchRequest, run_search

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def articles(db):
    source = Source.objects.create(name="مصدر", slug="src")
    rows = [
        Article(
            source=source,
            title=f"خبر رقم {n}",
            body=f"اجتماع في مدينة طرطوس الساحلية والكلمة{n}",
            original=f"original {n}".encode(),
            original_content_type="text/plain",
            original_sha256=f"{n:064d}",
        )
        for n in range(30)
    ]
    # bulk_create sends no post_save signals, so nothing is indexed yet.
    return [a.pk for a in Article.objects.bulk_create(rows)]


def test_commits_run_in_the_background_and_nothing_is_lost(articles, monkeypatch):
    monkeypatch.setattr(indexing, "BULK_MIN_DOCS", 1)
    release = threading.Event()
    commit = indexing.BulkIndexer._commit

    def slow_commit(self, context):
        release.wait(10)
        commit(self, context)

    monkeypatch.setattr(indexing.BulkIndexer, "_commit", slow_commit)
    with indexing.BulkIndexer(commit_every=10) as indexer:
        for start in range(0, 30, 5):
            indexer.add(articles[start : start + 5])
            if start == 10:
                # The first commit is still running: these wait for the next writer.
                assert indexer._committing.is_alive() and indexer._waiting == articles[10:15]
                release.set()
    assert run_search(SearchRequest(q="طرطوس")).count == 30
    assert run_search(SearchRequest(q="والكلمة29")).count == 1


def test_a_failed_background_commit_is_raised(articles, monkeypatch):
    monkeypatch.setattr(indexing, "BULK_MIN_DOCS", 1)

    def failing_commit(self, context):
        error = RuntimeError("disk full")
        context.__exit__(RuntimeError, error, None)  # the writer is cancelled
        self._commit_error = error

    monkeypatch.setattr(indexing.BulkIndexer, "_commit", failing_commit)
    with pytest.raises(RuntimeError, match="disk full"):
        with indexing.BulkIndexer(commit_every=10) as indexer:
            indexer.add(articles[:10])
            indexer.add(articles[10:20])


def test_rebuild_index_clears_then_indexes_everything_with_a_summary(seed_archive, capsys):
    indexing.backend().remove(f"archive.article.{Article.objects.first().pk}")
    assert run_search(SearchRequest()).count == 4
    call_command("rebuild_index", interactive=False, verbosity=0)
    assert "indexed: 5" in capsys.readouterr().out
    assert run_search(SearchRequest()).count == 5


def test_update_index_removes_documents_of_deleted_articles(seed_archive, capsys):
    signals = apps.get_app_config("haystack").signal_processor
    signals.teardown()  # the index is not told of this deletion
    try:
        Article.objects.filter(source__slug="buratha").delete()
    finally:
        signals.setup()
    assert run_search(SearchRequest()).count == 5
    call_command("update_index", "--remove", "--batch-size", "2")
    out = capsys.readouterr().out
    assert "indexed: 4" in out and "removed: 1" in out
    assert run_search(SearchRequest()).count == 4


def test_a_loads_commits_grow_with_what_it_has_committed(articles, monkeypatch):
    monkeypatch.setattr(indexing, "BULK_MIN_DOCS", 1)
    monkeypatch.setattr(indexing, "MAX_COMMIT_DOCS", 15)
    committed_before = []
    commit = indexing.BulkIndexer._commit

    def recording_commit(self, context):
        committed_before.append(self._committed)
        commit(self, context)

    monkeypatch.setattr(indexing.BulkIndexer, "_commit", recording_commit)
    with indexing.BulkIndexer(commit_every=4) as indexer:
        for pk in articles:
            indexer.add([pk])
            if indexer._committing is not None:
                indexer._committing.join()  # nothing waits for the next writer: sizes as planned
    # Commits of 4, 4, 8, then 14 more at most 15 at a time: the rest at the end.
    assert committed_before == [4, 8, 16]
    assert run_search(SearchRequest(q="طرطوس")).count == 30


def test_parallel_commits_leave_segments_that_are_not_tiny_as_they_are(articles, monkeypatch):
    from whoosh.index import open_dir

    from archive.search import writers

    monkeypatch.setattr(indexing, "BULK_MIN_DOCS", 1)
    monkeypatch.setattr(writers, "TINY_SEGMENT_DOCS", 3)
    for start in range(0, 24, 4):
        with indexing.BulkIndexer(parallel=True) as indexer:
            indexer.add(articles[start : start + 4])
    segments = open_dir(indexing.backend().path).reader().leaf_readers()
    sizes = sorted(reader.doc_count_all() for reader, _ in segments if reader.doc_count_all())
    # Whoosh's default policy would have rewritten five of them into one.
    assert sizes == [4] * 6
