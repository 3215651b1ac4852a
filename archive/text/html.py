"""The clean article of an HTML page: trafilatura finds body and metadata, htmldate the publication date.

Both get the page as a parsed tree, never as a string: htmldate downloads a string that looks like a URL.
"""

import re
from datetime import date, datetime
from urllib.parse import urlsplit

import trafilatura
from htmldate import find_date
from htmldate.utils import load_html as htmldate_tree
from trafilatura.utils import load_html as trafilatura_tree

from archive.text.article import CleanArticle, NotAnArticle

# Extensive search finds the dates that only appear in the page text (2 of the 8 dated test pages);
# a time with a UTC offset is kept, so precision is not lost where the page gives it.
_DATE_PARAMS = {"extensive_search": True, "original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}
# trafilatura runs htmldate anyway: there it runs in markup-only mode, to vet the extensive search's guesses.
_MARKUP_DATE_PARAMS = {"extensive_search": False, "original_date": True}
# A longer category list is the site menu, not the article's section.
_MAX_CATEGORIES = 3
_ARABIC = re.compile(r"[\u0600-\u06ff]")
# Authors taken from logo or image markup ("Sputnik https; Cdnarabic; I; Logo Png").
_JUNK_AUTHOR = re.compile(r"https?\b|www\.|\blogo\b|\b(png|jpe?g|svg|gif)\b", re.IGNORECASE)
_TITLE_SEPARATORS = (" - ", " | ", " – ", " — ", " :: ")


def extract_html(html: str, url: str = "") -> CleanArticle:
    """Main text, title, author, site, section and publication date of one news page.

    Precision mode without the fallback extractors: on the test pages it keeps the same body text, but
    a page of menus and links yields nothing instead of its menu.
    """
    doc = _document(html, url)
    paragraphs = [line.strip() for line in (doc.text if doc else "").splitlines() if line.strip()]
    if not paragraphs:
        raise NotAnArticle("no article text found in HTML")
    published = _page_date(html, url, doc.date)
    source = _source(doc.sitename, url or doc.url)
    title = _strip_site_name((doc.title or "").strip(), source)
    if paragraphs[0] == title and len(paragraphs) > 1:
        paragraphs = paragraphs[1:]
    return CleanArticle(
        title=title,
        paragraphs=paragraphs,
        source=source,
        published=published,
        date_origin="html" if published else "",
        author="" if _JUNK_AUTHOR.search(doc.author or "") else (doc.author or ""),
        section=_section(doc.categories or []),
        url=url or doc.url or "",
    )


def _document(html: str, url: str):
    """trafilatura's reading of the page; the library's own failure on malformed markup is the page's."""
    try:
        tree = trafilatura_tree(html)
        if tree is None:
            return None
        return trafilatura.bare_extraction(
            tree,
            url=url or None,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            favor_precision=True,
            fast=True,
            date_extraction_params=_MARKUP_DATE_PARAMS,
        )
    except Exception as error:
        raise NotAnArticle(f"HTML could not be read: {type(error).__name__}: {error}") from None


def _page_date(html: str, url: str, markup_date: str | None) -> date | datetime | None:
    """htmldate's date of the page, from its own parse (it keeps comments); None when it fails on the page."""
    try:
        tree = htmldate_tree(html.encode("utf-8"))
        found = find_date(tree, url=url or None, **_DATE_PARAMS) if tree is not None else None
        return _published(found, markup_date)
    except Exception:
        return None


def _source(sitename: str | None, url: str | None) -> str:
    """The site name the page gives, else the URL's host; a site name that is a URL gives its host."""
    sitename = (sitename or "").strip()
    if sitename and "://" not in sitename:
        return sitename
    host = urlsplit(sitename or url or "").hostname or ""
    return host.removeprefix("www.")


def _published(found: str | None, markup_date: str | None) -> date | datetime | None:
    """htmldate's answer as a date, or as a datetime in the page's own UTC offset when it gives one.

    With no date in the markup, the extensive search falls back to the copyright year or a bare year, returned
    as 1 January: such a date is kept only if the markup-only search found it too. A time without a UTC offset
    keeps its day only, since the page's time zone is unknown.
    """
    if not found:
        return None
    value = datetime.fromisoformat(found)
    if value.tzinfo:
        return value
    if value.timetuple()[1:6] == (1, 1, 0, 0, 0) and markup_date != value.date().isoformat():
        return None
    return value.date()


def _section(categories: list[str]) -> str:
    if not categories or len(categories) > _MAX_CATEGORIES:
        return ""
    return next((c for c in categories if _ARABIC.search(c)), categories[0])


def _strip_site_name(title: str, source: str) -> str:
    """Drop the site name that pages add before or after the headline ("headline - Site")."""
    if not source:
        return title
    for separator in _TITLE_SEPARATORS:
        if title.endswith(separator + source):
            return title.removesuffix(separator + source).strip()
        if title.startswith(source + separator):
            return title.removeprefix(source + separator).strip()
    return title
