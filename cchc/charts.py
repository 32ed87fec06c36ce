"""Plotly figures as the dashboard draws them, and their static export (PNG/SVG/PDF via kaleido and
Debian's Chromium). A figure carries its own full style (template, Vietnamese separators, title
with unit and period, source note), so an exported image looks exactly as on screen.
"""
from __future__ import annotations

import html
import logging
import re
import threading

import plotly.graph_objects as go
import plotly.io as pio

from . import fmt
from .fmt import SOURCE

SLIDE = (1920, 1080)  # 16:9 image size of exported charts (pixels of the PNG); see to_image
COLORS = {"primary": "#1f5fa8", "secondary": "#e08a1e", "good": "#2e8b57", "bad": "#c0392b",
          "neutral": "#7f8c8d", "threshold": "#8e44ad", "muted": "#b8c7d9"}
SEQUENCE = ["#1f5fa8", "#e08a1e", "#2e8b57", "#c0392b", "#8e44ad", "#16a085", "#7f8c8d", "#d35400", "#2c3e50",
            "#f1c40f"]
FONT = "Noto Sans, DejaVu Sans, Arial, sans-serif"

if hasattr(pio.defaults, "headers"):
    pio.defaults.headers = None


def style(fig: go.Figure, title: str, subtitle: str | None = None, source: str = SOURCE,
          yaxis_percent: bool = False, height: int = 420) -> go.Figure:
    """Title (chart, then unit and period on the second line), Vietnamese number format, source.
    Title and subtitle are plain text (they may quote a unit, a field or a search from outside):
    Plotly reads tags in them, so they are HTML-escaped here, the one place every chart passes."""
    title, subtitle = html.escape(title, quote=False), subtitle and html.escape(subtitle, quote=False)
    text = f"<b>{title}</b>" + (f"<br><span style='font-size:13px;color:#555'>{subtitle}</span>" if subtitle else "")
    fig.update_layout(
        template="plotly_white", separators=",.", font=dict(family=FONT, size=13, color="#222"),
        title=dict(text=text, x=0, xref="paper", xanchor="left", y=1, yref="paper", yanchor="bottom",
                   pad=dict(b=28), automargin=True),
        colorway=SEQUENCE, height=height, margin=dict(l=60, r=30, t=90, b=105),
        legend=dict(orientation="h", x=0, xanchor="left", yref="container", y=0.01, yanchor="bottom", title=None),
        hoverlabel=dict(font_family=FONT),
    )
    fig.update_xaxes(separatethousands=True)
    fig.update_yaxes(separatethousands=True)
    if yaxis_percent:
        fig.update_yaxes(tickformat=".0%", hoverformat=".2%")
    if source:
        fig.add_annotation(text=source, xref="paper", yref="paper", x=1, y=0, yshift=-45, xanchor="right",
                           yanchor="top", showarrow=False, font=dict(size=10, color="#777"))
    return fig


def threshold_line(fig: go.Figure, value: float, label: str, row=None, col=None) -> go.Figure:
    """A horizontal line for an index threshold or a target (e.g. the 766 full-points rate)."""
    kw = {} if row is None else {"row": row, "col": col}
    fig.add_hline(y=value, line=dict(color=COLORS["threshold"], dash="dash", width=1.5),
                  annotation=dict(text=label, font=dict(color=COLORS["threshold"], size=11)),
                  annotation_position="top left", **kw)
    return fig


_server_lock = threading.Lock()
_server_started = False

# Exported charts are laid out at SLIDE / EXPORT_SCALE CSS pixels (1280 × 720) and rendered at
# EXPORT_SCALE, so a PNG is SLIDE (1920 × 1080) with every text EXPORT_SCALE times its on-screen size;
# no text is smaller than MIN_FONT CSS pixels (18 px in the 1920 × 1080 image, readable on a projector).
EXPORT_SCALE = 1.5
MIN_FONT = 12
FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
_CSS_SIZE = re.compile(r"font-size:\s*(\d+(?:\.\d+)?)px")


def _ensure_server() -> None:
    global _server_started
    with _server_lock:
        if not _server_started:
            import kaleido
            # Chromium's pipe sometimes splits a message; choreographer logs the fragment with a
            # traceback, ignores it and goes on (the image still comes): keep that out of the logs.
            logging.getLogger("choreographer.channels.pipe").setLevel(logging.CRITICAL)
            try:
                kaleido.start_sync_server(mathjax=False, silence_warnings=True)
            except TypeError:
                kaleido.start_sync_server(mathjax=False)
            except RuntimeError:
                pass  # already running in this process
            _server_started = True


def warm_up() -> None:
    """Start the renderer in the background, for a page about to export: the first image of a process
    otherwise waits for Chromium to start (2–4 s on a busy 2-core machine, bench/pack_speed.py)."""
    if not _server_started:
        threading.Thread(target=_ensure_server, daemon=True, name="kaleido-warm-up").start()


def _bigger(size, floor: float):
    if isinstance(size, (int, float)):
        return max(size, floor)
    if isinstance(size, (list, tuple)):
        return [_bigger(x, floor) for x in size]
    return size


def _readable(node, floor: float, in_font: bool = False):
    """Every font size of a figure's JSON (layout, traces, annotations: any dict under a key ending
    in "font") and every inline CSS font-size of its texts raised to at least `floor`."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if in_font and k == "size":
                out[k] = _bigger(v, floor)
            else:
                out[k] = _readable(v, floor, k.endswith("font"))
        return out
    if isinstance(node, list):
        return [_readable(v, floor) for v in node]
    if isinstance(node, str) and "font-size" in node:
        return _CSS_SIZE.sub(lambda m: f"font-size:{max(float(m.group(1)), floor):g}px", node)
    return node


def readable(fig: go.Figure, min_font: float = MIN_FONT) -> go.Figure:
    """A copy of the figure for export: no text under min_font CSS pixels (the figure's own sizes
    otherwise kept, so the exported chart reads like the screen's); the on-screen figure is untouched."""
    d = _readable(fig.to_plotly_json(), min_font)
    layout = d.setdefault("layout", {})
    font = layout.setdefault("font", {})
    font["size"] = max(font.get("size") or 0, min_font)
    return go.Figure(d, skip_invalid=True)


def _prepared(fig: go.Figure, size: tuple[int, int]) -> tuple[go.Figure, int, int]:
    f = readable(fig)
    w, h = round(size[0] / EXPORT_SCALE), round(size[1] / EXPORT_SCALE)
    f.update_layout(width=w, height=h)
    return f, w, h


def to_image(fig: go.Figure, fmt: str = "png", size: tuple[int, int] = SLIDE) -> bytes:
    """Static image of the figure as drawn (PNG, SVG or PDF), slide-sized by default: the PNG is
    `size` pixels; SVG and PDF are the same drawing as vectors (size / EXPORT_SCALE CSS pixels)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown image format {fmt!r}")
    _ensure_server()
    f, w, h = _prepared(fig, size)
    return pio.to_image(f, format=fmt, width=w, height=h, scale=EXPORT_SCALE if fmt == "png" else 1)


def file_name(chart: str, unit_name: str, period_short: str, ext: str = "png") -> str:
    return fmt.file_name(chart, unit_name, period_short, ext)
