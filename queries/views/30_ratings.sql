-- Rating forms; satisfied = level 3 (hài lòng) or 4 (rất hài lòng).
CREATE VIEW stg_ratings AS
SELECT r.*, CAST(r.rated_at AS DATE) AS rated_date, r.level >= 3 AS satisfied
FROM raw_ratings r;

-- Feedback (phản ánh, kiến nghị) with its handling status against the 15-working-day deadline.
CREATE VIEW stg_feedback AS
SELECT f.*,
    CAST(f.received_at AS DATE) AS received_date,
    CAST(f.due_at AS DATE) AS due_date,
    CAST(f.handled_at AS DATE) AS handled_date,
    f.handled_at IS NOT NULL AND CAST(f.handled_at AS DATE) <= CAST(f.due_at AS DATE) AS handled_on_time
FROM raw_feedback f;
