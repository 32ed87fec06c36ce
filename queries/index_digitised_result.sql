-- Scoring metric (số hóa kết quả giải quyết): dossiers resolved in the period whose result was
-- digitised or issued electronically, out of all dossiers resolved in the period.
WITH d AS (
    SELECT * FROM report_rows_for($dossier_files, $province, $district, $unit, $start, $end) WHERE resolved
),
final AS (
    SELECT
        coalesce(count_if(d.e_result), 0) AS numerator,
        count(*) AS denominator
    FROM d
)
SELECT * FROM final;
