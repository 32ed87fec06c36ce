-- Rating forms received in the period for one unit, per field and in total (field NULL).
WITH r AS (
    SELECT * FROM ratings_for($rating_files, $province, $district, $unit, $start, $end)
),
final AS (
    SELECT
        field,
        count(*) AS ratings_total,
        CAST(coalesce(sum(CAST(satisfied AS INTEGER)), 0) AS BIGINT) AS ratings_satisfied,
        CAST(coalesce(sum(CAST(level = 4 AS INTEGER)), 0) AS BIGINT) AS level_4,
        CAST(coalesce(sum(CAST(level = 3 AS INTEGER)), 0) AS BIGINT) AS level_3,
        CAST(coalesce(sum(CAST(level = 2 AS INTEGER)), 0) AS BIGINT) AS level_2,
        CAST(coalesce(sum(CAST(level = 1 AS INTEGER)), 0) AS BIGINT) AS level_1
    FROM r
    GROUP BY ROLLUP (field)
)
SELECT * FROM final ORDER BY field NULLS FIRST;
