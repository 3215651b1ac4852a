"""Article metadata read from the short lines around a news body: byline, outlet, wire agency, section.

Each reader looks at one kind of line (a "place - name" byline, a "site -" header, a closing credit)
because the same words elsewhere on a page (an agency cited in the body, a name in a list) mean nothing.
"""

import html
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from archive.text.agencies import agencies_in, agency_name

_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "ء", "ئ": "ء"})
_MARKS = re.compile(r"[\u0640\u064b-\u065f\u0670\u06d6-\u06ed\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def _fold_spelling(text: str) -> str:
    """Hamza forms, alef maqsura and ta marbuta folded; tashkeel, tatweel and bidi marks dropped."""
    return _MARKS.sub("", text).translate(_FOLD)


try:
    from archive.text.arabic import normalize as fold
except ImportError:  # the search analyzer is optional here: the cleaner only needs spelling folded
    fold = _fold_spelling


def name_key(text: str) -> str:
    """Comparison key of a name or headline: folded, lower case, letters and digits only."""
    return " ".join(re.sub(r"[^\w\s]", "", fold(text).lower()).split())


# Places that open datelines, used to tell "place - name" from "name - place".
_PLACES = frozenset(
    name_key(place)
    for place in """بيروت دمشق القاهرة عمان الرياض جدة مكة المدينة الدمام دبي أبوظبي الشارقة الدوحة
    الكويت المنامة مسقط صنعاء عدن تعز بغداد البصرة أربيل الموصل كركوك النجف كربلاء الخرطوم طرابلس بنغازي
    مصراتة تونس صفاقس الجزائر وهران الرباط فاس مراكش طنجة نواكشوط القدس غزة نابلس الخليل جنين حلب
    حمص حماة اللاذقية طرطوس إدلب درعا الرقة الحسكة القامشلي السويداء صيدا صور طهران أنقرة إسطنبول اسطنبول
    موسكو واشنطن نيويورك لندن باريس برلين بروكسل جنيف فيينا روما مدريد بكين طوكيو نيودلهي كابول كييف
    الإسكندرية الأقصر أسوان بورسعيد السويس الإسماعيلية المنصورة طنطا الزقازيق أسيوط سوهاج المنيا
    الفيوم""".split()
) | {name_key(p) for p in ("الدار البيضاء", "رام الله", "دير الزور", "أبو ظبي", "شرم الشيخ", "نيو يورك")}

_SENTENCE = re.compile(r"[.!?؟\"“”«»]")
# Regexes here backtrack at most linearly: a run of spaces or dashes is entered only at its start (the
# lookbehinds), and a quantifier followed by what cannot extend it is possessive (*+, ++).
_DASH = r"(?<![\s\-–—])(?:\s+ـ+\s+|\s+[-–—]+\s*|\s*[-–—]+\s+)"
_BYLINE_LEAD = re.compile(
    r"^(?:كتب|كتبت|بقلم|حوار|إعداد|اعداد|تقرير|متابعة|تحرير|بواسطة|by)\b\s*+(?:[:：-]\s*+)?(.+)$", re.I
)
# Desk credits in the name slot of a byline ("عين اليوم – متابعات"): no person, often no place.
_DESK_CREDITS = re.compile(r"متابعات|وكالات|عواصم|خاص|مراسلنا|المحرر|محرر الموقع|الموقع")
_OUTLET_WORDS = re.compile(
    r"(?:^|\s)(?:وكالة|وكاله|صحيفة|صحيفه|موقع|قناة|قناه|شبكة|شبكه|جريدة|جريده|مجلة|مجله|إذاعة|اذاعه)(?:\s|$)"
    r"|نيوز|برس|بوست|تايمز|اونلاين|أونلاين|news|press|post|times|online|\btv\b|\bfm\b|إف إم|اف ام|\.com|\.net"
    r"|\.نت|اليوم$",
    re.I,
)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def _is_outlet(name: str, source_names: Iterable[str]) -> bool:
    key = name_key(name)
    if agency_name(name) or _OUTLET_WORDS.search(name):
        return True
    words = key.split()
    if len(words) == 1 and words[0].startswith("ال"):
        return True
    return any(key and key == name_key(source) for source in source_names)


def parse_byline(line: str, source_names: Iterable[str] = ()) -> tuple[str, str] | None:
    """(place, author) of a byline such as "دمشق ـ نور خوّام" or "كتب فلان", else None.

    An outlet or agency in the name slot ("بيروت - صوت الإمارات") gives an empty author.
    """
    text = line.strip().strip("()").strip()
    if not text or _SENTENCE.search(text) or re.search(r"\d", text) or len(_words(text)) > 8:
        return None
    source_names = tuple(source_names)
    lead = _BYLINE_LEAD.match(text)
    if lead:
        author = lead.group(1).strip()
        if not 1 <= len(_words(author)) <= 5:
            return None
        return "", "" if _is_outlet(author, source_names) else author
    parts = [part.strip() for part in re.split(_DASH, text)]
    if len(parts) != 2 or not all(parts):
        return None
    place, name = parts
    if name_key(name) in _PLACES and name_key(place) not in _PLACES:
        place, name = name, place
    known_place = name_key(place) in _PLACES
    if not (1 <= len(_words(place)) <= (3 if known_place else 2) and 1 <= len(_words(name)) <= 5):
        return None
    if _DESK_CREDITS.fullmatch(name):
        return ("", "") if not known_place else (place, "")
    if _is_outlet(name, source_names):
        return place, ""
    mixed = re.search(r"[A-Za-z]", name) and re.search(r"[\u0600-\u06ff]", name)
    return None if mixed or len(_words(name)) < 2 else (place, name)


_LEAD_DATELINE = re.compile(
    r"^(?P<place>[^\W\d][^()،,:\-–—]{1,25}?)(?:\s*[،,]\s*[^()\-–—:]{2,25}?)?"  # "دمشق، سوريا"
    r"\s*+(?:\((?P<credit>[^)]{1,30})\))?\s*+(?:[-–—]+|:)\s*\S"  # " (CNN) -- "
)


def parse_lead_dateline(paragraph: str) -> tuple[str, str] | None:
    """(place, credit) opening a body's first paragraph, e.g. "دمشق، سوريا (CNN) -- ...", else None."""
    match = _LEAD_DATELINE.match(paragraph.strip())
    if not match:
        return None
    place, credit = match["place"].strip(), (match["credit"] or "").strip()
    if len(_words(place)) > 3 or not (credit or name_key(place) in _PLACES):
        return None
    return place, credit


_TASHKEEL = "[\u064b-\u0652]*"
# The credited name is what follows the cue, less its closing spaces, brackets and dots (see _name_before).
_CREDIT_PREFIX = re.compile(
    rf"[\s*(\[-]*+نقل{_TASHKEEL}ا?{_TASHKEEL}\s+عن\s*+(?:[:：]\s*+)?(?P<name>.+)", re.DOTALL
)
_CREDIT_SOURCE = re.compile(r"[\s*(\[-]*+(?:المصدر|مصدر الخبر)\s*+[:：]\s*+(?P<name>.+)", re.DOTALL)
_BRACKETS = re.compile(r"[()\[\]]")


def _name_before_closing(text: str) -> str:
    """text less the spaces, closing brackets and dots that end it."""
    end = len(text)
    while end and (text[end - 1].isspace() or text[end - 1] in ")]."):
        end -= 1
    return text[:end]


def credit_line(line: str) -> str | None:
    """The credited name when the whole line is a credit ("نقلًا عن وام", "--(بترا)", "المصدر: واس")."""
    text = line.strip()
    for pattern in (_CREDIT_PREFIX, _CREDIT_SOURCE):
        match = pattern.match(text)
        name = _name_before_closing(match["name"]) if match else ""
        if name and not _BRACKETS.search(name) and 1 <= len(_words(name)) <= 5:
            return name.strip()
    bare = text.strip("-–—()[] .")
    return bare if bare and agency_name(bare) else None


# Only the ends of a body are read for credits: a credit is short, and the bound keeps every regex linear.
_EDGE_CHARS = 160
_BYLINE_PARTS = re.compile(rf"{_DASH}|\s*[:：/|]\s*")
_LEAD_PAREN = re.compile(r"^(?P<head>[^()]{0,40}?)\s*\(\s*(?P<credit>[^()]{1,30}?)\s*\)\s*(?:[-–—:]|$)")
_LEAD_COLON = re.compile(r"^(?P<head>[^:：()\"«».،!?؟]{2,50}?)\s*[:：]")
_BRACKETED = re.compile(r"(?P<outer>[^()]{2,40}?)\s*\((?P<inner>[^()]{2,40})\)")
_PLAIN = r"[^:：()\"«».،!?؟\-–—]"  # what a byline's place or name is made of
_LEAD_DASHES = re.compile(rf"^(?P<head>{_PLAIN}{{2,30}}?(?:{_DASH}{_PLAIN}{{1,25}}?)?){_DASH}")
# Saudi Press Agency style: "الرياض 26 شوال 1436 هـ الموافق 11 أغسطس 2015 م واس".
_LEAD_DATED = re.compile(
    r"^[^\d]{2,30}?\s+\d{1,2}\s+\S+\s+\d{4}\s*(?:هـ\s*)?(?:الموافق\s+\d{1,2}\s+\S+\s+\d{4}\s*م?)?\s*"
    r"(?P<credit>[^\s\d]{2,12})(?:\s|$)"
)
_CLOSING = re.compile(
    r"[.!?؟\"”»…]\s*+(?:\(\s*+(?P<paren>[^()]{1,40})\s*+\)|«(?P<quoted>[^«»]{1,30})»|[-–—]+\s*+(?P<dash>[^-–—()]{1,30}))"
    r"\s*+\.?\s*+$"
)
MAX_CREDIT_WORDS = 8


@dataclass
class BylineCredit:
    """What a byline or author field crediting agencies holds: a place, a person, the agencies."""

    place: str = ""
    author: str = ""
    agencies: list[str] = field(default_factory=list)


def _trimmed(part: str) -> str:
    """A byline piece less its quotes, colons and dots, and less brackets only when they do not pair."""
    part = part.strip(' \t:：.«»"')
    while part[:1] == "(" and part.count("(") > part.count(")") or part[:1] == "(" and part[-1:] == ")":
        part = part[1:].strip()
    while part[-1:] == ")" and part.count(")") > part.count("("):
        part = part[:-1].strip()
    return part


def _listed(part: str) -> list[str]:
    """The pieces of "العربية.نت، رويترز" when the list holds an agency; else the part whole."""
    pieces = [piece.strip() for piece in re.split(r"\s*[،,]\s*", part)]
    return pieces if len(pieces) > 1 and any(agency_name(piece) for piece in pieces) else [part]


def byline_credit(text: str) -> BylineCredit | None:
    """The agencies a byline credits ("القاهرة - د ب أ", "واس - الرياض", "الوئام - رويترز:",
    "فرانس24/ أ ف ب"), with its place and the person it names if any; None when it credits no agency.

    Outlets and desk credits beside the agency are dropped. Beside an agency, a piece that is not an
    outlet is the place ("سان بطرسبرغ - د ب أ"): that is how datelines credit wires, and a person's name
    there is rare; a piece led by "كتب" or "بقلم", or a second piece after a place, stays the author.
    """
    text = _trimmed(html.unescape(text[:200]).replace("\xa0", " "))
    if not text or len(text) > 80 or len(_words(text)) > MAX_CREDIT_WORDS:
        return None
    whole = agencies_in(text)
    if whole:
        return BylineCredit(agencies=whole)
    parts = _BYLINE_PARTS.split(text)
    bracketed = _BRACKETED.fullmatch(text) if len(parts) == 1 else None  # "رويترز (لندن)", "عكاظ (رويترز)"
    parts = [bracketed["outer"], bracketed["inner"]] if bracketed else parts
    parts = [piece for part in parts for piece in _listed(_trimmed(part)) if piece]
    if not 2 <= len(parts) <= 4:
        return None
    credit = BylineCredit()
    others = []
    for part in parts:
        names = agencies_in(part)
        lead = _BYLINE_LEAD.match(part)
        if names:
            credit.agencies.extend(name for name in names if name not in credit.agencies)
        elif re.search(r"وكال|قال|ذكر|أفاد|نقل", part):  # a sentence that names an agency credits none
            return None
        elif lead:
            credit.author = lead.group(1).strip()
        elif name_key(part) in _PLACES and not credit.place:
            credit.place = part
        elif not (_is_outlet(part, ()) or _DESK_CREDITS.fullmatch(part) or re.search(r"[\d.]", part)):
            others.append(part)
    if others and not credit.place:
        credit.place = others.pop(0)
    if others and not credit.author:
        credit.author = others.pop(0)
    if not credit.agencies or others or len(_words(credit.place)) > 4 or len(_words(credit.author)) > 5:
        return None
    return credit


def lead_agencies(paragraph: str) -> list[str]:
    """Agencies credited where a body opens: "بيروت (رويترز) -", "القاهرة - د ب أ -", "واس - الرياض:",
    "(د.ب.أ) -", "الرياض 26 شوال ... واس", or a first line that is nothing but a credit."""
    text = paragraph.strip()[:_EDGE_CHARS]
    if len(_words(text)) <= MAX_CREDIT_WORDS and len(paragraph.strip()) <= _EDGE_CHARS:
        whole = byline_credit(text)
        if whole:
            return whole.agencies
    paren = _LEAD_PAREN.match(text)
    if paren and len(_words(paren["head"])) <= 4 and not re.search(r"وكال", paren["head"]):
        names = agencies_in(paren["credit"])
        if names:
            return names
    for pattern in (_LEAD_COLON, _LEAD_DASHES):
        match = pattern.match(text)
        credit = byline_credit(match["head"]) if match else None
        if credit:
            return credit.agencies
    dated = _LEAD_DATED.match(text)
    return agencies_in(dated["credit"]) if dated else []


def closing_agencies(paragraph: str) -> list[str]:
    """Agencies credited where a body ends: a last line that is only a credit ("(رويترز)",
    "فرانس 24/ أ ف ب", "المصدر: وكالات"), or one after its last sentence ("المقبل. (رويترز)", "أمس.«واس»")."""
    text = paragraph.strip()
    if len(text) <= _EDGE_CHARS and len(_words(text)) <= MAX_CREDIT_WORDS:
        whole = byline_credit(text)
        if whole:
            return whole.agencies
    closing = _CLOSING.search(text[-_EDGE_CHARS:])
    if not closing:
        return []
    return agencies_in(closing["paren"] or closing["quoted"] or closing["dash"] or "")


def find_agencies(credits: Sequence[str], first_paragraph: str = "", last_paragraph: str = "") -> list[str]:
    """The agencies an article credits, in the order of its credit lines, its opening and its close.

    Agencies merely mentioned in the text ("قال لوكالة فرانس برس", "قالت مصادر لرويترز") are not credits:
    only what stands where outlets put credits counts.
    """
    found: list[str] = []
    for names in (
        *(agencies_in(credit) for credit in credits if credit),
        lead_agencies(first_paragraph),
        closing_agencies(last_paragraph),
    ):
        found.extend(name for name in names if name not in found)
    return found


@dataclass
class WireCredit:
    agency: str
    author: str
    dateline: str


def wire_credit(author: str, dateline: str, paragraphs: Sequence[str], agency: str = "") -> WireCredit:
    """Agency, author and dateline once wire credits are read: an author field that only credits an
    agency ("لندن - رويترز") gives its agency and place, and leaves the author empty.

    The agency is the first credited: the author field, then the body's opening and its close. An
    `agency` already found by a cleaner comes first when it names an agency of the table, by its
    canonical name ("Reuters" is رويترز).
    """
    byline = byline_credit(author) if author else None
    known = agency_name(agency) if agency else ""
    found = [known] if known else []
    if byline:
        author, dateline = byline.author, dateline or byline.place
        found.extend(byline.agencies)
    first, last = (paragraphs[0], paragraphs[-1]) if paragraphs else ("", "")
    found.extend(find_agencies((), first, last if len(paragraphs) > 1 else ""))
    return WireCredit(agency=found[0] if found else "", author=author, dateline=dateline)


_BADGES = re.compile(r"(?<!\s)\s*(?:عاجل|حصري|جديد|بالفيديو|فيديو|مباشر)\s*+$")
_CRUMB_SEPARATORS = re.compile(r"(?<!\s)\s*[>»›/|]\s*")


def section_from_line(line: str) -> str:
    """The section named by a short header line or breadcrumb ("الرئيسية > سياسة" gives "سياسة")."""
    text = line.strip()
    home = re.match(r"^(?:الرئيسية|الرئيسيه|home)\s*[>»›/|]?\s*", text, re.I)
    if home:
        text = text[home.end() :]
    crumbs = [crumb for crumb in _CRUMB_SEPARATORS.split(text) if crumb.strip()]
    text = crumbs[-1].strip() if crumbs else ""
    stripped = _BADGES.sub("", text)
    return (stripped or text).strip(" -–—")


# Where an outlet names itself, with the weight of each cue.
_HEADER = re.compile(r"^(?P<name>[^\d:|]{2,40}?)\s*[-–—]+\s*$")
HEADLINE_PARTS = 4
_PARTS = re.compile(r"(?<!\s)(?:\s+[-–—|]\s+|\s*:-\s*)")
_CHANNEL = re.compile(
    r"قنا[ةه]\s++(?P<name>.{2,40}?)\s++(?:على|علي|عبر)\s+(?:ال)?(?:تلجرام|تليجرام|تلغرام|تيليغرام|تيليجرام|تيلغرام|"
    r"telegram|يوتيوب|واتساب|واتس اب)"
)
_CHANNEL_URL = re.compile(r"(?:telegram\.me|t\.me)/(?P<name>[A-Za-z][\w]{2,40})")
_COPYRIGHT = re.compile(
    r"(?:(?:جميع\s+)?الحقوق\s*(?:©\s*)?محفوظة\s*(?:ل|لـ)\s*+[\"«]?(?P<a>[^\"»©\d]{2,50}?)[\"»]?\s*+(?:\d|©|-|–|$))"
    r"|(?:©\s*\d{4}\s*+(?P<b>[^\d©.|-]{2,40}?)\s*+(?:\.|\||-|$))"
)
_LATIN_TOKEN = re.compile(r"^[A-Za-z][A-Za-z0-9-]{3,40}$")
_NOT_A_NAME = re.compile(r"حقوق|محفوظ|rights|reserved|copyright")


def same_headline(key: str, title_key: str) -> bool:
    """Whether comparison key `key` is the headline `title_key`, or the cut-off start of it."""
    return bool(key and title_key) and (
        key == title_key or (len(key) >= 0.6 * len(title_key) and title_key.startswith(key))
    )


def headline_parts(text: str) -> list[str]:
    """The pieces of a "site - headline" or "headline | site" line, or [] when it has none.

    A line of more pieces is a menu or a list, not a headline: [] too, which also keeps the
    comparisons of every piece with every line's pieces bounded.
    """
    parts = [part.strip() for part in _PARTS.split(text, maxsplit=HEADLINE_PARTS)]
    return parts if 1 < len(parts) <= HEADLINE_PARTS else []


def _names_in(text: str, title_key: str) -> Iterator[tuple[str, float, str]]:
    """Outlet names one line outside the body gives, with the weight and the kind of each cue."""
    header = _HEADER.match(text)
    if header and 1 <= len(_words(header["name"])) <= 4:
        yield header["name"], 3, "header"
        return
    parts = headline_parts(text)
    if parts and title_key:
        head, rest = parts[0], parts[1:]
        if same_headline(name_key(" ".join(rest)), title_key) and len(_words(head)) <= 4:
            yield head, 3, "title"
        elif same_headline(name_key(head), title_key):
            sites = [site for site in rest if len(_words(site)) <= 5]
            for number, site in enumerate(sites):
                yield site, 3 if number == len(sites) - 1 else 1, "title"
    for match in _CHANNEL.finditer(text):
        yield match["name"], 3, "channel"
    for match in _CHANNEL_URL.finditer(text):
        yield match["name"], 1, "channel"
    copyright_ = _COPYRIGHT.search(text)
    if copyright_:
        yield copyright_["a"] or copyright_["b"] or "", 1, "copyright"


@dataclass
class SiteName:
    """An outlet name a page gives outside its body: the summed weight of its cues, and where it was read."""

    shown: str
    weight: float = 0.0
    cues: list[str] = field(default_factory=list)
    evidence: str = ""  # the first line it was read from


MIN_SOURCE_WEIGHT = 2  # one strong cue (a "site -" header, the browser title's site, a signed close)
# What a short line outside the body names that is never the outlet: sections, the comments header,
# widgets, people by their title, credit lines ("مدير التحرير: ...").
_NOT_A_SITE_WORDS = frozenset(
    name_key(word)
    for word in """منوعات تعليقات التعليقات تعليق رياضة الرياضة سياسة السياسة اقتصاد الاقتصاد ثقافة فن فنون
    مجتمع محليات دولي عربي عالمي عربية دولية تكنولوجيا صحة الرئيسية أخبار الأخبار فيديو صور مقالات آراء
    رأي حوارات تقارير ملفات الطقس شارك المزيد بحث القائمة إعلان اعلانات عاجل ترند""".split()
)
_NOT_A_SITE = re.compile(
    r"^(?:اسعار|سعر|حاله الطقس|الطقس|مواقيت|استطلاع|الاكثر|اخر|اقرا|شاهد|تابع|اشترك|رءيس|مدير|المدير|المءسس|"
    r"مءسس|وزير|الوزير|نائب|الدكتور|د|الشيخ|السيد|الكاتب|المحرر|محرر|بقلم|كتب|تحرير|اعداد|تصوير|"
    r"مراسل|المراسل|رءيسه|مديره|وزيره)(?:\s|$)"
)


def _not_a_site(name: str) -> bool:
    key = name_key(name)
    return (
        key in _NOT_A_SITE_WORDS
        or bool(_NOT_A_SITE.match(key))
        or bool(re.search(r"[:：،,؟?!]", name))
        or "@" in name
        or "_" in name
    )


def source_candidates(
    lines: Sequence[str], body: tuple[int, int], title: str, closing: Sequence[str] = ()
) -> dict[str, SiteName]:
    """Outlet names the page gives outside its body, keyed by name_key, with a summed weight.

    Cues: "site -" headers, "site - headline" and "headline - site" lines, a channel to subscribe to,
    the copyright holder, `closing` (short lines signing the body: an outlet-shaped name, or the
    heading of an about-us box, weighs 2, anything else such as an author's name 1), a Latin site
    token repeated on its own lines, a "site :-" opening the body, and bylines naming an outlet found.
    Sections, the comments header, widgets, people's titles and handles are never names.
    """
    found: dict[str, SiteName] = {}

    def add(name: str, weight: float, cue: str, line: str) -> None:
        name = name.strip(" -–—:|\"«»'")
        if re.search(r"[\u0600-\u06ff]", name):
            name = re.split(r"(?<!\s)\s+(?=[A-Za-z])", name)[0]
        key = name_key(name)
        if not key or len(key.split()) > 6 or not re.search(r"[^\W\d_]", key) or _NOT_A_NAME.search(key):
            return
        if _not_a_site(name):
            return
        site = found.setdefault(key, SiteName(name, evidence=line.strip()[:120]))
        site.weight += weight
        site.cues.append(cue)

    title_key = name_key(title)
    first, last = body
    outside = [line.strip() for i, line in enumerate(lines) if (i < first or i > last) and line.strip()]
    for text in outside:
        for name, weight, cue in _names_in(text, title_key):
            add(name, weight, cue, text)
    following = {text: outside[i + 1] for i, text in enumerate(outside[:-1])}
    for text in closing:
        blurb = name_key(following.get(text, ""))
        about_box = bool(name_key(text)) and blurb.startswith(name_key(text) + " ")
        outlet_shaped = bool(_LATIN_TOKEN.match(text) or _OUTLET_WORDS.search(text))
        add(text, 2 if about_box or outlet_shaped and not _LATIN_TOKEN.match(text) else 1, "closing", text)
    latin = Counter(text.lower() for text in outside if _LATIN_TOKEN.match(text))
    for token, count in latin.items():
        if count >= 2:
            add(token, 1, "site token", token)
    if 0 <= first < len(lines):
        prefix = re.match(r"^(?P<name>[^\d:]{2,30}?)\s*:-", lines[first].strip())
        if prefix:
            add(prefix["name"], 2, "body prefix", lines[first])
    for text in outside:
        byline = parse_byline(text)
        if byline and name_key(byline[1]) in found:
            add(byline[1], 1, "byline", text)
    return found


def pick_source(
    candidates: dict[str, SiteName],
    known_sources: Iterable[str] = (),
    site_lines: Iterable[str] = (),
    outlet_of: Callable[[str], str | None] = lambda name: None,
) -> tuple[str, SiteName | None]:
    """(outlet name, its evidence): a name the archive already knows wins over any other, then an outlet
    of the outlet table under its canonical name (`outlet_of`), then the best-supported other name;
    ("", None) when none has the weight of one strong cue. No name is better than a wrong one.

    `site_lines` are short lines outside the body where a name the archive knows may stand on its own.
    """
    known = {name_key(source): source.strip() for source in known_sources if name_key(source)}
    site_text = " | ".join(name_key(line) for line in site_lines)
    matches = [
        SiteName(source, site.weight, site.cues, site.evidence)
        if (site := candidates.get(key))
        else SiteName(source, 1.0, ["known"], source)
        for key, source in known.items()
        if key in candidates or re.search(rf"(?<!\w){re.escape(key)}(?!\w)", site_text)
    ]
    if matches:
        best = max(matches, key=lambda site: (site.weight, bool(re.search(r"[\u0600-\u06ff]", site.shown))))
        return best.shown, best
    merged: dict[str, tuple[SiteName, bool]] = {}
    for site in candidates.values():
        canonical = outlet_of(site.shown)
        key = name_key(canonical or site.shown)
        if key in merged:
            merged[key][0].weight += site.weight
            merged[key][0].cues.extend(site.cues)
        else:
            shown = SiteName(canonical or site.shown, site.weight, list(site.cues), site.evidence)
            merged[key] = (shown, bool(canonical))
    eligible = [(site, in_table) for site, in_table in merged.values() if site.weight >= MIN_SOURCE_WEIGHT]
    if not eligible:
        return "", None

    def rank(entry: tuple[SiteName, bool]) -> tuple[bool, float, bool]:
        site, in_table = entry
        return in_table, site.weight, bool(re.search(r"[\u0600-\u06ff]", site.shown))

    best = max(eligible, key=rank)[0]
    return best.shown, best
