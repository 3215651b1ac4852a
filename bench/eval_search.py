"""Search-quality evaluation (`make eval`): known-item queries on real news, analysis set-ups in Whoosh.

Tells whether the Arabic analysis earns its complexity: success@10 and MRR of stock haystack analysis, a
Lucene-equivalent and ours, on queries as written and rewritten into the spellings readers actually use.
"""

import argparse
import gzip
import json
import multiprocessing
import os
import random
import re
import sys
import time
import unicodedata
from collections import Counter
from datetime import date
from pathlib import Path

from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.qparser import MultifieldParser

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.search.analyzers import ArabicAnalyzer, LuceneArabicAnalyzer  # noqa: E402
from archive.text import arabic  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SETUPS = {
    # haystack's analysis for text fields; an unbounded stem cache only makes it faster.
    "stock haystack (StemmingAnalyzer)": lambda: StemmingAnalyzer(cachesize=-1),
    "Lucene-equivalent (LuceneArabicAnalyzer)": LuceneArabicAnalyzer,
    "ours (ArabicAnalyzer, light_stem)": ArabicAnalyzer,
    "ours, stemmer = Lucene rules": lambda: ArabicAnalyzer("lucene"),
    "ours, stemmer = light10 (Larkey)": lambda: ArabicAnalyzer("light10"),
    "ours, stemmer = Snowball Arabic": lambda: ArabicAnalyzer("snowball"),
}
TOP = 10

# Query words are chosen on surface forms with diacritics and tatweel removed, nothing else: the choice
# must not depend on any of the analyzers compared.
_HARAKAT = dict.fromkeys([0x0640, *range(0x064B, 0x0653)])
_ARABIC_WORD = re.compile(r"[\u0621-\u064a\u0640\u064b-\u0652]+")
_SURFACE_STOPS = frozenset(w.translate(_HARAKAT) for w in arabic.LUCENE_STOP_WORDS)


