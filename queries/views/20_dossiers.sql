-- Dossiers, staged once: dates without time of day and the finishing status against the deadline.
--   trước hạn: finished on a day before the due day;  đúng hạn: finished on the due day;
--   quá hạn:   finished on a day after the due day.
-- The due day already includes the time spent waiting for supplements (supplement_days).
-- stg_dossiers_in(p_files) stages the given files of the table (cchc.db: the files of one province,
-- or dossiers_files_all()); the view stg_dossiers stages them all.

-- Calendar days between the due day and the finishing day: < 0 early, 0 on the day, > 0 late.
CREATE MACRO days_past_due_of(p_due_at, p_finished_at) AS date_diff('day', p_due_at, p_finished_at);

-- The finishing status of a dossier from its days_past_due (NULL, so false in count_if, while not
-- finished). Every query counts early / on the due day / in time / late through these four, never by
-- comparing days_past_due (or finished_at with due_at) itself (tests/test_sql_macros.py):
--   finished_early       trước hạn, Biểu 06 (8)
--   finished_on_due_day  đúng hạn, Biểu 06 (9)  (the column resolved_on_time of dossier_kpis)
--   finished_in_time     early or on the due day, (8) + (9)  (columns resolved_in_time)
--   finished_late        quá hạn, Biểu 06 (10)
CREATE MACRO finished_early(p_days_past_due) AS p_days_past_due < 0;
CREATE MACRO finished_on_due_day(p_days_past_due) AS p_days_past_due = 0;
CREATE MACRO finished_in_time(p_days_past_due) AS p_days_past_due <= 0;
CREATE MACRO finished_late(p_days_past_due) AS p_days_past_due > 0;

CREATE MACRO finish_status_of(p_due_at, p_finished_at) AS
    CASE
        WHEN p_finished_at IS NULL THEN NULL
        WHEN finished_early(days_past_due_of(p_due_at, p_finished_at)) THEN 'truoc_han'
        WHEN finished_on_due_day(days_past_due_of(p_due_at, p_finished_at)) THEN 'dung_han'
        ELSE 'qua_han'
    END;

-- Channel and fee of a dossier: submitted online (Biểu 06 (4)), and charged a fee or charge (766 3.5, 3.6).
CREATE MACRO submitted_online(p_channel) AS p_channel = 'truc_tuyen';
CREATE MACRO charges_fee(p_fee_vnd) AS p_fee_vnd > 0;

-- Waiting for the citizen's supplements after more than one request (766 2.1 counts it as late).
-- Asked for supplements at least once; waiting for them after more than one request (766 2.1
-- counts such a pending dossier as late).
CREATE MACRO asked_for_supplement(p_supplement_count) AS p_supplement_count > 0;
CREATE MACRO waiting_second_supplement(p_status, p_supplement_count) AS
    p_status = 'bo_sung' AND p_supplement_count > 1;

CREATE MACRO stg_dossiers_in(p_files) AS TABLE
SELECT
    d.*,
    CAST(d.received_at AS DATE) AS received_date,
    CAST(d.due_at AS DATE) AS due_date,
    CAST(d.finished_at AS DATE) AS finished_date,
    days_past_due_of(d.due_at, d.finished_at) AS days_past_due,
    finish_status_of(d.due_at, d.finished_at) AS finish_status
FROM raw_dossiers_in(p_files) d;

CREATE VIEW stg_dossiers AS SELECT * FROM stg_dossiers_in(dossiers_files_all());

