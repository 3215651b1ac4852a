"""Search speed with the whole corpus indexed, ours beside stock haystack's Whoosh, in one run.

The headline is the cold path: a journalist's query is almost always one the process has never
seen, so --cold queries made of words of article titles (never the listed queries) are each run
once, before anything else. Then, over a set of realistic queries, each repeated:
- the search page's query: query, source facet, month histogram, highlighted first page of 20
  (archive.search.service.run_search), and the same through stock haystack's Whoosh backend
  (auto_query, facet, date_facet by month, highlight) on the same articles;
- browsing with no query, one source and one month;
- the whole search page, rendered by Django (server time).

The corpus is ingested once into --data-dir (default var/bench) and reused by later runs.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
QUERIES = [
    "روسيا",
    "سوريا",
    "الولايات المتحدة",
    "داعش",
    "ترامب",
    "النفط",
    "اليمن",
    "الحوثيين",
    "السعودية",
    "إيران",
    "القدس",
    "الانتخابات",
    "اللاجئين",
    "كرة القدم",
    "تونس",
    "الأمم المتحدة",
    "قطر",
    "مصر",
    "العراق",
    '"مجلس الأمن"',
    "الإرهاب",
    "حلب",
    "ليبيا",
    "الاقتصاد",
    "الحكومة التونسية",
]
# Latin-script names as journalists type them: places, people, organisations, countries.
LATIN_QUERIES = [
    "Lavrov",
    "Aleppo",
    "Deir ez-Zor",
    "Hezbollah",
    "Kerry",
    "Hodeidah",
    "Erdogan",
    "Idlib",
    "Houthis",
    "Tillerson",
    "Mogherini",
    "Raqqa",
    "Netanyahu",
    "Taliban",
    "Stoltenberg",
    "Navalny",
    "Pompeo",
    "Ghouta",
    "Benghazi",
    "Skripal",
]
CORPUS_FILES = ["ant-multisource-2018.jsonl.gz", "saudinewsnet-2015.jsonl.gz", "ant-jawharafm.jsonl.gz"]


def never_seen_queries(count, seed=13):
    """Queries of one or two words of article titles, no word in two of them nor in QUERIES: words a
    serving process has not searched before (the same ones in every run)."""
    import random

    from archive.models import Article

    rng = random.Random(seed)
    titles = list(Article.objects.order_by("pk").values_list("title", flat=True)[::17][: count * 8])
    rng.shuffle(titles)
    seen = {word for q in QUERIES for word in q.strip('"').split()}
    queries = []
    for title in titles:
        words = [w for w in title.split() if len(w) > 3 and w.isalpha() and w not in seen]
        if not words:
            continue
        start = rng.randrange(len(words))
        picked = words[start : start + rng.choice((1, 2))]
        seen.update(picked)
        queries.append(" ".join(picked))
        if len(queries) == count:
            break
    return queries


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def timed(fn, repeats):
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def report(name, samples, target=None):
    line = (
        f"{name:<44} p50 {statistics.median(samples):7.1f} ms   p95 {percentile(samples, 0.95):7.1f} ms"
        f"   n={len(samples)}"
    )
    if target:
        line += f"   (target p95 < {target} ms)"
    print(line, flush=True)


def build_stock_index(stock, index, progress_bar):
    """The documents stock haystack's update() writes, through one writer instead of one per batch.

    update() commits, and so merges segments, once per batch: about 40 minutes for 71k articles.
    The index it ends with holds the same documents in the same schema, which is all a query sees. Each
    of the two writer processes keeps its own segment (multisegment): merging them into one took more
    than ten minutes of one core, and a stock index that update() writes has several segments too.
    """
    from haystack.exceptions import SkipDocument

    stock.clear()
    stock.setup()
    writer = stock.index.writer(procs=2, limitmb=256, multisegment=True)
    queryset = index.index_queryset().order_by("pk")
    for article in progress_bar(queryset.iterator(chunk_size=1000), desc="stock index"):
        try:
            doc = index.full_prepare(article)
        except SkipDocument:
            continue
        doc.pop("boost", None)
        writer.add_document(**{key: stock._from_python(value) for key, value in doc.items()})
    writer.commit()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--data-dir", type=Path, default=REPO / "var" / "bench")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cold", type=int, default=100, help="Never-seen queries, each run once.")
    parser.add_argument("--skip-stock", action="store_true", help="Do not build or measure the stock index.")
    parser.add_argument(
        "--stock-repeats", type=int, default=1, help="Runs of the queries against stock (seconds each)."
    )
    parser.add_argument("--stock-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    os.environ["ARCHIVE_DATA_DIR"] = str(args.data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    if args.stock_worker:
        return stock_worker()
    from django.core.management import call_command
    from django.test import Client

    from archive.ingest.pipeline import Pipeline, progress_bar
    from archive.models import Article, Source
    from archive.search.service import SearchRequest, parse_query, run_search

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    if Article.objects.count() == 0:
        print("Ingesting the corpus once into", args.data_dir, flush=True)
        paths = [args.corpus / name for name in CORPUS_FILES]
        summary = Pipeline(progress=lambda items: progress_bar(items)).run(paths)
        print("\n".join(summary.lines()[:4]), flush=True)
    total = Article.objects.count()
    print(f"{total} articles indexed", flush=True)

    # The process opens the index and reads the facet values once, as the background applier does.
    cold_queries = never_seen_queries(args.cold + 25)
    cold_queries, stock_cold_queries = cold_queries[: args.cold], cold_queries[args.cold :]
    started = time.perf_counter()
    run_search(SearchRequest())
    print(f"first search of the process (index opened, facets read) {time.perf_counter() - started:.2f} s")
    cold = []
    for q in cold_queries:
        cold += timed(lambda q=q: run_search(SearchRequest(q=q)), 1)
    report("ours: never-seen queries (cold), whole search", cold, 60)

    # A server that has answered these queries once: the index open, facet values and the queries'
    # term postings cached (they are kept until the index changes).
    for q in QUERIES:
        run_search(SearchRequest(q=q))

    ours = []
    for _ in range(args.repeats):
        for q in QUERIES:
            ours += timed(lambda q=q: run_search(SearchRequest(q=q)), 1)
    report("ours: repeated queries, query+facets+histogram+highlight", ours, 30)

    # Latin names: what the expansion into Arabic adds to parsing a query, once the process has read
    # the index's words (the background applier does so at start).
    started = time.perf_counter()
    parse_query(SearchRequest(q=LATIN_QUERIES[0]))
    print(f"vocabulary for Latin names ready in {time.perf_counter() - started:.2f} s", flush=True)
    added = []
    for _ in range(args.repeats):
        for q in LATIN_QUERIES:
            expanded = timed(lambda q=q: parse_query(SearchRequest(q=q)), 1)[0]
            literal = timed(lambda q=q: parse_query(SearchRequest(q=q, literal=True)), 1)[0]
            added.append(expanded - literal)
    report("Latin name expansion, added to parsing", added, 20)
    # The whole search for a Latin name against the same search typed in its Arabic form, paired.
    arabic = {
        q: " ".join(parse_query(SearchRequest(q=q)).expansions[0].arabic[0].split()) for q in LATIN_QUERIES
    }
    for q in LATIN_QUERIES:
        run_search(SearchRequest(q=q))
        run_search(SearchRequest(q=arabic[q]))
    latin, typed, paired = [], [], []
    for _ in range(args.repeats):
        for q in LATIN_QUERIES:
            latin += timed(lambda q=q: run_search(SearchRequest(q=q)), 1)
            typed += timed(lambda q=q: run_search(SearchRequest(q=arabic[q])), 1)
            paired.append(latin[-1] - typed[-1])
    report("ours: Latin-name query, whole search", latin)
    report("ours: the same names typed in Arabic", typed)
    report("Latin minus Arabic, paired", paired, 20)

    months = list(Article.objects.exclude(published_on=None).dates("published_on", "month"))
    sources = list(Source.objects.values_list("slug", flat=True))
    browse = []
    for i in range(args.repeats * len(QUERIES)):
        month = months[(i * 7) % len(months)]
        end = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        request = SearchRequest(
            sources=[sources[i % len(sources)]],
            date_from=month,
            date_to=date.fromordinal(end.toordinal() - 1),
        )
        browse += timed(lambda r=request: run_search(r), 1)
    report("ours: browse one source, one month", browse, 20)

    client = Client(SERVER_NAME="localhost")
    page = []
    for _ in range(args.repeats):
        for q in QUERIES:
            page += timed(lambda q=q: client.get("/", {"q": q}), 1)
    report("search page rendered by Django (server time)", page, 300)

    if args.skip_stock:
        return
    with StockWorker(args.data_dir) as stock:
        compare_with_stock(stock, QUERIES * args.stock_repeats, "same page", "ours, the same queries", 5)
        # The cold path side by side: queries neither has seen, each run once by each.
        compare_with_stock(
            stock,
            stock_cold_queries,
            "never-seen queries",
            "ours: the same never-seen queries",
            40,
            ratio_label="cold, stock / ours",
        )


def compare_with_stock(stock, queries, stock_name, ours_name, target, ratio_label="stock / ours"):
    """The queries run by stock one after another, then by ours; both reported, and stock's times
    over ours.

    Each engine serves its queries as a stream, as a server would. Asked in turn, one query each,
    ours always ran after two seconds of idling while stock waited 20 ms: idling alone, with no stock
    search, slowed ours as much. Before its stream each engine answers something else, not counted
    (stock one query, about 2 s; ours the realistic queries, about 0.2 s): ours' first ten searches
    after stock's stream were half as slow again, the later ones not (docs/benchmarks.md, sixth pass)."""
    from archive.search.service import SearchRequest, run_search

    stock.search(QUERIES[0])
    stock_samples = [stock.search(q) for q in queries]
    for q in QUERIES:
        run_search(SearchRequest(q=q))
    ours = []
    for q in queries:
        ours += timed(lambda q=q: run_search(SearchRequest(q=q)), 1)
    report(f"stock haystack Whoosh: {stock_name}", stock_samples)
    report(ours_name, ours)
    ratio = statistics.median(stock_samples) / statistics.median(ours)
    ratio95 = percentile(stock_samples, 0.95) / percentile(ours, 0.95)
    print(f"{ratio_label}: {ratio:.1f}x at the median, {ratio95:.1f}x at p95 (target: at least {target}x)")


