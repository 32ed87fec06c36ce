"""The audit trail: every write (facts entered, loads and undos, published results uploaded, account
changes) appends who, when, what, from which file (its SHA-256), before and after.

    audit.record(root, identity, "facts.save", unit="10621", before={...}, after={...})
    audit.entries(root)          # oldest first; AuditError when the log was tampered with

The log is ``_audit/log.jsonl`` in the data folder, appended through the one write path (lock, temp
file, fsync, atomic swap, read-back). It is tamper-evident, not tamper-proof: each entry carries the
SHA-256 of the previous entry's hash and its own content (a hash chain), and ``_audit/head.json``
(rewritten after each append) holds the last sequence number and hash, so an edited, inserted,
removed or reordered line, and a truncation of the end, are found by ``verify``. A new entry is
refused while the log does not verify (the trail is never extended past a tampered part). Somebody
who can rewrite both files with the chain recomputed is not detected; against that the log must be
copied off the machine (docs/access.md).
"""
from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from pathlib import Path

from . import storage, store

FOLDER = "_audit"
LOG = "log.jsonl"
HEAD = "head.json"
GENESIS = "0" * 64
MAX_TEXT = 2000          # a long value (a free-text note) is cut in the trail, with its length kept
# Every kind of write the trail records, with its Vietnamese name (the audit page's filter).
ACTIONS = {
    "facts.save": "Nhập số liệu tự đánh giá",
    "load": "Nạp dữ liệu",
    "undo": "Hoàn tác lần nạp",
    "results.upload": "Tải lên kết quả công bố",
    "account.add": "Thêm tài khoản",
    "account.role": "Đổi vai trò, phạm vi",
    "account.disable": "Khoá tài khoản",
    "account.enable": "Mở khoá tài khoản",
    "account.password": "Đặt lại mật khẩu",
}


class AuditError(RuntimeError):
    """The trail does not verify (Vietnamese message)."""


def _canonical(entry: dict) -> bytes:
    return json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode("utf-8")


def _hash(prev: str, body: dict) -> str:
    return hashlib.sha256(prev.encode("ascii") + _canonical(body)).hexdigest()


def file_hash(path_or_bytes) -> str:
    """The SHA-256 of a file (path) or of bytes, as the trail records it."""
    h = hashlib.sha256()
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        h.update(path_or_bytes)
    else:
        with open(path_or_bytes, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def _bounded(value):
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return value[:MAX_TEXT] + f"… ({len(value)} ký tự)"
    if isinstance(value, dict):
        return {str(k)[:200]: _bounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_bounded(v) for v in value]
    return value


def _read(root: Path) -> tuple[list[dict], dict | None]:
    folder = root / FOLDER
    try:
        text = (folder / LOG).read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    try:
        head = json.loads((folder / HEAD).read_text(encoding="utf-8"))
    except FileNotFoundError:
        head = None
    except (ValueError, UnicodeDecodeError):
        raise AuditError("Nhật ký thay đổi bị sửa: tệp _audit/head.json không đọc được.") from None
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        try:
            out.append(json.loads(line))
        except ValueError:
            raise AuditError(f"Nhật ký thay đổi bị sửa: dòng {n} của _audit/log.jsonl không đọc được.") from None
    return out, head


def _verify(entries: list[dict], head: dict | None) -> None:
    prev = GENESIS
    for n, e in enumerate(entries, start=1):
        body = {k: v for k, v in e.items() if k != "hash"}
        if e.get("seq") != n or e.get("prev") != prev or e.get("hash") != _hash(prev, body):
            raise AuditError(f"Nhật ký thay đổi bị sửa: dòng {n} của _audit/log.jsonl không khớp chuỗi băm "
                             "(một mục đã bị sửa, chèn, xoá hoặc đổi chỗ).")
        prev = e["hash"]
    if head is None:
        if entries:
            raise AuditError("Nhật ký thay đổi bị sửa: thiếu tệp _audit/head.json.")
        return
    last = (len(entries), prev)
    # the head is rewritten after the log: a crash in between leaves it one entry behind
    behind = len(entries) >= 1 and (head.get("seq"), head.get("hash")) == (
        len(entries) - 1, entries[-2]["hash"] if len(entries) >= 2 else GENESIS)
    if (head.get("seq"), head.get("hash")) != last and not behind:
        raise AuditError("Nhật ký thay đổi bị sửa: _audit/log.jsonl không khớp mục cuối đã ghi "
                         f"(mục {head.get('seq')}); có thể các mục cuối đã bị xoá.")


def verify(root: str | os.PathLike) -> int:
    """Check the whole chain and the head; returns the number of entries (AuditError if tampered)."""
    entries, head = _read(storage.state_dir(root))
    _verify(entries, head)
    return len(entries)


def entries(root: str | os.PathLike) -> list[dict]:
    """The trail, oldest first, after verifying it (AuditError if tampered)."""
    out, head = _read(storage.state_dir(root))
    _verify(out, head)
    return out


def record(root: str | os.PathLike, identity, action: str, *, unit: str | None = None, file: str | None = None,
           sha256: str | None = None, before=None, after=None, note: str | None = None) -> dict:
    """Append one entry for a write ``identity`` (cchc.access.Identity) made; returns it."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    root = storage.state_dir(root)
    folder = root / FOLDER
    folder.mkdir(exist_ok=True)
    with store.writing(root, FOLDER, what="nhật ký thay đổi"):
        store.clean_leftovers(folder, LOG)
        store.clean_leftovers(folder, HEAD)
        old, head = _read(root)
        _verify(old, head)
        prev = old[-1]["hash"] if old else GENESIS
        body = {"seq": len(old) + 1, "at": datetime.now().astimezone().isoformat(timespec="seconds"),
                "who": identity.who, "role": identity.role, "action": action, "unit": unit, "file": file,
                "sha256": sha256, "before": _bounded(before), "after": _bounded(after), "note": _bounded(note),
                "prev": prev}
        entry = {**body, "hash": _hash(prev, body)}
        log = folder / LOG
        data = (log.read_bytes() if log.exists() else b"") + _canonical(entry) + b"\n"

        def check(tmp: Path) -> None:
            back = [json.loads(x) for x in tmp.read_text(encoding="utf-8").splitlines()]
            if len(back) != entry["seq"] or back[-1] != json.loads(_canonical(entry)):
                raise store.WriteError("Nhật ký thay đổi ghi ra không đọc lại được đúng; không thay đổi gì.")

        store.replace_file(log, lambda tmp: tmp.write_bytes(data), check)
        store.replace_file(folder / HEAD, lambda tmp: tmp.write_text(
            json.dumps({"seq": entry["seq"], "hash": entry["hash"]}), encoding="utf-8"))
        return entry


def visible(rows: list[dict], identity, db=None) -> list[dict]:
    """The entries an identity may read: all for an admin; for a data manager its own, and the writes of
    data (not of accounts) about units in its scope — all of them for a national scope; none otherwise."""
    if identity.role == "admin" and not identity.anonymous:
        return rows
    if not identity.may("read_audit"):
        return []
    if identity.scope.kind == "country":
        return [r for r in rows if r.get("who") == identity.who or not str(r.get("action", "")).startswith("account.")]
    from . import units
    out = []
    for r in rows:
        if r.get("who") == identity.who:
            out.append(r)
            continue
        key = r.get("unit")
        if not key:
            continue
        try:
            u = units.resolve(db, key)
        except units.UnitError:
            continue
        if identity.covers(db, u):
            out.append(r)
    return out
