"""Real `manage.py ingest` processes: killed midway, and written to by an editor while they run.

Each test runs the commands in subprocesses on a data folder of its own, as an operator would, and
ends with `check_index`: the index must equal the database without any manual repair.
"""

import json
import random
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from ..processes import manage

# The commands' subprocesses use the data folder's SQLite database, which `stored` reads directly;
# tests/test_postgres_concurrency.py runs ingests and editors together on PostgreSQL.
pytestmark = pytest.mark.sqlite

ARTICLES = 1500
WORDS = (
    "الحكومة البرلمان المدينة الجيش الوزير الاتفاق المفاوضات الانتخابات المعارضة الميناء الطريق "
    "المستشفى المدرسة الاقتصاد النفط الكهرباء المياه الزراعة الصحة التعليم اللاجئين الحدود"
).split()


def run(data_dir: Path, *args, timeout: float = 300) -> tuple[int, str]:
    process = manage(data_dir, *args)
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out + err


def write_corpus(path: Path, count: int, seed: int) -> Path:
    """Distinct made-up articles (no two share enough shingles to be grouped as copies)."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            body = "\n".join(" ".join(rng.choices(WORDS, k=40)) for _ in range(3))
            record = {
                "url": f"https://news.example/{seed}/{n}",
                "source_name": "أخبار المثال",
                "published": f"2018-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
                "title": f"خبر رقم {n} {rng.choice(WORDS)}",
                "text": f"{body}\nرمز{seed}x{n}",
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def stored(data_dir: Path) -> int:
    try:
        with sqlite3.connect(f"file:{data_dir / 'archive.sqlite3'}?mode=ro", uri=True, timeout=5) as db:
            return db.execute("select count(*) from archive_article").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found.update(int(child) for child in task.read_text().split())
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def wait_until(condition, seconds: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


@pytest.fixture
def data_dir(tmp_path):
    folder = tmp_path / "data"
    code, output = run(folder, "migrate", "--noinput")
    assert code == 0, output
    return folder


def test_kill_9_midway_then_rerun_leaves_index_equal_to_database(data_dir, tmp_path):
    corpus = write_corpus(tmp_path / "crawl.jsonl", ARTICLES, seed=1)
    ingest = manage(data_dir, "ingest", corpus)
    try:
        midway = wait_until(lambda: stored(data_dir) >= ARTICLES // 3 and children(ingest.pid), 240)
        assert midway, "the ingest never reached its bulk writer's subprocesses"
        writers = children(ingest.pid)
        ingest.send_signal(signal.SIGKILL)
        ingest.wait(30)
    finally:
        if ingest.poll() is None:
            ingest.kill()
        ingest.communicate()
    assert 0 < stored(data_dir) < ARTICLES
    assert wait_until(lambda: not any(alive(pid) for pid in writers), 15), "writer subprocesses outlived"

    code, output = run(data_dir, "ingest", corpus)
    assert code == 0, output
    assert f"index: up to date ({ARTICLES} articles)" in output
    code, output = run(data_dir, "check_index")
    assert code == 0 and "The index matches the database." in output, output


EDITOR = """
import json, random, time
from django.db import transaction
from archive.models import Annotation, Article

rng = random.Random(7)
log = {"edited": [], "annotated": [], "deleted": [], "slowest": 0.0, "errors": []}
deadline = time.monotonic() + 120
while time.monotonic() < deadline and len(log["edited"]) < 40:
    ids = list(Article.objects.values_list("pk", flat=True)[:2000])
    if len(ids) < 50:
        time.sleep(0.2)
        continue
    pk = rng.choice(ids)
    started = time.monotonic()
    try:
        article = Article.objects.get(pk=pk)
        action = rng.choice(["edit", "annotate", "delete", "edit"])
        if action == "edit":
            article.title = f"عنوان مصحح {pk}"
            article.save()
            log["edited"].append(pk)
        elif action == "annotate":
            Annotation.objects.create(article=article, text="تحقق", status="verified")
            log["annotated"].append(pk)
        else:
            article.delete()
            log["deleted"].append(pk)
    except Article.DoesNotExist:
        continue
    except Exception as error:
        log["errors"].append(f"{type(error).__name__}: {error}")
    log["slowest"] = max(log["slowest"], time.monotonic() - started)
    time.sleep(0.1)
print("EDITOR" + json.dumps(log))
"""


def test_saves_and_deletes_during_an_ingest_raise_nothing_and_reach_the_index(data_dir, tmp_path):
    corpus = write_corpus(tmp_path / "crawl.jsonl", ARTICLES, seed=2)
    ingest = manage(data_dir, "ingest", corpus)
    editor = manage(data_dir, "shell", "-c", EDITOR)
    editor_out, editor_err = editor.communicate(timeout=300)
    ingest_out, ingest_err = ingest.communicate(timeout=300)
    assert editor.returncode == 0, editor_err
    log = json.loads(editor_out.split("EDITOR", 1)[1])
    assert not log["errors"], log["errors"]
    assert log["edited"] and log["deleted"] and log["annotated"]
    assert ingest.returncode == 0, ingest_out + ingest_err
    assert stored(data_dir) == ARTICLES - len(set(log["deleted"]))
    code, output = run(data_dir, "check_index")
    assert code == 0 and "The index matches the database." in output, output
