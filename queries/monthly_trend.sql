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
    SELECT date_trunc('month', received_at) AS month,
           count(*) AS received_new,
           CAST(sum(CAST(channel = 'truc_tuyen' AS INTEGER)) AS BIGINT) AS received_online,
           CAST(sum(CAST(digitised_input AS INTEGER)) AS BIGINT) AS digitised_input
    FROM d WHERE received_at >= $start
    GROUP BY 1
),
resolved AS (
    SELECT date_trunc('month', finished_at) AS month,
           count(*) AS resolved_total,
           CAST(sum(CAST(days_past_due <= 0 AS INTEGER)) AS BIGINT) AS resolved_on_time,
           CAST(sum(CAST(days_past_due > 0 AS INTEGER)) AS BIGINT) AS resolved_late,
           CAST(sum(CAST(e_result AS INTEGER)) AS BIGINT) AS digitised_result
    FROM d WHERE finished_at >= $start AND finished_at < $end + INTERVAL 1 DAY
    GROUP BY 1
),
months AS (
    SELECT CAST(m AS DATE) AS month
    FROM range(date_trunc('month', CAST($start AS DATE)), CAST($end AS DATE) + INTERVAL 1 DAY, INTERVAL 1 MONTH) t(m)
),
final AS (
    SELECT m.month,
           coalesce(r.received_new, 0) AS received_new,
           coalesce(r.received_online, 0) AS received_online,
           coalesce(r.digitised_input, 0) AS digitised_input,
           coalesce(s.resolved_total, 0) AS resolved_total,
           coalesce(s.resolved_on_time, 0) AS resolved_on_time,
           coalesce(s.resolved_late, 0) AS resolved_late,
           coalesce(s.digitised_result, 0) AS digitised_result
    FROM months m
    LEFT JOIN received r ON CAST(r.month AS DATE) = m.month
    LEFT JOIN resolved s ON CAST(s.month AS DATE) = m.month
)
SELECT * FROM final ORDER BY month;
