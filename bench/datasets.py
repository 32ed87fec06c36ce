"""Benchmark datasets: built with the project's own generator (`python -m cchc sample`), or reused.

Each dataset is a sample directory under the data root (default bench/data/, git-ignored). The
generator runs as a child process so its wall time and peak RSS (os.wait4's rusage of that child
alone) are its own; they are kept beside the data in _bench_gen.json so a --reuse run still
reports them.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GEN_RECORD = "_bench_gen.json"
MARKER = "_sample.json"


@dataclass(frozen=True)
class Spec:
    key: str
    provinces: str  # "all" or a comma list of province codes
    scale: float
    label: str
    start: str | None = None  # --from YYYY-MM-DD (None: the generator's default, 2021-01-01)
    end: str | None = None  # --to YYYY-MM-DD (None: the generator's default, 2026-11-30)


# The generator (seed 20231209) writes 01/01/2021–30/11/2026 across the change of map of 01/07/2025:
# `all` is the 34 new provinces (and the 63 old ones before the change). Measured on 04/12/2026:
# `--provinces all --scale 0.0064` gives 1.383.035 dossiers, 0.0046 gives 1.004.978, the default
# sample (Hải Phòng, --scale 1) 8.307.205. The count is linear in the scale; 10m, 50m and hp10 are
# scaled from these (not built yet: check the dossier count in the report's dataset table).
SPECS = {
    "1m": Spec("1m", "all", 0.0046, "34 tỉnh (63 cũ), ~1 M"),
    "10m": Spec("10m", "all", 0.046, "34 tỉnh (63 cũ), ~10 M"),
    "50m": Spec("50m", "all", 0.23, "34 tỉnh (63 cũ), ~50 M"),
    "hp": Spec("hp", "31", 1.0, "Hải Phòng (mới), mẫu mặc định"),
    "hp10": Spec("hp10", "31", 1.2, "Hải Phòng ×1,2, ~10 M"),
}

# National scale over two years across the change of map (01/12/2024–30/11/2026, issue 18): `natcal`
# is the calibration run (dossiers per unit of scale over these two years), `nat` the big one; its
# scale is set in bench/national.py from the calibration (see docs/performance-national.md).
NAT_START, NAT_END = "2024-12-01", "2026-11-30"


def nat_spec(scale: float, key: str = "nat") -> Spec:
    return Spec(key, "all", scale, f"34 tỉnh, 2 năm, hệ số {scale:g}", NAT_START, NAT_END)


# Calibration (05/12/2026, load 1–2): scale 0.02 gave 1.532.723 dossiers in 25,8 s, 0.1 gave 7.607.198 in
# 41,0 s: 76,1 M dossiers per unit of scale over the two years, ≈ 2,5 s per million plus ≈ 22 s.
# `nat` (scale 2.63) is ≈ 200 M dossiers.
SPECS["natcal"] = nat_spec(0.1, "natcal")
SPECS["nat"] = nat_spec(2.63, "nat")


def path_of(spec: Spec, data_root: Path) -> Path:
    name = f"{'all' if spec.provinces == 'all' else 'p' + spec.provinces.replace(',', '-')}-s{spec.scale:g}"
    if spec.start or spec.end:  # a dataset over another period than the default
        name = f"national-{spec.scale:g}" if spec.provinces == "all" else f"{name}-{spec.start}-{spec.end}"
    return data_root / name


def _matches(meta: dict | None, spec: Spec) -> bool:
    if not meta:
        return False
    want = None if spec.provinces == "all" else spec.provinces.split(",")
    if (spec.start and meta.get("start") != spec.start) or (spec.end and meta.get("end") != spec.end):
        return False
    return float(meta.get("scale", -1)) == spec.scale and (want is None and len(meta.get("provinces", [])) >= 34
                                                           or meta.get("provinces") == want)


def _read(p: Path) -> dict | None:
    return json.loads(p.read_text(encoding="utf-8")) if p.exists() else None


def _run(cmd: list[str], target: Path, what: str, log=print) -> dict:
    """Run the generator as a child process into an empty target; {seconds, peak_rss_mb, user_s,
    sys_s, cmd, …} from os.wait4's rusage of that child alone."""
    if target.exists():
        shutil.rmtree(target)  # outside the timing: the generator only writes into an empty folder
    target.parent.mkdir(parents=True, exist_ok=True)
    log(f"  generating {what}: {' '.join(cmd[1:])}")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    out = proc.stdout.read().decode("utf-8", "replace") if proc.stdout else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"generator failed ({proc.returncode}) for {what}: {out}")
    meta = _read(target / MARKER) or {}
    rec = {"seconds": round(seconds, 1), "peak_rss_mb": round(ru.ru_maxrss / 1024, 1),
           "user_s": round(ru.ru_utime, 1), "sys_s": round(ru.ru_stime, 1), "cmd": " ".join(cmd[1:]),
           "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "load_before": load_before,
           "load_after": os.getloadavg()[0], "dossiers": meta.get("counts", {}).get("dossiers"),
           "ratings": meta.get("counts", {}).get("ratings"), "provinces": meta.get("provinces"),
           "start": meta.get("start"), "end": meta.get("end"), "total_mb": round(_du(target) / 2**20, 1)}
    log(f"  {what}: {rec['seconds']} s, peak RSS {rec['peak_rss_mb']} MB, {rec['dossiers']} dossiers")
    return rec


