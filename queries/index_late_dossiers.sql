-- Scoring metric (a count, no denominator): dossiers resolved in the period after their due day.
WITH d AS (
    SELECT * FROM report_rows_for($dossier_files, $province, $district, $unit, $start, $end)
),
final AS (
    SELECT
        coalesce(count_if(d.resolved AND d.days_past_due > 0), 0) AS numerator,
        CAST(NULL AS BIGINT) AS denominator
    FROM d
)
SELECT * FROM final;
