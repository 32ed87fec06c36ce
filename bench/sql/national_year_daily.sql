-- Bench only: national_year.sql (the national Biểu 06 counts for [$start, $end], one row per
-- province and field) read from the dossier_daily rollup of every province instead of the dossiers,
-- as queries/dossier_kpis_daily.sql does for one province: flows summed over the days of the
-- period, carried over = the open stock at the end of $start − 1, pending and overdue = the stocks at
-- the end of $end, each taken on the province's horizon if it comes earlier ($horizons: province_code and last_day
-- of every province, from dossier_daily/_built.json; $min_horizon: the earliest, to bound the days read).
WITH r AS (
    SELECT * FROM raw_dossier_daily_in($daily_files)
),
h AS (
    SELECT province_code, CAST(last_day AS DATE) AS last_day
    FROM (SELECT unnest($horizons, recursive := true))
),
flows AS (
    SELECT province_code, field,
        sum(received_new) AS received_new, sum(received_online) AS received_online,
        sum(digitised_input) AS digitised_input, sum(resolved_total) AS resolved_total,
        sum(resolved_early) AS resolved_early, sum(resolved_on_time) AS resolved_on_time,
        sum(resolved_late) AS resolved_late, sum(digitised_result) AS digitised_result,
        0 AS carried_over, 0 AS pending_total, 0 AS pending_overdue
    FROM r
    WHERE year BETWEEN year($start) AND year($end) AND day BETWEEN $start AND $end
    GROUP BY province_code, field
),
carried AS (
    SELECT r.province_code, r.field, 0, 0, 0, 0, 0, 0, 0, 0, sum(r.open_end), 0, 0
    FROM r JOIN h ON h.province_code = r.province_code
    WHERE r.year BETWEEN year(least(CAST($start AS DATE) - 1, CAST($min_horizon AS DATE))) AND year(CAST($start AS DATE) - 1)
      AND r.day BETWEEN least(CAST($start AS DATE) - 1, CAST($min_horizon AS DATE)) AND CAST($start AS DATE) - 1
      AND r.day = least(CAST($start AS DATE) - 1, h.last_day)
    GROUP BY r.province_code, r.field
),
pending AS (
    SELECT r.province_code, r.field, 0, 0, 0, 0, 0, 0, 0, 0, 0, sum(r.open_end), sum(r.overdue_end)
    FROM r JOIN h ON h.province_code = r.province_code
    WHERE r.year BETWEEN year(least(CAST($end AS DATE), CAST($min_horizon AS DATE))) AND year($end)
      AND r.day BETWEEN least(CAST($end AS DATE), CAST($min_horizon AS DATE)) AND $end
      AND r.day = least(CAST($end AS DATE), h.last_day)
    GROUP BY r.province_code, r.field
),
final AS (
    SELECT province_code, field,
        CAST(sum(received_new) + sum(carried_over) AS BIGINT) AS received_total,
        CAST(sum(received_online) AS BIGINT) AS received_online,
        CAST(sum(received_new) AS BIGINT) AS received_new,
        CAST(sum(carried_over) AS BIGINT) AS carried_over,
        CAST(sum(resolved_total) AS BIGINT) AS resolved_total,
        CAST(sum(resolved_early) AS BIGINT) AS resolved_early,
        CAST(sum(resolved_on_time) AS BIGINT) AS resolved_on_time,
        CAST(sum(resolved_late) AS BIGINT) AS resolved_late,
        CAST(sum(pending_total) AS BIGINT) AS pending_total,
        CAST(sum(pending_overdue) AS BIGINT) AS pending_overdue,
        CAST(sum(digitised_input) AS BIGINT) AS digitised_input,
        CAST(sum(digitised_result) AS BIGINT) AS digitised_result
    FROM (SELECT * FROM flows UNION ALL SELECT * FROM carried UNION ALL SELECT * FROM pending) u
    GROUP BY province_code, field
    HAVING sum(received_new) + sum(carried_over) > 0
)
SELECT * FROM final ORDER BY province_code, field;
