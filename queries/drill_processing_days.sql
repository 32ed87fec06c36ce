-- The distribution of processing times (working days, stg_dossier_times) of the dossiers resolved
-- in [$start, $end]: how many took each number of days, split by whether that was within the
-- statutory time of their own procedure. One unit; optionally one field ($field) and one
-- procedure ($procedure), NULL = all. Same selection as processing_times.sql.
WITH with_statutory AS (
    SELECT processing_days, statutory_days
    FROM resolved_times_for($scope, $field, $procedure, $start, $end)
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
