"""`python -m cchc users add|role|disable|enable|reset-password|list` and the CLI's identity (`--as`).

The CLI acts as the machine's operator (whole scope, recorded in the audit trail as the operating
system's user) unless ``--as USER`` applies that account's role and scope. Passwords are read from the
terminal without echo, or from standard input with ``--password-stdin`` (for scripts); never from the
command line, where other users of the machine could read them.
"""
from __future__ import annotations

import argparse
import getpass
import sys

from . import access, accounts
from .access import ROLE_LABELS, ROLES, Scope


def add_parser(sub) -> None:
    u = sub.add_parser("users", help="tài khoản đăng nhập cục bộ: thêm, đổi vai trò, khoá, đặt lại mật khẩu, liệt kê")
    us = u.add_subparsers(dest="users_cmd", required=True)
    roles = ", ".join(f"{r} ({ROLE_LABELS[r]})" for r in ROLES)
    a = us.add_parser("add", help="thêm tài khoản")
    a.add_argument("name", help="tên đăng nhập (chữ thường không dấu, ví dụ lan.nguyen)")
    a.add_argument("--role", required=True, choices=ROLES, help=f"vai trò: {roles}")
    a.add_argument("--scope", required=True, help="phạm vi: * (cả nước), tinh:<mã> …, hoặc danh sách mã xã")
    a.add_argument("--display-name", default="", help="họ tên hiển thị")
    a.add_argument("--oidc", help="e-mail đăng nhập một lần của tỉnh (tài khoản không có mật khẩu ở đây)")
    a.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ đầu vào chuẩn (một dòng)")
    r = us.add_parser("role", help="đổi vai trò (và phạm vi) của tài khoản")
    r.add_argument("name")
    r.add_argument("--role", required=True, choices=ROLES)
    r.add_argument("--scope", help="phạm vi mới (giữ nguyên nếu không ghi)")
    for cmd, text in (("disable", "khoá tài khoản"), ("enable", "mở khoá tài khoản")):
        d = us.add_parser(cmd, help=text)
        d.add_argument("name")
    p = us.add_parser("reset-password", help="đặt lại mật khẩu")
    p.add_argument("name")
    p.add_argument("--password-stdin", action="store_true")
    us.add_parser("list", help="liệt kê tài khoản")
    for s in (a, r, p, us.choices["disable"], us.choices["enable"], us.choices["list"]):
        s.add_argument("--data-dir", dest="data_dir_sub", help=argparse.SUPPRESS)


def add_as_option(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--as", dest="as_user", metavar="USER",
                    help="thực hiện với vai trò và phạm vi của tài khoản USER (mặc định: người vận hành máy, "
                         "toàn quyền, ghi nhật ký bằng tên người dùng hệ điều hành)")


def identity(root, as_user: str | None) -> access.Identity:
    """Who a CLI command acts as (AccessError, Vietnamese, for an unknown or disabled account)."""
    if not as_user:
        return access.operator()
    name = accounts.normalise_name(as_user)
    ident = accounts.current(root, name)
    if ident is None:
        raise access.AccessError(f"Không có tài khoản {name} đang hoạt động (--as).")
    return access.Identity(ident.username, ident.role, ident.scope, "cli-as", ident.display_name)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mật khẩu: ")
    if getpass.getpass("Nhập lại mật khẩu: ") != first:
        raise accounts.AccountError("Hai lần nhập mật khẩu không giống nhau.")
    return first


def run(args, root, db, by: access.Identity) -> int:
    cmd = args.users_cmd
    if cmd == "list":
        by.require("manage_accounts")
        for u in sorted(accounts.load(root).values(), key=lambda u: u["name"]):
            state = "đã khoá" if u.get("disabled") else "hoạt động"
            how = f"oidc {u['oidc']}" if u.get("oidc") else "mật khẩu"
            print(f"{u['name']}\t{ROLE_LABELS[u['role']]}\t{' '.join(u['scope'])}\t{how}\t{state}")
        return 0
    if cmd == "add":
        password = None if args.oidc and not args.password_stdin else _password(args.password_stdin)
        accounts.add(root, args.name, password, args.role, Scope.parse(args.scope), by=by, db=db,
                     display_name=args.display_name, oidc=args.oidc)
        print(f"Đã thêm tài khoản {accounts.normalise_name(args.name)} ({ROLE_LABELS[args.role]}).")
    elif cmd == "role":
        accounts.set_role(root, args.name, args.role, Scope.parse(args.scope) if args.scope else None, by=by, db=db)
        print(f"Đã đổi vai trò của {accounts.normalise_name(args.name)}: {ROLE_LABELS[args.role]}.")
    elif cmd in ("disable", "enable"):
        accounts.set_disabled(root, args.name, cmd == "disable", by=by)
        print(f"Đã {'khoá' if cmd == 'disable' else 'mở khoá'} tài khoản {accounts.normalise_name(args.name)}.")
    elif cmd == "reset-password":
        accounts.reset_password(root, args.name, _password(args.password_stdin), by=by)
        print(f"Đã đặt lại mật khẩu của {accounts.normalise_name(args.name)}.")
    return 0
