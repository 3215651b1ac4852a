"""extract(): dispatch by content type, and what came beside the file wins over what the page suggests."""

import json
import sys
import types
from datetime import UTC, date, datetime, timedelta, timezone

import hypothesis
import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.ingest.extract import extract
from archive.ingest.items import RawItem
from archive.ingest.readers import read_paths
from archive.text.article import CleanArticle, NotAnArticle

from ..conftest import SEEDS

BODY = (
    "قالت وزارة الدفاع في بيان اليوم إن المحادثات بين الجانبين أحرزت تقدما ملموسا في ملف سلامة الطيران "
    "فوق المناطق المتنازع عليها، وإن جولة جديدة ستعقد الأسبوع المقبل في العاصمة."
)
MORE = "وأضاف البيان أن الطرفين اتفقا على تبادل المعلومات بصورة منتظمة لتفادي أي حوادث في المستقبل القريب."
HEADLINE = "محادثات جديدة حول سلامة الطيران"


def html_page(head: str = "", charset: str = "utf-8") -> str:
    return (
        f'<html lang="ar"><head><meta charset="{charset}"><title>{HEADLINE}</title>{head}</head><body>'
        f"<article><h1>{HEADLINE}</h1><p>{BODY}</p><p>{MORE}</p></article></body></html>"
    )


def json_item(**fields) -> RawItem:
    record = {
        "url": "https://example.org/1",
        "source": "example.org",
        "source_name": "مثال",
        "published": "2018-03-01T10:00:00+03:00",
        "title": " عنوان الخبر ",
        "text": "فقرة أولى\n\n  فقرة ثانية \n",
        "category": "سياسة",
        "author": "أحمد علي",
        **fields,
    }
    return RawItem(origin="x.jsonl:1", data=json.dumps(record).encode(), content_type="application/json")


def test_a_json_record_becomes_an_article():
    article = extract(json_item())
    assert article.title == "عنوان الخبر"
    assert article.paragraphs == ["فقرة أولى", "فقرة ثانية"]
    assert (article.source, article.url) == ("مثال", "https://example.org/1")
    assert article.published == datetime(2018, 3, 1, 10, tzinfo=timezone(timedelta(hours=3)))
    assert article.date_origin == "record"
    assert (article.section, article.author) == ("سياسة", "أحمد علي")
    assert article.encoding == "utf-8"


@pytest.mark.parametrize(
    ("author", "text", "expected"),
    [
        ("لندن - رويترز", f"{BODY}\n{MORE}", ("رويترز", "", "لندن")),
        ("موسكو - د ب أ", f"{BODY}\n{MORE}", ("د ب أ", "", "موسكو")),
        ("أحمد علي", f"بيروت (رويترز) - {BODY}\n{MORE}", ("رويترز", "أحمد علي", "")),
        ("", f"{BODY}\n{MORE}\nفرانس24/ أ ف ب", ("فرانس برس", "", "")),
        ("أحمد علي", f"قالت مصادر لرويترز {BODY}\n{MORE}", ("", "أحمد علي", "")),
    ],
)
def test_a_record_wire_credit_goes_to_the_agency_not_the_author(author, text, expected):
    article = extract(json_item(author=author, text=text))
    assert (article.agency, article.author, article.dateline) == expected


def test_an_html_page_closing_with_a_credit_has_its_agency():
    page = html_page().replace(f"<p>{MORE}</p>", f"<p>{MORE}</p><p>(أ ف ب)</p>")
    item = RawItem(origin="p.html", data=page.encode(), content_type="text/html")
    assert extract(item).agency == "فرانس برس"


def test_a_date_only_record_has_day_precision_and_a_naive_time_is_utc():
    assert extract(json_item(published="2016-05-02")).published == date(2016, 5, 2)
    assert extract(json_item(published="2016-05-02T08:00:00")).published == datetime(
        2016, 5, 2, 8, tzinfo=UTC
    )
    undated = extract(json_item(published=None, source_name=None))
    assert (undated.published, undated.date_origin, undated.source) == (None, "", "example.org")


def test_the_item_metadata_wins_over_the_record():
    item = json_item()
    item.url, item.source, item.published, item.published_origin = (
        "https://m/1",
        "م",
        date(2019, 1, 1),
        "manifest",
    )
    article = extract(item)
    assert (article.url, article.source, article.published, article.date_origin) == (
        "https://m/1",
        "م",
        date(2019, 1, 1),
        "manifest",
    )


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"text": ""}, "^title but no body text$"),
        ({"text": " \n ", "title": None}, "^no title and no body text$"),
        ({"published": "yesterday"}, "^published 'yesterday' is not an ISO 8601 date$"),
    ],
)
def test_records_that_are_not_articles(fields, reason):
    with pytest.raises(NotAnArticle, match=reason):
        extract(json_item(**fields))


def test_an_html_page_in_windows_1256_is_decoded_and_extracted():
    data = html_page(charset="windows-1256").encode("cp1256")
    article = extract(
        RawItem(origin="p.html", data=data, content_type="text/html", url="https://www.example.org/p")
    )
    assert article.title == HEADLINE and article.paragraphs == [BODY, MORE]
    assert article.encoding == "cp1256" and article.source == ""  # an unknown outlet: the pipeline names it


