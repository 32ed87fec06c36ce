-- Scoring metric (QĐ 766, indicator 2.1 "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn"): of the dossiers
-- received or handled in the period (carried over + new), how many were finished early or on the
-- due day, or are still pending within their deadline at the end of the period. As the 766 rules
-- say, a dossier still waiting for a supplement after more than one request counts as late.
-- Numerator: queries/views/45_index_metrics.sql (metric_on_time_num).
WITH d AS (
    SELECT * FROM report_rows_for($dossier_files, $scope, $start, $end)
),
final AS (
    SELECT
        coalesce(count_if(metric_on_time_num(d.resolved, d.days_past_due, d.pending, d.pending_overdue, d.status,
                                             d.supplement_count)), 0) AS numerator,
        count(*) AS denominator
    FROM d
)
SELECT * FROM final;
