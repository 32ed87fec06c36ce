"""The one write path (cchc/store.py) under concurrency and crashes, for each writer: the published
results import, the self-assessment facts, the rollups and the sample generator.

Concurrency: N threads and N processes write at once; every acknowledged write is there afterwards,
the files read, and the figures are the sum of the writes. Crashes: a writer is killed with SIGKILL at
each injected fault point (CCHC_FAULT, cchc.store.FAULT_POINTS) and at random instants; the data then
read and equal what was there before or what was written, and a rerun completes and leaves no
temporary files behind. Also the data-loss cases of issue 12 as regression tests.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from cchc import access, kpis, sample, schema, store
from cchc.db import Database
from cchc.ingest import facts_entry as fe
from cchc.ingest import results

# Processes, kills and stress: a few minutes on two busy cores; `make test-fast` leaves them out.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
PROVINCES = 34          # provinces in the bundled "Điểm năm" response
ROWS_PER_IMPORT = PROVINCES * (len(results.GROUPS) + 1)
SMALL = dict(seed=1, scale=0.01, start=date(2023, 1, 1), end=date(2023, 1, 31))


# --- helpers ---------------------------------------------------------------------------------------
def _python(code: str, env: dict | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **(env or {})},
                          capture_output=True, text=True, timeout=timeout)


def _cli(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cchc", *args], cwd=ROOT, env={**os.environ, **(env or {})},
                          capture_output=True, text=True, timeout=timeout)


def _province_records() -> list[dict]:
    env = json.loads(results.BUNDLED_JSON.read_text(encoding="utf-8"))
    return next(r["data"] for r in env["responses"] if r["name"] == "Điểm năm")


def results_file(folder: Path, year: int) -> Path:
    """A portal response (envelope with its request) of the provinces' year scores, for ``year``."""
    f = folder / f"ket-qua-{year}.json"
    f.write_text(json.dumps({"responses": [{"name": f"Điểm năm {year}", "request": {"p_nam": year, "p_thang": 0},
                                            "data": _province_records()}]}, ensure_ascii=False), encoding="utf-8")
    return f


def rows_by_year(root: Path) -> dict[int, int]:
    t = pq.read_table(schema.INDEX_RESULTS.path(root))  # also: the file reads
    df = pl.from_arrow(t).group_by("year").len()
    return dict(zip(df["year"].to_list(), df["len"].to_list()))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name or ".old-" in p.name)


def checksums(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.name.endswith(".lock")}


