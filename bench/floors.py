"""Scan floors: for each benchmarked query, the same rows and the same columns read through the same
sources as the product (the partition files of the scope's provinces, $dossier_files / $rating_files,
filled in by cchc.db from $provinces; the rollup files for the rollup twins) with the same WHERE
(the product's own macro in_scope over the bound $scope, cchc.units.Unit.scope), but aggregated
trivially (count(*) and max() of every column the query touches). max() forces every touched column
to be decoded; nothing is grouped or joined beyond what selecting the rows needs. A query's cost over
its floor is what its own work adds. The key of FLOORS is the query that actually ran
(cchc.db.Database.routed): a whole province reads the rollup while it is fresh.

READS gives, for each query, the count of the rows the product's own table macro selects
(report_rows_for, ratings_for, …): bench/run.py checks that the floor and the bare scan count exactly
as many.
"""
from __future__ import annotations

from datetime import date

_DOSSIER_COLS = ("district_code, unit_code, field, procedure_code, channel, received_at, due_at, finished_at, "
                 "supplement_count, digitised_input, e_result, reused_data, paid_online, fee_vnd")


def _maxes(cols: str) -> str:
    return ", ".join(f"max({c.strip()}) AS max_{c.strip()}" for c in cols.split(","))


# dossier_kpis: the rows of report_rows_for (queries/views/20_dossiers.sql), with its own macros; a
# dossier belongs to the map of its day of receipt.
_REPORT_WHERE = """in_scope($scope, province_code, district_code, unit_code, received_at)
      AND year <= year($end)
      AND in_report(received_at, finished_at, $start, $end)"""

DOSSIER_KPIS = f"""
WITH final AS (
    SELECT count(*) AS n, {_maxes(_DOSSIER_COLS)} FROM raw_dossiers_in($dossier_files)
    WHERE {_REPORT_WHERE}
)
SELECT * FROM final
"""

# rating_kpis: the rows of ratings_for (queries/views/30_ratings.sql; a form belongs to the map of its day)
_RATING_COLS = "district_code, unit_code, field, rated_at, level"
RATING_KPIS = f"""
WITH final AS (
    SELECT count(*) AS n, {_maxes(_RATING_COLS)} FROM raw_ratings_in($rating_files)
    WHERE in_scope($scope, province_code, district_code, unit_code, CAST(rated_at AS DATE))
      AND year BETWEEN year($start) AND year($end)
      AND CAST(rated_at AS DATE) BETWEEN $start AND $end
)
SELECT * FROM final
"""

# feedback_kpis: the rows of feedback_for (one small file, every province)
_FEEDBACK_COLS = "district_code, unit_code, received_at, due_at, handled_at"
FEEDBACK_KPIS = f"""
WITH final AS (
    SELECT count(*) AS n, {_maxes(_FEEDBACK_COLS)} FROM raw_feedback
    WHERE in_scope($scope, province_code, district_code, unit_code, CAST(received_at AS DATE))
      AND CAST(received_at AS DATE) BETWEEN $start AND $end
)
SELECT * FROM final
"""

FINANCE_SUMMARY = """
WITH m AS (
    SELECT unit_code, item, plan_vnd, actual_vnd FROM finances_for($scope, $start, $end)
),
final AS (
    SELECT count(*) AS n, max(unit_code), max(item), max(plan_vnd), max(actual_vnd) FROM m
)
SELECT * FROM final
"""

_TREND_COLS = "field, procedure_code, channel, received_at, finished_at, due_at, digitised_input, e_result"
MONTHLY_TREND = f"""
WITH final AS (
    SELECT count(*) AS n, {_maxes(_TREND_COLS)} FROM raw_dossiers_in($dossier_files)
    WHERE {_REPORT_WHERE}
      AND ($field IS NULL OR field = $field) AND ($procedure IS NULL OR procedure_code = $procedure)
)
SELECT * FROM final
"""

_NATIONAL_COLS = "province_code, field, channel, received_at, due_at, finished_at, digitised_input, e_result"
NATIONAL_YEAR = f"""
WITH final AS (
    SELECT count(*) AS n, {_maxes(_NATIONAL_COLS)} FROM raw_dossiers
    WHERE year <= year($end)
      AND received_at < $end + INTERVAL 1 DAY AND (finished_at IS NULL OR finished_at >= $start)
)
SELECT * FROM final
"""

# The rollup twins: the rollup rows the twin reads (the days of the period: flows summed, the stocks
# of its last day) and the columns it takes from them.
_FLOW_COLS = ("field, procedure_code, received_new, received_online, digitised_input, reused_data, "
              "new_with_fee, new_paid_online, resolved_early, resolved_on_time, resolved_late, "
              "digitised_result, resolved_with_supplement")
