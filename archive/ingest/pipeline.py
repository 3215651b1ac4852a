"""The one pipeline every reader feeds: read → clean → store (with the original) → index.

Each article is stored in its own transaction together with its original, so a failure leaves
nothing half-written; rejected inputs are recorded with their reason and the batch goes on.
"""

import logging
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from tqdm import tqdm

from archive.models import Article, Rejection, Source, StoryFingerprint, StoryGroup
from archive.search.indexing import (
    BulkIndexer,
    apply_pending,
    bulk_load,
    chunks,
    indexed_count,
    pending_changes,
    reconcile,
)
from archive.search.signals import deferred_indexing
from archive.search.writers import LockError
from archive.text import fingerprint, outlets
from archive.text.article import Candidate, CleanArticle, NotAnArticle
from archive.text.metadata import name_key
from archive.text.outlets import host_of

from .extract import extract
from .items import RawItem
from .items import Rejection as ReaderRejection
from .readers import HTML, TEXT, read_paths

log = logging.getLogger(__name__)

# Inputs read ahead to look up their duplicates together; kept small, as each holds its original.
LOOKUP_BATCH = 100
MAX_REASON_CHARS = 300
MAX_LISTED_REJECTIONS = 200
# What an article keeps of the values seen for its title, source and date (the review queue's evidence).
MAX_CANDIDATES = 30
MAX_CANDIDATE_CHARS = 500
MAX_EVIDENCE_CHARS = 300


@dataclass
class Summary:
    added: int = 0
    duplicates: int = 0
    grouped: int = 0  # added articles that joined a story group of syndicated copies
    unattributed: int = 0  # added articles left with no source, for an editor to decide
    new_sources: list[str] = field(default_factory=list)  # created flagged, for an editor to review
    rejected: list[ReaderRejection] = field(default_factory=list)
    # After the run, when it indexes: stored articles, documents in the index, changes not applied yet.
    articles: int | None = None
    indexed: int | None = None
    index_pending: int = 0

    def count_unattributed(self) -> None:
        self.unattributed += 1

    @property
    def index_behind(self) -> bool:
        return self.articles is not None and (bool(self.index_pending) or self.indexed != self.articles)

    def lines(self) -> list[str]:
        out = [
            f"added: {self.added}",
            f"duplicates: {self.duplicates}",
            f"syndicated copies grouped: {self.grouped}",
            f"rejected: {len(self.rejected)}",
        ]
        out += [f"  {r.origin}: {r.reason}" for r in self.rejected[:MAX_LISTED_REJECTIONS]]
        if len(self.rejected) > MAX_LISTED_REJECTIONS:
            more = len(self.rejected) - MAX_LISTED_REJECTIONS
            out.append(f"  … and {more} more (all are listed in the admin's rejected inputs)")
        if self.new_sources:
            out.append(f"new sources to review: {', '.join(self.new_sources)}")
        if self.unattributed:
            out.append(f"articles with no source, for an editor: {self.unattributed}")
        if self.index_behind:
            out.append(
                f"index: NOT up to date: {self.indexed} documents for {self.articles} articles, "
                f"{self.index_pending} changes waiting (applied by the next ingest or the running server)"
            )
        elif self.articles is not None:
            out.append(f"index: up to date ({self.articles} articles)")
        return out


Origin = Article.Origin


@dataclass(frozen=True)
class Attribution:
    """The source an article is filed under (None when the evidence is not enough), from what, and
    whether the source was created now, flagged for an editor's review."""

    source: Source | None
    origin: str = ""
    created: bool = False


def looks_like_host(name: str) -> bool:
    return "." in name and not any(c.isspace() or c == "/" for c in name.strip())


