"""Metadata and body accuracy of the cleaners on pages they were not tuned on.

Every page is read as HTML (archive.text.html.extract_html, with its URL) and as a plain-text capture
of its visible lines (archive.text.cleaning.clean_text_page), without its URL (the hard case, as the
seeds), with it (as the pipeline reads a crawled text page), and as the body's lines alone (a capture
without the browser title, whose "headline - site" line is a cue for both title and outlet).
Title, source and date are scored apart, each right / wrong / missing: a wrong value costs an editor a
correction and misleads a reader, a missing one only asks to be filled, so the two are never summed.

    .venv/bin/python bench/eval_cleaning.py                      # the 11 pages of ../shared/pages
    .venv/bin/python bench/eval_cleaning.py --pages-dir DIR --labels FILE   # another held-out set
    .venv/bin/python bench/eval_cleaning.py --labels bench/data/arabic_script_labels.json \
        --half tuning                                            # pages read from fetched mirrors
    .venv/bin/python bench/eval_cleaning.py --seeds              # the five seeds (the tuning set)
    .venv/bin/python bench/eval_cleaning.py --trafilatura /work/.mirror/adbar+trafilatura/repo \
        --htmldate /work/.mirror/adbar+htmldate/repo             # HTML tuning sets, read with git show
    .venv/bin/python bench/eval_cleaning.py --trafilatura /work/.mirror/adbar+trafilatura/repo \
        --text-titles                                            # text titles, body-only captures (tuning)

A labels file is {"pages": [{"file", "url", "title", "source", "source_also", "published",
"gold_body"?, "gold_snippets"?}]}, paths relative to the pages folder. A page kept in a fetched
repository names it instead by "repo" (owner/name), "commit" and "path", and is read with git show from
--mirrors/owner+name/repo. --half keeps the pages whose path's SHA-1 ends in an even byte (tuning) or an
odd one (held-out). The script runs on older versions of the cleaners too (it passes only the
arguments they take), so a change's figures can be put beside those before it.
"""

import argparse
import hashlib
import inspect
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive.text.article import NotAnArticle  # noqa: E402
from archive.text.cleaning import clean_text_page  # noqa: E402
from archive.text.html import extract_html  # noqa: E402
from archive.text.metadata import name_key  # noqa: E402
from tests.text.captures import body_lines, visible_lines  # noqa: E402
from tests.text.seed_gold import SEED_GOLD  # noqa: E402

PAGES = ROOT.parent / "shared" / "pages"
LABELS = ROOT / "bench" / "data" / "cleaning_labels.json"
SEEDS = ROOT / "fixtures" / "seeds"
MIRRORS = Path("/work/.mirror")
HALVES = ("tuning", "held-out")
FIELDS = ("title", "source", "date")
ARABIC_PAGE = re.compile(r"[\u0600-\u06ff]{3,}(?:\s+[\u0600-\u06ff]{3,}){5}")


@dataclass
class Tally:
    right: int = 0
    wrong: int = 0
    missing: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, verdict: str, note: str) -> None:
        setattr(self, verdict, getattr(self, verdict) + 1)
        if verdict != "right":
            self.notes.append(f"{verdict}: {note}")


@dataclass
class Form:
    name: str
    tallies: dict[str, Tally] = field(default_factory=lambda: {f: Tally() for f in FIELDS})
    f1: list[float] = field(default_factory=list)
    # (snippets kept, boilerplate left out, snippets, boilerplate) per page with snippet gold
    snippets: list[tuple[int, int, int, int]] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)


def call(function, *args, **optional):
    """function(*args, **optional) with only the keyword arguments this version of it takes."""
    accepted = inspect.signature(function).parameters
    return function(*args, **{key: value for key, value in optional.items() if key in accepted})


