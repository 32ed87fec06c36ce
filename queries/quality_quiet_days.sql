-- Kiểm tra dữ liệu: the working days of [$start, $end] (raw_calendar) on which one unit received no
-- dossier at all, with their ISO week (Monday) and how many working days that week has in the
-- period: a week whose every working day is here received nothing for a whole working week.
-- A dossier is received on a day of the period when it is new in a report over that period
-- (report_rows_for: is_new).
WITH received AS (
    SELECT DISTINCT CAST(d.received_at AS DATE) AS day
    FROM report_rows_for($dossier_files, $scope, $start, $end) d
    WHERE d.is_new
),
working AS (
    SELECT c.day, CAST(date_trunc('week', c.day) AS DATE) AS week
    FROM raw_calendar c
    WHERE c.is_working_day AND c.day BETWEEN $start AND $end
),
weeks AS (
    SELECT week, count(*) AS working_days FROM working GROUP BY week
)
SELECT w.day, w.week, k.working_days
FROM working w
INNER JOIN weeks AS k ON w.week = k.week
WHERE w.day NOT IN (SELECT day FROM received)
ORDER BY w.day;
