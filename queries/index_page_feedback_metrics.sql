-- The feedback (PAKN) scoring metrics feedback_on_time (766 §5.2) and feedback_satisfied (766 §5.3),
-- numerator and denominator as queries/index_feedback_on_time.sql and index_feedback_satisfied.sql
-- compute them, for several periods at once ($starts, $ends: lists of inclusive DATEs; bucket i =
-- element i + 1) and optionally per child unit ($child = 'commune' | 'district' | NULL), for the
-- index page's score trend and ranking. Each feedback counts in the bucket it was received in and is
-- judged as it stood at that bucket's last day.
WITH buckets AS (
    SELECT * FROM period_buckets($starts, $ends)
),
keys AS (  -- one row per bucket and child unit, so empty ones come back with zeros
    SELECT * FROM bucket_child_keys($starts, $ends, $child, $scope)
),
f AS (
    SELECT b.bucket, b.b_end,
           CASE WHEN $child IS NOT NULL THEN child_of($scope, $child, f.district_code, f.unit_code, f.received_date) END AS child_code,
           f.handled_date, f.due_date, f.citizen_satisfied
    FROM stg_feedback f
    JOIN buckets b ON f.received_date BETWEEN b.b_start AND b.b_end
    WHERE in_scope($scope, f.province_code, f.district_code, f.unit_code, f.received_date)
),
judged AS (
    SELECT bucket, child_code,
           metric_feedback_on_time_num(feedback_status(handled_date, due_date, b_end)) AS on_time,
           metric_feedback_satisfied_num(feedback_status(handled_date, due_date, b_end), handled_date,
                                         citizen_satisfied, b_end) AS satisfied
    FROM f
),
agg AS (
    SELECT bucket, child_code,
           count_if(on_time) AS feedback_on_time_num,
           count_if(satisfied) AS feedback_satisfied_num,
           count(*) AS feedback_total
    FROM judged
    GROUP BY ALL
),
final AS (
    SELECT k.bucket, k.child_code,
           coalesce(a.feedback_on_time_num, 0) AS feedback_on_time_num,
           coalesce(a.feedback_total, 0) AS feedback_on_time_den,
           coalesce(a.feedback_satisfied_num, 0) AS feedback_satisfied_num,
           coalesce(a.feedback_total, 0) AS feedback_satisfied_den
    FROM keys k
    LEFT JOIN agg a ON a.bucket = k.bucket AND a.child_code IS NOT DISTINCT FROM k.child_code
)
SELECT * FROM final ORDER BY bucket, child_code;
