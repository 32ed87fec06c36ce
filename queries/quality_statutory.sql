-- Kiểm tra dữ liệu: the dossiers of one unit resolved in [$start, $end] whose processing time in
-- working days (stg_dossier_times: received day excluded, finishing day included, supplement
-- waiting days left out) is longer than their procedure's statutory time (resolved_times_for, as
-- queries/processing_times.sql reads it), at most $limit rows (the longest over first), each with
-- the number of such rows (`total`). Procedures without a statutory time are left out.
WITH t AS (
    SELECT dossier_id, unit_code, procedure_code, field, received_at, due_at, finished_at,
           processing_days, statutory_days
    FROM resolved_times_for($scope, NULL, NULL, $start, $end)
    WHERE statutory_days IS NOT NULL AND processing_days > statutory_days
)
SELECT count(*) OVER () AS total, t.*, t.processing_days - t.statutory_days AS days_over
FROM t
ORDER BY days_over DESC, received_at, dossier_id
LIMIT $limit;
