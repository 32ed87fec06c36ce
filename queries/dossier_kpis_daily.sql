-- dossier_kpis for a whole province ($district and $unit NULL) from the dossier_daily rollup: the
-- same rows and columns, read from a few thousand rows per year instead of every dossier.
-- cchc.db runs it in place of dossier_kpis while the province's rollup matches its dossier files.
--   flows (new, resolved, …): the sums of the days of [$start, $end];
--   carried over: the open stock at the end of $start − 1; pending and overdue: the stocks at the
--   end of $end. A stock asked for after the horizon ($daily_horizon: the province's last day in the
--   rollup, after which nothing changes) is the stock on the horizon. The days looked up are
--   constants, so DuckDB reads one partition and one row group for each.
WITH r AS (
    SELECT * FROM raw_dossier_daily_in($daily_files)
    WHERE province_code = $province AND $district IS NULL AND $unit IS NULL
),

flows AS (
    SELECT field, procedure_code,
        sum(received_new) AS received_new, sum(received_online) AS received_online,
        sum(received_offline) AS received_offline, sum(digitised_input) AS digitised_input,
        sum(reused_data) AS reused_data, sum(new_with_fee) AS new_with_fee,
        sum(new_paid_online) AS new_paid_online, sum(resolved_total) AS resolved_total,
        sum(resolved_early) AS resolved_early, sum(resolved_on_time) AS resolved_on_time,
        sum(resolved_late) AS resolved_late, sum(digitised_result) AS digitised_result,
        sum(resolved_with_supplement) AS resolved_with_supplement,
        0 AS carried_over, 0 AS pending_total, 0 AS pending_overdue
    FROM r
    WHERE year BETWEEN year($start) AND year($end) AND day BETWEEN $start AND $end
    GROUP BY field, procedure_code
),
carried AS (
    SELECT field, procedure_code, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        sum(open_end), 0, 0
    FROM r
    WHERE r.year = year(least(CAST($start AS DATE) - 1, $daily_horizon))
      AND r.day = least(CAST($start AS DATE) - 1, $daily_horizon)
    GROUP BY field, procedure_code
),
pending AS (
    SELECT field, procedure_code, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, sum(open_end), sum(overdue_end)
    FROM r
    WHERE r.year = year(least(CAST($end AS DATE), $daily_horizon))
      AND r.day = least(CAST($end AS DATE), $daily_horizon)
    GROUP BY field, procedure_code
),
by_procedure AS (
    SELECT field, procedure_code,
        CAST(sum(received_new) + sum(carried_over) AS BIGINT) AS received_total,           -- (3)
        CAST(sum(received_online) AS BIGINT) AS received_online,                           -- (4)
        CAST(sum(received_offline) AS BIGINT) AS received_offline,                         -- (5)
        CAST(sum(received_new) AS BIGINT) AS received_new,
        CAST(sum(carried_over) AS BIGINT) AS carried_over,                                 -- (6)
        CAST(sum(resolved_total) AS BIGINT) AS resolved_total,                             -- (7)
        CAST(sum(resolved_early) AS BIGINT) AS resolved_early,                             -- (8)
        CAST(sum(resolved_on_time) AS BIGINT) AS resolved_on_time,                         -- (9)
        CAST(sum(resolved_late) AS BIGINT) AS resolved_late,                               -- (10)
        CAST(sum(pending_total) AS BIGINT) AS pending_total,                               -- (11)
        CAST(sum(pending_total) - sum(pending_overdue) AS BIGINT) AS pending_within,       -- (12)
        CAST(sum(pending_overdue) AS BIGINT) AS pending_overdue,                           -- (13)
        CAST(sum(digitised_input) AS BIGINT) AS digitised_input,
        CAST(sum(digitised_result) AS BIGINT) AS digitised_result,
        CAST(sum(reused_data) AS BIGINT) AS reused_data,
        CAST(sum(resolved_with_supplement) AS BIGINT) AS resolved_with_supplement,
        CAST(sum(new_with_fee) AS BIGINT) AS new_with_fee,
        CAST(sum(new_paid_online) AS BIGINT) AS new_paid_online
    FROM (SELECT * FROM flows UNION ALL SELECT * FROM carried UNION ALL SELECT * FROM pending) u
    GROUP BY field, procedure_code
    HAVING sum(received_new) + sum(carried_over) > 0
),
final AS (
    SELECT
        b.*,
        p.name AS procedure_name,
        p.statutory_days,
        p.online_level,
        CASE WHEN p.online_level IN ('toan_trinh', 'mot_phan') THEN b.resolved_total ELSE 0 END
            AS resolved_online_capable
    FROM by_procedure b
    LEFT JOIN raw_procedures p ON p.code = b.procedure_code
)
SELECT * FROM final
ORDER BY field, procedure_code;
