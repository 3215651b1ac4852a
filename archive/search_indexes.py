"""What the search index holds for an article; haystack finds this module by its name.

Facet fields are FacetCharFields so that every haystack backend keeps them whole (keyword fields);
the date facets are precomputed year, month and day keywords, which count fast in any engine.
"""

import hashlib

from haystack import indexes
from haystack.fields import FacetMultiValueField

from archive.models import UNKNOWN, Article
from archive.search import periods
from archive.search.analyzers import ArabicExactAnalyzer

# The facet value of an article with no date, and of one with no source or a source not yet
# reviewed (archive.models.UNKNOWN, which periods.UNKNOWN is too).
UNKNOWN_DATE = periods.UNKNOWN
UNKNOWN_SOURCE = UNKNOWN


class ArticleIndex(indexes.SearchIndex, indexes.Indexable):
    text = indexes.CharField(document=True, model_attr="body")
    title = indexes.CharField(model_attr="title", boost=2.0)
    exact = indexes.CharField(stored=False, analyzer=ArabicExactAnalyzer())

    source = indexes.FacetCharField()
    source_name = indexes.CharField(indexed=False)
    published = indexes.DateTimeField(null=True)
    published_iso = indexes.CharField(indexed=False)
    year = indexes.FacetCharField()
    month = indexes.FacetCharField()
    day = indexes.FacetCharField()
    # "slug|YYYY-MM" and "slug|YYYY-MM-DD": the attention chart counts outlets over time in one search.
    source_month = indexes.FacetCharField()
    source_day = indexes.FacetCharField()
    agency = indexes.FacetCharField(model_attr="agency")
    tags = FacetMultiValueField()
    status = FacetMultiValueField()
    annotated = indexes.FacetCharField()
    url = indexes.CharField(model_attr="url", indexed=False)
    story_group = indexes.IntegerField(model_attr="story_group_id", null=True, indexed=False)
    revision = indexes.CharField(indexed=False)

    def get_model(self):
        return Article

    def index_queryset(self, using=None):
        return self.get_model().objects.select_related("source").prefetch_related("annotations__tags")

    def prepare_revision(self, article):
        """A hash of what the index holds, so that a check can tell an outdated document."""
        parts = [
            article.title,
            article.body,
            self.prepare_source(article),
            self.prepare_published_iso(article),
            article.agency,
            *self.prepare_tags(article),
            *self.prepare_status(article),
            str(article.story_group_id),
        ]
        return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=12).hexdigest()

    def prepare_source(self, article):
        source = article.public_source
        return source.slug if source else UNKNOWN_SOURCE

    def prepare_source_name(self, article):
        source = article.public_source
        return source.name if source else ""

    def prepare_exact(self, article):
        return f"{article.title}\n{article.body}"

    def prepare_published(self, article):
        return article.published

    def prepare_published_iso(self, article):
        return article.published.isoformat() if article.published else ""

    def prepare_year(self, article):
        return periods.key(article.published_on, "year")

    def prepare_month(self, article):
        return periods.key(article.published_on, "month")

    def prepare_day(self, article):
        return periods.key(article.published_on, "day")

    def prepare_source_month(self, article):
        return f"{self.prepare_source(article)}|{self.prepare_month(article)}"

    def prepare_source_day(self, article):
        return f"{self.prepare_source(article)}|{self.prepare_day(article)}"

    def prepare_tags(self, article):
        return sorted({tag.name for note in article.annotations.all() for tag in note.tags.all()})

    def prepare_status(self, article):
        return sorted({note.status for note in article.annotations.all()})

    def prepare_annotated(self, article):
        return "yes" if article.annotations.all() else "no"
