"""BG/NBD and Gamma-Gamma fits: sameas against lifetimes 0.11.3 on one summary, same run.

Usage:
    python benches/peers/clv_lifetimes.py SUMMARY.csv [--runs 3] [--fit-timing PATH]

SUMMARY.csv has `customer_id,frequency,recency,T[,monetary_value]` (the CDNOW summary in
crates/score/data/cdnow, or one written by `sameas synth --customers N --summary S`).
sameas is timed with the `fit_timing` example
(`cargo build --release -p sameas-score --example fit_timing`), which reads the same file
and prints each fit's seconds; lifetimes is timed around `fit` on a frame already read.
Needs `pip install lifetimes==0.11.3 pandas`.
"""

import argparse
import re
import statistics
import subprocess
import time

import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter


def sameas_seconds(binary: str, path: str, model: str) -> tuple[float, str]:
    out = subprocess.run([binary, path, model], check=True, capture_output=True, text=True).stdout
    line = next(l for l in out.splitlines() if l.startswith(model + " "))
    return float(re.match(rf"{model} ([0-9.]+) s", line).group(1)), line


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("summary")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--fit-timing", default="target/release/examples/fit_timing")
    args = parser.parse_args()
    frame = pd.read_csv(args.summary)
    frame.columns = ["id", "frequency", "recency", "T", "monetary_value"][: len(frame.columns)]
    spend = frame[frame["frequency"] > 0]
    has_spend = "monetary_value" in frame.columns

    rows = []
    for model in ["bg_nbd"] + (["gamma_gamma"] if has_spend else []):
        ours, theirs, ours_line, theirs_params = [], [], "", None
        for _ in range(args.runs):
            seconds, ours_line = sameas_seconds(args.fit_timing, args.summary, model)
            ours.append(seconds)
            start = time.perf_counter()
            if model == "bg_nbd":
                fitted = BetaGeoFitter(penalizer_coef=0.0).fit(
                    frame["frequency"], frame["recency"], frame["T"]
                )
            else:
                fitted = GammaGammaFitter(penalizer_coef=0.0).fit(
                    spend["frequency"], spend["monetary_value"]
                )
            theirs.append(time.perf_counter() - start)
            theirs_params = {k: round(float(v), 4) for k, v in fitted.params_.items()}
        ratio = statistics.median(theirs) / statistics.median(ours)
        rows.append((model, statistics.median(ours), statistics.median(theirs), ratio))
        print(f"{model}: sameas {ours_line}")
        print(f"{model}: lifetimes {theirs_params}")
    print(f"\n{len(frame):,} customers, median of {args.runs} runs each, same run")
    print("| model | sameas s | lifetimes s | lifetimes ÷ sameas |")
    print("|---|---|---|---|")
    for model, ours, theirs, ratio in rows:
        print(f"| {model} | {ours:.3f} | {theirs:.3f} | {ratio:.1f}× |")


if __name__ == "__main__":
    main()
