"""Command line: python -m cchc {sample,kpis,index,import,undo-import,import-results,rollup,publish,export,schema-doc,kpi-doc} ...

    python -m cchc export pack|report|form|chart --unit CODE --from DATE --to DATE --out FILE [--format F]

Errors a user can act on are printed as one line (Vietnamese) with exit code 2; never a traceback
(set CCHC_DEBUG=1 to see one).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

from . import db as dbm
from . import access, fmt, metrics, periods, users_cli
from . import schema


def _bieu06_headers() -> list[tuple[str, str]]:
    """('received_total', '(3) Tổng số nhận') …: the catalogue's KPIs with a Biểu 06 column, in form order."""
    cols = metrics.catalogue().by_bieu06()
    return [(m.key, f"{col} {m.short}") for col, m in sorted(cols.items(), key=lambda c: int(c[0].strip("()")))]


BIEU06_HEADERS = _bieu06_headers()


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own errors: one line, exit 2
        self.print_usage(sys.stderr)
        print(f"Lỗi: {message}", file=sys.stderr)
        sys.exit(2)


def _date(s: str) -> date:
    try:
        return periods.parse_date(s)
    except periods.PeriodError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _unit_period_args(p: argparse.ArgumentParser) -> None:
    """--unit, --from, --to, --json (and --data-dir after the command) of a command about a unit and period."""
    p.add_argument("--unit", required=True, help="mã đơn vị (TCTK): tỉnh 2 số, huyện 3 số, xã 5 số")
    p.add_argument("--from", dest="start", required=True, type=_date, help="YYYY-MM-DD hoặc DD/MM/YYYY")
    p.add_argument("--to", dest="end", required=True, type=_date, help="YYYY-MM-DD hoặc DD/MM/YYYY")
    p.add_argument("--json", action="store_true", help="in một đối tượng JSON")
    p.add_argument("--data-dir", dest="data_dir_sub", help=argparse.SUPPRESS)


