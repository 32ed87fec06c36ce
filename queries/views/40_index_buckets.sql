-- Shared by the index page's grouped metric queries (queries/index_page_*_metrics.sql).

-- The periods ("buckets") of a trend: bucket i (0-based) runs from p_starts[i + 1] to p_ends[i + 1].
CREATE MACRO period_buckets(p_starts, p_ends) AS TABLE
SELECT CAST(i AS INTEGER) AS bucket,
       CAST(p_starts[i + 1] AS DATE) AS b_start,
       CAST(p_ends[i + 1] AS DATE) AS b_end
FROM range(len(p_starts)) t(i);

-- The child units a ranking has one row for: the units of level p_child ('commune' | 'district')
-- within the scope, or one NULL row (the unit as a whole) when p_child is NULL.
CREATE MACRO child_units(p_child, p_province, p_district, p_unit) AS TABLE
SELECT code AS child_code
FROM raw_units
WHERE level = p_child
  AND province_code = p_province
  AND (p_district IS NULL OR district_code = p_district)
  AND (p_unit IS NULL OR code = p_unit)
UNION ALL
SELECT CAST(NULL AS VARCHAR) AS child_code
WHERE p_child IS NULL;
