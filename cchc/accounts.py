"""Local accounts for a single-server install without a single sign-on: kept in the data folder
(``_accounts/users.json``), passwords as argon2id hashes (argon2-cffi's PasswordHasher: salted, slow,
never reversible), every change written through the one write path and recorded in the audit trail.

    accounts.add(root, "lan.nguyen", "mật khẩu dài", "officer", Scope.parse("10633"), by=operator())
    ident = accounts.authenticate(root, "lan.nguyen", "mật khẩu dài")     # an access.Identity

Failed sign-ins are throttled per account: after FREE_FAILURES wrong passwords in a row the account
waits 30 s, doubling with each further failure up to 15 min (the count is kept in the file, so it holds
across server restarts and processes); an unknown name costs the same hash time as a known one and is
throttled in memory per process. A disabled account is refused whatever the password.
"""
from __future__ import annotations

import json
import math
import os
import re
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from . import audit, storage, store
from .access import ROLE_LABELS, ROLES, AccessError, Identity, Scope

FOLDER = "_accounts"
FILE = "users.json"
MIN_PASSWORD = 10
MAX_PASSWORD = 256
FREE_FAILURES = 5
BASE_WAIT_S = 30
MAX_WAIT_S = 15 * 60
_NAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
_hasher = PasswordHasher()
_DUMMY = _hasher.hash("not a password of anyone")
_unknown: dict[str, tuple[int, float]] = {}     # name -> (failures, last failure time), this process only
_unknown_lock = threading.Lock()


class AccountError(AccessError):
    """A refused sign-in or account change (Vietnamese, safe to show)."""


def _path(root) -> Path:
    return storage.state_dir(root) / FOLDER / FILE


def _now() -> float:
    return time.time()


def normalise_name(name: str) -> str:
    n = (name or "").strip().lower()
    if not _NAME.match(n):
        raise AccountError("Tên đăng nhập 2–64 ký tự: chữ thường không dấu, số, dấu chấm, gạch, @ "
                           "(ví dụ lan.nguyen).")
    return n


def _check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise AccountError(f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"Mật khẩu dài quá {MAX_PASSWORD} ký tự.")


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"Vai trò không hợp lệ: {str(role)[:40]!r}; chọn một trong "
                           + ", ".join(f"{r} ({ROLE_LABELS[r]})" for r in ROLES) + ".")
    return role


def load(root: str | os.PathLike) -> dict[str, dict]:
    """The accounts, by name (empty when none exist yet)."""
    try:
        data = json.loads(_path(root).read_text(encoding="utf-8"))
    except (FileNotFoundError, storage.NoStateDir):  # none yet; or a bucket root without CCHC_STATE_DIR
        return {}
    return data.get("users", {})


def exists(root: str | os.PathLike) -> bool:
    return bool(load(root))


def _public(user: dict | None) -> dict | None:
    """An account as the audit trail records it: never the hash."""
    if user is None:
        return None
    return {k: v for k, v in user.items() if k not in ("hash", "failures", "wait_until")}


def _change(root: Path, name: str, change, by: Identity | None, action: str, audited: bool = True) -> dict:
    """Read-modify-write of the accounts file under its lock; ``change(users)`` edits the dict in place
    and returns (before, after) of the account for the trail."""
    root = storage.state_dir(root)
    path = _path(root)
    path.parent.mkdir(exist_ok=True)
    with store.writing(root, FOLDER, what="tài khoản"):
        store.clean_leftovers(path.parent, FILE)
        users = load(root)
        before, after = change(users)
        text = json.dumps({"version": 1, "users": users}, ensure_ascii=False, indent=1, sort_keys=True)

        def check(tmp: Path) -> None:
            if json.loads(tmp.read_text(encoding="utf-8"))["users"] != users:
                raise store.WriteError("Tệp tài khoản ghi ra không đọc lại được đúng; không thay đổi gì.")

        store.replace_file(path, lambda tmp: tmp.write_text(text, encoding="utf-8"), check)
        if os.name == "posix":
            os.chmod(path, 0o600)
    if audited and by is not None:
        audit.record(root, by, action, note=name, before=_public(before), after=_public(after))
    return after


def _stamp() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def add(root, name: str, password: str | None, role: str, scope: Scope, *, by: Identity, display_name: str = "",
        db=None, oidc: str | None = None) -> dict:
    """A new account (AccountError if the name is taken or a value is invalid). ``oidc``: the e-mail
    (or subject) the province's identity provider vouches for; such an account signs in only there
    and needs no password here."""
    by.require("manage_accounts")
    name, role = normalise_name(name), _check_role(role)
    oidc = _check_oidc(oidc) if oidc is not None else None
    if oidc is None or password is not None:
        _check_password(password)
    if db is not None:
        scope.check(db)
    digest = _hasher.hash(password) if password is not None else None

    def change(users):
        if name in users:
            raise AccountError(f"Tài khoản {name} đã có.")
        if oidc and any(u.get("oidc") == oidc for u in users.values()):
            raise AccountError(f"Đã có tài khoản gắn với {oidc}.")
        users[name] = {"name": name, "display_name": display_name.strip()[:120] or name, "role": role,
                       "scope": scope.items(), "hash": digest, "oidc": oidc, "disabled": False,
                       "created": _stamp(), "changed": _stamp(), "failures": 0, "wait_until": 0}
        return None, dict(users[name])
    return _change(root, name, change, by, "account.add")


