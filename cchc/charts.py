"""Plotly figures as the dashboard draws them, and their static export (PNG/SVG/PDF via kaleido and
Debian's Chromium). A figure carries its own full style (template, Vietnamese separators, title
with unit and period, source note), so an exported image looks exactly as on screen.
"""
from __future__ import annotations

import hashlib
import html
import logging
import math
import re
import threading
from collections import OrderedDict
from datetime import date
from decimal import Decimal

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


# --- layout rules --------------------------------------------------------------------------------
# A chart is drawn at any width from a phone (390 px screen, about 340 px of chart) to a 1920 px
# screen, and Plotly cannot reflow text. So every text that could collide has a slot computed here,
# in pixels, for the narrowest width:
#   * the header above the plot, from the top: title, subtitle, source, legend, notes (threshold and
#     band labels, markers, the "Tháng chưa trọn" key). Each line is wrapped to fit a phone; the top
#     margin is the header's height; the figure grows by what the header adds. Notes are never drawn
#     on the plot, where they met each other, the data and the subtitle (issue 16).
#   * long category labels (fields, units, procedures) wrap to two lines in a fixed left slot;
#   * tick labels are never slanted (tickangle 0): date axes thin their ticks by themselves, category
#     axes show every k-th label (thin_categories); numbers never use SI suffixes ("20.000", not
#     "20k"); percentage axes get round ticks distinct at their precision (percent_axis).
# Widths are estimated from character counts with DejaVu Sans' advances (the widest of FONT's fonts,
# the one Debian's Chromium and kaleido use), rounded up; tests/test_browser_layout.py measures the
# result in Chromium at 390/1024/1280/1440/1920 px.
PHONE_PX = 320
TITLE_SIZE, SUBTITLE_SIZE, SOURCE_SIZE, LEGEND_SIZE, NOTE_SIZE, TICK_SIZE = 15, 12, 10, 12, 10, 12
AXIS_TITLE_SIZE = 13
LINE = 1.3                       # Plotly's line height, in font sizes
EM, BOLD_EM = 0.56, 0.66         # average advance of a character, in font sizes (regular, bold), measured
TITLE_TOP = 10                   # px from the figure's top to the title's first line
MONTH_TICKS = "%m<br>%Y"         # month ticks on two lines: four fit a phone's plot
HEADER_BASE = 90                 # the top margin a figure's height was chosen with
LEGEND_ROW = 24
NOTE_GAP = 16                    # px between two notes on one line
LABEL_PX = 150                   # the left slot for category labels
NOTE = "cchc-note"               # annotation names: the header places these
SOURCE_NOTE = "cchc-source"
PARTIAL = "Tháng chưa trọn"
PARTIAL_OPACITY = 0.45


def text_px(text: str, size: float, bold: bool = False) -> float:
    """Estimated width of a line of text in px (upper bound for Vietnamese text in DejaVu Sans)."""
    return len(text) * size * (BOLD_EM if bold else EM)


_BREAKS = re.compile(r"(?<=, )|(?<= — )|(?<=; )|(?<=: )|(?= \()")


def wrap(text: str, size: float, bold: bool = False, width: float = PHONE_PX) -> list[str]:
    """Lines of at most `width` px: broken after ', ', ' — ', '; ', ': ' or before ' (' first (a unit
    name or a period stays on one line), inside a phrase only when it alone is too long."""
    per_line = max(8, int(width / (size * (BOLD_EM if bold else EM))))
    lines: list[str] = []
    cur = ""
    for chunk in (c for c in _BREAKS.split(text) if c):
        if len(cur) + len(chunk.rstrip()) <= per_line:
            cur += chunk
            continue
        if cur.strip():
            lines.append(cur.rstrip())
        cur = chunk.lstrip()
        while len(cur.rstrip()) > per_line:  # a phrase longer than a line: break between words
            cut = cur.rfind(" ", 0, per_line + 1)
            cut = cut if cut > 0 else per_line
            lines.append(cur[:cut].rstrip())
            cur = cur[cut:].lstrip()
    if cur.strip():
        lines.append(cur.rstrip())
    return lines or [""]


def _esc(lines: list[str]) -> str:
    return "<br>".join(html.escape(x, quote=False) for x in lines)


