-- One page of the dossier list behind the drill-down: the dossiers a Biểu 06 report over
-- [$start, $end] counts for one unit (carried over + new, see the dossiers_for macro), optionally
-- of one field ($field) and one procedure ($procedure), whose code matches $pattern (ILIKE with
-- '\' as escape; NULL = every dossier). Late ones come first (resolved after their due day, or
-- still pending past it at the period's end), then the rest by receipt; $limit rows from $offset.
-- Statuses and dates are as of the period's end: a dossier finished after it is still pending here.
-- Every row also carries the totals of the whole (unpaged) list, so one call gives the page
-- and the page count; an empty page still returns one row with the totals and NULL dossier_id.
WITH d AS (
    SELECT dossier_id, procedure_code, field, received_at, due_at, finished_at, received_date, finished_date,
           status, supplement_days, resolved, pending_overdue, finish_status,
           (resolved AND finished_late(days_past_due)) OR pending_overdue AS is_late
    FROM dossiers_for($dossier_files, $scope, $start, $end)
    WHERE ($field IS NULL OR field = $field)
      AND ($procedure IS NULL OR procedure_code = $procedure)
      AND ($pattern IS NULL OR dossier_id ILIKE $pattern ESCAPE '\')
),
totals AS (
    SELECT count(*) AS total, coalesce(count_if(is_late), 0) AS late_total
    FROM d
),
page AS (
    SELECT *
    FROM d
    ORDER BY is_late DESC, received_at, dossier_id
    LIMIT $limit OFFSET $offset
),
-- processing time in working days, as in the stg_dossier_times view (received day excluded,
-- finishing day included, supplement waiting days left out), for the page's rows only
timed AS (
    SELECT p.*,
           CASE WHEN p.resolved
                THEN processing_days_of(cr.working_day_no, cr.is_working_day, cf.working_day_no, p.supplement_days) END
               AS processing_days
    FROM page p
    LEFT JOIN raw_calendar cr ON cr.day = p.received_date
    LEFT JOIN raw_calendar cf ON cf.day = p.finished_date
),
final AS (
    SELECT
        t.total,
        t.late_total,
        p.dossier_id,
        p.field,
        p.procedure_code,
        pr.name AS procedure_name,
        pr.statutory_days,
        p.received_at,
        p.due_at,
        CASE WHEN p.resolved THEN p.finished_at END AS finished_at,
        CASE WHEN p.resolved THEN p.finish_status
             WHEN p.pending_overdue THEN 'qua_han_dang'
             WHEN p.dossier_id IS NOT NULL THEN 'trong_han' END AS deadline_status,
        CASE WHEN p.resolved THEN p.status
             WHEN p.dossier_id IS NOT NULL THEN 'dang_xu_ly' END AS status,
        p.processing_days,
        p.is_late
    FROM totals t
    LEFT JOIN timed p ON true
    LEFT JOIN raw_procedures pr ON pr.code = p.procedure_code
)
SELECT * FROM final
ORDER BY is_late DESC, received_at, dossier_id;