def build_parser() -> argparse.ArgumentParser:
    ap = _Parser(prog="python -m cchc", description="Bảng điều khiển cải cách hành chính (CCHC): dòng lệnh.")
    ap.add_argument("--data-dir", help="thư mục dữ liệu (mặc định: biến CCHC_DATA_DIR, nếu không có thì data/)")
    users_cli.add_as_option(ap)
    sub = ap.add_subparsers(dest="cmd", required=True, parser_class=_Parser)
    users_cli.add_parser(sub)

    s = sub.add_parser("sample", help="tạo dữ liệu mẫu (tất định theo --seed)")
    s.add_argument("--seed", type=int, default=None)
    s.add_argument("--scale", type=float, default=1.0, help="hệ số khối lượng hồ sơ (trừ xã hiệu chuẩn)")
    s.add_argument("--provinces", default="31", help="mã tỉnh mới (từ 01/07/2025), cách nhau bằng dấu phẩy, hoặc "
                   "'all' (mặc định 31: Thành phố Hải Phòng, cùng lịch sử của Hải Dương và Hải Phòng cũ)")
    s.add_argument("--from", dest="start", type=_date, default=None)
    s.add_argument("--to", dest="end", type=_date, default=None)
    s.add_argument("--data-dir", dest="data_dir_sub", help=argparse.SUPPRESS)

    k = sub.add_parser("kpis", help="chỉ tiêu của một đơn vị trong một kỳ (Biểu 06 và các tỷ lệ)")
    _unit_period_args(k)

    x = sub.add_parser("index", help="điểm một bộ chỉ số (ví dụ 766) của một đơn vị trong một kỳ")
    x.add_argument("--index", required=True, help="mã bộ chỉ số: tên tệp trong cchc/indexes/ (ví dụ 766)")
    _unit_period_args(x)

    r = sub.add_parser("import-results", help="nạp kết quả chỉ số đã công bố (xlsx hoặc JSON của Cổng DVCQG)")
    r.add_argument("file", help="tệp .xlsx hoặc .json")
    r.add_argument("--year", type=int, help="năm của kỳ (chỉ cần với tệp JSON là một danh sách bản ghi)")
    r.add_argument("--month", type=int, help="tháng của kỳ (JSON danh sách bản ghi)")
    r.add_argument("--quarter", type=int, help="quý của kỳ (JSON danh sách bản ghi)")
    r.add_argument("--data-dir", dest="data_dir_sub", help=argparse.SUPPRESS)

    im = sub.add_parser("import", help="nạp tệp xuất từ phần mềm một cửa / Cổng DVCQG (hồ sơ, phiếu đánh giá, "
                        "phản ánh kiến nghị, tài chính, số liệu tự báo cáo); docs/loading.md")
    im.add_argument("file", help="tệp .csv, .xlsx hoặc .json")
    im.add_argument("--kind", choices=["dossiers", "ratings", "feedback", "finances", "facts"],
                    help="loại dữ liệu (mặc định: nhận ra từ tiêu đề cột)")
    im.add_argument("--unit", help="mã đơn vị của tệp khi tệp không có cột mã đơn vị (cũ hoặc mới; cu-MÃ: đơn vị cũ)")
    im.add_argument("--map", action="append", metavar="\"CỘT=cột\"",
                    help="ghép tay một cột của tệp với một cột của bảng (được nhớ cho lần sau), có thể lặp lại")
    im.add_argument("--sheet", help="tên trang tính (xlsx; mặc định trang đầu)")
    g = im.add_mutually_exclusive_group()
    g.add_argument("--reject-file", metavar="OUT", help="nạp các dòng đúng, ghi các dòng bị loại kèm lý do vào OUT (.csv/.xlsx)")
    g.add_argument("--valid-only", action="store_true", help="nạp các dòng đúng, bỏ qua các dòng có lỗi")
    im.add_argument("--dry-run", action="store_true", help="chỉ xem trước những gì sẽ thay đổi, không ghi gì")
    im.add_argument("--who", help="người nạp (mặc định: tên người dùng của hệ điều hành)")
    im.add_argument("--data-dir", dest="data_dir_sub", help=argparse.SUPPRESS)

    ui = sub.add_parser("undo-import", help="hoàn tác lần nạp dữ liệu gần nhất")
    ui.add_argument("--who", help="người hoàn tác")
    ui.add_argument("--data-dir", dest="data_dir_sub", help=argparse.SUPPRESS)

    u = sub.add_parser("rollup", help="tổng hợp lại hồ sơ và phiếu đánh giá theo ngày (sau khi nạp dữ liệu thật)")
    u.add_argument("--provinces", default=None, help="mã tỉnh, cách nhau bằng dấu phẩy (mặc định: mọi tỉnh có dữ liệu)")
    u.add_argument("--engine", choices=("duckdb", "spark", "dask"), default="duckdb",
                   help="bộ máy tính: duckdb (trong tiến trình này, mặc định), spark hoặc dask (phân tán; docs/engines.md)")
    u.add_argument("--workers", type=int, default=2,
                   help="số tiến trình/lõi của bộ máy phân tán khi chạy cục bộ (mặc định 2)")
    u.add_argument("--data-dir", dest="data_dir_sub", help=argparse.SUPPRESS)

    pb = sub.add_parser("publish", help="công bố thư mục dữ liệu lên kho lưu trữ đối tượng S3 (docs/storage.md)")
    pb.add_argument("--to", required=True, help="đích: s3://bucket/thư-mục (khoá và địa chỉ kho lấy từ biến môi trường)")
    pb.add_argument("--keep", action="store_true", help="không xoá trên kho các tệp thư mục nguồn không còn")
    pb.add_argument("--data-dir", dest="data_dir_sub", help=argparse.SUPPRESS)

    d = sub.add_parser("schema-doc", help="ghi docs/data-model.md từ cchc/schema.py")
    d.add_argument("--out", default=str(dbm.ROOT / "docs" / "data-model.md"))

    ex = sub.add_parser("export", help="xuất tệp: pack (tài liệu họp, .pptx/.pdf), report (dự thảo báo cáo CCHC, "
                        ".docx), form (Biểu 06, .xlsx), chart (một biểu đồ, .png/.svg/.pdf)")
    exs = ex.add_subparsers(dest="what", required=True, parser_class=_Parser)
    from .export.pack import CHART_KEYS, ITEMS, default_keys
    for what, (formats, text) in EXPORTS.items():
        er = exs.add_parser(what, help=text, description=text)
        er.add_argument("--unit", required=True, help="mã đơn vị (TCTK): tỉnh 2 số, huyện 3 số, xã 5 số; cu-<mã> "
                                                      "cho đơn vị cũ trùng mã với đơn vị mới")
        er.add_argument("--from", dest="start", required=True, type=_date, help="YYYY-MM-DD hoặc DD/MM/YYYY")
        er.add_argument("--to", dest="end", required=True, type=_date, help="YYYY-MM-DD hoặc DD/MM/YYYY")
        er.add_argument("--out", required=True, help="tệp " + ", ".join(f".{f}" for f in formats))
        er.add_argument("--format", dest="fmt", metavar="|".join(formats),
                        help=f"định dạng (mặc định: theo đuôi của --out): {', '.join(formats)}")
        if what == "pack":
            er.add_argument("--items", help="các mục, cách nhau bằng dấu phẩy (mặc định: bộ Tổng quan "
                                            f"{','.join(default_keys())}); các mục: {', '.join(ITEMS)}")
        if what == "chart":
            er.add_argument("--chart", required=True, metavar="MỤC", help=f"biểu đồ: {', '.join(CHART_KEYS)}")
        er.add_argument("--data-dir", dest="data_dir_sub", help=argparse.SUPPRESS)

    m = sub.add_parser("kpi-doc", help="ghi bảng chỉ tiêu của docs/kpis.md từ cchc/metrics.toml (giữ phần viết tay)")
    m.add_argument("--out", default=str(dbm.ROOT / "docs" / "kpis.md"))
    return ap


