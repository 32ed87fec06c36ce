-- Every unit of both maps, for the unit picker and search: a unit is (map, code).
SELECT map, code, name, type, level, parent_code, province_code, district_code, valid_from, valid_to,
       successor_code, parent_name, province_name, successor_name, successor_province_name, reused
FROM stg_units
ORDER BY map, province_code, district_code NULLS FIRST, level DESC, code;
