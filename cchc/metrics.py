"""The metric catalogue (cchc/metrics.toml): one definition per KPI, read by the overview, the
ranking, the trend, the drill-down, Biểu 06, the CLI and docs/kpis.md.

    cat = catalogue()                       # loaded once, validated
    m = cat.get("on_time_rate")             # Metric: label, short, help, formula, direction …
    m.value(counts)                         # the KPI from a dict of counts (None when 0 / 0)
    m.formula_text                          # "((8) + (9)) / (7)" or the counts' names
    cat.cards / cat.ranking / cat.cli       # which KPIs a screen shows, in order (also trend,
                                            # bieu06_rates, satisfaction_cards, finance)
    load_targets()                          # the targets of cchc/reference/targets.csv by KPI key

No Streamlit and no Plotly here. Errors in the file raise CatalogueError (unknown keys, missing
fields, an unknown count key, a list naming an unknown KPI).
"""
from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import fmt
from .fmt import ratio

PATH = Path(__file__).resolve().parent / "metrics.toml"
TARGETS_CSV = Path(__file__).resolve().parent / "reference" / "targets.csv"

# Counts the queries give besides cchc.kpis.COUNT_KEYS and the rating keys (feedback_kpis.sql's
# columns, which feedback_summary.sql gives under the same names), the finance amounts
# overview.flat() puts next to them (<base>_actual, <base>_plan), and satisfaction_766.sql's dossiers
# not satisfied in the sense of 766 indicator 5.4 (its resolved and late are (7) and (10)).
FEEDBACK_KEYS = ["feedback_total", "feedback_handled", "feedback_handled_on_time", "feedback_open",
                 "feedback_on_time"]
FINANCE_KEYS = [f"{base}_{part}" for base in ("revenue", "expenditure", "disbursement") for part in ("actual", "plan")]
SATISFACTION_766_KEYS = ["not_satisfied"]
FORMATS = ("count", "rate", "money")
DIRECTIONS = {"higher": True, "lower": False, "none": None}
# Where KPIs are shown: the overview's cards, ranking choices and 24-month trend, the CLI's lines,
# the rates under Biểu 06, the Hài lòng page's cards and the Tài chính page's items.
LISTS = ("cards", "ranking", "cli", "bieu06_rates", "trend", "satisfaction_cards", "finance")

_COUNT_FIELDS = {"label", "bieu06", "sum", "minus"}
_KPI_REQUIRED = {"key", "label", "short", "help", "format", "unit", "direction"}
_KPI_OPTIONAL = {"count", "numerator", "denominator", "bieu06", "target", "finance_item"}


class CatalogueError(ValueError):
    """cchc/metrics.toml is not a valid catalogue (message names the entry)."""


def known_counts() -> set[str]:
    """Every count a query gives (a formula may use these or sums of them)."""
    from . import kpis  # here, not at the top: cchc.kpis reads the catalogue for its rates
    return (set(kpis.COUNT_KEYS) | set(kpis._RATING_KEYS) | set(FEEDBACK_KEYS) | set(FINANCE_KEYS)
            | set(SATISFACTION_766_KEYS))


