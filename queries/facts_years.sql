-- The years for which the communes of a unit (one commune, a district's or a province's communes)
-- have self-reported facts, with how many communes reported in each.
WITH c AS (
    SELECT code FROM units_of_level('commune', $province, $district, $unit)
),
final AS (
    SELECT CAST(f.year AS INTEGER) AS year, count(DISTINCT f.unit_code) AS communes
    FROM raw_facts f
    JOIN c ON c.code = f.unit_code
    GROUP BY f.year
)
SELECT * FROM final ORDER BY year;
