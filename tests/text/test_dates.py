"""Arabic date parsing, and the rule that only a stamp by the headline or body dates an article."""

import time
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.text.dates import (
    find_article_date,
    is_date_stamp,
    not_after,
    parse_arabic_date,
    relative_date,
    url_date,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14 أكتوبر 2015", date(2015, 10, 14)),
        ("14 تشرين الأول 2015", date(2015, 10, 14)),
        ("الأربعاء 14 أكتوبر/تشرين الأول 2015", date(2015, 10, 14)),
        ("21 كانون الثاني / يناير 2026", date(2026, 1, 21)),
        ("23 إبريل / نيسان 2019", date(2019, 4, 23)),
        ("17 مارس/ آذار 2020", date(2020, 3, 17)),
        ("30 تشرين الثاني / نوفمبر2020", date(2020, 11, 30)),
        ("5 آب 2013", date(2013, 8, 5)),
        ("1 أيار 2021", date(2021, 5, 1)),
        ("10 حزيران 2014", date(2014, 6, 10)),
        ("الجمعة 8 فيفري 2019", date(2019, 2, 8)),
        ("3 جويلية 2018", date(2018, 7, 3)),
        ("12 يونيه 2017", date(2017, 6, 12)),
        ("التاريخ: 03 يونيو 2020", date(2020, 6, 3)),
        ("November 9, 2020", date(2020, 11, 9)),
        ("ديسمبر 25, 2020", date(2020, 12, 25)),
        ("2015-10-15", date(2015, 10, 15)),
        ("2020/12/25", date(2020, 12, 25)),
        ("15/10/2015", date(2015, 10, 15)),
        ("17.03.2020", date(2020, 3, 17)),
    ],
)
def test_day_precision(text, expected):
    assert parse_arabic_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("١٥ أكتوبر ٢٠١٥", date(2015, 10, 15)),
        ("۱۵/۱۰/۲۰۱۵", date(2015, 10, 15)),
        ("الثلاثاء ١ / ١٢ / ٢٠٢٠", date(2020, 12, 1)),
        ("٠٢:٠٠ الثلاثاء ١ / ١٢ / ٢٠٢٠", datetime(2020, 12, 1, 2, 0)),
    ],
)
def test_eastern_arabic_digits(text, expected):
    assert parse_arabic_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1548 07:08:59 2015-10-15", datetime(2015, 10, 15, 7, 8, 59)),
        ("GMT 04:00 2026 الأربعاء ,21 كانون الثاني / يناير", datetime(2026, 1, 21, 4, 0)),
        ("الإثنين، 24 أغسطس 2020 09:23 ص", datetime(2020, 8, 24, 9, 23)),
        ("تم نشره الجمعة 24 نيسان / أبريل 2020 09:22 مساءً", datetime(2020, 4, 24, 21, 22)),
        ("2020/12/25 - 1:59 صباحًا", datetime(2020, 12, 25, 1, 59)),
        ("GMT 17:27 17.03.2020(محدثة GMT 17:49 17.03.2020)", datetime(2020, 3, 17, 17, 27)),
        ("الأربعاء، 28 آب/اغسطس 2013، آخر تحديث 14:00 (GMT+0400)", date(2013, 8, 28)),
    ],
)
def test_time_next_to_the_date_but_not_an_update_time(text, expected):
    assert parse_arabic_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "آخر تحديث 20:01:41 بتوقيت أبوظبي",
        "آخر تحديث GMT 20:11:05",
        "11 شوال 1441هـ",
        "32/13/2015",
        "30 فبراير 2020",
        "وتشن روسيا منذ 30 ايلول ضربات جوية",
        "أب وابنه في 12 صورة",
        "",
    ],
)
def test_no_date(text):
    assert parse_arabic_date(text) is None


def test_stamps_are_lines_with_little_but_a_date():
    assert is_date_stamp("GMT 04:00 2026 الأربعاء ,21 كانون الثاني / يناير")
    assert is_date_stamp("نشر في الأحد 11 مارس 2018 - 10:30")
    assert not is_date_stamp("حظك اليوم برج الدلو الأثنين 30 تشرين الثاني / نوفمبر2020")
    assert not is_date_stamp("آخر تحديث 20:01:41 بتوقيت أبوظبي")


