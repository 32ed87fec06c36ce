-- rating_kpis for one whole province partition ($provinces, one code) from the rating_daily rollup: the same
-- rows and columns, in no particular order. cchc.db runs it in place of rating_kpis while the
-- province's rollup matches its rating files.
WITH r AS (
    SELECT * FROM raw_rating_daily_in($rating_daily_files)
    WHERE list_contains($provinces, province_code)
      AND year BETWEEN year($start) AND year($end)
      AND day BETWEEN $start AND $end
),
final AS (
    SELECT field, level, satisfied, sum(ratings) AS ratings
    FROM r
    GROUP BY ALL
)
SELECT * FROM final;
