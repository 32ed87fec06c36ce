-- Kiểm tra dữ liệu: the dossiers a report over [$start, $end] counts for one unit (report_rows_for)
-- that break a rule of the data, one row per (problem, dossier), at most $limit rows per problem
-- (the first by receipt), each with the number of rows of its problem (`total`):
--   due_before_received:      its due day is before its day of receipt;
--   finished_before_received: its finishing day is before its day of receipt;
--   duplicate_code:           its code is used by another dossier of the unit's province files
--                             (`copies`: how many rows carry the code there).
-- Days, not times: a same-day procedure is due on its day of receipt. "Day A before day B" is
-- finished_late(days_past_due_of(A, B)) (B more than a day boundary after A: the macro of
-- queries/views/20_dossiers.sql that counts the days between two instants).
WITH d AS (
    SELECT dossier_id, unit_code, procedure_code, field, received_at, due_at, finished_at, status
    FROM report_rows_for($dossier_files, $scope, $start, $end)
),
copies AS (
    SELECT a.dossier_id, count(*) AS copies
    FROM raw_dossiers_in($dossier_files) a
    WHERE a.dossier_id IN (SELECT dossier_id FROM d)
    GROUP BY a.dossier_id
    HAVING count(*) > 1
),
problems AS (
    SELECT 'due_before_received' AS problem, d.*, NULL::BIGINT AS copies FROM d
    WHERE finished_late(days_past_due_of(d.due_at, d.received_at))
    UNION ALL
    SELECT 'finished_before_received' AS problem, d.*, NULL::BIGINT AS copies FROM d
    WHERE d.finished_at IS NOT NULL AND finished_late(days_past_due_of(d.finished_at, d.received_at))
    UNION ALL
    SELECT 'duplicate_code' AS problem, d.*, c.copies FROM d INNER JOIN copies AS c ON d.dossier_id = c.dossier_id
),
ranked AS (
    SELECT p.*,
           count(*) OVER (PARTITION BY p.problem) AS total,
           row_number() OVER (PARTITION BY p.problem ORDER BY p.received_at, p.dossier_id) AS n
    FROM problems p
)
SELECT problem, total, dossier_id, unit_code, procedure_code, field, received_at, due_at, finished_at, status, copies
FROM ranked
WHERE n <= $limit
ORDER BY problem, n;
