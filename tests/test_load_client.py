"""The load test's Streamlit protocol client (bench/load/stclient.py) and its Locust users
(bench/load/locustfile.py) against a real server of the dashboard over the cached sample.

One server (python -m cchc.ui.serve, demo reading without sign-in) serves both checks:
- a session opens the deep link of xã Quốc Tuấn's 2023 report period, then follows a link to xã
  Trần Phú on the same tab: both runs reach script_finished, the elements the server sent name the
  unit and period (and Quốc Tuấn's 3.262 dossiers), and no exception or st.error came;
- Locust, headless, 2 users for ~10 s: at least one "open" succeeded and nothing failed (its CSV).
"""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from browser_util import ROOT, streamlit_server

sys.path.insert(0, str(ROOT / "bench" / "load"))

pytestmark = pytest.mark.slow
ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="module")
def server(sample_dir):
    with streamlit_server(sample_dir, ARTIFACTS / "load-client-server.log",
                          env={"CCHC_PUBLIC_READ": "1"}) as url:
        yield url


def test_session_opens_a_deep_link_and_changes_unit(server):
    from stclient import Session

    with Session(server) as s:
        first = s.open("/tong-quan?unit=10621&from=2022-12-10&to=2023-12-09")
        assert first.ok, first.errors
        assert first.status == 0  # FINISHED_SUCCESSFULLY
        assert first.deltas > 10 and first.bytes > 0
        assert "Xã Quốc Tuấn, Huyện Nam Sách — Năm 2023 (10/12/2022 – 09/12/2023)" in first.texts
        assert "3.262" in first.texts  # the report's dossiers received, as the metric card shows it
        assert "unit=10621" in first.query_string  # the app rewrote the URL with the same unit

        second = s.rerun("unit=10633&from=2025-07-01&to=2025-12-31")
        assert second.ok, second.errors
        assert second.status == 0
        assert any(t.startswith("Xã Trần Phú, Thành phố Hải Phòng — Từ 01/07/2025 đến 31/12/2025")
                   for t in second.texts), [t for t in second.texts if "Trần Phú" in t]
        assert not any("Quốc Tuấn, Huyện Nam Sách — Năm 2023" in t for t in second.texts)
        assert second.query_string.startswith("unit=10633")


def test_a_bad_link_is_a_page_not_an_error(server):
    """A unit that does not exist: the app warns and shows its default, which the client does not
    count as an error (only exceptions and st.error are)."""
    from stclient import Session

    with Session(server) as s:
        r = s.open("/tong-quan?unit=99999999")
        assert r.ok, r.errors
        assert any("Đường dẫn không dùng được" in t for t in r.texts)


def test_locust_users_against_the_server(server, sample_dir, tmp_path):
    prefix = tmp_path / "locust"
    env = {**os.environ, "CCHC_DATA_DIR": str(sample_dir), "LOAD_THINK": "0.5,1.5",
           "LOAD_SAMPLES": str(tmp_path / "samples.jsonl")}
    cmd = [str(Path(sys.executable).parent / "locust"), "-f", str(ROOT / "bench" / "load" / "locustfile.py"),
           "--host", server, "--headless", "--users", "2", "--spawn-rate", "2", "--run-time", "10s",
           "--stop-timeout", "5", "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    rows = {(r["Type"], r["Name"]): r for r in csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8"))}
    assert int(rows[("open", "open")]["Request Count"]) >= 1
    assert int(rows[("", "Aggregated")]["Failure Count"]) == 0, open(f"{prefix}_failures.csv").read()
    samples = (tmp_path / "samples.jsonl").read_text().splitlines()
    assert samples and all('"ok": true' in x for x in samples)
