-- One unit by code, with its province and district (NULL for a province).
SELECT code, name, type, level, parent_code, province_code, district_code, parent_name, province_name,
       valid_from, valid_to, new_code, new_name
FROM stg_units
WHERE code = $code;
