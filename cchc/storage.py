"""Where the data live: a local folder, or a prefix of an S3-compatible bucket (docs/storage.md).

    root = storage.data_root("s3://cchc/hai-phong")   # or a folder: a pathlib.Path, as always
    storage.glob(root / "dossiers" / "*/*/*.parquet") # the same calls for both kinds of root
    con.register_filesystem(storage.filesystem(root)) # DuckDB then reads s3://… like a folder

A root is chosen by configuration only (``CCHC_DATA_DIR`` or ``--data-dir``): a value starting with
``s3://`` is a bucket prefix, anything else a folder. Pages and queries never ask which: the views,
macros and queries run unchanged over ``s3://`` paths, because DuckDB reads them through an fsspec
filesystem (s3fs) registered on its connection (DuckDB's own httpfs extension cannot be installed
offline for DuckDB 2.0).

The bucket's endpoint and credentials come from the environment only, never from a file of the
repository: ``CCHC_S3_ENDPOINT`` (else ``AWS_ENDPOINT_URL``), ``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN`` and ``AWS_REGION``.

A local folder keeps its fast path: every function below goes straight to ``os`` for a ``Path`` or a
plain string (one isinstance check more than before). A bucket is listed once (one recursive LIST,
1.000 keys a request) and the listing is kept for ``CCHC_S3_LIST_TTL`` seconds (default 10): the
per-query questions (a province's partition files, whether its rollup matches them, a reference
table's stamp) are answered from memory; ``refresh`` lists again (the app's data fingerprint does).
An object's stamp is its size and ETag (S3 keeps no inode and only whole-second times).

**A bucket is read-only for the app and the CLI.** The write path (cchc.store) relies on POSIX
renames and file locks, which S3 does not have; so loads, self-assessment entries, imports and
rollup builds write to a local data folder (the build machine's), and ``publish`` copies that folder
to the bucket (data files first, ``_built.json`` and the markers after them, ``_version`` last).
Any attempt to use a bucket root as a local path raises ReadOnlyError, worded in Vietnamese.
The sign-in state (``_accounts/``, ``_audit/``) is local to the app's machines: with a bucket root it
lives in ``CCHC_STATE_DIR`` (``state_dir``).
"""
from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SCHEME = "s3://"
# Seconds a bucket's listing is trusted before it is listed again.
LIST_TTL_DEFAULT = 10.0
# Files written last by publish, in this order: what readers look at to decide what is there.
MARKERS = ("_sample.json", "_version")  # _version: cchc.store.PUBLISHED_VERSION, written from the folder's stamp
# Never copied to a bucket: the sign-in state (local to the app's machines), locks and temp folders.
NOT_PUBLISHED = ("_accounts", "_audit")


class DataError(RuntimeError):
    """A problem with the data directory, worded for the user (Vietnamese). cchc.db.DataError is this
    class."""


class NoStateDir(DataError):
    """A bucket root with no CCHC_STATE_DIR: no account or audit trail can be kept (Vietnamese message)."""


class ReadOnlyError(DataError):
    """A write asked of a data root in object storage (Vietnamese message)."""


def read_only_message(root) -> str:
    return (f"Dữ liệu đang được đọc từ kho lưu trữ {root} (chỉ đọc): ứng dụng không ghi được vào đó. Hãy nạp hoặc "
            f"sửa dữ liệu trong thư mục dữ liệu của máy xây dựng, rồi công bố lên kho bằng: python -m cchc publish "
            f"--data-dir <thư mục dữ liệu> --to {root}")


# --- configuration ----------------------------------------------------------------------------------
def is_remote(root) -> bool:
    """True for a root (or a path under one) in object storage: a Remote, or a string s3://…."""
    return isinstance(root, Remote) or (isinstance(root, str) and root.startswith(SCHEME))


def data_root(spec: str | os.PathLike) -> "Path | Remote":
    """The root a configured value names: a Remote for ``s3://bucket[/prefix]``, else the resolved folder."""
    if isinstance(spec, Remote):
        return spec
    if is_remote(spec):
        url = SCHEME + str(spec)[len(SCHEME):].strip("/")
        if url == SCHEME:
            raise DataError(f"Địa chỉ kho dữ liệu {spec} thiếu tên bucket (ví dụ s3://cchc/hai-phong).")
        return Remote(url, _bucket(url))
    return Path(spec).expanduser().resolve()


