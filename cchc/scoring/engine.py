"""The scoring engine: an index's indicators evaluated for a unit and a period from the named
queries and the facts (score, score_units), the results (IndexResult → GroupResult →
IndicatorResult) and the thresholds other pages draw."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterator

from .. import fmt, periods
from ..db import Database

from .definition import Band, COMPONENTS, IndexDef, IndicatorDef, STAGES, ScoringError, _EPS, _fact_units, load_index


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------

@dataclass
class IndicatorResult:
    code: str
    name: str
    max: float
    status: str                     # ok | manual | no_data
    points: float | None
    numerator: float | None = None
    denominator: float | None = None
    value: float | None = None      # what the rule compared: percent for rates, the figure for counts
    percent: bool = True            # value is a percentage
    unit: str = ""
    rule: str = ""
    rule_text: str = ""
    threshold: float | None = None  # threshold_linear (same unit as value)
    computed: float | None = None   # points computed from the data
    basis: str | None = None        # computed | tu_cham | tham_dinh_1 | tham_dinh_2 | khao_sat
    stages: dict[str, float] = field(default_factory=dict)
    component: str = "assessment"
    source: str = ""
    reason: str = ""                # why no data
    placeholder: bool = False
    note: str = ""

    @property
    def rate(self) -> float | None:
        """The value as a fraction when it is a percentage (0.9997), else None."""
        return None if self.value is None or not self.percent else self.value / 100.0

    def to_dict(self) -> dict:
        thr = None if self.threshold is None else (self.threshold / 100.0 if self.percent else self.threshold)
        return {"code": self.code, "name": self.name, "max": self.max, "numerator": _n(self.numerator),
                "denominator": _n(self.denominator), "rate": _r(self.rate, 6), "value": _r(self.value, 6),
                "value_unit": "%" if self.percent else self.unit, "threshold": thr,
                "points": _r(self.points), "status": self.status, "rule": self.rule, "rule_text": self.rule_text,
                "computed": _r(self.computed), "basis": self.basis,
                "stages": {k: _r(v) for k, v in self.stages.items()}, "component": self.component,
                "source": self.source, "reason": self.reason or None, "placeholder": self.placeholder}


@dataclass
class GroupResult:
    code: str
    name: str
    max: float
    indicators: list[IndicatorResult]
    source: str = ""

    @property
    def available_max(self) -> float:
        return sum(i.max for i in self.indicators if i.status != "no_data")

    @property
    def score(self) -> float | None:
        """Points of the indicators with data (None when none has data)."""
        ok = [i.points for i in self.indicators if i.status != "no_data"]
        return sum(ok) if ok else None

    @property
    def percent(self) -> float | None:
        """Score as a fraction of the maximum of the indicators with data."""
        a = self.available_max
        return None if not a or self.score is None else self.score / a

    @property
    def status(self) -> str:
        st = {i.status for i in self.indicators}
        return "no_data" if st == {"no_data"} else ("ok" if "no_data" not in st else "partial")

    @property
    def covered(self) -> int:
        """How many of its indicators have data (status ok or manual)."""
        return sum(i.status != "no_data" for i in self.indicators)

    @property
    def complete(self) -> bool:
        """Every indicator of the group has data: its score is on the same base as a published one."""
        return bool(self.indicators) and self.covered == len(self.indicators)

    def to_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "score": _r(self.score), "max": self.max,
                "available_max": self.available_max, "percent": _r(self.percent, 6), "status": self.status,
                "indicators_covered": self.covered, "indicators_total": len(self.indicators),
                "source": self.source, "indicators": [i.to_dict() for i in self.indicators]}


@dataclass
class IndexResult:
    index: IndexDef
    unit_code: str
    unit_name: str
    unit_level: str
    period: periods.Period
    groups: list[GroupResult]
    bonus: list[IndicatorResult] = field(default_factory=list)
    penalty: list[IndicatorResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def max_total(self) -> float:
        return self.index.max_total

    @property
    def available_max(self) -> float:
        return sum(g.available_max for g in self.groups)

    @property
    def raw_total(self) -> float | None:
        """Sum of the points of the indicators with data (not rescaled)."""
        s = [g.score for g in self.groups if g.score is not None]
        return sum(s) if s else None

    @property
    def scaled_total(self) -> float | None:
        """raw_total / available_max × max_total (before bonus and penalty)."""
        a = self.available_max
        return None if not a or self.raw_total is None else self.raw_total / a * self.max_total

    @property
    def bonus_points(self) -> float:
        return min(self.index.bonus_max, sum(b.points for b in self.bonus if b.status != "no_data"))

    @property
    def penalty_points(self) -> float:
        return min(self.index.penalty_max, sum(p.points for p in self.penalty if p.status != "no_data"))

    @property
    def total(self) -> float | None:
        """The index score: scaled_total + bonus − penalty, kept within 0..max_total."""
        s = self.scaled_total
        if s is None:
            return None
        return max(0.0, min(self.max_total, s + self.bonus_points - self.penalty_points))

    @property
    def percent(self) -> float | None:
        return None if self.total is None else self.total / self.max_total

    @property
    def band(self) -> Band | None:
        return self.index.band_for(None if self.percent is None else self.percent * 100)

    def components(self) -> dict[str, dict]:
        """Assessment and survey points kept apart (points and maxima of indicators with data)."""
        out = {}
        for comp in COMPONENTS:
            inds = [i for g in self.groups for i in g.indicators if i.component == comp]
            if not inds:
                continue
            ok = [i for i in inds if i.status != "no_data"]
            out[comp] = {"name": COMPONENTS[comp], "score": _r(sum(i.points for i in ok)) if ok else None,
                         "available_max": sum(i.max for i in ok), "max": sum(i.max for i in inds)}
        return out

    def indicators(self) -> Iterator[IndicatorResult]:
        for g in self.groups:
            yield from g.indicators

    # --- coverage: which indicators the score is made of (nothing here changes the points) ---------

    @property
    def indicators_total(self) -> int:
        """The number of indicators of the index's groups (bonus and penalty items not counted)."""
        return sum(len(g.indicators) for g in self.groups)

    @property
    def indicators_covered(self) -> int:
        """How many of them have data (status ok or manual): "tính được 8/19 chỉ tiêu"."""
        return sum(g.covered for g in self.groups)

    def covered_codes(self) -> frozenset[str]:
        """The codes of the indicators with data."""
        return frozenset(i.code for i in self.indicators() if i.status != "no_data")

    def complete_groups(self) -> tuple[str, ...]:
        """The codes of the groups all of whose indicators have data, in the definition's order."""
        return tuple(g.code for g in self.groups if g.complete)

    def points_on(self, codes) -> float | None:
        """The points of the indicators ``codes`` added up, not rescaled; None when one of them has no
        data (a score on a common base needs every indicator of the base)."""
        got = [i for i in self.indicators() if i.code in codes]
        if not got or any(i.status == "no_data" for i in got):
            return None
        return sum(i.points for i in got)

    def max_on(self, codes) -> float:
        """The maxima of the indicators ``codes`` added up."""
        return sum(i.max for i in self.indicators() if i.code in codes)

    def to_dict(self) -> dict:
        """JSON-serialisable result (the CLI's --json output). Rates and thresholds of percentages are
        fractions (0.9997, 0.8); points are rounded to 4 decimals."""
        ix = self.index
        b = self.band
        return {
            "index": ix.code, "index_name": ix.name, "short_name": ix.short_name, "decision": ix.decision,
            "decision_date": ix.decision_date.isoformat() if ix.decision_date else None, "version": ix.version,
            "placeholder": ix.placeholder,
            "unit": self.unit_code, "unit_name": self.unit_name, "unit_level": self.unit_level,
            "from": self.period.start.isoformat(), "to": self.period.end.isoformat(), "period": self.period.label,
            "total": _r(self.total), "max_total": self.max_total, "available_max": self.available_max,
            "indicators_covered": self.indicators_covered, "indicators_total": self.indicators_total,
            "raw_total": _r(self.raw_total), "scaled_total": _r(self.scaled_total),
            "bonus": _r(self.bonus_points), "penalty": _r(self.penalty_points),
            "percent": _r(self.percent, 6), "band": b.name if b else None,
            "components": self.components(),
            "groups": [g.to_dict() for g in self.groups],
            "bonus_items": [x.to_dict() for x in self.bonus],
            "penalty_items": [x.to_dict() for x in self.penalty],
            "notes": list(self.notes),
        }


