"""The scaling bench's own rules (bench/scale_curve.py): which copies each growth step adds, and that
the copies it builds are distinct articles with dates moved back by whole years."""

import gzip
import importlib.util
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

BENCH = Path(__file__).resolve().parent.parent / "bench" / "scale_curve.py"
_spec = importlib.util.spec_from_file_location("scale_curve", BENCH)
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def test_growing_a_loaded_copy_adds_only_each_steps_copies():
    assert bench.growth_steps([1, 2, 4, 8], loaded=1) == [
        (1, range(1, 1)),
        (2, range(1, 2)),
        (4, range(2, 4)),
        (8, range(4, 8)),
    ]


def test_from_scratch_the_first_step_builds_the_corpus_itself():
    assert bench.growth_steps([2, 1], loaded=0) == [(1, range(0, 1)), (2, range(1, 2))]


def test_sizes_are_sorted_and_a_repeated_size_is_measured_once():
    assert bench.growth_steps([4, 2, 4], loaded=1) == [(2, range(1, 2)), (4, range(2, 4))]


def test_a_size_below_the_loaded_archive_is_refused():
    with pytest.raises(ValueError, match="smaller"):
        bench.growth_steps([1], loaded=2)


@settings(max_examples=50, deadline=None)
@given(st.sets(st.integers(min_value=1, max_value=40), min_size=1), st.integers(0, 1))
def test_the_steps_add_every_copy_once_in_order(sizes, loaded):
    steps = bench.growth_steps(list(sizes), loaded)
    added = [copy for _times, copies in steps for copy in copies]
    assert added == list(range(loaded, max(sizes)))
    assert [times for times, _copies in steps] == sorted(sizes)


def test_shifted_moves_dates_back_and_keeps_the_time():
    assert bench.shifted("2018-03-05T10:20:00+03:00", 20) == "1998-03-05T10:20:00+03:00"
    assert bench.shifted("2016-02-29", 20) == "1996-02-28"
    assert bench.shifted("not a date", 20) == "not a date"
    assert bench.shifted("", 20) == ""


def test_built_copies_are_distinct_articles(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    record = {"id": "a1", "url": "https://x.example/1", "published": "2015-06-01", "text": "نص"}
    with gzip.open(corpus / "one.jsonl.gz", "wt", encoding="utf-8") as out:
        out.write(json.dumps(record) + "\n" + json.dumps({**record, "id": "a2"}) + "\n")
    built = tmp_path / "copies.jsonl"
    assert bench.build_corpus(corpus, range(2, 4), built, limit=1) == 2
    copies = [json.loads(line) for line in built.read_text(encoding="utf-8").splitlines()]
    assert [c["id"] for c in copies] == ["a1-copy2", "a1-copy3"]
    assert [c["url"] for c in copies] == ["https://x.example/1#copy2", "https://x.example/1#copy3"]
    assert [date.fromisoformat(c["published"]).year for c in copies] == [1975, 1955]
    assert copies[0]["text"] != copies[1]["text"]
