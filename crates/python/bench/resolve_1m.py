"""Resolving generated records from a pandas DataFrame against `sameas resolve` on the same
file: wall time and peak memory (maximum resident set size) of each, in child processes.

    cargo build --release -p sameas-cli
    python crates/python/bench/resolve_1m.py [--records 1000000]

Needs the sameas wheel and pandas installed. The data is generated once by
`sameas synth --records N --seed 1` under target/bench-python/.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PYTHON_RUN = """
import sys, time
import pandas as pd
import sameas
started = time.perf_counter()
df = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
read = time.perf_counter() - started
resolution = sameas.Resolver().resolve(df)
total = time.perf_counter() - started
print(f"{read:.2f} {total:.2f} {resolution.report['entities']}")
"""


def run(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB, and standard output of a child process."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, cwd=ROOT)
    out = child.stdout.read().decode() if child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{command[0]} failed")
    return wall, usage.ru_maxrss / 1024, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--cli", default=str(ROOT / "target" / "release" / "sameas"))
    args = parser.parse_args()
    folder = ROOT / "target" / "bench-python"
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / f"customers-{args.records}.csv"
    if not data.exists():
        subprocess.run(
            [args.cli, "synth", "--records", str(args.records), "--seed", "1",
             "--out", str(data), "--truth", str(folder / f"truth-{args.records}.csv")],
            check=True,
        )
    cli_wall, cli_rss, _ = run(
        [args.cli, "resolve", str(data), "--out", str(folder / "cli-out"), "-q"]
    )
    py_wall, py_rss, out = run([sys.executable, "-c", PYTHON_RUN, str(data)])
    read, total, entities = out.split()
    print(f"{args.records} records, {entities} entities")
    print("| run | wall s | peak RSS MB |")
    print("|---|---|---|")
    print(f"| sameas resolve (CLI, writes its output files) | {cli_wall:.1f} | {cli_rss:.0f} |")
    print(f"| Python: pd.read_csv + Resolver().resolve(df) | {py_wall:.1f} | {py_rss:.0f} |")
    print(f"| (of which pd.read_csv {float(read):.1f} s, resolve {float(total) - float(read):.1f} s) | | |")
    print(f"ratio wall {py_wall / cli_wall:.2f}x, peak memory {py_rss / cli_rss:.2f}x")


if __name__ == "__main__":
    main()