def cmd_sample(args) -> int:
    from . import sample
    root = dbm.data_dir(args.data_dir_sub or args.data_dir)
    kw = {}
    if args.start:
        kw["start"] = args.start
    if args.end:
        kw["end"] = args.end
    if args.scale <= 0:
        raise UsageError("--scale phải lớn hơn 0.")
    meta = sample.generate(root, seed=args.seed if args.seed is not None else sample.DEFAULT_SEED, scale=args.scale,
                           provinces=[p.strip() for p in args.provinces.split(",") if p.strip()],
                           progress=lambda m: print(m, file=sys.stderr), **kw)
    c = meta["counts"]
    print(f"Đã tạo dữ liệu mẫu tại {root}: {fmt.number(c['dossiers'])} hồ sơ, {fmt.number(c['ratings'])} phiếu đánh giá, "
          f"{fmt.number(c['feedback'])} phản ánh kiến nghị ({fmt.number(meta['seconds'], 1)} giây).")
    return 0


def _unit_and_period(args):
    """The Database, the unit and the period the figures cover for --unit/--from/--to: the period cut
    at the data's end and at an old unit's last day (cchc.coverage.clip); an old unit over a period
    after its end is refused with its successor; --from after --to is refused."""
    from . import coverage, kpis
    db = dbm.Database(args.data_dir_sub or args.data_dir)
    ident = _identity(args)
    unit = kpis.resolve_unit(db, args.unit)
    ident.require("read", db, unit)
    if ident.scope.kind != "country":  # every query of the command checked against the scope
        db = access.Guarded(db, ident)
    if args.start > args.end:
        raise UsageError(f"Kỳ báo cáo không hợp lệ: --from {fmt.day(args.start)} sau --to {fmt.day(args.end)}.")
    p = kpis.period_for(unit, args.start, args.end)
    if unit.ended_before(p.start):
        raise kpis.UnitError(unit.gone_message())
    end = coverage.data_end(db)
    return db, unit, (coverage.clip(p, end, unit.valid_to) if end is not None else p)


