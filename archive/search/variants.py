"""Spelling groups: one word or name that outlets write differently, searched together and said so.

كيماوي, كيميائي and كيمياوي are one word to a journalist counting coverage of a chemical attack, and
عبد ربه and عبدربه one name; outlets that spell differently would otherwise compare unfairly. The groups
are data (data/spelling_groups.tsv). A typed word or run of words in a group becomes the typed words OR
the group's other spellings, each searched as a plain word (stemmed, so derived forms follow) or as a
phrase; quoted and exact words are left as typed, and so is everything when the request asks for the
literal words.
"""

import functools
from dataclasses import replace
from pathlib import Path

from archive.text import arabic

from .query import PROCLITICS, And, Clause, Expansion, Or, ParsedQuery, map_runs

GROUPS = Path(__file__).resolve().parent / "data" / "spelling_groups.tsv"
SPELLING = "spelling"


def read_groups(path: Path = GROUPS) -> list[tuple[tuple[str, ...], ...]]:
    """The groups of the file, each spelling normalized into its words as the index has them."""
    groups = []
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip() or line.startswith("#"):
                continue
            spellings = tuple(tuple(arabic.tokenize(s)) for s in line.split("\t")[0].split("|"))
            if len(spellings) < 2 or not all(spellings):
                raise ValueError(f"{path.name}:{number}: a group needs two spellings or more")
            groups.append(spellings)
    return groups


@functools.cache
def groups() -> dict[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Each spelling's other spellings, read once per process."""
    return {s: tuple(o for o in group if o != s) for group in read_groups() for s in group}


def expand(parsed: ParsedQuery) -> ParsedQuery:
    """The query with each spelling of a group also searching the group's other spellings."""
    if parsed.tree is None:
        return parsed
    table = groups()
    longest = max(map(len, table))
    found: list[Expansion] = []

    def expand_run(run: list[Clause]) -> list:
        out: list = []
        i = 0
        while i < len(run):
            for n in range(min(longest, len(run) - i), 0, -1):
                span = run[i : i + n]
                words = tuple(w for clause in span for w in clause.words)
                others = _group_of(words, table)
                if others and all(_as_typed(clause) and clause.field == span[0].field for clause in span):
                    typed = span[0] if n == 1 else And(tuple(span))
                    out.append(Or((typed, *(Clause(other, field=span[0].field) for other in others))))
                    found.append(Expansion(" ".join(words), tuple(" ".join(o) for o in others), SPELLING))
                    i += n
                    break
            else:
                out.append(run[i])
                i += 1
        return out

    tree = map_runs(parsed.tree, expand_run)
    return replace(parsed, tree=tree, expansions=[*parsed.expansions, *found])


def _group_of(words: tuple[str, ...], table: dict) -> tuple[tuple[str, ...], ...] | None:
    """The other spellings of the words' group, the first word taken with or without the proclitics
    glued to it (بالكيماوي, والحوثيين, للدولة الإسلامية); the others are searched stemmed, clitics and all."""
    first, rest = words[0], words[1:]
    for bare in _without_proclitics(first):
        if others := table.get((bare, *rest)):
            return others
    return None


def _without_proclitics(word: str):
    """The word, then what is left of it once a proclitic or the article is taken off (للدولة → الدولة,
    بالكيماوي → الكيماوي and كيماوي)."""
    yield word
    if word.startswith("ال") and len(word) > 4:
        yield word[2:]
    for proclitic in sorted(PROCLITICS, key=len, reverse=True):
        rest = word[len(proclitic) :]
        if word.startswith(proclitic) and len(rest) > 2:
            if proclitic.endswith("ل") and rest.startswith("ل"):
                yield "ا" + rest  # ل before the article drops its alef: للدولة is ل + الدولة
            yield rest
            if rest.startswith("ال") and len(rest) > 4:
                yield rest[2:]


def _as_typed(clause: Clause) -> bool:
    """A word searched as typed, which a group may widen: not quoted, exact, a prefix or a Latin name."""
    return not (clause.quoted or clause.exact or clause.prefix or clause.alternatives)
