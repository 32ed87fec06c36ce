"""Measurements in a fresh process: `python bench/worker.py '<job json or list of jobs>'` prints one
JSON line per job.

For each job the process opens a new cchc.db.Database over the dataset (a new DuckDB instance with
the product's views and macros, so DuckDB's state is cold; the OS page cache is whatever earlier
runs left, normally warm), runs the job once cold and `repeat` times warm. It reports the wall time
of each run, the CPU time of the warm runs, and the process's peak RSS during the job (VmHWM, reset
through /proc/self/clear_refs before the job, so imports, the open Database and the query are
counted, earlier jobs are not) next to the RSS just before the first run.

Job kinds:
  {"kind": "query", "name": "dossier_kpis", "params": {...}}   Database.run(name, **params)
  {"kind": "sql", "text": "...", "params": {...}}              Database.sql(text, **params)
  {"kind": "kpis", "unit": "10621", "period": ["year", 2023, null, 10]}   cchc.kpis.kpis(db, unit, period)
                                                               (unit: a key cchc.units.resolve reads: 10621, cu-10633)
  {"kind": "trend", "params": {...}}                           cchc.kpis.monthly_trend (query + empty months)
  {"kind": "group", "members": [job, job, ...]}                 the members interleaved (below)
Parameters named start/end/day are ISO dates; "scope" is cchc.units.Unit.scope's struct with its
"change" day as an ISO date (params() turns them back into dates). For a "query" job the result also
says which query ran ("ran": the rollup twin for a whole province whose rollup is fresh,
cchc.db.Database.routed).

A group (a query with its scan floor and bare scan) is measured interleaved, so that the ratio of
their medians compares runs made under the same load: each member opens its own Database and runs
once cold (in order), then the warm runs go round the members (the order rotating each round).
Each member's peak RSS is the highest VmHWM over its own runs (reset just before each).
"""
from __future__ import annotations

import gc
import json
import resource
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _status_mb(key: str) -> float:
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM to the current RSS (Linux)
    except OSError:
        pass


def params(p: dict) -> dict:
    """Job parameters as the product takes them: start/end/day as dates, and the unit's scope
    (cchc.units.Unit.scope, JSON in a job) with its change day as a date."""
    out = {}
    for k, v in p.items():
        if k in ("start", "end", "day") and isinstance(v, str):
            v = date.fromisoformat(v)
        elif k == "scope" and isinstance(v, dict) and isinstance(v.get("change"), str):
            v = {**v, "change": date.fromisoformat(v["change"])}
        out[k] = v
    return out


def _prepare(job: dict):
    """(function to time, which query ran, Database) for a query, sql or kpis job."""
    from cchc import db as dbm
    db = dbm.Database(job["root"])
    kind = job["kind"]
    ran = None
    if kind == "query":
        name, ps = job["name"], params(job["params"])
        ran = db.routed(name, ps)
        fn = lambda: db.run(name, **ps)  # noqa: E731
    elif kind == "sql":
        text, ps = job["text"], params(job["params"])
        fn = lambda: db.sql(text, **ps)  # noqa: E731
    elif kind == "trend":
        from cchc import kpis
        ps = params(job["params"])
        scope = {"scope": ps["scope"], "provinces": ps["provinces"]}
        ran = db.routed("monthly_trend", ps)
        fn = lambda: kpis.monthly_trend(db, scope, ps["start"], ps["end"], ps["field"], ps["procedure"])  # noqa: E731
    elif kind == "kpis":
        from cchc import kpis, periods
        unit = kpis.resolve_unit(db, job["unit"])
        pk, year, index, cutoff = job["period"]
        period = periods.make(pk, year, index, cutoff)
        fn = lambda: kpis.kpis(db, unit, period)  # noqa: E731
        ran = db.routed("dossier_kpis", {**unit.scope, "start": period.start, "end": period.end})  # as kpis.kpis does
    else:
        raise ValueError(kind)
    return fn, ran, db


def _timed(fn) -> tuple[float, float, float, object]:
    """(wall ms, cpu ms, peak RSS MB during the call, result)."""
    _reset_peak()
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    out = fn()
    wall = (time.perf_counter() - t0) * 1000
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    return wall, (r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1000, _status_mb("VmHWM"), out


def _summary(kind: str, wall: list, cpu: list, peaks: list, base: float, out, ran) -> dict:
    rows = len(out) if isinstance(out, dict) else out.height
    first = out.row(0)[0] if kind == "sql" and out.height else None  # a floor's count(*): rows scanned
    return {"cold_ms": round(wall[0], 2), "warm_ms": [round(x, 2) for x in wall[1:]],
            "warm_median_ms": round(statistics.median(wall[1:]), 2),
            "warm_cpu_median_ms": round(statistics.median(cpu[1:]), 1),
            "rss_base_mb": round(base, 1), "rss_peak_mb": round(max(peaks), 1), "rows": rows, "n": first, "ran": ran}


def main(job: dict) -> dict:
    gc.collect()
    members = job["members"] if job["kind"] == "group" else [job]
    prepared, base = [], []
    for m in members:
        _reset_peak()
        base.append(_status_mb("VmRSS"))
        prepared.append(_prepare(m))
    runs = [([], [], [], None) for _ in members]
    repeat = max(int(m.get("repeat", 5)) for m in members)
    order = list(range(len(members)))
    for rnd in range(1 + repeat):
        for i in (order if rnd == 0 else order[rnd % len(order):] + order[:rnd % len(order)]):
            wall, cpu, peak, out = _timed(prepared[i][0])
            w, c, pk, _ = runs[i]
            w.append(wall), c.append(cpu), pk.append(peak)
            runs[i] = (w, c, pk, out)
    results = [_summary(m["kind"], w, c, pk, b, out, prep[1])
               for m, (w, c, pk, out), b, prep in zip(members, runs, base, prepared)]
    for _, _, db in prepared:
        db.close()
    return {"members": results} if job["kind"] == "group" else results[0]


if __name__ == "__main__":
    jobs = json.loads(sys.argv[1])
    for j in (jobs if isinstance(jobs, list) else [jobs]):
        print(json.dumps(main(j)), flush=True)
