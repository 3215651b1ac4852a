"""The journalists' pages: search state in the URL, escaping, originals, sources, dates, language, weight."""

import hashlib
import re
from datetime import date
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from archive.models import Annotation, Article, Source
from archive.search.service import Hit
from archive.web.views import hit_rows

from .conftest import date_seeds, make_article
from .test_api import MALFORMED_QUERIES

XSS = "<script>alert(1)</script>"
PAGE_WEIGHT_LIMIT = 150 * 1024


def html(response) -> str:
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


def test_search_page_is_arabic_and_right_to_left(client, seed_archive):
    page = html(client.get("/"))
    assert '<html lang="ar" dir="rtl">' in page
    assert "أرشيف تغطية النزاعات" in page
    for landmark in ("<header", "<nav", "<main", "<aside", "<footer", 'class="skip-link"'):
        assert landmark in page
    assert 'name="viewport"' in page
    assert "//cdn" not in page and "https://fonts" not in page


def test_every_input_has_a_label(client, seed_archive):
    page = html(client.get("/", {"q": "سوريا"}))
    ids = re.findall(r'<(?:input|select)(?![^>]*type="(?:hidden|submit)")[^>]*\bid="([^"]+)"', page)
    assert ids and all(f'for="{i}"' in page for i in ids)


def test_results_link_to_articles_with_marks_sources_and_facets(client, seed_archive):
    page = html(client.get("/", {"q": "سوريا"}))
    assert "النتائج: 5" in page
    for article in Article.objects.all():
        assert reverse("article_detail", args=[article.pk]) in page
    assert "<mark>" in page
    assert 'data-facet="source" data-value="buratha"' in page
    assert "?q=%D8%B3%D9%88%D8%B1%D9%8A%D8%A7&amp;source=buratha" in page
    assert reverse("export_csv") + "?q=" in page and reverse("search_feed") + "?q=" in page
    assert reverse("chart_svg") + "?q=" in page
    # On a phone the chart scrolls sideways, so its frame can be reached and scrolled by keyboard.
    assert '<div class="chart-frame" tabindex="0" role="region" aria-label="الرسم البياني"><img' in page


def test_source_facet_narrows_and_stays_multi_select(client, seed_archive):
    page = html(client.get("/", {"q": "سوريا", "source": "buratha"}))
    assert "النتائج: 1" in page
    assert 'class="facet-link on" aria-current="true" data-facet="source" data-value="buratha"' in page
    # The other outlets remain, as links that add them to the chosen one.
    assert "source=buratha&amp;source=syria-news" in page
    assert '<input type="hidden" name="source" value="buratha">' in page


def test_histogram_bars_narrow_to_their_month(client, seed_archive):
    date_seeds(date(2015, 8, 3), date(2015, 10, 15))
    page = html(client.get("/"))
    # The empty month keeps its place, so the axis is true to time, but has nothing to click.
    assert '<span class="month-num" aria-hidden="true">09</span>' in page
    assert 'data-period="2015-09"' not in page
    assert "date_from=2015-08-01&amp;date_to=2015-08-31" in page
    assert "date_from=2015-10-01&amp;date_to=2015-10-31" in page
    assert 'aria-label="أغسطس 2015: 1"' in page  # bars are named by month, not by ISO code
    narrowed = html(client.get("/", {"date_from": "2015-08-01", "date_to": "2015-08-31"}))
    assert "النتائج: 1" in narrowed


def test_copies_in_other_outlets_are_counted(client, source):
    from archive.models import StoryGroup

    group = StoryGroup.objects.create()
    make_article(source, "برقية منقولة", "نص البرقية عن الهدنة", story_group=group)
    other = Source.objects.create(name="منفذ آخر", slug="other")
    make_article(other, "برقية منقولة", "نص البرقية عن الهدنة كما نشرها", story_group=group)
    page = html(client.get("/", {"q": "الهدنة"}))
    assert "نُشر أيضًا في منافذ أخرى: 1" in page


def test_spelling_suggestion_is_a_link(client, seed_archive):
    page = html(client.get("/", {"q": "لافرورف", "source": "buratha"}))
    assert "لا نتائج" in page
    suggestion = '<a href="?q=%D9%84%D8%A7%D9%81%D8%B1%D9%88%D9%81&amp;source=buratha" dir="auto">لافروف</a>'
    assert f"هل تقصد: {suggestion}" in page


