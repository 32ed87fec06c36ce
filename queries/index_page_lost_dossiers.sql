-- The dossiers that cost a unit points on one dossier-based scoring metric over [$start, $end]: those
-- in the metric's denominator and not in its numerator (queries/index_<metric>.sql), e.g. for on_time
-- (766 §2.1) the dossiers resolved late, pending past their due day or waiting for a second
-- supplement; for digitised_input (§4.2) the new dossiers not digitised; for dossier_satisfaction
-- (§5.4) the resolved ones late, rated "không hài lòng" or named by a feedback. $metric is one of
-- on_time, resolved_in_time, late_dossiers, online_full, online_submission, paid_online, e_result,
-- digitised_input, digitised_result, reused_data, dossier_satisfaction (another name: no rows).
-- Paged: $limit rows from $offset, by receipt; every row carries the total of the whole list, and an
-- empty page still returns one row with the total and a NULL dossier_id. reasons: comma-separated
-- codes (late, overdue, supplement, not_online, not_paid_online, no_e_result, not_digitised,
-- not_reused, disliked, complained).
WITH d AS (
    SELECT d.*, p.name AS procedure_name, p.online_level, p.paper_result
    FROM report_rows_for($dossier_files, $scope, $start, $end) d
    LEFT JOIN raw_procedures p ON p.code = d.procedure_code
),
flags AS (
    SELECT d.*,
           d.resolved AND finished_late(d.days_past_due) AS f_late,
           d.pending_overdue AS f_overdue,
           d.pending AND waiting_second_supplement(d.status, d.supplement_count) AS f_supplement,
           coalesce(s.disliked, false) AS f_disliked,
           coalesce(s.complained, false) AS f_complained
    FROM d
    LEFT JOIN (  -- read only for the 5.4 list
        SELECT * FROM dissatisfaction_for($rating_files, $scope, $start, $end)
        WHERE $metric = 'dossier_satisfaction'
    ) s ON s.dossier_id = d.dossier_id
),
lost AS (
    SELECT *,
           CASE $metric
               WHEN 'on_time' THEN concat_ws(',', CASE WHEN f_late THEN 'late' END,
                                             CASE WHEN f_overdue THEN 'overdue' END,
                                             CASE WHEN f_supplement THEN 'supplement' END)
               WHEN 'resolved_in_time' THEN 'late'
               WHEN 'late_dossiers' THEN 'late'
               WHEN 'online_full' THEN 'not_online'
               WHEN 'online_submission' THEN 'not_online'
               WHEN 'paid_online' THEN 'not_paid_online'
               WHEN 'e_result' THEN 'no_e_result'
               WHEN 'digitised_result' THEN 'no_e_result'
               WHEN 'digitised_input' THEN 'not_digitised'
               WHEN 'reused_data' THEN 'not_reused'
               WHEN 'dossier_satisfaction' THEN concat_ws(',', CASE WHEN f_late THEN 'late' END,
                                                          CASE WHEN f_disliked THEN 'disliked' END,
                                                          CASE WHEN f_complained THEN 'complained' END)
           END AS reasons
    FROM flags
    WHERE CASE $metric  -- in the metric's denominator and not in its numerator (45_index_metrics.sql)
        WHEN 'on_time' THEN NOT coalesce(metric_on_time_num(resolved, days_past_due, pending, pending_overdue, status,
                                                            supplement_count), false)
        WHEN 'resolved_in_time' THEN metric_resolved_in_time_den(resolved)
                                     AND NOT coalesce(metric_resolved_in_time_num(days_past_due), false)
        WHEN 'late_dossiers' THEN coalesce(metric_late_dossiers_num(resolved, days_past_due), false)  -- a count: its numerator
        WHEN 'online_full' THEN metric_online_full_den(is_new, online_level)
                                AND NOT coalesce(metric_online_full_num(channel), false)
        WHEN 'online_submission' THEN metric_online_submission_den(is_new)
                                      AND NOT coalesce(metric_online_submission_num(channel), false)
        WHEN 'paid_online' THEN metric_paid_online_den(is_new, fee_vnd)
                                AND NOT coalesce(metric_paid_online_num(paid_online), false)
        WHEN 'e_result' THEN metric_e_result_den(resolved, paper_result) AND NOT coalesce(metric_e_result_num(e_result), false)
        WHEN 'digitised_result' THEN metric_digitised_result_den(resolved)
                                     AND NOT coalesce(metric_digitised_result_num(e_result), false)
        WHEN 'digitised_input' THEN metric_digitised_input_den(is_new)
                                    AND NOT coalesce(metric_digitised_input_num(digitised_input), false)
        WHEN 'reused_data' THEN metric_reused_data_den(is_new) AND NOT coalesce(metric_reused_data_num(reused_data), false)
        WHEN 'dossier_satisfaction' THEN metric_dossier_satisfaction_den(resolved)
                                         AND NOT coalesce(metric_dossier_satisfaction_num(days_past_due, f_disliked,
                                                                                          f_complained), false)
        ELSE false
    END
),
totals AS (
    SELECT count(*) AS total FROM lost
),
page AS (
    SELECT * FROM lost
    ORDER BY received_at, dossier_id
    LIMIT $limit OFFSET $offset
),
final AS (
    SELECT t.total, p.dossier_id, p.unit_code, p.field, p.procedure_code, p.procedure_name, p.channel,
           p.received_at, p.due_at,
           CASE WHEN p.resolved THEN p.finished_at END AS finished_at,
           p.resolved, p.status, p.supplement_count, p.reasons
    FROM totals t
    LEFT JOIN page p ON true
)
SELECT * FROM final ORDER BY received_at, dossier_id;
