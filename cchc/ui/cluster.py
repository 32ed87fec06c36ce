"""Several dashboard processes behind HAProxy, on one machine:

    python -m cchc.ui.cluster --processes 2 --port 8501 [--data-dir D] [streamlit options]

starts N ``python -m cchc.ui.serve`` processes on 127.0.0.1 (ports P+1..P+N, or free ones when those
are taken), waits until each answers ``/_stcore/health``, writes an HAProxy configuration from the
template ``cchc/ui/haproxy.cfg`` into a run folder and runs Debian's ``haproxy`` in the foreground on
port P (``apt-get install haproxy``). It prints the address, restarts an app process that dies, and
stops everything on Ctrl+C or SIGTERM (the children run in their own process groups, so a Ctrl+C
reaches only this process, which stops them; they also get SIGTERM if this process is killed).

Sticky sessions: Streamlit keeps a session (its widgets, its sign-in, the file being uploaded) in
the process whose websocket the tab opened, so HAProxy pins each browser to one process with a cookie
(``SRV``, inserted on the first response): the page, its static files, ``/_stcore/*``, the websocket
``/_stcore/stream`` and an upload all reach the same process. The processes share nothing but the
data folder; a write by any of them (or by the command line) is seen by all at their next query
through the data version stamp (cchc.store.data_version; docs/serving.md gives the argument).

In Python (the tests, the load test): ``with Cluster(processes=2, port=p, data_dir=d) as c: c.url``.
"""
from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from string import Template

from cchc import db as dbm

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATE = Path(__file__).resolve().parent / "haproxy.cfg"
HEALTH = "/_stcore/health"
START_TIMEOUT_S = 90.0
# Options the cluster sets for every app process itself (each its own port, loopback only).
OWN_OPTIONS = ("--server.port", "--server.address")


class ClusterError(RuntimeError):
    """The cluster could not start (Vietnamese)."""


def haproxy_path() -> str:
    found = shutil.which("haproxy") or next((p for p in ("/usr/sbin/haproxy", "/sbin/haproxy") if os.path.exists(p)), None)
    if not found:
        raise ClusterError("Chưa cài HAProxy: hãy chạy apt-get install -y haproxy (Debian).")
    return found


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def backend_ports(port: int, n: int) -> list[int]:
    """P+1..P+N, each one that is taken replaced by a free port the system gives."""
    out: list[int] = []
    for i in range(1, n + 1):
        p = port + i
        out.append(p if p < 65536 and port_free(p) else free_port())
    return out


def render(port: int, backends: list[tuple[str, int]], address: str = "127.0.0.1", tunnel_timeout: str = "1h",
           maxconn: int = 4096) -> str:
    """The HAProxy configuration: the template with the address, the port and one server line per
    app process (``server appN 127.0.0.1:PORT cookie appN``)."""
    servers = "\n".join(f"    server {name} 127.0.0.1:{p} cookie {name}" for name, p in backends)
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        address=address, port=port, servers=servers, tunnel_timeout=tunnel_timeout, maxconn=maxconn)


def healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url + HEALTH, timeout=timeout) as r:
            return r.status == 200
    except OSError:
        return False


