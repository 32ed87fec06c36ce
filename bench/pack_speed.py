"""Meeting-pack speed (issue 16 item 9, the pack part): a 12-chart pack as PPTX and as PDF (target
≤ 15 s each) and one chart once the renderer is warm (target ≤ 1 s), medians of a few runs, with
where the time goes (the renderer's start, the data and figures, each image, the file assembly).

    .venv/bin/python bench/pack_speed.py [--data-dir DIR] [--unit 291] [--runs 3]

The data directory defaults to $CCHC_DATA_DIR, else data/ (the sample; `make run` builds it). Every
figure printed is measured in this run; nothing is asserted (timings belong here, not in tests).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cchc import charts, kpis  # noqa: E402
from cchc.db import Database  # noqa: E402
from cchc.export import pack  # noqa: E402

TARGET_PACK, TARGET_CHART = 15.0, 1.0


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def s(x: float) -> str:
    return f"{x:.2f}".replace(".", ",") + " s"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=os.environ.get("CCHC_DATA_DIR", "data"))
    ap.add_argument("--unit", default="291", help="a unit every chart of the catalogue draws for (default: "
                                                  "the old district Nam Sách)")
    ap.add_argument("--from", dest="start", default="2022-12-10")
    ap.add_argument("--to", dest="end", default="2023-12-09")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    db = Database(args.data_dir)
    unit = kpis.resolve_unit(db, args.unit)
    period = kpis.period_for(unit, date.fromisoformat(args.start), date.fromisoformat(args.end))
    keys = pack.CHART_KEYS[:12]
    print(f"Unit {unit.full_name} ({unit.key}), {period.label}; {len(keys)} charts; {args.runs} runs; "
          f"machine: {os.cpu_count()} CPUs")

    # 1. the renderer's start: the first image of a process (Chromium starts)
    fig = pack.chart_figure(db, unit, period, "tong-quan-xu-huong")
    cold, _ = timed(lambda: charts.to_image(fig))
    print(f"first image of the process (renderer start + render): {s(cold)}")

    # 2. one chart, warm: the image alone (a page's download button: the figure is on screen), and
    #    with its data and figure (the CLI's export chart, the process and renderer already started)
    medians = {}
    for kind in ("png", "svg", "pdf"):
        runs = [timed(lambda kind=kind: charts.to_image(fig, kind))[0] for _ in range(max(5, args.runs))]
        medians[kind] = statistics.median(runs)
        print(f"one chart, warm, {kind}: median {s(medians[kind])} (runs: {', '.join(s(r) for r in runs)})")
    single = max(medians.values())
    runs = [timed(lambda: charts.to_image(pack.chart_figure(db, unit, period, "tong-quan-xu-huong")))[0]
            for _ in range(max(5, args.runs))]
    print(f"one chart, warm, data + figure + png: median {s(statistics.median(runs))}")

    # 3. where a pack's time goes: the data and figures, then each image
    t_plan, planned = timed(lambda: pack.plan(db, unit, period, keys))
    per = []
    for sl in planned.slides:
        per.append((timed(lambda sl=sl: charts.to_image(sl.figure))[0], sl.item.key))
    print(f"pack, data and figures (pack.plan): {s(t_plan)}; the {len(per)} PNGs: {s(sum(t for t, _ in per))} "
          f"(slowest {s(max(per)[0])}: {max(per)[1]})")
    for key in ("tong-quan-xu-huong", "ho-so-linh-vuc", "hai-long-xu-huong", "tai-chinh-thu", "chi-so-766-nhom"):
        if key in keys:
            t, _ = timed(lambda key=key: pack.chart_figure(db, unit, period, key))
            print(f"  data + figure of {key}: {s(t)}")

    # 4. the alternative: every figure in one kaleido call (write_fig_from_object, one task list)
    try:
        import kaleido
        with tempfile.TemporaryDirectory() as tmp:
            ready = [charts.for_export(sl.figure) for sl in planned.slides]
            figs = [f for f, *_ in ready]
            jobs = [{"fig": f.to_plotly_json(), "path": str(Path(tmp) / f"{n}.png"),
                     "opts": {"format": "png", "width": w, "height": h, "scale": scale}}
                    for n, (f, w, h, scale) in enumerate(ready)]
            t_batch, _ = timed(lambda: kaleido.write_fig_from_object_sync(jobs))
            one_by_one = sum(timed(lambda f=f: charts.to_image(f))[0] for f in figs)
        print(f"the {len(figs)} PNGs in one kaleido call: {s(t_batch)}; one call each: {s(one_by_one)}")
    except Exception as e:  # noqa: BLE001 - an alternative measured, not the product's path
        print(f"the batch call could not be measured: {type(e).__name__}: {e}")

    # 5. whole packs, as the page and the CLI build them; the progress callback's steps timed
    for kind in ("pptx", "pdf"):
        runs, size, steps = [], 0, []
        for _ in range(args.runs):
            marks = [(time.perf_counter(), "start")]
            t, built = timed(lambda kind=kind, marks=marks: pack.build_pack(
                db, unit, period, keys, fmt=kind, progress=lambda f, msg: marks.append((time.perf_counter(), msg))))
            runs.append(t)
            size = len(built.data)
            steps = [(b[0] - a[0], a[1]) for a, b in zip(marks, marks[1:])]
        data_s = sum(d for d, text in steps if text.startswith(("start", "Tính")))
        print(f"  last {kind} run: data and figures {s(data_s)} (pages drawn meanwhile), the remaining pages and the "
              f"file {s(t - data_s)}; slowest step "
              f"{s(max(steps)[0])} after “{max(steps)[1]}”")
        med = statistics.median(runs)
        verdict = "met" if med <= TARGET_PACK else "NOT met"
        print(f"pack of {len(keys)} charts, {kind}: median {s(med)} (runs: {', '.join(s(r) for r in runs)}; "
              f"{size / 1e6:.1f} MB) — target ≤ {s(TARGET_PACK)}: {verdict}")
    print(f"one chart after warm-up (slowest format's median): {s(single)} — target ≤ {s(TARGET_CHART)}: "
          f"{'met' if single <= TARGET_CHART else 'NOT met'}")
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