def _template() -> go.layout.Template:
    t = go.layout.Template(pio.templates["plotly_white"])
    axis = dict(automargin=True, exponentformat="none", separatethousands=True, tickangle=0,
                tickfont=dict(size=TICK_SIZE), title=dict(standoff=8, font=dict(size=AXIS_TITLE_SIZE)))
    t.layout.xaxis.update(axis)
    t.layout.yaxis.update(axis)
    return t


TEMPLATE = _template()


def style(fig: go.Figure, title: str, subtitle: str | None = None, source: str = SOURCE,
          yaxis_percent: bool = False, height: int = 420) -> go.Figure:
    """Title (chart, then unit and period on the next lines), Vietnamese number format, source; the
    header is laid out by `finish` (call it again after adding notes or changing margins).
    Title and subtitle are plain text (they may quote a unit, a field or a search from outside):
    Plotly reads tags in them, so they are HTML-escaped here, the one place every chart passes."""
    t_lines = wrap(title, TITLE_SIZE, bold=True)
    s_lines = wrap(subtitle, SUBTITLE_SIZE) if subtitle else []
    text = f"<b>{_esc(t_lines)}</b>" + (
        f"<br><span style='font-size:{SUBTITLE_SIZE}px;color:#555'>{_esc(s_lines)}</span>" if s_lines else "")
    fig.update_layout(
        template=TEMPLATE, separators=",.", font=dict(family=FONT, size=13, color="#222"),
        title=dict(text=text, x=0, xref="container", xanchor="left", y=1, yref="container", yanchor="top",
                   pad=dict(t=TITLE_TOP + TITLE_SIZE, l=4), automargin=False, font=dict(size=TITLE_SIZE)),
        colorway=SEQUENCE, margin=dict(l=70, r=30, t=HEADER_BASE, b=50),
        legend=dict(orientation="h", xref="container", x=0, xanchor="left", yref="container", yanchor="top",
                    title=None, font=dict(size=LEGEND_SIZE)),
        hoverlabel=dict(font_family=FONT),
        meta={"cchc_height": height, "cchc_title_lines": len(t_lines) + len(s_lines),
              "cchc_alt": f"{title} — {subtitle}" if subtitle else title},
    )
    if yaxis_percent:
        fig.update_yaxes(tickformat=".0%", hoverformat=".2%")
    if source:
        fig.add_annotation(text=_esc(wrap(source, SOURCE_SIZE)), name=SOURCE_NOTE, xref="paper", yref="paper",
                           x=0, y=1, xanchor="left", yanchor="bottom", showarrow=False, align="left",
                           font=dict(size=SOURCE_SIZE, color="#777"))
    return finish(fig)


def note(fig: go.Figure, text: str, color: str = "#444") -> go.Figure:
    """A line of text in the header's notes (a threshold's label, a marker, a key), never on the plot."""
    fig.add_annotation(text=_esc(wrap(text, NOTE_SIZE)), name=NOTE, xref="paper", yref="paper", x=0, y=1,
                       xanchor="left", yanchor="bottom", showarrow=False, font=dict(size=NOTE_SIZE, color=color))
    return finish(fig)


def threshold_line(fig: go.Figure, value: float, label: str, row=None, col=None, vertical: bool = False,
                   color: str | None = None, dash: str = "dash", yref: str | None = None) -> go.Figure:
    """A line for an index threshold, a target or a marker (horizontal, or vertical at x=value), its
    label in the header's notes in the line's colour."""
    color = color or COLORS["threshold"]
    kw = {} if row is None else {"row": row, "col": col}
    line = dict(color=color, dash=dash, width=1.5)
    if vertical:
        fig.add_vline(x=value, line=line, layer="above", **kw)
    else:
        fig.add_hline(y=value, line=line, **kw)
        if yref:
            fig.layout.shapes[-1].yref = yref
    return note(fig, label, color)


def alt_text(fig: go.Figure) -> str | None:
    """What a chart shows, in words, for a screen reader: its title and subtitle as given to style()."""
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    return meta.get("cchc_alt")


def _legend_items(fig: go.Figure, meta: dict) -> list[str]:
    """The legend's entries; none when the figure hides its legend (not when `finish` hid it)."""
    if fig.layout.showlegend is False and not meta.get("cchc_legend_hidden"):
        return []
    names, seen = [], set()
    for t in fig.data:
        if t.showlegend is False or not t.name or (t.legendgroup and t.legendgroup in seen):
            continue
        seen.add(t.legendgroup)
        names.append(t.name)
    shown = fig.layout.showlegend and not meta.get("cchc_legend_hidden")
    return names if len(names) > 1 or shown or any(t.showlegend for t in fig.data) else []


