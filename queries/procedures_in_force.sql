-- Procedures of a level in force on a day, by agency.
WITH p AS (
    SELECT * FROM raw_procedures
    WHERE level = $level
      AND valid_from <= $day
      AND (valid_to IS NULL OR valid_to >= $day)
),
final AS (
    SELECT agency, count(*) AS procedures FROM p GROUP BY ROLLUP (agency)
)
SELECT * FROM final ORDER BY agency NULLS FIRST;
