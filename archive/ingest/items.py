"""What readers yield: raw items carrying the original bytes, or rejections with a reason."""

from dataclasses import dataclass, field
from datetime import date, datetime

from archive.text.encoding import without_surrogates


@dataclass
class RawItem:
    """One input document exactly as received, plus whatever metadata came beside it."""

    origin: str  # where it came from: "path", "path#record-3" (WARC) or "path:12" (JSON Lines line)
    data: bytes  # the original, byte for byte
    content_type: str  # "text/plain", "text/html" or "application/json"
    url: str = ""
    source: str = ""  # the outlet named by a manifest, a JSON record or --source
    published: date | datetime | None = None
    published_origin: str = ""  # "manifest" or "crawl" when published is set
    captured_at: datetime | None = None  # WARC capture time or crawl time
    record: dict = field(default_factory=dict)  # the parsed JSON Lines record, if any

    def __post_init__(self):
        # A file name that is not UTF-8 is stored with its odd bytes escaped, not refused by the database.
        self.origin = without_surrogates(self.origin)


@dataclass
class Rejection:
    """An input that could not be read, with the one-line reason shown in the summary."""

    origin: str
    reason: str

    def __post_init__(self):
        self.origin = without_surrogates(self.origin)
        self.reason = without_surrogates(self.reason)
