-- Biểu 06 (TT 01/2020/TT-VPCP) counts and digitisation for one unit and period, per field and in
-- total (the row whose field is NULL). Rates are derived in cchc.kpis.
WITH d AS (
    SELECT * FROM dossiers_for($province, $district, $unit, $start, $end)
),
final AS (
    SELECT
        d.field,
        count(*) AS received_total,                                                     -- (3)
        count(*) FILTER (WHERE d.is_new AND d.channel = 'truc_tuyen') AS received_online,  -- (4)
        count(*) FILTER (WHERE d.is_new AND d.channel <> 'truc_tuyen') AS received_offline, -- (5)
        count(*) FILTER (WHERE d.is_new) AS received_new,
        count(*) FILTER (WHERE d.carried_over) AS carried_over,                        -- (6)
        count(*) FILTER (WHERE d.resolved) AS resolved_total,                          -- (7)
        count(*) FILTER (WHERE d.resolved AND d.finish_status = 'truoc_han') AS resolved_early,   -- (8)
        count(*) FILTER (WHERE d.resolved AND d.finish_status = 'dung_han') AS resolved_on_time,  -- (9)
        count(*) FILTER (WHERE d.resolved AND d.finish_status = 'qua_han') AS resolved_late,      -- (10)
        count(*) FILTER (WHERE d.pending) AS pending_total,                            -- (11)
        count(*) FILTER (WHERE d.pending_status = 'trong_han') AS pending_within,      -- (12)
        count(*) FILTER (WHERE d.pending_status = 'qua_han') AS pending_overdue,       -- (13)
        count(*) FILTER (WHERE d.is_new AND d.digitised_input) AS digitised_input,
        count(*) FILTER (WHERE d.resolved AND d.e_result) AS digitised_result,
        count(*) FILTER (WHERE d.is_new AND d.reused_data) AS reused_data,
        count(*) FILTER (WHERE d.resolved AND p.online_level IN ('toan_trinh', 'mot_phan')) AS resolved_online_capable,
        count(*) FILTER (WHERE d.resolved AND d.supplement_count > 0) AS resolved_with_supplement,
        count(*) FILTER (WHERE d.is_new AND d.fee_vnd > 0) AS new_with_fee,
        count(*) FILTER (WHERE d.is_new AND d.fee_vnd > 0 AND d.paid_online) AS new_paid_online
    FROM d
    LEFT JOIN raw_procedures p ON p.code = d.procedure_code
    GROUP BY ROLLUP (d.field)
)
SELECT * FROM final
ORDER BY field NULLS FIRST;
