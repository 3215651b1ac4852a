"""The wire agencies an article can credit, and how a credit names them ("أ.ف.ب", "AFP", "فرانس برس").

The table is data (data/agencies.json): each agency has the canonical name the archive stores and shows,
its Latin name, and the spellings pages use. Where a credit stands is metadata's business; this module
only says whether a short piece of text names agencies, and which.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

from archive.text.arabic import normalize

TABLE = Path(__file__).with_name("data") / "agencies.json"
# Dots, middle dots and stray marks inside an abbreviation ("د.ب.أ", "أ. ف. ب") count as spaces.
_NOT_LETTERS = re.compile(r"[^\w\s]|_")
# What may join several agencies in one credit: "رويترز، أ ف ب", "رويترز / فرانس برس", "رويترز وفرانس برس".
_JOINERS = re.compile(r"\s*(?:[،,/+&|]|\s-\s|\s–\s|\sو(?=\S))\s*")
_SOURCE_CUE = re.compile(r"^\s*(?:المصدر|المصادر|مصدر الخبر|نقلا عن|نقلاً عن|نقلًا عن|عن)\s*[:：]?\s*")
MAX_CREDIT_CHARS = 80


@dataclass(frozen=True)
class Agency:
    name: str
    latin: str
    aliases: tuple[str, ...]


def credit_key(text: str) -> str:
    """Comparison key of a credit: spelling folded, lower case, dots and brackets as spaces."""
    folded = normalize(text)  # hamza seats, ى and ة folded, lower case
    return " ".join(_NOT_LETTERS.sub(" ", folded).split())


def load(path: Path = TABLE) -> tuple[Agency, ...]:
    rows = json.loads(path.read_text(encoding="utf-8"))
    return tuple(Agency(row["name"], row["latin"], tuple(row["aliases"])) for row in rows)


AGENCIES = load()
NAMES = frozenset(agency.name for agency in AGENCIES)
_BY_KEY = {credit_key(alias): agency.name for agency in AGENCIES for alias in (agency.name, *agency.aliases)}
# "وكالة رويترز", "وكالة أنباء الأناضول": the word agency in front of a name credits the name.
_AGENCY_WORD = re.compile(r"^(?:وكاله|الوكاله)(?: (?:انباء|الانباء))? ")


def agency_name(text: str) -> str:
    """The canonical agency when `text` is exactly one agency's name or abbreviation, else ""."""
    key = credit_key(text[:MAX_CREDIT_CHARS]) if len(text) <= MAX_CREDIT_CHARS else ""
    return _BY_KEY.get(key) or _BY_KEY.get(_AGENCY_WORD.sub("", key), "")


def agencies_in(credit: str) -> list[str]:
    """The agencies a credit names, in order, when it is nothing but agencies ("المصدر: رويترز، أ ف ب").

    [] when any piece is not an agency: "قالت مصادر لرويترز" names an agency but credits none.
    """
    if len(credit) > MAX_CREDIT_CHARS:
        return []
    text = _SOURCE_CUE.sub("", credit.strip(" \t()[]«»\"'“”-–—:.*"))
    whole = agency_name(text)
    if whole:
        return [whole]
    names = []
    for piece in _JOINERS.split(text):
        name = agency_name(piece)
        if not name:
            return []
        if name not in names:
            names.append(name)
    return names
