//! Goldens of the commands that are one library call (`chipcast::commands`): each one's
//! report, `--json` document and `--help`, with a fixed seed, so any change of output is
//! a reviewed diff (`UPDATE_GOLDEN=1 cargo test --release --test cli commands`).

use crate::common::*;

/// `(golden file stem, arguments)`: every converted command, default and non-default
/// paths through it, each with a fixed seed and few enough paths to run in well under a
/// second. Each case's report, `-o -` CSV (unless in [`NO_TABLE`]) and `--json` (unless
/// its command is in [`NOT_YET_JSON`] or the case in [`NO_JSON`]) are goldens.
const CASES: &[(&str, &[&str])] = &[
    (
        "milestone_market",
        &["milestone", "--paths", "2000", "--seed", "7"],
    ),
    (
        "milestone_drift_2025_06",
        &[
            "milestone",
            "--model",
            "drift",
            "--as-of",
            "2025-06",
            "--paths",
            "2000",
            "--seed",
            "7",
        ],
    ),
    (
        "vintages_market",
        &[
            "vintages",
            "--as-of",
            "2020-12,2024-11,2025-12",
            "--paths",
            "1000",
            "--seed",
            "7",
        ],
    ),
    (
        "vintages_drift",
        &[
            "vintages",
            "--model",
            "drift",
            "--as-of",
            "2020-12,2025-06",
            "--paths",
            "1000",
            "--seed",
            "7",
        ],
    ),
    (
        "nowcast_latest",
        &["nowcast", "--paths", "1000", "--seed", "7"],
    ),
    (
        "nowcast_2024_06",
        &[
            "nowcast", "--as-of", "2024-06", "--paths", "1000", "--seed", "7",
        ],
    ),
    (
        "backtest_worldwide",
        &[
            "backtest",
            "--series",
            "worldwide",
            "--models",
            "naive,drift",
            "--paths",
            "500",
            "--seed",
            "7",
        ],
    ),
    (
        "backtest_drift_no_industry",
        &[
            "backtest",
            "--series",
            "worldwide,japan",
            "--models",
            "drift,ets",
            "--model",
            "drift",
            "--no-industry",
        ],
    ),
    ("gap_market", &["gap", "--paths", "1000", "--seed", "7"]),
    (
        "gap_market_2025_12",
        &[
            "gap", "--as-of", "2025-12", "--paths", "1000", "--seed", "7",
        ],
    ),
    (
        "gap_scenario_default",
        &[
            "gap",
            "--scenario",
            "default",
            "--paths",
            "1000",
            "--seed",
            "7",
        ],
    ),
    (
        "regions_market",
        &["regions", "--paths", "1000", "--seed", "7"],
    ),
    (
        "regions_drift",
        &[
            "regions", "--model", "drift", "--paths", "1000", "--seed", "7",
        ],
    ),
    (
        "forecast_market_seed7",
        &["forecast", "--paths", "1000", "--seed", "7"],
    ),
    (
        "forecast_market_2025_12_seed7",
        &[
            "forecast", "--as-of", "2025-12", "--paths", "1000", "--seed", "7",
        ],
    ),
    (
        "forecast_drift_h5",
        &[
            "forecast",
            "--model",
            "drift",
            "--horizon",
            "5",
            "--paths",
            "1000",
            "--seed",
            "7",
        ],
    ),
    (
        "forecast_since_2000",
        &[
            "forecast", "--since", "2000", "--paths", "1000", "--seed", "7",
        ],
    ),
    (
        "forecast_monthly_auto",
        &[
            "forecast",
            "--series",
            "worldwide-monthly",
            "--horizon",
            "6",
            "--paths",
            "1000",
            "--seed",
            "7",
        ],
    ),
    (
        "forecast_input_one_series_explain",
        &[
            "forecast",
            "--input",
            "tests/fixtures/good/three_series.csv",
            "--id",
            "alpha",
            "--target",
            "300",
            "--by",
            "2027",
            "--explain",
            "--paths",
            "1000",
            "--seed",
            "7",
        ],
    ),
    (
        "forecast_input_three_series",
        &[
            "forecast",
            "--input",
            "tests/fixtures/good/three_series.csv",
            "--model",
            "auto",
            "--horizon",
            "3",
        ],
    ),
    ("data_list_command", &["data", "list"]),
    ("data_show_wsts_annual", &["data", "show", "wsts_annual"]),
];

/// Cases whose command prints no table, so has no `-o`.
const NO_TABLE: &[&str] = &["data_list_command"];

/// Commands whose goldens were recorded before their conversion to one library call
/// (report and CSV only, so the refactor is checked byte for byte); they get `--json`
/// when converted and leave this list.
const NOT_YET_JSON: &[&str] = &[];

/// Cases with a flag that `--json` refuses (`forecast --explain` prints text on stdout):
/// report and CSV goldens only.
const NO_JSON: &[&str] = &["forecast_input_one_series_explain"];

