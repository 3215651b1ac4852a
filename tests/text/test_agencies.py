"""Wire credits: the agency table, and credits told from mentions by where they stand."""

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.text.agencies import AGENCIES, NAMES, agencies_in, agency_name, credit_key, load
from archive.text.metadata import byline_credit, closing_agencies, lead_agencies, wire_credit

BODY = "قال مسؤولون إن المحادثات بين الجانبين ستستأنف الأسبوع المقبل في العاصمة بعد توقف دام شهرين."


def test_the_table_has_one_entry_per_agency_and_no_spelling_names_two():
    assert len(NAMES) == len(AGENCIES) == len(load())
    keys = {}
    for agency in AGENCIES:
        for alias in (agency.name, *agency.aliases):
            assert keys.setdefault(credit_key(alias), agency.name) == agency.name, alias
    assert {"رويترز", "فرانس برس", "د ب أ", "واس", "وام", "قنا", "كونا", "سانا", "وكالات"} <= NAMES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("رويترز", "رويترز"),
        ("Reuters", "رويترز"),
        ("(رويترز)", "رويترز"),
        ("أ ف ب", "فرانس برس"),
        ("أ.ف.ب", "فرانس برس"),
        ("أ. ف. ب", "فرانس برس"),
        ("ا ف ب", "فرانس برس"),
        ("AFP", "فرانس برس"),
        ("د ب أ", "د ب أ"),
        ("د.ب.أ", "د ب أ"),
        ("(د.ب.أ)", "د ب أ"),
        ("د. ب. أ", "د ب أ"),
        ("dpa", "د ب أ"),
        ("أ ب", "أسوشيتد برس"),
        ("أ ش أ", "أ ش أ"),
        ("وكالة الأناضول", "الأناضول"),
        ("وكالة أنباء الأناضول", "الأناضول"),
        ("الاناضول", "الأناضول"),
        ("سبوتنيك", "ريا نوفوستي"),
        ("ارنا", "إرنا"),
        ("وكالات", "وكالات"),
        ("الوكالات", "وكالات"),
        ("صوت الإمارات", ""),
        ("لرويترز", ""),
        ("", ""),
    ],
)
def test_agency_names_and_abbreviations(text, expected):
    assert agency_name(text) == expected


@pytest.mark.parametrize(
    ("credit", "expected"),
    [
        ("المصدر: وكالات", ["وكالات"]),
        ("المصدر: رويترز، أ ف ب", ["رويترز", "فرانس برس"]),
        ("رويترز / فرانس برس", ["رويترز", "فرانس برس"]),
        ("رويترز وفرانس برس", ["رويترز", "فرانس برس"]),
        ("نقلا عن واس", ["واس"]),
        ("قالت مصادر لرويترز", []),
        ("رويترز والجزيرة", []),
    ],
)
def test_a_credit_is_nothing_but_agencies(credit, expected):
    assert agencies_in(credit) == expected


@pytest.mark.parametrize(
    ("author", "place", "person", "agencies"),
    [
        ("القاهرة - د ب أ", "القاهرة", "", ["د ب أ"]),
        ("لندن - رويترز", "لندن", "", ["رويترز"]),
        ("واس - الرياض", "الرياض", "", ["واس"]),
        ("الرياض: واس", "الرياض", "", ["واس"]),
        ("الرياض : واس", "الرياض", "", ["واس"]),
        ("واشنطن - رويترز:", "واشنطن", "", ["رويترز"]),
        ("الوئام - رويترز:", "", "", ["رويترز"]),
        ("الجزيرة - واس:", "", "", ["واس"]),
        ("برلين - (د.ب.أ):", "برلين", "", ["د ب أ"]),
        ("ساوث ليك - أ. ف. ب", "ساوث ليك", "", ["فرانس برس"]),
        ("كانو (نيجيريا) - أ ف ب", "كانو (نيجيريا)", "", ["فرانس برس"]),
        ("رويترز (لندن)", "لندن", "", ["رويترز"]),
        ("&nbsp;رويترز (مانيلا)", "مانيلا", "", ["رويترز"]),
        ("العربية.نت، رويترز", "", "", ["رويترز"]),
        ("فرانس24/ أ ف ب", "", "", ["فرانس برس"]),
        ("دمشق - وكالات:", "دمشق", "", ["وكالات"]),
        ("عواصم - وكالات", "", "", ["وكالات"]),
        ("بيروت - كتب أحمد سالم - رويترز", "بيروت", "أحمد سالم", ["رويترز"]),
        ("رويترز", "", "", ["رويترز"]),
    ],
)
def test_an_author_field_that_credits_agencies(author, place, person, agencies):
    credit = byline_credit(author)
    assert credit is not None
    assert (credit.place, credit.author, credit.agencies) == (place, person, agencies)


