"""Sources, articles with their originals, and editors' annotations."""

import hashlib

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from archive.text.urls import web_url


def unique_slug(model, text: str, fallback: str) -> str:
    """A unicode slug for `text` that no row of `model` has yet (Arabic names keep their letters)."""
    base = slugify(text, allow_unicode=True)[:80] or fallback
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


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

    class Meta:
        ordering = ["name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Source, self.domain.split(".")[0] if self.domain else self.name, "source")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("source_detail", args=[self.slug])

    def names(self) -> list[str]:
        """Every string this outlet is known by: name, aliases and domain."""
        return [self.name, *self.aliases, *([self.domain] if self.domain else [])]


class StoryGroup(models.Model):
    """Ties together the copies of one story that several outlets carried (syndication)."""

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("story group")
        verbose_name_plural = _("story groups")

    def __str__(self):
        return f"#{self.pk}"


class Article(models.Model):
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

    source = models.ForeignKey(Source, models.PROTECT, related_name="articles", verbose_name=_("source"))
    title = models.CharField(_("title"), max_length=500)
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
