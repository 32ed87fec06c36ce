-- The rating-form scoring metric rating_satisfaction (forms "hài lòng" or "rất hài lòng" / forms
-- filled), numerator and denominator as queries/index_rating_satisfaction.sql computes them, for
-- several periods at once ($starts, $ends: lists of inclusive DATEs; bucket i = element i + 1;
-- $wstart, $wend: the window covering them) and optionally per child unit ($child = 'commune' |
-- 'district' | NULL), for the index page's score trend and ranking.
WITH keys AS (  -- one row per bucket and child unit, so empty ones come back with zeros
    SELECT * FROM bucket_child_keys($starts, $ends, $child, $scope)
),
agg AS (
    SELECT r.bucket,
           CASE WHEN $child IS NOT NULL THEN child_of($scope, $child, r.district_code, r.unit_code, r.rated_date) END AS child_code,
           count_if(r.satisfied) AS rating_satisfaction_num,
           count(*) AS rating_satisfaction_den
    FROM ratings_in_buckets($rating_files, $starts, $ends, $wstart, $wend, $scope) r
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
