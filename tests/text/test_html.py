"""HTML extraction: scored against the real Arabic pages with gold text or gold dates in ../shared/pages."""

import json
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from archive.text.article import CleanArticle, NotAnArticle
from archive.text.html import extract_html

from ..conftest import SHARED

BODY = (
    "قالت وزارة الدفاع في بيان اليوم إن المحادثات بين الجانبين أحرزت تقدما ملموسا في ملف سلامة الطيران "
    "فوق المناطق المتنازع عليها، وإن جولة جديدة ستعقد الأسبوع المقبل في العاصمة."
)
MORE = "وأضاف البيان أن الطرفين اتفقا على تبادل المعلومات بصورة منتظمة لتفادي أي حوادث في المستقبل القريب."
HEADLINE = "محادثات جديدة حول سلامة الطيران"


def page(head: str = "", footer: str = "") -> str:
    return f"""<!DOCTYPE html><html lang="ar"><head><meta charset="utf-8">{head}</head><body>
<nav><ul><li><a href="/">الرئيسية</a></li><li><a href="/n">أخبار</a></li>
<li><a href="/s">رياضة</a></li></ul></nav>
<article><h1>{HEADLINE}</h1><p>{BODY}</p><p>{MORE}</p><p>{BODY}</p></article>
<aside><h3>الأكثر قراءة</h3><ul><li><a href="/a">خبر آخر تماما عن كرة القدم</a></li></ul></aside>
<footer>{footer}</footer></body></html>"""


def token_f1(found: str, gold: str) -> float:
    found_tokens, gold_tokens = Counter(re.findall(r"\w+", found)), Counter(re.findall(r"\w+", gold))
    common = sum((found_tokens & gold_tokens).values())
    if not common:
        return 0.0
    precision, recall = common / sum(found_tokens.values()), common / sum(gold_tokens.values())
    return 2 * precision * recall / (precision + recall)


def local_day(value: date | datetime | None) -> date | None:
    """The day in the page's own time zone, as the archive files it."""
    return value.date() if isinstance(value, datetime) else value


def test_body_title_author_site_and_date_come_from_the_markup():
    head = (
        f"<title>{HEADLINE} - صوت العاصمة</title>"
        '<meta property="og:site_name" content="صوت العاصمة"><meta name="author" content="أحمد علي">'
        '<meta property="article:published_time" content="2021-05-03T10:20:00+03:00">'
    )
    article = extract_html(page(head), url="https://www.example.org/news/1")
    assert article.title == HEADLINE
    assert article.paragraphs == [BODY, MORE, BODY]
    assert article.source == "صوت العاصمة"
    assert article.author == "أحمد علي"
    assert article.published == datetime(2021, 5, 3, 10, 20, tzinfo=timezone(timedelta(hours=3)))
    assert article.date_origin == "html"
    assert article.url == "https://www.example.org/news/1"


def test_menus_and_sidebars_are_left_out():
    body = extract_html(page(f"<title>{HEADLINE}</title>")).body
    assert "الرئيسية" not in body and "الأكثر قراءة" not in body and "كرة القدم" not in body


def test_without_a_site_name_the_source_is_the_url_host():
    article = extract_html(page(f"<title>{HEADLINE}</title>"), url="https://www.example.org/news/1")
    assert article.source == "example.org"


def test_a_time_without_utc_offset_keeps_only_its_day():
    head = f'<title>{HEADLINE}</title><meta property="article:published_time" content="2021-05-03T10:20:00">'
    assert extract_html(page(head)).published == date(2021, 5, 3)


def test_a_copyright_year_is_not_a_publication_date():
    article = extract_html(page(f"<title>{HEADLINE}</title>", footer="<p>© 2019 جميع الحقوق محفوظة</p>"))
    assert article.published is None and article.date_origin == ""


def test_a_page_of_links_is_not_an_article():
    html = "<html><body><nav><a href='/'>الرئيسية</a> <a href='/x'>أخبار</a></nav></body></html>"
    with pytest.raises(NotAnArticle, match="^no article text found in HTML$"):
        extract_html(html)


def pairs(shared_dir) -> dict[str, tuple[dict, object]]:
    folder = shared_dir / "pages" / "pairs"
    index = json.loads((folder / "index.json").read_text())
    return {entry["dir"][:2]: (entry, folder / entry["dir"]) for entry in index}


