"""Streamlit's own strings in Vietnamese (cchc/ui/serve.py, cchc/ui/vi_strings.toml): every literal of
the table is in the pinned Streamlit's bundle, the translated copy has the Vietnamese text and no
longer the English one, and a literal missing from the bundle stops the start with its name."""
from __future__ import annotations

from pathlib import Path

import pytest

from cchc.ui import serve

ROOT = Path(__file__).resolve().parent.parent


def test_every_literal_is_in_the_pinned_bundle():
    static = serve.streamlit_static_dir()
    literals = serve.load_strings()
    assert len(literals) >= 40
    for lit in literals:
        files = list(static.glob(lit.file))
        assert files, f"no file matches {lit.file}"
        assert any(lit.en in f.read_text(encoding="utf-8") for f in files), f"{lit.en!r} not in {lit.file}"


def test_translated_copy(tmp_path):
    out = serve.translated_static(tmp_path)
    assert serve.translated_static(tmp_path) == out  # built once: the second call reuses it
    assert '<html lang="vi">' in (out / "index.html").read_text(encoding="utf-8")
    [select] = (out / "static" / "js").glob("Selectbox.*.js")
    text = select.read_text(encoding="utf-8")
    assert "`Không tìm thấy`" in text and "`No results`" not in text
    [upload] = (out / "static" / "js").glob("FileUploader.*.js")
    assert "} mỗi tệp`" in upload.read_text(encoding="utf-8")
    # everything else is copied untouched
    src = serve.streamlit_static_dir()
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == sorted(p.relative_to(src) for p in src.rglob("*"))


def test_a_missing_literal_is_named(tmp_path):
    (tmp_path / "a.js").write_text("x=`No results`", encoding="utf-8")
    with pytest.raises(serve.TranslationError, match="Deploy"):
        serve.translate(tmp_path, [serve.Literal("a.js", "`No results`", "`Không tìm thấy`"),
                                   serve.Literal("a.js", "`Deploy`", "`Triển khai`")])
    assert serve.translate(tmp_path, [serve.Literal("a.js", "`No results`", "`Không tìm thấy`")]) == \
        {tmp_path.relative_to(tmp_path) / "a.js": "x=`Không tìm thấy`"}


# --- decimals typed as Vietnamese write them (Tự đánh giá: a text box read by facts_entry.parse_number) --
def test_decimal_box_shows_and_reads_vietnamese_decimals(data_env, sample_dir, tmp_path, monkeypatch):
    import shutil
    import time

    from streamlit.testing.v1 import AppTest

    from cchc import access, accounts
    from cchc.db import Database

    root = tmp_path / "data"
    shutil.copytree(sample_dir, root)
    monkeypatch.setenv("CCHC_DATA_DIR", str(root))
    # an officer signed in (issue 17: the sample's demo only reads)
    accounts.add(root, "kiemthu", "mat-khau-du-dai-2023", "admin", access.Scope("country"), by=access.operator())
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    params = {"unit": "10621", "from": "2022-12-10", "to": "2023-12-09"}
    at.session_state["_signin"] = {"name": "kiemthu", "at": time.time()}
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page("pages/tu_danh_gia.py")
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]

    def box(suffix):
        [w] = [w for w in at.text_input if (w.key or "").endswith(suffix)]
        return w

    assert not [w for w in at.number_input if (w.key or "").endswith("_v_one_stop_room_m2")]  # a text box
    shown = box("_v_one_stop_room_m2").value
    assert shown == "" or "." not in shown  # "45,5", never "45.50"

    def save(text):
        box("_v_one_stop_room_m2").input(text)
        box("_n_one_stop_room_m2").input("QĐ 12/2023")
        if [w for w in at.text_input if (w.key or "").endswith("_who")]:
            box("_who").input("Nguyễn Văn A")
        [b for b in at.button if b.label == "Lưu số liệu"][0].click()
        at.run()
        assert not at.exception, [e.value for e in at.exception]

    save("abc")
    assert any("«abc» không phải là một số" in e.value for e in at.error), [e.value for e in at.error]
    save("52,75")
    assert not any("Chưa lưu" in e.value for e in at.error), [e.value for e in at.error]
    assert any("Đã lưu 1 giá trị" in m.value for m in at.success), [m.value for m in at.success]
    db = Database(root)
    try:
        now = {r["indicator"]: r["value"] for r in db.run("facts_year", unit="10621", year=2023).to_dicts()}
    finally:
        db.close()
    assert now["one_stop_room_m2"] == 52.75
    assert box("_v_one_stop_room_m2").value == "52,75"
