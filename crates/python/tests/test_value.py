"""sameas.score and sameas.segment (crates/python/src/value.rs): the published CDNOW fit,
and the same results as the `sameas score` / `sameas segment` commands on generated orders."""

import json
import math
import subprocess
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import sameas

ROOT = Path(__file__).resolve().parents[3]
CDNOW = ROOT / "crates" / "score" / "data" / "cdnow" / "cdnow_customers_summary_with_transactions.csv"


def close(value: float, published: float, tolerance: float) -> bool:
    return abs(value - published) <= tolerance * abs(published)


def test_cdnow_summary_reaches_the_published_fit() -> None:
    result = sameas.score(summary=pd.read_csv(CDNOW), pareto_nbd=False)
    bg = result["model"]["bg_nbd"]
    for name, published in [("r", 0.2426), ("alpha", 4.4135), ("a", 0.7929), ("b", 2.4258)]:
        assert close(bg[name], published, 1e-3), (name, bg[name])
    gg = result["model"]["gamma_gamma"]
    for name, published in [("p", 6.2488), ("q", 3.7446), ("v", 15.4477)]:
        assert close(gg[name], published, 1e-3), (name, gg[name])
    assert result["model"]["pareto_nbd"] is None
    customers = result["customers"]
    assert isinstance(customers, pa.Table)
    assert customers.num_rows == 2357
    first = customers.slice(0, 1).to_pylist()[0]
    # Customer 1: x 2, t_x 30.43, T 38.86 (weeks).
    assert first["customer_id"] == "1"
    assert abs(first["p_alive_bg_nbd"] - 0.7266) < 5e-4
    assert math.isnan(first["p_alive_pareto_nbd"])
    assert first["unit"] == "week"


def test_orders_and_segments_equal_the_commands(cli: Path, tmp_path: Path) -> None:
    orders_csv = tmp_path / "orders.csv"
    subprocess.run(
        [str(cli), "synth", "--customers", "400", "--seed", "7", "--transactions", str(orders_csv)],
        check=True,
        capture_output=True,
    )
    scored_dir, segments_dir = tmp_path / "scored", tmp_path / "segments"
    subprocess.run(
        [str(cli), "score", "--transactions", str(orders_csv), "--out", str(scored_dir),
         "--no-pareto-nbd", "-q"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [str(cli), "segment", str(scored_dir), "--out", str(segments_dir), "-q"],
        check=True,
        capture_output=True,
    )
    model = json.loads((scored_dir / "model.json").read_text())

    # pandas in; the same orders as polars give the same answer.
    frame = pd.read_csv(orders_csv, dtype=str, keep_default_na=False)
    result = sameas.score(frame, pareto_nbd=False)
    assert result["model"]["bg_nbd"] == model["bg_nbd"]
    assert result["model"]["gamma_gamma"] == model["gamma_gamma"]
    again = sameas.score(pl.from_pandas(frame), pareto_nbd=False)
    assert again["model"]["bg_nbd"] == model["bg_nbd"]
    assert result["customers"].num_rows == pd.read_csv(scored_dir / "customers.csv").shape[0]
    assert result["orders"].num_rows == pd.read_csv(scored_dir / "orders.csv").shape[0]

    segments = sameas.segment(result["customers"], result["orders"])
    summary = json.loads((segments_dir / "segments.json").read_text())
    assert segments["summary"]["tiers"] == summary["tiers"]
    assert segments["summary"]["rfm_segments"] == summary["rfm_segments"]
    assert segments["summary"]["lifecycle"] == summary["lifecycle"]
    assert len(segments["summary"]["clusters"]) == len(summary["clusters"])
    cli_customers = pd.read_csv(segments_dir / "customers.csv", dtype=str, keep_default_na=False)
    ours = segments["customers"].to_pandas()
    assert list(ours["tier"]) == list(cli_customers["tier"])
    assert list(ours["rfm_segment"]) == list(cli_customers["rfm_segment"])
    assert segments["cohorts"].num_rows == pd.read_csv(segments_dir / "cohorts.csv").shape[0]
    assert segments["channels"].num_rows == pd.read_csv(segments_dir / "channels.csv").shape[0]
    # Settings: k fixed.
    three = sameas.segment(result["customers"], result["orders"], k=3)
    assert len(three["summary"]["clusters"]) == 3


def test_bad_arguments_are_named() -> None:
    with pytest.raises(sameas.InputError, match="either transactions or summary"):
        sameas.score()
    with pytest.raises(sameas.InputError, match="unit"):
        sameas.score(summary=str(CDNOW), unit="fortnight")
    with pytest.raises(sameas.ConfigError, match="segment configuration"):
        sameas.segment([{"customer_id": "1"}], [{"customer_id": "1"}], config={"nope": 1})
