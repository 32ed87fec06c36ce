-- Builds the rows of the rating_daily rollup for one province ($province, from $rating_files): the
-- forms counted per field and day of rating, by level (satisfied = level 3 or 4, as stg_ratings).
SELECT
    field,
    CAST(rated_at AS DATE) AS day,
    count(*) AS ratings_total,
    CAST(count_if(level >= 3) AS BIGINT) AS ratings_satisfied,
    CAST(count_if(level = 4) AS BIGINT) AS level_4,
    CAST(count_if(level = 3) AS BIGINT) AS level_3,
    CAST(count_if(level = 2) AS BIGINT) AS level_2,
    CAST(count_if(level = 1) AS BIGINT) AS level_1
FROM raw_ratings_in($rating_files)
WHERE province_code = $province
GROUP BY field, CAST(rated_at AS DATE)
ORDER BY day, field;
