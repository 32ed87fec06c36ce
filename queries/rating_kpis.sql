-- Rating forms received in the period for one unit, per field (in no particular order; cchc.kpis
-- adds up the total).
WITH r AS (
    SELECT * FROM ratings_for($rating_files, $province, $district, $unit, $start, $end)
),
final AS (
    SELECT
        field,
        count(*) AS ratings_total,
        CAST(sum(CAST(satisfied AS INTEGER)) AS BIGINT) AS ratings_satisfied,
        CAST(sum(CAST(level = 4 AS INTEGER)) AS BIGINT) AS level_4,
        CAST(sum(CAST(level = 3 AS INTEGER)) AS BIGINT) AS level_3,
        CAST(sum(CAST(level = 2 AS INTEGER)) AS BIGINT) AS level_2,
        CAST(sum(CAST(level = 1 AS INTEGER)) AS BIGINT) AS level_1
    FROM r
    GROUP BY field
)
SELECT * FROM final;
