"""The one pipeline every reader feeds: read → clean → store (with the original) → index.

Each article is stored in its own transaction together with its original, so a failure leaves
nothing half-written; rejected inputs are recorded with their reason and the batch goes on.
"""

import logging
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

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
from archive.text import fingerprint
from archive.text.arabic import normalize
from archive.text.article import CleanArticle, NotAnArticle

from .extract import extract
from .items import RawItem
from .items import Rejection as ReaderRejection
from .readers import read_paths

log = logging.getLogger(__name__)

# Inputs read ahead to look up their duplicates together; kept small, as each holds its original.
LOOKUP_BATCH = 100
MAX_REASON_CHARS = 300
MAX_LISTED_REJECTIONS = 200


@dataclass
class Summary:
    added: int = 0
    duplicates: int = 0
    grouped: int = 0  # added articles that joined a story group of syndicated copies
    new_sources: list[str] = field(default_factory=list)
    rejected: list[ReaderRejection] = field(default_factory=list)
    # After the run, when it indexes: stored articles, documents in the index, changes not applied yet.
    articles: int | None = None
    indexed: int | None = None
    index_pending: int = 0

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
        if self.index_behind:
            out.append(
                f"index: NOT up to date: {self.indexed} documents for {self.articles} articles, "
                f"{self.index_pending} changes waiting (applied by the next ingest or the running server)"
            )
        elif self.articles is not None:
            out.append(f"index: up to date ({self.articles} articles)")
        return out


def name_key(text: str) -> str:
    """How outlet names are compared: Arabic-normalized, case- and space-insensitive."""
    return " ".join(normalize(text).split())


def host_of(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


class SourceResolver:
    """Finds the Source an article belongs to: explicit name, then URL domain, then the page's own guess."""

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

    def find(self, name: str = "", url: str = "") -> Source | None:
        if name and (found := self.by_name.get(name_key(name))):
            return found
        host = host_of(url).lower()
        while host:
            if found := self.by_domain.get(host):
                return found
            host = host.partition(".")[2] if host.count(".") > 1 else ""
        return None

    def resolve(self, explicit: str, url: str, guess: str) -> tuple[Source, bool]:
        """The source and whether it was created now (flagged for an editor to review)."""
        found = (explicit and self.find(explicit)) or self.find(url=url) or (guess and self.find(guess))
        if found:
            return found, False
        host = host_of(url)
        name = (explicit or guess or host or "مصدر غير معروف").strip()[:200]
        source, created = Source.objects.get_or_create(
            name=name, defaults={"domain": host, "aliases": [host] if host else [], "needs_review": True}
        )
        # Called inside the article's transaction: a source it rolls back must not be reused.
        transaction.on_commit(lambda: self.remember(source))
        return source, created


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
            clean = extract(item, known_sources=self.resolver.by_name.keys())
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
        source, created = self.resolver.resolve(
            self.source or item.source, clean.url or item.url, clean.source
        )
        if created:
            transaction.on_commit(lambda: self.summary.new_sources.append(source.name))
        published, origin = clean.published, clean.date_origin
        if published is None and item.captured_at is not None:
            published, origin = item.captured_at, Article.DateOrigin.CRAWL
        article = Article.objects.create(
            source=source,
            title=clean.title[:500],
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
