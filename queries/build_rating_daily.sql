-- Builds the rows of the rating_daily rollup for one province partition ($provinces, one code, from $rating_files): the
-- forms counted per field, day of rating and level, with whether the level counts as satisfied
-- (stg_ratings: rated_date, satisfied), the rows queries/rating_kpis.sql counts.
SELECT
    field,
    rated_date AS day,
    level,
    satisfied,
    count(*) AS ratings
FROM stg_ratings_in($rating_files)
WHERE province_code = $provinces[1]
GROUP BY ALL
ORDER BY day, field, level;
