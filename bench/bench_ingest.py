"""Ingestion speed: `manage.py ingest` of a corpus file into a fresh database and index, indexing included.

Each run starts from an empty data folder in a subprocess, as a user's first bulk load would.
Prints articles per second for each run and the median. With --database-url postgres://… (or
DATABASE_URL) the runs alternate between SQLite and a fresh database on that PostgreSQL server
(made and dropped by the run; the role needs CREATEDB), so that both see the same machine load.
"""

import argparse
import gzip
import itertools
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def scratch_postgres(server_url: str):
    """A fresh database on the server of server_url, as a URL; dropped when the block ends."""
    import contextlib
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    @contextlib.contextmanager
    def database():
        parts = urlsplit(server_url)
        name = f"archive_bench_{secrets.token_hex(4)}"
        admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urlunsplit(parts._replace(path=f"/{name}"))
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return database()


def first_articles(corpus_file: Path, limit: int, folder: Path) -> Path:
    """The first `limit` lines of a JSON Lines corpus, as a file of their own."""
    path = folder / f"first-{limit}.jsonl"
    with gzip.open(corpus_file, "rt", encoding="utf-8") as lines, path.open("w", encoding="utf-8") as out:
        out.writelines(itertools.islice(lines, limit))
    return path


def run_once(corpus_file: Path, python: str, database_url: str | None = None) -> tuple[int, float]:
    with tempfile.TemporaryDirectory(prefix="archive-bench-") as data_dir:
        env = {"ARCHIVE_DATA_DIR": data_dir, "PATH": "/usr/bin:/bin"}
        if database_url:
            env["DATABASE_URL"] = database_url
        subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=REPO, env=env, check=True)
        started = time.perf_counter()
        done = subprocess.run(
            [python, "manage.py", "ingest", str(corpus_file)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - started
        if done.returncode not in (0, 1):
            sys.exit(f"ingest failed:\n{done.stderr[-3000:]}")
        added = int(re.search(r"^added: (\d+)", done.stdout, re.M).group(1))
        print(done.stdout.strip().splitlines()[0:4], flush=True)
        return added, elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--file", default="ant-multisource-2018.jsonl.gz")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--limit", type=int, help="ingest only the file's first N articles")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"), help="a PostgreSQL server")
    args = parser.parse_args()
    corpus_file = args.corpus / args.file
    if not corpus_file.exists():
        sys.exit(f"{corpus_file} not found")
    stores = ["sqlite", "postgres"] if args.database_url else ["sqlite"]
    rates: dict[str, list[float]] = {store: [] for store in stores}
    times: dict[str, list[float]] = {store: [] for store in stores}
    with tempfile.TemporaryDirectory(prefix="archive-bench-corpus-") as folder:
        if args.limit:
            corpus_file = first_articles(corpus_file, args.limit, Path(folder))
        for run, store in itertools.product(range(1, args.runs + 1), stores):
            if store == "postgres":
                with scratch_postgres(args.database_url) as url:
                    added, elapsed = run_once(corpus_file, sys.executable, url)
            else:
                added, elapsed = run_once(corpus_file, sys.executable)
            rates[store].append(added / elapsed)
            times[store].append(elapsed)
            print(
                f"run {run} {store}: {added} articles in {elapsed:.1f} s = {added / elapsed:.1f} articles/s",
                flush=True,
            )
    for store in stores:
        print(
            f"ingest {args.file} on {store}: median {statistics.median(times[store]):.1f} s, "
            f"median {statistics.median(rates[store]):.1f} articles/s over {args.runs} run(s)"
        )
    if len(stores) == 2:
        ratio = statistics.median(rates["postgres"]) / statistics.median(rates["sqlite"])
        print(f"PostgreSQL / SQLite rate: {ratio:.2f}")


if __name__ == "__main__":
    main()
