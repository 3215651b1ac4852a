"""The index's Arabic words, read once per segment and shared by threads."""

import threading

from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage

from archive.search.analyzers import ArabicExactAnalyzer
from archive.search.vocabulary import Lexicon, Vocabulary, shared_lexicon


def make_index():
    return RamStorage().create_index(Schema(id=ID(stored=True), exact=TEXT(analyzer=ArabicExactAnalyzer())))


def add(index, *texts):
    writer = index.writer()
    for n, text in enumerate(texts):
        writer.add_document(id=str(n), exact=text)
    writer.commit(merge=False)


def test_arabic_words_only_with_their_frequencies():
    index = make_index()
    add(index, "قال لافروف في Moscow عام 2018", "لافروف وكيري")
    vocabulary = Vocabulary.from_reader(index.reader(), "exact")
    assert vocabulary.is_word("لافروف") and vocabulary.is_word("وكيري")
    assert not vocabulary.is_word("moscow") and not vocabulary.is_word("2018")
    assert vocabulary.has_prefix("لاف") and not vocabulary.has_prefix("لافز")
    assert vocabulary.doc_frequency("لافروف") == 2


def test_a_new_segment_adds_its_words_and_old_segments_are_not_read_again():
    index = make_index()
    add(index, "حلب")
    lexicon = Lexicon()
    lexicon.update(index.reader(), "exact")
    add(index, "دمشق")
    reader = index.reader()
    lexicon.update(reader, "exact")
    assert "حلب" in lexicon and "دمشق" in lexicon and len(lexicon) == 2
    read = []
    original = reader.leaf_readers

    def leaves():
        for segment_reader, offset in original():
            read.append(segment_reader)
            yield segment_reader, offset

    reader.leaf_readers = leaves
    lexicon.update(reader, "exact")
    assert len(lexicon) == 2 and len(read) == 2  # looked at, not read: no words were added twice


def test_many_segments_are_merged_into_few_sorted_runs():
    index = make_index()
    lexicon = Lexicon()
    for n in range(12):
        add(index, "كلمه" + "ب" * n)
        lexicon.update(index.reader(), "exact")
    assert len(lexicon._runs) <= 4
    assert all(run == sorted(run) for run in lexicon._runs)
    assert all("كلمه" + "ب" * n in lexicon for n in range(12))


def test_one_lexicon_per_index_shared_by_threads():
    index = make_index()
    add(index, "لافروف", "كيري")
    found = []

    def look():
        lexicon = shared_lexicon("/test/one-index")
        Vocabulary.from_reader(index.reader(), "exact", lexicon)
        found.append(lexicon)

    threads = [threading.Thread(target=look) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(lexicon) for lexicon in found}) == 1
    assert len(found[0]) == 2
    assert shared_lexicon("/test/another-index") is not found[0]


def test_the_background_applier_reads_the_words_before_any_request(seed_archive, settings):
    from archive.search.indexing import BackgroundApplier

    lexicon = shared_lexicon(settings.HAYSTACK_CONNECTIONS["default"]["PATH"])
    assert "لافروف" not in lexicon
    applier = BackgroundApplier()
    applier.warm()
    assert "لافروف" in lexicon and applier.warmed_generation is not None


def test_a_segments_words_are_kept_beside_it_and_deleted_with_it(tmp_path, monkeypatch):
    from whoosh.filedb.filestore import FileStorage

    from archive.search import vocabulary

    schema = Schema(id=ID(stored=True), exact=TEXT(analyzer=ArabicExactAnalyzer()))
    index = FileStorage(str(tmp_path)).create_index(schema)
    add(index, "لافروف وكيري")
    add(index, "حلب")
    Lexicon().update(index.reader(), "exact", str(tmp_path))
    kept = sorted(path.name for path in tmp_path.glob("*.words_exact"))
    assert len(kept) == 2

    def unread(*args):
        raise AssertionError("the segment was read again")

    monkeypatch.setattr(vocabulary, "arabic_words", unread)
    again = Lexicon()
    again.update(index.reader(), "exact", str(tmp_path))
    assert {"لافروف", "وكيري", "حلب"} <= {w for run in again._runs for w in run}
    monkeypatch.undo()

    writer = index.writer()
    writer.commit(optimize=True)  # one new segment: Whoosh deletes the old ones and their word files
    assert not any((tmp_path / name).exists() for name in kept)
    merged = Lexicon()
    merged.update(index.reader(), "exact", str(tmp_path))
    assert "حلب" in merged and len(list(tmp_path.glob("*.words_exact"))) == 1


def test_an_unwritable_folder_still_gives_the_words(tmp_path):
    index = make_index()
    add(index, "دمشق")
    lexicon = Lexicon()
    lexicon.update(index.reader(), "exact", str(tmp_path / "missing"))
    assert "دمشق" in lexicon
