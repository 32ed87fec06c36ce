-- Procedures of a level in force on a day, by agency.
WITH p AS (
    SELECT * FROM procedures_in_force_on($day, $level)
),
final AS (
    SELECT agency, count(*) AS procedures FROM p GROUP BY ROLLUP (agency)
)
SELECT * FROM final ORDER BY agency NULLS FIRST;
