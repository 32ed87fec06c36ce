"""Deterministic sample data: `python -m cchc sample [--seed N] [--scale X] [--provinces 31|all]`.

Generates every table of cchc.schema for one or more provinces of the new map (default: Thành phố
Hải Phòng, new province 31) from 01/01/2021 to 30/11/2026, across the change of administrative map
of 01/07/2025 (cchc.units). Until 30/06/2025 the rows are those of its predecessors on the old map
(old provinces 30 Hải Dương and 31 Hải Phòng, 374 communes in their districts): unit codes of the old
map, district_code set, partition province_code = the old province. From 01/07/2025 they are those of
its 114 new communes: codes of the new map, district_code null, partition province_code = the new
province. A row belongs to the map in force on its day: a dossier to its receipt (one received on
30/06/2025 and finished in July keeps its old commune), a rating and a feedback to their day, a
finance row to its month, a fact to the 31/12 of its year (2021–2024 old communes, 2025–2026 new).
A new commune continues its predecessors (the old communes whose successor_code it is): its volume
is their sum and its habits (fields, lateness, online share, ratings) their volume-weighted mix, with
a little variation of its own. `--provinces` takes new province codes (an old province's code that no
new province reuses, such as 30, means the new province that took it over); `all` is all 34.

Volumes depend on the commune and the field, with seasonal peaks, no receipts on Sundays and
holidays, deadlines in working days per procedure, supplement requests, late dossiers clustered in
some fields and communes, digitisation and online share improving over the years, ratings, rare
feedback, monthly finances and annual facts.

Calibration: xã Quốc Tuấn (10621) over 10/12/2022–09/12/2023 reproduces the figures of its 2023
reform report exactly (see ../shared/seed-figures.md). The targets live in CALIBRATION below and
nowhere else in the product: the app, the queries and the exports compute everything from rows.
`--scale` multiplies the volume of every other commune (for benchmarks) and leaves it unchanged (its
successor, the new xã Trần Phú 10633, carries its part unscaled).
"""
from __future__ import annotations

import csv
import json
import shutil
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from . import access, audit, schema, store, workdays
from .units import MAP_CHANGE, NEW, OLD, OLD_END

REF = Path(__file__).parent / "reference"
MARKER = "_sample.json"
DEFAULT_SEED = 20231209
DEFAULT_START = date(2021, 1, 1)
DEFAULT_END = date(2026, 11, 30)
DEFAULT_PROVINCES = ["31"]  # new map: Thành phố Hải Phòng (old provinces 30 Hải Dương + 31 Hải Phòng)
ROW_GROUP = 65_536
# Communes generated at once: bounds the generator's memory. A new commune receives about as much as
# three old ones, so its chunks are smaller.
CHUNK_COMMUNES = 25
CHUNK_NEW_COMMUNES = 8

# --- Calibration targets (xã Quốc Tuấn, 2023 report). Used by the generator only. ----------------
CALIBRATION = {
    "unit": "10621",
    "start": date(2022, 12, 10),
    "end": date(2023, 12, 9),
    "fields_total": {"Hộ tịch": 719, "Chứng thực": 2412, "Bảo trợ xã hội": 103, "Người có công": 28},
    "new_total": 3241,
    "carried": 21,
    "late": 1,
    "late_field": "Hộ tịch",
    "pending": {"Bảo trợ xã hội": 3, "Người có công": 1},
    "digitised_input": 3210,
    "digitised_result": 3244,
    "finance_year": 2023,
    # item: (actual, plan) in triệu đồng
    "finance": {"thu_ngan_sach": (12951, 12380), "chi_ngan_sach": (9630, 10550), "giai_ngan_dtc": (4112, 4164)},
    "facts_year": 2023,
    "facts": {
        "plans_issued": 15, "plan_tasks_done_pct": 100, "decisions_issued": 11, "letters_publishing_procedures": 53,
        "letters_reform_tasks": 11, "communication_conferences": 12, "communication_news": 24, "communication_radio": 4,
        "reform_initiatives": 1, "legal_education_sessions": 4, "legal_education_attendees": 140,
        "documents_reviewed": 537, "documents_compliant_pct": 100, "law_violations": 0, "unit_class": 2, "villages": 4,
        "population": 8000, "staff_quota": 20, "staff_present": 14, "staff_officials": 8, "staff_civil_servants": 6,
        "staff_vacancies": 3, "staff_contract": 0, "disciplinary_cases": 0, "staff_university": 11, "staff_college": 3,
        "staff_politics_intermediate": 11, "staff_politics_elementary": 3, "documents_issued_electronic": 537,
        "documents_issued_electronic_pct": 100, "website_views": 60000, "one_stop_room_m2": 32,
        "procedures_in_force": 161,
    },
    "facts_note": "Báo cáo kết quả thực hiện nhiệm vụ CCHC năm 2023 của UBND xã Quốc Tuấn",
}

MONTH_SEASON = np.array([1.15, 0.80, 1.05, 1.00, 0.95, 1.00, 1.05, 1.10, 1.05, 1.00, 1.00, 1.10])
DOW = np.array([1.20, 1.00, 1.00, 1.00, 0.85, 0.30, 0.0])  # Mon..Sun; Saturday only where the desk opens
# Per year of receipt (a year past the last one takes the last one's value).
ONLINE_BY_YEAR = {2020: 0.03, 2021: 0.06, 2022: 0.12, 2023: 0.20, 2024: 0.34, 2025: 0.46, 2026: 0.56}
DIGITISED_BY_YEAR = {2020: 0.30, 2021: 0.45, 2022: 0.78, 2023: 0.93, 2024: 0.965, 2025: 0.98, 2026: 0.985}
ERESULT_BY_YEAR = {2020: 0.35, 2021: 0.50, 2022: 0.80, 2023: 0.95, 2024: 0.97, 2025: 0.985, 2026: 0.99}
REUSE_BY_YEAR = {2020: 0.02, 2021: 0.05, 2022: 0.15, 2023: 0.30, 2024: 0.50, 2025: 0.62, 2026: 0.72}
RATE_YEARS = sorted(ONLINE_BY_YEAR)
LATE_PRONE_FIELDS = {"Đất đai": 6.0, "Bảo trợ xã hội": 3.0, "Người có công": 3.0, "Môi trường": 3.0,
                     "Nông nghiệp": 2.0, "Thi đua, khen thưởng": 2.0}


@dataclass
class Catalogue:
    codes: np.ndarray
    names: np.ndarray
    fields: np.ndarray
    field_names: list[str]
    field_idx: np.ndarray
    days: np.ndarray
    online: np.ndarray  # bool: offered online (toan_trinh or mot_phan)
    fee: np.ndarray
    weight: np.ndarray
    valid_from: np.ndarray  # day offsets
    valid_to: np.ndarray

    def cdf_within_field(self, day_offset: int) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """field index -> (procedure indices, cumulative probabilities) for procedures in force that day."""
        ok = (self.valid_from <= day_offset) & (self.valid_to >= day_offset) & (self.weight > 0)
        out = {}
        for f in range(len(self.field_names)):
            idx = np.flatnonzero(ok & (self.field_idx == f))
            if len(idx):
                w = self.weight[idx].astype(float)
                out[f] = (idx, np.cumsum(w) / w.sum())
        return out


def load_procedures() -> pl.DataFrame:
    df = pl.read_csv(REF / "procedures.csv", schema_overrides={"valid_to": pl.Utf8, "valid_from": pl.Utf8})
    return df.with_columns(
        pl.col("valid_from").str.to_date(),
        pl.when(pl.col("valid_to").str.len_chars() > 0).then(pl.col("valid_to")).otherwise(None).str.to_date(),
    )


