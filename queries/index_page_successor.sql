-- The province a province's communes belong to since the 2025 reform (NQ 202/2025/QH15), e.g.
-- Hải Dương (30) -> Thành phố Hải Phòng (31): to find a pre-2025 province in the published 2025
-- scores of the 34 provinces.
WITH u AS (
    SELECT new_province_code, count(*) AS communes
    FROM raw_units
    WHERE province_code = $province AND new_province_code IS NOT NULL
    GROUP BY new_province_code
),
final AS (
    SELECT new_province_code, communes FROM u
)
SELECT * FROM final ORDER BY communes DESC, new_province_code;
