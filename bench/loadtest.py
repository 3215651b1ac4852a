"""Reliability under load: journalists searching and reading while an ingest writes, against gunicorn.

The corpus is ingested once into --data-dir/base and reused by later runs (all of it takes about ten
minutes on two cores). Each run serves a fresh copy of it with gunicorn started as `make run` starts
it, and for --seconds has --users concurrent keep-alive clients mix searches, JSON API searches,
source and date pages, article pages, the chart and CSV exports, while `manage.py ingest` adds
--extra new articles derived from corpus records. Reports every kind of request's count, errors,
p50, p95 and max, the workers' resident memory, the ingest's summary and `check_index`; exits with
status 1 if anything failed. All traffic goes to 127.0.0.1.

Its doctests: `cd bench && python -m doctest loadtest.py`.
"""

import argparse
import contextlib
import gzip
import http.client
import itertools
import json
import math
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import quote, unquote_plus, urlencode

from bench_search import CORPUS_FILES, percentile

REPO = Path(__file__).resolve().parent.parent
# `make run`'s options; only the address differs.
GUNICORN_OPTIONS = ["--workers", "2", "--threads", "4", "--limit-request-line", "16384"]
REQUEST_TIMEOUT = 30  # seconds; gunicorn's own worker timeout is 30 s too
# How often each kind of request comes up; the chart and the exports now and then.
MIX = {"search": 30, "api": 15, "source": 12, "date": 12, "article": 25, "chart": 3, "export": 3}
ARABIC_WORD = re.compile(r"[\u0621-\u064a]{4,}")


def corpus_lines(paths: list[Path], limit: int | None = None):
    """The corpus's JSON lines, file after file; with a limit, taken in turn from each file."""
    with contextlib.ExitStack() as stack:
        streams = [(line for line in stack.enter_context(gzip.open(p, "rb")) if line.strip()) for p in paths]
        if limit is None:
            yield from itertools.chain(*streams)
            return
        taken = 0
        while streams and taken < limit:
            for stream in list(streams):
                line = next(stream, None)
                if line is None:
                    streams.remove(stream)
                    continue
                yield line
                taken += 1
                if taken == limit:
                    return


def halves(text: str) -> tuple[list[str], list[str]]:
    r"""The lines of a text cut at its middle word, the line there cut in two.

    >>> halves("one two three\nfour five")
    (['one two'], ['three', 'four five'])
    """
    lines = [line.split() for line in text.splitlines()]
    middle = sum(map(len, lines)) // 2
    for at, words in enumerate(lines):
        if middle < len(words) or at == len(lines) - 1:
            head = [" ".join(line) for line in lines[:at]] + [" ".join(words[:middle])]
            tail = [" ".join(words[middle:])] + [" ".join(line) for line in lines[at + 1 :]]
            return [line for line in head if line], [line for line in tail if line]
        middle -= len(words)
    return [], []


def derived_record(first: dict, second: dict, n: int) -> dict:
    """A new article made from two corpus records: a new id and URL, and a text of its own.

    Nine in ten join the first half of one text to the second half of the next, new stories that
    share too little with either to be taken for a copy; every tenth is the first text with a line
    added, a syndicated copy that the ingest puts in the original's story group.
    """
    if n % 10 == 9:
        outlet = first.get("source_name") or first["source"]
        text = first["text"] + f"\n(نقلا عن {outlet})"
    else:
        text = "\n".join(halves(first["text"])[0] + halves(second["text"])[1])
    return {**first, "id": f"loadtest-{n}", "url": f"{first['url'].rstrip('/')}/loadtest-{n}", "text": text}


