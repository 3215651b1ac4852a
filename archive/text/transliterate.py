"""Latin-script names to the Arabic spellings news writes them in: Lavrov → لافروف, Shoigu → شويغو.

A Latin word is read as a sequence of sounds, each with the Arabic letters that commonly write it
(g: غ ج ق ك; a short vowel: a long vowel letter or nothing). The spellings are walked letter by letter
against a vocabulary, so only words that the archive holds are ever produced, and a branch dies as
soon as no word starts with it. Pure Python: the caller passes the vocabulary's prefix test.
"""

import re
import unicodedata
from collections.abc import Callable

# Words shorter than this are too ambiguous to transliterate (oil, war, May): only lists name them.
MIN_LETTERS = 4
MAX_LETTERS = 24
# Walking the spellings stops after this many prefixes tried, whatever the word.
MAX_STEPS = 4000
ARTICLE = "ال"
ARTICLE_COST = 1

# Each sound's Arabic spellings, in tiers of cost: the first tier is what news usually writes, each
# later tier costs one more, and "-" is a sound left unwritten. Sounds of several Latin letters come
# first: "kh" is one sound, "k" + "h" two.
_CONSONANTS = {
    "sch": ("ش",),
    "tch": ("تش",),
    "kh": ("خ", "ك"),
    "gh": ("غ", "ج ق"),
    "sh": ("ش",),
    "ch": ("تش ش", "ك"),
    "th": ("ث ت", "ذ س"),
    "dh": ("ذ ض", "د ظ"),
    "zh": ("ج ز",),
    "ph": ("ف",),
    "ts": ("تس",),
    "tz": ("تس",),
    "ck": ("ك",),
    "dj": ("ج",),
    "b": ("ب",),
    "p": ("ب",),
    "v": ("ف",),
    "f": ("ف",),
    "t": ("ت ط",),
    "d": ("د ض",),
    "s": ("س ص", "ز ث"),
    "z": ("ز", "ذ ظ ض"),
    "j": ("ج",),
    "k": ("ك", "ق خ"),
    "q": ("ق", "ك غ"),
    "g": ("غ ج", "ق ك"),
    "c": ("ك", "س ق"),
    # c before e, i and y is soft: Pence, Nice, Mercy.
    "ce": ("س", "سي"),
    "ci": ("س", "سي"),
    "cy": ("سي", "س"),
    "x": ("كس",),
    "h": ("ه ح", "-"),
    "l": ("ل",),
    "m": ("م",),
    "n": ("ن",),
    "r": ("ر",),
    "w": ("و",),
    "y": ("ي",),
    "'": ("ع ء -",),
}
# A vowel inside a word: a long vowel letter, ع, or nothing (short vowels go unwritten).
_VOWELS = {
    "ou": ("و",),
    "oo": ("و",),
    "ee": ("ي",),
    "ie": ("ي", "يي"),
    "ei": ("ي", "اي"),
    "ey": ("ي", "اي"),
    "ai": ("ي اي", "اءي"),
    "ay": ("ي اي",),
    "au": ("و او",),
    "aw": ("و او",),
    "ow": ("و او",),
    "ia": ("يا", "ي ييا"),
    "io": ("يو", "ي"),
    "ua": ("وا",),
    "ue": ("وي و",),
    "ui": ("وي",),
    "oi": ("وي",),
    "ae": ("اي اء",),
    "a": ("ا", "- ع"),
    "e": ("- ي",),
    "i": ("- ي",),
    "o": ("و", "-"),
    "u": ("و", "-"),
}
# A word starts with a written vowel: alef, ain, or alef with a long vowel.
_INITIAL_VOWELS = {
    "a": ("ا", "ع"),
    "e": ("ا", "اي ع"),
    "i": ("ا اي", "ع"),
    "o": ("او ا", "ع"),
    "u": ("او ا", "ع"),
}
# A word ends with a written vowel: a final "a" or "ah" is often the ta marbuta, folded to ه.
_FINAL_VOWELS = {
    "ah": ("ه", "ا ح"),
    "eh": ("ح", "ه ي"),
    "a": ("ا ه", "ي اء"),
    "e": ("-", "ي ه"),
    "i": ("ي",),
    "y": ("ي",),
    "o": ("و",),
    "u": ("و",),
}
_UNITS = sorted({*_CONSONANTS, *_VOWELS}, key=len, reverse=True)
_LATIN = re.compile(r"[a-z']+")


