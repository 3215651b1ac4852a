"""Spelling suggestions ("did you mean"), on a budget.

Whoosh's corrector walks the lexicon with an edit-distance automaton in pure Python, and its cost
grows with the word and the edit distance: one 999-letter unknown word took two minutes of CPU. So
only words of MIN_WORD_CHARS to MAX_WORD_CHARS letters are corrected, at most MAX_CORRECTED of them
and within MAX_SECONDS, none at all when the corrected query could not match anyway (a word left
unknown is still required), and each word's answer is kept, per process and per index state, in a
bounded cache shared by the threads.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable

# correct(term, maxdist, prefix): the closest known word within maxdist edits sharing its first
# `prefix` letters, or None.
Corrector = Callable[[str, int, int], str | None]

MIN_WORD_CHARS = 3
MAX_WORD_CHARS = 20
MAX_CORRECTED = 4
TWO_EDITS_CHARS = 5
# Corrections start only within this many seconds of the first; the rest of the query goes without.
MAX_SECONDS = 1.0
MAX_CACHED = 4096
_MISSING = object()


class BoundedCache:
    """A thread-safe mapping that forgets its least recently used entries beyond `size`."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], object]):
        with self._lock:
            value = self._entries.get(key, _MISSING)
            if value is not _MISSING:
                self._entries.move_to_end(key)
                return value
        value = compute()  # outside the lock: two threads may compute the same word once each
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


corrections = BoundedCache(MAX_CACHED)


def correctable(word: str) -> bool:
    return MIN_WORD_CHARS <= len(word) <= MAX_WORD_CHARS and word.isalpha()


def closest(term: str, correct: Corrector) -> str | None:
    """One edit, then two for longer words, always among words with the same first letter: on an index
    of many segments Whoosh walks the whole lexicon in Python for a correction that may change the
    first letter (17 s on 71k articles), and a fraction of a second for one that keeps it."""
    found = correct(term, 1, 1)
    if found is None and len(term) >= TWO_EDITS_CHARS:
        found = correct(term, 2, 1)
    return found


def suggest(
    words: Iterable[tuple[str, str | None]],
    known: Callable[[str], bool],
    correct: Corrector,
    generation: Hashable,
) -> str | None:
    """The query with its unknown words replaced by their closest known ones; None when nothing
    changed or the budget allows no useful answer.

    words are (word as typed, its term in the index or None); known(term) says whether the index has
    it, correct(term, maxdist, prefix) asks the corrector, generation names the index state."""
    words = list(words)
    unknown = list(dict.fromkeys(term for _, term in words if term and not known(term)))
    if not unknown or len(unknown) > MAX_CORRECTED or not all(correctable(term) for term in unknown):
        return None
    deadline = time.monotonic() + MAX_SECONDS
    fixed = {}
    for term in unknown:
        if time.monotonic() > deadline:
            return None
        fixed[term] = corrections.get((generation, term), lambda term=term: closest(term, correct))
    if not any(fixed.values()):
        return None
    return " ".join(fixed.get(term) or word for word, term in words)
