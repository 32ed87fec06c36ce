"""Tài khoản (local accounts, for an admin): the list, and the changes the page offers (add, role and
scope, lock/unlock, password), each through cchc.accounts with the signed-in admin as its author.

No Streamlit here: pages/tai_khoan.py only draws.
"""
from __future__ import annotations

import polars as pl

from .. import access, accounts


def table(root, db=None) -> pl.DataFrame:
    rows = []
    for u in sorted(accounts.load(root).values(), key=lambda u: u["name"]):
        scope = access.Scope.parse(u["scope"])
        rows.append({"Tên đăng nhập": u["name"], "Họ tên": u.get("display_name") or "",
                     "Vai trò": access.ROLE_LABELS[u["role"]], "Phạm vi": scope.label(db),
                     "Đăng nhập bằng": f"Tài khoản của tỉnh ({u['oidc']})" if u.get("oidc") else "Mật khẩu",
                     "Trạng thái": "Đã khoá" if u.get("disabled") else "Hoạt động",
                     "Đổi lần cuối": (u.get("changed") or "")[:19].replace("T", " ")})
    cols = ["Tên đăng nhập", "Họ tên", "Vai trò", "Phạm vi", "Đăng nhập bằng", "Trạng thái", "Đổi lần cuối"]
    return pl.DataFrame(rows, schema={c: pl.String for c in cols})


def add(root, by: access.Identity, db, name: str, display_name: str, role: str, scope_text: str,
        password: str | None, oidc: str | None) -> str:
    """Add an account; returns the Vietnamese confirmation (AccessError/AccountError otherwise)."""
    accounts.add(root, name, password or None, role, access.Scope.parse(scope_text), by=by, db=db,
                 display_name=display_name, oidc=(oidc or "").strip() or None)
    return f"Đã thêm tài khoản {accounts.normalise_name(name)} ({access.ROLE_LABELS[role]})."


def change(root, by: access.Identity, db, name: str, role: str, scope_text: str, disabled: bool,
           password: str | None) -> str:
    """Role, scope, lock state and (when given) a new password of an account."""
    scope = access.Scope.parse(scope_text) if scope_text.strip() else None
    before = accounts.load(root).get(accounts.normalise_name(name))
    if before is None:
        raise accounts.AccountError(f"Không có tài khoản {name}.")
    if before["role"] != role or (scope is not None and scope.items() != before["scope"]):
        accounts.set_role(root, name, role, scope, by=by, db=db)
    if bool(before.get("disabled")) != disabled:
        accounts.set_disabled(root, name, disabled, by=by)
    if password:
        accounts.reset_password(root, name, password, by=by)
    return f"Đã lưu tài khoản {before['name']}."
