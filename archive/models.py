"""Sources, articles with their originals, and editors' annotations."""

import hashlib
from datetime import UTC, date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from archive.countries import arabic_country_name
from archive.text.metadata import name_key
from archive.text.urls import web_url

# What the index, the search URLs and the facets call a source or a date nobody knows
# (archive.search_indexes); no source may take it as its slug.
UNKNOWN = "unknown"


def unique_slug(model, text: str, fallback: str) -> str:
    """A unicode slug for `text` that no row of `model` has yet (Arabic names keep their letters)."""
    base = slugify(text, allow_unicode=True)[:80] or fallback
    slug, n = (f"{base}-2", 3) if base == UNKNOWN else (base, 2)
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


class SourceQuerySet(models.QuerySet):
    def public(self):
        """The outlets journalists see: reviewed ones and those of the outlet table, never a guess
        ingestion flagged for review."""
        return self.filter(needs_review=False)


class Source(models.Model):
    """A news outlet, named as it names itself, with the other spellings it is found under."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=True)
    aliases = models.JSONField(
        _("aliases"),
        default=list,
        blank=True,
        help_text=_('Other spellings and the Latin site name, e.g. ["emiratesvoice"].'),
    )
    domain = models.CharField(_("domain"), max_length=200, blank=True, db_index=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=10, default="ar")
    notes = models.TextField(_("notes for journalists"), blank=True, help_text=_("Affiliation, reliability."))
    needs_review = models.BooleanField(
        _("needs review"), default=False, help_text=_("Created automatically during ingestion.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug or self.slug == UNKNOWN:
            self.slug = unique_slug(Source, self.domain.split(".")[0] if self.domain else self.name, "source")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("source_detail", args=[self.slug])

    def names(self) -> list[str]:
        """Every string this outlet is known by: name, aliases and domain."""
        return [self.name, *self.aliases, *([self.domain] if self.domain else [])]

    def clean(self):
        if self.slug == UNKNOWN:
            raise ValidationError({"slug": _("This slug is reserved for articles whose source is unknown.")})

    @classmethod
    def from_outlet(cls, outlet) -> "Source":
        """The Source for an entry of the outlet table (archive.text.outlets): known, so not flagged."""
        aliases = [name for name in (outlet.latin_name, *outlet.aliases) if name and name != outlet.name]
        return cls.objects.create(
            name=outlet.name[:200],
            domain=outlet.domains[0] if outlet.domains else "",
            aliases=list(dict.fromkeys(aliases)),
            country=arabic_country_name(outlet.country),
        )

    @classmethod
    def for_editor(cls, name: str, may_create: bool = False) -> "Source":
        """The source an editor means by a name or a domain: a known one, else the outlet table's, else
        (only for a role that may add sources) a new one. The editor's choice makes it reviewed."""
        from archive.text import outlets

        name = name.strip()[: cls._meta.get_field("name").max_length]
        host = outlets.normal_host(name)
        sources = list(cls.objects.all())
        found = next(
            (s for s in sources if s.known_as(name) or (s.domain and s.domain.lower() == host)), None
        )
        if found is None and (outlet := outlets.by_name(name) or outlets.by_domain(name)) is not None:
            found = next((s for s in sources if s.known_as(outlet.name)), None) or cls.from_outlet(outlet)
        if found is None:
            if not may_create:
                raise ValidationError(_("No source is known by this name; an administrator can add it."))
            found = cls.objects.create(name=name)
        if found.needs_review:
            found.confirm()
        return found

    def known_as(self, name: str) -> bool:
        key = name_key(name)
        return any(name_key(known) == key for known in self.names())

    @transaction.atomic
    def confirm(self) -> int:
        """An editor vouches for an outlet ingestion created: it becomes public. Its articles' documents
        change (they were filed under "unknown"), so they are recorded for the index."""
        self.needs_review = False
        self.save(update_fields=["needs_review"])
        ids = list(self.articles.values_list("pk", flat=True))
        record_index_changes(ids)
        return len(ids)

    @transaction.atomic
    def merge_into(self, target: "Source") -> int:
        """Moves this source's articles to `target`, keeps this name (and domain) as the target's
        aliases, deletes this source, and records the moved articles for the index. Returns how many."""
        if target.pk == self.pk:
            raise ValueError("a source cannot be merged into itself")
        ids = list(self.articles.values_list("pk", flat=True))
        Article.objects.filter(pk__in=ids).update(source=target, source_origin=Article.Origin.EDITOR)
        for name in (self.name, *self.aliases, self.domain):
            if name and not target.known_as(name):
                target.aliases = [*target.aliases, name]
        if not target.domain and self.domain:
            target.domain = self.domain
        target.save(update_fields=["aliases", "domain"])
        self.delete()
        record_index_changes(ids)
        return len(ids)


