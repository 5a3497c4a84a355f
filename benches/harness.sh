#!/usr/bin/env bash
# One run of the shared harness on every dev set: chipcast's models beside the peers, the peers
# named in PEERS timed in the same run (the stored peer forecasts are scored beside them).
#
# usage: benches/harness.sh [SET...]     SET in m4_yearly_sample m1_yearly tourism_monthly tourism_quarterly
# env:   BENCH   the shared benchmark folder (default ../shared/bench)
#        OUT     where runs go (default target/harness)
#        VENV    a venv made by the benchmark's setup.sh (statsforecast, pandas)
#        PEERS   peers to time in the same run (default: sf:AutoETS, the CPU reference)
#        MODELS  chipcast models (default below, per frequency)
#        REPS    repetitions (default 1)
# Each set's table goes to $OUT/<set>/scores.txt; chipcast's forecasts to $OUT/<set>/forecasts/.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bench="${BENCH:-$here/../shared/bench}"
out="${OUT:-$here/target/harness}"
reps="${REPS:-1}"
sets=("$@")
[ ${#sets[@]} -gt 0 ] || sets=(m4_yearly_sample m1_yearly tourism_quarterly tourism_monthly)
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin="${CARGO_TARGET_DIR:-$here/target}/release/chipcast"
for set in "${sets[@]}"; do
  m=$(awk -F, 'NR==1{for(i=1;i<=NF;i++) if($i=="m") c=i} NR==2{print (c ? $c : 1)}' "$bench/data/$set/info.csv")
  if [ "$m" = 1 ]; then
    default="naive drift logdrift damped ets theta dotm arima ces scum auto"
  else
    default="naive snaive theta otm dotm ets arima mstl scum auto"
  fi
  mkdir -p "$out/$set"
  PEERS="${PEERS:-sf:AutoETS}" M="$m" EXTRA_LABEL=chipcast EXTRA_MODELS="${MODELS:-$default}" \
  EXTRA_CMD="$bin forecast --input {train} --id-col unique_id --time-col ds --value-col y --horizon {h} --season-length $m --model {model} --level 80 --level 95 --output {out} --timing {timing}" \
    bash "$bench/run_peers.sh" "$bench/data/$set" "$out/$set" "$reps" > "$out/$set/run.log" 2>&1
  stored=()   # the peers' stored forecasts, unless this run made the same file
  for f in "$bench/results/$set/forecasts/"*.csv; do
    [ -e "$out/$set/forecasts/$(basename "$f")" ] || stored+=("$f")
  done
  "${VENV:+$VENV/bin/}python3" "$bench/score.py" --m "$m" --test "$bench/data/$set/test.csv" \
    --train "$bench/data/$set/train.csv" --timings "$out/$set/timings.csv" \
    "$out/$set/forecasts/"*.csv "${stored[@]}" | tee "$out/$set/scores.txt"
done
