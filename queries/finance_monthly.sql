-- Public finance of one unit month by month, from the month of $start to the month of $end: plan
-- (the month's share of the annual plan) and actual per item, in đồng. A district or province adds
-- up its communes. Feeds the cumulative curves (actual against the plan line) of the finance page.
WITH m AS (
    SELECT f.unit_code, f.year, f.month, f.item, f.plan_vnd, f.actual_vnd
    FROM raw_finances f
    JOIN raw_units u ON u.code = f.unit_code
    WHERE u.province_code = $province
      AND ($district IS NULL OR u.district_code = $district)
      AND ($unit IS NULL OR f.unit_code = $unit)
      AND make_date(f.year, f.month, 1) BETWEEN date_trunc('month', CAST($start AS DATE)) AND CAST($end AS DATE)
),
final AS (
    SELECT CAST(year AS INTEGER) AS year, CAST(month AS INTEGER) AS month, item,
           CAST(sum(plan_vnd) AS BIGINT) AS plan_vnd,
           CAST(sum(actual_vnd) AS BIGINT) AS actual_vnd,
           count(DISTINCT unit_code) AS units
    FROM m
    GROUP BY year, month, item
)
SELECT * FROM final ORDER BY year, month, item;
