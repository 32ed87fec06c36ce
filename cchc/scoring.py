"""Scoring indexes: definitions as data (cchc/indexes/<code>.toml), scores from named queries.

    idx = load_index("766")                       # reads and validates cchc/indexes/766.toml
    res = score(db, idx, unit, period)            # unit: cchc.kpis.Unit, period: cchc.periods.Period
    res.total, res.available_max, res.to_dict()   # to_dict() is what `python -m cchc index --json` prints

No index is written into this module: an index is a TOML file of groups → indicators, each with its
maximum points, where its value comes from and how the value becomes points. docs/indexes.md
describes the format key by key. Four sources of a value:

* ``metric = "on_time"``: the named query queries/index_on_time.sql, run for the unit and period
  (parameters $province, $district, $unit, $start, $end, plus $proc_level, $fin_start, $fin_end,
  $year and the indicator's own ``params``), returning ``numerator`` and ``denominator``. The value
  is the rate numerator / denominator in percent; a query whose denominator is NULL is a count and
  the value is the numerator. A denominator of 0 means "no data" (or full / zero points, if the
  indicator says so with ``when_empty``).
* ``fact = "staff_quota"``: a self-reported figure of the unit for the year the period ends in
  (table ``facts``; codes in cchc/reference/facts.csv), optionally divided by another fact
  (``fact_denominator``, value in percent).
* ``manual = true``: nothing to compute; the points are entered (self-score, verification, survey).
* ``not_held = "reason"``: the tables do not hold what the indicator needs; always "không đủ dữ liệu".

Points entered for an indicator are facts with the code ``diem:<index>:<indicator>:<stage>`` for
the stages tu_cham (self-score), tham_dinh_1, tham_dinh_2 (verification rounds) and khao_sat
(survey). They are kept apart in the result; the points used are those of the latest verification
round, else the computed points, else the self-score / survey points.

Rescaling when data are missing (the rule the documentation states): indicators with status
"no_data" are left out; ``available_max`` is the sum of the maxima of the others; the total is
``raw / available_max × max_total`` (raw = sum of the points of the indicators left in), then bonus
points are added and penalty points subtracted, and the result is kept within 0..max_total.
"""
from __future__ import annotations

import csv
import math
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterator

from . import fmt, periods
from .db import AUTO_PARAMS, QUERIES, Database, params_in

INDEXES = Path(__file__).resolve().parent / "indexes"
FACTS_CSV = Path(__file__).resolve().parent / "reference" / "facts.csv"
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")

# Parameters every metric query may use (filled in by the engine).
ENGINE_PARAMS = {"province", "district", "unit", "start", "end", "proc_level", "fin_start", "fin_end", "year",
                 *AUTO_PARAMS}

RULES = {
    "threshold_linear": "Tỷ lệ theo ngưỡng",
    "proportional": "Tỷ lệ thuận",
    "stepped": "Theo bậc",
    "target": "Đạt/không đạt chỉ tiêu",
    "inverse": "Càng ít càng tốt",
    "per_unit": "Theo số lượng",
    "manual": "Chấm điểm thủ công",
}
STAGES = {
    "tu_cham": "Điểm tự chấm",
    "tham_dinh_1": "Điểm thẩm định lần 1",
    "tham_dinh_2": "Điểm thẩm định lần 2",
    "khao_sat": "Điểm điều tra xã hội học",
}
STATUSES = {"ok": "Đã tính", "manual": "Điểm nhập", "no_data": "Không đủ dữ liệu"}
BASIS = {"computed": "Tính từ dữ liệu", "tu_cham": STAGES["tu_cham"], "tham_dinh_1": STAGES["tham_dinh_1"],
         "tham_dinh_2": STAGES["tham_dinh_2"], "khao_sat": STAGES["khao_sat"]}
COMPONENTS = {"assessment": "Điểm đánh giá (tự chấm, thẩm định)", "survey": "Điểm điều tra xã hội học"}
NO_DATA = "không đủ dữ liệu"
_EPS = 1e-6


class IndexDefinitionError(ValueError):
    """A definition file that cannot be used; the message (Vietnamese) names the file and the key."""


class ScoringError(ValueError):
    """An index that cannot be scored for this unit or period (message in Vietnamese)."""


