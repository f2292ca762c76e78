"""Every kind of data a call accepts (mirrors crates/python/src/input.rs and arrow.rs)."""

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

import sameas
from conftest import CUSTOMERS_CSV, CUSTOMERS_JSONL


def expected_entities(cli_output: Path) -> list[dict[str, str]]:
    with open(cli_output / "entities.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def as_strings() -> pa.Table:
    columns = pacsv.read_csv(CUSTOMERS_CSV).column_names
    return pacsv.read_csv(
        CUSTOMERS_CSV,
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in columns}, strings_can_be_null=False
        ),
    )


class StreamOnly:
    """An object that speaks only the Arrow PyCapsule stream interface."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        return self.table.__arrow_c_stream__(requested_schema)


def inputs() -> dict[str, Any]:
    table = as_strings()
    rows = table.to_pylist()
    return {
        "str path": str(CUSTOMERS_CSV),
        "pathlib path": CUSTOMERS_CSV,
        "json lines": CUSTOMERS_JSONL,
        "pandas": pd.read_csv(CUSTOMERS_CSV, dtype=str, keep_default_na=False),
        "pandas, missing as NaN": pd.read_csv(CUSTOMERS_CSV, dtype=str),
        "polars": pl.read_csv(CUSTOMERS_CSV, infer_schema=False),
        "pyarrow table": table,
        "pyarrow large strings": table.cast(
            pa.schema([pa.field(f.name, pa.large_string()) for f in table.schema])
        ),
        "pyarrow dictionary": table.set_column(
            3, "phone", table.column("phone").dictionary_encode()
        ),
        "record batch reader": pa.RecordBatchReader.from_batches(
            table.schema, table.to_batches(max_chunksize=7)
        ),
        "record batch": table.combine_chunks().to_batches()[0],
        "stream interface": StreamOnly(table),
        "list of dicts": rows,
        "tuple of dicts": tuple(rows),
    }


@pytest.mark.parametrize("kind", list(inputs()))
def test_every_input_gives_the_cli_entities(kind: str, cli_output: Path) -> None:
    data = inputs()[kind]
    resolution = sameas.Resolver().resolve(data)
    assert resolution.entities.to_pylist() == expected_entities(cli_output)


def test_output_tables_convert() -> None:
    resolution = sameas.Resolver().resolve(CUSTOMERS_CSV)
    assert resolution.entities.to_pandas().shape == (30, 2)
    assert pl.from_arrow(resolution.golden).height == 18


def golden_field(data: Any, field: str) -> list[Any]:
    resolution = sameas.Resolver().resolve(data)
    return sorted(
        (v for v in resolution.golden.column(field).to_pylist() if v is not None), key=str
    )


def test_numbers_keep_their_digits() -> None:
    base = pd.read_csv(CUSTOMERS_CSV, dtype=str, keep_default_na=False).head(4).copy()
    base["record_id"] = ["A", "B", "C", "D"]
    base["name"] = ["Ann Lee", "Bob Wu", "Cai Li", "Dan Ho"]
    base["id_number"] = ""
    base["member_no"] = ""
    base["device_id"] = ""
    base["email"] = ""
    # pandas reads a phone column with a missing value as float64.
    floats = base.copy()
    floats["phone"] = [13800138000.0, np.nan, 13900001111.0, 13712345678.0]
    assert floats["phone"].dtype == np.float64
    phones = golden_field(floats, "phone")
    assert phones == ["+8613712345678", "+8613800138000", "+8613900001111"]

    ints = base.copy()
    ints["phone"] = np.array([13800138000, 13900001111, 13712345678, 13655556666], dtype=np.int64)
    assert "+8613655556666" in golden_field(ints, "phone")

    nullable = base.copy()
    nullable["phone"] = pd.array([13800138000, None, 13712345678, None], dtype="Int64")
    assert golden_field(nullable, "phone") == ["+8613712345678", "+8613800138000"]

    rows = base.to_dict("records")
    for row, phone in zip(rows, [13800138000, 13900001111.0, None, float("nan")]):
        row["phone"] = phone
    assert golden_field(rows, "phone") == ["+8613800138000", "+8613900001111"]


def test_arrow_column_types_read_as_text(cli_output: Path) -> None:
    table = as_strings()
    dates = pa.array(
        [None if not v else v[:10].replace("/", "-") for v in table.column("updated_at").to_pylist()]
    )
    table = table.set_column(
        table.column_names.index("updated_at"),
        "updated_at",
        pa.compute.cast(dates, pa.date32(), safe=False),
    )
    assert sameas.Resolver().resolve(table).entities.num_rows == 30


def test_unreadable_input_types() -> None:
    with pytest.raises(TypeError, match="list of dicts"):
        sameas.Resolver().resolve(42)
    with pytest.raises(sameas.InputError, match="row 2"):
        sameas.Resolver().resolve([{"id": "1"}, "not a dict"])