def trend_counts() -> set[str]:
    """The counts the monthly trend gives (cchc.kpis.monthly_trend's columns): what a KPI of the
    catalogue's `trend` list may use."""
    from . import kpis
    return set(kpis.TREND_COLUMNS)


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    bieu06: str | None = None
    sum: tuple[str, ...] = ()  # a count defined as the sum of others (e.g. resolved_in_time)
    minus: tuple[str, ...] = ()  # … less the sum of these (e.g. satisfied_766 = (7) − not satisfied)

    @property
    def ref(self) -> str:
        """How a formula names it: the Biểu 06 column if it has one, else its name."""
        return self.bieu06 or self.label


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    short: str
    help: str
    format: str  # count | rate | money
    unit: str
    direction: str  # higher | lower | none
    count: tuple[str, ...] = ()  # a plain count: the sum of these
    numerator: tuple[str, ...] = ()  # a rate: sum(numerator) / sum(denominator)
    denominator: tuple[str, ...] = ()
    bieu06: str | None = None
    target: str | None = None
    finance_item: str | None = None
    counts: tuple[Count, ...] = ()  # the catalogue's counts, for formula texts (set by the loader)

    @property
    def higher_is_better(self) -> bool | None:
        return DIRECTIONS[self.direction]

    @property
    def is_rate(self) -> bool:
        return bool(self.numerator)

    def _count(self, key: str) -> Count:
        return next(c for c in self.counts if c.key == key)

    def total(self, keys: tuple[str, ...], row: dict) -> int | float | None:
        """The sum of the counts `keys` in row; a derived count missing from row is the sum of its
        parts (less its `minus` parts). None when a count is missing or None (e.g. no finance figures)."""
        out = 0
        for k in keys:
            v = row.get(k)
            if v is None and k not in row:
                c = self._count(k)
                v = self.total(c.sum, row) if c.sum else None
                less = self.total(c.minus, row) if c.minus else 0
                v = None if v is None or less is None else v - less
            if v is None:
                return None
            out += v
        return out

    def value(self, row: dict) -> int | float | None:
        """The KPI from a dict of counts: a rate is None when its denominator is 0 or unknown."""
        if not self.is_rate:
            return self.total(self.count, row)
        num, den = self.total(self.numerator, row), self.total(self.denominator, row)
        return None if num is None or den is None else ratio(num, den)

    def expr(self, columns: list[str]):
        """The KPI as a polars expression over a frame with these columns (a derived count that is
        not a column is the sum of its parts); a rate is null when its denominator is 0."""
        import polars as pl

        def side(keys: tuple[str, ...]) -> pl.Expr:
            terms = []
            for k in keys:
                c = self._count(k)
                if k in columns or not c.sum:
                    terms.append(pl.col(k))
                else:
                    terms.append(side(c.sum) - side(c.minus) if c.minus else side(c.sum))
            return pl.sum_horizontal(terms) if len(terms) > 1 else terms[0]

        if not self.is_rate:
            return side(self.count)
        den = side(self.denominator)
        return pl.when(den > 0).then(side(self.numerator) / den).otherwise(None)

    def parts(self, row: dict) -> tuple[int | float | None, int | float | None]:
        """(numerator, denominator) of a rate in row."""
        return self.total(self.numerator, row), self.total(self.denominator, row)

    def _refs(self, keys: tuple[str, ...]) -> list[str]:
        refs = []
        for k in keys:
            c = self._count(k)
            if c.sum and not c.bieu06:
                text = " + ".join(self._count(p).ref for p in c.sum)
                refs.append(text + "".join(f" − {self._count(p).ref}" for p in c.minus))
            else:
                refs.append(c.ref)
        return refs

    def _side(self, keys: tuple[str, ...]) -> str:
        text = " + ".join(self._refs(keys))
        return f"({text})" if " + " in text or " − " in text else text

    @property
    def formula_text(self) -> str:
        """'((8) + (9)) / (7)'; 'Số phiếu hài lòng, rất hài lòng / Số phiếu đánh giá'; for a count
        its columns or names ('(10) + (13)')."""
        if self.is_rate:
            return f"{self._side(self.numerator)} / {self._side(self.denominator)}"
        return " + ".join(self._refs(self.count))

    @property
    def help_text(self) -> str:
        """The tooltip: the help, then the formula (for a rate)."""
        return f"{self.help} Công thức: {self.formula_text}." if self.is_rate else self.help