def write_extra(path: Path, lines, extra: int) -> None:
    """Writes `extra` derived records (JSON Lines), taken evenly over the loaded corpus's lines."""
    records = list(lines)
    total = len(records)
    step = max(1, total // extra)
    with open(path, "w", encoding="utf-8") as out:
        for n in range(extra):
            at = (n * step + n // total) % total
            first, second = json.loads(records[at]), json.loads(records[(at + 1) % total])
            out.write(json.dumps(derived_record(first, second, n), ensure_ascii=False) + "\n")


def environment(data_dir: Path) -> dict:
    return {**os.environ, "ARCHIVE_DATA_DIR": str(data_dir)}


def manage(data_dir: Path, *args, **options) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=environment(data_dir), **options
    )


def load_base(base: Path, corpus: Path, limit: int | None) -> dict:
    """The loaded corpus in `base`, ingested now unless an earlier run left the same load there."""
    marker = base / "loaded.json"
    wanted = {"files": CORPUS_FILES, "limit": limit}
    if marker.exists():
        loaded = json.loads(marker.read_text())
        if {key: loaded.get(key) for key in wanted} == wanted:
            print(f"Reusing the corpus loaded in {base}: {loaded['articles']} articles", flush=True)
            return loaded
    if base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True)
    manage(base, "migrate", "-v0", check=True)
    manage(base, "collectstatic", "--noinput", "-v0", check=True)
    paths = [corpus / name for name in CORPUS_FILES]
    if limit is not None:
        slice_file = base / f"corpus-slice-{limit}.jsonl"
        with open(slice_file, "wb") as out:
            out.writelines(corpus_lines(paths, limit))
        paths = [slice_file]
    print(f"Loading the corpus into {base} (once; later runs reuse it)", flush=True)
    started = time.perf_counter()
    done = manage(base, "ingest", *map(str, paths), stdout=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"loading the corpus failed (status {done.returncode})")
    added = int(re.search(r"^added: (\d+)", done.stdout, re.M).group(1))
    loaded = {
        **wanted,
        "articles": added,
        "seconds": round(seconds, 1),
        "summary": done.stdout.splitlines()[:4],
    }
    marker.write_text(json.dumps(loaded, ensure_ascii=False, indent=1))
    print(
        f"Loaded {added} articles in {seconds:.0f} s ({1000 * seconds / added:.1f} s per 1,000)", flush=True
    )
    return loaded


@dataclass
class Targets:
    """What the users ask for, read from the database before the load."""

    queries: list[str]
    sources: list[tuple[str, int]]  # slug, pages of articles
    days: list[date]
    articles: list[int]


def title_queries(titles: list[str], rng: random.Random) -> list[str]:
    """One query per title, no two alike: a word, two words, or now and then a quoted phrase."""
    queries = {}
    for title in titles:
        words = ARABIC_WORD.findall(title)
        if not words:
            continue
        at = rng.randrange(len(words))
        roll = rng.random()
        if roll < 0.5 or at + 1 == len(words):
            queries[words[at]] = None
        elif roll < 0.9:
            queries[f"{words[at]} {words[at + 1]}"] = None
        else:
            queries[f'"{words[at]} {words[at + 1]}"'] = None
    return list(queries)


def read_targets(rng: random.Random, samples: int) -> Targets:
    import django

    django.setup()
    from django.db import connections
    from django.db.models import Count

    from archive.models import Article, Source
    from archive.web.views import ARTICLES_PER_PAGE

    ids = list(Article.objects.values_list("pk", flat=True))
    picked = rng.sample(ids, min(samples, len(ids)))
    titles = dict(Article.objects.filter(pk__in=picked).values_list("pk", "title"))
    sources = [
        (slug, max(1, math.ceil(n / ARTICLES_PER_PAGE)))
        for slug, n in Source.objects.annotate(n=Count("articles")).filter(n__gt=0).values_list("slug", "n")
    ]
    days = list(Article.objects.exclude(published_on=None).dates("published_on", "day"))
    connections.close_all()
    return Targets(
        title_queries([titles[pk] for pk in picked], rng), sources, days, rng.sample(ids, len(picked))
    )


class Queries:
    """The query pool, shared by the users so that a query is searched once until the pool runs out."""

    def __init__(self, queries: list[str]):
        self.size = len(queries)
        self.used = 0
        self._next = itertools.cycle(queries)
        self._lock = threading.Lock()

    def take(self) -> str:
        with self._lock:
            self.used += 1
            return next(self._next)


def request_path(kind: str, rng: random.Random, targets: Targets, queries: Queries) -> str:
    if kind == "search":
        params = {"q": queries.take()}
        if rng.random() < 0.25:
            params["source"] = rng.choice(targets.sources)[0]
        return "/?" + urlencode(params)
    if kind == "api":
        return "/api/search/?" + urlencode({"q": queries.take(), "page": rng.choice([1, 1, 2])})
    if kind == "source":
        slug, pages = rng.choice(targets.sources)
        page = rng.randint(1, pages) if rng.random() < 0.5 else 1
        return f"/sources/{quote(slug)}/" + (f"?page={page}" if page > 1 else "")
    if kind == "date":
        day = rng.choice(targets.days)
        parts = [f"{day.year:04}", f"{day.month:02}", f"{day.day:02}"][: rng.randint(1, 3)]
        return "/dates/" + "/".join(parts) + "/"
    if kind == "article":
        return f"/articles/{rng.choice(targets.articles)}/"
    if kind == "chart":
        return "/chart.svg?" + urlencode({"q": queries.take()})
    if kind == "export":
        return "/export.csv?" + urlencode({"q": queries.take()})
    raise ValueError(kind)


