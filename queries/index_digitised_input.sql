-- Scoring metric (QĐ 766 indicator 4.2, số hóa thành phần hồ sơ): dossiers received in the period
-- whose input components were digitised at receipt, out of all dossiers received in the period.
-- Numerator and denominator: queries/views/45_index_metrics.sql (metric_digitised_input_*).
WITH d AS (
    SELECT * FROM report_rows_for($dossier_files, $scope, $start, $end) d WHERE metric_digitised_input_den(d.is_new)
),
final AS (
    SELECT
        coalesce(count_if(metric_digitised_input_num(d.digitised_input)), 0) AS numerator,
        count(*) AS denominator
    FROM d
)
SELECT * FROM final;
