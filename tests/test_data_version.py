"""The data version stamp (cchc.store.data_version): every completed write through cchc.store bumps
it as its last step, and the app's caches key on it (cchc.ui.state._fingerprint), so that no process
serves figures older than what another process (an app process, the command line) has just written.
Real writes on a copy of the sample: a load, a facts save, a rollup build; real processes."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from cchc import access, accounts, kpis, periods, rollup, store, units
from cchc.db import Database
from cchc.ingest import facts_entry as fe
from cchc.ingest import load

ROOT = Path(__file__).resolve().parent.parent
MAY = ROOT / "tests" / "files" / "load" / "so-ho-so-quoc-tuan-2023-05.csv"   # 30 dossiers of xã Quốc Tuấn, May 2023
BAD = ROOT / "tests" / "files" / "load" / "so-ho-so-sai.csv"                  # rows the loader refuses
MAY_2023 = periods.period_for(date(2023, 5, 1), date(2023, 5, 31), 10)


def received(root: Path, key: str = "10621", p: periods.Period = MAY_2023) -> int:
    """Dossiers received by the unit over the period, from a Database opened now."""
    db = Database(root)
    try:
        return kpis.kpis(db, units.resolve(db, key), p)["received_total"]
    finally:
        db.close()


def test_a_load_bumps_the_version_and_a_database_opened_before_sees_the_new_rows(sample_copy):
    db = Database(sample_copy)          # opened before the load, as a server process's is
    try:
        unit = units.resolve(db, "10621")
        before = kpis.kpis(db, unit, MAY_2023)["received_total"]
        v0 = store.data_version(sample_copy)
        load.load_file(MAY, sample_copy, by=access.operator())
        v1 = store.data_version(sample_copy)
        assert v1 != v0
        after = kpis.kpis(db, unit, MAY_2023)["received_total"]
    finally:
        db.close()
    assert after == before + 30 == received(sample_copy)
    # the stamp is a counter, a time and a random part, in the store's own (lock) file
    counter, ns, rnd = store.version_path(sample_copy).read_text(encoding="utf-8").split()
    assert int(counter) >= 1 and int(ns) > 0 and len(rnd) == 16


def test_a_refused_load_leaves_the_version_readable_and_unchanged(sample_copy):
    v0 = store.data_version(sample_copy)
    with pytest.raises(load.LoadError):
        load.load_file(BAD, sample_copy, by=access.operator())
    assert store.data_version(sample_copy) == v0


def test_a_facts_save_bumps_the_version(sample_copy):
    v0 = store.data_version(sample_copy)
    n = fe.save(sample_copy, "10621", 2023, [{"indicator": "plans_issued", "value": 7, "note": "QĐ 7"}], "Cán bộ xã",
                by=access.operator())
    assert n == 1
    assert store.data_version(sample_copy) != v0


def test_a_rollup_build_bumps_the_version(sample_copy):
    v0 = store.data_version(sample_copy)
    province = rollup.provinces_with_data(sample_copy, rollup.ROLLUPS["dossier_daily"][0])[0]
    rollup.build(sample_copy, [province])
    assert store.data_version(sample_copy) != v0


def test_account_writes_and_failed_sign_ins_change_no_figure_and_keep_the_version(sample_copy):
    v0 = store.data_version(sample_copy)
    accounts.add(sample_copy, "lan.nguyen", "mot-mat-khau-dai", "viewer", access.Scope("country"),
                 by=access.operator())
    with pytest.raises(accounts.AccountError):
        accounts.authenticate(sample_copy, "lan.nguyen", "sai-mat-khau-roi")
    assert store.data_version(sample_copy) == v0


def test_replacing_the_whole_folder_changes_the_version(tmp_path):
    """The sample generator swaps the whole data folder: the folder's inode is part of the version."""
    root = tmp_path / "data"
    root.mkdir()
    (root / "a.txt").write_text("1", encoding="utf-8")
    v0 = store.data_version(root)
    tmp = store.temp_dir(tmp_path, "data")
    store.link_copy(root, tmp)
    store.swap_dir(tmp, root)
    assert store.data_version(root) != v0
    assert store.data_version(tmp_path / "absent") == "none"


def test_every_bump_is_a_new_version_even_within_one_clock_tick(tmp_path):
    """Bumps in a row, faster than the file system's clock ticks and reusing freed inodes: each one is
    still a new (inode, size, mtime), so a reader's cached text is never taken for the next one's."""
    seen, keys = set(), set()
    for _ in range(200):
        text = store.bump_version(tmp_path)
        v = store.data_version(tmp_path)
        assert v.endswith(text)
        st = store.version_path(tmp_path).stat()
        keys.add((st.st_ino, st.st_size, st.st_mtime_ns))
        seen.add(v)
    assert len(seen) == len(keys) == 200
    assert not store.leftovers(tmp_path, store.VERSION_FILE)


# --- two processes -------------------------------------------------------------------------------------
# A server process's query cache (cchc.ui.state.CachedDatabase: the one every page uses), with the file
# listing's time-to-live set to an hour, so only the version stamp can make it see a write. It answers
# each line on stdin with the figure and how many results its cache holds.
READER = r"""
import json, sys
from datetime import date
from cchc import kpis, periods, units
from cchc.ui import state
state.FINGERPRINT_TTL = 3600
db = state.CachedDatabase(sys.argv[1])
p = periods.period_for(date(2023, 5, 1), date(2023, 5, 31), 10)
for line in sys.stdin:
    k = kpis.kpis(db, units.resolve(db, "10621"), p)
    print(json.dumps({"received": k["received_total"], "cached": len(state._queries._kept),
                      "version": state.store.data_version(sys.argv[1])}), flush=True)
"""


@pytest.mark.slow
def test_a_load_by_the_command_line_is_seen_at_once_by_a_server_process_that_cached_the_figure(sample_copy):
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    reader = subprocess.Popen([sys.executable, "-c", READER, str(sample_copy)], cwd=ROOT, env=env, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        def ask() -> dict:
            reader.stdin.write("?\n")
            reader.stdin.flush()
            return json.loads(reader.stdout.readline())

        first, again = ask(), ask()
        assert first["received"] == again["received"]
        assert again["cached"] == first["cached"] > 0          # the second run was served from the cache
        done = subprocess.run([sys.executable, "-m", "cchc", "--data-dir", str(sample_copy), "import", str(MAY)],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        after = ask()                                          # right after the command returned
        assert after["version"] != first["version"]
        assert after["received"] == first["received"] + 30 == received(sample_copy)
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)


def test_the_app_opens_its_database_again_after_a_write_and_so_forgets_a_repaired_damage(sample_copy):
    """What a Database decides when it opens (here: a table found damaged) never outlives a write: the
    app's process-wide Database (cchc.ui.state._database) is opened again on a new data version."""
    import pyarrow.parquet as pq

    from cchc import schema
    from cchc.ui import state

    root = str(sample_copy)
    path = schema.FINANCES.path(sample_copy)
    table = pq.read_table(path)
    broken = path.with_name("broken.tmp")
    broken.write_bytes(b"not parquet")
    os.replace(broken, path)                        # a new file (the copy's others are hard links)
    first = state._database(root)
    assert "finances" in first.damaged
    assert state._database(root) is first           # no write: the same one
    with store.writing(sample_copy, path.name):
        store.write_table(path, table)              # the repair, through the write path
    again = state._database(root)
    assert again is not first and not again.damaged
