"""Readers: every input becomes raw items or rejections with a reason; one bad part never stops the rest."""

import functools
import gzip
import io
import itertools
import json
import os
import re
import tempfile
import zlib
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.ingest.items import RawItem, Rejection
from archive.ingest.readers import MB, ManifestError, load_manifest, read_paths, text_field, web_url

from ..conftest import SEEDS

PAGE = "<!DOCTYPE html><html><head><title>عنوان</title></head><body><p>نص الخبر</p></body></html>".encode()
SEED = (SEEDS / "002_607499a35d16fa59.txt").read_bytes()


def read(*paths, **options) -> list[RawItem | Rejection]:
    return list(read_paths(paths, **options))


def items(results) -> list[RawItem]:
    return [r for r in results if isinstance(r, RawItem)]


def rejections(results) -> list[Rejection]:
    return [r for r in results if isinstance(r, Rejection)]


def record(**fields) -> dict:
    return {
        "url": "https://example.org/1",
        "source": "example.org",
        "source_name": "مثال",
        "published": "2018-03-01T10:00:00+03:00",
        "title": "عنوان",
        "text": "فقرة أولى\nفقرة ثانية",
        **fields,
    }


def jsonl(*records) -> bytes:
    return b"".join(
        (r if isinstance(r, bytes) else json.dumps(r, ensure_ascii=False).encode()) + b"\n" for r in records
    )


# Folders and plain files


