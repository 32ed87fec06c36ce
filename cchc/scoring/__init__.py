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

The package has three layers: ``definition`` (the TOML format read and validated), ``engine``
(values from the queries and facts, points, rescaling, thresholds) and ``report`` (text).
"""
from .definition import (  # noqa: F401 - the package's names, as before the split
    INDEXES, FACTS_CSV, ENGINE_PARAMS, RULES, STAGES, STATUSES, BASIS, COMPONENTS, NO_DATA,
    IndexDefinitionError, ScoringError, Rule, IndicatorDef, GroupDef, Band, IndexDef, fact_names, load_index,
    list_indexes,
)
from .engine import (  # noqa: F401 - the package's names, as before the split
    IndicatorResult, GroupResult, IndexResult, stage_fact_code, query_params, score, score_units, Threshold,
    full_points_value, metric_key, thresholds,
)
from .report import (  # noqa: F401 - the package's names, as before the split
    value_text, rule_short, report_lines,
)

__all__ = ["IndexDef", "GroupDef", "IndicatorDef", "Rule", "Band", "IndexResult", "GroupResult", "IndicatorResult",
           "IndexDefinitionError", "ScoringError", "load_index", "list_indexes", "score", "score_units",
           "stage_fact_code", "report_lines", "value_text", "rule_short", "RULES", "STAGES", "STATUSES", "NO_DATA",
           "Threshold", "thresholds", "full_points_value", "metric_key", "query_params"]
