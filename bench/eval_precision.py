"""Precision of searches that journalists count with: do the hits in date order name what was asked?

For each name of bench/data/precision_names.tsv (places, actors, names of several words), the first 100
hits of the product's search (the query parser, the expansions, the index as the site serves it), newest
first and oldest first, are read back from the database: a hit names it when its title or body holds the
name as typed, with the proclitics news glues to it (وحلب, بالحديدة, للرقة; a name of several words as
those words in a row). Then a quoted word (every hit holds it) and bracketed queries (every hit holds the
required part). The dev names were looked at while building the protected-name rules; the held-out ones
only as a total, and the fresh ones were chosen after the rules were final: those are the figures to quote.

    .venv/bin/python bench/eval_precision.py --data-dir var/bench

The archive in --data-dir is loaded with the corpus first if it is empty (as `make bench` does). The
figures replace the precision section at the end of docs/search-evaluation.md (--out), which
bench/eval_search.py keeps when it rewrites the rest.
"""

import argparse
import os
import sys
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NAMES = REPO / "bench" / "data" / "precision_names.tsv"
HITS = 100
# Required part, then the bracketed alternatives: every hit must name the required part.
BRACKETED = (
    ("دوما", "(كيماوي OR كيميائي)"),
    ("الحديدة", "(ميناء OR الميناء)"),
    ("حلب", "(قصف OR غارات)"),
    ("الموصل", "(داعش OR الدولة)"),
)
QUOTED = ("الحديدة", "حماة", "دوما", "حلب", "الرقة")
PRECISION_START = "<!-- precision: written by bench/eval_precision.py -->"


def read_names() -> list[tuple[str, str, str]]:
    """(set, kind, name) rows."""
    rows = []
    for line in NAMES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            split, kind, name, _note = line.split("\t")
            rows.append((split, kind, name))
    return rows


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, default=REPO / "var" / "bench", help="the archive searched")
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "search-evaluation.md")
    args = parser.parse_args()
    os.environ["ARCHIVE_DATA_DIR"] = str(args.data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    from archive.ingest.pipeline import Pipeline, progress_bar
    from archive.models import Article
    from archive.search.protected import protected_names
    from archive.search.query import clitic_forms
    from archive.search.service import SearchRequest, run_search
    from archive.text import arabic

    call_command("migrate", verbosity=0)
    if not Article.objects.exists():
        print("Ingesting the corpus once into", args.data_dir, flush=True)
        Pipeline(progress=lambda items: progress_bar(items)).run(sorted(args.corpus.glob("*.jsonl.gz")))

    def hit_ids(q: str, sort: str) -> list[int]:
        request = SearchRequest(q=q, sort=sort)
        page = run_search(request, per_page=HITS, with_facets=False, with_suggestion=False)
        return [hit.id for hit in page.hits]

    def names(ids: list[int], name: str, kind: str = "place") -> int:
        """How many of the articles hold the name as typed, its first word with or without a proclitic;
        an actor also under the other spellings its row of data/actors.tsv gives (الحوثي for الحوثيين)."""
        first, *rest = arabic.tokenize(name)
        spellings = protected_names().get(first, (first,)) if kind == "actor" else (first,)
        forms = {form for spelling in spellings for form in clitic_forms(spelling, article=False)}
        texts = Article.objects.filter(pk__in=ids).values_list("title", "body")
        return sum(1 for title, body in texts if holds(arabic.tokenize(f"{title}\n{body}"), forms, rest))

    def holds(words: list[str], forms: set[str], rest: list[str]) -> bool:
        return any(w in forms and words[i + 1 : i + 1 + len(rest)] == rest for i, w in enumerate(words))

    lines = [
        PRECISION_START,
        "## Precision of hits in date order (issue #14)",
        "",
        f"- Command: `bench/eval_precision.py {' '.join(sys.argv[1:])}`; date {date.today().isoformat()}",
        f"- Archive: {Article.objects.count():,} articles; the first {HITS} hits of each query, newest first "
        "and oldest first (the order counts, charts, feeds and CSV use), read back from the database.",
        "- A hit names what was asked when its title or body holds it as typed, with or without a proclitic "
        "(و ف ب ل ك): a name of several words as those words in a row; an actor also under the other "
        "spellings of its row in data/actors.tsv. dev names were looked at while the rules were built, "
        "held-out names only as a total, fresh names were chosen after the rules were final.",
        "",
    ]
    totals: dict[tuple[str, str], list[tuple[int, int]]] = {}
    misses = []
    for split, kind, name in read_names():
        shares = [
            (names(ids, name, kind), len(ids)) for ids in (hit_ids(name, s) for s in ("newest", "oldest"))
        ]
        totals.setdefault((split, kind), []).extend(shares)
        if any(n < m for n, m in shares):
            misses.append(
                f"| {split} | {kind} | {name} | " + " | ".join(f"{n}/{m}" for n, m in shares) + " |"
            )
    lines += [
        "| set | class | lists | hits that name it | lowest list | lists below 95% |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for (split, kind), shares in totals.items():
        rates = [n / m for n, m in shares if m]
        named, hits = sum(n for n, _ in shares), sum(m for _, m in shares)
        lines.append(
            f"| {split} | {kind} | {len(shares)} | {named:,}/{hits:,} ({named / max(1, hits):.1%}) | "
            f"{min(rates, default=1):.0%} | {sum(1 for r in rates if r < 0.95)} |"
        )
    lines += ["", "Lists with a hit that does not name it (newest / oldest):", ""]
    lines += (
        ["| set | class | name | newest | oldest |", "|---|---|---|---:|---:|", *misses]
        if misses
        else ["none"]
    )
    lines += ["", "Quoted words: hits that hold the word itself.", ""]
    for word in QUOTED:
        ids = hit_ids(f'"{word}"', "newest")
        lines.append(f'- "{word}": {names(ids, word)}/{len(ids)}')
    lines += ["", "Bracketed queries: hits that hold the required part.", ""]
    for required, alternatives in BRACKETED:
        ids = hit_ids(f"{required} {alternatives}", "newest")
        lines.append(f"- {required} {alternatives}: {names(ids, required)}/{len(ids)}")
    section = "\n".join(lines) + "\n"
    print(section)
    old = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    at = old.find(PRECISION_START)
    args.out.write_text((old[:at] if at >= 0 else old.rstrip("\n") + "\n\n") + section, encoding="utf-8")


if __name__ == "__main__":
    main()