DOSSIER_KPIS_DAILY = f"""
WITH final AS (
    SELECT count(*) AS n, max(day) AS max_day, {_maxes(_FLOW_COLS)}, max(open_end) AS max_open, max(overdue_end) AS max_overdue
    FROM raw_dossier_daily_in($daily_files)
    WHERE list_contains($provinces, province_code)
      AND year BETWEEN year($start) AND year($end)
      AND day BETWEEN $start AND $end
)
SELECT * FROM final
"""

MONTHLY_TREND_DAILY = """
WITH final AS (
    SELECT count(*) AS n, max(field), max(procedure_code), max(day), max(received_new), max(received_online),
           max(digitised_input), max(resolved_total), max(resolved_early), max(resolved_on_time),
           max(digitised_result)
    FROM raw_dossier_daily_in($daily_files)
    WHERE list_contains($provinces, province_code)
      AND ($field IS NULL OR field = $field) AND ($procedure IS NULL OR procedure_code = $procedure)
      AND year BETWEEN year($start) AND year($end) AND day BETWEEN $start AND $end
)
SELECT * FROM final
"""

RATING_KPIS_DAILY = """
WITH final AS (
    SELECT count(*) AS n, max(field), max(level), max(satisfied), max(ratings)
    FROM raw_rating_daily_in($rating_daily_files)
    WHERE list_contains($provinces, province_code) AND year BETWEEN year($start) AND year($end) AND day BETWEEN $start AND $end
)
SELECT * FROM final
"""

NATIONAL_YEAR_DAILY = """
WITH flows AS (
    SELECT count(*) AS n, max(province_code) AS p, max(field) AS f, max(received_new) AS a, max(received_online) AS b,
           max(digitised_input) AS c, max(resolved_total) AS d, max(resolved_early) AS e, max(resolved_on_time) AS g,
           max(resolved_late) AS h, max(digitised_result) AS i
    FROM raw_dossier_daily_in($daily_files)
    WHERE year BETWEEN year($start) AND year($end) AND day BETWEEN $start AND $end
),
stocks AS (
    SELECT count(*) AS n, max(province_code) AS sp, max(field) AS sf, max(open_end) AS so, max(overdue_end) AS sd
    FROM raw_dossier_daily_in($daily_files)
    WHERE (year BETWEEN year(least(CAST($start AS DATE) - 1, CAST($min_horizon AS DATE))) AND year(CAST($start AS DATE) - 1)
           AND day BETWEEN least(CAST($start AS DATE) - 1, CAST($min_horizon AS DATE)) AND CAST($start AS DATE) - 1)
       OR (year BETWEEN year(least(CAST($end AS DATE), CAST($min_horizon AS DATE))) AND year($end)
           AND day BETWEEN least(CAST($end AS DATE), CAST($min_horizon AS DATE)) AND $end)
),
final AS (SELECT flows.n + stocks.n AS n, flows.* EXCLUDE (n), stocks.* EXCLUDE (n) FROM flows, stocks)
SELECT * FROM final
"""

FLOORS = {"dossier_kpis": DOSSIER_KPIS, "rating_kpis": RATING_KPIS, "feedback_kpis": FEEDBACK_KPIS,
          "finance_summary": FINANCE_SUMMARY, "monthly_trend": MONTHLY_TREND, "national_year": NATIONAL_YEAR,
          "dossier_kpis_daily": DOSSIER_KPIS_DAILY, "monthly_trend_daily": MONTHLY_TREND_DAILY,
          "rating_kpis_daily": RATING_KPIS_DAILY, "national_year_daily": NATIONAL_YEAR_DAILY}


# --- Bare scans: the same rows and columns read straight from the partition files -------------
# The floors above go through the product's macros and parameters. A bare scan lists the partition
# files itself (bench code, paths from the data directory) and reads only those of the scope's
# provinces and of the years the query needs, as a literal list, with in_scope written out as plain
# comparisons (plain_scope): the time to merely scan the columns touched. (The rollup twins have
# none: their floor already reads the rollup files directly.)

def _lit(v) -> str:
    return "'" + str(v).replace("'", "''") + "'"


def _in(col: str, codes) -> str:
    return f"{col} IN ({', '.join(_lit(c) for c in codes)})" if codes else "false"


