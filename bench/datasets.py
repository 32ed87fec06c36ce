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


# Scales measured with the generator at seed 20231209: all 63 provinces at --scale 0.01 give
# ~1,57 M dossiers (the count is linear in the scale), Hải Dương at --scale 1 ~3,3 M.
SPECS = {
    "1m": Spec("1m", "all", 0.0064, "63 tỉnh, ~1 M"),
    "10m": Spec("10m", "all", 0.064, "63 tỉnh, ~10 M"),
    "50m": Spec("50m", "all", 0.32, "63 tỉnh, ~50 M"),
    "hd": Spec("hd", "30", 1.0, "Hải Dương, mẫu mặc định"),
    "hd3": Spec("hd3", "30", 3.0, "Hải Dương ×3, ~10 M"),
}


def path_of(spec: Spec, data_root: Path) -> Path:
    return data_root / f"{'all' if spec.provinces == 'all' else 'p' + spec.provinces.replace(',', '-')}-s{spec.scale:g}"


def _matches(meta: dict | None, spec: Spec) -> bool:
    if not meta:
        return False
    want = None if spec.provinces == "all" else spec.provinces.split(",")
    return float(meta.get("scale", -1)) == spec.scale and (want is None and len(meta.get("provinces", [])) >= 60
                                                           or meta.get("provinces") == want)


def _read(p: Path) -> dict | None:
    return json.loads(p.read_text(encoding="utf-8")) if p.exists() else None


def generate(spec: Spec, target: Path, log=print) -> dict:
    """Run the generator in a child process; return {seconds, peak_rss_mb, user_s, sys_s, cmd}."""
    if target.exists():
        shutil.rmtree(target)  # outside the timing: the generator would otherwise delete the old copy itself
    target.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "cchc", "--data-dir", str(target), "sample", "--provinces", spec.provinces,
           "--scale", f"{spec.scale:g}"]
    log(f"  generating {spec.key}: {' '.join(cmd[1:])}")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    out = proc.stdout.read().decode("utf-8", "replace") if proc.stdout else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"generator failed ({proc.returncode}) for {spec.key}: {out}")
    rec = {"seconds": round(seconds, 1), "peak_rss_mb": round(ru.ru_maxrss / 1024, 1),
           "user_s": round(ru.ru_utime, 1), "sys_s": round(ru.ru_stime, 1), "cmd": " ".join(cmd[1:]),
           "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "load_before": load_before,
           "load_after": os.getloadavg()[0]}
    (target / GEN_RECORD).write_text(json.dumps(rec, indent=1), encoding="utf-8")
    log(f"  {spec.key}: {rec['seconds']} s, peak RSS {rec['peak_rss_mb']} MB")
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
