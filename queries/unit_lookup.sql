-- The units with code $code: one per map at most (a new unit may reuse an old one's code), with
-- their parent's, province's and successor's names (stg_units) and whether a new unit reuses the code.
SELECT map, code, name, type, level, parent_code, province_code, district_code, valid_from, valid_to,
       successor_code, divided_into, parent_name, province_name, successor_name, successor_province_name, reused
FROM stg_units
WHERE code = $code
ORDER BY map DESC;
