-- Scoring metric (QĐ 766 group "Thanh toán trực tuyến", TTHC có giao dịch thanh toán trực tuyến):
-- procedures with a fee (in force on the last day of the period, of the unit's level) that have at
-- least one dossier received in the period and paid online, out of all procedures with a fee.
WITH fee_procs AS (
    SELECT code FROM procedures_in_force_on($end, $proc_level) WHERE charges_fee(fee_vnd)
),
paid AS (
    SELECT DISTINCT procedure_code
    FROM report_rows_for($dossier_files, $scope, $start, $end)
    WHERE metric_fee_procedures_paid_online_uses(is_new, paid_online)
),
final AS (
    SELECT
        count(p.procedure_code) AS numerator,
        count(*) AS denominator
    FROM fee_procs f
    LEFT JOIN paid p ON p.procedure_code = f.code
)
SELECT * FROM final;
