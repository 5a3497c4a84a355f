#!/usr/bin/env bash
# Run chipcast on the shared forecasting benchmark (M4 yearly sample) and score it beside the
# peers' stored forecasts with the shared scorer. Usage: benches/run_bench.sh [MODELS...]
# Needs python3 with pandas and numpy. Writes to target/bench-m4/ (or $OUT).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bench="${BENCH:-$here/../shared/bench}"
data="$bench/data/m4_yearly_sample"
out="${OUT:-$here/target/bench-m4}"
models=("${@:-naive drift logdrift loglinear damped auto}")
read -r -a models <<< "${models[*]}"
mkdir -p "$out"
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin="${CARGO_TARGET_DIR:-$here/target}/release/chipcast"
for m in "${models[@]}"; do
  /usr/bin/env time -f "%e %U %S" -o "$out/time_$m.txt" \
    env RAYON_NUM_THREADS=1 "$bin" forecast --input "$data/train.csv" --id-col unique_id --time-col ds \
    --value-col y --horizon 6 --model "$m" --level 80 --level 95 \
    --output "$out/chipcast_$m.csv" --timing "$out/timing_$m.csv" 2>/dev/null
  read -r wall user sys < "$out/time_$m.txt"
  fit=$(tail -1 "$out/timing_$m.csv" | cut -d, -f8)
  echo "chipcast:$m  process wall ${wall}s  cpu $(awk "BEGIN{print $user + $sys}")s  fit_cpu ${fit}s"
done
python3 "$bench/score.py" --test "$data/test.csv" --train "$data/train.csv" \
  "$out"/chipcast_*.csv "$bench/results/m4_yearly_sample/forecasts/"*.csv | tee "$out/scores.txt"
