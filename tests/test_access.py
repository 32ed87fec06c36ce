"""Roles, scopes of units across both maps, local accounts (argon2 hashes, throttling, disabling) and
the hash-chained audit trail, on the real units of the sample's data folder."""
from __future__ import annotations

import json
import multiprocessing as mp
import os
import signal

import pytest

from cchc import access, accounts, audit, units
from cchc.access import AccessError, Scope

PASSWORD = "mật-khẩu-đủ-dài-1"


@pytest.fixture()
def root(tmp_path):
    return tmp_path


# --- scopes -----------------------------------------------------------------------------------------
def test_scope_parse_round_trip_and_refusals():
    assert Scope.parse("*").kind == "country"
    s = Scope.parse("tinh:31, tinh:cu-30")
    assert (s.kind, s.keys) == ("provinces", ("31", "cu-30"))
    assert Scope.parse(s.items()) == s
    assert Scope.parse("10633 cu-10621").keys == ("10633", "cu-10621")
    for bad in ("", "tinh:31 10633", "<script>", "tinh:3x", "1" * 9):
        with pytest.raises(AccessError):
            Scope.parse(bad)
    with pytest.raises(AccessError, match="quá nhiều"):
        Scope.parse(" ".join(str(10000 + i) for i in range(access.MAX_SCOPE_ITEMS + 1)))


def test_new_province_covers_its_history_old_province_stops_at_the_change(db):
    u = lambda k: units.resolve(db, k)  # noqa: E731
    hp = Scope.parse("tinh:31")         # the new Thành phố Hải Phòng
    for k in ("31", "10633", "cu-31", "30", "291", "10621"):   # new units, old Hải Phòng, old Hải Dương
        assert hp.covers(db, u(k)), k
    assert not Scope.parse("tinh:01").covers(db, u("31"))   # a province the data folder does not hold
    old_hp = Scope.parse("tinh:cu-31")  # the old Thành phố Hải Phòng: not Hải Dương, not the new city
    assert old_hp.covers(db, u("cu-31")) and not old_hp.covers(db, u("291")) and not old_hp.covers(db, u("31"))
    hd = Scope.parse("tinh:30")         # the old Tỉnh Hải Dương (code 30 names only an old unit)
    assert hd.covers(db, u("291")) and hd.covers(db, u("10621"))
    assert not hd.covers(db, u("10633")) and not hd.covers(db, u("31"))


def test_commune_scope_covers_its_predecessors_and_nothing_above(db):
    tran_phu = units.resolve(db, "10633")
    s = Scope.parse("10633")
    assert s.covers(db, tran_phu)
    for p in tran_phu.predecessors:
        assert s.covers(db, units.get(db, units.OLD, p.code)), p.name
    assert not s.covers(db, units.resolve(db, "31"))
    assert not s.covers(db, units.resolve(db, "291"))
    other = next(c for c in units.children(db, units.resolve(db, "31"), "commune") if c.code != "10633")
    assert not s.covers(db, other)
    assert not Scope.parse("cu-10621").covers(db, tran_phu)   # an old commune's scope is its history only


def test_roles_are_cumulative_and_refusals_say_why(db):
    ward = Scope.parse("10633")
    viewer = access.Identity("a", "viewer", ward, "local")
    officer = access.Identity("b", "officer", ward, "local")
    manager = access.Identity("c", "data_manager", ward, "local")
    assert viewer.may("read") and not viewer.may("enter_facts")
    assert officer.may("enter_facts") and not officer.may("load")
    assert manager.may("load") and manager.may("upload_results") and not manager.may("manage_accounts")
    with pytest.raises(AccessError, match="không có quyền nhập số liệu"):
        viewer.require("enter_facts")
    with pytest.raises(AccessError, match="ngoài phạm vi"):
        officer.require("enter_facts", db, units.resolve(db, "31"))
    officer.require("enter_facts", db, units.resolve(db, "10633"))
    demo = access.anonymous("demo")
    assert demo.may("read") and not demo.may("enter_facts")
    with pytest.raises(AccessError, match="Cần đăng nhập"):
        demo.require("load")
    op = access.operator()
    assert op.via == "cli" and op.may("manage_accounts") and op.who.startswith("cli:")


