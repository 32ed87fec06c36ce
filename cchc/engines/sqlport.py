"""The product's DuckDB SQL, made runnable by Spark SQL: the same text, transformed, not a second copy.

The rollup queries (queries/build_*.sql) are written against the DuckDB views and macros of
queries/views/*.sql. Spark SQL speaks nearly the same language; what differs is small and mechanical,
and is done here by ``to_spark`` (tests/test_engine_rollup.py proves the files come out identical):

1. **Macros are inlined.** Every ``CREATE MACRO name(p, …) AS <expr>;`` of queries/views is read, and
   each call ``name(a, …)`` in the query is replaced by ``(<expr>)`` with each parameter replaced by
   ``(a)``, recursively (a macro may call another). Table macros (``AS TABLE SELECT …``) become a
   subquery in the same way. So a definition such as ``finished_early`` keeps its one home in
   queries/views/20_dossiers.sql.
2. **The source tables** ``raw_<table>_in(<files>)`` become the view ``raw_<table>`` that the engine
   registers over the files it was given (the same Parquet files, hive-partitioned).
3. **Dialect**, four rules, each on one construct DuckDB writes differently:
   - ``date_diff('day', a, b)`` (day boundaries between two timestamps) → ``datediff(CAST(b AS DATE),
     CAST(a AS DATE))``;
   - ``CAST(unnest(generate_series(a, b, INTERVAL 1 DAY)) AS DATE)`` (one row per day) →
     ``explode(sequence(a, b, INTERVAL 1 DAY))``;
   - a list parameter's element ``$name[1]`` (1-based) → ``element_at(:name, 1)``;
   - a parameter ``$name`` → ``:name`` (Spark's named parameter markers).

Anything else unknown to Spark fails loudly when Spark parses it; nothing is silently dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

QUERIES = Path(__file__).resolve().parent.parent.parent / "queries"

_MACRO = re.compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?MACRO\s+(\w+)\s*\(([^)]*)\)\s+AS\s+(TABLE\s+)?(.*?);\s*$",
                    re.IGNORECASE | re.DOTALL | re.MULTILINE)
_COMMENT = re.compile(r"--[^\n]*")
_WORD = re.compile(r"[A-Za-z_]\w*")


@dataclass(frozen=True)
class Macro:
    name: str
    params: tuple[str, ...]
    body: str
    table: bool


def strip_comments(sql: str) -> str:
    """The SQL without its -- comments (the product's SQL has no '--' inside string literals)."""
    return _COMMENT.sub("", sql)


def macros(folder: Path = QUERIES / "views") -> dict[str, Macro]:
    """Every macro defined in the views folder, by lower-case name."""
    out: dict[str, Macro] = {}
    for f in sorted(folder.glob("*.sql")):
        text = strip_comments(f.read_text(encoding="utf-8"))
        for stmt in text.split(";"):
            m = _MACRO.match(stmt.strip() + ";")
            if m:
                params = tuple(p.strip() for p in m.group(2).split(",") if p.strip())
                out[m.group(1).lower()] = Macro(m.group(1), params, m.group(4).strip(), bool(m.group(3)))
    return out


def _call_args(sql: str, open_at: int) -> tuple[list[str], int]:
    """The top-level comma-separated arguments of the call whose '(' is at ``open_at``, and the index
    just after its ')'. Brackets of every kind and string literals are skipped."""
    depth, i, start, args = 0, open_at, open_at + 1, []
    while i < len(sql):
        c = sql[i]
        if c == "'":
            i = sql.index("'", i + 1)
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
            if depth == 0:
                args.append(sql[start:i])
                return ([] if len(args) == 1 and not args[0].strip() else [a.strip() for a in args]), i + 1
        elif c == "," and depth == 1:
            args.append(sql[start:i])
            start = i + 1
        i += 1
    raise ValueError(f"unbalanced parentheses after: {sql[open_at:open_at + 60]!r}")


def _substitute(body: str, params: tuple[str, ...], args: list[str]) -> str:
    """The macro body with each parameter (a whole word, outside string literals) replaced by its argument."""
    if len(params) != len(args):
        raise ValueError(f"macro called with {len(args)} arguments for {len(params)} parameters: {args}")
    table = {p.lower(): "(" + a + ")" for p, a in zip(params, args)}
    parts = re.split(r"('(?:[^']|'')*')", body)
    return "".join(p if i % 2 else _WORD.sub(lambda m: table.get(m.group(0).lower(), m.group(0)), p)
                   for i, p in enumerate(parts))


def _calls(sql: str, name_of) -> list[tuple[int, int, str, list[str]]]:
    """(start, end, name, args) of the calls of known names in sql, outermost first, left to right."""
    out, i = [], 0
    for m in re.finditer(r"([A-Za-z_]\w*)\s*\(", sql):
        if m.start() < i:
            continue
        if name_of(m.group(1)) is None or (m.start() and (sql[m.start() - 1] in ".$" or sql[m.start() - 1].isalnum())):
            continue
        args, end = _call_args(sql, m.end() - 1)
        out.append((m.start(), end, m.group(1), args))
        i = end
    return out


def inline_macros(sql: str, known: dict[str, Macro] | None = None, depth: int = 0) -> str:
    """sql with every macro call replaced by its body (see the module's docstring), recursively."""
    known = macros() if known is None else known
    if depth > 20:
        raise ValueError("macros nested more than 20 deep")
    out, last = [], 0
    for start, end, name, args in _calls(sql, lambda n: known.get(n.lower())
                                         or (n.lower().startswith("raw_") and n.lower().endswith("_in") or None)):
        low = name.lower()
        if low.startswith("raw_") and low.endswith("_in") and low not in known:
            text = low[:-3]  # raw_<table>_in(<files>) -> raw_<table>
        else:
            m = known[low]
            args = [inline_macros(a, known, depth + 1) for a in args]
            text = _substitute(m.body, m.params, args)
            text = inline_macros(text, known, depth + 1)
            text = "(" + text + ")"
        out.append(sql[last:start] + text)
        last = end
    out.append(sql[last:])
    return "".join(out)


def _rewrite_calls(sql: str, name: str, fn) -> str:
    """Replace each call of ``name`` (case-insensitive) by fn(args)."""
    out, last = [], 0
    for start, end, _n, args in _calls(sql, lambda n: True if n.lower() == name else None):
        out.append(sql[last:start] + fn([_rewrite_calls(a, name, fn) for a in args]))
        last = end
    out.append(sql[last:])
    return "".join(out)


def _unnest_days(args: list[str]) -> str:
    """CAST(unnest(generate_series(a, b, INTERVAL 1 DAY)) AS DATE) -> explode(sequence(a, b, INTERVAL 1 DAY))."""
    m = re.fullmatch(r"unnest\s*\(\s*generate_series\s*\((.*)\)\s*\)\s+AS\s+DATE", args[0], re.IGNORECASE | re.DOTALL)
    if not m:
        return "CAST(" + args[0] + ")"
    inner, _ = _call_args("(" + m.group(1) + ")", 0)
    if len(inner) != 3 or not re.fullmatch(r"INTERVAL\s+1\s+DAY", inner[2], re.IGNORECASE):
        raise ValueError(f"generate_series other than by one day: {inner}")
    return "explode(sequence(" + ", ".join(inner) + "))"


def _date_diff(args: list[str]) -> str:
    if len(args) != 3 or args[0].strip().lower() != "'day'":
        raise ValueError(f"date_diff other than in days: {args}")
    return f"datediff(CAST({args[2]} AS DATE), CAST({args[1]} AS DATE))"


def to_spark(sql: str, known: dict[str, Macro] | None = None) -> str:
    """A query of the product (DuckDB dialect, using the views' macros) as Spark SQL."""
    s = inline_macros(strip_comments(sql), known)
    s = _rewrite_calls(s, "date_diff", _date_diff)
    s = _rewrite_calls(s, "cast", lambda a: _unnest_days(a) if a and re.match(r"\s*unnest\s*\(", a[0], re.I)
                       else "CAST(" + ", ".join(a) + ")")
    s = re.sub(r"\$(\w+)\[(\d+)\]", r"element_at(:\1, \2)", s)
    s = re.sub(r"\$(\w+)", r":\1", s)
    return s.strip().rstrip(";")
