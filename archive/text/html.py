"""The clean article of an HTML page: trafilatura finds the body, the page's own markup its metadata.

Title, outlet and date are read from where the page states them, each with its evidence: the outlet
from the URL's domain in the outlet table, then og:site_name, the JSON-LD publisher and application-name,
then the page text's own cues; the date from the markup (htmldate, markup only), then the page's URL,
then the stamp by the headline. The page's visible text is cleaned too, as a second witness.
Every library gets the page as a parsed tree, never as a string: htmldate downloads a string that
looks like a URL.
"""

import copy
import json
import re
from datetime import date, datetime
from urllib.parse import parse_qs, urlsplit

import trafilatura
from htmldate import find_date
from htmldate.utils import load_html as htmldate_tree
from lxml.html import Element, HtmlElement
from trafilatura.utils import load_html as trafilatura_tree

from archive.text import outlets
from archive.text.article import Candidate, CleanArticle, NotAnArticle
from archive.text.cleaning import clean_text_page, closing_boilerplate, distinct_candidates
from archive.text.dates import not_after, url_date
from archive.text.metadata import name_key

# Markup first; htmldate's search of the page text is the last resort, after the Arabic stamp by the
# headline: it also reads widgets and lists of other dates (a weather box's day on an old article).
_DATE_PARAMS = {"extensive_search": False, "original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}
# A longer category list is the site menu, not the article's section.
_MAX_CATEGORIES = 3
_ARABIC = re.compile(r"[\u0600-\u06ff]")
# Authors taken from logo or image markup ("Sputnik https; Cdnarabic; I; Logo Png").
_JUNK_AUTHOR = re.compile(r"https?\b|www\.|\blogo\b|\b(png|jpe?g|svg|gif)\b", re.IGNORECASE)
# What a title's separators are made of, stripped from the ends of its parts.
_SEPARATOR_CHARS = " -–—|:•»«"
_TITLE_SEPARATORS = re.compile(r"\s+(?:[-–—|:•»«]+|::)\s+")
_MAX_JSON_LD = 200_000  # characters of one JSON-LD block read; a page's own is far smaller
_BLOCKS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 tr table section article header footer nav aside figure "
    "figcaption blockquote main form title".split()
)


def extract_html(html: str, url: str = "", captured: datetime | None = None) -> CleanArticle:
    """Main text, title, author, site, section and publication date of one news page.

    Precision mode without the fallback extractors: on the test pages it keeps the same body text, but
    a page of menus and links yields nothing instead of its menu. `captured`, the time the page was
    saved, bounds its date.
    """
    doc = _document(html, url)
    paragraphs = [line.strip() for line in (doc.text if doc else "").splitlines() if line.strip()]
    if not paragraphs:
        raise NotAnArticle("no article text found in HTML")
    tree = _tree(html)
    meta = _Metadata(tree) if tree is not None else _Metadata(None)
    page_url = url or meta.url or doc.url or ""
    from_text = _text_reading(tree, page_url, captured)
    candidates: list[Candidate] = []
    source, source_origin, outlet = _source(meta, page_url, from_text, candidates)
    title = _title(meta, page_url, doc.title or "", outlet, source, from_text, candidates)
    published = _date(tree, meta, page_url, from_text, captured, candidates)
    if paragraphs[0] == title and len(paragraphs) > 1:
        paragraphs = paragraphs[1:]
    paragraphs = paragraphs[: closing_boilerplate(paragraphs)]
    return CleanArticle(
        title=title,
        paragraphs=paragraphs,
        source=source,
        published=published,
        date_origin="html" if published else "",
        title_origin=next((c.origin for c in candidates if c.field == "title" and c.value == title), ""),
        source_origin=source_origin,
        candidates=distinct_candidates(candidates),
        author="" if _JUNK_AUTHOR.search(doc.author or "") else (doc.author or ""),
        section=_section(doc.categories or []),
        url=url or doc.url or "",
    )


def _tree(html: str) -> HtmlElement | None:
    """The page parsed once more for its metadata; None when it cannot be (the body is read anyway)."""
    try:
        return htmldate_tree(html.encode("utf-8", "replace"))
    except Exception:
        return None


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
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as error:
        raise NotAnArticle(f"HTML could not be read: {type(error).__name__}: {error}") from None


