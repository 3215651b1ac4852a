"""Turns the visible text of a whole news page (menus, lists, forms and all) into its article.

Density-based, like jusText/boilerpipe: every line gets a kind from its own features (length, sentence
punctuation, function words, Latin share, generic boilerplate cues); the body is the largest cluster of
running-prose lines, allowing short gaps, plus the short prose lines inside it. Headline, dates and
bylines are then read only around that body, so lists of other articles never lend their metadata.
"""

import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from statistics import median
from typing import NamedTuple

from archive.text import outlets
from archive.text.article import Candidate, CleanArticle, NotAnArticle
from archive.text.dates import find_article_date, is_date_stamp
from archive.text.metadata import (
    SiteName,
    byline_credit,
    credit_line,
    find_agencies,
    fold,
    headline_parts,
    name_key,
    parse_byline,
    parse_lead_dateline,
    pick_source,
    same_headline,
    section_from_line,
    source_candidates,
)

PROSE_WORDS = 15  # a line this long ending like a sentence is running prose
LONG_WORDS = 25  # a line this long with sentence punctuation is running prose however it ends
MAX_GAP = 6  # non-prose lines allowed between two prose lines of one body
MIN_BODY_WORDS = 25
TEASER_WORDS = 40  # a line cut off with "..." shorter than this is a teaser, not a paragraph
TITLE_LOOKBACK = 25  # non-empty lines above the body searched for the headline

_INVISIBLE = "\ufeff\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\xa0"
_STOPWORDS = frozenset(
    fold(word)
    for word in """في من على إلى الى عن مع أن إن أنه إنه أنها إنها التي الذي الذين اللذين اللتين اللواتي
    هذا هذه ذلك تلك هؤلاء هناك هنا كان كانت يكون تكون كانوا قد لقد لم لن لا ما ماذا كما بعد قبل بين حول
    حتى منذ خلال أو أم ثم بل لكن لكنه إذا إذ عند عندما لدى أي كل بعض غير ضد دون عبر نحو فيه فيها منه منها
    عليه عليها إليه له لها لهم بها به هو هي هم نحن أنا فيما بينما حيث أيضا أيضاً إلا سوى مثل وفق وفقا بسبب
    لأن كي لكي أكثر أقل جدا يجب يمكن تم بشأن ليس ليست""".split()
)
# The commonest function words of the Latin-script languages, for pages written in them.
_LATIN_STOPWORDS = frozenset(
    """the a an of to in and or is are was were be been it that this with for on at by from as not but
    which who has have had will would der die das und ist ein eine zu den mit von im nicht sich auf dem des
    le la les un une et est des du en pour que qui dans sur pas il elle el los las y es por con del se
    di che non per una gli""".split()
)
_SENTENCE_MARKS = re.compile(r"[.،,؛;:!?؟\"“”«»]")
_ENDS_LIKE_SENTENCE = re.compile(r"[.!?؟:\"”»)…]$")
_MORE_END = re.compile(r"(?:المزيد|read more)\s*$", re.I)
_ELLIPSIS_END = re.compile(r"(?:\.\.\.|…)\s*$")
_FULL_STOP_END = re.compile(r"(?<!\.)\.[\"”»)]?$")
_READ_MORE = re.compile(r"(?:اقرا )?المزيد|read more|more")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_LATIN = re.compile(r"[A-Za-z]")
_GLUED_CAPTION = re.compile(r"[\u0621-\u063a\u0641-\u064a][A-Za-z]|[A-Za-z][\u0621-\u063a\u0641-\u064a]")
_PHOTO_CREDIT = re.compile(
    r"\((?:رويترز|أ ف ب|ا ف ب|فرانس برس|أ ب|AFP|Reuters|AP|EPA|Getty|أرشيفية|ارشيفية|صورة|أرشيف)"
    r"[^()]{0,30}\)?\s*$|Getty Images|Shutterstock",
    re.I,
)


def _phrases(text: str) -> re.Pattern:
    """One pattern for "|"-separated phrases, spelled folded and matched as whole words."""
    alternatives = []
    for phrase in (fold(phrase.strip()).lower() for phrase in text.split("|") if phrase.strip()):
        before = r"(?<!\w)" if re.match(r"\w", phrase) else ""
        after = r"(?!\w)" if re.search(r"\w$", phrase) else ""
        alternatives.append(before + re.escape(phrase) + after)
    # (?=\S) first: a run of spaces is passed over without trying every phrase at each of its positions.
    return re.compile(r"(?=\S)(?:" + "|".join(alternatives) + ")")


