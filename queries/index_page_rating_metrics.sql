-- The rating-form scoring metric rating_satisfaction (forms "hài lòng" or "rất hài lòng" / forms
-- filled), numerator and denominator as queries/index_rating_satisfaction.sql computes them, for
-- several periods at once ($starts, $ends: lists of inclusive DATEs; bucket i = element i + 1;
-- $wstart, $wend: the window covering them) and optionally per child unit ($child = 'commune' |
-- 'district' | NULL), for the index page's score trend and ranking.
WITH buckets AS (
    SELECT * FROM period_buckets($starts, $ends)
),
keys AS (  -- one row per bucket and child unit, so empty ones come back with zeros
    SELECT * FROM bucket_child_keys($starts, $ends, $child, $province, $district, $unit)
),
agg AS (
    SELECT b.bucket,
           CASE $child WHEN 'commune' THEN r.unit_code WHEN 'district' THEN r.district_code END AS child_code,
           CAST(sum(CAST(r.satisfied AS INTEGER)) AS BIGINT) AS rating_satisfaction_num,
           count(*) AS rating_satisfaction_den
    FROM stg_ratings_in($rating_files) r
    JOIN buckets b
      ON r.rated_date BETWEEN b.b_start AND b.b_end
     AND r.year BETWEEN year(b.b_start) AND year(b.b_end)
    WHERE r.province_code = $province
      AND ($district IS NULL OR r.district_code = $district)
      AND ($unit IS NULL OR r.unit_code = $unit)
      AND r.year BETWEEN year(CAST($wstart AS DATE)) AND year(CAST($wend AS DATE))
    GROUP BY ALL
),
final AS (
    SELECT k.bucket, k.child_code,
           coalesce(a.rating_satisfaction_num, 0) AS rating_satisfaction_num,
           coalesce(a.rating_satisfaction_den, 0) AS rating_satisfaction_den
    FROM keys k
    LEFT JOIN agg a ON a.bucket = k.bucket AND a.child_code IS NOT DISTINCT FROM k.child_code
)
SELECT * FROM final ORDER BY bucket, child_code;
