-- Scoring metric (QĐ 766 indicator 3.6 "Tỷ lệ hồ sơ thanh toán trực tuyến"): dossiers received in
-- the period with a fee (fee_vnd > 0) that were paid online, out of all dossiers with a fee.
WITH d AS (
    SELECT * FROM report_rows_for($dossier_files, $province, $district, $unit, $start, $end) WHERE is_new AND fee_vnd > 0
),
final AS (
    SELECT
        coalesce(count_if(d.paid_online), 0) AS numerator,
        count(*) AS denominator
    FROM d
)
SELECT * FROM final;
