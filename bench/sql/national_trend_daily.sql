-- Bench only (not a product query): the national monthly trend for [$start, $end] in one statement
-- over every province's dossier_daily rollup (queries/monthly_trend_daily.sql without the province
-- narrowing, which the product's Unit model has no scope for): received new, online and digitised,
-- resolved, resolved in time (early or on the due day) and with an e-result, one row per month.
-- No horizons are needed (unlike national_year_daily.sql): the trend has flows only, which stop
-- at each province's horizon by themselves.
WITH r AS (
    SELECT day, received_new, received_online, digitised_input, resolved_total, resolved_early,
        resolved_on_time, digitised_result
    FROM raw_dossier_daily_in($daily_files)
    WHERE year BETWEEN year($start) AND year($end)
      AND day BETWEEN $start AND $end
),
final AS (
    SELECT date_trunc('month', day) AS received_month,
        sum(received_new) AS received_new,
        sum(received_online) AS received_online,
        sum(digitised_input) AS digitised_input,
        sum(resolved_total) AS resolved_total,
        sum(resolved_early) + sum(resolved_on_time) AS resolved_in_time,
        sum(digitised_result) AS digitised_result
    FROM r
    GROUP BY ALL
)
SELECT * FROM final ORDER BY received_month;