class StoryGroup(models.Model):
    """Ties together the copies of one story that several outlets carried (syndication)."""

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("story group")
        verbose_name_plural = _("story groups")

    def __str__(self):
        return f"#{self.pk}"


class ArticleQuerySet(models.QuerySet):
    def of_sources(self, slugs):
        """The articles filed under these source slugs as the index files them: UNKNOWN stands for
        no source or one awaiting review."""
        slugs = list(slugs)
        matching = models.Q(source__slug__in=slugs, source__needs_review=False)
        if UNKNOWN in slugs:
            matching |= models.Q(source=None) | models.Q(source__needs_review=True)
        return self.filter(matching)


class Article(models.Model):
    class Origin(models.TextChoices):
        """Where a title or a source came from, in order of trust (the editor's word above all)."""

        MANIFEST = "manifest", _("manifest")
        URL = "url", _("URL")
        HTML = "html", _("HTML metadata")
        TEXT = "text", _("page text")
        EDITOR = "editor", _("editor")

    class DatePrecision(models.TextChoices):
        DAY = "day", _("day")
        TIME = "time", _("time")

    class DateOrigin(models.TextChoices):
        TEXT = "text", _("page text")
        HTML = "html", _("HTML metadata")
        RECORD = "record", _("crawler record")
        MANIFEST = "manifest", _("manifest")
        CRAWL = "crawl", _("crawl time")
        EDITOR = "editor", _("editor")

    source = models.ForeignKey(
        Source,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("source"),
        help_text=_("Empty when ingestion found no trustworthy evidence of the outlet."),
    )
    source_origin = models.CharField(_("source from"), max_length=10, choices=Origin, blank=True)
    title = models.CharField(_("title"), max_length=500)
    title_origin = models.CharField(_("title from"), max_length=10, choices=Origin, blank=True)
    body = models.TextField(_("body"))
    url = models.URLField(_("URL"), max_length=2000, blank=True, db_index=True)

    published_on = models.DateField(_("publication date"), null=True, blank=True)
    published_at = models.DateTimeField(
        _("publication time"), null=True, blank=True, help_text=_("Only when the time of day is known.")
    )
    date_precision = models.CharField(_("date precision"), max_length=4, choices=DatePrecision, blank=True)
    date_origin = models.CharField(_("date from"), max_length=10, choices=DateOrigin, blank=True)

    dateline = models.CharField(_("dateline"), max_length=200, blank=True)
    author = models.CharField(_("author"), max_length=200, blank=True)
    section = models.CharField(_("section"), max_length=200, blank=True)
    agency = models.CharField(_("wire agency"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=10, default="ar")

    # Every value the cleaners saw for title, source and date, with where and from what:
    # [{"field": "source", "value": "…", "origin": "html", "evidence": "…"}, …]
    candidates = models.JSONField(_("candidates seen"), default=list, blank=True, editable=False)

    original = models.BinaryField(_("original"), editable=False)
    original_content_type = models.CharField(_("original content type"), max_length=100)
    original_encoding = models.CharField(_("original encoding"), max_length=40, blank=True)
    original_sha256 = models.CharField(_("original sha256"), max_length=64, unique=True, editable=False)
    original_name = models.CharField(_("received as"), max_length=1000, blank=True)

    ingested_at = models.DateTimeField(_("ingested"), auto_now_add=True, db_index=True)
    story_group = models.ForeignKey(
        StoryGroup,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("story group"),
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "-published_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(fields=["source", "published_on"]),
            models.Index(fields=["published_on"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["url"], condition=~models.Q(url=""), name="article_url_unique"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("article_detail", args=[self.pk])

    @property
    def link_url(self) -> str:
        """The URL if it may become a link (http or https, with a host); any other URL is shown as text."""
        return web_url(self.url)

    @property
    def public_source(self) -> Source | None:
        """The source journalists are shown: none when unknown or still awaiting an editor's review."""
        source = self.source
        return source if source is not None and not source.needs_review else None

    @property
    def published(self):
        """The publication date or datetime, at the precision it is known."""
        return self.published_at or self.published_on

    @property
    def paragraphs(self) -> list[str]:
        return [line for line in self.body.split("\n") if line.strip()]

    def other_copies(self):
        if not self.story_group_id:
            return Article.objects.none()
        return self.story_group.articles.exclude(pk=self.pk).select_related("source")

    def public_annotations(self):
        return self.annotations.filter(is_public=True).select_related("editor").prefetch_related("tags")

    @staticmethod
    def sha256_of(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    def candidates_for(self, field: str) -> list[dict]:
        return [c for c in self.candidates if isinstance(c, dict) and c.get("field") == field]

    @transaction.atomic
    def accept_candidate(self, field: str, value: str, may_create_source: bool = False) -> None:
        """Sets a field to a value the cleaners saw for it, as an editor's decision; the article is
        recorded for the index in the same transaction. A value never seen is refused, and so is a
        source nobody knows unless may_create_source."""
        if not any(c.get("value") == value for c in self.candidates_for(field)):
            raise ValidationError(_("No such candidate for this article."))
        if field == "title":
            self.title, self.title_origin = (
                value[: self._meta.get_field("title").max_length],
                self.Origin.EDITOR,
            )
        elif field == "source":
            self.source = Source.for_editor(value, may_create=may_create_source)
            self.source_origin = self.Origin.EDITOR
        elif field == "published":
            self.set_published(value)
        else:
            raise ValidationError(_("No such candidate for this article."))
        self.save()  # the save's signal records the article for the index (archive.search.signals)

    def set_published(self, iso: str) -> None:
        """An editor's date (ISO day or moment), at the precision it is written in."""
        try:
            moment = datetime.fromisoformat(iso) if "T" in iso else date.fromisoformat(iso)
        except ValueError:
            raise ValidationError(_("Not a date: %(value)s"), params={"value": iso}) from None
        if isinstance(moment, datetime):
            moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            self.published_on, self.published_at = moment.date(), moment
            self.date_precision = self.DatePrecision.TIME
        else:
            self.published_on, self.published_at = moment, None
            self.date_precision = self.DatePrecision.DAY
        self.date_origin = self.DateOrigin.EDITOR


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name


class Annotation(models.Model):
    """An editor's note on an article, with the verification status newsrooms use."""

    class Kind(models.TextChoices):
        NOTE = "note", _("note")
        CORRECTION = "correction", _("correction")
        CONTEXT = "context", _("context")
        VERIFICATION = "verification", _("verification")

    class Status(models.TextChoices):
        UNVERIFIED = "unverified", _("unverified")
        VERIFIED = "verified", _("verified")
        DISPUTED = "disputed", _("disputed")
        FALSE = "false", _("false")

    article = models.ForeignKey(
        Article, models.CASCADE, related_name="annotations", verbose_name=_("article")
    )
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="annotations",
        verbose_name=_("editor"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.NOTE)
    text = models.TextField(_("text"))
    quote = models.TextField(
        _("quoted passage"), blank=True, help_text=_("The passage of the article this annotation refers to.")
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="annotations", verbose_name=_("tags"))
    status = models.CharField(
        _("verification status"), max_length=20, choices=Status, default=Status.UNVERIFIED
    )
    is_public = models.BooleanField(
        _("public"), default=False, help_text=_("Public annotations are shown on the article page.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("annotation")
        verbose_name_plural = _("annotations")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:60]}"


class Rejection(models.Model):
    """An input that ingestion refused, kept so that editors can see what was lost and why."""

    origin = models.CharField(_("input"), max_length=1000)
    reason = models.CharField(_("reason"), max_length=1000)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("rejected input")
        verbose_name_plural = _("rejected inputs")

    def __str__(self):
        return f"{self.origin}: {self.reason}"


class StoryFingerprint(models.Model):
    """One of an article's smallest shingle hashes; articles that share several are copies of one story."""

    article = models.ForeignKey(Article, models.CASCADE, related_name="fingerprints")
    value = models.BigIntegerField(db_index=True)

    class Meta:
        verbose_name = _("story fingerprint")

    def __str__(self):
        return f"{self.article_id}:{self.value}"


class IndexChange(models.Model):
    """An article whose search document must be rewritten or removed, recorded in the transaction that
    changed it: the index is brought back to the database from these rows, whatever crashed in between."""

    article_id = models.BigIntegerField(_("article"))
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("pending index change")
        verbose_name_plural = _("pending index changes")

    def __str__(self):
        return f"article {self.article_id}"

    @classmethod
    def record(cls, article_ids) -> None:
        """Notes that these articles changed; call it inside the transaction that changes them."""
        cls.objects.bulk_create(cls(article_id=pk) for pk in sorted(set(article_ids)))


def record_index_changes(article_ids) -> None:
    """Records articles changed without a save of each (a bulk update), in the caller's transaction,
    and applies them after its commit as a save's own change is (archive.search.signals)."""
    from archive.search.indexing import apply_pending_now
    from archive.search.signals import indexing_deferred

    article_ids = list(article_ids)
    if not article_ids:
        return
    IndexChange.record(article_ids)
    if not indexing_deferred():
        transaction.on_commit(apply_pending_now)