def _rows(widths: list[float], width: float = PHONE_PX) -> list[list[int]]:
    """Items packed left to right into lines of `width` px (indexes per line)."""
    rows: list[list[int]] = []
    used = width + 1
    for i, w in enumerate(widths):
        if used + w > width and rows and rows[-1] or not rows:
            rows.append([])
            used = 0
        rows[-1].append(i)
        used += w
    return rows


def _category_axis(fig: go.Figure) -> None:
    """Horizontal bars or dots over named categories: labels wrapped to two lines in a fixed left slot
    (the full name stays in the data and the hover), the rows tall enough for two lines."""
    cats: list[str] = []
    for t in fig.data:
        if getattr(t, "orientation", None) == "h" or (t.type == "scatter" and t.y is not None and t.y
                                                        and isinstance(t.y[0], str)):
            cats += [c for c in (t.y or ()) if isinstance(c, str) and c not in cats]
    if not cats:
        return
    per_line = int(LABEL_PX / (TICK_SIZE * EM))
    text: list[str] = []
    for c in cats:
        lines = wrap(c, TICK_SIZE, width=LABEL_PX)
        if len(lines) > 2:  # first line, an ellipsis, the end of the name (names often differ at the end)
            tail = " ".join(lines[1:])
            lines = [lines[0], "…" + tail[-(per_line - 1):].lstrip()]
        label = _esc(lines)
        while label in text:  # two names cut to the same label: numbered
            label += " *"
        text.append(label)
    fig.update_yaxes(tickmode="array", tickvals=cats, ticktext=text, automargin=True)
    written = any(t.type == "bar" and t.text is not None for t in fig.data)
    if written and fig.layout.xaxis.tickmode != "array":  # the values are written on the bars
        fig.update_xaxes(showticklabels=False)
    else:
        fig.update_xaxes(showticklabels=True, nticks=3)  # the plot is narrow on a phone beside the labels
    widest = max(text_px(x, TICK_SIZE) for t in text for x in t.split("<br>"))
    fig.update_layout(margin=dict(l=int(min(LABEL_PX, widest) + 16)))
    two = any("<br>" in x for x in text)
    meta = dict(fig.layout.meta or {})
    meta["cchc_rows"] = len(cats) * (38 if two else 24)
    fig.layout.meta = meta


def _outside_text(fig: go.Figure) -> None:
    """Room on the right for the values written after horizontal bars."""
    widest = 0.0
    for t in fig.data:
        if t.type == "bar" and t.orientation == "h" and t.text is not None and t.textposition in ("outside", "auto"):
            widest = max([widest] + [text_px(str(x), 13) for x in t.text])
        if t.type == "scatter" and t.mode == "text" and t.text is not None:
            widest = max([widest] + [text_px(str(x), 13) for x in t.text])
    if widest:
        fig.update_layout(margin=dict(r=max(fig.layout.margin.r or 0, int(widest) + 12)))


def _tick_width(fig: go.Figure, axis: str) -> float:
    """Estimated width of the widest tick label of a vertical value axis ('y', 'y2')."""
    name = "yaxis" + axis[1:]
    if name not in fig.layout:
        return 0.0
    ax = fig.layout[name]
    if ax.showticklabels is False:
        return 0.0
    if ax.ticktext:
        return max(text_px(x, TICK_SIZE) for t in ax.ticktext for x in str(t).split("<br>"))
    vals = [abs(v) for t in fig.data if (t.yaxis or "y") == axis and getattr(t, "orientation", None) != "h"
            and t.y is not None for v in t.y if isinstance(v, (int, float))]
    if not vals:
        return 0.0
    top = max(vals)
    if ax.type == "log" and top > 0:
        top = 10 ** math.ceil(math.log10(top))
    return text_px(fmt.number(top * 1.1, 0 if top >= 10 else 1), TICK_SIZE)


