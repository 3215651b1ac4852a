"""Index changes are recorded with the change itself and applied by whoever writes the index next.

Another process holding Whoosh's lock is played by a writer this test opens on the same index: an
flock taken through another descriptor conflicts even within one process.
"""

import json
import os
import time
from contextlib import contextmanager

import pytest
from django.db import transaction
from whoosh.index import open_dir

from archive.models import Annotation, Article, IndexChange, Source, Tag
from archive.search import indexing, writers
from archive.search.service import SearchRequest, run_search
from archive.search.signals import deferred_indexing

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def index_locked_elsewhere(path):
    writer = open_dir(str(path)).writer()
    try:
        yield
    finally:
        writer.cancel()


def found(q: str) -> int:
    return run_search(SearchRequest(q=q)).count


def make(source: Source, n: int, word: str = "طرطوس") -> Article:
    return Article.objects.create(
        source=source,
        title=f"خبر رقم {n}",
        body=f"اجتماع في مدينة {word} الساحلية والكلمة{n}",
        original=f"original {n} {word}".encode(),
        original_content_type="text/plain",
        original_sha256=f"{n:064d}",
    )


@pytest.fixture
def source(db):
    return Source.objects.create(name="مصدر", slug="src")


def test_a_save_is_recorded_in_its_transaction_and_applied_after_commit(source):
    with transaction.atomic():
        article = make(source, 1)
        assert list(IndexChange.objects.values_list("article_id", flat=True)) == [article.pk]
        assert found("طرطوس") == 0
    assert found("طرطوس") == 1
    assert not IndexChange.objects.exists()


def test_a_rolled_back_save_leaves_no_change_behind(source):
    with pytest.raises(RuntimeError), transaction.atomic():
        make(source, 1)
        raise RuntimeError
    assert not IndexChange.objects.exists() and not Article.objects.exists()


def test_saves_and_deletes_never_wait_for_a_locked_index(source, search_index, monkeypatch):
    kept = make(source, 1)
    doomed = make(source, 2)
    waits = []
    open_writer = writers.open_writer

    def recording(index, procs=1, timeout=0.0, **options):
        waits.append(timeout)
        return open_writer(index, procs=procs, timeout=timeout, **options)

    monkeypatch.setattr("archive.search.backend.open_writer", recording)
    with index_locked_elsewhere(search_index):
        kept.title = "عنوان مصحح عن بانياس"
        kept.save()
        doomed.delete()
        Annotation.objects.create(article=kept, text="ملاحظة", status="disputed")
        assert waits and set(waits) == {0}  # tried once each, without waiting
        assert IndexChange.objects.count() == 3
        assert found("بانياس") == 0 and found("والكلمة2") == 1  # the index is behind, for now
    assert indexing.apply_pending(wait=False) == 3
    assert found("بانياس") == 1 and found("والكلمة2") == 0
    assert run_search(SearchRequest(status=["disputed"])).count == 1
    assert indexing.compare().clean


def test_a_lock_error_names_the_process_holding_the_index(source, search_index, monkeypatch):
    make(source, 0)
    with deferred_indexing():
        make(source, 1)
    monkeypatch.setattr(indexing, "LOCK_WAIT", 0.3)
    with index_locked_elsewhere(search_index), pytest.raises(writers.LockError) as refused:
        indexing.apply_pending(wait=True)
    assert f"pid {os.getpid()} (" in str(refused.value)
    assert IndexChange.objects.count() == 1


def test_an_ingest_holding_the_index_applies_other_processes_changes(source):
    articles = [make(source, n) for n in range(3)]
    IndexChange.objects.all().delete()
    Article.objects.filter(pk=articles[0].pk).update(title="عنوان عن جبلة")
    IndexChange.record([articles[0].pk])  # as a web process would have, before its apply failed
    with indexing.BulkIndexer() as indexer:
        indexer.drain()
    assert found("جبلة") == 1
    assert not IndexChange.objects.exists()