# --- accounts ---------------------------------------------------------------------------------------
def test_accounts_hash_sign_in_and_audit(root, db):
    op = access.operator()
    accounts.add(root, "Lan.Nguyen", PASSWORD, "officer", Scope.parse("10633"), by=op, db=db,
                 display_name="Nguyễn Thị Lan")
    text = (root / accounts.FOLDER / accounts.FILE).read_text(encoding="utf-8")
    assert PASSWORD not in text and "$argon2id$" in text
    assert oct(os.stat(root / accounts.FOLDER / accounts.FILE).st_mode & 0o777) == "0o600"
    ident = accounts.authenticate(root, "lan.nguyen", PASSWORD)
    assert (ident.username, ident.role, ident.via, ident.scope.keys) == ("lan.nguyen", "officer", "local", ("10633",))
    with pytest.raises(accounts.AccountError, match="không đúng"):
        accounts.authenticate(root, "lan.nguyen", PASSWORD + "x")
    with pytest.raises(accounts.AccountError, match="không đúng"):      # the same message for an unknown name
        accounts.authenticate(root, "khong.co", PASSWORD)
    with pytest.raises(accounts.AccountError, match="đã có"):
        accounts.add(root, "lan.nguyen", PASSWORD, "viewer", Scope.parse("*"), by=op)
    with pytest.raises(accounts.AccountError, match="ít nhất"):
        accounts.add(root, "hoa", "ngắn", "viewer", Scope.parse("*"), by=op)
    with pytest.raises(AccessError, match="không có quyền quản lý tài khoản"):
        accounts.add(root, "hoa", PASSWORD, "admin", Scope.parse("*"), by=ident)

    # a role change applies to the next request: current() reads the file
    accounts.set_role(root, "lan.nguyen", "data_manager", Scope.parse("tinh:31"), by=op, db=db)
    now = accounts.current(root, "lan.nguyen")
    assert now.role == "data_manager" and now.scope == Scope.parse("tinh:31")
    accounts.set_disabled(root, "lan.nguyen", True, by=op)
    assert accounts.current(root, "lan.nguyen") is None
    with pytest.raises(accounts.AccountError, match="bị khoá"):
        accounts.authenticate(root, "lan.nguyen", PASSWORD)
    accounts.set_disabled(root, "lan.nguyen", False, by=op)
    accounts.reset_password(root, "lan.nguyen", PASSWORD + "2", by=op)
    assert accounts.authenticate(root, "lan.nguyen", PASSWORD + "2").role == "data_manager"

    trail = audit.entries(root)
    assert [e["action"] for e in trail] == ["account.add", "account.role", "account.disable", "account.enable",
                                           "account.password"]
    assert {e["who"] for e in trail} == {op.who}
    assert trail[1]["before"]["role"] == "officer" and trail[1]["after"]["role"] == "data_manager"
    assert all("hash" not in (e["after"] or {}) for e in trail)       # the trail never holds a password hash


def test_wrong_passwords_are_throttled_across_processes(root, monkeypatch):
    op = access.operator()
    accounts.add(root, "hoa", PASSWORD, "viewer", Scope.parse("*"), by=op)
    clock = [1_000_000.0]
    monkeypatch.setattr(accounts, "_now", lambda: clock[0])
    for _ in range(accounts.FREE_FAILURES):
        with pytest.raises(accounts.AccountError, match="không đúng"):
            accounts.authenticate(root, "hoa", "sai-mat-khau-123")
    # now even the right password waits: the count is in the file, not in this process
    with pytest.raises(accounts.AccountError, match=r"thử lại sau 30 giây"):
        accounts.authenticate(root, "hoa", PASSWORD)
    assert accounts.load(root)["hoa"]["failures"] == accounts.FREE_FAILURES
    clock[0] += 31
    with pytest.raises(accounts.AccountError, match="không đúng"):     # one more failure doubles the wait
        accounts.authenticate(root, "hoa", "sai-mat-khau-123")
    with pytest.raises(accounts.AccountError, match=r"thử lại sau 60 giây"):
        accounts.authenticate(root, "hoa", PASSWORD)
    clock[0] += 61
    assert accounts.authenticate(root, "hoa", PASSWORD).username == "hoa"
    assert accounts.load(root)["hoa"]["failures"] == 0


# --- the audit trail ---------------------------------------------------------------------------------
def _three(root):
    op = access.operator()
    for i in range(3):
        audit.record(root, op, "facts.save", unit="10621", before={"v": i}, after={"v": i + 1},
                     sha256=audit.file_hash(b"x%d" % i))