class SourceResolver:
    """Finds the Source an article belongs to, in order of trust: the manifest (or --source), the URL's
    domain, then the outlet name the cleaners read (HTML metadata before page text).

    A domain or name is matched against the archive's sources and then the outlet table
    (archive.text.outlets), whose outlets are created as known sources. Only a name from a manifest or
    from HTML metadata that neither knows creates a source, flagged for review; a name read from the
    page text alone never does: the source stays empty and the name waits in the candidates.
    """

    def __init__(self):
        self.by_name: dict[str, Source] = {}
        self.by_domain: dict[str, Source] = {}
        for source in Source.objects.all():
            self.remember(source)

    def remember(self, source: Source) -> None:
        for name in source.names():
            self.by_name.setdefault(name_key(name), source)
        if source.domain:
            self.by_domain[source.domain.removeprefix("www.").lower()] = source

    def known_names(self) -> list[str]:
        """The names the text cleaner may prefer: reviewed sources' and the outlet table's, never those
        of a source still awaiting review (a wrong guess must not be found again and again)."""
        reviewed = {s.pk: s for s in self.by_name.values() if not s.needs_review}.values()
        table = [name for outlet in outlets.outlets() for name in outlet.names()]
        return [*(name for source in reviewed for name in source.names()), *table]

    def by_host(self, url_or_host: str) -> Source | None:
        host = outlets.normal_host(url_or_host)
        while host:
            if found := self.by_domain.get(host):
                return found
            host = host.partition(".")[2] if host.count(".") > 1 else ""
        return None

    def known(self, name: str) -> Source | None:
        """The archive's source of this name, alias or domain."""
        found = self.by_name.get(name_key(name))
        if found is None and looks_like_host(name):
            found = self.by_host(name)
        return found

    def of_outlet(self, outlet: outlets.Outlet) -> Source:
        """The source of an outlet of the table: the archive's, if it knows the outlet by any of its
        names or domains, else created from the table, not flagged."""
        for name in (*outlet.names(), *outlet.domains):
            if found := self.known(name):
                return found
        source = Source.from_outlet(outlet)
        # Called inside the article's transaction: a source it rolls back must not be reused.
        transaction.on_commit(lambda: self.remember(source))
        return source

    def in_table(self, name: str) -> outlets.Outlet | None:
        return outlets.by_name(name) or (outlets.by_domain(name) if looks_like_host(name) else None)

    def resolve(self, explicit: str, url: str, name: str, name_origin: str) -> Attribution:
        if explicit := explicit.strip():
            if found := self.known(explicit):
                return Attribution(found, Origin.MANIFEST)
            if outlet := self.in_table(explicit):
                return Attribution(self.of_outlet(outlet), Origin.MANIFEST)
            return self.flagged(explicit, url, Origin.MANIFEST)
        if url:
            if found := self.by_host(url):
                return Attribution(found, Origin.URL)
            if outlet := outlets.by_domain(url):
                return Attribution(self.of_outlet(outlet), Origin.URL)
        name = name.strip()
        if not name or name_origin not in (Origin.HTML, Origin.TEXT):
            return Attribution(None)
        found = self.known(name)
        if found and (name_origin == Origin.HTML or not found.needs_review):
            return Attribution(found, name_origin)
        if outlet := self.in_table(name):
            return Attribution(self.of_outlet(outlet), name_origin)
        if name_origin == Origin.HTML and not found:
            return self.flagged(name, url, Origin.HTML)
        return Attribution(None)

    def flagged(self, name: str, url: str, origin: str) -> Attribution:
        """A source for a name nobody knows, flagged for an editor to confirm or merge."""
        host = host_of(url)
        domain = host if host and not self.by_host(host) else ""
        source, created = Source.objects.get_or_create(
            name=name[:200],
            defaults={"domain": domain, "aliases": [domain] if domain else [], "needs_review": True},
        )
        transaction.on_commit(lambda: self.remember(source))
        return Attribution(source, origin, created)


def source_origin(item: RawItem, clean: CleanArticle) -> str:
    """Where the cleaner's outlet name came from: what the cleaner says, else what its input was."""
    if clean.source_origin or not clean.source:
        return clean.source_origin
    if looks_like_host(clean.source):  # the cleaners fall back to the URL's host
        return Origin.URL
    return {HTML: Origin.HTML, TEXT: Origin.TEXT}.get(item.content_type, "")


def candidate_rows(item: RawItem, clean: CleanArticle, explicit: str, name_origin: str) -> list[dict]:
    """What the editor reviews: the cleaners' candidates, and the outlet the manifest, the URL and the
    cleaner named (each once)."""
    found = [asdict(c) for c in clean.candidates]
    host = host_of(clean.url or item.url)
    extra = [
        Candidate("source", explicit, Origin.MANIFEST, "manifest"),
        Candidate("source", host, Origin.URL, clean.url or item.url),
        Candidate("source", clean.source, name_origin or Origin.TEXT, ""),
    ]
    seen = {(c["field"], name_key(c["value"])) for c in found}
    for candidate in extra:
        key = (candidate.field, name_key(candidate.value))
        if candidate.value and key not in seen:
            seen.add(key)
            found.append(asdict(candidate))
    return [
        {**row, "value": row["value"][:MAX_CANDIDATE_CHARS], "evidence": row["evidence"][:MAX_EVIDENCE_CHARS]}
        for row in found[:MAX_CANDIDATES]
    ]


