"""Turn input paths (folders, WARC, JSON Lines, HTML and text files) into raw items, streaming.

Nothing is decoded or cleaned here; every problem becomes a Rejection with a one-line reason, so one bad file,
line or record never stops a run: no reader raises. What is read is bounded, after decompression too.
"""

import csv
import gzip
import io
import json
import logging
import os
import re
import stat
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

from django.conf import settings
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archive.ingest.items import RawItem, Rejection
from archive.text.article import NotAnArticle
from archive.text.encoding import binary_kind, decode, without_surrogates
from archive.text.urls import web_url

log = logging.getLogger(__name__)

MB = 1024 * 1024
HTML = "text/html"
JSON = "application/json"
TEXT = "text/plain"

_HEAD = 8192
_GZIP_MAGIC = b"\x1f\x8b"
_HTML_EXTENSIONS = {".html", ".htm", ".xhtml", ".shtml"}
_JSONL_EXTENSIONS = {".jsonl", ".ndjson"}
_HTML_START = re.compile(rb"<(!doctype\s+html|html[\s>])", re.IGNORECASE)
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
MAX_WARC_LINE = 64 * 1024
MAX_WARC_BLANK_LINES = 1000


class WarcLinesUnbounded(ValueError):
    """A WARC whose header lines, or blank lines between records, would be read without end."""


class WarcHeaderUnreadable(ValueError):
    """A WARC record header without the length of its block."""


_WARC_ERRORS = (ArchiveLoadFailed, OSError, EOFError, zlib.error, WarcLinesUnbounded)
# After an unreadable record, reading resumes at the next gzip member or WARC header line, at most
# MAX_WARC_RESYNCS times in one file.
_GZIP_MEMBER = _GZIP_MAGIC + b"\x08"
_WARC_LINE = b"\nWARC/1."
MAX_WARC_RESYNCS = 1000
# An uncompressed WARC ends with the two CRLFs that follow its last record.
_WARC_TRAILER = 4
# Decompressed JSON Lines are scanned this much at a time; runs of blank lines are skipped in one step.
_CHUNK = MB
_BLANK_LINES = re.compile(rb"[ \t\r\v\f\n]*\n")
# The "no date" of MySQL exports: 0000-00-00, with or without a time.
_ZERO_DATE = re.compile(r"0000-00-00(?:[ T]00:00(?::00(?:\.0+)?)?(?:Z|[+-]00:?00)?)?")


@dataclass(frozen=True)
class Limits:
    """What one input may hold: a document, JSON line or WARC record; and a compressed file, expanded."""

    max_bytes: int
    max_decompressed: int


class DecompressedTooLarge(Exception):
    """A compressed file expands past Limits.max_decompressed."""


class ManifestError(ValueError):
    """A manifest that cannot be used; the message names the row at fault (the caller names the file)."""


@dataclass(frozen=True)
class Metadata:
    """What a manifest row or a JSON record says about a document."""

    url: str = ""
    source: str = ""
    published: date | datetime | None = None


class Manifest:
    """url, source and published for input files, found by path, by basename or by url."""

    def __init__(self, folder: Path, rows: Iterable[tuple[str, Metadata]]):
        self._by_path: dict[Path, Metadata] = {}
        self._by_name: dict[str, Metadata | None] = {}
        self._by_url: dict[str, Metadata] = {}
        for key, meta in rows:
            if key:
                path = (folder / key).resolve()
                self._by_path[path] = meta
                # A basename shared by two rows matches neither.
                self._by_name[path.name] = None if path.name in self._by_name else meta
            if meta.url:
                self._by_url[meta.url] = meta

    def lookup(self, path: Path | None = None, url: str = "") -> Metadata | None:
        if path is not None:
            meta = self._by_path.get(path.resolve()) or self._by_name.get(path.name)
            if meta:
                return meta
        return self._by_url.get(url) if url else None


Reader = Callable[[Path, Manifest | None, Limits], Iterator[RawItem | Rejection]]


