-- Calendar-month trend of one unit from $start to $end: dossiers received (new), resolved and
-- their deadline status, online receipts and digitisation. Optional narrowing to one field
-- ($field) or one procedure ($procedure); NULL means all.
WITH d AS (
    SELECT field, procedure_code, channel, received_at, finished_at, days_past_due, digitised_input, e_result
    FROM stg_dossiers_in($dossier_files)
    WHERE province_code = $province
      AND ($district IS NULL OR district_code = $district)
      AND ($unit IS NULL OR unit_code = $unit)
      AND ($field IS NULL OR field = $field)
      AND ($procedure IS NULL OR procedure_code = $procedure)
      AND year <= year($end)
      AND received_at < $end + INTERVAL 1 DAY
      AND (finished_at IS NULL OR finished_at >= $start)
),
received AS (
    SELECT CAST(date_trunc('month', received_at) AS DATE) AS month,
           count(*) AS received_new,
           CAST(sum(CAST(channel = 'truc_tuyen' AS INTEGER)) AS BIGINT) AS received_online,
           CAST(sum(CAST(digitised_input AS INTEGER)) AS BIGINT) AS digitised_input
    FROM d WHERE received_at >= $start
    GROUP BY 1
),
resolved AS (
    SELECT CAST(date_trunc('month', finished_at) AS DATE) AS month,
           count(*) AS resolved_total,
           CAST(sum(CAST(days_past_due <= 0 AS INTEGER)) AS BIGINT) AS resolved_on_time,
           CAST(sum(CAST(days_past_due > 0 AS INTEGER)) AS BIGINT) AS resolved_late,
           CAST(sum(CAST(e_result AS INTEGER)) AS BIGINT) AS digitised_result
    FROM d WHERE finished_at >= $start AND finished_at < $end + INTERVAL 1 DAY
    GROUP BY 1
),
final AS (  -- every month of the range, zero where nothing happened
    SELECT m.month, coalesce(COLUMNS(r.* EXCLUDE (month)), 0), coalesce(COLUMNS(s.* EXCLUDE (month)), 0)
    FROM months_of($start, $end) m
    LEFT JOIN received r ON r.month = m.month
    LEFT JOIN resolved s ON s.month = m.month
)
SELECT * FROM final ORDER BY month;
