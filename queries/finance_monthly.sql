-- Public finance of one unit month by month, from the month of $start to the month of $end: plan
-- (the month's share of the annual plan) and actual per item, in đồng. A district or province adds
-- up its communes. Feeds the cumulative curves (actual against the plan line) of the finance page.
WITH m AS (
    SELECT unit_code, year, month, item, plan_vnd, actual_vnd
    FROM finances_for($scope, $start, $end)
),
final AS (
    SELECT CAST(year AS INTEGER) AS year, CAST(month AS INTEGER) AS month, item,
           sum(plan_vnd) AS plan_vnd,
           sum(actual_vnd) AS actual_vnd,
           count(DISTINCT unit_code) AS units
    FROM m
    GROUP BY year, month, item
)
SELECT * FROM final ORDER BY year, month, item;
