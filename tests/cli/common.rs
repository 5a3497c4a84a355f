//! Test harness: a temp working dir, fixture paths and the `chipcast` command.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// Path of a file under `tests/fixtures`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// The binary under test, run inside `dir`. Reports are wrapped to `$COLUMNS` (80 when
/// unset) when stdout is not a terminal; the harness sets a wide `COLUMNS` so that tests
/// match phrases whatever their line breaks, and `exports::reports_wrap_to_80_columns`
/// checks the wrapping itself.
pub fn chipcast(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("chipcast").expect("binary is built");
    c.current_dir(dir)
        .env("RAYON_NUM_THREADS", "1")
        .env("COLUMNS", "100000");
    c
}

/// Run, expect failure, and return stderr (asserting it is an error message, not a panic).
pub fn fails_with(dir: &Path, args: &[&str]) -> String {
    let out = chipcast(dir).args(args).output().expect("runs");
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        !out.status.success(),
        "expected failure for {args:?}, got success\n{err}"
    );
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "panic for {args:?}:\n{err}");
    assert!(err.starts_with("error: "), "{err}");
    err
}

/// Run, expect success, and return stdout.
pub fn succeeds(dir: &Path, args: &[&str]) -> String {
    let out = chipcast(dir).args(args).output().expect("runs");
    assert!(
        out.status.success(),
        "{args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Compare with a golden file under `tests/cli/golden`; `UPDATE_GOLDEN=1` rewrites it.
pub fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cli/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing golden file {} (run with UPDATE_GOLDEN=1)",
            path.display()
        )
    });
    if expected != actual {
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .filter(|(_, (e, a))| e != a)
            .take(5)
            .map(|(i, (e, a))| format!("line {}:\n  expected: {e}\n  actual:   {a}", i + 1))
            .collect();
        panic!(
            "{name} differs from the golden file ({} vs {} lines):\n{}",
            expected.lines().count(),
            actual.lines().count(),
            diff.join("\n")
        );
    }
}

/// The records of a long JSON export (`-o x.json`) whose `table` column is `table`.
pub fn json_table(path: &Path, table: &str) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap();
    let all: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    all.into_iter().filter(|r| r["table"] == table).collect()
}

/// The market model's headline block as every command prints it.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    /// The current year.
    pub year: i64,
    /// Its point forecast, as printed.
    pub point: f64,
    /// Its 95% interval.
    pub lo95: f64,
    pub hi95: f64,
    /// "P(YEAR ≥ 1,000.0) = x%" as printed, e.g. "23.6%".
    pub p_by: String,
}

/// A number as the terminal prints it (`1,301.2`).
pub fn number(text: &str) -> f64 {
    text.replace(',', "")
        .parse()
        .unwrap_or_else(|e| panic!("{text:?} is not a number: {e}"))
}

/// Parse the first market-model headline in a command's stdout (panics if there is none).
pub fn headline(out: &str) -> Headline {
    let mut lines = out
        .lines()
        .skip_while(|l| !l.starts_with("Market model "))
        .skip(1);
    let first = lines
        .next()
        .unwrap_or_else(|| panic!("no market headline in\n{out}"));
    let (year, rest) = first.trim().split_once(": ").unwrap();
    let point = number(rest.split_whitespace().next().unwrap());
    let iv = rest.split("95%: ").nth(1).unwrap();
    let iv = iv.split(')').next().unwrap();
    let (lo, hi) = iv.split_once('–').unwrap();
    let second = lines
        .find(|l| l.contains("P(some calendar year"))
        .unwrap_or_else(|| panic!("no odds line in\n{out}"));
    let p_by = second
        .split(" = ")
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    Headline {
        year: year.parse().unwrap(),
        point,
        lo95: number(lo),
        hi95: number(hi),
        p_by,
    }
}

/// (point, P(≥ target in the target year)) of the `vintages` row for `as_of`: the first
/// number after the data column, and the first percentage.
pub fn vintage_row(out: &str, as_of: &str) -> (f64, String) {
    let row = out
        .lines()
        .find(|l| l.starts_with(&format!("│ {as_of} ")))
        .unwrap_or_else(|| panic!("no row {as_of} in\n{out}"));
    let t: Vec<&str> = row.split_whitespace().skip(2).collect();
    let point = t
        .iter()
        .find(|x| !x.contains('/') && x.replace(',', "").parse::<f64>().is_ok())
        .unwrap_or_else(|| panic!("no point in {row}"));
    let p = t
        .iter()
        .find(|x| x.ends_with('%'))
        .unwrap_or_else(|| panic!("no odds in {row}"));
    (number(point), p.to_string())
}
