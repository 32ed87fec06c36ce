"""Load test of the dashboard in steps of concurrent readers, with the server's memory and CPU.

    .venv/bin/python bench/load/run.py                                 # one process, steps 5,10,20,40,80
    .venv/bin/python bench/load/run.py --configs direct,cluster1,cluster2 --steps 5,10,20,40
    .venv/bin/python bench/load/run.py --target http://127.0.0.1:8501  # a server already running
    .venv/bin/python bench/load/run.py --report-only bench/load/results.json

For each configuration it starts the server(s) on the data folder, opens one session to warm it,
then for each step runs Locust headless (bench/load/locustfile.py: sessions that open a deep link,
change unit 2–3 times and leave) with that many users for --step-seconds, while sampling every
second the server's process tree (RSS, CPU time, threads), the machine's load average and busy
CPU, and Locust's own CPU. Configurations:

- ``direct``: one process, `bench/load/serve.py` (= `python -m cchc.ui.serve` plus counters:
  Streamlit sessions held, query cache hits and misses, script runs and their CPU time);
  ``direct_nogc``: the same with `--runner.postScriptGC false` (no gc.collect(2) after each run;
  .streamlit/config.toml sets it since commit 10ae6bd), ``direct_gc`` with Streamlit's default (true);
  ``direct_t1``: DuckDB limited to one thread (suffixes combine: ``direct_nogc_t1``);
- ``clusterN``: `python -m cchc.ui.cluster --processes N` (N processes behind HAProxy, sticky
  sessions), the whole tree measured (HAProxy included);
- ``--target URL``: a server started elsewhere; pass --pids to measure its processes.

During the heaviest step py-spy samples every app process (``record --nonblocking``), once over
all threads and once only the thread holding the GIL: the GIL's busy share and where the active
threads are (DuckDB, polars, Plotly, Streamlit, the app) go into the report.

Writes results.json (every figure) and docs/performance-load.md (the tables). "Sessions held" is
the largest step with p95 ≤ 2 s for both "open" and "change_unit" and no failure.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

P95_LIMIT_MS = 2000.0
PY = sys.executable


# --- helpers ------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=timeout) as r:
            return r.status == 200
    except OSError:
        return False


def wait_healthy(url: str, proc: subprocess.Popen | None, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not healthy(url):
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} not healthy after {seconds:.0f} s")
        time.sleep(0.3)


def default_data_dir() -> Path:
    """The tests' cached sample (the newest complete one), else data/."""
    cands = sorted((p for p in (ROOT / ".pytest_cache").glob("sample-*") if (p / "_sample.json").exists()),
                   key=lambda p: (p / "_sample.json").stat().st_mtime, reverse=True)
    return cands[0] if cands else ROOT / "data"


def loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def pct(values: list[float], q: float) -> float | None:
    """The q-quantile (0..1), linear interpolation; None for no values."""
    if not values:
        return None
    v = sorted(values)
    k = (len(v) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def tree(pid: int) -> list[psutil.Process]:
    try:
        p = psutil.Process(pid)
        return [p, *p.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def app_pids(root_pid: int) -> list[int]:
    """The Streamlit app processes in a tree (the root itself for `direct`)."""
    out = []
    for p in tree(root_pid):
        try:
            cmd = " ".join(p.cmdline())
        except psutil.Error:
            continue
        if "cchc.ui.serve" in cmd or "bench/load/serve.py" in cmd:
            out.append(p.pid)
    return out


def _busy(c) -> float:
    return c.user + c.nice + c.system + c.irq + c.softirq + c.steal


def _total(c) -> float:
    return _busy(c) + c.idle + c.iowait


class Sampler:
    """Every second: RSS and CPU of the server's process tree, Locust's CPU, machine load."""

    def __init__(self, pids: list[int], every: float = 1.0):
        self.pids, self.every = pids, every
        self.samples: list[dict] = []
        self.locust_pid: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _cpu_total(self, procs: list[psutil.Process]) -> dict[int, float]:
        out = {}
        for p in procs:
            try:
                t = p.cpu_times()
                out[p.pid] = t.user + t.system
            except psutil.Error:
                pass
        return out

    def _loop(self) -> None:
        prev_cpu: dict[int, float] = {}
        prev_t = time.monotonic()
        prev_machine = psutil.cpu_times()
        prev_locust = None
        while not self._stop.is_set():
            procs = [p for pid in self.pids for p in tree(pid)]
            rss, threads, apps = 0, 0, {}
            for p in procs:
                try:
                    mi = p.memory_info()
                    rss += mi.rss
                    threads += p.num_threads()
                    cmd = " ".join(p.cmdline())
                    if "cchc.ui.serve" in cmd or "bench/load/serve.py" in cmd:
                        apps[p.pid] = mi.rss
                except psutil.Error:
                    pass
            cpu = self._cpu_total(procs)
            now = time.monotonic()
            dt = now - prev_t
            used = sum(cpu[k] - prev_cpu.get(k, cpu[k]) for k in cpu)
            machine = psutil.cpu_times()
            mdt = _total(machine) - _total(prev_machine)
            machine_busy = 100 * (_busy(machine) - _busy(prev_machine)) / mdt * psutil.cpu_count() if mdt > 0 else 0
            locust_cpu = None
            if self.locust_pid:
                try:
                    lt = sum(p.cpu_times().user + p.cpu_times().system for p in tree(self.locust_pid))
                    if prev_locust is not None:
                        locust_cpu = 100 * (lt - prev_locust) / dt if dt > 0 else None
                    prev_locust = lt
                except psutil.Error:
                    pass
            if prev_cpu:
                self.samples.append({"t": time.time(), "rss_mb": rss / 2**20, "threads": threads,
                                     "cpu_pct": 100 * used / dt if dt > 0 else 0,
                                     "app_rss_mb": {str(k): v / 2**20 for k, v in apps.items()},
                                     "machine_busy_pct": machine_busy, "locust_cpu_pct": locust_cpu,
                                     "load1": loadavg()})
            prev_cpu, prev_t, prev_machine = cpu, now, machine
            self._stop.wait(self.every)

    def start(self) -> "Sampler":
        self._thread.start()
        return self

    def stop(self) -> list[dict]:
        self._stop.set()
        self._thread.join(5)
        return self.samples


# --- servers --------------------------------------------------------------------------------------
class Server:
    """A configuration under test: started here (direct, clusterN) or already running (target)."""

    def __init__(self, config: str, data_dir: Path, work: Path, target: str | None = None,
                 pids: list[int] | None = None):
        self.config, self.data_dir, self.work = config, data_dir, work
        self.url = target
        self.proc: subprocess.Popen | None = None
        self.pids = list(pids or [])
        self.stats_file = work / f"{config}-stats.jsonl"

    def start(self) -> "Server":
        if self.config == "target":
            return self
        port = free_port()
        env = {**os.environ, "CCHC_DATA_DIR": str(self.data_dir), "CCHC_PUBLIC_READ": "1",
               "PYTHONDONTWRITEBYTECODE": "1"}
        log = open(self.work / f"{self.config}-server.log", "wb")
        base, *flags = self.config.split("_")
        extra = (["--runner.postScriptGC", "false"] if "nogc" in flags
                 else ["--runner.postScriptGC", "true"] if "gc" in flags else [])
        threads = next((f[1:] for f in flags if f.startswith("t") and f[1:].isdigit()), None)
        if base == "direct":
            env["CCHC_LOAD_STATS"] = str(self.stats_file)
            if threads:
                env["CCHC_LOAD_DUCKDB_THREADS"] = threads
            cmd = [PY, str(HERE / "serve.py"), "--server.port", str(port), "--server.headless", "true",
                   "--server.address", "127.0.0.1", "--server.fileWatcherType", "none", *extra]
        elif base.startswith("cluster") and not threads:
            n = int(base[len("cluster"):] or 2)
            cmd = [PY, "-m", "cchc.ui.cluster", "--processes", str(n), "--port", str(port),
                   "--data-dir", str(self.data_dir), "--run-dir", str(self.work / f"{self.config}-run"), *extra]
        else:
            raise SystemExit(f"unknown configuration {self.config}")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        self.url = f"http://127.0.0.1:{port}"
        wait_healthy(self.url, self.proc, 180)
        if self.config.startswith("cluster"):  # every app process up (the cluster waits for them)
            time.sleep(1)
        self.pids = [self.proc.pid]
        return self

    def app_pids(self) -> list[int]:
        return [p for root in self.pids for p in app_pids(root)]

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                for p in reversed(tree(self.proc.pid)):
                    try:
                        p.kill()
                    except psutil.Error:
                        pass
                self.proc.wait(5)
        self.proc = None

    def counters(self) -> list[dict]:
        if not self.stats_file.exists():
            return []
        return [json.loads(x) for x in self.stats_file.read_text().splitlines() if x.strip()]


def warm(url: str) -> float:
    """One session (open + change unit) before measuring: the first run's imports and caches."""
    from stclient import Session
    with Session(url) as s:
        t = s.open("/tong-quan?unit=10633&from=2025-07-01&to=2025-12-31").seconds
        s.rerun("unit=10621&from=2022-12-10&to=2023-12-09")
    return t


# --- py-spy ---------------------------------------------------------------------------------------
def classify(stack: str) -> str:
    """Where a py-spy sample is, by its innermost Python frame (DuckDB's C++ code shows as the
    Python line that called it: cchc/db.py or duckdb's own module)."""
    leaf = stack.rsplit(";", 1)[-1]
    if "_on_script_finished" in leaf:
        return "gc.collect after run"  # streamlit runner.postScriptGC: gc.collect(2) after every run
    if "cchc/db.py" in leaf or "duckdb/" in leaf:
        return "duckdb"
    for key, name in (("polars/", "polars"), ("plotly", "plotly"), ("pyarrow", "pyarrow"),
                      ("google/protobuf", "protobuf"), ("streamlit/", "streamlit"), ("asyncio/", "event loop"),
                      ("selectors.py", "event loop"), ("uvicorn", "event loop"), ("starlette", "event loop"),
                      ("cchc/", "cchc"), ("pages/", "cchc"), ("app.py", "cchc")):
        if key in leaf:
            return name
    return "other"


def spy(pids: list[int], seconds: int, work: Path, tag: str, rate: int = 50) -> dict:
    """py-spy record on each app process: all active threads, then the GIL holder only."""
    exe = shutil.which("py-spy") or str(Path(PY).parent / "py-spy")
    out: dict = {"seconds": seconds, "rate": rate, "processes": {}}
    for mode in ("active", "gil"):
        out.setdefault("windows", {})[mode] = [time.time(), None]
        procs = []
        for pid in pids:
            f = work / f"spy-{tag}-{pid}-{mode}.txt"
            cmd = [exe, "record", "--pid", str(pid), "--duration", str(seconds), "--rate", str(rate),
                   "--format", "raw", "--output", str(f), "--nonblocking"] + (["--gil"] if mode == "gil" else [])
            procs.append((pid, f, subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)))
        for pid, f, p in procs:
            p.wait(seconds + 30)
            out["windows"][mode][1] = time.time()
            counts: Counter = Counter()
            total = 0
            if f.exists():
                for line in f.read_text(errors="replace").splitlines():
                    stack, _, n = line.rpartition(" ")
                    if not n.isdigit():
                        continue
                    total += int(n)
                    counts[classify(stack)] += int(n)
            ticks = seconds * rate
            entry = out["processes"].setdefault(str(pid), {})
            entry[mode] = {"samples": total, "ticks": ticks, "per_tick": round(total / ticks, 3) if ticks else None,
                           "where": {k: round(v / total, 3) for k, v in counts.most_common()} if total else {}}
    return out


# --- one step -----------------------------------------------------------------------------------------
def run_step(server: Server, users: int, seconds: int, work: Path, think: str, spy_seconds: int = 0) -> dict:
    tag = f"{server.config}-{users}"
    samples_file = work / f"samples-{tag}.jsonl"
    samples_file.unlink(missing_ok=True)
    units = work / "units.json"
    env = {**os.environ, "LOAD_UNITS": str(units), "LOAD_SAMPLES": str(samples_file), "LOAD_THINK": think,
           "PYTHONDONTWRITEBYTECODE": "1"}
    spawn = max(1.0, users / 10)  # every user started within ~10 s
    cmd = [str(Path(PY).parent / "locust"), "-f", str(HERE / "locustfile.py"), "--host", server.url,
           "--headless", "--users", str(users), "--spawn-rate", f"{spawn:g}", "--run-time", f"{seconds}s",
           "--stop-timeout", "35", "--csv", str(work / f"locust-{tag}"), "--only-summary", "--loglevel", "WARNING"]
    sampler = Sampler(server.pids).start()
    counters0 = server.counters()[-1:] or [{}]
    t0, load0 = time.time(), loadavg()
    lp = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=open(work / f"locust-{tag}.log", "wb"),
                          stderr=subprocess.STDOUT)
    sampler.locust_pid = lp.pid
    spied = None
    if spy_seconds:
        time.sleep(min(seconds / 2, 20))
        spied = spy(server.app_pids(), spy_seconds, work, tag)
    lp.wait(seconds + 120)
    t1 = time.time()
    samples = sampler.stop()
    counters1 = server.counters()[-1:] or [{}]
    rows = [json.loads(x) for x in samples_file.read_text().splitlines() if x.strip()] if samples_file.exists() else []
    res = summarise(users, seconds, rows, samples, t0, t1)
    res["load1_start"], res["load1_end"] = load0, loadavg()
    c0, c1 = counters0[0], counters1[0]
    if c1:
        hits, misses = c1.get("hits", 0) - c0.get("hits", 0), c1.get("misses", 0) - c0.get("misses", 0)
        runs = c1.get("runs", 0) - c0.get("runs", 0)
        during = [c for c in server.counters() if t0 <= c["t"] <= t1]
        res["server"] = {
            "cache_hits": hits, "cache_misses": misses,
            "cache_hit_rate": round(hits / (hits + misses), 3) if hits + misses else None,
            "cache_entries": c1.get("cache_entries"),
            "script_runs": runs,
            "run_cpu_ms": round(1000 * (c1.get("run_cpu", 0) - c0.get("run_cpu", 0)) / runs, 1) if runs else None,
            "run_wall_ms": round(1000 * (c1.get("run_wall", 0) - c0.get("run_wall", 0)) / runs, 1) if runs else None,
            "gc2": c1.get("gc2", 0) - c0.get("gc2", 0),
            "gc2_ms_mean": round(1000 * (c1.get("gc2_wall", 0) - c0.get("gc2_wall", 0))
                                 / max(1, c1.get("gc2", 0) - c0.get("gc2", 0)), 1),
            "gc2_cpu_ms_mean": round(1000 * (c1.get("gc2_cpu", 0) - c0.get("gc2_cpu", 0))
                                     / max(1, c1.get("gc2", 0) - c0.get("gc2", 0)), 1),
            "gc2_share_of_step": round((c1.get("gc2_wall", 0) - c0.get("gc2_wall", 0)) / max(1e-9, t1 - t0), 3),
            "sessions_max": max((c.get("sessions", 0) for c in during), default=None),
            "active_max": max((c.get("active", 0) for c in during), default=None),
            "threads_max": max((c.get("threads", 0) for c in during), default=None),
        }
    if spied:
        res["py_spy"] = spied
        gil_per_request(spied, rows)
    return res


