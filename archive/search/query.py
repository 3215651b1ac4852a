"""The query syntax journalists type, parsed forgivingly and rendered for the search engine.

Supported: words (all required), "exact phrases", OR between two parts, -exclusion and prefix*.
Anything malformed (unbalanced quotes or brackets, lone operators, control characters, very long
input, too many words, a prefix too short to search) is repaired or dropped, never passed on: the
engine only ever sees a query built here, and the notes say what was changed.
The rendered string uses the syntax shared by Whoosh and Lucene's query_string (Elasticsearch,
OpenSearch), so a larger install can keep this parser.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from archive.text import arabic

MAX_QUERY_CHARS = 1000
# Words searched in all (a phrase counts each of its words), hence also clauses.
MAX_CLAUSES = 32
# Letters a prefix needs once normalized: "ال*" alone stands for a third of the vocabulary.
MIN_PREFIX_CHARS = 3
TOO_MANY_WORDS = f"Only the first {MAX_CLAUSES} terms were searched."
SHORT_PREFIX = f"A prefix* needs at least {MIN_PREFIX_CHARS} letters; it was searched as a whole word."
OR_WORDS = {"OR", "أو", "او", "|"}
STEMMED_FIELDS = ("title", "text")
EXACT_FIELD = "exact"

_token = re.compile(r'"[^"]*"?|\S+')


def words_of(text: str) -> tuple[str, ...]:
    """The words of a query part, normalized exactly as the index normalizes text (arabic.tokenize):
    a diacritic, a tatweel, a presentation form or a Persian letter inside a word keeps it one word.

    Lowercased too, so that a word such as "and" or "not" can never act as an operator."""
    return tuple(arabic.tokenize(text))


@dataclass(frozen=True)
class Clause:
    """One searchable part of the query: words (or a phrase), possibly excluded or a prefix.

    alternatives are word sequences searched in the exact field as well, any one of them matching
    (the Arabic forms of a Latin name, archive.search.crossscript)."""

    words: tuple[str, ...]
    phrase: bool = False
    prefix: bool = False
    excluded: bool = False
    quoted: bool = False
    alternatives: tuple[tuple[str, ...], ...] = ()

    def text(self) -> str:
        joined = " ".join(self.words)
        body = f'"{joined}"' if self.phrase else joined + ("*" if self.prefix else "")
        return ("-" if self.excluded else "") + body


@dataclass
class ParsedQuery:
    """Groups of clauses: every clause in a group is required, and groups are joined by OR."""

    groups: list[list[Clause]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was repaired, to tell the user
    expansions: list = field(default_factory=list)  # crossscript.Expansion: what was also searched

    @property
    def is_empty(self) -> bool:
        return not any(not c.excluded for group in self.groups for c in group)

    def normalized(self) -> str:
        """The cleaned query as the user could have typed it."""
        return " OR ".join(" ".join(c.text() for c in group) for group in self.groups)

    def typed_words(self) -> list[str]:
        """The words searched as the user typed them (normalized): what "did you mean" corrects."""
        return [w for group in self.groups for c in group if not c.excluded for w in c.words]

    def highlight_words(self) -> list[str]:
        """The typed words and the words of their alternatives: what the snippets mark."""
        clauses = [c for group in self.groups for c in group if not c.excluded]
        also = [word for c in clauses for words in c.alternatives for word in words]
        return list(dict.fromkeys([*self.typed_words(), *also]))


def clean_input(raw: str) -> tuple[str, list[str]]:
    notes = []
    # Invisible characters that Arabic text carries inside words (ZWNJ, bidi marks) are deleted, as the
    # index deletes them; other control characters separate words.
    text = "".join(
        "" if ch in arabic.INVISIBLE else " " if unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co"} else ch
        for ch in raw
    )
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notes.append(f"The query was cut to its first {MAX_QUERY_CHARS} characters.")
    if text.count('"') % 2:
        text = text.replace('"', " ")
        notes.append("An unbalanced quotation mark was ignored.")
    return text.replace("(", " ").replace(")", " ").replace("“", '"').replace("”", '"'), notes


def parse(raw: str) -> ParsedQuery:
    text, notes = clean_input(raw or "")
    groups: list[list[Clause]] = [[]]
    words_left = MAX_CLAUSES
    for token in _token.findall(text):
        if token in OR_WORDS:
            if groups[-1]:
                groups.append([])
            continue
        clause = parse_token(token, notes)
        if clause is None:
            continue
        if len(clause.words) > words_left:
            notes.append(TOO_MANY_WORDS)
            if words_left:
                kept = clause.words[:words_left]
                groups[-1].append(Clause(kept, phrase=len(kept) > 1, excluded=clause.excluded))
            break
        groups[-1].append(clause)
        words_left -= len(clause.words)
    groups = [g for g in groups if any(not c.excluded for c in g)]
    return ParsedQuery(groups=groups, notes=list(dict.fromkeys(notes)))


def parse_token(token: str, notes: list[str]) -> Clause | None:
    if token.startswith('"'):
        words = words_of(token)
        if not words:
            return None
        return Clause(words, phrase=len(words) > 1, quoted=True)
    excluded = token.startswith("-")
    prefix = token.endswith("*")
    words = words_of(token)
    if not words:
        return None
    if prefix and len(words) == 1:
        if len(words[0]) >= MIN_PREFIX_CHARS:
            return Clause(words, prefix=True, excluded=excluded)
        notes.append(SHORT_PREFIX)
    if len(words) > 1:
        # "co-operation" or "واشنطن/موسكو": the parts are required together, as a phrase would be.
        return Clause(words, phrase=True, excluded=excluded)
    return Clause(words, excluded=excluded)


def render(query: ParsedQuery) -> str:
    """The engine query: stemmed fields for words, the exact field for phrases and prefixes."""
    rendered_groups = []
    for group in query.groups:
        parts = [render_clause(c) for c in group]
        required = [p for c, p in zip(group, parts, strict=True) if not c.excluded]
        excluded = [p for c, p in zip(group, parts, strict=True) if c.excluded]
        text = " AND ".join(required)
        if excluded:
            text += "".join(f" AND NOT {p}" for p in excluded)
        rendered_groups.append(f"({text})")
    return " OR ".join(rendered_groups)


def render_clause(clause: Clause) -> str:
    own = render_words(clause)
    if not clause.alternatives:
        return own
    others = (render_words(Clause(words, phrase=len(words) > 1), exact=True) for words in clause.alternatives)
    return "(" + " OR ".join((own, *others)) + ")"


def render_words(clause: Clause, exact: bool = False) -> str:
    """A clause's own words: a phrase or a prefix in the exact field, a word in the stemmed fields
    (or, with exact=True, in the exact field only)."""
    if clause.phrase:
        return f'{EXACT_FIELD}:"{" ".join(clause.words)}"'
    word = clause.words[0]
    if clause.prefix:
        return f"{EXACT_FIELD}:{word}*"
    if exact:
        return f"{EXACT_FIELD}:{word}"
    return "(" + " OR ".join(f"{name}:{word}" for name in STEMMED_FIELDS) + ")"
