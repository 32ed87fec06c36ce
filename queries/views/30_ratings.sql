-- The levels of a rating form that count: satisfied = level 3 (hài lòng) or 4 (rất hài lòng);
-- disliked = level 1 (không hài lòng; 766 indicator 5.4 counts the dossier as not satisfied).
CREATE MACRO satisfied_level(p_level) AS p_level >= 3;
CREATE MACRO disliked_level(p_level) AS p_level = 1;

-- Rating forms, with satisfied (satisfied_level).
CREATE MACRO stg_ratings_in(p_files) AS TABLE
SELECT r.*, CAST(r.rated_at AS DATE) AS rated_date, satisfied_level(r.level) AS satisfied
FROM raw_ratings_in(p_files) r;

CREATE VIEW stg_ratings AS SELECT * FROM stg_ratings_in(ratings_files_all());

-- Feedback (phản ánh, kiến nghị) with its days; its handling status as of a day: feedback_status below.
CREATE VIEW stg_feedback AS
SELECT f.*,
    CAST(f.received_at AS DATE) AS received_date,
    CAST(f.due_at AS DATE) AS due_date,
    CAST(f.handled_at AS DATE) AS handled_date
FROM raw_feedback f;

-- How a feedback item stood at the end of day p_as_of (deadline: its due day, 15 working days):
--   dung_han:  answered by then, on or before its due day;   qua_han: answered by then, after it;
--   dang_trong_han: not answered by then, due day not passed; dang_qua_han: not answered, due day passed.
-- The 766 indicators read it too: 5.2 on time = dung_han or dang_trong_han; 5.3 late = the other two.
CREATE MACRO answered_by(p_handled, p_as_of) AS p_handled IS NOT NULL AND p_handled <= p_as_of;
CREATE MACRO feedback_status(p_handled, p_due, p_as_of) AS
    CASE WHEN answered_by(p_handled, p_as_of)
         THEN CASE WHEN p_handled <= p_due THEN 'dung_han' ELSE 'qua_han' END
         ELSE CASE WHEN p_due >= p_as_of THEN 'dang_trong_han' ELSE 'dang_qua_han' END
    END;
-- From a feedback_status: on time (766 5.2) = answered by its due day, or open and not yet due;
-- late = the other two (answered after it, or open past it).
CREATE MACRO feedback_on_time(p_status) AS p_status IN ('dung_han', 'dang_trong_han');
CREATE MACRO feedback_late(p_status) AS p_status IN ('qua_han', 'dang_qua_han');
-- The citizen said the answer (given by p_as_of) did not satisfy them (766 5.3); a reaction after
-- p_as_of is not counted.
CREATE MACRO feedback_unsatisfied(p_handled, p_citizen_satisfied, p_as_of) AS
    coalesce(p_handled <= p_as_of AND p_citizen_satisfied = false, false);

-- The feedback of one unit (the scope p_scope; a feedback item belongs to the map of its day of
-- receipt) received in [p_start, p_end], with as of p_end: answered (by then)
-- and handling_status (feedback_status).
CREATE MACRO feedback_for(p_scope, p_start, p_end) AS TABLE
SELECT f.*,
    answered_by(f.handled_date, p_end) AS answered,
    feedback_status(f.handled_date, f.due_date, p_end) AS handling_status
FROM stg_feedback f
WHERE in_scope(p_scope, f.province_code, f.district_code, f.unit_code, f.received_date)
  AND f.received_date BETWEEN p_start AND p_end;

-- The rating forms of one unit filled in [p_start, p_end] (dates, both included); the unit is the
-- scope p_scope (from the files p_files: queries pass $rating_files, the files of its provinces); a
-- form belongs to the map of the day it was filled.
CREATE MACRO ratings_for(p_files, p_scope, p_start, p_end) AS TABLE
SELECT * FROM stg_ratings_in(p_files)
WHERE in_scope(p_scope, province_code, district_code, unit_code, rated_date)
  AND year BETWEEN year(p_start) AND year(p_end)
  AND rated_date BETWEEN p_start AND p_end;

-- The dossiers of the scope's provinces named by a feedback item received by p_end, with the day of
-- the first one (766 indicator 5.4: such a dossier is "not satisfied").
CREATE MACRO complaints_by_dossier(p_scope, p_end) AS TABLE
SELECT dossier_id, min(received_date) AS first_day
FROM stg_feedback
WHERE (list_contains(CAST(struct_extract(p_scope, 'old_provinces') AS VARCHAR []), province_code)
       OR list_contains(CAST(struct_extract(p_scope, 'new_provinces') AS VARCHAR []), province_code))
  AND dossier_id IS NOT NULL
  AND received_date <= p_end
GROUP BY dossier_id;

-- The dossiers of one unit that 766 indicator 5.4 counts as "not satisfied" for a reason other than
-- being late, as of p_end: disliked (a rating form at level 1, không hài lòng, filled in
-- [p_start, p_end]; a rating comes after the result, so a dossier resolved in the period is rated
-- in it or later) and/or complained (named by a feedback item received by p_end). One row per
-- dossier with either reason; a query LEFT JOINs it on dossier_id.
CREATE MACRO dissatisfaction_for(p_rating_files, p_scope, p_start, p_end) AS TABLE
SELECT dossier_id, bool_or(disliked) AS disliked, bool_or(complained) AS complained
FROM (
    SELECT dossier_id, true AS disliked, false AS complained
    FROM ratings_for(p_rating_files, p_scope, p_start, p_end)
    WHERE disliked_level(level)
    UNION ALL
    SELECT dossier_id, false, true FROM complaints_by_dossier(p_scope, p_end)
) u
GROUP BY dossier_id;
