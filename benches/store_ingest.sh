#!/usr/bin/env bash
# Store ingestion: N generated records (seed 1) split into B batches, each ingested by its
# own `sameas ingest` process into one store (as a channel feed would arrive). Prints per
# batch the records and seconds (process start, opening the store, ingesting, committing),
# then the first and last batches' records/s, the whole run's, and the store's bytes per
# record (database file after the last batch, its WAL checkpointed).
#
#   benches/store_ingest.sh                 # 100,000 records in 100 batches
#   benches/store_ingest.sh 1000000 100
#   SAMEAS=path/to/sameas benches/store_ingest.sh
#   CONFIG=full/config.json benches/store_ingest.sh   # the first batch takes this model
#
# One process per batch pays for opening the store each time (reading its state); see
# `cargo run --release -p sameas-store --example ingest_batches` for one open store taking
# every batch.
#
# Data and the store go to target/bench-data/.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100000}"
batches="${2:-100}"
if [[ -z "${SAMEAS:-}" ]]; then
  cargo build --release --quiet -p sameas-cli
  SAMEAS=target/release/sameas
fi
dir=target/bench-data/store_${n}_${batches}
rm -rf "$dir"
mkdir -p "$dir/batches"
"$SAMEAS" synth --records "$n" --seed 1 --out "$dir/all.csv" --truth "$dir/truth.csv" >/dev/null
header=$(head -1 "$dir/all.csv")
per=$(( (n + batches - 1) / batches ))
tail -n +2 "$dir/all.csv" | split -d -a 4 -l "$per" - "$dir/batches/b"
db="$dir/customers.db"
printf '%6s %8s %8s %10s\n' batch records seconds records_s
total_start=$(date +%s.%N)
i=0
for part in "$dir"/batches/b*; do
  i=$((i + 1))
  { echo "$header"; cat "$part"; } > "$dir/batch.csv"
  rows=$(( $(wc -l < "$dir/batch.csv") - 1 ))
  start=$(date +%s.%N)
  config=()
  if [[ $i -eq 1 && -n "${CONFIG:-}" ]]; then config=(--config "$CONFIG"); fi
  "$SAMEAS" ingest --store "$db" --channel app "${config[@]}" "$dir/batch.csv" 2>/dev/null >/dev/null
  end=$(date +%s.%N)
  awk -v b="$i" -v r="$rows" -v s="$start" -v e="$end" \
    'BEGIN { printf "%6d %8d %8.2f %10.0f\n", b, r, e - s, r / (e - s) }'
done | tee "$dir/batches.txt"
total_end=$(date +%s.%N)
"$SAMEAS" store check --store "$db"
bytes=$(stat -c %s "$db")
awk -v n="$n" -v s="$total_start" -v e="$total_end" -v bytes="$bytes" '
  $1 == 1 { first = $4 } { last = $4 }
  END {
    printf "first batch %.0f records/s, last batch %.0f records/s (%.0f%% of the first); " \
      "all %.0f records/s; store %.0f bytes per record\n",
      first, last, 100 * last / first, n / (e - s), bytes / n
  }' "$dir/batches.txt"
