"""The dashboard's server for the load test: `python -m cchc.ui.serve` plus counters written to a file.

    CCHC_LOAD_STATS=/tmp/stats.jsonl python bench/load/serve.py [streamlit options]

Starts app.py exactly as `python -m cchc.ui.serve` does (cchc.ui.serve.prepare: the pages fix,
Streamlit's strings in Vietnamese, the warm-up), and every second appends one JSON line to
CCHC_LOAD_STATS with what the server holds and did, read in the process itself:

- sessions: Streamlit's sessions (connected and disconnected ones kept for a reconnection,
  server.disconnectedSessionTTL) and the active ones (with a websocket);
- the process-wide query cache (cchc.ui.state.QueryCache): lookups answered from it (hits), computed
  (misses), entries kept;
- script runs finished, and the CPU time their threads spent (time.thread_time: what the runs cost
  in Python and in DuckDB's calls made from the script thread; DuckDB's own worker threads are not in it);
- full garbage collections (generation 2): how many, their wall and CPU time, the longest (the GIL
  is held throughout one).

With CCHC_BENCH_LOG set, every script run is also written down (bench/timed_serve.py). With
CCHC_LOAD_DUCKDB_THREADS=K the database is opened with DuckDB limited to K threads.
Nothing here changes what a session sees: the counters wrap the cache's get and listen to
Streamlit's ScriptRunner events.
"""
from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

_counts = {"hits": 0, "misses": 0, "runs": 0, "run_cpu": 0.0, "run_wall": 0.0,
           "gc2": 0, "gc2_wall": 0.0, "gc2_cpu": 0.0, "gc2_max": 0.0}
_lock = threading.Lock()


def _count_cache() -> None:
    from cchc.ui import state

    cache = state._queries
    original = cache.get

    def get(key, compute):
        missed = []

        def counted():
            missed.append(1)
            return compute()

        df = original(key, counted)
        with _lock:
            _counts["misses" if missed else "hits"] += 1
        return df

    cache.get = get  # the instance only: QueryCache itself is left alone


def _count_runs() -> None:
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner, ScriptRunnerEvent

    original_init = ScriptRunner.__init__

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        run: dict = {}

        def on_event(_sender, event, **_kw):
            if event == ScriptRunnerEvent.SCRIPT_STARTED:
                run.update(cpu0=time.thread_time(), t0=time.perf_counter())
            elif event.name.startswith("SCRIPT_STOPPED") and run:
                with _lock:
                    _counts["runs"] += 1
                    _counts["run_cpu"] += time.thread_time() - run["cpu0"]
                    _counts["run_wall"] += time.perf_counter() - run["t0"]
                run.clear()

        self._load_on_event = on_event  # the signal keeps weak references: keep it alive
        self.on_event.connect(on_event)

    ScriptRunner.__init__ = __init__


def _duckdb_threads(n: int) -> None:
    """Open the app's database with DuckDB limited to n threads (CCHC_LOAD_DUCKDB_THREADS): the
    Database class's default argument, as cchc.ui.state._database calls it without one."""
    from cchc import db

    original = db.Database.__init__

    def __init__(self, root=None, threads=None, use_rollup=True):
        original(self, root, threads or n, use_rollup)

    db.Database.__init__ = __init__


def _time_full_gc() -> None:
    """Count the full (generation 2) collections and their time: Python holds the GIL for the whole
    collection, so its wall time is time no other thread of the process runs Python (Streamlit's
    runner.postScriptGC makes one after every script run)."""
    import gc

    started: dict = {}

    def cb(phase, info):
        if info.get("generation") != 2:
            return
        if phase == "start":
            started["t"], started["c"] = time.perf_counter(), time.thread_time()
        elif "t" in started:
            wall, cpu = time.perf_counter() - started.pop("t"), time.thread_time() - started.pop("c")
            _counts["gc2"] += 1  # under the GIL: no lock needed (and taking one here could deadlock)
            _counts["gc2_wall"] += wall
            _counts["gc2_cpu"] += cpu
            _counts["gc2_max"] = max(_counts["gc2_max"], wall)

    gc.callbacks.append(cb)


def _write_stats(path: str, every: float = 1.0) -> None:
    from streamlit import runtime
    from cchc.ui import state

    def loop() -> None:
        while True:
            time.sleep(every)
            line = {"t": time.time()}
            if runtime.exists():
                mgr = runtime.get_instance()._session_mgr
                line.update(sessions=mgr.num_sessions(), active=mgr.num_active_sessions())
            with _lock:
                line.update(_counts)
            line.update(cache_entries=len(state._queries._kept), threads=threading.active_count())
            with open(path, "a", encoding="utf-8") as f:
                f.write(json.dumps(line) + "\n")

    threading.Thread(target=loop, name="load-stats", daemon=True).start()


def main(argv: list[str]) -> None:
    from streamlit.web import cli

    from cchc.ui import serve

    stats = os.environ.get("CCHC_LOAD_STATS")
    if os.environ.get("CCHC_BENCH_LOG"):
        from bench import timed_serve
        timed_serve._install(os.environ["CCHC_BENCH_LOG"])
    if os.environ.get("CCHC_LOAD_DUCKDB_THREADS"):
        _duckdb_threads(int(os.environ["CCHC_LOAD_DUCKDB_THREADS"]))
    serve.prepare()
    if stats:
        _count_cache()
        _count_runs()
        _time_full_gc()
        _write_stats(stats)
    sys.argv = ["streamlit", "run", str(serve.APP), "--browser.gatherUsageStats", "false", *argv]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
