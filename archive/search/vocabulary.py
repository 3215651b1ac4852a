"""The Arabic words an index holds, in memory, so that a Latin name can be matched against them.

One vocabulary per index and process, shared by the request threads. Whoosh segments never change,
so each segment's words are read once, and kept beside it in a file that Whoosh deletes with the
segment: reading them from the index takes seconds for 71k articles, from the file a fraction of
that. Words of segments since merged away stay listed, as a word is counted from the live index
before it is used.
"""

import bisect
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

log = logging.getLogger(__name__)

# The index's Arabic words sort between these two: the letters ء..ي (U+0621–U+064A) in UTF-8.
_FIRST_LETTER = "ء".encode()
_PAST_LETTERS = "ً".encode()
MAX_WORD_CHARS = 24
# New words are kept in small sorted runs, merged into the main one once there are this many.
MAX_RUNS = 4


class Lexicon:
    """The Arabic words of the segments seen so far, as sorted runs, safe to share between threads."""

    def __init__(self):
        self._segments: set[str] = set()
        self._runs: list[list[str]] = []
        self._lock = threading.Lock()

    def update(self, reader, field: str, folder: str | None = None) -> None:
        """Reads the words of the reader's segments not read before; with the index's folder, from
        and into the word files kept beside the segments."""
        with self._lock:
            new_words: set[str] = set()
            read: list[str] = []
            for segment_reader, _ in reader.leaf_readers():
                segment = getattr(segment_reader, "segment", lambda: None)()
                key = segment.segment_id() if segment is not None else str(id(segment_reader))
                if key in self._segments:
                    continue
                if folder is None or segment is None:
                    new_words.update(arabic_words(segment_reader, field))
                else:
                    new_words.update(kept_words(segment_reader, field, Path(folder) / f"{key}.words_{field}"))
                read.append(key)
            if not new_words:
                self._segments.update(read)
                return
            runs = [*self._runs, sorted(word for word in new_words if word not in self)]
            if len(runs) > MAX_RUNS:
                runs = [sorted(set().union(*runs))]
            self._runs = runs  # one assignment: a reading thread sees the old runs or the new
            self._segments.update(read)

    def unread(self, reader) -> bool:
        """Whether the reader has segments whose words were not read yet (no file is read to tell)."""
        for segment_reader, _ in reader.leaf_readers():
            segment = getattr(segment_reader, "segment", lambda: None)()
            if segment is None and segment_reader.doc_count_all() == 0:
                continue
            if segment is None or segment.segment_id() not in self._segments:
                return True
        return False

    def has_prefix(self, prefix: str) -> bool:
        for run in self._runs:
            at = bisect.bisect_left(run, prefix)
            if at < len(run) and run[at].startswith(prefix):
                return True
        return False

    def __contains__(self, word: str) -> bool:
        for run in self._runs:
            at = bisect.bisect_left(run, word)
            if at < len(run) and run[at] == word:
                return True
        return False

    def __len__(self) -> int:
        return sum(map(len, self._runs))


def arabic_words(reader, field: str):
    """The words of one field that start with an Arabic letter: normalized words are all letters, as
    the analyzer never joins digits or Latin letters to an Arabic word."""
    for name, term in reader.terms_from(field, _FIRST_LETTER):
        if name != field or term >= _PAST_LETTERS:
            return
        if len(term) <= 2 * MAX_WORD_CHARS:
            yield term.decode("utf-8")


_lexicons: dict[str, Lexicon] = {}
_lexicons_lock = threading.Lock()


def shared_lexicon(index_path: str) -> Lexicon:
    """The one lexicon of an index in this process, whichever thread asks."""
    with _lexicons_lock:
        return _lexicons.setdefault(index_path, Lexicon())


def kept_words(segment_reader, field: str, path: Path) -> Iterable[str]:
    """A segment's words from its word file, which is written first if there is none.

    The name, "<segment>.words_<field>", is one Whoosh takes for a file of that segment, so it is
    deleted with the segment. A file that cannot be written is only logged: the words are returned."""
    try:
        return path.read_text(encoding="utf-8").split()
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError):
        log.warning("unreadable word file %s; reading the segment instead", path)
    words = sorted(set(arabic_words(segment_reader, field)))
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, prefix=".words-", delete=False
        ) as out:
            out.write("\n".join(words))
        os.replace(out.name, path)
    except OSError:
        log.warning("could not keep the words of %s in %s", path.stem, path.parent, exc_info=True)
    return words


class Vocabulary:
    """What the cross-script search asks of an index: which words it has, and in how many articles."""

    def __init__(self, lexicon: Lexicon, doc_frequency: Callable[[str], int]):
        self.lexicon = lexicon
        self.doc_frequency = doc_frequency

    def has_prefix(self, prefix: str) -> bool:
        return self.lexicon.has_prefix(prefix)

    def is_word(self, word: str) -> bool:
        return word in self.lexicon

    @classmethod
    def from_reader(
        cls, reader, field: str, lexicon: Lexicon | None = None, folder: str | None = None
    ) -> "Vocabulary":
        """The vocabulary of a Whoosh reader's field; pass a shared lexicon to read each segment once,
        and the index's folder to keep each segment's words beside it."""
        lexicon = Lexicon() if lexicon is None else lexicon
        lexicon.update(reader, field, folder)
        return cls(lexicon, lambda word: reader.doc_frequency(field, word))
