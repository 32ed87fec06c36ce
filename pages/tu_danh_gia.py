"""Tự đánh giá (self-assessment entry): an officer enters or corrects a commune's self-reported facts
for a year (the manual criteria of the scoring indexes). Every changed value needs its evidence note;
a correction is appended and the previous value kept; the history of the unit's year is shown below.
A district or the province sees how far each of its communes has got.

No lost updates: the form keeps the values in use when it was opened (what it shows, its defaults and
their versions) until it is saved or reloaded; a save sends only the fields its user touched, with
those versions (fe.save(..., base=...)), and when another officer changed one of them in the meantime
nothing is written: the page says who changed what, when, and offers to reload the form. Text from
users or files (names, notes, unit names) is shown escaped (fmt.md), never as markdown.

Queries used (through cchc.ingest.facts_entry): unit_lookup, facts_years, data_range, facts_year,
facts_history; for a district or province: units_all, facts_units.
Page parameter in the URL: nam=<year> (when it is not the year the selected period ends in).
"""
import streamlit as st

from cchc import access, fmt
from cchc.ingest import facts_entry as fe
from cchc.ui import auth, state, tables, widgets

# An entry page shows the file as it is now: every save (ours, another officer's, in another process)
# bumps the data version that every query reads (cchc.store.data_version), so no refresh is needed here.
db = state.get_db()
sel = state.current()
unit = sel.unit
st.title("Tự đánh giá")
st.caption(f"Nhập, sửa số liệu tự báo cáo — {fmt.md(unit.full_name)}")

years = fe.allowed_years(db, unit)
default = fe.default_year(years, sel.period.end)
asked = state.page_value("nam", allowed=years)
start = asked if asked is not None else default
year = st.selectbox("Năm báo cáo", years, index=years.index(start), format_func=lambda y: f"Năm {y}",
                    key=f"te_year_{unit.code}_{default}", help="Mặc định là năm kết thúc kỳ báo cáo đang chọn.")
state.write_url({"nam": year if year != default else None})

# --- a district or the province: entry is per commune --------------------------------------------
if unit.level != "commune":
    table, complete, total = fe.completion(db, unit, year)
    if table.is_empty():
        widgets.empty(f"{fmt.md(unit.name)} không có xã, phường, thị trấn nào trong danh mục đơn vị.")
        st.stop()
    st.info(f"Số liệu tự đánh giá được nhập theo từng xã, phường, thị trấn: hãy chọn một xã ở thanh lọc bên trái "
            f"(mục «Xã, phường, thị trấn») để nhập hoặc sửa. Năm {year}, {fmt.number(complete)}/"
            f"{fmt.number(table.height)} xã thuộc {fmt.md(unit.name)} đã nhập đủ {total} chỉ tiêu; danh sách dưới đây "
            "xếp xã nhập ít chỉ tiêu nhất lên đầu.", icon=":material/info:")
    tables.show(table, "Tiến độ tự đánh giá", sel, key="tdg_progress", width="stretch")
    st.stop()

# --- a commune: the form ---------------------------------------------------------------------------
def _reload() -> None:
    """A new form (new widget keys), drawn from the values in use now; nothing typed in the old one kept."""
    st.session_state["te_version"] = st.session_state.get("te_version", 0) + 1


def _touched(f: fe.Field, value, note) -> bool:
    """Whether the user changed this field: its value or its note differs from what the form was opened with."""
    was = f.current.value if f.current else None
    if isinstance(value, str):  # a decimal box's text: blank is no value, text that is no number is a change
        try:
            value = fe.parse_number(value) if value.strip() else None
        except ValueError:
            return True       # fe.save says, in Vietnamese, that it is not a number
    if value is None or was is None:
        changed = (value is None) != (was is None)
    else:
        changed = abs(float(value) - float(was)) > 1e-9
    return changed or bool(fe.clean_text(note))


saved = st.session_state.pop("te_saved", None)
if saved:
    st.success(saved, icon=":material/check_circle:")
version = st.session_state.get("te_version", 0)
prefix = f"te_{unit.code}_{year}_{version}"
groups_now = fe.form_groups(db, unit.code, year)
# The form as opened: taken when its widgets are first drawn (a new version, unit or year, or a return
# to the page), kept while they live.
opened = st.session_state.get("te_opened")
first = f"{prefix}_v_{groups_now[0][1][0].code}"  # a widget of the form: alive while the form is
if opened is None or opened[0] != prefix or first not in st.session_state:
    opened = st.session_state["te_opened"] = (prefix, groups_now)
groups = opened[1]
filled = sum(1 for _, fields in groups_now for f in fields if f.current is not None)
st.markdown(f"**{fmt.md(unit.full_name)}, năm {year}**: đã có {fmt.number(filled)}/"
            f"{fmt.number(sum(len(fs) for _, fs in groups_now))} chỉ tiêu. Sửa giá trị cần thay đổi và ghi tài liệu "
            "kiểm chứng (số, ngày văn bản) cho từng giá trị mới; ô để trống là chưa nhập. Giá trị cũ được giữ "
            "trong lịch sử.")