PAGE = [
    "التاريخ: 20 يناير 2026",  # the header's today, above the headline
    "عنوان الخبر",
    "15 أكتوبر 2015",
    "فقرة أولى من الخبر تذكر أن الاجتماع عقد في 14 أكتوبر 2014 في موسكو.",
    "فقرة ثانية.",
    "أخبار ذات صلة",
    "GMT 04:00 2026 الأربعاء ,21 كانون الثاني / يناير",
    "عنوان خبر آخر",
]


def test_stamp_between_headline_and_body():
    assert find_article_date(PAGE, (3, 4), title_index=1, today=date(2026, 11, 1)) == (
        date(2015, 10, 15),
        "text",
    )


def test_related_list_dates_and_header_dates_are_never_taken():
    page = [line for line in PAGE if line != "15 أكتوبر 2015"]
    assert find_article_date(page, (2, 3), title_index=1, today=date(2026, 11, 1)) == (None, "")


def test_dates_inside_prose_are_events_not_publication():
    page = ["عنوان الخبر", "فقرة أولى تذكر أن الاجتماع عقد في 14 أكتوبر 2014 في موسكو وامتد لساعات.", "فقرة."]
    assert find_article_date(page, (2, 2), title_index=0) == (None, "")


def test_update_stamp_is_not_a_date():
    page = ["عنوان الخبر", "آخر تحديث 20:01:41 بتوقيت أبوظبي", "بيروت - صوت الإمارات", "فقرة الخبر."]
    assert find_article_date(page, (3, 3), title_index=0) == (None, "")


def test_byline_stamp_under_the_body():
    page = ["عنوان", "فقرة الخبر الأولى.", "فقرة ثانية.", "2020-11-09", "Ziad Sankary", "أخبار ٢٤ ساعة"]
    assert find_article_date(page, (1, 2), title_index=0) == (date(2020, 11, 9), "text")


def test_list_of_stamps_under_the_body_is_not_a_byline():
    page = ["عنوان", "فقرة.", "GMT 04:00 2026 الأربعاء ,21 كانون الثاني / يناير", "خبر آخر"]
    page += ["GMT 00:41 2026 الإثنين ,19 كانون الثاني / يناير", "خبر ثالث"]
    assert find_article_date(page, (1, 1), title_index=0) == (None, "")


def test_future_dates_are_rejected():
    page = ["عنوان", "15 أكتوبر 2031", "فقرة."]
    assert find_article_date(page, (2, 2), title_index=0, today=date(2026, 1, 1)) == (None, "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("الأحد 3 جانفي 2021", date(2021, 1, 3)),
        ("14 فيفري 2019", date(2019, 2, 14)),
        ("2 أفريل 2020", date(2020, 4, 2)),
        ("9 ماي 2020", date(2020, 5, 9)),
        ("21 جوان 2020", date(2020, 6, 21)),
        ("15 جويلية 2020", date(2020, 7, 15)),
        ("4 أوت 2020", date(2020, 8, 4)),
        ("7 كانون الثاني 2020", date(2020, 1, 7)),
        ("12 تشرين الأول 2020", date(2020, 10, 12)),
        ("3 شتنبر 2020", date(2020, 9, 3)),
    ],
)
def test_month_names_of_all_three_systems(text, expected):
    assert parse_arabic_date(text) == expected


def test_a_day_written_before_an_update_cue_with_only_a_time_after_it_is_the_update():
    page = ["عنوان الخبر", "الأربعاء، 28 آب/اغسطس 2013، آخر تحديث 14:00 (GMT+0400)", "فقرة الخبر."]
    assert find_article_date(page, (2, 2), title_index=0) == (None, "")
    both = ["عنوان الخبر", "نشر في 3 آب 2013 - آخر تحديث 5 آب 2013", "فقرة الخبر."]
    assert find_article_date(both, (2, 2), title_index=0) == (date(2013, 8, 3), "text")


def test_a_copyright_line_never_dates_the_article():
    page = ["عنوان الخبر", "© 2020 جميع الحقوق محفوظة 12/05/2020", "فقرة الخبر."]
    assert find_article_date(page, (2, 2), title_index=0) == (None, "")


CAPTURED = datetime(2020, 5, 3, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("أمس", date(2020, 5, 2)),
        ("منذ 3 ساعات", date(2020, 5, 3)),
        ("منذ 12 ساعات", date(2020, 5, 2)),
        ("نشر منذ يومين", date(2020, 5, 1)),
        ("منذ 4 أيام", date(2020, 4, 29)),
        ("زار الرئيس دمشق أمس", None),
        ("اليوم", None),
    ],
)
def test_relative_stamps_count_back_from_the_capture(stamp, expected):
    assert relative_date(stamp, CAPTURED) == expected
    assert relative_date(stamp, None) is None


