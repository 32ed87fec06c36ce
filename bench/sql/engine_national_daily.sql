-- Bench only (bench/engine_speed.py, tests/test_engine_rollup.py): the national aggregates per day,
-- from the dossier_daily rollup of every province ($daily_files), run as it is by DuckDB and, made
-- Spark SQL by cchc.engines.sqlport, by Spark; both must give the same rows.
-- One row per scope and day, from the first day of any province to the latest horizon: scope 'VN'
-- is the nation, any other scope a new province (a partition of an old province counts for its
-- successor, units.successor_code; a new province's own partition for itself). Flows: the dossiers
-- received / finished that day; stocks: open and overdue at its end. A province's day without a row
-- is zero before its horizon; after its horizon nothing changes (cchc.schema.DOSSIER_DAILY), so its
-- stocks stay those of its horizon.
WITH r AS (
    SELECT province_code, day,
        sum(received_new) AS received_new, sum(received_online) AS received_online,
        sum(received_offline) AS received_offline, sum(digitised_input) AS digitised_input,
        sum(reused_data) AS reused_data, sum(new_with_fee) AS new_with_fee,
        sum(new_paid_online) AS new_paid_online, sum(resolved_total) AS resolved_total,
        sum(resolved_early) AS resolved_early, sum(resolved_on_time) AS resolved_on_time,
        sum(resolved_late) AS resolved_late, sum(digitised_result) AS digitised_result,
        sum(resolved_with_supplement) AS resolved_with_supplement,
        sum(open_end) AS open_end, sum(overdue_end) AS overdue_end
    FROM raw_dossier_daily_in($daily_files)
    GROUP BY province_code, day
),
h AS (
    SELECT province_code, max(day) AS last_day FROM r GROUP BY province_code
),
span AS (
    SELECT min(day) AS first_day, max(day) AS last_day FROM r
),
grid AS (
    SELECT h.province_code, h.last_day,
        CAST(unnest(generate_series(s.first_day, s.last_day, INTERVAL 1 DAY)) AS DATE) AS day
    FROM h, span s
),
filled AS (
    SELECT g.province_code, g.day,
        coalesce(r.received_new, 0) AS received_new, coalesce(r.received_online, 0) AS received_online,
        coalesce(r.received_offline, 0) AS received_offline, coalesce(r.digitised_input, 0) AS digitised_input,
        coalesce(r.reused_data, 0) AS reused_data, coalesce(r.new_with_fee, 0) AS new_with_fee,
        coalesce(r.new_paid_online, 0) AS new_paid_online, coalesce(r.resolved_total, 0) AS resolved_total,
        coalesce(r.resolved_early, 0) AS resolved_early, coalesce(r.resolved_on_time, 0) AS resolved_on_time,
        coalesce(r.resolved_late, 0) AS resolved_late, coalesce(r.digitised_result, 0) AS digitised_result,
        coalesce(r.resolved_with_supplement, 0) AS resolved_with_supplement,
        CASE WHEN g.day > g.last_day THEN t.open_end ELSE coalesce(r.open_end, 0) END AS open_end,
        CASE WHEN g.day > g.last_day THEN t.overdue_end ELSE coalesce(r.overdue_end, 0) END AS overdue_end
    FROM grid g
    LEFT JOIN r ON r.province_code = g.province_code AND r.day = g.day
    LEFT JOIN r t ON t.province_code = g.province_code AND t.day = g.last_day
),
mapped AS (
    SELECT coalesce(u.successor_code, f.province_code) AS new_province, f.*
    FROM filled f
    LEFT JOIN raw_units u ON u.map = 'old' AND u.level = 'province' AND u.code = f.province_code
),
scoped AS (
    SELECT 'VN' AS scope, * FROM mapped
    UNION ALL
    SELECT new_province AS scope, * FROM mapped
)
SELECT scope, day,
    CAST(sum(received_new) AS BIGINT) AS received_new,
    CAST(sum(received_online) AS BIGINT) AS received_online,
    CAST(sum(received_offline) AS BIGINT) AS received_offline,
    CAST(sum(digitised_input) AS BIGINT) AS digitised_input,
    CAST(sum(reused_data) AS BIGINT) AS reused_data,
    CAST(sum(new_with_fee) AS BIGINT) AS new_with_fee,
    CAST(sum(new_paid_online) AS BIGINT) AS new_paid_online,
    CAST(sum(resolved_total) AS BIGINT) AS resolved_total,
    CAST(sum(resolved_early) AS BIGINT) AS resolved_early,
    CAST(sum(resolved_on_time) AS BIGINT) AS resolved_on_time,
    CAST(sum(resolved_late) AS BIGINT) AS resolved_late,
    CAST(sum(digitised_result) AS BIGINT) AS digitised_result,
    CAST(sum(resolved_with_supplement) AS BIGINT) AS resolved_with_supplement,
    CAST(sum(open_end) AS BIGINT) AS open_end,
    CAST(sum(overdue_end) AS BIGINT) AS overdue_end
FROM scoped
GROUP BY scope, day
ORDER BY scope, day;
