-- Public finance of one unit over the months that overlap the period: plan and actual per item,
-- in đồng. A district or province adds up its communes.
WITH m AS (
    SELECT f.*
    FROM raw_finances f
    JOIN raw_units u ON u.code = f.unit_code
    WHERE u.province_code = $province
      AND ($district IS NULL OR u.district_code = $district)
      AND ($unit IS NULL OR f.unit_code = $unit)
      AND make_date(f.year, f.month, 1) BETWEEN date_trunc('month', CAST($start AS DATE)) AND CAST($end AS DATE)
),
final AS (
    SELECT item, CAST(sum(plan_vnd) AS BIGINT) AS plan_vnd, CAST(sum(actual_vnd) AS BIGINT) AS actual_vnd,
           count(DISTINCT unit_code) AS units
    FROM m
    GROUP BY item
)
SELECT * FROM final ORDER BY item;
