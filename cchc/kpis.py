"""Core KPIs of a unit (commune; district = its communes; province = all) over a reporting period.

Every figure comes from a named query in queries/; this module only adds up, divides and names.
Rates are fractions (0.9997), None when the denominator is 0.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import polars as pl

from . import metrics, periods, units
from .db import Database, DataError
from .fmt import ratio


BIEU06_KEYS = ["received_total", "received_online", "received_offline", "carried_over", "resolved_total",
               "resolved_early", "resolved_on_time", "resolved_late", "pending_total", "pending_within",
               "pending_overdue"]
COUNT_KEYS = BIEU06_KEYS + ["received_new", "digitised_input", "digitised_result", "reused_data",
                            "resolved_online_capable", "resolved_with_supplement", "new_with_fee", "new_paid_online"]


# Units of both maps and their scopes live in cchc.units; the names stay importable from here.
Unit = units.Unit
UnitError = units.UnitError
resolve_unit = units.resolve


def finance_months(p: periods.Period) -> tuple[date, date] | None:
    """The budget months a period covers, as (first day of first month, first day of last month).

    Budget figures are kept per calendar month. A named period maps to the months it is named
    after: the official year 2023 (10/12/2022–09/12/2023) is budget months 1–12/2023, "Quý I/2023"
    is months 1–3. A custom range covers the months at least half of whose days fall inside it. A
    named period the data cover only in part (cchc.coverage.clip: the data's end, an old unit's last
    day) stops at the last month at least half of whose days are covered.
    """
    months = _named_finance_months(p)
    if months is None or not p.partial:
        return months
    cap = p.end.replace(day=1)
    if p.end.day * 2 < periods.month_end(cap).day:
        cap = periods.add_months(cap, -1)
    return (months[0], min(months[1], cap)) if cap >= months[0] else None


def _named_finance_months(p: periods.Period) -> tuple[date, date] | None:
    if p.kind in ("year", "cal_year"):
        return date(p.year, 1, 1), date(p.year, 12, 1)
    if p.kind in ("half",):
        return date(p.year, 1, 1), date(p.year, 6, 1)
    if p.kind in ("nine_months",):
        return date(p.year, 1, 1), date(p.year, 9, 1)
    if p.kind in ("quarter", "cal_quarter"):
        return date(p.year, 3 * p.index - 2, 1), date(p.year, 3 * p.index, 1)
    if p.kind in ("month", "cal_month"):
        return date(p.year, p.index, 1), date(p.year, p.index, 1)
    months = []
    for first in periods.month_starts(p.start, p.end):
        last = periods.month_end(first)
        inside = (min(p.end, last) - max(p.start, first)).days + 1
        if inside * 2 >= last.day:
            months.append(first)
    return (months[0], months[-1]) if months else None


def _rates(c: dict) -> dict:
    """The dossier rates of the metric catalogue (cchc/metrics.toml), each sum(numerator) /
    sum(denominator) of its counts, None when the denominator is 0."""
    return {m.key: m.value(c) for m in metrics.catalogue().dossier_rates()}


def _sum_counts(rows: list[dict]) -> dict:
    out = {k: sum(int(r[k]) for r in rows) for k in COUNT_KEYS}
    out.update(_rates(out))
    return out


def _with_form_columns(r: dict) -> dict:
    """A dossier_kpis row with the Biểu 06 columns the query leaves to the form's identities: every
    dossier counted is carried over or new, resolved or pending, and a resolved one is early, on time
    or late (its due day is never missing: schema.DOSSIERS.due_at is not nullable)."""
    r["resolved_total"] = r["resolved_early"] + r["resolved_on_time"] + r["resolved_late"]  # (7)
    r["received_total"] = r["resolved_total"] + r["pending_total"]                          # (3)
    r["carried_over"] = r["received_total"] - r["received_new"]                             # (6)
    r["received_offline"] = r["received_new"] - r["received_online"]                        # (5)
    r["pending_within"] = r["pending_total"] - r["pending_overdue"]                         # (12)
    return r


def dossier_rows(db: Database, unit: Unit, p: periods.Period) -> list[dict]:
    """Biểu 06 counts per procedure (queries/dossier_kpis.sql with the columns derived above), by
    field and procedure code, with the procedure's name, statutory days and online level from the
    catalogue (None for a code not in it) and resolved_online_capable (its resolved dossiers if it
    is offered online, procedure_catalogue.online_capable, else 0)."""
    rows = [r for r in map(_with_form_columns, db.run("dossier_kpis", **unit.scope, start=p.start, end=p.end).to_dicts())
            if r["received_total"]]
    catalogue = {r["procedure_code"]: r for r in db.run("procedure_catalogue").to_dicts()}
    blank = {"procedure_name": None, "statutory_days": None, "online_level": None, "online_capable": False}
    for r in rows:
        c = catalogue.get(r["procedure_code"], blank)
        r.update(procedure_name=c["procedure_name"], statutory_days=c["statutory_days"], online_level=c["online_level"],
                 resolved_online_capable=r["resolved_total"] if c["online_capable"] else 0)
    return sorted(rows, key=lambda r: (r["field"], r["procedure_code"]))


def dossier_kpis(db: Database, unit: Unit, p: periods.Period) -> dict:
    """Biểu 06 counts in total and by field, with the derived rates."""
    rows = dossier_rows(db, unit, p)
    out = _sum_counts(rows)
    fields: dict[str, list[dict]] = {}
    for r in rows:
        fields.setdefault(r["field"], []).append(r)
    out["by_field"] = [{"field": f, **_sum_counts(rs)} for f, rs in sorted(fields.items())]
    return out


def procedure_kpis(db: Database, unit: Unit, p: periods.Period, field: str | None = None) -> list[dict]:
    """Biểu 06 counts and rates per procedure (of one field, if given)."""
    return [{**{k: r[k] for k in ("field", "procedure_code", "procedure_name", "statutory_days", "online_level")},
             **_sum_counts([r])} for r in dossier_rows(db, unit, p) if field is None or r["field"] == field]


_RATING_KEYS = ["ratings_total", "ratings_satisfied", "level_4", "level_3", "level_2", "level_1"]


def rating_kpis(db: Database, unit: Unit, p: periods.Period) -> dict:
    """Rating forms of the period in total and by field (sorted by field), with satisfaction rates:
    queries/rating_kpis.sql's counts by field and level added up."""
    by_field: dict[str, dict] = {}
    for r in db.run("rating_kpis", **unit.scope, start=p.start, end=p.end).to_dicts():
        f = by_field.setdefault(r["field"], dict.fromkeys(_RATING_KEYS, 0))
        f["ratings_total"] += r["ratings"]
        f["ratings_satisfied"] += r["ratings"] if r["satisfied"] else 0
        f[f"level_{r['level']}"] += r["ratings"]
    out = {k: sum(f[k] for f in by_field.values()) for k in _RATING_KEYS}
    out["satisfaction_rate"] = ratio(out["ratings_satisfied"], out["ratings_total"])
    out["ratings_by_field"] = [{"field": name, **f, "satisfaction_rate": ratio(f["ratings_satisfied"], f["ratings_total"])}
                               for name, f in sorted(by_field.items()) if f["ratings_total"]]
    return out