def test_folders_are_walked_recursively_in_name_order_skipping_hidden_files(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_bytes(SEED)
    (tmp_path / "b" / "1.txt").write_bytes(SEED)
    (tmp_path / "a.txt").write_bytes(SEED)
    (tmp_path / "c.txt").write_bytes(SEED)
    (tmp_path / ".DS_Store").write_bytes(SEED)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_bytes(SEED)
    origins = [item.origin for item in items(read(tmp_path))]
    assert origins == [str(tmp_path / name) for name in ("a.txt", "b/1.txt", "b/2.txt", "c.txt")]


def test_html_is_recognised_by_extension_or_content_and_kept_byte_for_byte(tmp_path):
    (tmp_path / "page.htm").write_bytes(b"<p>" + SEED + b"</p>")
    (tmp_path / "saved_page.txt").write_bytes(b"\n  " + PAGE)
    (tmp_path / "utf16.dat").write_bytes(PAGE.decode().encode("utf-16"))
    (tmp_path / "seed.txt").write_bytes(SEED)
    found = {item.origin.rsplit("/", 1)[1]: item for item in items(read(tmp_path))}
    assert {name: item.content_type for name, item in found.items()} == {
        "page.htm": "text/html",
        "saved_page.txt": "text/html",
        "utf16.dat": "text/html",
        "seed.txt": "text/plain",
    }
    assert found["seed.txt"].data == SEED
    assert found["seed.txt"].published is None and found["seed.txt"].url == ""


def test_a_file_over_the_size_limit_is_rejected_without_being_read(tmp_path, monkeypatch):
    with open(tmp_path / "huge.txt", "wb") as huge:
        huge.truncate(50 * 1024 * 1024)
    monkeypatch.setattr("pathlib.Path.read_bytes", lambda self: pytest.fail("the file was read"))
    assert read(tmp_path / "huge.txt") == [
        Rejection(str(tmp_path / "huge.txt"), "file is 50 MB, over the 20 MB limit")
    ]


def test_binary_files_are_rejected_and_empty_ones_left_to_the_cleaner(tmp_path):
    (tmp_path / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (tmp_path / "report.html").write_bytes(b"%PDF-1.4\n" + bytes(range(256)))
    (tmp_path / "empty.txt").write_bytes(b"")
    results = read(tmp_path)
    assert rejections(results) == [
        Rejection(str(tmp_path / "photo.txt"), "binary file (PNG image)"),
        Rejection(str(tmp_path / "report.html"), "binary file (PDF document)"),
    ]
    assert [(i.origin, i.data) for i in items(results)] == [(str(tmp_path / "empty.txt"), b"")]


def test_missing_and_unreadable_files_give_the_os_reason(tmp_path):
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    (tmp_path / "good.txt").write_bytes(SEED)
    results = read(tmp_path / "nowhere.txt", tmp_path)
    assert rejections(results) == [
        Rejection(str(tmp_path / "nowhere.txt"), "No such file or directory"),
        Rejection(str(tmp_path / "dangling.txt"), "No such file or directory"),
    ]
    assert [i.origin for i in items(results)] == [str(tmp_path / "good.txt")]


def test_a_file_without_read_permission(tmp_path, monkeypatch):
    (tmp_path / "secret.txt").write_bytes(SEED)
    (tmp_path / "open.txt").write_bytes(SEED)
    if os.geteuid() == 0:  # root reads whatever the mode bits say: make open() refuse as it would for a user
        real_open = open

        def refusing_open(path, *args, **kwargs):
            if str(path).endswith("secret.txt"):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr("builtins.open", refusing_open)
    (tmp_path / "secret.txt").chmod(0)
    results = read(tmp_path)
    assert rejections(results) == [Rejection(str(tmp_path / "secret.txt"), "Permission denied")]
    assert [i.origin for i in items(results)] == [str(tmp_path / "open.txt")]


# WARC


def warc_record(writer, url, body=PAGE, status="200 OK", content_type="text/html; charset=utf-8"):
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    return writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        http_headers=headers,
        warc_headers_dict={"WARC-Date": "2024-05-01T08:30:00Z"},
    )


def write_warc(path, compressed: bool, cut: int = 0) -> None:
    """Four records: an article, an image, a 404 page, another article; the last cut short by `cut` bytes."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=compressed)
    writer.write_record(warc_record(writer, "https://example.org/a"))
    writer.write_record(
        warc_record(writer, "https://example.org/logo.png", b"\x89PNG....", content_type="image/png")
    )
    writer.write_record(warc_record(writer, "https://example.org/missing", status="404 Not Found"))
    writer.write_record(warc_record(writer, "https://example.org/b", PAGE * 20))
    data = buffer.getvalue()
    path.write_bytes(data[: len(data) - cut])


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_warc_html_responses_become_items(tmp_path, name):
    write_warc(tmp_path / name, compressed=name.endswith(".gz"))
    results = read(tmp_path / name)
    origin = str(tmp_path / name)
    assert [(i.origin, i.url) for i in items(results)] == [
        (f"{origin}#record-1", "https://example.org/a"),
        (f"{origin}#record-4", "https://example.org/b"),
    ]
    assert rejections(results) == [Rejection(f"{origin}#record-3", "HTTP status 404")]
    first = items(results)[0]
    assert first.data == PAGE and first.content_type == "text/html"
    assert first.captured_at == datetime(2024, 5, 1, 8, 30, tzinfo=UTC)
    assert first.published is None and first.published_origin == ""


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_a_truncated_warc_keeps_the_records_before_the_break(tmp_path, name):
    write_warc(tmp_path / name, compressed=name.endswith(".gz"), cut=300)
    results = read(tmp_path / name)
    assert [i.url for i in items(results)] == ["https://example.org/a"]
    last = rejections(results)[-1]
    assert last.origin == f"{tmp_path / name}#record-4"
    assert "truncated" in last.reason or "cut short" in last.reason


def test_a_warc_cut_inside_a_record_header(tmp_path):
    write_warc(tmp_path / "crawl.warc", compressed=False)
    data = (tmp_path / "crawl.warc").read_bytes()
    cut = data.rindex(b"WARC-Target-URI")
    (tmp_path / "crawl.warc").write_bytes(data[:cut])
    results = read(tmp_path / "crawl.warc")
    assert [i.url for i in items(results)] == ["https://example.org/a"]
    (broken,) = rejections(results)[1:]
    assert broken.origin == f"{tmp_path / 'crawl.warc'}#record-4" and "cut short" in broken.reason


@functools.cache
def three_records(compressed: bool) -> tuple[bytes, ...]:
    """Three article records of a WARC, each as written (a gzip member each when compressed); written
    once, as each record has its own id and time."""
    parts = []
    for url in ("https://example.org/a", "https://example.org/bad", "https://example.org/c"):
        buffer = io.BytesIO()
        writer = WARCWriter(buffer, gzip=compressed)
        writer.write_record(warc_record(writer, url))
        parts.append(buffer.getvalue())
    return tuple(parts)


def no_target_uri(record: bytes) -> bytes:
    return re.sub(rb"WARC-Target-URI: [^\r]*\r\n", b"", record)


def not_a_warc_header(record: bytes) -> bytes:
    return record.replace(b"WARC/1.0\r\n", b"WARC/9.9\r\n", 1)


@pytest.mark.parametrize("compressed", [False, True])
@pytest.mark.parametrize("damage", [no_target_uri, not_a_warc_header])
def test_an_unreadable_warc_record_loses_only_itself(tmp_path, compressed, damage):
    first, middle, last = three_records(compressed)
    middle = gzip.compress(damage(gzip.decompress(middle))) if compressed else damage(middle)
    path = tmp_path / ("crawl.warc.gz" if compressed else "crawl.warc")
    path.write_bytes(first + middle + last)
    results = read(path)
    assert [i.url for i in items(results)] == ["https://example.org/a", "https://example.org/c"]
    assert items(results)[1].origin == f"{path}#record-3"
    (rejection,) = rejections(results)
    assert rejection.origin == f"{path}#record-2" and rejection.reason.startswith("unreadable WARC record")


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_a_compressed_warc_with_a_record_overwritten_anywhere_keeps_the_others(data):
    first, middle, last = three_records(compressed=True)
    at = data.draw(st.integers(0, len(middle) - 1))
    size = data.draw(st.integers(1, len(middle) - at))
    noise = data.draw(st.binary(min_size=size, max_size=size))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "crawl.warc.gz"
        path.write_bytes(first + middle[:at] + noise + middle[at + size :] + last)
        urls = [i.url for i in items(read(path))]
    assert urls[0] == "https://example.org/a" and urls[-1] == "https://example.org/c"


def test_a_warc_record_over_the_size_limit(tmp_path):
    write_warc(tmp_path / "crawl.warc.gz", compressed=True)
    results = read(tmp_path / "crawl.warc.gz", max_bytes=1000)
    assert [i.url for i in items(results)] == ["https://example.org/a"]
    assert rejections(results)[-1].origin.endswith("#record-4")
    assert rejections(results)[-1].reason.endswith("KB, over the 1000 bytes limit")


# JSON Lines


def test_json_lines_records_carry_their_metadata(tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_bytes(
        jsonl(record(), record(url="https://example.org/2", published="2018-03-02", source_name=""))
    )
    first, second = read(path)
    assert first.origin == f"{path}:1" and first.content_type == "application/json"
    assert first.data == json.dumps(record(), ensure_ascii=False).encode()
    assert first.record == record()
    assert first.url == "https://example.org/1" and first.source == "مثال"
    assert first.published == datetime(2018, 3, 1, 10, tzinfo=timezone(timedelta(hours=3)))
    assert first.published_origin == "record"
    assert second.published == date(2018, 3, 2) and second.source == "example.org"


def test_bad_json_lines_are_rejected_and_the_others_go_on(tmp_path):
    path = tmp_path / "export.jsonl.gz"
    lines = [
        record(),
        b"{not json",
        b"",
        b"[1, 2]",
        record(published="last tuesday"),
        record(url="https://x/5"),
    ]
    path.write_bytes(gzip.compress(jsonl(*lines)))
    results = read(path)
    assert [i.origin for i in items(results)] == [f"{path}:1", f"{path}:6"]
    assert rejections(results) == [
        Rejection(
            f"{path}:2",
            "line 2 is not valid JSON: Expecting property name enclosed in double quotes at column 2",
        ),
        Rejection(f"{path}:4", "line 4 is a JSON list, not an object"),
        Rejection(f"{path}:5", "line 5: published 'last tuesday' is not an ISO 8601 date"),
    ]


def test_a_records_odd_values_keep_the_record(tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_bytes(
        jsonl(
            json.dumps(record(title="خبر\ud800عاجل")).encode(),  # a lone surrogate, escaped as JSON writes it
            record(published="0000-00-00 00:00:00", url="https://example.org/2"),  # MySQL's "no date"
            record(crawled="not a time", url="https://example.org/3"),
            record(published="9999-12-31T23:59:59-05:00", url="https://example.org/4"),
        )
    )
    results = read(path)
    first, second, third = items(results)
    assert first.record["title"] == "خبر\ud800عاجل" and text_field(first.record, "title") == "خبر\ufffdعاجل"
    assert second.published is None and second.published_origin == ""
    assert third.captured_at is None and third.published is not None
    assert rejections(results) == [
        Rejection(f"{path}:4", "line 4: published '9999-12-31T23:59:59-05:00' is out of range once in UTC")
    ]


def test_json_lines_are_recognised_by_content_and_crawl_time_is_kept(tmp_path):
    path = tmp_path / "dump.txt"
    path.write_bytes(jsonl(record(published=None, crawled="2015-07-21T02:16:13")))
    (item,) = read(path)
    assert item.content_type == "application/json"
    assert item.published is None and item.published_origin == ""
    assert item.captured_at == datetime(2015, 7, 21, 2, 16, 13, tzinfo=UTC)


def test_a_json_line_over_the_size_limit_is_skipped(tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_bytes(jsonl(record(text="نص " * 2000), record(url="https://example.org/2")))
    results = read(path, max_bytes=4000)
    assert rejections(results) == [Rejection(f"{path}:1", "line 1 is over the 3.9 KB limit")]
    assert [i.origin for i in items(results)] == [f"{path}:2"]


def test_a_cut_gzip_keeps_the_lines_before_the_break(tmp_path):
    path = tmp_path / "export.jsonl.gz"
    data = gzip.compress(jsonl(*(record(url=f"https://example.org/{n}") for n in range(200))))
    path.write_bytes(data[: len(data) // 2])
    results = read(path)
    assert 0 < len(items(results)) < 200
    assert [i.url for i in items(results)] == [f"https://example.org/{n}" for n in range(len(items(results)))]
    (broken,) = rejections(results)
    assert broken.origin == str(path) and broken.reason.startswith(
        f"unreadable after line {len(items(results))}"
    )


def test_the_shared_corpus_is_streamed(shared_dir):
    first = list(itertools.islice(read_paths([shared_dir / "corpus" / "saudinewsnet-2015.jsonl.gz"]), 3))
    assert all(isinstance(item, RawItem) for item in first)
    assert all(item.published is None and item.captured_at.year == 2015 for item in first)
    assert [item.origin.rsplit(":", 1)[1] for item in first] == ["1", "2", "3"]


# Manifests


def test_a_csv_manifest_matches_by_relative_path_basename_and_url(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "a.html").write_bytes(PAGE)
    (tmp_path / "b.txt").write_bytes(SEED)
    (tmp_path / "export.jsonl").write_bytes(jsonl(record(url="https://example.org/j")))
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "file,url,source,published\n"
        "pages/a.html,https://example.org/a,المصدر أ,2015-10-14\n"
        "elsewhere/b.txt,https://example.org/b,المصدر ب,\n"
        ",https://example.org/j,المصدر ج,2016-01-02T09:00:00Z\n",
        encoding="utf-8",
    )
    found = {item.origin.rsplit("/", 1)[1]: item for item in items(read(tmp_path, manifest=manifest))}
    assert set(found) == {"a.html", "b.txt", "export.jsonl:1"}  # the manifest itself is not an input
    a, b, j = found["a.html"], found["b.txt"], found["export.jsonl:1"]
    assert (a.url, a.source, a.published, a.published_origin) == (
        "https://example.org/a",
        "المصدر أ",
        date(2015, 10, 14),
        "manifest",
    )
    assert (b.url, b.source, b.published) == ("https://example.org/b", "المصدر ب", None)
    assert (j.source, j.published, j.published_origin) == (
        "المصدر ج",
        datetime(2016, 1, 2, 9, tzinfo=UTC),
        "manifest",
    )


def test_json_manifests_as_a_list_or_keyed_by_file(tmp_path):
    (tmp_path / "a.html").write_bytes(PAGE)
    listed = tmp_path / "list.json"
    listed.write_text(
        json.dumps([{"file": "a.html", "source": "س", "published": "2020-01-02"}]), encoding="utf-8"
    )
    keyed = tmp_path / "keyed.json"
    keyed.write_text(json.dumps({"a.html": {"url": "https://example.org/a"}}), encoding="utf-8")
    assert load_manifest(listed).lookup(path=tmp_path / "a.html").published == date(2020, 1, 2)
    (item,) = items(read(tmp_path / "a.html", manifest=keyed))
    assert item.url == "https://example.org/a" and item.published is None


def test_a_windows_1256_csv_manifest_is_decoded(tmp_path):
    (tmp_path / "m.csv").write_bytes("file,source\na.html,المصدر العربي\n".encode("cp1256"))
    assert load_manifest(tmp_path / "m.csv").lookup(path=tmp_path / "a.html").source == "المصدر العربي"


def test_a_basename_shared_by_two_rows_matches_neither(tmp_path):
    (tmp_path / "m.csv").write_text("file,source\nx/a.html,X\ny/a.html,Y\n", encoding="utf-8")
    manifest = load_manifest(tmp_path / "m.csv")
    assert manifest.lookup(path=tmp_path / "y" / "a.html").source == "Y"
    assert manifest.lookup(path=tmp_path / "z" / "a.html") is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "file,published\na.html,2015-10-14\nb.html,14/10/2015\n",
            "row 3: published '14/10/2015' is not an ISO",
        ),
        ("name,source\na.html,X\n", "needs a header with a 'file' or 'url' column"),
        ("file,source\n,X\n", "row 2: neither a file nor a url"),
        ('[{"file": "a.html"},', "not valid JSON"),
        ('["a.html"]', "list of objects"),
        ("", "empty file"),
    ],
)
def test_a_malformed_manifest_raises_before_anything_is_read(tmp_path, content, message):
    (tmp_path / "m.csv").write_text(content, encoding="utf-8")
    with pytest.raises(ManifestError, match=message):
        read_paths([tmp_path / "nowhere"], manifest=tmp_path / "m.csv")


# Nothing a file holds makes a reader raise, and what is read is bounded


def gzip_bomb(size: int, unit: bytes = b"\n") -> bytes:
    """size bytes of `unit`, compressed in pieces (a few KB of gzip per 64 MB)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    piece = unit * (MB // len(unit))
    return b"".join([*(compressor.compress(piece) for _ in range(size // MB)), compressor.flush()])


def test_a_gzip_of_empty_lines_is_read_quickly_and_said_to_hold_no_records(tmp_path):
    (tmp_path / "blank.jsonl.gz").write_bytes(gzip_bomb(64 * MB))
    (tmp_path / "empty.jsonl").write_bytes(b"")
    assert read(tmp_path) == [
        Rejection(str(tmp_path / "blank.jsonl.gz"), "no records"),
        Rejection(str(tmp_path / "empty.jsonl"), "no records"),
    ]


def test_a_gzip_expanding_past_the_limit_is_rejected_after_the_lines_before(tmp_path):
    path = tmp_path / "bomb.jsonl.gz"
    path.write_bytes(gzip.compress(jsonl(record())) + gzip_bomb(8 * MB, b" \r\n"))
    results = read(path, max_decompressed=4 * MB)
    assert [i.origin for i in items(results)] == [f"{path}:1"]
    assert rejections(results) == [Rejection(str(path), "expands to over the 4 MB limit (after line 1)")]


def test_line_numbers_survive_blank_runs_and_lines_across_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr("archive.ingest.readers._CHUNK", 7)
    path = tmp_path / "export.jsonl"
    path.write_bytes(
        b"\n \r\n" + jsonl(record()) + b"\n\n\t\n" + jsonl(record(url="https://e.org/2")).rstrip()
    )
    assert [i.origin for i in read(path)] == [f"{path}:3", f"{path}:7"]


def test_json_lines_too_deep_or_with_huge_numbers_are_rejected_alone(tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_bytes(jsonl(b"[" * 100_000, b'{"n": ' + b"9" * 5000 + b"}", record()))
    results = read(path)
    assert [r.origin for r in rejections(results)] == [f"{path}:1", f"{path}:2"]
    assert all("not usable JSON" in r.reason for r in rejections(results))
    assert [i.origin for i in items(results)] == [f"{path}:3"]


def test_only_http_urls_are_kept_from_records_manifests_and_warcs(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(
        jsonl(
            record(url="javascript:alert(1)"),
            record(url=" JavaScript:alert(2)"),
            record(url="https://e.org/3"),
        )
    )
    (tmp_path / "page.html").write_bytes(PAGE)
    (tmp_path / "m.csv").write_text(
        "file,url\npage.html,javascript:alert(document.cookie)\n", encoding="utf-8"
    )
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    resource = writer.create_warc_record(
        "javascript:alert(1)",
        "resource",
        payload=io.BytesIO(PAGE),
        warc_content_type="text/html",
        warc_headers_dict={"WARC-Date": "2024-05-01T08:30:00Z"},
    )
    writer.write_record(resource)
    (tmp_path / "crawl.warc").write_bytes(buffer.getvalue())
    urls = {i.origin.rsplit("/", 1)[1]: i.url for i in items(read(tmp_path, manifest=tmp_path / "m.csv"))}
    assert urls == {
        "a.jsonl:1": "",
        "a.jsonl:2": "",
        "a.jsonl:3": "https://e.org/3",
        "crawl.warc#record-1": "",
        "page.html": "",
    }


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://example.org/a?b=1", True),
        ("HTTP://EXAMPLE.ORG", True),
        ("javascript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("data:text/html;base64,PHNjcmlwdD4=", False),
        ("vbscript:msgbox", False),
        ("//example.org/a", False),
        ("http:///nohost", False),
        ("http://[::1", False),
        ("ftp://example.org/f", False),
    ],
)
def test_web_url_keeps_only_http_and_https(url, kept):
    assert web_url(url) == (url if kept else "")


def warc_with_encoded_page(path, body: bytes, encoding: str = "gzip") -> None:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    headers = StatusAndHeaders(
        "200 OK", [("Content-Type", "text/html"), ("Content-Encoding", encoding)], protocol="HTTP/1.1"
    )
    writer.write_record(
        writer.create_warc_record(
            "https://example.org/bomb", "response", payload=io.BytesIO(body), http_headers=headers
        )
    )
    writer.write_record(warc_record(writer, "https://example.org/ok"))
    path.write_bytes(buffer.getvalue())


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_warc_record_whose_content_encoding_expands_past_the_limit(tmp_path, encoding):
    bomb = gzip_bomb(64 * MB, b"<p>") if encoding == "gzip" else zlib.compress(b"<p>" * (22 * MB), 9)
    warc_with_encoded_page(tmp_path / "crawl.warc.gz", bomb, encoding)
    results = read(tmp_path / "crawl.warc.gz", max_bytes=2 * MB)
    assert [i.url for i in items(results)] == ["https://example.org/ok"]
    (bomb_rejection,) = rejections(results)
    assert bomb_rejection.origin.endswith("#record-1")
    assert bomb_rejection.reason == "record content expands to over the 2 MB limit"


def test_a_compressed_warc_expanding_past_the_limit_stops_before_reading_on(tmp_path):
    write_warc(tmp_path / "crawl.warc.gz", compressed=True)
    results = read(tmp_path / "crawl.warc.gz", max_decompressed=600)
    assert [i.url for i in items(results)] == ["https://example.org/a"]
    assert rejections(results)[-1].reason == "WARC file expands to over the 600 bytes limit"


def test_a_warc_without_html_says_so(tmp_path):
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    writer.write_record(warc_record(writer, "https://e.org/logo.png", b"\x89PNG", content_type="image/png"))
    (tmp_path / "images.warc").write_bytes(buffer.getvalue())
    results = read(tmp_path / "images.warc")
    assert results == [Rejection(str(tmp_path / "images.warc"), "no HTML records among its 1 WARC records")]


def test_a_fifo_is_not_read(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "good.txt").write_bytes(SEED)
    results = read(tmp_path)
    assert rejections(results) == [Rejection(str(tmp_path / "pipe.txt"), "not a regular file")]
    assert [i.origin for i in items(results)] == [str(tmp_path / "good.txt")]


def test_deeply_nested_folders_are_walked(tmp_path):
    folder = str(tmp_path)
    for _ in range(1200):  # deeper than Python's recursion limit
        folder += "/d"
        os.mkdir(folder)
    with open(folder + "/deep.txt", "wb") as deep:
        deep.write(SEED)
    try:
        assert [i.data for i in items(read(tmp_path))] == [SEED]
    finally:  # removed here: shutil.rmtree (pytest's clean-up) recurses as deep as the folders go
        os.remove(folder + "/deep.txt")
        while folder != str(tmp_path):
            os.rmdir(folder)
            folder = os.path.dirname(folder)


def test_a_reader_that_fails_rejects_its_file_and_the_next_file_is_read(tmp_path, monkeypatch):
    def broken(*args):
        raise RuntimeError("unexpected")

    monkeypatch.setattr("archive.ingest.readers._json_item", broken)
    (tmp_path / "a.jsonl").write_bytes(jsonl(record()))
    (tmp_path / "b.txt").write_bytes(SEED)
    results = read(tmp_path)
    assert rejections(results) == [
        Rejection(str(tmp_path / "a.jsonl"), "could not be read: RuntimeError: unexpected")
    ]
    assert [i.origin for i in items(results)] == [str(tmp_path / "b.txt")]


SUFFIXES = [".txt", ".html", ".json", ".jsonl", ".jsonl.gz", ".warc", ".warc.gz", ".bin"]


@st.composite
def input_files(draw):
    """Arbitrary bytes, or bytes shaped like a WARC or JSON Lines, gzip-wrapped or cut short at times."""
    data = draw(
        st.one_of(
            st.binary(max_size=300),
            st.binary(max_size=200).map(lambda tail: b"WARC/1.0\r\nContent-Length: 40\r\n\r\n" + tail),
            st.lists(st.binary(max_size=40), max_size=8).map(lambda lines: b'{"url": 1}\n'.join(lines)),
            st.sampled_from([b"\n" * 5000, b"[" * 3000, b'{"text": "' + b"x" * 500 + b'"}']),
        )
    )
    if draw(st.booleans()):
        data = gzip.compress(data)
        data = data[: draw(st.integers(0, len(data)))]
    return draw(st.sampled_from(SUFFIXES)), data


@settings(max_examples=150, deadline=None)
@given(st.lists(input_files(), min_size=1, max_size=4))
def test_read_paths_never_raises_and_keeps_within_the_limits(files):
    with tempfile.TemporaryDirectory() as folder:
        for number, (suffix, data) in enumerate(files):
            (Path(folder) / f"{number}{suffix}").write_bytes(data)
        results = list(read_paths([folder], max_bytes=256, max_decompressed=4096))
    assert all(isinstance(result, RawItem | Rejection) for result in results)
    assert all(len(result.data) <= 256 for result in results if isinstance(result, RawItem))
    assert all(result.reason for result in results if isinstance(result, Rejection))
    named = {Path(result.origin.split("#")[0].rsplit(":", 1)[0]).name for result in results}
    assert named == {f"{number}{suffix}" for number, (suffix, _) in enumerate(files)}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"WARC/1.0\r\nWARC-Type: response\r\nX-Padding: " + b"a" * (8 * 1024 * 1024) + b"\r\n\r\n", "64 KB"),
        (b"WARC/1.0\r\nWARC-Type: warcinfo\r\nContent-Length: 0\r\n\r\n" + b"\r\n" * 2**21, "blank lines"),
    ],
    ids=["header-line", "blank-lines"],
)
def test_warc_lines_read_one_at_a_time_are_bounded(tmp_path, content, reason):
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(gzip.compress(content))
    [rejection] = list(read_paths([path]))
    assert isinstance(rejection, Rejection) and reason in rejection.reason
