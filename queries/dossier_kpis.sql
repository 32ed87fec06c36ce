-- Biểu 06 (TT 01/2020/TT-VPCP) counts and digitisation for one unit and period, one row per
-- procedure (with its field), in no particular order. cchc.kpis adds them up by field and in total,
-- derives the rates and puts the procedure's name, statutory time and online level beside them
-- (procedure_catalogue): a join and a sort here cost more than the aggregate (docs/performance.md).
-- Column numbers of the official form are given beside each count. Counts are sums of 0/1
-- flags: in DuckDB 2.0 that is ~1,6x faster than count(*) FILTER (WHERE ...) here.
WITH d AS (
    SELECT * FROM report_rows_for($dossier_files, $province, $district, $unit, $start, $end)
),
final AS (
    SELECT
        d.field,
        d.procedure_code,
        count(*) AS received_total,                                                        -- (3)
        CAST(sum(CAST(d.is_new AND d.channel = 'truc_tuyen' AS INTEGER)) AS BIGINT) AS received_online,  -- (4)
        CAST(sum(CAST(d.is_new AND d.channel <> 'truc_tuyen' AS INTEGER)) AS BIGINT) AS received_offline, -- (5)
        CAST(sum(CAST(d.is_new AS INTEGER)) AS BIGINT) AS received_new,
        CAST(sum(CAST(d.carried_over AS INTEGER)) AS BIGINT) AS carried_over,                           -- (6)
        CAST(sum(CAST(d.resolved AS INTEGER)) AS BIGINT) AS resolved_total,                             -- (7)
        CAST(sum(CAST(d.resolved AND d.days_past_due < 0 AS INTEGER)) AS BIGINT) AS resolved_early,     -- (8)
        CAST(sum(CAST(d.resolved AND d.days_past_due = 0 AS INTEGER)) AS BIGINT) AS resolved_on_time,   -- (9)
        CAST(sum(CAST(d.resolved AND d.days_past_due > 0 AS INTEGER)) AS BIGINT) AS resolved_late,      -- (10)
        CAST(sum(CAST(d.pending AS INTEGER)) AS BIGINT) AS pending_total,                               -- (11)
        CAST(sum(CAST(d.pending AND NOT d.pending_overdue AS INTEGER)) AS BIGINT) AS pending_within,         -- (12)
        CAST(sum(CAST(d.pending_overdue AS INTEGER)) AS BIGINT) AS pending_overdue,          -- (13)
        CAST(sum(CAST(d.is_new AND d.digitised_input AS INTEGER)) AS BIGINT) AS digitised_input,
        CAST(sum(CAST(d.resolved AND d.e_result AS INTEGER)) AS BIGINT) AS digitised_result,
        CAST(sum(CAST(d.is_new AND d.reused_data AS INTEGER)) AS BIGINT) AS reused_data,
        CAST(sum(CAST(d.resolved AND d.supplement_count > 0 AS INTEGER)) AS BIGINT) AS resolved_with_supplement,
        CAST(sum(CAST(d.is_new AND d.fee_vnd > 0 AS INTEGER)) AS BIGINT) AS new_with_fee,
        CAST(sum(CAST(d.is_new AND d.fee_vnd > 0 AND d.paid_online AS INTEGER)) AS BIGINT) AS new_paid_online
    FROM d
    GROUP BY d.field, d.procedure_code
)
SELECT * FROM final;
