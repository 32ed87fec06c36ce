-- rating_kpis for a whole province ($district and $unit NULL) from the rating_daily rollup: the same
-- rows and columns. cchc.db runs it in place of rating_kpis while the province's rollup matches its
-- rating files.
WITH r AS (
    SELECT * FROM raw_rating_daily_in($rating_daily_files)
    WHERE province_code = $province AND $district IS NULL AND $unit IS NULL
      AND year BETWEEN year($start) AND year($end)
      AND day BETWEEN $start AND $end
),
final AS (  -- the sums of the six counts, named as in rating_kpis
    SELECT field, sum(COLUMNS(['ratings_total', 'ratings_satisfied', 'level_4', 'level_3', 'level_2', 'level_1']))
    FROM r
    GROUP BY field
)
SELECT * FROM final;
