"""Whoosh analyzers for Arabic news, built on archive.text.arabic.

They are module-level classes because Whoosh pickles each field's analyzer into the index schema: an
index needs this module importable, and any change to the analysis needs the index rebuilt.
"""

from collections.abc import Iterable, Iterator

from whoosh.analysis import Analyzer, Token

from archive.text import arabic


class _ArabicBase(Analyzer):
    """Turns (word, term) pairs into Whoosh tokens with positions and offsets into the original text.

    A term of None is a stop word: dropped, or with removestops=False (highlighting) kept and marked
    stopped. Positions count kept words only, as Whoosh's StopFilter renumbers them.
    """

    def words(self, value: str, no_morph: bool) -> Iterable[tuple[arabic.Token, str | None]]:
        raise NotImplementedError

    def terms(self, value: str, no_morph: bool) -> Iterable[str | None]:
        """The terms of words() without their offsets, for indexing and parsing, which need none."""
        return (term for _, term in self.words(value, no_morph))

    def first_match(self, value: str, terms: frozenset) -> int | None:
        """The offset of the first word analyzed into one of terms, or None: where a snippet starts."""
        for word, term in self.words(value, False):
            if term in terms:
                return word.start
        return None

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        no_morph: bool = False,
        **kwargs,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if tokenize and removestops and not (chars or keeporiginal):
            yield from self._terms_only(token, self.terms(value, no_morph), positions, start_pos)
            return
        pairs = self.words(value, no_morph) if tokenize else self.whole(value, no_morph)
        pos = start_pos
        for word, term in pairs:
            token.stopped = term is None
            if token.stopped and removestops:
                continue
            token.text = word.text if term is None else term
            token.boost = 1.0
            if keeporiginal:
                token.original = value[word.start : word.end]
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + word.start
                token.endchar = start_char + word.end
            yield token
            if not token.stopped:
                pos += 1

    @staticmethod
    def _terms_only(token, terms, positions, start_pos) -> Iterator[Token]:
        """Tokens without offsets or stop words: what indexing and query parsing ask for."""
        token.stopped = False
        token.boost = 1.0
        pos = start_pos
        for term in terms:
            if term is None:
                continue
            token.text = term
            if positions:
                token.pos = pos
                pos += 1
            yield token

    def whole(self, value: str, no_morph: bool) -> Iterator[tuple[arabic.Token, str | None]]:
        """The value as one word (Whoosh asks so for range bounds): its analysis joined back together."""
        terms = [term for _, term in self.words(value, no_morph) if term]
        if terms:
            yield arabic.Token(value, 0, len(value)), "".join(terms)


class ArabicAnalyzer(_ArabicBase):
    """Stemmed terms for title and body: normalization, months, stop words, spelling variants, stemming.

    stemmer names an entry of arabic.STEMMERS; only the evaluation uses another than the default.
    """

    is_morph = True

    def __init__(self, stemmer: str = "light"):
        self.stemmer = stemmer

    def words(self, value, no_morph):
        if no_morph:
            return ((token, token.text) for token in arabic.tokenize_with_offsets(value))
        return arabic.analyze_tokens(value, self.stemmer)

    def terms(self, value, no_morph):
        return arabic.tokenize(value) if no_morph else arabic.analyze_words(value, self.stemmer)

    def first_match(self, value, terms):
        # Word by word, stopping at the first match, instead of analyzing the whole text; only
        # month names, which are folded in context, are not recognised here.
        return arabic.first_term(value, terms, self.stemmer)

    def spans(self, value):
        return arabic.term_spans(value, self.stemmer)


class ArabicExactAnalyzer(_ArabicBase):
    """Normalized surface words, nothing dropped or stemmed: the field that exact phrases search."""

    def words(self, value, no_morph):
        return ((token, token.text) for token in arabic.tokenize_with_offsets(value))

    def terms(self, value, no_morph):
        return arabic.tokenize(value)


class LuceneArabicAnalyzer(_ArabicBase):
    """Lucene's ArabicAnalyzer (Savoy stop words, normalizer and stemmer): the evaluation baseline."""

    def words(self, value, no_morph):
        return arabic.lucene_tokens(value)