def read_paths(
    paths: Iterable[str | Path],
    manifest: Path | None = None,
    max_bytes: int = 20 * MB,
    max_decompressed: int | None = None,
) -> Iterator[RawItem | Rejection]:
    """Items and rejections of every file under paths, in a stable order.

    The manifest is loaded now, so a malformed one raises ManifestError before anything is read. max_bytes
    bounds what is held in memory at once: a whole HTML or text file, one JSON line or one WARC record;
    max_decompressed (by default settings.ARCHIVE_MAX_DECOMPRESSED_BYTES) what a compressed file expands to.
    """
    table = load_manifest(manifest) if manifest else None
    skip = Path(manifest).resolve() if manifest else None
    if max_decompressed is None:
        max_decompressed = settings.ARCHIVE_MAX_DECOMPRESSED_BYTES
    return _read_all(paths, table, Limits(max_bytes, max_decompressed), skip)


def load_manifest(path: str | Path) -> Manifest:
    """A CSV with a header, a JSON list of objects or a JSON object keyed by file name."""
    path = Path(path)
    try:
        text, _ = decode(path.read_bytes())
    except OSError as err:
        raise ManifestError(_os_reason(err)) from None
    except NotAnArticle as err:
        raise ManifestError(str(err)) from None
    rows = _json_rows(text) if text.lstrip().startswith(("[", "{")) else _csv_rows(text)
    return Manifest(path.parent, [_manifest_row(label, row) for label, row in rows])


def record_metadata(record: dict) -> Metadata:
    """url, outlet and publication date of a JSON Lines record; ValueError for a malformed date."""
    return Metadata(
        url=web_url(text_field(record, "url")),
        source=text_field(record, "source_name") or text_field(record, "source"),
        published=parse_published(record.get("published"), "published"),
    )


def parse_published(value: object, name: str = "date") -> date | datetime | None:
    """ISO 8601: a date alone means day precision; a time without offset is taken as UTC. None when blank
    or the zero date of a database export."""
    text = str(value or "").strip()
    if not text or _ZERO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name} {text!r} is not an ISO 8601 date") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        moment.astimezone(UTC)  # how the database stores it
    except OverflowError:
        raise ValueError(f"{name} {text!r} is out of range once in UTC") from None
    return moment


def _read_all(
    paths: Iterable[str | Path], manifest: Manifest | None, limits: Limits, skip: Path | None
) -> Iterator[RawItem | Rejection]:
    for path in _files(paths):
        if isinstance(path, Rejection):
            yield path
        else:
            yield from _read_file(path, manifest, limits, skip)


def _files(paths: Iterable[str | Path]) -> Iterator[Path | Rejection]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from _walk(path)
        else:
            yield path


def _walk(top: Path) -> Iterator[Path | Rejection]:
    """Files under top, sorted by name, skipping hidden ones; symlinked folders are not entered.

    A stack of folders rather than recursion, so no depth of nesting can exhaust Python's stack.
    """
    pending: list[Iterator[os.DirEntry] | Path] = [top]
    while pending:
        entries = pending.pop()
        if isinstance(entries, Path):
            try:
                entries = iter(sorted(os.scandir(entries), key=lambda entry: entry.name))
            except OSError as err:
                yield Rejection(str(entries), _os_reason(err))
                continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                pending += [entries, Path(entry.path)]
                break
            yield Path(entry.path)


def _read_file(
    path: Path, manifest: Manifest | None, limits: Limits, skip: Path | None
) -> Iterator[RawItem | Rejection]:
    """The items of one file; whatever goes wrong in it is its rejection, and the next file is read."""
    try:
        if skip is not None and path.resolve() == skip:
            return
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            yield Rejection(str(path), "not a regular file")
            return
        reader = _reader_for(path)
        yield from reader(path, manifest, limits)
    except OSError as err:
        yield Rejection(str(path), _os_reason(err))
    except Exception as err:
        log.exception("reading %s failed", path)
        yield Rejection(str(path), f"could not be read: {type(err).__name__}: {err}")


