-- Biểu 06 (TT 01/2020/TT-VPCP) counts and digitisation for one unit and period, one row per
-- procedure (with its field), in no particular order. cchc.kpis adds them up by field and in total,
-- derives the rates and puts the procedure's name, statutory time and online level beside them
-- (procedure_catalogue): a join and a sort here cost more than the aggregate (docs/performance.md).
-- Column numbers of the official form are given beside each count. Counts are count_if of a
-- dossier's roles (report_rows_for), cast from DuckDB's HUGEINT: 4-5 % faster here than the sums
-- of 0/1 flags used before and ~1,6x faster than count(*) FILTER (WHERE ...) (docs/performance.md).
WITH d AS (
    SELECT * FROM report_rows_for($dossier_files, $province, $district, $unit, $start, $end)
),
final AS (
    SELECT
        d.field,
        d.procedure_code,
        count(*) AS received_total,                                                        -- (3)
        CAST(count_if(d.is_new AND d.channel = 'truc_tuyen') AS BIGINT) AS received_online,  -- (4)
        CAST(count_if(d.is_new AND d.channel <> 'truc_tuyen') AS BIGINT) AS received_offline, -- (5)
        CAST(count_if(d.is_new) AS BIGINT) AS received_new,
        CAST(count_if(d.carried_over) AS BIGINT) AS carried_over,                           -- (6)
        CAST(count_if(d.resolved) AS BIGINT) AS resolved_total,                             -- (7)
        CAST(count_if(d.resolved AND d.days_past_due < 0) AS BIGINT) AS resolved_early,     -- (8)
        CAST(count_if(d.resolved AND d.days_past_due = 0) AS BIGINT) AS resolved_on_time,   -- (9)
        CAST(count_if(d.resolved AND d.days_past_due > 0) AS BIGINT) AS resolved_late,      -- (10)
        CAST(count_if(d.pending) AS BIGINT) AS pending_total,                               -- (11)
        CAST(count_if(d.pending AND NOT d.pending_overdue) AS BIGINT) AS pending_within,         -- (12)
        CAST(count_if(d.pending_overdue) AS BIGINT) AS pending_overdue,          -- (13)
        CAST(count_if(d.is_new AND d.digitised_input) AS BIGINT) AS digitised_input,
        CAST(count_if(d.resolved AND d.e_result) AS BIGINT) AS digitised_result,
        CAST(count_if(d.is_new AND d.reused_data) AS BIGINT) AS reused_data,
        CAST(count_if(d.resolved AND d.supplement_count > 0) AS BIGINT) AS resolved_with_supplement,
        CAST(count_if(d.is_new AND d.fee_vnd > 0) AS BIGINT) AS new_with_fee,
        CAST(count_if(d.is_new AND d.fee_vnd > 0 AND d.paid_online) AS BIGINT) AS new_paid_online
    FROM d
    GROUP BY d.field, d.procedure_code
)
SELECT * FROM final;
