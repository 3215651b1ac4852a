"""Latin-script queries also search their Arabic forms: Lavrov → لافروف, Deir ez-Zor → دير الزور.

A run of Latin words is looked up in the name lists first (archive.search.names: places, countries,
people and organisations); a word in no list is transliterated, and only spellings the index holds
are kept (archive.text.transliterate), ranked by how often they occur and how plain a reading of the
Latin they are. The Arabic forms are searched as surface words of the exact field, with the
proclitics و ف ب ل ك that Arabic glues to a name: a place is not the common word sharing its stem.
A quoted Latin phrase stays literal, and a caller can switch the expansion off.
"""

import math
from dataclasses import replace

from archive.text import arabic, transliterate

from . import names
from .query import Clause, Expansion, ParsedQuery, clitic_forms, map_runs

# Spellings kept for one Latin word, and how far below the best one's score (see _score) they may be.
MAX_SPELLINGS = 3
SCORE_MARGIN = 1.0
# One step down the tiers of transliterate weighs as much as this factor of frequency (e²≈7.4):
# a rare plain reading loses to a common one that needs a less usual letter.
COST_WEIGHT = 2.0
# A spelling found in fewer articles than this is taken for a typo, not a name.
MIN_DOC_FREQUENCY = 2
MAX_NAME_FORMS = 4
# Transliterated words one query may search in Arabic (each walk costs at most MAX_STEPS prefix checks,
# a few milliseconds; more Arabic alternatives would make the query itself slow).
MAX_TRANSLITERATED = 8
LIST = "list"
TRANSLITERATION = "transliteration"


def is_latin_clause(clause: Clause) -> bool:
    return not clause.quoted and not clause.prefix and all(map(transliterate.is_latin, clause.words))


def has_latin(parsed: ParsedQuery) -> bool:
    """Whether the query has Latin words to expand (else the index's words need not be read)."""
    return any(is_latin_clause(clause) for clause in parsed.clauses())


def expand(parsed: ParsedQuery, vocabulary=None) -> ParsedQuery:
    """The query with each run of Latin words also searching its Arabic forms.

    vocabulary (archive.search.vocabulary.Vocabulary) is the index's; without one, only the name
    lists are used, and their forms are searched whether or not the index holds them."""
    if parsed.tree is None:
        return parsed
    expansions: list[Expansion] = []
    tree = map_runs(parsed.tree, lambda run: _expand_run(run, vocabulary, expansions))
    return replace(parsed, tree=tree, expansions=[*parsed.expansions, *expansions])


def _expand_run(group: list[Clause], vocabulary, expansions: list[Expansion]) -> list[Clause]:
    """A run of sibling clauses (archive.search.query.map_runs; an excluded clause is a run of its own),
    with its Latin names merged into one clause that has their Arabic forms as alternatives."""
    out: list[Clause] = []
    i = 0
    while i < len(group):
        clause = group[i]
        if not is_latin_clause(clause):
            out.append(clause)
            i += 1
            continue
        # The longest run of Latin clauses from here that the name lists know, down to this one alone.
        run = 1
        while (
            i + run < len(group) and is_latin_clause(group[i + run]) and group[i + run].field == clause.field
        ):
            run += 1
        for end in range(min(len(group), i + run), i, -1):
            span = group[i:end]
            words = tuple(w for c in span for w in c.words)
            if len(words) > names.MAX_KEY_WORDS:
                continue
            spent = sum(e.origin == TRANSLITERATION for e in expansions)
            found = arabic_forms(" ".join(words), vocabulary, may_transliterate=spent < MAX_TRANSLITERATED)
            if found:
                forms, origin = found
                merged = clause if len(span) == 1 else Clause(words, field=clause.field)
                out.append(replace(merged, alternatives=alternatives(forms, vocabulary)))
                expansions.append(Expansion(" ".join(words), forms, origin))
                i = end
                break
        else:
            out.append(clause)
            i += 1
    return out


def arabic_forms(
    latin: str, vocabulary, may_transliterate: bool = True
) -> tuple[tuple[str, ...], str] | None:
    """The normalized Arabic forms of a Latin name or word, and where they came from, or None."""
    listed = [tuple(arabic.tokenize(form)) for form in names.lookup(latin)]
    listed = [form for form in dict.fromkeys(listed) if form]
    if listed:
        if vocabulary is not None:
            held = [(min(map(vocabulary.doc_frequency, form)), form) for form in listed]
            listed = [form for df, form in sorted(held, key=lambda pair: -pair[0]) if df]
        listed = [
            form for form in listed if not any(_contains(form, other) for other in listed if other != form)
        ]
        if listed:
            return tuple(" ".join(form) for form in listed[:MAX_NAME_FORMS]), LIST
    if vocabulary is None or not may_transliterate or " " in latin or latin in names.english_words():
        return None
    spelled = transliterate.spellings(latin, vocabulary.has_prefix, vocabulary.is_word)
    scored = []
    for word, cost in spelled.items():
        df = vocabulary.doc_frequency(word)
        if df >= MIN_DOC_FREQUENCY:
            scored.append((_score(df, cost), df, word))
    if not scored:
        return None
    scored.sort(reverse=True)
    best = scored[0][0]
    kept = [word for score, _, word in scored[:MAX_SPELLINGS] if score >= best - SCORE_MARGIN]
    return tuple(kept), TRANSLITERATION


def _contains(form: tuple[str, ...], other: tuple[str, ...]) -> bool:
    """Whether other's words appear in form, in a row: "سيرغي لافروف" says no more than "لافروف"."""
    n = len(other)
    return n < len(form) and any(form[i : i + n] == other for i in range(len(form) - n + 1))


def _score(doc_frequency: int, cost: int) -> float:
    return math.log(doc_frequency) - COST_WEIGHT * cost


def alternatives(forms: tuple[str, ...], vocabulary) -> tuple[tuple[str, ...], ...]:
    """Each form with the proclitics news glues to it (وحلب, بالحديده, للرقه), as exact word sequences;
    with a vocabulary, only the sequences whose first word the index holds."""
    sequences: dict[tuple[str, ...], None] = {}
    for form in forms:
        first, *rest = form.split()
        for word in clitic_forms(first, article=False):
            if vocabulary is None or vocabulary.is_word(word):
                sequences[(word, *rest)] = None
        folded = arabic.fold_variant(first)
        if folded != first and (vocabulary is None or vocabulary.is_word(folded)):
            sequences[(folded, *rest)] = None
    return tuple(sequences)