def gil_per_request(spied: dict, rows: list[dict]) -> None:
    """The GIL time a request costs: the GIL's busy share in the "gil" window × its length ÷ the
    requests finished in it (py-spy samples the GIL holder at a fixed rate, whatever the load)."""
    w0, w1 = spied["windows"]["gil"]
    n = sum(1 for r in rows if w0 <= r["t"] + r["ms"] / 1000 <= w1 and r["ok"])
    spied["requests_in_gil_window"] = n
    busy = sum(v.get("gil", {}).get("per_tick") or 0 for v in spied["processes"].values())
    spied["gil_ms_per_request"] = round(1000 * busy * spied["seconds"] / n, 1) if n else None


def summarise(users: int, seconds: int, rows: list[dict], samples: list[dict], t0: float, t1: float) -> dict:
    out: dict = {"users": users, "seconds": round(t1 - t0, 1)}
    minutes = (t1 - t0) / 60
    for kind in ("open", "change_unit"):
        ok = [r["ms"] for r in rows if r["kind"] == kind and r["ok"]]
        fails = [r for r in rows if r["kind"] == kind and not r["ok"]]
        first = [r["first_delta_ms"] for r in rows if r["kind"] == kind and r["ok"] and r.get("first_delta_ms")]
        out[kind] = {"n": len(ok) + len(fails), "failures": len(fails),
                     "p50": pct(ok, .5), "p95": pct(ok, .95), "p99": pct(ok, .99), "max": max(ok, default=None),
                     "first_delta_p50": pct(first, .5),
                     "kb_p50": (pct([r["bytes"] for r in rows if r["kind"] == kind and r["ok"]], .5) or 0) / 1024,
                     "errors": Counter((r.get("error") or "")[:120] for r in fails).most_common(5)}
    out["sessions_per_min"] = round(out["open"]["n"] / minutes, 1) if minutes else None
    out["requests_per_s"] = round((out["open"]["n"] + out["change_unit"]["n"]) / (t1 - t0), 2)
    steady = samples[len(samples) // 3:] or samples  # after the ramp
    if samples:
        out["rss_mb_max"] = round(max(s["rss_mb"] for s in samples), 1)
        out["rss_mb_end"] = round(samples[-1]["rss_mb"], 1)
        out["cpu_pct_mean"] = round(statistics.mean(s["cpu_pct"] for s in steady), 1)
        cpu_s = sum(x["cpu_pct"] for x in samples) / 100 * (t1 - t0) / len(samples)
        n_req = out["open"]["n"] + out["change_unit"]["n"]
        out["cpu_ms_per_request"] = round(1000 * cpu_s / n_req, 1) if n_req else None
        out["cpu_pct_p90"] = round(pct([s["cpu_pct"] for s in steady], .9), 1)
        out["machine_busy_pct_mean"] = round(statistics.mean(s["machine_busy_pct"] for s in steady), 1)
        lc = [s["locust_cpu_pct"] for s in steady if s.get("locust_cpu_pct") is not None]
        out["locust_cpu_pct_mean"] = round(statistics.mean(lc), 1) if lc else None
        out["load1_mean"] = round(statistics.mean(s["load1"] for s in steady), 2)
        out["threads_max"] = max(s["threads"] for s in samples)
        apps = samples[-1]["app_rss_mb"]
        out["app_rss_mb_end"] = {k: round(v, 1) for k, v in apps.items()}
    ok_all = all(out[k]["failures"] == 0 and out[k]["p95"] is not None and out[k]["p95"] <= P95_LIMIT_MS
                 for k in ("open", "change_unit"))
    out["held"] = ok_all
    return out


# --- report -------------------------------------------------------------------------------------------
def fmt_ms(v) -> str:
    return "–" if v is None else f"{v:,.0f}".replace(",", " ")


def report(results: dict) -> str:
    lines = ["# Load test: concurrent readers on the running server", "",
             "Written by `bench/load/run.py` (how it works: its docstring and bench/load/README.md); "
             "raw figures in `bench/load/results-run*.json`. Times are from sending the rerun (a deep link: "
             "from the page's GET) to Streamlit's `script_finished`, measured by the client; p50/p95/p99 "
             "in ms over every step of every session in the step.", "",
             f"Run: {results['started']}, data `{results['data']}` ({results.get('dossiers', '?')} dossiers), "
             f"{results['step_seconds']} s a step, think time {results['think']} s, "
             f"machine {results['cpus']} CPU cores shared with other work (load average quoted per step).", ""]
    for cfg, c in results["configs"].items():
        lines += [f"## {cfg}: {c.get('description', '')}", "",
                  f"Baseline after warm-up: RSS {c.get('rss_baseline_mb', 0):.0f} MB "
                  f"(app processes {c.get('app_rss_baseline_mb')}); first open {c.get('warm_s', 0):.2f} s. "
                  f"**Sessions held at p95 ≤ 2 s: {c.get('held_users', 0)} users.**", "",
                  "| users | sessions/min | req/s | open p50 / p95 / p99 ms | change_unit p50 / p95 / p99 ms "
                  "| failures | RSS MB (max) | RSS/user MB | server CPU % | CPU ms/request | machine busy % | locust CPU % | load1 |",
                  "|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        base = c.get("rss_baseline_mb", 0)
        for s in c["steps"]:
            o, ch = s["open"], s["change_unit"]
            per = (s.get("rss_mb_max", 0) - base) / s["users"] if s.get("rss_mb_max") else None
            lines.append(
                f"| {s['users']} | {s.get('sessions_per_min')} | {s.get('requests_per_s')} | "
                f"{fmt_ms(o['p50'])} / {fmt_ms(o['p95'])} / {fmt_ms(o['p99'])} | "
                f"{fmt_ms(ch['p50'])} / {fmt_ms(ch['p95'])} / {fmt_ms(ch['p99'])} | "
                f"{o['failures'] + ch['failures']} | {s.get('rss_mb_max')} | "
                f"{'–' if per is None else f'{per:.1f}'} | {s.get('cpu_pct_mean')} | {s.get('cpu_ms_per_request')} | "
                f"{s.get('machine_busy_pct_mean')} | {s.get('locust_cpu_pct_mean')} | {s.get('load1_mean')} |")
        srv = [s for s in c["steps"] if s.get("server")]
        if srv:
            lines += ["", "Inside the server (bench/load/serve.py counters):", "",
                      "| users | sessions held (max, incl. disconnected) | script runs | run wall ms (mean) | "
                      "run CPU ms (mean) | query cache hits / misses (hit rate) | cache entries | "
                      "full GCs: n, mean wall / CPU ms, share of the step's time |",
                      "|---:|---:|---:|---:|---:|---|---:|---|"]
            for s in srv:
                v = s["server"]
                lines.append(f"| {s['users']} | {v['sessions_max']} | {v['script_runs']} | {v['run_wall_ms']} | "
                             f"{v['run_cpu_ms']} | {v['cache_hits']} / {v['cache_misses']} ({v['cache_hit_rate']}) | "
                             f"{v['cache_entries']} | "
                             + (f"{v['gc2']}, {v['gc2_ms_mean']} / {v['gc2_cpu_ms_mean']}, {100 * v['gc2_share_of_step']:.0f} % |"
                                if "gc2" in v else "– |"))
        for s in c["steps"]:
            if s.get("py_spy"):
                lines += ["", f"py-spy during the {s['users']}-user step ({s['py_spy']['seconds']} s at "
                              f"{s['py_spy']['rate']} Hz per process; GIL time per request finished in the "
                              f"window: {s['py_spy'].get('gil_ms_per_request')} ms over "
                              f"{s['py_spy'].get('requests_in_gil_window')} requests):", ""]
                for pid, v in s["py_spy"]["processes"].items():
                    a, g = v.get("active", {}), v.get("gil", {})
                    lines.append(f"- process {pid}: active Python threads per tick {a.get('per_tick')} "
                                 f"(where: {a.get('where')}); GIL held {100 * (g.get('per_tick') or 0):.0f} % "
                                 f"of the time (by: {g.get('where')})")
        errs = [(s["users"], k, e) for s in c["steps"] for k in ("open", "change_unit") for e in s[k]["errors"]]
        if errs:
            lines += ["", "Failures seen:", ""] + [f"- {u} users, {k}: {e[0]!r} × {e[1]}" for u, k, e in errs]
        lines.append("")
    if len(results["configs"]) > 1:
        lines += ["## Side by side", "", "| users | " + " | ".join(
            f"{cfg} open p95 / change p95 ms / fails / CPU %" for cfg in results["configs"]) + " |",
            "|---:|" + "---|" * len(results["configs"])]
        all_users = sorted({s["users"] for c in results["configs"].values() for s in c["steps"]})
        for u in all_users:
            cells = []
            for c in results["configs"].values():
                s = next((x for x in c["steps"] if x["users"] == u), None)
                cells.append("–" if s is None else
                             f"{fmt_ms(s['open']['p95'])} / {fmt_ms(s['change_unit']['p95'])} / "
                             f"{s['open']['failures'] + s['change_unit']['failures']} / {s.get('cpu_pct_mean')}")
            lines.append(f"| {u} | " + " | ".join(cells) + " |")
        lines += ["", "Sessions held at p95 ≤ 2 s: " + ", ".join(
            f"{cfg} {c.get('held_users', 0)}" for cfg, c in results["configs"].items()) + ".", ""]
    if results.get("notes"):
        lines += ["## Findings", "", results["notes"], ""]
    return "\n".join(lines)


DESCRIPTIONS = {
    "direct": "one Streamlit process (bench/load/serve.py = python -m cchc.ui.serve + counters, with "
              ".streamlit/config.toml's settings), no proxy",
    "direct_gc": "as direct, with Streamlit's default gc.collect(2) after every script run "
                 "(--runner.postScriptGC true)",
    "direct_nogc": "as direct, with Streamlit's gc.collect(2) after every script run turned off "
                   "(--runner.postScriptGC false)",
    "direct_t1": "as direct, DuckDB limited to 1 thread (cchc.db.Database(threads=1))",
    "direct_nogc_t1": "as direct_nogc, DuckDB limited to 1 thread (cchc.db.Database(threads=1))",
    "cluster2_nogc": "as cluster2, each process with --runner.postScriptGC false",
    "cluster1": "python -m cchc.ui.cluster --processes 1: one process behind HAProxy",
    "cluster2": "python -m cchc.ui.cluster --processes 2: two processes behind HAProxy (sticky sessions)",
    "target": "a server started outside the run",
}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--configs", default="direct",
                    help="comma-separated: direct or clusterN, each optionally with _gc / _nogc (runner.postScriptGC "
                         "on / off) and, for direct, _tK (DuckDB threads K): direct,direct_gc,cluster1,cluster2")
    ap.add_argument("--target", help="URL of a running server (instead of --configs)")
    ap.add_argument("--pids", default="", help="with --target: PIDs of its processes to measure")
    ap.add_argument("--steps", default="5,10,20,40,80")
    ap.add_argument("--step-seconds", type=int, default=75)
    ap.add_argument("--think", default="2,6", help="min,max seconds between a session's steps")
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--spy-seconds", type=int, default=15, help="py-spy during the heaviest step (0: none)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/cchc-load"))
    ap.add_argument("--out", type=Path, default=HERE / "results.json")  # the runs kept: results-run*.json
    ap.add_argument("--doc", type=Path, default=ROOT / "docs" / "performance-load.md")
    ap.add_argument("--notes", type=Path, help="a markdown file of findings appended to the page")
    ap.add_argument("--report-only", type=Path, nargs="+",
                    help="rewrite the page from results.json files (the findings of --notes first, then each run)")
    args = ap.parse_args(argv)
    if args.report_only:
        parts = ["# Load test: concurrent readers on the running server", ""]
        if args.notes:
            parts += [args.notes.read_text(encoding="utf-8").strip(), ""]
        for i, f in enumerate(args.report_only, 1):
            body = report(json.loads(f.read_text(encoding="utf-8"))).split("\n", 2)[2]
            parts += [f"# Run {i} (`{f.relative_to(ROOT) if f.is_absolute() and ROOT in f.parents else f}`)", "",
                      body.replace("\n## ", "\n### ")]
        args.doc.write_text("\n".join(parts), encoding="utf-8")
        print(args.doc)
        return
    from mix import units_of

    data = (args.data_dir or default_data_dir()).resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    (args.work / "units.json").write_text(json.dumps(units_of(str(data))), encoding="utf-8")
    meta = {}
    if (data / "_sample.json").exists():
        meta = json.loads((data / "_sample.json").read_text(encoding="utf-8"))
    steps = [int(x) for x in args.steps.split(",")]
    configs = ["target"] if args.target else args.configs.split(",")
    results = {"started": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "data": str(data),
               "dossiers": meta.get("counts", {}).get("dossiers"), "step_seconds": args.step_seconds,
               "think": args.think, "cpus": psutil.cpu_count(), "steps": steps, "configs": {}}
    # Every configuration is started first and the steps interleaved (5 users on each, then 10 on
    # each...), so that a change in the machine's other load falls on all of them alike.
    servers: dict[str, Server] = {}
    try:
        for cfg in configs:
            server = Server(cfg, data, args.work, args.target, [int(p) for p in args.pids.split(",") if p])
            server.stats_file.unlink(missing_ok=True)
            print(f"[{cfg}] starting", flush=True)
            servers[cfg] = server.start()
            c = {"description": DESCRIPTIONS.get(cfg, cfg), "url": server.url, "steps": []}
            c["warm_s"] = round(warm(server.url), 3)
            time.sleep(3)
            base = Sampler(server.pids).start()
            time.sleep(4)
            bs = base.stop()
            c["rss_baseline_mb"] = round(bs[-1]["rss_mb"], 1) if bs else None
            c["app_rss_baseline_mb"] = {k: round(v, 1) for k, v in (bs[-1]["app_rss_mb"] if bs else {}).items()}
            c["app_processes"] = len(server.app_pids())
            results["configs"][cfg] = c
        for users in steps:
            for cfg, server in servers.items():
                c = results["configs"][cfg]
                spy_s = args.spy_seconds if users == steps[-1] and server.app_pids() else 0
                print(f"[{cfg}] {users} users for {args.step_seconds} s (load {loadavg():.2f})", flush=True)
                s = run_step(server, users, args.step_seconds, args.work, args.think, spy_s)
                c["steps"].append(s)
                print(f"[{cfg}] {users}: open p95 {fmt_ms(s['open']['p95'])} ms, change p95 "
                      f"{fmt_ms(s['change_unit']['p95'])} ms, failures {s['open']['failures'] + s['change_unit']['failures']}, "
                      f"RSS {s.get('rss_mb_max')} MB, CPU {s.get('cpu_pct_mean')} %, load {s.get('load1_mean')}", flush=True)
                held = [x["users"] for x in c["steps"] if x["held"]]
                c["held_users"] = max(held) if held else 0
                args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
                time.sleep(5)
    finally:
        for server in servers.values():
            server.stop()
    if args.notes:
        results["notes"] = args.notes.read_text(encoding="utf-8").strip()
    args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    args.doc.write_text(report(results), encoding="utf-8")
    print(args.doc)


if __name__ == "__main__":
    main()
