-- dossier_kpis for one whole province partition ($provinces, one code) from the dossier_daily rollup: the
-- same columns (in no particular order), read from a few thousand rows per year instead of every
-- dossier; cchc.kpis.dossier_rows derives the form's other columns from them as it does for
-- dossier_kpis, and drops a procedure with nothing in the period (a row here whose days hold no
-- receipt, finish or open stock counted by the period).
-- cchc.db runs it in place of dossier_kpis while the province's rollup matches its dossier files
-- and the period starts by the rollup's horizon ($daily_horizon: the province's last day in the
-- rollup, after which nothing changes). One scan of the period's days:
--   flows (new, resolved, …): the sums over the days of [$start, $end];
--   pending and overdue: the stocks at the end of $end (of the horizon, if $end is later).
-- Carried over is not looked up on the day before $start: a day's open stock is the previous day's
-- plus that day's receipts less that day's finishes (queries/build_dossier_daily.sql), so it equals
-- pending + resolved − new, which is the derivation cchc.kpis applies to both queries.
WITH r AS (
    SELECT d.*, d.day = least(CAST($end AS DATE), $daily_horizon) AS is_end
    FROM raw_dossier_daily_in($daily_files) d
    WHERE list_contains($provinces, d.province_code)
      AND d.year BETWEEN year($start) AND year($end)
      AND d.day BETWEEN $start AND $end
),
final AS (
    SELECT field, procedure_code,
        sum(received_new) AS received_new,
        sum(received_online) AS received_online,                                 -- (4)
        sum(resolved_early) AS resolved_early,                                   -- (8)
        sum(resolved_on_time) AS resolved_on_time,                               -- (9)
        sum(resolved_late) AS resolved_late,                                     -- (10)
        sum(CASE WHEN is_end THEN open_end ELSE 0 END) AS pending_total,         -- (11)
        sum(CASE WHEN is_end THEN overdue_end ELSE 0 END) AS pending_overdue,    -- (13)
        sum(digitised_input) AS digitised_input,
        sum(digitised_result) AS digitised_result,
        sum(reused_data) AS reused_data,
        sum(resolved_with_supplement) AS resolved_with_supplement,
        sum(new_with_fee) AS new_with_fee,
        sum(new_paid_online) AS new_paid_online
    FROM r
    GROUP BY field, procedure_code
)
SELECT * FROM final;
