"""Two `manage.py ingest` processes and an editor's saves at once on PostgreSQL: nothing is lost.

The processes run on a database of their own (made here, dropped at the end) and a data folder of their
own, as two crawlers and a newsroom would; the test ends with `check_index`, which compares every
document with the database.
"""

import json
import secrets
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from .ingest.test_crash import write_corpus
from .processes import manage

pytestmark = pytest.mark.postgres

ARTICLES = 600

EDITOR = """
import json, random, time
from archive.models import Annotation, Article

rng = random.Random(11)
log = {"titles": {}, "annotations": [], "errors": []}
deadline = time.monotonic() + 240
while time.monotonic() < deadline and len(log["annotations"]) < 30:
    ids = list(Article.objects.values_list("pk", flat=True)[:3000])
    if len(ids) < 20:
        time.sleep(0.2)
        continue
    pk = rng.choice(ids)
    try:
        article = Article.objects.get(pk=pk)
        if rng.random() < 0.5:
            article.title = f"عنوان مصحح {pk} {len(log['titles'])}"
            article.save()
            log["titles"][pk] = article.title
        else:
            note = Annotation.objects.create(article=article, text="تحقق", status="verified")
            log["annotations"].append(note.pk)
    except Exception as error:
        log["errors"].append(f"{type(error).__name__}: {error}")
    time.sleep(0.05)
print("EDITOR" + json.dumps(log))
"""

COUNTS = """
import json
from archive.models import Annotation, Article
print("COUNTS" + json.dumps({
    "articles": Article.objects.count(),
    "annotations": sorted(Annotation.objects.values_list("pk", flat=True)),
    "titles": dict(Article.objects.values_list("pk", "title")),
}))
"""


def database_url(name: str) -> str:
    db = settings.DATABASES["default"]
    auth = f"{quote(db['USER'], safe='')}:{quote(db['PASSWORD'], safe='')}@" if db["USER"] else ""
    return f"postgres://{auth}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture
def scratch_database():
    """A database of the test's own, reached by URL from the subprocesses."""
    import psycopg

    db = settings.DATABASES["default"]
    name = f"archive_concurrency_{secrets.token_hex(4)}"
    params = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"]}
    with psycopg.connect(dbname="postgres", password=db["PASSWORD"], autocommit=True, **params) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield database_url(name)
    with psycopg.connect(dbname="postgres", password=db["PASSWORD"], autocommit=True, **params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage_on(url: str, data_dir: Path, *args) -> subprocess.Popen:
    return manage(data_dir, *args, env={"DATABASE_URL": url})


def finish(process: subprocess.Popen, timeout: float = 600) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def test_two_ingests_and_an_editor_at_once_lose_nothing(scratch_database, tmp_path):
    data = tmp_path / "data"
    code, out, err = finish(manage_on(scratch_database, data, "migrate", "--noinput"))
    assert code == 0, out + err
    crawls = [write_corpus(tmp_path / f"crawl{seed}.jsonl", ARTICLES, seed=seed) for seed in (3, 4)]

    ingests = [manage_on(scratch_database, data, "ingest", crawl) for crawl in crawls]
    editor = manage_on(scratch_database, data, "shell", "-c", EDITOR)
    code, editor_out, editor_err = finish(editor)
    assert code == 0, editor_err
    log = json.loads(editor_out.split("EDITOR", 1)[1])
    for ingest in ingests:
        code, out, err = finish(ingest)
        assert code == 0, out + err
    assert not log["errors"], log["errors"]
    assert log["titles"] and log["annotations"]

    code, out, err = finish(manage_on(scratch_database, data, "shell", "-c", COUNTS))
    assert code == 0, err
    stored = json.loads(out.split("COUNTS", 1)[1])
    assert stored["articles"] == 2 * ARTICLES
    assert stored["annotations"] == sorted(log["annotations"])
    # The last title the editor saved for each article is the one stored.
    assert {pk: stored["titles"][pk] for pk in log["titles"]} == log["titles"]

    code, out, err = finish(manage_on(scratch_database, data, "check_index"))
    assert code == 0 and "The index matches the database." in out, out + err