-- A dossier's role in a report over [p_start, p_end] (dates, both included), as of the end of that
-- day (one definition, used by report_rows_for and by the index page's per-bucket query):
--   in_report:    received by p_end and not finished before p_start (counted at all);
--   carried_over: of those, received before p_start (từ kỳ trước); is_new: received in the period;
--   resolved:     finished by the end of p_end (đã giải quyết in the period);
--   pending:      not finished by then (đang giải quyết), overdue (quá hạn, pending_overdue) if its
--                 due day is before p_end, else within its deadline (trong hạn).
-- Every counted row is carried over or new, and resolved or pending, so (3) = (4)+(5)+(6) = (7)+(11).
CREATE MACRO in_report(p_received_at, p_finished_at, p_start, p_end) AS
    p_received_at < p_end + INTERVAL 1 DAY AND (p_finished_at IS NULL OR p_finished_at >= p_start);
CREATE MACRO is_new_in(p_received_at, p_start) AS p_received_at >= p_start;
CREATE MACRO resolved_by(p_finished_at, p_end) AS
    p_finished_at IS NOT NULL AND p_finished_at < p_end + INTERVAL 1 DAY;
CREATE MACRO pending_at(p_finished_at, p_end) AS
    p_finished_at IS NULL OR p_finished_at >= p_end + INTERVAL 1 DAY;
CREATE MACRO overdue_at(p_finished_at, p_due_at, p_end) AS
    pending_at(p_finished_at, p_end) AND p_due_at < p_end;
-- Resolved in [p_start, p_end]: finished within it (Biểu 06 (7); the processing-time queries).
CREATE MACRO resolved_in(p_finished_at, p_start, p_end) AS
    p_finished_at >= p_start AND resolved_by(p_finished_at, p_end);

-- The dossiers a report over [p_start, p_end] counts for one unit, with their roles in it (above).
-- The unit is the scope p_scope (in_scope, queries/views/10_units.sql; the files p_files: queries
-- pass $dossier_files, which cchc.db fills with the files of the scope's provinces); a dossier
-- belongs to the map in force on its day of receipt. One scan: the partitions of years up to year(p_end); in those before the
-- period only the rows still open when it starts pass the finished_at filter (DuckDB reads that
-- column first and skips the others for rows that fail it).
-- report_rows_for gives the stored columns, days_past_due and the roles only (what the counting
-- queries read: fewer expressions to bind); dossiers_for adds the staged dates and the statuses.
CREATE MACRO report_rows_for(p_files, p_scope, p_start, p_end) AS TABLE
SELECT
    d.*,
    days_past_due_of(d.due_at, d.finished_at) AS days_past_due,
    NOT is_new_in(d.received_at, p_start) AS carried_over,
    is_new_in(d.received_at, p_start) AS is_new,
    resolved_by(d.finished_at, p_end) AS resolved,
    pending_at(d.finished_at, p_end) AS pending,
    overdue_at(d.finished_at, d.due_at, p_end) AS pending_overdue
FROM raw_dossiers_in(p_files) d
WHERE in_scope(p_scope, d.province_code, d.district_code, d.unit_code, d.received_at)
  AND d.year <= year(p_end)
  AND in_report(d.received_at, d.finished_at, p_start, p_end);

CREATE MACRO dossiers_for(p_files, p_scope, p_start, p_end) AS TABLE
SELECT
    r.*,
    CAST(r.received_at AS DATE) AS received_date,
    CAST(r.due_at AS DATE) AS due_date,
    CAST(r.finished_at AS DATE) AS finished_date,
    finish_status_of(r.due_at, r.finished_at) AS finish_status,
    CASE WHEN r.pending THEN CASE WHEN r.pending_overdue THEN 'qua_han' ELSE 'trong_han' END END AS pending_status
FROM report_rows_for(p_files, p_scope, p_start, p_end) r;

-- Processing time in working days, net of the days spent waiting for supplements: the working
-- days after the day of receipt up to the finishing day; a dossier received on a day off (a
-- Saturday desk) starts counting on the next working day, as its deadline does. Never negative.
CREATE MACRO processing_days_of(wd_received, received_is_working, wd_finished, supplement_days) AS
    greatest(wd_finished - wd_received - CASE WHEN received_is_working THEN 0 ELSE 1 END - supplement_days, 0);

-- Dossiers with their processing time (NULL while pending).
CREATE VIEW stg_dossier_times AS
SELECT
    s.*,
    processing_days_of(cr.working_day_no, cr.is_working_day, cf.working_day_no, s.supplement_days) AS processing_days
FROM stg_dossiers s
LEFT JOIN raw_calendar cr ON cr.day = s.received_date
LEFT JOIN raw_calendar cf ON cf.day = s.finished_date;

-- The dossiers of one unit resolved (finished) in [p_start, p_end], with their processing time
-- and their procedure's statutory time; optionally one field / one procedure (NULL = all).
CREATE MACRO resolved_times_for(p_scope, p_field, p_procedure, p_start, p_end) AS TABLE
SELECT t.*, p.statutory_days
FROM stg_dossier_times t
LEFT JOIN raw_procedures p ON p.code = t.procedure_code
WHERE in_scope(p_scope, t.province_code, t.district_code, t.unit_code, t.received_at)
  AND (p_field IS NULL OR t.field = p_field)
  AND (p_procedure IS NULL OR t.procedure_code = p_procedure)
  AND t.year <= year(p_end)
  AND resolved_in(t.finished_at, p_start, p_end);
