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
        CAST(coalesce(sum(ratings_total), 0) AS BIGINT) AS ratings_total,
        CAST(coalesce(sum(ratings_satisfied), 0) AS BIGINT) AS ratings_satisfied,
        CAST(coalesce(sum(level_4), 0) AS BIGINT) AS level_4,
        CAST(coalesce(sum(level_3), 0) AS BIGINT) AS level_3,
        CAST(coalesce(sum(level_2), 0) AS BIGINT) AS level_2,
        CAST(coalesce(sum(level_1), 0) AS BIGINT) AS level_1
    FROM r
    GROUP BY ROLLUP (field)
)
SELECT * FROM final ORDER BY field NULLS FIRST;
