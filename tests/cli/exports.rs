//! Machine-readable outputs: `-o -`, JSON typed and in column order, every printed table
//! exportable (backtest and regions as long tables with a `table` column).

use crate::common::*;

const GOOD: &str = "unique_id,ds,y\nA,2000,1\nA,2001,2\nA,2002,3\nA,2003,4\nA,2004,5\n";

#[test]
fn dash_output_writes_the_same_csv_to_stdout_and_the_report_to_stderr() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("g.csv"), GOOD).unwrap();
    let args = ["forecast", "--input", "g.csv", "-H", "3"];
    succeeds(dir.path(), &[&args[..], &["-o", "file.csv"]].concat());
    let out = chipcast(dir.path())
        .args([&args[..], &["-o", "-"]].concat())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let file = std::fs::read_to_string(dir.path().join("file.csv")).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), file);
    assert!(file.starts_with("unique_id,ds,model,mean,lo80,hi80,lo95,hi95\nA,2005,"));
    assert!(!dir.path().join("-").exists());
}

#[test]
fn a_failed_run_prints_no_table_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("z.csv"),
        "unique_id,ds,y\nA,2000,1\nA,2001,0\nA,2002,3\nA,2003,4\n",
    )
    .unwrap();
    let out = chipcast(dir.path())
        .args([
            "forecast", "--input", "z.csv", "--model", "logdrift", "-H", "3", "-o", "-",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn only_one_output_can_be_stdout_and_charts_need_a_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("g.csv"), GOOD).unwrap();
    let e = fails_with(
        dir.path(),
        &["forecast", "--input", "g.csv", "-o", "-", "--params", "-"],
    );
    assert!(
        e.contains("--output and --params both name standard output"),
        "{e}"
    );
    let e = fails_with(dir.path(), &["forecast", "--chart", "-"]);
    assert!(e.contains("--chart cannot write to standard output"), "{e}");
    let e = fails_with(
        dir.path(),
        &["forecast", "--input", "g.csv", "--timing", "-"],
    );
    assert!(
        e.contains("--timing cannot write to standard output"),
        "{e}"
    );
}

#[test]
fn data_show_json_has_numbers_as_numbers_in_csv_column_order() {
    let dir = tempfile::tempdir().unwrap();
    let out = succeeds(
        dir.path(),
        &["data", "show", "wsts_annual", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let first = &v[0];
    assert_eq!(first["year"], serde_json::json!(1986));
    assert_eq!(first["value_busd"], serde_json::json!(26.355));
    assert!(first["source"].is_string());
    // key order as in the CSV header (serde_json's Value sorts, so read the text)
    let keys: Vec<usize> = ["\"year\"", "\"value_busd\"", "\"source\"", "\"confidence\""]
        .iter()
        .map(|k| out.find(k).unwrap())
        .collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "{}", &out[..300]);
}

#[test]
fn forecast_json_keys_follow_the_csv_header() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("g.csv"), GOOD).unwrap();
    succeeds(
        dir.path(),
        &["forecast", "--input", "g.csv", "-H", "2", "-o", "f.json"],
    );
    let text = std::fs::read_to_string(dir.path().join("f.json")).unwrap();
    let record = text.split('}').next().unwrap();
    let keys: Vec<&str> = record
        .lines()
        .filter_map(|l| l.trim().strip_prefix('"')?.split('"').next())
        .collect();
    assert_eq!(
        keys,
        [
            "unique_id",
            "ds",
            "model",
            "mean",
            "lo80",
            "hi80",
            "lo95",
            "hi95"
        ]
    );
}

fn csv_tables(text: &str) -> (Vec<String>, Vec<String>) {
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    let tables = lines
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect();
    (header, tables)
}

#[test]
fn backtest_without_industry_still_exports_its_accuracy_table() {
    let dir = tempfile::tempdir().unwrap();
    succeeds(
        dir.path(),
        &[
            "backtest",
            "--no-industry",
            "--series",
            "worldwide,japan",
            "--models",
            "drift,naive",
            "-o",
            "bt.csv",
        ],
    );
    let text = std::fs::read_to_string(dir.path().join("bt.csv")).unwrap();
    let (header, tables) = csv_tables(&text);
    assert_eq!(
        header,
        [
            "table", "series", "model", "origins", "smape", "mase", "cov80", "cov95", "msis"
        ]
    );
    assert_eq!(tables, ["accuracy"; 4]);
}

