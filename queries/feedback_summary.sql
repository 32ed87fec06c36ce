-- Feedback (phản ánh, kiến nghị) received in the period for one unit, as it stood at the end of
-- the period, counted by kind, by outcome, by handling status and by child unit.
-- Handling status (deadline: 15 working days, the due_at of each row):
--   dung_han:  answered by the end of the period, on or before its due day;
--   qua_han:   answered by the end of the period, after its due day;
--   dang_trong_han: not answered by the end of the period, due day not passed;
--   dang_qua_han:   not answered by the end of the period, due day passed.
-- Outcome is NULL while not answered by the end of the period.
-- Counts named as in feedback_kpis.sql: feedback_handled_on_time = dung_han (answered on time);
-- feedback_on_time = dung_han or dang_trong_han (macro feedback_on_time, queries/views/30_ratings.sql),
-- the numerator of 766 indicator 5.2 and of the catalogue's feedback_on_time_rate.
-- Rows: grp = 'total', 'kind', 'outcome', 'status', 'child' (districts of a province, communes
-- of a district, the commune itself).
WITH f AS (
    SELECT kind,
           child_of($scope, coalesce(child_level_of($scope), 'commune'), district_code, unit_code, received_date) AS child_code,
           answered AS handled,
           handling_status AS status,
           CASE WHEN answered THEN outcome END AS outcome
    FROM feedback_for($scope, $start, $end)
),
grouped AS (
    SELECT
        CASE WHEN GROUPING(kind) = 0 THEN 'kind'
             WHEN GROUPING(outcome) = 0 THEN 'outcome'
             WHEN GROUPING(status) = 0 THEN 'status'
             WHEN GROUPING(child_code) = 0 THEN 'child'
             ELSE 'total' END AS grp,
        kind, outcome, status, child_code,
        count(*) AS feedback_total,
        count_if(handled) AS handled,
        count_if(status = 'dung_han') AS feedback_handled_on_time,
        count_if(feedback_on_time(status)) AS feedback_on_time,
        count_if(status = 'qua_han') AS late,
        count_if(status = 'dang_trong_han') AS open_within,
        count_if(status = 'dang_qua_han') AS open_overdue
    FROM f
    GROUP BY GROUPING SETS ((), (kind), (outcome), (status), (child_code))
),
final AS (
    SELECT g.*, u.name AS child_name
    FROM grouped g
    LEFT JOIN raw_units u ON u.map = struct_extract($scope, 'map') AND u.code = g.child_code
)
SELECT * FROM final
ORDER BY grp, kind, outcome, status, child_code;
