"""The SameasError hierarchy (mirrors crates/python/src/errors.rs)."""

from pathlib import Path

import pyarrow as pa
import pytest

import sameas
from conftest import CUSTOMERS_CSV


def test_hierarchy_mirrors_the_rust_error() -> None:
    bad_input = [sameas.TableError, sameas.NormalizeError, sameas.ConfigError,
                 sameas.InputError, sameas.EvalError]
    for cls in bad_input:
        assert issubclass(cls, sameas.SameasError) and issubclass(cls, ValueError)
    for cls in [sameas.UnknownRecordError, sameas.UnknownEntityError]:
        assert issubclass(cls, sameas.SameasError) and issubclass(cls, KeyError)
    assert issubclass(sameas.IoError, OSError)
    for cls in [sameas.MatchError, sameas.MergeError, sameas.NotFittedError,
                sameas.NothingResolvedError, sameas.CancelledError]:
        assert issubclass(cls, sameas.SameasError) and not issubclass(cls, ValueError)
    assert issubclass(sameas.SameasError, Exception)
    assert sameas.InputError.__module__ == "sameas" and sameas.InputError.__doc__


def test_config_errors() -> None:
    with pytest.raises(sameas.ConfigError):
        sameas.Resolver("{not json")
    with pytest.raises(sameas.ConfigError, match="version"):
        sameas.Resolver({"version": 99})
    with pytest.raises(sameas.ConfigError):
        sameas.Resolver().to_json()
    with pytest.raises(TypeError):
        sameas.Resolver(42)  # type: ignore[arg-type]


def test_state_errors() -> None:
    resolver = sameas.Resolver()
    with pytest.raises(sameas.NotFittedError):
        resolver.add(CUSTOMERS_CSV)
    with pytest.raises(sameas.NothingResolvedError):
        resolver.remove("C0001")
    with pytest.raises(sameas.NotFittedError):
        resolver.explain_pair("C0001", "C0002")
    resolver.resolve(CUSTOMERS_CSV)
    with pytest.raises(sameas.UnknownRecordError):
        resolver.explain_pair("C0001", "nobody")
    with pytest.raises(sameas.UnknownEntityError):
        resolver.explain_entity("E99999999")
    with pytest.raises(KeyError):
        resolver.remove(["nobody"])


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(sameas.IoError) as caught:
        sameas.Resolver().resolve(tmp_path / "missing.csv")
    assert isinstance(caught.value, OSError)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(sameas.TableError, match="empty"):
        sameas.Resolver().resolve(empty)


def test_input_errors_name_the_row_and_column_not_the_value() -> None:
    rows = [
        {"id": "secret-1", "name": "张伟", "phone": "13800138000"},
        {"id": "secret-1", "name": "王芳", "phone": "13900001111"},
    ]
    with pytest.raises(sameas.InputError) as caught:
        sameas.Resolver().resolve(rows)
    assert isinstance(caught.value, ValueError)
    assert "row 2" in str(caught.value) and "secret-1" not in str(caught.value)

    resolver = sameas.Resolver()
    resolver.resolve(CUSTOMERS_CSV)
    with pytest.raises(sameas.InputError, match="no column `phone`"):
        resolver.add([{"record_id": "X1", "name": "张伟"}])

    table = pa.table({
        "id": ["1", "2"],
        "name": ["张伟", "王芳"],
        "tags": pa.array([{"a": 1}, {"a": 2}]),
    })
    with pytest.raises(sameas.InputError, match="column `tags`"):
        sameas.Resolver().resolve(table)


def test_evaluation_errors() -> None:
    resolution = sameas.Resolver().resolve(CUSTOMERS_CSV)
    with pytest.raises(sameas.EvalError, match="row 2, column record_id"):
        sameas.evaluate([{"id": "C0001", "cluster": "1"}], resolution)
