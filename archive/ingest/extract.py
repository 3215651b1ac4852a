"""One raw item in, one clean article out, whatever the format; what came beside the file (manifest,
JSON record) wins over what the cleaners guess from the page.
"""

import json
from collections.abc import Collection, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from archive.models import Article
from archive.text.article import CleanArticle, NotAnArticle
from archive.text.dates import not_after
from archive.text.encoding import decode
from archive.text.html import extract_html
from archive.text.metadata import wire_credit

from .items import RawItem
from .readers import HTML, JSON, TEXT, record_metadata, text_field, web_url

MAX_TITLE_CHARS = Article._meta.get_field("title").max_length


def extract(
    item: RawItem, known_sources: Iterable[str] = (), repeated_lines: Collection[str] = ()
) -> CleanArticle:
    """The clean article of item; NotAnArticle with a one-line reason when it holds none.

    The article carries the detected encoding of the original as `encoding` ("utf-8" for JSON records).
    A crawl or capture time is never made into a publication date here: that fallback is the pipeline's.
    A body over settings.ARCHIVE_MAX_BODY_CHARS is refused; a title is cut to what the archive stores.
    """
    if item.content_type == JSON:
        article, encoding = _from_record(item.record or _parse_record(item.data)), "utf-8"
    else:
        text, encoding = decode(item.data)
        if item.content_type == HTML:
            article = extract_html(text, url=item.url, captured=item.captured_at)
        elif item.content_type == TEXT:
            from archive.text.cleaning import clean_text_page

            article = clean_text_page(
                text,
                known_sources=known_sources,
                repeated_lines=repeated_lines,
                url=web_url(item.url),
                captured=item.captured_at,
            )
        else:
            raise NotAnArticle(f"unsupported content type {item.content_type!r}")
    if not article.paragraphs:
        raise NotAnArticle("title but no body text" if article.title else "no title and no body text")
    chars, limit = len(article.body), settings.ARCHIVE_MAX_BODY_CHARS
    if chars > limit:
        raise NotAnArticle(f"body is {chars:,} characters, over the {limit:,} limit")
    article.title = _bounded_title(article.title)
    article.encoding = encoding
    _read_wire_credit(article)
    return _without_future_date(_with_item_metadata(article, item), item.captured_at)


def _without_future_date(article: CleanArticle, captured: datetime | None) -> CleanArticle:
    """The article without a date later than its capture, or than tomorrow with no capture time: a page
    is not older than its copy. The cleaners' own dates already keep to this; a record's or a
    manifest's are held to it here (a day of slack for time zones)."""
    latest = (captured or timezone.now()) + timedelta(days=1)
    if article.published is not None and not_after(article.published, latest) is None:
        article.published, article.date_origin = None, ""
    return article


def _read_wire_credit(article: CleanArticle) -> None:
    """The agency an author field, a byline or the body's ends credit; an author field that is only a
    credit ("لندن - رويترز", from a crawler's record) becomes the agency and the dateline."""
    credit = wire_credit(article.author, article.dateline, article.paragraphs, article.agency)
    article.agency, article.author, article.dateline = credit.agency, credit.author, credit.dateline


def _bounded_title(title: str) -> str:
    """The title, cut at a word to what the archive stores when longer."""
    if len(title) <= MAX_TITLE_CHARS:
        return title
    cut = title[: MAX_TITLE_CHARS - 1]
    return (cut.rpartition(" ")[0] or cut).rstrip() + "…"


def _parse_record(data: bytes) -> dict:
    try:
        record = json.loads(data)
    except (ValueError, RecursionError) as err:
        raise NotAnArticle(f"not a JSON record: {err}") from None
    if not isinstance(record, dict):
        raise NotAnArticle("not a JSON record: the JSON is not an object")
    return record


def _from_record(record: dict) -> CleanArticle:
    try:
        meta = record_metadata(record)
    except ValueError as err:
        raise NotAnArticle(str(err)) from None
    return CleanArticle(
        title=text_field(record, "title"),
        paragraphs=[line.strip() for line in text_field(record, "text").splitlines() if line.strip()],
        source=meta.source,
        published=meta.published,
        date_origin="record" if meta.published else "",
        author=text_field(record, "author"),
        section=text_field(record, "category"),
        url=meta.url,
    )


def _with_item_metadata(article: CleanArticle, item: RawItem) -> CleanArticle:
    """url, outlet and date given beside the file (manifest, record) override the cleaner's guesses.

    Only an http(s) URL is kept: a page's canonical link may be a javascript: one.
    """
    article.url = web_url(item.url) or web_url(article.url)
    if item.source:
        article.source, article.source_origin = item.source, "manifest"
    if item.published:
        article.published, article.date_origin = item.published, item.published_origin or "manifest"
    return article
