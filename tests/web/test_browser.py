"""The site in headless Chromium: right to left, facets and histogram, an editor's annotation, downloads.

Screenshots of the main pages, at desktop and phone widths, land in test-output/screenshots/.
"""

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from archive.models import Article

from .conftest import date_seeds

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (`make browser`) to run the browser tests"
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread, which Django takes for async code; the
    # ORM calls here are plain sync calls. Set for this module only, so that it never reaches the rest.
    with pytest.MonkeyPatch.context() as env, sync_playwright() as playwright:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def archive(transactional_db):
    """The seed archive with publication dates spread over three months, so the histogram has bars."""
    call_command("loadsamples", stdout=io.StringIO(), stderr=io.StringIO())
    return date_seeds(date(2015, 8, 3), date(2015, 9, 10), date(2015, 9, 24), date(2015, 10, 15))


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport=DESKTOP, locale="ar")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    # Let the server answer what the page still loads (lazy charts) before the test database goes away.
    page.wait_for_load_state("networkidle")
    context.close()


@pytest.fixture
def site(live_server) -> str:
    return live_server.url


def shoot(page, name: str):
    """A full-page screenshot, with lazy images (the charts) loaded first."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(img => { img.loading = 'eager'; })")
    page.wait_for_function("() => [...document.images].every(img => img.complete)")
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def query_of(page) -> dict:
    return parse_qs(urlsplit(page.url).query)


def result_sources(page) -> list[str]:
    return page.locator(".results .hit-meta .source").all_inner_texts()


def test_search_renders_right_to_left_and_a_source_facet_narrows(page, site, archive):
    page.goto(site + "/")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "ar"

    page.get_by_label("ابحث في الأرشيف").fill("سوريا")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?q="))
    assert query_of(page)["q"] == ["سوريا"]
    before = page.locator(".results .hit").count()
    assert before == 5
    page.set_viewport_size(DESKTOP)
    shoot(page, "search-results-1280")
    page.set_viewport_size(PHONE)
    shoot(page, "search-results-390")
    # On a phone the chart keeps a legible size and scrolls sideways inside its frame.
    assert page.locator(".chart img").bounding_box()["width"] >= 600
    assert page.evaluate("(f => f.scrollWidth > f.clientWidth)(document.querySelector('.chart-frame'))")
    page.set_viewport_size(DESKTOP)

    facet = page.locator('.facet-link[data-facet="source"][data-value="buratha"]')
    name = facet.locator(".label").inner_text().strip()
    facet.click()
    page.wait_for_url(re.compile(r"source=buratha"))
    assert query_of(page)["q"] == ["سوريا"] and query_of(page)["source"] == ["buratha"]
    sources = result_sources(page)
    assert 0 < len(sources) < before and set(sources) == {name}
    assert page.locator('.facet-link.on[data-value="buratha"]').count() == 1


def test_a_histogram_bar_narrows_the_dates(page, site, archive):
    page.goto(site + "/")
    bar = page.locator('.histogram a[data-period="2015-09"]')
    assert bar.count() == 1
    bar.click()
    page.wait_for_url(re.compile(r"date_from="))
    query = query_of(page)
    assert query["date_from"] == ["2015-09-01"] and query["date_to"] == ["2015-09-30"]
    dates = page.locator(".results time").evaluate_all("nodes => nodes.map(n => n.getAttribute('datetime'))")
    assert len(dates) == 2 and all(d.startswith("2015-09") for d in dates)
    assert page.locator("#id_date_from").input_value() == "2015-09-01"


def test_an_annotation_added_in_the_admin_shows_on_the_article_page(page, site, archive):
    User.objects.create_superuser("chief", "chief@example.org", "a-long-admin-password-7")
    article = Article.objects.get(source__slug="buratha")

    page.goto(site + "/admin/login/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", "a-long-admin-password-7")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))

    page.goto(site + f"/admin/archive/article/{article.pk}/change/")
    page.locator("#annotations-group .add-row a").click()
    page.select_option("#id_annotations-0-kind", "verification")
    page.select_option("#id_annotations-0-status", "verified")
    page.fill("#id_annotations-0-text", "تحقق فريقنا من التصريح عبر مصدرين مستقلين <b>مؤكد</b>")
    page.fill("#id_annotations-0-quote", "وزارة الدفاع الروسية")
    page.check("#id_annotations-0-is_public")
    page.click("input[name=_save]")
    page.wait_for_url(re.compile(r"/admin/archive/article/$"))

    page.goto(site + f"/articles/{article.pk}/")
    note = page.locator(".annotation")
    assert note.count() == 1
    assert "تحقق فريقنا من التصريح عبر مصدرين مستقلين <b>مؤكد</b>" in note.inner_text()
    assert note.locator(".badge.status-verified").inner_text().strip() == "موثَّق"
    shoot(page, "article-1280")
    page.set_viewport_size(PHONE)
    shoot(page, "article-390")


def test_source_and_month_pages(page, site, archive):
    page.goto(site + "/sources/buratha/")
    assert page.locator("h1").inner_text() == "وكالة انباء براثا"
    chart = page.locator(".chart img")
    chart.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, "source-1280")
    page.set_viewport_size(PHONE)
    shoot(page, "source-390")

    page.set_viewport_size(DESKTOP)
    page.goto(site + "/dates/2015/09/")
    assert page.locator(".results .hit").count() == 2
    page.locator(".histogram.days a").first.click()
    page.wait_for_url(re.compile(r"/dates/2015/09/10/$"))
    page.go_back()
    shoot(page, "month-1280")
    page.set_viewport_size(PHONE)
    shoot(page, "month-390")


def test_csv_and_atom_downloads_parse(page, site, archive):
    page.goto(site + "/?q=سوريا")
    csv_href = page.locator(".exports a", has_text="CSV").get_attribute("href")
    atom_href = page.locator(".exports a", has_text="Atom").get_attribute("href")

    response = page.request.get(site + csv_href)
    assert response.ok and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.body().decode("utf-8-sig"))))
    assert len(rows) == 5 and all(row["permalink"].startswith(site) for row in rows)

    response = page.request.get(site + atom_href)
    assert response.ok
    feed = ET.fromstring(response.body())
    assert len(feed.findall("{http://www.w3.org/2005/Atom}entry")) == 5


def test_english_switch_and_keyboard_skip_link(page, site, archive):
    page.goto(site + "/?q=سوريا")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.dir") == "ltr"
    assert page.locator(".results-count").inner_text().startswith("Results: 5")
    assert query_of(page)["q"] == ["سوريا"]


# The policy django-csp sends from the settings; added here to every page as well, so that the templates
# are held to it whatever the settings say.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
REPORT_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
});"""