def _die_with_parent() -> None:
    """In a child, before exec: get SIGTERM when the cluster process dies (Linux prctl PR_SET_PDEATHSIG),
    so a killed cluster never leaves app processes or HAProxy behind."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


@dataclass
class Backend:
    name: str
    port: int
    log: Path
    proc: subprocess.Popen | None = None
    restarts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class Cluster:
    """N app processes and HAProxy in front of them (see the module's text)."""

    def __init__(self, processes: int = 2, port: int = 8501, data_dir: str | os.PathLike | None = None,
                 address: str = "127.0.0.1", run_dir: str | os.PathLike | None = None,
                 streamlit_args: list[str] | tuple[str, ...] = (), env: dict[str, str] | None = None,
                 tunnel_timeout: str = "1h", start_timeout: float = START_TIMEOUT_S, say=None):
        if processes < 1:
            raise ClusterError("Cần ít nhất một tiến trình (--processes 1 trở lên).")
        taken = [a for a in streamlit_args if a.split("=", 1)[0] in OWN_OPTIONS]
        if taken:
            raise ClusterError(f"Không dùng {', '.join(taken)} với cụm: mỗi tiến trình có cổng riêng do cụm chọn, "
                               "cổng chung là --port.")
        self.processes, self.port, self.address = processes, port, address
        self.data_dir = str(dbm.data_dir(data_dir)) if data_dir else None  # a folder or s3://… (cchc.storage)
        self.streamlit_args = list(streamlit_args)
        self.extra_env = dict(env or {})
        self.tunnel_timeout = tunnel_timeout
        self.start_timeout = start_timeout
        self.say = say or (lambda s: print(s, file=sys.stderr, flush=True))
        self._own_run_dir = run_dir is None
        self.run_dir = Path(run_dir) if run_dir else Path(tempfile.mkdtemp(prefix="cchc-cluster-"))
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.backends: list[Backend] = []
        self.haproxy: subprocess.Popen | None = None
        self.config = self.run_dir / "haproxy.cfg"

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.address in ("0.0.0.0", "*", "") else self.address
        return f"http://{host}:{self.port}"

    # --- the app processes --------------------------------------------------------------------
    def _env(self) -> dict[str, str]:
        env = {**os.environ, **self.extra_env}
        if self.data_dir:
            env["CCHC_DATA_DIR"] = self.data_dir
        return env

    def _spawn(self, b: Backend) -> None:
        cmd = [sys.executable, "-m", "cchc.ui.serve", "--server.headless", "true", "--server.port", str(b.port),
               "--server.address", "127.0.0.1", "--server.fileWatcherType", "none", *self.streamlit_args]
        with open(b.log, "ab") as log:
            b.proc = subprocess.Popen(cmd, cwd=ROOT, env=self._env(), stdout=log, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent, start_new_session=True)

    def _wait(self, backends: list[Backend]) -> None:
        deadline = time.monotonic() + self.start_timeout
        waiting = list(backends)
        while waiting:
            for b in list(waiting):
                if b.proc.poll() is not None:
                    raise ClusterError(f"Tiến trình {b.name} (cổng {b.port}) dừng khi khởi động, mã {b.proc.returncode}; "
                                       f"xem {b.log}")
                if healthy(b.url, timeout=1.0):
                    waiting.remove(b)
            if waiting and time.monotonic() > deadline:
                raise ClusterError(f"{', '.join(b.name for b in waiting)} chưa sẵn sàng sau {self.start_timeout:.0f} giây; "
                                   f"xem {self.run_dir}")
            if waiting:
                time.sleep(0.2)

    # --- start, watch, stop -------------------------------------------------------------------
    def start(self) -> "Cluster":
        haproxy = haproxy_path()
        if not port_free(self.port, self.address if self.address not in ("*", "") else "0.0.0.0"):
            raise ClusterError(f"Cổng {self.port} đang được dùng; hãy chọn cổng khác (--port).")
        try:
            ports = backend_ports(self.port, self.processes)
            self.backends = [Backend(f"app{i + 1}", p, self.run_dir / f"app{i + 1}.log") for i, p in enumerate(ports)]
            for b in self.backends:
                self._spawn(b)
            self._wait(self.backends)
            self.config.write_text(render(self.port, [(b.name, b.port) for b in self.backends], self.address,
                                          self.tunnel_timeout), encoding="utf-8")
            check = subprocess.run([haproxy, "-c", "-q", "-f", str(self.config)], capture_output=True, text=True)
            if check.returncode != 0:
                raise ClusterError(f"Cấu hình HAProxy không hợp lệ ({self.config}): {check.stderr.strip() or check.stdout.strip()}")
            with open(self.run_dir / "haproxy.log", "ab") as log:
                self.haproxy = subprocess.Popen([haproxy, "-db", "-f", str(self.config)], stdout=log,
                                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                                preexec_fn=_die_with_parent, start_new_session=True)
            deadline = time.monotonic() + 15
            while not healthy(self.url, timeout=1.0):
                if self.haproxy.poll() is not None:
                    raise ClusterError(f"HAProxy dừng ngay khi khởi động, mã {self.haproxy.returncode}; "
                                       f"xem {self.run_dir / 'haproxy.log'}")
                if time.monotonic() > deadline:
                    raise ClusterError(f"HAProxy không trả lời ở {self.url}; xem {self.run_dir / 'haproxy.log'}")
                time.sleep(0.1)
        except BaseException:
            self.stop(keep_logs=True)
            raise
        return self

    def watch_once(self) -> int | None:
        """Restart app processes that died (HAProxy's health check takes a dead one out meanwhile, and
        puts it back once it answers). Returns HAProxy's exit code if it has stopped, else None."""
        for b in self.backends:
            if b.proc is not None and b.proc.poll() is not None:
                self.say(f"Tiến trình {b.name} (cổng {b.port}) đã dừng (mã {b.proc.returncode}); khởi động lại.")
                b.restarts += 1
                self._spawn(b)
        return self.haproxy.poll() if self.haproxy is not None else None

    def stop(self, keep_logs: bool = False) -> None:
        procs = ([self.haproxy] if self.haproxy else []) + [b.proc for b in self.backends if b.proc]
        for p in procs:
            if p.poll() is None:
                p.terminate()
        deadline = time.monotonic() + 10
        for p in procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=5)
        self.haproxy = None
        if self._own_run_dir and not keep_logs:
            shutil.rmtree(self.run_dir, ignore_errors=True)

    def __enter__(self) -> "Cluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop(keep_logs=exc[0] is not None)


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    ap = argparse.ArgumentParser(prog="python -m cchc.ui.cluster",
                                 description="Chạy nhiều tiến trình bảng điều khiển sau HAProxy (phiên dính theo cookie).")
    ap.add_argument("--processes", type=int, default=2, help="số tiến trình ứng dụng (mặc định 2)")
    ap.add_argument("--port", type=int, default=8501, help="cổng HAProxy lắng nghe (mặc định 8501)")
    ap.add_argument("--address", default="127.0.0.1", help="địa chỉ HAProxy lắng nghe (mặc định 127.0.0.1)")
    ap.add_argument("--data-dir", default=None, help="thư mục dữ liệu (mặc định CCHC_DATA_DIR, hoặc data/)")
    ap.add_argument("--run-dir", default=None, help="thư mục giữ cấu hình HAProxy và nhật ký các tiến trình")
    ap.add_argument("--tunnel-timeout", default="1h", help="thời gian websocket được để yên (HAProxy timeout tunnel)")
    return ap.parse_known_args(argv)


def main(argv: list[str] | None = None) -> int:
    args, extra = parse_args(sys.argv[1:] if argv is None else argv)
    stopping = []

    def on_signal(signum, _frame):
        stopping.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)  # also when started in the background, where SIGINT is ignored
    try:
        cluster = Cluster(args.processes, args.port, args.data_dir, args.address, args.run_dir, extra,
                          tunnel_timeout=args.tunnel_timeout)
    except ClusterError as e:
        print(str(e), file=sys.stderr)
        return 2
    try:
        cluster.start()
    except ClusterError as e:
        print(str(e), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    print(f"Bảng điều khiển: {cluster.url} (HAProxy, {len(cluster.backends)} tiến trình: "
          + ", ".join(f"{b.name} {b.url}" for b in cluster.backends) + f"; nhật ký: {cluster.run_dir})", flush=True)
    code = 0
    try:
        while True:
            ended = cluster.watch_once()
            if ended is not None:
                print(f"HAProxy đã dừng (mã {ended}); dừng cả cụm. Xem {cluster.run_dir / 'haproxy.log'}", file=sys.stderr)
                code = 1
                break
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop(keep_logs=code != 0)
    return code


if __name__ == "__main__":
    sys.exit(main())
