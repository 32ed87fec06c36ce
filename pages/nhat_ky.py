"""Nhật ký thay đổi (the audit trail): every write — facts entered, loads and undos, published
results uploaded, account changes — with who, when, what, from which file (SHA-256), before and
after; filtered by kind, person, unit and dates. An admin reads all of it, a data manager the entries
about units of its scope and its own; the trail is checked (hash chain) before it is shown.

Reads cchc.views.nhat_ky (cchc.audit). No page parameters of its own.
"""
from datetime import date, timedelta

import streamlit as st

from cchc import audit, fmt
from cchc.ui import auth, state, tables
from cchc.views import nhat_ky as nk

db = state.get_db()
ident = auth.current()
st.title("Nhật ký thay đổi")
if not ident.may("read_audit"):
    st.warning("Nhật ký thay đổi dành cho quản lý dữ liệu và quản trị hệ thống: hãy đăng nhập bằng tài khoản "
               "có vai trò đó.", icon=":material/lock:")
    st.stop()
st.caption("Mỗi lần ghi dữ liệu: ai, lúc nào, thao tác gì, từ tệp nào (mã SHA-256), trước và sau. "
           + ("Toàn bộ nhật ký." if ident.role == "admin" else "Các mục về đơn vị trong phạm vi của bạn và của chính bạn."))
c1, c2, c3, c4 = st.columns([2, 2, 1, 2])
kinds = {"": "Tất cả thao tác", **audit.ACTIONS}
action = c1.selectbox("Thao tác", list(kinds), format_func=kinds.get, key="nk_action")
who = c2.text_input("Người thực hiện (một phần tên)", max_chars=64, key="nk_who").strip()
unit = c3.text_input("Mã đơn vị", max_chars=12, key="nk_unit").strip()
today = date.today()
span = c4.date_input("Từ ngày – đến ngày", value=(today - timedelta(days=90), today), format="DD/MM/YYYY",
                     key="nk_days")
start, end = (span[0], span[-1]) if isinstance(span, (tuple, list)) and span else (None, None)
try:
    df = nk.table(db.root, ident, db, action=action or None, who=who or None, unit=unit or None, start=start, end=end)
except audit.AuditError as e:
    st.error(fmt.md(str(e)), icon=":material/gpp_bad:")
    st.stop()
if df.height == 0:
    st.info("Không có mục nào khớp bộ lọc.", icon=":material/info:")
else:
    st.caption(f"{fmt.number(df.height)} mục, mới nhất trước" + (f" (tối đa {fmt.number(nk.LIMIT)})"
                                                                  if df.height >= nk.LIMIT else "") + ".")
    tables.show(df, "Nhật ký thay đổi", None, key="nk_table")