# Generic news-site boilerplate. Terminal cues close an article (what follows is forms, tags, lists).
_TERMINAL = _phrases(
    """اترك تعليقا|اترك تعليقاً|أضف تعليق|اضف تعليق|إضافة تعليق|التعليقات|تعليقات القراء|تعليقك|
    لن يتم نشر|security code|characters left|الحقول الإلزامية|إلزامي *|الإسم|الاسم|اسمك|عنوان التعليق|
    تعليق *|البريد الإلكتروني|البريد الألكتروني|الموقع الإلكتروني|شروط الاستخدام|شروط الأستخدام|
    شروط النشر|أوافق على|الوسوم|الكلمات الدالة|الكلمات الدلالية|كلمات مفتاحية|كلمات دلالية|tags|
    مقالات ذات صلة|أخبار ذات صلة|مواضيع ذات صلة|مواضيع ذات علاقة|مواد ذات صلة|الموضوعات المتعلقة|
    أخبار متعلقة|الأكثر قراءة|الأكثر مشاهدة|الأكثر تصفحا|الأكثر تعليقا|الأكثر تداولا|أكثر قراءة|
    أكثر مشاهدة|أكثر تعليقا|أكثر ارسالا|آخر الأخبار|أخر الأخبار|اخترنا لكم|قد يهمك|مواضيع ساخنة|
    شارك هذا|شارك الخبر|مشاركة الخبر|تابعونا|تابعنا|اشترك في|إشترك في|اشترك|إشترك|النشرة البريدية|
    التلجرام|telegram|جميع الحقوق محفوظة|الحقوق محفوظة|حقوق النشر|©|copyright|all rights reserved|
    سياسة الخصوصية|الآراء الواردة|زر الذهاب إلى الأعلى|العودة للأعلى|related|maintained and developed|
    powered by"""
)
# Boilerplate that may also sit inside a body (inline "read also" boxes, ads, update stamps).
_READ_ALSO = _phrases(
    "اقرأ أيضا|اقرأ أيضاً|إقرأ أيضاً|إقرأ أيضا|شاهد أيضا|شاهد أيضاً|انظر أيضا|طالع أيضا|اقرأ كذلك"
)
_INLINE = _phrases(
    """اقرأ المزيد|آخر تحديث|اخر تحديث|تحديث:|advertising|advertisement|fbpx|http|https|www|أسعار العملات|
    الاسعار الرسمية للعملات|مواقيت الصلاة|من نحن|اتصل بنا|أعلن معنا|صورة أرشيفية|صورة ارشيفية"""
)
# Words that are boilerplate only as a button or label of a few words (a headline may start with them).
_LABELS = _phrases(
    """المزيد|إعلان|طباعة|مشاركة|شارك|فيسبوك|facebook|تويتر|twitter|واتساب|whatsapp|يوتيوب|انستغرام|الطقس|
    إغلاق|التالي|السابق"""
)
# Cues that mark even a long line as boilerplate (comment rules, terms of use, copyright).
_LONG_TEXT = _phrases(
    """جميع الحقوق محفوظة|©|copyright|all rights reserved|telegram.me|t.me/|لن يتم نشر عنوان بريدك|
    الآراء الواردة|شروط النشر|شروط الاستخدام|إرشادات الاستخدام|maintained and developed"""
)
_LONG_MILD = _phrases("سياسة الخصوصية|التعليقات|التعليق|تعليقك|تعليقات|البريد الإلكتروني|اشترك|تابعونا|حقوق")
_SHORT_LINE_WORDS = 8


@dataclass
class _Line:
    index: int
    text: str
    folded: str = ""  # the text with spelling folded and lower-cased, for cues and function words
    words: int = 0
    kind: str = "empty"  # "empty", "bad" (boilerplate), "good" (running prose) or "short"
    reason: str = ""  # why a line is boilerplate
    terminal: bool = False  # boilerplate that closes an article (forms, tags, lists, footer)
    sentence: bool = False  # a short line that reads as a sentence
    prose: bool = False  # a shorter line with the texture of prose
    teaser: bool = False  # ends like a cut-off summary ("...", "المزيد")
    credit: str | None = None

    @property
    def boundary(self) -> bool:
        """Lines a body never spans: closing boilerplate, date stamps, the headline."""
        return self.terminal or self.reason in ("date", "headline")

    @property
    def near_good(self) -> bool:
        """A shorter sentence ending in a full stop: joins a body next to it, never makes one alone.

        (Headlines end with "?", "!" or quotes far more often than with a full stop.)
        """
        return self.kind == "short" and self.words >= 8 and bool(_FULL_STOP_END.search(self.text))


def _clean(line: str) -> str:
    return line.strip().strip(_INVISIBLE).strip()


def _key(line: str) -> str:
    return " ".join(line.split())


