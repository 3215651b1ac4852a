"""Articles made on the spot for the web tests, indexed at once (as ingestion would)."""

from datetime import date

import pytest

from archive.models import Article, Source
from archive.search.indexing import index_articles


def make_article(
    source: Source | None, title: str, body: str, published_on: date | None = None, **fields
) -> Article:
    original = f"{title}\n\n{body}".encode()
    article = Article.objects.create(
        source=source,
        title=title,
        body=body,
        published_on=published_on,
        date_precision="day" if published_on else "",
        date_origin="text" if published_on else "",
        original=original,
        original_content_type="text/plain",
        original_encoding="utf-8",
        original_sha256=Article.sha256_of(original),
        original_name="tests/made.txt",
        **fields,
    )
    index_articles([article.pk])
    return article


def date_seeds(*days: date) -> list[Article]:
    """Gives the seed articles these publication dates in seed file order (the rest none), and reindexes."""
    articles = list(Article.objects.order_by("original_name"))
    for n, article in enumerate(articles):
        article.published_on = days[n] if n < len(days) else None
        article.published_at = None
        article.date_precision = "day" if article.published_on else ""
        article.save()
    index_articles([a.pk for a in articles])
    return articles


@pytest.fixture
def source(db):
    return Source.objects.create(name="مصدر الاختبار", slug="test-source", domain="test.example")
