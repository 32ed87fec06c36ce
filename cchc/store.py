"""The one write path: every file and folder the product writes in a data directory goes through here
(the published results import, the self-assessment facts, the sample generator, the rollups, and the
imports and accounts to come).

    with store.writing(root, "facts"):                 # the table's lock, held across read-modify-write
        old = pq.read_table(path)
        store.write_table(path, new_table)             # temp file, fsync, read-back, atomic rename

    store.update_table(root, schema.INDEX_RESULTS, lambda old: merged)   # the same in one call

    tmp = store.temp_dir(parent, "data")               # a folder built beside its target ...
    store.swap_dir(tmp, target)                        # ... swapped in with one atomic exchange

The guarantees, and how:
- **Two writers never interleave.** Each table (or folder) has its own lock file, ``.<name>.lock``
  beside what it protects, taken with ``flock`` (exclusive between processes and between threads,
  since each holder opens the file itself; released by the kernel when a holder dies, so a killed
  writer never leaves a stale lock). A writer holds it across its read-modify-write. Besides, every
  writer inside a data directory holds the directory's lock (``.directory.lock`` in it) *shared*, and
  whoever replaces the whole directory (``python -m cchc sample``) holds it *exclusive* while it
  checks and swaps, so a save in the directory can neither be lost by the swap nor land half in the
  old one.
- **A crash at any instant leaves the old data or the new, never neither, never a mix.** New content
  goes to a unique temporary name in the same folder (``.<name>.tmp-<pid>-<random>``), is fsynced,
  read back and checked, and only then renamed over the old one (``os.replace``: atomic on POSIX);
  the folder is fsynced so the rename itself survives a power cut. A folder is swapped with
  ``renameat2(RENAME_EXCHANGE)``: old and new change places in one step, then the old one is removed.
  Where the file system cannot exchange, two renames are used and the state between them is repaired
  the next time (``recover``).
- **Leftovers of killed runs are removed on the next run:** whoever takes a lock removes the
  temporary and old names belonging to what that lock protects (nobody else may be writing them).

- **Every reader sees a write as soon as it is complete, in every process.** Each completed write
  bumps the data directory's version stamp as its last step, after the data are swapped in and
  before its locks are released (``writing``); ``data_version(root)`` reads it with two ``stat`` calls
  (a few µs), so a process keeping query results in memory keys them on it and never serves results
  older than the files another process (or the command line) has just written (docs/serving.md).

Faults can be injected for the crash tests: with ``CCHC_FAULT=<point>`` (or ``<point>:<file or folder
name>``) in the environment, the process kills itself with SIGKILL at that point (``fault``); the
points are listed in FAULT_POINTS.
"""
from __future__ import annotations

import ctypes
import fcntl
import os
import secrets
import shutil
import signal
import stat
import sys
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Callable, Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from . import storage

LOCK_TIMEOUT_S = 30.0
POLL_S = 0.02
# Where a crash test may kill a writer (CCHC_FAULT=<point>).
FAULT_POINTS = ("file-written", "file-before-replace", "file-replaced", "dir-built", "dir-between-renames",
                "dir-swapped")


class WriteError(RuntimeError):
    """A write that could not be done; the message is Vietnamese and nothing was changed."""


class Busy(WriteError):
    """Someone else holds the lock for longer than the timeout."""


def fault(point: str, name: str | None = None) -> None:
    """Kill this process here if a crash test asked for it: CCHC_FAULT=point, or point:name to hit only
    the writer of that file or folder (the sample's swap, not the rollup's swap inside it)."""
    asked = os.environ.get("CCHC_FAULT")
    if asked and (asked == point or asked == f"{point}:{name}"):
        os.kill(os.getpid(), signal.SIGKILL)


# --- locks ------------------------------------------------------------------------------------------
def _lock_path(folder: Path, name: str) -> Path:
    return Path(folder) / f".{name}.lock"


@contextmanager
def lock(folder: str | os.PathLike, name: str, *, shared: bool = False, timeout: float = LOCK_TIMEOUT_S,
         what: str | None = None) -> Iterator[None]:
    """The lock ``name`` kept in ``folder`` (exclusive, or shared among readers-of-the-folder).
    Raises Busy (Vietnamese, naming ``what``) after ``timeout`` seconds of waiting."""
    path = _lock_path(Path(folder), name)
    deadline = time.monotonic() + timeout
    mode = (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, mode)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() > deadline:
                raise Busy(f"Có người khác đang ghi {what or name}; hãy thử lại sau ít phút "
                           "(chưa có gì thay đổi).") from None
            time.sleep(POLL_S)
            continue
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the folder was swapped while we waited: lock the file that is there now
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


DIR_LOCK = "directory"


