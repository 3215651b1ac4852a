"""The query syntax journalists type, parsed forgivingly into a tree and rendered for the search engine.

Words next to each other are all required (AND); OR joins alternatives, NOT or a minus sign excludes,
brackets group, with the usual precedence: NOT before AND before OR. The operators are Latin capitals
(lowercase and/or/not are words); the Arabic «أو» is OR too, but only between two terms outside
quotation marks. "Quotes" search the exact form of a word or phrase, "a phrase"~5 its words near each
other, prefix* the words that begin so (after a proclitic too: الحوثيين for حوثي*), title: a word,
phrase or bracket in the titles only.
Anything malformed (unbalanced quotes or brackets, lone operators, empty or deeply nested brackets,
control characters, very long input, too many words, a prefix too short to search) is repaired or
dropped, never passed on: the engine only ever sees a query built here, and the notes say what was
changed. The rendered string uses the syntax shared by Whoosh and Lucene's query_string
(Elasticsearch, OpenSearch), so a larger install can keep this parser.
"""

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from archive.text import arabic

MAX_QUERY_CHARS = 1000
# Words searched in all (a phrase counts each of its words), hence also clauses.
MAX_CLAUSES = 32
# Letters a prefix needs once normalized: "ال*" alone stands for a third of the vocabulary.
MIN_PREFIX_CHARS = 3
# Prefixes one query may have: each stands for up to 200 words in 20 proclitic forms, read cold.
MAX_PREFIXES = 4
MAX_DEPTH = 8
# "a b"~N: the words at most N positions apart; more is hardly a phrase and costs position checks.
MAX_SLOP = 20
CUT = f"The query was cut to its first {MAX_QUERY_CHARS} characters."
UNBALANCED_QUOTE = "An unbalanced quotation mark was ignored."
TOO_MANY_WORDS = f"Only the first {MAX_CLAUSES} terms were searched."
SHORT_PREFIX = (
    f"A prefix* needs at least {MIN_PREFIX_CHARS} letters after the article; it was searched as a whole word."
)
TOO_MANY_PREFIXES = f"Only the first {MAX_PREFIXES} prefixes* were searched as prefixes; the rest as words."
UNOPENED_BRACKET = "A closing bracket without an opening one was ignored."
UNCLOSED_BRACKET = "A bracket left open was closed at the end of the query."
EMPTY_BRACKETS = "Empty brackets were ignored."
DEEP_BRACKETS = f"Brackets nested more than {MAX_DEPTH} deep were ignored."
LONE_OPERATOR = "An AND, OR or NOT with nothing to join was ignored."
NOTHING_TO_EXCLUDE = "An exclusion with nothing to exclude from was ignored."
WIDE_PROXIMITY = f'"…"~N allows at most {MAX_SLOP} words apart; {MAX_SLOP} was searched.'

TITLE = "title"
STEMMED_FIELDS = ("title", "text")
EXACT_FIELD = "exact"
OPERATORS = {"AND": "and", "OR": "or", "|": "or", "NOT": "not"}
# «أو» typed with or without its hamza, normalized as tokenize leaves it.
ARABIC_OR = "او"
QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})
# The proclitics Arabic glues to a word (conjunctions and prepositions), alone and before the article:
# a prefix and an excluded word are searched in all these surface forms of the exact field.
PROCLITICS = ("و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل")
ARTICLE = "ال"
ARABIC_WORD = re.compile(r"[\u0621-\u064a]+")

_token = re.compile(
    r'(?P<neg>-)?(?P<field>title:)?(?:"(?P<phrase>[^"]*)"(?:~(?P<slop>\d+))?|(?P<open>\()|(?P<word>[^\s()"]+))'
    r"|(?P<close>\))"
)


def words_of(text: str) -> tuple[str, ...]:
    """The words of a query part, normalized exactly as the index normalizes text (arabic.tokenize):
    a diacritic, a tatweel, a presentation form or a Persian letter inside a word keeps it one word.

    Lowercased too, so that a word such as "and" or "not" can never act as an operator."""
    return tuple(arabic.tokenize(text))


