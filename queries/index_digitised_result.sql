-- Scoring metric (số hóa kết quả giải quyết): dossiers resolved in the period whose result was
-- digitised or issued electronically, out of all dossiers resolved in the period.
-- Numerator and denominator: queries/views/45_index_metrics.sql (metric_digitised_result_*).
WITH d AS (
    SELECT * FROM report_rows_for($dossier_files, $scope, $start, $end) d WHERE metric_digitised_result_den(d.resolved)
),
final AS (
    SELECT
        coalesce(count_if(metric_digitised_result_num(d.e_result)), 0) AS numerator,
        count(*) AS denominator
    FROM d
)
SELECT * FROM final;
