-- monthly_trend for one whole province partition ($provinces, one code) from the dossier_daily rollup: the
-- same columns, a row per month with a row in the rollup (its receipts and its finishes, by their
-- day: received_month = finished_month), in no particular order; cchc.kpis.monthly_trend adds up,
-- fills, derives and sorts as it does for monthly_trend. cchc.db runs it in place of monthly_trend
-- while the province's rollup matches its dossier files.
WITH r AS (
    SELECT * FROM raw_dossier_daily_in($daily_files)
    WHERE list_contains($provinces, province_code)
      AND ($field IS NULL OR field = $field)
      AND ($procedure IS NULL OR procedure_code = $procedure)
      AND year BETWEEN year($start) AND year($end)
      AND day BETWEEN $start AND $end
),
final AS (
    SELECT date_trunc('month', day) AS received_month, date_trunc('month', day) AS finished_month,
        sum(received_new) AS received_new,
        sum(received_online) AS received_online,
        sum(digitised_input) AS digitised_input,
        sum(resolved_total) AS resolved_total,
        sum(resolved_early) + sum(resolved_on_time) AS resolved_in_time,  -- early + on the due day
        sum(digitised_result) AS digitised_result
    FROM r
    GROUP BY ALL
)
SELECT * FROM final;