#[test]
fn backtest_exports_every_table_it_prints_as_one_long_table() {
    let dir = tempfile::tempdir().unwrap();
    succeeds(
        dir.path(),
        &[
            "backtest",
            "--series",
            "worldwide",
            "--models",
            "drift",
            "-o",
            "bt.csv",
        ],
    );
    let text = std::fs::read_to_string(dir.path().join("bt.csv")).unwrap();
    let (header, tables) = csv_tables(&text);
    assert_eq!(header[0], "table");
    for col in ["smape", "industry_mape", "difference_lo95", "chipcast_ape"] {
        assert!(header.iter().any(|h| h == col), "{col} in {header:?}");
    }
    let mut kinds = tables.clone();
    kinds.dedup();
    assert_eq!(
        kinds,
        ["accuracy", "industry_summary", "industry_forecasts"]
    );
}

#[test]
fn regions_export_long_with_snake_case_columns() {
    let dir = tempfile::tempdir().unwrap();
    succeeds(dir.path(), &["regions", "--until", "2027", "-o", "r.csv"]);
    let text = std::fs::read_to_string(dir.path().join("r.csv")).unwrap();
    let (header, tables) = csv_tables(&text);
    assert_eq!(
        header,
        [
            "table",
            "region",
            "year",
            "method",
            "value_busd",
            "lo80",
            "hi80",
            "lo95",
            "hi95",
            "share"
        ]
    );
    // worldwide: base, bottom-up, reconciled; each region: base, reconciled; two years
    assert_eq!(
        tables.iter().filter(|t| *t == "forecast").count(),
        (3 + 4 * 2) * 2
    );
    assert!(tables.iter().any(|t| t == "share"));
    assert!(text.contains("\nforecast,asia-pacific,2027,reconciled,"));
}

#[test]
fn gap_exports_its_supply_years_and_the_scenario_grid_beside_the_demand_rows() {
    let dir = tempfile::tempdir().unwrap();
    succeeds(dir.path(), &["gap", "--paths", "200", "-o", "g.csv"]);
    let text = std::fs::read_to_string(dir.path().join("g.csv")).unwrap();
    let (header, tables) = csv_tables(&text);
    assert_eq!(header[..2], ["table", "demand"]);
    let mut kinds = tables.clone();
    kinds.dedup();
    assert_eq!(kinds, ["demand", "supply"]);
    // the default window 2024-2030: one supply row per year
    assert_eq!(tables.iter().filter(|t| *t == "supply").count(), 7);
    succeeds(
        dir.path(),
        &[
            "gap",
            "--scenario",
            "default",
            "--paths",
            "200",
            "-o",
            "s.json",
        ],
    );
    let path = dir.path().join("s.json");
    let grid = json_table(&path, "sensitivity");
    assert!(!grid.is_empty());
    assert!(
        grid.iter()
            .all(|r| r["ratio"].is_f64() && r["ai_share"].is_f64())
    );
    assert!(!json_table(&path, "assumption").is_empty());
    assert!(!json_table(&path, "demand").is_empty());
}

#[test]
fn data_show_writes_a_typed_table_with_o() {
    let dir = tempfile::tempdir().unwrap();
    succeeds(
        dir.path(),
        &["data", "show", "forecast_vintages", "-o", "v.json"],
    );
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("v.json")).unwrap()).unwrap();
    assert!(rows.len() > 90, "{}", rows.len());
    assert!(rows[0]["target_year"].is_i64() && rows[0]["value_busd"].is_number());
    assert!(rows[0]["published"].is_string());
    let csv = succeeds(dir.path(), &["data", "show", "wsts_annual", "-o", "-"]);
    assert!(
        csv.starts_with("year,value_busd,source,confidence\n1986,26.355,"),
        "{csv}"
    );
}

#[test]
fn typed_json_and_compact_help_match_their_golden_files() {
    let dir = tempfile::tempdir().unwrap();
    let json = succeeds(
        dir.path(),
        &["data", "show", "annual_alt_estimates", "--format", "json"],
    );
    golden("data_show_annual_alt_estimates.json", &json);
    golden(
        "forecast_short_help.txt",
        &succeeds(dir.path(), &["forecast", "-h"]),
    );
    golden(
        "backtest_no_industry.csv",
        &succeeds(
            dir.path(),
            &[
                "backtest",
                "--no-industry",
                "--series",
                "worldwide",
                "--models",
                "naive,drift",
                "-o",
                "-",
            ],
        ),
    );
}
