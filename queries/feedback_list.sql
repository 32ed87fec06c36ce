-- The feedback (phản ánh, kiến nghị) received in the period for one unit, open ones first
-- (overdue, then within the deadline, each oldest first), then the answered ones (newest first),
-- as they stood at the end of the period; at most $limit rows.
WITH f AS (
    SELECT feedback_id, unit_code, dossier_id, field, kind, channel, received_date, due_date,
           CASE WHEN answered THEN handled_date END AS handled_date,
           CASE WHEN answered THEN outcome END AS outcome,
           CASE WHEN answered THEN citizen_satisfied END AS citizen_satisfied,
           handling_status AS status
    FROM feedback_for($scope, $start, $end)
),
final AS (
    SELECT f.*, u.name AS unit_name,
           CASE status WHEN 'dang_qua_han' THEN 0 WHEN 'dang_trong_han' THEN 1 ELSE 2 END AS open_order
    FROM f
    LEFT JOIN raw_units u ON u.code = f.unit_code
)
SELECT * FROM final
ORDER BY open_order,
         CASE WHEN open_order < 2 THEN received_date END ASC,
         received_date DESC,
         feedback_id
LIMIT $limit;
