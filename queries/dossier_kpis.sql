-- Biểu 06 (TT 01/2020/TT-VPCP) counts and digitisation for one unit and period, one row per
-- procedure (with its field), in no particular order. Only the counts no other column gives:
-- cchc.kpis.dossier_rows derives the form's other columns from them by the form's identities
--   (7) resolved = (8) + (9) + (10);  (3) received = (7) + (11);  (6) carried over = (3) − new;
--   (5) offline = new − (4);  (12) pending within = (11) − (13),
-- adds the rows up by field and in total, derives the rates and puts the procedure's name,
-- statutory time and online level beside them (procedure_catalogue): every aggregate, a join or a
-- sort here costs DuckDB more to bind and plan than it costs Python on a few hundred rows
-- (docs/performance.md). The counts are count_if of a dossier's roles (report_rows_for), HUGEINT
-- that cchc.db hands over as Int64. queries/dossier_kpis_daily.sql gives the same columns.
-- resolved_on_time is Biểu 06 column (9), finished on the due day only; early + on the due day is
-- resolved_in_time elsewhere (monthly_trend, unit_ranking). The conditions are the macros of
-- queries/views/20_dossiers.sql (finished_early, finished_on_due_day, finished_late, submitted_online …).
WITH d AS (
    SELECT * FROM report_rows_for($dossier_files, $scope, $start, $end)
),
final AS (
    SELECT
        d.field,
        d.procedure_code,
        count_if(d.is_new) AS received_new,
        count_if(d.is_new AND submitted_online(d.channel)) AS received_online,                -- (4)
        count_if(d.resolved AND finished_early(d.days_past_due)) AS resolved_early,          -- (8)
        count_if(d.resolved AND finished_on_due_day(d.days_past_due)) AS resolved_on_time,   -- (9) on the due day
        count_if(d.resolved AND finished_late(d.days_past_due)) AS resolved_late,            -- (10)
        count_if(d.pending) AS pending_total,                                      -- (11)
        count_if(d.pending_overdue) AS pending_overdue,                            -- (13)
        count_if(d.is_new AND d.digitised_input) AS digitised_input,
        count_if(d.resolved AND d.e_result) AS digitised_result,
        count_if(d.is_new AND d.reused_data) AS reused_data,
        count_if(d.resolved AND asked_for_supplement(d.supplement_count)) AS resolved_with_supplement,
        count_if(d.is_new AND charges_fee(d.fee_vnd)) AS new_with_fee,
        count_if(d.is_new AND charges_fee(d.fee_vnd) AND d.paid_online) AS new_paid_online
    FROM d
    GROUP BY d.field, d.procedure_code
)
SELECT * FROM final;
