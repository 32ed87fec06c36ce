"""Query benchmark: `python bench/run.py [--sizes 1m,10m,50m,hp,hp10] [--reuse] [--data-root DIR]`.

Times the generator's default run (`python -m cchc --data-dir <tmp> sample`: wall time, peak RSS),
builds (or, with --reuse, reuses) sample datasets with the project's generator, then measures every
core KPI query on each, in fresh processes (bench/worker.py): cold (first run in the process) and the
warm median, the query process's peak RSS, and the scan floor (the same rows and columns read with a
trivial aggregate, bench/floors.py) and bare scan, measured in the same process, their warm runs
interleaved with the query's. Writes docs/performance.md and the
raw figures to <data-root>/results.json. See bench/README.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import datasets  # noqa: E402
import floors  # noqa: E402
import report  # noqa: E402
import worker  # noqa: E402

NATIONAL_SQL = (HERE / "sql" / "national_year.sql").read_text(encoding="utf-8")
NATIONAL_DAILY_SQL = (HERE / "sql" / "national_year_daily.sql").read_text(encoding="utf-8")
# 24 calendar months ending at the old map's end (an old unit has no rows after 30/06/2025)
OLD_TREND = (date(2023, 7, 1), date(2025, 6, 30))
OFFICIAL_2023 = ("year", 2023, None, 10)   # 10/12/2022–09/12/2023, Hải Dương's cut-off day
CALENDAR_2024 = ("cal_year", 2024, None, 15)
CALENDAR_2025 = ("cal_year", 2025, None, 15)  # across the change of map (01/07/2025)


def jsonable(v):
    """A scope or parameters as JSON (dates as ISO strings; bench/worker.py rebuilds them)."""
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    return v


def new_trend(root: Path) -> tuple[date, date]:
    """24 calendar months ending with the month of the data's last day (the sample's end)."""
    meta = json.loads((root / datasets.MARKER).read_text(encoding="utf-8")) if (root / datasets.MARKER).exists() else {}
    end = date.fromisoformat(meta.get("end") or "2026-11-30")
    y, m = divmod(end.year * 12 + end.month - 1 - 23, 12)
    return date(y, m + 1, 1), end


def scopes_for(root: Path) -> list[dict]:
    """The units and periods measured on a dataset, resolved with the product's own lookups
    (cchc.units.resolve: the old-map units of Hải Dương 30, 291, 10621 and the new-map Thành phố Hải
    Phòng 31 and Xã Trần Phú 10633, which carries Quốc Tuấn's history)."""
    from cchc import kpis, periods, units
    from cchc.db import Database
    db = Database(root)
    # the largest old commune of old province 30 in 2023 (a code a new commune may reuse: (map, code))
    big = db.sql("SELECT unit_code, count(*) AS n FROM raw_dossiers WHERE province_code = $p AND year = 2023 "
                 "AND received_at < $change AND unit_code <> '10621' GROUP BY unit_code ORDER BY n DESC, unit_code "
                 "LIMIT 1", p="30", change=units.MAP_CHANGE).row(0)[0]
    trend_new = new_trend(root)
    out = []
    for key, unit, per, label, trend in [
        ("province_off2023", units.resolve(db, "30"), OFFICIAL_2023,
         "tỉnh 30 Hải Dương (cũ), năm 2023 (kỳ 10/12/2022–09/12/2023)", OLD_TREND),
        ("province_cal2024", units.resolve(db, "30"), CALENDAR_2024, "tỉnh 30 Hải Dương (cũ), năm dương lịch 2024",
         None),
        ("district_off2023", units.resolve(db, "291"), OFFICIAL_2023, "huyện 291 Nam Sách (cũ), năm 2023", OLD_TREND),
        ("commune_off2023", units.resolve(db, "10621"), OFFICIAL_2023, "xã 10621 Quốc Tuấn (cũ), năm 2023", OLD_TREND),
        ("bigcommune_off2023", units.get(db, units.OLD, big), OFFICIAL_2023, None, OLD_TREND),
        ("newprovince_cal2025", units.resolve(db, "31"), CALENDAR_2025,
         "tỉnh 31 Hải Phòng (mới), năm dương lịch 2025 (qua 01/07/2025)", trend_new),
        ("newcommune_cal2025", units.resolve(db, "10633"), CALENDAR_2025,
         "xã 10633 Trần Phú (mới), năm dương lịch 2025 (qua 01/07/2025)", trend_new),
    ]:
        want = units.NEW if key.startswith("new") else units.OLD
        if unit.map != want:
            raise RuntimeError(f"{key}: {unit.key} resolved to the {unit.map} map, expected {want}")
        p = periods.make(*per)
        months = kpis.finance_months(p)
        # which query each name runs here (a whole province reads the rollup while it is fresh and,
        # for dossier_kpis, the period starts by its horizon), for the floor that goes with it
        ran = {q: db.routed(q, {**unit.scope, "start": p.start, "end": p.end}) for q in ("dossier_kpis", "rating_kpis")}
        if trend:
            ran["monthly_trend"] = db.routed("monthly_trend", {**unit.scope, "start": trend[0], "end": trend[1]})
        out.append({"key": key, "code": unit.key, "map": unit.map, "level": unit.level,
                    "label": label or f"xã {unit.code} {unit.name} (cũ, lớn nhất tỉnh 30), năm 2023",
                    "scope": jsonable(unit.scope), "period": list(per),
                    "start": p.start.isoformat(), "end": p.end.isoformat(),
                    "fin_start": months[0].isoformat(), "fin_end": months[1].isoformat(), "ran": ran,
                    "trend_start": trend[0].isoformat() if trend else None,
                    "trend_end": trend[1].isoformat() if trend else None})
    db.close()
    return out


def national_daily_params(root: Path) -> dict | None:
    """$horizons and $min_horizon for bench/sql/national_year_daily.sql, if every province's
    dossier_daily rollup is fresh (else None: the national query then has no rollup version)."""
    from cchc import rollup
    provinces = rollup.provinces_with_data(root, rollup.schema.DOSSIERS)
    if not provinces or not all(rollup.fresh(root, "dossier_daily", p) for p in provinces):
        return None
    hz = rollup.built(root, "dossier_daily")["horizons"]
    return {"horizons": [{"province_code": p, "last_day": hz[p]} for p in provinces],
            "min_horizon": min(hz[p] for p in provinces)}


def run_jobs(jobs: list[dict]) -> list[dict]:
    """Run measurements in one fresh worker process (each with its own new Database)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, str(HERE / "worker.py"), json.dumps(jobs)], cwd=ROOT, env=env,
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"worker failed: {r.stderr[-3000:]}")
    out = [json.loads(line) for line in r.stdout.strip().splitlines() if line.startswith("{")]
    if len(out) != len(jobs):
        raise RuntimeError(f"worker returned {len(out)} results for {len(jobs)} jobs: {r.stderr[-3000:]}")
    return out


def measure(root: Path, scopes: list[dict], repeat: int, log, ratio_repeat: int | None = None) -> list[dict]:
    """All measurements of one dataset. One worker process per batch (a scope, the trends, ...);
    each measurement inside opens its own Database, so DuckDB starts cold for every one. Each row
    with a floor also gets "reads": the rows the product's own table macro selects (floors.READS),
    counted here once, which its floor and bare scan must count too (check_reads)."""
    from cchc.db import Database
    checker = Database(root)
    batches: list[list[tuple[dict, dict, str | None]]] = []

    def add(batch: list, group: str, scope: str, query: str, job: dict, floor_sql: str | None = None,
            fparams: dict | None = None, bare_sql: str | None = None, ran: str | None = None):
        """One measurement: the query, interleaved with its floor and bare scan when it has them
        (bench/worker.py, job kind "group")."""
        meta = {"group": group, "scope": scope, "query": query}
        if floor_sql is not None and (ran or query) in floors.READS:
            params = worker.params(fparams if fparams is not None else job["params"])
            meta["reads"] = checker.sql(floors.READS[ran or query], **params).row(0)[0]
        # a KPI query or trend timed beside its floor: more rounds, its ratio to the floor being the
        # figure compared with a target (the national queries, seconds each, keep `repeat`)
        rep = max(repeat, ratio_repeat or 0) if floor_sql is not None and group != "national" else repeat
        members, roles = [{"root": str(root), "repeat": rep, **job}], [None]
        for role, sql in (("floor", floor_sql), ("bare", bare_sql)):
            if sql is not None:
                members.append({"root": str(root), "repeat": rep, "kind": "sql", "text": sql,
                                "params": fparams if fparams is not None else job["params"]})
                roles.append(role)
        batch.append((meta, {"kind": "group", "members": members}, roles))

    for s in scopes:
        b: list = []
        p = {**s["scope"], "start": s["start"], "end": s["end"]}
        add(b, "kpi", s["key"], "kpi_set", {"kind": "kpis", "unit": s["code"], "period": s["period"]})
        bare = {"dossier_kpis": floors.bare_dossiers(root, s["scope"], s["start"], s["end"]),
                "rating_kpis": floors.bare_ratings(root, s["scope"], s["start"], s["end"])}
        for q in ("dossier_kpis", "rating_kpis", "feedback_kpis"):
            ran = s["ran"].get(q, q)
            add(b, "kpi", s["key"], q, {"kind": "query", "name": q, "params": p}, floors.FLOORS[ran],
                bare_sql=bare.get(q) if ran == q else None, ran=ran)
        fp = {**s["scope"], "start": s["fin_start"], "end": s["fin_end"]}
        add(b, "kpi", s["key"], "finance_summary", {"kind": "query", "name": "finance_summary", "params": fp},
            floors.FINANCE_SUMMARY)
        batches.append(b)
    b = []
    for s in scopes:
        if not s.get("trend_start"):
            continue
        tp = {**s["scope"], "field": None, "procedure": None, "start": s["trend_start"], "end": s["trend_end"]}
        ran = s["ran"]["monthly_trend"]
        add(b, "trend", s["key"].split("_")[0] + "_24m", "monthly_trend",
            {"kind": "trend", "params": tp}, floors.FLOORS[ran],
            bare_sql=floors.bare_trend(root, s["scope"], tp["start"], tp["end"]) if ran == "monthly_trend" else None,
            ran=ran)
    batches.append(b)
    b = []
    np_ = {"start": "2024-01-01", "end": "2024-12-31"}
    nd = national_daily_params(root)
    if nd:
        add(b, "national", "national_cal2024", "national_year_daily",
            {"kind": "sql", "text": NATIONAL_DAILY_SQL, "params": {**np_, **nd}}, floors.NATIONAL_YEAR_DAILY)
    add(b, "national", "national_cal2024", "national_year", {"kind": "sql", "text": NATIONAL_SQL, "params": np_},
        floors.NATIONAL_YEAR, bare_sql=floors.bare_dossiers(root, None, np_["start"], np_["end"]))
    batches.append(b)
    checker.close()

    rows: list[dict] = []
    for b in batches:
        results = run_jobs([job for _, job, _ in b])
        for (meta, _, roles), res in zip(b, results):
            row = {**meta, **res["members"][0]}
            for role, member in zip(roles[1:], res["members"][1:]):
                row[role] = member
            rows.append(row)
        for r in rows[-len(b):]:
            fl = r.get("floor", {}).get("warm_median_ms")
            bl = r.get("bare", {}).get("warm_median_ms")
            log(f"    {r['scope']:20} {r['query']:20} {r.get('ran') or '':20} warm {r['warm_median_ms']:8.1f} ms "
                f"(cpu {r['warm_cpu_median_ms']:6.1f})  cold {r['cold_ms']:8.1f} ms  floor {fl if fl is not None else '-':>8}"
                f"  bare {bl if bl is not None else '-':>8}  rss {r['rss_peak_mb']:.0f} MB")
    return rows


def check_reads(rows: list[dict], log) -> dict:
    """Whether each floor and bare scan counted exactly the rows its query reads (the count of the
    product's table macro, floors.READS); the mismatches are logged and kept in results.json."""
    checked, bad = 0, []
    for r in rows:
        if "reads" not in r:
            continue
        for role in ("floor", "bare"):
            if role in r:
                checked += 1
                if r[role]["n"] != r["reads"]:
                    bad.append(f"{r['scope']} {r['query']} {role}: {r[role]['n']} rows, the query reads {r['reads']}")
    for m in bad:
        log(f"    ROW COUNT MISMATCH {m}")
    log(f"    rows read: {checked - len(bad)} of {checked} floors and bare scans count exactly the query's rows")
    return {"checked": checked, "mismatches": bad}


def machine() -> dict:
    import duckdb
    import numpy
    import polars
    import pyarrow
    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "?")
    mem = next((int(ln.split()[1]) for ln in open("/proc/meminfo") if ln.startswith("MemTotal")), 0)
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(mem / 2**20, 1), "os": platform.platform(),
            "python": platform.python_version(), "duckdb": duckdb.__version__, "polars": polars.__version__,
            "pyarrow": pyarrow.__version__, "numpy": numpy.__version__}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=",".join(datasets.SPECS),
                    help=f"datasets to measure, comma-separated, of: {', '.join(datasets.SPECS)} (default all)")
    ap.add_argument("--reuse", action="store_true", help="reuse a dataset already built with the same scale")
    ap.add_argument("--data-root", default=str(HERE / "data"), help="where datasets live (default bench/data/)")
    ap.add_argument("--repeat", type=int, default=11, help="warm runs per measurement (default 11)")
    ap.add_argument("--ratio-repeat", type=int, default=31,
                    help="warm rounds for a KPI query or trend and its floor (default 31)")
    ap.add_argument("--generate-only", action="store_true", help="build the datasets, measure nothing")
    ap.add_argument("--default-sample", action=argparse.BooleanOptionalAction, default=True,
                    help="time the generator's default run, python -m cchc --data-dir <tmp> sample (default: on)")
    ap.add_argument("--out", default=str(ROOT / "docs" / "performance.md"), help="the report (default docs/performance.md)")
    ap.add_argument("--report-only", metavar="RESULTS_JSON", help="rewrite the report from a saved results.json")
    a = ap.parse_args(argv)
    if a.report_only:
        report.write(json.loads(Path(a.report_only).read_text(encoding="utf-8")), Path(a.out))
        print(f"wrote {a.out}")
        return 0
    keys = [k.strip() for k in a.sizes.split(",") if k.strip()]
    unknown = [k for k in keys if k not in datasets.SPECS]
    if unknown:
        ap.error(f"unknown size(s) {unknown}; choose from {list(datasets.SPECS)}")
    data_root = Path(a.data_root).resolve()
    log = lambda m: print(m, flush=True)  # noqa: E731
    t0 = time.perf_counter()
    results = {"date": date.today().isoformat(), "started": time.strftime("%Y-%m-%d %H:%M"), "machine": machine(),
               "argv": sys.argv[1:], "load_start": os.getloadavg(), "repeat": a.repeat, "ratio_repeat": a.ratio_repeat,
               "datasets": []}
    if a.default_sample:
        log("default sample (python -m cchc --data-dir <tmp> sample)")
        results["default_sample"] = datasets.default_sample(data_root, log)
        data_root.mkdir(parents=True, exist_ok=True)
        (data_root / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    built = []
    for k in keys:
        spec = datasets.SPECS[k]
        log(f"dataset {k} ({spec.label})")
        path, gen, reused = datasets.ensure(spec, data_root, a.reuse, log)
        built.append((spec, path, gen, reused))
    if a.generate_only:
        return 0
    for spec, path, gen, reused in built:
        log(f"measuring {spec.key} at {path}")
        st = datasets.stats(path)
        scopes = scopes_for(path)
        t1 = time.perf_counter()
        rows = measure(path, scopes, a.repeat, log, a.ratio_repeat)
        results["datasets"].append({"key": spec.key, "label": spec.label, "provinces": spec.provinces,
                                    "scale": spec.scale, "path": str(path), "reused": reused, "generation": gen,
                                    "stats": st, "scopes": scopes, "rows": rows,
                                    "row_check": check_reads(rows, log),
                                    "measure_seconds": round(time.perf_counter() - t1, 1),
                                    "load_after": os.getloadavg()})
        data_root.mkdir(parents=True, exist_ok=True)
        (data_root / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    results["load_end"] = os.getloadavg()
    results["total_seconds"] = round(time.perf_counter() - t0, 1)
    (data_root / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    report.write(results, Path(a.out))
    log(f"wrote {a.out} and {data_root / 'results.json'} ({results['total_seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
