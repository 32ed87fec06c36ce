-- dossier_kpis for a whole province ($district and $unit NULL) from the dossier_daily rollup: the
-- same rows and columns (in no particular order), read from a few thousand rows per year instead
-- of every dossier.
-- cchc.db runs it in place of dossier_kpis while the province's rollup matches its dossier files.
--   flows (new, resolved, …): the sums over the days of [$start, $end];
--   carried over: the open stock at the end of the day before $start;
--   pending and overdue: the stocks at the end of $end.
-- A stock asked for after the horizon ($daily_horizon: the province's last day in the rollup, after
-- which nothing changes) is the stock on the horizon. One scan of the days from the first looked-up
-- day (the day before $start, or the horizon) to $end: only those rows and their partitions are read.
WITH r AS (
    SELECT d.*,
        d.day >= $start AS in_period,
        d.day = least(CAST($start AS DATE) - 1, $daily_horizon) AS is_before_start,
        d.day = least(CAST($end AS DATE), $daily_horizon) AS is_end
    FROM raw_dossier_daily_in($daily_files) d
    WHERE d.province_code = $province AND $district IS NULL AND $unit IS NULL
      AND d.year BETWEEN year(least(CAST($start AS DATE) - 1, $daily_horizon)) AND year($end)
      AND d.day BETWEEN least(CAST($start AS DATE) - 1, $daily_horizon) AND $end
),
by_procedure AS (
    SELECT field, procedure_code,
        CAST(sum(CASE WHEN in_period THEN received_new ELSE 0 END)
             + sum(CASE WHEN is_before_start THEN open_end ELSE 0 END) AS BIGINT) AS received_total,   -- (3)
        CAST(sum(CASE WHEN in_period THEN received_online ELSE 0 END) AS BIGINT) AS received_online,    -- (4)
        CAST(sum(CASE WHEN in_period THEN received_offline ELSE 0 END) AS BIGINT) AS received_offline,  -- (5)
        CAST(sum(CASE WHEN in_period THEN received_new ELSE 0 END) AS BIGINT) AS received_new,
        CAST(sum(CASE WHEN is_before_start THEN open_end ELSE 0 END) AS BIGINT) AS carried_over,        -- (6)
        CAST(sum(CASE WHEN in_period THEN resolved_total ELSE 0 END) AS BIGINT) AS resolved_total,      -- (7)
        CAST(sum(CASE WHEN in_period THEN resolved_early ELSE 0 END) AS BIGINT) AS resolved_early,      -- (8)
        CAST(sum(CASE WHEN in_period THEN resolved_on_time ELSE 0 END) AS BIGINT) AS resolved_on_time,  -- (9)
        CAST(sum(CASE WHEN in_period THEN resolved_late ELSE 0 END) AS BIGINT) AS resolved_late,        -- (10)
        CAST(sum(CASE WHEN is_end THEN open_end ELSE 0 END) AS BIGINT) AS pending_total,                -- (11)
        CAST(sum(CASE WHEN is_end THEN open_end - overdue_end ELSE 0 END) AS BIGINT) AS pending_within, -- (12)
        CAST(sum(CASE WHEN is_end THEN overdue_end ELSE 0 END) AS BIGINT) AS pending_overdue,           -- (13)
        CAST(sum(CASE WHEN in_period THEN digitised_input ELSE 0 END) AS BIGINT) AS digitised_input,
        CAST(sum(CASE WHEN in_period THEN digitised_result ELSE 0 END) AS BIGINT) AS digitised_result,
        CAST(sum(CASE WHEN in_period THEN reused_data ELSE 0 END) AS BIGINT) AS reused_data,
        CAST(sum(CASE WHEN in_period THEN resolved_with_supplement ELSE 0 END) AS BIGINT) AS resolved_with_supplement,
        CAST(sum(CASE WHEN in_period THEN new_with_fee ELSE 0 END) AS BIGINT) AS new_with_fee,
        CAST(sum(CASE WHEN in_period THEN new_paid_online ELSE 0 END) AS BIGINT) AS new_paid_online
    FROM r
    GROUP BY field, procedure_code
)
SELECT * FROM by_procedure WHERE received_total > 0;