@contextmanager
def directory(root: str | os.PathLike, *, exclusive: bool = False, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """The data directory's own lock (``root/.directory.lock``): shared by every writer inside it,
    exclusive for a swap of the whole directory. It lives inside the directory and moves with it: a
    writer that was waiting on the old directory's lock when it was swapped finds out (``lock`` checks
    that the file it locked is still the one at its path) and locks the new one instead."""
    with lock(root, DIR_LOCK, shared=not exclusive, timeout=timeout, what=f"thư mục dữ liệu {Path(root).name}"):
        yield


@contextmanager
def writing(root: str | os.PathLike, name: str, *, timeout: float = LOCK_TIMEOUT_S, what: str | None = None) -> Iterator[None]:
    """Everything a writer of ``root/<name>`` (a table file or a folder) needs before it reads what it
    will rewrite: the directory shared, the table exclusive; leftovers of killed writers of it removed.
    On the way out, if anything was put in place meanwhile (a file replaced, a folder swapped or
    restored, a kept version discarded: even when the body then failed), the data version is bumped
    (``bump_version``), still under the locks: the last step of every write, after its data. Writes
    to UNVERSIONED folders (accounts, the audit trail) change no figure and bump nothing."""
    root = Path(root)
    with ExitStack() as stack:
        stack.enter_context(directory(root, timeout=timeout))
        stack.enter_context(lock(root, name, timeout=timeout, what=what))
        clean_leftovers(root, name)
        before = _writes()
        try:
            yield
        finally:
            if _writes() != before and name not in UNVERSIONED:
                _bump_after_write(root)


# --- the data version ---------------------------------------------------------------------------------
# The stamp lives in the lock file that serialises its bumps, ``root/.version.lock``: a lock file is the
# store's own machinery (the sample generator ignores it when it judges whether a folder holds only a
# sample, and a swapped folder carries its own), and ``lock`` already follows a lock file that was
# replaced while it waited (it locks the file at the path, checked by inode), so replacing the stamp
# under its own lock is safe: a bump that has replaced it is done but for releasing the old inode.
VERSION = "version"
VERSION_FILE = f".{VERSION}.lock"
# Its name in a bucket the folder is published to (cchc.storage.publish copies it there last).
PUBLISHED_VERSION = "_version"
# Folders of the data directory whose writes change no figure the app shows (a failed sign-in is
# counted in the accounts file): writing them does not bump the version, so they do not empty every
# process's query cache.
UNVERSIONED = frozenset({"_accounts", "_audit"})
_local = threading.local()
_read_versions: dict[str, tuple[tuple, str]] = {}


def _writes() -> int:
    """How many files or folders this thread has put in place (replace_file, swap_dir, discard, recover)."""
    return getattr(_local, "writes", 0)


def _wrote() -> None:
    _local.writes = _writes() + 1


def version_path(root: str | os.PathLike) -> Path:
    return Path(root) / VERSION_FILE


def bump_version(root: str | os.PathLike) -> str:
    """Give the data directory a new version: ``<counter> <time ns> <random>`` written through
    replace_file (temporary file, fsync, atomic rename) under the version's own lock. The new file's
    modification time is set strictly after the old one's, so (inode, size, mtime) differ for every
    version even when the file system reuses the inode and its clock has not ticked (data_version
    relies on it). Returns the new version text."""
    root = Path(root)
    path = version_path(root)
    with lock(root, VERSION, what="phiên bản dữ liệu"):
        clean_leftovers(root, VERSION_FILE)
        try:
            st = path.stat()
            old_text, old_mtime = path.read_text(encoding="utf-8"), st.st_mtime_ns
        except FileNotFoundError:
            old_text, old_mtime = "", 0
        try:
            counter = int(old_text.split()[0]) + 1
        except (IndexError, ValueError):
            counter = 1
        now = time.time_ns()
        text = f"{counter} {now} {secrets.token_hex(8)}\n"
        mtime = max(now, old_mtime + 1)

        def write(tmp: Path) -> None:
            tmp.write_text(text, encoding="utf-8")
            os.utime(tmp, ns=(mtime, mtime))

        _replace_file(path, write)
    return text.strip()


def _bump_after_write(root: Path) -> None:
    """bump_version at the end of a write. The data are already in place: a bump that fails (disk
    full) must not report the write as failed, so it is said on stderr instead; other processes then
    see the change when they next list the files (cchc.ui.state.FINGERPRINT_TTL)."""
    try:
        bump_version(root)
    except (OSError, WriteError) as e:
        print(f"cchc.store: could not bump the data version of {root}: {e}", file=sys.stderr)


def data_version(root) -> str:
    """The data directory's version: changes when any write through this module completes (and when
    the whole folder is replaced, e.g. by the sample generator: the folder's inode is part of it).
    Two ``stat`` calls; the file is read only when its (inode, size, mtime) changed. "none" when the
    folder does not exist.

    A root in object storage (cchc.storage: read-only, written by ``publish``, which uploads the
    stamp last as PUBLISHED_VERSION) has the size and ETag of that object in the bucket's kept
    listing as its version: a publish is seen when the listing is next refreshed
    (CCHC_S3_LIST_TTL), by each process on its own."""
    if storage.is_remote(root):
        return f"remote:{storage.stamp(storage.data_root(root) / PUBLISHED_VERSION)}"
    root = os.fspath(root)
    try:
        folder = os.stat(root)
    except FileNotFoundError:
        return "none"
    path = os.path.join(root, VERSION_FILE)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return f"{folder.st_dev}.{folder.st_ino}:0"
    key = (folder.st_dev, folder.st_ino, st.st_ino, st.st_size, st.st_mtime_ns)
    kept = _read_versions.get(root)
    if kept is not None and kept[0] == key:
        return kept[1]
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read().strip()
    except FileNotFoundError:
        text = ""
    # read after the stat: the text may be newer than the key (a bump in between), never older, and a
    # newer key makes the next call read it again
    got = f"{folder.st_dev}.{folder.st_ino}:{text or 0}"
    _read_versions[root] = (key, got)
    return got


# --- leftovers --------------------------------------------------------------------------------------
def _temp_name(name: str, kind: str = "tmp") -> str:
    return f".{name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}"


def leftovers(folder: Path, name: str) -> list[Path]:
    """Temporary and old copies of ``name`` in ``folder`` (``name`` may be 'x' or 'x.parquet')."""
    stem = name[:-len(".parquet")] if name.endswith(".parquet") else name
    out: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return out
    for e in entries:
        for n in {name, stem, f"{stem}.parquet"}:
            if e.name.startswith((f".{n}.tmp-", f".{n}.old-")):
                out.append(Path(e.path))
                break
    return out


def _remove(p: Path) -> None:
    if p.is_dir() and not p.is_symlink():
        shutil.rmtree(p, ignore_errors=True)
    else:
        try:
            p.unlink()
        except FileNotFoundError:
            pass


def discard(path: str | os.PathLike) -> None:
    """Remove a file or folder tree the caller owns (a load's kept previous version, a journal); the
    caller holds the lock that protects it."""
    _remove(Path(path))
    _wrote()


def clean_leftovers(folder: str | os.PathLike, name: str) -> int:
    """Remove what killed writers of ``name`` left in ``folder``. Call only under the lock of ``name``.
    Returns how many were removed."""
    found = leftovers(Path(folder), name)
    for p in found:
        _remove(p)
    return len(found)


# --- files ------------------------------------------------------------------------------------------
def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_file(path: str | os.PathLike, write: Callable[[Path], None],
                 check: Callable[[Path], None] | None = None) -> None:
    """Write ``path`` anew: ``write(tmp)`` fills a unique temporary file beside it, which is fsynced,
    checked by ``check(tmp)`` (a read-back; it raises to refuse) and renamed over ``path``. The caller
    holds the lock of ``path`` (``writing``). On any error the temporary file is removed and ``path``
    is untouched."""
    _replace_file(path, write, check)
    _wrote()


def _replace_file(path: str | os.PathLike, write: Callable[[Path], None],
                  check: Callable[[Path], None] | None = None) -> None:
    path = Path(path)
    tmp = path.with_name(_temp_name(path.name))
    try:
        write(tmp)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        fault("file-written", path.name)
        if check is not None:
            check(tmp)
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
        os.chmod(tmp, mode)
        fault("file-before-replace", path.name)
        os.replace(tmp, path)
    except BaseException:
        _remove(tmp)
        raise
    fault("file-replaced", path.name)
    _fsync_dir(path.parent)


def write_table(path: str | os.PathLike, table: pa.Table, **parquet_options) -> None:
    """A Parquet file written through replace_file, read back and compared with ``table`` before the
    swap (a file that does not read back equal is never swapped in)."""
    def write(tmp: Path) -> None:
        pq.write_table(table, tmp, **parquet_options)

    def check(tmp: Path) -> None:
        back = pq.read_table(tmp)
        try:  # Parquet has no timestamp[s]: it comes back as [ms]; a safe cast restores the written type
            same = back.num_rows == table.num_rows and back.cast(table.schema).equals(table)
        except (pa.ArrowInvalid, ValueError):
            same = False
        if not same:
            raise WriteError(f"Tệp {Path(path).name} ghi ra không đọc lại được đúng như dữ liệu cần ghi; "
                             "không thay đổi gì.")

    replace_file(path, write, check)


def update_table(root: str | os.PathLike, table_def, change: Callable[[pa.Table | None], pa.Table],
                 what: str | None = None) -> pa.Table:
    """Read-modify-write of a one-file table (cchc.schema.Table) under its lock: ``change`` gets the
    table as it is now (None if the file does not exist yet) and returns the new one, which replaces
    it. ``change`` may raise to write nothing. Returns the table written."""
    root = Path(root)
    path = table_def.path(root)
    with writing(root, path.name, what=what or table_def.vi):
        old = pq.read_table(path) if path.exists() else None
        new = change(old)
        write_table(path, new)
        return new


# --- folders ----------------------------------------------------------------------------------------
def temp_dir(parent: str | os.PathLike, name: str) -> Path:
    """A new, unique folder beside ``parent/name`` to build its replacement in."""
    p = Path(parent) / _temp_name(name)
    p.mkdir(parents=False)
    return p


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_libc = None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE). False where unsupported."""
    global _libc
    if os.environ.get("CCHC_STORE_NO_EXCHANGE"):
        return False
    try:
        if _libc is None:
            _libc = ctypes.CDLL(None, use_errno=True)
        fn = _libc.renameat2
    except (OSError, AttributeError):
        return False
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: the file system cannot exchange
        return False
    raise OSError(err, os.strerror(err), str(b))


def _sync_and_check(folder: Path) -> None:
    """Before a folder is swapped in: every file and folder in it on disk (fsync), and every Parquet
    file's footer readable (a read-back: a file cut short is never swapped in)."""
    for d, _dirs, files in os.walk(folder):
        for f in files:
            p = os.path.join(d, f)
            fd = os.open(p, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            if f.endswith(".parquet"):
                try:
                    pq.read_metadata(p)
                except Exception as e:  # noqa: BLE001 - any reason it cannot be read back
                    raise WriteError(f"Tệp {os.path.relpath(p, folder)} vừa ghi không đọc lại được ({type(e).__name__}); "
                                     "không thay đổi gì.") from None
        _fsync_dir(Path(d))


def swap_dir(tmp: str | os.PathLike, target: str | os.PathLike) -> None:
    """Put the finished folder ``tmp`` in place of ``target`` (which may not exist), then remove the old
    one. The caller holds the lock that protects ``target``. Readers see the old folder or the new."""
    tmp, target = Path(tmp), Path(target)
    _sync_and_check(tmp)
    fault("dir-built", target.name)
    if not target.exists():
        os.rename(tmp, target)
        _wrote()
        _fsync_dir(target.parent)
        fault("dir-swapped", target.name)
        return
    if _exchange(tmp, target):
        _wrote()
        _fsync_dir(target.parent)
        fault("dir-swapped", target.name)
        _remove(tmp)  # now the old content
        return
    old = target.with_name(_temp_name(target.name, "old"))
    os.rename(target, old)
    _wrote()
    fault("dir-between-renames", target.name)
    os.rename(tmp, target)
    _fsync_dir(target.parent)
    fault("dir-swapped", target.name)
    _remove(old)


def link_copy(src: str | os.PathLike, dst: str | os.PathLike, skip: Callable[[str], bool] | None = None) -> int:
    """Copy the folder tree ``src`` into ``dst`` (which must exist, e.g. a ``temp_dir``) with hard links:
    the copies share the files' bytes, size and modification time, so a new version of a partitioned
    table costs only the partitions it rewrites. ``skip(relative folder)`` leaves a subfolder (and all
    under it) out. Files must never be modified in place afterwards (nothing in the product does:
    every write replaces a file). Returns how many files were linked."""
    src, dst = Path(src), Path(dst)
    n = 0
    for d, dirs, files in os.walk(src):
        rel = os.path.relpath(d, src)
        if rel != "." and skip is not None and skip(rel.replace(os.sep, "/")):
            dirs[:] = []
            continue
        out = dst if rel == "." else dst / rel
        out.mkdir(parents=True, exist_ok=True)
        for f in files:
            os.link(os.path.join(d, f), out / f)
            n += 1
    return n


def recover(target: str | os.PathLike) -> bool:
    """After a crash between the two renames of swap_dir (file systems without an atomic exchange):
    if ``target`` is missing but its old copy is there, put the old copy back. True if it did."""
    target = Path(target)
    if target.exists():
        return False
    olds = sorted((p for p in leftovers(target.parent, target.name) if p.name.startswith(f".{target.name}.old-")),
                  key=lambda p: p.stat().st_mtime_ns, reverse=True)
    if not olds:
        return False
    os.rename(olds[0], target)
    _wrote()
    _fsync_dir(target.parent)
    return True