def _value_margins(fig: go.Figure) -> None:
    """Side margins wide enough for the value axes' tick labels and titles, so that Plotly's automargin
    does not move the plot (and with it the header's notes, anchored to its left edge)."""
    categories = (fig.layout.meta or {}).get("cchc_rows")
    for axis, side in (("y", "l"), ("y2", "r")):
        if axis == "y" and categories:  # labels, not values: _category_axis sized the slot
            continue
        w = _tick_width(fig, axis)
        if not w:
            continue
        title = fig.layout["yaxis" + axis[1:]].title
        w += 12 + (AXIS_TITLE_SIZE * LINE + 10 if title and title.text else 0)
        if w > (fig.layout.margin[side] or 0):
            fig.update_layout(margin={side: int(w)})


def _legend_names(fig: go.Figure) -> None:
    """A legend entry wider than a phone is wrapped."""
    for t in fig.data:
        if t.name and "<br>" not in t.name and text_px(t.name, LEGEND_SIZE) + 46 > PHONE_PX:
            t.name = "<br>".join(wrap(t.name, LEGEND_SIZE, width=PHONE_PX - 50))


def finish(fig: go.Figure) -> go.Figure:
    """Lay out the header (title, subtitle, source, legend, notes) from the top, in px, for a phone's
    width; set the top margin to it and grow the figure by what it adds. Idempotent: call it last."""
    meta = dict(fig.layout.meta or {})
    if "cchc_height" not in meta:
        return fig
    _category_axis(fig)
    _outside_text(fig)
    _value_margins(fig)
    _legend_names(fig)
    meta = dict(fig.layout.meta or {})
    left = fig.layout.margin.l if fig.layout.margin.l is not None else 70
    y = TITLE_TOP + meta.get("cchc_title_lines", 1) * TITLE_SIZE * LINE + 6
    anns = list(fig.layout.annotations)
    placed: list[tuple[object, float, float]] = []  # annotation, its top (px from the figure's top), its height
    for a in anns:
        if a.name == SOURCE_NOTE:
            h = (a.text.count("<br>") + 1) * SOURCE_SIZE * LINE
            placed.append((a, y, h))
            a.update(x=0, xshift=4 - left)
            y += h + 4
    items = _legend_items(fig, meta)
    meta["cchc_legend_hidden"] = not items
    if items:
        # Plotly wraps a horizontal legend at the plot's width: on a phone, less the side margins
        right = fig.layout.margin.r if fig.layout.margin.r is not None else 30
        rows = _rows([text_px(n, LEGEND_SIZE) + 46 for n in items], max(150.0, PHONE_PX - left - right))
        fig.update_layout(showlegend=True)
        meta["cchc_legend_top"] = y
        y += len(rows) * LEGEND_ROW + 8
    else:
        fig.update_layout(showlegend=False)
    notes = [a for a in anns if a.name == NOTE]
    if notes:
        widths = [max(text_px(x, NOTE_SIZE) for x in a.text.split("<br>")) + NOTE_GAP for a in notes]
        for line in _rows(widths):
            x, h = 4.0, 0.0
            for i in line:
                h = max(h, (notes[i].text.count("<br>") + 1) * NOTE_SIZE * LINE)
            for i in line:
                placed.append((notes[i], y, (notes[i].text.count("<br>") + 1) * NOTE_SIZE * LINE))
                notes[i].update(x=0, xshift=x - left)
                x += widths[i]
            y += h + 3
    # x-axis titles are centred under the plot: wrapped to its width on a phone
    right = fig.layout.margin.r if fig.layout.margin.r is not None else 30
    for name in fig.layout:
        ax = fig.layout[name]
        if name.startswith("xaxis") and ax.title and ax.title.text and "<br>" not in ax.title.text:
            ax.title.text = "<br>".join(wrap(ax.title.text, AXIS_TITLE_SIZE, width=max(140.0, PHONE_PX - left - right)))
    # titles of subplots (make_subplots) stand on the plot's top edge: a line of room for them
    if any(not a.name and a.yref == "paper" and (a.y or 0) >= 0.999 and a.yanchor == "bottom" for a in anns):
        y += 13 * LINE + 4
    top = int(y + 10)
    height = meta["cchc_height"] + max(0, top - HEADER_BASE)
    plot = height - top - (fig.layout.margin.b or 50)
    if meta.get("cchc_rows", 0) > plot:
        height += meta["cchc_rows"] - plot
    for a, a_top, h in placed:
        a.update(yref="paper", y=1, yanchor="bottom", yshift=top - (a_top + h))
    if items:
        fig.update_layout(legend=dict(y=1 - meta["cchc_legend_top"] / height))
    fig.update_layout(margin=dict(t=top), height=height, meta=meta)
    return fig


