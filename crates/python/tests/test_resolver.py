"""sameas.Resolver and sameas.Resolution (mirrors crates/python/src/resolver.rs)."""

import csv
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import sameas
from conftest import CUSTOMERS_CSV


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def extra_row(record_id: str, **values: str) -> dict[str, str]:
    row = {h: "" for h in read_csv(CUSTOMERS_CSV)[0]}
    row.update(record_id=record_id, channel="app", **values)
    return row


def test_entities_and_golden_equal_the_cli(cli_output: Path) -> None:
    resolver = sameas.Resolver()
    df = pd.read_csv(CUSTOMERS_CSV, dtype=str, keep_default_na=False)
    resolution = resolver.resolve(df)
    expected = read_csv(cli_output / "entities.csv")
    assert resolution.entities.to_pylist() == expected
    golden = [
        {k: ("" if v is None else v) for k, v in row.items()}
        for row in resolution.golden.to_pylist()
    ]
    assert golden == read_csv(cli_output / "golden.csv")
    cli_report = json.loads((cli_output / "report.json").read_text())
    for key in ["records", "entities", "candidate_pairs", "joins", "conflicts", "review_pairs"]:
        assert resolution.report[key] == cli_report[key], key
    assert resolution.events.num_rows == len((cli_output / "events.jsonl").read_text().splitlines())
    assert resolution.conflicts.num_rows == cli_report["conflicts"]
    assert resolution.review.num_rows == cli_report["review_pairs"]
    assert json.loads(resolver.to_json()) == json.loads((cli_output / "config.json").read_text())


def test_write_gives_the_cli_files(cli_output: Path, tmp_path: Path) -> None:
    resolution = sameas.Resolver().resolve(CUSTOMERS_CSV)
    resolution.write(tmp_path)
    for name in ["entities.csv", "golden.csv", "conflicts.jsonl", "events.jsonl", "review.csv"]:
        assert (tmp_path / name).read_text() == (cli_output / name).read_text(), name


def test_repr_len_and_state() -> None:
    resolver = sameas.Resolver()
    assert repr(resolver) == "Resolver(fitted=False, records=0, entities=0)"
    assert resolver.config is None and not resolver.fitted and len(resolver) == 0
    resolution = resolver.resolve(CUSTOMERS_CSV)
    assert repr(resolver) == "Resolver(fitted=True, records=30, entities=18)"
    assert repr(resolution) == "Resolution(records=30, entities=18, pairs=34)"
    assert len(resolution) == 30 and len(resolver) == 30
    assert resolver.config is not None and resolver.config["version"] == 1
    assert isinstance(resolution.entities, pa.Table)
    assert resolution.review.column_names[:7] == [
        "record_id_l", "record_id_r", "entity_l", "entity_r",
        "match_probability", "match_weight", "reason",
    ]


def test_add_and_remove_incrementally() -> None:
    resolver = sameas.Resolver()
    resolver.resolve(CUSTOMERS_CSV)
    zhang = resolver.entity_of("C0001")
    events = resolver.add(
        [extra_row("C0100", name="张伟", phone="13800138000", birth_date="1990-01-02")]
    )
    assert events.to_pylist() == [{"event": "record_added", "entity": zhang, "record": "C0100"}]
    assert resolver.entity_of("C0100") == zhang and len(resolver) == 31

    events = resolver.remove(["C0100"])
    assert {"event": "record_removed", "entity": zhang, "record": "C0100"} in events.to_pylist()
    assert resolver.entity_of("C0100") is None and len(resolver) == 30

    # Every id is checked before any is removed.
    with pytest.raises(sameas.UnknownRecordError):
        resolver.remove(["C0001", "nobody"])
    assert resolver.entity_of("C0001") == zhang and len(resolver) == 30
    events = resolver.remove("C0001")
    assert events.num_rows >= 1 and resolver.entity_of("C0001") is None


def test_compact_drops_removed_records_and_keeps_the_entities() -> None:
    resolver = sameas.Resolver()
    resolver.resolve(CUSTOMERS_CSV)
    resolver.remove(["C0001", "C0002"])
    before = {record: resolver.entity_of(record) for record in ("C0003", "C0010", "C0020")}
    assert resolver.compact() == 2
    assert resolver.compact() == 0
    assert len(resolver) == 28 and resolver.entity_of("C0001") is None
    assert {record: resolver.entity_of(record) for record in before} == before
    # Still adds: a record back under its id.
    events = resolver.add([extra_row("C0001", name="张伟", phone="13800138000")])
    assert events.num_rows >= 1 and resolver.entity_of("C0001") is not None


def test_fit_then_add_matches_resolve() -> None:
    rows = read_csv(CUSTOMERS_CSV)
    batch = sameas.Resolver()
    batch.resolve(rows)
    incremental = sameas.Resolver()
    incremental.fit(rows)
    assert incremental.fitted and len(incremental) == 0
    incremental.add(rows)
    for row in rows:
        a, b = row["record_id"], rows[0]["record_id"]
        assert (batch.entity_of(a) == batch.entity_of(b)) == (
            incremental.entity_of(a) == incremental.entity_of(b)
        )


def test_previous_keeps_entity_ids(cli_output: Path) -> None:
    first = sameas.Resolver().resolve(CUSTOMERS_CSV)
    previous = first.entities.to_pandas()
    previous["entity_id"] = previous["entity_id"].str.replace("E0", "K0")
    second = sameas.Resolver().resolve(CUSTOMERS_CSV, previous=previous)
    assert second.entities.column("entity_id").to_pylist() == previous["entity_id"].tolist()


def test_explanations() -> None:
    resolver = sameas.Resolver()
    resolver.resolve(CUSTOMERS_CSV)
    pair = resolver.explain_pair("C0001", "C0002")
    assert pair["is_match"] and pair["match_probability"] > 0.5
    entity = resolver.explain_entity(resolver.entity_of("C0001"))
    assert "C0001" in entity["records"] and entity["joins"]


def test_config_round_trips() -> None:
    resolver = sameas.Resolver()
    resolver.resolve(CUSTOMERS_CSV)
    text = resolver.to_json()
    for again in [
        sameas.Resolver.from_json(text),
        sameas.Resolver(text),
        sameas.Resolver(json.loads(text)),
    ]:
        assert again.fitted and json.loads(again.to_json()) == json.loads(text)
        assert again.resolve(CUSTOMERS_CSV).entities.equals(
            resolver.resolve(CUSTOMERS_CSV).entities
        )


def test_a_saved_config_adds_records_in_a_fresh_resolver(tmp_path: Path) -> None:
    rows = read_csv(CUSTOMERS_CSV)
    batch = sameas.Resolver()
    batch.resolve(rows)
    saved = tmp_path / "config.json"
    saved.write_text(batch.to_json(), encoding="utf-8")
    loaded = sameas.Resolver.from_json(saved.read_text(encoding="utf-8"))
    assert loaded.fitted and len(loaded) == 0
    loaded.add(rows)
    for row in rows:
        a, b = row["record_id"], rows[0]["record_id"]
        assert (batch.entity_of(a) == batch.entity_of(b)) == (
            loaded.entity_of(a) == loaded.entity_of(b)
        )
    assert loaded.explain_pair("C0001", "C0002") == batch.explain_pair("C0001", "C0002")
