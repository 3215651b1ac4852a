"""Where the embedded default (SQLite + Whoosh) ends: one archive grown to ×N the corpus, measured.

Copies an archive already loaded with the corpus (--base: ×1, 71k articles; read only, copied with
`cp -a` into --scratch), measures it, then grows it step by step to each --times N: each step builds
only the copies it adds (copy k of ../shared/corpus/*.jsonl.gz has its own ids and URLs, dates shifted
20·k years back and a marker line, so that no article is a duplicate of another), ingests them with
`manage.py ingest`, deletes their JSON Lines and measures again. Each measure runs in a fresh
`manage.py shell` process, as a web worker would start: a never-seen query's p95 (each query run
once), a warm query's p95 (the same queries again), browsing p95 (source and month pages), the
worker's RSS and the index's segments. One JSON line per step, printed and appended to --results.

    nice -n 5 .venv/bin/python bench/scale_curve.py --base var/loadtest/base --scratch /tmp/scale \
        --results scale.jsonl --times 1 --times 2 --times 4 --times 8
    .venv/bin/python bench/scale_curve.py --from-scratch --limit 300 --times 1 --times 2   # smoke run

CPU-heavy: every copy is one ingest of 71k articles. docs/scaling.md has the figures measured.
"""

import argparse
import gzip
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
YEARS_PER_COPY = 20

MEASURE = r"""
import json, random, re, statistics, time
from django.test import Client
from archive.models import Article, Source
from archive.search.service import SearchRequest, run_search

def p95(samples):
    samples = sorted(samples)
    return round(1000 * samples[max(0, int(len(samples) * 0.95) - 1)], 1)

rng = random.Random(5)
titles = list(Article.objects.order_by("?").values_list("title", flat=True)[:400])
words = sorted({w for t in titles for w in re.findall(r"[\u0621-\u064a]{5,}", t)})
queries = rng.sample(words, min(60, len(words)))
cold, warm = [], []
for q in queries:
    started = time.perf_counter(); run_search(SearchRequest(q=q)); cold.append(time.perf_counter() - started)
for q in queries:
    started = time.perf_counter(); run_search(SearchRequest(q=q)); warm.append(time.perf_counter() - started)
client = Client(HTTP_HOST="127.0.0.1")
pages = [f"/sources/{slug}/" for slug in Source.objects.values_list("slug", flat=True)[:10]]
months = Article.objects.filter(published_on__isnull=False).dates("published_on", "month")
pages += [f"/dates/{d.year}/{d.month:02d}/" for d in list(months)[:: max(1, len(months) // 20)]]
browse = []
for url in pages * 2:
    started = time.perf_counter(); response = client.get(url); browse.append(time.perf_counter() - started)
    assert response.status_code == 200, (url, response.status_code)
from archive.search.indexing import backend
segments = len(backend().index.refresh()._segments())
status = open("/proc/self/status").read()
rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) // 1024
print("MEASURED" + json.dumps({"articles": Article.objects.count(), "cold_p95_ms": p95(cold),
      "warm_p95_ms": p95(warm), "browse_p95_ms": p95(browse), "worker_rss_mb": rss,
      "segments": segments}))
"""


def shifted(value: str, years: int) -> str:
    """An ISO date or date-time moved back by whole years (29 February becomes the 28th)."""
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", value or "")
    if not match:
        return value
    year, month, day = (int(g) for g in match.groups())
    moved = date(year - years, month, min(day, 28) if month == 2 else day)
    return moved.isoformat() + value[10:]


def growth_steps(sizes: list[int], loaded: int) -> list[tuple[int, range]]:
    """Each size with the copies its step adds to an archive already holding copies 0..loaded-1.

    growth_steps([1, 2, 4, 8], 1) == [(1, range(1, 1)), (2, range(1, 2)), (4, range(2, 4)), (8, range(4, 8))]
    """
    steps = []
    for times in sorted(set(sizes)):
        if times < loaded:
            raise ValueError(f"×{times} is smaller than the ×{loaded} archive it would grow from")
        steps.append((times, range(loaded, times)))
        loaded = times
    return steps


def build_corpus(corpus: Path, copies: range, out: Path, limit: int | None) -> int:
    """The given copies of the corpus, distinct from each other, in one JSON Lines file; returns
    the number of articles (copy 0 is the corpus as it is)."""
    count = 0
    with out.open("w", encoding="utf-8") as target:
        for copy in copies:
            taken = 0
            for source in sorted(corpus.glob("*.jsonl.gz")):
                with gzip.open(source, "rt", encoding="utf-8") as lines:
                    for line in lines:
                        if limit and taken >= limit:
                            break
                        record = json.loads(line)
                        if copy:
                            record["url"] = f"{record.get('url', '')}#copy{copy}"
                            record["id"] = f"{record.get('id', '')}-copy{copy}"
                            for key in ("published", "date", "published_at"):
                                if isinstance(record.get(key), str):
                                    record[key] = shifted(record[key], copy * YEARS_PER_COPY)
                            record["text"] = f"{record.get('text', '')}\n(نسخة {copy})"
                        target.write(json.dumps(record, ensure_ascii=False) + "\n")
                        taken += 1
                        count += 1
    return count


