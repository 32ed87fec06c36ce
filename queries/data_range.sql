-- First and last day of receipt in the data (for default periods).
SELECT min(CAST(received_at AS DATE)) AS first_day, max(CAST(received_at AS DATE)) AS last_day
FROM raw_dossiers;
