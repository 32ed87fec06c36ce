"""Số liệu tự báo cáo (annual self-reported facts): the unit's year beside the year before, grouped
as in the annual CCHC report, with the inconsistencies flagged.

Queries: facts_years, facts_year (a commune), facts_units (a district's or province's communes),
procedures_in_force (the catalogue the reported count is checked against)."""
import streamlit as st

from cchc import facts, fmt
from cchc.ui import state, tables, widgets

db = state.get_db()
sel = state.current()
st.title("Số liệu tự báo cáo")
st.caption(sel.caption)
widgets.partial_note(sel)  # a period the data do not cover to its end; approximate history

years = facts.available_years(db, sel.unit)
if not years:
    widgets.empty("Đơn vị đã chọn chưa có số liệu tự báo cáo năm nào.")
    st.stop()

default = facts.default_year(years, sel.period)
asked = state.page_value("nam", allowed=years)
start = asked if asked is not None else default
year = st.columns(4)[0].selectbox("Năm báo cáo", years[::-1], index=years[::-1].index(start), key=f"facts_year_{default}",
                    format_func=lambda y: f"Năm {y}",
                    help="Mặc định là năm kết thúc kỳ báo cáo đang chọn.")
state.write_url({"nam": year if year != default else None})


def show_issues(issues, per_commune: bool) -> None:
    errors = sum(1 for i in issues if (i[2] if per_commune else i).severity == "error")
    if not issues:
        st.success("Không phát hiện số liệu mâu thuẫn.", icon=":material/check_circle:")
    elif per_commune:
        st.error(f"{fmt.number(len(issues))} điểm cần kiểm tra ({fmt.number(errors)} sai lệch) ở "
                 f"{fmt.number(len({c for c, _, _ in issues}))} xã:", icon=":material/error:")
        tables.show(facts.issues_table(issues), "Điểm cần kiểm tra", sel, key="facts_issues", width="stretch")
    else:
        for i in issues:
            (st.error if i.severity == "error" else st.warning)(f"**{i.check}.** {i.message}")


if facts.own_year(sel.unit, year):
    data = facts.commune_year(db, sel.unit, year)
    if not data["values"]:
        widgets.empty(f"{fmt.md(sel.unit.full_name)} chưa có số liệu tự báo cáo năm {year}.")
        st.stop()
    st.subheader("Kiểm tra tính nhất quán")
    show_issues(data["issues"], per_commune=False)
    for group, table in facts.commune_tables(data):
        st.subheader(group)
        tables.show(table, group, sel, key=f"facts_c_{group}", width="stretch")
    st.caption("❌ sai lệch, ⚠️ cần xem lại. Khi một chỉ tiêu được nhập lại, số nhập sau cùng được dùng.")
else:
    data = facts.scope_year(db, sel.unit, year)
    st.info(f"Số liệu tự báo cáo do từng xã, phường, thị trấn nhập. {fmt.md(sel.unit.name)} có "
            f"{fmt.number(data['communes'])} xã báo cáo năm {year}: các số đếm được cộng lại, các tỷ lệ (%) lấy "
            "bình quân các xã; không cộng dồn "
            + "; ".join(f"{name} ({why})" for name, why in facts.NOT_ADDITIVE.values())
            + ". Việc kiểm tra tính nhất quán làm với số liệu của từng xã.", icon=":material/info:")
    st.subheader("Kiểm tra tính nhất quán (từng xã)")
    show_issues(data["issues"], per_commune=True)
    for group, table in facts.scope_tables(data):
        st.subheader(group)
        tables.show(table, group, sel, key=f"facts_s_{group}", width="stretch")
    st.subheader("Một chỉ tiêu theo từng xã")
    defs = facts.indicators()
    code = st.selectbox("Chỉ tiêu", list(defs), format_func=lambda c: defs[c].name, key="facts_by_commune",
                        index=list(defs).index("unit_class") if "unit_class" in defs else 0)
    tables.show(facts.by_commune(data, code), defs[code].name, sel, key="facts_by_commune_table", width="stretch")
