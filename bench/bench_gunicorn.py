"""Eight journalists at once: gunicorn as `make run` starts it, never-seen queries, worker memory.

Starts gunicorn (2 workers × 4 threads) on --data-dir, a loaded archive (`make bench` passes the one
bench_search.py loaded; the server writes its word files and sessions there), waits until it
answers, then 8 client threads, each on its own keep-alive connection, send --queries search pages
for queries made of words of article titles that no other query uses
(bench_search.never_seen_queries). Reports the latency p50 and p95, the errors (5xx, connection
errors, timeouts), each worker's CPU time during the run (an uneven share means the connections
were spread unevenly) and its peak resident memory (VmHWM in /proc/<pid>/status), then stops the
server.
"""

import argparse
import http.client
import os
import queue
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))


def status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def cpu_seconds(pid: int) -> float:
    """The process's user and system time so far (/proc/<pid>/stat), in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def get(connection, path: str, timeout: float) -> int:
    connection.timeout = timeout
    connection.request("GET", path, headers={"Host": "localhost"})
    response = connection.getresponse()
    response.read()
    return response.status


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True, help="A loaded archive (it is written to).")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()

    os.environ["ARCHIVE_DATA_DIR"] = str(args.data_dir.resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from bench_search import never_seen_queries

    queries = never_seen_queries(args.queries)
    print(f"{len(queries)} never-seen queries, {args.clients} clients", flush=True)

    server = subprocess.Popen(
        [
            str(REPO / ".venv" / "bin" / "gunicorn"),
            "archive.wsgi",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--limit-request-line",
            "16384",
        ],
        cwd=REPO,
        env={**os.environ, "ALLOWED_HOSTS": "localhost,127.0.0.1"},
    )
    try:
        run(server, queries, args)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)


def run(server, queries, args):
    started = time.perf_counter()
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", args.port)
            if get(connection, "/", args.timeout) == 200:
                break
        except OSError:
            pass
        if time.perf_counter() - started > 300:
            raise SystemExit("gunicorn did not answer within 300 s")
        time.sleep(1)
    workers = children(server.pid)
    print(f"ready in {time.perf_counter() - started:.1f} s; workers {workers}", flush=True)
    time.sleep(5)  # the background appliers read the index's words at start

    # Resident memory, and how much of it is anonymous (the heap: caches) rather than file pages (the
    # index segments Whoosh maps, shared between workers and given back under pressure).
    rss_peak = {pid: dict.fromkeys(("VmRSS", "RssAnon", "RssFile"), 0) for pid in workers}
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            for pid in workers:
                for field, peak in rss_peak[pid].items():
                    rss_peak[pid][field] = max(peak, status_kb(pid, field))
            stop.wait(0.2)

    todo: queue.Queue = queue.Queue()
    for q in queries:
        todo.put(q)
    latencies, errors, slowest, lock = [], [], [], threading.Lock()

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", args.port)
        while True:
            try:
                q = todo.get_nowait()
            except queue.Empty:
                return
            begin = time.perf_counter()
            try:
                status = get(connection, "/?" + urlencode({"q": q}), args.timeout)
            except (OSError, http.client.HTTPException) as error:
                status = repr(error)
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", args.port)
            with lock:
                latencies.append((time.perf_counter() - begin) * 1000)
                slowest.append((latencies[-1], begin - began, q))
                if status != 200:
                    errors.append((q, status))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    cpu_before = {pid: cpu_seconds(pid) for pid in workers}
    began = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    cpu = {pid: cpu_seconds(pid) - cpu_before[pid] for pid in workers}
    stop.set()
    watcher.join()

    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    print(
        f"{len(latencies)} searches in {elapsed:.1f} s: p50 {statistics.median(ordered):.0f} ms, "
        f"p95 {p95:.0f} ms, max {ordered[-1]:.0f} ms, errors {len(errors)} (target: none, p95 <= 300 ms)"
    )
    for q, status in errors[:5]:
        print(f"  error {status} for {q!r}")
    for latency, sent, q in sorted(slowest, reverse=True)[:3]:
        print(f"  slowest: {latency:.0f} ms, sent at {sent:.1f} s, {q!r}")
    for pid in workers:
        peak = rss_peak[pid]
        resident = max(status_kb(pid, "VmHWM"), peak["VmRSS"])
        print(
            f"worker {pid}: {cpu[pid]:.1f} s of CPU, peak RSS {resident / 1024:.0f} MB "
            f"(anonymous {peak['RssAnon'] / 1024:.0f} MB, file pages {peak['RssFile'] / 1024:.0f} MB; "
            "target <= 1024 MB)"
        )


if __name__ == "__main__":
    main()