def cmd_kpis(args) -> int:
    from . import kpis
    db, unit, p = _unit_and_period(args)
    k = kpis.kpis(db, unit, p)
    if args.json:
        cat = metrics.catalogue()
        k["labels"] = {m.key: m.label for m in cat.metrics if m.key in k}  # the catalogue's names of the keys
        print(json.dumps(k, ensure_ascii=False, indent=1))
        return 0
    print(f"TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT TTHC (Biểu số 06, TT 01/2020/TT-VPCP) — {unit.label()} ({unit.key})")
    print(f"Kỳ báo cáo: {p.label}")
    rows = [("Tổng số", k)] + [(f["field"], f) for f in k["by_field"]]
    w = max(len(r[0]) for r in rows) + 2
    print("Lĩnh vực".ljust(w) + " ".join(h.split(" ", 1)[0].rjust(8) for _, h in BIEU06_HEADERS))
    for name, r in rows:
        print(name.ljust(w) + " ".join(fmt.number(r[key]).rjust(8) for key, _ in BIEU06_HEADERS))
    print("Cột: " + "; ".join(h for _, h in BIEU06_HEADERS))
    print()
    lines = []
    v = metrics.values(k)
    for key in metrics.catalogue().cli:  # labels, formulas and order: cchc/metrics.toml
        m = metrics.get(key)
        if m.finance_item and v[m.key.removesuffix("_rate") + "_plan"] is None:
            continue
        text = fmt.percent(v[key]) if m.is_rate else fmt.number(v[key])
        detail = ""
        if m.is_rate:
            num, den = m.parts(v)
            detail = (f"{fmt.million(num)} / {fmt.million(den)}" if m.finance_item
                      else f"{fmt.number(num)}/{fmt.number(den)}")
        lines.append((m.label, text, detail))
    pf = k["procedures_in_force"]
    lines.append((f"TTHC cấp xã đang thực hiện ngày {fmt.day(p.end)}", fmt.number(pf.get("total", 0)),
                  f"UBND {fmt.number(pf.get('ubnd', 0))}, công an {fmt.number(pf.get('cong_an', 0))}, "
                  f"quân sự {fmt.number(pf.get('quan_su', 0))}"))
    for a, b, c in lines:
        print(f"{a:<45}{b:>12}  {c}")
    return 0


EXPORTS = {  # what: (formats, the first one the usual; what it is)
    "pack": (("pptx", "pdf"), "tài liệu họp: trang tiêu đề, các biểu đồ (mỗi trang một biểu đồ kèm nhận xét từ số liệu) "
                              "và bảng chỉ tiêu (PPTX 16:9 hoặc PDF)"),
    "report": (("docx",), "dự thảo phần kết quả của báo cáo CCHC (DOCX), kèm Biểu 06 làm phụ lục"),
    "form": (("xlsx",), "Biểu 06 (TT 01/2020/TT-VPCP) theo mẫu chính thức (XLSX)"),
    "chart": (("png", "svg", "pdf"), "một biểu đồ (PNG 1920 × 1080, SVG hoặc PDF)"),
}


def export_format(what: str, out: str, fmt_arg: str | None) -> str:
    """The format of an export: --format, else the extension of --out; the two must agree and be
    one the export writes (a Vietnamese UsageError otherwise, before anything is computed)."""
    formats = EXPORTS[what][0]
    ext = Path(out).suffix.lower().lstrip(".")
    listed = ", ".join(f".{f}" for f in formats)
    if fmt_arg is not None:
        want = fmt_arg.strip().lower().lstrip(".")
        if want not in formats:
            raise UsageError(f"--format {fmt_arg}: export {what} chỉ ghi được {', '.join(formats)}.")
        if ext != want:
            raise UsageError(f"--out: tên tệp phải có đuôi .{want} (theo --format {want}).")
        return want
    if ext not in formats:
        raise UsageError(f"--out: tên tệp phải có đuôi {listed}.")
    return ext


def write_atomic(out: Path, data: bytes) -> None:
    """Write to a temporary file beside `out`, then rename it over `out`: a reader (or a scheduled
    copy) never sees half a file, and a failed write leaves nothing behind."""
    import tempfile
    tmp = None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp", delete=False) as f:
            tmp = Path(f.name)
            mask = os.umask(0)
            os.umask(mask)
            os.fchmod(f.fileno(), 0o666 & ~mask)  # as an ordinary new file (mkstemp makes it private)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, out)
        tmp = None
    except OSError as e:
        raise UsageError(f"Không ghi được tệp {out}: {e.strerror or e}.") from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def cmd_export(args) -> int:
    from .export import bieu06, pack, report
    out = Path(args.out)
    kind = export_format(args.what, args.out, args.fmt)
    try:
        if args.what == "chart":
            pack.check_keys([args.chart], charts_only=True)
        items = None
        if args.what == "pack" and args.items is not None:
            items = pack.check_keys([k.strip() for k in args.items.split(",") if k.strip()])
    except pack.PackError as e:
        raise UsageError(str(e)) from None
    db, unit, p = _unit_and_period(args)
    try:
        if args.what == "report":
            data, what = report.report_docx(db, unit, p), "dự thảo báo cáo CCHC"
        elif args.what == "form":
            data, what = bieu06.to_xlsx(bieu06.build_table(db, unit, p), unit, p), "Biểu 06"
        elif args.what == "pack":
            built = pack.build_pack(db, unit, p, items, fmt=kind)
            data = built.data
            what = f"tài liệu họp, {fmt.number(len(built.slides))} trang nội dung"
            if built.skipped:
                print("Bỏ qua (không có số liệu để vẽ): " + ", ".join(i.title for i in built.skipped) + ".",
                      file=sys.stderr)
        else:
            from . import charts
            data = charts.to_image(pack.chart_figure(db, unit, p, args.chart), kind)
            what = f"biểu đồ “{pack.ITEMS[args.chart].title}”"
    except pack.PackError as e:
        raise UsageError(str(e)) from None
    write_atomic(out, data)
    print(f"Đã ghi {out}: {what}, {unit.label()}, {p.label}.")
    return 0