def _check_oidc(text: str) -> str:
    t = str(text).strip().lower()
    if not 3 <= len(t) <= 254 or any(c.isspace() for c in t):
        raise AccountError("Định danh đăng nhập một lần (e-mail) không hợp lệ.")
    return t


def from_claims(root, claims: dict) -> Identity:
    """The identity of an OpenID Connect sign-in: the account whose ``oidc`` is the token's e-mail (or
    subject). The provider proves who it is; what it may do is this install's to say."""
    keys = {str(claims.get(k) or "").strip().lower() for k in ("email", "sub")} - {""}
    for u in load(root).values():
        if u.get("oidc") and u["oidc"] in keys:
            if u.get("disabled"):
                raise AccountError(f"Tài khoản {u['name']} đã bị khoá; liên hệ quản trị hệ thống.")
            return Identity(u["name"], u["role"], Scope.parse(u["scope"]), "oidc", u.get("display_name", ""))
    who = str(claims.get("email") or claims.get("sub") or "")[:120]
    raise AccountError(f"{who} đã đăng nhập nhưng chưa được cấp quyền trên hệ thống này; liên hệ quản trị hệ thống.")


def _edit(root, name: str, by: Identity, action: str, edit) -> dict:
    by.require("manage_accounts")
    name = normalise_name(name)

    def change(users):
        if name not in users:
            raise AccountError(f"Không có tài khoản {name}.")
        before = dict(users[name])
        edit(users[name])
        users[name]["changed"] = _stamp()
        return before, dict(users[name])
    return _change(root, name, change, by, action)


def set_role(root, name: str, role: str, scope: Scope | None = None, *, by: Identity, db=None) -> dict:
    role = _check_role(role)
    if scope is not None and db is not None:
        scope.check(db)

    def edit(u):
        u["role"] = role
        if scope is not None:
            u["scope"] = scope.items()
    return _edit(root, name, by, "account.role", edit)


def set_disabled(root, name: str, disabled: bool, *, by: Identity) -> dict:
    def edit(u):
        u["disabled"] = bool(disabled)
    return _edit(root, name, by, "account.disable" if disabled else "account.enable", edit)


def reset_password(root, name: str, password: str, *, by: Identity) -> dict:
    _check_password(password)
    digest = _hasher.hash(password)

    def edit(u):
        u.update(hash=digest, failures=0, wait_until=0)
    return _edit(root, name, by, "account.password", edit)


def identity_of(user: dict, via: str = "local") -> Identity:
    return Identity(user["name"], user["role"], Scope.parse(user["scope"]), via, user.get("display_name", ""))


def current(root, name: str, via: str = "local") -> Identity | None:
    """The account's identity as the file says now (role changes apply on the next request); None when
    it no longer exists or is disabled."""
    u = load(root).get(name)
    return None if u is None or u.get("disabled") else identity_of(u, via)


def _wait(failures: int) -> float:
    if failures < FREE_FAILURES:
        return 0.0
    return float(min(MAX_WAIT_S, BASE_WAIT_S * 2 ** (failures - FREE_FAILURES)))


def _refuse_wait(until: float, now: float) -> None:
    if until > now:
        raise AccountError(f"Đăng nhập sai nhiều lần: hãy thử lại sau {math.ceil(until - now)} giây.")


WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."


def authenticate(root, name: str, password: str) -> Identity:
    """The identity of an account whose password matches; AccountError (Vietnamese, the same message
    for an unknown name and a wrong password) otherwise."""
    root = storage.state_dir(root)
    now = _now()
    try:
        name = normalise_name(name)
    except AccountError:
        raise AccountError(WRONG) from None
    if not isinstance(password, str) or len(password) > MAX_PASSWORD:
        raise AccountError(WRONG)
    user = load(root).get(name)
    if user is None:
        with _unknown_lock:
            fails, last = _unknown.get(name, (0, 0.0))
            _refuse_wait(last + _wait(fails), now)
        try:
            _hasher.verify(_DUMMY, password)
        except VerificationError:
            pass
        with _unknown_lock:
            if len(_unknown) > 10_000:
                _unknown.clear()
            _unknown[name] = (fails + 1, now)
        raise AccountError(WRONG)
    _refuse_wait(float(user.get("wait_until") or 0), now)
    if not user.get("hash"):  # an account of the identity provider: no local password
        raise AccountError(WRONG)
    try:
        ok = _hasher.verify(user["hash"], password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok:
        def fail(users):
            u = users[name]
            u["failures"] = int(u.get("failures") or 0) + 1
            u["wait_until"] = now + _wait(u["failures"])
            return None, None
        _change(root, name, fail, None, "", audited=False)
        raise AccountError(WRONG)
    if user.get("disabled"):
        raise AccountError(f"Tài khoản {name} đã bị khoá; liên hệ quản trị hệ thống.")
    if user.get("failures") or _hasher.check_needs_rehash(user["hash"]):
        rehash = _hasher.hash(password) if _hasher.check_needs_rehash(user["hash"]) else user["hash"]

        def reset(users):
            users[name].update(failures=0, wait_until=0, hash=rehash)
            return None, None
        _change(root, name, reset, None, "", audited=False)
    return identity_of(user)
