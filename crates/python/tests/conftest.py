"""Shared fixtures: the repository's sample files and the `sameas` command line."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CUSTOMERS_CSV = ROOT / "examples" / "data" / "customers.csv"
CUSTOMERS_JSONL = ROOT / "examples" / "data" / "customers.jsonl"


@pytest.fixture(scope="session")
def cli() -> Path:
    """The release `sameas` binary (SAMEAS_CLI, or target/release/sameas, built if absent)."""
    path = Path(os.environ.get("SAMEAS_CLI", ROOT / "target" / "release" / "sameas"))
    if not path.exists():
        subprocess.run(
            ["cargo", "build", "--release", "-p", "sameas-cli"], cwd=ROOT, check=True
        )
    return path


@pytest.fixture(scope="session")
def cli_output(cli: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`sameas resolve examples/data/customers.csv` run into a temporary directory."""
    out = tmp_path_factory.mktemp("cli-out")
    subprocess.run(
        [str(cli), "resolve", str(CUSTOMERS_CSV), "--out", str(out), "-q"],
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="session")
def synth(cli: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """5,000 generated records and their truth."""
    out = tmp_path_factory.mktemp("synth")
    data, truth = out / "customers.csv", out / "truth.csv"
    subprocess.run(
        [str(cli), "synth", "--records", "5000", "--seed", "7", "--out", str(data),
         "--truth", str(truth)],
        check=True,
        capture_output=True,
    )
    return data, truth
