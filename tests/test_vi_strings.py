"""Streamlit's own strings in Vietnamese (cchc/ui/serve.py, cchc/ui/vi_strings.toml): every literal of
the table is in the pinned Streamlit's bundle, the translated copy has the Vietnamese text and no
longer the English one, and a literal missing from the bundle stops the start with its name."""
from __future__ import annotations

import pytest

from cchc.ui import serve


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
