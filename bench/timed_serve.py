"""A Streamlit server for the benchmark that writes down what each script run costs on the server.

    CCHC_BENCH_LOG=/tmp/runs.jsonl python bench/timed_serve.py APP.py [streamlit options]

Starts APP.py; the dashboard (app.py) exactly as `python -m cchc.ui.serve` does (cchc.ui.serve.prepare:
the pages fix and Streamlit's strings in Vietnamese), any other app as plain `streamlit run`. It listens to
Streamlit's own ScriptRunner events: for every script run
one JSON line is appended to CCHC_BENCH_LOG with the session, the wall-clock start and end
(time.time(), comparable with the browser's performance.timeOrigin on the same machine), the CPU
time of the script thread (time.thread_time(): what the run costs, whatever the machine's load), how
the run ended, and the messages it queued for the browser (count, serialized bytes, bytes of Plotly
figures). bench/app_speed.py --cold reads it to split a page load into server and browser time.
"""
from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_lock = threading.Lock()


def _install(log_path: str) -> None:
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner, ScriptRunnerEvent

    original_init = ScriptRunner.__init__

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        run: dict = {}

        def on_event(_sender, event, forward_msg=None, **_kw):
            now = time.time()
            if event == ScriptRunnerEvent.SCRIPT_STARTED:
                run.clear()
                run.update(session=self._session_id, start=now, cpu0=time.thread_time(), msgs=0, bytes=0,
                           plotly_bytes=0, plotly=0)
            elif event == ScriptRunnerEvent.ENQUEUE_FORWARD_MSG and forward_msg is not None and run:
                size = forward_msg.ByteSize()
                run["msgs"] += 1
                run["bytes"] += size
                if forward_msg.WhichOneof("type") == "delta" and \
                        forward_msg.delta.new_element.WhichOneof("type") == "plotly_chart":
                    run["plotly"] += 1
                    run["plotly_bytes"] += size
                run.setdefault("first_msg", now)
            elif event.name.startswith(("SCRIPT_STOPPED", "FRAGMENT_STOPPED")) and run:
                line = {**run, "end": now, "cpu": time.thread_time() - run["cpu0"], "event": event.name}
                with _lock, open(log_path, "a", encoding="utf-8") as f:
                    f.write(json.dumps(line) + "\n")
                run.clear()

        self._bench_on_event = on_event  # blinker keeps weak references: keep it alive
        self.on_event.connect(on_event)

    ScriptRunner.__init__ = __init__


def main(argv: list[str]) -> None:
    from streamlit.web import cli

    from cchc.ui import serve

    log_path = os.environ.get("CCHC_BENCH_LOG")
    if log_path:
        _install(log_path)
    app, *rest = argv
    if Path(app).resolve() == serve.APP:
        serve.prepare()
    sys.argv = ["streamlit", "run", app, "--browser.gatherUsageStats", "false", *rest]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
