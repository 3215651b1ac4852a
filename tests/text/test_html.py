"""HTML extraction: scored against the real Arabic pages with gold text or gold dates in ../shared/pages."""

import json
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_an_unknown_site_without_a_site_name_gets_no_source():
    article = extract_html(page(f"<title>{HEADLINE}</title>"), url="https://www.example.org/news/1")
    assert (article.source, article.source_origin) == ("", "")


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


def test_the_cnn_page_is_dated_by_its_url_not_its_copyright_year(shared_dir):
    entry, folder = pairs(shared_dir)["01"]
    article = extract_html((folder / "raw.html").read_text(encoding="utf-8"), url=entry["url"])
    assert article.published == date(2013, 8, 3)
    assert ("published", "2013-08-03", "url") in {(c.field, c.value, c.origin) for c in article.candidates}


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
    assert articles["akhbarelyom.com"].source == "بوابة أخبار اليوم"  # its domain, in the outlet table
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


# Evidence (#11): the outlet from the URL's domain, then the markup's site names, then the text's cues.

ARTICLE_URL = "https://www.example.org/news/1"


def test_the_urls_domain_names_the_outlet_whatever_the_markup_says():
    head = f'<title>{HEADLINE}</title><meta property="og:site_name" content="شركة البث المحدودة">'
    article = extract_html(page(head), url="https://www.youm7.com/story/2021/5/3/x/1")
    assert (article.source, article.source_origin) == ("اليوم السابع", "url")
    sources = {(c.value, c.origin) for c in article.candidates if c.field == "source"}
    assert {("اليوم السابع", "url"), ("شركة البث المحدودة", "html")} <= sources


@pytest.mark.parametrize(
    ("head", "source"),
    [
        ('<meta property="og:site_name" content="Sky News Arabia">', "سكاي نيوز عربية"),
        ('<meta name="application-name" content="Sputnik_Ar">', "سبوتنيك عربي"),
        ('<meta property="og:site_name" content="@SkyNewsArabia">', "سكاي نيوز عربية"),
        ('<meta property="og:site_name" content="صوت العاصمة">', "صوت العاصمة"),
        ('<meta name="application-name" content="Some_Handle">', ""),
        ('<meta property="og:site_name" content="https://unknown.example/">', ""),
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "publisher": '
            '{"@type": "Organization", "name": "صوت العاصمة"}}</script>',
            "صوت العاصمة",
        ),
    ],
)
def test_the_markups_site_names_handles_are_looked_up_never_shown(head, source):
    article = extract_html(page(f"<title>{HEADLINE}</title>{head}"), url=ARTICLE_URL)
    assert article.source == source
    assert article.source_origin == ("html" if source else "")
    assert not any(
        "_" in c.value or c.value.startswith("@") for c in article.candidates if c.field == "source"
    )


@pytest.mark.parametrize(
    ("site_name", "url", "source"),
    [
        ("صوت العاصمة | آخر أخبار المدينة على مدار الساعة", ARTICLE_URL, "صوت العاصمة"),
        ("أخبار العالم لحظة بلحظة | Sky News Arabia", ARTICLE_URL, "سكاي نيوز عربية"),
        ("باشگاه خبرنگاران جوان | آخرین اخبار ایران و جهان | YJC", "https://www.yjc.ir/fa/news/1", "YJC"),
        ("صوت العاصمة", ARTICLE_URL, "صوت العاصمة"),
    ],
)
def test_a_site_name_with_a_tagline_gives_the_name_alone(site_name, url, source):
    head = f'<title>{HEADLINE}</title><meta property="og:site_name" content="{site_name}">'
    article = extract_html(page(head), url=url)
    assert (article.source, article.source_origin) == (source, "html")
    evidence = [c.evidence for c in article.candidates if c.field == "source"]
    assert evidence == [f"og:site_name: {site_name}"]


