-- What-if (bench only): the dossiers_for macro of queries/views/20_dossiers.sql with its two
-- UNION ALL branches folded into one scan. The branches are disjoint and together select
--   year <= year(p_end) AND received_at < p_end + 1 day AND (finished_at IS NULL OR finished_at >= p_start)
-- (a dossier of a year before year(p_start) was necessarily received before p_end + 1 day), so
-- the rows are the same; the dossiers table is opened once instead of twice.
CREATE OR REPLACE MACRO dossiers_for(p_province, p_district, p_unit, p_start, p_end) AS TABLE
SELECT
    s.*,
    s.received_at < p_start AS carried_over,
    s.received_at >= p_start AS is_new,
    s.finished_at IS NOT NULL AND s.finished_at < p_end + INTERVAL 1 DAY AS resolved,
    s.finished_at IS NULL OR s.finished_at >= p_end + INTERVAL 1 DAY AS pending,
    (s.finished_at IS NULL OR s.finished_at >= p_end + INTERVAL 1 DAY) AND s.due_at < p_end AS pending_overdue,
    CASE WHEN s.finished_at IS NULL OR s.finished_at >= p_end + INTERVAL 1 DAY
         THEN CASE WHEN s.due_at >= p_end THEN 'trong_han' ELSE 'qua_han' END END AS pending_status
FROM stg_dossiers s
WHERE s.province_code = p_province
  AND s.year <= year(p_end)
  AND s.received_at < p_end + INTERVAL 1 DAY
  AND (s.finished_at IS NULL OR s.finished_at >= p_start)
  AND (p_district IS NULL OR s.district_code = p_district)
  AND (p_unit IS NULL OR s.unit_code = p_unit);
