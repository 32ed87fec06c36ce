-- Builds the rows of the rating_daily rollup for one province ($province, from $rating_files): the
-- forms counted per field and day of rating (stg_ratings: rated_date, satisfied), by level.
SELECT
    field,
    rated_date AS day,
    count(*) AS ratings_total,
    CAST(count_if(satisfied) AS BIGINT) AS ratings_satisfied,
    CAST(count_if(level = 4) AS BIGINT) AS level_4,
    CAST(count_if(level = 3) AS BIGINT) AS level_3,
    CAST(count_if(level = 2) AS BIGINT) AS level_2,
    CAST(count_if(level = 1) AS BIGINT) AS level_1
FROM stg_ratings_in($rating_files)
WHERE province_code = $province
GROUP BY field, rated_date
ORDER BY day, field;