def load_catalogue(procs: pl.DataFrame) -> Catalogue:
    fields = sorted(procs["field"].unique().to_list())
    fidx = {f: i for i, f in enumerate(fields)}
    far = (workdays.LAST - workdays.FIRST).days
    vf = np.array([(d - workdays.FIRST).days for d in procs["valid_from"]], dtype=np.int64)
    vt = np.array([far if d is None else (d - workdays.FIRST).days for d in procs["valid_to"]], dtype=np.int64)
    return Catalogue(
        codes=procs["code"].to_numpy(), names=procs["name"].to_numpy(), fields=procs["field"].to_numpy(),
        field_names=fields, field_idx=np.array([fidx[f] for f in procs["field"]]),
        days=procs["statutory_days"].to_numpy().astype(np.int64),
        online=np.isin(procs["online_level"].to_numpy(), ["toan_trinh", "mot_phan"]),
        fee=procs["fee_vnd"].to_numpy().astype(np.int64), weight=procs["weight"].to_numpy().astype(float),
        valid_from=vf, valid_to=vt)


def load_units() -> pl.DataFrame:
    """Every unit of both maps (cchc/reference/units.csv), with the columns of schema.UNITS."""
    u = pl.read_csv(REF / "units.csv", infer_schema=False)
    u = u.with_columns([pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in u.columns])
    return u.with_columns(pl.col("valid_from", "valid_to").str.to_date()).select([c.name for c in schema.UNITS.columns])


def resolve_provinces(units: pl.DataFrame, provinces: list[str] | None) -> dict[str, list[str]]:
    """New province code -> the old provinces its history before 01/07/2025 is made of, for the
    provinces asked for (new codes; `all`; an old code no new province reuses means its successor)."""
    prov = units.filter(pl.col("level") == "province")
    new = prov.filter(pl.col("map") == NEW)["code"].to_list()
    old = dict(prov.filter(pl.col("map") == OLD).select("code", "successor_code").iter_rows())
    provinces = provinces or DEFAULT_PROVINCES
    if provinces == ["all"]:
        wanted = list(new)
    else:
        unknown = [p for p in provinces if p not in new and not old.get(p)]
        if unknown:
            raise SampleError(f"Không có tỉnh mã {', '.join(sorted(unknown))} trong danh mục đơn vị hành chính "
                              f"(mã tỉnh mới từ 01/07/2025: {', '.join(sorted(new))}).")
        wanted = [p if p in new else old[p] for p in provinces]
    return {p: sorted(o for o, s in old.items() if s == p) for p in sorted(set(wanted))}


# ------------------------------------------------------------------------------------------------
def _commune_attrs(communes: pl.DataFrame, cat: Catalogue, seed: int, province: str) -> dict[str, np.ndarray]:
    rng = np.random.default_rng([seed, 1, int(province)])
    n = communes.height
    types = communes["type"].to_numpy()
    base = np.where(types == "Phường", 4300.0, np.where(types == "Thị trấn", 3900.0, 3000.0))
    field_w = np.array([cat.weight[cat.field_idx == f].sum() for f in range(len(cat.field_names))])
    mult = rng.lognormal(0.0, 0.35, size=(n, len(field_w)))
    fw = field_w[None, :] * mult
    return {
        "volume": base * rng.lognormal(0.0, 0.30, n),
        "saturday": rng.random(n) < 0.4,
        "late": np.where(rng.random(n) < 0.12, rng.uniform(5, 15, n), rng.uniform(0.3, 1.5, n)),
        "online": rng.lognormal(0.0, 0.35, n),
        "digit": rng.uniform(-0.06, 0.03, n),
        "rate_prop": rng.uniform(0.55, 0.97, n),
        "dissat": rng.lognormal(0.0, 0.6, n),
        "field_cdf": np.cumsum(fw, axis=1) / fw.sum(axis=1, keepdims=True),
    }


