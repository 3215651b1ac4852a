"""An article whose transaction rolls back leaves nothing behind that the next one could trip on."""

import json

import pytest

from archive.ingest.pipeline import Pipeline
from archive.models import Article, IndexChange, Source
from archive.search.service import SearchRequest, run_search

pytestmark = pytest.mark.django_db(transaction=True)

BODY = (
    "قالت وزارة الدفاع في بيان اليوم إن المحادثات بين الجانبين أحرزت تقدما ملموسا في ملف سلامة الطيران "
    "فوق المناطق المتنازع عليها، وإن جولة جديدة ستعقد الأسبوع المقبل في العاصمة رقم {n}."
)


def export(path, count: int):
    lines = [
        json.dumps(
            {
                "url": f"https://new-outlet.example/{n}",
                "source_name": "منفذ جديد",
                "title": f"خبر {n}",
                "text": BODY.format(n=n) + f" والكلمة{n}",
            },
            ensure_ascii=False,
        )
        for n in range(count)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_source_created_by_a_rolled_back_article_is_not_reused(tmp_path, monkeypatch):
    failed = []
    group_story = Pipeline.group_story

    def fails_once(self, article):
        if not failed:
            failed.append(article.title)
            raise OSError("disk I/O error")
        return group_story(self, article)

    monkeypatch.setattr(Pipeline, "group_story", fails_once)
    summary = Pipeline().run([export(tmp_path / "export.jsonl", 3)])

    assert failed == ["خبر 0"]
    assert [r.reason for r in summary.rejected] == ["could not be ingested: OSError: disk I/O error"]
    assert summary.added == 2 and summary.duplicates == 0
    assert summary.new_sources == ["منفذ جديد"]
    source = Source.objects.get(name="منفذ جديد")
    assert set(Article.objects.values_list("source", flat=True)) == {source.pk}
    assert not Article.objects.filter(title="خبر 0").exists()
    assert run_search(SearchRequest(q="والكلمة1")).count == 1
    assert not IndexChange.objects.exists()
    assert not summary.index_behind and "index: up to date (2 articles)" in summary.lines()