def latin_letters(word: str) -> str:
    """The word in plain lowercase Latin letters (accents dropped), or "" when it is not Latin."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    plain = plain.lower().replace("’", "'").replace("ʿ", "'").replace("ʾ", "'")
    return plain if _LATIN.fullmatch(plain) else ""


def is_latin(word: str) -> bool:
    return bool(latin_letters(word).strip("'"))


Spelling = tuple[tuple[str, int], ...]  # (Arabic letters, cost) for one sound


def _costed(tiers: tuple[str, ...]) -> Spelling:
    return tuple(
        ("" if option == "-" else option, cost) for cost, tier in enumerate(tiers) for option in tier.split()
    )


def _units(letters: str) -> list[str]:
    units: list[str] = []
    i = 0
    while i < len(letters):
        unit = next((u for u in _UNITS if letters.startswith(u, i)), letters[i])
        units.append(unit)
        i += len(unit)
    return units


def sounds(word: str) -> list[Spelling]:
    """The costed Arabic spellings of each sound of a Latin word, first to last."""
    letters = re.sub(r"(.)\1+", r"\1", latin_letters(word).strip("'"))
    units = _units(letters)
    spelled: list[Spelling] = []
    for n, unit in enumerate(units):
        last = n == len(units) - 1
        if last and n and unit == "h" and units[n - 1] in ("a", "e"):
            spelled[-1] = _costed(_FINAL_VOWELS[units[n - 1] + "h"])
        elif last and n and unit in _FINAL_VOWELS:
            spelled.append(_costed(_FINAL_VOWELS[unit]))
        elif n == 0 and unit[0] in _INITIAL_VOWELS:
            first = _costed(_INITIAL_VOWELS[unit[0]])
            tail = unit[1:]
            rest = _costed(_VOWELS.get(tail) or _CONSONANTS.get(tail) or ("-",)) if tail else (("", 0),)
            spelled.append(tuple(dict.fromkeys((a + b, i + j) for a, i in first for b, j in rest)))
        elif n == 0 and unit == "h":
            spelled.append(_costed(("ه ح",)))
        else:
            spelled.append(_costed(_VOWELS.get(unit) or _CONSONANTS.get(unit) or ("-",)))
    return spelled


def spellings(word: str, has_prefix: Callable[[str], bool], is_word: Callable[[str], bool]) -> dict[str, int]:
    """The words of a vocabulary that can write this Latin word, each with its lowest cost; a word
    with the article ال that the Latin does not have costs ARTICLE_COST more.

    has_prefix(p) says whether some word of the vocabulary starts with p, is_word(w) whether w is one.
    """
    letters = latin_letters(word).strip("'")
    if not MIN_LETTERS <= len(letters) <= MAX_LETTERS:
        return {}
    spelled = sounds(word)
    found: dict[str, int] = {}
    steps = 0
    stack = [(0, "", 0), (0, ARTICLE, ARTICLE_COST)]
    while stack and steps < MAX_STEPS:
        n, prefix, cost = stack.pop()
        if n == len(spelled):
            stem = prefix[len(ARTICLE) :] if prefix.startswith(ARTICLE) else prefix
            if len(stem) >= 2 and is_word(prefix) and cost < found.get(prefix, cost + 1):
                found[prefix] = cost
            continue
        for option, extra in spelled[n]:
            steps += 1
            candidate = prefix + option
            if option and not has_prefix(candidate):
                continue
            stack.append((n + 1, candidate, cost + extra))
    return found
