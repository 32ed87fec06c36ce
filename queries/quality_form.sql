-- Kiểm tra dữ liệu: every column of Biểu 06 counted on its own from the dossiers a report over
-- [$start, $end] counts for one unit (report_rows_for), so the form's identities can be checked
-- against the rows instead of being assumed (cchc.kpis derives (3), (5), (6), (7), (12) from them):
--   (3) = (4) + (5) + (6);  (7) = (8) + (9) + (10);  (11) = (12) + (13);  (3) = (7) + (11).
-- (5) counts the counter and postal channels by name (cchc.schema.CHANNELS), so a new dossier with a
-- channel outside the three (or none) is neither (4) nor (5); a resolved row without a due day is
-- none of (8), (9), (10): such rows break an identity, which is what this query is for. The other
-- conditions are the macros of queries/views/20_dossiers.sql.
WITH d AS (
    SELECT * FROM report_rows_for($dossier_files, $scope, $start, $end)
)
SELECT
    count(*) AS received_total,                                                        -- (3)
    count_if(d.is_new AND submitted_online(d.channel)) AS received_online,              -- (4)
    count_if(d.is_new AND d.channel IN ('truc_tiep', 'buu_chinh')) AS received_offline,  -- (5)
    count_if(d.carried_over) AS carried_over,                                           -- (6)
    count_if(d.resolved) AS resolved_total,                                             -- (7)
    count_if(d.resolved AND finished_early(d.days_past_due)) AS resolved_early,         -- (8)
    count_if(d.resolved AND finished_on_due_day(d.days_past_due)) AS resolved_on_time,  -- (9)
    count_if(d.resolved AND finished_late(d.days_past_due)) AS resolved_late,           -- (10)
    count_if(d.pending) AS pending_total,                                               -- (11)
    count_if(d.pending AND NOT d.pending_overdue) AS pending_within,                    -- (12)
    count_if(d.pending_overdue) AS pending_overdue                                      -- (13)
FROM d;