@dataclass(frozen=True)
class Catalogue:
    metrics: tuple[Metric, ...]
    counts: tuple[Count, ...]
    cards: tuple[str, ...]
    ranking: tuple[str, ...]
    cli: tuple[str, ...]
    bieu06_rates: tuple[str, ...]
    trend: tuple[str, ...] = ()
    satisfaction_cards: tuple[str, ...] = ()
    finance: tuple[str, ...] = ()

    def get(self, key: str) -> Metric:
        for m in self.metrics:
            if m.key == key:
                return m
        raise KeyError(f"no KPI {key!r} in the catalogue")

    def __contains__(self, key: str) -> bool:
        return any(m.key == key for m in self.metrics)

    def label(self, key: str) -> str:
        return self.get(key).label

    def short(self, key: str) -> str:
        return self.get(key).short

    def count_label(self, key: str) -> str:
        return next(c.label for c in self.counts if c.key == key)

    def dossier_rates(self) -> list[Metric]:
        """The rates whose counts all come from the dossier query (cchc.kpis computes these per
        unit, field and procedure)."""
        from . import kpis
        base = set(kpis.COUNT_KEYS)
        out = []
        for m in self.metrics:
            if not m.is_rate:
                continue
            keys = []
            for k in m.numerator + m.denominator:
                c = next(c for c in self.counts if c.key == k)
                keys += list(c.sum + c.minus) or [k]
            if all(k in base for k in keys):
                out.append(m)
        return out

    @property
    def labels(self) -> set[str]:
        """Every label and short label (what a screen may call a KPI)."""
        return {m.label for m in self.metrics} | {m.short for m in self.metrics}

    def by_bieu06(self) -> dict[str, Metric]:
        return {m.bieu06: m for m in self.metrics if m.bieu06}

    def by_finance_item(self) -> dict[str, Metric]:
        """The finance KPIs of the `finance` list by item (schema.FINANCE_ITEMS code), in its order."""
        return {self.get(k).finance_item: self.get(k) for k in self.finance}


def _strings(where: str, v, field: str) -> tuple[str, ...]:
    if not isinstance(v, list) or not v or not all(isinstance(x, str) and x for x in v):
        raise CatalogueError(f"{where}: {field} phải là danh sách mã chỉ số đếm không rỗng.")
    return tuple(v)


