"""Each condition is written once, as a macro in queries/views/ (issue 13, item 2): no query restates
one. A query that compares days_past_due, finished_at or due_at itself, spells out a channel, an
online level, a status set or a rating level, or tests a fee or a supplement count by hand fails here
and names the macro to use instead. The macros' own definitions (and the views that define them) are
the only place the raw forms may appear."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from cchc.db import Database

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "queries"
VIEWS = QUERIES / "views"
# Every SQL text run through cchc.db: the named queries and the benchmark's own SQL.
QUERY_FILES = sorted(QUERIES.glob("*.sql")) + sorted((ROOT / "bench" / "sql").glob("*.sql"))

_CMP = r"(?:<=|>=|<>|!=|=|<|>)"
# (what is restated, pattern, the macro(s) that define it, the macros whose bodies may hold it)
RULES = [
    ("a deadline status from days_past_due", rf"\bdays_past_due\s*{_CMP}|{_CMP}\s*[\w.]*\bdays_past_due\b",
     "finished_early / finished_on_due_day / finished_in_time / finished_late",
     {"finished_early", "finished_on_due_day", "finished_in_time", "finished_late"}),
    ("a comparison of a dossier's finishing time", rf"\bfinished_at\s*{_CMP}|{_CMP}\s*[\w.]*\bfinished_at\b|"
     r"coalesce\(\s*[\w.]*finished_at",
     "in_report / resolved_by / pending_at / overdue_at / resolved_in", set()),
    ("a comparison of a dossier's due time", rf"\bdue_at\s*{_CMP}|{_CMP}\s*[\w.]*\bdue_at\b",
     "overdue_at / finished_* of days_past_due_of", set()),
    ("a comparison of a dossier's receipt time", rf"\breceived_at\s*{_CMP}|{_CMP}\s*[\w.]*\breceived_at\b",
     "in_report / is_new_in", set()),
    ("a day bound written out", r"(?:<|<=|>=|>)\s*[\w$.]+\s*\+\s*INTERVAL\s+1\s+DAY", "in_report / resolved_by / pending_at",
     set()),
    ("the days between due day and finish", r"date_diff\(\s*'day'", "days_past_due_of", {"days_past_due_of"}),
    ("the online channel", r"'truc_tuyen'", "submitted_online", {"submitted_online"}),
    ("an online level", r"'toan_trinh'|'mot_phan'", "fully_online / online_capable", {"fully_online", "online_capable"}),
    ("a dossier status", r"'bo_sung'", "waiting_second_supplement", {"waiting_second_supplement"}),
    ("a finishing status compared", r"\bfinish_status\s*(?:=|<>|!=|IN\b)", "finished_early / … / finished_late", set()),
    ("a set of feedback statuses", r"\bIN\s*\(\s*'(?:dung_han|qua_han|dang_trong_han|dang_qua_han)'",
     "feedback_on_time / feedback_late", {"feedback_on_time", "feedback_late"}),
    ("a feedback answered test", rf"\bhandled_(?:at|date)\s*{_CMP}|\bhandled_(?:at|date)\s+IS\s+NOT\s+NULL",
     "answered_by / feedback_status / feedback_unsatisfied", set()),
    ("the citizen's reaction to an answer", rf"\bcitizen_satisfied\s*{_CMP}", "feedback_unsatisfied", set()),
    ("a satisfied rating level", r"\blevel\s*(?:>=|>|<=|<)\s*\d", "satisfied_level", {"satisfied_level"}),
    ("a disliked rating level", r"\blevel\s*=\s*1\b(?!\s*\)\s*AS\s+level_1\b)", "disliked_level", {"disliked_level"}),
    ("a fee test", r"\bfee_vnd\s*>\s*0", "charges_fee", {"charges_fee"}),
    ("a supplement count test", r"\bsupplement_count\s*(?:>|>=|=)\s*\d",
     "asked_for_supplement / waiting_second_supplement", {"asked_for_supplement", "waiting_second_supplement"}),
    ("a validity window", rf"\bvalid_(?:from|to)\s*{_CMP}", "in_force_on / in_force_during", set()),
    ("a day made from year and month (a budget month, a fact's year end)", r"\bmake_date\(", "budget_month_day / year_end_day",
     {"budget_month_day", "year_end_day"}),
]
_MACRO = re.compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?MACRO\s+(\w+)", re.IGNORECASE)


def _code(sql: str) -> str:
    """The SQL without its comments (a comment may describe a condition in words or symbols)."""
    return re.sub(r"--[^\n]*", "", sql)


def _statements(sql: str) -> list[str]:
    return [s for s in _code(sql).split(";") if s.strip()]


def _hits(text: str) -> list[tuple[str, str, str]]:
    return [(what, m.group(0), macro) for what, pattern, macro, _ in RULES
            for m in re.finditer(pattern, text, re.IGNORECASE)]


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_query_restates_no_condition(path):
    found = _hits(_code(path.read_text(encoding="utf-8")))
    assert not found, "\n".join(f"{path.name}: {what} written out ({text!r}); use the macro {macro}"
                                for what, text, macro in found)


def test_views_restate_a_condition_only_in_its_own_macro():
    """In queries/views/, the raw form of a condition appears only in the body of the macro that
    defines it (every other view or macro calls that macro)."""
    bad = []
    for path in sorted(VIEWS.glob("*.sql")):
        for stmt in _statements(path.read_text(encoding="utf-8")):
            m = _MACRO.search(stmt)
            name = m.group(1) if m else None
            for what, pattern, macro, owners in RULES:
                if name in owners or (name and not owners and _owns(name, macro)):
                    continue
                for hit in re.finditer(pattern, stmt, re.IGNORECASE):
                    bad.append(f"{path.name} ({name or 'view'}): {what} written out ({hit.group(0)!r}); use {macro}")
    assert not bad, "\n".join(bad)


def _owns(name: str, macros: str) -> bool:
    """A macro named among the ones that define a condition (the role macros of 20_dossiers.sql)."""
    return name in {m.strip() for m in macros.replace("…", "").split("/")}


def test_the_rules_catch_what_they_are_for():
    """The patterns find the restatements issue 13 counted (and a macro call is not one)."""
    for text in ("count_if(resolved AND days_past_due <= 0)", "d.days_past_due > 0 AS late", "channel = 'truc_tuyen'",
                 "status IN ('dung_han', 'dang_trong_han')", "r.level >= 3 AS satisfied", "WHERE level = 1",
                 "p.online_level = 'toan_trinh'", "status = 'bo_sung' AND supplement_count > 1", "fee_vnd > 0",
                 "w.received_at < b.b_end + INTERVAL 1 DAY", "coalesce(w.finished_at, TIMESTAMP '9999-12-31') >= b.b_start",
                 "handled_date <= $end AND citizen_satisfied = false", "finish_status = 'qua_han'"):
        assert _hits(text), text
    for text in ("count_if(resolved AND finished_in_time(days_past_due))", "satisfied_level(r.level) AS satisfied",
                 "count_if(level = 1) AS level_1", "metric_on_time_num(resolved, days_past_due, pending)",
                 "CAST(received_at AS DATE) AS received_date", "date_trunc('month', finished_at)"):
        assert not _hits(text), text


def test_every_macro_a_rule_names_exists(tmp_path):
    """The macros the rules point to are defined in queries/views/ (so the advice can be followed)."""
    defined = {m.group(1) for p in VIEWS.glob("*.sql") for m in _MACRO.finditer(p.read_text(encoding="utf-8"))}
    named = {n.strip() for _, _, macro, owners in RULES for n in macro.replace("…", "").split("/")} - {""}
    named = {n.split(" of ")[0].strip().removesuffix("_*") for n in named}
    missing = {n for n in named if n not in defined and not any(d.startswith(n) for d in defined)}
    assert not missing, missing


def test_index_metric_defined_once_and_used_by_all_three_queries():
    """Each dossier index metric's numerator and denominator are the macros of 45_index_metrics.sql,
    used by its single-period query, the grouped query and the lost-dossier list."""
    views = (VIEWS / "45_index_metrics.sql").read_text(encoding="utf-8")
    grouped = _code((QUERIES / "index_page_dossier_metrics.sql").read_text(encoding="utf-8"))
    lost = _code((QUERIES / "index_page_lost_dossiers.sql").read_text(encoding="utf-8"))
    metrics = ("on_time", "resolved_in_time", "late_dossiers", "online_full", "online_submission", "paid_online",
               "e_result", "digitised_input", "digitised_result", "reused_data", "dossier_satisfaction")
    for m in metrics:
        macros = sorted(set(re.findall(rf"CREATE MACRO (metric_{m}_(?:num|den))\(", views)))
        assert macros, m
        single = _code((QUERIES / f"index_{m}.sql").read_text(encoding="utf-8"))
        for mac in macros:
            for name, text in (("index_" + m, single), ("index_page_dossier_metrics", grouped),
                               ("index_page_lost_dossiers", lost)):
                assert mac + "(" in text, f"{name}.sql does not use {mac}"


def test_macros_load(tmp_path):
    """The views and macros bind on a dataset (a typo in a macro would fail every query)."""
    from fixtures import dossier, write_dataset
    root = write_dataset(tmp_path, dossiers=[dossier("A", "2023-03-01 09:00", "2023-03-02 17:00", "2023-03-02 10:00")])
    db = Database(root)
    try:
        got = db.sql("SELECT finished_early(-1) AS e, finished_on_due_day(0) AS o, finished_in_time(0) AS i, "
                     "finished_late(1) AS l, finished_in_time(NULL) AS n, submitted_online('truc_tuyen') AS s, "
                     "satisfied_level(3) AS sat, disliked_level(1) AS dis, feedback_on_time('dang_trong_han') AS f")
        assert got.row(0) == (True, True, True, True, None, True, True, True, True)
    finally:
        db.close()
