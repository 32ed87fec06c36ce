-- The distribution of processing times (working days, stg_dossier_times) of the dossiers resolved
-- in [$start, $end]: how many took each number of days, split by whether that was within the
-- statutory time of their own procedure. One unit; optionally one field ($field) and one
-- procedure ($procedure), NULL = all. Same selection as processing_times.sql.
WITH d AS (
    SELECT procedure_code, processing_days
    FROM stg_dossier_times
    WHERE province_code = $province
      AND ($district IS NULL OR district_code = $district)
      AND ($unit IS NULL OR unit_code = $unit)
      AND ($field IS NULL OR field = $field)
      AND ($procedure IS NULL OR procedure_code = $procedure)
      AND year <= year($end)
      AND finished_at >= $start
      AND finished_at < $end + INTERVAL 1 DAY
),
with_statutory AS (
    SELECT d.processing_days, p.statutory_days
    FROM d
    LEFT JOIN raw_procedures p ON p.code = d.procedure_code
),
final AS (
    SELECT
        processing_days,
        coalesce(processing_days <= statutory_days, false) AS within_statutory,
        count(*) AS dossiers
    FROM with_statutory
    GROUP BY ALL
)
SELECT * FROM final
ORDER BY processing_days, within_statutory DESC;
