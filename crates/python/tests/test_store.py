"""`sameas.Store`: the persistent identity store from Python (mirrors crates/python/src/store.rs)."""

import csv
import os
import stat
from pathlib import Path

import pandas as pd
import pytest

import sameas
from conftest import CUSTOMERS_CSV


def rows() -> list[dict[str, str]]:
    with open(CUSTOMERS_CSV, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_ingest_lookup_channels_export_backup(tmp_path: Path) -> None:
    db = tmp_path / "customers.db"
    store = sameas.Store(db)
    key = tmp_path / "customers.db.key"
    assert key.exists()
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600

    first = store.ingest(CUSTOMERS_CSV, channel="app")
    assert first["status"] == "success"
    assert first["rows_read"] == 30 and first["rows_added"] == 30
    assert first["source"] == "customers.csv"
    again = store.ingest(str(CUSTOMERS_CSV), channel="app")
    assert (again["rows_added"], again["rows_unchanged"]) == (0, 30)

    # A changed record from a DataFrame replaces the stored one; a new one is added.
    changed = rows()[:1]
    changed[0]["email"] = "zhang.wei@example.com"
    new = dict(rows()[2], record_id="W0001")
    web = store.ingest(pd.DataFrame(changed + [new]), channel="web")
    assert (web["rows_updated"], web["rows_added"]) == (1, 1)

    # By record id: one customer, masked; in the clear on request.
    [masked] = store.lookup(id="C0002")
    assert masked["entity_id"].startswith("E")
    ids = [r["id"] for r in masked["records"]]
    assert "C0001" in ids and "C0002" in ids
    assert {"id": "C0001", "channel": "web"} in masked["records"]
    assert "*" in masked["golden"]["phone"]
    [clear] = store.lookup(id="C0002", clear=True)
    assert "*" not in clear["golden"]["phone"]
    assert clear["golden"]["phone"].endswith("13800138000")
    # By phone written another way: the same customer.
    by_phone = store.lookup(phone="13800138000")
    assert masked["entity_id"] in [c["entity_id"] for c in by_phone]
    assert store.lookup(id="NO-SUCH-ID") == []
    with pytest.raises(ValueError):
        store.lookup()
    with pytest.raises(ValueError):
        store.lookup(id="C0001", phone="13800138000")

    channels = store.channels()
    assert [c["name"] for c in channels] == ["app", "web"]
    assert not any(c["paused"] for c in channels)
    assert len(channels[0]["recent_scores"]) == 2

    out = tmp_path / "unified"
    store.export(out)
    with open(out / "entities.csv", newline="", encoding="utf-8") as f:
        exported = list(csv.DictReader(f))
    assert len(exported) == 31
    assert {r["record_id"] for r in exported} >= {"C0001", "W0001"}

    backup = Path(store.backup(tmp_path / "backups"))
    assert backup.parent == tmp_path / "backups" and backup.stat().st_size > 0
    # Nothing personal in the clear in the backup.
    assert b"13800138000" not in backup.read_bytes()


def test_reopening_needs_the_same_keys(tmp_path: Path) -> None:
    db = tmp_path / "customers.db"
    sameas.Store(db).ingest([{"record_id": "1", "name": "张伟", "phone": "13800138000"},
                             {"record_id": "2", "name": "王芳", "phone": "13900001111"}],
                            channel="app")
    assert sameas.Store(db).lookup(id="1")[0]["records"] == [{"id": "1", "channel": "app"}]
    other = tmp_path / "other.key"
    sameas.Store(tmp_path / "other.db", key=other)
    assert other.exists()
    with pytest.raises(sameas.SameasError, match="written under key"):
        sameas.Store(db, key=other)
    with pytest.raises(TypeError):
        sameas.Store(db).ingest(42, channel="app")
