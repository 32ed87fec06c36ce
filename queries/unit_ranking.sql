-- How do the units under a district (or a province) compare in the period? One row per child
-- unit with the counts the overview ranks them on: received, resolved, in time (resolved_in_time:
-- early + on the due day), late, pending overdue, digitised input (of the new dossiers) and digitised results
-- (of the resolved ones), resolved after a request for supplements. The children are the units of level $child_level ('commune' or
-- 'district') inside the scope $scope, of its map: an old district's communes, an old province's
-- districts or communes, a new province's communes (their predecessors' dossiers before
-- 01/07/2025 counted for them: child_of). A unit in force during the period with
-- no dossiers appears with zeros; a unit that had dossiers appears even if no longer in force.
-- The counts follow dossier_kpis exactly (same dossiers_for macro, same flags), so a district's
-- rows add up to its Biểu 06 totals.
WITH d AS (
    SELECT
        child_of($scope, $child_level, d.district_code, d.unit_code, d.received_at) AS child_code,
        d.is_new, d.resolved, d.days_past_due, d.pending_overdue, d.digitised_input, d.e_result, d.supplement_count
    FROM report_rows_for($dossier_files, $scope, $start, $end) d
),
counts AS (
    SELECT
        child_code,
        count(*) AS received_total,
        count_if(is_new) AS received_new,
        count_if(resolved) AS resolved_total,
        count_if(resolved AND finished_in_time(days_past_due)) AS resolved_in_time,
        count_if(resolved AND finished_late(days_past_due)) AS resolved_late,
        count_if(pending_overdue) AS pending_overdue,
        count_if(is_new AND digitised_input) AS digitised_input,
        count_if(resolved AND e_result) AS digitised_result,
        count_if(resolved AND asked_for_supplement(supplement_count)) AS resolved_with_supplement
    FROM d
    GROUP BY child_code
),
children AS (
    SELECT u.code, u.name, u.level, u.parent_code, p.name AS parent_name
    FROM units_of_level($child_level, $scope) u
    LEFT JOIN raw_units p ON p.map = u.map AND p.code = u.parent_code
    WHERE true
      AND (in_force_during(u.valid_from, u.valid_to, $start, $end) OR u.code IN (SELECT child_code FROM counts))
),
final AS (
    SELECT
        u.code, u.name, u.parent_code, u.parent_name,
        coalesce(c.received_total, 0) AS received_total,
        coalesce(c.received_new, 0) AS received_new,
        coalesce(c.resolved_total, 0) AS resolved_total,
        coalesce(c.resolved_in_time, 0) AS resolved_in_time,
        coalesce(c.resolved_late, 0) AS resolved_late,
        coalesce(c.pending_overdue, 0) AS pending_overdue,
        coalesce(c.digitised_input, 0) AS digitised_input,
        coalesce(c.digitised_result, 0) AS digitised_result,
        coalesce(c.resolved_with_supplement, 0) AS resolved_with_supplement
    FROM children u
    LEFT JOIN counts c ON c.child_code = u.code
)
SELECT * FROM final ORDER BY code;