def _reader_for(path: Path) -> Reader:
    """Pick the reader from the first bytes (decompressed for gzip), with the extension as a hint."""
    with open(path, "rb") as stream:
        head = stream.read(_HEAD)
    compressed = head.startswith(_GZIP_MAGIC)
    if compressed:
        try:
            head = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(head, _HEAD)
        except zlib.error:
            return _read_document
    suffix = Path(path.stem).suffix if compressed else path.suffix
    if head.startswith(b"WARC/"):
        return _read_warc
    if suffix.lower() in _JSONL_EXTENSIONS or head.lstrip().startswith(b'{"'):
        return _read_jsonl
    return _read_document


def _read_document(path: Path, manifest: Manifest | None, limits: Limits) -> Iterator[RawItem | Rejection]:
    size = path.stat().st_size
    if size > limits.max_bytes:
        yield Rejection(str(path), f"file is {_too_big(size, limits.max_bytes)}")
        return
    with open(path, "rb") as stream:
        data = stream.read(limits.max_bytes + 1)  # the file may grow between stat and read
    if len(data) > limits.max_bytes:
        yield Rejection(str(path), f"file is over the {_amount(limits.max_bytes)} limit")
        return
    kind = binary_kind(data)
    if kind:
        yield Rejection(str(path), f"binary file ({kind})")
        return
    sniffed = _HTML_START.search(data[:_HEAD].replace(b"\x00", b""))
    is_html = path.suffix.lower() in _HTML_EXTENSIONS or sniffed is not None
    item = RawItem(origin=str(path), data=data, content_type=HTML if is_html else TEXT)
    yield _with_manifest(item, manifest and manifest.lookup(path=path))


def _read_jsonl(path: Path, manifest: Manifest | None, limits: Limits) -> Iterator[RawItem | Rejection]:
    number = 0
    found = False
    with open(path, "rb") as raw:
        compressed = _is_gzip(raw)
        stream = _Capped(gzip.GzipFile(fileobj=raw), limits.max_decompressed) if compressed else raw
        try:
            for number, line in _nonblank_lines(stream, limits.max_bytes):
                found = True
                if line is None:
                    reason = f"line {number} is over the {_amount(limits.max_bytes)} limit"
                    yield Rejection(f"{path}:{number}", reason)
                else:
                    yield _json_item(f"{path}:{number}", number, line, manifest)
        except DecompressedTooLarge:
            reason = f"expands to over the {_amount(limits.max_decompressed)} limit (after line {number})"
            yield Rejection(str(path), reason)
            return
        except (OSError, EOFError, zlib.error) as err:
            yield Rejection(str(path), f"unreadable after line {number}: {err}")
            return
    if not found:
        yield Rejection(str(path), "no records")


