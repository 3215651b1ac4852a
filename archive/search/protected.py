"""Names keep their identity: a place typed in Arabic is searched as that name, with the proclitics Arabic
glues to it, not as the words that share its stem (الحديدة is not الحديد, "iron"; الرقة not الرقي).

What Lucene's keyword-marker filter does at indexing, done here at query time, so that the index keeps
its stems for every other word and `literal=1` searches a name as a plain word again. The names are the
conflict countries' cities (data/protected.txt, from GeoNames by manage.py build_names) and the places
and countries of the curated list (data/actors.tsv). A name the analysis already keeps whole (سوريا,
whose other spellings it folds into it) is left to it.
"""

import functools
from dataclasses import replace

from archive.text import arabic

from . import names
from .crossscript import alternatives
from .query import Clause, Expansion, ParsedQuery, map_runs

NAME = "name"
CURATED_KINDS = ("place", "country")


@functools.cache
def protected_names() -> frozenset[str]:
    """The one-word names searched as names, normalized, read once per process."""
    found = set(names.read_words(names.PROTECTED))
    for _keys, forms, kind in names.read_table(names.ACTORS):
        if kind in CURATED_KINDS:
            found.update(w[0] for w in map(arabic.tokenize, forms) if len(w) == 1)
    return frozenset(found - arabic.PROTECTED - arabic.STOP_WORDS)


def protect(parsed: ParsedQuery) -> ParsedQuery:
    """The query with each typed name searched as its exact form and its proclitic forms only."""
    if parsed.tree is None:
        return parsed
    table = protected_names()
    found: list[Expansion] = []

    def protect_run(run: list[Clause]) -> list[Clause]:
        out = []
        for clause in run:
            word = clause.words[0]
            if len(clause.words) == 1 and word in table and _as_typed(clause):
                forms = tuple(f for f in alternatives((word,), None) if f != (word,))
                out.append(replace(clause, exact=True, alternatives=forms))
                found.append(Expansion(word, (word,), NAME))
            else:
                out.append(clause)
        return out

    return replace(parsed, tree=map_runs(parsed.tree, protect_run), expansions=[*parsed.expansions, *found])


def _as_typed(clause: Clause) -> bool:
    return not (clause.quoted or clause.exact or clause.prefix or clause.alternatives)
