"""Tự đánh giá (self-assessment entry): an officer enters or corrects a commune's self-reported facts
for a year (the manual criteria of the scoring indexes). Every changed value needs its evidence note;
a correction is appended and the previous value kept; the history of the unit's year is shown below.
A district or the province sees how far each of its communes has got.

Queries used (through cchc.ingest.facts_entry): unit_lookup, facts_years, data_range, facts_year,
facts_history; for a district or province: units_all, facts_units.
Page parameter in the URL: nam=<year> (when it is not the year the selected period ends in).
"""
import streamlit as st

from cchc import fmt
from cchc.ingest import facts_entry as fe
from cchc.ui import state, widgets

# An entry page shows the file as it is now: drop the data fingerprint (cached 15 s for the other pages)
# so that this run's queries see any save, ours (the rerun after it) or another officer's.
state.refresh_data()
db = state.get_db()
sel = state.current()
unit = sel.unit
st.title("Tự đánh giá")
st.caption(f"Nhập, sửa số liệu tự báo cáo — {unit.full_name}")

years = fe.allowed_years(db, unit)
default = fe.default_year(years, sel.period.end)
asked = state.page_param("nam")
start = int(asked) if asked and asked.isdigit() and int(asked) in years else default
year = st.selectbox("Năm báo cáo", years, index=years.index(start), format_func=lambda y: f"Năm {y}",
                    key=f"te_year_{unit.code}_{default}", help="Mặc định là năm kết thúc kỳ báo cáo đang chọn.")
state.write_url({"nam": year if year != default else None})

# --- a district or the province: entry is per commune --------------------------------------------
if unit.level != "commune":
    table, complete, total = fe.completion(db, unit, year)
    if table.is_empty():
        widgets.empty(f"{unit.name} không có xã, phường, thị trấn nào trong danh mục đơn vị.")
        st.stop()
    st.info(f"Số liệu tự đánh giá được nhập theo từng xã, phường, thị trấn: hãy chọn một xã ở thanh lọc bên trái "
            f"(mục «Xã, phường, thị trấn») để nhập hoặc sửa. Năm {year}, {fmt.number(complete)}/"
            f"{fmt.number(table.height)} xã thuộc {unit.name} đã nhập đủ {total} chỉ tiêu; danh sách dưới đây "
            "xếp xã nhập ít chỉ tiêu nhất lên đầu.", icon=":material/info:")
    st.dataframe(table, hide_index=True, width="stretch")
    st.stop()

# --- a commune: the form ---------------------------------------------------------------------------
saved = st.session_state.pop("te_saved", None)
if saved:
    st.success(saved, icon=":material/check_circle:")
version = st.session_state.get("te_version", 0)
prefix = f"te_{unit.code}_{year}_{version}"
groups = fe.form_groups(db, unit.code, year)
filled = sum(1 for _, fields in groups for f in fields if f.current is not None)
st.markdown(f"**{unit.full_name}, năm {year}**: đã có {fmt.number(filled)}/"
            f"{fmt.number(sum(len(fs) for _, fs in groups))} chỉ tiêu. Sửa giá trị cần thay đổi và ghi tài liệu "
            "kiểm chứng (số, ngày văn bản) cho từng giá trị mới; ô để trống là chưa nhập. Giá trị cũ được giữ "
            "trong lịch sử.")

with st.form(f"{prefix}_form", enter_to_submit=False):
    for gname, fields in groups:
        st.subheader(gname)
        for f in fields:
            d = f.definition
            c1, c2, c3 = st.columns([5, 2, 4], vertical_alignment="center")
            c1.markdown(f"{d.name} ({d.unit})  \n:gray[{f.current_text}]", help=f.help)
            cur = f.current.value if f.current else None
            if f.whole_input:
                c2.number_input(f"Giá trị — {d.name}", value=None if cur is None else int(cur), step=1, format="%d",
                                key=f"{prefix}_v_{d.code}", label_visibility="collapsed", placeholder="Chưa nhập")
            else:
                c2.number_input(f"Giá trị — {d.name}", value=cur, step=0.01, format="%.2f",
                                key=f"{prefix}_v_{d.code}", label_visibility="collapsed", placeholder="Chưa nhập")
            c3.text_input(f"Tài liệu kiểm chứng — {d.name}", key=f"{prefix}_n_{d.code}", label_visibility="collapsed",
                          max_chars=fe.NOTE_MAX, placeholder="Tài liệu kiểm chứng khi sửa (số, ngày văn bản)")
    who = st.text_input("Người nhập", key=f"{prefix}_who", max_chars=fe.WHO_MAX,
                        placeholder="Họ tên, chức vụ người nhập số liệu")
    submitted = st.form_submit_button("Lưu số liệu", type="primary", icon=":material/save:")

if submitted:
    entries = [{"indicator": f.code, "value": st.session_state.get(f"{prefix}_v_{f.code}"),
                "note": st.session_state.get(f"{prefix}_n_{f.code}")} for _, fields in groups for f in fields]
    try:
        n = fe.save(state.data_root(), unit.code, year, entries, who, db=db)
    except fe.EntryError as e:
        st.error("Chưa lưu số liệu nào. Hãy sửa các điểm sau rồi lưu lại:\n\n" + "\n".join(f"- {m}" for m in e.messages),
                 icon=":material/error:")
    else:
        if n:
            st.session_state["te_saved"] = (f"Đã lưu {fmt.number(n)} giá trị của {unit.full_name}, năm {year} "
                                            f"(người nhập: {who.strip()}).")
            st.session_state["te_version"] = version + 1
            st.rerun()
        st.info("Không có giá trị nào thay đổi: không ghi gì.", icon=":material/info:")

# --- consistency and history -----------------------------------------------------------------------
issues = fe.consistency({f.code: f.current.value for _, fs in groups for f in fs if f.current})
if issues is not None and filled:
    st.subheader("Kiểm tra tính nhất quán")
    if not issues:
        st.success("Không phát hiện số liệu mâu thuẫn.", icon=":material/check_circle:")
    for severity, message in issues:
        (st.error if severity == "error" else st.warning)(message)

st.subheader("Lịch sử nhập, sửa số liệu")
hist = fe.history(db, unit.code, year)
if hist.is_empty():
    widgets.empty(f"{unit.full_name} chưa có số liệu tự báo cáo năm {year}.")
else:
    st.caption(f"{fmt.number(hist.height)} lần nhập, mới nhất ở trên; ✓ là giá trị đang dùng.")
    st.dataframe(hist, hide_index=True, width="stretch")
