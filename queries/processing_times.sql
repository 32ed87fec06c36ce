-- How long the dossiers resolved in [$start, $end] took, per procedure: count, median, 90th
-- percentile and mean of the processing time in working days (stg_dossier_times: received day
-- excluded, finishing day included, supplement waiting days left out) against the statutory time,
-- and how many took no longer than it. One unit; optionally one field ($field) and one procedure
-- ($procedure), NULL = all. "Resolved in the period" is the Biểu 06 rule: finished within it.
WITH with_statutory AS (
    SELECT field, procedure_code, processing_days, statutory_days
    FROM resolved_times_for($scope, $field, $procedure, $start, $end)
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
        count_if(processing_days <= statutory_days) AS within_statutory
    FROM with_statutory
    GROUP BY field, procedure_code
)
SELECT * FROM final
ORDER BY field, procedure_code;