def clitic_forms(word: str, article: bool = True) -> tuple[str, ...]:
    """An Arabic word with the proclitics news glues to it, and with the article unless article=False (a
    name keeps its own): حوثي, الحوثي, والحوثي, بالحوثي, للحوثي… (ل before the article drops its alef).
    Any other word is left alone."""
    if not ARABIC_WORD.fullmatch(word):
        return (word,)
    bases = (word,) if word.startswith(ARTICLE) or not article else (word, ARTICLE + word)
    forms = []
    for base in bases:
        forms.append(base)
        for proclitic in PROCLITICS:
            if proclitic.endswith("ل") and base.startswith(ARTICLE):
                forms.append(proclitic[:-1] + "لل" + base[2:])
            else:
                forms.append(proclitic + base)
    return tuple(dict.fromkeys(forms))


# The article after any proclitic, longest first: وبال, فلل, وال, بال, لل, ال...
_ARTICLE_HEADS = sorted(
    {ARTICLE, *(p[:-1] + "لل" if p.endswith("ل") else p + ARTICLE for p in PROCLITICS)}, key=len, reverse=True
)


def without_article(word: str) -> str:
    """The word without a leading article and the proclitics before it (والم → م): a prefix's own letters,
    since "وال*" stands for as many words as "ال*"."""
    for head in _ARTICLE_HEADS:
        if word.startswith(head):
            return word[len(head) :]
    return word


# --- The tree ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clause:
    """A leaf of the query: a word, a phrase (several words) or a prefix.

    field is "" (titles and bodies) or "title"; exact means the word's exact form only (quotes, the
    exact-words switch; a phrase always is). alternatives are word sequences also searched as exact
    forms, any one of them matching (the Arabic forms of a Latin name, archive.search.crossscript)."""

    words: tuple[str, ...]
    prefix: bool = False
    exact: bool = False
    quoted: bool = False
    field: str = ""
    slop: int = 0
    alternatives: tuple[tuple[str, ...], ...] = ()

    def __post_init__(self):
        if self.phrase:
            object.__setattr__(self, "exact", True)
            object.__setattr__(self, "prefix", False)
        else:
            object.__setattr__(self, "slop", 0)

    @property
    def phrase(self) -> bool:
        return len(self.words) > 1

    def text(self) -> str:
        if self.phrase or self.exact:
            body = '"' + " ".join(self.words) + '"' + (f"~{self.slop}" if self.slop else "")
        else:
            body = self.words[0] + ("*" if self.prefix else "")
        return ("title:" if self.field == TITLE else "") + body


@dataclass(frozen=True)
class And:
    children: tuple


@dataclass(frozen=True)
class Or:
    children: tuple


@dataclass(frozen=True)
class Not:
    child: object


Node = Clause | And | Or | Not


def node_text(node: Node) -> str:
    """A tree in the query syntax, every AND and bracket spelled out: what the page says was searched."""
    if isinstance(node, Clause):
        return node.text()
    if isinstance(node, Not):
        return "NOT " + _operand_text(node.child)
    joiner = " AND " if isinstance(node, And) else " OR "
    return joiner.join(_operand_text(child) for child in node.children)


def _operand_text(node: Node) -> str:
    return node_text(node) if isinstance(node, Clause | Not) else f"({node_text(node)})"


def leaves(node: Node | None, negated: bool = False) -> Iterator[tuple[Clause, bool]]:
    """The tree's clauses in order, each with whether it is excluded (under an odd number of NOTs)."""
    if node is None:
        return
    if isinstance(node, Clause):
        yield node, negated
    elif isinstance(node, Not):
        yield from leaves(node.child, not negated)
    else:
        for child in node.children:
            yield from leaves(child, negated)


def map_runs(node: Node, change: Callable[[list[Clause]], list[Clause]]) -> Node:
    """The tree with each run of sibling clauses (those next to each other in one AND, or a clause on its
    own) replaced by change(run), which may merge them: how Latin names of several words are found."""
    if isinstance(node, Clause):
        return _joined(And, change([node]))
    if isinstance(node, Not):
        return Not(map_runs(node.child, change))
    if isinstance(node, Or):
        return Or(tuple(map_runs(child, change) for child in node.children))
    children: list = []
    run: list[Clause] = []
    for child in (*node.children, None):
        if isinstance(child, Clause):
            run.append(child)
            continue
        if run:
            children.extend(change(run))
            run = []
        if child is not None:
            children.append(map_runs(child, change))
    return _joined(And, children)