def under_policy(route):
    response = route.fetch()
    headers = dict(response.headers)
    if headers.get("content-type", "").startswith("text/html"):
        headers["content-security-policy"] = POLICY
    route.fulfill(response=response, headers=headers)


def bar_lengths(page, selector: str, dimension: str) -> list[float]:
    return page.locator(selector).evaluate_all(
        f"bars => bars.map(b => b.getBoundingClientRect().{dimension})"
    )


def test_pages_keep_to_the_content_security_policy(page, site, archive):
    """Under the site's policy nothing is refused (no console error), and the bars keep their lengths."""
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.add_init_script(REPORT_VIOLATIONS)
    page.route(f"{site}/**", under_policy)
    article = Article.objects.get(source__slug="buratha")
    paths = {
        "search-policy": "/?q=سوريا",
        "article-policy": f"/articles/{article.pk}/",
        "sources-policy": "/sources/",
        "source-policy": "/sources/buratha/",
        "dates-policy": "/dates/",
        "year-policy": "/dates/2015/",
        "month-policy": "/dates/2015/09/",
        "day-policy": "/dates/2015/09/10/",
        "undated-policy": "/dates/unknown/",
    }
    for name, path in paths.items():
        page.goto(site + path)
        assert page.evaluate("document.styleSheets.length") >= 1, path
        shoot(page, name)
    page.goto(site + "/")
    bars = bar_lengths(page, ".histogram .bar", "height")
    # Two articles in September, one each in August and October: the tallest bar is twice the others.
    assert max(bars) == pytest.approx(2 * min(bars), rel=0.05) and max(bars) > 40
    page.goto(site + "/dates/2015/")
    meters = [width for width in bar_lengths(page, ".meter span", "width") if width]
    assert len(meters) == 3 and max(meters) == pytest.approx(2 * min(meters), rel=0.05)
    assert not problems, problems
