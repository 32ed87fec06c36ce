-- rating_kpis for a whole province ($district and $unit NULL) from the rating_daily rollup: the same
-- rows and columns, in no particular order. cchc.db runs it in place of rating_kpis while the
-- province's rollup matches its rating files.
WITH r AS (
    SELECT * FROM raw_rating_daily_in($rating_daily_files)
    WHERE province_code = $province AND $district IS NULL AND $unit IS NULL
      AND year BETWEEN year($start) AND year($end)
      AND day BETWEEN $start AND $end
),
final AS (
    SELECT field, level, satisfied, sum(ratings) AS ratings
    FROM r
    GROUP BY ALL
)
SELECT * FROM final;