class _Metadata:
    """What the page's head says about itself: site names, titles, its own URLs."""

    def __init__(self, tree: HtmlElement | None):
        self.site_names: list[tuple[str, str]] = []  # (name, where)
        self.titles: list[tuple[str, str]] = []
        self.urls: list[str] = []
        self.h1: list[str] = []
        self.url = ""
        if tree is None:
            return
        for where in ("og:site_name", "application-name", "twitter:site"):
            for value in _meta(tree, where):
                self.site_names.append((value, where))
        publishers = [(name, "JSON-LD publisher") for name in _json_ld_publishers(tree)]
        og_site = [entry for entry in self.site_names if entry[1] == "og:site_name"]
        others = [entry for entry in self.site_names if entry[1] != "og:site_name"]
        self.site_names = og_site + publishers + others
        for where in ("og:title", "twitter:title"):
            self.titles.extend((value, where) for value in _meta(tree, where))
        self.titles.extend((text, "title") for text in map(_text_of, tree.xpath("//head/title")) if text)
        self.h1 = [text for text in map(_text_of, tree.xpath("//body//h1")) if text]
        own = [*_meta(tree, "og:url"), *tree.xpath("//link[@rel='canonical']/@href")]
        self.url = next((value.strip() for value in own if value.strip().startswith("http")), "")
        self.urls = [value.strip() for value in own if value.strip()]
        for href in tree.xpath("//a[contains(@href, 'share') or contains(@href, 'sharer')]/@href")[:50]:
            try:
                query = parse_qs(urlsplit(href).query) if "?" in href else {}
            except ValueError:  # a malformed link ("http://[") is no address of the page
                continue
            self.urls.extend(value for key in ("u", "url") for value in query.get(key, [])[:1])


def _meta(tree: HtmlElement, name: str) -> list[str]:
    values = tree.xpath(f"//meta[@property='{name}' or @name='{name}']/@content")
    return [" ".join(value.split()) for value in values if value and value.strip()]


