"""Turn the raw bytes of an input into text, detecting the encoding instead of assuming UTF-8.

Arabic archives mix UTF-8 (with or without BOM), UTF-16, Windows-1256 and ISO-8859-6; binary, empty and
cut-off files are refused with a one-line reason rather than decoded into garbage.
"""

import codecs
import re

from charset_normalizer import from_bytes

from archive.text.article import NotAnArticle

_MAGIC = (
    (b"%PDF-", "PDF document"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "MS Office document"),
    (b"\x7fELF", "executable"),
)
# UTF-32 first: its little-endian BOM starts with the UTF-16 one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# C0 controls other than tab, LF, VT, FF, CR and ESC: text files hardly ever hold them.
_CONTROL = bytes(set(range(32)) - {9, 10, 11, 12, 13, 27})
_MAX_CONTROL_SHARE = 0.05
# High bytes of UTF-16 code units in Arabic text: ASCII/Latin-1, Arabic, Arabic presentation forms.
_UTF16_HIGH = b"\x00\x06\xfb\xfc\xfd\xfe"
_SAMPLE = 8192
# Tried first: on short texts open detection mistakes them for Far-East code pages; other texts fall through.
_ARABIC_CODE_PAGES = ["cp1256", "iso8859_6"]
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# A lone surrogate: a byte of a file name that was not UTF-8 (U+DC80–U+DCFF, Python's surrogateescape),
# or a "\ud800" escape in JSON. Neither can be stored, written to a log or sent as UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")
# Python codecs that decode bytes to str but are no page encoding: escapes, IDNA, the always-failing one.
_NOT_PAGE_ENCODINGS = {"unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined"}


def without_surrogates(text: str) -> str:
    """text that UTF-8 can encode: a file name's undecodable byte as "\\xff", any other lone
    surrogate as U+FFFD, so that a name or a record's field is stored and shown rather than refused."""
    if not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub(_surrogate_replacement, text)


def _surrogate_replacement(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else "\ufffd"


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name); raise NotAnArticle when the bytes are not readable text."""
    if not data:
        raise NotAnArticle("empty file")
    unicode_encoding = _bom_encoding(data) or _utf16_without_bom(data)
    kind = None if unicode_encoding else _binary_kind(data)
    if kind:
        raise NotAnArticle(f"binary file ({kind})")
    text, encoding = _decode_text(data, unicode_encoding)
    if not text.strip():
        raise NotAnArticle("file holds only whitespace")
    return text, encoding


def binary_kind(data: bytes) -> str | None:
    """Name the kind of binary data (judged from its first bytes), or None when it looks like text."""
    if _bom_encoding(data) or _utf16_without_bom(data):
        return None
    return _binary_kind(data)


def _binary_kind(data: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    sample = data[:_SAMPLE]
    if b"\x00" in sample:
        return "contains NUL bytes"
    if len(sample) - len(sample.translate(None, _CONTROL)) > _MAX_CONTROL_SHARE * len(sample):
        return "too many control characters"
    return None


def _decode_text(data: bytes, unicode_encoding: str | None) -> tuple[str, str]:
    if unicode_encoding == "utf-8-sig":
        return _decode_utf8(data[len(codecs.BOM_UTF8) :]), unicode_encoding
    if unicode_encoding:
        return _strict(data, unicode_encoding), codecs.lookup(unicode_encoding).name
    try:
        return _decode_utf8(data), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = _declared_charset(data)
    if declared:
        try:
            return data.decode(declared), declared
        except UnicodeError:
            pass
    best = from_bytes(data, cp_isolation=_ARABIC_CODE_PAGES).best() or from_bytes(data).best()
    encoding = text_codec(best.encoding) if best is not None else None
    if encoding is None:
        raise NotAnArticle("unknown text encoding")
    return str(best), encoding


def text_codec(name: str) -> str | None:
    """Python's name for a text encoding called `name`, or None for an unknown or non-text codec.

    Codecs such as rot13, base64 or zlib are found by codecs.lookup but cannot decode bytes to text.
    """
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_PAGE_ENCODINGS:
        return None
    return info.name


def _decode_utf8(data: bytes) -> str:
    """Strict UTF-8; a multibyte sequence cut off by the end of the data means a truncated file."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.reason == "unexpected end of data" and err.end == len(data):
            raise NotAnArticle(f"truncated UTF-8 at byte {err.start}") from None
        raise


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        raise NotAnArticle(f"invalid {codecs.lookup(encoding).name} at byte {err.start}") from None


def _bom_encoding(data: bytes) -> str | None:
    return next((encoding for bom, encoding in _BOMS if data.startswith(bom)), None)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM: one byte of every pair is almost always 0x00 (ASCII) or 0x06 (Arabic)."""
    sample = data[: _SAMPLE & ~1]
    if len(sample) < 4 or len(data) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    for encoding, high, low in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if _share(high, _UTF16_HIGH) >= 0.9 and low.count(0) < 0.1 * len(low):
            return encoding
    return None


def _share(data: bytes, allowed: bytes) -> float:
    return (len(data) - len(data.translate(None, allowed))) / len(data)


def _declared_charset(data: bytes) -> str | None:
    """The charset a <meta> tag declares, if Python knows it; UTF-16 cannot be declared in ASCII markup."""
    match = _META_CHARSET.search(data[:_SAMPLE])
    if not match:
        return None
    name = text_codec(match[1].decode("ascii"))
    return None if name is None or name.startswith(("utf-16", "utf-32")) else name