def feedback_kpis(db: Database, unit: Unit, p: periods.Period) -> dict:
    r = db.run("feedback_kpis", **unit.scope, start=p.start, end=p.end).row(0, named=True)
    out = {k: int(v) for k, v in r.items()}
    out["feedback_on_time_rate"] = ratio(out["feedback_on_time"], out["feedback_total"])
    return out


def finance_totals(db: Database, unit: Unit, first: date, last: date) -> dict[str, dict]:
    """Plan and actual in đồng per item (in item order) over the budget months first..last (first
    days), with the number of communes that have figures for it: queries/finance_summary.sql's rows
    per item and commune added up."""
    df = db.run("finance_summary", **unit.scope, start=first, end=last)
    out: dict[str, dict] = {}
    for item, plan, actual in zip(*(df.get_column(c).to_list() for c in ("item", "plan_vnd", "actual_vnd"))):
        t = out.setdefault(item, {"plan_vnd": 0, "actual_vnd": 0, "units": 0})
        t["plan_vnd"] += plan
        t["actual_vnd"] += actual
        t["units"] += 1
    return dict(sorted(out.items()))


def finance_kpis(db: Database, unit: Unit, p: periods.Period) -> dict:
    months = finance_months(p)
    items = {}
    if months:
        for item, t in finance_totals(db, unit, months[0], months[1]).items():
            items[item] = {"plan_vnd": t["plan_vnd"], "actual_vnd": t["actual_vnd"],
                           "rate": ratio(t["actual_vnd"], t["plan_vnd"])}
    return {"finance_months": [m.isoformat() for m in months] if months else None, "finance": items}


