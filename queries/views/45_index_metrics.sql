-- The dossier-based scoring metrics, each defined once: which dossiers are in its denominator
-- (metric_<m>_den) and which of those are in its numerator (metric_<m>_num, read only together with
-- _den). Three queries use them and nothing else: queries/index_<m>.sql (one unit and period:
-- count_if(den AND num) / count_if(den)), queries/index_page_dossier_metrics.sql (the same for many
-- periods and child units in one pass) and queries/index_page_lost_dossiers.sql (the dossiers that
-- lost points: den AND NOT coalesce(num, false)). The arguments are the columns of report_rows_for
-- (a dossier's roles in the report: is_new, resolved, pending, pending_overdue, days_past_due, …)
-- and of its procedure (online_level, paper_result).

-- 766 2.1 on_time: every dossier of the report (carried over + new); in time = resolved early or on
-- the due day, or pending within its deadline and not waiting for a second supplement.
CREATE MACRO metric_on_time_num(p_resolved, p_days_past_due, p_pending, p_pending_overdue, p_status,
                                p_supplement_count) AS
    (p_resolved AND finished_in_time(p_days_past_due))
    OR (p_pending AND NOT p_pending_overdue AND NOT waiting_second_supplement(p_status, p_supplement_count));

-- resolved_in_time: resolved dossiers; those resolved early or on the due day (Biểu 06 ((8)+(9))/(7)).
CREATE MACRO metric_resolved_in_time_den(p_resolved) AS p_resolved;
CREATE MACRO metric_resolved_in_time_num(p_days_past_due) AS finished_in_time(p_days_past_due);

-- late_dossiers (a count, no denominator): dossiers resolved after their due day.
CREATE MACRO metric_late_dossiers_num(p_resolved, p_days_past_due) AS
    p_resolved AND finished_late(p_days_past_due);

-- online_full: new dossiers of procedures offered fully online; those submitted online.
CREATE MACRO metric_online_full_den(p_is_new, p_online_level) AS p_is_new AND fully_online(p_online_level);
CREATE MACRO metric_online_full_num(p_channel) AS submitted_online(p_channel);

-- 766 3.3 online_submission: new dossiers; those submitted online (Biểu 06 (4) / ((4)+(5))).
CREATE MACRO metric_online_submission_den(p_is_new) AS p_is_new;
CREATE MACRO metric_online_submission_num(p_channel) AS submitted_online(p_channel);

-- 766 3.6 paid_online: new dossiers with a fee; those paid online.
CREATE MACRO metric_paid_online_den(p_is_new, p_fee_vnd) AS p_is_new AND charges_fee(p_fee_vnd);
CREATE MACRO metric_paid_online_num(p_paid_online) AS p_paid_online;

-- 766 4.1 e_result: resolved dossiers of procedures returning a paper document; those with an
-- electronic result too.
CREATE MACRO metric_e_result_den(p_resolved, p_paper_result) AS p_resolved AND p_paper_result;
CREATE MACRO metric_e_result_num(p_e_result) AS p_e_result;

-- 766 4.2 digitised_input: new dossiers; those whose input components were digitised at receipt.
CREATE MACRO metric_digitised_input_den(p_is_new) AS p_is_new;
CREATE MACRO metric_digitised_input_num(p_digitised_input) AS p_digitised_input;

-- digitised_result: resolved dossiers; those with a digitised or electronic result.
CREATE MACRO metric_digitised_result_den(p_resolved) AS p_resolved;
CREATE MACRO metric_digitised_result_num(p_e_result) AS p_e_result;

-- 766 4.3 reused_data: new dossiers; those reusing digitised data.
CREATE MACRO metric_reused_data_den(p_is_new) AS p_is_new;
CREATE MACRO metric_reused_data_num(p_reused_data) AS p_reused_data;

-- 766 5.4 dossier_satisfaction: resolved dossiers; those satisfied = not late, not rated "không hài
-- lòng" and not named by a feedback (p_disliked, p_complained: booleans, never NULL; how a query
-- finds them depends on its periods: dissatisfaction_for, or per bucket).
CREATE MACRO dossier_not_satisfied(p_days_past_due, p_disliked, p_complained) AS
    finished_late(p_days_past_due) OR p_disliked OR p_complained;
CREATE MACRO metric_dossier_satisfaction_den(p_resolved) AS p_resolved;
CREATE MACRO metric_dossier_satisfaction_num(p_days_past_due, p_disliked, p_complained) AS
    NOT dossier_not_satisfied(p_days_past_due, p_disliked, p_complained);

-- 766 3.5 / 3.5b fee_procedures_synced / fee_procedures_paid_online: procedures with a fee in force
-- (procedures_in_force_on, charges_fee); those with a new dossier in the period carrying a fee /
-- paid online.
CREATE MACRO metric_fee_procedures_synced_uses(p_is_new, p_fee_vnd) AS p_is_new AND charges_fee(p_fee_vnd);
CREATE MACRO metric_fee_procedures_paid_online_uses(p_is_new, p_paid_online) AS p_is_new AND p_paid_online;

-- The feedback metrics (feedback_status as of the end of the period): 766 5.2 feedback_on_time and
-- 5.3 feedback_satisfied (not late and not marked unsatisfied), over the feedback received.
CREATE MACRO metric_feedback_on_time_num(p_status) AS feedback_on_time(p_status);
CREATE MACRO metric_feedback_satisfied_num(p_status, p_handled, p_citizen_satisfied, p_as_of) AS
    NOT (feedback_late(p_status) OR feedback_unsatisfied(p_handled, p_citizen_satisfied, p_as_of));
