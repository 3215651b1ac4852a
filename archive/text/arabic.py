"""Arabic analysis for search: normalization, stop words, light stemming and spelling-variant folding.

Pure Python (no Django, no Whoosh) so indexing, querying, the tests and the evaluation bench share one
implementation. See docs/arabic-analysis.md for the pipeline and the evidence behind each choice.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import NamedTuple

import Stemmer

# --- Normalization -------------------------------------------------------------------------------------

# Deleted outright: harakat and other Arabic combining marks (U+064B–U+065F, superscript alef U+0670,
# Quranic annotation signs), tatweel, bidi controls, zero-width characters and the soft hyphen.
_DELETED = (
    [*range(0x064B, 0x0660), 0x0670, *range(0x0610, 0x061B), *range(0x06D6, 0x06DD), *range(0x06DF, 0x06E9)]
    + [*range(0x06EA, 0x06EE), 0x0640, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x061C]
    + [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD]
)

# Hamza on waw (ؤ) and on yeh (ئ) are folded to the bare hamza ء, not to و/ي. Measured on the 71k-article
# corpus (17.6M words): folding to و/ي merges distinct words (يؤسف/يوسف, فئة/فيه, سئل/سيل, زائد/زايد,
# ولائه/ولاية: 23 of the 40 most frequent ؤ→و pairs and 32 of the 40 ئ→ي pairs are different words), while
# the seat alternations ؤ/ئ/ء are the same word in case inflection or Egyptian spelling (أبناؤه/أبنائه/أبناءه,
# المسؤولين/المسئولين, شؤون/شئون: 38 of the 40 most frequent ؤ↔ئ pairs). Figures: docs/arabic-analysis.md.
_FOLDED = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ٲ": "ا",
    "ٳ": "ا",
    "ى": "ي",
    "ی": "ي",
    "ة": "ه",
    "ۃ": "ه",
    "ھ": "ه",
    "ہ": "ه",
    "ک": "ك",
    # Persian, Kurdish and Urdu heh and yeh forms, as their keyboards type them.
    "ە": "ه",
    "ۀ": "ه",
    "ۂ": "ه",
    "ے": "ي",
    "ۓ": "ي",
    "ؤ": "ء",
    "ئ": "ء",
    # Letters of Persian and Maghrebi transliteration, written for foreign sounds (v, g, p, ch, zh).
    "ڤ": "ف",
    "ڨ": "ق",
    "گ": "ك",
    "پ": "ب",
    "چ": "ج",
    "ژ": "ز",
}
_TABLE = str.maketrans(
    {
        **dict.fromkeys(_DELETED),
        **{ord(k): v for k, v in _FOLDED.items()},
        **{0x0660 + d: str(d) for d in range(10)},
        **{0x06F0 + d: str(d) for d in range(10)},
    }
)


def normalize(text: str) -> str:
    """Fold the ways Arabic writes one word into one spelling; applied before tokenizing."""
    return unicodedata.normalize("NFKC", text).translate(_TABLE).lower()


# --- Tokenizing with offsets into the original text ---------------------------------------------------


class Token(NamedTuple):
    text: str
    start: int
    end: int


INVISIBLE = frozenset(chr(c) for c in _DELETED if unicodedata.category(chr(c)) != "Mn")
_INVISIBLE = "".join(sorted(INVISIBLE))
# A raw word: letters and digits plus the marks and invisible characters that normalize() deletes, so a
# word interrupted by a diacritic, a tatweel or a bidi mark stays one word.
_RAW_MARKS = r"\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed" + _INVISIBLE
_RAW_WORD = re.compile(r"(?:[^\W_]|[" + _RAW_MARKS + "])+")
# The same words and the underscores between them, which one character class finds in half the time of
# _RAW_WORD's alternation: the tokenizers split a run at its underscores (rare in news text).
_RAW_RUN = re.compile(r"[\w" + _RAW_MARKS + "]+")
# A normalized word: a run of Arabic letters, or of other letters and digits. Arabic glues conjunctions and
# prepositions to numbers (و5, ل15, ابريل2015), so digits never join an Arabic word.
_ARABIC_BLOCKS = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff"
_ARABIC_LETTERS = "".join(
    c
    for c in map(chr, [*range(0x0600, 0x0700), *range(0x0750, 0x0780), *range(0x08A0, 0x0900)])
    if unicodedata.category(c)[0] in "LM"
)
_WORD = re.compile(f"[{_ARABIC_LETTERS}]+|[^\\W_{_ARABIC_BLOCKS}]+")


@lru_cache(maxsize=200_000)
def _normalize_word(raw: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(normalize(raw)))


def tokenize_with_offsets(text: str) -> Iterator[Token]:
    """Normalized words with [start, end) offsets into the ORIGINAL text, for highlighting.

    Equivalent to tokenizing normalize(text): each raw word is normalized on its own, so offsets survive
    NFKC and deletions. A raw word that normalizes to several words (a ligature like ﷺ) gives each of them
    the raw word's span. Lazy, so that looking for a first match stops there.
    """
    for match in _RAW_RUN.finditer(text):
        raw = match.group()
        if "_" in raw:
            yield from _underscored(raw, match.start())
            continue
        words = _normalize_word(raw)
        if not words:
            continue
        start = match.start()
        end = start + len(raw)
        if raw[0] in _INVISIBLE or raw[-1] in _INVISIBLE:
            start += len(raw) - len(raw.lstrip(_INVISIBLE))
            end -= len(raw) - len(raw.rstrip(_INVISIBLE))
        for word in words:
            yield _new_token(Token, (word, start, end))


def _underscored(run: str, start: int) -> Iterator[Token]:
    """The tokens of a run of raw words joined by underscores, which separate words."""
    for raw in run.split("_"):
        if raw:
            for token in tokenize_with_offsets(raw):
                yield _new_token(Token, (token.text, start + token.start, start + token.end))
        start += len(raw) + 1


# Makes a Token without NamedTuple's own __new__, a Python call per word.
_new_token = tuple.__new__


def tokenize(text: str) -> list[str]:
    """The words of tokenize_with_offsets without their offsets: what indexing needs, in half the time."""
    words: list[str] = []
    for run in _RAW_RUN.findall(text):
        if "_" not in run:
            words.extend(_normalize_word(run))
            continue
        for raw in run.split("_"):
            if raw:
                words.extend(_normalize_word(raw))
    return words


# --- Stop words -----------------------------------------------------------------------------------------

# Jacques Savoy's Arabic list as Lucene ships it (119 words, unnormalized: Lucene applies it before
# normalization, hence the duplicate spellings).
LUCENE_STOP_WORDS = frozenset(
    """
    من ومن منها منه في وفي فيها فيه و ف ثم او أو ب بها به ا أ اى اي أي أى لا ولا الا ألا إلا لكن ما وما
    كما فما عن مع اذا إذا ان أن إن انها أنها إنها انه أنه إنه بان بأن فان فأن وان وأن وإن التى التي الذى
    الذي الذين الى الي إلى إلي على عليها عليه اما أما إما ايضا أيضا كل وكل لم ولم لن ولن هى هي هو وهى وهي
    وهو فهى فهي فهو انت أنت لك لها له هذه هذا تلك ذلك هناك كانت كان يكون تكون وكانت وكان غير بعض قد نحو
    بين بينما منذ ضمن حيث الان الآن خلال بعد قبل حتى عند عندما لدى جميع
    """.split()
)

# Function words frequent in news prose, added to Savoy's list: pronouns, relatives, demonstratives,
# prepositions and particles with their common clitic forms, and the forms of كان.
_NEWS_FUNCTION_WORDS = """
    وفي ومن وعلى وعن ومع والى وإلى إلى الى ولكن لكنه لكنها ولكنه وقد لقد ولقد سوف وسوف ليس ليست وليس
    هم هن هما نحن انا أنا انتم أنتم هؤلاء اولئك أولئك هنا هنالك ذلكم اللذين اللتين اللواتي اللاتي اللذان
    اللتان التي الذي وهذا وهذه وذلك وتلك بهذا بهذه لهذا لهذه بذلك لذلك كذلك ذاك مما عما فيما بما لما كي لكي
    لأن لان كأن وأن بأنه بأنها وأنه وأنها لأنه لأنها إنما انما أم أو بل لو لولا إذ اذ ثم حين حينما كلما
    بينما وبين عبر حول دون ضد تحت فوق أمام امام وراء لدى عليهم عليهما فيهم فيهما منهم منهما لهم لهما بهم
    بهما عنه عنها عنهم إليه اليه إليها اليها إليهم اليهم معه معها معهم كانوا يكونون تكونون كنت كانا وكانوا
    أي أية اية أيضاً إذا وإذا فإن فان وإن إن يا هل كلا كلتا سوى عدة إثر اثر وفق لدي ل ك س
    """.split()

STOP_WORDS = frozenset(normalize(w) for w in (*LUCENE_STOP_WORDS, *_NEWS_FUNCTION_WORDS))


# --- Lucene ports ---------------------------------------------------------------------------------------

_LUCENE_NORMALIZE = str.maketrans(
    {"آ": "ا", "أ": "ا", "إ": "ا", "ى": "ي", "ة": "ه", **dict.fromkeys([0x0640, *range(0x064B, 0x0653)])}
)
_LUCENE_PREFIXES = ("ال", "وال", "بال", "كال", "فال", "لل", "و")
_LUCENE_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")


def _strip_suffixes(token: str, suffixes: tuple[str, ...]) -> str:
    """Each suffix in turn, when it leaves 2+ letters (Lucene's ArabicStemmer.stemSuffix)."""
    for suffix in suffixes:
        if len(token) >= len(suffix) + 2 and token.endswith(suffix):
            token = token[: -len(suffix)]
    return token


def lucene_normalize(token: str) -> str:
    """Lucene's ArabicNormalizer: alef-hamza → ا, ى → ي, ة → ه, harakat and tatweel deleted."""
    return token.translate(_LUCENE_NORMALIZE)


def lucene_stem(token: str) -> str:
    """Lucene's ArabicStemmer (Larkey's light10 rules): the first matching prefix, then every suffix in turn.

    A one-letter prefix needs a word of 4+ letters, other prefixes and suffixes leave 2+ letters.
    """
    for prefix in _LUCENE_PREFIXES:
        if len(token) >= (4 if len(prefix) == 1 else len(prefix) + 2) and token.startswith(prefix):
            token = token[len(prefix) :]
            break
    return _strip_suffixes(token, _LUCENE_SUFFIXES)


_DECIMAL_DIGITS = {
    c: str(unicodedata.digit(chr(c))) for c in range(0x10000) if chr(c).isdecimal() and c > 0x7F
}
_DECIMAL_TABLE = str.maketrans(_DECIMAL_DIGITS)


def lucene_tokens(
    text: str,
    stop_words: Iterable[str] = LUCENE_STOP_WORDS,
    stem_exclusion: Iterable[str] = (),
    nfkc: bool = False,
) -> Iterator[tuple[Token, str | None]]:
    """Lucene's ArabicAnalyzer: words → lowercase → decimal digits → stop (unnormalized) → normalize → stem.

    Yields each word with its term, None for a stop word. nfkc=True adds the NFKC step of bleve's port.
    Words are split like our tokenizer, which agrees with Lucene's StandardTokenizer on Arabic and Latin
    words (it differs on mid-word punctuation such as 3.5 or don't, which Lucene keeps whole).
    """
    stops, keep = frozenset(stop_words), frozenset(stem_exclusion)
    for match in _RAW_WORD.finditer(text):
        word = match.group().lower().translate(_DECIMAL_TABLE)
        if nfkc:
            word = unicodedata.normalize("NFKC", word)
        term = None
        if word not in stops:
            term = lucene_normalize(word)
            if not term:
                continue
            if term not in keep:
                term = lucene_stem(term)
        yield Token(match.group(), *match.span()), term


def analyze_lucene(text: str, **options) -> list[str]:
    """The terms of lucene_tokens(), stop words dropped: the baseline of the evaluation."""
    return [term for _, term in lucene_tokens(text, **options) if term is not None]


# --- Stemmers compared by bench/eval_search.py ----------------------------------------------------------


def light10_stem(token: str) -> str:
    """Larkey's light10 as published: و first (3+ letters left), then one article, then each suffix."""
    if len(token) >= 4 and token[0] == "و":
        token = token[1:]
    for prefix in ("ال", "وال", "بال", "كال", "فال", "لل"):
        if len(token) >= len(prefix) + 2 and token.startswith(prefix):
            token = token[len(prefix) :]
            break
    return _strip_suffixes(token, _LUCENE_SUFFIXES)


_SNOWBALL = Stemmer.Stemmer("arabic")


def snowball_stem(token: str) -> str:
    """Snowball's Arabic stemmer; a final ه goes back to ة, the suffix Snowball expects after our folding."""
    if token.endswith("ه"):
        token = token[:-1] + "ة"
    return _SNOWBALL.stemWord(token)


# The product stemmer: Lucene's rules, plus the article after و/ف + preposition (وبال, فلل...), the feminine
# dual (ـتين/ـتان) that Lucene leaves as a stray ت (الأمريكيتين → امريكيت), and words whose و is a root
# letter, not the conjunction.
_LIGHT_PREFIXES = ("وبال", "وكال", "فبال", "ولل", "فلل", *_LUCENE_PREFIXES)
_LIGHT_SUFFIXES = ("تين", "تان", *_LUCENE_SUFFIXES)

# Stems whose initial و belongs to the word. Lucene strips و from any word of 4+ letters, so وزير → زير
# while الوزير → وزير, and the query وزير misses every article that says الوزير. These stems are the ones
# the corpus writes most after the article (الوزير, الوقت, الوطن: proof the و is not "and") and whose
# و-less remainder is rarely a word of its own; ambiguous ones (ورد "was reported"/و+رد "and reply", وهم,
# وجه, وادي/وأدى) are left out.
ROOT_WAW_STEMS = frozenset(
    """
    وطن وقت وزراء وزار وزير واقع وضع وحيد وحد واحد وصول وسط وءام وكال وكيل وظاءف وظيف وارد وقود وفد واضح
    وثاءق وثيق واجب ورق ورش وساءل وسيل وسيط وساط وسطاء وقوف وقوع وقاءع وافد وزن واسع ولاد والد ولا وفا وفاء
    وفود وقا وقاء ولاء وليد وباء وحش وداءع وهاب وقف وراث ويلز وضوح وازع وصف وجود وجب وع
    """.split()
)


def _suffix_stripper(suffixes: tuple[str, ...]) -> Callable[[str], str]:
    """_strip_suffixes(token, suffixes) as a function that tries only the suffixes ending in the
    token's last letter: the same suffixes in the same order, in a third of the time."""
    by_last: dict[str, list[tuple[int, str, int]]] = {}
    for order, suffix in enumerate(suffixes):
        by_last.setdefault(suffix[-1], []).append((order, suffix, len(suffix) + 2))

    def strip(token: str) -> str:
        after = 0
        while token:
            for order, suffix, shortest in by_last.get(token[-1], ()):
                if order >= after and len(token) >= shortest and token.endswith(suffix):
                    token = token[: -len(suffix)]
                    after = order + 1
                    break
            else:
                break
        return token

    return strip


_strip_light_suffixes = _suffix_stripper(_LIGHT_SUFFIXES)
# The light prefixes by their first letter, in their order, with the length a word needs to lose one.
_LIGHT_PREFIXES_BY_LETTER: dict[str, tuple[tuple[str, int], ...]] = {
    letter: tuple((p, 4 if len(p) == 1 else len(p) + 2) for p in _LIGHT_PREFIXES if p[0] == letter)
    for letter in {p[0] for p in _LIGHT_PREFIXES}
}


def light_stem(token: str) -> str:
    """The product's light stemmer (see _LIGHT_PREFIXES); leaves protected names and months alone."""
    if token in PROTECTED or not token:
        return token
    for prefix, shortest in _LIGHT_PREFIXES_BY_LETTER.get(token[0], ()):
        if len(token) >= shortest and token.startswith(prefix):
            if prefix != "و" or _strip_light_suffixes(token) not in ROOT_WAW_STEMS:
                token = token[len(prefix) :]
            break
    return _strip_light_suffixes(token)


def reference_light_stem(token: str) -> str:
    """light_stem as its rules read, every prefix and suffix tried in turn: what the tests hold it to."""
    if token in PROTECTED:
        return token
    for prefix in _LIGHT_PREFIXES:
        if len(token) >= (4 if len(prefix) == 1 else len(prefix) + 2) and token.startswith(prefix):
            if prefix != "و" or _strip_suffixes(token, _LIGHT_SUFFIXES) not in ROOT_WAW_STEMS:
                token = token[len(prefix) :]
            break
    return _strip_suffixes(token, _LIGHT_SUFFIXES)


STEMMERS: dict[str, Callable[[str], str]] = {
    "light": light_stem,
    "lucene": lucene_stem,
    "light10": light10_stem,
    "snowball": snowball_stem,
}


# --- Spelling variants ----------------------------------------------------------------------------------

# Whole words that news outlets spell two ways, mapped to the most frequent spelling (counts are words in
# the 71k-article corpus). Matched after normalize(), with an optional proclitic (و ف then ب ل ك), which is
# dropped: a name is safe to unclitic, a general word is not (ل+بنان is not لبنان).
_NAMES = {
    # Syria: Levantine papers write سورية (1.4k) for سوريا (11.7k). Only the bare noun: with the article,
    # السورية is the adjective "Syrian" and stems to سور with السوري, so it must not become the country.
    "سوريه": "سوريا",
    "ترمب": "ترامب",  # 1.6k vs 13.3k, the spelling of Asharq Al-Awsat and Al-Hayat
    "بوتن": "بوتين",  # 0.8k vs 1.7k; whole word only (سبوتنيك)
    "واشنطون": "واشنطن",  # 9 vs 5.2k, an older transliteration
    "نتانياهو": "نتنياهو",  # 0.7k vs 1.1k
    "جوجل": "غوغل",  # 0.5k vs 1.4k: Egyptian ج for g, Levantine غ
    "قوقل": "غوغل",  # 18: Gulf ق for g
    "تشلسي": "تشيلسي",  # 0.7k vs 1.3k
    "ميونخ": "ميونيخ",  # 0.3k vs 0.7k
    "جيرمان": "جرمان",  # 0.8k vs 0.9k, Paris Saint-Germain
    "داوود": "داود",  # 61 vs 370
    "غوتيريش": "غوتيريس",  # 148 vs 184, the UN Secretary-General
    "جوتيريش": "غوتيريس",
    "بيجين": "بكين",  # 4 vs 1.1k, Beijing
    "استانبول": "اسطنبول",  # 2 vs 1.2k
    "اوربا": "اوروبا",  # 35 vs 6.0k
}
# Canonical names are also unclitic'd and kept unstemmed, so لداعش, وموسكو and بكيري find them.
_CANONICAL_NAMES = (
    *_NAMES.values(),
    *"داعش كيري لافروف موسكو اوباما اردوغان ماكرون ميركل روحاني خامنءي نصرالله".split(),
)

# Spelling families rewritten inside any word, so every derived form follows (الأميركيين → الامريكيين).
# Each pattern was checked against the corpus vocabulary for words it would wrongly rewrite.
_INFIXES = (
    (re.compile("اميرك"), "امريك"),  # America, American: أميركا (21.8k words) vs أمريكا (22.7k)
    (re.compile("ديموقراط"), "ديمقراط"),  # democracy, democrat: 0.5k vs 3.6k
    (re.compile("بنتاجون"), "بنتاغون"),  # the Pentagon: 52 vs 0.5k
    (re.compile("كونجرس"), "كونغرس"),  # Congress: 0.2k vs 1.3k
    (re.compile("انكلتر"), "انجلتر"),  # England: 0.2k vs 1.8k
    (re.compile("انكليز"), "انجليز"),  # English: 0.5k vs 6.4k
    (re.compile("مليشي"), "ميليشي"),  # militia: 1.7k vs 8.2k
    (re.compile("فايسبوك"), "فيسبوك"),  # Facebook, the Maghrebi spelling: 0.2k vs 4.2k
    (re.compile("اوربي(?!ت)"), "اوروبي"),  # European: 0.2k vs 13k; not اوربيت "orbit"
)

_PROCLITICS = ("وب", "ول", "وك", "فب", "فل", "فك", "و", "ف", "ب", "ل", "ك")


def _with_proclitics(table: dict[str, str]) -> dict[str, str]:
    """Every word of the table with and without a proclitic, mapped to the table's value."""
    forms = {prefix + word: value for prefix in _PROCLITICS for word, value in table.items()}
    return {**forms, **table}


_NAME_FORMS = _with_proclitics({**{name: name for name in _CANONICAL_NAMES}, **_NAMES})


def fold_variant(token: str) -> str:
    """The canonical spelling of a normalized word: a table name (its proclitic dropped) or infix family."""
    name = _NAME_FORMS.get(token)
    if name:
        return name
    for pattern, replacement in _INFIXES:
        if pattern.search(token):
            token = pattern.sub(replacement, token)
    return token


def spellings_of(word: str) -> tuple[str, ...]:
    """The word and the other spellings fold_variant folds into the same one (الديمقراطية and
    الديموقراطية; ترامب and ترمب): what an exact phrase must also look for, as the exact field keeps them
    apart."""
    canonical = fold_variant(word)
    found = {word: None, canonical: None}
    for variant, name in _NAMES.items():
        if name == canonical:
            found[variant] = None
    for pattern, replacement in _INFIXES:
        literal = _LOOKAROUND.sub("", pattern.pattern)
        if replacement in canonical:
            found[canonical.replace(replacement, literal)] = None
    return tuple(found)


_LOOKAROUND = re.compile(r"\(\?<?[!=][^)]*\)")


# --- Months ---------------------------------------------------------------------------------------------

# Month names differ by region: Egyptian/Gulf يناير…ديسمبر, Levantine/Iraqi كانون الثاني…كانون الأول,
# Maghrebi جانفي…ديسمبر. Papers often write two side by side ("يوليو/تموز"), but not always, so a date
# query needs them folded. All map to the Egyptian names.
_MONTHS = {
    "شباط": "فبراير",
    "اذار": "مارس",
    "ايار": "مايو",
    "حزيران": "يونيو",
    "تموز": "يوليو",
    "ايلول": "سبتمبر",
    "جانفي": "يناير",
    "فيفري": "فبراير",
    "افريل": "ابريل",
    "جويليه": "يوليو",
    "يونيه": "يونيو",
    "يوليه": "يوليو",
}
# Words that are months only next to a number or another month: Nissan the carmaker, Theresa May, the name
# جوان, "father" (آب normalizes to اب), the Latin "out".
_AMBIGUOUS_MONTHS = {"نيسان": "ابريل", "ماي": "مايو", "جوان": "يونيو", "اوت": "اغسطس", "اب": "اغسطس"}
_TWO_WORD_MONTHS = {
    ("كانون", "الثاني"): "يناير",
    ("كانون", "ثاني"): "يناير",
    ("كانون", "الاول"): "ديسمبر",
    ("كانون", "اول"): "ديسمبر",
    ("تشرين", "الاول"): "اكتوبر",
    ("تشرين", "اول"): "اكتوبر",
    ("تشرين", "الثاني"): "نوفمبر",
    ("تشرين", "ثاني"): "نوفمبر",
}
_MONTH_HEADS = frozenset({"كانون", "تشرين"})
_CANONICAL_MONTHS = frozenset(
    "يناير فبراير مارس ابريل مايو يونيو يوليو اغسطس سبتمبر اكتوبر نوفمبر ديسمبر".split()
)
_MONTH_CONTEXT = frozenset({"شهر", "لشهر", "بشهر", "وشهر"})


_MONTH_FORMS = _with_proclitics(_MONTHS)
_AMBIGUOUS_FORMS = _with_proclitics(_AMBIGUOUS_MONTHS)
_MONTH_HEAD_FORMS = _with_proclitics({head: head for head in _MONTH_HEADS})
_MONTH_NEIGHBOURS = frozenset(_MONTH_FORMS) | frozenset(
    _with_proclitics(dict.fromkeys(_CANONICAL_MONTHS, ""))
)
_MONTHISH = frozenset(_MONTH_FORMS) | frozenset(_AMBIGUOUS_FORMS) | frozenset(_MONTH_HEAD_FORMS)


def _is_month_neighbour(word: str | None) -> bool:
    return word is not None and (word.isdigit() or word in _MONTH_CONTEXT or word in _MONTH_NEIGHBOURS)


def fold_months(tokens: list[Token]) -> list[Token]:
    """Replace Levantine and Maghrebi month names, including two-word ones, by the Egyptian names."""
    out = []
    skip = False
    for i, token in enumerate(tokens):
        if skip:
            skip = False
            continue
        if token.text not in _MONTHISH:
            out.append(token)
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        head = _MONTH_HEAD_FORMS.get(token.text)
        if head and nxt and (head, nxt.text) in _TWO_WORD_MONTHS:
            out.append(Token(_TWO_WORD_MONTHS[head, nxt.text], token.start, nxt.end))
            skip = True
        elif token.text in _MONTH_FORMS:
            out.append(Token(_MONTH_FORMS[token.text], token.start, token.end))
        elif token.text in _AMBIGUOUS_FORMS and (
            _is_month_neighbour(tokens[i - 1].text if i else None) or _is_month_neighbour(nxt and nxt.text)
        ):
            out.append(Token(_AMBIGUOUS_FORMS[token.text], token.start, token.end))
        else:
            out.append(token)
    return out


PROTECTED = frozenset(_CANONICAL_NAMES) | _CANONICAL_MONTHS


# --- Pipelines ------------------------------------------------------------------------------------------


@lru_cache(maxsize=300_000)
def index_term(word: str, stemmer: str = "light") -> str | None:
    """The indexed term of one normalized word, None for a stop word.

    Variants are folded before stemming: folding needs the whole word (a bare سورية is the country, a
    stemmed سور is not), and the canonical names it returns are exempt from stemming. A stem is looked up
    once more, for a name with a suffix (جوجله "its Google" → غوغل).
    """
    if word in STOP_WORDS:
        return None
    folded = fold_variant(word)
    if folded in PROTECTED:
        return folded
    stem = STEMMERS[stemmer](folded)
    return _NAME_FORMS.get(stem, stem)


def analyze_tokens(text: str, stemmer: str = "light") -> Iterator[tuple[Token, str | None]]:
    """Each word of the text with its indexed term (None for a stop word); offsets for highlighting."""
    for token in fold_months(list(tokenize_with_offsets(text))):
        yield token, index_term(token.text, stemmer)


def _run_labeller(stemmer: str) -> Callable[[str], tuple[tuple[tuple[int, int, str], ...], bool]]:
    """A cached function from one raw run to its words as (start, end, label), offsets within the
    run, label the indexed term or a stop word's own text; and whether one of them may be a month
    name (folded in context, so not here). One cache per stemmer, of one argument: a text's runs
    repeat, and a lookup is most of the cost of a known word."""

    @lru_cache(maxsize=65_536)
    def labels(run: str) -> tuple[tuple[tuple[int, int, str], ...], bool]:
        words = list(tokenize_with_offsets(run))
        labelled = []
        for word in words:
            term = index_term(word.text, stemmer)
            labelled.append((word.start, word.end, word.text if term is None else term))
        return tuple(labelled), not _MONTHISH.isdisjoint(word.text for word in words)

    return labels


_RUN_LABELS = {name: _run_labeller(name) for name in STEMMERS}


def term_spans(text: str, stemmer: str = "light") -> list[tuple[int, int, str]]:
    """Each word's [start, end) in the text with what a highlighter matches it by: its indexed term,
    or its own normalized text for a stop word. analyze_tokens's answer, a run at a time."""
    labels = _RUN_LABELS[stemmer]
    spans: list[tuple[int, int, str]] = []
    append = spans.append
    for match in _RAW_RUN.finditer(text):
        words, monthish = labels(match.group())
        if monthish:
            return [
                (t.start, t.end, t.text if term is None else term)
                for t, term in analyze_tokens(text, stemmer)
            ]
        if words:
            base = match.start()
            for start, end, label in words:
                append((base + start, base + end, label))
    return spans


def first_term(text: str, terms: frozenset, stemmer: str = "light") -> int | None:
    """Where the first word whose term_spans label is among `terms` starts (month names are not
    folded here), reading no further than it."""
    labels = _RUN_LABELS[stemmer]
    for match in _RAW_RUN.finditer(text):
        for start, _end, label in labels(match.group())[0]:
            if label in terms:
                return match.start() + start
    return None


def analyze_words(text: str, stemmer: str = "light") -> list[str | None]:
    """The terms of analyze_tokens without offsets (None for a stop word): the indexing path."""
    words = tokenize(text)
    if not _MONTHISH.isdisjoint(words):
        words = [token.text for token in fold_months([Token(word, 0, 0) for word in words])]
    return [index_term(word, stemmer) for word in words]


def analyze(text: str, stemmer: str = "light") -> list[str]:
    """Index terms: normalize → tokenize → months → stop words → variant folding → light stemming."""
    return [term for term in analyze_words(text, stemmer) if term]


def analyze_exact(text: str) -> list[str]:
    """Normalized surface words, not stemmed, folded or stop-filtered: the terms of exact phrases."""
    return tokenize(text)
