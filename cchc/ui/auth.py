"""Sign-in on screen: who is reading this session (cchc.access.Identity), the sign-in form, signing out,
and the line in the sidebar that says who is signed in (or that this is the sample's demo).

    ident = auth.gate(root)     # in app.py, before anything is read: stops the run on the sign-in form
                                # when the data folder asks for sign-in and nobody has signed in

A local sign-in lives in this browser tab's Streamlit session: it ends on sign-out, after the configured
session length (cchc.signin, default 8 hours), when the account is disabled, or when the tab is reloaded.
The account is read from the file on every run, so a role or scope change applies at the next click.
An OpenID Connect sign-in is Streamlit's own (st.login / st.user, a signed cookie) and is mapped to the
account that names its e-mail (cchc.accounts.from_claims).
"""
from __future__ import annotations

import time

import streamlit as st

from cchc import access, accounts, fmt, signin

KEY = "_signin"        # session_state: {"name": ..., "at": epoch seconds}
IDENTITY = "_identity"  # session_state: the identity of the current run (set by gate)


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises its own error type  # noqa: BLE001
        return False


def settings() -> signin.Settings:
    try:
        return signin.settings()
    except signin.ConfigError as e:
        st.error(fmt.md(str(e)), icon=":material/error:")
        st.stop()


def identity(root: str) -> access.Identity | None:
    """The identity of this session, or None when nobody has signed in and reading needs it."""
    s = settings()
    how = signin.method(s, _oidc_configured()) if s.method != "local" else "local"
    if how == "oidc" and getattr(st.user, "is_logged_in", False):
        try:
            return accounts.from_claims(root, st.user.to_dict())
        except accounts.AccountError as e:
            st.session_state["_signin_error"] = str(e)
    held = st.session_state.get(KEY)
    if held:
        if time.time() - held["at"] > s.session_minutes * 60:
            st.session_state.pop(KEY, None)
            st.session_state["_signin_error"] = "Phiên đăng nhập đã hết hạn; hãy đăng nhập lại."
        else:
            ident = accounts.current(root, held["name"])
            if ident is not None:
                return ident
            st.session_state.pop(KEY, None)
            st.session_state["_signin_error"] = "Tài khoản đã bị khoá hoặc không còn; hãy liên hệ quản trị hệ thống."
    mode = signin.anonymous_mode(root, s)
    return access.anonymous(mode) if mode else None


def _sign_in(root: str) -> None:
    name, password = st.session_state.get("signin_name", ""), st.session_state.get("signin_password", "")
    st.session_state["signin_password"] = ""
    try:
        ident = accounts.authenticate(root, str(name)[:64], str(password)[: accounts.MAX_PASSWORD + 1])
    except accounts.AccountError as e:
        st.session_state["_signin_error"] = str(e)
        return
    st.session_state[KEY] = {"name": ident.username, "at": time.time()}
    st.session_state.pop("_signin_error", None)


def sign_out() -> None:
    st.session_state.pop(KEY, None)
    if getattr(st.user, "is_logged_in", False):
        st.logout()


def form(root: str) -> None:
    """The sign-in form (local accounts) or the button to the province's identity provider."""
    st.subheader("Đăng nhập")
    err = st.session_state.pop("_signin_error", None)
    if err:
        st.error(fmt.md(err), icon=":material/lock:")
    s = settings()
    if signin.method(s, _oidc_configured()) == "oidc":
        st.button("Đăng nhập bằng tài khoản của tỉnh", icon=":material/login:", on_click=st.login, key="signin_oidc")
        return
    with st.form("signin_form", border=True):
        st.text_input("Tên đăng nhập", key="signin_name", max_chars=64, autocomplete="username")
        st.text_input("Mật khẩu", key="signin_password", type="password", max_chars=accounts.MAX_PASSWORD,
                      autocomplete="current-password")
        st.form_submit_button("Đăng nhập", icon=":material/login:", on_click=_sign_in, args=(root,))
    if not accounts.exists(root):
        st.caption("Chưa có tài khoản nào. Người vận hành máy chủ tạo tài khoản quản trị đầu tiên bằng lệnh "
                "`python -m cchc users add <tên> --role admin --scope '*'` (README, mục Đăng nhập).")


def gate(root: str) -> access.Identity:
    """This session's identity, kept for the page (``current``); when reading needs a sign-in and there
    is none, the sign-in form and st.stop()."""
    ident = identity(root)
    if ident is None:
        st.session_state.pop(IDENTITY, None)
        st.title("Bảng điều khiển cải cách hành chính")
        form(root)
        st.stop()
    st.session_state[IDENTITY] = ident
    return ident


def current() -> access.Identity:
    """The identity the gate found on this run (a reader with no scope if the gate did not run)."""
    return st.session_state.get(IDENTITY) or access.Identity("", "viewer", access.Scope("communes", ()), "public")


def badge(ident: access.Identity, root: str) -> None:
    """In the sidebar: who is signed in and a sign-out button; the demo or public-read notice and a
    sign-in for writing."""
    with st.sidebar:
        if ident.via == "demo":
            st.caption("Chế độ xem thử trên dữ liệu mẫu: xem không cần đăng nhập; cần đăng nhập để thay đổi dữ liệu.")
        elif ident.via == "public":
            st.caption("Chế độ xem công khai: cần đăng nhập để thay đổi dữ liệu.")
        else:
            st.caption(fmt.md(f"Đăng nhập: {ident.display_name or ident.username} — "
                              f"{access.ROLE_LABELS[ident.role]}, phạm vi {ident.scope.label()}"))
            st.button("Đăng xuất", icon=":material/logout:", on_click=sign_out, key="signout", type="tertiary")
        if ident.anonymous:
            with st.popover("Đăng nhập", icon=":material/login:"):
                form(root)


def outside(ident: access.Identity, unit, title: str) -> None:
    """A page asked for a unit outside the identity's scope: its title and why, nothing of the unit's
    figures (the unit's name is public reference data)."""
    st.title(title)
    st.warning(fmt.md(f"{unit.name} (mã {unit.key}) nằm ngoài phạm vi của tài khoản "
                      f"{ident.display_name or ident.username} ({ident.scope.label()}): không hiển thị số liệu "
                      "của đơn vị này. Hãy chọn một đơn vị trong phạm vi ở thanh bên."), icon=":material/lock:")
