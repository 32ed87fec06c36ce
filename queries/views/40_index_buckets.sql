-- Periods and units shared by the trend and ranking queries.

-- The first days of the calendar months from the month of p_start to that of p_end: the rows of a
-- monthly trend, so months without data come back (with zero counts) instead of missing.
CREATE MACRO months_of(p_start, p_end) AS TABLE
SELECT CAST(m AS DATE) AS month
FROM range(date_trunc('month', CAST(p_start AS DATE)), CAST(p_end AS DATE) + INTERVAL 1 DAY, INTERVAL 1 MONTH) t(m);

-- The periods ("buckets") of the index page's grouped metric queries (queries/index_page_*_metrics.sql):
-- bucket i (0-based) runs from p_starts[i + 1] to p_ends[i + 1].
CREATE MACRO period_buckets(p_starts, p_ends) AS TABLE
SELECT CAST(i AS INTEGER) AS bucket,
       CAST(p_starts[i + 1] AS DATE) AS b_start,
       CAST(p_ends[i + 1] AS DATE) AS b_end
FROM range(len(p_starts)) t(i);

-- The child units a ranking has one row for: the units of level p_child ('commune' | 'district')
-- within the scope, or one NULL row (the unit as a whole) when p_child is NULL.
CREATE MACRO child_units(p_child, p_province, p_district, p_unit) AS TABLE
SELECT code AS child_code FROM units_of_level(p_child, p_province, p_district, p_unit)
UNION ALL
SELECT CAST(NULL AS VARCHAR) AS child_code
WHERE p_child IS NULL;

-- Every (bucket, child unit) pair of a grouped metric query: its result has one row for each, zero
-- where nothing happened.
CREATE MACRO bucket_child_keys(p_starts, p_ends, p_child, p_province, p_district, p_unit) AS TABLE
SELECT b.bucket, c.child_code
FROM period_buckets(p_starts, p_ends) b
CROSS JOIN child_units(p_child, p_province, p_district, p_unit) c;