def _joined(kind, children):
    return children[0] if len(children) == 1 else kind(tuple(children))


# --- The parsed query -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expansion:
    """What a run of typed words was also searched as, to show the user and the API."""

    typed: str
    arabic: tuple[str, ...]
    origin: str  # crossscript.LIST or TRANSLITERATION, variants.SPELLING, protected.NAME

    def as_json(self) -> dict:
        return {"query": self.typed, "arabic": list(self.arabic), "origin": self.origin}


@dataclass
class ParsedQuery:
    """The query's tree (None when nothing is left to search), and what was repaired or added."""

    tree: Node | None = None
    notes: list[str] = field(default_factory=list)  # what was repaired, to tell the user
    expansions: list["Expansion"] = field(default_factory=list)  # what was also searched, and why

    @property
    def is_empty(self) -> bool:
        return self.tree is None

    def understood(self) -> str:
        """The query as it was understood, in its own syntax: «دوما AND (كيماوي OR كيميائي)»."""
        return "" if self.tree is None else node_text(self.tree)

    def clauses(self) -> list[Clause]:
        return [clause for clause, _ in leaves(self.tree)]

    def typed_words(self) -> list[str]:
        """The words searched as the user typed them (normalized): what "did you mean" corrects."""
        return [w for clause, negated in leaves(self.tree) if not negated for w in clause.words]

    def highlight_words(self) -> list[str]:
        """The typed words and the words of their alternatives: what the snippets mark."""
        also = [
            w
            for clause, negated in leaves(self.tree)
            if not negated
            for ws in clause.alternatives
            for w in ws
        ]
        return list(dict.fromkeys([*self.typed_words(), *also]))


# --- Parsing ----------------------------------------------------------------------------------------


@dataclass
class Token:
    kind: str  # "word", "phrase", "open", "close", "and", "or", "not"
    text: str = ""
    negated: bool = False
    field: str = ""
    slop: int = 0

    @property
    def starts_operand(self) -> bool:
        return self.kind in ("word", "phrase", "open", "not")

    @property
    def ends_operand(self) -> bool:
        return self.kind in ("word", "phrase", "close")


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
        notes.append(CUT)
    text = text.translate(QUOTES)
    if text.count('"') % 2:
        at = text.rindex('"')
        text = text[:at] + " " + text[at + 1 :]
        notes.append(UNBALANCED_QUOTE)
    return text, notes


def tokens_of(text: str, notes: list[str]) -> list[Token]:
    """The query's tokens, with «أو» an operator only between two terms, and brackets balanced and at
    most MAX_DEPTH deep."""
    tokens = []
    for match in _token.finditer(text):
        negated, fieldname = bool(match["neg"]), TITLE if match["field"] else ""
        if match["close"]:
            tokens.append(Token("close"))
        elif match["open"]:
            tokens.append(Token("open", negated=negated, field=fieldname))
        elif match["phrase"] is not None:
            slop = int(match["slop"] or 0)
            if slop > MAX_SLOP:
                notes.append(WIDE_PROXIMITY)
                slop = MAX_SLOP
            tokens.append(Token("phrase", match["phrase"], negated, fieldname, slop))
        elif match["word"] in OPERATORS and not (negated or fieldname):
            tokens.append(Token(OPERATORS[match["word"]]))
        elif fieldname and match["word"].startswith("-") and not negated:
            tokens.append(Token("word", match["word"][1:], True, fieldname))  # title:-word excludes too
        else:
            tokens.append(Token("word", match["word"], negated, fieldname))
    for i, token in enumerate(tokens):
        if (
            token.kind == "word"
            and not (token.negated or token.field)
            and not token.text.endswith("*")
            and words_of(token.text) == (ARABIC_OR,)
            and 0 < i < len(tokens) - 1
            and tokens[i - 1].ends_operand
            and tokens[i + 1].starts_operand
        ):
            token.kind = "or"
    return balanced(tokens, notes)