def _stop_density(folded: str) -> float:
    """Share of function words ("في", "من", "التي"..., also with a و/ف/ب/ل prefix) in a folded text."""
    words = re.findall(r"\w+", folded)
    hits = sum(
        word in _STOPWORDS
        or word in _LATIN_STOPWORDS
        or len(word) > 2
        and word[0] in "وفبل"
        and word[1:] in _STOPWORDS
        for word in words
    )
    return hits / len(words) if words else 0.0


def _latin_share(text: str) -> float:
    latin, arabic = len(_LATIN.findall(text)), len(_ARABIC.findall(text))
    return latin / (latin + arabic) if latin + arabic else 1.0


def _has_cue(pattern: re.Pattern, text: str, words: int, at_start: bool = True) -> bool:
    """A cue marks a short line: anywhere in up to 3 words, else twice over or (`at_start`) opening it."""
    if words > _SHORT_LINE_WORDS:
        return False
    found = {match.group() for match in pattern.finditer(text)}
    opens = at_start and bool(pattern.match(text.lstrip("-–—*•|:( ")))
    return bool(found) and (words <= 3 or len(found) > 1 or opens)


def _boilerplate_reason(line: _Line, latin_page: bool) -> str:
    """Why a line is boilerplate, "" when it is not. On an Arabic page a Latin line is a menu or a credit;
    on a page written in Latin script it is the page's own text."""
    text = line.folded
    if "©" in text and not re.search(r"\d{4}|حقوق|rights|copyright", text):
        return "caption"
    if _has_cue(_TERMINAL, text, line.words) or _LONG_TEXT.search(text):
        line.terminal = True
        return "cue"
    if len({match.group() for match in _LONG_MILD.finditer(text)}) >= 2:
        line.terminal = True
        return "cue"
    if _has_cue(_READ_ALSO, text, line.words):
        return "read-also"
    if _has_cue(_INLINE, text, line.words) or _has_cue(_LABELS, text, line.words, at_start=False):
        return "cue"
    if is_date_stamp(line.text):
        return "date"
    if re.fullmatch(r"[^\w]*", line.text) or not latin_page and _latin_share(line.text) > 0.5:
        return "latin"
    if line.credit:
        return "credit"
    if line.words < PROSE_WORDS and (_GLUED_CAPTION.search(line.text) or _PHOTO_CREDIT.search(line.text)):
        return "caption"
    if line.words <= 3 and re.search(r"\d", line.text) and not _ENDS_LIKE_SENTENCE.search(line.text):
        return "widget"
    return ""


def _repeats(key: str, whole: str, parts: list[str]) -> bool:
    """Whether a line with comparison key `whole` and part keys `parts` repeats the headline `key`."""
    return whole == key or whole == f"{key} {key}" or any(same_headline(part, key) for part in parts)


def _mark_headlines(lines: list[_Line]) -> None:
    """Marks repeats of the page's first line (the browser title, "headline - site") as the headline."""
    texts = [line for line in lines if line.kind != "empty"]
    if not texts:
        return
    first = texts[0]
    keys = [
        name_key(text)
        for text in [first.text, *headline_parts(first.text)]
        if len(name_key(text).split()) >= 3
    ]
    for line in texts[1:]:
        whole, parts = name_key(line.text), [name_key(part) for part in headline_parts(line.text)]
        if any(_repeats(key, whole, parts) for key in keys):
            line.kind, line.reason, line.terminal = "bad", "headline", False


def _describe(raw_lines: list[str], repeated: Collection[str]) -> list[_Line]:
    """Every line with its kind: boilerplate, running prose or short."""
    texts = [_clean(line) for line in raw_lines]
    counts = Counter(_key(text) for text in texts if text)
    latin_page = _latin_share(" ".join(texts)) > 0.5
    described = []
    for index, text in enumerate(texts):
        line = _Line(index, text)
        described.append(line)
        if not text:
            continue
        line.folded = fold(text).lower()
        line.words = len(re.findall(r"\w+", text))
        line.credit = credit_line(text) if line.words <= 6 else None
        line.reason = _boilerplate_reason(line, latin_page)
        repeats_here = counts[_key(text)] > 1 and line.words < PROSE_WORDS
        if not line.reason and (repeats_here or _key(text) in repeated):
            line.reason = "repeated"
        line.teaser = bool(_MORE_END.search(text) or _ELLIPSIS_END.search(text) and line.words < TEASER_WORDS)
        if line.reason:
            line.kind = "bad"
            continue
        marks = len(_SENTENCE_MARKS.findall(text))
        density = _stop_density(line.folded)
        ends = bool(_ENDS_LIKE_SENTENCE.search(text)) and not line.teaser
        textured = marks > 0 and density >= 0.04 and not line.teaser
        if textured and (line.words >= PROSE_WORDS and ends or line.words >= LONG_WORDS):
            line.kind = "good"
            continue
        line.kind = "short"
        line.sentence = line.words >= 3 and ends or line.teaser and line.words >= 8
        line.prose = textured and line.words >= 12
    _mark_headlines(described)
    return described