def parse(data: dict, known: set[str] | None = None) -> Catalogue:
    """A catalogue from the parsed TOML; `known`: the counts the queries give (known_counts())."""
    known = known_counts() if known is None else known
    extra = set(data) - {"counts", "kpi", *LISTS}
    if extra:
        raise CatalogueError(f"metrics.toml: khóa không biết {sorted(extra)}.")
    counts = []
    for key, c in (data.get("counts") or {}).items():
        where = f"metrics.toml [counts.{key}]"
        if not isinstance(c, dict):
            raise CatalogueError(f"{where}: phải là một bảng.")
        if set(c) - _COUNT_FIELDS:
            raise CatalogueError(f"{where}: khóa không biết {sorted(set(c) - _COUNT_FIELDS)}.")
        if not isinstance(c.get("label"), str) or not c["label"].strip():
            raise CatalogueError(f"{where}: thiếu label.")
        parts = _strings(where, c["sum"], "sum") if "sum" in c else ()
        less = _strings(where, c["minus"], "minus") if "minus" in c else ()
        if less and not parts:
            raise CatalogueError(f"{where}: minus cần có sum.")
        if not parts and key not in known:
            raise CatalogueError(f"{where}: {key!r} không phải chỉ số đếm của truy vấn nào (và không có sum).")
        counts.append(Count(key, c["label"], c.get("bieu06"), parts, less))
    count_keys = {c.key for c in counts}
    for c in counts:
        for p in c.sum + c.minus:
            if p not in known:
                raise CatalogueError(f"metrics.toml [counts.{c.key}]: sum dùng {p!r}, không phải chỉ số đếm của truy vấn.")
    metrics: list[Metric] = []
    for i, m in enumerate(data.get("kpi") or [], start=1):
        where = f"metrics.toml [[kpi]] số {i} ({m.get('key', '?')})"
        unknown = set(m) - _KPI_REQUIRED - _KPI_OPTIONAL
        if unknown:
            raise CatalogueError(f"{where}: khóa không biết {sorted(unknown)}.")
        missing = [f for f in sorted(_KPI_REQUIRED) if not isinstance(m.get(f), str) or not m[f].strip()]
        if missing:
            raise CatalogueError(f"{where}: thiếu {', '.join(missing)}.")
        if m["format"] not in FORMATS:
            raise CatalogueError(f"{where}: format phải là một trong {FORMATS}.")
        if m["direction"] not in DIRECTIONS:
            raise CatalogueError(f"{where}: direction phải là higher, lower hoặc none.")
        if ("count" in m) == ("numerator" in m or "denominator" in m):
            raise CatalogueError(f"{where}: cần count (chỉ số đếm) hoặc numerator và denominator (tỷ lệ).")
        formula = {f: _strings(where, m[f], f) for f in ("count", "numerator", "denominator") if f in m}
        if "numerator" in formula and "denominator" not in formula or "denominator" in formula and "numerator" not in formula:
            raise CatalogueError(f"{where}: tỷ lệ cần cả numerator và denominator.")
        for f, keys in formula.items():
            for k in keys:
                if k not in count_keys:
                    raise CatalogueError(f"{where}: {f} dùng {k!r}, không có trong [counts].")
        if m["key"] in {x.key for x in metrics}:
            raise CatalogueError(f"{where}: mã {m['key']!r} trùng.")
        if m.get("target") not in (None, "targets.csv"):
            raise CatalogueError(f"{where}: target chỉ có thể là \"targets.csv\".")
        metrics.append(Metric(key=m["key"], label=m["label"].strip(), short=m["short"].strip(), help=m["help"].strip(),
                              format=m["format"], unit=m["unit"], direction=m["direction"],
                              bieu06=m.get("bieu06"), target=m.get("target"), finance_item=m.get("finance_item"),
                              counts=tuple(counts), **formula))
    keys = {m.key for m in metrics}
    lists = {}
    for name in LISTS:
        v = data.get(name, [])
        bad = [k for k in v if k not in keys]
        if bad:
            raise CatalogueError(f"metrics.toml {name}: KPI không có trong danh mục: {bad}.")
        lists[name] = tuple(v)
    for name in ("ranking", "bieu06_rates"):
        for k in lists[name]:
            if not next(m for m in metrics if m.key == k).is_rate:
                raise CatalogueError(f"metrics.toml {name}: {k!r} không phải tỷ lệ.")
    by_key = {c.key: c for c in counts}

    def used(m: Metric) -> list[str]:  # the counts a KPI's formula reads, derived counts expanded
        return [p for c in m.count + m.numerator + m.denominator for p in (by_key[c].sum + by_key[c].minus or (c,))]

    for k in lists["bieu06_rates"]:  # computed from a line of the form: only its columns (and (4) + (5))
        m = next(m for m in metrics if m.key == k)
        if any(not by_key[c].bieu06 for c in used(m)):
            raise CatalogueError(f"metrics.toml bieu06_rates: {k!r} dùng chỉ số đếm không phải cột của Biểu 06.")
    in_trend = trend_counts() if lists["trend"] else set()
    for k in lists["trend"]:  # drawn from the monthly trend: only the counts it gives by month
        m = next(m for m in metrics if m.key == k)
        missing = [c for c in m.count + m.numerator + m.denominator if c not in in_trend
                   and not (by_key[c].sum and all(p in in_trend for p in by_key[c].sum + by_key[c].minus))]
        if missing:
            raise CatalogueError(f"metrics.toml trend: {k!r} dùng {missing}, không có trong xu hướng theo tháng "
                                 "(queries/monthly_trend.sql, cchc.kpis.TREND_COLUMNS).")
    for k in lists["finance"]:
        if not next(m for m in metrics if m.key == k).finance_item:
            raise CatalogueError(f"metrics.toml finance: {k!r} không có finance_item.")
    return Catalogue(tuple(metrics), tuple(counts), **lists)


