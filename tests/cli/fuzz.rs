//! Property-based fuzzing of every reader: arbitrary bytes, mutated valid files and
//! well-formed-but-wild tables go to the CSV, JSON, NDJSON and Parquet readers and to the
//! TOML scenario reader; none may panic, and whatever is accepted must be a valid series.
//!
//! `cargo test` runs a bounded number of cases per property (64) from a fixed seed, so a run
//! is reproducible; `benches/fuzz.sh` runs many more through `CHIPCAST_FUZZ_CASES`, from a
//! random seed unless `CHIPCAST_FUZZ_SEED` is set.
//!
//! Known finding left open: some corrupted Parquet files make polars 0.55's reader request a
//! 2^61-byte allocation, which aborts the process (not a panic, so it cannot be caught);
//! `benches/fuzz.sh` reaches one in a few thousand mutated files.

use chipcast::ingest::{LongFormat, load_long};
use chipcast::scenarios::scenario;
use polars::prelude::*;
use proptest::prelude::*;
use std::path::Path;

fn config() -> ProptestConfig {
    let cases = std::env::var("CHIPCAST_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    let rng_seed = match std::env::var("CHIPCAST_FUZZ_SEED") {
        Ok(s) => proptest::test_runner::RngSeed::Fixed(s.parse().unwrap_or(0)),
        Err(_) if std::env::var_os("CHIPCAST_FUZZ_CASES").is_some() => {
            proptest::test_runner::RngSeed::Random
        }
        Err(_) => proptest::test_runner::RngSeed::Fixed(20_261_202),
    };
    ProptestConfig {
        cases,
        rng_seed,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Read `bytes` as a file with extension `ext`; Ok or Err, never a panic, and an accepted
/// file gives non-empty, gap-free, finite series.
fn read_as(bytes: &[u8], ext: &str) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("in.{ext}"));
    std::fs::write(&path, bytes).unwrap();
    check_loaded(&path)
}

fn check_loaded(path: &Path) -> Result<(), TestCaseError> {
    if let Ok(f) = load_long(path, &LongFormat::default()) {
        for s in &f.series {
            prop_assert!(!s.is_empty());
            prop_assert!(s.values().iter().all(|v| v.is_finite()));
            prop_assert_eq!(s.end() - s.start() + 1, s.len() as i64);
            prop_assert!(!s.id().is_empty() && s.id().trim() == s.id());
        }
    }
    Ok(())
}

fn valid_parquet() -> Vec<u8> {
    let mut df = df!(
        "unique_id" => ["A", "A", "B"],
        "ds" => [2000i64, 2001, 2000],
        "y" => [1.0f64, 2.0, 3.0],
    )
    .unwrap();
    let mut buf = Vec::new();
    ParquetWriter::new(&mut buf).finish(&mut df).unwrap();
    buf
}

/// A cell of a wild table: anything a hostile or careless user might put in a file.
fn wild_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|i| i.to_string()),
        (0i64..10_000, 0u32..14).prop_map(|(y, m)| format!("{y:04}-{m:02}")),
        (0i64..10_000, 1u32..13, 0u32..33).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        any::<f64>().prop_map(|f| f.to_string()),
        Just(String::new()),
        Just(" A ".to_string()),
        "[ -~]{0,12}",
        "\\PC{0,8}",
        Just("\"quoted, \"\"with\"\" commas\"".to_string()),
        Just("line\nbreak".to_string()),
    ]
}

fn wild_table() -> impl Strategy<Value = Vec<(String, String, String)>> {
    let id = prop_oneof![
        Just("A".to_string()),
        Just("B".to_string()),
        Just("007".to_string()),
        wild_text()
    ];
    let ds = prop_oneof![(1990i64..2030).prop_map(|y| y.to_string()), wild_text()];
    let y = prop_oneof![(-1e6f64..1e6).prop_map(|v| v.to_string()), wild_text()];
    proptest::collection::vec((id, ds, y), 0..40)
}

fn csv_quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn as_csv(rows: &[(String, String, String)]) -> Vec<u8> {
    let mut s = String::from("unique_id,ds,y\n");
    for (a, b, c) in rows {
        s.push_str(&format!(
            "{},{},{}\n",
            csv_quote(a),
            csv_quote(b),
            csv_quote(c)
        ));
    }
    s.into_bytes()
}

/// JSON records whose values keep a type when they parse as one (numbers stay numbers).
fn json_value(s: &str) -> serde_json::Value {
    if let Ok(i) = s.parse::<i64>() {
        return i.into();
    }
    match s.parse::<f64>() {
        Ok(f) if f.is_finite() => f.into(),
        _ => s.into(),
    }
}

fn as_records(rows: &[(String, String, String)]) -> Vec<serde_json::Value> {
    rows.iter()
        .map(|(a, b, c)| serde_json::json!({"unique_id": a, "ds": json_value(b), "y": json_value(c)}))
        .collect()
}

fn as_parquet(rows: &[(String, String, String)], typed: bool) -> Vec<u8> {
    let ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let mut df = if typed {
        let ds: Vec<Option<i64>> = rows.iter().map(|r| r.1.parse().ok()).collect();
        let y: Vec<Option<f64>> = rows.iter().map(|r| r.2.parse().ok()).collect();
        df!("unique_id" => ids, "ds" => ds, "y" => y).unwrap()
    } else {
        let ds: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
        let y: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
        df!("unique_id" => ids, "ds" => ds, "y" => y).unwrap()
    };
    let mut buf = Vec::new();
    ParquetWriter::new(&mut buf).finish(&mut df).unwrap();
    buf
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_never_panic_a_reader(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        for ext in ["csv", "json", "ndjson", "parquet"] {
            read_as(&bytes, ext)?;
        }
        let text = String::from_utf8_lossy(&bytes);
        let _ = scenario::load(&text, "fuzz.toml");
    }

    #[test]
    fn arbitrary_text_with_structure_never_panics_a_reader(
        text in "[\\[\\]{}\",:0-9a-z \\n\\t;.\\-]{0,300}"
    ) {
        for ext in ["csv", "json", "ndjson"] {
            read_as(text.as_bytes(), ext)?;
        }
        let _ = scenario::load(&text, "fuzz.toml");
    }

    #[test]
    fn mutated_parquet_never_panics_the_reader(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut bytes = valid_parquet();
        for (i, b) in &edits {
            let at = i.index(bytes.len());
            bytes[at] = *b;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        read_as(&bytes, "parquet")?;
    }

    #[test]
    fn mutated_scenarios_never_panic_the_toml_reader(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<char>()), 1..6),
    ) {
        let mut chars: Vec<char> = scenario::DEFAULT.chars().collect();
        for (i, c) in &edits {
            let at = i.index(chars.len());
            chars[at] = *c;
        }
        let text: String = chars.into_iter().collect();
        let _ = scenario::load(&text, "fuzz.toml");
    }

    #[test]
    fn wild_tables_in_every_format_never_panic_and_accepted_ones_are_valid(rows in wild_table()) {
        read_as(&as_csv(&rows), "csv")?;
        let records = as_records(&rows);
        read_as(serde_json::to_string(&records).unwrap().as_bytes(), "json")?;
        let lines: Vec<String> = records.iter().map(|r| r.to_string()).collect();
        read_as(lines.join("\n").as_bytes(), "ndjson")?;
        read_as(&as_parquet(&rows, false), "parquet")?;
        read_as(&as_parquet(&rows, true), "parquet")?;
    }
}
