-- Every dossier-based scoring metric (the numerator and denominator of queries/index_<metric>.sql)
-- for several periods at once, and optionally for each child unit, in one pass over the dossiers.
-- It answers "what would each index_<metric> query return for period i (and child unit c)?", so
-- the index page can draw a score trend (periods = months / quarters / years) or rank units (one
-- period, one row per child) without running every metric query per period and unit.
--   $starts, $ends      the periods ("buckets"): lists of inclusive DATEs, bucket i = element i + 1
--   $wstart, $wend      the window covering them all (first start, last end)
--   $child              NULL = the unit as a whole; 'commune' / 'district' = one row per child unit
--                       of that level within the unit (communes of a district, districts of a province)
--   $proc_level         as for the metric queries: 'commune' when the scored units are communes
--   $field, $procedure  optional narrowing to one field / procedure (NULL = all; the drill-down's
--                       monthly trend); the procedure-count metrics (3.5, 3.5b) ignore it
-- The roles of a dossier in a bucket (carried over, new, resolved, pending, overdue) are those of
-- report_rows_for for that bucket's dates (the role macros of queries/views/20_dossiers.sql);
-- tests/test_chi_so.py checks every figure against the per-period queries.
-- Columns: bucket, child_code, <metric>_num, <metric>_den.
WITH buckets AS (
    SELECT * FROM period_buckets($starts, $ends)
),
keys AS (  -- one row per bucket and child unit, so empty ones come back with zeros
    SELECT * FROM bucket_child_keys($starts, $ends, $child, $scope)
),
w AS (
    SELECT d.dossier_id, d.unit_code, d.district_code, d.procedure_code, d.channel, d.received_at, d.due_at,
           d.finished_at, d.days_past_due, d.status, d.supplement_count, d.digitised_input, d.e_result,
           d.reused_data, d.paid_online, d.fee_vnd, p.online_level, p.paper_result
    FROM report_rows_for($dossier_files, $scope, $wstart, $wend) d
    LEFT JOIN raw_procedures p ON p.code = d.procedure_code
    WHERE ($field IS NULL OR d.field = $field)
      AND ($procedure IS NULL OR d.procedure_code = $procedure)
),
-- one row per dossier and bucket it belongs to, with its roles in that bucket
x AS (
    SELECT b.bucket, b.b_end,
           CASE WHEN $child IS NOT NULL THEN child_of($scope, $child, w.district_code, w.unit_code, w.received_at) END AS child_code,
           w.*,
           is_new_in(w.received_at, b.b_start) AS is_new,
           resolved_by(w.finished_at, b.b_end) AS resolved,
           pending_at(w.finished_at, b.b_end) AS pending,
           overdue_at(w.finished_at, w.due_at, b.b_end) AS pending_overdue
    FROM w
    JOIN buckets b ON in_report(w.received_at, w.finished_at, b.b_start, b.b_end)
),
-- 5.4: dossiers rated "không hài lòng" within the bucket, or named by a feedback received by its end
disliked AS (
    SELECT DISTINCT bucket, dossier_id
    FROM ratings_in_buckets($rating_files, $starts, $ends, $wstart, $wend, $scope)
    WHERE disliked_level(level)
),
complained AS (
    SELECT * FROM complaints_by_dossier($scope, $wend)
),
judged AS (
    SELECT x.bucket, x.child_code,
           metric_dossier_satisfaction_num(x.days_past_due, r.dossier_id IS NOT NULL,
                                           coalesce(c.first_day <= x.b_end, false)) AS satisfied
    FROM x
    LEFT JOIN disliked r ON r.bucket = x.bucket AND r.dossier_id = x.dossier_id
    LEFT JOIN complained c ON c.dossier_id = x.dossier_id
    WHERE metric_dossier_satisfaction_den(x.resolved)
),
satisfaction AS (
    SELECT bucket, child_code,
           count_if(satisfied) AS dossier_satisfaction_num,
           count(*) AS dossier_satisfaction_den
    FROM judged
    GROUP BY ALL
),
agg AS (
    SELECT bucket, child_code,
           count_if(metric_on_time_num(resolved, days_past_due, pending, pending_overdue, status, supplement_count))
               AS on_time_num,
           count(*) AS on_time_den,
           count_if(metric_resolved_in_time_den(resolved) AND metric_resolved_in_time_num(days_past_due))
               AS resolved_in_time_num,
           count_if(metric_resolved_in_time_den(resolved)) AS resolved_in_time_den,
           count_if(metric_late_dossiers_num(resolved, days_past_due)) AS late_dossiers_num,
           count_if(metric_online_full_den(is_new, online_level) AND metric_online_full_num(channel)) AS online_full_num,
           count_if(metric_online_full_den(is_new, online_level)) AS online_full_den,
           count_if(metric_online_submission_den(is_new) AND metric_online_submission_num(channel))
               AS online_submission_num,
           count_if(metric_online_submission_den(is_new)) AS online_submission_den,
           count_if(metric_paid_online_den(is_new, fee_vnd) AND metric_paid_online_num(paid_online)) AS paid_online_num,
           count_if(metric_paid_online_den(is_new, fee_vnd)) AS paid_online_den,
           count_if(metric_e_result_den(resolved, paper_result) AND metric_e_result_num(e_result)) AS e_result_num,
           count_if(metric_e_result_den(resolved, paper_result)) AS e_result_den,
           count_if(metric_digitised_input_den(is_new) AND metric_digitised_input_num(digitised_input))
               AS digitised_input_num,
           count_if(metric_digitised_input_den(is_new)) AS digitised_input_den,
           count_if(metric_digitised_result_den(resolved) AND metric_digitised_result_num(e_result))
               AS digitised_result_num,
           count_if(metric_digitised_result_den(resolved)) AS digitised_result_den,
           count_if(metric_reused_data_den(is_new) AND metric_reused_data_num(reused_data)) AS reused_data_num,
           count_if(metric_reused_data_den(is_new)) AS reused_data_den
    FROM x
    GROUP BY ALL
),
-- 3.5 / 3.5b: procedures with a fee in force on the bucket's last day, and whether a new dossier of
-- the bucket (and child) carried a fee / was paid online
fee_procs AS (
    SELECT b.bucket, p.code
    FROM raw_procedures p
    JOIN buckets b ON in_force_on(p.valid_from, p.valid_to, b.b_end)
    WHERE charges_fee(p.fee_vnd)
      AND ($proc_level IS NULL OR p.level = $proc_level)
),
used AS (
    SELECT DISTINCT bucket, child_code, procedure_code FROM x WHERE metric_fee_procedures_synced_uses(is_new, fee_vnd)
),
paid AS (
    SELECT DISTINCT bucket, child_code, procedure_code FROM x WHERE metric_fee_procedures_paid_online_uses(is_new, paid_online)
),
fee AS (
    SELECT k.bucket, k.child_code,
           count(f.code) AS fee_den,
           count(u.procedure_code) AS fee_procedures_synced_num,
           count(pd.procedure_code) AS fee_procedures_paid_online_num
    FROM keys k
    JOIN fee_procs f ON f.bucket = k.bucket
    LEFT JOIN used u
      ON u.bucket = k.bucket AND u.child_code IS NOT DISTINCT FROM k.child_code AND u.procedure_code = f.code
    LEFT JOIN paid pd
      ON pd.bucket = k.bucket AND pd.child_code IS NOT DISTINCT FROM k.child_code AND pd.procedure_code = f.code
    GROUP BY ALL
),
final AS (
    SELECT k.bucket, k.child_code,
           coalesce(a.on_time_num, 0) AS on_time_num,
           coalesce(a.on_time_den, 0) AS on_time_den,
           coalesce(a.resolved_in_time_num, 0) AS resolved_in_time_num,
           coalesce(a.resolved_in_time_den, 0) AS resolved_in_time_den,
           coalesce(a.late_dossiers_num, 0) AS late_dossiers_num,
           CAST(NULL AS BIGINT) AS late_dossiers_den,
           coalesce(a.online_full_num, 0) AS online_full_num,
           coalesce(a.online_full_den, 0) AS online_full_den,
           coalesce(a.online_submission_num, 0) AS online_submission_num,
           coalesce(a.online_submission_den, 0) AS online_submission_den,
           coalesce(a.paid_online_num, 0) AS paid_online_num,
           coalesce(a.paid_online_den, 0) AS paid_online_den,
           coalesce(a.e_result_num, 0) AS e_result_num,
           coalesce(a.e_result_den, 0) AS e_result_den,
           coalesce(a.digitised_input_num, 0) AS digitised_input_num,
           coalesce(a.digitised_input_den, 0) AS digitised_input_den,
           coalesce(a.digitised_result_num, 0) AS digitised_result_num,
           coalesce(a.digitised_result_den, 0) AS digitised_result_den,
           coalesce(a.reused_data_num, 0) AS reused_data_num,
           coalesce(a.reused_data_den, 0) AS reused_data_den,
           coalesce(s.dossier_satisfaction_num, 0) AS dossier_satisfaction_num,
           coalesce(s.dossier_satisfaction_den, 0) AS dossier_satisfaction_den,
           coalesce(f.fee_procedures_synced_num, 0) AS fee_procedures_synced_num,
           coalesce(f.fee_den, 0) AS fee_procedures_synced_den,
           coalesce(f.fee_procedures_paid_online_num, 0) AS fee_procedures_paid_online_num,
           coalesce(f.fee_den, 0) AS fee_procedures_paid_online_den
    FROM keys k
    LEFT JOIN agg a ON a.bucket = k.bucket AND a.child_code IS NOT DISTINCT FROM k.child_code
    LEFT JOIN satisfaction s ON s.bucket = k.bucket AND s.child_code IS NOT DISTINCT FROM k.child_code
    LEFT JOIN fee f ON f.bucket = k.bucket AND f.child_code IS NOT DISTINCT FROM k.child_code
)
SELECT * FROM final ORDER BY bucket, child_code;
