"""Index definitions: the TOML format (cchc/indexes/<code>.toml) read and validated into frozen
dataclasses (IndexDef → GroupDef → IndicatorDef with its Rule), and the constants the engine and the
report share. The package docstring (cchc/scoring/__init__.py) describes the sources of a value."""
from __future__ import annotations

import csv
import math
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterator

from .. import fmt
from ..db import AUTO_PARAMS, QUERIES, params_in

INDEXES = Path(__file__).resolve().parent.parent / "indexes"
FACTS_CSV = Path(__file__).resolve().parent.parent / "reference" / "facts.csv"
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")

# Parameters every metric query may use (filled in by the engine).
ENGINE_PARAMS = {"scope", "provinces", "start", "end", "proc_level", "fin_start", "fin_end", "year",
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