def _bridges(gap: list[_Line]) -> bool:
    """Whether two prose lines around `gap` belong to one body.

    A date or the headline between them splits them, except inside an inline "read also" box.
    """
    if len(gap) > MAX_GAP or any(line.terminal for line in gap):
        return False
    return not any(line.boundary for line in gap) or any(line.reason == "read-also" for line in gap)


def _clusters(lines: list[_Line]) -> list[list[_Line]]:
    """Runs of prose lines separated by short gaps; a run needs at least one long prose line."""
    clusters: list[list[_Line]] = []
    gap: list[_Line] = []
    for line in lines:
        if line.kind == "empty":
            continue
        if line.kind != "good" and not line.near_good:
            gap.append(line)
            continue
        if clusters and _bridges(gap):
            clusters[-1].extend(gap)
            clusters[-1].append(line)
        else:
            clusters.append([line])
        gap = []
    runs = []
    for cluster in clusters:
        members = [line for line in cluster if line.kind == "good" or line.near_good]
        if any(line.kind == "good" for line in members) and not _is_list(cluster):
            runs.append(members)
    return runs


def _is_list(cluster: list[_Line]) -> bool:
    """A run of summaries, not a body: "read more" buttons between them, or most of them cut off."""
    good = [line for line in cluster if line.kind == "good"]
    cut = [line for line in good if _ELLIPSIS_END.search(line.text)]
    buttons = [line for line in cluster if _READ_MORE.fullmatch(line.folded.strip(" .…:>«»"))]
    return len(buttons) >= 2 or len(good) >= 2 and 2 * len(cut) >= len(good)


def _looks_like_a_list_page(lines: list[_Line], runs: list[list[_Line]], best: list[_Line]) -> bool:
    """A lone paragraph among at least three summaries of similar length is one more summary."""
    if len(best) > 1:
        return False
    summaries = [line.words for line in lines if line.teaser] + [
        run[0].words for run in runs if run is not best
    ]
    return len(summaries) >= 3 and best[0].words < 2 * median(summaries)


def _content_words(text: str) -> set[str]:
    words = set()
    for word in re.findall(r"\w+", fold(text)):
        if word in _STOPWORDS or word in _LATIN_STOPWORDS or len(word) < 3:
            continue
        word = re.sub(r"^(?:وال|بال|فال|كال|لل|ال|و|ب|ل)(?=\w{3})", "", word)
        words.add(word)
    return words


def _is_subhead(line: _Line, following: _Line) -> bool:
    """A heading of up to 12 words whose words are taken up by the paragraph under it."""
    if not 2 <= line.words <= 12:
        return False
    own = _content_words(line.text)
    return bool(own) and len(own & _content_words(following.text)) >= 0.5 * len(own)


def _next_text_line(lines: list[_Line], position: int) -> _Line | None:
    """The next non-empty line, found without copying the list (this runs for many lines of a body)."""
    for index in range(position + 1, len(lines)):
        if lines[index].kind != "empty":
            return lines[index]
    return None


def _is_heading(line: _Line, previous: _Line | None, following: _Line | None) -> bool:
    """A subheading inside a body: a few words between paragraphs, or words the next paragraph takes up."""
    if line.kind != "short" or following is None or following.kind != "good":
        return False
    if 1 <= line.words <= 5 and previous is not None and (previous.kind == "good" or previous.sentence):
        return True
    return _is_subhead(line, following)


def _body_lines(lines: list[_Line], cluster: list[_Line]) -> list[_Line]:
    """The cluster's prose, its inner short sentences and subheads, and short sentences trailing it."""
    first, last = cluster[0].index, cluster[-1].index
    body: list[_Line] = []
    for line in lines[first : last + 1]:
        previous = body[-1] if body else None
        if line.kind == "good" or line.sentence or line.prose:
            body.append(line)
        elif _is_heading(line, previous, _next_text_line(lines, line.index)):
            body.append(line)
    for line in lines[last + 1 :]:
        if line.kind == "empty":
            continue
        if not (line.sentence and line.words >= 4 and not line.teaser and _stop_density(line.folded) > 0):
            break
        body.append(line)
    return _drop_about_box(body)


