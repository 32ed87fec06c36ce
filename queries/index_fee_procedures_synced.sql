-- Scoring metric (QĐ 766 indicator 3.5, X/Y): procedures with a fee (in force on the last day of
-- the period, of the unit's level) that have at least one dossier received in the period carrying
-- fee data (fee_vnd > 0), out of all procedures with a fee. $proc_level NULL = every level.
WITH fee_procs AS (
    SELECT code FROM procedures_in_force_on($end, $proc_level) WHERE charges_fee(fee_vnd)
),
used AS (
    SELECT DISTINCT procedure_code
    FROM report_rows_for($dossier_files, $scope, $start, $end)
    WHERE metric_fee_procedures_synced_uses(is_new, fee_vnd)
),
final AS (
    SELECT
        count(u.procedure_code) AS numerator,
        count(*) AS denominator
    FROM fee_procs f
    LEFT JOIN used u ON u.procedure_code = f.code
)
SELECT * FROM final;
