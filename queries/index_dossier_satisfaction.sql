-- Scoring metric (QĐ 766 indicator 5.4 "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC"):
-- (dossiers resolved in the period − those resolved late − those rated "không hài lòng" (level 1)
-- − those with a feedback item (PAKN) received by the end of the period) / dossiers resolved
-- (queries/views/45_index_metrics.sql: metric_dossier_satisfaction_*).
WITH d AS (
    SELECT dossier_id, days_past_due
    FROM report_rows_for($dossier_files, $scope, $start, $end)
    WHERE metric_dossier_satisfaction_den(resolved)
),
judged AS (
    SELECT metric_dossier_satisfaction_num(d.days_past_due, coalesce(s.disliked, false), coalesce(s.complained, false))
               AS satisfied
    FROM d
    LEFT JOIN dissatisfaction_for($rating_files, $scope, $start, $end) s
      ON s.dossier_id = d.dossier_id
),
final AS (
    SELECT
        coalesce(count_if(satisfied), 0) AS numerator,
        count(*) AS denominator
    FROM judged
)
SELECT * FROM final;
