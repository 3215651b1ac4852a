"""Dates written in Arabic news pages, and the rule for which of them belongs to the article.

Pages carry many dates (today's date in the header, stamps of related articles); only a stamp next to
the headline or the body's first lines is the article's own, and no date is better than a wrong one.
"""

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from archive.text.metadata import fold

HEAD_WINDOW = 12  # lines above the body searched for its date stamp
STAMP_LINE_WORDS = 12  # a longer line is prose, whose dates are events, not the publication

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

# Folded spellings (see metadata.fold) of month names: Egyptian/Gulf, Levantine, Maghreb, English.
_MONTHS = {
    1: "يناير كانون الثاني جانفي january jan",
    2: "فبراير شباط فيفري february feb",
    3: "مارس اذار march mar",
    4: "ابريل نيسان افريل april apr",
    5: "مايو ايار ماي may",
    6: "يونيو يونيه حزيران جوان june jun",
    7: "يوليو يوليه تموز جويليه يوليوز july jul",
    8: "اغسطس اب اوت غشت august aug",
    9: "سبتمبر ايلول شتنبر september sep sept",
    10: "اكتوبر تشرين الاول october oct",
    11: "نوفمبر تشرين الثاني نونبر november nov",
    12: "ديسمبر كانون الاول دجنبر december dec",
}
_TWO_WORD = ("كانون الثاني", "تشرين الاول", "تشرين الثاني", "كانون الاول")


def _month_table() -> dict[str, int]:
    table = {}
    for number, names in _MONTHS.items():
        rest = names
        for name in _TWO_WORD:
            if name in rest:
                table[name] = number
                rest = rest.replace(name, "")
        table.update(dict.fromkeys(rest.split(), number))
    return table


_MONTH_NUMBER = _month_table()
_MONTH = "(?:" + "|".join(sorted(map(re.escape, _MONTH_NUMBER), key=len, reverse=True)) + ")"
_NOT_LETTER_AFTER = r"(?![^\W\d_])"
_NOT_LETTER_BEFORE = r"(?<![^\W\d_])"
_MONTH_PAIR = rf"(?P<m1>{_MONTH}){_NOT_LETTER_AFTER}(?:\s*[/\\-]\s*(?P<m2>{_MONTH}){_NOT_LETTER_AFTER})?"
_WEEKDAY = r"(?:ال)?(?:سبت|احد|اثنين|ثلاثاء|اربعاء|خميس|جمعه)"
# Written so that no two quantifiers can share a character: the patterns backtrack at most linearly.
_SEP = r"\s*(?:[,،]\s*)?"

_YEAR = r"(?P<y>\d{4})(?!\d)"
_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)")
_YMD = re.compile(r"(?<!\d)(?P<y>\d{4})\s*[/.]\s*(?P<m>\d{1,2})\s*[/.]\s*(?P<d>\d{1,2})(?!\d)")
_DMY = re.compile(r"(?<![\d:])(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})(?!\d)")
_DAY_MONTH_YEAR = re.compile(rf"(?<!\d)(?P<d>\d{{1,2}}){_SEP}{_NOT_LETTER_BEFORE}{_MONTH_PAIR}{_SEP}{_YEAR}")
_MONTH_DAY_YEAR = re.compile(rf"{_NOT_LETTER_BEFORE}{_MONTH_PAIR}\s+(?P<d>\d{{1,2}}){_SEP}{_YEAR}")
# "GMT 04:00 2026 الأربعاء ,21 كانون الثاني / يناير": the stamp of the seeds' related lists.
_YEAR_WEEKDAY_DAY_MONTH = re.compile(
    rf"(?<![\d:])(?P<y>\d{{4}})\s+(?:{_WEEKDAY}){_SEP}(?P<d>\d{{1,2}})\s*{_MONTH_PAIR}"
)
_PATTERNS = (_ISO, _YMD, _DMY, _DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _YEAR_WEEKDAY_DAY_MONTH)
_TIME = re.compile(
    r"(?<![\d:])(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?(?![\d:])(?:\s*(?P<ap>[صم]|am|pm)(?!\w))?"
)
_PM_WORD = re.compile(r"\s*(?:مساء|pm)")
_AM_WORD = re.compile(r"\s*(?:صباحا|am)")
# Words that may stand between a date and its time in a stamp: weekday, separators, GMT. Each run of
# separators is possessive: it cannot hand characters back to the next one.
_GLUE_MARKS = r"[\s,،|\-–—()]*+"
_GLUE = re.compile(rf"{_GLUE_MARKS}(?:(?:gmt|utc|{_WEEKDAY}){_GLUE_MARKS})?(?:(?:gmt|utc){_GLUE_MARKS})?")
_UPDATE_CUE = re.compile(r"اخر تحديث|محدثه|تم التحديث|updated", re.IGNORECASE)
_STAMP_WORDS = re.compile(
    rf"{_WEEKDAY}|gmt|utc|تم نشره|نشر في|نشر بتاريخ|بتاريخ|التاريخ|تاريخ النشر|الموافق|صباحا|مساء|[\W\d_]"
)


