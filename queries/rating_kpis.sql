-- Rating forms received in the period for one unit, per field (in no particular order; cchc.kpis
-- adds up the total).
WITH r AS (
    SELECT * FROM ratings_for($rating_files, $province, $district, $unit, $start, $end)
),
final AS (
    SELECT
        field,
        count(*) AS ratings_total,
        CAST(count_if(satisfied) AS BIGINT) AS ratings_satisfied,
        CAST(count_if(level = 4) AS BIGINT) AS level_4,
        CAST(count_if(level = 3) AS BIGINT) AS level_3,
        CAST(count_if(level = 2) AS BIGINT) AS level_2,
        CAST(count_if(level = 1) AS BIGINT) AS level_1
    FROM r
    GROUP BY field
)
SELECT * FROM final;
