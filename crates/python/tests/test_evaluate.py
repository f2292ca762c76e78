"""sameas.evaluate (mirrors crates/python/src/evaluate.rs) against the CLI's evaluation."""

import json
import subprocess
from pathlib import Path

import pandas as pd

import sameas


def test_evaluation_equals_the_cli(cli: Path, synth: tuple[Path, Path], tmp_path: Path) -> None:
    data, truth = synth
    subprocess.run(
        [str(cli), "resolve", str(data), "--out", str(tmp_path), "--truth", str(truth), "-q"],
        check=True,
        capture_output=True,
    )
    cli_eval = json.loads((tmp_path / "report.json").read_text())["evaluation"]
    resolution = sameas.Resolver().resolve(data)
    ours = sameas.evaluate(truth, resolution)
    assert ours["pairwise"] == cli_eval["pairwise"]
    assert ours["bcubed"] == cli_eval["bcubed"]
    assert ours["counts"] == cli_eval["counts"]
    # Tables in, as well as a Resolution.
    again = sameas.evaluate(pd.read_csv(truth, dtype=str), resolution.entities)
    assert again["pairwise"] == ours["pairwise"]
    assert 0.5 < ours["pairwise"]["f1"] <= 1.0
