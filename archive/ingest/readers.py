"""Turn input paths (folders, WARC, JSON Lines, HTML and text files) into raw items, streaming.

Nothing is decoded or cleaned here; every problem becomes a Rejection with a one-line reason, so one bad file,
line or record never stops a run.
"""

import csv
import gzip
import io
import json
import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archive.ingest.items import RawItem, Rejection
from archive.text.article import NotAnArticle
from archive.text.encoding import binary_kind, decode

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
_WARC_ERRORS = (ArchiveLoadFailed, OSError, EOFError, zlib.error)
# An uncompressed WARC ends with the two CRLFs that follow its last record.
_WARC_TRAILER = 4


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


Reader = Callable[[Path, Manifest | None, int], Iterator[RawItem | Rejection]]


def read_paths(
    paths: Iterable[str | Path], manifest: Path | None = None, max_bytes: int = 20 * MB
) -> Iterator[RawItem | Rejection]:
    """Items and rejections of every file under paths, in a stable order.

    The manifest is loaded now, so a malformed one raises ManifestError before anything is read. max_bytes
    bounds what is held in memory at once: a whole HTML or text file, one JSON line or one WARC record.
    """
    table = load_manifest(manifest) if manifest else None
    skip = Path(manifest).resolve() if manifest else None
    return _read_all(paths, table, max_bytes, skip)


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
        url=text_field(record, "url"),
        source=text_field(record, "source_name") or text_field(record, "source"),
        published=parse_published(record.get("published"), "published"),
    )