def day(value: date | datetime | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def verdict(found: str, accepted: list[str]) -> str:
    if not found.strip():
        return "missing"
    return "right" if name_key(found) in {name_key(name) for name in accepted} else "wrong"


def date_verdict(found: date | None, gold: date | None) -> str:
    if found is None:
        return "missing" if gold else "right"
    return "right" if found == gold else "wrong"


def line_f1(paragraphs: list[str], gold: list[str]) -> float:
    """F1 of the body's lines against the gold's, whitespace folded."""
    found = {" ".join(line.split()) for line in paragraphs if line.strip()}
    wanted = {" ".join(line.split()) for line in gold if line.strip()}
    hits = len(found & wanted)
    return 2 * hits / (len(found) + len(wanted)) if hits else 0.0


def score(form: Form, label: dict, article, folder: Path, page: str) -> None:
    title_gold = [label["title"]]
    source_gold = [label["source"], *label.get("source_also", [])]
    gold_day = date.fromisoformat(label["published"]) if label.get("published") else None
    found_day = day(article.published)
    form.tallies["title"].add(verdict(article.title, title_gold), f"{page}: {article.title!r}")
    form.tallies["source"].add(verdict(article.source, source_gold), f"{page}: {article.source!r}")
    form.tallies["date"].add(date_verdict(found_day, gold_day), f"{page}: {found_day} for {gold_day}")
    if label.get("gold_body"):
        gold = (folder / label["gold_body"]).read_text(encoding="utf-8").split("\n")
        form.f1.append(line_f1(article.paragraphs, gold))
    if label.get("gold_snippets"):
        snippets = json.loads((folder / label["gold_snippets"]).read_text(encoding="utf-8"))
        body = " ".join(article.body.split())
        kept = sum(" ".join(s.split()) in body for s in snippets["with"])
        dropped = sum(" ".join(s.split()) not in body for s in snippets["without"])
        form.snippets.append((kept, dropped, len(snippets["with"]), len(snippets["without"])))


def page_name(label: dict) -> str:
    name = label.get("file") or f"{label['repo']}:{label['path']}"
    return Path(name).parent.name if name.endswith("raw.html") else name


def half(label: dict) -> str:
    """The fixed split of a labelled set: the last byte of the SHA-1 of the page's path, even for
    tuning, odd held out."""
    digest = hashlib.sha1((label.get("file") or label["path"]).encode("utf-8")).digest()
    return HALVES[digest[-1] % 2]


def page_bytes(label: dict, folder: Path, mirrors: Path) -> bytes:
    """A labelled page: a file of the pages folder, or a file of a fetched repository read in place."""
    if "file" in label:
        return (folder / label["file"]).read_bytes()
    repo = mirrors / label["repo"].replace("/", "+") / "repo"
    found = git_show(repo, label["path"], label["commit"])
    if found is None:
        raise FileNotFoundError(f"{label['repo']}@{label['commit']}:{label['path']}")
    return found


def evaluate_pages(
    folder: Path, labels: Path, mirrors: Path = MIRRORS, only: str | None = None
) -> list[Form]:
    text, with_url, html = Form("text capture"), Form("text capture + its URL"), Form("HTML")
    bare = Form("text capture, body only (no <title>)")
    for label in json.loads(labels.read_text(encoding="utf-8"))["pages"]:
        if only and half(label) != only:
            continue
        raw = page_bytes(label, folder, mirrors)
        page = page_name(label)
        readings = (
            (text, clean_text_page, ("\n".join(visible_lines(raw)),), {}),
            (with_url, clean_text_page, ("\n".join(visible_lines(raw)),), {"url": label["url"]}),
            (bare, clean_text_page, ("\n".join(body_lines(raw)),), {}),
            (html, extract_html, (raw.decode("utf-8"),), {"url": label["url"]}),
        )
        for form, cleaner, args, optional in readings:
            try:
                article = call(cleaner, *args, **optional)
            except NotAnArticle as error:
                form.rejected.append(f"{page}: {error}")
                for name in FIELDS:
                    form.tallies[name].add("missing", f"{page}: rejected")
                continue
            score(form, label, article, folder, page)
    return [text, with_url, bare, html]


def evaluate_seeds() -> list[Form]:
    form = Form("seeds, text")
    for name, gold in sorted(SEED_GOLD.items()):
        page = (SEEDS / name).read_text(encoding="utf-8")
        article = clean_text_page(page)
        form.tallies["title"].add(verdict(article.title, [gold["title"]]), f"{name}: {article.title!r}")
        form.tallies["source"].add(verdict(article.source, [gold["source"]]), f"{name}: {article.source!r}")
        found = day(article.published)
        form.tallies["date"].add(date_verdict(found, gold["published"]), f"{name}: {found}")
        lines = page.split("\n")
        form.f1.append(line_f1(article.paragraphs, [lines[n - 1] for n in sorted(gold["body"])]))
    return [form]


def git_show(repo: Path, path: str, commit: str = "HEAD") -> bytes | None:
    """A file of a fetched repository, read in place (`git show`), never copied; None when absent."""
    shown = subprocess.run(["git", "-C", str(repo), "show", f"{commit}:{path}"], capture_output=True)
    return shown.stdout if shown.returncode == 0 else None


def gold_date(value) -> date | None:
    """A suite's gold date, or None where it gives none or a malformed one ("", NaN, "2022-01.26")."""
    try:
        return date.fromisoformat(value[:10]) if isinstance(value, str) else None
    except ValueError:
        return None


def evaluate_text_titles(trafilatura: Path, limit: int) -> list[Form]:
    """clean_text_page's titles on trafilatura's evaluation pages read as body-only text captures (the
    body's visible lines, no browser title): the tuning set for the text title chooser. Its Arabic page
    is the acceptance set's and is left out; only titles are scored."""
    form = Form("trafilatura eval, text body only")
    form.tallies = {"title": Tally()}
    gold = json.loads(git_show(trafilatura, "tests/evaldata.json"))
    for url, entry in list(gold.items())[:limit]:
        title = entry.get("title")
        if not isinstance(title, str) or not title.strip():
            continue
        raw = next(
            filter(None, (git_show(trafilatura, f + entry["file"]) for f in ("tests/eval/", "tests/cache/"))),
            None,
        )
        if raw is None or ARABIC_PAGE.search(raw.decode("utf-8", "replace")):
            continue
        try:
            article = clean_text_page("\n".join(body_lines(raw)))
        except NotAnArticle as error:
            form.rejected.append(f"{url}: {error}")
            form.tallies["title"].add("missing", f"{url}: rejected")
            continue
        form.tallies["title"].add(verdict(article.title, [title]), f"{url}: {article.title!r} for {title!r}")
    return [form]


def evaluate_git_sets(trafilatura: Path | None, htmldate: Path | None, limit: int) -> list[Form]:
    """extract_html on other suites' pages with their gold title and date: trafilatura's evaluation
    pages (tests/eval, tests/evaldata.json) and htmldate's Media Cloud sample (dates only). Their few
    Arabic pages are the acceptance set's and are left out; sources are not labelled there."""
    forms = []
    sets = []
    if trafilatura:
        gold = json.loads(git_show(trafilatura, "tests/evaldata.json"))
        sets.append(("trafilatura eval, HTML", trafilatura, ("tests/eval/", "tests/cache/"), gold))
    if htmldate:
        gold = json.loads(git_show(htmldate, "tests/eval_mediacloud_2020.json"))
        sets.append(("htmldate Media Cloud, HTML", htmldate, ("tests/test_set/",), gold))
    for name, repo, folders, gold in sets:
        form = Form(name)
        form.tallies.pop("source")
        for url, entry in list(gold.items())[:limit]:
            raw = next(filter(None, (git_show(repo, folder + entry["file"]) for folder in folders)), None)
            if raw is None:
                continue
            text = raw.decode("utf-8", "replace")
            labelled = gold_date(entry.get("date")) or isinstance(entry.get("title"), str)
            if ARABIC_PAGE.search(text) or not labelled:
                continue
            try:
                article = call(extract_html, text, url=url)
            except NotAnArticle as error:
                form.rejected.append(f"{url}: {error}")
                continue
            if isinstance(entry.get("title"), str) and entry["title"].strip():
                form.tallies["title"].add(
                    verdict(article.title, [entry["title"]]), f"{url}: {article.title!r}"
                )
            gold_day = gold_date(entry.get("date"))
            if gold_day:
                found = day(article.published)
                form.tallies["date"].add(date_verdict(found, gold_day), f"{url}: {found} for {gold_day}")
        forms.append(form)
    return forms


def report(forms: list[Form], verbose: bool) -> str:
    rows = ["| form | title right/wrong/missing | source r/w/m | date r/w/m | body-line F1 (mean, min) |"]
    rows.append("|---|---|---|---|---|")
    for form in forms:
        cells = [f"{t.right}/{t.wrong}/{t.missing}" if (t := form.tallies.get(f)) else "-" for f in FIELDS]
        f1 = f"{sum(form.f1) / len(form.f1):.3f}, {min(form.f1):.3f}" if form.f1 else "-"
        rows.append(f"| {form.name} | {' | '.join(cells)} | {f1} |")
    for form in forms:
        for kept, dropped, wanted, unwanted in form.snippets:
            rows.append(f"\n{form.name}: snippets kept {kept}/{wanted}, left out {dropped}/{unwanted}")
        if form.rejected:
            rows.append(f"{form.name}: {len(form.rejected)} pages rejected as not articles")
        if verbose:
            rows.extend(f"  {form.name} rejected {rejected}" for rejected in form.rejected)
        if verbose:
            for name, tally in form.tallies.items():
                rows.extend(f"  {form.name} {name} {note}" for note in tally.notes)
    return "\n".join(rows)


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--pages-dir", type=Path, default=PAGES)
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--mirrors", type=Path, default=MIRRORS, help="where fetched repositories are")
    parser.add_argument("--half", choices=HALVES, help="only one half of the labelled pages")
    parser.add_argument("--seeds", action="store_true", help="the five seeds (the tuning set) instead")
    parser.add_argument("--trafilatura", type=Path, help="a fetched adbar/trafilatura repository")
    parser.add_argument("--htmldate", type=Path, help="a fetched adbar/htmldate repository")
    parser.add_argument(
        "--text-titles", action="store_true", help="with --trafilatura: the text cleaner's body-only titles"
    )
    parser.add_argument("--limit", type=int, default=10_000, help="pages read of each suite")
    parser.add_argument("--verbose", action="store_true", help="every wrong or missing value")
    args = parser.parse_args()
    if args.trafilatura and args.text_titles:
        forms = evaluate_text_titles(args.trafilatura, args.limit)
    elif args.trafilatura or args.htmldate:
        forms = evaluate_git_sets(args.trafilatura, args.htmldate, args.limit)
    elif args.seeds:
        forms = evaluate_seeds()
    else:
        forms = evaluate_pages(args.pages_dir, args.labels, args.mirrors, args.half)
    print(report(forms, args.verbose))


if __name__ == "__main__":
    main()