def _nonblank_lines(stream, max_line: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line without its end) of each non-blank line; None for a line over max_line bytes.

    Read in chunks, with runs of blank lines skipped by one regex step each, so a stream of millions of
    empty lines costs what its bytes cost, not a Python step per line.
    """
    number = 0
    line = _PendingLine(max_line)  # a line that a later chunk ends
    while chunk := stream.read1(_CHUNK):
        start = 0
        if line.started:
            end = chunk.find(b"\n")
            if line.add(chunk if end < 0 else chunk[:end]):
                yield number + 1, None
            if end < 0:
                continue
            number += 1
            if line.text is not None:
                yield number, line.text
            line = _PendingLine(max_line)
            start = end + 1
        if not chunk[start:].strip():  # a chunk of blank lines only, as in a gzip bomb of newlines
            last = chunk.rfind(b"\n", start)
            if last >= 0:
                number += chunk.count(b"\n", start)
                start = last + 1
        while True:
            blank = _BLANK_LINES.match(chunk, start)
            if blank:
                number += chunk.count(b"\n", start, blank.end())
                start = blank.end()
            end = chunk.find(b"\n", start)
            if end < 0:
                break
            number += 1
            text = chunk[start:end]
            if text.strip():
                yield number, text.rstrip(b"\r") if len(text) <= max_line else None
            start = end + 1
        if start < len(chunk) and line.add(chunk[start:]):
            yield number + 1, None
    if line.text is not None:
        yield number + 1, line.text


class _PendingLine:
    """The pieces of a line read so far, dropped once over the limit."""

    def __init__(self, limit: int):
        self.limit = limit
        self.pieces: list[bytes] = []
        self.size = 0
        self.started = False
        self.blank = True
        self.reported = False

    def add(self, piece: bytes) -> bool:
        """Adds a piece; True when the line has just become a non-blank one over the limit."""
        self.started = True
        self.size += len(piece)
        self.blank = self.blank and not piece.strip()
        if self.size <= self.limit:
            self.pieces.append(piece)
            return False
        self.pieces = []
        if self.blank or self.reported:
            return False
        self.reported = True
        return True

    @property
    def text(self) -> bytes | None:
        """The whole line when it is non-blank and within the limit, else None."""
        if self.blank or self.size > self.limit:
            return None
        text = b"".join(self.pieces).rstrip(b"\r")
        return text if text.strip() else None


class _Capped:
    """A binary stream that raises DecompressedTooLarge once more than `limit` bytes have come out of it."""

    def __init__(self, stream, limit: int):
        self._stream = stream
        self._limit = limit
        self._read = 0

    def read1(self, size: int) -> bytes:
        data = self._stream.read1(size)
        self._read += len(data)
        if self._read > self._limit:
            raise DecompressedTooLarge
        return data


def _json_item(origin: str, number: int, line: bytes, manifest: Manifest | None) -> RawItem | Rejection:
    try:
        record = json.loads(line)
    except UnicodeDecodeError:
        return Rejection(origin, f"line {number} is not UTF-8 text")
    except json.JSONDecodeError as err:
        return Rejection(origin, f"line {number} is not valid JSON: {err.msg} at column {err.colno}")
    except (ValueError, RecursionError) as err:  # a huge integer, nesting too deep
        return Rejection(origin, f"line {number} is not usable JSON: {err}")
    if not isinstance(record, dict):
        return Rejection(origin, f"line {number} is a JSON {type(record).__name__}, not an object")
    try:
        meta = record_metadata(record)
    except ValueError as err:
        return Rejection(origin, f"line {number}: {err}")
    captured_at = _moment(record.get("crawled"), "crawled")
    item = RawItem(
        origin=origin,
        data=line,
        content_type=JSON,
        url=meta.url,
        source=meta.source,
        published=meta.published,
        published_origin="record" if meta.published else "",
        captured_at=captured_at,
        record=record,
    )
    return _with_manifest(item, manifest and manifest.lookup(url=item.url))


def _read_warc(path: Path, manifest: Manifest | None, limits: Limits) -> Iterator[RawItem | Rejection]:
    """Every HTML response (or resource) record; other records are passed over without a word.

    warcio stops quietly on a file cut short: a record cut inside its payload is caught by the bytes its
    Content-Length still owes, one cut inside its header by the file's bytes left after the last record.
    In a compressed file, the records' lengths add up to what it expands to, bounded before it is read.
    A record warcio cannot parse is rejected, and reading resumes at the next record's start (the next
    gzip member, or the next "WARC/1." line), so one bad record loses only itself.
    """
    number = end = expanded = 0
    found = False
    with open(path, "rb") as stream:
        compressed = _is_gzip(stream)
        slack = 0 if compressed else _WARC_TRAILER
        start: int | None = 0
        resyncs = read = 0  # read: the records handled whole
        while start is not None:
            stream.seek(start)
            records = ArchiveIterator(stream)
            _bound_lines(records.reader)
            try:
                for record in records:
                    number += 1
                    origin = f"{path}#record-{number}"
                    length = (record.rec_headers.get_header("Content-Length") or "").strip()
                    if not length.isdigit():
                        raise WarcHeaderUnreadable("WARC record cut short inside its header")
                    expanded += int(length)
                    if compressed and expanded > limits.max_decompressed:
                        reason = f"WARC file expands to over the {_amount(limits.max_decompressed)} limit"
                        yield Rejection(origin, reason)
                        return
                    item = _warc_item(origin, record, int(length), limits.max_bytes)
                    end = start + records.get_record_offset() + records.get_record_length()
                    if record.raw_stream.limit:
                        reason = (
                            f"WARC record truncated: {record.raw_stream.limit} of its {length} bytes missing"
                        )
                        yield Rejection(origin, reason)
                        return
                    if isinstance(item, RawItem):
                        item = _with_manifest(item, manifest and manifest.lookup(url=item.url))
                    if item:
                        found = True
                        yield item
                    read = number
                start = None
            # Beyond ArchiveLoadFailed, warcio trips over malformed input with AttributeError, TypeError...
            except Exception as err:
                number = max(number, read + 1)  # the record that failed, whether warcio or we gave up on it
                if isinstance(err, WarcHeaderUnreadable):
                    reason = str(err)
                else:
                    detail = err if isinstance(err, _WARC_ERRORS) else "malformed or cut short"
                    reason = f"unreadable WARC record: {detail}"
                yield Rejection(f"{path}#record-{number}", reason)
                resyncs += 1
                start = _next_warc_record(stream, max(end, start), compressed)
                if start is None or resyncs > MAX_WARC_RESYNCS:
                    return
                read = number
        if os.fstat(stream.fileno()).st_size - end > slack:
            yield Rejection(f"{path}#record-{number + 1}", "WARC record cut short inside its header")
        elif not found:
            yield Rejection(
                str(path), f"no HTML records among its {number} WARC records" if number else "no records"
            )


def _next_warc_record(stream, after: int, compressed: bool) -> int | None:
    """Where the record after the unreadable one at `after` starts: the next gzip member, or the next
    line that opens a WARC header; None when there is none."""
    stream.seek(after)
    skipped = 0
    while (byte := stream.read(1)) and byte in b" \t\r\n" and skipped < MAX_WARC_LINE:
        skipped += 1
    at = after + skipped + 1
    marker = _GZIP_MEMBER if compressed else _WARC_LINE
    overlap = len(marker) - 1
    stream.seek(at)
    while chunk := stream.read(_CHUNK):
        found = chunk.find(marker)
        if found >= 0:
            return at + found + (0 if compressed else 1)
        if len(chunk) < _CHUNK:
            return None
        at += len(chunk) - overlap
        stream.seek(at)
    return None


def _bound_lines(reader) -> None:
    """Caps the lines warcio reads one at a time: the header lines of a record (at MAX_WARC_LINE) and
    the run of blank lines between records (MAX_WARC_BLANK_LINES). Unbounded, a 100 MB header line
    cost 300 MB of memory and a file of blank lines a Python step per two bytes; payloads are read
    in blocks and are not affected."""
    readline = reader.readline
    blank_run = 0

    def bounded(length=None):
        nonlocal blank_run
        line = readline(min(length, MAX_WARC_LINE + 1) if length else MAX_WARC_LINE + 1)
        if len(line) > MAX_WARC_LINE:
            raise WarcLinesUnbounded(f"a header line is over {_amount(MAX_WARC_LINE)}")
        if line.strip():
            blank_run = 0
        elif line:
            blank_run += 1
            if blank_run > MAX_WARC_BLANK_LINES:
                raise WarcLinesUnbounded(f"over {MAX_WARC_BLANK_LINES} blank lines in a row")
        return line

    reader.readline = bounded


def _warc_item(origin: str, record, length: int, max_bytes: int) -> RawItem | Rejection | None:
    if record.rec_type == "response":
        headers = record.http_headers
        if headers is None or not _is_html(headers.get_header("Content-Type")):
            return None
        status = headers.get_statuscode() or ""
        if not status.startswith("2"):
            return Rejection(origin, f"HTTP status {status}")
    elif record.rec_type != "resource" or not _is_html(record.rec_headers.get_header("Content-Type")):
        return None
    if length > max_bytes:
        return Rejection(origin, f"record is {_too_big(length, max_bytes)}")
    captured_at = _moment(record.rec_headers.get_header("WARC-Date"), "WARC-Date")
    url = web_url(record.rec_headers.get_header("WARC-Target-URI") or "")
    # The HTTP Content-Encoding (gzip, deflate, br) is undone here: what it expands to is bounded too.
    try:
        data = record.content_stream().read(max_bytes + 1)
    except (OSError, EOFError, zlib.error, ValueError) as err:
        return Rejection(origin, f"record content unreadable: {err}")
    if len(data) > max_bytes:
        return Rejection(origin, f"record content expands to over the {_amount(max_bytes)} limit")
    return RawItem(origin=origin, data=data, content_type=HTML, url=url, captured_at=captured_at)


def _with_manifest(item: RawItem, meta: Metadata | None) -> RawItem:
    """A manifest's values win over what the file or record says."""
    if meta:
        item.url = meta.url or item.url
        item.source = meta.source or item.source
        if meta.published:
            item.published, item.published_origin = meta.published, "manifest"
    return item