# --- ticks -----------------------------------------------------------------------------------------
_PCT_STEPS = [Decimal(m) * Decimal(10) ** e for e in range(-2, 3) for m in ("1", "2", "2.5", "5")]  # points


def percent_ticks(lo: float, hi: float, max_ticks: int = 6) -> tuple[list[float], list[str]]:
    """Round ticks between two rates (fractions) and their Vietnamese labels ("99,75 %"): the finest
    step giving 2 to `max_ticks` ticks (else the coarsest giving two), with just enough decimals for
    the step, so two labels are never equal."""
    lo, hi = min(lo, hi) * 100, max(lo, hi) * 100  # percentage points

    def count(step: Decimal) -> tuple[int, int]:
        return math.ceil(round(lo / float(step), 9)), math.floor(round(hi / float(step), 9))

    fits = [s for s in _PCT_STEPS if 2 <= count(s)[1] - count(s)[0] + 1 <= max_ticks]
    two = [s for s in _PCT_STEPS if count(s)[1] - count(s)[0] + 1 >= 2]
    step = fits[0] if fits else (two[-1] if two else _PCT_STEPS[0])
    decimals = max(0, -step.normalize().as_tuple().exponent)
    first, last = count(step)
    vals = [float(step * k) / 100 for k in range(first, last + 1)]
    return vals, [fmt.percent(v, decimals) for v in vals]


def percent_axis(values: list[float | None], floor: float | None = None, ceiling: float | None = 1.0,
                 pad: float = 0.08, max_ticks: int = 6) -> dict:
    """Axis properties for rates: the range around the values (never below 0, ticks never above
    `ceiling`), round distinct ticks (percent_ticks), hover with two decimals."""
    vals = [v for v in values if v is not None]
    if not vals:
        vals = [0.0, 1.0]
    lo, hi = min(vals), max(vals)
    if floor is not None:
        lo = min(lo, floor)
    margin = max((hi - lo) * pad, 0.002)
    lo, hi = max(0.0, lo - margin), hi + margin
    top = min(hi, ceiling) if ceiling is not None else hi
    vals_, text = percent_ticks(lo, top, max_ticks)
    return dict(range=[lo, hi], tickmode="array", tickvals=vals_, ticktext=text, hoverformat=".2%")


def thin_categories(fig: go.Figure, labels: list[str], axis: str = "x", per_phone: int = 3) -> go.Figure:
    """A category axis of period labels ("Tháng 3/2023", "Quý IV/2023") with at most `per_phone`
    labels (every k-th, the last one kept), each on two lines ("Tháng 3" over "2023"), so unslanted
    labels fit a phone."""
    step = max(1, math.ceil(len(labels) / per_phone))
    shown = [x for i, x in enumerate(labels) if (len(labels) - 1 - i) % step == 0]
    text = [html.escape(x, quote=False).replace("/", "<br>", 1) if x.count("/") == 1 else html.escape(x, quote=False)
            for x in shown]
    getattr(fig, f"update_{axis}axes")(type="category", tickmode="array", tickvals=shown, ticktext=text)
    return fig


# --- partial months --------------------------------------------------------------------------------
def partial_months(months: list[date], start: date, end: date) -> list[bool]:
    """For each month (its first day), whether [start, end] (the period cut to the data) leaves part of
    it out: the first and last months of 10/12/2022 – 09/12/2023 are partial."""
    from .periods import month_end
    return [start > m or end < month_end(m) for m in months]


def partial_text(months: list[date], start: date, end: date) -> str | None:
    """'Tháng chưa trọn: 12/2022 (từ 10/12), 12/2023 (đến 09/12)', or None when every month is whole."""
    from .periods import month_end
    parts = []
    for m, p in zip(months, partial_months(months, start, end)):
        if not p:
            continue
        bits = ([f"từ {start:%d/%m}"] if start > m else []) + ([f"đến {end:%d/%m}"] if end < month_end(m) else [])
        parts.append(f"{m:%m/%Y} ({', '.join(bits)})")
    return f"{PARTIAL}: {'; '.join(parts)}" if parts else None