@pytest.mark.parametrize("tamper", ["edit", "delete_middle", "truncate_end", "swap", "garbage", "head"])
def test_a_tampered_trail_is_detected_and_not_extended(root, tamper):
    _three(root)
    assert audit.verify(root) == 3
    log = root / audit.FOLDER / audit.LOG
    lines = log.read_text(encoding="utf-8").splitlines()
    if tamper == "edit":
        e = json.loads(lines[1])
        e["after"] = {"v": 99}
        lines[1] = json.dumps(e, ensure_ascii=False)
    elif tamper == "delete_middle":
        del lines[1]
    elif tamper == "truncate_end":
        del lines[-1]
    elif tamper == "swap":
        lines[0], lines[1] = lines[1], lines[0]
    elif tamper == "garbage":
        lines.append("{not json")
    if tamper == "head":
        (root / audit.FOLDER / audit.HEAD).write_text('{"seq": 1, "hash": "00"}', encoding="utf-8")
    else:
        log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(audit.AuditError, match="bị sửa"):
        audit.entries(root)
    before = log.read_bytes()
    with pytest.raises(audit.AuditError):
        audit.record(root, access.operator(), "facts.save", unit="10621")
    assert log.read_bytes() == before


def _writer(root: str, n: int) -> None:
    ident = access.Identity(f"w{os.getpid()}", "officer", Scope.parse("10633"), "local")
    for i in range(n):
        audit.record(root, ident, "facts.save", unit="10633", after={"i": i})


def test_parallel_writers_killed_mid_write_leave_a_verifying_trail(root):
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(str(root), 40)) for _ in range(3)]
    for p in procs:
        p.start()
    procs[0].join(timeout=0.3)
    os.kill(procs[1].pid, signal.SIGKILL)      # one killed wherever it is
    for p in procs:
        p.join(timeout=120)
    n = audit.verify(root)
    rows = audit.entries(root)
    assert n == len(rows) >= 80 and [r["seq"] for r in rows] == list(range(1, n + 1))
    counts = {}
    for r in rows:
        counts[r["who"]] = counts.get(r["who"], 0) + 1
    assert sorted(counts.values())[-2:] == [40, 40]        # the two that were not killed wrote all theirs
    audit.record(root, access.operator(), "facts.save")     # and the trail goes on
    assert audit.verify(root) == n + 1


def test_visible_entries_follow_role_and_scope(root, db):
    op = access.operator()
    audit.record(root, op, "load", unit="31")
    audit.record(root, op, "facts.save", unit="10621")
    audit.record(root, op, "facts.save", unit="cu-31")
    rows = audit.entries(root)
    manager = access.Identity("m", "data_manager", Scope.parse("tinh:31"), "local")
    assert [r["unit"] for r in audit.visible(rows, manager, db)] == ["31", "10621", "cu-31"]
    hd = access.Identity("d", "data_manager", Scope.parse("tinh:30"), "local")
    assert [r["unit"] for r in audit.visible(rows, hd, db)] == ["10621"]
    assert audit.visible(rows, access.Identity("v", "viewer", Scope.parse("*"), "local"), db) == []
    assert len(audit.visible(rows, op, db)) == 3
    audit.record(root, op, "account.add", note="x")
    national = access.Identity("n", "data_manager", Scope.parse("*"), "local")
    assert [r["action"] for r in audit.visible(audit.entries(root), national, db)] == ["load", "facts.save", "facts.save"]


