#!/usr/bin/env bash
# Scale: `sameas resolve` end to end on generated records (seed 1) at the sizes given,
# with wall time, peak memory (GNU time's maximum resident set size), the run's per-stage
# seconds, its candidate pairs (in all and per record) and its F1 against the generator's truth.
#
#   benches/scale.sh                       # 100,000 and 1,000,000 records
#   benches/scale.sh 100000 300000 1000000
#   RAYON_NUM_THREADS=1 benches/scale.sh 1000000
#   SAMEAS=path/to/sameas benches/scale.sh # use that binary instead of building one
#   SHAPE=febrl benches/scale.sh 1000000   # FEBRL-shaped records (benches/febrl_scaled.py)
#
# Data and outputs go to target/bench-data/ (generated once per size, then reused).
# Needs GNU time at /usr/bin/time. Peak memory is about 1.6 GB per million generated records
# (1.67 GB at 1M, 4.68 GB at 3M, 15.4 GB at 10M; BENCHMARKS.md, scale).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[[ ${#sizes[@]} -eq 0 ]] && sizes=(100000 1000000)

if [[ -z "${SAMEAS:-}" ]]; then
  cargo build --release --quiet -p sameas-cli
  SAMEAS=target/release/sameas
fi
dir=target/bench-data
mkdir -p "$dir"
threads="${RAYON_NUM_THREADS:-all}"

printf '%10s %7s %10s %8s %8s %8s %9s %6s %6s %6s %6s %6s %6s %6s %6s %7s %7s\n' \
  records threads pairs pairs/rec wall_s peak_GB normalize train block score cluster golden \
  write other pw_F1 b3_F1 entities
for n in "${sizes[@]}"; do
  shape="${SHAPE:-synth}"
  data="$dir/${shape}_$n.csv"
  truth="$dir/${shape}_${n}_truth.csv"
  if [[ ! -s "$data" || ! -s "$truth" ]]; then
    case "$shape" in
      synth) "$SAMEAS" synth --records "$n" --seed 1 --out "$data" --truth "$truth" >/dev/null ;;
      febrl) python3 benches/febrl_scaled.py --records "$n" --seed 1 --out "$data" --truth "$truth" ;;
      *) echo "SHAPE is synth or febrl" >&2; exit 2 ;;
    esac
  fi
  out="$dir/out_${shape}_$n"
  log="$dir/resolve_${shape}_${n}_$threads.log"
  /usr/bin/time -v "$SAMEAS" resolve "$data" --out "$out" --truth "$truth" -q >"$log" 2>&1
  awk -v n="$n" -v threads="$threads" '
    / candidate pairs/ { pairs = $1 }
    /^seconds:/ {
      gsub(/,/, "")
      for (i = 2; i < NF; i += 2) s[$i] = $(i + 1)
    }
    / -> [0-9]+ entities/ { for (i = 1; i <= NF; i++) if ($i == "->") entities = $(i + 1) }
    /^against the truth:/ { sub(/;/, "", $10); pw = $10; b3 = $13 }
    /Elapsed \(wall clock\)/ {
      t = $NF; k = split(t, p, ":")
      wall = (k == 3) ? p[1] * 3600 + p[2] * 60 + p[3] : p[1] * 60 + p[2]
    }
    /Maximum resident set size/ { peak = $NF / 1048576 }
    END {
      other = s["total"] - s["normalize"] - s["train"] - s["block"] - s["score"] \
        - s["cluster"] - s["golden"] - s["write"]
      printf "%10s %7s %10s %8.2f %8.1f %8.2f %9.1f %6.1f %6.1f %6.1f %6.1f %6.1f %6.1f %6.1f %6s %7s %7s\n",
        n, threads, pairs, pairs / n, wall, peak, s["normalize"], s["train"], s["block"], s["score"],
        s["cluster"], s["golden"], s["write"], other, pw, b3, entities
    }' "$log"
done