def parse_published(value: object, name: str = "date") -> date | datetime | None:
    """ISO 8601: a date alone means day precision; a time without offset is taken as UTC. None when blank."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name} {text!r} is not an ISO 8601 date") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _read_all(
    paths: Iterable[str | Path], manifest: Manifest | None, max_bytes: int, skip: Path | None
) -> Iterator[RawItem | Rejection]:
    for path in _files(paths):
        if isinstance(path, Rejection):
            yield path
        elif skip is None or path.resolve() != skip:
            yield from _read_file(path, manifest, max_bytes)


def _files(paths: Iterable[str | Path]) -> Iterator[Path | Rejection]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from _walk(path)
        else:
            yield path


def _walk(directory: Path) -> Iterator[Path | Rejection]:
    """Files under directory, sorted by name, skipping hidden ones; symlinked folders are not entered."""
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError as err:
        yield Rejection(str(directory), _os_reason(err))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path))
        else:
            yield Path(entry.path)


def _read_file(path: Path, manifest: Manifest | None, max_bytes: int) -> Iterator[RawItem | Rejection]:
    try:
        reader = _reader_for(path)
        yield from reader(path, manifest, max_bytes)
    except OSError as err:
        yield Rejection(str(path), _os_reason(err))


def _reader_for(path: Path) -> Reader:
    """Pick the reader from the first bytes (decompressed for gzip), with the extension as a hint."""
    with open(path, "rb") as stream:
        head = stream.read(_HEAD)
    compressed = head.startswith(_GZIP_MAGIC)
    if compressed:
        try:
            head = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(head)
        except zlib.error:
            return _read_document
    suffix = Path(path.stem).suffix if compressed else path.suffix
    if head.startswith(b"WARC/"):
        return _read_warc
    if suffix.lower() in _JSONL_EXTENSIONS or head.lstrip().startswith(b'{"'):
        return _read_jsonl
    return _read_document


def _read_document(path: Path, manifest: Manifest | None, max_bytes: int) -> Iterator[RawItem | Rejection]:
    size = path.stat().st_size
    if size > max_bytes:
        yield Rejection(str(path), f"file is {_too_big(size, max_bytes)}")
        return
    data = path.read_bytes()
    kind = binary_kind(data)
    if kind:
        yield Rejection(str(path), f"binary file ({kind})")
        return
    sniffed = _HTML_START.search(data[:_HEAD].replace(b"\x00", b""))
    is_html = path.suffix.lower() in _HTML_EXTENSIONS or sniffed is not None
    item = RawItem(origin=str(path), data=data, content_type=HTML if is_html else TEXT)
    yield _with_manifest(item, manifest and manifest.lookup(path=path))


def _read_jsonl(path: Path, manifest: Manifest | None, max_bytes: int) -> Iterator[RawItem | Rejection]:
    number = 0
    with open(path, "rb") as raw, gzip.GzipFile(fileobj=raw) if _is_gzip(raw) else raw as stream:
        try:
            while line := stream.readline(max_bytes + 1):
                number += 1
                if len(line) > max_bytes and not line.endswith(b"\n"):
                    _skip_line(stream)
                    reason = f"line {number} is over the {_amount(max_bytes)} limit"
                    yield Rejection(f"{path}:{number}", reason)
                elif line.strip():
                    yield _json_item(f"{path}:{number}", number, line.rstrip(b"\r\n"), manifest)
        except (OSError, EOFError, zlib.error) as err:
            yield Rejection(str(path), f"unreadable after line {number}: {err}")


def _json_item(origin: str, number: int, line: bytes, manifest: Manifest | None) -> RawItem | Rejection:
    try:
        record = json.loads(line)
    except UnicodeDecodeError:
        return Rejection(origin, f"line {number} is not UTF-8 text")
    except json.JSONDecodeError as err:
        return Rejection(origin, f"line {number} is not valid JSON: {err.msg} at column {err.colno}")
    if not isinstance(record, dict):
        return Rejection(origin, f"line {number} is a JSON {type(record).__name__}, not an object")
    try:
        meta = record_metadata(record)
        captured_at = _moment(record.get("crawled"), "crawled")
    except ValueError as err:
        return Rejection(origin, f"line {number}: {err}")
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


def _read_warc(path: Path, manifest: Manifest | None, max_bytes: int) -> Iterator[RawItem | Rejection]:
    """Every HTML response (or resource) record; other records are passed over without a word.

    warcio stops quietly on a file cut short: a record cut inside its payload is caught by the bytes its
    Content-Length still owes, one cut inside its header by the file's bytes left after the last record.
    """
    number = end = 0
    with open(path, "rb") as stream:
        slack = 0 if _is_gzip(stream) else _WARC_TRAILER
        records = ArchiveIterator(stream)
        try:
            for number, record in enumerate(records, 1):
                length = (record.rec_headers.get_header("Content-Length") or "").strip()
                if not length.isdigit():
                    yield Rejection(f"{path}#record-{number}", "WARC record cut short inside its header")
                    return
                found = _warc_item(f"{path}#record-{number}", record, int(length), max_bytes)
                end = records.get_record_offset() + records.get_record_length()
                if record.raw_stream.limit:
                    reason = f"WARC record truncated: {record.raw_stream.limit} of its {length} bytes missing"
                    yield Rejection(f"{path}#record-{number}", reason)
                    return
                if isinstance(found, RawItem):
                    found = _with_manifest(found, manifest and manifest.lookup(url=found.url))
                if found:
                    yield found
        # Beyond ArchiveLoadFailed, warcio trips over malformed input with AttributeError, TypeError...
        except Exception as err:
            detail = err if isinstance(err, _WARC_ERRORS) else "malformed or cut short"
            yield Rejection(f"{path}#record-{number + 1}", f"unreadable WARC record: {detail}")
            return
        if os.fstat(stream.fileno()).st_size - end > slack:
            yield Rejection(f"{path}#record-{number + 1}", "WARC record cut short inside its header")


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
    try:
        captured_at = _moment(record.rec_headers.get_header("WARC-Date"), "WARC-Date")
    except ValueError as err:
        return Rejection(origin, str(err))
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    data = record.content_stream().read()
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
    return key, Metadata(text_field(row, "url"), text_field(row, "source"), published)


def text_field(row: dict, name: str) -> str:
    """A string field of a record or manifest row, stripped; "" when absent or not a string."""
    value = row.get(name)
    return value.strip() if isinstance(value, str) else ""


def _moment(value: object, name: str) -> datetime | None:
    """A capture or crawl time; a bare date stands for its midnight UTC."""
    found = parse_published(value, name)
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


def _skip_line(stream) -> None:
    while (chunk := stream.readline(MB)) and not chunk.endswith(b"\n"):
        pass


def _too_big(size: int, limit: int) -> str:
    return f"{_amount(size)}, over the {_amount(limit)} limit"


def _amount(size: int) -> str:
    for unit, scale in (("MB", MB), ("KB", 1024)):
        if size >= scale:
            return f"{round(size / scale, 1):g} {unit}"
    return f"{size} bytes"


def _os_reason(err: OSError) -> str:
    return err.strerror or str(err)