def _folded(text: str) -> str:
    return fold(text.translate(_DIGITS)).lower()


def _month(name: str | None) -> int | None:
    return _MONTH_NUMBER.get(name) if name else None


def _valid(y: int, m: int, d: int) -> date | None:
    if not 1900 <= y <= 2100:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _day_from(match: re.Match) -> date | None:
    groups = match.groupdict()
    y, d = int(groups["y"]), int(groups["d"])
    if groups.get("m"):
        m = int(groups["m"])
        if m > 12 and d <= 12 and match.re is _DMY:
            d, m = m, d
        return _valid(y, m, d)
    m1, m2 = _month(groups["m1"]), _month(groups.get("m2"))
    if m2 and m2 != m1:
        return None
    return _valid(y, m1, d)


def _time_near(text: str, start: int, end: int) -> tuple[int, int, int] | None:
    """The time written right before or after the date span, outside any "updated" note.

    Nothing is sliced or searched again per time found, so a line full of times stays linear.
    """
    cue = _UPDATE_CUE.search(text)
    cue_end = cue.end() if cue else len(text) + 1
    for found in _TIME.finditer(text):
        if found.start() < end and found.end() > start:
            continue
        gap = (found.end(), start) if found.end() <= start else (end, found.start())
        if not _GLUE.fullmatch(text, *gap):
            continue
        if start < cue_end <= found.start():  # the time belongs to an "updated" note after the date
            continue
        hour, minute, second = int(found["h"]), int(found["mi"]), int(found["s"] or 0)
        pm = found["ap"] in ("م", "pm") or (not found["ap"] and _PM_WORD.match(text, found.end()))
        am = found["ap"] in ("ص", "am") or (not found["ap"] and _AM_WORD.match(text, found.end()))
        if pm and hour < 12:
            hour += 12
        elif am and hour == 12:
            hour = 0
        if hour < 24 and minute < 60 and second < 60:
            return hour, minute, second
    return None


def _first_date(text: str) -> tuple[date, int, int] | None:
    found = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            day = _day_from(match)
            if day:
                found.append((match.start(), match.end(), day))
                break
    if not found:
        return None
    start, end, day = min(found, key=lambda item: item[0])
    return day, start, end


def parse_arabic_date(text: str) -> date | datetime | None:
    """The first date written in `text`, with its time when the stamp gives one next to it."""
    folded = _folded(text)
    first = _first_date(folded)
    if not first:
        return None
    day, start, end = first
    time = _time_near(folded, start, end)
    return datetime(day.year, day.month, day.day, *time) if time else day


def is_date_stamp(text: str) -> bool:
    """True when the line is a date stamp and little else (a byline stamp, a list item's date)."""
    folded = _folded(text)
    first = _first_date(folded)
    if not first:
        return False
    _, start, end = first
    rest = _TIME.sub(" ", folded[:start] + " " + folded[end:])
    leftover = [word for word in _STAMP_WORDS.sub(" ", rest).split() if len(word) > 1]
    return len(leftover) <= 2


def _plausible(value: date | datetime | None, today: date) -> bool:
    if value is None:
        return False
    day = value.date() if isinstance(value, datetime) else value
    return day <= today + timedelta(days=2)


def not_after(value: date | datetime | None, captured: datetime | None) -> date | datetime | None:
    """value, or None when it falls on a day after the capture: a page cannot be older than its copy."""
    if value is None or captured is None:
        return value
    day = value.date() if isinstance(value, datetime) else value
    return value if day <= captured.date() else None


# A whole stamp ("أمس", "نشر منذ 3 ساعات"), never a word of a sentence: "زار دمشق أمس" is the event's day.
_RELATIVE = re.compile(
    r"(?:(?:تم )?نشر(?: في)?\s*[:：]?\s*)?(?:(?P<yesterday>امس)|منذ\s+(?:(?P<n>\d{1,2})\s+)?"
    r"(?P<unit>دقيقه|دقيقتين|دقائق|ساعه|ساعتين|ساعات|يوم|يومين|ايام))"
)
_UNIT_HOURS = {"دقيقه": 0, "دقيقتين": 0, "دقائق": 0, "ساعه": 1, "ساعتين": 2, "ساعات": 1}
_UNIT_DAYS = {"يوم": 1, "يومين": 2, "ايام": 1}


