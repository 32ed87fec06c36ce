-- Rating forms received in the period for one unit, per field and in total (field NULL).
WITH r AS (
    SELECT * FROM stg_ratings
    WHERE province_code = $province
      AND ($district IS NULL OR district_code = $district)
      AND ($unit IS NULL OR unit_code = $unit)
      AND year BETWEEN year($start) AND year($end)
      AND rated_date BETWEEN $start AND $end
),
final AS (
    SELECT
        field,
        count(*) AS ratings_total,
        count(*) FILTER (WHERE satisfied) AS ratings_satisfied,
        count(*) FILTER (WHERE level = 4) AS level_4,
        count(*) FILTER (WHERE level = 3) AS level_3,
        count(*) FILTER (WHERE level = 2) AS level_2,
        count(*) FILTER (WHERE level = 1) AS level_1
    FROM r
    GROUP BY ROLLUP (field)
)
SELECT * FROM final ORDER BY field NULLS FIRST;
