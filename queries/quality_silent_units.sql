-- Kiểm tra dữ liệu: the communes of one unit's scope that received no dossier in a whole calendar
-- month lying within [$start, $end]. A month belongs to the map in force on its first day
-- (map_on; the maps change on 01/07/2025, a month's first day): before the change the old
-- communes of the scope, from it the new ones, each in force during the month (in_force_during,
-- a commune of the scope by in_scope on the month's first day). A dossier is received in the
-- period when it is new in a report over it (report_rows_for: is_new). `reused`: an old commune whose
-- code a new one took (its link names it cu-<code>, cchc.units.Unit.key).
WITH months AS (
    SELECT m::DATE AS month_start, (m + INTERVAL 1 MONTH - INTERVAL 1 DAY)::DATE AS month_end
    FROM unnest(range(date_trunc('month', $start::DATE), $end::DATE + INTERVAL 1 DAY, INTERVAL 1 MONTH)) AS t(m)
),
whole AS (
    SELECT * FROM months WHERE month_start >= $start AND month_end <= $end
),
communes AS (
    SELECT w.month_start, w.month_end, u.code, u.name,
           (u.map = 'old' AND u.code IN (SELECT n.code FROM raw_units AS n WHERE n.map = 'new')) AS reused
    FROM whole w
    JOIN raw_units u
      ON u.level = 'commune'
     AND u.map = map_on(w.month_start, struct_extract($scope, 'change'))
     AND in_force_during(u.valid_from, u.valid_to, w.month_start, w.month_end)
     AND in_scope($scope, u.province_code, u.district_code, u.code, w.month_start)
),
received AS (
    SELECT d.unit_code, date_trunc('month', d.received_at)::DATE AS month_start, count(*) AS n
    FROM report_rows_for($dossier_files, $scope, $start, $end) d
    WHERE d.is_new
    GROUP BY ALL
)
SELECT c.code, c.name, c.month_start, c.month_end, c.reused,
       (SELECT count(*) FROM whole) AS whole_months
FROM communes c
LEFT JOIN received r ON r.unit_code = c.code AND r.month_start = c.month_start
WHERE r.n IS NULL
ORDER BY c.code, c.month_start;
