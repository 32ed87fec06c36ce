-- Scoring metric (QĐ 766 indicator 4.3 "khai thác, sử dụng lại thông tin, dữ liệu số hóa"):
-- dossiers received in the period with at least one component reused from digitised data, out of
-- all dossiers received in the period.
-- Numerator and denominator: queries/views/45_index_metrics.sql (metric_reused_data_*).
WITH d AS (
    SELECT * FROM report_rows_for($dossier_files, $scope, $start, $end) d WHERE metric_reused_data_den(d.is_new)
),
final AS (
    SELECT
        coalesce(count_if(metric_reused_data_num(d.reused_data)), 0) AS numerator,
        count(*) AS denominator
    FROM d
)
SELECT * FROM final;