def _n(x: float | None) -> float | int | None:
    """A count as an int (15.0 -> 15), other numbers unchanged."""
    return int(x) if isinstance(x, float) and x.is_integer() else x


def _r(x: float | None, nd: int = 4) -> float | None:
    return None if x is None else round(float(x), nd)


# --------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------

def stage_fact_code(index_code: str, indicator_code: str, stage: str) -> str:
    """The facts.indicator code under which points of a stage are entered for an index indicator."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    return f"diem:{index_code}:{indicator_code}:{stage}"


def _params(unit, period: periods.Period) -> dict[str, Any]:
    from ..kpis import finance_months
    months = finance_months(period)
    # A period covering no budget month (a short custom range) selects no finance rows: no data.
    fin = months or (date(9999, 12, 1), date(9999, 12, 1))
    return {**unit.scope, "start": period.start, "end": period.end,
            "proc_level": "commune" if unit.level == "commune" else None,
            "fin_start": fin[0], "fin_end": fin[1], "year": period.end.year}


def query_params(unit, period: periods.Period) -> dict[str, Any]:
    """The parameters the engine gives every metric query: the unit's scope, $start/$end,
    $proc_level, the budget months ($fin_start, $fin_end) and $year."""
    return _params(unit, period)


def _evaluate(db: Database, ix: IndexDef, d: IndicatorDef, base: dict, facts: dict[str, float],
              cache: dict, notes: list[str]) -> IndicatorResult:
    unit = "%" if d.is_percent else (d.unit or (_fact_units().get(d.fact, "") if d.fact else ""))
    res = IndicatorResult(code=d.code, name=d.name, max=d.max, status="no_data", points=None, percent=d.is_percent,
                          unit=unit,
                          rule=d.rule.kind, rule_text=d.rule.describe(d.is_percent, d.unit),
                          threshold=d.rule.threshold, component=d.component, source=d.source,
                          placeholder=d.placeholder, note=d.note)
    value = None
    if d.kind == "not_held":
        res.reason = d.reason or ""
    elif d.kind == "metric":
        key = (d.metric, d.params)
        if key not in cache:
            df = db.run(f"index_{d.metric}", **base, **dict(d.params))
            cache[key] = df.row(0, named=True) if df.height else {"numerator": None, "denominator": 0}
        row = cache[key]
        num, den = row.get("numerator"), row.get("denominator")
        res.numerator = None if num is None else (int(num) if float(num).is_integer() else float(num))
        res.denominator = None if den is None else (int(den) if float(den).is_integer() else float(den))
        if "denominator" in row and den is None:          # a count
            if num is not None:
                value = float(num)
            else:
                res.reason = "Không có số liệu trong kỳ"
        elif not den:
            res.reason = "Mẫu số bằng 0 trong kỳ (không có đối tượng để tính)"
        else:
            value = 100.0 * float(num or 0) / float(den)
    elif d.kind == "fact":
        v = facts.get(d.fact)
        if v is None:
            res.reason = f"Chưa có số liệu tự báo cáo \"{d.fact}\" năm {base['year']}"
        elif d.fact_denominator:
            den = facts.get(d.fact_denominator)
            res.numerator, res.denominator = v, den
            if den is None:
                res.reason = f"Chưa có số liệu tự báo cáo \"{d.fact_denominator}\" năm {base['year']}"
            elif den == 0:
                res.reason = f"Số liệu \"{d.fact_denominator}\" bằng 0"
            else:
                value = 100.0 * v / den
        else:
            res.numerator = v
            value = v
    else:  # manual
        res.reason = "Chưa nhập điểm tự chấm / thẩm định"

    # points computed from the data
    if value is not None:
        res.value = value
        res.computed = d.rule.points(value, d.max)
    elif d.kind in ("metric", "fact") and d.when_empty != "no_data" and not _missing_fact(d, facts):
        res.computed = d.max if d.when_empty == "full" else 0.0
        res.reason = res.reason + (" — tính đủ điểm theo quy định" if d.when_empty == "full" else " — tính 0 điểm")

    # points entered (self-score, verification rounds, survey)
    for st in STAGES:
        v = facts.get(stage_fact_code(ix.code, d.code, st))
        if v is None:
            continue
        if v < -_EPS or v > d.max + _EPS:
            notes.append(f"Điểm \"{STAGES[st]}\" của chỉ tiêu {d.code} ({fmt.number(v, 2)}) nằm ngoài 0–"
                         f"{fmt.number(d.max, 2)} nên không được dùng.")
            continue
        res.stages[st] = v
    for st in ("tham_dinh_2", "tham_dinh_1"):
        if st in res.stages:
            res.points, res.basis = res.stages[st], st
            res.status = "ok" if res.computed is not None else "manual"
            break
    else:
        if res.computed is not None:
            res.points, res.basis, res.status = res.computed, "computed", "ok"
        else:
            for st in ("khao_sat", "tu_cham"):
                if st in res.stages:
                    res.points, res.basis, res.status = res.stages[st], st, "manual"
                    break
    if res.status != "no_data":
        res.reason = res.reason if res.computed is not None and res.reason else ""
    return res


def _missing_fact(d: IndicatorDef, facts: dict[str, float]) -> bool:
    """when_empty applies to an empty denominator, never to a fact nobody reported."""
    return d.kind == "fact" and (facts.get(d.fact) is None or
                                 (d.fact_denominator is not None and facts.get(d.fact_denominator) is None))


def score(db: Database, index_def: IndexDef | str, unit, period: periods.Period,
          metrics: dict | None = None, facts: dict[str, float] | None = None) -> IndexResult:
    """Score an index for a unit (cchc.kpis.Unit) over a period (cchc.periods.Period).

    ``metrics`` (optional): rows already computed for this unit and period, ``{"on_time":
    {"numerator": …, "denominator": …}, …}`` keyed by metric name (or by ``(name, params)`` for a
    metric with params), e.g. by a grouped query that covers many periods or units in one pass
    (cchc.views.chi_so); a metric not in it is queried as usual. ``facts`` (optional): the unit's
    self-reported facts of year(period.end) ({indicator code: value}), likewise read in one pass."""
    ix = load_index(index_def) if isinstance(index_def, str) else index_def
    if unit.level not in ix.levels:
        lv = {"province": "tỉnh", "district": "huyện", "commune": "xã"}
        raise ScoringError(f"{ix.short_name or ix.name} áp dụng cho cấp {', '.join(lv[x] for x in ix.levels)}; "
                           f"{unit.full_name} là đơn vị cấp {lv.get(unit.level, unit.level)}.")
    base = _params(unit, period)
    if facts is None:
        fdf = db.run("facts_year", unit=unit.code, year=base["year"])
        facts = {r["indicator"]: float(r["value"]) for r in fdf.to_dicts() if r["value"] is not None}
    cache: dict = {(k if isinstance(k, tuple) else (k, ())): v for k, v in (metrics or {}).items()}
    notes: list[str] = []
    if ix.placeholder:
        notes.append("Bộ chỉ số MẪU: cấu trúc, điểm tối đa và cách chấm là số giữ chỗ, chưa lấy từ quyết định của "
                     "tỉnh; thay bằng phụ lục của quyết định trước khi dùng để xếp hạng.")
    if ix.period == "calendar" and not period.kind.startswith("cal_"):
        notes.append(f"{ix.short_name or ix.name} được tính theo tháng, quý, năm dương lịch; kỳ đang chọn "
                     f"({period.label}) không phải kỳ dương lịch nên kết quả chỉ để tham khảo, không so sánh trực "
                     "tiếp với điểm công bố.")
    groups = [GroupResult(code=g.code, name=g.name, max=g.max, source=g.source,
                          indicators=[_evaluate(db, ix, i, base, facts, cache, notes) for i in g.indicators])
              for g in ix.groups]
    res = IndexResult(index=ix, unit_code=unit.code, unit_name=unit.full_name, unit_level=unit.level,
                      period=period, groups=groups,
                      bonus=[_evaluate(db, ix, i, base, facts, cache, notes) for i in ix.bonus],
                      penalty=[_evaluate(db, ix, i, base, facts, cache, notes) for i in ix.penalty],
                      notes=notes)
    a = res.available_max
    if a == 0:
        notes.append("Không có chỉ tiêu nào đủ dữ liệu để tính trong kỳ này.")
    elif a < ix.max_total - _EPS:
        missing = [i.code for i in res.indicators() if i.status == "no_data"]
        notes.append(f"Chỉ tính được {fmt.number(a, 2)}/{fmt.number(ix.max_total, 0)} điểm tối đa; "
                     f"{len(missing)} chỉ tiêu không đủ dữ liệu ({', '.join(missing)}) được loại ra và tổng điểm "
                     f"được quy đổi: điểm đạt / {fmt.number(a, 2)} × {fmt.number(ix.max_total, 0)}.")
    return res


def score_units(db: Database, index_def: IndexDef | str, units: list, period: periods.Period) -> list[IndexResult]:
    """Score several units (e.g. the communes of a district, for a ranking), best total first."""
    ix = load_index(index_def) if isinstance(index_def, str) else index_def
    out = [score(db, ix, u, period) for u in units]
    return sorted(out, key=lambda r: (r.total is None, -(r.total or 0), r.unit_code))


# --------------------------------------------------------------------------------------------
# One base for a ranking (coverage; the points themselves are those computed above)
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CommonBase:
    """The indicators every ranked unit has data for. Each unit's own total is rescaled over the
    indicators *it* has data for, so two totals can stand on different bases (a commune with PAKN in
    the period is scored on 5.2 and 5.3, one without is not); ranked on this base, every unit is scored
    on the same indicators: points on them / their maxima × max_total, then bonus and penalty as in
    the total."""
    codes: frozenset[str]
    max: float               # the maxima of those indicators added up
    max_total: float
    total: int               # the indicators of the index (bonus and penalty items not counted)

    def score(self, r: IndexResult) -> float | None:
        pts = r.points_on(self.codes)
        if pts is None or not self.max:
            return None
        return max(0.0, min(self.max_total, pts / self.max * self.max_total + r.bonus_points - r.penalty_points))

    @property
    def text(self) -> str:
        """'cùng 11/19 chỉ tiêu (72 điểm tối đa), quy đổi về thang 100'."""
        return (f"cùng {len(self.codes)}/{self.total} chỉ tiêu ({fmt.number(self.max, 0 if float(self.max).is_integer() else 2)}"
                f" điểm tối đa) cho mọi đơn vị, quy đổi về thang {fmt.number(self.max_total, 0)}")


@dataclass(frozen=True)
class Ranked:
    rank: int | None         # None: no data on the common base
    result: IndexResult
    score: float | None      # on the common base


def common_base(results: list[IndexResult]) -> CommonBase | None:
    """The base every unit with a total shares (None when no unit has one)."""
    with_data = [r for r in results if r.total is not None]
    if not with_data:
        return None
    codes = frozenset.intersection(*(r.covered_codes() for r in with_data))
    first = with_data[0]
    return CommonBase(codes=codes, max=first.max_on(codes), max_total=first.max_total, total=first.indicators_total)


def rank_on_common_base(results: list[IndexResult]) -> tuple[CommonBase | None, list[Ranked]]:
    """The units ranked on their common base, best first (ties share a rank; equal scores to the
    hundredth are ties), then those without a score on it, by code."""
    base = common_base(results)
    scored = [(base.score(r) if base else None, r) for r in results]
    scored.sort(key=lambda t: (t[0] is None, -round(t[0] or 0, 2), t[1].unit_code))
    out: list[Ranked] = []
    for n, (v, r) in enumerate(scored, start=1):
        if v is None:
            out.append(Ranked(None, r, None))
        elif out and out[-1].score is not None and round(out[-1].score, 2) == round(v, 2):
            out.append(Ranked(out[-1].rank, r, v))
        else:
            out.append(Ranked(n, r, v))
    return base, out


# --------------------------------------------------------------------------------------------
# Thresholds (for the trends other pages draw)
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Threshold:
    """The value of a metric from which an indicator gets its full points, as a definition states it."""
    value: float          # a fraction for a rate (0.8 = 80 %), the figure itself for a count
    code: str             # indicator code ("4.2")
    label: str            # "Ngưỡng đạt điểm tối đa chỉ tiêu 4.2 (Bộ chỉ số 766): 80 %"
    name: str             # indicator name
    max: float            # the indicator's maximum points
    percent: bool
    placeholder: bool     # the threshold is assumed, not from the decision
    index: str            # index code


def full_points_value(d: IndicatorDef) -> float | None:
    """The value (in the indicator's unit: percent for rates) from which the rule gives full points;
    None when no single value does (a manual rule)."""
    r = d.rule
    if r.kind == "threshold_linear":
        return r.threshold
    if r.kind == "proportional":
        return 100.0
    if r.kind == "stepped":
        top = max(r.bands, key=lambda b: b[1])
        return top[0]
    if r.kind == "target":
        return r.target
    if r.kind == "inverse":
        return r.best
    if r.kind == "per_unit":
        return d.max / r.per
    return None


def metric_key(d: IndicatorDef) -> str:
    """'digitised_input'; with params 'finance_rate:thu_ngan_sach' (the values, in key order)."""
    return d.metric + "".join(f":{v}" for _, v in d.params)


def thresholds(index_code: str) -> dict[str, Threshold]:
    """The full-points thresholds of an index's metric indicators, by metric (metric_key), read from
    its definition file: ``thresholds("766")["digitised_input"].value == 0.8``. The first indicator
    of a metric wins when an index scores one metric twice."""
    ix = load_index(index_code)
    out: dict[str, Threshold] = {}
    for _, d in ix.indicators():  # bonus and penalty items have no "full points" to reach
        if d.kind != "metric":
            continue
        v = full_points_value(d)
        key = metric_key(d)
        if v is None or key in out:
            continue
        shown = fmt.percent(v / 100, 0 if float(v).is_integer() else 2) if d.is_percent else \
            f"{fmt.number(v, 0 if float(v).is_integer() else 2)} {d.unit}".strip()
        label = (f"Ngưỡng đạt điểm tối đa chỉ tiêu {d.code} ({ix.short_name or ix.code}): {shown}"
                 + (" (ngưỡng giả định)" if d.placeholder else ""))
        out[key] = Threshold(value=v / 100 if d.is_percent else v, code=d.code, label=label, name=d.name, max=d.max,
                             percent=d.is_percent, placeholder=d.placeholder, index=ix.code)
    return out