@dataclass
class Sample:
    kind: str
    path: str
    sent: float  # time.monotonic()
    ms: float
    status: int | None  # None: no answer (connection error or timeout, in `failure`)
    failure: str = ""

    @property
    def error(self) -> bool:
        return self.status is None or self.status >= 500


def fetch(conn: http.client.HTTPConnection, kind: str, path: str, retries: Counter) -> Sample:
    """One GET, its body read whole; a keep-alive connection the server had closed is reopened once."""
    sent, started = time.monotonic(), time.perf_counter()
    for attempt in (1, 2):
        reused = conn.sock is not None
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            return Sample(kind, path, sent, (time.perf_counter() - started) * 1000, response.status)
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as error:
            conn.close()
            if reused and attempt == 1:
                retries[kind] += 1
                continue
            failure = type(error).__name__
        except (OSError, http.client.HTTPException) as error:
            conn.close()
            failure = type(error).__name__
        return Sample(kind, path, sent, (time.perf_counter() - started) * 1000, None, failure)


def user(number, port, targets, queries, deadline, budget, samples, retries, seed):
    """A journalist's browser: one keep-alive connection, requests back to back until the deadline."""
    rng = random.Random(seed * 1000 + number)
    kinds, weights = list(MIX), list(MIX.values())
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    while time.monotonic() < deadline and next(budget, None) is not None:
        kind = rng.choices(kinds, weights)[0]
        samples.append(fetch(conn, kind, request_path(kind, rng, targets, queries), retries))
    conn.close()


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return sorted(found)


def resident_kb(pid: int) -> int | None:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


