#!/usr/bin/env bash
# Rolling-origin check of seasonal auto and its alternatives on the built-in monthly WSTS series
# (benches/wsts_monthly_rolling.py explains the layout). Writes $OUT/scores.txt.
# env: OUT (default target/wsts_monthly_rolling), PYTHON (with pandas; default python3),
#      BENCH (the shared benchmark, for score.py; default ../shared/bench)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="${OUT:-$here/target/wsts_monthly_rolling}"
py="${PYTHON:-python3}"
bench="${BENCH:-$here/../shared/bench}"
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin="${CARGO_TARGET_DIR:-$here/target}/release/chipcast"
"$py" "$here/benches/wsts_monthly_rolling.py" "$out"
mkdir -p "$out/forecasts"
run() { "$bin" forecast --input "$out/train.csv" --horizon 24 --season-length 12 --level 80 --level 95 "$@" > /dev/null 2>&1; }
for m in auto ets otm snaive mstl arima; do
  run --model "$m" --output "$out/forecasts/$m.csv" --label "chipcast:$m"
done
for members in ets,otm,snaive ets,otm,arima; do
  run --model combo --members "$members" --combine mean --output "$out/forecasts/mean_${members//,/_}.csv" \
    --label "chipcast:mean($members)"
done
"$py" "$bench/score.py" --m 12 --test "$out/test.csv" --train "$out/train.csv" "$out"/forecasts/*.csv | tee "$out/scores.txt"
