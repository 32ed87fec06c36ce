-- Builds the rows of the rating_daily rollup for one province ($province, from $rating_files): the
-- forms counted per field and day of rating (stg_ratings: rated_date, satisfied), by level.
SELECT
    field,
    rated_date AS day,
    count(*) AS ratings_total,
    count_if(satisfied) AS ratings_satisfied,
    count_if(level = 4) AS level_4,
    count_if(level = 3) AS level_3,
    count_if(level = 2) AS level_2,
    count_if(level = 1) AS level_1
FROM stg_ratings_in($rating_files)
WHERE province_code = $province
GROUP BY field, rated_date
ORDER BY day, field;
