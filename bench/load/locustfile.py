"""Locust users that use the dashboard as its readers do: open a deep link, change unit, leave.

    locust -f bench/load/locustfile.py --host http://127.0.0.1:8501 --headless -u 20 -r 2 -t 90s

(bench/load/run.py runs it in steps and writes the report.) Each simulated user repeats sessions:

1. open a deep link (`/<page>?unit=<key>&from=<d>&to=<d>`) in a new tab: the page's HTML, then the
   websocket and the first script run (bench/load/stclient.py), reported as request type "open";
2. 2–3 times, after a think time, follow a link to another unit (and its period) on the same tab:
   a rerun with the new query string, reported as "change_unit";
3. close the tab (the websocket), think, and start a new session.

A step that fails (no script_finished within 30 s, the websocket closed, an exception element or an
st.error on the page, a page not found) is a Locust failure and ends the session. The response time
is the time to script_finished; the "length" is the bytes the server sent for the run.

What is opened (the mix: bench/load/mix.py): units drawn from the data's own units table (LOAD_UNITS, a JSON file
written by run.py, else read from CCHC_DATA_DIR): communes of the new map (the chair of a commune
before a meeting), communes of the old map over their history, provinces, old districts; each with a
period of its map; the overview page mostly, the dossier and Biểu 06 pages sometimes.

Environment: LOAD_UNITS (JSON: {"new_commune": [...], "old_commune": [...], "province": [...],
"district": [...]}), LOAD_THINK ("min,max" seconds between steps, default "2,6"), LOAD_SAMPLES (a
JSONL file: one line per step with exact times, for percentiles finer than Locust's buckets),
LOAD_TIMEOUT (seconds, default 30).
"""
from __future__ import annotations

import json
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from locust import User, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))
from mix import PAGE_MIX, PERIODS, UNIT_MIX, units_of  # noqa: E402
from stclient import ProtocolError, Session  # noqa: E402

THINK = tuple(float(x) for x in os.environ.get("LOAD_THINK", "2,6").split(","))
TIMEOUT = float(os.environ.get("LOAD_TIMEOUT", "30"))
_samples = None


def load_units() -> dict[str, list[list[str]]]:
    """{kind: [[key, map], ...]} from LOAD_UNITS, else from the data folder (bench/load/mix.py)."""
    path = os.environ.get("LOAD_UNITS")
    if path:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    return units_of(os.environ.get("CCHC_DATA_DIR"))


UNITS = load_units()


def pick(rng: random.Random) -> tuple[str, str]:
    """A unit key and its link's query string (unit, from, to)."""
    kinds = [k for k in UNIT_MIX if UNITS.get(k)]
    kind = rng.choices(kinds, weights=[UNIT_MIX[k] for k in kinds])[0]
    key, umap = rng.choice(UNITS[kind])
    start, end = rng.choice(PERIODS[umap])
    return key, urlencode({"unit": key, "from": start, "to": end})


@events.init.add_listener
def _open_samples(environment, **_kw):
    global _samples
    path = os.environ.get("LOAD_SAMPLES")
    if path:
        _samples = open(path, "a", encoding="utf-8", buffering=1)


class Reader(User):
    """One reader's browser tab after another."""
    wait_time = between(*THINK)  # between two sessions

    def on_start(self):
        self.rng = random.Random()

    def _step(self, kind: str, page: str, fn) -> bool:
        t0 = time.time()
        start = time.perf_counter()
        exc, res = None, None
        try:
            res = fn()
            if res.errors:
                exc = ProtocolError("; ".join(res.errors[:3]))
        except (ProtocolError, OSError, Exception) as e:  # noqa: BLE001 - every failure is counted
            exc = e
        ms = (res.seconds if res is not None else time.perf_counter() - start) * 1000
        self.environment.events.request.fire(
            request_type=kind, name=kind, response_time=ms,
            response_length=res.bytes if res is not None else 0, exception=exc, context={"page": page})
        if _samples is not None:
            _samples.write(json.dumps({
                "t": t0, "kind": kind, "page": page, "ms": round(ms, 2), "ok": exc is None,
                "first_delta_ms": round(res.first_delta * 1000, 2) if res and res.first_delta else None,
                "bytes": res.bytes if res else 0, "deltas": res.deltas if res else 0,
                "refs": res.refs if res else 0, "error": str(exc)[:300] if exc else None}) + "\n")
        return exc is None

    @task
    def session(self):
        page = self.rng.choices(list(PAGE_MIX), weights=list(PAGE_MIX.values()))[0]
        _, query = pick(self.rng)
        s = Session(self.host, timeout=TIMEOUT, keep_texts=False)
        try:
            if not self._step("open", page, lambda: s.open(f"/{page}?{query}")):
                return
            for _ in range(self.rng.randint(2, 3)):
                time.sleep(self.rng.uniform(*THINK))  # gevent's sleep under Locust's monkey patching
                _, query = pick(self.rng)
                if not self._step("change_unit", page, lambda q=query: s.rerun(q)):
                    return
        finally:
            s.close()
