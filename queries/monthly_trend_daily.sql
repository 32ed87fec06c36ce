-- monthly_trend for a whole province ($district and $unit NULL) from the dossier_daily rollup: the
-- same columns (flows only: receipts by their day, finishes by theirs), a row per month with a row
-- in the rollup, in no particular order (cchc.kpis.monthly_trend fills and sorts). cchc.db runs it
-- in place of monthly_trend while the province's rollup matches its dossier files.
WITH r AS (
    SELECT * FROM raw_dossier_daily_in($daily_files)
    WHERE province_code = $province AND $district IS NULL AND $unit IS NULL
      AND ($field IS NULL OR field = $field)
      AND ($procedure IS NULL OR procedure_code = $procedure)
      AND year BETWEEN year($start) AND year($end)
      AND day BETWEEN $start AND $end
),
by_month AS (
    SELECT CAST(date_trunc('month', day) AS DATE) AS month,
        CAST(sum(received_new) AS BIGINT) AS received_new,
        CAST(sum(received_online) AS BIGINT) AS received_online,
        CAST(sum(digitised_input) AS BIGINT) AS digitised_input,
        CAST(sum(resolved_total) AS BIGINT) AS resolved_total,
        CAST(sum(resolved_early) + sum(resolved_on_time) AS BIGINT) AS resolved_on_time,
        CAST(sum(resolved_late) AS BIGINT) AS resolved_late,
        CAST(sum(digitised_result) AS BIGINT) AS digitised_result
    FROM r
    GROUP BY 1
)
SELECT * FROM by_month;
