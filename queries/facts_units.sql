-- The self-reported facts of the communes of a unit (one commune, a district's or a province's
-- communes) for the years $year_from..$year_to: the newest entry of each commune, year and indicator.
WITH c AS (
    SELECT code, name FROM units_of_level('commune', $province, $district, $unit)
),
f AS (
    SELECT f.unit_code, f.year, f.indicator, f.value, f.note, f.entered_by, f.entered_at,
           row_number() OVER (PARTITION BY f.unit_code, f.year, f.indicator ORDER BY f.entered_at DESC) AS rn
    FROM raw_facts f
    JOIN c ON c.code = f.unit_code
    WHERE f.year BETWEEN $year_from AND $year_to
),
final AS (
    SELECT f.unit_code, c.name AS unit_name, CAST(f.year AS INTEGER) AS year, f.indicator, f.value, f.note,
           f.entered_by, f.entered_at
    FROM f
    JOIN c ON c.code = f.unit_code
    WHERE f.rn = 1
)
SELECT * FROM final ORDER BY unit_code, year, indicator;