@dataclass
class Memory:
    """The gunicorn workers' VmRSS, sampled every second: start, peak and last per worker (kB)."""

    master: int
    workers: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    stop: threading.Event = field(default_factory=threading.Event)

    def sample(self):
        while not self.stop.is_set():
            for pid in children(self.master):
                if (kb := resident_kb(pid)) is not None:
                    self.workers[pid].append(kb)
            self.stop.wait(1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_answering(port: int, server: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with status {server.returncode}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
            conn.request("GET", "/sources/")
            if conn.getresponse().status == 200:
                conn.close()
                return
        time.sleep(0.5)
    sys.exit(f"gunicorn did not answer within {seconds} s")


@contextlib.contextmanager
def gunicorn(run_dir: Path, port: int, log_path: Path):
    """gunicorn serving `run_dir` as `make run` serves var/, stopped on the way out."""
    command = [str(Path(sys.executable).parent / "gunicorn"), "archive.wsgi", "--bind", f"127.0.0.1:{port}"]
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [*command, *GUNICORN_OPTIONS, "--access-logfile", "-"],
            cwd=REPO,
            env=environment(run_dir),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_answering(port, server)
            yield server
        finally:
            server.terminate()
            server.wait(timeout=60)


@dataclass
class Outcome:
    started: float  # time.monotonic() when the users and the ingest started
    samples: list[Sample]
    retries: Counter
    load_seconds: float
    ingest_seconds: float
    ingest_status: int
    ingest_summary: list[str]
    check_status: int
    check_output: str
    memory: Memory
    load_average: float  # the machine's, over the minute before the run: other work shares the cores
    restarts: int
    timeouts: int


def run(args, run_dir: Path, extra_file: Path, targets: Targets, queries: Queries) -> Outcome:
    """The load, with the ingest beside it; then the wait for the ingest to end, and check_index."""
    data_dir = run_dir.parent
    load_average = os.getloadavg()[0]
    port = free_port()
    rng = random.Random(args.seed)
    with gunicorn(run_dir, port, data_dir / "gunicorn.log") as server:
        memory = Memory(server.pid)
        sampler = threading.Thread(target=memory.sample, daemon=True)
        sampler.start()
        warm = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        warm_up = [fetch(warm, kind, request_path(kind, rng, targets, queries), Counter()) for kind in MIX]
        warm.close()
        print(f"gunicorn on 127.0.0.1:{port}; warm-up: " + ", ".join(f"{s.kind} {s.status}" for s in warm_up))
        print(
            f"{args.users} users for {args.seconds:.0f} s while {args.extra} articles are ingested",
            flush=True,
        )
        with open(data_dir / "ingest.log", "w") as ingest_log:
            started = time.monotonic()
            ingest = subprocess.Popen(
                [sys.executable, "manage.py", "ingest", str(extra_file)],
                cwd=REPO,
                env=environment(run_dir),
                stdout=ingest_log,
                stderr=subprocess.STDOUT,
            )
            try:
                samples, retries = [], Counter()
                budget = iter(range(args.max_requests))
                deadline = started + args.seconds
                users = [
                    threading.Thread(
                        target=user,
                        args=(n, port, targets, queries, deadline, budget, samples, retries, args.seed),
                    )
                    for n in range(args.users)
                ]
                for thread in users:
                    thread.start()
                for thread in users:
                    thread.join()
                load_seconds = time.monotonic() - started
                print(f"load done: {len(samples)} requests; waiting for the ingest", flush=True)
                ingest.wait(timeout=max(1.0, args.ingest_timeout - load_seconds))
            finally:
                if ingest.poll() is None:
                    ingest.terminate()
                    ingest.wait()
            ingest_seconds = time.monotonic() - started
        check = manage(run_dir, "check_index", stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        memory.stop.set()
        sampler.join()
    log = (data_dir / "gunicorn.log").read_text(errors="replace")
    ingest_out = (data_dir / "ingest.log").read_text(errors="replace")
    return Outcome(
        started=started,
        samples=samples,
        retries=retries,
        load_seconds=load_seconds,
        ingest_seconds=ingest_seconds,
        ingest_status=ingest.returncode,
        ingest_summary=re.findall(
            r"^(?:added|duplicates|syndicated copies grouped|rejected): \d+$", ingest_out, re.M
        ),
        check_status=check.returncode,
        check_output="; ".join(check.stdout.splitlines()),
        memory=memory,
        load_average=load_average,
        restarts=max(0, log.count("Booting worker") - 2),
        timeouts=log.count("WORKER TIMEOUT"),
    )


def ms(value: float) -> str:
    return f"{value:.0f} ms" if value >= 100 else f"{value:.1f} ms"


def is_other(sample: Sample) -> bool:
    """An answer that is neither a 200 nor an error: a request the load test got wrong."""
    return sample.status is not None and sample.status != 200 and not sample.error


def latency_rows(samples: list[Sample]) -> list[str]:
    by_kind = defaultdict(list)
    for sample in samples:
        by_kind[sample.kind].append(sample)
    groups = [(kind, by_kind[kind]) for kind in MIX if by_kind[kind]] + [("**all**", samples)]
    rows = []
    for kind, group in groups:
        answered = [s.ms for s in group if s.status is not None] or [0.0]
        errors, other = sum(s.error for s in group), sum(map(is_other, group))
        rows.append(
            f"| {kind} | {len(group)} | {errors} | {other} | {ms(statistics.median(answered))} "
            f"| {ms(percentile(answered, 0.95))} | {ms(max(answered))} |"
        )
    return rows


def report(args, loaded: dict, outcome: Outcome, queries: Queries) -> str:
    samples, memory = outcome.samples, outcome.memory
    ingest_end = "finished" if outcome.ingest_status == 0 else f"ended with status {outcome.ingest_status}"
    lines = [
        "## Load test",
        "",
        f"`make loadtest` (bench/loadtest.py), {date.today().isoformat()}: {args.users} users for "
        f"{args.seconds:.0f} s against gunicorn started as `make run` starts it (2 workers × 4 threads), "
        f"serving {loaded['articles']:,} articles while `manage.py ingest` adds {args.extra:,} new ones "
        "(nine in ten new stories spliced from two corpus texts, one in ten a syndicated copy that joins a "
        "story group). Each user keeps one keep-alive connection and sends requests back to back. Queries "
        f"are words of corpus titles: {min(queries.used, queries.size):,} different ones over "
        f"{queries.used:,} searches, charts and exports. Errors are 5xx answers, connection errors and "
        f'timeouts ({REQUEST_TIMEOUT} s); "other" is any other status but 200.',
        "",
        "| request | count | errors | other | p50 | p95 | max |",
        "|---|---|---|---|---|---|---|",
        *latency_rows(samples),
        "",
        f"{len(samples) / outcome.load_seconds:.1f} requests/s over {outcome.load_seconds:.0f} s, on "
        f"{os.cpu_count()} cores whose load average was {outcome.load_average:.1f} before the run. "
        f"Keep-alive connections the server had closed, reopened: {sum(outcome.retries.values())}; "
        f"worker restarts: {outcome.restarts}; worker timeouts: {outcome.timeouts}.",
        "",
        "| worker | VmRSS at start | peak | at the end |",
        "|---|---|---|---|",
        *(
            f"| {n} | {rss[0] / 1024:.0f} MB | {max(rss) / 1024:.0f} MB | {rss[-1] / 1024:.0f} MB |"
            for n, rss in enumerate(memory.workers.values(), 1)
        ),
        "",
        f"The ingest {ingest_end} {outcome.ingest_seconds:.0f} s after it started, "
        f"{outcome.ingest_seconds - outcome.load_seconds:.0f} s after the load ended (memory was sampled "
        f"every second until then): {', '.join(outcome.ingest_summary) or 'no summary'}. "
        f"`check_index` then: {outcome.check_output}",
        "",
        f"Loading the {loaded['articles']:,} articles beforehand took {loaded['seconds']:.0f} s "
        f"({1000 * loaded['seconds'] / loaded['articles']:.1f} s per 1,000).",
        "",
    ]
    slowest = sorted(samples, key=lambda s: s.ms, reverse=True)[:5]
    lines += [
        "Slowest requests (seconds into the load, time):",
        "",
        *(f"- {s.sent - outcome.started:.0f} s, {ms(s.ms)}: `{unquote_plus(s.path)}`" for s in slowest),
        "",
    ]
    failures = Counter((s.kind, s.status or s.failure) for s in samples if s.status != 200)
    if failures:
        lines += [
            "Failures:",
            "",
            *(f"- {kind}: {what} × {n}" for (kind, what), n in failures.most_common(10)),
        ]
        lines.append("")
    # Prose wrapped as the rest of docs/benchmarks.md is; tables, lists and headings as they are.
    return "\n".join(
        line if line.startswith(("|", "- ", "#")) else textwrap.fill(line, 100) for line in lines
    )


def section_in(document: str, section: str) -> str:
    r"""The document with its "## Load test" section replaced by `section`, or `section` appended.

    >>> section_in("# B\n\n## Load test\nold\n\n## Ingestion\ny\n", "## Load test\nnew\n")
    '# B\n\n## Load test\nnew\n\n## Ingestion\ny\n'
    >>> section_in("# B\n\n## Search\nx\n", "## Load test\nnew\n")
    '# B\n\n## Search\nx\n\n## Load test\nnew\n'
    """
    start = document.find("\n## Load test")
    if start == -1:
        return document.rstrip("\n") + "\n\n" + section
    end = document.find("\n## ", start + 1)
    return document[: start + 1] + section + (document[end:] if end != -1 else "")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--data-dir", type=Path, default=REPO / "var" / "loadtest")
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--extra", type=int, default=10000, help="New articles ingested during the load.")
    parser.add_argument("--limit", type=int, help="Load only this many corpus articles (a quick run).")
    parser.add_argument("--max-requests", type=int, default=100_000, help="A bound on the whole load.")
    parser.add_argument("--ingest-timeout", type=float, default=1800, help="Seconds to wait for the ingest.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--write", action="store_true", help="Put the report in docs/benchmarks.md.")
    args = parser.parse_args()
    corpus = [args.corpus / name for name in CORPUS_FILES]
    if missing := [str(path) for path in corpus if not path.exists()]:
        sys.exit(f"not found: {', '.join(missing)}")
    for name in ("DATABASE_URL", "HAYSTACK_URL", "DEBUG", "ARCHIVE_ENV"):
        os.environ.pop(name, None)  # the default store, as on a laptop

    data_dir = args.data_dir.resolve()
    loaded = load_base(data_dir / "base", args.corpus, args.limit)
    run_dir = data_dir / "run"  # a fresh copy each time, so every run starts from the same archive
    if run_dir.exists():
        shutil.rmtree(run_dir)
    shutil.copytree(data_dir / "base", run_dir)
    extra_file = data_dir / "extra.jsonl"
    write_extra(extra_file, corpus_lines(corpus, args.limit), args.extra)

    os.environ["ARCHIVE_DATA_DIR"] = str(run_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    sys.path.insert(0, str(REPO))
    targets = read_targets(random.Random(args.seed), samples=5000)
    queries = Queries(targets.queries)
    outcome = run(args, run_dir, extra_file, targets, queries)

    text = report(args, loaded, outcome, queries)
    print(text)
    if args.write:
        doc = REPO / "docs" / "benchmarks.md"
        doc.write_text(section_in(doc.read_text(), text))
        print(f"written to {doc}")
    failed = any(s.error or is_other(s) for s in outcome.samples) or any(
        [outcome.restarts, outcome.timeouts, outcome.ingest_status, outcome.check_status]
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