@pytest.mark.parametrize(
    "author",
    [
        "القاهرة - أحمد الريدي",
        "أبوظبي - سكاي نيوز عربية",
        "العربية.نت - إسلام سيف",
        "«الاقتصادية» من الرياض",
        "لندن: «الشرق الأوسط»",
        "علاوة مزياني",
        "وذكرت وكالة الأنباء السعودية (واس)",
        "قال لرويترز",
        "",
    ],
)
def test_an_author_field_without_a_credit_is_left_alone(author):
    assert byline_credit(author) is None
    assert wire_credit(author, "", [BODY, BODY]).author == author


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        ("بيروت (رويترز) - قال مسؤولون إن المحادثات ستستأنف", ["رويترز"]),
        ("واشنطن (أ ف ب) - قال مسؤولون إن", ["فرانس برس"]),
        ("(د.ب.أ) - أعلنت الشرطة الألمانية", ["د ب أ"]),
        ("القاهرة - د ب أ - قالت وزارة الصحة المصرية", ["د ب أ"]),
        ("رويترز - قالت وزارة الصحة", ["رويترز"]),
        ("واس- الرياض: أطلق البريد الممتاز بالتعاون مع", ["واس"]),
        ("سبق- وكالات: قال رئيس الوزراء اللبناني", ["وكالات"]),
        ("أ ف ب- بروكسل: بعد ليلة مفاوضات مضنية، أعلن", ["فرانس برس"]),
        ("الرياض 26 شوال 1436 هـ الموافق 11 أغسطس 2015 م واس", ["واس"]),
        ("نجران 26 شوال 1436 هـ الموافق 11 أغسطس 2015 مواس", ["واس"]),
        ("Next Previous عين اليوم – واس", ["واس"]),
        ("(رويترز)", ["رويترز"]),
        ("المصدر: وكالات", ["وكالات"]),
        ("قالت مصادر لرويترز إن أكثر من 27 شخصا قتلوا", []),
        ("نقلت وكالة رويترز للأنباء عن مصدرين في الجبهة", []),
        ("ذكرت وكالة الأنباء الأردنية الرسمية (بترا)، اليوم", []),
        ('أعلنت وكالة الأنباء السورية الرسمية "سانا"، أن', []),
        ("قال وزير الخارجية لوكالة فرانس برس: إن", []),
        ("قال مسؤول لرويترز: الهجوم وقع فجرا", []),
        ("دبي، الإمارات العربية المتحدة (CNN)-- قال", []),
        ("واسى محافظ رنية عبدالله محمد العثيمين، مواطنا", []),
    ],
)
def test_a_credit_opening_the_body_and_a_mention(first, expected):
    assert lead_agencies(first) == expected


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        ("وأضاف أن المحادثات ستستأنف الأسبوع المقبل. (رويترز)", ["رويترز"]),
        ("انتهى الخبر.(رويترز)", ["رويترز"]),
        ("إلى مقبرة الشرف في مدينة أبها عصر أمس.«واس»", ["واس"]),
        ("وقتل ثلاثة أشخاص في الهجوم. - أ ف ب", ["فرانس برس"]),
        ("فرانس24/ أ ف ب", ["فرانس برس"]),
        ("فرانس 24/ أ ف ب", ["فرانس برس"]),
        ("(أ. ف. ب)", ["فرانس برس"]),
        ("(د.ب.أ)", ["د ب أ"]),
        ("المصدر: وكالات", ["وكالات"]),
        ("المصدر: رويترز + فرانس برس", ["رويترز", "فرانس برس"]),
        ('السفر إلى جنوب شرق إنجلترا، حسب ما ذكرت "رويترز".', []),
        ("يجري عليها بسعر 37.44 دولار للسهم قبل التغريدة. وفقا لرويترز.", []),
        ("وذكرت وكالة الأنباء السعودية (واس)", []),
        ('بحسب ما ذكر مصدر قضائي لـ"فرانس برس".', []),
        ("ديق رئيس الجمهورية، حسب ما ذكرت وكالة رويترز.", []),
        ("وفقا لما نقلته وكالة أنباء الأناضول التركية الرسمية.", []),
    ],
)
def test_a_credit_closing_the_body_and_a_mention(last, expected):
    assert closing_agencies(last) == expected