# --- reads are refused outside the scope, in cchc, whatever the page asks ------------------------------
def test_guarded_database_refuses_rows_outside_the_scope(db):
    from datetime import date
    span = dict(start=date(2023, 1, 1), end=date(2023, 12, 31))
    u = lambda k: units.resolve(db, k)  # noqa: E731
    ward = access.Guarded(db, access.Identity("o", "officer", Scope.parse("10633"), "local"))
    mine = ward.run("dossier_kpis", **u("10633").scope, **span)       # 2023: its predecessors' rows
    plain = db.run("dossier_kpis", **u("10633").scope, **span)
    assert mine.height > 0 and mine.sort(mine.columns).equals(plain.sort(plain.columns))
    ward.run("dossier_kpis", **u("10621").scope, **span)              # a predecessor (old Quốc Tuấn)
    for other in ("31", "291", "30", "cu-31"):
        with pytest.raises(AccessError, match="ngoài phạm vi"):
            ward.run("dossier_kpis", **u(other).scope, **span)
    with pytest.raises(AccessError, match="ngoài phạm vi"):           # a ranking over the whole city
        ward.run("unit_ranking", **u("31").scope, child_level="commune", **span)
    ward.run("unit_lookup", code="31")                                  # reference data: open
    ward.run("facts_year", unit="10621", year=2023)                     # a predecessor's facts
    preds = {p.code for p in u("10633").predecessors}
    stranger = next(c for c in units.children(db, u("291"), "commune") if c.code not in preds)
    with pytest.raises(AccessError, match="ngoài phạm vi"):
        ward.run("facts_year", unit=stranger.code, year=2023)
    with pytest.raises(AccessError, match="cả nước"):
        ward.sql("select 1")

    city = access.Guarded(db, access.Identity("p", "viewer", Scope.parse("tinh:31"), "local"))
    for k in ("31", "10633", "30", "291", "10621", "cu-31"):
        city.run("dossier_kpis", **u(k).scope, **span)
    old = access.Guarded(db, access.Identity("h", "viewer", Scope.parse("tinh:30"), "local"))
    old.run("dossier_kpis", **u("291").scope, **span)
    for k in ("31", "10633", "cu-31"):
        with pytest.raises(AccessError):
            old.run("dossier_kpis", **u(k).scope, **span)
    public = access.Guarded(db, access.anonymous("public"))
    assert public.run("dossier_kpis", **u("31").scope, **span).height > 0   # public read: national viewer


# --- sign-in settings and identity-provider accounts -------------------------------------------------------
def test_signin_settings_modes_and_refusals(tmp_path, sample_dir):
    from cchc import signin
    s = signin.settings({})
    assert s == signin.Settings() and s.session_minutes == 480
    assert signin.anonymous_mode(sample_dir, s) == "demo"            # the sample opens without sign-in
    assert signin.anonymous_mode(tmp_path, s) is None                 # real data: sign in first
    assert signin.anonymous_mode(tmp_path, signin.settings({"CCHC_PUBLIC_READ": "1"})) == "public"
    assert signin.anonymous_mode(sample_dir, signin.settings({"CCHC_REQUIRE_SIGNIN": "true"})) is None
    cfg = tmp_path / "cchc.toml"
    cfg.write_text('[signin]\nmethod = "oidc"\nsession_minutes = 60\n', encoding="utf-8")
    s = signin.settings({"CCHC_CONFIG": str(cfg)})
    assert (s.method, s.session_minutes) == ("oidc", 60)
    assert signin.settings({"CCHC_CONFIG": str(cfg), "CCHC_SIGNIN": "local"}).method == "local"  # env wins
    assert signin.method(signin.Settings(), oidc_configured=True) == "oidc"
    assert signin.method(signin.Settings(), oidc_configured=False) == "local"
    with pytest.raises(signin.ConfigError, match=r"\[auth\]"):
        signin.method(signin.Settings(method="oidc"), oidc_configured=False)
    for env in ({"CCHC_SIGNIN": "ldap"}, {"CCHC_SESSION_MINUTES": "0"}, {"CCHC_PUBLIC_READ": "maybe"},
                {"CCHC_CONFIG": str(tmp_path / "missing.toml")}):
        with pytest.raises(signin.ConfigError):
            signin.settings(env)


def test_identity_provider_accounts_map_claims_to_roles(root):
    op = access.operator()
    accounts.add(root, "an.tran", None, "viewer", Scope.parse("tinh:31"), by=op, oidc="An.Tran@HaiPhong.gov.vn")
    ident = accounts.from_claims(root, {"email": "an.tran@haiphong.gov.vn", "sub": "x1"})
    assert (ident.username, ident.via, ident.role) == ("an.tran", "oidc", "viewer")
    with pytest.raises(accounts.AccountError, match="chưa được cấp quyền"):
        accounts.from_claims(root, {"email": "la@haiphong.gov.vn"})
    with pytest.raises(accounts.AccountError, match="không đúng"):   # no local password for such an account
        accounts.authenticate(root, "an.tran", "")
    accounts.set_disabled(root, "an.tran", True, by=op)
    with pytest.raises(accounts.AccountError, match="bị khoá"):
        accounts.from_claims(root, {"email": "an.tran@haiphong.gov.vn"})


# --- the CLI: users and --as ----------------------------------------------------------------------------
def _cli(args, data_dir, stdin=""):
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    return subprocess.run([sys.executable, "-m", "cchc", "--data-dir", str(data_dir), *args], input=stdin,
                          capture_output=True, text=True, cwd=root, timeout=300)


