"""sameas.spark: on PySpark in local mode, the partition and golden records equal the CLI's
on the same 10,000 generated records, with rows in file order and shuffled.

Needs Java: without it the test fails (CI installs Debian's openjdk-17-jre-headless)."""

import csv
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

import sameas
import sameas.spark

RECORDS = 10_000


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    assert shutil.which("java"), "Spark needs Java: install openjdk-17-jre-headless"
    from pyspark.sql import SparkSession

    # Workers run this interpreter, which has the wheel installed.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("sameas-test")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def generated(cli: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """10,000 generated records, the same rows shuffled, the CLI's result, and Python's."""
    out = tmp_path_factory.mktemp("spark")
    data, shuffled, result = out / "customers.csv", out / "shuffled.csv", out / "cli"
    subprocess.run(
        [str(cli), "synth", "--records", str(RECORDS), "--seed", "11", "--out", str(data),
         "--truth", str(out / "truth.csv")],
        check=True,
        capture_output=True,
    )
    with data.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    body = rows[1:]
    random.Random(5).shuffle(body)
    with shuffled.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([rows[0], *body])
    subprocess.run(
        [str(cli), "resolve", str(data), "--out", str(result), "-q"],
        check=True,
        capture_output=True,
    )
    # Golden records and conflicts as Python's resolve gives them (the CLI's golden.csv
    # holds the same values, escaped for spreadsheets).
    resolver = sameas.Resolver()
    one = resolver.resolve(str(data))
    return {"data": data, "shuffled": shuffled, "result": result,
            "config": resolver.to_json(),
            "golden": sorted(one.golden.to_pylist(), key=lambda r: r["entity_id"]),
            "conflicts": one.conflicts.num_rows}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def spark_csv(spark: Any, path: Path) -> Any:
    # Every column as text, as the CLI reads it; quotes doubled inside quoted cells.
    return spark.read.csv(str(path), header=True, escape='"', multiLine=True)


@pytest.mark.parametrize("order", ["data", "shuffled"])
def test_spark_equals_the_cli(spark: Any, generated: dict[str, Any], order: str) -> None:
    df = spark_csv(spark, generated[order]).repartition(3)
    # In file order the driver fits; shuffled, the plan takes the CLI's trained
    # configuration (fitting does not depend on row order: tested in Rust).
    config = None if order == "data" else generated["result"] / "config.json"
    result = sameas.spark.resolve(df, config=config)
    entities, golden = result
    try:
        cli_entities = {r["record_id"]: r["entity_id"] for r in read_csv(
            generated["result"] / "entities.csv")}
        got = {r["record_id"]: r["entity_id"] for r in entities.collect()}
        assert len(got) == RECORDS
        # Records whose entity differs from the CLI's: none.
        moved = [r for r, e in cli_entities.items() if got.get(r) != e]
        assert len(moved) == 0, f"{len(moved)} records in another entity"

        expected = generated["golden"]
        assert list(golden.columns) == list(expected[0].keys())
        rows = sorted((r.asDict() for r in golden.collect()), key=lambda r: r["entity_id"])
        assert len(rows) == len(expected)
        differ = [a["entity_id"] for a, b in zip(rows, expected) if a != b]
        assert differ == [], f"{len(differ)} golden records differ"
        assert result.conflicts.count() == generated["conflicts"]
        assert result.report["entities"] == len(expected)
    finally:
        result.unpersist()


def test_a_row_without_id_is_refused(spark: Any) -> None:
    rows = [("1", "张伟", "13800138000"), (None, "王芳", "13900001111")]
    df = spark.createDataFrame(rows, "record_id string, name string, phone string")
    config = sameas.Resolver()
    config.fit([{"record_id": "1", "name": "张伟", "phone": "13800138000"},
                {"record_id": "2", "name": "張偉", "phone": "13800138000"}])
    with pytest.raises(sameas.InputError, match="1 row without a record id"):
        sameas.spark.resolve(df, config=config.to_json())


def test_term_frequencies_are_counted_over_every_record(
    spark: Any, generated: dict[str, Any]
) -> None:
    # Beyond the sample, the driver fits on some records; the plan then counts the
    # frequencies over all of them: here the whole data's configuration holding the tables
    # of a third of the records gets the whole data's tables back.
    whole = json.loads(generated["config"])
    third = sameas.Resolver()
    third.fit(read_csv(generated["data"])[::3])
    start = dict(whole, term_frequencies=json.loads(third.to_json())["term_frequencies"])
    assert start["term_frequencies"] != whole["term_frequencies"]
    df = spark_csv(spark, generated["shuffled"]).repartition(3)
    counted = json.loads(sameas.spark._whole_frequencies(df, json.dumps(start)))
    assert counted["term_frequencies"] == whole["term_frequencies"]


def test_label_propagation_finds_the_driver_s_components(spark: Any) -> None:
    # Beyond `driver_edges` the components come from label propagation in Spark SQL.
    # Paths of one to four edges, their records in random order, so that labels must
    # travel a few hops.
    rng = random.Random(9)
    ids = [f"R{i:03d}" for i in range(60)]
    rng.shuffle(ids)
    edges = []
    at = 0
    while at < len(ids) - 1:
        size = rng.randint(2, 5)
        path = ids[at:at + size]
        edges += [tuple(sorted(pair)) for pair in zip(path, path[1:])]
        at += size
    df = spark.createDataFrame(edges, "a string, b string")
    got = {r[0]: r[1] for r in sameas.spark._label_propagation(df).collect()}
    names, roots = sameas._sameas.components([a for a, _ in edges], [b for _, b in edges])
    assert got == dict(zip(names, roots))
    assert len(set(roots)) < len(names)
