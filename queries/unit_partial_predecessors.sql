-- The old communes divided among several new ones that gave part of their territory to the new
-- commune $code without their history (which went wholly to their successor_code).
SELECT code, name, successor_code
FROM raw_units
WHERE map = 'old' AND level = 'commune' AND successor_code <> $code
  AND list_contains(string_split(divided_into, ';'), $code)
ORDER BY code;
