-- The years for which the communes of a unit (one commune, a district's or a province's communes;
-- a new unit's predecessors before 2025: facts_for) have self-reported facts, with how many
-- communes reported in each.
WITH final AS (
    SELECT CAST(f.year AS INTEGER) AS year, count(DISTINCT f.unit_code) AS communes
    FROM facts_for($scope, 0, 9999) f
    GROUP BY f.year
)
SELECT * FROM final ORDER BY year;