def _drop_about_box(body: list[_Line]) -> list[_Line]:
    """Cuts a closing "outlet name" line and the blurb that starts with that name (an about-us box)."""
    last_good = max((index for index, line in enumerate(body) if line.kind == "good"), default=-1)
    for position in range(len(body) - 1):
        heading, blurb = body[position], body[position + 1]
        if (
            heading.kind == "short"
            and heading.words <= 5
            and last_good < position + 2
            and name_key(blurb.text).startswith(name_key(heading.text))
        ):
            return body[:position]
    return body


class _Headline(NamedTuple):
    in_browser: bool  # the page's first line (the browser title) repeats it
    support: int  # other header lines repeating it, counted up to 2
    nearness: int  # minus its distance above the body, in non-empty lines
    whole: bool  # a whole line rather than the headline part of "site - headline"
    key: str
    line: _Line
    text: str


def _headline_options(lines: list[_Line], head: list[_Line], body: tuple[int, int]) -> list[_Headline]:
    """Headline-shaped texts above the body (whole lines and "site - headline" parts) with their support.

    Repeats count in the header only (and a headline doubled on one line anywhere): lists under the
    body repeat other articles' headlines. A short text found again whole under the body is a site
    or menu name, not a headline.
    """
    first, last = body
    texts = [line for line in lines if line.kind != "empty"]
    keyed = [
        (line.index, name_key(line.text), [name_key(part) for part in headline_parts(line.text)])
        for line in texts
    ]
    footer = {whole for index, whole, _ in keyed if index > last}
    browser = keyed[0][0] if keyed else None
    options = []
    for distance, line in enumerate(reversed(head[-TITLE_LOOKBACK:])):
        for text in [line.text, *headline_parts(line.text)]:
            key = name_key(text)
            words = len(key.split())
            if words < 3 or words < 5 and key in footer or is_credit_line(text):
                continue
            repeats = [
                index
                for index, whole, parts in keyed
                if index != line.index
                and (index < first or whole == f"{key} {key}")
                and _repeats(key, whole, parts)
            ]
            in_browser = browser in repeats
            if line.reason != "cue" or in_browser:
                options.append(
                    _Headline(in_browser, min(len(repeats), 2), -distance, text == line.text, key, line, text)
                )
    return options


# Lines that credit people or run the site, never a headline: "مدير التحرير: ...", "تصوير ...".
_CREDIT_CUE = re.compile(
    r"^[\s(\-–—*•|]*(?:(?:نائب\s+)?(?:رئيس|رئيسة|مدير|مديرة|سكرتير)\s+(?:ال)?تحرير|المدير العام|المؤسس|مؤسس|"
    r"رئيس مجلس الإدارة|صاحب الامتياز|(?:ال)?إشراف|(?:ال)?اشراف|المشرف|إخراج|اخراج|تدقيق|مراجعة|تنفيذ|"
    r"تصوير|بقلم|كتب|كتبت|إعداد|اعداد|ترجمة|المصدر|حوار|تحرير|متابعة)"
    r"(?:\s|[:：\-–—]|$)"
)
_VOTE_CUE = _phrases("تصويت|صوت الآن|صوّت|النتائج|نتائج الاستطلاع|استطلاع|استفتاء|شارك برأيك|vote|poll")


# A headline no other line repeats is taken only when it cannot be a photo caption ("... (رويترز)",
# "الدكتور فلان وزير ..."), a site's tagline ("عربي - أخبار وآراء وراديو Sputnik") or a masthead line.
_CAPTION_END = re.compile(r"\([^()]{1,30}\)\s*$")
# A headline's own closing tag for its media, "(فيديو)", "(بالصور)", "(فيديو وصور)", "(عکس)": not a credit.
_MEDIA_WORD = (
    r"(?:بال)?(?:صور|فيديو|فديو|فيديوهات|إنفوجراف|انفوجراف|إنفوغراف|انفوغراف)"
    r"|عکس|عكس|فیلم|ویدئو|ویدیو|تصاویر|اینفوگرافیک|videos?|photos|pictures"
)
_MEDIA_TAG = re.compile(
    rf"\(\s*+(?:{_MEDIA_WORD})(?:\s*+(?:[و+،,-]\s*+)?(?:{_MEDIA_WORD}))*+\s*+\)\s*+$", re.I
)
_HONORIFIC = re.compile(
    r"^(?:الدكتور|الدكتوره|د\.|السيد|السيده|الشيخ|المهندس|اللواء|العميد|الفريق|المستشار)\s"
)


def _unsupported_non_title(text: str) -> bool:
    folded = fold(text)
    untagged = _MEDIA_TAG.sub("", text)
    if _CAPTION_END.search(untagged) or _PHOTO_CREDIT.search(untagged) or _HONORIFIC.match(folded):
        return True
    parts = [text, *headline_parts(text)]
    return any(outlets.resolve(part) or outlets.latin_names_in(part) for part in parts)


