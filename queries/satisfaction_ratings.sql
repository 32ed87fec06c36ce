-- Rating forms (phiếu đánh giá) filled in the period for one unit, counted by level:
-- 4 rất hài lòng, 3 hài lòng, 2 bình thường, 1 không hài lòng; satisfied = level 3 or 4.
-- Rows: grp = 'total', 'field', 'procedure' (per field and procedure), 'child' (per child unit:
-- the districts of a province, the communes of a district, the commune itself).
WITH r AS (
    SELECT field, procedure_code, level, satisfied,
           child_of($scope, coalesce(child_level_of($scope), 'commune'), district_code, unit_code, rated_date) AS child_code
    FROM ratings_for($rating_files, $scope, $start, $end)
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
        count(*) AS ratings_total,
        count_if(satisfied) AS ratings_satisfied,
        count_if(level = 4) AS level_4,
        count_if(level = 3) AS level_3,
        count_if(level = 2) AS level_2,
        count_if(level = 1) AS level_1
    FROM r
    GROUP BY GROUPING SETS ((), (field), (field, procedure_code), (child_code))
),
final AS (
    SELECT g.grp, g.field, g.procedure_code, p.name AS procedure_name, g.child_code, u.name AS child_name,
           g.ratings_total, g.ratings_satisfied, g.level_4, g.level_3, g.level_2, g.level_1
    FROM grouped g
    LEFT JOIN raw_procedures p ON p.code = g.procedure_code
    LEFT JOIN raw_units u ON u.map = struct_extract($scope, 'map') AND u.code = g.child_code
)
SELECT * FROM final
ORDER BY grp, field, procedure_code, child_code;
