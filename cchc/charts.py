"""Plotly figures as the dashboard draws them, and their static export (PNG/SVG/PDF via kaleido and
Debian's Chromium). A figure carries its own full style (template, Vietnamese separators, title
with unit and period, source note), so an exported image looks exactly as on screen.
"""
from __future__ import annotations

import html
import threading

import plotly.graph_objects as go
import plotly.io as pio

from . import fmt
from .fmt import SOURCE

SLIDE = (1600, 900)  # 16:9 PNG for slides
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


def _ensure_server() -> None:
    global _server_started
    with _server_lock:
        if not _server_started:
            import kaleido
            try:
                kaleido.start_sync_server(mathjax=False, silence_warnings=True)
            except TypeError:
                kaleido.start_sync_server(mathjax=False)
            except RuntimeError:
                pass  # already running in this process
            _server_started = True


def to_image(fig: go.Figure, fmt: str = "png", size: tuple[int, int] = SLIDE) -> bytes:
    """Static image of the figure as drawn (PNG, SVG or PDF), slide-sized by default."""
    _ensure_server()
    f = go.Figure(fig)
    f.update_layout(height=size[1], width=size[0])
    return pio.to_image(f, format=fmt, width=size[0], height=size[1], scale=1)


def file_name(chart: str, unit_name: str, period_short: str, ext: str = "png") -> str:
    return fmt.file_name(chart, unit_name, period_short, ext)