def generate(spec: Spec, target: Path, log=print) -> dict:
    """Build a dataset; return its generation record (kept beside it in _bench_gen.json)."""
    cmd = [sys.executable, "-m", "cchc", "--data-dir", str(target), "sample", "--provinces", spec.provinces,
           "--scale", f"{spec.scale:g}"]
    if spec.start:
        cmd += ["--from", spec.start]
    if spec.end:
        cmd += ["--to", spec.end]
    rec = _run(cmd, target, spec.key, log)
    (target / GEN_RECORD).write_text(json.dumps(rec, indent=1), encoding="utf-8")
    return rec


def default_sample(data_root: Path, log=print) -> dict:
    """The generator's default run, as a newcomer makes it (`make run`): `python -m cchc --data-dir
    <tmp> sample` without options, into a new folder under the data root, removed afterwards. Its
    wall time and peak RSS are what the targets (≤ 60 s, ≤ 1 GB) are about."""
    target = data_root / "default-sample"
    rec = _run([sys.executable, "-m", "cchc", "--data-dir", str(target), "sample"], target, "default sample", log)
    shutil.rmtree(target, ignore_errors=True)
    return rec


def ensure(spec: Spec, data_root: Path, reuse: bool, log=print) -> tuple[Path, dict, bool]:
    """The dataset directory and its generation record; built unless --reuse finds a matching one."""
    target = path_of(spec, data_root)
    if reuse and _matches(_read(target / MARKER), spec):
        rec = _read(target / GEN_RECORD) or {"seconds": _read(target / MARKER).get("seconds"), "peak_rss_mb": None}
        log(f"  reusing {target}")
        return target, rec, True
    return target, generate(spec, target, log), False


def _du(p: Path) -> int:
    return sum(f.stat().st_size for f in p.rglob("*") if f.is_file())


def stats(target: Path) -> dict:
    meta = _read(target / MARKER) or {}
    parts = [d for d in (target / "dossiers").glob("*/*") if d.is_dir()]
    files = list((target / "dossiers").rglob("*.parquet"))
    return {"dossiers": meta.get("counts", {}).get("dossiers"), "ratings": meta.get("counts", {}).get("ratings"),
            "feedback": meta.get("counts", {}).get("feedback"), "provinces": len(meta.get("provinces", [])),
            "partitions": len(parts), "files": len(files), "dossiers_mb": round(_du(target / "dossiers") / 2**20, 1),
            "total_mb": round(_du(target) / 2**20, 1), "generator_seconds": meta.get("seconds"),
            "rollup_rows": _built(target, "dossier_daily").get("rows_built"),
            "rollup_mb": round(_du(target / "dossier_daily") / 2**20, 1) if (target / "dossier_daily").is_dir() else None,
            "rollup_seconds": _built(target, "dossier_daily").get("seconds")}


def _built(target: Path, name: str) -> dict:
    return _read(target / name / "_built.json") or {}
