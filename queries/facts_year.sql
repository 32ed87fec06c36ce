-- The self-reported facts of a unit for a year: the newest entry of each indicator code, including
-- the points entered for a scoring index (codes "diem:<index>:<code>:<stage>"; cchc.scoring reads them here).
WITH f AS (
    SELECT *, row_number() OVER (PARTITION BY indicator ORDER BY entered_at DESC) AS rn
    FROM raw_facts
    WHERE unit_code = $unit AND year = $year
),
final AS (
    SELECT indicator, value, note, entered_by, entered_at FROM f WHERE rn = 1
)
SELECT * FROM final ORDER BY indicator;