def test_a_second_change_inside_one_writer_waits_for_the_final_sweep(source, monkeypatch):
    monkeypatch.setattr(indexing, "BULK_MIN_DOCS", 1)
    with deferred_indexing():
        article = make(source, 1)
    with indexing.BulkIndexer() as indexer:
        indexer.drain()
        Article.objects.filter(pk=article.pk).update(title="عنوان عن اللاذقية")
        IndexChange.record([article.pk])
        indexer.drain()
        assert IndexChange.objects.count() == 2  # done once committed; the second passed over
    assert IndexChange.objects.count() == 1
    assert indexing.apply_pending() == 1
    assert found("اللاذقية") == 1
    assert run_search(SearchRequest()).count == 1  # one document, not two versions


def test_a_failed_commit_keeps_the_changes_for_the_next_writer(source, monkeypatch):
    monkeypatch.setattr(indexing, "BULK_MIN_DOCS", 1)
    with deferred_indexing():
        make(source, 1)

    def failing_commit(self, context):
        error = OSError("disk full")
        context.__exit__(OSError, error, None)
        self._commit_error = error

    monkeypatch.setattr(indexing.BulkIndexer, "_commit", failing_commit)
    with pytest.raises(OSError), indexing.BulkIndexer(commit_every=1) as indexer:
        indexer.drain()
        indexer.drain()
    assert IndexChange.objects.count() == 1
    monkeypatch.undo()
    assert indexing.apply_pending() == 1
    assert indexing.compare().clean


def test_renaming_a_source_rewrites_its_articles(source):
    article = make(source, 1)
    source.name = "اسم جديد"
    source.save()
    hit = run_search(SearchRequest(q="طرطوس")).hits[0]
    assert hit.id == article.pk and hit.source_name == "اسم جديد"


def test_reconcile_finds_what_an_older_crash_left_out(source):
    articles = [make(source, n) for n in range(3)]
    indexing.backend().remove(f"archive.article.{articles[1].pk}")
    assert found("طرطوس") == 2
    assert indexing.reconcile() == 1
    indexing.apply_pending()
    assert found("طرطوس") == 3
    assert indexing.reconcile() == 0


def test_the_background_applier_catches_up_once_the_lock_frees(source, search_index):
    articles = [make(source, n) for n in range(2)]
    applier = indexing.BackgroundApplier(interval=0.05)
    with index_locked_elsewhere(search_index):
        Article.objects.filter(pk=articles[0].pk).update(title="عنوان عن صافيتا")
        IndexChange.record([articles[0].pk])  # recorded by another process
        applier.start()
        time.sleep(0.3)
        assert IndexChange.objects.count() == 1  # the applier gave way to the lock's holder
    try:
        deadline = time.monotonic() + 10
        while IndexChange.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        applier.stop()
    assert found("صافيتا") == 1


def test_writer_subprocesses_hold_no_copy_of_the_lock(source, search_index):
    articles = [make(source, n) for n in range(2)]
    backend = indexing.backend()
    with backend.writer(parallel=True) as writer:
        writer.write(indexing.article_index(), Article.objects.filter(pk__in=[a.pk for a in articles]))
        writer.writer._enqueue()  # hand the documents to a subprocess now
        tasks = writer.writer.tasks
        assert tasks
        lock = str(search_index / "MAIN_WRITELOCK")
        for task in tasks:
            deadline = time.monotonic() + 10
            held = True
            while held and time.monotonic() < deadline:
                held = any(path.resolve() == lock for path in fds_of(task.pid))
                time.sleep(0.05)
            assert not held, f"writer subprocess {task.pid} still holds the index lock"
    assert found("طرطوس") == 2


def fds_of(pid: int):
    from pathlib import Path

    fd_dir = Path(f"/proc/{pid}/fd")
    try:
        return [Path(str(p.readlink())) for p in fd_dir.iterdir()]
    except (FileNotFoundError, ProcessLookupError, OSError):
        return []


