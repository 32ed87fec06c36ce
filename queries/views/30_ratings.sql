-- Rating forms; satisfied = level 3 (hài lòng) or 4 (rất hài lòng).
CREATE MACRO stg_ratings_in(p_files) AS TABLE
SELECT r.*, CAST(r.rated_at AS DATE) AS rated_date, r.level >= 3 AS satisfied
FROM raw_ratings_in(p_files) r;

CREATE VIEW stg_ratings AS SELECT * FROM stg_ratings_in(ratings_files_all());

-- Feedback (phản ánh, kiến nghị) with its handling status against the 15-working-day deadline.
CREATE VIEW stg_feedback AS
SELECT f.*,
    CAST(f.received_at AS DATE) AS received_date,
    CAST(f.due_at AS DATE) AS due_date,
    CAST(f.handled_at AS DATE) AS handled_date,
    f.handled_at IS NOT NULL AND CAST(f.handled_at AS DATE) <= CAST(f.due_at AS DATE) AS handled_on_time
FROM raw_feedback f;

-- The rating forms of one unit filled in [p_start, p_end] (dates, both included); the unit is the
-- province p_province (from the files p_files: queries pass $rating_files, that province's files), narrowed to district p_district and/or commune p_unit when not NULL.
CREATE MACRO ratings_for(p_files, p_province, p_district, p_unit, p_start, p_end) AS TABLE
SELECT * FROM stg_ratings_in(p_files)
WHERE province_code = p_province
  AND (p_district IS NULL OR district_code = p_district)
  AND (p_unit IS NULL OR unit_code = p_unit)
  AND year BETWEEN year(p_start) AND year(p_end)
  AND rated_date BETWEEN p_start AND p_end;
