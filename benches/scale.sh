#!/usr/bin/env bash
# Many-series scale benchmark (issue 12, item 6). Generates the data into $DATA (never
# committed), runs each case under /usr/bin/time -v and appends one line per case to
# $RESULTS (tab-separated: label, case, series, rows, wall seconds, peak RSS MB, user s, sys s).
#
#   BIN=target/release/chipcast LABEL=after bash benches/scale.sh
#
# Cases: CSV -> Parquet through `forecast --model naive` on 10M rows (500k series x 20) and the
# same with plain polars (Python, in a venv at $VENV, created with `pip install polars` if
# missing); `auto` on 10M rows; `naive` at 50k and 500k series for peak RSS; `stream`: the
# 10M rows through `--stream always`; `rss2m`: 2M series x 20 = 40M rows (988 MB of CSV,
# generated on first use), which `--stream auto` streams, and `rss2m-whole` the same read whole.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BIN=${BIN:-$here/../target/release/chipcast}
LABEL=${LABEL:-$(git -C "$here" rev-parse --short HEAD)}
DATA=${DATA:-/tmp/chipcast-scale}
RESULTS=${RESULTS:-$here/scale/results.tsv}
VENV=${VENV:-/tmp/venv-polars}
PY=${PY:-/work/venv/bin/python}
CASES=${CASES:-"polars naive auto rss50k"}
mkdir -p "$DATA"
[ -f "$DATA/big.csv" ] || "$PY" "$here/scale/gen.py" "$DATA/big.csv" 500000 20
[ -f "$DATA/s50k.csv" ] || "$PY" "$here/scale/gen.py" "$DATA/s50k.csv" 50000 20
[ -f "$RESULTS" ] || printf 'label\tcase\tseries\trows\twall_s\tpeak_rss_mb\tuser_s\tsys_s\n' >"$RESULTS"

measure() { # case series rows command...
  local case=$1 series=$2 rows=$3; shift 3
  local log="$DATA/time-$case.log"
  /usr/bin/time -v "$@" >"$DATA/out-$case.txt" 2>"$log" || { echo "$case failed:"; tail -5 "$log"; }
  local wall rss user sys
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$log")
  user=$(awk -F': ' '/User time/ {print $2}' "$log")
  sys=$(awk -F': ' '/System time/ {print $2}' "$log")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$LABEL" "$case" "$series" "$rows" "$wall" "$rss" "$user" "$sys" | tee -a "$RESULTS"
}

for c in $CASES; do
  case $c in
    polars)
      [ -x "$VENV/bin/python" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q polars; }
      measure plain-polars-csv-to-parquet 500000 10000000 "$VENV/bin/python" "$here/scale/plain_polars.py" "$DATA/big.csv" "$DATA/polars.parquet" ;;
    naive) measure naive-csv-to-parquet 500000 10000000 "$BIN" forecast --input "$DATA/big.csv" --model naive -o "$DATA/naive.parquet" ;;
    auto) measure auto-csv-to-parquet 500000 10000000 "$BIN" forecast --input "$DATA/big.csv" -o "$DATA/auto.parquet" --timing "$DATA/auto-timing.csv" ;;
    stream) measure naive-stream-csv-to-parquet 500000 10000000 "$BIN" forecast --input "$DATA/big.csv" --model naive --stream always -o "$DATA/stream.parquet" ;;
    rss2m|rss2m-whole)
      [ -f "$DATA/huge.csv" ] || "$PY" "$here/scale/gen.py" "$DATA/huge.csv" 2000000 20
      if [ "$c" = rss2m ]; then mode=auto; else mode=never; fi
      measure "naive-2m-series-stream-$mode" 2000000 40000000 "$BIN" forecast --input "$DATA/huge.csv" --model naive --stream "$mode" -o "$DATA/huge.parquet" ;;
    rss50k) measure naive-50k-series 50000 1000000 "$BIN" forecast --input "$DATA/s50k.csv" --model naive -o "$DATA/naive50k.parquet" ;;
    *) echo "unknown case $c" >&2; exit 2 ;;
  esac
done
