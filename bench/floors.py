"""Scan floors: for each benchmarked query, the same rows and the same columns read through the same
raw views with the same WHERE, but aggregated trivially (count(*) and max() of every column the
query touches). max() forces every touched column to be decoded; nothing is grouped or joined
beyond what selecting the rows needs. A query's cost over its floor is what its own work adds.
"""
from __future__ import annotations

_DOSSIER_COLS = ("district_code, unit_code, field, procedure_code, channel, received_at, due_at, finished_at, "
                 "supplement_count, digitised_input, e_result, reused_data, paid_online, fee_vnd")


def _maxes(cols: str) -> str:
    return ", ".join(f"max({c.strip()}) AS max_{c.strip()}" for c in cols.split(","))


# dossier_kpis: the rows of the dossiers_for macro (two branches), the columns the query reads.
DOSSIER_KPIS = f"""
WITH s AS (
    SELECT {_DOSSIER_COLS} FROM raw_dossiers
    WHERE province_code = $province AND year BETWEEN year($start) AND year($end)
      AND received_at < $end + INTERVAL 1 DAY AND (finished_at IS NULL OR finished_at >= $start)
    UNION ALL
    SELECT {_DOSSIER_COLS} FROM raw_dossiers
    WHERE province_code = $province AND year < year($start) AND (finished_at IS NULL OR finished_at >= $start)
),
final AS (
    SELECT count(*) AS n, {_maxes(_DOSSIER_COLS)} FROM s
    WHERE ($district IS NULL OR district_code = $district) AND ($unit IS NULL OR unit_code = $unit)
)
SELECT * FROM final
"""

_RATING_COLS = "district_code, unit_code, field, rated_at, level"
RATING_KPIS = f"""
WITH final AS (
    SELECT count(*) AS n, {_maxes(_RATING_COLS)} FROM raw_ratings
    WHERE province_code = $province
      AND ($district IS NULL OR district_code = $district)
      AND ($unit IS NULL OR unit_code = $unit)
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
      AND ($district IS NULL OR district_code = $district)
      AND ($unit IS NULL OR unit_code = $unit)
      AND CAST(received_at AS DATE) BETWEEN $start AND $end
)
SELECT * FROM final
"""

FINANCE_SUMMARY = """
WITH m AS (
    SELECT f.unit_code, f.item, f.plan_vnd, f.actual_vnd
    FROM raw_finances f
    JOIN raw_units u ON u.code = f.unit_code
    WHERE u.province_code = $province
      AND ($district IS NULL OR u.district_code = $district)
      AND ($unit IS NULL OR f.unit_code = $unit)
      AND make_date(f.year, f.month, 1) BETWEEN date_trunc('month', CAST($start AS DATE)) AND CAST($end AS DATE)
),
final AS (
    SELECT count(*) AS n, max(unit_code), max(item), max(plan_vnd), max(actual_vnd) FROM m
)
SELECT * FROM final
"""

_TREND_COLS = "field, procedure_code, channel, received_at, finished_at, due_at, digitised_input, e_result"
MONTHLY_TREND = f"""
WITH final AS (
    SELECT count(*) AS n, {_maxes(_TREND_COLS)} FROM raw_dossiers
    WHERE province_code = $province
      AND ($district IS NULL OR district_code = $district)
      AND ($unit IS NULL OR unit_code = $unit)
      AND ($field IS NULL OR field = $field)
      AND ($procedure IS NULL OR procedure_code = $procedure)
      AND year BETWEEN year($start) - 1 AND year($end)
      AND (received_at >= $start OR finished_at >= $start)
      AND received_at < $end + INTERVAL 1 DAY
)
SELECT * FROM final
"""

_NATIONAL_COLS = "province_code, field, channel, received_at, due_at, finished_at, digitised_input, e_result"
NATIONAL_YEAR = f"""
WITH s AS (
    SELECT {_NATIONAL_COLS} FROM raw_dossiers
    WHERE year BETWEEN year($start) AND year($end)
      AND received_at < $end + INTERVAL 1 DAY AND (finished_at IS NULL OR finished_at >= $start)
    UNION ALL
    SELECT {_NATIONAL_COLS} FROM raw_dossiers
    WHERE year < year($start) AND (finished_at IS NULL OR finished_at >= $start)
),
final AS (SELECT count(*) AS n, {_maxes(_NATIONAL_COLS)} FROM s)
SELECT * FROM final
"""

# The fixed cost of touching the dossiers table at all: a province that does not exist, so the
# hive filter leaves no file to read; what remains is listing the files and binding the view.
EMPTY_SCAN = """
WITH final AS (SELECT count(*) AS n FROM raw_dossiers WHERE province_code = $province AND year = 2023)
SELECT * FROM final
"""

FLOORS = {"dossier_kpis": DOSSIER_KPIS, "rating_kpis": RATING_KPIS, "feedback_kpis": FEEDBACK_KPIS,
          "finance_summary": FINANCE_SUMMARY, "monthly_trend": MONTHLY_TREND, "national_year": NATIONAL_YEAR}


# --- Bare scans: the same rows and columns read straight from the partition files -------------
# The floors above go through the product's raw views, so they pay the views' fixed costs too
# (listing every partition, union_by_name reading every file's footer). A bare scan lists the
# partition files itself (bench code, paths from the data directory) and reads only those, with
# the same row condition folded into one scan; it is the time to merely scan the columns touched.

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


def bare_dossiers(root, province: str | None, start: str, end: str) -> str:
    """dossier_kpis (province given) or national_year (province None): years up to year(end)."""
    cols = _DOSSIER_COLS if province else _NATIONAL_COLS
    ys = [y for y in _years(root, "dossiers") if y <= int(end[:4])]
    narrow = "AND ($district IS NULL OR district_code = $district) AND ($unit IS NULL OR unit_code = $unit)" \
        if province else ""
    return f"""
WITH final AS (
    SELECT count(*) AS n, {_maxes(cols)}
    FROM read_parquet({_files(root, 'dossiers', province, ys)})
    WHERE received_at < $end + INTERVAL 1 DAY AND (finished_at IS NULL OR finished_at >= $start) {narrow}
)
SELECT * FROM final
"""


def bare_trend(root, province: str, start: str, end: str) -> str:
    ys = [y for y in _years(root, "dossiers") if int(start[:4]) - 1 <= y <= int(end[:4])]
    return f"""
WITH final AS (
    SELECT count(*) AS n, {_maxes(_TREND_COLS)}
    FROM read_parquet({_files(root, 'dossiers', province, ys)})
    WHERE ($district IS NULL OR district_code = $district)
      AND ($unit IS NULL OR unit_code = $unit)
      AND ($field IS NULL OR field = $field)
      AND ($procedure IS NULL OR procedure_code = $procedure)
      AND (received_at >= $start OR finished_at >= $start)
      AND received_at < $end + INTERVAL 1 DAY
)
SELECT * FROM final
"""


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
