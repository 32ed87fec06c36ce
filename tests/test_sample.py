"""The sample generator: deterministic, --scale leaves the calibrated commune alone, atomic writes."""
from __future__ import annotations

import hashlib
from datetime import date

import pytest

from cchc import kpis, periods, sample
from cchc.db import Database


def _digest(root) -> str:
    db = Database(root)
    try:
        h = hashlib.sha256()
        for t in ("dossiers", "ratings", "feedback", "finances", "facts"):
            df = db.sql(f"SELECT * FROM raw_{t}")  # fixed identifiers, no values
            h.update(df.sort(df.columns).write_csv().encode())
        return h.hexdigest()
    finally:
        db.close()


def _qt(root) -> dict:
    db = Database(root)
    try:
        u = kpis.resolve_unit(db, "10621")
        return kpis.kpis(db, u, periods.official_year(2023, 10))
    finally:
        db.close()


@pytest.fixture(scope="module")
def small_runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("gen")
    kw = dict(scale=0.05, start=date(2022, 11, 1), end=date(2024, 1, 31))
    a = sample.generate(base / "a", seed=7, **kw)
    b = sample.generate(base / "b", seed=7, **kw)
    c = sample.generate(base / "c", seed=8, **kw)
    return base, a, b, c


def test_same_seed_same_data(small_runs):
    base, a, b, _ = small_runs
    assert a["counts"] == b["counts"]
    assert _digest(base / "a") == _digest(base / "b")


def test_other_seed_other_data_same_calibration(small_runs, db):
    base, a, _, c = small_runs
    assert a["counts"]["dossiers"] != c["counts"]["dossiers"]
    # the calibrated commune reproduces the report whatever the seed and scale
    full = kpis.kpis(db, kpis.resolve_unit(db, "10621"), periods.official_year(2023, 10))
    for root in (base / "a", base / "c"):
        k = _qt(root)
        for key in ["received_total", "received_new", "carried_over", "resolved_total", "resolved_late",
                    "pending_total", "pending_within", "pending_overdue", "digitised_input", "digitised_result",
                    "ratings_total", "ratings_satisfied", "feedback_total", "resolved_online_capable"]:
            assert k[key] == full[key], key
        assert {f["field"]: f["received_total"] for f in k["by_field"]} == {f["field"]: f["received_total"] for f in full["by_field"]}
        assert k["finance"] == full["finance"]


def test_scale_multiplies_the_other_communes(small_runs, db):
    base, a, _, _ = small_runs
    small = Database(base / "a")
    try:
        p = periods.calendar_month(2023, 6)
        big_total = kpis.dossier_kpis(db, kpis.resolve_unit(db, "30"), p)["received_total"]
        small_total = kpis.dossier_kpis(small, kpis.resolve_unit(small, "30"), p)["received_total"]
        qt = kpis.dossier_kpis(db, kpis.resolve_unit(db, "10621"), p)["received_total"]
    finally:
        small.close()
    # 5 % of the others, plus the unscaled calibrated commune
    others = small_total - qt
    assert 0.035 * (big_total - qt) < others < 0.065 * (big_total - qt)


def test_generation_replaces_sample_atomically(small_runs, tmp_path):
    base, *_ = small_runs
    target = tmp_path / "d"
    sample.generate(target, seed=1, scale=0.01, start=date(2023, 1, 1), end=date(2023, 2, 28))
    first = (target / sample.MARKER).read_text()
    with pytest.raises(sample.SampleError, match="Không có tỉnh mã zz"):
        sample.generate(target, seed=1, scale=0.01, provinces=["zz"], start=date(2023, 1, 1), end=date(2023, 2, 28))
    assert (target / sample.MARKER).read_text() == first  # the failed run left the old data intact
    assert not list(tmp_path.glob(".d.tmp-*"))


def test_no_receipts_on_sundays_or_holidays(db):
    per_dow = db.sql("SELECT dayofweek(received_at) AS dow, count(*) AS n FROM raw_dossiers GROUP BY 1 ORDER BY 1")
    assert 0 not in per_dow["dow"].to_list()  # Sunday
    tet = db.sql("SELECT count(*) FROM raw_dossiers WHERE CAST(received_at AS DATE) BETWEEN DATE '2023-01-20' AND DATE '2023-01-26'").item()
    assert tet == 0
