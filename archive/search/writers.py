"""Whoosh index writers whose lock dies with the process that took it.

Whoosh's lock is an flock on the index's WRITELOCK file, which the kernel releases when the last
descriptor of it closes. The stock multiprocess writer's subprocesses inherit that descriptor and
wait on a queue forever if their parent is killed, so a kill -9 of an ingest left them alive,
holding the lock. Here each subprocess closes its copy of the descriptor and is killed by the
kernel when its parent dies: a dead writer can never leave the index locked.
"""

import ctypes
import fcntl
import os
import signal
from contextlib import contextmanager
from pathlib import Path

from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.writing import LockError, SegmentWriter

__all__ = ["LockError", "bulk_load_lease", "bulk_load_running", "merge_tiny", "open_writer", "setup_lock"]

_PR_SET_PDEATHSIG = 1
BULK_LOAD_FILE = "BULK_LOAD"
SETUP_LOCK_FILE = "SETUP_LOCK"
TINY_SEGMENT_DOCS = 2000


def die_with_parent(parent_pid: int) -> None:
    """Asks Linux to kill this process when its parent dies (and exits if that already happened)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the parent's cancel() remains the only way out
        return
    if os.getppid() != parent_pid:
        os._exit(1)


class OrphanProofTask(SubWriterTask):
    """A writer subprocess that holds no copy of the index lock and does not outlive its parent."""

    def __init__(self, *args, lock_fd: int | None, parent_pid: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.lock_fd = lock_fd
        self.parent_pid = parent_pid

    def run(self):
        die_with_parent(self.parent_pid)
        if self.lock_fd is not None:
            # Closing (never unlocking) our copy leaves the parent the lock's only holder.
            os.close(self.lock_fd)
        super().run()


class OrphanProofMpWriter(MpWriter):
    def _new_task(self):
        task = OrphanProofTask(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
            lock_fd=getattr(self.writelock, "fd", None),
            parent_pid=os.getpid(),
        )
        self.tasks.append(task)
        task.start()
        return task


def open_writer(index, procs: int = 1, timeout: float = 0.0, **options) -> SegmentWriter:
    """A writer on a Whoosh index, waiting at most `timeout` seconds for its lock.

    With several processes each writes a segment of its own, added as it is rather than merged.
    LockError after the timeout names the processes holding the lock."""
    try:
        if procs > 1:
            return OrphanProofMpWriter(
                index, procs=procs, multisegment=True, timeout=timeout, delay=0.25, **options
            )
        return SegmentWriter(index, timeout=timeout, delay=0.25, **options)
    except LockError:
        if not timeout:  # a caller that does not wait will not read why
            raise
        lock = Path(index.storage.folder).resolve() / f"{index.indexname}_WRITELOCK"
        holders = ", ".join(describe(pid) for pid in lock_holders(lock)) or "a process not visible here"
        raise LockError(f"the search index is being written by {holders}") from None


@contextmanager
def bulk_load_lease(folder: Path):
    """Held (shared) for the whole of a bulk load, so that web processes leave the index to it.

    Between two of its commits a bulk load releases Whoosh's lock for a moment; a web process
    taking it then to apply the load's own changes one by one made the load wait, and churned the
    searchers of every request. An flock, so a killed load releases it too."""
    descriptor = os.open(Path(folder) / BULK_LOAD_FILE, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH)
        yield
    finally:
        os.close(descriptor)


@contextmanager
def setup_lock(folder: Path):
    """Held (exclusive) while a process opens the index in `folder`, or creates it when there is none.

    Whoosh's create deletes every file of the index it finds, so two processes creating a new index
    at once (two ingests started together) deleted each other's half-written table of contents."""
    descriptor = os.open(Path(folder) / SETUP_LOCK_FILE, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def bulk_load_running(folder: Path) -> bool:
    """Whether some process holds a bulk-load lease on the index in `folder`."""
    try:
        descriptor = os.open(Path(folder) / BULK_LOAD_FILE, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)
    return False


def merge_tiny(writer, segments):
    """A merge policy for small writes: folds segments of fewer than TINY_SEGMENT_DOCS documents into
    the new one, and leaves the rest as they are.

    Whoosh's default policy may merge segments of tens of thousands of documents on any commit: an
    editor's save, or the last sweep of an ingest, then held the index for minutes."""
    from whoosh.reading import SegmentReader

    tiny = [segment for segment in segments if segment.doc_count_all() < TINY_SEGMENT_DOCS]
    if len(tiny) < 2:
        return segments
    for segment in tiny:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [segment for segment in segments if segment not in tiny]


def lock_holders(lock: Path) -> list[int]:
    """The processes with the lock file open (from Linux's /proc; none elsewhere)."""
    holders = []
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        pid = int(fd_dir.parent.name)
        try:
            if any(os.readlink(fd) == str(lock) for fd in fd_dir.iterdir()):
                holders.append(pid)
        except OSError:  # gone, or not ours to look at
            continue
    return sorted(holders)


def describe(pid: int) -> str:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        command = "?"
    return f"pid {pid} ({command.strip()[:120]})"