def is_credit_line(text: str) -> bool:
    """A line naming a person by role ("مدير التحرير: فلان", "تصوير: ...", "كتب: ..."): never a title."""
    return bool(_CREDIT_CUE.match(fold(text)) or _CREDIT_CUE.match(text))


def _is_poll(lines: list[_Line], line: _Line) -> bool:
    """A question with a vote button or results within the next few lines: a poll, not a headline."""
    if not line.text.rstrip().endswith(("؟", "?")) and not _VOTE_CUE.search(line.folded):
        return False
    after = [other for other in lines[line.index + 1 : line.index + 8] if other.kind != "empty"][:5]
    return bool(_VOTE_CUE.search(line.folded)) or any(_VOTE_CUE.search(other.folded) for other in after)


def _pick_title(lines: list[_Line], body: tuple[int, int]) -> tuple[str, int | None]:
    """(headline, the topmost line just above the body that repeats it, or where it would stand).

    The headline is the line above the body that the browser title (the page's first line) repeats;
    failing that, the headline-shaped line above the body with the most evidence (_weighed_headline).
    A credit line or a poll is never one.
    """
    first = body[0]
    head = [line for line in lines[:first] if line.kind != "empty"]
    head = [
        line
        for line in head
        if line.reason in ("", "repeated", "headline", "cue")
        and not is_credit_line(line.text)
        and not _is_poll(lines, line)
    ]
    options = _headline_options(lines, head, body)
    browser = [option for option in options if option.in_browser and option.nearness >= -BROWSER_NEAR]
    if browser:
        best = max(browser, key=lambda option: option[:4])
        group = [option for option in options if option.key == best.key]
        chosen = next((option for option in group if option.whole), best)
        near = [option.line.index for option in group if option.line.index >= first - 15]
        return chosen.text, min([*near, chosen.line.index])
    return _weighed_headline(lines, options, body)


# A date or time in a line ("27.01.2020", "18:13", "10. Februar 2019", "June 12, 2017"): a stamp.
_STAMP = re.compile(
    r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}:\d{2}|\d{1,2}\.?\s+[^\W\d]{3,}\.?,?\s+\d{4}"
    r"|[^\W\d]{3,}\.?\s+\d{1,2},?\s+\d{4}"
)
BROWSER_NEAR = 8  # a first line repeated farther above the body than this is a logo or a menu, not a title
LEAD_WORDS = 120  # the body's opening words a headline's words are looked for in
MIN_EVIDENCE = 0.6  # below this a title is left missing: a missing title beats a wrong one


def _headline_shaped(line: _Line, text: str = "") -> bool:
    text = text or line.text
    return (
        (line.kind == "short" or line.reason in ("repeated", "headline"))
        and 2 <= len(re.findall(r"\w+", text)) <= 30
        and not re.search(r"[.،,:]$", text)
        and not _STAMP.search(text)
        and parse_byline(text) is None
        and not _unsupported_non_title(text)
    )


def _run_of_headlines(lines: list[_Line], index: int, end: int) -> int:
    """How many headline-shaped lines of 3 words or more stand in an unbroken run (no empty line, no
    other line) through lines[index], above lines[end]."""

    def shaped(line: _Line) -> bool:
        return line.words >= 3 and _headline_shaped(line)

    start = stop = index
    while start > 0 and shaped(lines[start - 1]):
        start -= 1
    while stop + 1 < end and shaped(lines[stop + 1]):
        stop += 1
    return stop - start + 1


def _weighed_headline(
    lines: list[_Line], options: list[_Headline], body: tuple[int, int]
) -> tuple[str, int | None]:
    """The headline-shaped option above the body with the most evidence, or none when the evidence is thin.

    A headline's words come back in the body's lead; it stands nearest the body, with only stamps and
    bylines between; it stands alone, not in a run of headline-shaped lines (a menu, a list of other
    articles, a sidebar); other header lines may repeat it (a breadcrumb, a share box). A site's tagline
    sits far above in the masthead and shares few words with the lead. A line that only starts another
    header line's headline is its cut-off teaser.
    """
    first, last = body
    lead: list[str] = []
    for line in lines[first : last + 1]:
        if line.kind == "good" and len(lead) < LEAD_WORDS:
            lead.extend(line.text.split())
    lead_words = _content_words(" ".join(lead))
    shaped = [option for option in options if _headline_shaped(option.line, option.text)]
    keys = {option.key for option in shaped}
    shaped = [o for o in shaped if not any(k != o.key and k.startswith(o.key + " ") for k in keys)]
    ranks = {index: rank for rank, index in enumerate(sorted({o.line.index for o in shaped}, reverse=True))}
    scored = []
    for option in shaped:
        own = _content_words(option.text)
        overlap = len(own & lead_words) / len(own) if own else 0.0
        listed = max(0, _run_of_headlines(lines, option.line.index, first) - 2)
        score = (
            overlap
            + (0.5 if ranks[option.line.index] == 0 else 0.0)
            + 0.05 * option.nearness
            - 0.3 * listed
            + 0.3 * option.support
        )
        scored.append((score, option.whole, option))
    if not scored:
        return "", _headline_area(lines, body)
    score, _, best = max(scored, key=lambda item: item[:2])
    near = [
        option.line.index for option in options if option.key == best.key and option.line.index >= first - 15
    ]
    # Below the bar the line is no title, but still the likeliest place of the headline.
    return (best.text if score >= MIN_EVIDENCE else ""), min([*near, best.line.index])