def _text_of(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


def _json_ld_publishers(tree: HtmlElement) -> list[str]:
    """The publisher names of the page's JSON-LD (Organization names under "publisher")."""
    names: list[str] = []

    def walk(node, depth: int = 0) -> None:
        if depth > 6:
            return
        if isinstance(node, list):
            for item in node[:20]:
                walk(item, depth + 1)
        elif isinstance(node, dict):
            publisher = node.get("publisher")
            for entry in publisher if isinstance(publisher, list) else [publisher]:
                if isinstance(entry, dict) and isinstance(entry.get("name"), str) and entry["name"].strip():
                    names.append(" ".join(entry["name"].split()))
            walk(node.get("@graph"), depth + 1)

    for script in tree.xpath("//script[@type='application/ld+json']/text()")[:10]:
        try:
            walk(json.loads(script[:_MAX_JSON_LD]))
        except (ValueError, RecursionError):
            continue
    return names


def visible_lines(tree: HtmlElement) -> list[str]:
    """The page's visible text, one line per block element, as a crawler saving its text captures it."""
    document = copy.deepcopy(tree)
    for hidden in document.xpath("//script|//style|//noscript|//template|//svg|//iframe"):
        hidden.drop_tree()
    lines, current = [], []

    def flush():
        text = " ".join("".join(current).split())
        if text:
            lines.append(text)
        current.clear()

    def walk(element):
        block = isinstance(element.tag, str) and element.tag in _BLOCKS
        if block:
            flush()
        if isinstance(element.tag, str) and element.text:
            current.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                current.append(child.tail)
        if block:
            flush()

    walk(document)
    flush()
    return lines


def _text_reading(tree: HtmlElement | None, url: str, captured: datetime | None) -> CleanArticle | None:
    """The text cleaner's reading of the page's visible text: a second witness of title, outlet and date."""
    if tree is None:
        return None
    try:
        return clean_text_page("\n".join(visible_lines(tree)), captured=captured)
    except (NotAnArticle, RecursionError):
        return None


def _source(
    meta: _Metadata, url: str, from_text: CleanArticle | None, candidates: list[Candidate]
) -> tuple[str, str, outlets.Outlet | None]:
    """(source, its origin, its outlet): the URL's domain in the outlet table, then the markup's site
    names (an outlet of the table under its canonical name; a handle or a bare domain only as a key to
    the table), then the page text's cues; ("", "", None) when none is trusted."""
    chosen: tuple[str, str, outlets.Outlet | None] | None = None
    by_url = outlets.by_domain(url) if url else None
    if by_url:
        candidates.append(Candidate("source", by_url.name, "url", url[:120]))
        chosen = (by_url.name, "url", by_url)
    plain = []
    host = outlets.host_of(url)
    for whole, where in meta.site_names:
        name = _site_name_part(whole, host)
        outlet = outlets.resolve(name)
        if outlet:
            candidates.append(Candidate("source", outlet.name, "html", f"{where}: {whole}"[:120]))
            chosen = chosen or (outlet.name, "html", outlet)
        elif not outlets.is_handle(name) and not outlets.is_domain(name) and where != "twitter:site":
            candidates.append(Candidate("source", name, "html", f"{where}: {whole}"[:120]))
            plain.append(name)
    if not chosen and plain:
        chosen = (plain[0], "html", None)
    if from_text:
        candidates.extend(c for c in from_text.candidates if c.field == "source")
        if not chosen and from_text.source:
            chosen = (from_text.source, "text", outlets.resolve(from_text.source))
    return chosen or ("", "", None)


def _site_name_part(name: str, host: str) -> str:
    """The name in a site name that carries a tagline ("YJC | آخرین اخبار ایران و جهان"): the part
    the outlet table knows, else the part the host spells, else the first, which is where sites put
    their name; a name the table knows whole, or with no separator, is itself."""
    parts = [part.strip(_SEPARATOR_CHARS) for part in _TITLE_SEPARATORS.split(" ".join(name.split()))]
    parts = [part for part in parts if part]
    if len(parts) < 2 or outlets.resolve(name):
        return name
    label = _host_label(host)
    return (
        next((part for part in parts if outlets.resolve(part)), None)
        or next((part for part in parts if _is_site(part, set(), label)), None)
        or parts[0]
    )


def strip_site_name(title: str, site_names: list[str], host: str = "") -> str:
    """The headline less the site names pages add around it ("headline - Site", "Site | headline"):
    a name of the outlet or the markup's, or one the host spells ("SLF" on slf.ch, "Frollein Herr" on
    frolleinherr.com)."""
    keys = {name_key(name) for name in site_names if name_key(name)}
    label = _host_label(host)
    title = " ".join(title.split())
    while True:
        parts = _TITLE_SEPARATORS.split(title)
        if len(parts) < 2:
            return title.strip(_SEPARATOR_CHARS)
        if _is_site(parts[-1], keys, label):
            shorter = title[: title.rfind(parts[-1])].rstrip(_SEPARATOR_CHARS)
        elif _is_site(parts[0], keys, label):
            shorter = title[len(parts[0]) :].lstrip(_SEPARATOR_CHARS)
        else:
            return title
        if len(name_key(shorter).split()) < 2:  # a one-word "headline" is the site's menu, not its title
            return title
        title = shorter


def _host_label(host: str) -> str:
    """The name a host spells, compacted: "www.slf.ch" → "slf"; what a site name is compared with."""
    return _compact(host.removeprefix("www.").split(".")[0]) if host else ""


def _compact(text: str) -> str:
    return re.sub(r"[\W\d_]", "", text.lower())


def _is_site(part: str, keys: set[str], host_label: str) -> bool:
    if name_key(part) in keys or _same_outlet(part, keys):
        return True
    compact = _compact(part)
    if not host_label or len(compact) < 3 or len(part.split()) > 5:
        return False
    spelled = compact == host_label or host_label.startswith(compact)
    return spelled or len(host_label) >= 5 and host_label in compact


def _same_outlet(name: str, keys: set[str]) -> bool:
    outlet = outlets.resolve(name)
    return bool(outlet) and any(name_key(own) in keys for own in outlet.names())


def _title(
    meta: _Metadata,
    url: str,
    extracted: str,
    outlet: outlets.Outlet | None,
    source: str,
    from_text: CleanArticle | None,
    candidates: list[Candidate],
) -> str:
    """The headline: a meta title (og:title first) less its site affixes; an h1 that one of them holds
    whole is preferred, since the page shows it; else the h1, else the text reading's title."""
    names = [source, *(name for name, _ in meta.site_names), *(outlet.names() if outlet else ())]
    names += list(outlet.domains) if outlet else []
    host = outlets.host_of(url)
    options = [(strip_site_name(text, names, host), where) for text, where in meta.titles]
    if extracted:
        options.append((strip_site_name(extracted, names, host), "trafilatura"))
    options = [(text, where) for text, where in options if len(name_key(text).split()) >= 2]
    for text, where in options:
        candidates.append(Candidate("title", text, "html", where))
    h1_keys = {name_key(text): text for text in meta.h1}
    for text, _ in options:
        if name_key(text) in h1_keys:
            return text
    for text, _ in options:
        for part in _TITLE_SEPARATORS.split(text):
            if name_key(part) in h1_keys and len(name_key(part).split()) >= 3:
                candidates.append(Candidate("title", h1_keys[name_key(part)], "html", "h1"))
                return h1_keys[name_key(part)]
    if options:
        return options[0][0]
    if from_text and from_text.title:
        candidates.append(Candidate("title", from_text.title, "text"))
        return from_text.title
    first_h1 = next((text for text in meta.h1 if len(text.split()) >= 3), "")
    if first_h1:
        candidates.append(Candidate("title", first_h1, "html", "h1"))
    return first_h1


def _date(
    tree: HtmlElement | None,
    meta: _Metadata,
    url: str,
    from_text: CleanArticle | None,
    captured: datetime | None,
    candidates: list[Candidate],
) -> date | datetime | None:
    """The first of: the head's metadata (meta tags, JSON-LD), the day in the page's own URL (its
    address, canonical, og:url or share links), the stamp by the headline, and last the dated elements
    of the whole page (where widgets and lists of other issues are dated too); none after `captured`."""
    found: list[date | datetime] = []
    head = not_after(_markup_date(_head_of(tree) if tree is not None else None), captured)
    if head:
        candidates.append(Candidate("published", head.isoformat(), "html", "head metadata"))
        found.append(head)
    for own in [url, *meta.urls]:
        day = not_after(url_date(own), captured)
        if day:
            candidates.append(Candidate("published", day.isoformat(), "url", own[:120]))
            found.append(day)
            break
    if from_text and from_text.published:
        candidates.extend(c for c in from_text.candidates if c.field == "published")
        found.append(from_text.published)
    elements = not_after(_markup_date(tree), captured)
    if elements:
        candidates.append(Candidate("published", elements.isoformat(), "html", "dated element"))
        found.append(elements)
    if not found:
        guess = not_after(_markup_date(tree, extensive=True), captured)
        if guess and not _bare_year(guess):
            candidates.append(Candidate("published", guess.isoformat(), "html", "date in the page text"))
            found.append(guess)
    return found[0] if found else None


def _bare_year(value: date | datetime) -> bool:
    """1 January with no time: what the text search answers when it found only a year (a copyright)."""
    return not isinstance(value, datetime) and (value.month, value.day) == (1, 1)


def _head_of(tree: HtmlElement) -> HtmlElement:
    """A page of the tree's head and JSON-LD alone: the metadata the page gives about itself."""
    page = Element("html")
    for head in tree.xpath("//head")[:1]:
        page.append(copy.deepcopy(head))
    body = Element("body")
    page.append(body)
    for script in tree.xpath("//script[@type='application/ld+json']")[:10]:
        body.append(copy.deepcopy(script))
    return page


def _markup_date(tree: HtmlElement | None, extensive: bool = False) -> date | datetime | None:
    """htmldate's date from the page's markup (`extensive`: from its text too); None when it finds none
    or fails on the page.

    A time with a UTC offset is kept, so precision is not lost where the page gives it; a time without
    one keeps its day only, since the page's time zone is unknown.
    """
    if tree is None:
        return None
    try:
        found = find_date(copy.deepcopy(tree), url=None, **{**_DATE_PARAMS, "extensive_search": extensive})
    except Exception:
        return None
    if not found:
        return None
    value = datetime.fromisoformat(found)
    return value if value.tzinfo else value.date()


def _section(categories: list[str]) -> str:
    if not categories or len(categories) > _MAX_CATEGORIES:
        return ""
    return next((c for c in categories if _ARABIC.search(c)), categories[0])
