-- Public finance of one unit over the months that overlap the period: plan and actual per item,
-- in đồng. A district or province adds up its communes.
WITH m AS (
    SELECT * FROM finances_for($province, $district, $unit, $start, $end)
),
final AS (
    SELECT item, sum(plan_vnd) AS plan_vnd, sum(actual_vnd) AS actual_vnd,
           count(DISTINCT unit_code) AS units
    FROM m
    GROUP BY item
)
SELECT * FROM final ORDER BY item;