class KnownOriginals:
    """The sha256 sums and URLs of a batch of inputs that the archive already holds.

    Two indexed look-ups answer a whole batch, instead of two per input; what the batch itself adds is
    remembered, so a repeat within the batch is a duplicate too.
    """

    def __init__(self, shas: set[str], urls: set[str], asked_urls: set[str]):
        self.shas = shas
        self.urls = urls
        self.asked_urls = asked_urls

    @classmethod
    def among(cls, shas: list[str], urls: list[str]) -> "KnownOriginals":
        asked = {url for url in urls if url}
        return cls(
            set(Article.objects.filter(original_sha256__in=shas).values_list("original_sha256", flat=True)),
            set(Article.objects.filter(url__in=asked).values_list("url", flat=True)) if asked else set(),
            asked,
        )

    def has(self, sha: str, url: str) -> bool:
        return sha in self.shas or (bool(url) and self.has_url(url))

    def has_url(self, url: str) -> bool:
        if url in self.urls:
            return True
        # A URL the page itself gave (not the reader) was not in the batch's look-up.
        return url not in self.asked_urls and Article.objects.filter(url=url).exists()

    def add(self, article: Article) -> None:
        self.shas.add(article.original_sha256)
        if article.url:
            self.urls.add(article.url)
            self.asked_urls.add(article.url)


