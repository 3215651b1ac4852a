"""The headline of a body-only text capture (no browser title line): archive.text.cleaning's chooser."""

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.text.article import NotAnArticle
from archive.text.cleaning import clean_text_page

HEADLINE = "الجيش يستعيد السيطرة على مطار حلب بعد معارك عنيفة"
LEAD = (
    "أعلن الجيش اليوم أنه استعاد السيطرة على مطار حلب بعد معارك عنيفة استمرت ثلاثة أيام مع الفصائل "
    "المسلحة، وقال مصدر عسكري إن وحدات الهندسة بدأت تفكيك الألغام في محيط المطار."
)
MORE = (
    "وأضاف المصدر أن الطرق المؤدية إلى المطار ستفتح أمام المدنيين خلال الأيام المقبلة، بعد أن تنتهي "
    "الفرق المختصة من مسح المنطقة بالكامل وإزالة مخلفات القتال."
)
RELATED = [
    "وزير الخارجية يلتقي نظيره التركي في أنقرة",
    "ارتفاع أسعار الوقود في الأسواق المحلية",
    "افتتاح معرض الكتاب الدولي في العاصمة",
]


def title_of(lines: list[str]) -> str:
    return clean_text_page("\n".join(lines)).title


def test_a_site_tagline_in_the_masthead_is_not_the_headline():
    tagline = "صوت الحقيقة من قلب الحدث منذ عام ألفين"
    lines = [tagline, "الرئيسية", "سياسة", "اقتصاد", "رياضة", HEADLINE, "دمشق - خاص", LEAD, MORE]
    assert title_of(lines) == HEADLINE


def test_a_tagline_alone_above_the_body_is_left_missing_rather_than_taken():
    lines = ["صوت الحقيقة من قلب الحدث منذ عام ألفين", "الرئيسية", "سياسة", "اقتصاد", LEAD, MORE]
    assert title_of(lines) == ""


def test_related_headlines_after_the_body_are_never_the_headline():
    lines = ["الرئيسية", "سياسة", HEADLINE, LEAD, MORE, "أخبار ذات صلة", *RELATED]
    assert title_of(lines) == HEADLINE
    assert title_of(["الرئيسية", "سياسة", LEAD, MORE, "أخبار ذات صلة", *RELATED]) == ""


def test_a_list_of_other_headlines_right_above_the_body_is_not_taken_for_it():
    lines = ["الرئيسية", "آخر الأخبار العاجلة", *RELATED, LEAD, MORE]
    assert title_of(lines) not in RELATED


def test_a_breadcrumb_above_the_headline_is_not_the_headline():
    lines = ["الرئيسية > أخبار > سوريا", HEADLINE, LEAD, MORE]
    assert title_of(lines) == HEADLINE
    assert title_of(["الرئيسية > أخبار > سوريا", LEAD, MORE]) == ""


def test_a_cut_off_teaser_of_the_headline_gives_way_to_the_whole_headline():
    teaser = "الجيش يستعيد السيطرة على مطار حلب"
    lines = ["الرئيسية", HEADLINE, "موقعنا - " + HEADLINE, teaser, LEAD, MORE]
    assert title_of(lines) == HEADLINE


def test_a_headline_tagged_with_its_media_is_a_headline_and_a_credited_caption_is_not():
    for tag in ("(فيديو)", "(بالصور)", "(فيديو وصور)", "(عکس)"):
        tagged = f"{HEADLINE} {tag}"
        assert title_of(["الرئيسية", "سياسة", tagged, "دمشق - خاص", LEAD, MORE]) == tagged
    caption = "جنود على مدخل مطار حلب بعد المعارك (رويترز)"
    assert title_of(["الرئيسية", "سياسة", caption, LEAD, MORE]) == ""
    assert title_of(["الرئيسية", "سياسة", caption + " (فيديو)", LEAD, MORE]) == ""


LINE = st.text(
    alphabet=st.sampled_from(list("ابتثجحخدذرسشصطعغفقكلمنهوي ،.:-|>»0123456789") + ["\n"]), max_size=80
)


@settings(max_examples=150, deadline=None)
@given(st.lists(LINE, max_size=25), st.integers(min_value=0, max_value=25))
def test_the_title_is_always_one_of_the_pages_lines_or_part_of_one(lines, at):
    page = [*lines[:at], LEAD, MORE, *lines[at:]]
    try:
        article = clean_text_page("\n".join(page))
    except NotAnArticle as error:
        assert str(error)
        return
    assert article.title == "" or any(article.title in line for line in "\n".join(page).split("\n"))
