-- The new province (from 01/07/2025, NQ 202/2025/QH15) an old province's history is attributed to,
-- e.g. Hải Dương (30) -> Thành phố Hải Phòng (31): to find a pre-2025 province in the published
-- 2025 scores of the 34 provinces.
SELECT successor_code AS new_province_code
FROM raw_units
WHERE map = 'old' AND level = 'province' AND code = $province AND successor_code IS NOT NULL;
