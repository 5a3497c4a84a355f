#!/usr/bin/env bash
# Longer fuzzing run of every reader (CSV, JSON, NDJSON, Parquet, TOML) than `cargo test`
# does (64 cases per property). Usage: bash benches/fuzz.sh [CASES_PER_PROPERTY]
# Five properties run; the total number of inputs is printed at the end.
set -euo pipefail
cases="${1:-5000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$(pwd)/target}"
start=$(date +%s)
CHIPCAST_FUZZ_CASES="$cases" cargo test --release --test cli -- fuzz:: 2>&1 | tail -12
end=$(date +%s)
# per case: arbitrary bytes x 4 readers + TOML; structured text x 3 + TOML; mutated parquet x 1;
# mutated scenario x 1; wild table x 5 files
echo "fuzz: $cases cases per property, $((cases * (5 + 4 + 1 + 1 + 5))) reader inputs in $((end - start)) s"
