-- Scoring metric (a count, no denominator): dossiers resolved in the period after their due day
-- (queries/views/45_index_metrics.sql: metric_late_dossiers_num).
WITH d AS (
    SELECT * FROM report_rows_for($dossier_files, $scope, $start, $end)
),
final AS (
    SELECT
        coalesce(count_if(metric_late_dossiers_num(d.resolved, d.days_past_due)), 0) AS numerator,
        CAST(NULL AS BIGINT) AS denominator
    FROM d
)
SELECT * FROM final;
