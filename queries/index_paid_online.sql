-- Scoring metric (QĐ 766 indicator 3.6 "Tỷ lệ hồ sơ thanh toán trực tuyến"): dossiers received in
-- the period with a fee (fee_vnd > 0) that were paid online, out of all dossiers with a fee.
-- Numerator and denominator: queries/views/45_index_metrics.sql (metric_paid_online_*).
WITH d AS (
    SELECT * FROM report_rows_for($dossier_files, $scope, $start, $end) d WHERE metric_paid_online_den(d.is_new, d.fee_vnd)
),
final AS (
    SELECT
        coalesce(count_if(metric_paid_online_num(d.paid_online)), 0) AS numerator,
        count(*) AS denominator
    FROM d
)
SELECT * FROM final;
