-- Scoring metric (QĐ 766 indicator 4.1 "hồ sơ có cấp kết quả giải quyết TTHC điện tử"): dossiers
-- resolved in the period whose procedure returns a paper document (paper_result) and whose result
-- was also issued electronically, out of all resolved dossiers of such procedures.
-- Numerator and denominator: queries/views/45_index_metrics.sql (metric_e_result_*).
WITH d AS (
    SELECT d.e_result
    FROM report_rows_for($dossier_files, $scope, $start, $end) d
    JOIN raw_procedures p ON p.code = d.procedure_code
    WHERE metric_e_result_den(d.resolved, p.paper_result)
),
final AS (
    SELECT
        coalesce(count_if(metric_e_result_num(d.e_result)), 0) AS numerator,
        count(*) AS denominator
    FROM d
)
SELECT * FROM final;