def load(path: str | Path | None = None) -> Catalogue:
    path = Path(path) if path else PATH
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise CatalogueError(f"{path.name}: không đọc được TOML: {e}") from None
    return parse(data)


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The catalogue of cchc/metrics.toml, loaded once."""
    return load()


def get(key: str) -> Metric:
    return catalogue().get(key)


def label(key: str) -> str:
    return catalogue().get(key).label


def short(key: str) -> str:
    return catalogue().get(key).short


def values(k: dict) -> dict:
    """kpis.kpis()'s dict with every catalogue KPI it leaves out (overdue, the finance rates) and
    the finance amounts as counts (<base>_actual, <base>_plan in đồng, None without figures)."""
    out = dict(k)
    for m in catalogue().metrics:
        if m.finance_item:
            f = (k.get("finance") or {}).get(m.finance_item)
            base = m.key.removesuffix("_rate")
            out[f"{base}_actual"] = f["actual_vnd"] if f else None
            out[f"{base}_plan"] = f["plan_vnd"] if f else None
    for m in catalogue().metrics:
        if m.key not in out:
            out[m.key] = m.value(out)
    return out


# --- docs/kpis.md ---------------------------------------------------------------------------------
# --- targets ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    kpi: str
    target: float  # a fraction, like the rates (0.5 = 50 %)
    comparison: str  # ">=": the value should reach the target; "<=": stay at or below it
    source: str

    def met(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return value >= self.target - 1e-12 if self.comparison == ">=" else value <= self.target + 1e-12

    @property
    def text(self) -> str:
        sign = "≥" if self.comparison == ">=" else "≤"
        whole = abs(self.target * 100 - round(self.target * 100)) < 1e-9
        return f"{sign} {fmt.percent(self.target, 0 if whole else 2)}"


_targets_kept: dict[str, tuple[tuple, dict]] = {}


def _stamp_of(paths) -> tuple:
    out = []
    for p in paths:
        try:
            st = Path(p).stat()
            out.append((str(p), st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((str(p), None))
    return tuple(out)


def load_targets(path: str | Path | None = None) -> dict[str, Target]:
    """cchc/reference/targets.csv (kpi, target, comparison, source, index, metric) by KPI key. Targets are
    fractions like the rates they apply to; every row needs a source. A row naming an index and one
    of its metrics takes its value from that index's definition file (the full-points threshold,
    cchc.scoring.thresholds), so the index's numbers are written in one place only. Read again only
    when the file or an index definition changed (the pages ask on every run: ~20 ms a read)."""
    path = Path(path) if path else TARGETS_CSV
    stamp = _stamp_of([path, *sorted((Path(__file__).parent / "indexes").glob("*.toml"))])
    kept = _targets_kept.get(str(path))
    if kept is not None and kept[0] == stamp:
        return dict(kept[1])
    out = _read_targets(path)
    _targets_kept[str(path)] = (stamp, out)
    return dict(out)


def _read_targets(path: Path) -> dict[str, Target]:
    from . import scoring
    out: dict[str, Target] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for i, row in enumerate(csv.DictReader(f), start=2):
            where = f"{path.name}, dòng {i}"
            if (row.get("index") or "").strip():
                th = scoring.thresholds(row["index"].strip()).get((row.get("metric") or "").strip())
                if th is None:
                    raise ValueError(f"{where}: bộ chỉ số {row['index']} không có chỉ tiêu đo {row.get('metric')!r}.")
                out[row["kpi"]] = Target(row["kpi"], th.value, ">=", f"{th.label}. {row['source'].strip()}")
                continue
            try:
                value = float(row["target"])
            except (TypeError, ValueError):
                raise ValueError(f"{where}: cột target phải là số (tỷ lệ, ví dụ 0.5 = 50 %), "
                                 f"nhận được {row.get('target')!r}.") from None
            if not 0 <= value <= 2:
                raise ValueError(f"{where}: cột target là tỷ lệ (0.5 = 50 %), nhận được {value}.")
            if row.get("comparison") not in (">=", "<="):
                raise ValueError(f"{where}: cột comparison phải là >= hoặc <=.")
            if not (row.get("source") or "").strip():
                raise ValueError(f"{where}: thiếu nguồn (cột source) của mục tiêu.")
            out[row["kpi"]] = Target(row["kpi"], value, row["comparison"], row["source"].strip())
    return out



# The two sources of a satisfaction rate the Hài lòng page ranks and trends by: the survey's own
# rate (the catalogue's satisfaction_rate) and indicator 5.4 of the 766 index.
SURVEY = "survey"
M766 = "m766"


def satisfaction_sources() -> dict[str, str]:
    return {SURVEY: f"{label('satisfaction_rate')} (phiếu đánh giá)", M766: label("satisfaction_766_rate")}


DOC_BEGIN = "<!-- BEGIN kpi-doc: generated from cchc/metrics.toml by `python -m cchc kpi-doc`; do not edit by hand -->"
DOC_END = "<!-- END kpi-doc -->"
_DIRECTION_TEXT = {"higher": "cao hơn là tốt hơn", "lower": "thấp hơn là tốt hơn", "none": "—"}


def _cell(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def doc_markdown(cat: Catalogue | None = None) -> str:
    """The generated part of docs/kpis.md: every KPI with its formula, unit, direction, Biểu 06
    column, target, and where it is shown."""
    cat = cat or catalogue()
    targets = load_targets()
    shown = {name: set(getattr(cat, name)) for name in LISTS}
    where_vi = {"cards": "thẻ Tổng quan", "ranking": "xếp hạng", "cli": "dòng lệnh", "bieu06_rates": "Biểu 06",
                "trend": "xu hướng Tổng quan", "satisfaction_cards": "thẻ Hài lòng", "finance": "Tài chính"}
    out = [DOC_BEGIN, "", "### KPI catalogue", "",
           "| key | label (short) | formula | format | direction | Biểu 06 | target | shown on |",
           "|---|---|---|---|---|---|---|---|"]
    for m in cat.metrics:
        t = targets.get(m.key) if m.target else None
        target = f"{t.text}: {t.source}" if t else ("targets.csv (no row)" if m.target else "—")
        where = ", ".join(v for k, v in where_vi.items() if m.key in shown[k]) or "—"
        out.append(f"| `{m.key}` | {_cell(m.label)} ({_cell(m.short)}) | {_cell(m.formula_text)} | {m.format} ({m.unit}) "
                   f"| {_DIRECTION_TEXT[m.direction]} | {m.bieu06 or '—'} | {_cell(target)} | {where} |")
    out += ["", "### What each KPI counts", ""]
    for m in cat.metrics:
        out.append(f"- **{m.label}** (`{m.key}`): {_cell(m.help)}")
    out += ["", "### Counts the formulas use", "", "| key | Vietnamese | Biểu 06 | definition |", "|---|---|---|---|"]
    for c in cat.counts:
        definition = " + ".join(f"`{p}`" for p in c.sum) + "".join(f" − `{p}`" for p in c.minus)
        out.append(f"| `{c.key}` | {_cell(c.label)} | {c.bieu06 or '—'} | {definition or 'query column'} |")
    out += ["", DOC_END]
    return "\n".join(out)


def doc_text(path: Path, cat: Catalogue | None = None) -> str:
    """docs/kpis.md with its generated part replaced (the prose around the markers stays); the
    part is appended when the markers are missing. Returns the new text."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# KPI definitions\n"
    part = doc_markdown(cat)
    if DOC_BEGIN in text and DOC_END in text:
        head, rest = text.split(DOC_BEGIN, 1)
        tail = rest.split(DOC_END, 1)[1]
        new = head + part + tail
    else:
        new = text.rstrip("\n") + "\n\n" + part + "\n"
    return new
