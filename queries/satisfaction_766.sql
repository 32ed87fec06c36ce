-- 766 indicator 5.4 "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC" for one unit and period.
-- Denominator: the unit's dossiers resolved (finished) in the period. A dossier is "not
-- satisfied" if it was resolved late (finished on a day after its due day), or it has a rating
-- form at level 1 (không hài lòng), or a feedback row (phản ánh, kiến nghị) names it; a dossier
-- with several reasons counts once. Ratings and feedback are matched on dossier_id and count when
-- recorded by the end of the period, so a closed period's figure does not change later (the same
-- rule as index_dossier_satisfaction.sql).
-- Rows: grp = 'total' (one row), 'field' (per field), 'procedure' (per field and procedure),
-- 'child' (per child unit: the districts of a province, the communes of a district, the
-- commune itself for a commune).
WITH d AS (
    SELECT dossier_id, field, procedure_code,
           child_of($scope, coalesce(child_level_of($scope), 'commune'), district_code, unit_code, received_at) AS child_code,
           finished_late(days_past_due) AS late,
           days_past_due
    FROM report_rows_for($dossier_files, $scope, $start, $end)
    WHERE resolved
),
flagged AS (
    SELECT d.*, coalesce(s.disliked, false) AS disliked, coalesce(s.complained, false) AS complained
    FROM d
    LEFT JOIN dissatisfaction_for($rating_files, $scope, $start, $end) s
      ON s.dossier_id = d.dossier_id
),
grouped AS (
    SELECT
        CASE WHEN GROUPING(child_code) = 0 THEN 'child'
             WHEN GROUPING(procedure_code) = 0 THEN 'procedure'
             WHEN GROUPING(field) = 0 THEN 'field'
             ELSE 'total' END AS grp,
        field,
        procedure_code,
        child_code,
        count(*) AS resolved,
        count_if(late) AS late,
        count_if(disliked) AS disliked,
        count_if(complained) AS complained,
        count_if(dossier_not_satisfied(days_past_due, disliked, complained)) AS not_satisfied
    FROM flagged
    GROUP BY GROUPING SETS ((), (field), (field, procedure_code), (child_code))
),
final AS (
    SELECT g.grp, g.field, g.procedure_code, p.name AS procedure_name, g.child_code, u.name AS child_name,
           g.resolved, g.late, g.disliked, g.complained, g.not_satisfied
    FROM grouped g
    LEFT JOIN raw_procedures p ON p.code = g.procedure_code
    LEFT JOIN raw_units u ON u.map = struct_extract($scope, 'map') AND u.code = g.child_code
)
SELECT * FROM final
ORDER BY grp, field, procedure_code, child_code;
