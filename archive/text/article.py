"""The clean article that every cleaner returns, whatever the input format was."""

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Candidate:
    """A value seen for a field, chosen or not, with where it was read: an editor's evidence."""

    field: str  # "title", "source" or "published"
    value: str  # as text; an ISO date for "published"
    origin: str  # "manifest", "url", "html" or "text"
    evidence: str = ""  # the line or element it was read from, shortened


class NotAnArticle(ValueError):
    """The input holds no article (empty page, binary data, menu-only page...).

    The message is the one-line reason shown to the user in the ingest summary.
    """


@dataclass
class CleanArticle:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    # The outlet as the page names it (Arabic name, Latin site name or domain), or "".
    source: str = ""
    # A date means day precision, a datetime means time precision; None when unknown.
    published: date | datetime | None = None
    # Where the date came from: "text", "html", "manifest", "crawl" or "" (editor is set later).
    date_origin: str = ""
    # Where the title and the source came from: "manifest", "url", "html", "text" or "" (none trusted).
    title_origin: str = ""
    source_origin: str = ""
    # Every value seen for title, source and date, the chosen ones included, for the review queue.
    candidates: list[Candidate] = field(default_factory=list)
    dateline: str = ""
    author: str = ""
    section: str = ""
    agency: str = ""
    url: str = ""
    language: str = "ar"
    encoding: str = ""  # the detected encoding of the original, kept beside it

    @property
    def body(self) -> str:
        return "\n".join(self.paragraphs)

    @property
    def date_precision(self) -> str:
        if isinstance(self.published, datetime):
            return "time"
        return "day" if self.published else ""

    def as_json(self) -> dict:
        """The shape `manage.py extract` prints."""
        return {
            "title": self.title,
            "body": self.body,
            "source": self.source or None,
            "published": self.published.isoformat() if self.published else None,
            "dateline": self.dateline or None,
            "author": self.author or None,
            "section": self.section or None,
            "agency": self.agency or None,
            "url": self.url or None,
        }
