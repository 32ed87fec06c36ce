-- Biểu 06 (TT 01/2020/TT-VPCP) counts and digitisation for one unit and period, one row per
-- procedure (with its field), in no particular order. cchc.kpis adds them up by field and in total,
-- derives the rates and puts the procedure's name, statutory time and online level beside them
-- (procedure_catalogue): a join and a sort here cost more than the aggregate (docs/performance.md).
-- Column numbers of the official form are given beside each count. Counts are count_if of a
-- dossier's roles (report_rows_for), HUGEINT that cchc.db hands over as Int64: 4-5 % faster here than the sums
-- of 0/1 flags used before and ~1,6x faster than count(*) FILTER (WHERE ...) (docs/performance.md).
WITH d AS (
    SELECT * FROM report_rows_for($dossier_files, $province, $district, $unit, $start, $end)
),
final AS (
    SELECT
        d.field,
        d.procedure_code,
        count(*) AS received_total,                                                        -- (3)
        count_if(d.is_new AND d.channel = 'truc_tuyen') AS received_online,  -- (4)
        count_if(d.is_new AND d.channel <> 'truc_tuyen') AS received_offline, -- (5)
        count_if(d.is_new) AS received_new,
        count_if(d.carried_over) AS carried_over,                           -- (6)
        count_if(d.resolved) AS resolved_total,                             -- (7)
        count_if(d.resolved AND d.days_past_due < 0) AS resolved_early,     -- (8)
        count_if(d.resolved AND d.days_past_due = 0) AS resolved_on_time,   -- (9)
        count_if(d.resolved AND d.days_past_due > 0) AS resolved_late,      -- (10)
        count_if(d.pending) AS pending_total,                               -- (11)
        count_if(d.pending AND NOT d.pending_overdue) AS pending_within,         -- (12)
        count_if(d.pending_overdue) AS pending_overdue,          -- (13)
        count_if(d.is_new AND d.digitised_input) AS digitised_input,
        count_if(d.resolved AND d.e_result) AS digitised_result,
        count_if(d.is_new AND d.reused_data) AS reused_data,
        count_if(d.resolved AND d.supplement_count > 0) AS resolved_with_supplement,
        count_if(d.is_new AND d.fee_vnd > 0) AS new_with_fee,
        count_if(d.is_new AND d.fee_vnd > 0 AND d.paid_online) AS new_paid_online
    FROM d
    GROUP BY d.field, d.procedure_code
)
SELECT * FROM final;