def test_while_an_ingest_runs_web_processes_leave_the_index_to_it(source, search_index):
    articles = [make(source, n) for n in range(2)]
    Article.objects.filter(pk=articles[0].pk).update(title="عنوان عن بانياس")
    applier = indexing.BackgroundApplier()
    with indexing.bulk_load():
        assert indexing.bulk_load_running()
        IndexChange.record([articles[0].pk])
        indexing.apply_pending_now()
        applier.catch_up()
        assert IndexChange.objects.count() == 1 and found("بانياس") == 0  # left to the ingest
    assert not indexing.bulk_load_running()
    applier.catch_up()
    assert found("بانياس") == 1 and not IndexChange.objects.exists()


def test_renaming_or_deleting_a_tag_rewrites_its_articles(source):
    article = make(source, 1)
    note = Annotation.objects.create(article=article, text="ملاحظة")
    tag = Tag.objects.create(name="كيماوي")
    note.tags.add(tag)
    assert run_search(SearchRequest(tags=["كيماوي"])).count == 1
    tag.name = "كيميائي"
    tag.save()
    assert run_search(SearchRequest(tags=["كيميائي"])).count == 1
    assert run_search(SearchRequest(tags=["كيماوي"])).count == 0
    tag.delete()
    assert run_search(SearchRequest(tags=["كيميائي"])).count == 0
    assert indexing.compare().clean


def test_an_annotation_moved_to_another_article_leaves_the_first(source):
    first, second = make(source, 1), make(source, 2)
    note = Annotation.objects.create(article=first, text="ملاحظة", status="false")
    assert [h.id for h in run_search(SearchRequest(status=["false"])).hits] == [first.pk]
    note.article = second
    note.save()
    assert [h.id for h in run_search(SearchRequest(status=["false"])).hits] == [second.pk]
    assert indexing.compare().clean


def test_a_document_that_cannot_be_prepared_holds_back_no_other(source, monkeypatch):
    with deferred_indexing():
        articles = [make(source, n) for n in range(3)]
    prepare = indexing.article_index().__class__.full_prepare

    def failing(self, obj):
        if obj.pk == articles[1].pk:
            raise ValueError("unindexable")
        return prepare(self, obj)

    monkeypatch.setattr(indexing.article_index().__class__, "full_prepare", failing)
    indexing.apply_pending()
    assert found("طرطوس") == 2 and not IndexChange.objects.exists()
    assert indexing.compare().missing == {articles[1].pk}


def test_an_ingest_goes_on_storing_while_another_process_holds_the_index(source, search_index, tmp_path):
    from archive.ingest.pipeline import Pipeline

    make(source, 0)
    records = [
        {
            "url": f"https://a.example/{n}",
            "source_name": "مصدر",
            "title": f"خبر {n}",
            "text": f"نص عن حمص {n}",
        }
        for n in range(3)
    ]
    lines = [json.dumps(record, ensure_ascii=False) for record in records]
    (tmp_path / "export.jsonl").write_text("\n".join(lines), encoding="utf-8")
    with index_locked_elsewhere(search_index), mock_lock_wait(0.2):
        summary = Pipeline().run([tmp_path / "export.jsonl"])
    assert summary.added == 3 and summary.index_behind
    assert any("NOT up to date" in line for line in summary.lines())
    assert IndexChange.objects.count() == 3
    indexing.apply_pending()
    assert found("حمص") == 3


@contextmanager
def mock_lock_wait(seconds: float):
    from unittest import mock

    with (
        mock.patch.object(indexing, "LOCK_WAIT", seconds),
        mock.patch.object(indexing.BulkIndexer.__init__, "__defaults__", (10_000, seconds, True)),
    ):
        yield


def test_small_writes_fold_tiny_segments_together(source, monkeypatch):
    from whoosh.index import open_dir

    monkeypatch.setattr(writers, "TINY_SEGMENT_DOCS", 3)
    for n in range(6):
        make(source, n)  # one commit each
    segments = open_dir(indexing.backend().path).reader().leaf_readers()
    sizes = sorted(reader.doc_count_all() for reader, _ in segments)
    assert len(sizes) <= 3 and sum(sizes) == 6
    assert found("طرطوس") == 6