def cmd_rollup(args) -> int:
    from . import engines
    root = dbm.data_dir(args.data_dir_sub or args.data_dir)
    dbm.check_data_dir(root)
    provinces = [p.strip() for p in args.provinces.split(",") if p.strip()] if args.provinces else None
    if args.workers < 1:
        raise UsageError("--workers phải là số nguyên dương.")
    try:
        built = engines.build(root, args.engine, provinces, workers=args.workers,
                              progress=lambda m: print(m, file=sys.stderr))
    finally:
        engines.stop(args.engine)
    for name, r in built.items():
        print(f"{schema.TABLES[name].vi} — {name}: {len(r['provinces'])} tỉnh, {fmt.number(r['rows'])} dòng "
              f"({fmt.number(r['seconds'], 1)} giây).")
    return 0


def cmd_publish(args) -> int:
    """Copy the local data folder to object storage: what the app tier reads (cchc.storage.publish:
    changed files first, the data version last). The bucket is every province's figures: a data
    manager with the whole country as scope (or the machine's operator) publishes."""
    from . import storage
    root = dbm.data_dir(args.data_dir_sub or args.data_dir)
    if storage.is_remote(root):
        raise UsageError("--data-dir của lệnh publish là thư mục dữ liệu trên máy này, không phải một kho S3.")
    if not str(args.to).startswith("s3://"):
        raise UsageError(f"--to phải là địa chỉ kho dạng s3://bucket/thư-mục (nhận được: {args.to}).")
    dbm.check_data_dir(root)
    by = _identity(args)
    by.require("load")
    if by.scope.kind != "country":
        raise access.AccessError(f"Kho dữ liệu chung chứa số liệu mọi tỉnh: chỉ tài khoản quản lý dữ liệu phạm vi cả nước "
                                 f"được công bố (tài khoản {by.username}: {by.scope.label()}).")
    r = storage.publish(root, args.to, progress=lambda m: print(m, file=sys.stderr), delete=not args.keep)
    print(storage.publish_summary(root, args.to, r))
    return 0


def cmd_schema_doc(args) -> int:
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(schema.data_model_markdown() + "\n", encoding="utf-8")
    print(f"Đã ghi {out}")
    return 0


def cmd_kpi_doc(args) -> int:
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(metrics.doc_text(out), encoding="utf-8")
    print(f"Đã ghi {out}")
    return 0


def cmd_index(args) -> int:
    from . import scoring
    ix = scoring.load_index(args.index)
    db, unit, p = _unit_and_period(args)
    res = scoring.score(db, ix, unit, p)
    if args.json:
        print(json.dumps(res.to_dict(), ensure_ascii=False, indent=1))
    else:
        print("\n".join(scoring.report_lines(res)))
    return 0


def cmd_import_results(args) -> int:
    from .ingest import results
    root = dbm.data_dir(args.data_dir_sub or args.data_dir)
    rep = results.import_file(Path(args.file), root, year=args.year, month=args.month, quarter=args.quarter,
                              by=_identity(args))
    print(rep.summary())
    for m in rep.mismatches:
        print(f"Cảnh báo: {m}")
    for n in rep.notes:
        print(f"Ghi chú: {n}")
    return 0


# polars' allocator (jemalloc) keeps freed memory for a while (polars sets _RJEM_MALLOC_CONF to
# dirty_decay_ms:500,muzzy_decay_ms:1000 when it loads, unless set); a load frees a file's worth of
# columns several times over, so `import` asks it to give memory back at once. The setting is read
# when polars loads: the command re-executes itself with it, once, when started as `python -m cchc`
# (never when main() is called inside another program) and unless the variable was set by the user.
JEMALLOC_ENV = "_RJEM_MALLOC_CONF"
JEMALLOC_POLARS_DEFAULT = "dirty_decay_ms:500,muzzy_decay_ms:1000"
JEMALLOC_RETURN_AT_ONCE = "dirty_decay_ms:0,muzzy_decay_ms:0"
REEXEC_ENV = "CCHC_IMPORT_REEXEC"


