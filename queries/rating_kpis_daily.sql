-- rating_kpis for a whole province ($district and $unit NULL) from the rating_daily rollup: the same
-- rows and columns. cchc.db runs it in place of rating_kpis while the province's rollup matches its
-- rating files.
WITH r AS (
    SELECT * FROM raw_rating_daily_in($rating_daily_files)
    WHERE province_code = $province AND $district IS NULL AND $unit IS NULL
      AND year BETWEEN year($start) AND year($end)
      AND day BETWEEN $start AND $end
),
final AS (
    SELECT
        field,
        CAST(sum(ratings_total) AS BIGINT) AS ratings_total,
        CAST(sum(ratings_satisfied) AS BIGINT) AS ratings_satisfied,
        CAST(sum(level_4) AS BIGINT) AS level_4,
        CAST(sum(level_3) AS BIGINT) AS level_3,
        CAST(sum(level_2) AS BIGINT) AS level_2,
        CAST(sum(level_1) AS BIGINT) AS level_1
    FROM r
    GROUP BY field
)
SELECT * FROM final;