def _headline_area(lines: list[_Line], body: tuple[int, int]) -> int | None:
    """Where the headline stands when none is sure: the nearest headline-shaped line of the last six
    above the body. The date, byline and section are read around it."""
    head = [line for line in lines[: body[0]] if line.kind != "empty"][-6:]
    shaped = [line for line in head if _headline_shaped(line) and not is_credit_line(line.text)]
    return max(shaped, key=lambda line: (line.words >= 3, line.index)).index if shaped else None


def _closing_lines(lines: list[_Line], last: int) -> list[str]:
    """Short standalone lines right under the body, where sites sign their articles."""
    below = [
        line
        for line in lines[last + 1 :]
        if line.kind != "empty" and not line.credit and line.reason != "cue"
    ]
    return [
        line.text
        for line in below[:3]
        if line.words <= 5 and not _SENTENCE_MARKS.search(line.text) and not re.search(r"\d", line.text)
    ]


def _section(lines: list[_Line], top: int | None, title_key: str) -> str:
    """A short header line or breadcrumb just above the headline (not the last item of a menu)."""
    if top is None:
        return ""
    above = [
        line
        for line in lines[:top]
        if (line.kind == "short" or line.reason == "repeated")
        and name_key(line.text) != title_key
        and not re.search(r"[-–—]$", line.text)
    ]
    near = [line for line in lines[:top] if line.kind != "empty"][-3:]
    if not above or above[-1] not in near:
        return ""
    candidate, previous = above[-1], above[-2] if len(above) > 1 else None
    text = candidate.text
    crumbs = bool(re.search(r"[>»›/|]", text) or re.match(r"^(?:الرئيسية|الرئيسيه|home)\s", text, re.I))
    if candidate.sentence or re.search(r"[\d:]", text) or not crumbs and candidate.words > 4:
        return ""
    after_home = previous is not None and re.fullmatch(r"الرئيسية|الرئيسيه|home", previous.text, re.I)
    in_menu = previous is not None and previous.words <= 3 and not after_home
    section = "" if in_menu and not crumbs else section_from_line(text)
    return section if _ARABIC.search(section) else ""


def _byline(
    lines: list[_Line], top: int | None, first: int, sources: list[str]
) -> tuple[str, str, list[str]]:
    """(place, author, agencies credited) of the first byline between the headline and the body."""
    start = first - 6 if top is None else top + 1
    for line in lines[max(0, start) : first]:
        if line.kind == "empty" or line.reason == "date":
            continue
        found = parse_byline(line.text, sources)
        if found:
            credit = byline_credit(line.text)
            return *found, credit.agencies if credit else []
    return "", "", []


def _site_names(
    lines: list[_Line], body: tuple[int, int], title: str, closing: list[str]
) -> dict[str, SiteName]:
    """The text's outlet-name cues, plus the outlet table's Latin names standing in short lines outside
    the body (a logo's "LBCI News"), one weight per line and at most two."""
    first, last = body
    found = source_candidates([line.text for line in lines], body, title, closing)
    seen: dict[str, SiteName] = {}
    for line in lines:
        if line.kind == "empty" or first <= line.index <= last or line.words > 6 or len(line.text) > 120:
            continue
        for outlet in {outlet.name: outlet for outlet in outlets.latin_names_in(line.text)}.values():
            site = seen.setdefault(outlet.name, SiteName(outlet.name, evidence=line.text[:120]))
            if site.weight < 2:
                site.weight += 1
                site.cues.append("masthead")
    for name, site in seen.items():
        key = name_key(name)
        if key in found:
            found[key].weight += site.weight
            found[key].cues.extend(site.cues)
        else:
            found[key] = site
    return found


def _canonical(name: str) -> str | None:
    outlet = outlets.resolve(name)
    return outlet.name if outlet else None


