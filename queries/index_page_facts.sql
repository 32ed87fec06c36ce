-- The self-reported facts a scoring index reads (as queries/facts_year.sql: the newest entry of
-- each indicator code, entered points included) for every unit of one level within a scope, for one
-- year: the index page's ranking scores many communes at once. $level = 'commune' | 'district' |
-- 'province'; within the scope $scope (units of its map).
WITH units AS (
    SELECT code FROM units_of_level($level, $scope)
),
f AS (
    SELECT x.*, row_number() OVER (PARTITION BY x.unit_code, x.indicator ORDER BY x.entered_at DESC) AS rn
    FROM raw_facts x
    JOIN units u ON u.code = x.unit_code
    WHERE x.year = $year
),
final AS (
    SELECT unit_code, indicator, value FROM f WHERE rn = 1
)
SELECT * FROM final ORDER BY unit_code, indicator;