def mark_partial(fig: go.Figure, months: list[date], start: date, end: date, traces: list[int] | None = None) -> go.Figure:
    """Partial months drawn lighter: hatched bars, hollow markers; the key in the header's notes."""
    flags = partial_months(months, start, end)
    if not any(flags):
        return fig
    for i, t in enumerate(fig.data):
        if traces is not None and i not in traces:
            continue
        if t.type == "bar":
            t.marker.pattern = dict(shape=["/" if f else "" for f in flags], solidity=0.35)
            t.marker.opacity = [PARTIAL_OPACITY if f else 1.0 for f in flags]
        elif t.type == "scatter":
            t.marker.symbol = ["circle-open" if f else "circle" for f in flags]
            t.marker.size = 9
    return note(fig, "▨ ○ " + partial_text(months, start, end), "#555")


_server_lock = threading.Lock()
_server_started = False
_render_lock = threading.Lock()

# Export (PNG, SVG, PDF). A chart keeps the layout `finish` gave it (its header is placed in px from
# the top for its height; fonts are not enlarged, which would undo that placement): it is drawn at its
# own height, EXPORT_HEIGHT at most where its plot can give up the room, at the 16:9 width of that
# height, and scaled to SLIDE. A chart at most EXPORT_HEIGHT CSS px high thus has every text at least
# SLIDE[1] / EXPORT_HEIGHT (1,82) times its size: 10 px notes are 18 px in the 1920 × 1080 PNG. A
# taller chart (a long list of units or fields, whose rows cannot shrink) keeps its height and reads
# smaller. No text is under MIN_FONT CSS px (readable() raises the few smaller ones).
EXPORT_HEIGHT = 594              # CSS px: 594 × 16/9 = 1056 wide, scale 1080/594
MIN_FONT = 10
MIN_PLOT = 240                   # px a chart without category rows keeps for its plot when lowered
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
    """A copy of the figure for export with no text under min_font CSS px (the on-screen figure is
    untouched)."""
    d = _readable(fig.to_plotly_json(), min_font)
    layout = d.setdefault("layout", {})
    font = layout.setdefault("font", {})
    font["size"] = max(font.get("size") or 0, min_font)
    return go.Figure(d, skip_invalid=True)


