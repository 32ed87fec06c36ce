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
        sum(received_new) AS received_new,
        sum(received_online) AS received_online,
        sum(digitised_input) AS digitised_input,
        sum(resolved_total) AS resolved_total,
        sum(resolved_early) + sum(resolved_on_time) AS resolved_on_time,
        sum(resolved_late) AS resolved_late,
        sum(digitised_result) AS digitised_result
    FROM r
    GROUP BY 1
)
SELECT * FROM by_month;