# --------------------------------------------------------------------------------------------
# Definitions
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """How a value becomes points. Values are in the indicator's unit: percent for rates
    (numerator / denominator × 100), the figure itself for counts and facts."""
    kind: str
    threshold: float | None = None            # threshold_linear: value giving full points
    bands: tuple[tuple[float, float], ...] = ()  # stepped: (minimum value, points), highest first
    target: float | None = None               # target
    direction: str = "at_least"               # target: at_least | at_most
    best: float | None = None                 # inverse: value with full points
    worst: float | None = None                # inverse: value with zero points
    per: float | None = None                  # per_unit: points per unit

    def points(self, value: float, max_points: float) -> float:
        """Points for a value, between 0 and max_points."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            raise ValueError("no value")
        k = self.kind
        if k == "proportional":
            p = max_points * min(1.0, max(0.0, value) / 100.0)
        elif k == "threshold_linear":
            p = max_points * min(1.0, max(0.0, value) / self.threshold)
        elif k == "stepped":
            p = next((pts for lo, pts in self.bands if value >= lo - _EPS), 0.0)
        elif k == "target":
            ok = value >= self.target - _EPS if self.direction == "at_least" else value <= self.target + _EPS
            p = max_points if ok else 0.0
        elif k == "inverse":
            if value <= self.best:
                p = max_points
            elif value >= self.worst:
                p = 0.0
            else:
                p = max_points * (self.worst - value) / (self.worst - self.best)
        elif k == "per_unit":
            p = min(max_points, max(0.0, value) * self.per)
        else:  # manual: nothing to compute
            raise ValueError("manual rule has no formula")
        return max(0.0, min(max_points, p))

    def describe(self, percent: bool = True, unit: str = "") -> str:
        """The rule in Vietnamese, e.g. 'Đạt từ 80 % trở lên: điểm tối đa; dưới 80 %: tỷ lệ × điểm tối đa / 80 %'."""
        u = " %" if percent else (f" {unit}" if unit else "")
        n = lambda x: fmt.number(x, 0 if float(x).is_integer() else 2)  # noqa: E731
        k = self.kind
        if k == "proportional":
            return "Điểm = tỷ lệ × điểm tối đa"
        if k == "threshold_linear":
            return (f"Đạt từ {n(self.threshold)}{u} trở lên: điểm tối đa; dưới {n(self.threshold)}{u}: "
                    f"giá trị × điểm tối đa / {n(self.threshold)}{u}")
        if k == "stepped":
            parts = []
            for i, (lo, pts) in enumerate(self.bands):
                hi = self.bands[i - 1][0] if i else None
                rng = f"từ {n(lo)}{u}" + (f" đến dưới {n(hi)}{u}" if hi is not None else " trở lên")
                parts.append(f"{rng}: {n(pts)} điểm")
            return "; ".join(parts) + "; thấp hơn: 0 điểm"
        if k == "target":
            word = "từ" if self.direction == "at_least" else "không quá"
            tail = " trở lên" if self.direction == "at_least" else ""
            return f"Đạt {word} {n(self.target)}{u}{tail}: điểm tối đa; không đạt: 0 điểm"
        if k == "inverse":
            return (f"{n(self.best)}{u} trở xuống: điểm tối đa; từ {n(self.worst)}{u} trở lên: 0 điểm; "
                    "ở giữa: giảm dần tuyến tính")
        if k == "per_unit":
            return f"{n(self.per)} điểm cho mỗi {unit or 'đơn vị'}, tối đa bằng điểm tối đa"
        return "Điểm do đơn vị tự chấm và cơ quan thẩm định chấm (nhập vào số liệu tự báo cáo)"


@dataclass(frozen=True)
class IndicatorDef:
    code: str
    name: str
    max: float
    rule: Rule
    kind: str                      # metric | fact | manual | not_held
    metric: str | None = None
    params: tuple[tuple[str, Any], ...] = ()
    fact: str | None = None
    fact_denominator: str | None = None
    reason: str | None = None      # not_held: what the tables lack
    when_empty: str = "no_data"    # no_data | full | zero
    component: str = "assessment"  # assessment | survey
    unit: str = ""                 # display unit of a count value
    source: str = ""               # legal source / origin of the rule
    placeholder: bool = False
    note: str = ""

    @property
    def is_percent(self) -> bool:
        """True when the value is a percentage (a rate, a fact divided by a fact, a % fact)."""
        if self.kind in ("metric", "not_held"):
            return self.unit in ("", "%")
        if self.kind == "fact":
            return bool(self.fact_denominator) or _fact_units().get(self.fact or "") == "%"
        return False


@dataclass(frozen=True)
class GroupDef:
    code: str
    name: str
    max: float
    indicators: tuple[IndicatorDef, ...]
    source: str = ""
    note: str = ""


@dataclass(frozen=True)
class Band:
    name: str
    min_percent: float


@dataclass(frozen=True)
class IndexDef:
    code: str
    name: str
    short_name: str
    decision: str
    decision_date: date | None
    issuer: str
    version: str
    year: int | None
    levels: tuple[str, ...]
    period: str                    # calendar | any
    max_total: float
    groups: tuple[GroupDef, ...]
    bands: tuple[Band, ...]
    bonus: tuple[IndicatorDef, ...] = ()
    penalty: tuple[IndicatorDef, ...] = ()
    bonus_max: float = 0.0
    penalty_max: float = 0.0
    placeholder: bool = False
    source: str = ""
    notes: str = ""
    path: Path | None = None

    def indicators(self) -> Iterator[tuple[GroupDef, IndicatorDef]]:
        for g in self.groups:
            for i in g.indicators:
                yield g, i

    @property
    def title(self) -> str:
        """Short name with the decision: 'Bộ chỉ số 766 (QĐ 766/QĐ-TTg ngày 23/06/2022)'."""
        d = f"QĐ {self.decision}" if self.decision else ""
        if d and self.decision_date:
            d += f" ngày {fmt.day(self.decision_date)}"
        elif d and self.year:
            d += f" năm {self.year}"
        if self.placeholder:
            d = f"{d}; MẪU" if d else "MẪU, chưa có quyết định"
        return f"{self.short_name or self.name}" + (f" ({d})" if d else "")

    def band_for(self, percent: float | None) -> Band | None:
        """The band of a result in percent of the maximum (0..100); bands are sorted highest first."""
        if percent is None:
            return None
        return next((b for b in self.bands if percent >= b.min_percent - _EPS), None)


def _fact_units() -> dict[str, str]:
    global _FACTS_CACHE
    if _FACTS_CACHE is None:
        with FACTS_CSV.open(encoding="utf-8") as f:
            _FACTS_CACHE = {r["code"]: r["unit"] for r in csv.DictReader(f)}
    return _FACTS_CACHE


_FACTS_CACHE: dict[str, str] | None = None


def fact_names() -> dict[str, str]:
    with FACTS_CSV.open(encoding="utf-8") as f:
        return {r["code"]: r["name"] for r in csv.DictReader(f)}


# --- Loading and validation ------------------------------------------------------------------

class _Reader:
    """Typed access to one TOML table, with error messages naming the file and the key path."""

    def __init__(self, path: Path, data: dict, where: str, known: set[str]):
        self.path, self.data, self.where = path, data, where
        unknown = sorted(set(data) - known)
        if unknown:
            self.fail(unknown[0], f"khóa không có trong định dạng (các khóa hợp lệ: {', '.join(sorted(known))})")

    def key(self, k: str) -> str:
        return f"{self.where}.{k}" if self.where else k

    def fail(self, k: str | None, msg: str):
        name = self.path.name if self.path.parent == INDEXES else str(self.path)
        at = f", khóa {self.key(k) if k else self.where}" if (k or self.where) else ""
        raise IndexDefinitionError(f"Tệp định nghĩa chỉ số {name}{at}: {msg}")

    def has(self, k: str) -> bool:
        return k in self.data

    def str(self, k: str, required: bool = True, default: str = "") -> str:
        if k not in self.data:
            if required:
                self.fail(k, "thiếu khóa bắt buộc")
            return default
        v = self.data[k]
        if not isinstance(v, str):
            self.fail(k, f"phải là chuỗi ký tự, đang là {v!r}")
        if required and not v.strip():
            self.fail(k, "không được để trống")
        return v.strip()

    def num(self, k: str, required: bool = True, default: float | None = None, minimum: float | None = None,
            positive: bool = False) -> float | None:
        if k not in self.data:
            if required:
                self.fail(k, "thiếu khóa bắt buộc")
            return default
        v = self.data[k]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or math.isnan(v):
            self.fail(k, f"phải là một số, đang là {v!r}")
        if positive and v <= 0:
            self.fail(k, f"phải lớn hơn 0, đang là {v}")
        if minimum is not None and v < minimum:
            self.fail(k, f"không được nhỏ hơn {minimum}, đang là {v}")
        return float(v)

    def bool(self, k: str, default: bool = False) -> bool:
        if k not in self.data:
            return default
        v = self.data[k]
        if not isinstance(v, bool):
            self.fail(k, f"phải là true hoặc false, đang là {v!r}")
        return v

    def list(self, k: str, required: bool = False) -> list:
        if k not in self.data:
            if required:
                self.fail(k, "thiếu khóa bắt buộc")
            return []
        v = self.data[k]
        if not isinstance(v, list):
            self.fail(k, "phải là một danh sách")
        return v

    def table(self, v: Any, where: str, known: set[str]) -> "_Reader":
        if not isinstance(v, dict):
            self.fail(None, f"{where} phải là một bảng (table)")
        return _Reader(self.path, v, where, known)


_INDEX_KEYS = {"code", "name", "short_name", "decision", "decision_date", "issuer", "version", "year", "levels",
               "period", "max_total", "bonus_max", "penalty_max", "placeholder", "source", "notes"}
_GROUP_KEYS = {"code", "name", "max", "source", "note", "indicators"}
_IND_KEYS = {"code", "name", "max", "rule", "threshold", "bands", "target", "direction", "best", "worst", "per",
             "metric", "params", "fact", "fact_denominator", "manual", "not_held", "when_empty", "component",
             "unit", "source", "placeholder", "note"}
_BAND_KEYS = {"name", "min_percent"}


def _rule(r: _Reader, max_points: float, kind: str, percent: bool) -> Rule:
    name = r.str("rule")
    if name not in RULES:
        r.fail("rule", f"quy tắc chấm điểm không biết: {name!r} (các quy tắc: {', '.join(RULES)})")
    if kind == "manual" and name != "manual":
        r.fail("rule", "chỉ tiêu chấm thủ công (manual = true) phải có rule = \"manual\"")
    if name == "manual" and kind in ("metric", "fact"):
        r.fail("rule", "rule = \"manual\" chỉ dùng cho chỉ tiêu chấm thủ công (manual = true), không dùng với metric/fact")
    extra = {"threshold_linear": {"threshold"}, "stepped": {"bands"}, "target": {"target", "direction"},
             "inverse": {"best", "worst"}, "per_unit": {"per"}}.get(name, set())
    for k in ("threshold", "bands", "target", "direction", "best", "worst", "per"):
        if r.has(k) and k not in extra:
            r.fail(k, f"không dùng với rule = \"{name}\"")
    if name == "threshold_linear":
        t = r.num("threshold", positive=True)
        if percent and t > 100:
            r.fail("threshold", f"ngưỡng tỷ lệ tính bằng % nên không quá 100, đang là {t}")
        return Rule(name, threshold=t)
    if name == "stepped":
        raw = r.list("bands", required=True)
        bands = []
        for i, b in enumerate(raw):
            if (not isinstance(b, list) or len(b) != 2 or any(isinstance(x, bool) or not isinstance(x, (int, float))
                                                               for x in b)):
                r.fail(f"bands[{i}]", f"mỗi bậc là [giá trị tối thiểu, điểm], đang là {b!r}")
            lo, pts = float(b[0]), float(b[1])
            if pts < 0 or pts > max_points + _EPS:
                r.fail(f"bands[{i}]", f"điểm của bậc ({pts}) phải từ 0 đến điểm tối đa {fmt.number(max_points, 2)}")
            bands.append((lo, pts))
        if not bands:
            r.fail("bands", "cần ít nhất một bậc")
        if any(bands[i][0] <= bands[i + 1][0] for i in range(len(bands) - 1)):
            r.fail("bands", "các bậc phải xếp theo giá trị tối thiểu giảm dần (bậc cao nhất trước)")
        if any(bands[i][1] < bands[i + 1][1] for i in range(len(bands) - 1)):
            r.fail("bands", "bậc cao hơn không được có ít điểm hơn bậc thấp hơn")
        return Rule(name, bands=tuple(bands))
    if name == "target":
        d = r.str("direction", required=False, default="at_least")
        if d not in ("at_least", "at_most"):
            r.fail("direction", f"phải là \"at_least\" hoặc \"at_most\", đang là {d!r}")
        return Rule(name, target=r.num("target"), direction=d)
    if name == "inverse":
        best, worst = r.num("best", minimum=0), r.num("worst")
        if worst <= best:
            r.fail("worst", f"phải lớn hơn best ({best}), đang là {worst}")
        return Rule(name, best=best, worst=worst)
    if name == "per_unit":
        return Rule(name, per=r.num("per", positive=True))
    return Rule(name)


def _indicator(r: _Reader, index_code: str, default_placeholder: bool, queries: dict[str, str],
               facts: dict[str, str]) -> IndicatorDef:
    code = r.str("code")
    if not _CODE.match(code):
        r.fail("code", f"mã chỉ tiêu chỉ gồm chữ, số, dấu chấm, gạch: {code!r}")
    name = r.str("name")
    mx = r.num("max", positive=True)
    sources = [k for k in ("metric", "fact", "manual", "not_held") if r.has(k)]
    if len(sources) != 1:
        r.fail(None, "mỗi chỉ tiêu cần đúng một nguồn số liệu: metric, fact, manual = true hoặc not_held"
               + (f" (đang có: {', '.join(sources)})" if sources else ""))
    kind = sources[0]
    metric = fact = fact_den = reason = None
    params: dict[str, Any] = {}
    if kind == "metric":
        metric = r.str("metric")
        qname = f"index_{metric}"
        if metric == "facts" or qname not in queries:
            r.fail("metric", f"không có truy vấn queries/{qname}.sql")
        raw_params = r.data.get("params", {})
        if not isinstance(raw_params, dict):
            r.fail("params", "phải là một bảng, ví dụ params = { item = \"thu_ngan_sach\" }")
        for k, v in raw_params.items():
            if k in ENGINE_PARAMS:
                r.fail(f"params.{k}", "tham số này do chương trình điền, không đặt trong tệp")
            if isinstance(v, (dict, list)):
                r.fail(f"params.{k}", "giá trị tham số phải là chuỗi hoặc số")
        params = dict(raw_params)
        used = params_in(queries[qname])
        unknown = used - ENGINE_PARAMS - params.keys()
        if unknown:
            r.fail("params", f"truy vấn queries/{qname}.sql cần tham số {', '.join(sorted(unknown))}")
        unused = params.keys() - used
        if unused:
            r.fail("params", f"truy vấn queries/{qname}.sql không dùng tham số {', '.join(sorted(unused))}")
    elif r.has("params"):
        r.fail("params", "chỉ dùng với metric")
    if kind == "fact":
        fact = r.str("fact")
        if fact not in facts:
            r.fail("fact", f"mã số liệu {fact!r} không có trong cchc/reference/facts.csv")
        fact_den = r.str("fact_denominator", required=False) or None
        if fact_den and fact_den not in facts:
            r.fail("fact_denominator", f"mã số liệu {fact_den!r} không có trong cchc/reference/facts.csv")
    elif r.has("fact_denominator"):
        r.fail("fact_denominator", "chỉ dùng với fact")
    if kind == "manual" and r.data["manual"] is not True:
        r.fail("manual", "chỉ nhận giá trị true")
    if kind == "not_held":
        reason = r.str("not_held")
    unit = r.str("unit", required=False)
    if kind in ("metric", "not_held"):
        percent = unit in ("", "%")
    elif kind == "fact":
        percent = bool(fact_den) or facts.get(fact) == "%"
    else:
        percent = False
    if kind == "not_held" and not r.has("rule"):
        rule = Rule("manual")
    else:
        rule = _rule(r, mx, "manual" if kind == "manual" else kind, percent)
    when_empty = r.str("when_empty", required=False, default="no_data")
    if when_empty not in ("no_data", "full", "zero"):
        r.fail("when_empty", f"phải là \"no_data\", \"full\" hoặc \"zero\", đang là {when_empty!r}")
    component = r.str("component", required=False, default="assessment")
    if component not in COMPONENTS:
        r.fail("component", f"phải là \"assessment\" hoặc \"survey\", đang là {component!r}")
    return IndicatorDef(code=code, name=name, max=mx, rule=rule, kind=kind, metric=metric,
                        params=tuple(sorted(params.items())), fact=fact, fact_denominator=fact_den, reason=reason,
                        when_empty=when_empty, component=component, unit=unit,
                        source=r.str("source", required=False), placeholder=r.bool("placeholder", default_placeholder),
                        note=r.str("note", required=False))


def _index_path(code: str) -> Path:
    if not isinstance(code, str) or not _CODE.match(code):
        raise IndexDefinitionError(f"Mã bộ chỉ số không hợp lệ: {code!r}.")
    return INDEXES / f"{code}.toml"


def load_index(code_or_path: str | Path) -> IndexDef:
    """Read and validate cchc/indexes/<code>.toml (or a given path). Raises IndexDefinitionError
    naming the file and the key when the file cannot be used."""
    path = Path(code_or_path) if isinstance(code_or_path, Path) or str(code_or_path).endswith(".toml") \
        else _index_path(str(code_or_path))
    if not path.exists():
        known = ", ".join(list_indexes()) or "(chưa có)"
        raise IndexDefinitionError(f"Không có bộ chỉ số {path.stem!r} (tệp {path}). Các bộ chỉ số có: {known}.")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise IndexDefinitionError(f"Tệp định nghĩa chỉ số {path.name}: sai cú pháp TOML ({e}).") from None
    top = _Reader(path, data, "", {"index", "groups", "bands", "bonus", "penalty"})
    if "index" not in data:
        top.fail("index", "thiếu bảng [index]")
    ix = top.table(data["index"], "index", _INDEX_KEYS)
    code = ix.str("code")
    if code != path.stem:
        ix.fail("code", f"phải trùng tên tệp ({path.stem!r}), đang là {code!r}")
    ddate = ix.data.get("decision_date")
    if ddate is not None and not isinstance(ddate, date):
        ix.fail("decision_date", f"phải là một ngày dạng 2022-06-23, đang là {ddate!r}")
    year = ix.data.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        ix.fail("year", f"phải là một năm (số nguyên), đang là {year!r}")
    levels = ix.list("levels", required=True)
    if not levels or any(lv not in ("province", "district", "commune") for lv in levels):
        ix.fail("levels", f"chỉ gồm \"province\", \"district\", \"commune\"; đang là {levels!r}")
    period = ix.str("period", required=False, default="any")
    if period not in ("calendar", "any"):
        ix.fail("period", f"phải là \"calendar\" hoặc \"any\", đang là {period!r}")
    max_total = ix.num("max_total", positive=True)
    bonus_max = ix.num("bonus_max", required=False, default=0.0, minimum=0)
    penalty_max = ix.num("penalty_max", required=False, default=0.0, minimum=0)
    placeholder = ix.bool("placeholder")

    queries = {p.stem: p.read_text(encoding="utf-8") for p in QUERIES.glob("index_*.sql")}
    facts = _fact_units()
    seen: dict[str, str] = {}

    def ind(v: Any, where: str) -> IndicatorDef:
        r = top.table(v, where, _IND_KEYS)
        i = _indicator(r, code, placeholder, queries, facts)
        if i.code in seen:
            r.fail("code", f"mã {i.code!r} đã dùng ở {seen[i.code]}")
        seen[i.code] = where
        return i

    groups = []
    gcodes: set[str] = set()
    for gi, g in enumerate(top.list("groups", required=True)):
        gr = top.table(g, f"groups[{gi}]", _GROUP_KEYS)
        gcode = gr.str("code")
        if not _CODE.match(gcode) or gcode in gcodes:
            gr.fail("code", f"mã nhóm {gcode!r} không hợp lệ hoặc trùng")
        gcodes.add(gcode)
        gmax = gr.num("max", positive=True)
        inds = tuple(ind(v, f"groups[{gi}].indicators[{ii}]") for ii, v in enumerate(gr.list("indicators", required=True)))
        if not inds:
            gr.fail("indicators", "nhóm cần ít nhất một chỉ tiêu")
        s = sum(i.max for i in inds)
        if abs(s - gmax) > _EPS:
            gr.fail("max", f"bằng {fmt.number(gmax, 2)} nhưng tổng điểm tối đa các chỉ tiêu là {fmt.number(s, 2)}")
        groups.append(GroupDef(code=gcode, name=gr.str("name"), max=gmax, indicators=inds,
                               source=gr.str("source", required=False), note=gr.str("note", required=False)))
    if not groups:
        top.fail("groups", "cần ít nhất một nhóm")
    total = sum(g.max for g in groups)
    if abs(total - max_total) > _EPS:
        ix.fail("max_total", f"bằng {fmt.number(max_total, 2)} nhưng tổng điểm tối đa các nhóm là {fmt.number(total, 2)}")

    extras = {}
    for kind, cap in (("bonus", bonus_max), ("penalty", penalty_max)):
        items = tuple(ind(v, f"{kind}[{i}]") for i, v in enumerate(top.list(kind)))
        if sum(i.max for i in items) > cap + _EPS:
            ix.fail(f"{kind}_max", f"bằng {fmt.number(cap, 2)} nhưng tổng điểm tối đa các mục {kind} là "
                    f"{fmt.number(sum(i.max for i in items), 2)}")
        for i, it in enumerate(items):
            if it.component != "assessment":
                top.fail(f"{kind}[{i}].component", "điểm thưởng/trừ không thuộc phần điều tra xã hội học")
        extras[kind] = items

    bands = []
    for bi, b in enumerate(top.list("bands", required=True)):
        br = top.table(b, f"bands[{bi}]", _BAND_KEYS)
        mp = br.num("min_percent", minimum=0)
        if mp > 100:
            br.fail("min_percent", f"không quá 100, đang là {mp}")
        bands.append(Band(br.str("name"), mp))
    if not bands:
        top.fail("bands", "cần ít nhất một bậc xếp loại")
    if any(bands[i].min_percent <= bands[i + 1].min_percent for i in range(len(bands) - 1)):
        top.fail("bands", "các bậc xếp loại phải theo min_percent giảm dần")
    if bands[-1].min_percent != 0:
        top.fail(f"bands[{len(bands) - 1}].min_percent", "bậc cuối cùng phải có min_percent = 0 để mọi kết quả đều được xếp")

    return IndexDef(code=code, name=ix.str("name"), short_name=ix.str("short_name", required=False),
                    decision=ix.str("decision", required=False), decision_date=ddate,
                    issuer=ix.str("issuer", required=False), version=ix.str("version", required=False),
                    year=year, levels=tuple(levels), period=period, max_total=max_total, groups=tuple(groups),
                    bands=tuple(bands), bonus=extras["bonus"], penalty=extras["penalty"], bonus_max=bonus_max,
                    penalty_max=penalty_max, placeholder=placeholder, source=ix.str("source", required=False),
                    notes=ix.str("notes", required=False), path=path)


def list_indexes() -> list[str]:
    """Codes of the definition files shipped in cchc/indexes/."""
    return sorted(p.stem for p in INDEXES.glob("*.toml"))


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

    def to_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "score": _r(self.score), "max": self.max,
                "available_max": self.available_max, "percent": _r(self.percent, 6), "status": self.status,
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
    from .kpis import finance_months
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
    (cchc.index_views); a metric not in it is queried as usual. ``facts`` (optional): the unit's
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


# --------------------------------------------------------------------------------------------
# Text (the CLI's table; also usable in exports)
# --------------------------------------------------------------------------------------------

def value_text(i: IndicatorResult) -> str:
    """The value as Vietnamese write it: '3.261/3.262 = 99,97 %', '78,57 %', '15 kế hoạch', '' if none."""
    if i.value is None:
        return ""
    if i.percent and i.numerator is not None and i.denominator is not None:
        return f"{fmt.number(i.numerator)}/{fmt.number(i.denominator)} = {fmt.percent(i.rate)}"
    if i.percent:
        return fmt.percent(i.rate)
    return f"{fmt.number(i.value, 0 if float(i.value).is_integer() else 2)} {i.unit}".strip()


def rule_short(i: IndicatorResult) -> str:
    """'ngưỡng 80 %', 'tỷ lệ thuận', 'theo bậc' …"""
    if i.rule == "threshold_linear" and i.threshold is not None:
        return "ngưỡng " + (fmt.percent(i.threshold / 100, 0) if i.percent else fmt.number(i.threshold))
    if i.rule == "proportional":
        return "tỷ lệ thuận"
    return RULES.get(i.rule, i.rule).lower()


def report_lines(res: IndexResult) -> list[str]:
    """The result as text: total and band, then each group and indicator (value, rule, points or
    'không đủ dữ liệu' with the reason), bonus and penalty, notes."""
    pts = lambda x: fmt.number(x, 2)  # noqa: E731
    mx = lambda x: fmt.number(x, 0 if float(x).is_integer() else 2)  # noqa: E731
    out = [f"{res.index.title} — {res.unit_name} ({res.unit_code})", f"Kỳ: {res.period.label}"]
    if res.total is None:
        out.append(f"Tổng điểm: {NO_DATA} (không chỉ tiêu nào có dữ liệu)")
    else:
        out.append(f"Tổng điểm: {pts(res.total)}/{mx(res.max_total)}" + (f" — {res.band.name}" if res.band else ""))
        extra = []
        if res.available_max < res.max_total:
            extra.append(f"điểm đạt {pts(res.raw_total)} trên {pts(res.available_max)} điểm tối đa có dữ liệu, "
                         f"quy đổi về thang {mx(res.max_total)}: {pts(res.scaled_total)}")
        if res.bonus:
            extra.append(f"điểm thưởng +{pts(res.bonus_points)}")
        if res.penalty:
            extra.append(f"điểm trừ −{pts(res.penalty_points)}")
        if extra:
            out.append("  (" + "; ".join(extra) + ")")
    comps = res.components()
    if len(comps) > 1:
        out.append("  " + "; ".join(
            f"{c['name']}: " + (f"{pts(c['score'])}/{pts(c['available_max'])}" if c["score"] is not None else NO_DATA)
            + f" (tối đa {mx(c['max'])})" for c in comps.values()))
    out.append("")

    def line(i: IndicatorResult) -> str:
        head = f"  {i.code:<5} {i.name}"
        if i.status == "no_data":
            return f"{head} — {NO_DATA} (tối đa {mx(i.max)})" + (f": {i.reason}" if i.reason else "")
        bits = [b for b in (value_text(i), rule_short(i) if i.computed is not None else "") if b]
        if i.stages:
            bits.append(", ".join(f"{STAGES[k].lower()} {pts(v)}" for k, v in i.stages.items()))
        if i.reason:
            bits.append(i.reason)
        return f"{head} — " + "; ".join(bits + [f"{pts(i.points)}/{mx(i.max)} điểm"])

    for g in res.groups:
        if g.score is None:
            out.append(f"[{g.code}] {g.name}: {NO_DATA} (tối đa {mx(g.max)})")
        else:
            part = f" (tính trên {pts(g.available_max)} điểm có dữ liệu)" if g.available_max < g.max else ""
            out.append(f"[{g.code}] {g.name}: {pts(g.score)}/{mx(g.max)}{part}")
        out += [line(i) for i in g.indicators]
    for title, items in (("Điểm thưởng", res.bonus), ("Điểm trừ", res.penalty)):
        if items:
            out.append(f"[{title}]")
            out += [line(i) for i in items]
    out += [f"Lưu ý: {n}" for n in res.notes]
    return out


__all__ = ["IndexDef", "GroupDef", "IndicatorDef", "Rule", "Band", "IndexResult", "GroupResult", "IndicatorResult",
           "IndexDefinitionError", "ScoringError", "load_index", "list_indexes", "score", "score_units",
           "stage_fact_code", "report_lines", "value_text", "rule_short", "RULES", "STAGES", "STATUSES", "NO_DATA",
           "Threshold", "thresholds", "full_points_value", "metric_key", "query_params"]