def export_size(fig: go.Figure, size: tuple[int, int] = SLIDE) -> tuple[int, int, float]:
    """(width, height, scale) of the figure drawn for export: its height, lowered to EXPORT_HEIGHT as
    far as its plot has room beyond its category rows (or MIN_PLOT), a multiple of 9 px; the width of
    `size`'s aspect at that height; the scale that makes it `size` pixels."""
    h0 = int(fig.layout.height or 450)
    h = h0
    if h0 > EXPORT_HEIGHT:
        m = fig.layout.margin
        plot = h0 - (m.t if m.t is not None else 100) - (m.b if m.b is not None else 80)
        need = max((fig.layout.meta or {}).get("cchc_rows", 0) if isinstance(fig.layout.meta, dict) else 0, MIN_PLOT)
        h = max(EXPORT_HEIGHT, h0 - max(0, plot - need))
    h = -(-h // 9) * 9
    w = round(h * size[0] / size[1])
    return w, h, size[1] / h + 1e-9  # a hair over: Chromium floors w × scale (624 × 3,0769… = 1919,99…)


def for_export(fig: go.Figure, size: tuple[int, int] = SLIDE) -> tuple[go.Figure, int, int, float]:
    """The figure as exported (a copy): readable fonts, its export size, its legend kept where the
    header placed it (the legend's position is a share of the height, the header's are px)."""
    w, h, scale = export_size(fig, size)
    f = readable(fig)
    meta = f.layout.meta if isinstance(f.layout.meta, dict) else {}
    if "cchc_legend_top" in meta and f.layout.showlegend:
        f.update_layout(legend=dict(y=1 - meta["cchc_legend_top"] / h))
    f.update_layout(width=w, height=h)
    return f, w, h, scale


def to_image(fig: go.Figure, fmt: str = "png", size: tuple[int, int] = SLIDE) -> bytes:
    """Static image of the figure as drawn (PNG, SVG or PDF): the PNG is `size` pixels (1920 × 1080);
    SVG and PDF are the same drawing as vectors (for_export's CSS size)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown image format {fmt!r}")
    _ensure_server()
    f, w, h, scale = for_export(fig, size)
    with _render_lock:  # kaleido's server runs one task at a time and matches answers by order
        return pio.to_image(f, format=fmt, width=w, height=h, scale=scale if fmt == "png" else 1)


# --- figures kept per process ----------------------------------------------------------------------------
# Building a figure (validating every property Plotly sets) is most of a page run's CPU on the server
# (~29 ms for the overview's trend; docs/performance-load.md: the first consumer of the GIL once
# Streamlit's post-run GC is off). A builder marked @memo keeps its figures per process by its
# arguments: a DataFrame by its schema and its rows' hashes, anything else by repr (frozen dataclasses,
# dates, numbers, text). So a view drawn before (the same data, unit, period) is not built again. The
# figure is shared: nothing may change it (widgets.chart, screen_svg and the exports only read it; an
# export that adds to a figure copies it first, as cchc.export.pack does).
MEMO_KEEP = 128
_memo: OrderedDict[tuple, go.Figure] = OrderedDict()
_memo_lock = threading.Lock()


def _memo_part(v) -> object:
    import polars as pl
    if isinstance(v, pl.DataFrame):
        return ("df", tuple(v.schema.items()), v.height, tuple(v.hash_rows(seed=0).to_list()))
    return repr(v)


def memo(builder):
    """Keep `builder`'s figures per process by its arguments (above)."""
    import functools

    @functools.wraps(builder)
    def kept(*args, **kwargs):
        key = (builder.__module__, builder.__qualname__, tuple(_memo_part(a) for a in args),
               tuple((k, _memo_part(v)) for k, v in sorted(kwargs.items())))
        with _memo_lock:
            fig = _memo.get(key)
            if fig is not None:
                _memo.move_to_end(key)
                return fig
        fig = builder(*args, **kwargs)
        with _memo_lock:
            _memo[key] = fig
            while len(_memo) > MEMO_KEEP:
                _memo.popitem(last=False)
        return fig
    return kept


# --- the first view's charts, drawn on the server ------------------------------------------------------
# A new browser session would otherwise fetch and run Plotly's 4,6 MB script before its first chart
# appears (~0,7 s of the page's CPU; docs/performance-app.md). Its first page instead shows each chart
# as the SVG that plotly.js draws for it at the width it will have on screen, rendered here by the
# export's renderer (kaleido), unchanged: the screen's style, not the export's. Kept per figure and width
# (a shared view, a province's overview this month, is drawn once per process); a renderer not started
# yet or busy for longer than `wait` gives None and the page draws the interactive chart instead.
SCREEN_SVG_KEEP = 256            # drawings kept per process (~30 KB each)
_screen_svgs: OrderedDict[str, bytes] = OrderedDict()
_screen_lock = threading.Lock()
screen_renders = 0               # drawings made by this process (tests count them)


def screen_svg(fig: go.Figure, width: int, wait: float = 0.5) -> bytes | None:
    """The figure as plotly.js draws it `width` CSS px wide and at its own height, as SVG; None when
    the renderer is not running yet (it is started in the background) or stays busy `wait` seconds,
    or fails (logged)."""
    global screen_renders
    height = int(fig.layout.height or 450)
    spec = fig.to_json()
    key = hashlib.sha1(f"{width}x{height}|".encode() + spec.encode()).hexdigest()
    with _screen_lock:
        hit = _screen_svgs.get(key)
        if hit is not None:
            _screen_svgs.move_to_end(key)
            return hit
    if not _server_started:
        warm_up()
        return None
    if not _render_lock.acquire(timeout=wait):
        return None
    try:
        svg = pio.to_image(fig, format="svg", width=width, height=height)
        screen_renders += 1
    except Exception:  # noqa: BLE001 - the interactive chart is drawn instead
        logging.getLogger(__name__).exception("screen SVG of a chart failed")
        return None
    finally:
        _render_lock.release()
    with _screen_lock:
        _screen_svgs[key] = svg
        while len(_screen_svgs) > SCREEN_SVG_KEEP:
            _screen_svgs.popitem(last=False)
    return svg


def file_name(chart: str, unit_name: str, period_short: str, ext: str = "png") -> str:
    return fmt.file_name(chart, unit_name, period_short, ext)