/// Cases whose run exits with a status other than 0 (`forecast` over a file where some
/// series cannot be fitted exits 1); their stderr (the run's summary, naming the failed
/// series) is a golden too.
const EXIT_STATUS: &[(&str, i32)] = &[("forecast_input_three_series", 1)];

/// The `--help` goldens: every converted command's.
const HELP: &[&[&str]] = &[
    &["forecast"],
    &["milestone"],
    &["vintages"],
    &["nowcast"],
    &["backtest"],
    &["gap"],
    &["regions"],
    &["data", "list"],
    &["data", "show"],
];

/// The binary at 80 columns, as a report reads in a terminal or a pipe, run in the
/// repository (so a case's fixture path, and the label naming it, are relative); stdout,
/// with the exit status the case expects ([`EXIT_STATUS`], else 0). Where that status is
/// not 0, stderr is compared with the golden `<golden>.stderr.txt`.
fn run80_case(name: &str, golden_stem: &str, args: &[&str]) -> String {
    let out = chipcast(std::path::Path::new(env!("CARGO_MANIFEST_DIR")))
        .env("COLUMNS", "80")
        .args(args)
        .output()
        .expect("runs");
    let expected = EXIT_STATUS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(0, |(_, code)| *code);
    assert_eq!(
        out.status.code(),
        Some(expected),
        "{args:?} exited with {:?}, not {expected}:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    if expected != 0 {
        golden(
            &format!("{golden_stem}.stderr.txt"),
            &String::from_utf8(out.stderr).unwrap(),
        );
    }
    String::from_utf8(out.stdout).unwrap()
}

/// [`run80_case`] for a run that must succeed.
fn run80(args: &[&str]) -> String {
    run80_case("", "", args)
}

/// The cases whose command takes `--json`.
fn json_cases() -> impl Iterator<Item = &'static (&'static str, &'static [&'static str])> {
    CASES
        .iter()
        .filter(|(name, args)| !NOT_YET_JSON.contains(&args[0]) && !NO_JSON.contains(name))
}

#[test]
fn every_converted_command_prints_its_golden_report() {
    for (name, args) in CASES {
        golden(&format!("{name}.txt"), &run80_case(name, name, args));
    }
}

#[test]
fn every_converted_command_prints_its_golden_help() {
    for cmd in HELP {
        let mut args = cmd.to_vec();
        args.push("--help");
        golden(&format!("{}_help.txt", cmd.join("_")), &run80(&args));
    }
}

#[test]
fn every_converted_commands_table_export_matches_its_golden_csv() {
    for (name, args) in CASES.iter().filter(|(n, _)| !NO_TABLE.contains(n)) {
        let mut args = args.to_vec();
        args.extend(["-o", "-"]);
        golden(
            &format!("{name}.csv"),
            &run80_case(name, &format!("{name}.csv"), &args),
        );
    }
}

#[test]
fn every_converted_commands_json_is_one_document_matching_its_golden() {
    for (name, args) in json_cases() {
        let mut args = args.to_vec();
        args.push("--json");
        let out = run80_case(name, &format!("{name}.json"), &args);
        let v: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
        assert!(v["provenance"]["chipcast_version"].is_string(), "{name}");
        golden(&format!("{name}.json"), &out);
    }
}

/// The README's "JSON output" section lists every top-level key of each command's
/// document, so the documented schema cannot fall behind the code.
#[test]
fn the_readme_lists_every_top_level_json_key_of_every_command() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("<!-- json-schema: keys checked by tests/cli/commands.rs -->")
        .nth(1)
        .expect("the README has its JSON schema section");
    for (name, args) in json_cases() {
        let mut args = args.to_vec();
        args.push("--json");
        let v: serde_json::Value =
            serde_json::from_str(&run80_case(name, &format!("{name}.json"), &args)).unwrap();
        let cmd = args[0];
        let row = section
            .lines()
            .find(|l| l.starts_with(&format!("| `{cmd}` |")))
            .unwrap_or_else(|| panic!("no README row for {cmd}"));
        for key in v.as_object().unwrap().keys() {
            assert!(
                row.contains(&format!("`{key}`")),
                "README row for {cmd} ({name}) lacks `{key}`"
            );
        }
    }
}

/// At 80 columns every report line fits, tables included (issue 11: a `gap` table was
/// 266 columns wide). Exceptions: a line that holds a URL (it cannot be broken) and the
/// raw dataset printed by `data show`, whose cells are the CSV's own long source strings.
#[test]
fn every_converted_commands_report_fits_80_columns() {
    for (name, args) in CASES.iter().filter(|(_, a)| a[..2] != ["data", "show"]) {
        let out = run80_case(name, name, args);
        for line in out.lines().filter(|l| !l.contains("https://")) {
            assert!(
                line.chars().count() <= 80,
                "{name}: {} columns: {line}",
                line.chars().count()
            );
        }
    }
}