def test_a_relative_stamp_dates_an_article_only_when_the_capture_is_known():
    page = ["عنوان الخبر", "منذ 3 ساعات", "فقرة الخبر."]
    assert find_article_date(page, (2, 2), title_index=0) == (None, "")
    assert find_article_date(page, (2, 2), title_index=0, captured=CAPTURED) == (date(2020, 5, 3), "text")


def test_no_date_after_the_capture():
    page = ["عنوان", "15 مايو 2020", "فقرة."]
    assert find_article_date(page, (2, 2), title_index=0, captured=CAPTURED) == (None, "")
    assert find_article_date(page, (2, 2), title_index=0) == (date(2020, 5, 15), "text")
    assert not_after(date(2020, 5, 3), CAPTURED) == date(2020, 5, 3)
    assert not_after(datetime(2020, 5, 4, 1, tzinfo=UTC), CAPTURED) is None
    assert not_after(date(2020, 5, 4), None) == date(2020, 5, 4)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://arabic.cnn.com/2013/middle_east/8/3/syria.clashes/index.html", date(2013, 8, 3)),
        ("https://www.example.com/story/2020/8/24/title/4943459", date(2020, 8, 24)),
        ("https://www.example.ae/news/2020-06-03-1.3874341", date(2020, 6, 3)),
        ("https://example.com/arab_world/202003171044893040-title/", date(2020, 3, 17)),
        ("https://example.com/2020/11/2338761/", None),  # month and an id: no day
        ("https://blog.example.de/2023/10/3-fragen-an/", None),  # "3 questions", not the 3rd
        ("https://example.com/news?date=2020-01-01", None),  # the query is not the page's address
        ("https://web.archive.org/web/20110106023242/http://site.de/2008/05/26/x.html", date(2008, 5, 26)),
        ("https://web.archive.org/web/20130307194448/site.net/2008/05/x.html", None),
        ("not a url", None),
        ("http://[::1/", None),
    ],
)
def test_the_day_a_url_gives(url, expected):
    assert url_date(url) == expected


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_url_date_never_raises(text):
    found = url_date("https://example.com/" + text)
    assert found is None or isinstance(found, date)


# Hostile inputs: every pattern runs in linear time. Each input below took minutes before the patterns were
# rewritten (the time glue was cubic, the day/month/year separators quadratic); a generous bound proves it.
HOSTILE_DATE_TEXTS = {
    "spaces between a time and a date": "10:30" + " " * 100_000 + "x 2015-10-15",
    "glue marks between a time and a date": "10:30 " + "- ," * 50_000 + "x 2015-10-15",
    "spaces after a day": "14" + " " * 100_000 + "x",
    "spaces after a month": "14 أكتوبر" + " " * 100_000 + "x",
    "spaces after a weekday": "2015 الأربعاء" + " " * 100_000 + "x",
    "many times before a date": "10:30 " * 30_000 + "2015-10-15",
    "digits": "1" * 200_000,
    "digit groups and separators": "12/" * 60_000,
    "month names without a year": "أكتوبر 14 " * 20_000,
    "updated notes": "آخر تحديث 10:30 " * 10_000 + "15/10/2015",
}


@pytest.mark.parametrize("text", HOSTILE_DATE_TEXTS.values(), ids=HOSTILE_DATE_TEXTS.keys())
def test_hostile_text_is_parsed_in_linear_time(text):
    started = time.perf_counter()
    parse_arabic_date(text)
    is_date_stamp(text)
    find_article_date([text, text, "نص"], (2, 2), 0)
    assert time.perf_counter() - started < 5


DATE_LETTERS = "0123456789٠١:/-., \t\nصمampgtuاكتوبرالأربعاءكانونالثاني"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(DATE_LETTERS), max_size=80))
def test_the_date_functions_never_raise(text):
    found = parse_arabic_date(text)
    assert found is None or isinstance(found, date)
    assert isinstance(is_date_stamp(text), bool)
    lines = text.split("\n")
    value, origin = find_article_date(lines, (len(lines) - 1, len(lines) - 1), 0)
    assert origin in ("", "text") and (value is None) == (origin == "")


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_the_date_functions_never_raise_on_any_text(text):
    parse_arabic_date(text)
    is_date_stamp(text)