def test_a_manifest_date_wins_over_the_html_date_and_a_capture_time_is_no_date():
    head = '<meta property="article:published_time" content="2021-05-03T10:20:00+03:00">'
    item = RawItem(
        origin="c.warc#record-1",
        data=html_page(head).encode(),
        content_type="text/html",
        captured_at=datetime(2024, 5, 1, tzinfo=UTC),
    )
    assert extract(item).date_origin == "html"
    undated = RawItem(origin="c.warc#record-2", data=html_page().encode(), content_type="text/html")
    undated.captured_at = datetime(2024, 5, 1, tzinfo=UTC)
    assert extract(undated).published is None
    item.source, item.published, item.published_origin = "مصدر", date(2021, 5, 1), "manifest"
    article = extract(item)
    assert (article.published, article.date_origin, article.source) == (date(2021, 5, 1), "manifest", "مصدر")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "^empty file$"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), r"^binary file \(PNG image\)$"),
        ("عنوان الخبر".encode()[:-1], "^truncated UTF-8 at byte 19$"),
    ],
)
def test_unreadable_originals_are_not_articles(data, reason):
    for content_type in ("text/plain", "text/html"):
        with pytest.raises(NotAnArticle, match=reason):
            extract(RawItem(origin="f", data=data, content_type=content_type))


def test_an_unknown_content_type_is_refused():
    with pytest.raises(NotAnArticle, match="unsupported content type 'application/pdf'"):
        extract(RawItem(origin="f", data=b"text", content_type="application/pdf"))


def test_plain_text_goes_to_the_text_cleaner_with_the_caller_hints(monkeypatch):
    calls = []

    def clean_text_page(text, known_sources=(), repeated_lines=(), url="", captured=None):
        calls.append((text, list(known_sources), list(repeated_lines), url, captured))
        return CleanArticle(title="عنوان", paragraphs=[BODY], source="تخمين", date_origin="text")

    monkeypatch.setitem(
        sys.modules, "archive.text.cleaning", types.SimpleNamespace(clean_text_page=clean_text_page)
    )
    crawled = datetime(2020, 5, 3, 10, tzinfo=UTC)
    item = RawItem(
        origin="p.txt",
        data="عنوان\n".encode("utf-16"),
        content_type="text/plain",
        source="المصدر",
        url="https://www.youm7.com/story/1",
        captured_at=crawled,
    )
    article = extract(item, known_sources=["أ"], repeated_lines={"اتصل بنا"})
    assert calls == [("عنوان\n", ["أ"], ["اتصل بنا"], "https://www.youm7.com/story/1", crawled)]
    assert article.source == "المصدر" and article.encoding == "utf-16"
    assert article.source_origin == "manifest"


def test_a_seed_page_through_the_real_text_cleaner():
    pytest.importorskip("archive.text.cleaning", reason="the plain-text cleaner is not written yet")
    path = SEEDS / "003_838c776ce97c28fb.txt"
    article = extract(RawItem(origin=str(path), data=path.read_bytes(), content_type="text/plain"))
    assert article.title and len(article.body) > 200 and article.encoding == "utf-8"


def test_read_then_extract_a_folder_of_mixed_inputs(tmp_path):
    (tmp_path / "page.html").write_bytes(html_page().encode("utf-8-sig"))
    (tmp_path / "export.jsonl").write_text(
        json.dumps({"title": "ع", "text": BODY, "url": "https://j/1"}) + "\n"
    )
    articles = [extract(item) for item in read_paths([tmp_path])]
    assert [a.url for a in articles] == ["https://j/1", ""]
    assert articles[1].title == HEADLINE and articles[1].encoding == "utf-8-sig"


def test_a_body_over_the_limit_is_refused_and_a_long_title_is_cut(settings):
    settings.ARCHIVE_MAX_BODY_CHARS = 150
    with pytest.raises(NotAnArticle, match=r"^body is [\d,]+ characters, over the 150 limit$"):
        extract(json_item(text=BODY * 10))
    settings.ARCHIVE_MAX_BODY_CHARS = 1_000_000
    article = extract(json_item(title="عنوان طويل " * 100))
    assert len(article.title) <= 500 and article.title.endswith("طويل…")


def test_a_javascript_url_is_never_the_article_url():
    assert extract(json_item(url="javascript:alert(document.cookie)")).url == ""
    head = '<link rel="canonical" href="javascript:alert(1)">'
    item = RawItem(origin="p.html", data=html_page(head).encode(), content_type="text/html")
    assert extract(item).url == ""
    item.url = "https://example.org/p"
    assert extract(item).url == "https://example.org/p"


@hypothesis.settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["text/plain", "text/html", "application/json"]),
    st.binary(max_size=400)
    | st.text(max_size=200).map(str.encode)
    | st.binary(max_size=100).map(lambda tail: b'<html><meta charset="rot13"><p>' + tail),
)
def test_extract_only_ever_raises_not_an_article(content_type, data):
    try:
        article = extract(RawItem(origin="f", data=data, content_type=content_type))
    except NotAnArticle as error:
        assert str(error)
    else:
        assert article.paragraphs
