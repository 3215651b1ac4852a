"""Names keep their identity: a place, an actor or an outlet typed in Arabic is searched as that name, with
the proclitics Arabic glues to it, not as the words that share its stem (الحديدة is not الحديد, "iron";
البغدادي is not بغداد; الحريري is not حرير, "silk").

What Lucene's keyword-marker filter does at indexing, done here at query time, so that the index keeps
its stems for every other word and `literal=1` searches a name as a plain word again. The names are:

- places: the conflict countries' cities (data/protected.txt, from GeoNames by manage.py build_names) and
  the places and countries of the curated list (data/actors.tsv);
- actors (people, armed groups, institutions of data/actors.tsv), as one word when the stemmer would
  change it (السيسي → سيس), searched with the row's other one-word spellings (الحوثي, الحوثيين);
- names of several words, of any kind and of the outlets (archive.text.outlets), typed one after the
  other: searched as the phrase (دير الزور, حزب الله, بشار الأسد, الشرق الأوسط). An outlet's one-word name
  is an everyday word (اليوم, الوطن, سبق) and stays one.

A one-word name the analysis already keeps whole (سوريا, whose other spellings it folds into it) is left
to it.
"""

import functools
import itertools
from dataclasses import replace

from archive.text import arabic, outlets

from . import names
from .crossscript import alternatives
from .query import Clause, Expansion, ParsedQuery, map_runs

NAME = "name"
PLACE_KINDS = ("place", "country")
# The longest name searched as a phrase, in words.
MAX_NAME_WORDS = 4
MAX_PHRASE_SPELLINGS = 8


@functools.cache
def protected_names() -> dict[str, tuple[str, ...]]:
    """Each one-word name searched as a name, normalized, with the one-word forms it is searched as
    (itself first); read once per process."""
    table: dict[str, tuple[str, ...]] = {}
    for line in names.read_words(names.PROTECTED):
        if " " not in line:
            table[line] = (line,)
    for _keys, forms, kind in names.read_table(names.ACTORS):
        words = [w[0] for w in map(arabic.tokenize, forms) if len(w) == 1]
        for word in words:
            if kind in PLACE_KINDS:
                table.setdefault(word, (word,))
            elif arabic.index_term(word) != word:
                table[word] = tuple(dict.fromkeys((word, *table.get(word, ()), *words)))
    for word in (*arabic.PROTECTED, *arabic.STOP_WORDS):
        table.pop(word, None)
    return table


@functools.cache
def protected_phrases() -> frozenset[tuple[str, ...]]:
    """The names of several words searched as phrases, normalized, read once per process."""
    phrases = {tuple(line.split()) for line in names.read_words(names.PROTECTED) if " " in line}
    for _keys, forms, _kind in names.read_table(names.ACTORS):
        phrases.update(tuple(arabic.tokenize(form)) for form in forms)
    for outlet in outlets.outlets():
        phrases.update(tuple(arabic.tokenize(name)) for name in (outlet.name, *outlet.aliases))
    return frozenset(p for p in phrases if 1 < len(p) <= MAX_NAME_WORDS)


def protect(parsed: ParsedQuery) -> ParsedQuery:
    """The query with each typed name searched as its exact forms with their proclitics only."""
    if parsed.tree is None:
        return parsed
    found: list[Expansion] = []

    def protect_run(run: list[Clause]) -> list[Clause]:
        out: list[Clause] = []
        at = 0
        while at < len(run):
            if phrase := _phrase_at(run, at):
                spellings = _spellings(phrase)
                forms = tuple(f for f in alternatives(spellings, None) if f != phrase)
                out.append(Clause(phrase, alternatives=forms))
                found.append(Expansion(" ".join(phrase), spellings, NAME))
                at += len(phrase)
                continue
            clause = run[at]
            known = protected_names().get(clause.words[0]) if _as_typed(clause) else None
            if known and len(clause.words) == 1:
                spellings = tuple(dict.fromkeys(s for name in known for s in arabic.spellings_of(name)))
                forms = tuple(f for f in alternatives(spellings, None) if f != clause.words)
                out.append(replace(clause, exact=True, alternatives=forms))
                found.append(Expansion(clause.words[0], spellings, NAME))
            else:
                out.append(clause)
            at += 1
        return out

    return replace(parsed, tree=map_runs(parsed.tree, protect_run), expansions=[*parsed.expansions, *found])


def _spellings(phrase: tuple[str, ...]) -> tuple[str, ...]:
    """The phrase in the spellings the analysis folds together, word by word (قوات سوريا الديمقراطية
    and …الديموقراطية), at most MAX_PHRASE_SPELLINGS of them: the exact field keeps them apart."""
    sequences = (" ".join(words) for words in itertools.product(*map(arabic.spellings_of, phrase)))
    return tuple(itertools.islice(sequences, MAX_PHRASE_SPELLINGS))


def _phrase_at(run: list[Clause], at: int) -> tuple[str, ...] | None:
    """The longest name of several words that the typed words from run[at] spell, if any."""
    phrases = protected_phrases()
    for length in range(min(MAX_NAME_WORDS, len(run) - at), 1, -1):
        clauses = run[at : at + length]
        if all(len(c.words) == 1 and _as_typed(c) and not c.field for c in clauses):
            words = tuple(c.words[0] for c in clauses)
            if words in phrases:
                return words
    return None


def _as_typed(clause: Clause) -> bool:
    return not (clause.quoted or clause.exact or clause.prefix or clause.alternatives)
