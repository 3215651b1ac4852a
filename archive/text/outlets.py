"""The major Arabic news outlets, kept as data (data/outlets.json): whose page a domain or a site name is.

A page's domain, or the site name its metadata gives, names the outlet that published it, so a new
archive attributes the big outlets' pages with no set-up. Names are compared folded (hamza, ta marbuta,
case, spaces); a domain matches itself and its subdomains (www.alarabiya.net is alarabiya.net).
"""

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from archive.text.metadata import name_key

DATA = Path(__file__).with_name("data") / "outlets.json"


@dataclass(frozen=True)
class Outlet:
    name: str  # the Arabic name the outlet uses for itself
    latin_name: str
    domains: tuple[str, ...]
    country: str  # ISO 3166-1 alpha-2 code of the country it is based in
    # Other spellings it is found under: short Latin names, social-media handles, former names.
    aliases: tuple[str, ...] = ()

    def names(self) -> tuple[str, ...]:
        return (self.name, self.latin_name, *self.aliases)


@cache
def outlets() -> tuple[Outlet, ...]:
    rows = json.loads(DATA.read_text(encoding="utf-8"))
    return tuple(
        Outlet(
            name=row["name"],
            latin_name=row["latin_name"],
            domains=tuple(d.lower() for d in row["domains"]),
            country=row["country"],
            aliases=tuple(row.get("aliases", ())),
        )
        for row in rows
    )


@cache
def _by_domain() -> dict[str, Outlet]:
    return {domain: outlet for outlet in outlets() for domain in outlet.domains}


@cache
def _by_name() -> dict[str, Outlet]:
    table: dict[str, Outlet] = {}
    for outlet in outlets():
        for name in outlet.names():
            table.setdefault(name_key(name), outlet)
    return table


def host_of(url: str) -> str:
    """The lower-case host of a URL without "www.", or "" for anything that is not a URL with a host."""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return host.lower().removeprefix("www.")


def normal_host(url_or_host: str) -> str:
    """The host a URL or a bare host names, lower case and without "www.": how domains are compared."""
    return host_of(url_or_host) if "/" in url_or_host else url_or_host.lower().removeprefix("www.")


def by_domain(url_or_host: str) -> Outlet | None:
    """The outlet whose domain is this URL's host or one of its parents (arabic.cnn.com before cnn.com)."""
    host = normal_host(url_or_host)
    table = _by_domain()
    while host:
        if found := table.get(host):
            return found
        host = host.partition(".")[2] if host.count(".") > 1 else ""
    return None


def by_name(name: str) -> Outlet | None:
    """The outlet known by this name, Latin name or alias, compared folded."""
    key = name_key(name)
    return _by_name().get(key) if key else None


_HANDLE = re.compile(r"@?[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]*|@[A-Za-z][A-Za-z0-9_]{0,30}")
_DOMAIN = re.compile(r"(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,}(?:/\S*)?", re.IGNORECASE)


def is_handle(name: str) -> bool:
    """A social-media handle ("Sputnik_Ar", "@LBCI"): an alias to look up, never a name to show."""
    return bool(_HANDLE.fullmatch(name.strip()))


def is_domain(name: str) -> bool:
    """A host or URL given where a name is expected ("CNNArabic.com", "https://akhbarelyom.com/")."""
    return bool(_DOMAIN.fullmatch(name.strip()))


def resolve(name: str) -> Outlet | None:
    """The outlet a site name, alias, handle ("@Sputnik_Ar") or domain ("CNNArabic.com") stands for."""
    text = name.strip()
    if not text:
        return None
    found = by_name(text.removeprefix("@"))
    if found is None and is_domain(text):
        found = by_domain(text if "//" in text else "http://" + text)
    return found


# A Latin name is looked for in a page's short lines only when it is this long: "CNN" or "BBC" are also
# cited by other outlets' pages, and "MAP" or "SPA" are words.
MIN_LATIN_NAME = 4


@cache
def _latin_names() -> re.Pattern:
    names = {
        name
        for outlet in outlets()
        for name in outlet.names()
        if name.isascii() and len(name) >= MIN_LATIN_NAME and not is_handle(name) and not is_domain(name)
    }
    alternatives = sorted((re.escape(name) for name in names), key=len, reverse=True)
    return re.compile(r"(?<![\w@./])(?:" + "|".join(alternatives) + r")(?![\w.])", re.IGNORECASE)


def latin_names_in(text: str) -> list[Outlet]:
    """The outlets whose Latin name or alias stands as a whole word in text ("LBCI News" names LBCI)."""
    return [found for match in _latin_names().finditer(text) if (found := by_name(match.group()))]
