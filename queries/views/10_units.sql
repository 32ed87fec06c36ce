-- A row within a unit's scope, given the row's district and commune codes (c_district, c_unit): every
-- query about a unit reads its province and narrows it to district p_district and/or commune p_unit
-- when they are not NULL (cchc.kpis.Unit.scope gives the three).
CREATE MACRO in_scope(p_district, p_unit, c_district, c_unit) AS
    (p_district IS NULL OR c_district = p_district) AND (p_unit IS NULL OR c_unit = p_unit);

-- Administrative units with their parent names (staging).
CREATE VIEW stg_units AS
SELECT u.*, p.name AS parent_name, pr.name AS province_name
FROM raw_units u
LEFT JOIN raw_units p ON p.code = u.parent_code
LEFT JOIN raw_units pr ON pr.code = u.province_code;

-- A procedure offered online, fully (toàn trình) or partly (một phần) (766 indicator 3.1; its
-- resolved dossiers are Biểu 06's resolved_online_capable).
CREATE MACRO online_capable(p_online_level) AS p_online_level IN ('toan_trinh', 'mot_phan');
-- A procedure offered fully online (toàn trình: 766 "hồ sơ DVCTT toàn trình").
CREATE MACRO fully_online(p_online_level) AS p_online_level = 'toan_trinh';

-- A procedure in force on day p_day (valid from p_valid_from to p_valid_to, NULL = still in force).
CREATE MACRO in_force_on(p_valid_from, p_valid_to, p_day) AS
    p_valid_from <= p_day AND (p_valid_to IS NULL OR p_valid_to >= p_day);

-- A unit in force at some time during [p_start, p_end] (valid_from / valid_to NULL = no limit).
CREATE MACRO in_force_during(p_valid_from, p_valid_to, p_start, p_end) AS
    (p_valid_from IS NULL OR p_valid_from <= p_end) AND (p_valid_to IS NULL OR p_valid_to >= p_start);

-- The procedures in force on day p_day, of level p_level (NULL = every level).
CREATE MACRO procedures_in_force_on(p_day, p_level) AS TABLE
SELECT * FROM raw_procedures
WHERE (p_level IS NULL OR level = p_level)
  AND in_force_on(valid_from, valid_to, p_day);

-- The units of level p_level ('commune' | 'district' | 'province') within a scope: the province p_province,
-- narrowed to district p_district and/or unit p_unit when not NULL.
CREATE MACRO units_of_level(p_level, p_province, p_district, p_unit) AS TABLE
SELECT * FROM raw_units
WHERE level = p_level
  AND province_code = p_province
  AND in_scope(p_district, p_unit, district_code, code);
