-- Every unit, for the unit picker.
SELECT code, name, type, level, parent_code, province_code, district_code
FROM raw_units
ORDER BY province_code, district_code NULLS FIRST, level DESC, code;
