-- Scoring metric (QĐ 766 indicator 3.3, share submitted online): dossiers received online in the
-- period out of all dossiers received in the period (Biểu 06: (4) / ((4)+(5))).
-- Numerator and denominator: queries/views/45_index_metrics.sql (metric_online_submission_*).
WITH d AS (
    SELECT * FROM report_rows_for($dossier_files, $scope, $start, $end) d WHERE metric_online_submission_den(d.is_new)
),
final AS (
    SELECT
        coalesce(count_if(metric_online_submission_num(d.channel)), 0) AS numerator,
        count(*) AS denominator
    FROM d
)
SELECT * FROM final;
