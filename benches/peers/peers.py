"""sameas against its peers on the bench suite's files, each scored by `sameas eval`.

Usage (through run.sh, which makes the virtual environment and builds the CLI):

    benches/peers/run.sh                                  # every tool, every fast dataset
    benches/peers/run.sh --only synth_1m --tools sameas,splink
    benches/peers/run.sh --slow --markdown

Datasets come from benches/suite.toml (the same files `sameas bench` reads); generated and
joined files go to target/bench-data/ and are reused. Each tool runs in its own child
process: wall time is from start to exit, peak memory is the child's maximum resident size
(`ru_maxrss` from wait4). Every tool writes `record_id,entity_id`, and one evaluator scores
them all. A tool over --timeout or --max-memory-gb is stopped and reported as such.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import signal
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SUITE = ROOT / "benches" / "suite.toml"
# The CLI that run.sh builds; SAMEAS_BIN names another build of it.
BIN = Path(os.environ.get("SAMEAS_BIN", ROOT / "target" / "release" / "sameas")).resolve()
DATA = Path("target/bench-data")  # relative to the repo root, as the suite says
OUT = Path("target/peers")
TOOLS = ["sameas", "splink", "goldenmatch_zero", "goldenmatch", "recordlinkage"]


@dataclass
class Dataset:
    name: str
    input: Path
    truth: Path
    slow: bool = False
    records: int = 0


@dataclass
class Result:
    dataset: str
    tool: str
    status: str = "ok"  # ok, timeout, memory, failed, skipped
    wall: float = 0.0
    peak_mb: float = 0.0
    scores: dict = field(default_factory=dict)
    note: str = ""


def prepare(entry: dict) -> Dataset:
    """The dataset's one input file and its truth, writing generated or joined files once."""
    name = entry["name"]
    base = SUITE.parent
    if "synth" in entry:
        spec = entry["synth"]
        data, truth = DATA / f"{name}.csv", DATA / f"{name}_truth.csv"
        if not (data.exists() and truth.exists()):
            DATA.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [str(BIN), "synth", "--records", str(spec["records"]), "--seed",
                 str(spec.get("seed", 0)), "--out", str(data), "--truth", str(truth)],
                check=True,
            )
    else:
        inputs = [base / p for p in entry["inputs"]]
        truth = base / entry["truth"]
        if len(inputs) == 1:
            data = inputs[0]
        else:
            data = DATA / f"{name}.csv"
            if not data.exists():
                DATA.mkdir(parents=True, exist_ok=True)
                joined = bytearray()
                for i, p in enumerate(inputs):
                    raw = p.read_bytes()
                    if i > 0:
                        raw = raw.split(b"\n", 1)[1] if b"\n" in raw else b""
                    joined += raw
                    if joined and not joined.endswith(b"\n"):
                        joined += b"\n"
                data.write_bytes(bytes(joined))
    with (gzip.open if data.suffix == ".gz" else open)(data, "rb") as f:
        records = sum(1 for _ in f) - 1
    return Dataset(name, data.resolve(), truth.resolve(), bool(entry.get("slow")), records)


