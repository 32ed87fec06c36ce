-- Public finance of one unit over the months that overlap the period: plan and actual per item and
-- commune, in đồng, in no particular order. cchc.kpis.finance_totals adds a district's or province's
-- communes up per item and counts them (a count(DISTINCT unit_code) and an ORDER BY here cost more
-- than the grouping: 1,29 -> 1,04-1,09 x the scan floor, docs/performance.md).
WITH m AS (
    SELECT * FROM finances_for($scope, $start, $end)
),
final AS (
    SELECT item, unit_code, sum(plan_vnd) AS plan_vnd, sum(actual_vnd) AS actual_vnd
    FROM m
    GROUP BY ALL
)
SELECT * FROM final;
