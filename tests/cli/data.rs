use crate::common::*;

#[test]
fn data_list_names_every_dataset_and_series() {
    let dir = tempfile::tempdir().unwrap();
    let out = succeeds(dir.path(), &["data", "list"]);
    golden("data_list.txt", &out);
    for name in [
        "wsts_annual",
        "forecast_vintages",
        "demand_estimates",
        "asia-pacific",
    ] {
        assert!(out.contains(name), "{name}");
    }
}

#[test]
fn data_show_table_matches_its_golden_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = succeeds(dir.path(), &["data", "show", "annual_alt_estimates"]);
    golden("data_show_annual_alt_estimates.txt", &out);
}

#[test]
fn data_show_csv_prints_the_embedded_file_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let out = succeeds(
        dir.path(),
        &["data", "show", "wsts_annual", "--format", "csv"],
    );
    let file = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/datasets/wsts_annual.csv"
    ))
    .unwrap();
    assert_eq!(out, file);
}

#[test]
fn data_show_json_is_records_with_nulls_for_empty_cells() {
    let dir = tempfile::tempdir().unwrap();
    let out = succeeds(
        dir.path(),
        &["data", "show", "forecast_vintages", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 174);
    assert_eq!(rows[0]["forecaster"], "WSTS");
    assert!(rows.iter().any(|r| r["value_busd"].is_null()));
}

#[test]
fn an_unknown_dataset_suggests_the_closest_name() {
    let dir = tempfile::tempdir().unwrap();
    let err = fails_with(dir.path(), &["data", "show", "wsts_anual"]);
    assert!(err.contains("did you mean \"wsts_annual\""), "{err}");
}

#[test]
fn the_top_level_help_lists_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = succeeds(dir.path(), &["--help"]);
    golden("help.txt", &out);
    for cmd in [
        "forecast",
        "gap",
        "milestone",
        "nowcast",
        "backtest",
        "vintages",
        "regions",
        "data",
    ] {
        assert!(out.contains(cmd), "{cmd}");
    }
}