class StockWorker:
    """Stock haystack in a process of its own, asked one query at a time and answering its time.

    Run in the measuring process, stock's searches slowed ours about fivefold (39 against 7 ms at the
    median for repeated queries); a server would not run both in one process either."""

    def __init__(self, data_dir: Path):
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--stock-worker", "--data-dir", str(data_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        for line in self.process.stdout:  # the worker builds the stock index first if it has to
            if line.strip() == "ready":
                return
            print(line, end="", flush=True)
        raise SystemExit("the stock haystack worker stopped before it was ready")

    def search(self, q: str) -> float:
        self.process.stdin.write(json.dumps(q) + "\n")
        answer = self.process.stdout.readline()
        if not answer:
            raise SystemExit("the stock haystack worker stopped")
        return float(answer)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.process.stdin.close()
        self.process.wait(60)


def stock_worker():
    """The stock side of StockWorker: builds the stock index of the same articles if it is missing,
    then times each query it reads (one JSON string a line) and writes the milliseconds back."""
    from django.conf import settings
    from haystack import connections
    from haystack.query import SearchQuerySet

    from archive.ingest.pipeline import progress_bar
    from archive.models import Article

    data_dir = Path(os.environ["ARCHIVE_DATA_DIR"])
    stock_path = data_dir / "whoosh_stock"
    settings.HAYSTACK_CONNECTIONS["stock"] = {
        "ENGINE": "haystack.backends.whoosh_backend.WhooshEngine",
        "PATH": str(stock_path),
    }
    connections.connections_info = settings.HAYSTACK_CONNECTIONS
    stock = connections["stock"].get_backend()
    index = connections["stock"].get_unified_index().get_index(Article)
    total = index.index_queryset().count()
    if not stock_path.exists() or SearchQuerySet(using="stock").all().count() < total:
        print("Building the stock haystack Whoosh index of the same articles", flush=True)
        build_stock_index(stock, index, progress_bar)
    first = Article.objects.exclude(published_on=None).order_by("published_on").first().published_on
    last = Article.objects.exclude(published_on=None).order_by("-published_on").first().published_on

    def stock_search(q):
        sqs = (
            SearchQuerySet(using="stock")
            .auto_query(q)
            .facet("source")
            .date_facet(
                "published",
                start_date=datetime(first.year, first.month, 1),
                end_date=datetime(last.year, last.month, 28),
                gap_by="month",
            )
            .highlight()
        )
        list(sqs[:20])
        sqs.facet_counts()

    print("ready", flush=True)
    for line in sys.stdin:
        q = json.loads(line)
        print(f"{timed(lambda q=q: stock_search(q), 1)[0]:.3f}", flush=True)


if __name__ == "__main__":
    main()
