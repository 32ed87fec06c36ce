-- rating_kpis for a whole province ($district and $unit NULL) from the rating_daily rollup: the same
-- columns (a row per field and level, also for a level with no form), in no particular order.
-- cchc.db runs it in place of rating_kpis while the province's rollup matches its rating files.
WITH r AS (
    SELECT * FROM raw_rating_daily_in($rating_daily_files)
    WHERE province_code = $province AND $district IS NULL AND $unit IS NULL
      AND year BETWEEN year($start) AND year($end)
      AND day BETWEEN $start AND $end
),
by_field AS (
    SELECT field, sum(level_4) AS l4, sum(level_3) AS l3, sum(level_2) AS l2, sum(level_1) AS l1
    FROM r
    GROUP BY field
),
by_level AS (
    SELECT field, CAST(unnest([4, 3, 2, 1]) AS SMALLINT) AS level, unnest([l4, l3, l2, l1]) AS ratings FROM by_field
)
SELECT field, level, satisfied_level(level) AS satisfied, ratings FROM by_level;