def test_a_credit_only_author_becomes_agency_and_dateline_and_a_person_stays():
    assert wire_credit("موسكو - د ب أ", "", [BODY, BODY]) == wire_credit("", "موسكو", ["(د ب أ)", BODY])
    credited = wire_credit("لندن - رويترز", "", [BODY, BODY])
    assert (credited.agency, credited.author, credited.dateline) == ("رويترز", "", "لندن")
    person = wire_credit("القاهرة - أحمد الريدي", "", [BODY, BODY])
    assert (person.agency, person.author) == ("", "القاهرة - أحمد الريدي")
    closing = wire_credit("أحمد الريدي", "", [BODY, "وأضاف أن الجولة المقبلة في مايو. (أ ف ب)"])
    assert (closing.agency, closing.author) == ("فرانس برس", "أحمد الريدي")


def test_the_first_credit_wins_when_an_article_credits_several():
    credit = wire_credit("دبي - العربية.نت، رويترز", "", [BODY, "وأضاف أن الجولة المقبلة في مايو. (أ ف ب)"])
    assert credit.agency == "رويترز"
    assert wire_credit("", "", [BODY, BODY], agency="واس").agency == "واس"
    assert wire_credit("", "", [BODY, BODY], agency="الجزيرة").agency == ""


def test_a_quoted_source_in_the_body_is_no_credit():
    mention = "قالت مصادر لرويترز إن الاجتماع سيعقد غدا، وأكد مسؤول لوكالة فرانس برس الخبر."
    assert wire_credit("", "", [mention, mention, mention]).agency == ""


PIECES = [*"رويترزأفبدواسم ()-–:.«»،/+\n\t١2x", "رويترز", "أ ف ب", "د.ب.أ", "لندن - ", "المصدر: ", "2015 م "]
TEXT = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT, st.lists(TEXT, max_size=4), st.sampled_from(["", "واس", "غيرها"]))
def test_detection_never_raises_and_names_only_agencies_of_the_table(author, dateline, paragraphs, agency):
    credit = wire_credit(author, dateline, paragraphs, agency)
    assert credit.agency == "" or credit.agency in NAMES
    assert set(agencies_in(author)) <= NAMES
    assert set(lead_agencies(author)) | set(closing_agencies(author)) <= NAMES
    byline = byline_credit(author)
    assert byline is None or (byline.agencies and set(byline.agencies) <= NAMES)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_any_text_at_all(text):
    credit = wire_credit(text, text, [text, text])
    assert credit.agency == "" or credit.agency in NAMES


@pytest.mark.parametrize(
    "hostile",
    ["(" * 50_000, "رويترز - " * 20_000, "ا " * 50_000 + "(", "الرياض 1 " * 20_000, ". (" + " " * 100_000],
)
def test_hostile_lines_finish_quickly(hostile):
    started = time.perf_counter()
    wire_credit(hostile, "", [hostile, hostile])
    assert time.perf_counter() - started < 5