def s3_settings(env: dict | None = None) -> dict:
    """The S3 endpoint and credentials, from the environment only."""
    env = os.environ if env is None else env
    return {"endpoint": env.get("CCHC_S3_ENDPOINT") or env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL"),
            "key": env.get("AWS_ACCESS_KEY_ID"), "secret": env.get("AWS_SECRET_ACCESS_KEY"),
            "token": env.get("AWS_SESSION_TOKEN"), "region": env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")}


def state_dir(root) -> Path:
    """The folder of the sign-in state (``_accounts/``, ``_audit/``): the data folder itself, or, for a
    root in object storage, ``CCHC_STATE_DIR`` (required then)."""
    if not is_remote(root):
        return Path(root)
    env = os.environ.get("CCHC_STATE_DIR")
    if not env:
        raise NoStateDir(f"Dữ liệu đọc từ kho {root}: cần đặt biến CCHC_STATE_DIR là một thư mục trên máy này để "
                        "lưu tài khoản đăng nhập và nhật ký thay đổi.")
    return Path(env).expanduser().resolve()


def check_writable(root) -> None:
    """ReadOnlyError (Vietnamese) when the root is in object storage."""
    if is_remote(root):
        raise ReadOnlyError(read_only_message(_root_url(root)))


# --- a bucket: its filesystem and its listing ---------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    size: int
    etag: str
    mtime_ns: int


class _Bucket:
    """One bucket prefix: the fsspec filesystem and the kept listing of every object under it."""

    def __init__(self, url: str, settings: dict):
        self.url = url                                   # s3://bucket/prefix
        self.key = url[len(SCHEME):]                     # bucket/prefix (s3fs paths carry no scheme)
        self.settings = settings
        self._fs = None
        self._lock = threading.Lock()
        self._listed: tuple[float, dict[str, Entry], dict[str, set[str]], dict[str, dict]] | None = None
        self.generation = 0  # listings made so far
        ttl = os.environ.get("CCHC_S3_LIST_TTL")
        self.ttl = float(ttl) if ttl else LIST_TTL_DEFAULT

    @property
    def fs(self):
        if self._fs is None:
            s = self.settings
            fs = _listed_filesystem_class()(
                key=s["key"], secret=s["secret"], token=s["token"], endpoint_url=s["endpoint"],
                client_kwargs={"region_name": s["region"]} if s["region"] else None,
                # no listing cache inside s3fs: this module keeps its own listing and decides when to renew it
                use_listings_cache=False, skip_instance_cache=True,
                # a read compares the object's ETag with the one listed: an object replaced since the
                # listing (a publish) fails the read (FileExpired) instead of mixing two versions;
                # cchc.db then lists again and runs the query again
                local_expiry_check=True,
                # Parquet reads are ranged (a footer, some column chunks): small blocks, not s3fs's 50 MB
                default_block_size=4 * 2**20,
                config_kwargs={"connect_timeout": 5, "read_timeout": 60,
                               "retries": {"max_attempts": 2, "mode": "standard"}})
            fs.cchc_bucket = self  # its listing answers DuckDB's listings and file sizes (_listed_filesystem_class)
            fs.retries = 1  # botocore retries a failed call once; s3fs would add 5 more, with back-off
            self._fs = fs
        return self._fs

    def listing(self, max_age: float | None = None) -> tuple[dict[str, Entry], dict[str, set[str]]]:
        """(objects: relative key -> Entry, folders: relative folder -> names in it), listed again when
        older than ``max_age`` seconds (default: the TTL)."""
        max_age = self.ttl if max_age is None else max_age
        kept = self._listed
        if kept is not None and time.monotonic() - kept[0] < max_age:
            return kept[1], kept[2]
        with self._lock:
            kept = self._listed
            if kept is not None and time.monotonic() - kept[0] < max_age:
                return kept[1], kept[2]
            t0 = time.monotonic()
            found = self._call(lambda: self.fs.find(self.key, detail=True))
            objects: dict[str, Entry] = {}
            folders: dict[str, set[str]] = {}
            infos: dict[str, dict] = {}
            skip = len(self.key) + 1
            for name, info in found.items():
                if info.get("type") == "directory" or name.endswith("/"):
                    continue
                rel = name[skip:]
                if not rel:
                    continue
                lm = info.get("LastModified")
                infos[name] = info
                objects[rel] = Entry(int(info.get("size") or 0), str(info.get("ETag", "")).strip('"'),
                                     int(lm.timestamp() * 1e9) if lm is not None else 0)
                parts = rel.split("/")
                for i in range(len(parts)):
                    folders.setdefault("/".join(parts[:i]), set()).add(parts[i])
            self._listed = (t0, objects, folders, infos)
            self.generation += 1
            return objects, folders

    def forget(self) -> None:
        self._listed = None

    def kept(self):
        """The listing if it is younger than the TTL, else None; never lists (called from s3fs's event
        loop, where a listing would wait for the loop itself)."""
        kept = self._listed
        return kept if kept is not None and time.monotonic() - kept[0] < self.ttl else None

    def _call(self, fn, *args):
        """fn(*args) with the S3 client's errors said in Vietnamese (DataError)."""
        try:
            return fn(*args)
        except FileNotFoundError as e:
            raise DataError(f"Không tìm thấy bucket hoặc đường dẫn {self.url} trong kho dữ liệu "
                            f"{self.settings['endpoint'] or 'S3'}: {e}") from None
        except PermissionError as e:
            raise DataError(f"Kho dữ liệu {self.settings['endpoint'] or 'S3'} từ chối truy cập {self.url}: khóa truy cập "
                            f"sai hoặc không có quyền đọc (biến AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY). "
                            f"Chi tiết: {_short(e)}") from None
        except DataError:
            raise
        except Exception as e:  # noqa: BLE001 - a connection refused, a DNS error, a timeout, a bad endpoint
            raise DataError(f"Không kết nối được kho dữ liệu {self.settings['endpoint'] or 'S3'} để đọc {self.url}: "
                            f"{_short(e)}. Kiểm tra địa chỉ kho (biến CCHC_S3_ENDPOINT hoặc AWS_ENDPOINT_URL) và "
                            "khóa truy cập (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).") from None


_LISTED_CLASS = None


def _listed_filesystem_class():
    """s3fs.S3FileSystem answering, from the bucket's kept listing (cchc.storage._Bucket), what DuckDB
    asks before it reads: the size of each file it opens (a HEAD request each: 26 for one commune's KPI
    set, measured) and the folders of a glob (a LIST for every folder: 121 when the views are
    created). Anything the listing does not hold, or a listing older than the TTL, goes to S3 as usual."""
    global _LISTED_CLASS
    if _LISTED_CLASS is not None:
        return _LISTED_CLASS
    import s3fs  # imported only when a bucket is used

    class ListedS3FileSystem(s3fs.S3FileSystem):
        cchc_bucket: "_Bucket | None" = None

        def _kept_under(self, path: str):
            b = self.cchc_bucket
            path = self._strip_protocol(path).rstrip("/")
            if b is None or not (path == b.key or path.startswith(b.key + "/")):
                return None, None, path
            return b.kept(), b, path

        async def _info(self, path, bucket=None, key=None, refresh=False, version_id=None):
            kept, b, full = self._kept_under(path)
            if kept is not None and not refresh and version_id is None:
                info = kept[3].get(full)
                if info is not None:
                    return info
                rel = full[len(b.key) + 1:] if full != b.key else ""
                if rel in kept[2]:
                    return {"name": full, "size": 0, "type": "directory"}
            return await super()._info(path, bucket=bucket, key=key, refresh=refresh, version_id=version_id)

        async def _lsdir(self, path, refresh=False, max_items=None, delimiter="/", prefix="", versions=False):
            kept, b, full = self._kept_under(path)
            if kept is not None and not refresh and not max_items and delimiter == "/" and not prefix and not versions:
                rel = full[len(b.key) + 1:] if full != b.key else ""
                out = []
                for n in sorted(kept[2].get(rel, ())):
                    child = full + "/" + n
                    info = kept[3].get(child)
                    out.append(info if info is not None else
                               {"Key": child, "Size": 0, "StorageClass": "DIRECTORY", "name": child, "size": 0,
                                "type": "directory"})
                return out
            return await super()._lsdir(path, refresh=refresh, max_items=max_items, delimiter=delimiter, prefix=prefix,
                                        versions=versions)

    _LISTED_CLASS = ListedS3FileSystem
    return _LISTED_CLASS


def _short(e: Exception) -> str:
    text = str(e).strip() or type(e).__name__
    return text if len(text) <= 200 else text[:200] + "…"


_BUCKETS: dict[tuple, _Bucket] = {}
_BUCKETS_LOCK = threading.Lock()


def _bucket(url: str) -> _Bucket:
    """The one _Bucket of a root URL and the current settings (shared by every Remote under it)."""
    settings = s3_settings()
    key = (url, tuple(sorted((k, v) for k, v in settings.items())))
    with _BUCKETS_LOCK:
        b = _BUCKETS.get(key)
        if b is None:
            b = _BUCKETS[key] = _Bucket(url, settings)
        return b


class Remote:
    """A path in object storage (``s3://bucket/prefix/…``) below a configured root: enough of
    pathlib's reading interface for the code that is given a data root. It is not a local path:
    ``os.fspath`` (and so ``Path(remote)``, ``open``, every write of cchc.store) raises ReadOnlyError."""

    __slots__ = ("url", "_bucket")

    def __init__(self, url: str, bucket: _Bucket):
        self.url = url.rstrip("/")
        self._bucket = bucket

    # identity
    def __str__(self) -> str:
        return self.url

    def __repr__(self) -> str:
        return f"Remote({self.url!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Remote) and other.url == self.url

    def __hash__(self) -> int:
        return hash(self.url)

    def __fspath__(self) -> str:
        raise ReadOnlyError(read_only_message(self._bucket.url))

    def __truediv__(self, part) -> "Remote":
        return Remote(self.url + "/" + str(part).strip("/"), self._bucket)

    def as_posix(self) -> str:
        return self.url

    @property
    def name(self) -> str:
        return self.url.rsplit("/", 1)[-1]

    @property
    def rel(self) -> str:
        """The key relative to the root ('' for the root)."""
        return self.url[len(self._bucket.url) + 1:] if self.url != self._bucket.url else ""

    @property
    def state_dir(self) -> Path:
        return state_dir(self)

    # reading
    def exists(self) -> bool:
        objects, folders = self._bucket.listing()
        return self.rel in objects or self.rel in folders

    def is_dir(self) -> bool:
        return self.rel in self._bucket.listing()[1]

    def is_file(self) -> bool:
        return self.rel in self._bucket.listing()[0]

    def stat(self) -> Entry:
        e = self._bucket.listing()[0].get(self.rel)
        if e is None:
            raise FileNotFoundError(self.url)
        return e

    def read_bytes(self) -> bytes:
        return _read_remote(self._bucket, self.rel)

    def read_text(self, encoding: str = "utf-8") -> str:
        return self.read_bytes().decode(encoding)

    def glob(self, pattern: str) -> list["Remote"]:
        return [Remote(u, self._bucket) for u in _glob_remote(self._bucket, self.rel, pattern)]

    def rglob(self, pattern: str) -> list["Remote"]:
        return [Remote(u, self._bucket) for u in _glob_remote(self._bucket, self.rel, "**/" + pattern)]


def _root_url(p) -> str:
    return p._bucket.url if isinstance(p, Remote) else _locate(str(p))[0].url


def _locate(url: str) -> tuple[_Bucket, str]:
    """The bucket a path s3://… is under (the longest configured root that holds it) and its relative key."""
    best = None
    for b in list(_BUCKETS.values()):
        if (url == b.url or url.startswith(b.url + "/")) and (best is None or len(b.url) > len(best.url)):
            best = b
    if best is None:
        raise DataError(f"Đường dẫn {url} không nằm trong kho dữ liệu nào đã cấu hình (CCHC_DATA_DIR).")
    return best, url[len(best.url) + 1:] if url != best.url else ""


def _as_remote(p) -> tuple[_Bucket, str]:
    if isinstance(p, Remote):
        return p._bucket, p.rel
    return _locate(str(p))


def _read_remote(bucket: _Bucket, rel: str) -> bytes:
    key = bucket.key + "/" + rel if rel else bucket.key
    try:
        return bucket._call(bucket.fs.cat_file, key)
    except DataError as e:
        if rel not in bucket.listing(max_age=0)[0]:
            raise FileNotFoundError(bucket.url + "/" + rel) from e
        raise


def _glob_remote(bucket: _Bucket, base: str, pattern: str) -> list[str]:
    """URLs of the objects under ``base`` matching ``pattern`` (``*`` within one name, ``**/`` any depth)."""
    objects = bucket.listing()[0]
    prefix = base + "/" if base else ""
    pattern = pattern.strip("/")
    deep = pattern.startswith("**/")
    parts = pattern[3:].split("/") if deep else pattern.split("/")
    out = []
    for rel in objects:
        if not rel.startswith(prefix):
            continue
        names = rel[len(prefix):].split("/")
        if deep:
            ok = fnmatch.fnmatchcase(names[-1], parts[-1]) if len(parts) == 1 else fnmatch.fnmatchcase("/".join(names), pattern)
        else:
            ok = len(names) == len(parts) and all(fnmatch.fnmatchcase(n, p) for n, p in zip(names, parts))
        if ok:
            out.append(bucket.url + "/" + rel)
    return sorted(out)


# --- the functions the rest of cchc calls (a folder: straight to os) -------------------------------------
def join(root, *parts: str):
    """root / part / …, for a folder (a Path or a string) or a bucket path."""
    if is_remote(root):
        return "/".join([str(root).rstrip("/"), *(p.strip("/") for p in parts)])
    return os.path.join(root, *parts)


def exists(p) -> bool:
    if is_remote(p):
        b, rel = _as_remote(p)
        objects, folders = b.listing()
        return rel in objects or rel in folders
    return os.path.exists(p)


def is_dir(p) -> bool:
    if is_remote(p):
        b, rel = _as_remote(p)
        return rel in b.listing()[1]
    return os.path.isdir(p)


def listdir(p) -> list[str]:
    """The names in a folder (FileNotFoundError if there is none)."""
    if is_remote(p):
        b, rel = _as_remote(p)
        names = b.listing()[1].get(rel)
        if names is None:
            raise FileNotFoundError(str(p))
        return list(names)
    return os.listdir(p)


def glob(pattern) -> list[str]:
    """The paths matching a glob pattern (``*`` within one name), sorted for a bucket (as listed for a folder)."""
    if is_remote(pattern):
        b, rel = _as_remote(str(pattern))
        return _glob_remote(b, "", rel)
    import glob as _glob
    return _glob.glob(str(pattern))


def rglob(p, pattern: str) -> list:
    """Files matching ``pattern`` at any depth under ``p``: Remote paths or Path objects."""
    if is_remote(p):
        b, rel = _as_remote(p)
        return [Remote(u, b) for u in _glob_remote(b, rel, "**/" + pattern)]
    return list(Path(p).rglob(pattern))


def stamp(p) -> tuple | None:
    """What changes when a file is rewritten: (inode, size, mtime_ns) of a local file, (size, ETag) of an
    object; None when it does not exist."""
    if is_remote(p):
        b, rel = _as_remote(p)
        e = b.listing()[0].get(rel)
        return None if e is None else (e.size, e.etag)
    try:
        st = os.stat(p)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def size(p) -> int:
    if is_remote(p):
        b, rel = _as_remote(p)
        e = b.listing()[0].get(rel)
        if e is None:
            raise FileNotFoundError(str(p))
        return e.size
    return os.path.getsize(p)


def read_bytes(p) -> bytes:
    if is_remote(p):
        return _read_remote(*_as_remote(p))
    with open(p, "rb") as f:
        return f.read()


def read_text(p, encoding: str = "utf-8") -> str:
    return read_bytes(p).decode(encoding)


def open_input(p):
    """What pyarrow.parquet.ParquetFile reads: the path of a local file, an open file of an object."""
    if is_remote(p):
        b, rel = _as_remote(p)
        if rel not in b.listing()[0]:
            raise FileNotFoundError(str(p))
        return b.fs.open(b.key + "/" + rel, "rb")
    return p


def relative(p, root) -> str | None:
    """The path of ``p`` relative to ``root``, with '/' separators; None when it is not under it."""
    if is_remote(root):
        r, s = str(root).rstrip("/") + "/", str(p)
        return s[len(r):] if s.startswith(r) else None
    try:
        return Path(p).resolve().relative_to(Path(root)).as_posix()
    except (ValueError, OSError):
        return None


def filesystem(root):
    """The fsspec filesystem to register on a DuckDB connection for this root (None for a folder)."""
    if not is_remote(root):
        return None
    return _as_remote(root)[0].fs


def generation(root) -> int:
    """How many times a bucket root has been listed (0 for a folder): a query that saw it change
    while it ran was answered partly from two listings (cchc.db.Database.run runs it again)."""
    return _as_remote(root)[0].generation if is_remote(root) else 0


def refresh(root) -> None:
    """Forget the kept listing of a bucket root (the next question lists again); nothing for a folder."""
    if is_remote(root):
        _as_remote(root)[0].forget()


def check_reachable(root) -> None:
    """List the root now: DataError (Vietnamese) when the store cannot be reached or refuses the keys."""
    if is_remote(root):
        b, rel = _as_remote(root)
        b.listing(max_age=0)


def signature(root, folder: str, files: list[str]) -> list[list]:
    """[path relative to root/folder, size, mtime_ns or ETag] of each file (cchc.rollup.source_signature)."""
    if is_remote(root):
        b, _ = _as_remote(root)
        objects = b.listing()[0]
        base = str(root).rstrip("/") + "/" + folder + "/"
        out = []
        for f in files:
            e = objects.get(_as_remote(f)[1])
            if e is None:
                raise FileNotFoundError(f)
            out.append([f[len(base):], e.size, e.etag])
        return out
    skip = len(os.path.join(root, folder)) + 1
    return [[f[skip:].replace(os.sep, "/"), st.st_size, st.st_mtime_ns] for f in files for st in (os.stat(f),)]


# --- publish: a local data folder copied to a bucket ---------------------------------------------------
def _md5(path: Path) -> str:
    h = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(2**20), b""):
            h.update(chunk)
    return h.hexdigest()


