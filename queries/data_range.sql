-- First and last day of the data: the first day of receipt, and the last day a dossier was received
-- or finished (an export made on a day holds the receipts and the finishes up to it; cchc.coverage
-- cuts periods there).
SELECT
    min(CAST(received_at AS DATE)) AS first_day,
    greatest(max(CAST(received_at AS DATE)), max(CAST(finished_at AS DATE))) AS last_day
FROM raw_dossiers;