@pytest.mark.parametrize(
    ("title", "site"),
    [
        (f"{HEADLINE} - صوت العاصمة", "صوت العاصمة"),
        (f"صوت العاصمة - {HEADLINE}", "صوت العاصمة"),
        (f"{HEADLINE} | Sky News Arabia", ""),
        (f" سكاي نيوز عربية - {HEADLINE}", ""),
    ],
)
def test_the_title_loses_the_site_name_around_it(title, site):
    head = f'<meta property="og:title" content="{title}">'
    head += f'<meta property="og:site_name" content="{site}">' if site else ""
    article = extract_html(page(head), url=ARTICLE_URL)
    assert article.title == HEADLINE and article.title_origin == "html"


def test_an_h1_that_the_browser_title_holds_is_the_title():
    head = f"<title>{HEADLINE} - قسم الأخبار - موقع ما</title>"
    assert extract_html(page(head), url=ARTICLE_URL).title == HEADLINE


def test_the_date_in_the_pages_own_url():
    article = extract_html(page(f"<title>{HEADLINE}</title>"), url="https://example.org/2013/world/8/3/x/")
    assert article.published == date(2013, 8, 3) and article.date_origin == "html"
    canonical = f'<title>{HEADLINE}</title><link rel="canonical" href="https://example.org/2019/02/08/x">'
    assert extract_html(page(canonical)).published == date(2019, 2, 8)


def test_no_date_after_the_capture():
    head = f'<title>{HEADLINE}</title><meta property="article:published_time" content="2021-05-03T10:20:00">'
    assert extract_html(page(head), captured=datetime(2021, 5, 3, 23, tzinfo=UTC)).published == date(
        2021, 5, 3
    )
    assert extract_html(page(head), captured=datetime(2021, 5, 2, 23, tzinfo=UTC)).published is None


def dated_page(stamp: str, widget: str) -> str:
    return f"""<html lang="ar"><head><title>{HEADLINE}</title></head><body>
<div class="widget"><span class="date">{widget}</span><p>الطقس في تونس</p></div>
<article><h1>{HEADLINE}</h1><div>{stamp}</div><p>{BODY}</p><p>{MORE}</p><p>{BODY}</p></article>
<ul class="issues"><li class="date">جريدة بتاريخ 2019/02/09</li></ul></body></html>"""


def test_the_stamp_by_the_headline_wins_over_dated_widgets_and_lists():
    article = extract_html(dated_page("الجمعة 8 فيفري 2019", "Feb. 19 2020"), url=ARTICLE_URL)
    assert article.published == date(2019, 2, 8)
    assert ("published", "2019-02-08", "text") in {(c.field, c.value, c.origin) for c in article.candidates}


def test_comment_rules_after_the_body_are_left_out():
    footer = "<p>الآراء الواردة أدناه لا تعبر عن رأي الموقع، بل تعكس وجهات نظر أصحابها فقط.</p>"
    html = page(f"<title>{HEADLINE}</title>").replace("</article>", footer + "</article>")
    assert extract_html(html).paragraphs == [BODY, MORE, BODY]


def test_every_field_has_its_candidates():
    head = (
        f'<meta property="og:title" content="{HEADLINE} - صوت العاصمة">'
        '<meta property="og:site_name" content="صوت العاصمة">'
        '<meta property="article:published_time" content="2021-05-03T10:20:00+03:00">'
    )
    article = extract_html(page(head), url=ARTICLE_URL)
    fields = {c.field for c in article.candidates}
    assert fields == {"title", "source", "published"}
    assert {c.origin for c in article.candidates} <= {"url", "html", "text"}
    assert ("title", HEADLINE, "html") in {(c.field, c.value, c.origin) for c in article.candidates}


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300), st.text(max_size=80))
def test_any_markup_is_read_or_refused_never_crashes(noise, url):
    html = page(f"<title>{noise}</title><a href='https://x/share?u={noise}'>s</a>", footer=noise)
    try:
        article = extract_html(html, url=url, captured=datetime(2021, 1, 1, tzinfo=UTC))
    except NotAnArticle as error:
        assert str(error)
    else:
        assert article.paragraphs
        assert article.published is None or local_day(article.published) <= date(2021, 1, 1)
