//! Conventional CLI habits: help that names what each command does and agrees with its
//! output, completions and a man page, wrapped prose, exit statuses, as-of limits.

use crate::common::*;

/// Each command and a phrase its help must contain, naming what it does.
const COMMANDS: &[(&str, &str)] = &[
    ("forecast", "Forecast a series"),
    ("gap", "compute-demand estimates"),
    ("milestone", "cross a target"),
    ("nowcast", "months already known"),
    ("backtest", "Rolling-origin accuracy"),
    ("vintages", "each as-of date"),
    ("regions", "four WSTS regions"),
    ("data", "built-in datasets"),
    ("completions", "shell completion script"),
    ("man", "man page"),
];

#[test]
fn every_command_has_help_that_names_what_it_does_in_short_and_long_form() {
    let dir = tempfile::tempdir().unwrap();
    let top = succeeds(dir.path(), &["--help"]);
    for (cmd, phrase) in COMMANDS {
        assert!(top.contains(phrase), "top-level help lacks {cmd}: {top}");
        let short = succeeds(dir.path(), &[cmd, "-h"]);
        let long = succeeds(dir.path(), &[cmd, "--help"]);
        assert!(
            short.lines().next().unwrap().contains(phrase),
            "{cmd} -h: {short}"
        );
        assert!(long.contains(phrase), "{cmd} --help: {long}");
        assert!(
            short.lines().count() <= long.lines().count(),
            "{cmd}: -h is not more compact than --help"
        );
    }
    let short = succeeds(dir.path(), &["forecast", "-h"]);
    let long = succeeds(dir.path(), &["forecast", "--help"]);
    assert!(short.lines().count() * 2 < long.lines().count(), "{short}");
    // the model list appears once, with each model's help, in the long form only
    assert_eq!(long.matches("- logdrift:").count(), 1, "{long}");
    assert!(!short.contains("- logdrift:"), "{short}");
}

#[test]
fn help_names_every_built_in_series_and_the_mixture_combination() {
    let dir = tempfile::tempdir().unwrap();
    let help = succeeds(dir.path(), &["forecast", "--help"]);
    for name in [
        "worldwide",
        "americas",
        "europe",
        "japan",
        "asia-pacific",
        "worldwide-monthly",
        "japan-monthly",
    ] {
        assert!(help.contains(name), "--series help lacks {name}");
        succeeds(
            dir.path(),
            &["forecast", "--series", name, "--model", "drift"],
        );
    }
    assert!(help.contains("mixture"), "--combine help: {help}");
    assert!(!help.contains("interval bounds"), "--combine help: {help}");
}

#[test]
fn explain_says_why_the_default_model_was_used_and_names_it_as_auto() {
    let dir = tempfile::tempdir().unwrap();
    // on the built-in series the default is the market model; auto is the default model
    // of every other series
    std::fs::write(
        dir.path().join("y.csv"),
        "unique_id,ds,y\nA,2000,10\nA,2001,11\nA,2002,13\nA,2003,12\nA,2004,15\nA,2005,16\n",
    )
    .unwrap();
    let default = succeeds(dir.path(), &["forecast", "--input", "y.csv", "--explain"]);
    assert!(default.contains("== A: auto — "), "{default}");
    assert!(
        default.contains("why: the default model (no --model given)"),
        "{default}"
    );
    assert!(!default.contains("named with --model"), "{default}");
    let named = succeeds(dir.path(), &["forecast", "--explain", "--model", "ets"]);
    assert!(named.contains("why: named with --model ets"), "{named}");
}

#[test]
fn completions_cover_every_shell_and_command_and_the_man_page_renders() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = succeeds(dir.path(), &["completions", shell]);
        for (cmd, _) in COMMANDS {
            assert!(script.contains(cmd), "{shell} completion lacks {cmd}");
        }
        assert!(script.contains("as-of"), "{shell} completion lacks --as-of");
    }
    let e = fails_with(dir.path(), &["completions", "tcsh"]);
    assert!(e.contains("possible values"), "{e}");
    let man = succeeds(dir.path(), &["man"]);
    assert!(
        man.starts_with(".ie") && man.contains(".TH chipcast 1"),
        "{man}"
    );
    assert!(man.contains("forecast"), "{man}");
}

