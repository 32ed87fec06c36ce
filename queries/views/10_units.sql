-- Administrative units with their parent names (staging).
CREATE VIEW stg_units AS
SELECT u.*, p.name AS parent_name, pr.name AS province_name
FROM raw_units u
LEFT JOIN raw_units p ON p.code = u.parent_code
LEFT JOIN raw_units pr ON pr.code = u.province_code;