class Pipeline:
    """Ingests inputs into the archive and indexes what it added, in batches."""

    def __init__(
        self,
        source: str = "",
        manifest: Path | None = None,
        index: bool = True,
        batch_size: int = 500,
        progress: Callable[[Iterable], Iterable] | None = None,
    ):
        self.source = source
        self.manifest = manifest
        self.index = index
        self.batch_size = batch_size
        self.progress = progress or (lambda items: items)
        self.resolver = SourceResolver()
        self.summary = Summary()
        self.known = KnownOriginals(set(), set(), set())
        self._unindexed = 0  # articles stored since the last flush to the index

    def run(self, paths: Iterable[str | Path]) -> Summary:
        items = read_paths(paths, manifest=self.manifest, max_bytes=settings.ARCHIVE_MAX_INPUT_BYTES)
        with deferred_indexing(), bulk_load(self.index):
            try:
                with BulkIndexer() as self.indexer:
                    # What an earlier run or another process recorded but did not apply goes first.
                    self.flush_index()
                    for batch in chunks(self.progress(items), LOOKUP_BATCH):
                        self.ingest_batch(batch)
                        if self._unindexed >= self.batch_size:
                            self.flush_index()
                    self.flush_index()
            except LockError as error:  # from the last commit; the changes stay recorded
                log.warning("the index is locked by another process: %s", error)
            if self.index:
                self.catch_up_index()
        return self.summary

    def ingest_batch(self, batch: list) -> None:
        raw = [item for item in batch if isinstance(item, RawItem)]
        shas = [Article.sha256_of(item.data) for item in raw]
        self.known = KnownOriginals.among(shas, [item.url for item in raw])
        found = iter(shas)
        for item in batch:
            if isinstance(item, ReaderRejection):
                self.reject(item)
            else:
                self.ingest_alone(item, next(found))

    def catch_up_index(self) -> None:
        """Applies what the bulk writer had to leave (changes to articles it held), then checks that the
        index holds every stored article; the summary says what is still missing."""
        try:
            apply_pending(wait=True)
            if reconcile():
                apply_pending(wait=True)
        except LockError as error:
            log.warning("the index is locked by another process: %s", error)
        self.summary.index_pending = pending_changes()
        self.summary.articles = Article.objects.count()
        self.summary.indexed = indexed_count()

    def ingest_alone(self, item: RawItem, sha: str) -> Article | None:
        """Ingests one item; any failure of its own becomes its rejection, and the batch goes on."""
        try:
            return self.ingest(item, sha)
        except Exception as error:
            log.exception("ingesting %s failed", item.origin)
            reason = f"could not be ingested: {type(error).__name__}: {error}"
            self.reject(ReaderRejection(item.origin, reason))
            return None

    def ingest(self, item: RawItem, sha: str) -> Article | None:
        if self.known.has(sha, item.url):
            self.summary.duplicates += 1
            return None
        try:
            clean = extract(item, known_sources=self.resolver.known_names())
        except NotAnArticle as error:
            self.reject(ReaderRejection(item.origin, str(error)))
            return None
        if clean.url and self.known.has_url(clean.url):
            self.summary.duplicates += 1
            return None
        try:
            article = self.store(item, clean, sha)
        except IntegrityError:
            url = clean.url or item.url
            if not Article.objects.filter(Q(original_sha256=sha) | (Q(url=url) if url else Q())).exists():
                raise
            # Another copy with this sha256 or URL was stored meanwhile (a concurrent ingest).
            self.summary.duplicates += 1
            return None
        self.known.add(article)
        self.summary.added += 1
        self._unindexed += 1
        return article

    @transaction.atomic
    def store(self, item: RawItem, clean: CleanArticle, sha: str) -> Article:
        explicit, url = self.source or item.source, clean.url or item.url
        name_origin = source_origin(item, clean)
        found = self.resolver.resolve(explicit, url, clean.source, name_origin)
        if found.created:
            transaction.on_commit(lambda: self.summary.new_sources.append(found.source.name))
        elif found.source is None:
            transaction.on_commit(self.summary.count_unattributed)
        published, origin = clean.published, clean.date_origin
        if published is None and item.captured_at is not None:
            published, origin = item.captured_at, Article.DateOrigin.CRAWL
        article = Article.objects.create(
            source=found.source,
            source_origin=found.origin,
            title=clean.title[:500],
            title_origin=clean.title_origin,
            candidates=candidate_rows(item, clean, explicit, name_origin),
            body=clean.body,
            url=(clean.url or item.url)[:2000],
            **publication_fields(published, origin),
            dateline=clean.dateline[:200],
            author=clean.author[:200],
            section=clean.section[:200],
            agency=clean.agency[:100],
            language=clean.language or "ar",
            original=item.data,
            original_content_type=item.content_type,
            original_encoding=clean.encoding,
            original_sha256=sha,
            original_name=item.origin[:1000],
        )
        if self.group_story(article):
            self.summary.grouped += 1
        return article

    def group_story(self, article: Article) -> bool:
        """Puts the article in the story group of an earlier near-identical copy, if there is one."""
        shingles = fingerprint.shingles(article.body)
        sketch = fingerprint.sample(shingles)
        # Looked up before this article's own fingerprints are written, so they need no excluding.
        shared = Counter(StoryFingerprint.objects.filter(value__in=sketch).values_list("article", flat=True))
        StoryFingerprint.objects.bulk_create(StoryFingerprint(article=article, value=v) for v in sketch)
        needed = max(2, int(len(sketch) * fingerprint.SAME_STORY_JACCARD))
        for candidate_id, count in shared.most_common():
            if count < needed:
                break
            other = Article.objects.only("body", "story_group").get(pk=candidate_id)
            if (
                fingerprint.jaccard(shingles, fingerprint.shingles(other.body))
                >= fingerprint.SAME_STORY_JACCARD
            ):
                if other.story_group_id is None:
                    other.story_group = StoryGroup.objects.create()
                    other.save(update_fields=["story_group"])
                article.story_group_id = other.story_group_id
                article.save(update_fields=["story_group"])
                return True
        return False

    def reject(self, rejection: ReaderRejection) -> None:
        # A reason may quote the bad value: a 5 MB field must not become a 5 MB line of the summary.
        rejection = ReaderRejection(rejection.origin[:1000], rejection.reason[:MAX_REASON_CHARS])
        self.summary.rejected.append(rejection)
        Rejection.objects.create(origin=rejection.origin, reason=rejection.reason)

    def flush_index(self) -> None:
        """Hands the index what was stored since the last flush, and any other change recorded meanwhile.

        Another process holding the index for long (a second ingest, rebuild_index) does not stop the
        run: the changes stay recorded, and a later flush or the final catch-up applies them."""
        if self.index:
            try:
                self.indexer.drain()
            except LockError as error:
                log.warning("the index is locked by another process; storing goes on: %s", error)
        self._unindexed = 0


def publication_fields(published: date | datetime | None, origin: str) -> dict:
    """The model's date fields for a date (day precision) or a datetime (time precision)."""
    if published is None:
        return {"published_on": None, "published_at": None, "date_precision": "", "date_origin": ""}
    if isinstance(published, datetime):
        aware = published if timezone.is_aware(published) else published.replace(tzinfo=UTC)
        if origin != Article.DateOrigin.CRAWL:
            return {
                "published_on": aware.date(),
                "published_at": aware,
                "date_precision": "time",
                "date_origin": origin,
            }
        # A crawl time tells the day the page existed, not the minute it was published.
        published = aware.date()
    return {"published_on": published, "published_at": None, "date_precision": "day", "date_origin": origin}


def progress_bar(items: Iterable, desc: str = "ingesting"):
    """A tqdm bar on stderr; quieter when stderr is not a terminal (CI logs)."""
    return tqdm(
        items,
        desc=desc,
        unit=" items",
        file=sys.stderr,
        mininterval=0.2 if sys.stderr.isatty() else 5.0,
    )
