"""A Streamlit client that speaks the browser's protocol, for load tests (bench/load/locustfile.py).

One `Session` is one browser tab, as Streamlit 1.67's frontend drives it:

1. GET the page's HTML (`/tong-quan?unit=...`): Streamlit answers every page path with index.html and
   sets the `_streamlit_xsrf` cookie; GET `/_stcore/health` and `/_stcore/host-config` as the
   frontend does before it connects. The JavaScript bundles are not fetched (a browser caches them
   after its first visit; they are static files, not script runs).
2. Open the websocket `ws://host:port/_stcore/stream` with the subprotocols the frontend sends
   (`streamlit`, then the XSRF cookie's value), the same Origin and the cookies.
3. Send `BackMsg(rerun_script=ClientState(query_string, page_name, page_script_hash,
   widget_states, cached_message_hashes, context_info))` and read `ForwardMsg`s until
   `script_finished` (a status other than FINISHED_EARLY_FOR_RERUN: a `st.switch_page` or a
   `st.rerun` makes the server run the script again before it is done).

Changing unit (`Session.rerun`) is what a link click does in the browser (st.page_link with
query_params, or a pasted link on the same tab): a rerun of the current page with another query
string. The widget states are not sent back (the app reads its filters from st.query_params, and
cchc.ui.state.sync_from_url adopts a query string new to the session).

Streamlit's message cache: the server replaces a large element it knows the client holds by a
`ForwardMsg(ref_hash=...)`; it knows it only from the `cached_message_hashes` the client sends with
each rerun (streamlit.runtime.scriptrunner_utils.script_run_context.ScriptRunContext.enqueue). Like
the browser, this client keeps every message marked `metadata.cacheable`, sends their hashes with
the next rerun of the session, and resolves a `ref_hash` from them (a hash it does not hold is a
protocol error).

What a run records (`RunResult`): time to script_finished, messages, deltas, bytes received, the
text of the elements (markdown, metrics, headings, alerts...: for tests), and the errors seen: an
exception element (`delta.new_element.exception`), an `st.error` alert, a `page_not_found` message.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
import websocket  # websocket-client: blocking, and cooperative under gevent's monkey patching (Locust)
from google.protobuf.message import Message
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

FINISHED_EARLY = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN
TIMEOUT = 30.0  # seconds to script_finished before a run counts as failed

# String fields of an element too big or not meant to be read as text (chart specs, data)
_SKIP_TEXT = {"spec", "figure", "data", "arrow_data", "css", "html", "id", "form_id", "key",
              "widget_id", "json", "help", "theme", "selection_mode"}


class ProtocolError(RuntimeError):
    """The server said something a browser would not accept, or nothing in time."""


@dataclass
class RunResult:
    seconds: float = 0.0        # from sending the rerun to receiving script_finished
    first_delta: float | None = None  # seconds to the first delta (what the user first sees)
    messages: int = 0
    deltas: int = 0
    bytes: int = 0
    refs: int = 0               # elements sent by reference to the client's cache
    status: int | None = None   # script_finished status
    texts: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    query_string: str = ""      # the URL's query string after the run (the app rewrites it)

    @property
    def ok(self) -> bool:
        return self.status is not None and not self.errors


def _texts(msg: Message, out: list[str], depth: int = 0) -> None:
    """The readable strings of an element (markdown bodies, metric labels and values, alerts...)."""
    if depth > 4:
        return
    for fd, value in msg.ListFields():
        if fd.name in _SKIP_TEXT:
            continue
        if fd.type == fd.TYPE_STRING:
            vals = value if fd.is_repeated else [value]
            out.extend(v for v in vals if v and len(v) < 5000)
        elif fd.type == fd.TYPE_MESSAGE:
            vals = value if fd.is_repeated else [value]
            for v in vals:
                _texts(v, out, depth + 1)


class Session:
    """One browser tab on a Streamlit server (see the module's docstring)."""

    def __init__(self, base_url: str, timeout: float = TIMEOUT, keep_texts: bool = True):
        self.base = base_url.rstrip("/")
        parts = urlsplit(self.base)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.ws_url = ("wss" if parts.scheme == "https" else "ws") + "://" + parts.netloc + parts.path + "/_stcore/stream"
        self.timeout = timeout
        self.keep_texts = keep_texts
        self.http = requests.Session()
        self.http.headers["User-Agent"] = "cchc-load/1 (Streamlit protocol client)"
        self.ws: websocket.WebSocket | None = None
        self.page_name = ""
        self.page_script_hash = ""
        self.query_string = ""
        self.session_id = ""
        self._cache: dict[str, ForwardMsg] = {}  # hash -> message, as the browser's ForwardMsgCache

    # --- connection ------------------------------------------------------------------------
    def open(self, path: str) -> RunResult:
        """What a browser does for a typed or clicked deep link: the page, then its first script run.
        ``path``: "/tong-quan?unit=10621&from=2022-12-10&to=2023-12-09" (or "/?..." for the root)."""
        t0 = time.perf_counter()
        r = self.http.get(self.base + path, timeout=self.timeout)
        if r.status_code != 200 or b"<html" not in r.content[:2000].lower():
            raise ProtocolError(f"GET {path}: HTTP {r.status_code}")
        for extra in ("/_stcore/health", "/_stcore/host-config"):
            rr = self.http.get(self.base + extra, timeout=self.timeout)
            if rr.status_code != 200:
                raise ProtocolError(f"GET {extra}: HTTP {rr.status_code}")
        page, _, query = path.partition("?")
        self.page_name = page.strip("/")
        self.query_string = query
        self._connect()
        result = self._run(query, self.page_name, "", t0=t0)
        return result

    def _connect(self) -> None:
        xsrf = self.http.cookies.get("_streamlit_xsrf")
        protocols = ["streamlit"] + ([xsrf] if xsrf else [])
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)
        self.ws = websocket.create_connection(
            self.ws_url, timeout=self.timeout, subprotocols=protocols, origin=self.origin,
            cookie=cookie or None, enable_multithread=False)

    def close(self) -> None:
        """Leave: close the websocket (the tab is closed)."""
        if self.ws is not None:
            try:
                self.ws.close()
            except Exception:  # noqa: BLE001 - already gone is fine
                pass
            self.ws = None
        self.http.close()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- script runs -----------------------------------------------------------------------
    def rerun(self, query_string: str, page_name: str | None = None) -> RunResult:
        """A link to another unit (or period) on the same tab: a rerun with another query string."""
        if self.ws is None:
            raise ProtocolError("rerun before open")
        page = self.page_name if page_name is None else page_name
        same_page = page == self.page_name
        self.page_name = page
        self.query_string = query_string
        return self._run(query_string, page, self.page_script_hash if same_page else "")

    def _back_msg(self, query_string: str, page_name: str, page_hash: str) -> bytes:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = query_string
        cs.page_name = page_name
        cs.page_script_hash = page_hash
        cs.widget_states.SetInParent()
        cs.cached_message_hashes.extend(self._cache.keys())
        ci = cs.context_info
        ci.timezone = "Asia/Ho_Chi_Minh"
        ci.timezone_offset = -420  # minutes, as JavaScript's getTimezoneOffset()
        ci.locale = "vi-VN"
        ci.url = f"{self.base}/{page_name}" + (f"?{query_string}" if query_string else "")
        ci.color_scheme = "light"
        return msg.SerializeToString()

    def _run(self, query_string: str, page_name: str, page_hash: str, t0: float | None = None) -> RunResult:
        assert self.ws is not None
        res = RunResult()
        start = time.perf_counter() if t0 is None else t0
        deadline = time.perf_counter() + self.timeout
        self.ws.send_binary(self._back_msg(query_string, page_name, page_hash))
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise ProtocolError(f"no script_finished within {self.timeout:.0f} s")
            self.ws.settimeout(left)
            try:
                op, data = self.ws.recv_data()
            except websocket.WebSocketTimeoutException as e:
                raise ProtocolError(f"no script_finished within {self.timeout:.0f} s") from e
            except websocket.WebSocketConnectionClosedException as e:
                raise ProtocolError("websocket closed by the server") from e
            if op == websocket.ABNF.OPCODE_CLOSE:
                raise ProtocolError("websocket closed by the server")
            if op != websocket.ABNF.OPCODE_BINARY:
                continue
            res.messages += 1
            res.bytes += len(data)
            msg = ForwardMsg()
            msg.ParseFromString(data)
            kind = msg.WhichOneof("type")
            if kind == "ref_hash":
                cached = self._cache.get(msg.ref_hash)
                if cached is None:
                    raise ProtocolError(f"ref_hash {msg.ref_hash} not in the client's cache")
                res.refs += 1
                msg, kind = cached, cached.WhichOneof("type")
            elif msg.metadata.cacheable and msg.hash:
                self._cache[msg.hash] = msg
            if kind == "delta":
                res.deltas += 1
                if res.first_delta is None:
                    res.first_delta = time.perf_counter() - start
                self._element(msg, res)
            elif kind == "new_session":
                self.session_id = msg.new_session.initialize.session_id or self.session_id
                if msg.new_session.page_script_hash:
                    self.page_script_hash = msg.new_session.page_script_hash
            elif kind == "navigation":
                if msg.navigation.page_script_hash:
                    self.page_script_hash = msg.navigation.page_script_hash
            elif kind == "page_info_changed":
                self.query_string = msg.page_info_changed.query_string
            elif kind == "page_not_found":
                res.errors.append(f"page not found: {msg.page_not_found.page_name!r}")
            elif kind == "script_finished":
                if msg.script_finished == FINISHED_EARLY:
                    continue  # switch_page / st.rerun: the server runs the script again
                res.status = msg.script_finished
                if msg.script_finished == ForwardMsg.ScriptFinishedStatus.FINISHED_WITH_COMPILE_ERROR:
                    res.errors.append("script compile error")
                break
        res.seconds = time.perf_counter() - start
        res.query_string = self.query_string
        return res

    def _element(self, msg: ForwardMsg, res: RunResult) -> None:
        d = msg.delta
        if d.WhichOneof("type") != "new_element":
            return
        el = d.new_element
        etype = el.WhichOneof("type")
        if etype == "exception":
            res.errors.append(f"exception: {el.exception.type}: {el.exception.message[:200]}")
        elif etype == "alert" and el.alert.format == Alert.ERROR:
            res.errors.append(f"st.error: {el.alert.body[:200]}")
        if self.keep_texts and etype not in ("plotly_chart", "arrow_data_frame", "data_frame", "vega_lite_chart"):
            if etype:
                _texts(getattr(el, etype), res.texts)
