-- Scoring metric (QĐ 766 indicator 3.1 "Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến"): procedures
-- in force on the last day of the period (of the unit's level; $proc_level NULL = every level)
-- offered online, fully or partly, out of all procedures in force.
WITH p AS (
    SELECT * FROM procedures_in_force_on($end, $proc_level)
),
final AS (
    SELECT
        coalesce(count_if(online_capable(p.online_level)), 0) AS numerator,
        count(*) AS denominator
    FROM p
)
SELECT * FROM final;