def balanced(tokens: list[Token], notes: list[str]) -> list[Token]:
    kept, opened = [], []  # opened: for each open bracket, whether it was kept
    for token in tokens:
        if token.kind == "open":
            depth = sum(opened)
            opened.append(depth < MAX_DEPTH)
            if depth < MAX_DEPTH:
                kept.append(token)
            else:
                notes.append(DEEP_BRACKETS)
        elif token.kind == "close":
            if not opened:
                notes.append(UNOPENED_BRACKET)
            elif opened.pop():
                kept.append(token)
        else:
            kept.append(token)
    if any(opened):
        notes.append(UNCLOSED_BRACKET)
        kept.extend(Token("close") for _ in range(sum(opened)))
    return kept


class Parser:
    """Recursive descent over the tokens: disjunction := conjunction (OR conjunction)*,
    conjunction := unary (AND? unary)*, unary := NOT* (bracket | phrase | word)."""

    def __init__(self, tokens: list[Token], notes: list[str], exact: bool):
        self.tokens = tokens
        self.at = 0
        self.notes = notes
        self.exact = exact
        self.words_left = MAX_CLAUSES
        self.prefixes_left = MAX_PREFIXES

    def peek(self, ahead: int = 0) -> Token | None:
        at = self.at + ahead
        return self.tokens[at] if at < len(self.tokens) else None

    def take(self) -> Token:
        self.at += 1
        return self.tokens[self.at - 1]

    def disjunction(self) -> Node | None:
        alternatives, after_or = [], False
        while (token := self.peek()) is not None and token.kind != "close":
            if token.kind == "or":
                self.take()
                if not alternatives or after_or:
                    self.notes.append(LONE_OPERATOR)
                after_or = True
                continue
            part = self.conjunction()
            if part is not None:
                alternatives.append(part)
                after_or = False
        if after_or:
            self.notes.append(LONE_OPERATOR)
        return _joined(Or, alternatives) if alternatives else None

    def conjunction(self) -> Node | None:
        parts = []
        while (token := self.peek()) is not None and token.kind not in ("or", "close"):
            if token.kind == "and":
                self.take()
                following = self.peek()
                if not parts or following is None or not following.starts_operand:
                    self.notes.append(LONE_OPERATOR)
                continue
            part = self.unary()
            if part is not None:
                parts.append(part)
        return _joined(And, parts) if parts else None

    def unary(self) -> Node | None:
        negated = False
        while (token := self.peek()) is not None and token.kind == "not":
            self.take()
            negated = not negated
        token = self.peek()
        if token is None or token.kind in ("and", "or", "close"):
            self.notes.append(LONE_OPERATOR)
            return None
        self.take()
        if token.kind == "open":
            node = self.disjunction()
            self.take()  # its closing bracket: balanced() made sure there is one
            if node is None:
                self.notes.append(EMPTY_BRACKETS)
            elif token.field:
                node = in_field(node, token.field)
        else:
            node = self.clause(token)
        if node is None:
            return None
        return Not(node) if negated != token.negated else node

    def clause(self, token: Token) -> Clause | None:
        words = words_of(token.text)
        if not words:
            return None
        if len(words) > self.words_left:
            self.notes.append(TOO_MANY_WORDS)
            words = words[: self.words_left]  # the rest of the clause is what it was: a phrase keeps its ~N
            if not words:
                return None
        self.words_left -= len(words)
        if token.kind == "phrase":
            return Clause(words, exact=True, quoted=True, field=token.field, slop=token.slop)
        if token.text.endswith("*") and len(words) == 1:
            if len(without_article(words[0])) < MIN_PREFIX_CHARS:
                self.notes.append(SHORT_PREFIX)
            elif not self.prefixes_left:
                self.notes.append(TOO_MANY_PREFIXES)
            else:
                self.prefixes_left -= 1
                return Clause(words, prefix=True, field=token.field)
        # "co-operation" or "واشنطن/موسكو" is a phrase: its parts are required together.
        return Clause(words, exact=self.exact, field=token.field)


def in_field(node: Node, name: str) -> Node:
    if isinstance(node, Clause):
        return replace(node, field=name)
    if isinstance(node, Not):
        return Not(in_field(node.child, name))
    return type(node)(tuple(in_field(child, name) for child in node.children))