@pytest.mark.parametrize("number", ["01", "03"])
def test_body_matches_the_gold_text(shared_dir, number):
    entry, folder = pairs(shared_dir)[number]
    article = extract_html((folder / "raw.html").read_text(encoding="utf-8"), url=entry["url"])
    assert token_f1(article.body, (folder / "gold.txt").read_text(encoding="utf-8")) >= 0.9
    assert article.title == entry["title"]


def test_snippet_gold_of_the_assabah_page(shared_dir):
    entry, folder = pairs(shared_dir)["02"]
    gold = json.loads((folder / "gold_snippets.json").read_text(encoding="utf-8"))
    article = extract_html((folder / "raw.html").read_text(encoding="utf-8"), url=entry["url"])
    for snippet in gold["with"]:
        assert snippet in article.body
    for snippet in gold["without"]:
        assert snippet not in article.body
    assert article.title.split() == gold["title"].split()


def test_time_and_offset_are_kept_when_the_page_gives_them(shared_dir):
    entry, folder = pairs(shared_dir)["03"]
    article = extract_html((folder / "raw.html").read_text(encoding="utf-8"), url=entry["url"])
    assert article.published == datetime.fromisoformat(entry["published"])
    assert article.published.tzinfo is not None


def test_the_cnn_page_gets_no_date_rather_than_its_copyright_year(shared_dir):
    entry, folder = pairs(shared_dir)["01"]
    assert extract_html((folder / "raw.html").read_text(encoding="utf-8"), url=entry["url"]).published is None


@pytest.fixture(scope="module")
def dated_pages() -> dict[str, tuple[dict, CleanArticle]]:
    """The eight pages with a gold publication date, extracted once: {site: (index entry, article)}."""
    folder = SHARED / "pages" / "raw_with_date_gold"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent: the shared data sits beside the checkout in CI")
    pages = {}
    for entry in json.loads((folder / "index.json").read_text()):
        html = (folder / entry["file"]).read_text(encoding="utf-8")
        pages[entry["site"]] = (entry, extract_html(html, url=entry["url"]))
    return pages


def test_publication_dates_match_gold_on_all_eight_pages(dated_pages):
    found = {site: local_day(article.published) for site, (_, article) in dated_pages.items()}
    gold = {
        site: date.fromisoformat(entry["gold_published_date"]) for site, (entry, _) in dated_pages.items()
    }
    assert len(gold) == 8
    assert found == gold
    assert all(article.date_origin == "html" for _, article in dated_pages.values())


def test_metadata_of_the_dated_pages(dated_pages):
    articles = {site: article for site, (_, article) in dated_pages.items()}
    # The page's local day is kept: its JSON-LD gives 01:59:50+02:00, i.e. the evening before in UTC.
    assert articles["elbaladtv.net"].published.astimezone(UTC).date() == date(2020, 12, 24)
    assert articles["elbaladtv.net"].published.date() == date(2020, 12, 25)
    assert articles["youm7.com"].title.endswith("جامعة القاهرة")  # the " - اليوم السابع" suffix is gone
    assert articles["youm7.com"].source == "اليوم السابع"
    assert articles["youm7.com"].section == "تقارير مصرية"
    assert articles["akhbarelyom.com"].source == "akhbarelyom.com"  # its site name is a URL
    assert articles["alyaum.com"].author == "حسام أبو العلا"
    assert articles["arabic.sputniknews.com"].author == ""  # a logo's file name, not a person
    assert articles["almadenahnews.com"].section == ""  # 24 "categories" are the site menu
    for article in articles.values():
        assert article.paragraphs and all(p == p.strip() and p for p in article.paragraphs)


@pytest.mark.parametrize(
    "html",
    [
        "http://127.0.0.1:9/article",
        # No plain space anywhere: htmldate took the whole page for a URL and downloaded it.
        ("http://127.0.0.1:9/x\n" + page()).replace(" ", "\u00a0"),
        page(head='<link rel="canonical" href="http://127.0.0.1:9/c">'),
    ],
    ids=["a bare URL", "a page starting with a URL", "a canonical link"],
)
def test_a_page_that_looks_like_a_url_is_never_downloaded(html, monkeypatch):
    import htmldate.core
    import htmldate.utils

    def refuse(url, *args, **kwargs):
        pytest.fail(f"tried to download {url}")

    monkeypatch.setattr(htmldate.utils, "fetch_url", refuse)
    monkeypatch.setattr(htmldate.core, "fetch_url", refuse, raising=False)
    try:
        article = extract_html(html)
    except NotAnArticle as error:
        assert str(error)
    else:
        assert article.paragraphs