@pytest.mark.parametrize("q", MALFORMED_QUERIES)
def test_malformed_queries_show_a_page(client, seed_archive, q):
    response = client.get("/", {"q": q})
    assert response.status_code == 200
    assert "Traceback" not in response.content.decode()


def test_repairs_are_explained_in_arabic(client, seed_archive):
    page = html(client.get("/", {"q": '"جبهة النصرة'}))
    assert "أُهملت علامة تنصيص غير مغلقة." in page


@pytest.mark.parametrize(
    "params", [{"date_from": "2015-02-30"}, {"sort": "x"}, {"page": "abc"}, {"source": "nope"}]
)
def test_bad_parameters_show_the_form_errors(client, seed_archive, params):
    response = client.get("/", params)
    assert response.status_code == 400
    assert 'role="alert"' in html(response)


def test_user_input_is_escaped_everywhere(client, source):
    article = make_article(
        source,
        f"عنوان {XSS}",
        f"فقرة أولى {XSS}\nفقرة ثانية عن حماة",
        date(2016, 3, 1),
        dateline=XSS,
        author=XSS,
        agency=XSS,
        section=XSS,
        url="https://test.example/a?b=<x>",
    )
    Annotation.objects.create(
        article=article, text=f"ملاحظة {XSS}", quote=XSS, status="false", is_public=True
    )
    pages = [
        client.get(reverse("article_detail", args=[article.pk])),
        client.get("/", {"q": "حماة"}),
        client.get("/", {"q": XSS}),
        client.get("/", {"q": "حماة", "tags": XSS}),
        client.get(reverse("source_detail", args=[source.slug])),
        client.get(reverse("date_day", args=["2016", "03", "01"])),
    ]
    for response in pages:
        page = html(response)
        assert "<script>alert" not in page
    article_page = html(pages[0])
    assert article_page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 6
    assert "&lt;script&gt;" in html(pages[1])


def test_article_page(client, seed_archive):
    article = Article.objects.get(source__slug="buratha")
    Annotation.objects.create(
        article=article, kind="correction", status="disputed", text="الرقم موضع خلاف", is_public=True
    )
    Annotation.objects.create(article=article, text="ملاحظة داخلية", is_public=False)
    page = html(client.get(reverse("article_detail", args=[article.pk])))
    assert escape(article.title) in page
    assert page.count("<p>") >= len(article.paragraphs)
    assert "الرقم موضع خلاف" in page and 'class="badge status-disputed"' in page
    assert "ملاحظة داخلية" not in page
    assert article.original_sha256 in page
    assert reverse("article_original", args=[article.pk]) in page
    assert f"http://testserver{reverse('article_detail', args=[article.pk])}" in page  # cite this
    assert "تاريخ الاطلاع" in page
    # The outlet and the title are isolated, so that a date or a Latin title next to them stays in order.
    assert f"<bdi>{escape(article.source.name)}</bdi>، «<bdi>{escape(article.title)}</bdi>»" in page
    assert article.source.name in page


