-- Calendar-month trend of satisfaction for one unit from $start to $end: the survey rate (rating
-- forms by month filled: total and satisfied, level >= 3) and the 766 indicator 5.4 (dossiers by
-- month resolved: total and not satisfied = late, or rated level 1, or named by a feedback row,
-- the rating or feedback recorded by the end of that month; each dossier once; see
-- satisfaction_766.sql). One row per month with a rating or a resolved dossier, in no particular
-- order: cchc.views.hai_long.trend adds the other months (zeros) and sorts, as cchc.kpis.monthly_trend.
WITH d AS (
    SELECT dossier_id, finished_at, days_past_due
    FROM report_rows_for($dossier_files, $scope, $start, $end)
    WHERE resolved
),
disliked AS (
    SELECT dossier_id, min(rated_date) AS first_day
    FROM ratings_for($rating_files, $scope, $start, $end)
    WHERE disliked_level(level)
    GROUP BY dossier_id
),
complained AS (
    SELECT * FROM complaints_by_dossier($scope, $end)
),
resolved AS (
    SELECT month,
           count(*) AS resolved,
           count_if(dossier_not_satisfied(days_past_due, coalesce(r_day < next_month, false),
                                          coalesce(f_day < next_month, false))) AS not_satisfied
    FROM (
        SELECT CAST(date_trunc('month', d.finished_at) AS DATE) AS month,
               CAST(date_trunc('month', d.finished_at) + INTERVAL 1 MONTH AS DATE) AS next_month,
               d.days_past_due, r.first_day AS r_day, f.first_day AS f_day
        FROM d
        LEFT JOIN disliked r ON r.dossier_id = d.dossier_id
        LEFT JOIN complained f ON f.dossier_id = d.dossier_id
    ) j
    GROUP BY month
),
rated AS (
    SELECT CAST(date_trunc('month', rated_date) AS DATE) AS month,
           count(*) AS ratings_total,
           count_if(satisfied) AS ratings_satisfied
    FROM ratings_for($rating_files, $scope, $start, $end)
    GROUP BY 1
),
final AS (
    SELECT coalesce(r.month, s.month) AS month,
           coalesce(r.ratings_total, 0) AS ratings_total, coalesce(r.ratings_satisfied, 0) AS ratings_satisfied,
           coalesce(s.resolved, 0) AS resolved, coalesce(s.not_satisfied, 0) AS not_satisfied
    FROM rated r
    FULL JOIN resolved s ON s.month = r.month
)
SELECT * FROM final;
