"""The Whoosh backend as several processes use it: one index, set up once whichever process comes first."""

import time

from whoosh import index

from ..processes import manage

# Each process waits for the same moment, so that the set-ups overlap once Django has started, and
# renames its new index's table of contents half a second late, so that the others' set-ups fall in
# between (Whoosh's create deletes every file of the index it finds, a half-written one's included).
SET_UP = """
import time
from whoosh.filedb.filestore import FileStorage
rename = FileStorage.rename_file
def late_rename(self, *args, **kwargs):
    time.sleep(0.5)
    return rename(self, *args, **kwargs)
FileStorage.rename_file = late_rename
time.sleep(max(0.0, {start} - time.time()))
from haystack import connections
connections["default"].get_backend().setup()
print("SET UP")
"""


def test_processes_setting_up_a_new_index_at_once_all_open_the_same_one(tmp_path):
    """Two ingests started together on a new archive both created the index, and one deleted the
    other's table of contents while it was being written (FileNotFoundError)."""
    data = tmp_path / "data"
    data.mkdir()
    start = time.time() + 8
    processes = [manage(data, "shell", "-c", SET_UP.format(start=start)) for _ in range(4)]
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0 and "SET UP" in out, err[-2000:]
    assert index.open_dir(str(data / "whoosh_index")).doc_count() == 0