def _successor_attrs(rng, new_communes: pl.DataFrame, old_communes: pl.DataFrame, old_attrs: dict[str, np.ndarray],
                     old_volume: np.ndarray, cat: Catalogue) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Attributes of new communes continuing their predecessors (old communes whose successor_code
    they are): volume their sum (old_volume: each predecessor's volume as generated, --scale applied),
    the rest their volume-weighted mix, each with a little variation of its own. A new commune without
    predecessor (Đặc khu Bạch Long Vĩ: its old district had no commune) gets attributes of its own.
    Returns (attributes, number of predecessors per new commune)."""
    n, nf = new_communes.height, len(cat.field_names)
    succ = old_communes["successor_code"].to_numpy()
    pdf_old = np.diff(old_attrs["field_cdf"], axis=1, prepend=0.0)
    field_w = np.array([cat.weight[cat.field_idx == f].sum() for f in range(nf)])
    out = {"volume": np.zeros(n), "saturday": np.zeros(n, bool), "late": np.zeros(n), "online": np.zeros(n),
           "digit": np.zeros(n), "rate_prop": np.zeros(n), "dissat": np.zeros(n), "field_cdf": np.zeros((n, nf))}
    k = np.zeros(n, np.int64)
    own = rng.lognormal(0.0, 1.0, size=(n, 5))  # each draw taken whatever the commune: stable streams
    fresh_w = field_w[None, :] * rng.lognormal(0.0, 0.35, size=(n, nf))
    for j, (code, typ) in enumerate(zip(new_communes["code"], new_communes["type"])):
        preds = np.flatnonzero(succ == code)
        k[j] = len(preds)
        if len(preds) and old_volume[preds].sum() > 0:
            w = old_volume[preds] / old_volume[preds].sum()
            out["volume"][j] = old_volume[preds].sum() * own[j, 0] ** 0.05
            out["saturday"][j] = old_attrs["saturday"][preds[np.argmax(w)]]
            out["late"][j] = (w * old_attrs["late"][preds]).sum() * own[j, 1] ** 0.25
            out["online"][j] = (w * old_attrs["online"][preds]).sum() * own[j, 2] ** 0.15
            out["digit"][j] = (w * old_attrs["digit"][preds]).sum()
            out["rate_prop"][j] = min(0.97, (w * old_attrs["rate_prop"][preds]).sum() * own[j, 3] ** 0.05)
            out["dissat"][j] = (w * old_attrs["dissat"][preds]).sum() * own[j, 4] ** 0.3
            pdf = (w[:, None] * pdf_old[preds]).sum(axis=0)
        else:
            out["volume"][j] = (1500.0 if typ == "Đặc khu" else 3000.0) * own[j, 0] ** 0.3
            out["late"][j] = own[j, 1] ** 0.3
            out["online"][j] = own[j, 2] ** 0.35
            out["rate_prop"][j] = 0.75
            out["dissat"][j] = own[j, 4] ** 0.6
            pdf = fresh_w[j]
        out["field_cdf"][j] = np.cumsum(pdf) / pdf.sum()
    return out, k


def _daily_counts(rng, attrs, days: np.ndarray, scale: np.ndarray, exact_total: int | None = None) -> np.ndarray:
    """Poisson receipts per (commune, day); no receipts on Sundays and holidays."""
    working, _, _ = workdays._arrays()
    off = workdays.offsets(days)
    dt = days.astype("datetime64[D]")
    month = dt.astype("datetime64[M]").astype(int) % 12
    year = dt.astype("datetime64[Y]").astype(int) + 1970
    dow = (dt.astype("int64") + 3) % 7
    open_day = working[off] | (dow == 5)  # Saturday desks open on Saturdays, never on holidays
    hol = workdays.holidays()
    is_hol = np.array([(workdays.FIRST + timedelta(days=int(o))) in hol and hol[workdays.FIRST + timedelta(days=int(o))][1] != "makeup_workday"
                       for o in off], dtype=bool)
    open_day &= ~is_hol
    day_w = MONTH_SEASON[month] * DOW[dow] * (1.0 + 0.035 * (year - 2023)) * open_day
    sat = (dow == 5)[None, :] & ~attrs["saturday"][:, None]
    lam = (attrs["volume"] * scale)[:, None] * (day_w / 260.0)[None, :]
    lam[sat] = 0.0
    if exact_total is not None:
        p = lam.ravel() / lam.sum()
        return rng.multinomial(exact_total, p).reshape(lam.shape)
    return rng.poisson(lam)


def _dossier_block(rng, cat: Catalogue, attrs, commune_idx: np.ndarray, day_off: np.ndarray,
                   forced_fields: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Rows for receipts (commune index, day offset): procedure, channel, dates, flags."""
    n = len(commune_idx)
    if forced_fields is not None:
        fld = forced_fields
    else:
        u = rng.random(n)
        cdf = attrs["field_cdf"][commune_idx]
        fld = (u[:, None] > cdf).sum(axis=1)
        fld = np.minimum(fld, len(cat.field_names) - 1)
    proc = np.full(n, -1, dtype=np.int64)
    # The catalogue changes a few times a year: sample procedures per stretch of days with one catalogue.
    cuts = np.unique(np.concatenate([cat.valid_from, cat.valid_to + 1]))
    seg = np.searchsorted(cuts, day_off, side="right")
    for s in np.unique(seg):
        in_seg = seg == s
        table = cat.cdf_within_field(int(day_off[in_seg][0]))
        for f in np.unique(fld[in_seg]):
            rows = np.flatnonzero(in_seg & (fld == f))
            if f not in table:  # field without procedures that day: fall back to the commonest field
                f2 = max(table, key=lambda k: cat.weight[table[k][0]].sum())
                fld[rows] = f2
                idx, cdfp = table[f2]
            else:
                idx, cdfp = table[f]
            proc[rows] = idx[np.minimum(np.searchsorted(cdfp, rng.random(len(rows))), len(idx) - 1)]
    year = (workdays.EPOCH + day_off).astype("datetime64[Y]").astype(int) + 1970
    yi = np.clip(year, RATE_YEARS[0], RATE_YEARS[-1]) - RATE_YEARS[0]
    online_p = np.array(list(ONLINE_BY_YEAR.values()))[yi] * attrs["online"][commune_idx]
    field_name = np.array(cat.field_names)[cat.field_idx[proc]]
    online_p = np.where(field_name == "Chứng thực", online_p * 0.35, online_p * 1.6)
    u = rng.random(n)
    channel = np.where(cat.online[proc] & (u < np.minimum(online_p, 0.95)), "truc_tuyen",
                       np.where(u > 0.985, "buu_chinh", "truc_tiep"))
    stat = cat.days[proc]
    # Supplement requests (only where the statutory time allows working on the dossier).
    u = rng.random(n)
    sup_count = np.where(stat > 0, np.where(u < 0.004, 2, np.where(u < 0.04, 1, 0)), 0).astype(np.int16)
    sup_days = (sup_count * rng.integers(1, 5, n)).astype(np.int64)
    # Processing time in working days, relative to the statutory time.
    late_rate = 0.0025 * attrs["late"][commune_idx] * np.array([LATE_PRONE_FIELDS.get(f, 1.0) for f in cat.field_names])[cat.field_idx[proc]]
    late_rate = np.where(stat == 0, late_rate * 0.15, late_rate)
    u = rng.random(n)
    early = np.floor(rng.random(n) * np.maximum(stat, 1)).astype(np.int64)
    proc_days = np.where(u < late_rate, stat + 1 + rng.geometric(0.45, n),
                         np.where(u < late_rate + 0.30, stat, np.where(stat > 0, early, 0)))
    due_day = workdays.add_working_days(day_off, stat + sup_days)
    fin_day = workdays.add_working_days(day_off, proc_days + sup_days)
    recv_sec = (7 * 3600 + 30 * 60 + rng.integers(0, 9 * 3600, n)).astype(np.int64)
    same = fin_day == day_off
    fin_sec = np.where(same, np.minimum(recv_sec + rng.integers(600, 7200, n), 17 * 3600 + 30 * 60),
                       8 * 3600 + rng.integers(0, 8 * 3600, n))
    ret_delay = np.where(rng.random(n) < 0.8, 0, rng.integers(1, 4, n))
    u = rng.random(n)
    status = np.where(u < 0.003, "tu_choi", np.where(u < 0.004, "rut", "da_tra"))
    digit_p = np.array(list(DIGITISED_BY_YEAR.values()))[yi] + attrs["digit"][commune_idx]
    eres_p = np.array(list(ERESULT_BY_YEAR.values()))[yi] + attrs["digit"][commune_idx]
    reuse_p = np.array(list(REUSE_BY_YEAR.values()))[yi] + attrs["digit"][commune_idx]
    fee = cat.fee[proc]
    paid_online = (fee > 0) & (rng.random(n) < np.where(channel == "truc_tuyen", 0.7, 0.04))
    return {
        "commune": commune_idx, "proc": proc, "day": day_off, "channel": channel,
        "recv_sec": recv_sec, "due_day": due_day, "fin_day": fin_day, "fin_sec": fin_sec,
        "ret_day": fin_day + ret_delay, "status": status, "sup_count": sup_count,
        "sup_days": sup_days.astype(np.int16), "digitised_input": rng.random(n) < digit_p,
        "e_result": rng.random(n) < eres_p, "reused_data": rng.random(n) < reuse_p,
        "paid_online": paid_online, "fee": fee,
    }


def _concat(blocks: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {k: np.concatenate([b[k] for b in blocks]) for k in blocks[0]}


def _take(block: dict[str, np.ndarray], mask: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[mask] for k, v in block.items()}


# --- Calibration of xã Quốc Tuấn ----------------------------------------------------------------
def _off(d: date) -> int:
    return (d - workdays.FIRST).days


def _calibrated_unit(rng, cat: Catalogue, attrs, ci: int, start: date, end: date) -> dict[str, np.ndarray]:
    """All dossiers of the calibrated commune, its figures over the calibration window exact."""
    cal = CALIBRATION
    w0, w1 = _off(cal["start"]), _off(cal["end"])
    days = np.arange(np.datetime64(start), np.datetime64(end) + 1)
    one = {k: (v[ci:ci + 1] if isinstance(v, np.ndarray) else v) for k, v in attrs.items()}
    off = workdays.offsets(days)
    pre_days, win_days, post_days = days[off < w0], days[(off >= w0) & (off <= w1)], days[off > w1]
    # Before the window: ordinary generation.
    cnt = _daily_counts(rng, one, pre_days, np.ones(1))[0]
    pre = _dossier_block(rng, cat, one, np.zeros(cnt.sum(), dtype=np.int64), np.repeat(workdays.offsets(pre_days), cnt))
    # Carried over into the window: exactly `carried` dossiers received before it and finished in it,
    # on time; every other earlier dossier finishes before the window starts.
    last_before = _off(workdays.previous_working_day(cal["start"]))
    crosses = pre["due_day"] >= w0
    calib_fields = np.isin(cat.field_idx[pre["proc"]], [cat.field_names.index(f) for f in cal["fields_total"]])
    cand = np.flatnonzero(crosses & calib_fields & (cat.days[pre["proc"]] > 0))[::-1][: cal["carried"]]
    if len(cand) < cal["carried"]:  # not enough long procedures received late: lengthen the latest ones
        long_proc = np.flatnonzero((cat.field_names.index("Hộ tịch") == cat.field_idx) & (cat.days >= 3) & (cat.weight > 0)
                                   & (cat.valid_from <= w0) & (cat.valid_to >= w0))[0]
        extra = np.setdiff1d(np.flatnonzero(pre["day"] >= w0 - 5), cand)[::-1][: cal["carried"] - len(cand)]
        pre["proc"][extra] = long_proc
        pre["fee"][extra] = cat.fee[long_proc]
        pre["due_day"][extra] = workdays.add_working_days(pre["day"][extra], cat.days[long_proc] + pre["sup_days"][extra])
        cand = np.concatenate([cand, extra])
    carried = np.zeros(len(pre["day"]), bool)
    carried[cand] = True
    fin = pre["fin_day"].copy()
    fin[carried] = np.maximum(w0, np.minimum(pre["fin_day"][carried], pre["due_day"][carried]))
    fin[carried] = np.where(fin[carried] > pre["due_day"][carried], pre["due_day"][carried], fin[carried])
    clip = ~carried & (fin >= w0)
    fin[clip] = np.maximum(pre["day"][clip], np.minimum(last_before, pre["due_day"][clip]))
    pre["fin_day"], pre["ret_day"] = fin, np.where(carried | clip, fin, pre["ret_day"])
    pre["fin_sec"] = np.where(carried | clip, np.maximum(pre["fin_sec"], pre["recv_sec"]), pre["fin_sec"])
    pre["status"] = np.where(carried, "da_tra", pre["status"])
    # The window: exactly new_total receipts, fields exact.
    carried_fields = np.bincount(cat.field_idx[pre["proc"][carried]], minlength=len(cat.field_names))
    labels = []
    for f, total in cal["fields_total"].items():
        labels += [cat.field_names.index(f)] * (total - int(carried_fields[cat.field_names.index(f)]))
    labels = np.array(labels)
    assert len(labels) == cal["new_total"], "calibration fields do not add up"
    cnt = _daily_counts(rng, one, win_days, np.ones(1), exact_total=cal["new_total"])[0]
    wday = np.repeat(workdays.offsets(win_days), cnt)
    win = _dossier_block(rng, cat, one, np.zeros(len(wday), dtype=np.int64), wday, forced_fields=rng.permutation(labels))
    n = len(wday)
    # Pending at the end: the latest receipts of the named fields, still within their deadline.
    pending = np.zeros(n, bool)
    for f, k in cal["pending"].items():
        fi = cat.field_names.index(f)
        idx = np.flatnonzero(cat.field_idx[win["proc"]] == fi)
        idx = idx[np.argsort(win["day"][idx], kind="stable")][::-1]
        chosen = []
        for i in idx:
            if len(chosen) == k:
                break
            if cat.days[win["proc"][i]] < 5:
                continue
            if win["due_day"][i] <= w1:  # move the receipt close to the end so the deadline falls after it
                win["day"][i] = _off(workdays.previous_working_day(cal["end"] - timedelta(days=int(rng.integers(0, 6)))))
                win["due_day"][i] = workdays.add_working_days(win["day"][i:i + 1], cat.days[win["proc"][i:i + 1]] + win["sup_days"][i:i + 1])[0]
            if win["due_day"][i] > w1:
                chosen.append(i)
        assert len(chosen) == k, f"calibration: no room for {k} pending dossiers of {f}"
        pending[chosen] = True
        win["fin_day"][chosen] = np.minimum(win["due_day"][chosen], np.maximum(win["fin_day"][chosen], w1 + 3))
        win["status"][chosen] = "da_tra"
    # Everything else received in the window finishes in it, on time...
    rest = ~pending
    win["fin_day"][rest] = np.maximum(win["day"][rest], np.minimum(np.minimum(win["fin_day"][rest], win["due_day"][rest]), w1))
    win["status"][rest] = "da_tra"
    # ...but one, late.
    lf = cat.field_names.index(cal["late_field"])
    late_c = np.flatnonzero(rest & (cat.field_idx[win["proc"]] == lf) & (cat.days[win["proc"]] > 0)
                            & (win["due_day"] < w1 - 10) & (win["day"] > w0 + 30))
    late_i = late_c[rng.integers(0, len(late_c))]
    win["fin_day"][late_i] = workdays.add_working_days(win["due_day"][late_i:late_i + 1], np.array([2]))[0]
    win["ret_day"] = np.where(pending, win["fin_day"], np.minimum(win["fin_day"] + (win["ret_day"] - win["fin_day"]), np.maximum(win["fin_day"], w1)))
    win["fin_sec"] = np.where(win["fin_day"] == win["day"], np.maximum(win["fin_sec"], win["recv_sec"] + 600), win["fin_sec"])
    # Digitisation: exact counts.
    dig = np.ones(n, bool)
    dig[rng.choice(n, n - cal["digitised_input"], replace=False)] = False
    win["digitised_input"] = dig
    resolved_pre = np.flatnonzero(carried)
    resolved_win = np.flatnonzero(~pending)
    n_res = len(resolved_pre) + len(resolved_win)
    eres_all = np.ones(n_res, bool)
    eres_all[rng.choice(n_res, n_res - cal["digitised_result"], replace=False)] = False
    pre["e_result"][resolved_pre] = eres_all[: len(resolved_pre)]
    win["e_result"][resolved_win] = eres_all[len(resolved_pre):]
    win["e_result"][pending] = True
    # After the window: ordinary generation.
    cnt = _daily_counts(rng, one, post_days, np.ones(1))[0]
    post = _dossier_block(rng, cat, one, np.zeros(cnt.sum(), dtype=np.int64), np.repeat(workdays.offsets(post_days), cnt))
    out = _concat([pre, win, post])
    out["commune"][:] = ci
    out["calibrated_window"] = np.concatenate([carried, ~pending, np.zeros(len(post["day"]), bool)])
    return out


# --- Rows to tables --------------------------------------------------------------------------
def _to_dossiers(b: dict[str, np.ndarray], communes: pl.DataFrame, cat: Catalogue, province: str, data_end: date) -> pl.DataFrame:
    end_off = _off(data_end)
    epoch_s = np.datetime64(workdays.FIRST.isoformat(), "s")
    day_s = lambda d: epoch_s + (d.astype(np.int64) * 86400).astype("timedelta64[s]")  # noqa: E731
    finished = b["fin_day"] <= end_off
    returned = finished & (b["ret_day"] <= end_off)
    sup = b["sup_count"] > 0
    status = np.where(~finished, np.where(sup & (b["fin_day"] - b["day"] < 3), "bo_sung", "dang_xu_ly"),
                      np.where(returned | (b["status"] != "da_tra"), b["status"], "da_xu_ly"))
    recv = day_s(b["day"]) + b["recv_sec"].astype("timedelta64[s]")
    fin = day_s(b["fin_day"]) + b["fin_sec"].astype("timedelta64[s]")
    ret = np.maximum(fin, day_s(b["ret_day"]) + np.timedelta64(16 * 3600, "s"))
    df = pl.DataFrame({
        "unit_code": communes["code"].to_numpy()[b["commune"]],
        "district_code": communes["district_code"].gather(b["commune"]),
        "procedure_code": cat.codes[b["proc"]],
        "field": cat.fields[b["proc"]],
        "channel": b["channel"],
        "received_at": recv.astype("datetime64[ms]"),
        "due_at": (day_s(b["due_day"]) + np.timedelta64(17 * 3600, "s")).astype("datetime64[ms]"),
        "finished_at": np.where(finished, fin, np.datetime64("NaT")).astype("datetime64[ms]"),
        "returned_at": np.where(returned & (b["status"] == "da_tra"), ret, np.datetime64("NaT")).astype("datetime64[ms]"),
        "status": status,
        "supplement_count": b["sup_count"], "supplement_days": b["sup_days"],
        "digitised_input": b["digitised_input"], "e_result": b["e_result"], "reused_data": b["reused_data"],
        "paid_online": b["paid_online"], "fee_vnd": b["fee"], "_row": np.arange(len(b["day"])),
    }).sort(["unit_code", "received_at"], maintain_order=True)
    df = df.with_columns(
        pl.col("received_at").dt.year().cast(pl.Int16).alias("year"),
        pl.lit(province).alias("province_code"),
        (pl.col("received_at").dt.strftime("%y%m%d")).alias("_d"),
    )
    df = df.with_columns(seq=pl.int_range(1, pl.len() + 1).over(["unit_code", "_d"]))
    df = df.with_columns(dossier_id=pl.concat_str([pl.col("unit_code"), pl.lit("-"), pl.col("_d"), pl.lit("-"),
                                                   pl.col("seq").cast(pl.Utf8).str.zfill(4)]))
    return df.select([c.name for c in schema.DOSSIERS.columns] + ["_row"]).cast(
        {c.name: pl.from_arrow(pa.array([], c.type)).dtype for c in schema.DOSSIERS.columns})


def _ratings(rng, d: pl.DataFrame, attrs, communes: pl.DataFrame, calibrated: np.ndarray | None,
             successor: dict[str, tuple[str, str]] | None = None) -> pl.DataFrame:
    """One rating form for a share of resolved dossiers (all of them in the calibration window).
    A form filled from 01/07/2025 on a dossier of an old commune is the new map's: it goes to the
    commune's successor (successor: old code -> (new code, new province)), district null."""
    res = d.filter(pl.col("finished_at").is_not_null() & pl.col("status").is_in(["da_tra", "da_xu_ly"]))
    codes = communes["code"].to_list()
    ci = (res["unit_code"].replace_strict(codes, list(range(len(codes))), return_dtype=pl.Int64).to_numpy()
          if res.height else np.zeros(0, int))
    n = res.height
    yr = res["finished_at"].dt.year().to_numpy() if n else np.zeros(0)
    p = np.clip(attrs["rate_prop"][ci] + 0.04 * (yr - 2023), 0.3, 0.99)
    late = (res["finished_at"].dt.date() > res["due_at"].dt.date()).to_numpy() if n else np.zeros(0, bool)
    rated = rng.random(n) < p
    dis = np.clip(0.004 * attrs["dissat"][ci] + 0.35 * late, 0, 0.9)
    u = rng.random(n)
    level = np.where(u < dis * 0.6, 1, np.where(u < dis, 2, np.where(u < 0.45, 3, 4)))
    if calibrated is not None:
        cal_ids = set(d.filter(pl.Series(calibrated))["dossier_id"].to_list())
        in_cal = res["dossier_id"].is_in(list(cal_ids)).to_numpy()
        rated = np.where(in_cal, True, rated)
        level = np.where(in_cal, np.where(u < 0.6, 4, 3), level)
    r = res.filter(pl.Series(rated)).with_columns(
        level=pl.Series(level[rated].astype(np.int16)),
        channel=pl.Series(np.where(rng.random(int(rated.sum())) < 0.85, "tai_quay", "truc_tuyen")),
    )
    r = r.with_columns(
        rated_at=pl.col("finished_at") + pl.duration(minutes=5),
        rating_id=pl.lit("R-") + pl.col("dossier_id"),
    ).with_columns(year=pl.col("rated_at").dt.year().cast(pl.Int16))
    if successor is not None and r.height:
        moved = pl.col("rated_at") >= datetime.combine(MAP_CHANGE, datetime.min.time())
        r = r.with_columns(
            unit_code=pl.when(moved).then(pl.col("unit_code").replace_strict({k: v[0] for k, v in successor.items()},
                                                                            default=None)).otherwise(pl.col("unit_code")),
            district_code=pl.when(moved).then(None).otherwise(pl.col("district_code")),
            province_code=pl.when(moved).then(pl.col("unit_code").replace_strict({k: v[1] for k, v in successor.items()},
                                                                                default=None)).otherwise(pl.col("province_code")),
        ).filter(pl.col("unit_code").is_not_null())  # a commune dissolved without successor: no form after its end
    return r.select([c.name for c in schema.RATINGS.columns])


def _feedback(rng, communes: pl.DataFrame, province: str, start: date, end: date, data_end: date,
              rate: np.ndarray | None = None) -> pl.DataFrame:
    """Feedback received from start to end (one map's stretch) by the communes, handled by data_end at
    the latest; rate: per commune, the mean number a year (default 0,45)."""
    cal = CALIBRATION
    rows = []
    rate = np.full(communes.height, 0.45) if rate is None else rate
    for code, dist, lam in zip(communes["code"], communes["district_code"], rate):
        for y in range(start.year, end.year + 1):
            k = rng.poisson(lam)
            for j in range(k):
                d = date(y, 1, 1) + timedelta(days=int(rng.integers(0, 365)))
                if d > end or d < start or not workdays.is_working_day(d):
                    continue
                if code == cal["unit"] and cal["start"] <= d <= cal["end"]:
                    continue
                o = np.array([_off(d)])
                due = workdays.add_working_days(o, np.array([15]))[0]
                late = rng.random() < 0.12
                h = workdays.add_working_days(o, np.array([int(rng.integers(16, 30)) if late else int(rng.integers(2, 15))]))[0]
                handled = workdays.FIRST + timedelta(days=int(h))
                kind = rng.choice(list(schema.FEEDBACK_KINDS), p=[0.25, 0.5, 0.15, 0.10])
                rows.append({
                    "feedback_id": f"PA-{code}-{d:%y%m%d}-{j + 1:02d}", "unit_code": code, "district_code": dist,
                    "province_code": province, "dossier_id": None,
                    "field": rng.choice(["Đất đai", "Hộ tịch", "Chứng thực", "Bảo trợ xã hội", "Xây dựng"]) if kind != "thai_do" else None,
                    "kind": kind, "channel": rng.choice(list(("cong_dvc", "truc_tiep", "duong_day_nong", "van_ban"))),
                    "received_at": datetime(d.year, d.month, d.day, 9, 0),
                    "due_at": datetime.combine(workdays.FIRST + timedelta(days=int(due)), datetime.min.time()) + timedelta(hours=17),
                    "handled_at": None if handled > data_end else datetime(handled.year, handled.month, handled.day, 15, 0),
                    "outcome": None if handled > data_end else rng.choice(list(schema.FEEDBACK_OUTCOMES), p=[0.6, 0.3, 0.1]),
                    "citizen_satisfied": None if handled > data_end else bool(rng.random() < (0.55 if late else 0.85)),
                })
    return pl.DataFrame(rows, schema=_pl_schema(schema.FEEDBACK))


def _pl_schema(t: schema.Table) -> dict:
    return {c.name: pl.from_arrow(pa.array([], c.type)).dtype for c in t.columns}


def _split_months(rng, total: int, weights: np.ndarray) -> np.ndarray:
    """Split an integer amount over months, exactly."""
    w = weights / weights.sum()
    parts = np.floor(total * w).astype(np.int64)
    parts[-1] += total - parts.sum()
    return parts


def _finances(rng, codes: list[str], sizes: np.ndarray, first: date, last: date) -> pl.DataFrame:
    """Monthly plan and actual of each commune (sizes: its scale, 1 = an ordinary old commune) for the
    months whose first day is within first..last; a year's plan is split over its twelve months."""
    cal = CALIBRATION
    shapes = {
        "thu_ngan_sach": np.array([0.06, 0.05, 0.07, 0.08, 0.08, 0.09, 0.08, 0.08, 0.09, 0.09, 0.10, 0.13]),
        "chi_ngan_sach": np.array([0.07, 0.07, 0.08, 0.08, 0.08, 0.08, 0.08, 0.08, 0.08, 0.09, 0.09, 0.11]),
        "giai_ngan_dtc": np.array([0.01, 0.02, 0.04, 0.05, 0.07, 0.10, 0.08, 0.09, 0.12, 0.12, 0.13, 0.17]),
    }
    scale = {"thu_ngan_sach": 11.0e9, "chi_ngan_sach": 9.5e9, "giai_ngan_dtc": 4.0e9}
    rows = {k: [] for k in ("unit_code", "year", "month", "item", "plan_vnd", "actual_vnd")}
    for code, size in zip(codes, sizes):
        for y in range(first.year, last.year + 1):
            months = [m for m in range(1, 13) if first <= date(y, m, 1) <= last]
            for item, shape in shapes.items():
                if code == cal["unit"] and y == cal["finance_year"]:
                    actual_tr, plan_tr = cal["finance"][item]
                    plan, actual = plan_tr * 1_000_000, actual_tr * 1_000_000
                else:
                    plan = int(round(scale[item] * size * (1 + 0.05 * (y - 2021)) * rng.lognormal(0, 0.1), -6))
                    perf = {"thu_ngan_sach": rng.normal(1.03, 0.08), "chi_ngan_sach": rng.normal(0.93, 0.06),
                            "giai_ngan_dtc": min(1.0, rng.normal(0.93, 0.07))}[item]
                    actual = int(round(plan * perf, -6))
                plan_m = _split_months(rng, plan, shape)
                act_m = _split_months(rng, actual, shape * rng.lognormal(0, 0.15, 12))
                for m in months:
                    rows["unit_code"].append(code)
                    rows["year"].append(y)
                    rows["month"].append(m)
                    rows["item"].append(item)
                    rows["plan_vnd"].append(int(plan_m[m - 1]))
                    rows["actual_vnd"].append(int(act_m[m - 1]))
    return pl.DataFrame(rows).cast(_pl_schema(schema.FINANCES))


def facts_years(start: date, end: date) -> list[int]:
    """Years whose annual report the sample holds: from start's year, each year the data reach 30/11
    of (the report is drafted in late November for the year ending 14/12)."""
    return list(range(start.year, (end.year if end >= date(end.year, 11, 30) else end.year - 1) + 1))


def _facts(rng, communes: pl.DataFrame, years: list[int], end: date, procs: pl.DataFrame, pops: np.ndarray,
           size: np.ndarray | None = None) -> pl.DataFrame:
    """The annual facts of the communes for these years (entered 15/12, or on the data's last day when
    it comes first); pops: population; size: predecessors merged into each (1 for an old commune)."""
    cal = CALIBRATION
    rows = []
    size = np.ones(communes.height) if size is None else np.maximum(size, 1)
    entered = datetime(end.year, end.month, end.day, 8, 0)
    for code, pop, merged in zip(communes["code"], pops, size):
        grow = float(merged) ** 0.6  # a merged commune has more staff and documents, not so many times more
        for y in years:
            if code == cal["unit"] and y == cal["facts_year"]:
                vals = dict(cal["facts"])
                note = cal["facts_note"]
            else:
                quota = int(rng.integers(18, 24) * grow)
                present = quota - int(rng.integers(0, 5))
                officials = int(rng.integers(7, 10) * grow)
                uni = int(round(present * rng.uniform(0.55, 0.9)))
                pol = int(round(present * rng.uniform(0.5, 0.9)))
                docs = int(rng.integers(300, 900) * grow)
                in_force = procs.filter((pl.col("valid_from") <= date(y, 12, 9)) &
                                        (pl.col("valid_to").is_null() | (pl.col("valid_to") >= date(y, 12, 9)))).height
                vals = {
                    "plans_issued": int(rng.integers(8, 18)), "plan_tasks_done_pct": float(min(100, rng.normal(96, 4))),
                    "decisions_issued": int(rng.integers(4, 15)), "letters_publishing_procedures": int(rng.integers(10, 60)),
                    "letters_reform_tasks": int(rng.integers(3, 15)), "communication_conferences": int(rng.integers(4, 15)),
                    "communication_news": int(rng.integers(6, 40)), "communication_radio": int(rng.integers(2, 12)),
                    "reform_initiatives": int(rng.integers(0, 3)), "legal_education_sessions": int(rng.integers(2, 10)),
                    "legal_education_attendees": int(rng.integers(60, 600)), "documents_reviewed": docs,
                    "documents_compliant_pct": float(min(100, rng.normal(99, 1.5))), "law_violations": int(rng.poisson(0.5)),
                    "unit_class": int(rng.choice([1, 2, 3], p=[0.3, 0.55, 0.15])), "villages": int(rng.integers(3, 14) * merged),
                    "population": int(pop), "staff_quota": quota, "staff_present": present, "staff_officials": officials,
                    "staff_civil_servants": present - officials, "staff_vacancies": quota - present,
                    "staff_contract": int(rng.integers(0, 3)), "disciplinary_cases": int(rng.poisson(0.1)),
                    "staff_university": uni, "staff_college": present - uni, "staff_politics_intermediate": pol,
                    "staff_politics_elementary": present - pol, "documents_issued_electronic": int(docs * rng.uniform(0.9, 1.0)),
                    "documents_issued_electronic_pct": float(min(100, rng.normal(97, 3))),
                    "website_views": int(rng.integers(5000, 90000)), "one_stop_room_m2": int(rng.integers(20, 60)),
                    "procedures_in_force": in_force,
                }
                note = f"Báo cáo CCHC năm {y}"
            for k, v in vals.items():
                rows.append({"unit_code": code, "year": y, "indicator": k, "value": float(v), "note": note,
                             "entered_by": "sample", "entered_at": min(datetime(y, 12, 15, 8, 0), entered)})
    return pl.DataFrame(rows, schema=_pl_schema(schema.FACTS))


# --- Writing ---------------------------------------------------------------------------------
def _arrow_schema(t: schema.Table) -> pa.Schema:
    """The table's Arrow schema, district_code allowed null: a row of the new map (from 01/07/2025)
    has no district (cchc.units)."""
    return pa.schema([f.with_nullable(True) if f.name == "district_code" else f for f in t.arrow_schema])


class _PartitionWriter:
    """Appends the chunks of a partitioned table to one file per partition (row groups of ROW_GROUP
    rows), so generating in chunks does not multiply the files a query must open."""

    def __init__(self, t: schema.Table, root: Path):
        self.t, self.root = t, root
        self.schema = pa.schema([_arrow_schema(t).field(c) for c in t.file_columns])
        self.writers: dict[tuple, pq.ParquetWriter] = {}

    def write(self, df: pl.DataFrame) -> None:
        t = self.t
        for key in df.select(list(t.partition_by)).unique().sort(list(t.partition_by)).rows():
            w = self.writers.get(key)
            if w is None:
                d = self.root / t.name / "/".join(f"{c}={v}" for c, v in zip(t.partition_by, key))
                d.mkdir(parents=True, exist_ok=True)
                existing = len(list(d.glob("*.parquet")))  # never over a file another writer made
                w = self.writers[key] = pq.ParquetWriter(d / f"part-{existing:04d}.parquet", self.schema)
            part = df.filter(pl.all_horizontal([pl.col(c) == v for c, v in zip(t.partition_by, key)]))
            w.write_table(part.select(t.file_columns).to_arrow().cast(self.schema), row_group_size=ROW_GROUP)

    def close(self) -> None:
        for w in self.writers.values():
            w.close()
        self.writers.clear()


def _write(df: pl.DataFrame, t: schema.Table, root: Path) -> None:
    tbl = df.select([c.name for c in t.columns]).to_arrow().cast(_arrow_schema(t))
    if not t.partition_by:
        pq.write_table(tbl, root / f"{t.name}.parquet", row_group_size=ROW_GROUP)
        return
    keys = df.select(list(t.partition_by)).unique().sort(list(t.partition_by)).rows()
    for key in keys:
        part = df.filter(pl.all_horizontal([pl.col(c) == v for c, v in zip(t.partition_by, key)]))
        d = root / t.name / "/".join(f"{c}={v}" for c, v in zip(t.partition_by, key))
        d.mkdir(parents=True, exist_ok=True)
        existing = len(list(d.glob("*.parquet")))
        pq.write_table(part.select(t.file_columns).to_arrow().cast(
            pa.schema([_arrow_schema(t).field(c) for c in t.file_columns])),
            d / f"part-{existing:04d}.parquet", row_group_size=ROW_GROUP)


def generate(data_dir: Path, seed: int = DEFAULT_SEED, scale: float = 1.0, provinces: list[str] | None = None,
             start: date = DEFAULT_START, end: date = DEFAULT_END,
             progress: Callable[[str], None] | None = None) -> dict:
    """Write the whole sample dataset to data_dir, which must be empty (or hold only a README.md) or
    hold nothing but a previous sample (``refusal``): built in a folder beside it, then swapped in with
    one atomic exchange (cchc.store), so a crash leaves the old folder or the new one."""
    t0 = time.perf_counter()
    data_dir = Path(data_dir)
    if data_dir.exists() and not data_dir.is_dir():
        raise SampleError(refusal(data_dir))
    units = load_units()
    plan = resolve_provinces(units, provinces)
    if start > end:
        raise SampleError(f"Khoảng thời gian không hợp lệ: {start:%d/%m/%Y} sau {end:%d/%m/%Y}.")
    parent = data_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    # One run at a time for this folder; what killed runs left beside it goes first.
    with store.lock(parent, f"{data_dir.name}.sample", what=f"dữ liệu mẫu vào {data_dir.name}"):
        store.clean_leftovers(parent, data_dir.name)
        store.recover(data_dir)
        why = refusal(data_dir)
        if why:
            raise SampleError(why)
        tmp = store.temp_dir(parent, data_dir.name)
        try:
            meta = _generate_into(tmp, seed, scale, plan, units, start, end, progress, t0)
            if not data_dir.exists():
                store.swap_dir(tmp, data_dir)
            else:
                # Writers inside the folder hold its lock shared: wait for them, look again, swap.
                with store.directory(data_dir, exclusive=True):
                    why = refusal(data_dir)
                    if why:
                        raise SampleError(why)
                    for keep in KEPT_FILES:
                        if (data_dir / keep).is_file():
                            shutil.copy2(data_dir / keep, tmp / keep)
                    store.swap_dir(tmp, data_dir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return meta


def _dossiers(outs: tuple[_PartitionWriter, _PartitionWriter], seed: int, tag: int, key: str, cat: Catalogue,
              communes: pl.DataFrame, attrs: dict, unit_scale: np.ndarray, partition: str, lo: date, hi: date,
              data_end: date, chunk: int, say: Callable[[str], None], label: str, cal: tuple | None = None,
              successor: dict | None = None) -> tuple[int, dict[str, int]]:
    """The dossiers received lo..hi by the communes (one province of one map), and their ratings,
    appended to the writers; returns (dossiers, ratings per map of their day). tag separates the random streams of the
    maps (province codes are reused); cal = (commune index, block) of the calibrated commune."""
    cal_i, cal_block = cal if cal else (None, None)
    n_d, n_r = 0, {OLD: 0, NEW: 0}
    change = datetime.combine(MAP_CHANGE, datetime.min.time())
    for y in range(lo.year, hi.year + 1):
        days = np.arange(np.datetime64(max(lo, date(y, 1, 1))), np.datetime64(min(hi, date(y, 12, 31))) + 1)
        n_year = 0
        # Communes in chunks, so memory is bounded by a chunk, not by the province-year.
        for c0 in range(0, communes.height, chunk):
            idx = np.arange(c0, min(c0 + chunk, communes.height))
            rng = np.random.default_rng([seed, 3 + tag, int(key), y, c0])
            sub = {k: v[idx] for k, v in attrs.items()}
            cnt = _daily_counts(rng, sub, days, unit_scale[idx])
            ci, di = np.nonzero(cnt)
            reps = cnt[ci, di]
            block = _dossier_block(rng, cat, attrs, np.repeat(idx[ci], reps), np.repeat(workdays.offsets(days)[di], reps))
            calibrated = None
            if cal_block is not None and cal_i in idx:
                yr = (workdays.EPOCH + cal_block["day"]).astype("datetime64[Y]").astype(int) + 1970
                mine = _take(cal_block, yr == y)
                calibrated = np.concatenate([np.zeros(len(block["day"]), bool), mine.pop("calibrated_window")])
                block = _concat([block, mine])
            if len(block["day"]) == 0:
                continue
            d = _to_dossiers(block, communes, cat, partition, data_end)
            if calibrated is not None:  # _to_dossiers sorts: follow each row to its new place
                calibrated = calibrated[d["_row"].to_numpy()]
            d = d.drop("_row")
            outs[0].write(d)
            r = _ratings(np.random.default_rng([seed, 4 + tag, int(key), y, c0]), d, attrs, communes, calibrated,
                         successor)
            outs[1].write(r)
            n_d += d.height
            n_new = r.filter(pl.col("rated_at") >= change).height
            n_r[OLD] += r.height - n_new
            n_r[NEW] += n_new
            n_year += d.height
            del block, d, r
        say(f"{label}, năm {y}: {n_year:_} hồ sơ".replace("_", "."))
    return n_d, n_r


def _sum_by(codes: list[str], keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """For each code, the sum of values whose key is that code."""
    pos = {c: i for i, c in enumerate(codes)}
    out = np.zeros(len(codes))
    for k, v in zip(keys, values):
        if k in pos:
            out[pos[k]] += v
    return out


def _generate_into(tmp: Path, seed: int, scale: float, plan: dict[str, list[str]], units: pl.DataFrame, start: date,
                   end: date, progress: Callable[[str], None] | None, t0: float) -> dict:
    """The whole sample dataset, written into the new folder tmp (with its marker and manifest): for
    each new province, its old provinces until 30/06/2025, then its new communes (module doc)."""
    say = progress or (lambda s: None)
    procs = load_procedures()
    cat = load_catalogue(procs)
    counts = {"dossiers": 0, "ratings": 0, "feedback": 0}
    by_map = {m: {"dossiers": 0, "ratings": 0} for m in (OLD, NEW)}
    cal_unit = CALIBRATION["unit"]
    feedback, finances, facts = [], [], []
    old_hi, new_lo = min(end, OLD_END), max(start, MAP_CHANGE)
    fyears = facts_years(start, end)
    new_units = units.filter(pl.col("map") == NEW)
    new_province_of = dict(new_units.select("code", "province_code").iter_rows())
    for p, olds in plan.items():
        outs = (_PartitionWriter(schema.DOSSIERS, tmp), _PartitionWriter(schema.RATINGS, tmp))
        old_frames, old_attrs, old_volume, old_sizes, old_pops = [], [], [], [], []
        for o in olds:
            communes = units.filter((pl.col("map") == OLD) & (pl.col("province_code") == o)
                                    & (pl.col("level") == "commune")).sort("code")
            attrs = _commune_attrs(communes, cat, seed, o)
            codes = communes["code"].to_list()
            # The calibrated commune is generated to the report's figures when the range covers the
            # report's period (with a month before it for the carried-over dossiers); else like the others.
            covers = start <= CALIBRATION["start"] - timedelta(days=30) and old_hi >= CALIBRATION["end"]
            cal_i = codes.index(cal_unit) if cal_unit in codes and covers else None
            unit_scale = np.full(communes.height, scale)
            frng = np.random.default_rng([seed, 5, int(o)])
            sizes = frng.lognormal(0, 0.35, communes.height)
            pops = np.exp(np.log(np.where(communes["type"].to_numpy() == "Xã", 9000, 12000))
                          + frng.normal(0, 0.3, communes.height)).astype(np.int64)
            if start <= old_hi:
                cal = None
                if cal_i is not None:
                    unit_scale[cal_i] = 0.0
                    cal = (cal_i, _calibrated_unit(np.random.default_rng([seed, 2, int(cal_unit)]), cat, attrs, cal_i,
                                                   start, old_hi))
                successor = {c: (s, new_province_of[s]) for c, s in zip(codes, communes["successor_code"])
                             if s is not None}
                n_d, n_r = _dossiers(outs, seed, 0, o, cat, communes, attrs, unit_scale, o, start, old_hi, end,
                                     CHUNK_COMMUNES, say, f"Tỉnh {o} (trước 01/07/2025)", cal, successor)
                by_map[OLD]["dossiers"] += n_d
                for m, n in n_r.items():
                    by_map[m]["ratings"] += n
                feedback.append(_feedback(frng, communes, o, start, old_hi, end))
                finances.append(_finances(frng, codes, sizes, date(start.year, 1, 1), old_hi))
                facts.append(_facts(frng, communes, [y for y in fyears if y < MAP_CHANGE.year], end, procs, pops))
            if cal_i is not None:
                unit_scale[cal_i] = 1.0  # its successor carries its part unscaled
            old_frames.append(communes)
            old_attrs.append(attrs)
            old_volume.append(attrs["volume"] * unit_scale)
            old_sizes.append(sizes)
            old_pops.append(pops)
        if end >= MAP_CHANGE:
            communes = new_units.filter((pl.col("province_code") == p) & (pl.col("level") == "commune")).sort("code")
            codes = communes["code"].to_list()
            olds_df = pl.concat(old_frames) if old_frames else units.clear()
            keys = olds_df["successor_code"].to_numpy()
            merged = {k: np.concatenate([a[k] for a in old_attrs]) for k in old_attrs[0]} if old_attrs else None
            nrng = np.random.default_rng([seed, 11, int(p)])
            attrs, k = _successor_attrs(nrng, communes, olds_df, merged, np.concatenate(old_volume), cat)
            n_d, n_r = _dossiers(outs, seed, 10, p, cat, communes, attrs, np.ones(communes.height), p, new_lo, end, end,
                                 CHUNK_NEW_COMMUNES, say, f"Tỉnh {p} (từ 01/07/2025)")
            by_map[NEW]["dossiers"] += n_d
            for m, n in n_r.items():
                by_map[m]["ratings"] += n
            frng = np.random.default_rng([seed, 15, int(p)])
            sizes = _sum_by(codes, keys, np.concatenate(old_sizes))
            sizes = np.where(sizes > 0, sizes * frng.lognormal(0, 0.05, len(codes)), frng.lognormal(np.log(0.3), 0.3, len(codes)))
            pops = _sum_by(codes, keys, np.concatenate(old_pops))
            pops = np.where(pops > 0, pops, frng.lognormal(np.log(3000), 0.3, len(codes))).astype(np.int64)
            feedback.append(_feedback(frng, communes, p, new_lo, end, end, rate=0.45 * np.maximum(k, 1)))
            finances.append(_finances(frng, codes, sizes, max(date(start.year, 1, 1), MAP_CHANGE), end))
            facts.append(_facts(frng, communes, [y for y in fyears if y >= MAP_CHANGE.year], end, procs, pops, k))
        outs[0].close()
        outs[1].close()
    counts["dossiers"] = sum(m["dossiers"] for m in by_map.values())
    counts["ratings"] = sum(m["ratings"] for m in by_map.values())
    fb = pl.concat(feedback)
    counts["feedback"] = fb.height
    # Sorted by unit code across provinces (province order alone interleaves codes: Hà Nội's run
    # past 10000), so a unit's rows sit in one row group and DuckDB skips the others.
    _write(fb.sort("unit_code", "received_at", "feedback_id"), schema.FEEDBACK, tmp)
    _write(pl.concat(finances).sort("unit_code", "year", "month", "item"), schema.FINANCES, tmp)
    _write(pl.concat(facts).sort("unit_code", "year", "indicator"), schema.FACTS, tmp)
    del feedback, finances, facts, fb  # before the rollups below: their memory is not needed any more
    old_provinces = sorted({o for olds in plan.values() for o in olds})
    _write(units.filter(((pl.col("map") == OLD) & pl.col("province_code").is_in(old_provinces))
                        | ((pl.col("map") == NEW) & pl.col("province_code").is_in(list(plan)))).sort("map", "code"),
           schema.UNITS, tmp)
    _write(procs.with_columns(level=pl.lit("commune"), paper_result=pl.col("paper_result").cast(pl.Boolean)), schema.PROCEDURES, tmp)
    cal = workdays.calendar_table(date(start.year - 1, 1, 1), date(end.year + 2, 12, 31))
    _write(pl.DataFrame(cal).cast(_pl_schema(schema.CALENDAR)), schema.CALENDAR, tmp)
    _write(pl.DataFrame(schema=_pl_schema(schema.INDEX_RESULTS)), schema.INDEX_RESULTS, tmp)
    # The real published 766 scores ship with the product: the sample carries them as imported data.
    from .ingest import results
    for f in results.bundled_files()[:1]:
        results.import_file(f, tmp, by=access.system("sample"))
    meta = {"kind": "sample", "seed": seed, "scale": scale, "provinces": list(plan), "old_provinces": old_provinces,
            "start": start.isoformat(), "end": end.isoformat(), "data_end": end.isoformat(),
            "map_change": MAP_CHANGE.isoformat(), "counts": counts, "counts_by_map": by_map,
            "seconds": round(time.perf_counter() - t0, 1),
            "generated_at": datetime.now().isoformat(timespec="seconds")}
    # The daily rollups (cchc.rollup) of what was just written, so province-wide figures read them.
    from . import rollup
    rollup.build(tmp, progress=say)
    meta["seconds"] = round(time.perf_counter() - t0, 1)
    meta["files"] = manifest(tmp)
    (tmp / MARKER).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    return meta


# --- what may be replaced -------------------------------------------------------------------------
# Files a data folder may hold besides data, kept across a regeneration (the clone's data/README.md).
KEPT_FILES = ("README.md",)
# Tables the product derives from others (rebuilt by `python -m cchc rollup`): changing them is not
# entering data.
DERIVED = tuple(t.name for t in schema.TABLES.values() if t.derived)


def _ours(rel: str) -> bool:
    """Files of the product's own machinery in a data folder: locks, temporary files of writers."""
    name = rel.rsplit("/", 1)[-1]
    return name.startswith(".") and (name.endswith(".lock") or ".tmp-" in name or ".old-" in name)


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)).replace("\\", "/") for p in root.rglob("*") if not p.is_dir())


def manifest(root: Path) -> dict[str, list[int]]:
    """relative path -> [size, mtime_ns] of every data file of a freshly generated sample (not the
    derived rollups, which `rollup` may rebuild, nor the marker itself)."""
    out = {}
    for rel in _files(root):
        if rel == MARKER or _ours(rel) or rel.split("/", 1)[0] in DERIVED:
            continue
        st = (root / rel).stat()
        out[rel] = [st.st_size, st.st_mtime_ns]
    return out


def refusal(data_dir: Path) -> str | None:
    """Why the sample must not be written into data_dir (Vietnamese), or None when it may: the folder
    does not exist, is empty (a README.md aside), or holds nothing but a previous sample whose data
    files are exactly as generated (no fact entered, no result imported, no file added)."""
    data_dir = Path(data_dir)
    if not data_dir.exists():
        return None
    if not data_dir.is_dir():
        return (f"«{data_dir}» là một tệp, không phải thư mục: dữ liệu mẫu chỉ được tạo trong một thư mục trống "
                "hoặc thư mục chỉ chứa dữ liệu mẫu. Không thay đổi gì.")
    files = [f for f in _files(data_dir) if not _ours(f) and f not in KEPT_FILES]
    if not files:
        return None
    meta = load_meta(data_dir) if MARKER in files else None
    if meta is None:
        return (f"Thư mục {data_dir} đã có {len(files)} tệp không phải dữ liệu mẫu (ví dụ: {', '.join(files[:3])}): "
                "không ghi đè. Hãy chọn một thư mục trống (--data-dir) hoặc tự chuyển các tệp đó đi. Không thay đổi gì.")
    changed = _changed_since_generated(data_dir, files, meta)
    if changed:
        return (f"Thư mục {data_dir} chứa dữ liệu mẫu nhưng đã có dữ liệu do người dùng nhập hoặc thêm sau khi tạo "
                f"({'; '.join(changed[:4])}{'; …' if len(changed) > 4 else ''}): không ghi đè để không mất dữ liệu đó. "
                "Hãy tạo dữ liệu mẫu vào một thư mục khác (--data-dir). Không thay đổi gì.")
    return None


def _changed_since_generated(root: Path, files: list[str], meta: dict) -> list[str]:
    known = meta.get("files")
    out = []
    for rel in files:
        if rel == MARKER or rel.split("/", 1)[0] in DERIVED:
            continue
        if known is not None:
            if rel not in known:
                out.append(f"{rel}: không phải tệp của dữ liệu mẫu")
            else:
                st = (root / rel).stat()
                if [st.st_size, st.st_mtime_ns] != known[rel]:
                    out.append(f"{rel}: đã thay đổi sau khi tạo mẫu")
        elif not any(rel == t.path(Path("")).as_posix() or rel.startswith(t.name + "/") for t in schema.TABLES.values()) \
                and not rel.startswith(audit.FOLDER + "/"):  # the trail: the rows below say whether a user wrote
            out.append(f"{rel}: không phải tệp của dữ liệu mẫu")
    if known is None:  # a sample made before the manifest: look at the rows themselves
        facts = root / schema.FACTS.path(Path("")).as_posix()
        if facts.exists() and set(pq.read_table(facts, columns=["entered_by"])["entered_by"].to_pylist()) - {"sample"}:
            out.append(f"{facts.name}: có số liệu do người dùng nhập")
        res = root / schema.INDEX_RESULTS.path(Path("")).as_posix()
        if res.exists():
            from .ingest import results
            bundled = [f.name for f in results.bundled_files()]
            sources = set(pq.read_table(res, columns=["source"])["source"].to_pylist())
            if any(not any(b in (s or "") for b in bundled) for s in sources):
                out.append(f"{res.name}: có kết quả chỉ số được nạp thêm")
    return out


class SampleError(RuntimeError):
    pass


def load_meta(data_dir: Path) -> dict | None:
    f = Path(data_dir) / MARKER
    return json.loads(f.read_text(encoding="utf-8")) if f.exists() else None


def read_csv_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))