def relative_date(text: str, captured: datetime | None) -> date | None:
    """The day a stamp such as "أمس" or "منذ 3 ساعات" names, counted back from the capture; None without
    one (counted from today it would date every old page to the day it was read)."""
    if captured is None:
        return None
    found = _RELATIVE.fullmatch(" ".join(_folded(text).split()))
    if not found:
        return None
    if found["yesterday"]:
        return captured.date() - timedelta(days=1)
    unit, count = found["unit"], int(found["n"] or 1)
    if unit in _UNIT_HOURS:
        return (captured - timedelta(hours=count * _UNIT_HOURS[unit])).date()
    return captured.date() - timedelta(days=count * _UNIT_DAYS[unit])


_COPYRIGHT = re.compile(r"©|copyright|حقوق|all rights", re.IGNORECASE)


def _update_stamp(folded: str) -> bool:
    """A line that dates an update, not the article: "آخر تحديث: ...", or "الأربعاء 28 آب 2013، آخر
    تحديث 14:00", where the day before the cue is the update's own since only its time follows."""
    cue = _UPDATE_CUE.search(folded)
    if not cue:
        return False
    return not folded[: cue.start()].strip(" ،,|-") or _first_date(folded[cue.end() :]) is None


def find_article_date(
    lines: Sequence[str],
    body_span: tuple[int, int],
    title_index: int | None = None,
    today: date | None = None,
    captured: datetime | None = None,
) -> tuple[date | datetime | None, str]:
    """The article's own date and its origin ("text"), or (None, "").

    `body_span` is the (first, last) 0-based index of the body; `title_index` the headline's line.
    Only two places are read: short lines between the headline and the body, and a bare date stamp
    directly under the body (a byline stamp, not the first of a list of stamped headlines). Update
    stamps and copyright lines never date it, nor a day after `captured`; a relative stamp ("أمس",
    "منذ 3 ساعات") is read only against `captured`.
    """
    today = captured.date() if captured else today or date.today()
    first, last = body_span
    start = first - 4 if title_index is None or not 0 <= title_index < first else title_index + 1
    head = [
        line
        for line in lines[max(0, start, first - HEAD_WINDOW) : first]
        if len(line.split()) <= STAMP_LINE_WORDS and not _COPYRIGHT.search(line)
    ]
    for line in head:
        if _update_stamp(_folded(line)):
            continue
        value = not_after(parse_arabic_date(line), captured)
        if _plausible(value, today):
            return value, "text"
    below = [line for line in lines[last + 1 :] if line.strip()]
    if below and is_date_stamp(below[0]) and not any(is_date_stamp(line) for line in below[1:4]):
        value = not_after(parse_arabic_date(below[0]), captured)
        if _plausible(value, today) and not _update_stamp(_folded(below[0])):
            return value, "text"
    for line in head:
        if value := relative_date(line, captured):
            return value, "text"
    return None, ""


# A date in a URL path: /2013/08/03/, /2020/8/24/, /2013/middle_east/8/3/ (one section word between year
# and month), /2020-06-03-1.38, /20200317104489.../ (a numeric id that opens with the day).
_URL_SLASHED = re.compile(
    r"(?<![\w])(?P<y>(?:19|20)\d{2})/(?:[a-z][a-z_-]{1,30}/)?(?P<m>\d{1,2})/(?P<d>\d{1,2})(?=/|\.|$)",
    re.IGNORECASE,
)
_URL_DASHED = re.compile(r"(?<![\w])(?P<y>(?:19|20)\d{2})-(?P<m>\d{2})-(?P<d>\d{2})(?!\d)")
_WAYBACK = re.compile(r"^/web/\d{8,14}[a-z_]*/")
_URL_COMPACT = re.compile(r"(?<![\w])(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?=\d{0,12}(?:\D|$))")


def url_date(url: str) -> date | None:
    """The day a URL's path gives, or None. The host and query are never read (ids, tracking), and of
    an archived copy's URL (web.archive.org/web/2011.../http://site/...) only the original's path."""
    try:
        path = urlsplit(url.strip()).path
    except ValueError:
        return None
    path = path[path.rfind("http") :] if "http" in path else _WAYBACK.sub("/", path)
    for pattern in (_URL_SLASHED, _URL_DASHED, _URL_COMPACT):
        for match in pattern.finditer(path):
            found = _valid(int(match["y"]), int(match["m"]), int(match["d"]))
            if found:
                return found
    return None
