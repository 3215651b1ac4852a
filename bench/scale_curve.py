"""Where the embedded default (SQLite + Whoosh) ends: the archive at ×N the corpus, measured.

Builds, in a scratch folder, a corpus of N copies of ../shared/corpus/*.jsonl.gz (71k articles), each
copy with its own URLs, its own dates (shifted 20 years back per copy) and a marker line, so that no
article is a duplicate of another; ingests it into a fresh data folder; then, in one `manage.py shell`
process as a web worker would be, measures a never-seen query's p95 (each query run once), a warm
query's p95 (the same queries again), browsing p95 (source and month pages) and the worker's RSS.

    nice -n 10 .venv/bin/python bench/scale_curve.py --times 1 --times 2 [--scratch DIR] [--limit N]

CPU-heavy: ×1 is one full ingest of 71k articles. docs/scaling.md has the figures measured.
"""

import argparse
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
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
status = open("/proc/self/status").read()
rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) // 1024
print("MEASURED" + json.dumps({"articles": Article.objects.count(), "cold_p95_ms": p95(cold),
      "warm_p95_ms": p95(warm), "browse_p95_ms": p95(browse), "worker_rss_mb": rss}))
"""


def shifted(value: str, years: int) -> str:
    """An ISO date or date-time moved back by whole years (29 February becomes the 28th)."""
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", value or "")
    if not match:
        return value
    year, month, day = (int(g) for g in match.groups())
    moved = date(year - years, month, min(day, 28) if month == 2 else day)
    return moved.isoformat() + value[10:]


def build_corpus(corpus: Path, times: int, out: Path, limit: int | None) -> int:
    """N distinct copies of the corpus in one JSON Lines file; returns the number of articles."""
    count = 0
    with out.open("w", encoding="utf-8") as target:
        for copy in range(times):
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


def manage(data_dir: Path, *args, timeout: float | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "ARCHIVE_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *map(str, args)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def size_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20, 1)


def measure(times: int, corpus: Path, scratch: Path, limit: int | None) -> dict:
    folder = scratch / f"x{times}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    crawl = folder / "corpus.jsonl"
    built = build_corpus(corpus, times, crawl, limit)
    data = folder / "data"
    done = manage(data, "migrate", "--noinput")
    if done.returncode:
        sys.exit(done.stderr[-3000:])
    started = time.perf_counter()
    done = manage(data, "ingest", crawl)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"ingest failed:\n{done.stderr[-3000:]}")
    manage(data, "collectstatic", "--noinput", "-v0")  # the pages' stylesheet manifest
    done = manage(data, "shell", "-c", MEASURE)
    if done.returncode:
        sys.exit(done.stderr[-3000:])
    figures = json.loads(done.stdout.split("MEASURED", 1)[1])
    figures.update(
        times=times,
        built=built,
        ingest_s=round(elapsed, 1),
        ingest_rate=round(figures["articles"] / elapsed, 1),
        index_mb=size_mb(data / "whoosh_index"),
        database_mb=size_mb(data) - size_mb(data / "whoosh_index"),
    )
    shutil.rmtree(folder)
    return figures


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--times", type=int, action="append", help="copies of the corpus (repeatable)")
    parser.add_argument(
        "--scratch", type=Path, help="a folder with room for the copies (default: a temp dir)"
    )
    parser.add_argument("--limit", type=int, help="articles per copy, for a quick check")
    args = parser.parse_args()
    scratch = args.scratch or Path(tempfile.mkdtemp(prefix="archive-scale-"))
    for times in args.times or [1]:
        print(json.dumps(measure(times, args.corpus, scratch, args.limit)), flush=True)


if __name__ == "__main__":
    main()