def plain_scope(scope: dict, day: str) -> str:
    """in_scope(scope, province_code, district_code, unit_code, <day>) (queries/views/10_units.sql)
    as plain SQL comparisons with the scope's codes as literals: rows of the old map before the change
    day, of the new map from it. Codes and the day come from cchc.units.Unit.scope (bench-built)."""
    change = scope["change"] if isinstance(scope["change"], str) else scope["change"].isoformat()
    old = [_in("province_code", scope["old_provinces"])]
    if scope["old_districts"] is not None:
        old.append(_in("district_code", scope["old_districts"]))
    if scope["old_units"] is not None:
        old.append(_in("unit_code", scope["old_units"]))
    new = [_in("province_code", scope["new_provinces"])]
    if scope["new_units"] is not None:
        new.append(_in("unit_code", scope["new_units"]))
    # the range and the one district, as in_scope states them (pushed into the scan by DuckDB)
    pre = f"unit_code BETWEEN {_lit(scope['unit_lo'])} AND {_lit(scope['unit_hi'])}"
    if scope.get("district") is not None:
        pre += f" AND district_code = {_lit(scope['district'])}"
    return (f"({pre} AND CASE WHEN {day} < DATE {_lit(change)} THEN {' AND '.join(old)} "
            f"ELSE {' AND '.join(new)} END)")


def _files(root, table: str, provinces: list[str] | None, years) -> str:
    from pathlib import Path
    base = Path(root) / table
    files = []
    for y in years:
        for p in provinces or ["*"]:
            files += sorted(str(f) for f in base.glob(f"year={y}/province_code={p}/*.parquet"))
    # province_code and year are in the paths only (hive partitions), typed as cchc.db types them
    return ("[" + ", ".join(_lit(f) for f in files) + "], hive_partitioning = true, "
            "hive_types = {'year': SMALLINT, 'province_code': VARCHAR}")


def _years(root, table: str) -> list[int]:
    from pathlib import Path
    return sorted(int(p.name.split("=")[1]) for p in (Path(root) / table).glob("year=*"))


def _year(d: str | date) -> int:
    return d.year if isinstance(d, date) else int(d[:4])


def bare_dossiers(root, scope: dict | None, start: str, end: str, cols: str | None = None, narrow: str = "") -> str:
    """dossier_kpis (scope given: Unit.scope's {"scope", "provinces"}) or national_year (None): the
    report's rows of the years up to year(end), the columns `cols` (default: those of the query),
    optionally narrowed further."""
    cols = cols or (_DOSSIER_COLS if scope else _NATIONAL_COLS)
    ys = [y for y in _years(root, "dossiers") if y <= _year(end)]
    if scope:
        narrow = f"AND {plain_scope(scope['scope'], 'received_at')} {narrow}"
    return f"""
WITH final AS (
    SELECT count(*) AS n, {_maxes(cols)}
    FROM read_parquet({_files(root, 'dossiers', scope and scope['provinces'], ys)})
    WHERE received_at < $end + INTERVAL 1 DAY AND (finished_at IS NULL OR finished_at >= $start) {narrow}
)
SELECT * FROM final
"""


def bare_trend(root, scope: dict, start: str, end: str) -> str:
    return bare_dossiers(root, scope, start, end, _TREND_COLS,
                         "AND ($field IS NULL OR field = $field) AND ($procedure IS NULL OR procedure_code = $procedure)")


def bare_ratings(root, scope: dict, start: str, end: str) -> str:
    ys = [y for y in _years(root, "ratings") if _year(start) <= y <= _year(end)]
    return f"""
WITH final AS (
    SELECT count(*) AS n, {_maxes(_RATING_COLS)}
    FROM read_parquet({_files(root, 'ratings', scope['provinces'], ys)})
    WHERE {plain_scope(scope['scope'], 'rated_at')}
      AND CAST(rated_at AS DATE) BETWEEN $start AND $end
)
SELECT * FROM final
"""


# --- The rows each query reads, counted through the product's own table macros ------------------
# (the floors and bare scans must count exactly these: bench/run.py checks it on every dataset)
READS = {
    "dossier_kpis": "SELECT count(*) FROM report_rows_for($dossier_files, $scope, $start, $end)",
    "monthly_trend": "SELECT count(*) FROM report_rows_for($dossier_files, $scope, $start, $end) "
                     "WHERE ($field IS NULL OR field = $field) AND ($procedure IS NULL OR procedure_code = $procedure)",
    "rating_kpis": "SELECT count(*) FROM ratings_for($rating_files, $scope, $start, $end)",
    "feedback_kpis": "SELECT count(*) FROM feedback_for($scope, $start, $end)",
    "finance_summary": "SELECT count(*) FROM finances_for($scope, $start, $end)",
    "national_year": "SELECT count(*) FROM raw_dossiers WHERE year <= year($end) "
                     "AND in_report(received_at, finished_at, $start, $end)",
}
