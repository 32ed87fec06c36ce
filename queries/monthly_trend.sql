-- Calendar-month trend of one unit from $start to $end: dossiers received (new), resolved and
-- their deadline status, online receipts and digitisation. Optional narrowing to one field
-- ($field) or one procedure ($procedure); NULL means all. One row per month in which something
-- was received or finished, in no particular order: cchc.kpis.monthly_trend adds the months
-- without any (zeros) and sorts (a join with every month and a sort cost more here than the
-- aggregate, docs/performance.md).
WITH d AS (  -- the unit's dossiers received by $end and not finished before $start
    SELECT channel, received_at, finished_at, days_past_due, digitised_input, e_result
    FROM report_rows_for($dossier_files, $province, $district, $unit, $start, $end)
    WHERE ($field IS NULL OR field = $field)
      AND ($procedure IS NULL OR procedure_code = $procedure)
),
events AS (  -- a row per dossier received in the range and per dossier finished in it, with its flags
    SELECT CAST(date_trunc('month', received_at) AS DATE) AS month, true AS received_new,
           channel = 'truc_tuyen' AS received_online, digitised_input,
           false AS resolved_total, false AS resolved_on_time, false AS resolved_late, false AS digitised_result
    FROM d WHERE received_at >= $start
    UNION ALL
    SELECT CAST(date_trunc('month', finished_at) AS DATE), false, false, false,
           true, days_past_due <= 0, days_past_due > 0, e_result
    FROM d WHERE finished_at >= $start AND finished_at < $end + INTERVAL 1 DAY
),
final AS (
    SELECT month, count_if(COLUMNS(* EXCLUDE (month)))
    FROM events
    GROUP BY month
)
SELECT * FROM final;