def load_docs(corpus: Path, n: int, seed: int) -> tuple[list[dict], Counter]:
    """A seeded sample of n articles across all the corpus files, and the article count of each file."""
    docs, sizes = [], Counter()
    for path in sorted(corpus.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                row = json.loads(line)
                if row.get("title") and row.get("text"):
                    docs.append({"id": row["id"], "title": row["title"], "text": row["text"]})
                    sizes[path.name] += 1
    return random.Random(seed).sample(docs, min(n, len(docs))), sizes


def surface_words(text: str) -> list[str]:
    return _ARABIC_WORD.findall(text)


def surface_key(word: str) -> str:
    return word.translate(_HARAKAT)


# --- Spelling variants of our table (the one variant kind that comes from the analyzer itself) ----------


def _table_pairs() -> list[tuple[str, str]]:
    """(normalized spelling, other spelling) pairs both ways, from arabic.py's name and infix tables."""
    pairs = []
    for variant, canonical in arabic._NAMES.items():
        pairs += [(variant, canonical), (canonical, variant)]
    for pattern, replacement in arabic._INFIXES:
        plain = pattern.pattern.split("(")[0]
        pairs += [(plain, replacement), (replacement, plain)]
    return pairs


TABLE_PAIRS = _table_pairs()


def table_respelling(word: str) -> str | None:
    """The word in its other spelling from the table, changed in place on the surface form when possible."""
    norm = arabic.normalize(word)
    aligned = len(norm) == len(word)
    for found, other in TABLE_PAIRS:
        at = norm.find(found)
        whole_word = norm == found or (norm[:at] in arabic._PROCLITICS and norm.endswith(found))
        is_name = found in arabic._NAMES or found in arabic._NAMES.values()
        if at < 0 or (is_name and not whole_word):
            continue
        if is_name and other.endswith("ه"):
            other = other[:-1] + "ة"
        base = word if aligned else norm
        return base[:at] + other + base[at + len(found) :]
    return None


# --- Variant rules, independent of the analyzers ---------------------------------------------------------

_HAMZA_SEATS = {"ؤ": ("ئ", "ء", "و"), "ئ": ("ؤ", "ء", "ي")}
_DIACRITICS = "\u064e\u064f\u0650\u0651\u0652\u064b"


def v_hamza(word, rng):
    """Hamza dropped or added: أ إ آ → ا, initial ا → أ/إ, ؤ/ئ on another seat, on the line or dropped."""
    if any(c in word for c in "أإآ"):
        return re.sub("[أإآ]", "ا", word)
    if word.startswith("الا"):
        return "ال" + rng.choice("أإ") + word[3:]
    if word.startswith("ا"):
        return rng.choice("أإ") + word[1:]
    seats = [i for i, c in enumerate(word) if c in _HAMZA_SEATS]
    if seats:
        i = rng.choice(seats)
        return word[:i] + rng.choice(_HAMZA_SEATS[word[i]]) + word[i + 1 :]
    return None


def v_teh_marbuta(word, rng):
    """ة written ه and the reverse, at the end of a word."""
    if word.endswith("ة"):
        return word[:-1] + "ه"
    if word.endswith("ه") and len(word) > 3:
        return word[:-1] + "ة"
    return None


def v_alef_maksura(word, rng):
    """Final ى written ي and the reverse."""
    if word.endswith("ى"):
        return word[:-1] + "ي"
    if word.endswith("ي"):
        return word[:-1] + "ى"
    return None


def v_diacritics(word, rng):
    """One to three harakat or a shadda added, sometimes a tatweel."""
    chars = list(word)
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(1, len(chars) + 1)
        chars.insert(i, rng.choice(_DIACRITICS))
    if rng.random() < 0.3:
        chars.insert(rng.randrange(1, len(chars)), "ـ")
    return "".join(chars)


def v_clitic(word, rng):
    """Conjunction, preposition or article added or removed: و ال وال بال لل."""
    for prefix in ("وال", "بال", "فال", "كال", "لل", "ال"):
        rest = word[len(prefix) :]
        if word.startswith(prefix) and len(rest) >= 3:
            if rng.random() < 0.5:
                return rest
            return rng.choice([p for p in ("ال", "وال", "بال", "لل") if p != prefix]) + rest
    if word.startswith("و") and len(word) >= 5:
        return word[1:]
    if word[0] in "بلفك":
        return "و" + word
    return rng.choice(("و", "ال", "وال", "بال", "لل")) + word


def v_suffix(word, rng):
    """Number and gender: ة ↔ ات, ة ↔ dual تين/تان or dropped, ي → ية/يين/يون, ون ↔ ين, or ة/ات added."""
    if word.endswith("ة"):
        return word[:-1] + rng.choice(("ات", "تين", ""))
    if word.endswith(("تين", "تان")):
        return word[:-3] + rng.choice(("ة", "تان" if word.endswith("تين") else "تين"))
    if word.endswith("ات"):
        return word[:-2] + "ة"
    if word.endswith("ي"):
        return word + rng.choice(("ة", "ين", "ون"))
    if word.endswith("ون"):
        return word[:-2] + "ين"
    if word.endswith("ين"):
        return word[:-2] + "ون"
    if word.endswith("ان") and len(word) >= 5:
        return word[:-2] + "ين"
    if word[-1] in "هاوىءؤئ" or word.endswith("هم"):
        return None
    return word + rng.choice(("ة", "ات"))


def v_keyboard(word, rng):
    """Typed on a Persian keyboard: ی for ي, ک for ك."""
    if "ي" in word or "ك" in word:
        return word.replace("ي", "ی").replace("ك", "ک")
    return None


def v_table(word, rng):
    """The other spelling from our variant table (سوريا/سورية, أمريكي/أميركي, ترامب/ترمب...)."""
    return table_respelling(word)


VARIANTS = {
    "hamza": v_hamza,
    "ta marbuta ة/ه": v_teh_marbuta,
    "alef maksura ى/ي": v_alef_maksura,
    "diacritics, tatweel": v_diacritics,
    "clitics و ال بال لل": v_clitic,
    "suffixes ة ات ين ون": v_suffix,
    "Persian keyboard ی ک": v_keyboard,
    "spelling table (ours)": v_table,
}
TABLE_KIND = "spelling table (ours)"


# --- Queries ---------------------------------------------------------------------------------------------


def build_queries(docs: list[dict], n: int, seed: int) -> list[dict]:
    """Known-item queries: 3-4 of the rarest words of a title and lead, as written and as a variant."""
    rng = random.Random(seed)
    df = Counter()
    for doc in docs:
        df.update({surface_key(w) for w in surface_words(doc["title"] + " " + doc["text"])})
    limit = 0.02 * len(docs)
    queries = []
    for target in rng.sample(range(len(docs)), len(docs)):
        doc = docs[target]
        lead = surface_words(doc["title"]) + surface_words(doc["text"])[:60]
        seen, candidates = set(), []
        for word in lead:
            key = surface_key(word)
            if len(key) >= 4 and key not in _SURFACE_STOPS and 2 <= df[key] <= limit and key not in seen:
                seen.add(key)
                candidates.append(word)
        k = rng.choice((3, 4))
        if len(candidates) < k:
            continue
        words = sorted(candidates, key=lambda w: df[surface_key(w)])[:k]
        named = [
            w for w in lead if table_respelling(w) and surface_key(w) not in {surface_key(x) for x in words}
        ]
        if named and rng.random() < 0.5:
            words[-1] = rng.choice(named)
        words.sort(key=lambda w: lead.index(w))
        kind, variant = make_variant(words, rng)
        queries.append({"target": doc["id"], "words": words, "variant": variant, "kind": kind})
        if len(queries) == n:
            break
    return queries


def make_variant(words: list[str], rng: random.Random) -> tuple[str, list[str]]:
    """One variant kind applied to each word with probability 1/2 (at least one word).

    The kind is the table's respelling for half of the queries holding a table word, else one of the
    generic kinds that apply, at random.
    """
    applicable = {
        kind: [rule(w, random.Random(0)) is not None for w in words] for kind, rule in VARIANTS.items()
    }
    kinds = [kind for kind, flags in applicable.items() if any(flags) and kind != TABLE_KIND]
    kind = TABLE_KIND if any(applicable[TABLE_KIND]) and rng.random() < 0.5 else rng.choice(kinds)
    rule, flags = VARIANTS[kind], applicable[kind]
    chosen = [i for i, ok in enumerate(flags) if ok and rng.random() < 0.5]
    if not chosen:
        chosen = [rng.choice([i for i, ok in enumerate(flags) if ok])]
    return kind, [rule(w, rng) if i in chosen else w for i, w in enumerate(words)]


# --- Indexing and searching ------------------------------------------------------------------------------

_DOCS: list[dict] = []
_QUERIES: list[dict] = []


def run_setup(name: str) -> dict:
    """Index the sample with one set-up (title boosted ×2 and body, as the site's index) and run both sets."""
    analyzer = SETUPS[name]()
    schema = Schema(
        id=ID(stored=True),
        title=TEXT(analyzer=analyzer, field_boost=2.0, phrase=False),
        text=TEXT(analyzer=analyzer, phrase=False),
    )
    started = time.perf_counter()
    # Whoosh names its temporary files after the index: one name per process, or workers collide.
    index = RamStorage().create_index(schema, indexname=f"eval{os.getpid()}")
    writer = index.writer(limitmb=512)
    for doc in _DOCS:
        writer.add_document(id=doc["id"], title=doc["title"], text=doc["text"])
    writer.commit()
    indexed = time.perf_counter() - started
    parser = MultifieldParser(["title", "text"], schema)
    ranks = {"unchanged": [], "variant": []}
    with index.searcher() as searcher:
        for query in _QUERIES:
            for key, words in (("unchanged", query["words"]), ("variant", query["variant"])):
                hits = searcher.search(parser.parse(" ".join(words)), limit=TOP)
                ids = [hit["id"] for hit in hits]
                ranks[key].append(ids.index(query["target"]) + 1 if query["target"] in ids else None)
    print(f"{name}: indexed in {indexed:.0f} s", file=sys.stderr, flush=True)
    return {"name": name, "ranks": ranks, "index_seconds": indexed}


def metrics(ranks: list[int | None]) -> tuple[float, float]:
    """success@10 and MRR@10, in percent and as a fraction."""
    found = [r for r in ranks if r is not None]
    return 100 * len(found) / len(ranks), sum(1 / r for r in found) / len(ranks)


def report(results: list[dict], queries: list[dict], args, sizes: Counter, seconds: float) -> str:
    kinds = Counter(q["kind"] for q in queries)
    lines = [
        "# Search-quality evaluation",
        "",
        "Generated by `bench/eval_search.py` (`make eval`); do not edit by hand.",
        "",
        f"- Command: `.venv/bin/python bench/eval_search.py --corpus {args.corpus} --docs {args.docs} "
        f"--queries {args.queries} --seed {args.seed}`",
        f"- Date: {date.today().isoformat()}; run time {seconds:.0f} s",
        f"- Corpus: {sum(sizes.values()):,} articles ("
        + ", ".join(f"{name} {count:,}" for name, count in sorted(sizes.items()))
        + f"); {len(_DOCS):,} indexed (seeded sample); {len(queries)} known-item queries per set",
        "",
        "Each set-up indexes the same articles in Whoosh (title with boost 2, body), as the site does, and"
        " answers the queries with all words required (AND, haystack's default operator). success@10 is the"
        " share of queries whose article is in the first ten results; MRR@10 the mean of 1/rank (0 beyond"
        ' 10). S@10 = success@10; "generic kinds" leaves out the variant queries of our own spelling table.',
        "",
        "| set-up | unchanged S@10 | unchanged MRR | variant S@10 | variant MRR | variant S@10, generic kinds"
        " | variant MRR, generic kinds | index time |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    generic = [i for i, q in enumerate(queries) if q["kind"] != TABLE_KIND]
    for result in results:
        s1, m1 = metrics(result["ranks"]["unchanged"])
        s2, m2 = metrics(result["ranks"]["variant"])
        s3, m3 = metrics([result["ranks"]["variant"][i] for i in generic])
        seconds = result["index_seconds"]
        lines.append(
            f"| {result['name']} | {s1:.1f}% | {m1:.3f} | {s2:.1f}% | {m2:.3f} | {s3:.1f}% | {m3:.3f}"
            f" | {seconds:.0f} s |"
        )
    lines += [
        "",
        "## Variant queries by kind (success@10)",
        "",
        "| kind | queries | " + " | ".join(r["name"].split(" (")[0] for r in results) + " |",
        "|---|---:|" + "---:|" * len(results),
    ]
    for kind in VARIANTS:
        if not kinds[kind]:
            continue
        picks = [i for i, q in enumerate(queries) if q["kind"] == kind]
        cells = [f"{metrics([r['ranks']['variant'][i] for i in picks])[0]:.0f}%" for r in results]
        lines.append(f"| {kind} | {kinds[kind]} | " + " | ".join(cells) + " |")
    stemmers = [r for r in results if r["name"].startswith("ours")]
    best = max(stemmers, key=lambda r: metrics(r["ranks"]["variant"]))
    lines += ["", f"Best stemmer inside our analysis on variant queries: **{best['name']}**.", "", METHOD]
    return "\n".join(lines) + "\n"


METHOD = """## Method

- Queries: for a random article, the 3 or 4 rarest words (document frequency 2 to 2% of the sample) of its
  title and first 60 body words, chosen on surface forms with only diacritics and tatweel removed, so the
  choice depends on none of the analyzers. When the title or lead holds a word of our spelling table, half
  of the time it replaces the last word, so that the table is exercised at all (names are frequent words and
  would never be picked by rarity).
- "unchanged" queries are those words as the article writes them. "variant" queries rewrite the same words
  with one kind of variation, chosen at random among the kinds that apply, applied to each word with
  probability 1/2 (at least one word): hamza dropped, added, moved to another seat or dropped to و/ي
  (the last defeats every set-up); ة/ه and ى/ي swapped; harakat, shadda and tatweel added; clitics
  و ال وال بال لل added or removed; number and gender suffixes changed; Persian-keyboard ی/ک.
- All of those rules are written here, independently of the analyzers. One kind only, "spelling table
  (ours)", comes from the analyzer itself: it swaps a word for its other spelling in archive/text/arabic.py's
  variant table (سوريا/سورية, أمريكي/أميركي, ديمقراطي/ديموقراطي, ترامب/ترمب...), so its gain is by
  construction; it is reported on its own line and is a minority of the variant queries.
- The suffix kind includes the feminine dual (ة ↔ ـتين/ـتان), which `light_stem` handles and Lucene's
  stemmer does not; it is there because the dual is frequent in news (14.5k words in ـتين in the corpus).
- The "ours, stemmer = ..." rows keep all of our analysis and swap the stemmer only; they choose the default
  of `light_stem` (Lucene's rules plus combined clitics وبال/ولل, the feminine dual ـتين/ـتان and root-و
  stems). Snowball gets our normalized words with a final ه turned back into the ة it expects.

## Reading the results

- Stock haystack analysis finds an article only when the query is spelled exactly as the article: a
  hamza, a ة, a diacritic or an article of difference loses it.
- Our analysis and the Lucene-equivalent find the same unchanged queries. Folding a minority spelling into
  the majority one (ترمب → ترامب, نتانياهو → نتنياهو, الأميركية → الأمريكية) lets more articles match a
  query typed in the minority spelling, so the article sought can lose a few ranks: that is the small cost
  in the unchanged MRR column, and the gain is the variant columns.
- Index times are wall-clock seconds with the set-ups indexed in parallel; they vary with the machine's load.
"""


def hamza_report(corpus: Path) -> None:
    """The figures behind the ؤ/ئ decision in archive/text/arabic.py (python bench/eval_search.py --hamza)."""
    counts = Counter()
    fold = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه", **_HARAKAT})
    for path in sorted(corpus.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                row = json.loads(line)
                text = unicodedata.normalize("NFKC", f"{row['title']}\n{row['text']}").translate(fold)
                counts.update(re.findall(r"[\u0621-\u064a]+", text))
    total = sum(counts.values())
    print(f"{total:,} Arabic words, {len(counts):,} distinct")
    for seat, plain, other in (("ؤ", "و", "ئ"), ("ئ", "ي", "ؤ")):
        words = [w for w in counts if seat in w]
        share = sum(counts[w] for w in words) / total
        print(f"\n{seat}: {len(words):,} distinct words, {100 * share:.2f}% of all words")
        for label, replacement in ((f"→ {plain}", plain), (f"→ {other}", other), ("→ ء", "ء")):
            pairs = [(w, w.replace(seat, replacement)) for w in words if counts[w.replace(seat, replacement)]]
            pairs.sort(key=lambda p: -min(counts[p[0]], counts[p[1]]))
            print(f"  {label}: {len(pairs):,} words also written so; the 40 most frequent pairs:")
            print("   ", ", ".join(f"{a}:{counts[a]}/{b}:{counts[b]}" for a, b in pairs[:40]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--jobs", type=int, default=2, help="set-ups indexed in parallel")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "search-evaluation.md")
    parser.add_argument("--hamza", action="store_true", help="print the ؤ/ئ spelling figures and stop")
    args = parser.parse_args()
    if args.hamza:
        hamza_report(args.corpus)
        return
    started = time.perf_counter()
    docs, sizes = load_docs(args.corpus, args.docs, args.seed)
    _DOCS.extend(docs)
    _QUERIES.extend(build_queries(docs, args.queries, args.seed))
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        results = pool.map(run_setup, SETUPS, chunksize=1)
    text = report(results, _QUERIES, args, sizes, time.perf_counter() - started)
    print(text)
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
