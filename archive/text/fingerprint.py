"""Near-duplicate detection for syndicated stories: bottom-k MinHash over word shingles.

Copies of one wire story differ in headlines, datelines and a few edits, but share most of their
word 5-grams. The k smallest shingle hashes of a body are a sample whose overlap estimates the
Jaccard similarity of two bodies, so they can be stored and looked up in an ordinary database index.
"""

import hashlib
import re

SHINGLE_WORDS = 5
SAMPLE_SIZE = 12
SAME_STORY_JACCARD = 0.5

_word = re.compile(r"\w+")
_fold = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه"})


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    """Hashes of the body's word n-grams, with hamza and ta marbuta folded so spelling noise matters less.

    They stay 8-byte digests, which order as their integers do, until sample() picks the few it keeps.
    """
    words = _word.findall(text.translate(_fold).lower())
    if len(words) < size:
        return {_digest(" ".join(words))} if words else set()
    return {_digest(" ".join(words[i : i + size])) for i in range(len(words) - size + 1)}


def sample(hashes: set[bytes], k: int = SAMPLE_SIZE) -> list[int]:
    """The k smallest hashes: the bottom-k MinHash sketch stored for candidate look-ups."""
    # 63 bits so the value fits a signed 64-bit database integer.
    return [int.from_bytes(digest, "big") >> 1 for digest in sorted(hashes)[:k]]


def jaccard(a: set[bytes], b: set[bytes]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=8).digest()
