-- Rating forms received in the period for one unit, per field (in no particular order; cchc.kpis
-- adds up the total).
WITH r AS (
    SELECT * FROM ratings_for($rating_files, $province, $district, $unit, $start, $end)
),
final AS (
    SELECT
        field,
        count(*) AS ratings_total,
        count_if(satisfied) AS ratings_satisfied,
        count_if(level = 4) AS level_4,
        count_if(level = 3) AS level_3,
        count_if(level = 2) AS level_2,
        count_if(level = 1) AS level_1
    FROM r
    GROUP BY field
)
SELECT * FROM final;