#[test]
fn reports_wrap_to_80_columns_when_not_a_terminal_and_tables_stay_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = chipcast(dir.path())
        .env_remove("COLUMNS")
        .arg("forecast")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let box_chars = ['│', '┌', '└', '╞'];
    for line in text.lines().filter(|l| !l.contains(box_chars)) {
        // a single word longer than the width (a URL) may stand alone
        assert!(
            line.chars().count() <= 80 || !line.trim().contains(' '),
            "{} columns: {line}",
            line.chars().count()
        );
    }
    assert!(text.lines().any(|l| l.contains('│')), "{text}");
    let wide = chipcast(dir.path())
        .env("COLUMNS", "200")
        .arg("forecast")
        .output()
        .unwrap();
    let wide = String::from_utf8(wide.stdout).unwrap();
    assert!(wide.lines().count() < text.lines().count());
}

#[test]
fn an_as_of_after_the_data_is_refused_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    for cmd in [
        "forecast",
        "milestone",
        "gap",
        "nowcast",
        "vintages",
        "backtest",
        "regions",
    ] {
        let e = fails_with(dir.path(), &[cmd, "--as-of", "2031"]);
        assert!(e.contains("--as-of 2031 is after the last"), "{cmd}: {e}");
    }
}

#[test]
fn exit_status_is_0_1_or_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mixed.csv"),
        "unique_id,ds,y\nA,2000,1\nA,2001,2\nA,2002,3\nB,2000,-1\nB,2001,0\nB,2002,2\n",
    )
    .unwrap();
    let status = |args: &[&str]| {
        chipcast(dir.path())
            .args(args)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(status(&["data", "list"]), Some(0));
    // B cannot take logs: named on stderr, A is still forecast
    let out = chipcast(dir.path())
        .args([
            "forecast",
            "--input",
            "mixed.csv",
            "--model",
            "logdrift",
            "-H",
            "2",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("  B: "));
    assert_eq!(status(&["forecast", "--no-such-flag"]), Some(2));
    assert_eq!(status(&["forecast", "--input", "missing.csv"]), Some(2));
}

#[test]
fn terminal_tables_group_thousands_and_exports_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let out = succeeds(dir.path(), &["forecast", "--until", "2035", "-o", "f.csv"]);
    let grouped = |cell: &str| {
        let b = cell.as_bytes();
        b.len() >= 7 && b[1] == b',' && cell.split(',').skip(1).all(|g| g.len() >= 3)
    };
    let table_cells: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("│ 20"))
        .flat_map(|l| l.split_whitespace())
        .collect();
    assert!(table_cells.iter().any(|c| grouped(c)), "{out}");
    let csv = std::fs::read_to_string(dir.path().join("f.csv")).unwrap();
    for line in csv.lines().skip(1) {
        for cell in line.split(',').skip(3) {
            cell.parse::<f64>()
                .unwrap_or_else(|_| panic!("not a plain number: {cell:?} in {line}"));
        }
    }
}

#[test]
fn tables_fit_the_width_by_wrapping_text_cells_and_never_split_a_number() {
    let dir = tempfile::tempdir().unwrap();
    let run = |columns: Option<&str>| {
        let mut c = chipcast(dir.path());
        match columns {
            Some(w) => c.env("COLUMNS", w),
            None => c.env_remove("COLUMNS"),
        };
        let out = c
            .args(["gap", "--scenario", "default", "--paths", "300"])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    // unset COLUMNS and not a terminal: 80 columns
    let (narrow, wide) = (run(None), run(Some("100000")));
    let widest = |t: &str| t.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(widest(&wide) > 200, "the unfitted table is wide");
    assert!(widest(&narrow) <= 110, "{narrow}");
    let numbers = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.contains('│'))
            .flat_map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .filter(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
            .collect()
    };
    let fitted = numbers(&narrow);
    for n in numbers(&wide) {
        assert!(fitted.contains(&n), "{n} was split:\n{narrow}");
    }
}
