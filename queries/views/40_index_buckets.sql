-- Periods and units shared by the trend and ranking queries.

-- The periods ("buckets") of the index page's grouped metric queries (queries/index_page_*_metrics.sql):
-- bucket i (0-based) runs from p_starts[i + 1] to p_ends[i + 1].
CREATE MACRO period_buckets(p_starts, p_ends) AS TABLE
SELECT CAST(i AS INTEGER) AS bucket,
       CAST(p_starts[i + 1] AS DATE) AS b_start,
       CAST(p_ends[i + 1] AS DATE) AS b_end
FROM range(len(p_starts)) t(i);

-- The rating forms of one unit (as ratings_for) filled in each bucket, with the bucket's number:
-- a form belongs to every bucket whose days include the day it was filled. p_wstart and p_wend
-- cover all the buckets (the years of files read).
CREATE MACRO ratings_in_buckets(p_files, p_starts, p_ends, p_wstart, p_wend, p_scope) AS TABLE
SELECT b.bucket, r.*
FROM stg_ratings_in(p_files) r
JOIN period_buckets(p_starts, p_ends) b
  ON r.rated_date BETWEEN b.b_start AND b.b_end
 AND r.year BETWEEN year(b.b_start) AND year(b.b_end)
WHERE in_scope(p_scope, r.province_code, r.district_code, r.unit_code, r.rated_date)
  AND r.year BETWEEN year(CAST(p_wstart AS DATE)) AND year(CAST(p_wend AS DATE));

-- The child units a ranking has one row for: the units of level p_child ('commune' | 'district')
-- within the scope, or one NULL row (the unit as a whole) when p_child is NULL.
CREATE MACRO child_units(p_child, p_scope) AS TABLE
SELECT code AS child_code FROM units_of_level(p_child, p_scope)
UNION ALL
SELECT CAST(NULL AS VARCHAR) AS child_code
WHERE p_child IS NULL;

-- Every (bucket, child unit) pair of a grouped metric query: its result has one row for each, zero
-- where nothing happened.
CREATE MACRO bucket_child_keys(p_starts, p_ends, p_child, p_scope) AS TABLE
SELECT b.bucket, c.child_code
FROM period_buckets(p_starts, p_ends) b
CROSS JOIN child_units(p_child, p_scope) c;
