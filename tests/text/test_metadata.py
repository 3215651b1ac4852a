"""Bylines, wire credits, sections and outlet names read from the short lines around a body."""

import pytest

from archive.text.metadata import (
    agency_name,
    credit_line,
    find_agency,
    fold,
    name_key,
    parse_byline,
    parse_lead_dateline,
    pick_source,
    section_from_line,
    source_candidates,
)


@pytest.mark.parametrize(
    ("line", "sources", "expected"),
    [
        ("دمشق ـ نور خوّام", (), ("دمشق", "نور خوّام")),
        ("بيروت - صوت الإمارات", ("صوت الإمارات",), ("بيروت", "")),
        ("عمان - المغرب اليوم", (), ("عمان", "")),
        ("حسام أبو العلا - القاهرة", (), ("القاهرة", "حسام أبو العلا")),
        ("القاهرة - أ ش أ", (), ("القاهرة", "")),
        ("(أبوظبي - البيان)", (), ("أبوظبي", "")),
        ("كتبت أسماء نصار", (), ("", "أسماء نصار")),
        ("حوار: آسيا العتروس", (), ("", "آسيا العتروس")),
        ("عين اليوم – متابعات", (), ("", "")),
    ],
)
def test_bylines(line, sources, expected):
    assert parse_byline(line, sources) == expected


@pytest.mark.parametrize(
    "line",
    [
        "سوريا - لبنان - فلسطين",
        "المغرب اليوم - تسريحات شعر ناعمة للنجمات في رمضان",
        "عربي - أخبار وآراء وراديو Sputnik",
        "وقال المتحدث إن المحادثات مستمرة.",
        "GMT 04:00 2026 الأربعاء ,21 كانون الثاني / يناير",
        "واشنطن وموسكو تستأنفان محادثاتهما",
        "",
    ],
)
def test_not_bylines(line):
    assert parse_byline(line) is None


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("دمشق، سوريا (CNN) -- أكدت جهات سورية معارضة أن فصائل مسلحة", ("دمشق", "CNN")),
        ("الرياض: أعلنت وزارة الصحة اليوم تسجيل إصابات جديدة.", ("الرياض", "")),
        ("قالت وزارة الدفاع الأمريكية (البنتاغون) إن مسؤولين عسكريين", None),
        ("المدينة نيوز :- بلغت حصيلة الوفيات الناجمة عن الفيروس", None),
    ],
)
def test_lead_datelines(paragraph, expected):
    assert parse_lead_dateline(paragraph) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("نقلًا عن وام ", "وام"),
        ("نقلا عن صحيفة الحياة", "صحيفة الحياة"),
        ("--(بترا)", "بترا"),
        ("المصدر: واس", "واس"),
        ("(رويترز)", "رويترز"),
        ("وقال الوزير نقلا عن مصادر مطلعة إن الاتفاق قريب جدا من التوقيع الآن", None),
        ("سيريانيوز", None),
    ],
)
def test_credit_lines(line, expected):
    assert credit_line(line) == expected


def test_agency_table_canonical_names():
    assert agency_name("أ ف ب") == agency_name("AFP") == agency_name("فرانس برس") == "فرانس برس"
    assert agency_name("أ.ب") == "أسوشيتد برس"
    assert agency_name("الاناضول") == "الأناضول"
    assert agency_name("صوت الإمارات") == ""


def test_agency_is_a_credit_not_a_mention():
    mention = 'وقال مدير المرصد لوكالة فرانس برس إن "الاشتباكات عنيفة".'
    assert find_agency([], mention, mention) == ""
    assert find_agency(["وام"], mention, mention) == "وام"
    assert find_agency([], mention, "وأضاف أن المحادثات ستستأنف الأسبوع المقبل. (رويترز)") == "رويترز"
    assert find_agency([], "واشنطن (أ ف ب) - قال مسؤولون إن", mention) == "فرانس برس"
    assert find_agency([], mention, "وذكرت وكالة الأنباء السعودية (واس)") == ""


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("الاخبار السياسية", "الاخبار السياسية"),
        ("الرئيسية > سياسة > عربي", "عربي"),
        ("الرئيسية تقارير مصرية", "تقارير مصرية"),
        ("الشرق الأوسطعاجل", "الشرق الأوسط"),
        ("سوريا - لبنان - فلسطين", "سوريا - لبنان - فلسطين"),
    ],
)
def test_sections(line, expected):
    assert section_from_line(line) == expected


def test_fold_and_keys_ignore_spelling_variants():
    assert name_key("المركز الديمقراطى العربى") == name_key("المركز الديمقراطي العربي")
    assert name_key('لـ"داعش" في سورية') == name_key("لداعش في سوريه")
    assert fold("إبريل أكتوبر آذار") == "ابريل اكتوبر اذار"


def test_source_cues():
    lines = [
        "عنوان الخبر الرئيسي هنا - صحيفة المساء",
        "المغرب اليوم -",
        "فقرة الخبر الأولى وهي طويلة.",
        "اشترك في قناة وكالة انباء براثا على التلجرام",
        "https://telegram.me/buratha",
        "جميع الحقوق محفوظة لمجموعة العرب اليوم الاعلامية 2025 ©",
    ]
    found = source_candidates(lines, (2, 2), "عنوان الخبر الرئيسي هنا")
    names = {shown for shown, _ in found.values()}
    assert {
        "صحيفة المساء",
        "المغرب اليوم",
        "وكالة انباء براثا",
        "buratha",
        "مجموعة العرب اليوم الاعلامية",
    } <= names
    assert found[name_key("وكالة انباء براثا")][1] > found[name_key("buratha")][1]


def test_known_sources_are_preferred_and_spelled_as_known():
    candidates = {
        name_key("المركز الديمقراطى العربى"): ("المركز الديمقراطى العربى", 2.0),
        "x": ("موقع آخر", 3.0),
    }
    assert pick_source(candidates) == "موقع آخر"
    assert pick_source(candidates, ["المركز الديمقراطي العربي"]) == "المركز الديمقراطي العربي"
    assert pick_source({}, ["emiratesvoice"], ["emiratesvoice", "عنوان"]) == "emiratesvoice"
    assert pick_source({}, ["رويترز"], ["عنوان آخر"]) == ""
