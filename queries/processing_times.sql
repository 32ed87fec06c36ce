-- How long the dossiers resolved in [$start, $end] took, per procedure: count, median, 90th
-- percentile and mean of the processing time in working days (stg_dossier_times: received day
-- excluded, finishing day included, supplement waiting days left out) against the statutory time,
-- and how many took no longer than it. One unit; optionally one field ($field) and one procedure
-- ($procedure), NULL = all. "Resolved in the period" is the Biểu 06 rule: finished within it.
WITH d AS (
    SELECT field, procedure_code, processing_days
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
    SELECT d.*, p.statutory_days
    FROM d
    LEFT JOIN raw_procedures p ON p.code = d.procedure_code
),
final AS (
    SELECT
        field,
        procedure_code,
        any_value(statutory_days) AS statutory_days,
        count(*) AS resolved,
        median(processing_days) AS median_days,
        quantile_cont(processing_days, 0.9) AS p90_days,
        avg(processing_days) AS mean_days,
        max(processing_days) AS max_days,
        CAST(sum(CAST(processing_days <= statutory_days AS INTEGER)) AS BIGINT) AS within_statutory
    FROM with_statutory
    GROUP BY field, procedure_code
)
SELECT * FROM final
ORDER BY field, procedure_code;
