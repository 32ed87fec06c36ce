"""Benchmark of the rollup engines (issue 18, item 4): the daily rollups (dossier_daily + rating_daily)
of a dataset built by ``python -m cchc rollup --engine E`` for DuckDB (this process's engine, the
product's default), Dask (LocalCluster, each worker running the product's DuckDB query on one
province) and Spark (local mode, the product's SQL made Spark SQL), plus the national aggregates per
day (bench/sql/engine_national_daily.sql) by the same engine; then a check that every engine wrote
the same files as DuckDB and the same national aggregates.

    .venv/bin/python bench/engine_speed.py --data .pytest_cache/sample-<key> --repeat 3
    .venv/bin/python bench/engine_speed.py --data bench/data/national-0.1 --engines duckdb,dask --no-doc

Each run is a fresh process on a private hard-linked copy of the dataset (the dataset itself is not
written): wall time of the whole process, the seconds of each rollup as recorded in its _built.json,
the engine's start-up (Spark session / Dask cluster), the national aggregates' seconds, and the peak
RSS of the whole process tree (the JVM, the Dask scheduler and workers included), sampled every 50 ms.
Medians over --repeat runs; the table is printed, the figures saved to bench/data/engine_speed.json
and written between the markers of docs/engines.md (unless --no-doc).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
NATIONAL = ROOT / "bench" / "sql" / "engine_national_daily.sql"
DOC = ROOT / "docs" / "engines.md"
START, END = "<!-- engine_speed:start -->", "<!-- engine_speed:end -->"
# What each engine adds to the install (site-packages folders; Spark also needs a Java 17 runtime).
INSTALL = {"duckdb": ["duckdb"],
           "dask": ["dask", "distributed", "toolz", "cloudpickle", "partd", "msgpack", "tornado", "zict", "locket",
                    "psutil", "fsspec", "lazy_importer"],
           "spark": ["pyspark", "py4j"]}
JAVA = Path("/usr/lib/jvm/java-17-openjdk-amd64")


# --- the child: one build in a fresh process -------------------------------------------------------
def child(engine: str, root: Path, workers: int) -> dict:
    from cchc import engines, rollup, schema
    t0 = time.perf_counter()
    started = 0.0
    if engine == "spark":
        from cchc.engines import spark
        started = spark.warm(workers)
    elif engine == "dask":
        from cchc.engines import dask_engine
        started = dask_engine.warm(workers)
    try:
        t1 = time.perf_counter()
        engines.build(root, engine, workers=workers)
        build = time.perf_counter() - t1
        t2 = time.perf_counter()
        nat = engines.run_sql(root, engine, NATIONAL.read_text(encoding="utf-8"), workers=workers)
        national = time.perf_counter() - t2
        import pyarrow.parquet as pq
        pq.write_table(nat, root / "_national_daily.parquet")
    finally:
        engines.stop(engine)
    seconds = {n: rollup.built(root, n)["seconds"] for n in rollup.ROLLUPS}
    return {"startup_s": started, "build_s": build, "national_s": national, "in_process_s": time.perf_counter() - t0,
            **{f"{n}_s": s for n, s in seconds.items()},
            "rows": {n: rollup.built(root, n)["rows_built"] for n in rollup.ROLLUPS},
            "provinces": len(rollup.built(root, schema.DOSSIER_DAILY.name)["provinces"])}


# --- the parent: copies, processes, RSS of the tree ------------------------------------------------
def tree_sample(proc, cpu: dict) -> int:
    """The RSS of the process tree now (bytes); records each process's CPU seconds so far in cpu
    (pid -> user + system), so the tree's CPU time is the sum of the last values seen."""
    import psutil
    total = 0
    try:
        procs = [proc] + proc.children(recursive=True)
    except psutil.Error:
        return 0
    for p in procs:
        try:
            with p.oneshot():
                total += p.memory_info().rss
                t = p.cpu_times()
                cpu[(p.pid, p.create_time())] = t.user + t.system
        except psutil.Error:
            pass
    return total


