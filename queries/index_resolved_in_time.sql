-- Scoring metric: dossiers resolved early or on the due day out of all dossiers resolved in the
-- period (Biểu 06: ((8)+(9)) / (7); the seed report's "tỷ lệ giải quyết đúng hạn").
-- Numerator and denominator: queries/views/45_index_metrics.sql (metric_resolved_in_time_*).
WITH d AS (
    SELECT * FROM report_rows_for($dossier_files, $scope, $start, $end)
),
final AS (
    SELECT
        coalesce(count_if(metric_resolved_in_time_den(d.resolved) AND metric_resolved_in_time_num(d.days_past_due)), 0)
            AS numerator,
        coalesce(count_if(metric_resolved_in_time_den(d.resolved)), 0) AS denominator
    FROM d
)
SELECT * FROM final;
