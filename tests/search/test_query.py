"""The query syntax: what journalists type, including malformed input, becomes a safe engine query."""

import pytest

from archive.search.query import MAX_CLAUSES, MAX_QUERY_CHARS, parse, render


def test_words_are_all_required():
    assert render(parse("روسيا سوريا")) == "((title:روسيا OR text:روسيا) AND (title:سوريا OR text:سوريا))"


def test_quoted_phrase_searches_the_exact_field():
    assert render(parse('"قوات سوريا الديمقراطية"')) == '(exact:"قوات سوريا الديمقراطية")'


def test_or_joins_two_groups():
    parsed = parse("داعش OR النصرة")
    assert len(parsed.groups) == 2
    assert " OR " in render(parsed)


def test_arabic_or_word_works_too():
    assert len(parse("داعش أو النصرة").groups) == 2


def test_exclusion():
    rendered = render(parse("روسيا -داعش"))
    assert rendered.endswith("AND NOT (title:داعش OR text:داعش))")


def test_prefix_uses_normalized_exact_field():
    assert render(parse("الديمقراط*"), normalize=lambda s: s.upper()) == "(exact:الديمقراط*)"


@pytest.mark.parametrize(
    "raw",
    [
        '"unbalanced',
        "((روسيا",
        "روسيا)",
        "OR",
        "-",
        "*",
        "- OR *",
        "AND NOT",
        "title:x",
        "\x00\x07روسيا\x1b",
        "\u202eروسيا\u202c",
        '"" ""',
        "a" * 10_000,
        "روسيا " * 5_000,
    ],
)
def test_malformed_input_never_reaches_the_engine_unrepaired(raw):
    parsed = parse(raw)
    rendered = render(parsed)
    assert rendered.count('"') % 2 == 0
    assert rendered.count("(") == rendered.count(")")
    assert "\x00" not in rendered and "\u202e" not in rendered
    assert sum(len(g) for g in parsed.groups) <= MAX_CLAUSES


def test_lone_operators_leave_an_empty_query():
    for raw in ("OR", "-", "*", "- OR", '""'):
        assert parse(raw).is_empty, raw


def test_only_exclusions_is_empty():
    assert parse("-داعش").is_empty


def test_long_input_is_cut_with_a_note():
    parsed = parse("ب" * (MAX_QUERY_CHARS + 500))
    assert any("cut" in note for note in parsed.notes)


def test_unbalanced_quote_is_dropped_with_a_note():
    parsed = parse('"قوات سوريا')
    assert parsed.groups[0][0].phrase is False
    assert parsed.notes


def test_field_syntax_is_not_passed_through():
    # "title:x" must not become a field query the user did not mean; its words are searched together.
    assert render(parse("title:x")) == '(exact:"title x")'


def test_operator_words_are_lowercased_into_plain_words():
    assert "AND" not in render(parse("and")).replace(" AND ", "")