def test_cli_users_and_acting_as_an_account(sample_dir, tmp_path):
    import os
    import shutil
    data = tmp_path / "data"
    shutil.copytree(sample_dir, data, copy_function=os.link)
    r = _cli(["users", "add", "quan.tri", "--role", "admin", "--scope", "*", "--password-stdin"], data, PASSWORD + "\n")
    assert r.returncode == 0 and "Đã thêm tài khoản quan.tri" in r.stdout, r.stderr
    r = _cli(["users", "add", "lan", "--role", "officer", "--scope", "10633", "--password-stdin"], data, PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    assert accounts.authenticate(data, "lan", PASSWORD).scope.keys == ("10633",)
    r = _cli(["users", "add", "xem", "--role", "viewer", "--scope", "99999", "--password-stdin"], data, PASSWORD + "\n")
    assert r.returncode == 2 and "Không có đơn vị mã 99999" in r.stderr and "xem" not in accounts.load(data)
    r = _cli(["users", "list"], data)
    assert r.returncode == 0 and "lan\tCán bộ nhập số liệu\t10633" in r.stdout
    # --as: the account's scope and role apply to reads and writes
    span = ["--from", "2022-12-10", "--to", "2023-12-09"]
    assert _cli(["--as", "lan", "kpis", "--unit", "10621", *span], data).returncode == 0      # its predecessor
    r = _cli(["--as", "lan", "kpis", "--unit", "31", *span], data)
    assert r.returncode == 2 and "ngoài phạm vi" in r.stderr
    r = _cli(["--as", "lan", "users", "disable", "quan.tri"], data)
    assert r.returncode == 2 and "không có quyền quản lý tài khoản" in r.stderr
    r = _cli(["--as", "lan", "undo-import"], data)
    assert r.returncode == 2 and "không có quyền hoàn tác" in r.stderr
    r = _cli(["--as", "khong.co", "kpis", "--unit", "10621", *span], data)
    assert r.returncode == 2 and "Không có tài khoản khong.co" in r.stderr
    r = _cli(["users", "disable", "lan"], data)
    assert r.returncode == 0 and accounts.current(data, "lan") is None
    whos = [e["who"] for e in audit.entries(data) if e["action"].startswith("account.")]
    assert len(whos) == 3 and all(w.startswith("cli:") for w in whos)   # the operator, as the OS user


def test_security_settings_of_the_server():
    """XSRF protection on, loopback only, uploads capped, no secrets file in the repository."""
    import subprocess
    import tomllib
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    cfg = tomllib.loads((root / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["server"]
    assert cfg["enableXsrfProtection"] is True and cfg["enableCORS"] is True
    assert cfg["address"] == "127.0.0.1" and 0 < cfg["maxUploadSize"] <= 50
    tracked = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True).stdout.split()
    assert not [f for f in tracked if f.endswith("secrets.toml") or f.startswith("data/_accounts")]


def test_sign_in_state_of_a_bucket_root_lives_in_the_state_folder(tmp_path, monkeypatch, db):
    """Data read from object storage (cchc.storage): accounts and the trail are kept in CCHC_STATE_DIR
    on the app's machine, never beside the data (no server needed: nothing is read from the bucket)."""
    bucket = "s3://cchc-du-lieu/hai-phong"
    monkeypatch.delenv("CCHC_STATE_DIR", raising=False)
    assert accounts.load(bucket) == {}   # readers of a bucket need no state folder: no account exists
    with pytest.raises(Exception, match="CCHC_STATE_DIR"):
        accounts.add(bucket, "hoa", PASSWORD, "viewer", Scope.parse("*"), by=access.operator(), db=db)
    state = tmp_path / "trang-thai"
    state.mkdir()
    monkeypatch.setenv("CCHC_STATE_DIR", str(state))
    monkeypatch.chdir(tmp_path)
    accounts.add(bucket, "hoa", PASSWORD, "viewer", Scope.parse("*"), by=access.operator(), db=db)
    assert (state / accounts.FOLDER / accounts.FILE).is_file()
    assert accounts.authenticate(bucket, "hoa", PASSWORD).username == "hoa"
    assert [e["action"] for e in audit.entries(bucket)] == [e["action"] for e in audit.entries(state)]
    assert audit.verify(state) >= 1
    assert not (tmp_path / "s3:").exists()  # nothing written under a folder named after the bucket
