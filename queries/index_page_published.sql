-- The published scores of one index (index_results, e.g. the 766 scores of the National Public
-- Service Portal): every period, unit level, unit and group, for the published-results page.
WITH r AS (
    SELECT * FROM raw_index_results WHERE index_code = $index_code
),
final AS (
    SELECT period_kind, year, period_index, unit_level, unit_ref, unit_code, unit_name, group_code, score, rank,
           source, imported_at
    FROM r
)
SELECT * FROM final ORDER BY period_kind, year, period_index, unit_level, rank NULLS LAST, unit_ref, group_code;
