-- Rating forms filled in the period for one unit, by field and level (1–4) with whether that level
-- counts as satisfied, in no particular order; cchc.kpis.rating_kpis adds them up by field and in
-- total. One count per group: a count_if per level and one for satisfied cost DuckDB more to bind
-- and plan than the rows cost to group (1,21 → 1,05 × the scan floor, docs/performance.md).
-- queries/rating_kpis_daily.sql gives the same columns.
WITH r AS (
    SELECT * FROM ratings_for($rating_files, $scope, $start, $end)
),
final AS (
    SELECT field, level, satisfied, count(*) AS ratings
    FROM r
    GROUP BY ALL
)
SELECT * FROM final;
