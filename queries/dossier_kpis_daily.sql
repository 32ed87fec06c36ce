-- dossier_kpis for one whole province partition ($provinces, one code) from the dossier_daily rollup: the
-- same columns (in no particular order), read from a few thousand rows per year instead of every
-- dossier; cchc.kpis.dossier_rows derives the form's other columns from them as it does for
-- dossier_kpis, and drops a procedure with nothing in the period (a row here whose days hold no
-- receipt, finish or open stock counted by the period).
-- cchc.db runs it in place of dossier_kpis while the province's rollup matches its dossier files
-- ($daily_horizon: the province's last day in the rollup, after which nothing changes). One scan of
-- the period's days:
--   flows (new, resolved, …): the sums over the days of [$start, $end];
--   pending and overdue: the stocks at the end of $end (of the horizon, if $end is later).
-- A period that starts after the horizon (an old province's partition, whose rows stop with the map
-- of 30/06/2025, in any period from September 2025 on) reads the horizon's row for its stocks only:
-- nothing flows in the period, and what was still open then is still open.
-- Carried over is not looked up on the day before $start: a day's open stock is the previous day's
-- plus that day's receipts less that day's finishes (queries/build_dossier_daily.sql), so it equals
-- pending + resolved − new, which is the derivation cchc.kpis applies to both queries.
WITH r AS (
    SELECT d.*,
        d.day = least(CAST($end AS DATE), $daily_horizon) AS is_end,
        CAST(d.day >= $start AS INTEGER) AS flows
    FROM raw_dossier_daily_in($daily_files) d
    WHERE list_contains($provinces, d.province_code)
      AND d.year BETWEEN least(year($start), year($daily_horizon)) AND year($end)
      AND (d.day BETWEEN $start AND $end OR (d.day = $daily_horizon AND $daily_horizon < $start))
),
final AS (
    SELECT field, procedure_code,
        sum(flows * received_new) AS received_new,
        sum(flows * received_online) AS received_online,                         -- (4)
        sum(flows * resolved_early) AS resolved_early,                           -- (8)
        sum(flows * resolved_on_time) AS resolved_on_time,                       -- (9)
        sum(flows * resolved_late) AS resolved_late,                             -- (10)
        sum(CASE WHEN is_end THEN open_end ELSE 0 END) AS pending_total,         -- (11)
        sum(CASE WHEN is_end THEN overdue_end ELSE 0 END) AS pending_overdue,    -- (13)
        sum(flows * digitised_input) AS digitised_input,
        sum(flows * digitised_result) AS digitised_result,
        sum(flows * reused_data) AS reused_data,
        sum(flows * resolved_with_supplement) AS resolved_with_supplement,
        sum(flows * new_with_fee) AS new_with_fee,
        sum(flows * new_paid_online) AS new_paid_online
    FROM r
    GROUP BY field, procedure_code
)
SELECT * FROM final;
