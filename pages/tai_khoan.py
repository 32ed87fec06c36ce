"""Tài khoản (for an admin): the local and single-sign-on accounts with their role, scope and state;
add one; change a role, a scope, lock or unlock, set a new password. Every change is written through
the one write path and recorded in the audit trail with the signed-in admin as its author. The same
is done from the CLI: python -m cchc users …

Reads and writes through cchc.views.tai_khoan (cchc.accounts). No page parameters of its own.
"""
import streamlit as st

from cchc import access, accounts, fmt
from cchc.ui import auth, state, tables
from cchc.views import tai_khoan as tk

db = state.get_db()
ident = auth.current()
st.title("Tài khoản")
if not ident.may("manage_accounts"):
    st.warning("Trang này dành cho quản trị hệ thống.", icon=":material/lock:")
    st.stop()
msg = st.session_state.pop("tk_msg", None)
if msg:
    (st.success if msg[0] == "ok" else st.error)(fmt.md(msg[1]))
tables.show(tk.table(db.root, db), "Tài khoản", None, key="tk_table")
ROLE = {r: access.ROLE_LABELS[r] for r in access.ROLES}
SCOPE_HELP = "* (cả nước); tinh:31 (một tỉnh, có thể nhiều); hoặc các mã xã cách nhau bởi dấu cách (cu-10621: xã cũ)."


def _do(fn, *args) -> None:
    try:
        st.session_state["tk_msg"] = ("ok", fn(*args))
    except access.AccessError as e:  # AccountError too
        st.session_state["tk_msg"] = ("err", str(e))


with st.expander("Thêm tài khoản", icon=":material/person_add:"):
    with st.form("tk_add", clear_on_submit=True):
        name = st.text_input("Tên đăng nhập", max_chars=64)
        display = st.text_input("Họ tên", max_chars=120)
        role = st.selectbox("Vai trò", list(ROLE), format_func=ROLE.get)
        scope = st.text_input("Phạm vi", max_chars=2000, help=SCOPE_HELP)
        password = st.text_input(f"Mật khẩu (ít nhất {accounts.MIN_PASSWORD} ký tự)", type="password",
                                 max_chars=accounts.MAX_PASSWORD)
        oidc = st.text_input("Hoặc e-mail đăng nhập một lần của tỉnh (khi đó không cần mật khẩu)", max_chars=254)
        if st.form_submit_button("Thêm", icon=":material/add:"):
            _do(tk.add, db.root, ident, db, name, display, role, scope, password, oidc)
            st.rerun()

names = tk.table(db.root)["Tên đăng nhập"].to_list()
if names:
    with st.expander("Sửa tài khoản", icon=":material/manage_accounts:"):
        who = st.selectbox("Tài khoản", names, key="tk_who")
        cur = accounts.load(db.root)[who]
        with st.form("tk_edit"):
            role = st.selectbox("Vai trò", list(ROLE), index=list(ROLE).index(cur["role"]), format_func=ROLE.get)
            scope = st.text_input("Phạm vi", value=" ".join(cur["scope"]), max_chars=2000, help=SCOPE_HELP)
            disabled = st.checkbox("Khoá tài khoản", value=bool(cur.get("disabled")))
            password = st.text_input("Mật khẩu mới (để trống nếu không đổi)", type="password",
                                     max_chars=accounts.MAX_PASSWORD)
            if st.form_submit_button("Lưu", icon=":material/save:"):
                _do(tk.change, db.root, ident, db, who, role, scope, disabled, password)
                st.rerun()
