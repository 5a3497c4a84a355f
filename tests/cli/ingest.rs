use crate::common::*;

fn bad(file: &str, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(&format!("bad/{file}"));
    let mut args = vec![
        "forecast",
        "--input",
        path.to_str().unwrap(),
        "--model",
        "naive",
        "--output",
        "out.csv",
    ];
    args.extend_from_slice(extra);
    let err = fails_with(dir.path(), &args);
    assert!(
        !dir.path().join("out.csv").exists(),
        "a failed run left an output file"
    );
    assert!(err.contains(file), "the message names the file: {err}");
    err
}

#[test]
fn an_empty_file_is_refused() {
    assert!(bad("empty.csv", &[]).contains("no data rows"));
}

#[test]
fn a_header_without_rows_is_refused() {
    assert!(bad("header_only.csv", &[]).contains("no data rows"));
}

#[test]
fn a_missing_value_names_line_column_and_what_is_valid() {
    let e = bad("missing_value.csv", &[]);
    assert!(e.contains("line 3, column \"y\": missing value"), "{e}");
    assert!(e.contains("expected a finite number"), "{e}");
}

#[test]
fn a_non_numeric_value_is_quoted_back() {
    let e = bad("non_numeric.csv", &[]);
    assert!(
        e.contains("line 3") && e.contains("not a number") && e.contains("\"abc\""),
        "{e}"
    );
}

#[test]
fn a_non_finite_value_is_refused() {
    assert!(bad("non_finite.csv", &[]).contains("non-finite value (value \"inf\")"));
}

#[test]
fn a_duplicate_period_names_both_lines() {
    let e = bad("duplicate.csv", &[]);
    assert!(
        e.contains("period 1 appears twice (line 2 and line 4)"),
        "{e}"
    );
}

#[test]
fn a_gap_names_the_periods_around_it() {
    assert!(bad("gap.csv", &[]).contains("gap between 3 and 5 (1 missing period)"));
}

#[test]
fn an_unknown_column_lists_the_columns_and_suggests_the_closest() {
    let e = bad("other_columns.csv", &["--value-col", "valeu"]);
    assert!(
        e.contains("no column named \"valeu\" (for --value-col); did you mean \"value\"?"),
        "{e}"
    );
    assert!(e.contains("columns are: unique_id, ds, value"), "{e}");
}

#[test]
fn an_impossible_month_is_not_a_period() {
    let e = bad("bad_month.csv", &[]);
    assert!(
        e.contains("line 3, column \"ds\": not a period (value \"2023-13\")"),
        "{e}"
    );
}

#[test]
fn a_word_is_not_a_period() {
    assert!(bad("word_period.csv", &[]).contains("(value \"one\")"));
}

#[test]
fn mixed_period_styles_are_refused() {
    let e = bad("mixed_time.csv", &[]);
    assert!(
        e.contains("YYYY-MM but the first row is an integer period"),
        "{e}"
    );
}

#[test]
fn a_row_without_id_is_refused() {
    assert!(bad("missing_id.csv", &[]).contains("missing series id"));
}

#[test]
fn an_unsupported_extension_lists_the_valid_ones() {
    assert!(bad("wrong.txt", &[]).contains("valid: .csv, .parquet, .json"));
}

#[test]
fn a_missing_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let e = fails_with(dir.path(), &["forecast", "--input", "nope.csv"]);
    assert!(e.contains("nope.csv") && e.contains("no such file"), "{e}");
}

#[test]
fn unsorted_interleaved_rows_are_sorted_and_ids_keep_leading_zeros() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("good/unsorted_leading_zeros.csv");
    succeeds(
        dir.path(),
        &[
            "forecast",
            "--input",
            input.to_str().unwrap(),
            "--model",
            "drift",
            "--horizon",
            "2",
            "-o",
            "fc.csv",
        ],
    );
    let text = std::fs::read_to_string(dir.path().join("fc.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5);
    // 007: 10,11,...,19 over 8 points -> drift (19-10)/7
    let mean: f64 = lines[1].split(',').nth(3).unwrap().parse().unwrap();
    assert!(
        lines[1].starts_with("007,9,chipcast:drift,"),
        "{}",
        lines[1]
    );
    assert!((mean - (19.0 + 9.0 / 7.0)).abs() < 1e-12);
    assert!(lines[3].starts_with("B,9,"), "{}", lines[3]);
}

#[test]
fn monthly_json_input_forecasts_calendar_months() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("good/monthly.json");
    let out = succeeds(
        dir.path(),
        &[
            "forecast",
            "--input",
            input.to_str().unwrap(),
            "--model",
            "logdrift",
            "-o",
            "fc.csv",
        ],
    );
    assert!(out.contains("2026-01") && out.contains("2026-12"), "{out}");
    let text = std::fs::read_to_string(dir.path().join("fc.csv")).unwrap();
    assert_eq!(text.lines().count(), 13);
    assert!(text.lines().nth(1).unwrap().starts_with("m,2026-01,"));
}

#[test]
fn parquet_input_is_read_like_csv() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let mut df = df!(
        "series" => ["a", "a", "a", "a"],
        "year" => [2001i64, 2002, 2003, 2004],
        "sales" => [1.0f64, 2.0, 3.0, 4.5],
    )
    .unwrap();
    let p = dir.path().join("in.parquet");
    ParquetWriter::new(std::fs::File::create(&p).unwrap())
        .finish(&mut df)
        .unwrap();
    let out = succeeds(
        dir.path(),
        &[
            "forecast",
            "--input",
            "in.parquet",
            "--id-col",
            "series",
            "--time-col",
            "year",
            "--value-col",
            "sales",
            "--model",
            "drift",
            "--until",
            "2006",
            "-o",
            "fc.csv",
        ],
    );
    assert!(out.contains("2006"), "{out}");
    let text = std::fs::read_to_string(dir.path().join("fc.csv")).unwrap();
    assert_eq!(
        text.lines().next().unwrap(),
        "series,year,model,mean,lo80,hi80,lo95,hi95"
    );
    assert!(
        text.contains("a,2005,chipcast:drift,5.666666666666667,"),
        "{text}"
    );
}