def test_original_is_plain_text_never_html(client, source):
    article = make_article(source, "عنوان", "نص")
    article.original = b"<html><script>alert(1)</script>\xd8\xb3\xd9\x88\xd8\xb1\xd9\x8a\xd8\xa7</html>"
    article.original_content_type = "text/html"
    article.save()
    view = client.get(reverse("article_original", args=[article.pk]))
    assert view.status_code == 200
    assert view["Content-Type"] == "text/plain; charset=utf-8"
    assert view["X-Content-Type-Options"] == "nosniff"
    assert view["Content-Disposition"].startswith("inline")
    assert view.content.decode() == "<html><script>alert(1)</script>سوريا</html>"
    download = client.get(reverse("article_original_download", args=[article.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Type"] == "application/octet-stream"
    assert download.content == bytes(article.original)


def test_original_download_matches_its_sha256(client, seed_archive):
    article = Article.objects.first()
    data = client.get(reverse("article_original_download", args=[article.pk])).content
    assert hashlib.sha256(data).hexdigest() == article.original_sha256


def test_sources_list_and_page(client, seed_archive):
    date_seeds(date(2015, 8, 3), date(2015, 10, 15), date(2015, 9, 24), date(2015, 10, 16))
    page = html(client.get(reverse("source_list")))
    for source in Source.objects.all():
        assert source.name in page and reverse("source_detail", args=[source.slug]) in page
    source = Source.objects.get(slug="buratha")
    detail = html(client.get(reverse("source_detail", args=[source.slug])))
    assert source.notes in detail
    assert reverse("chart_svg") + "?source=buratha" in detail
    assert 'class="chart-frame" tabindex="0" role="region"' in detail
    assert "<dd>16 أكتوبر 2015</dd>" in detail  # one day of coverage is one date, not a range
    for article in source.articles.all():
        assert escape(article.title) in detail
    assert client.get(reverse("source_detail", args=["no-such"])).status_code == 404


def test_browsing_by_date(client, seed_archive):
    date_seeds(date(2015, 8, 3), date(2015, 10, 15), date(2015, 10, 15))
    index = html(client.get(reverse("date_index")))
    assert reverse("date_year", args=["2015"]) in index and reverse("date_unknown") in index
    year = html(client.get(reverse("date_year", args=["2015"])))
    assert (
        reverse("date_month", args=["2015", "10"]) in year
        and reverse("date_month", args=["2015", "08"]) in year
    )
    month = html(client.get(reverse("date_month", args=["2015", "10"])))
    assert (
        reverse("date_day", args=["2015", "10", "15"]) in month
        and "المقالات المنشورة في هذا الشهر: 2" in month
    )
    day = html(client.get(reverse("date_day", args=["2015", "10", "15"])))
    for article in Article.objects.filter(published_on=date(2015, 10, 15)):
        assert escape(article.title) in day
    assert "المقالات المنشورة في هذا اليوم: 2" in day
    empty = client.get(reverse("date_day", args=["2014", "01", "01"]))
    assert empty.status_code == 200
    undated = html(client.get(reverse("date_unknown")))
    for article in Article.objects.filter(published_on__isnull=True):
        assert escape(article.title) in undated
    assert client.get("/dates/2015/13/").status_code == 404


def test_english_through_the_language_switch(client, seed_archive):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/?q=سوريا"})
    assert response.status_code == 302
    page = html(client.get("/", {"q": "سوريا"}))
    assert '<html lang="en" dir="ltr">' in page
    assert "Conflict Coverage Archive" in page and "Results: 5" in page
    assert 'value="ar"' in page  # the way back to Arabic


def test_unknown_page_is_404_in_the_site_layout(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "الصفحة غير موجودة" in html(response) and 'dir="rtl"' in html(response)


def test_search_page_weight(client, seed_archive):
    """HTML, CSS, JavaScript and the chart of a results page stay under 150 KB."""
    page = client.get("/", {"q": "سوريا"})
    total = len(page.content)
    for url in re.findall(r'(?:href|src)="(/static/[^"]+)"', page.content.decode()):
        if url.endswith((".css", ".js", ".svg")):
            total += len(open(finders.find(url.removeprefix("/static/")), "rb").read())
    chart = re.search(r'<img src="(/chart\.svg\?[^"]+)"', page.content.decode()).group(1)
    total += len(client.get(chart.replace("&amp;", "&")).content)
    assert total < PAGE_WEIGHT_LIMIT, total


def test_arabic_first_middleware_ignores_the_browser_language(client, db, settings):
    settings.MIDDLEWARE = [
        "archive.web.middleware.ArabicFirstLocaleMiddleware" if name.endswith("LocaleMiddleware") else name
        for name in settings.MIDDLEWARE
    ]
    assert '<html lang="ar" dir="rtl">' in html(client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert '<html lang="en" dir="ltr">' in html(client.get("/", HTTP_ACCEPT_LANGUAGE="ar"))


@pytest.mark.parametrize(
    ("url", "previous", "following"),
    [
        ("/dates/0001/", None, "/dates/0002/"),
        ("/dates/0001/01/", None, "/dates/0001/02/"),
        ("/dates/0001/01/01/", None, "/dates/0001/01/02/"),
        ("/dates/9999/", "/dates/9998/", None),
        ("/dates/9999/12/", "/dates/9999/11/", None),
        ("/dates/9999/12/31/", "/dates/9999/12/30/", None),
        ("/dates/2016/02/29/", "/dates/2016/02/28/", "/dates/2016/03/01/"),
        ("/dates/2015/01/", "/dates/2014/12/", "/dates/2015/02/"),
    ],
)
def test_the_calendars_edges_are_pages_without_links_past_them(client, source, url, previous, following):
    make_article(source, "أول يوم", "نص", date(1, 1, 1))
    make_article(source, "آخر يوم", "نص", date(9999, 12, 31))
    page = html(client.get(url))
    links = dict((rel, href) for href, rel in re.findall(r'<a href="([^"]+)" rel="(prev|next)"', page))
    assert links.get("prev") == previous and links.get("next") == following


@pytest.mark.parametrize(
    "url",
    [
        "/dates/0000/",
        "/dates/0000/01/01/",
        "/dates/2015/00/",
        "/dates/2015/13/",
        "/dates/2015/01/00/",
        "/dates/2015/01/32/",
        "/dates/2015/02/29/",
        "/dates/2015/04/31/",
    ],
)
def test_dates_the_calendar_lacks_are_404(client, db, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://test.example/a?b=1#c", True),
        ("HTTP://TEST.EXAMPLE/A", True),
        ("https://موقع.example/خبر", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("javascript://test.example/%0aalert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:msgbox(1)", False),
        ("/relative/path", False),
        ("//test.example/protocol-relative", False),
        ("http:/one-slash", False),
        ("http://", False),
        ("https:///no-host", False),
        ("https://test.example/a b", False),
        # PostgreSQL cannot store a NUL (ingestion rejects such a record there, with its reason).
        pytest.param("https://test.example/\x00", False, marks=pytest.mark.sqlite),
    ],
)
def test_only_http_and_https_urls_become_links(client, source, url, linked):
    article = make_article(source, "عنوان", "نص", url=url)
    assert Article(url=url).link_url == (url if linked else "")
    page = html(client.get(reverse("article_detail", args=[article.pk])))
    assert ('rel="noopener noreferrer nofollow"' in page) is linked
    assert escape(url) in page  # shown either way, as text when it may not be a link
    assert not re.search(r"""href=["']?\s*(?:java|vb)script:|href=["']?data:""", page, re.IGNORECASE)


TEMPLATES = sorted(Path(__file__).resolve().parents[2].joinpath("templates").rglob("*.html"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_templates_need_nothing_the_content_security_policy_forbids(template):
    """No inline script or style, no event handler attributes, no javascript: URLs (see site.js)."""
    text = template.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)", text)
    assert not re.search(r"<style\b|\sstyle=", text)
    assert not re.search(r"\son[a-z]+=", text)
    assert "javascript:" not in text.lower()


def test_every_bar_length_has_its_class():
    css = open(finders.find("archive/site.css")).read()
    for n in range(101):
        assert f".pct-{n} {{ --pct: {n}%; }}" in css


def test_pages_render_without_inline_styles_or_scripts(client, seed_archive):
    date_seeds(date(2015, 8, 3), date(2015, 9, 10), date(2015, 9, 24), date(2015, 10, 15))
    article = Article.objects.get(source__slug="buratha")
    urls = [
        "/",
        "/?q=سوريا",
        reverse("article_detail", args=[article.pk]),
        reverse("source_list"),
        reverse("source_detail", args=["buratha"]),
        reverse("date_index"),
        reverse("date_year", args=["2015"]),
        reverse("date_month", args=["2015", "09"]),
        reverse("date_day", args=["2015", "09", "10"]),
        reverse("date_unknown"),
        "/no/such/page/",
    ]
    for url in urls:
        page = client.get(url).content.decode()
        assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=|<script(?![^>]*\bsrc=)", page), url
    month = client.get(reverse("date_month", args=["2015", "09"])).content.decode()
    assert month.count('class="bar pct-100"') == 2  # one article on each of two days
    assert 'class="pct-100"' in client.get(reverse("date_index")).content.decode()


def test_the_page_says_what_a_latin_name_was_also_searched_as(client, seed_archive):
    response = client.get(reverse("search"), {"q": "Lavrov"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "بُحث أيضًا عن:" in page and "لافروف" in page
    assert "literal=1" in page
    literal = client.get(reverse("search"), {"q": "Lavrov", "literal": "1"}).content.decode()
    assert "بُحث أيضًا عن:" not in literal
    assert "ابحث أيضًا عن الإملاءات الأخرى وعن الأسماء اللاتينية بصيغها العربية" in literal


def test_the_page_says_how_the_query_was_understood_and_what_was_repaired(client, seed_archive):
    page = client.get(reverse("search"), {"q": "هجوم (قصف OR غارة"}).content.decode()
    assert "بُحث عن:" in page
    assert '<code dir="auto">هجوم AND (قصف OR غاره)</code>' in page
    assert "أُغلق قوس مفتوح في آخر الاستعلام." in page
    assert "بُحث عن:" not in client.get(reverse("search")).content.decode()


def test_the_exact_switch_is_on_the_page_and_kept_in_its_links(client, seed_archive):
    page = client.get(reverse("search"), {"q": "سوريا", "exact": "1"}).content.decode()
    assert 'name="exact" id="id_exact" value="1" checked' in page
    assert '<code dir="auto">&quot;سوريا&quot;</code>' in page
    assert "exact=1" in page.split('class="exports"', 1)[1].split("</p>", 1)[0]


def test_the_syntax_help_explains_the_operators_in_english_too(client, seed_archive):
    assert (
        "بين كلمتين أو عبارتين أو قوسين خارج علامات التنصيص" in client.get(reverse("search")).content.decode()
    )
    client.cookies["django_language"] = "en"
    page = client.get(reverse("search"), {"q": "(سوريا"}).content.decode()
    assert "works as OR only between two words" in page and "Searched for:" in page
    assert "A bracket left open was closed at the end of the query." in page


def test_hit_rows_link_and_date_as_the_template_tags_would(db, settings):
    settings.TIME_ZONE = "Asia/Damascus"
    hits = [
        Hit(
            id=pk,
            url="",
            title="",
            title_html="",
            snippet="",
            source_name=name,
            source_slug=slug,
            published=iso,
            score=0,
        )
        for pk, name, slug, iso in (
            (7, "الجزيرة", "aljazeera", "2015-08-03"),
            (1230, "", "", ""),
            (90, "براثا", "buratha", "2018-12-31T23:30:00+00:00"),
        )
    ]
    with translation.override("ar"):
        rows = hit_rows(hits)
        dates = [
            Template("{{ d|date:'j F Y' }}").render(Context({"d": row["published"]})) for row in rows[::2]
        ]
    assert [row["url"] for row in rows] == [reverse("article_detail", args=[hit.id]) for hit in hits]
    assert [row["source_url"] for row in rows] == [
        reverse("source_detail", args=["aljazeera"]),
        "",
        reverse("source_detail", args=["buratha"]),
    ]
    assert [rows[0]["day"], rows[2]["day"]] == dates
    assert dates[1] == "1 يناير 2019"  # the time is shown in the archive's time zone, a day later
    assert rows[1]["day"] == ""


def test_a_long_facet_folds_all_but_ten_values():
    entries = [
        {"value": f"s{n}", "label": f"مصدر {n}", "count": 20 - n, "selected": n == 12, "url": f"?source=s{n}"}
        for n in range(13)
    ]
    page = render_to_string("archive/_facet.html", {"entries": entries, "key": "source", "title": "المصدر"})
    shown, folded = page.split("<details>")
    assert shown.count("<li>") == 10 and folded.count("<li>") == 3
    assert page.count("<ul>") == page.count("</ul>") == 2 and "</details>" in folded
    assert 'aria-current="true" data-facet="source" data-value="s12"' in folded
    short = render_to_string(
        "archive/_facet.html", {"entries": entries[:4], "key": "tags", "title": "الوسوم"}
    )
    assert "<details>" not in short and short.count("<li>") == 4 and short.count("</ul>") == 1
