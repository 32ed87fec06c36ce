"""Scan floors: for each benchmarked query, the same rows and the same columns read through the same
sources as the product (the province's partition files, $dossier_files / $rating_files, filled in by
cchc.db; the rollup files for the rollup twins) with the same WHERE, but aggregated trivially
(count(*) and max() of every column the query touches). max() forces every touched column to be
decoded; nothing is grouped or joined beyond what selecting the rows needs. A query's cost over its
floor is what its own work adds. The key of FLOORS is the query that actually ran
(cchc.db.Database.routed): a whole province reads the rollup while it is fresh.
"""
from __future__ import annotations

_DOSSIER_COLS = ("district_code, unit_code, field, procedure_code, channel, received_at, due_at, finished_at, "
                 "supplement_count, digitised_input, e_result, reused_data, paid_online, fee_vnd")


def _maxes(cols: str) -> str:
    return ", ".join(f"max({c.strip()}) AS max_{c.strip()}" for c in cols.split(","))


# dossier_kpis: the rows of the dossiers_for macro, the columns the query reads.
# The rows of report_rows_for (queries/views/20_dossiers.sql), with its own role macro.
_REPORT_WHERE = """province_code = $province AND year <= year($end)
      AND in_report(received_at, finished_at, $start, $end)
      AND in_scope($district, $unit, district_code, unit_code)"""

DOSSIER_KPIS = f"""
WITH final AS (
    SELECT count(*) AS n, {_maxes(_DOSSIER_COLS)} FROM raw_dossiers_in($dossier_files)
    WHERE {_REPORT_WHERE}
)
SELECT * FROM final
"""

_RATING_COLS = "district_code, unit_code, field, rated_at, level"
RATING_KPIS = f"""
WITH final AS (
    SELECT count(*) AS n, {_maxes(_RATING_COLS)} FROM raw_ratings_in($rating_files)
    WHERE province_code = $province
      AND in_scope($district, $unit, district_code, unit_code)
      AND year BETWEEN year($start) AND year($end)
      AND CAST(rated_at AS DATE) BETWEEN $start AND $end
)
SELECT * FROM final
"""

_FEEDBACK_COLS = "district_code, unit_code, received_at, due_at, handled_at"
FEEDBACK_KPIS = f"""
WITH final AS (
    SELECT count(*) AS n, {_maxes(_FEEDBACK_COLS)} FROM raw_feedback
    WHERE province_code = $province
      AND in_scope($district, $unit, district_code, unit_code)
      AND CAST(received_at AS DATE) BETWEEN $start AND $end
)
SELECT * FROM final
"""

FINANCE_SUMMARY = """
WITH m AS (
    SELECT unit_code, item, plan_vnd, actual_vnd FROM finances_for($province, $district, $unit, $start, $end)
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
    WHERE province_code = $province
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
    WHERE province_code = $province
      AND ($field IS NULL OR field = $field) AND ($procedure IS NULL OR procedure_code = $procedure)
      AND year BETWEEN year($start) AND year($end) AND day BETWEEN $start AND $end
)
SELECT * FROM final
"""

RATING_KPIS_DAILY = """
WITH final AS (
    SELECT count(*) AS n, max(field), max(level), max(satisfied), max(ratings)
    FROM raw_rating_daily_in($rating_daily_files)
    WHERE province_code = $province AND year BETWEEN year($start) AND year($end) AND day BETWEEN $start AND $end
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
# files itself (bench code, paths from the data directory) and reads only those of the years the
# query needs, as a literal list: the time to merely scan the columns touched. (The rollup twins
# have none: their floor already reads the province's rollup files directly.)

def _files(root, table: str, province: str | None, years) -> str:
    from pathlib import Path
    base = Path(root) / table
    files = []
    for y in years:
        pattern = f"year={y}/province_code={province}/*.parquet" if province else f"year={y}/*/*.parquet"
        files += sorted(str(p) for p in base.glob(pattern))
    return "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"


def _years(root, table: str) -> list[int]:
    from pathlib import Path
    return sorted(int(p.name.split("=")[1]) for p in (Path(root) / table).glob("year=*"))


def bare_dossiers(root, province: str | None, start: str, end: str, cols: str | None = None, narrow: str = "") -> str:
    """dossier_kpis (province given) or national_year (province None): the report's rows of the years
    up to year(end), the columns `cols` (default: those of the query), optionally narrowed further."""
    cols = cols or (_DOSSIER_COLS if province else _NATIONAL_COLS)
    ys = [y for y in _years(root, "dossiers") if y <= int(end[:4])]
    if province:
        narrow = "AND ($district IS NULL OR district_code = $district) AND ($unit IS NULL OR unit_code = $unit) " + narrow
    return f"""
WITH final AS (
    SELECT count(*) AS n, {_maxes(cols)}
    FROM read_parquet({_files(root, 'dossiers', province, ys)})
    WHERE received_at < $end + INTERVAL 1 DAY AND (finished_at IS NULL OR finished_at >= $start) {narrow}
)
SELECT * FROM final
"""


def bare_trend(root, province: str, start: str, end: str) -> str:
    return bare_dossiers(root, province, start, end, _TREND_COLS,
                         "AND ($field IS NULL OR field = $field) AND ($procedure IS NULL OR procedure_code = $procedure)")


def bare_ratings(root, province: str, start: str, end: str) -> str:
    ys = [y for y in _years(root, "ratings") if int(start[:4]) <= y <= int(end[:4])]
    return f"""
WITH final AS (
    SELECT count(*) AS n, {_maxes(_RATING_COLS)}
    FROM read_parquet({_files(root, 'ratings', province, ys)})
    WHERE ($district IS NULL OR district_code = $district)
      AND ($unit IS NULL OR unit_code = $unit)
      AND CAST(rated_at AS DATE) BETWEEN $start AND $end
)
SELECT * FROM final
"""
