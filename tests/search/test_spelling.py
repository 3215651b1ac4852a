"""The budget of "did you mean": which words are corrected, how, and what is kept for next time."""

import threading

import pytest

from archive.search import spelling

LEXICON = {"لافروف", "روسيا", "سوريا", "موسكو", "دمشق"}


class Corrector:
    """Answers from a fixed list and records what it was asked."""

    def __init__(self, answers: dict[tuple[str, int], str]):
        self.answers = answers
        self.asked: list[tuple[str, int, int]] = []

    def __call__(self, term, maxdist, prefix):
        self.asked.append((term, maxdist, prefix))
        return self.answers.get((term, maxdist))


@pytest.fixture(autouse=True)
def empty_cache():
    spelling.corrections.clear()
    yield
    spelling.corrections.clear()


def suggest(words, correct, generation=1):
    return spelling.suggest([(w, w) for w in words], LEXICON.__contains__, correct, generation)


def test_unknown_words_are_replaced_and_known_ones_kept():
    correct = Corrector({("لافرووف", 1): "لافروف"})
    assert suggest(["لافرووف", "روسيا"], correct) == "لافروف روسيا"
    assert correct.asked == [("لافرووف", 1, 1)]


def test_corrections_keep_the_first_letter_and_two_edits_are_for_longer_words():
    correct = Corrector({("لاففرووف", 2): "لافروف"})
    assert suggest(["لاففرووف"], correct) == "لافروف"
    assert correct.asked == [("لاففرووف", 1, 1), ("لاففرووف", 2, 1)]
    short = Corrector({})
    assert suggest(["دمشك"], short) is None
    assert short.asked == [("دمشك", 1, 1)]


@pytest.mark.parametrize(
    "words",
    [
        ["ب" * (spelling.MAX_WORD_CHARS + 1)],
        ["ب" * 999],
        ["بب"],
        ["لافرووف", "ب" * 30],  # a word that cannot be corrected keeps the query empty anyway
        ["2099x"],
        [f"كلمة{letter}" for letter in "ابتثجحخ"[: spelling.MAX_CORRECTED + 1]],
    ],
)
def test_words_out_of_budget_never_reach_the_corrector(words):
    correct = Corrector({})
    assert suggest(words, correct) is None
    assert correct.asked == []


def test_nothing_to_correct_asks_nothing():
    correct = Corrector({})
    assert suggest(["روسيا", "سوريا"], correct) is None
    assert spelling.suggest([("و", None)], LEXICON.__contains__, correct, 1) is None
    assert correct.asked == []


def test_answers_are_kept_per_index_state():
    correct = Corrector({("لافرووف", 1): "لافروف"})
    for _ in range(3):
        assert suggest(["لافرووف"], correct, generation="a") == "لافروف"
    assert len(correct.asked) == 1
    suggest(["لافرووف"], correct, generation="b")
    assert len(correct.asked) == 2


def test_no_answer_is_kept_too():
    correct = Corrector({})
    suggest(["لافرووف"], correct)
    suggest(["لافرووف"], correct)
    assert correct.asked == [("لافرووف", 1, 1), ("لافرووف", 2, 1)]


def test_the_time_budget_stops_further_corrections(monkeypatch):
    monkeypatch.setattr(spelling, "MAX_SECONDS", -1)
    correct = Corrector({("لافرووف", 1): "لافروف"})
    assert suggest(["لافرووف", "موسكوو"], correct) is None
    assert correct.asked == []


def test_the_cache_is_bounded_and_shared_by_threads():
    cache = spelling.BoundedCache(50)
    answers = []

    def work(start):
        for n in range(start, start + 200):
            key = n % 80
            answers.append((key, cache.get(key, lambda key=key: f"answer {key}")))

    threads = [threading.Thread(target=work, args=(k * 7,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 8 * 200
    assert all(answer == f"answer {key}" for key, answer in answers)
    assert len(cache) == 50


def test_the_cache_forgets_the_least_recently_used():
    cache = spelling.BoundedCache(2)
    cache.get("a", lambda: 1)
    cache.get("b", lambda: 2)
    cache.get("a", lambda: 0)  # used again: "b" is now the oldest
    cache.get("c", lambda: 3)
    assert cache.get("a", lambda: 0) == 1 and cache.get("b", lambda: 0) == 0
