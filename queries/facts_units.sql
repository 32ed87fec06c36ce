-- The self-reported facts of the communes of a unit (one commune, a district's or a province's
-- communes; a new unit's predecessors for the years before 2025: facts_for) for the years
-- $year_from..$year_to: the newest entry of each commune, year and indicator.
WITH f AS (
    SELECT f.unit_code, f.unit_name, f.year, f.indicator, f.value, f.note, f.entered_by, f.entered_at,
           row_number() OVER (PARTITION BY f.unit_code, f.year, f.indicator ORDER BY f.entered_at DESC) AS rn
    FROM facts_for($scope, $year_from, $year_to) f
),
final AS (
    SELECT f.unit_code, f.unit_name, CAST(f.year AS INTEGER) AS year, f.indicator, f.value, f.note,
           f.entered_by, f.entered_at
    FROM f
    WHERE f.rn = 1
)
SELECT * FROM final ORDER BY unit_code, year, indicator;
