-- Public finance of the child units of a district or province over the months from $start to $end:
-- plan and actual per item and child, in đồng. $by chooses the child level: 'commune' (each commune
-- of the scope) or 'district' (the districts of a province, each adding up its communes).
WITH m AS (
    SELECT child_of($scope, $by, district_code, unit_code, budget_month_day(year, month)) AS child_code,
           unit_code, item, plan_vnd, actual_vnd
    FROM finances_for($scope, $start, $end)
),
agg AS (
    SELECT child_code, item,
           sum(plan_vnd) AS plan_vnd,
           sum(actual_vnd) AS actual_vnd,
           count(DISTINCT unit_code) AS communes
    FROM m
    GROUP BY child_code, item
),
final AS (
    SELECT a.child_code AS code, s.name, s.parent_name, a.item, a.plan_vnd, a.actual_vnd, a.communes
    FROM agg a
    JOIN stg_units s ON s.map = struct_extract($scope, 'map') AND s.code = a.child_code
)
SELECT * FROM final ORDER BY code, item;
