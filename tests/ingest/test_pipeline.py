"""The ingest and extract commands as a user runs them: stores, rejects with reasons, never duplicates."""

import gzip
import io
import json
import os
import shutil
from datetime import date

import pytest
from django.core.management import call_command
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.models import Article, Rejection, Source
from archive.search.service import SearchRequest, run_search

from ..conftest import SEEDS

pytestmark = pytest.mark.django_db(transaction=True)

BODY = (
    "قالت وزارة الدفاع في بيان اليوم إن المحادثات بين الجانبين أحرزت تقدما ملموسا في ملف سلامة الطيران "
    "فوق المناطق المتنازع عليها، وإن جولة جديدة ستعقد الأسبوع المقبل في العاصمة."
)


def ingest(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ingest", *map(str, args), stdout=out, stderr=err)
        code = 0
    except SystemExit as stop:
        code = stop.code
    return code, out.getvalue(), err.getvalue()


def summary_count(output: str, label: str) -> int:
    line = next(line for line in output.splitlines() if line.startswith(f"{label}:"))
    return int(line.split(":")[1])


def record(**fields) -> str:
    base = {
        "url": "https://example.org/a",
        "source": "example.org",
        "published": "2018-03-01T10:00:00+03:00",
        "title": "عنوان الخبر",
        "text": BODY,
    }
    return json.dumps({**base, **fields}, ensure_ascii=False)


def test_seeds_are_ingested_with_their_originals(seed_archive):
    assert Article.objects.count() == 5
    for article in Article.objects.all():
        name = article.original_name.rsplit("/", 1)[-1]
        assert bytes(article.original) == (SEEDS / name).read_bytes()
        assert article.original_sha256 == Article.sha256_of((SEEDS / name).read_bytes())
    assert set(Article.objects.values_list("source__slug", flat=True)) == {
        "emiratesvoice",
        "almaghribtoday",
        "syria-news",
        "buratha",
        "democraticac",
    }


def test_reingesting_adds_nothing(seed_archive):
    code, out, _ = ingest(SEEDS)
    assert code == 0
    assert summary_count(out, "added") == 0
    assert summary_count(out, "duplicates") == 5
    assert Article.objects.count() == 5


def test_ingested_articles_are_searchable(seed_archive):
    page = run_search(SearchRequest(q="لافروف"))
    assert page.count >= 1


def test_bad_inputs_are_rejected_with_reasons_and_the_rest_goes_on(db, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    (tmp_path / "truncated.txt").write_bytes(("عنوان\n" + BODY).encode()[:-2])  # cuts inside "ة"
    (tmp_path / "menu.txt").write_text("الرئيسية\nأخبار\nرياضة\nاتصل بنا\n", encoding="utf-8")
    with open(tmp_path / "huge.txt", "wb") as huge:
        huge.truncate(50 * 1024 * 1024)
    (tmp_path / "export.jsonl").write_text(
        record(url="https://example.org/1")
        + "\n{not json\n"
        + record(url="https://example.org/2", text=BODY + " إضافة")
        + "\n",
        encoding="utf-8",
    )
    shutil.copy(SEEDS / "003_838c776ce97c28fb.txt", tmp_path / "good.txt")
    write_warc(tmp_path / "crawl.warc.gz", broken=True)

    code, out, _ = ingest(tmp_path)

    assert code == 1
    reasons = "\n".join(line for line in out.splitlines() if line.startswith("  "))
    for name in (
        "empty.txt",
        "image.txt",
        "truncated.txt",
        "menu.txt",
        "huge.txt",
        "export.jsonl:2",
        "crawl",
    ):
        assert name in reasons, f"no reason given for {name}:\n{out}"
    assert "UTF-8" in reasons and "MB" in reasons and "JSON" in reasons
    titles = set(Article.objects.values_list("title", flat=True))
    assert "وزارة الدفاع الروسية: تقارب بين موسكو وواشنطن بشأن سلامة الطلعات في سوريا" in titles
    assert Article.objects.filter(url__in=["https://example.org/1", "https://example.org/2"]).count() == 2
    assert Article.objects.filter(url="https://example.org/warc-ok").exists()
    assert Rejection.objects.count() == summary_count(out, "rejected")
    assert Article.objects.filter(body="").count() == 0


def write_warc(path, broken=False):
    html = (
        "<html><head><title>عنوان</title></head><body><article><h1>عنوان الخبر</h1>"
        f"<p>{BODY}</p><p>{BODY}</p></article></body></html>"
    ).encode()
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.0"
        )
        writer.write_record(
            writer.create_warc_record(
                "https://example.org/warc-ok", "response", payload=io.BytesIO(html), http_headers=headers
            )
        )
    if broken:
        with open(path, "ab") as stream:
            stream.write(
                gzip.compress(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 9999\r\n\r\ntrunc")
            )


def test_manifest_and_url_win_over_guesses(db, tmp_path):
    shutil.copy(SEEDS / "000_35d6a8e2b6890355.txt", tmp_path / "page.txt")
    (tmp_path / "manifest.csv").write_text(
        "file,url,source,published\npage.txt,https://www.almaghribtoday.net/x,المغرب اليوم,2015-10-14\n",
        encoding="utf-8",
    )
    call_command("loaddata", "fixtures/sources.json", verbosity=0)
    code, out, _ = ingest(tmp_path / "page.txt", "--manifest", tmp_path / "manifest.csv")
    assert code == 0, out
    article = Article.objects.get()
    assert article.source.slug == "almaghribtoday"
    assert article.url == "https://www.almaghribtoday.net/x"
    assert str(article.published_on) == "2015-10-14" and article.date_origin == "manifest"


def test_unknown_outlet_creates_a_source_for_review(db, tmp_path):
    (tmp_path / "a.jsonl").write_text(
        record(source="newoutlet.example", url="https://newoutlet.example/1"), encoding="utf-8"
    )
    assert ingest(tmp_path)[0] == 0
    source = Article.objects.get().source
    assert source.needs_review
    assert Source.objects.filter(needs_review=True).count() == 1


def test_source_option_overrides_everything(db, tmp_path):
    (tmp_path / "a.jsonl").write_text(record(), encoding="utf-8")
    assert ingest(tmp_path, "--source", "وكالة تجريبية")[0] == 0
    assert Article.objects.get().source.name == "وكالة تجريبية"


def test_syndicated_copies_share_a_story_group(db, tmp_path):
    lines = [
        record(url="https://a.example/1", source="a.example", title="عنوان أ"),
        record(url="https://b.example/1", source="b.example", title="عنوان ب", text="دمشق - " + BODY),
        record(
            url="https://c.example/1",
            source="c.example",
            title="خبر آخر",
            text="نص مختلف تماما عن مباريات كرة القدم في الدوري المحلي هذا الأسبوع وما رافقها من أحداث " * 3,
        ),
    ]
    (tmp_path / "a.jsonl").write_text("\n".join(lines), encoding="utf-8")
    assert ingest(tmp_path)[0] == 0
    a, b, c = (Article.objects.get(url=f"https://{h}.example/1") for h in "abc")
    assert a.story_group_id and a.story_group_id == b.story_group_id
    assert a.source != b.source
    assert c.story_group_id is None
    hits = {hit.id: hit for hit in run_search(SearchRequest(q="الطيران")).hits}
    assert hits[a.pk].copies == 1


def test_extract_prints_json_and_touches_nothing(db, capsys):
    out = io.StringIO()
    call_command("extract", str(SEEDS / "003_838c776ce97c28fb.txt"), stdout=out)
    article = json.loads(out.getvalue())
    assert set(article) == {
        "title",
        "body",
        "source",
        "published",
        "dateline",
        "author",
        "section",
        "agency",
        "url",
    }
    assert article["published"].startswith("2015-10-15")
    assert Article.objects.count() == 0


def test_extract_prints_one_line_per_record(db, tmp_path):
    (tmp_path / "a.jsonl").write_text(
        record(url="https://x.example/1") + "\n" + record(url="https://x.example/2"), encoding="utf-8"
    )
    out = io.StringIO()
    call_command("extract", str(tmp_path / "a.jsonl"), stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert [json.loads(line)["url"] for line in lines] == ["https://x.example/1", "https://x.example/2"]


class NoNetwork:
    """Every way of opening a connection raises, and is recorded."""

    def __init__(self, monkeypatch):
        self.attempts = []
        for target in ("socket.socket.connect", "socket.socket.connect_ex"):
            monkeypatch.setattr(target, self.refuse(target))
        monkeypatch.setattr("socket.create_connection", self.refuse("create_connection"))
        monkeypatch.setattr("socket.getaddrinfo", self.refuse("getaddrinfo"))

    def refuse(self, name):
        def refused(*args, **kwargs):
            self.attempts.append((name, args[1:] if name.startswith("socket.socket") else args))
            raise OSError(f"ingestion opened a connection: {name}{args}")

        return refused


def poisoned_batch(folder) -> dict[str, str]:
    """Good inputs mixed with bad ones; returns the file name of each bad one with a word of its reason."""
    for seed in ("000_35d6a8e2b6890355.txt", "003_838c776ce97c28fb.txt"):
        shutil.copy(SEEDS / seed, folder / seed)
    (folder / "good.jsonl").write_text(record(url="https://example.org/good"), encoding="utf-8")
    write_warc(folder / "good.warc.gz")
    article = f"<article><p>{BODY}</p><p>{BODY}</p></article>"
    page = f"<html><head><title>عنوان</title></head><body>{article}</body></html>"
    (folder / "rot13.html").write_bytes(
        f'<meta charset="rot13">{page}'.encode("cp1256")
    )  # decoded despite its declaration
    (folder / "url-first.html").write_text(
        ("http://127.0.0.1:9/x\n" + page).replace(" ", "\u00a0"), encoding="utf-8"
    )
    bomb = gzip.compress(b"<p>" * (8 * 1024 * 1024), 9)
    with open(folder / "bomb.warc.gz", "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html"), ("Content-Encoding", "gzip")], protocol="HTTP/1.1"
        )
        writer.write_record(
            writer.create_warc_record(
                "https://example.org/bomb", "response", payload=io.BytesIO(bomb), http_headers=headers
            )
        )
    (folder / "newlines.jsonl.gz").write_bytes(gzip.compress(b"\n" * (16 * 1024 * 1024), 9))
    truncated = gzip.compress((record(url="https://example.org/t") + "\n").encode() * 50)
    (folder / "truncated.jsonl.gz").write_bytes(truncated[: len(truncated) // 2])
    (folder / "broken.warc").write_bytes(
        b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: x\r\n\r\nbroken"
    )
    (folder / "invalid.jsonl").write_text('{"title": \n[1]\n{"n": ' + "9" * 5000 + "}\n")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "nul.html").write_bytes(b"<html>" + b"\x00" * 100 + BODY.encode())
    (folder / "script.jsonl").write_text(
        record(url="javascript:alert(document.cookie)", title="نص"), encoding="utf-8"
    )
    (folder / "long.jsonl").write_text(
        record(url="https://example.org/long", text=BODY * 7000), encoding="utf-8"
    )
    (folder / "dates.txt").write_text(
        "\n".join(["عنوان", "10:30" + " " * 50_000 + "x", "14" + " " * 50_000 + "x", BODY]), encoding="utf-8"
    )
    return {
        "bomb.warc.gz#record-1": "expands to over",
        "newlines.jsonl.gz": "no records",
        "truncated.jsonl.gz": "unreadable after line",
        "broken.warc#record-1": "cut short",
        "invalid.jsonl:1": "not valid JSON",
        "invalid.jsonl:2": "not an object",
        "invalid.jsonl:3": "not usable JSON",
        "binary.txt": "binary file",
        "nul.html": "NUL bytes",
        "long.jsonl:1": "over the 1,000,000 limit",
    }


def test_a_poisoned_batch_rejects_each_bad_input_alone_and_never_touches_the_network(
    db, tmp_path, monkeypatch
):
    expected = poisoned_batch(tmp_path)
    network = NoNetwork(monkeypatch)

    code, out, _ = ingest(tmp_path)

    assert network.attempts == []
    assert code == 1
    rejected = {
        line.strip().split(": ", 1)[0].removeprefix(f"{tmp_path}/"): line.split(": ", 1)[1]
        for line in out.splitlines()
        if line.startswith(f"  {tmp_path}/")
    }
    for origin, word in expected.items():
        assert word in rejected.get(origin, ""), (
            f"{origin}: expected {word!r} in {rejected.get(origin)!r}\n{out}"
        )
    assert set(rejected) == set(expected), out
    assert summary_count(out, "rejected") == len(expected) == Rejection.objects.count()
    assert summary_count(out, "added") == Article.objects.count() == 8
    names = {article.original_name.rsplit("/", 1)[1] for article in Article.objects.all()}
    assert names == {
        "000_35d6a8e2b6890355.txt",
        "003_838c776ce97c28fb.txt",
        "good.jsonl:1",
        "good.warc.gz#record-1",
        "rot13.html",
        "url-first.html",
        "script.jsonl:1",
        "dates.txt",  # its hostile date lines are read quickly, and give no date
    }
    assert Article.objects.get(original_name__endswith="dates.txt").published_on is None
    assert not Article.objects.exclude(url="").exclude(url__startswith="https://").exists()
    assert Article.objects.get(original_name__endswith="script.jsonl:1").url == ""


def html_page(site_name: str) -> str:
    paragraphs = "".join(f"<p>{BODY} فقرة {n}.</p>" for n in range(4))
    return (
        f'<html><head><title>عنوان الخبر</title><meta property="og:site_name" content="{site_name}"></head>'
        f"<body><article><h1>عنوان الخبر</h1>{paragraphs}</article></body></html>"
    )


def test_the_urls_table_outlet_beats_a_junk_site_name_and_nothing_is_left_to_review(db, tmp_path):
    (tmp_path / "page.html").write_text(html_page("تعليقات"), encoding="utf-8")
    (tmp_path / "manifest.csv").write_text(
        "file,url,source,published\npage.html,https://www.alarabiya.net/ar/1,,\n", encoding="utf-8"
    )
    code, out, _ = ingest(tmp_path / "page.html", "--manifest", tmp_path / "manifest.csv")
    assert code == 0, out
    article = Article.objects.get()
    assert (article.source.name, article.source_origin) == ("العربية", "url")
    assert not article.source.needs_review
    assert "new sources to review" not in out
    assert not Source.objects.filter(name="تعليقات").exists()


def test_a_file_name_that_is_not_utf8_and_odd_record_values_lose_nothing(db, tmp_path):
    odd = os.path.join(os.fsencode(tmp_path), b"001_bad\xff\xfename.txt")
    with open(odd, "wb") as stream:
        stream.write((SEEDS / "003_838c776ce97c28fb.txt").read_bytes())
    with open(os.path.join(os.fsencode(tmp_path), b"002_menu\xff.txt"), "wb") as stream:
        stream.write("الرئيسية\nأخبار\nرياضة\n".encode())
    shutil.copy(SEEDS / "000_35d6a8e2b6890355.txt", tmp_path / "003_after.txt")
    (tmp_path / "004_export.jsonl").write_text(
        "\n".join(
            [
                json.dumps(json.loads(record(url="https://example.org/s", title="خبر\ud800عاجل"))),
                record(url="https://example.org/z", published="0000-00-00", text=BODY + " أولا"),
                record(
                    url="https://example.org/f",
                    published="2050-01-01",
                    crawled="2018-03-02T00:00:00Z",
                    text=BODY + " ثانيا",
                ),
            ]
        ),
        encoding="utf-8",
    )

    code, out, _ = ingest(tmp_path)

    assert code == 1  # the menu is rejected
    assert summary_count(out, "added") == Article.objects.count() == 5
    assert Article.objects.filter(original_name=f"{tmp_path}/001_bad\\xff\\xfename.txt").exists()
    assert Article.objects.filter(original_name__endswith="003_after.txt").exists()
    assert list(Rejection.objects.values_list("origin", flat=True)) == [f"{tmp_path}/002_menu\\xff.txt"]
    assert Article.objects.get(url="https://example.org/s").title == "خبر\ufffdعاجل"
    assert Article.objects.get(url="https://example.org/z").published_on is None
    future = Article.objects.get(url="https://example.org/f")  # after its crawl: the crawl day instead
    assert (future.published_on, future.date_origin) == (date(2018, 3, 2), Article.DateOrigin.CRAWL)
    assert "index: up to date (5 articles)" in out
