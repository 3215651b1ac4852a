"""Ingestion speed: `manage.py ingest` of a corpus file into a fresh database and index, indexing included.

Each run starts from an empty data folder in a subprocess, as a user's first bulk load would.
Prints articles per second for each run and the median.
"""

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run_once(corpus_file: Path, python: str) -> tuple[int, float]:
    with tempfile.TemporaryDirectory(prefix="archive-bench-") as data_dir:
        env = {"ARCHIVE_DATA_DIR": data_dir, "PATH": "/usr/bin:/bin"}
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
    args = parser.parse_args()
    corpus_file = args.corpus / args.file
    if not corpus_file.exists():
        sys.exit(f"{corpus_file} not found")
    rates, times = [], []
    for run in range(1, args.runs + 1):
        added, elapsed = run_once(corpus_file, sys.executable)
        rates.append(added / elapsed)
        times.append(elapsed)
        print(
            f"run {run}: {added} articles in {elapsed:.1f} s = {added / elapsed:.1f} articles/s", flush=True
        )
    print(
        f"ingest {args.file}: median {statistics.median(times):.1f} s, "
        f"median {statistics.median(rates):.1f} articles/s over {args.runs} run(s) (target: under 300 s)"
    )


if __name__ == "__main__":
    main()
