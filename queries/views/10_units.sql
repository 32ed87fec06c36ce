-- A unit's scope (p_scope, bound from cchc.units.Unit.scope): the map of the unit ('old' until
-- 30/06/2025, 'new' from 01/07/2025), the day the maps change, unit_lo / unit_hi / district (below),
-- and per map the codes of the rows it is made of: old_provinces / old_districts / old_units for rows dated before the change (NULL =
-- not narrowed), new_provinces / new_units for rows dated from it. A new unit carries its
-- predecessors' rows before the change; an old unit has no rows after it (new_provinces empty).
-- A row belongs to the map in force on its day c_day (a dossier's receipt, a rating's day …): a code
-- alone never selects a row, since new units reuse old codes (new 10633 ≠ old 10633).
-- c in the list p_list of codes, or p_list NULL (not narrowed).
CREATE MACRO in_list(p_list, c) AS p_list IS NULL OR list_contains(CAST(p_list AS VARCHAR []), c);

-- The first two conditions restate the lists as plain comparisons (the range of the commune codes
-- narrowed to, the one old district narrowed to) that DuckDB pushes into the Parquet scan, so a
-- commune's or a district's query skips the row groups of the others (files are sorted by unit
-- code); the CASE decides.
CREATE MACRO in_scope(p_scope, c_province, c_district, c_unit, c_day) AS
    c_unit BETWEEN struct_extract(p_scope, 'unit_lo') AND struct_extract(p_scope, 'unit_hi')
    AND (struct_extract(p_scope, 'district') IS NULL OR c_district = struct_extract(p_scope, 'district'))
    AND CASE
        WHEN c_day < struct_extract(p_scope, 'change') THEN
            list_contains(CAST(struct_extract(p_scope, 'old_provinces') AS VARCHAR []), c_province)
            AND in_list(struct_extract(p_scope, 'old_districts'), c_district)
            AND in_list(struct_extract(p_scope, 'old_units'), c_unit)
        ELSE
            list_contains(CAST(struct_extract(p_scope, 'new_provinces') AS VARCHAR []), c_province)
            AND in_list(struct_extract(p_scope, 'new_units'), c_unit)
    END;

-- The map in force on day p_day ('old' before p_change, the first day of the new map, else 'new').
CREATE MACRO map_on(p_day, p_change) AS CASE WHEN p_day < p_change THEN 'old' ELSE 'new' END;

-- The child level a scope's ranking and breakdowns show: an old province's districts, an old
-- district's communes, a new province's communes (the new map has no districts); NULL for a commune.
CREATE MACRO child_level_of(p_scope) AS
    CASE
        WHEN struct_extract(p_scope, 'map') = 'new' AND struct_extract(p_scope, 'new_units') IS NULL THEN 'commune'
        WHEN struct_extract(p_scope, 'map') = 'old' AND struct_extract(p_scope, 'old_units') IS NULL
            AND struct_extract(p_scope, 'old_districts') IS NULL THEN 'district'
        WHEN struct_extract(p_scope, 'map') = 'old' AND struct_extract(p_scope, 'old_units') IS NULL THEN 'commune'
    END;

-- The child unit (of level p_child: 'district' | 'commune') a row of the scope counts for: for an
-- old scope the row's own district or commune; for a new scope the row's commune from the change
-- and, before it, the new commune its old commune's history is attributed to (successor_code).
CREATE MACRO child_of(p_scope, p_child, c_district, c_unit, c_day) AS
    CASE
        WHEN p_child = 'district' THEN c_district
        WHEN struct_extract(p_scope, 'map') = 'old' OR c_day >= struct_extract(p_scope, 'change') THEN c_unit
        ELSE (SELECT o.successor_code FROM raw_units o WHERE o.map = 'old' AND o.code = c_unit)
    END;

-- Administrative units with their parent's and province's names and, for an old unit, its
-- successor's name and province (staging). A unit is (map, code).
CREATE VIEW stg_units AS
SELECT
    u.*,
    p.name AS parent_name,
    pr.name AS province_name,
    s.name AS successor_name,
    sp.name AS successor_province_name,
    (u.map = 'old' AND u.code IN (SELECT n.code FROM raw_units AS n WHERE n.map = 'new')) AS reused
FROM raw_units u
LEFT JOIN raw_units p ON p.map = u.map AND p.code = u.parent_code
LEFT JOIN raw_units pr ON pr.map = u.map AND pr.code = u.province_code
LEFT JOIN raw_units s ON s.map = 'new' AND s.code = u.successor_code
LEFT JOIN raw_units sp ON sp.map = 'new' AND sp.code = s.province_code;

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

-- The units of level p_level ('commune' | 'district' | 'province') within a scope, of the scope's map.
CREATE MACRO units_of_level(p_level, p_scope) AS TABLE
SELECT * FROM raw_units
WHERE level = p_level
  AND map = struct_extract(p_scope, 'map')
  AND CASE
      WHEN map = 'new' THEN
          list_contains(CAST(struct_extract(p_scope, 'new_provinces') AS VARCHAR []), province_code)
          AND in_list(struct_extract(p_scope, 'new_units'), code)
      ELSE
          list_contains(CAST(struct_extract(p_scope, 'old_provinces') AS VARCHAR []), province_code)
          AND in_list(struct_extract(p_scope, 'old_districts'), district_code)
          AND in_list(struct_extract(p_scope, 'old_units'), code)
  END;

-- The last day of year p_year (the day whose map a year's self-reported facts belong to).
CREATE MACRO year_end_day(p_year) AS make_date(CAST(p_year AS INTEGER), 12, 31);

-- The self-reported facts (raw_facts) of the communes within a scope for the years p_year_from to
-- p_year_to, with the commune's name: a year's facts belong to the map in force on its 31/12 (the
-- annual report is made at the year's end), so a new commune's years before 2025 are its
-- predecessors' facts.
CREATE MACRO facts_for(p_scope, p_year_from, p_year_to) AS TABLE
SELECT f.*, u.name AS unit_name
FROM raw_facts f
JOIN raw_units u
  ON u.map = map_on(year_end_day(f.year), struct_extract(p_scope, 'change'))
 AND u.code = f.unit_code
 AND u.level = 'commune'
WHERE f.year BETWEEN p_year_from AND p_year_to
  AND in_scope(p_scope, u.province_code, u.district_code, f.unit_code, year_end_day(f.year));
