"""Encoding detection on Arabic text: each common encoding round-trips, broken inputs get a clear reason."""

import gzip
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.text.article import NotAnArticle
from archive.text.encoding import binary_kind, decode, text_codec, without_surrogates

from ..conftest import SEEDS

SEED = (SEEDS / "002_607499a35d16fa59.txt").read_text(encoding="utf-8")
HEADLINE = "قصف في غزة والضفة الغربية"


def encodable(text: str, encoding: str) -> str:
    """The seed without the few characters (e.g. « » in ISO-8859-6) the encoding has no byte for."""
    return "".join(c for c in text if c.encode(encoding, errors="ignore"))


@pytest.mark.parametrize(
    ("codec", "name"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("utf-16-le", "utf-16-le"),
        ("utf-16-be", "utf-16-be"),
        ("cp1256", "cp1256"),
        ("iso8859_6", "iso8859-6"),
    ],
)
def test_arabic_seed_round_trips(codec, name):
    text = encodable(SEED, codec)
    assert len(text) > 0.9 * len(SEED)
    assert decode(text.encode(codec)) == (text, name)


@pytest.mark.parametrize(("codec", "name"), [("cp1256", "cp1256"), ("iso8859_6", "iso8859-6")])
def test_a_single_arabic_headline_is_detected(codec, name):
    assert decode(HEADLINE.encode(codec)) == (HEADLINE, name)


def test_other_scripts_are_detected_not_assumed_arabic():
    text = "Привет мир, это русский текст для проверки кодировки"
    assert decode(text.encode("cp1251")) == (text, "cp1251")


def html_page(charset: str, body: str, codec: str) -> bytes:
    head = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}"></head><body>'
    return head.encode("ascii") + body.encode(codec) + b"</body></html>"


def test_html_meta_charset_is_honoured_when_it_decodes():
    # Three letters are too few to tell ISO-8859-6 from Windows-1256; the declaration settles it.
    text, name = decode(html_page("ISO-8859-6", "حرب", "iso8859_6"))
    assert name == "iso8859-6" and "<body>حرب</body>" in text


def test_valid_utf8_wins_over_a_wrong_meta_charset():
    text, name = decode(html_page("windows-1256", HEADLINE, "utf-8"))
    assert name == "utf-8" and HEADLINE in text


def test_a_meta_charset_that_does_not_decode_is_ignored():
    text, name = decode(html_page("utf-8", encodable(SEED, "cp1256"), "cp1256"))
    assert name == "cp1256" and encodable(SEED, "cp1256") in text


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_detected(codec):
    assert decode(SEED.encode(codec)) == (SEED, codec)


def test_utf8_cut_inside_a_two_byte_letter():
    data = HEADLINE.encode("utf-8")[:-1]
    with pytest.raises(NotAnArticle, match=rf"^truncated UTF-8 at byte {len(data) - 1}$"):
        decode(data)


def test_utf8_cut_inside_a_three_byte_character():
    data = (HEADLINE + "…").encode("utf-8")[:-1]
    with pytest.raises(NotAnArticle, match=rf"^truncated UTF-8 at byte {len(data) - 2}$"):
        decode(data)


def test_a_bad_byte_before_the_end_is_not_called_truncation():
    # In Windows-1256 the final "ة" is 0xC9, a UTF-8 lead byte: only the first bad byte counts.
    data = " ".join(["غزة"] * 20).encode("cp1256")
    assert data.endswith(b"\xc9")
    text, name = decode(data)
    assert name == "cp1256" and text.endswith("غزة")


def test_empty_and_blank_files():
    with pytest.raises(NotAnArticle, match="^empty file$"):
        decode(b"")
    with pytest.raises(NotAnArticle, match="whitespace"):
        decode(b" \r\n\t\n")


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "PNG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF document"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP archive"),
        (gzip.compress(SEED.encode()), "gzip archive"),
        (b"some text\x00with a NUL", "contains NUL bytes"),
        (bytes(range(1, 9)) * 50 + b"abc", "too many control characters"),
    ],
)
def test_binary_data_is_refused_with_its_kind(data, kind):
    assert binary_kind(data) == kind
    with pytest.raises(NotAnArticle, match=rf"^binary file \({kind}\)$"):
        decode(data)


@pytest.mark.parametrize("codec", ["utf-8", "utf-16", "utf-16-le", "cp1256"])
def test_text_is_not_taken_for_binary(codec):
    assert binary_kind(SEED.encode(codec)) is None


NOT_TEXT_CODECS = ["rot13", "base64", "zlib", "hex", "uu", "unicode_escape", "idna", "undefined"]


@pytest.mark.parametrize("charset", NOT_TEXT_CODECS)
def test_a_declared_codec_that_is_no_text_encoding_is_ignored(charset):
    text = "حرب في المدينة"
    data = html_page(charset, text, "cp1256")
    decoded, name = decode(data)
    assert text in decoded and name == "cp1256"


def test_text_codec_names_only_text_encodings():
    assert text_codec("Windows-1256") == "cp1256" and text_codec("UTF8") == "utf-8"
    assert [text_codec(name) for name in ("rot13", "bz2", "quopri", "no-such-codec", "utf\x00")] == [None] * 5


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400) | st.binary(max_size=200).map(lambda body: b'<meta charset="rot13">' + body))
def test_decode_only_ever_raises_not_an_article(data):
    try:
        text, name = decode(data)
    except NotAnArticle as error:
        assert str(error)
    else:
        assert text.strip() and text_codec(name)


@given(st.text())
def test_text_without_surrogates_encodes_and_keeps_every_other_character(text):
    clean = without_surrogates(text)
    clean.encode("utf-8")
    if not any("\ud800" <= c <= "\udfff" for c in text):
        assert clean == text


def test_a_file_names_odd_bytes_are_escaped_and_a_json_surrogate_replaced():
    assert without_surrogates(os.fsdecode(b"bad\xff\xfe.html")) == "bad\\xff\\xfe.html"
    assert without_surrogates("خبر\ud800عاجل") == "خبر\ufffdعاجل"
