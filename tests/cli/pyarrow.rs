//! The Parquet files as pyarrow and pandas read them: the README's metadata keys, exactly,
//! in the Arrow schema (`read_table(f).schema.metadata`), in the footer and in
//! `pandas.read_parquet(f).attrs`, and the same values as the CSV of the same run.
//!
//! The interpreter is `$CHIPCAST_PYTHON` (default `python3`). `.ci/run` creates a venv
//! with pyarrow and pandas and sets `CHIPCAST_REQUIRE_PYARROW=1`: then a missing
//! interpreter or module fails the test. Without that variable (a plain `cargo test` on a
//! machine without pyarrow) the test says on stderr that it did not run, and passes.

use crate::common::*;
use std::path::Path;
use std::process::Command;

/// What the script prints, one JSON object: the Arrow schema's metadata, the footer's
/// (without `ARROW:schema`), pandas' attrs, the column types and whether the Parquet
/// frame equals the CSV frame.
const SCRIPT: &str = r#"
import json, sys
import pandas as pd
import pyarrow.parquet as pq
parquet, csv = sys.argv[1], sys.argv[2]
table = pq.read_table(parquet)
decode = lambda m: {k.decode(): v.decode() for k, v in (m or {}).items()}
footer = decode(pq.read_metadata(parquet).metadata)
footer.pop("ARROW:schema", None)
frame = pd.read_parquet(parquet)
from_csv = pd.read_csv(csv, dtype={frame.columns[0]: str}, float_precision="round_trip")
try:
    pd.testing.assert_frame_equal(frame, from_csv, check_dtype=False, check_exact=True)
    same = True
except AssertionError as e:
    same = str(e)
print(json.dumps({
    "schema": decode(table.schema.metadata),
    "footer": footer,
    "attrs": frame.attrs,
    "types": {f.name: str(f.type) for f in table.schema},
    "same_as_csv": same,
}))
"#;

fn python() -> Option<String> {
    let exe = std::env::var("CHIPCAST_PYTHON").unwrap_or_else(|_| "python3".into());
    let required = std::env::var_os("CHIPCAST_REQUIRE_PYARROW").is_some_and(|v| v == "1");
    let probe = Command::new(&exe)
        .args(["-c", "import pyarrow, pandas"])
        .output();
    match probe {
        Ok(o) if o.status.success() => Some(exe),
        other => {
            let why = match other {
                Ok(o) => String::from_utf8_lossy(&o.stderr).trim().to_string(),
                Err(e) => e.to_string(),
            };
            assert!(
                !required,
                "CHIPCAST_REQUIRE_PYARROW=1 but {exe} cannot import pyarrow and pandas: {why}"
            );
            eprintln!(
                "pyarrow round trip NOT RUN: {exe} cannot import pyarrow and pandas ({why}); .ci/run sets CHIPCAST_REQUIRE_PYARROW=1 and a venv"
            );
            None
        }
    }
}

/// The keys the README documents (its "Parquet metadata" table), in order.
fn readme_keys() -> Vec<String> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme
        .split("#### Parquet metadata")
        .nth(1)
        .expect("README has a Parquet metadata section");
    let keys: Vec<String> = section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_string)
        .collect();
    assert!(keys.len() >= 10, "README keys: {keys:?}");
    keys
}

fn read_back(exe: &str, dir: &Path, parquet: &str, csv: &str) -> serde_json::Value {
    let out = Command::new(exe)
        .current_dir(dir)
        .args(["-c", SCRIPT, parquet, csv])
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the script prints JSON")
}

fn sorted_keys(v: &serde_json::Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("an object").keys().cloned().collect();
    k.sort();
    k
}

#[test]
fn pyarrow_and_pandas_see_exactly_the_readme_metadata_keys() {
    let Some(exe) = python() else { return };
    let mut keys = readme_keys();
    keys.sort();
    let dir = tempfile::tempdir().unwrap();
    let multi = "unique_id,ds,y\nA,2000,1\nA,2001,2\nA,2002,3\nA,2003,4\nA,2004,5\n\
                 B,2000,5\nB,2001,4\nB,2002,6\nB,2003,7\nB,2004,9\n";
    std::fs::write(dir.path().join("in.csv"), multi).unwrap();
    let runs: [&[&str]; 3] = [
        &["forecast", "--as-of", "2024"],
        &["forecast", "--input", "in.csv", "-H", "3"],
        &[
            "forecast",
            "--series",
            "worldwide-monthly",
            "--model",
            "drift",
            "-H",
            "3",
        ],
    ];
    for (i, run) in runs.iter().enumerate() {
        let (pq, csv) = (format!("f{i}.parquet"), format!("f{i}.csv"));
        for out in [&pq, &csv] {
            let mut args = run.to_vec();
            args.extend(["-o", out.as_str()]);
            succeeds(dir.path(), &args);
        }
        let got = read_back(&exe, dir.path(), &pq, &csv);
        assert_eq!(sorted_keys(&got["schema"]), keys, "{run:?}");
        assert_eq!(got["schema"], got["footer"], "{run:?}");
        let mut attrs = keys.clone();
        attrs.retain(|k| k != "PANDAS_ATTRS");
        assert_eq!(sorted_keys(&got["attrs"]), attrs, "{run:?}");
        if i == 2 {
            // monthly periods: a Date column in Parquet, YYYY-MM text in the CSV
            assert_eq!(got["types"]["ds"], "date32[day]", "{run:?}");
            continue;
        }
        assert_eq!(got["same_as_csv"], true, "{run:?}");
        assert_eq!(got["types"]["ds"], "int64");
        assert_eq!(got["types"]["mean"], "double");
        let model = got["schema"]["chipcast.model"].as_str().unwrap();
        assert!(model.starts_with("chipcast:"), "{model}");
        let params = &got["schema"]["chipcast.params"];
        let params: serde_json::Value = serde_json::from_str(params.as_str().unwrap()).unwrap();
        if i == 0 {
            assert!(params.is_array(), "one series: its parameters, {params}");
        } else {
            assert_eq!(sorted_keys(&params), ["A", "B"], "several: keyed by id");
        }
    }
}