TREND_COLUMNS = ["received_new", "received_online", "digitised_input", "resolved_total", "resolved_in_time",
                 "resolved_late", "digitised_result"]
_TREND_BY = {"received_month": ["received_new", "received_online", "digitised_input"],  # what the query gives
             "finished_month": ["resolved_total", "resolved_in_time", "digitised_result"]}
_TREND_SCHEMA = {"month": pl.Date, **{c: pl.Int64 for c in TREND_COLUMNS}}


def monthly_trend(db: Database, scope: dict, start: date, end: date, field: str | None = None,
                  procedure: str | None = None) -> pl.DataFrame:
    """The calendar months from start's month to end's month, one row each in order, with the counts
    of queries/monthly_trend.sql: received new, online and digitised by the month received; resolved,
    resolved in time (early or on the due day) and with an e-result by the month finished; resolved
    late = resolved − in time; 0 in a month when nothing was received or finished."""
    df = db.run("monthly_trend", **scope, field=field, procedure=procedure, start=start, end=end)
    months = periods.month_starts(start, end)
    at = {m: i for i, m in enumerate(months)}
    data: dict[str, list] = {"month": months}
    for by, columns in _TREND_BY.items():  # column lists, not rows: ≈ 0,1 ms for 24 months
        rows = [None if m is None else at[m] for m in df.get_column(by).cast(pl.Date).to_list()]
        for c in columns:
            total = [0] * len(months)
            for i, v in zip(rows, df.get_column(c).to_list()):
                if i is not None:
                    total[i] += v
            data[c] = total
    data["resolved_late"] = [t - o for t, o in zip(data["resolved_total"], data["resolved_in_time"])]
    return pl.DataFrame(data, schema=_TREND_SCHEMA)


def procedures_in_force(db: Database, day: date, level: str = "commune") -> dict:
    df = db.run("procedures_in_force", level=level, day=day)
    out = {"total": 0}
    for r in df.to_dicts():
        out[r["agency"] or "total"] = int(r["procedures"])
    return out


def kpis(db: Database, unit: Unit, p: periods.Period) -> dict:
    """All core KPIs of a unit and period, as one flat dict (the CLI's --json output)."""
    out: dict = {"unit": unit.code, "unit_name": unit.full_name, "level": unit.level,
                 "from": p.start.isoformat(), "to": p.end.isoformat(), "period": p.label}
    # The five queries are independent: run them side by side (each Database.run takes its own
    # cursor and DuckDB releases the GIL), so the set costs about its slowest query, not the sum.
    with ThreadPoolExecutor(max_workers=5) as pool:
        parts = [pool.submit(f, db, unit, p) for f in (dossier_kpis, rating_kpis, feedback_kpis, finance_kpis)]
        in_force = pool.submit(procedures_in_force, db, p.end)
        for part in parts:
            out.update(part.result())
        out["procedures_in_force"] = in_force.result()
    return out


def period_for(unit: Unit, start: date, end: date) -> periods.Period:
    """The period for a date range under the unit's province cut-off day (cchc.periods.period_for)."""
    return periods.period_for(start, end, unit.cutoff_day)


__all__ = ["Unit", "UnitError", "DataError", "resolve_unit", "kpis", "dossier_kpis", "rating_kpis", "feedback_kpis",
           "finance_kpis", "finance_totals", "finance_months", "period_for", "BIEU06_KEYS"]