def simplified(node: Node | None, notes: list[str]) -> Node | None:
    """The tree with nested ANDs and ORs flattened, double negations removed, and every part that only
    excludes (in an OR, under a NOT, or the whole query) dropped: an exclusion needs something to
    exclude from, and Lucene matches nothing for a purely negative part."""
    if node is None or isinstance(node, Clause):
        return node
    if isinstance(node, Not):
        child = simplified(node.child, notes)
        if isinstance(child, Not):
            return child.child
        if child is not None and _negative(child):
            notes.append(NOTHING_TO_EXCLUDE)
            return None
        return None if child is None else Not(child)
    kind = type(node)
    children = []
    for child in node.children:
        child = simplified(child, notes)
        if child is None:
            continue
        if kind is Or and _negative(child):
            notes.append(NOTHING_TO_EXCLUDE)
            continue
        children.extend(child.children if isinstance(child, kind) else (child,))
    return _joined(kind, children) if children else None


def _negative(node: Node) -> bool:
    return isinstance(node, Not) or (isinstance(node, And) and all(isinstance(c, Not) for c in node.children))


def parse(raw: str, exact: bool = False) -> ParsedQuery:
    """The query's tree; with exact, every word is searched in its exact form only."""
    text, notes = clean_input(raw or "")
    tree = Parser(tokens_of(text, notes), notes, exact).disjunction()
    tree = simplified(tree, notes)
    if tree is not None and _negative(tree):
        tree = None  # only exclusions: the service says there is nothing to search
    return ParsedQuery(tree=tree, notes=list(dict.fromkeys(notes)))


# --- Rendering --------------------------------------------------------------------------------------


def render(query: ParsedQuery) -> str:
    """The engine query: words in the stemmed fields and in the exact field (an exact form scores twice),
    exact forms and phrases in the exact field, exclusions on exact forms."""
    return "" if query.tree is None else render_node(query.tree, False)


def render_node(node: Node, negated: bool) -> str:
    if isinstance(node, Clause):
        return render_clause(node, negated)
    if isinstance(node, Or):
        return "(" + " OR ".join(render_node(child, negated) for child in node.children) + ")"
    if isinstance(node, Not):
        return "NOT " + render_node(node.child, not negated)
    wanted = [render_node(c, negated) for c in node.children if not isinstance(c, Not)]
    unwanted = [render_node(c, negated) for c in node.children if isinstance(c, Not)]
    return "(" + " AND ".join((*wanted, *unwanted)) + ")"


def render_clause(clause: Clause, negated: bool = False) -> str:
    own = render_words(clause, negated)
    if not clause.alternatives:
        return own
    others = (render_words(Clause(words, exact=True, field=clause.field)) for words in clause.alternatives)
    return "(" + " OR ".join((own, *others)) + ")"


def render_words(clause: Clause, negated: bool = False) -> str:
    """A clause's own words.

    A word is searched stemmed in titles and bodies and as its exact form, which ranks the exact form
    first; an exact word, a phrase and a prefix (after any proclitic) in the exact field; an excluded word
    as its exact form with its proclitics, so that -الحديدية leaves out no article about الحديدة. The
    title field is stemmed and keeps no positions: an exact word or a phrase there is the words in the
    title and the exact form or phrase anywhere in the article."""
    words, title = clause.words, clause.field == TITLE
    if clause.phrase:
        slop = f"~{clause.slop}" if clause.slop else ""
        phrase = f'{EXACT_FIELD}:"{" ".join(words)}"{slop}'
        return "(" + " AND ".join((*(f"{TITLE}:{w}" for w in words), phrase)) + ")" if title else phrase
    word = words[0]
    if clause.prefix:
        if title:
            return f"{TITLE}:{word}*"
        return _any_of(f"{EXACT_FIELD}:{form}*" for form in clitic_forms(word))
    if title:
        if negated:  # the exact form, as every exclusion: the stemmed title alone would leave out الحديدة
            return f"({TITLE}:{word} AND {_any_of(f'{EXACT_FIELD}:{form}' for form in clitic_forms(word))})"
        return f"({TITLE}:{word} AND {EXACT_FIELD}:{word})" if clause.exact else f"{TITLE}:{word}"
    if clause.exact:
        return f"{EXACT_FIELD}:{word}"
    if negated:
        return _any_of(f"{EXACT_FIELD}:{form}" for form in clitic_forms(word))
    return "(" + " OR ".join(f"{name}:{word}" for name in (*STEMMED_FIELDS, EXACT_FIELD)) + ")"


def _any_of(parts) -> str:
    parts = list(parts)
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
