-- Builds the rows of the dossier_daily rollup for one province partition ($provinces, one code, from $dossier_files):
-- per field, procedure and day, the flows of that day and the stocks at its end (cchc.rollup writes
-- them; cchc.schema.DOSSIER_DAILY documents the columns). The definitions are those of the
-- dossiers_for macro, on days:
--   received that day          received_date = day
--   finished that day          finished_date = day (trước/đúng/quá hạn: finished_early,
--                              finished_on_due_day, finished_late of days_past_due)
--   open at the end of day     received_date <= day < finished_date (or not finished)
--   overdue at the end of day  open, and due_date < day
-- so that for a period [s, e]: new = Σ received over [s, e], resolved = Σ finished over [s, e],
-- carried over = open at the end of s − 1, pending = open at the end of e, overdue = overdue at e.
-- A stock changes only on an event day: +1 open on the day of receipt, −1 on the finishing day;
-- +1 overdue on od = greatest(received_date, due_date + 1) if the dossier is still open then, −1 on
-- its finishing day. The cumulative sum of those changes over a grid of every day gives the stocks.
WITH d AS (
    SELECT
        field, procedure_code, channel, digitised_input, e_result, reused_data, paid_online, fee_vnd,
        supplement_count,
        CAST(received_at AS DATE) AS rd,
        CAST(finished_at AS DATE) AS fd,
        greatest(CAST(received_at AS DATE), CAST(due_at AS DATE) + 1) AS od,
        days_past_due_of(due_at, finished_at) AS days_past_due
    FROM raw_dossiers_in($dossier_files)
    WHERE province_code = $provinces[1]
),
events AS (
    SELECT field, procedure_code, rd AS day,
        1 AS received_new,
        CAST(submitted_online(channel) AS INTEGER) AS received_online,
        CAST(NOT submitted_online(channel) AS INTEGER) AS received_offline,
        CAST(digitised_input AS INTEGER) AS digitised_input,
        CAST(reused_data AS INTEGER) AS reused_data,
        CAST(charges_fee(fee_vnd) AS INTEGER) AS new_with_fee,
        CAST(charges_fee(fee_vnd) AND paid_online AS INTEGER) AS new_paid_online,
        0 AS resolved_total, 0 AS resolved_early, 0 AS resolved_on_time, 0 AS resolved_late,
        0 AS digitised_result, 0 AS resolved_with_supplement,
        1 AS open_change, 0 AS overdue_change
    FROM d
    UNION ALL
    SELECT field, procedure_code, fd AS day,
        0, 0, 0, 0, 0, 0, 0,
        1,
        CAST(finished_early(days_past_due) AS INTEGER),
        CAST(finished_on_due_day(days_past_due) AS INTEGER),
        CAST(finished_late(days_past_due) AS INTEGER),
        CAST(e_result AS INTEGER),
        CAST(asked_for_supplement(supplement_count) AS INTEGER),
        -1,
        -CAST(fd > od AS INTEGER)
    FROM d
    WHERE fd IS NOT NULL
    UNION ALL
    SELECT field, procedure_code, od AS day,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 1
    FROM d
    WHERE fd IS NULL OR fd > od
),
by_day AS (
    SELECT field, procedure_code, day,
        sum(received_new) AS received_new, sum(received_online) AS received_online,
        sum(received_offline) AS received_offline, sum(digitised_input) AS digitised_input,
        sum(reused_data) AS reused_data, sum(new_with_fee) AS new_with_fee,
        sum(new_paid_online) AS new_paid_online, sum(resolved_total) AS resolved_total,
        sum(resolved_early) AS resolved_early, sum(resolved_on_time) AS resolved_on_time,
        sum(resolved_late) AS resolved_late, sum(digitised_result) AS digitised_result,
        sum(resolved_with_supplement) AS resolved_with_supplement,
        sum(open_change) AS open_change, sum(overdue_change) AS overdue_change
    FROM events
    GROUP BY field, procedure_code, day
),
horizon AS (
    SELECT max(day) AS last_day FROM by_day
),
grid AS (
    SELECT k.field, k.procedure_code, CAST(unnest(generate_series(k.first_day, h.last_day, INTERVAL 1 DAY)) AS DATE) AS day
    FROM (SELECT field, procedure_code, min(day) AS first_day FROM by_day GROUP BY field, procedure_code) k,
         horizon h
),
stocks AS (
    SELECT g.field, g.procedure_code, g.day,
        coalesce(b.received_new, 0) AS received_new,
        coalesce(b.received_online, 0) AS received_online,
        coalesce(b.received_offline, 0) AS received_offline,
        coalesce(b.digitised_input, 0) AS digitised_input,
        coalesce(b.reused_data, 0) AS reused_data,
        coalesce(b.new_with_fee, 0) AS new_with_fee,
        coalesce(b.new_paid_online, 0) AS new_paid_online,
        coalesce(b.resolved_total, 0) AS resolved_total,
        coalesce(b.resolved_early, 0) AS resolved_early,
        coalesce(b.resolved_on_time, 0) AS resolved_on_time,
        coalesce(b.resolved_late, 0) AS resolved_late,
        coalesce(b.digitised_result, 0) AS digitised_result,
        coalesce(b.resolved_with_supplement, 0) AS resolved_with_supplement,
        sum(coalesce(b.open_change, 0)) OVER w AS open_end,
        sum(coalesce(b.overdue_change, 0)) OVER w AS overdue_end
    FROM grid g
    LEFT JOIN by_day b ON b.field = g.field AND b.procedure_code = g.procedure_code AND b.day = g.day
    WINDOW w AS (PARTITION BY g.field, g.procedure_code ORDER BY g.day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
SELECT s.*
FROM stocks s, horizon h
WHERE s.received_new <> 0 OR s.resolved_total <> 0 OR s.open_end <> 0 OR s.overdue_end <> 0 OR s.day = h.last_day
ORDER BY s.day, s.field, s.procedure_code;
