"""Resolving generated records on Spark (`sameas.spark.resolve`, local mode) against
`sameas resolve` on the same file: wall time of each, and the agreement of the two
partitions (pairwise and B-cubed F1 of Spark's entities taken against the CLI's, by
`sameas eval`).

    cargo build --release -p sameas-cli
    python crates/python/bench/spark_resolve.py [--records 100000] [--master local[2]]

Also prints the CPU time of the JVM and of the Python workers during the run (Linux: read
from /proc). Needs the sameas wheel with its `spark` extra (PySpark) and Java. The data is
generated once by `sameas synth --records N --seed 1` under target/bench-spark/.
"""

import argparse
import csv
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        return f.read().rsplit(")", 1)[1].split()


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(_stat(int(entry))[1]) == pid:
                    out.append(int(entry))
            except OSError:
                pass
    return out


def cpu_seconds(jvm: int) -> tuple[float, float]:
    """User and system CPU seconds (Linux, local mode) of the JVM, and of the Python workers
    it started: live processes, and the exited ones their parents waited for."""

    def own(pid: int, waited: bool) -> float:
        f = _stat(pid)
        ticks = int(f[11]) + int(f[12]) + (int(f[13]) + int(f[14]) if waited else 0)
        return ticks / TICK

    workers = 0.0
    for child in _children(jvm):
        workers += own(child, True)
        workers += sum(own(g, False) for g in _children(child))
    return own(jvm, False), workers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--driver-memory", default="8g")
    parser.add_argument("--shuffle-partitions", type=int, default=8)
    args = parser.parse_args()

    cli = ROOT / "target" / "release" / "sameas"
    work = ROOT / "target" / "bench-spark"
    work.mkdir(parents=True, exist_ok=True)
    data = work / f"synth_{args.records}.csv"
    if not data.exists():
        subprocess.run(
            [str(cli), "synth", "--records", str(args.records), "--seed", "1",
             "--out", str(data), "--truth", str(work / f"synth_{args.records}_truth.csv")],
            check=True, capture_output=True,
        )

    out = work / f"cli_{args.records}"
    started = time.perf_counter()
    subprocess.run([str(cli), "resolve", str(data), "--out", str(out), "-q"], check=True)
    cli_seconds = time.perf_counter() - started

    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    import sameas.spark

    spark = (
        SparkSession.builder.master(args.master)
        .appName("sameas-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", args.driver_memory)
        .config("spark.sql.shuffle.partitions", str(args.shuffle_partitions))
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    jvm = spark.sparkContext._jvm.ProcessHandle.current().pid()
    jvm_before, workers_before = cpu_seconds(jvm)
    started = time.perf_counter()
    df = spark.read.csv(str(data), header=True, escape='"', multiLine=True)
    result = sameas.spark.resolve(df)
    rows = result.entities.collect()
    collected = time.perf_counter()
    golden = result.golden.count()
    spark_seconds = time.perf_counter() - started
    golden_seconds = time.perf_counter() - collected
    jvm_after, workers_after = cpu_seconds(jvm)

    predicted = work / f"spark_{args.records}_entities.csv"
    with predicted.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["record_id", "entity_id"])
        writer.writerows((r[0], r[1]) for r in rows)
    agreement = subprocess.run(
        [str(cli), "eval", str(predicted), "--truth", str(out / "entities.csv")],
        check=True, capture_output=True, text=True,
    ).stdout
    same = sum(1 for _ in open(out / "entities.csv", encoding="utf-8")) - 1
    print(f"records {args.records}, master {args.master}, "
          f"shuffle partitions {args.shuffle_partitions}")
    print(f"cli resolve: {cli_seconds:.1f} s")
    print(f"spark resolve (fit, block, score, cluster, entities collected, golden counted): "
          f"{spark_seconds:.1f} s; {golden} golden records (golden {golden_seconds:.1f} s)")
    print(f"cpu: jvm {jvm_after - jvm_before:.1f} s, python workers "
          f"{workers_after - workers_before:.1f} s")
    print(f"report: {result.report}")
    print(f"spark entities against the cli's ({same} records):\n{agreement}")
    spark.stop()


if __name__ == "__main__":
    main()