def _link_or_copy(src: str, dst: str) -> None:
    """Hard links for the big read-only files: every writer replaces a file, it never writes into one."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _in_threads(fn, args) -> None:
    """fn(a) for each a, each in its own thread, all at once; returns when all are done."""
    threads = [threading.Thread(target=fn, args=(a,)) for a in args]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


@pytest.fixture()
def results_dir(tmp_path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    return d


@pytest.fixture()
def data_copy(sample_dir, tmp_path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(sample_dir, root, copy_function=_link_or_copy)
    return root


@pytest.fixture()
def small_sample(tmp_path) -> Path:
    d = tmp_path / "d"
    sample.generate(d, **SMALL)
    return d


# --- the published results import --------------------------------------------------------------------
def test_results_import_from_threads_and_processes_at_once_keeps_every_write(results_dir, tmp_path):
    years_t = list(range(2001, 2007))
    years_p = list(range(2011, 2015))
    files = {y: results_file(tmp_path, y) for y in years_t + years_p}
    procs = [subprocess.Popen([sys.executable, "-m", "cchc", "--data-dir", str(results_dir), "import-results",
                               str(files[y])], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for y in years_p]
    told: dict[int, int] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(len(years_t))

    def write(y):
        try:
            start.wait()
            told[y] = results.import_file(files[y], results_dir, by=access.operator()).rows
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    _in_threads(write, years_t)
    outs = [p.communicate(timeout=120) for p in procs]
    assert not errors, errors
    assert [p.returncode for p in procs] == [0] * len(procs), outs
    assert all(f"Đã nạp {ROWS_PER_IMPORT} dòng" in o for o, _ in outs)
    assert told == {y: ROWS_PER_IMPORT for y in years_t}
    assert rows_by_year(results_dir) == {y: ROWS_PER_IMPORT for y in years_t + years_p}
    assert leftovers(results_dir) == []


@pytest.mark.parametrize("point", ["file-written", "file-before-replace", "file-replaced"])
def test_results_import_killed_at_each_step_leaves_the_old_table_or_the_new(results_dir, tmp_path, point):
    results.import_file(results_file(tmp_path, 2001), results_dir, by=access.operator())
    before = rows_by_year(results_dir)
    killed = _cli("--data-dir", str(results_dir), "import-results", str(results_file(tmp_path, 2002)),
                  env={"CCHC_FAULT": point})
    assert killed.returncode == -9, killed.stderr
    after = rows_by_year(results_dir)
    assert after in (before, {**before, 2002: ROWS_PER_IMPORT})
    assert after == ({**before, 2002: ROWS_PER_IMPORT} if point == "file-replaced" else before)
    if point != "file-replaced":
        assert leftovers(results_dir), "the killed writer's temporary file is there until the next run"
    rerun = _cli("--data-dir", str(results_dir), "import-results", str(results_file(tmp_path, 2003)))
    assert rerun.returncode == 0, rerun.stderr
    assert rows_by_year(results_dir)[2003] == ROWS_PER_IMPORT
    assert leftovers(results_dir) == []


def test_results_import_killed_at_random_instants_never_leaves_half_a_write(results_dir, tmp_path):
    rng = random.Random(12)
    results.import_file(results_file(tmp_path, 2000), results_dir, by=access.operator())
    for k in range(8):
        y = 2001 + k
        p = subprocess.Popen([sys.executable, "-m", "cchc", "--data-dir", str(results_dir), "import-results",
                              str(results_file(tmp_path, y))], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 2.0))
        p.kill()
        p.wait()
        got = rows_by_year(results_dir)
        assert got[2000] == ROWS_PER_IMPORT
        assert got.get(y, 0) in (0, ROWS_PER_IMPORT)  # all of that write or none of it
    results.import_file(results_file(tmp_path, 2100), results_dir, by=access.operator())
    assert leftovers(results_dir) == []


def test_two_people_loading_results_on_the_page_at_once_both_land(data_copy, tmp_path, monkeypatch):
    """Issue 12, found 1: "Nạp tệp" on Kết quả công bố in two sessions at once."""
    from apptest_util import open_page
    monkeypatch.setenv("CCHC_DATA_DIR", str(data_copy))
    before = rows_by_year(data_copy)
    sessions = {}
    for y in (2031, 2032):
        at = open_page("pages/ket_qua_cong_bo.py", {"unit": "10621"}, user=("data_manager", "*", f"quan.ly.{y}"))
        at.file_uploader(key="kq_upload").upload(f"ket-qua-{y}.json", results_file(tmp_path, y).read_bytes(),
                                                 "application/json")
        at.run()
        sessions[y] = at
    errors = []

    def click(at):
        try:
            at.button(key="kq_import").click().run()
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    _in_threads(click, sessions.values())
    assert not errors, errors
    for at in sessions.values():
        assert not at.exception, [e.value for e in at.exception]
        assert any(f"Đã nạp {ROWS_PER_IMPORT} dòng" in s.value for s in at.success), (
            [s.value for s in at.success], [e.value for e in at.error], [w.value for w in at.warning])
    assert rows_by_year(data_copy) == {**before, 2031: ROWS_PER_IMPORT, 2032: ROWS_PER_IMPORT}


# --- the self-assessment facts -------------------------------------------------------------------------
FACT_CODE = "plans_issued"
SAVE = ("from cchc.ingest import facts_entry as fe; from cchc import access; import sys; "
        "fe.save(sys.argv[1], '10621', 2023, [{'indicator': '" + FACT_CODE + "', 'value': int(sys.argv[2]), "
        "'note': 'QĐ số ' + sys.argv[2]}], 'Cán bộ ' + sys.argv[2], by=access.operator())")


def _save_proc(root: Path, value: int, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", SAVE, str(root), str(value)], cwd=ROOT,
                          env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=120)


def facts_rows(root: Path) -> list[dict]:
    return pl.read_parquet(schema.FACTS.path(root)).filter(
        (pl.col("unit_code") == "10621") & (pl.col("year") == 2023) & (pl.col("indicator") == FACT_CODE)).to_dicts()


@pytest.mark.parametrize("point", ["file-written", "file-before-replace", "file-replaced"])
def test_facts_save_killed_at_each_step_leaves_the_old_table_or_the_new(data_copy, point):
    before = facts_rows(data_copy)
    killed = _save_proc(data_copy, 41, env={"CCHC_FAULT": point})
    assert killed.returncode == -9, killed.stderr
    after = facts_rows(data_copy)
    assert len(after) == len(before) + (1 if point == "file-replaced" else 0)
    assert after[:len(before)] == before
    assert _save_proc(data_copy, 42).returncode == 0
    assert facts_rows(data_copy)[-1]["value"] == 42
    assert leftovers(data_copy) == []


def test_facts_saves_from_threads_and_processes_all_land(data_copy):
    """Saves of one indicator without a form version (the library's and the CLI's way): each is
    acknowledged and appended, none overwrites another's row."""
    before = len(facts_rows(data_copy))
    values_p = [151, 152, 153]
    procs = [subprocess.Popen([sys.executable, "-c", SAVE, str(data_copy), str(v)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for v in values_p]
    errors = []

    def save(v):
        try:
            assert fe.save(data_copy, "10621", 2023, [{"indicator": FACT_CODE, "value": v, "note": f"QĐ số {v}"}],
                           f"Cán bộ {v}", by=access.operator()) == 1
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    _in_threads(save, (161, 162, 163, 164))
    outs = [p.communicate(timeout=120) for p in procs]
    assert not errors, errors
    assert [p.returncode for p in procs] == [0, 0, 0], outs
    rows = facts_rows(data_copy)
    assert len(rows) == before + 7
    assert sorted(int(r["value"]) for r in rows[before:]) == [151, 152, 153, 161, 162, 163, 164]
    assert len({r["entered_at"] for r in rows}) == len(rows)  # the key stays unique


# --- the rollups -----------------------------------------------------------------------------------------
def _province_kpis(root: Path) -> dict:
    from cchc import kpis, periods
    db = Database(root)
    try:
        unit = kpis.resolve_unit(db, "30")
        month = periods.calendar_month(2023, 1)
        assert db.routed("dossier_kpis", {**unit.scope, "start": month.start, "end": month.end}) == "dossier_kpis_daily"
        return kpis.dossier_kpis(db, unit, month)
    finally:
        db.close()


@pytest.mark.parametrize("point,no_exchange", [("dir-built", False), ("dir-swapped", False),
                                               ("dir-between-renames", True)])
def test_rollup_killed_at_each_step_leaves_a_whole_rollup(small_sample, point, no_exchange):
    from cchc import rollup
    before = _province_kpis(small_sample)
    env = {"CCHC_FAULT": point, **({"CCHC_STORE_NO_EXCHANGE": "1"} if no_exchange else {})}
    killed = _cli("--data-dir", str(small_sample), "rollup", env=env)
    assert killed.returncode == -9, killed.stderr
    if no_exchange:  # the old rollup is put back where two renames were interrupted
        store.recover(schema.DOSSIER_DAILY.path(small_sample))
    assert rollup.fresh(small_sample, "dossier_daily", "30")
    assert _province_kpis(small_sample) == before
    rerun = _cli("--data-dir", str(small_sample), "rollup")
    assert rerun.returncode == 0, rerun.stderr
    assert leftovers(small_sample) == []
    assert _province_kpis(small_sample) == before


def test_rollups_in_threads_at_once_all_complete(small_sample):
    from cchc import rollup
    errors = []

    def build(_):
        try:
            rollup.build(small_sample)
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    _in_threads(build, range(3))
    assert not errors, errors
    assert leftovers(small_sample) == [] and rollup.fresh(small_sample, "dossier_daily", "30")
    _province_kpis(small_sample)


def test_two_rollups_at_once_both_complete(small_sample):
    procs = [subprocess.Popen([sys.executable, "-m", "cchc", "--data-dir", str(small_sample), "rollup"], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outs
    assert leftovers(small_sample) == []
    _province_kpis(small_sample)


# --- the sample generator ------------------------------------------------------------------------------------
def _sample_seed(root: Path) -> int:
    db = Database(root)  # every table opens (and a folder left between two renames is put back first)
    try:
        assert db.run("units_all").height > 0
    finally:
        db.close()
    return sample.load_meta(root)["seed"]


SAMPLE_ARGS = ["sample", "--seed", "2", "--scale", "0.01", "--from", "2023-01-01", "--to", "2023-01-31"]


@pytest.mark.parametrize("point,no_exchange", [("dir-built", False), ("dir-swapped", False),
                                               ("dir-between-renames", True)])
def test_sample_killed_at_each_step_leaves_the_old_folder_or_the_new(small_sample, point, no_exchange):
    env = {"CCHC_FAULT": f"{point}:{small_sample.name}", **({"CCHC_STORE_NO_EXCHANGE": "1"} if no_exchange else {})}
    killed = _cli("--data-dir", str(small_sample), *SAMPLE_ARGS, env=env)
    assert killed.returncode == -9, killed.stderr
    if no_exchange:
        assert not small_sample.exists()  # the one state the fallback has between its renames, which
        # the next reader (Database, below) or writer repairs by putting the old folder back
    assert _sample_seed(small_sample) == (2 if point == "dir-swapped" else 1)
    rerun = _cli("--data-dir", str(small_sample), *SAMPLE_ARGS)
    assert rerun.returncode == 0, rerun.stderr
    assert _sample_seed(small_sample) == 2
    assert leftovers(small_sample.parent) == [] and leftovers(small_sample) == []


def test_sample_killed_between_renames_is_repaired_by_the_next_run(small_sample):
    killed = _cli("--data-dir", str(small_sample), *SAMPLE_ARGS,
                  env={"CCHC_FAULT": "dir-between-renames:d", "CCHC_STORE_NO_EXCHANGE": "1"})
    assert killed.returncode == -9
    rerun = _cli("--data-dir", str(small_sample), *SAMPLE_ARGS)
    assert rerun.returncode == 0, rerun.stderr
    assert _sample_seed(small_sample) == 2 and leftovers(small_sample.parent) == []


def test_two_sample_runs_into_one_folder_at_once(tmp_path):
    d = tmp_path / "d"
    procs = [subprocess.Popen([sys.executable, "-m", "cchc", "--data-dir", str(d), *SAMPLE_ARGS], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert _sample_seed(d) == 2 and leftovers(tmp_path) == []


def test_sample_runs_in_threads_into_one_folder(tmp_path):
    d = tmp_path / "d"
    errors = []

    def run(seed):
        try:
            sample.generate(d, **{**SMALL, "seed": seed})
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    _in_threads(run, (5, 6, 7))
    assert not errors, errors
    assert _sample_seed(d) in (5, 6, 7) and leftovers(tmp_path) == []


def test_a_fact_saved_while_the_sample_is_regenerated_is_never_lost(tmp_path):
    """The sample swaps the folder only under its exclusive lock, after looking again: a save that was
    acknowledged before is seen (the sample refuses, exit 2), one after lands in the new folder."""
    rng = random.Random(3)
    outcomes = []
    for k in range(5):
        d = tmp_path / f"d{k}"
        sample.generate(d, **SMALL)
        p = subprocess.Popen([sys.executable, "-m", "cchc", "--data-dir", str(d), *SAMPLE_ARGS], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0.3, 1.8))
        value = 170 + k
        n = fe.save(d, "10621", 2023, [{"indicator": FACT_CODE, "value": value, "note": f"QĐ {value}"}], "Cán bộ xã", by=access.operator())
        _, err = p.communicate(timeout=300)
        assert n == 1
        assert p.returncode in (0, 2), err
        assert value in [int(r["value"]) for r in facts_rows(d)], (k, p.returncode, err)
        if p.returncode == 0:  # it swapped before the save: the save is in the new folder
            assert _sample_seed(d) == 2 and sample.refusal(d)
        else:
            assert "người dùng nhập" in err and _sample_seed(d) == 1
        outcomes.append(p.returncode)
    print("sample exit codes:", outcomes)


# --- issue 12, found 3: the sample and the folders it is given ----------------------------------------------
def test_sample_refuses_a_folder_with_documents_and_touches_nothing(tmp_path):
    d = tmp_path / "d"
    (d / "van-ban").mkdir(parents=True)
    (d / "van-ban" / "bien-ban.txt").write_text("Biên bản họp", encoding="utf-8")
    (d / "ghi-chu").mkdir()
    before = checksums(d)
    r = _cli("--data-dir", str(d), "sample")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "không phải dữ liệu mẫu" in r.stderr and "van-ban/bien-ban.txt" in r.stderr
    assert checksums(d) == before and (d / "ghi-chu").is_dir()
    assert leftovers(tmp_path) == []


def test_sample_refuses_a_file_given_as_the_folder(tmp_path):
    f = tmp_path / "bao-cao.docx"
    f.write_bytes(b"PK\x03\x04 not really")
    r = _cli("--data-dir", str(f), "sample")
    assert r.returncode == 2 and "là một tệp, không phải thư mục" in r.stderr
    assert f.read_bytes() == b"PK\x03\x04 not really"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bao-cao.docx"]


def test_sample_refuses_a_sample_folder_where_officers_entered_facts(small_sample):
    fe.save(small_sample, "10621", 2023, [{"indicator": FACT_CODE, "value": 9, "note": "QĐ 9"}], "Cán bộ xã", by=access.operator())
    before = checksums(small_sample)
    r = _cli("--data-dir", str(small_sample), *SAMPLE_ARGS)
    assert r.returncode == 2 and "facts.parquet: đã thay đổi sau khi tạo mẫu" in r.stderr
    assert checksums(small_sample) == before


def test_sample_refuses_a_sample_folder_with_imported_results(small_sample, tmp_path):
    results.import_file(results_file(tmp_path, 2019), small_sample, by=access.operator())
    before = checksums(small_sample)
    r = _cli("--data-dir", str(small_sample), *SAMPLE_ARGS)
    assert r.returncode == 2 and "index_results.parquet" in r.stderr
    assert checksums(small_sample) == before


def test_sample_regenerates_over_an_untouched_sample_after_a_rollup(small_sample):
    assert _cli("--data-dir", str(small_sample), "rollup").returncode == 0  # derived tables may change
    r = _cli("--data-dir", str(small_sample), *SAMPLE_ARGS)
    assert r.returncode == 0, r.stderr
    assert _sample_seed(small_sample) == 2


def test_sample_made_before_the_manifest_is_judged_by_its_rows(small_sample):
    meta = json.loads((small_sample / sample.MARKER).read_text(encoding="utf-8"))
    del meta["files"]
    (small_sample / sample.MARKER).write_text(json.dumps(meta), encoding="utf-8")
    assert sample.refusal(small_sample) is None
    fe.save(small_sample, "10621", 2023, [{"indicator": FACT_CODE, "value": 9, "note": "QĐ 9"}], "Cán bộ xã", by=access.operator())
    assert "có số liệu do người dùng nhập" in sample.refusal(small_sample)


# --- the write path itself ---------------------------------------------------------------------------------
def test_a_file_that_does_not_read_back_is_never_swapped_in(results_dir):
    path = results_dir / "t.parquet"
    import pyarrow as pa
    store.write_table(path, pa.table({"a": [1, 2]}))
    before = path.read_bytes()

    def bad(tmp):
        tmp.write_bytes(b"PAR1 cut short")

    with pytest.raises(pa.ArrowInvalid):
        store.replace_file(path, bad, lambda tmp: pq.read_table(tmp))
    assert path.read_bytes() == before and leftovers(results_dir) == []


def test_a_lock_held_too_long_gives_a_vietnamese_message(results_dir):
    with store.lock(results_dir, "x"):
        with pytest.raises(store.Busy, match="Có người khác đang ghi"):
            with store.lock(results_dir, "x", timeout=0.1):
                pass


def test_readers_never_fail_while_a_writer_replaces_the_file(data_copy):
    """DuckDB reads a file's footer when it binds a query and its pages when it scans: a rename between
    the two gave "TProtocolException: Invalid data" to a page reading facts while an officer saved.
    cchc.db reads again when every file is sound."""
    db = Database(data_copy)
    stop = threading.Event()
    errors: list[BaseException] = []
    reads = [0]

    def read():
        while not stop.is_set():
            try:
                db.run("facts_year", unit="10621", year=2023)
                db.run("facts_years", **kpis.resolve_unit(db, "30").scope)
                reads[0] += 1
            except BaseException as e:  # noqa: BLE001
                errors.append(e)

    readers = [threading.Thread(target=read) for _ in range(3)]
    for t in readers:
        t.start()
    try:
        for v in range(20):
            fe.save(data_copy, "10621", 2023, [{"indicator": FACT_CODE, "value": 100 + v, "note": f"QĐ {v}"}], "Cán bộ", by=access.operator())
    finally:
        stop.set()
        for t in readers:
            t.join()
        db.close()
    assert not errors, errors[:3]
    assert reads[0] > 20