def rss_mb(pid: int) -> float:
    """Resident size of a process and its descendants, in MB (for the memory limit)."""
    total = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            with open(f"/proc/{p}/task/{p}/children") as f:
                stack.extend(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            pass
    return total / 1024


def run_timed(cmd: list[str], log: Path, timeout: float, max_mb: float) -> tuple[str, float, float]:
    """Run `cmd`; return (status, wall seconds, peak MB)."""
    with open(log, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
                                start_new_session=True)
        status = None
        while True:
            pid, code, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                wall = time.perf_counter() - start
                peak = usage.ru_maxrss / 1024
                break
            elapsed = time.perf_counter() - start
            if status is None and elapsed > timeout:
                status = "timeout"
            elif status is None and max_mb and rss_mb(proc.pid) > max_mb:
                status = "memory"
            if status:
                os.killpg(proc.pid, signal.SIGKILL)
            time.sleep(0.05)
        proc.returncode = code
    if status is None:
        status = "ok" if os.waitstatus_to_exitcode(code) == 0 else "failed"
    return status, wall, peak


def evaluate(truth: Path, entities: Path) -> dict:
    out = subprocess.run(
        [str(BIN), "eval", "--truth", str(truth), str(entities), "--examples", "0"],
        check=True, capture_output=True, text=True,
    ).stdout
    scores = {}
    for label, key in (("pairwise", "pw"), ("B-cubed", "b3")):
        m = re.search(rf"^{label}\s+(\S+)\s+(\S+)\s+(\S+)", out, re.M)
        if m:
            scores[f"{key}_p"], scores[f"{key}_r"], scores[f"{key}_f1"] = map(float, m.groups())
    m = re.search(r"predicted entities (\d+)", out)
    if m:
        scores["entities"] = int(m.group(1))
    return scores


def run_tool(ds: Dataset, tool: str, args) -> Result:
    res = Result(ds.name, tool)
    if tool == "recordlinkage" and ds.records > args.rl_max_records:
        res.status, res.note = "skipped", f"over {args.rl_max_records:,} records"
        return res
    if tool.startswith("goldenmatch") and ds.records > args.gm_max_records:
        res.status, res.note = "skipped", f"over {args.gm_max_records:,} records"
        return res
    work = OUT / ds.name / tool
    work.mkdir(parents=True, exist_ok=True)
    # sameas refuses an output directory holding files it did not write (the log), so its
    # result gets a directory of its own.
    result = work / "result" if tool == "sameas" else work
    entities = result / "entities.csv"
    entities.unlink(missing_ok=True)
    if tool == "sameas":
        cmd = [str(BIN), "resolve", str(ds.input), "--out", str(result), "-q"]
    else:
        cmd = [sys.executable, str(HERE / "tools.py"), tool, str(ds.input), str(entities)]
    res.status, res.wall, res.peak_mb = run_timed(
        cmd, work / "log.txt", args.timeout, args.max_memory_gb * 1024
    )
    if res.status == "ok":
        if entities.exists():
            res.scores = evaluate(ds.truth, entities)
        else:
            res.status, res.note = "failed", "no entities file"
    if res.status == "failed":
        tail = (work / "log.txt").read_text(errors="replace").strip().splitlines()[-1:]
        last = tail[0] if tail else ""
        m = re.match(r"([\w.]+(?:Error|Exception)): ", last)  # a Python traceback's last line
        res.note = res.note or (m.group(1).rsplit(".", 1)[-1] if m else last[:80])
    return res


def table(results: list[Result], markdown: bool) -> str:
    head = ["dataset", "tool", "pairwise P", "R", "F1", "B-cubed F1", "wall s", "peak MB",
            "vs sameas"]
    base = {r.dataset: r.wall for r in results if r.tool == "sameas" and r.status == "ok"}
    rows = []
    for r in results:
        if r.status == "ok":
            s = r.scores
            ratio = (f"{r.wall / base[r.dataset]:.1f}x" if r.dataset in base and r.tool != "sameas"
                     else "")
            rows.append([r.dataset, r.tool, f"{s.get('pw_p', 0):.4f}", f"{s.get('pw_r', 0):.4f}",
                         f"{s.get('pw_f1', 0):.4f}", f"{s.get('b3_f1', 0):.4f}",
                         f"{r.wall:.2f}", f"{r.peak_mb:,.0f}", ratio])
        else:
            what = {"timeout": "over time limit", "memory": "over memory limit"}.get(
                r.status, r.status)
            detail = f"{what}{': ' + r.note if r.note else ''}"
            wall = f">{r.wall:.0f}" if r.status == "timeout" else (
                f"{r.wall:.2f}" if r.wall else "")
            peak = f">{r.peak_mb:,.0f}" if r.status == "memory" else (
                f"{r.peak_mb:,.0f}" if r.peak_mb else "")
            rows.append([r.dataset, r.tool, detail, "", "", "", wall, peak, ""])
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h)
              for i, h in enumerate(head)]
    fmt = lambda row: "  ".join(c.ljust(w) if i < 2 else c.rjust(w)  # noqa: E731
                                for i, (c, w) in enumerate(zip(row, widths)))
    return "\n".join([fmt(head)] + [fmt(row) for row in rows])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", help="comma-separated dataset names (slow ones included)")
    ap.add_argument("--tools", default=",".join(TOOLS), help=f"comma-separated, of {TOOLS}")
    ap.add_argument("--slow", action="store_true", help="also run datasets marked slow")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per tool and dataset")
    ap.add_argument("--max-memory-gb", type=float, default=16, help="stop a tool above this")
    ap.add_argument("--rl-max-records", type=int, default=200_000,
                    help="skip recordlinkage above this many records")
    ap.add_argument("--gm-max-records", type=int, default=2_000_000,
                    help="skip GoldenMatch above this many records")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = ap.parse_args()
    os.chdir(ROOT)

    tools = args.tools.split(",")
    unknown = [t for t in tools if t not in TOOLS]
    if unknown:
        ap.error(f"unknown tools {unknown}; choose from {TOOLS}")
    entries = tomllib.loads(SUITE.read_text())["dataset"]
    if args.only:
        wanted = args.only.split(",")
        missing = set(wanted) - {e["name"] for e in entries}
        if missing:
            ap.error(f"not in {SUITE.name}: {sorted(missing)}")
        entries = [e for e in entries if e["name"] in wanted]
    elif not args.slow:
        entries = [e for e in entries if not e.get("slow")]

    results = []
    for entry in entries:
        ds = prepare(entry)
        for tool in tools:
            print(f"{ds.name} ({ds.records:,} records): {tool} ...", file=sys.stderr, flush=True)
            r = run_tool(ds, tool, args)
            results.append(r)
            f1 = r.scores.get("pw_f1")
            print(f"  {r.status} {r.wall:.2f} s {r.peak_mb:,.0f} MB"
                  + (f" F1 {f1:.4f}" if f1 is not None else "")
                  + (f" ({r.note})" if r.note else ""), file=sys.stderr, flush=True)
    print(table(results, args.markdown))


if __name__ == "__main__":
    main()