def _reexec_with_allocator_setting() -> None:
    if (os.environ.get(REEXEC_ENV) or os.environ.get(JEMALLOC_ENV) not in (None, JEMALLOC_POLARS_DEFAULT)
            or not sys.argv[0].endswith(os.path.join("cchc", "__main__.py"))):
        return
    os.environ[JEMALLOC_ENV] = JEMALLOC_RETURN_AT_ONCE
    os.environ[REEXEC_ENV] = "1"
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", "cchc", *sys.argv[1:]])


def cmd_import(args) -> int:
    from .ingest import load
    _reexec_with_allocator_setting()
    root = dbm.data_dir(args.data_dir_sub or args.data_dir)
    mapping = load.parse_map(args.map)
    policy = load.VALID_ONLY if (args.valid_only or args.reject_file) else load.REJECT
    if args.reject_file and Path(args.reject_file).suffix.lower() not in (".csv", ".xlsx"):
        raise UsageError("--reject-file: tên tệp phải có đuôi .csv hoặc .xlsx.")

    def say(_fraction: float, text: str) -> None:
        print(text, file=sys.stderr)

    kw = dict(unit=args.unit, mapping=mapping, sheet=args.sheet, policy=policy, progress=say)
    if args.dry_run:
        p = load.preview_file(args.file, root, args.kind, **kw)
        print("Xem trước (chưa ghi gì):")
        print(p.summary())
        report_plan = p
    else:
        rep = load.load_file(args.file, root, args.kind, who=args.who, by=_identity(args), **kw)
        print(rep.summary())
        report_plan = rep.plan
    if report_plan.rejected_count:
        if args.reject_file:
            n = load.write_rejected(report_plan, args.reject_file)
            print(f"Đã ghi {fmt.number(n)} dòng bị loại, kèm lý do, vào {args.reject_file}.")
        for m in report_plan.row_messages()[:load.MAX_MESSAGES]:
            print(m, file=sys.stderr)
    for w in report_plan.warnings():
        print(f"Cảnh báo: {w}", file=sys.stderr)
    return 0


def cmd_undo_import(args) -> int:
    from .ingest import load
    root = dbm.data_dir(args.data_dir_sub or args.data_dir)
    print(load.undo(root, who=args.who, by=_identity(args), progress=lambda f, t: print(t, file=sys.stderr)).summary())
    return 0


def _identity(args) -> access.Identity:
    """Who the command acts as: the machine's operator, or the account named by --as."""
    return users_cli.identity(dbm.data_dir(getattr(args, "data_dir_sub", None) or args.data_dir), args.as_user)


def cmd_users(args) -> int:
    root = dbm.data_dir(args.data_dir_sub or args.data_dir)
    db = dbm.Database(root)
    try:
        return users_cli.run(args, root, db, _identity(args))
    finally:
        db.close()


COMMANDS = {"import": cmd_import, "undo-import": cmd_undo_import,
            "sample": cmd_sample, "kpis": cmd_kpis, "index": cmd_index, "import-results": cmd_import_results,
            "rollup": cmd_rollup, "publish": cmd_publish, "export": cmd_export, "schema-doc": cmd_schema_doc,
            "kpi-doc": cmd_kpi_doc, "users": cmd_users}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .kpis import UnitError
    from .sample import SampleError
    from .scoring import IndexDefinitionError, ScoringError
    from .ingest.results import ResultsImportError
    from .ingest.load import LoadError
    try:
        return COMMANDS[args.cmd](args)
    except LoadError as e:
        for m in e.messages:
            print(f"Lỗi: {m}", file=sys.stderr)
        return 2
    except (dbm.DataError, UnitError, periods.PeriodError, SampleError, UsageError, IndexDefinitionError,
            ScoringError, ResultsImportError, access.AccessError) as e:
        print(f"Lỗi: {e}", file=sys.stderr)
        return 2
    except Exception as e:  # never a traceback for the user
        if os.environ.get("CCHC_DEBUG"):
            raise
        print(f"Lỗi không mong đợi: {type(e).__name__}: {e} (đặt CCHC_DEBUG=1 để xem chi tiết)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
