"""Benchmark of the loader (issue 15, item 7): a generated CSV of 1 M dossiers loaded with
``python -m cchc import`` into a data folder holding only the reference tables, in a fresh process
timed from outside (wall time, peak RSS of the process). Targets: ≤ 30 s and ≤ 1 GB.

    .venv/bin/python bench/load_speed.py                 # 1 M rows, loaded once, then the same file again
    .venv/bin/python bench/load_speed.py --rows 200000 --keep /tmp/loadbench

The file is what a province's one-stop software would export: Vietnamese headers, dd/mm/yyyy hh:mm
dates, semicolons, UTF-8 with BOM, 12 columns (≈ 150 MB for 1 M rows). Rows from 01/01/2024 to
30/06/2025 carry old-map communes of Hải Dương (30) and Hải Phòng (31); rows from 01/07/2025 to
30/11/2025 the new-map communes of Thành phố Hải Phòng (31). The second load of the same file
changes nothing (every row "unchanged") and is timed too.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The measuring process stays small and imports neither polars nor the product: a child forked from a
# big parent would count the parent's pages in its peak RSS (Linux keeps the larger of the pre-exec
# and post-exec high-water marks). The file and the data folder are made by a child (--prepare).

HEAD = ["STT", "Mã hồ sơ", "Mã đơn vị", "Mã TTHC", "Lĩnh vực", "Kênh nộp hồ sơ", "Ngày nhận hồ sơ", "Ngày hẹn trả",
        "Ngày kết thúc xử lý", "Ngày trả kết quả", "Trạng thái", "Phí, lệ phí"]
CHANGE = date(2025, 7, 1)


def data_folder(root: Path) -> None:
    """Units, procedures and calendar of the product, every other table empty."""
    import polars as pl
    import pyarrow as pa
    import pyarrow.parquet as pq
    from cchc import schema, workdays
    from cchc.sample import _pl_schema, _write, load_procedures, load_units
    root.mkdir(parents=True)
    _write(load_units(), schema.UNITS, root)
    procs = load_procedures()
    _write(procs.with_columns(level=pl.lit("commune"), paper_result=pl.col("paper_result").cast(pl.Boolean)),
           schema.PROCEDURES, root)
    cal = workdays.calendar_table(date(2019, 1, 1), date(2026, 12, 31))
    _write(pl.DataFrame(cal).cast(_pl_schema(schema.CALENDAR)), schema.CALENDAR, root)
    for t in (schema.DOSSIERS, schema.RATINGS):
        d = root / t.name / "year=0" / "province_code=00"
        d.mkdir(parents=True)
        pq.write_table(pa.schema([t.arrow_schema.field(c) for c in t.file_columns]).empty_table(), d / "part-0000.parquet")
    for t in (schema.FEEDBACK, schema.FINANCES, schema.FACTS, schema.INDEX_RESULTS):
        _write(pl.DataFrame(schema=_pl_schema(t)), t, root)


def make_csv(path: Path, rows: int, seed: int = 7) -> None:
    import numpy as np
    import polars as pl
    from cchc.sample import load_procedures, load_units
    rng = np.random.default_rng(seed)
    u = load_units()
    old = u.filter((pl.col("map") == "old") & (pl.col("level") == "commune") & pl.col("province_code").is_in(["30", "31"]))
    new = u.filter((pl.col("map") == "new") & (pl.col("level") == "commune") & (pl.col("province_code") == "31"))
    old_codes, new_codes = old["code"].to_numpy(), new["code"].to_numpy()
    procs = load_procedures()
    pcodes, pfields, pdays = procs["code"].to_numpy(), procs["field"].to_numpy(), procs["statutory_days"].to_numpy()
    start, change, end = (np.datetime64(d, "s") for d in ("2024-01-01", "2025-07-01", "2025-11-30"))
    span = int((end - start) / np.timedelta64(1, "s"))
    recv = start + rng.integers(0, span, rows).astype("timedelta64[s]")
    recv = recv - (recv.astype("int64") % 60).astype("timedelta64[s]")
    is_new = recv >= change
    unit = np.where(is_new, rng.choice(new_codes, rows), rng.choice(old_codes, rows))
    k = rng.integers(0, len(pcodes), rows)
    due = recv + (pdays[k].astype("int64") * 86400 + 86400).astype("timedelta64[s]")
    took = rng.integers(600, 6 * 86400, rows).astype("timedelta64[s]")
    done = rng.random(rows) < 0.93
    fin = np.where(done, recv + took, np.datetime64("NaT", "s"))
    channel = rng.choice(np.array(["Trực tiếp", "Trực tuyến", "Bưu chính công ích"]), rows, p=[0.55, 0.4, 0.05])
    fee = rng.choice(np.array([0, 0, 0, 2000, 10000, 50000]), rows)

    def dmy(a: np.ndarray) -> pl.Series:
        return pl.Series(a.astype("datetime64[ms]")).dt.strftime("%d/%m/%Y %H:%M")

    df = pl.DataFrame({
        "STT": np.arange(1, rows + 1),
        "Mã hồ sơ": [f"BENCH-{i:07d}" for i in range(rows)],
        "Mã đơn vị": unit, "Mã TTHC": pcodes[k], "Lĩnh vực": pfields[k], "Kênh nộp hồ sơ": channel,
        "Ngày nhận hồ sơ": dmy(recv), "Ngày hẹn trả": dmy(due), "Ngày kết thúc xử lý": dmy(fin),
        "Ngày trả kết quả": dmy(fin),
        "Trạng thái": np.where(done, "Đã trả kết quả", "Đang xử lý"), "Phí, lệ phí": fee,
    })
    with open(path, "wb") as f:
        f.write("\ufeff".encode())
        df.write_csv(f, separator=";", null_value="")


def run_load(csv_path: Path, data: Path) -> dict:
    """One ``python -m cchc import`` in a fresh process: wall time and that process's peak RSS (wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen([sys.executable, "-m", "cchc", "import", str(csv_path), "--data-dir", str(data)],
                             cwd=ROOT, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if p.returncode != 0:
        raise SystemExit(f"import failed ({p.returncode}):\n{stderr[-3000:]}")
    return {"seconds": round(wall, 1), "peak_rss_mb": round(usage.ru_maxrss / 1024), "stdout": stdout.strip()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--keep", help="a folder to keep the CSV and the data folder in (default: a temporary one)")
    ap.add_argument("--once", action="store_true", help="load once only (not the same file again)")
    ap.add_argument("--prepare", help=argparse.SUPPRESS)   # (child) write the CSV and the data folder there
    args = ap.parse_args()
    if args.prepare:
        base = Path(args.prepare)
        data_folder(base / "data")
        t0 = time.perf_counter()
        make_csv(base / "ho-so-1m.csv", args.rows)
        print(f"CSV: {args.rows:,} rows, {(base / 'ho-so-1m.csv').stat().st_size / 1e6:.0f} MB, written in "
              f"{time.perf_counter() - t0:.1f} s", file=sys.stderr)
        return
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="cchc-loadbench-"))
    base.mkdir(parents=True, exist_ok=True)
    csv_path, data = base / "ho-so-1m.csv", base / "data"
    try:
        if data.exists():
            shutil.rmtree(data)
        subprocess.run([sys.executable, __file__, "--prepare", str(base), "--rows", str(args.rows)], check=True)
        first = run_load(csv_path, data)
        out = {"at": datetime.now().isoformat(timespec="seconds"), "rows": args.rows,
               "csv_mb": round(csv_path.stat().st_size / 1e6), "cores": os.cpu_count(), "first_load": first}
        if not args.once:
            out["same_file_again"] = run_load(csv_path, data)
        print(json.dumps(out, ensure_ascii=False, indent=1))
        ok = first["seconds"] <= 30 and first["peak_rss_mb"] <= 1024
        print(f"target ≤ 30 s and ≤ 1 GB: {'met' if ok else 'NOT met'} "
              f"({first['seconds']} s, {first['peak_rss_mb']} MB)", file=sys.stderr)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
