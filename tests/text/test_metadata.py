"""Bylines, wire credits, sections and outlet names read from the short lines around a body."""

import time

import pytest

from archive.text.metadata import (
    SiteName,
    agency_name,
    credit_line,
    find_agencies,
    fold,
    headline_parts,
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
    assert find_agencies([], mention, mention) == []
    assert find_agencies(["وام"], mention, mention)[:1] == ["وام"]
    assert find_agencies([], mention, "وأضاف أن المحادثات ستستأنف الأسبوع المقبل. (رويترز)")[:1] == ["رويترز"]
    assert find_agencies([], "واشنطن (أ ف ب) - قال مسؤولون إن", mention)[:1] == ["فرانس برس"]
    assert find_agencies([], mention, "وذكرت وكالة الأنباء السعودية (واس)") == []


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
    names = {site.shown for site in found.values()}
    assert {
        "صحيفة المساء",
        "المغرب اليوم",
        "وكالة انباء براثا",
        "buratha",
        "مجموعة العرب اليوم الاعلامية",
    } <= names
    assert found[name_key("وكالة انباء براثا")].weight > found[name_key("buratha")].weight
    assert found[name_key("المغرب اليوم")].cues == ["header"]
    assert found[name_key("المغرب اليوم")].evidence == "المغرب اليوم -"


def test_known_sources_are_preferred_and_spelled_as_known():
    candidates = {
        name_key("المركز الديمقراطى العربى"): SiteName("المركز الديمقراطى العربى", 2.0),
        "x": SiteName("موقع آخر", 3.0),
    }
    assert pick_source(candidates)[0] == "موقع آخر"
    assert pick_source(candidates, ["المركز الديمقراطي العربي"])[0] == "المركز الديمقراطي العربي"
    assert pick_source({}, ["emiratesvoice"], ["emiratesvoice", "عنوان"])[0] == "emiratesvoice"
    assert pick_source({}, ["رويترز"], ["عنوان آخر"]) == ("", None)


def test_an_outlet_of_the_table_wins_under_its_canonical_name():
    candidates = {"a": SiteName("Assabah News", 2.0, ["title"]), "b": SiteName("موقع آخر", 5.0, ["header"])}
    canonical = {"Assabah News": "الصباح"}.get
    assert pick_source(candidates, outlet_of=canonical)[0] == "الصباح"


def test_a_name_without_the_weight_of_one_strong_cue_is_no_source():
    assert pick_source({"a": SiteName("محمد علي", 1.0, ["closing"])}) == ("", None)


@pytest.mark.parametrize(
    "line",
    [
        "منوعات -",
        "تعليقات -",
        "مدير التحرير: سامي حداد -",
        "أسعار الذهب -",
        "وزير الخارجية -",
        "المؤسس -",
        "Sputnik_Ar -",
    ],
)
def test_sections_comments_widgets_titles_and_handles_are_never_a_source(line):
    assert source_candidates([line, "فقرة الخبر الأولى وهي طويلة.", line], (1, 1), "عنوان الخبر هنا") == {}


def test_a_closing_name_weighs_as_a_source_only_when_it_looks_like_an_outlet():
    lines = ["عنوان", "فقرة الخبر الأولى وهي طويلة.", "سامي حداد", "شام برس"]
    found = source_candidates(lines, (1, 1), "عنوان", ["سامي حداد", "شام برس"])
    assert found[name_key("سامي حداد")].weight == 1
    assert found[name_key("شام برس")].weight == 2
    about = ["عنوان", "فقرة.", "مركز الرصد", "مركز الرصد مؤسسة مستقلة تعمل في مجال البحث"]
    assert source_candidates(about, (1, 1), "عنوان", ["مركز الرصد"])[name_key("مركز الرصد")].weight == 2


# Hostile lines: each took minutes before its pattern was rewritten (runs of spaces, dashes or dots that
# two quantifiers could share); every reader of a line now finishes within a generous bound.
HOSTILE_LINES = {
    "spaces": "ا" + " " * 100_000 + "ب",
    "dashes": "ا" + "-" * 100_000 + "ب",
    "spaced dashes": "ا ب ج - " * 20_000,
    "credit with dots": "نقلا عن وام" + " ." * 50_000 + "(",
    "source with dots": "المصدر: واس" + " ." * 50_000 + "(",
    "trailing credit": "انتهى الخبر.(رويترز)" + " " * 100_000 + "x",
    "opening credit": "(" + " " * 100_000 + "x",
    "dateline": "دمشق" + " " * 100_000 + "x",
    "channel": "قناة" + " " * 100_000 + "x",
    "copyright": "جميع الحقوق محفوظة ل" + " " * 100_000 + "x",
    "copyright year": "© 2020" + " " * 100_000 + "x1",
    "badges and crumbs": "الرئيسية" + " " * 100_000 + "عاجل x",
    "site prefix": "موقع" + " " * 100_000 + "x",
}


@pytest.mark.parametrize("line", HOSTILE_LINES.values(), ids=HOSTILE_LINES.keys())
def test_hostile_lines_are_read_in_linear_time(line):
    started = time.perf_counter()
    parse_byline(line)
    parse_lead_dateline(line)
    credit_line(line)
    find_agencies([], line, line)
    section_from_line(line)
    headline_parts(line)
    source_candidates([line, "نص", line], (1, 1), "عنوان الخبر الطويل هنا", [line])
    assert time.perf_counter() - started < 5


def test_a_line_of_many_pieces_is_a_menu_not_a_headline():
    assert headline_parts("المغرب اليوم - عنوان الخبر") == ["المغرب اليوم", "عنوان الخبر"]
    assert headline_parts(" - ".join(["أخبار", "رياضة", "اقتصاد", "ثقافة", "منوعات"])) == []


def test_credit_names_lose_their_closing_brackets_and_dots():
    assert credit_line("(نقلا عن: وام).") == "وام"
    assert credit_line("المصدر: سانا ]") == "سانا"
    assert credit_line("نقلا عن (وام) و(سانا)") is None