def clean_text_page(
    text: str,
    known_sources: Iterable[str] = (),
    repeated_lines: Collection[str] = (),
    url: str = "",
    captured: datetime | None = None,
) -> CleanArticle:
    """The article in the visible text of a news page; NotAnArticle when it holds none.

    `url`, when the page's address is known, names its outlet through the outlet table; `captured`, the
    time the page was saved, bounds its date and anchors relative stamps ("منذ 3 ساعات").
    """
    if not text or not text.strip():
        raise NotAnArticle("empty page")
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    repeated = {_key(line) for line in repeated_lines}
    lines = _describe(raw, repeated)
    clusters = _clusters(lines)
    if repeated and not clusters:
        lines = _describe(raw, ())
        clusters = _clusters(lines)
    if not clusters:
        raise NotAnArticle("no running prose: the page holds only menus, lists or short lines")
    cluster = max(clusters, key=lambda run: sum(len(line.text) for line in run if line.kind == "good"))
    if _looks_like_a_list_page(lines, clusters, cluster):
        raise NotAnArticle("a list of article summaries, no article")
    first = cluster[0].index
    title, top = _pick_title(lines, (first, cluster[-1].index))
    title_key = name_key(title)
    body, seen = [], set()
    for line in _body_lines(lines, cluster):
        if name_key(line.text) != title_key and line.text not in seen:
            body.append(line)
            seen.add(line.text)
    if sum(line.words for line in body) < MIN_BODY_WORDS:
        raise NotAnArticle("no article body: the longest run of prose is too short")
    last = body[-1].index
    known = [source for source in known_sources if source and source.strip()]
    names = _site_names(lines, (first, last), title, _closing_lines(lines, last))
    site_lines = [line.text for line in lines if 0 < line.words <= 6 and not first <= line.index <= last]
    source, evidence = pick_source(names, known, [lines[0].text, *site_lines], outlet_of=_canonical)
    candidates = [Candidate("title", title, "text", lines[top].text[:120] if top is not None else "")]
    candidates = candidates if title else []
    source_origin = "text" if source else ""
    by_url = outlets.by_domain(url) if url else None
    if by_url:
        candidates.append(Candidate("source", by_url.name, "url", url[:120]))
        source, source_origin = by_url.name, "url"
    for site in names.values():
        shown = _canonical(site.shown) or site.shown
        if shown and not outlets.is_handle(shown) and site.weight >= 1:
            candidates.append(Candidate("source", shown, "text", site.evidence))
    if evidence and not any(c.field == "source" and c.value == source for c in candidates):
        candidates.append(Candidate("source", source, "text", evidence.evidence))
    dateline, author, agencies = _byline(lines, top, first, [source, *known])
    lead = parse_lead_dateline(body[0].text)
    if not dateline and lead:
        dateline = lead[0]
    credits = [line.credit for line in lines[last + 1 : last + 6] if line.credit]
    texts = [line.text for line in lines]
    published, origin = find_article_date(texts, (first, last), top, captured=captured)
    if published:
        candidates.append(Candidate("published", published.isoformat(), "text"))
    return CleanArticle(
        title=title,
        paragraphs=[line.text for line in body],
        source=source,
        published=published,
        date_origin=origin,
        title_origin="text" if title else "",
        source_origin=source_origin,
        candidates=distinct_candidates(candidates),
        dateline=dateline,
        author=author,
        section=_section(lines, top, title_key),
        agency=next(iter([*agencies, *find_agencies(credits, body[0].text, body[-1].text)]), ""),
        url=url,
    )


def distinct_candidates(candidates: list[Candidate]) -> list[Candidate]:
    """The candidates with each (field, value, origin) once, in the order they were found."""
    seen, kept = set(), []
    for candidate in candidates:
        key = (candidate.field, name_key(candidate.value) or candidate.value, candidate.origin)
        if key not in seen:
            seen.add(key)
            kept.append(candidate)
    return kept


def closing_boilerplate(paragraphs: list[str]) -> int:
    """Where the boilerplate that closes an article starts among an extractor's paragraphs (comment
    rules, copyright, tags, "related" lists), after the first prose paragraph; len(paragraphs) if none."""
    prose = False
    for line in _describe(paragraphs, ()):
        if line.kind == "good":
            prose = True
        elif prose and line.terminal:
            return line.index
    return len(paragraphs)


def repeated_lines_across(pages: Iterable[str], min_pages: int = 2) -> set[str]:
    """Lines found on at least `min_pages` pages of one site: its boilerplate (bodies do not repeat)."""
    seen: Counter[str] = Counter()
    for page in pages:
        seen.update({_key(_clean(line)) for line in page.splitlines() if _clean(line)})
    return {line for line, count in seen.items() if count >= min_pages}
