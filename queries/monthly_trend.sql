-- Calendar-month trend of one unit from $start to $end: dossiers received (new), resolved and
-- their deadline status, online receipts and digitisation. Optional narrowing to one field
-- ($field) or one procedure ($procedure); NULL means all.
-- Rows by (month received in the period, month finished in it), each month its first day as a
-- timestamp, NULL for received before the period / not finished in it; in no particular order.
-- cchc.kpis.monthly_trend adds the receipt counts up by received_month and the finish counts by
-- finished_month, fills the months without any with zeros, derives resolved late = resolved −
-- resolved in time (early or on the due day: finished_in_time; a resolved dossier is one or the
-- other) and sorts.
-- So the dossiers are read once and grouped once: a dossier received and finished in the period is
-- one row counted in both its months (a UNION of receipt rows and finish rows before one aggregate
-- by month cost 1,4 × the scan floor, this ≈ 1,25 ×: docs/performance.md).
WITH d AS (  -- the unit's dossiers received by $end and not finished before $start
    SELECT * FROM report_rows_for($dossier_files, $scope, $start, $end)
    WHERE ($field IS NULL OR field = $field)
      AND ($procedure IS NULL OR procedure_code = $procedure)
),
final AS (
    SELECT CASE WHEN is_new THEN date_trunc('month', received_at) END AS received_month,
           CASE WHEN resolved THEN date_trunc('month', finished_at) END AS finished_month,
           count_if(is_new) AS received_new,
           count_if(is_new AND submitted_online(channel)) AS received_online,
           count_if(is_new AND digitised_input) AS digitised_input,
           count_if(resolved) AS resolved_total,
           count_if(resolved AND finished_in_time(days_past_due)) AS resolved_in_time,
           count_if(resolved AND e_result) AS digitised_result
    FROM d
    GROUP BY ALL
)
SELECT * FROM final;