def one_run(engine: str, data: Path, workers: int, scratch: Path) -> tuple[dict, Path]:
    import psutil
    root = scratch / f"{engine}-{time.time_ns()}"
    shutil.copytree(data, root, copy_function=os.link)
    out = scratch / "child.json"
    t0 = time.perf_counter()
    p = subprocess.Popen([sys.executable, __file__, "--child", engine, "--root", str(root), "--workers", str(workers),
                          "--child-out", str(out)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ps, peak, cpu = psutil.Process(p.pid), 0, {}
    while p.poll() is None:
        peak = max(peak, tree_sample(ps, cpu))
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    err = p.stderr.read().decode(errors="replace")
    if p.returncode != 0:
        raise SystemExit(f"{engine} failed:\n{err[-3000:]}")
    r = json.loads(out.read_text())
    r.update(wall_s=wall, peak_rss_mb=peak / 2**20, cpu_s=float(sum(cpu.values())))
    return r, root


def same_files(a: Path, b: Path) -> bool:
    """Every rollup file and the national aggregates equal (rows, order, schema), and _built.json but
    for the timings."""
    import pyarrow.parquet as pq
    from cchc import rollup, schema
    for name in rollup.ROLLUPS:
        fa, fb = schema.TABLES[name].path(a), schema.TABLES[name].path(b)
        la = sorted(p.relative_to(fa) for p in fa.rglob("*.parquet"))
        if la != sorted(p.relative_to(fb) for p in fb.rglob("*.parquet")):
            return False
        if any(not pq.read_table(fa / f).equals(pq.read_table(fb / f)) for f in la):
            return False
        ra, rb = (json.loads((f / rollup.BUILT).read_text()) for f in (fa, fb))
        if {k: v for k, v in ra.items() if k not in ("seconds", "engine")} != \
           {k: v for k, v in rb.items() if k not in ("seconds", "engine")}:
            return False
    na, nb = pq.read_table(a / "_national_daily.parquet"), pq.read_table(b / "_national_daily.parquet")
    return nb.cast(na.schema).equals(na)


def dataset(data: Path) -> dict:
    import pyarrow.parquet as pq
    files = sorted(data.glob("dossiers/*/*/*.parquet"))
    provinces = {f.parent.name.split("=", 1)[1] for f in files}
    return {"path": str(data), "dossiers": sum(pq.ParquetFile(f).metadata.num_rows for f in files),
            "files": len(files), "partition_provinces": len(provinces),
            "years": sorted({f.parent.parent.name.split("=", 1)[1] for f in files})}


def install_mb(engine: str) -> float:
    import site
    sp = Path(site.getsitepackages()[0])
    total = 0
    names = INSTALL[engine]
    for d in sp.iterdir():
        if any(d.name == n or d.name.startswith(n + "-") and d.suffix == ".so" or d.name.startswith(n + ".") for n in names):
            total += sum(f.stat().st_size for f in ([d] if d.is_file() else d.rglob("*")) if f.is_file())
    if engine == "duckdb":  # the extension module sits at the top of site-packages
        total += sum(f.stat().st_size for f in sp.glob("_duckdb*.so"))
    if engine == "spark" and JAVA.is_dir():
        total += sum(f.stat().st_size for f in JAVA.rglob("*") if f.is_file() and not f.is_symlink())
    return total / 2**20


def fmt(x: float, nd: int = 1) -> str:
    return f"{x:,.{nd}f}".replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def table(res: dict, ds: dict) -> str:
    m = ds["dossiers"] / 1e6
    lines = ["| engine | wall (s) | CPU, process tree (s) | start-up (s) | dossier_daily (s) | rating_daily (s) | "
             "national per day (s) | peak RSS, process tree (MB) | install (MB) | rollup s per M dossiers | "
             "CPU s per M dossiers | rollup s per province | same files |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for e, r in res.items():
        roll = r["dossier_daily_s"] + r["rating_daily_s"]
        lines.append(f"| {e} | {fmt(r['wall_s'])} | {fmt(r['cpu_s'])} | {fmt(r['startup_s'])} | {fmt(r['dossier_daily_s'])} | "
                     f"{fmt(r['rating_daily_s'])} | {fmt(r['national_s'])} | {fmt(r['peak_rss_mb'], 0)} | "
                     f"{fmt(r['install_mb'], 0)} | {fmt(roll / m, 2)} | {fmt(r['cpu_s'] / m, 2)} | "
                     f"{fmt(roll / max(r['provinces'], 1), 2)} | {r['same_files']} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, action="append", help="a dataset folder; repeat for several")
    ap.add_argument("--engines", default="duckdb,dask,spark")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-doc", action="store_true")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "data" / "engine_speed.json")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        a.child_out.write_text(json.dumps(child(a.child, a.root, a.workers)))
        return
    if not a.data:
        ap.error("--data DIR is required")
    engines = [e.strip() for e in a.engines.split(",") if e.strip()]
    outs = [measure(d.resolve(), engines, a.workers, a.repeat) for d in a.data]
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(outs, indent=1))
    if a.no_doc or not DOC.exists():
        return
    parts = []
    for out in outs:
        ds = out["dataset"]
        parts.append(f"**{Path(ds['path']).name}**: {fmt(ds['dossiers'] / 1e6, 2)} M dossiers in "
                     f"{ds['partition_provinces']} province partitions ({ds['years'][0]}–{ds['years'][-1]}); measured "
                     f"{out['when']}, {out['cpus']} cores shared with other work (load average "
                     f"{' '.join(out['load_before'])} before, {' '.join(out['load_after'])} after), --workers "
                     f"{out['workers']}, medians of {out['repeat']} runs, each a fresh process on a hard-linked copy.\n\n"
                     + table(out["results"], ds))
    block = (f"{START}\n(written by `bench/engine_speed.py "
             + " ".join(f"--data {Path(o['dataset']['path']).name}" for o in outs)
             + f" --repeat {a.repeat}`)\n\n" + "\n\n".join(parts) + f"\n{END}")
    doc = DOC.read_text(encoding="utf-8")
    if START in doc and END in doc:
        doc = doc[:doc.index(START)] + block + doc[doc.index(END) + len(END):]
    else:
        doc += "\n" + block + "\n"
    DOC.write_text(doc, encoding="utf-8")
    print(f"wrote {DOC}")


def measure(data: Path, engines: list[str], workers: int, repeat: int) -> dict:
    ds = dataset(data)
    load = open("/proc/loadavg").read().split()[:3]
    print(f"dataset {data}: {ds['dossiers']:,} dossiers, {ds['partition_provinces']} partition provinces; "
          f"load average {' '.join(load)}", flush=True)
    runs: dict[str, list[dict]] = {e: [] for e in engines}
    kept: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix="engine_speed-") as tmp:  # same file system: hard links
        scratch = Path(tmp)
        for i in range(repeat):  # engines interleaved: a change of the machine's load hits them all
            for e in engines:
                r, root = one_run(e, data, workers, scratch)
                runs[e].append(r)
                print(f"  run {i + 1} {e}: wall {r['wall_s']:.1f} s, peak {r['peak_rss_mb']:.0f} MB", flush=True)
                if e in kept:
                    shutil.rmtree(root)
                else:
                    kept[e] = root
        res = {}
        for e in engines:
            med = {k: statistics.median(r[k] for r in runs[e]) for k in runs[e][0] if isinstance(runs[e][0][k], float)}
            res[e] = {**med, "provinces": runs[e][0]["provinces"], "rows": runs[e][0]["rows"], "runs": len(runs[e]),
                      "install_mb": install_mb(e),
                      "same_files": same_files(kept["duckdb"], kept[e]) if "duckdb" in kept else None}
    out = {"dataset": ds, "workers": workers, "repeat": repeat, "load_before": load,
           "load_after": open("/proc/loadavg").read().split()[:3], "cpus": os.cpu_count(), "results": res,
           "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    print(table(res, ds), flush=True)
    return out


if __name__ == "__main__":
    main()
