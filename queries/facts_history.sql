-- The history of a commune's self-reported facts for a year: every entry (the one in use and the ones
-- later corrections replaced), newest first, with who entered it, when, the evidence note and the
-- value it replaced.
WITH f AS (
    SELECT indicator, value, note, entered_by, entered_at
    FROM raw_facts
    WHERE unit_code = $unit AND year = $year
),
ranked AS (
    SELECT *,
           row_number() OVER (PARTITION BY indicator ORDER BY entered_at DESC) AS newest_rank,
           lag(value) OVER (PARTITION BY indicator ORDER BY entered_at) AS previous_value,
           count(*) OVER (PARTITION BY indicator) AS entries
    FROM f
),
final AS (
    SELECT indicator, value, previous_value, note, entered_by, entered_at,
           newest_rank = 1 AS is_current, CAST(entries AS BIGINT) AS entries
    FROM ranked
)
SELECT * FROM final ORDER BY entered_at DESC, indicator;
