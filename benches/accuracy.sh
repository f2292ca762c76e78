#!/usr/bin/env bash
# Accuracy of the default, unsupervised configuration on the labelled datasets in
# benches/data: FEBRL 1–3 (dedupe), FEBRL 4a + 4b (link) and Splink's fake_1000, at the
# default threshold. Prints pairwise and B-cubed precision / recall / F1 per dataset.
#
#   benches/accuracy.sh            # print the table
#   benches/accuracy.sh --check    # also fail when a pairwise F1 is below its floor
#
# It builds the release binary first. Outputs (pairs, configs) go to target/accuracy/.
set -euo pipefail
cd "$(dirname "$0")/.."
check=false
[[ "${1:-}" == "--check" ]] && check=true

cargo build --release --quiet -p sameas-cli
bin=target/release/sameas
out=target/accuracy
mkdir -p "$out"
data=benches/data

# name | floor | truth | inputs...
datasets=(
  "febrl1|0.99|$data/febrl/dataset1_truth.csv|$data/febrl/dataset1.csv"
  "febrl2|0.99|$data/febrl/dataset2_truth.csv|$data/febrl/dataset2.csv"
  "febrl3|0.99|$data/febrl/dataset3_truth.csv|$data/febrl/dataset3.csv"
  "febrl4_link|0.99|$data/febrl/dataset4_truth.csv|$data/febrl/dataset4a.csv $data/febrl/dataset4b.csv"
  "fake_1000|0.85|$data/splink/fake_1000_truth.csv|$data/splink/fake_1000.csv"
)

failed=0
printf '%-12s %8s %10s %10s %10s %10s %10s %10s %8s %8s\n' \
  dataset records pairs pw_prec pw_recall pw_f1 b3_prec b3_recall b3_f1 floor
for entry in "${datasets[@]}"; do
  IFS='|' read -r name floor truth inputs <<<"$entry"
  # shellcheck disable=SC2086
  "$bin" match $inputs --out "$out/$name.pairs.csv" --save-config "$out/$name.config.json" \
    2>"$out/$name.log"
  "$bin" eval --truth "$truth" "$out/$name.pairs.csv" --examples 0 >"$out/$name.eval.txt"
  records=$(awk '/^records/ {print $2}' "$out/$name.eval.txt" | tr -d ,)
  pairs=$(awk 'NR==1 {print $3}' "$out/$name.log")
  read -r pp pr pf < <(awk '/^pairwise/ {print $2, $3, $4}' "$out/$name.eval.txt")
  read -r bp br bf < <(awk '/^B-cubed/ {print $2, $3, $4}' "$out/$name.eval.txt")
  printf '%-12s %8s %10s %10s %10s %10s %10s %10s %8s %8s\n' \
    "$name" "$records" "$pairs" "$pp" "$pr" "$pf" "$bp" "$br" "$bf" "$floor"
  if $check && awk -v f="$pf" -v floor="$floor" 'BEGIN { exit !(f < floor) }'; then
    echo "FAIL: $name pairwise F1 $pf is below its floor $floor" >&2
    failed=1
  fi
done
exit "$failed"