def _json_rows(text: str) -> list[tuple[str, dict]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ManifestError(f"not valid JSON: {err}") from None
    if isinstance(data, dict) and all(isinstance(value, dict) for value in data.values()):
        return [(f"entry {key!r}", {**value, "file": key}) for key, value in data.items()]
    if isinstance(data, list) and all(isinstance(row, dict) for row in data):
        return [(f"item {number}", row) for number, row in enumerate(data, 1)]
    raise ManifestError("a JSON manifest must be a list of objects or an object of objects keyed by file")


def _csv_rows(text: str) -> list[tuple[str, dict]]:
    reader = csv.DictReader(io.StringIO(text))
    columns = {(name or "").strip().lower() for name in reader.fieldnames or ()}
    if not columns & {"file", "path", "url"}:
        raise ManifestError("a CSV manifest needs a header with a 'file' or 'url' column")
    try:
        return [
            (f"row {reader.line_num}", {(key or "").strip().lower(): value for key, value in row.items()})
            for row in reader
        ]
    except csv.Error as err:
        raise ManifestError(f"row {reader.line_num}: {err}") from None


def _manifest_row(label: str, row: dict) -> tuple[str, Metadata]:
    key = text_field(row, "file") or text_field(row, "path")
    try:
        published = parse_published(row.get("published"), "published")
    except ValueError as err:
        raise ManifestError(f"{label}: {err}") from None
    if not key and not text_field(row, "url"):
        raise ManifestError(f"{label}: neither a file nor a url")
    return key, Metadata(web_url(text_field(row, "url")), text_field(row, "source"), published)


def text_field(row: dict, name: str) -> str:
    """A string field of a record or manifest row, stripped; "" when absent or not a string. A lone
    surrogate ("\\ud800" in the JSON) becomes U+FFFD: the rest of the field is kept."""
    value = row.get(name)
    return without_surrogates(value.strip()) if isinstance(value, str) else ""


def _moment(value: object, name: str) -> datetime | None:
    """A capture or crawl time; a bare date stands for its midnight UTC. None for one that cannot be
    read: it only bounds the page's dates, so the article is kept without it."""
    try:
        found = parse_published(value, name)
    except ValueError:
        return None
    if found is None or isinstance(found, datetime):
        return found
    return datetime.combine(found, time(), UTC)


def _is_html(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() in _HTML_TYPES


def _is_gzip(stream) -> bool:
    """Whether a binary stream holds gzip data; the stream is left where it was."""
    magic = stream.read(2)
    stream.seek(-len(magic), os.SEEK_CUR)
    return magic == _GZIP_MAGIC


def _too_big(size: int, limit: int) -> str:
    return f"{_amount(size)}, over the {_amount(limit)} limit"


def _amount(size: int) -> str:
    for unit, scale in (("MB", MB), ("KB", 1024)):
        if size >= scale:
            return f"{round(size / scale, 1):g} {unit}"
    return f"{size} bytes"


def _os_reason(err: OSError) -> str:
    return err.strerror or str(err)