def _published_files(local: Path) -> list[str]:
    """Relative paths of the files of a data folder that go to the bucket: not the sign-in state, not
    locks, temp files or folders (names starting with '.')."""
    out = []
    for dirpath, dirnames, filenames in os.walk(local):
        rel_dir = os.path.relpath(dirpath, local)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                             and not (rel_dir == "." and d in NOT_PUBLISHED))
        for n in sorted(filenames):
            if n.startswith("."):
                continue
            rel = n if rel_dir == "." else f"{rel_dir}/{n}".replace(os.sep, "/")
            out.append(rel)
    return out


def publish(local: str | os.PathLike, to: str, progress=None, delete: bool = True) -> dict:
    """Copy a local data folder to a bucket prefix so that readers of the bucket see the same figures.

    Order: the Parquet files of the tables (changed ones only: size and MD5 against the object's
    ETag), then each rollup's ``_built.json`` rewritten so that the sources it records are stamped
    as the bucket stamps them (size and ETag instead of the folder's mtime; a province whose rollup
    no longer matches its files stays unmatched), then the markers (``_sample.json``, ``_version``
    last), then the objects the folder no longer has are deleted (``delete``). Held under the folder's
    shared lock (cchc.store.directory), so no load changes the folder while it is copied.
    Returns {"uploaded": n, "kept": n, "deleted": n, "bytes": n, "seconds": s}."""
    from . import rollup, store

    t0 = time.perf_counter()
    say = progress or (lambda s: None)
    local = Path(local).expanduser().resolve()
    if not local.is_dir():
        raise DataError(f"Không tìm thấy thư mục dữ liệu {local} để công bố.")
    target = data_root(to)
    if not isinstance(target, Remote):
        raise DataError(f"Đích công bố phải là một kho lưu trữ đối tượng s3://bucket/thư-mục, không phải {to}.")
    b = target._bucket
    fs = b.fs
    bucket_name = b.key.split("/", 1)[0]
    if not b._call(fs.exists, bucket_name):
        b._call(fs.mkdir, bucket_name)
    uploaded = kept = deleted = nbytes = 0
    with store.directory(local):
        files = _published_files(local)
        remote = b.listing(max_age=0)[0]
        rollup_built = {f"{name}/{rollup.BUILT}" for name in rollup.ROLLUPS}
        late = [f for f in files if f in rollup_built or f in MARKERS]
        first = [f for f in files if f not in late]
        for rel in first:
            path = local / rel
            st = path.stat()
            e = remote.get(rel)
            if e is not None and e.size == st.st_size and "-" not in e.etag and e.etag == _md5(path):
                kept += 1
                continue
            b._call(fs.put_file, str(path), b.key + "/" + rel)
            uploaded += 1
            nbytes += st.st_size
            say(f"Đã tải lên {rel}")
        objects = b.listing(max_age=0)[0]
        for name in rollup.ROLLUPS:
            rel = f"{name}/{rollup.BUILT}"
            if rel not in files:
                continue
            record = json.loads((local / rel).read_text(encoding="utf-8"))
            source = rollup.ROLLUPS[name][0]
            for p, sig in record.get("provinces", {}).items():
                if sig != rollup.source_signature(local, source, p):
                    continue  # stale in the folder: stays stale in the bucket (the sources are read instead)
                stamped = []
                for f, fsize, _ in sig:
                    e = objects.get(f"{source.name}/{f}")
                    stamped.append([f, fsize, e.etag if e is not None else None])
                record["provinces"][p] = stamped
            data = json.dumps(record, indent=0).encode("utf-8")
            b._call(fs.pipe_file, b.key + "/" + rel, data)
            uploaded += 1
            nbytes += len(data)
        for rel in (f for f in MARKERS if f in late):
            b._call(fs.put_file, str(local / rel), b.key + "/" + rel)
            uploaded += 1
            nbytes += (local / rel).stat().st_size
        # the data version (cchc.store.data_version), last: the folder's stamp and when it was published,
        # so that every publish changes the object's ETag and every reader's caches follow it
        version = getattr(store, "PUBLISHED_VERSION", "_version")
        try:
            here = (local / getattr(store, "VERSION_FILE", ".version.lock")).read_text(encoding="utf-8").strip()
        except OSError:
            here = ""
        stamp_text = json.dumps({"version": here, "published": time.time_ns()}).encode("utf-8")
        b._call(fs.pipe_file, b.key + "/" + version, stamp_text)
        uploaded += 1
        if delete:
            keep = set(files) | {version}
            gone = [rel for rel in objects if rel not in keep and rel.split("/", 1)[0] not in NOT_PUBLISHED]
            for rel in gone:
                b._call(fs.rm_file, b.key + "/" + rel)
                deleted += 1
    b.forget()
    return {"uploaded": uploaded, "kept": kept, "deleted": deleted, "bytes": nbytes,
            "seconds": round(time.perf_counter() - t0, 2)}


def publish_summary(source, to: str, r: dict) -> str:
    """What a publish did, in Vietnamese (python -m cchc publish)."""
    from . import fmt
    return (f"Đã công bố {source} lên {to}: tải lên {fmt.number(r['uploaded'])} tệp "
            f"({fmt.number(r['bytes'] / 2**20, 1)} MB), giữ nguyên {fmt.number(r['kept'])}, xoá {fmt.number(r['deleted'])} "
            f"({fmt.number(r['seconds'], 1)} giây).")