ident = auth.current()
who = ident.display_name or ident.username
try:
    ident.require("enter_facts", db, unit)
    refused = None
except access.AccessError as e:
    refused = str(e)
if refused:
    st.warning(fmt.md(refused), icon=":material/lock:")
    submitted = False
else:
    with st.form(f"{prefix}_form", enter_to_submit=False):
        for gname, fields in groups:
            st.subheader(gname)
            for f in fields:
                d = f.definition
                c1, c2, c3 = st.columns([5, 2, 4], vertical_alignment="center")
                c1.markdown(f"{fmt.md(d.name)} ({fmt.md(d.unit)})  \n:gray[{fmt.md(f.current_text)}]", help=fmt.md(f.help))
                cur = f.current.value if f.current else None
                if f.whole_input:
                    c2.number_input(f"Giá trị — {d.name}", value=None if cur is None else int(cur), step=1, format="%d",
                                    key=f"{prefix}_v_{d.code}", label_visibility="collapsed", placeholder="Chưa nhập")
                else:  # a decimal as Vietnamese write it ("99,5"), read by fe.parse_number when saved
                    c2.text_input(f"Giá trị — {d.name}", value="" if cur is None else fe.number_text(cur), max_chars=24,
                                  key=f"{prefix}_v_{d.code}", label_visibility="collapsed", placeholder="Chưa nhập")
                c3.text_input(f"Tài liệu kiểm chứng — {d.name}", key=f"{prefix}_n_{d.code}", label_visibility="collapsed",
                              max_chars=fe.NOTE_MAX, placeholder="Tài liệu kiểm chứng khi sửa (số, ngày văn bản)")
        st.caption(fmt.md(f"Người nhập: {who} — {access.ROLE_LABELS[ident.role]} (tài khoản đăng nhập)"))
        submitted = st.form_submit_button("Lưu số liệu", type="primary", icon=":material/save:")

if submitted:
    # only what the user touched, checked against the versions the form was opened with
    entries = []
    for _, fields in groups:
        for f in fields:
            value, note = st.session_state.get(f"{prefix}_v_{f.code}"), st.session_state.get(f"{prefix}_n_{f.code}")
            if _touched(f, value, note):
                entries.append({"indicator": f.code, "value": value, "note": note})
    base = {f.code: f.version for _, fields in groups for f in fields}
    try:
        n = fe.save(state.writable_root(), unit.code, year, entries, who, by=ident, db=db, base=base)
    except fe.ConflictError as e:
        st.error("Chưa lưu số liệu nào: sau khi biểu mẫu này được mở, người khác đã lưu giá trị mới cho chỉ tiêu "
                 "bạn đang sửa.\n\n" + "\n".join(f"- {fmt.md(m)}" for m in e.messages) + "\n\nHãy bấm «Tải lại "
                 "biểu mẫu» để mở biểu mẫu với các giá trị đang dùng (những gì bạn vừa nhập không được giữ lại), "
                 "xem lại rồi nhập thay đổi của bạn nếu vẫn cần.", icon=":material/sync_problem:")
        st.button("Tải lại biểu mẫu", key=f"{prefix}_reload", on_click=_reload, icon=":material/refresh:")
    except access.AccessError as e:
        st.error(fmt.md(str(e)), icon=":material/lock:")
    except fe.EntryError as e:
        st.error("Chưa lưu số liệu nào. Hãy sửa các điểm sau rồi lưu lại:\n\n"
                 + "\n".join(f"- {fmt.md(m)}" for m in e.messages), icon=":material/error:")
    else:
        if n:
            st.session_state["te_saved"] = (f"Đã lưu {fmt.number(n)} giá trị của {fmt.md(unit.full_name)}, năm {year} "
                                            f"(người nhập: {fmt.md(fe.clean_text(who))}).")
            st.session_state["te_version"] = version + 1
            st.rerun()
        st.info("Không có giá trị nào thay đổi: không ghi gì.", icon=":material/info:")

# --- consistency and history -----------------------------------------------------------------------
issues = fe.consistency({f.code: f.current.value for _, fs in groups_now for f in fs if f.current})
if issues is not None and filled:
    st.subheader("Kiểm tra tính nhất quán")
    if not issues:
        st.success("Không phát hiện số liệu mâu thuẫn.", icon=":material/check_circle:")
    for severity, message in issues:
        (st.error if severity == "error" else st.warning)(message)

st.subheader("Lịch sử nhập, sửa số liệu")
hist = fe.history(db, unit.code, year)
if hist.is_empty():
    widgets.empty(f"{fmt.md(unit.full_name)} chưa có số liệu tự báo cáo năm {year}.")
else:
    st.caption(f"{fmt.number(hist.height)} lần nhập, mới nhất ở trên; ✓ là giá trị đang dùng.")
    tables.show(hist, "Lịch sử nhập", sel, key="tdg_history", width="stretch")