def manage(data_dir: Path, *args) -> subprocess.CompletedProcess:
    env = {**os.environ, "ARCHIVE_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *map(str, args)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )


def manage_or_exit(data_dir: Path, *args) -> subprocess.CompletedProcess:
    done = manage(data_dir, *args)
    if done.returncode:
        sys.exit(f"manage.py {' '.join(map(str, args))} failed:\n{done.stderr[-3000:]}")
    return done


def size_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20, 1)


def prepare(data: Path, base: Path | None) -> None:
    """The archive to grow: a copy of the loaded base, or an empty one; migrated, with its static files."""
    if data.exists():
        shutil.rmtree(data)
    data.parent.mkdir(parents=True, exist_ok=True)
    if base:
        subprocess.run(["cp", "-a", str(base), str(data)], check=True)
    else:
        data.mkdir()
    manage_or_exit(data, "migrate", "--noinput", "-v0")
    # A migration that rebuilds the article table leaves the old pages free in the file: not the size
    # an archive of this size needs.
    with closing(sqlite3.connect(data / "archive.sqlite3")) as database:
        database.execute("VACUUM")
    manage_or_exit(data, "collectstatic", "--noinput", "-v0")  # the pages' stylesheet manifest


def ingest(data: Path, corpus: Path, copies: range, limit: int | None) -> dict:
    """Adds the copies to the archive; the step's figures (none when it adds nothing)."""
    if not copies:
        return {"copies": [], "built": 0, "added": 0, "ingest_s": None, "ingest_rate": None}
    crawl = data.parent / f"copies-{copies.start}-{copies.stop - 1}.jsonl"
    built = build_corpus(corpus, copies, crawl, limit)
    started = time.perf_counter()
    done = manage(data, "ingest", crawl)
    elapsed = time.perf_counter() - started
    crawl.unlink()
    if done.returncode not in (0, 1):
        sys.exit(f"ingest failed:\n{done.stderr[-3000:]}")
    summary = dict(re.findall(r"^(added|duplicates|rejected): (\d+)$", done.stdout, re.M))
    added = int(summary.get("added", 0))
    return {
        "copies": list(copies),
        "built": built,
        "added": added,
        "duplicates": int(summary.get("duplicates", 0)),
        "rejected": int(summary.get("rejected", 0)),
        "ingest_status": done.returncode,
        "ingest_s": round(elapsed, 1),
        "ingest_rate": round(added / elapsed, 1),
    }


def measure(data: Path) -> dict:
    """The archive as a fresh web worker sees it, and its size on disk."""
    done = manage_or_exit(data, "shell", "-c", MEASURE)
    figures = json.loads(done.stdout.split("MEASURED", 1)[1])
    index_mb = size_mb(data / "whoosh_index")
    figures.update(
        index_mb=index_mb, database_mb=round(size_mb(data) - index_mb - size_mb(data / "static"), 1)
    )
    return figures


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--times", type=int, action="append", help="copies of the corpus (repeatable)")
    start = parser.add_mutually_exclusive_group(required=True)
    start.add_argument("--base", type=Path, help="a data folder holding the corpus loaded (×1), copied")
    start.add_argument("--from-scratch", action="store_true", help="start from an empty archive")
    parser.add_argument(
        "--scratch", type=Path, help="a folder with room for the archive (default: a temp dir)"
    )
    parser.add_argument("--limit", type=int, help="articles per copy, for a quick check")
    parser.add_argument("--results", type=Path, help="a file each step's JSON line is appended to")
    args = parser.parse_args()
    if args.base and not (args.base / "archive.sqlite3").is_file():
        parser.error(f"{args.base}: no archive.sqlite3 in it")
    scratch = (args.scratch or Path(tempfile.mkdtemp(prefix="archive-scale-"))).resolve()
    data = scratch / "archive"
    prepare(data, args.base.resolve() if args.base else None)
    for times, copies in growth_steps(args.times or [1], 1 if args.base else 0):
        figures = {"times": times, **ingest(data, args.corpus, copies, args.limit), **measure(data)}
        line = json.dumps(figures)
        print(line, flush=True)
        if args.results:
            with args.results.open("a", encoding="utf-8") as results:
                results.write(line + "\n")
    print(f"The archive is left in {data}; delete it when done.", flush=True)


if __name__ == "__main__":
    main()
