//! Never lose data, one test per rule, and the exit statuses 0 / 1 / 2.

use crate::common::*;
use std::path::Path;

fn write_series(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

const GOOD: &str = "unique_id,ds,y\nA,2000,1\nA,2001,2\nA,2002,3\nA,2003,4\nA,2004,5\n";

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".chipcast-"))
        .collect()
}

#[test]
fn a_failed_one_series_run_leaves_an_existing_output_untouched() {
    let dir = tempfile::tempdir().unwrap();
    write_series(
        dir.path(),
        "z.csv",
        "unique_id,ds,y\nA,2000,1\nA,2001,0\nA,2002,3\nA,2003,4\n",
    );
    write_series(dir.path(), "keep.csv", "precious\n");
    let e = fails_with(
        dir.path(),
        &[
            "forecast", "--input", "z.csv", "--model", "logdrift", "-H", "3", "-o", "keep.csv",
        ],
    );
    assert!(e.contains("every value > 0"), "{e}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("keep.csv")).unwrap(),
        "precious\n"
    );
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn an_output_equal_to_the_input_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    write_series(dir.path(), "g.csv", GOOD);
    let e = fails_with(dir.path(), &["forecast", "--input", "g.csv", "-o", "g.csv"]);
    assert!(
        e.contains("--output is the same file as --input g.csv"),
        "{e}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("g.csv")).unwrap(),
        GOOD
    );
}

#[test]
fn a_bad_chart_or_timing_path_fails_before_the_table_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    write_series(dir.path(), "g.csv", GOOD);
    write_series(dir.path(), "out.csv", "precious\n");
    for extra in [["--chart", "fan.jpg"], ["--timing", "nodir/t.csv"]] {
        let mut args = vec!["forecast", "--input", "g.csv", "-o", "out.csv"];
        args.extend(extra);
        fails_with(dir.path(), &args);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("out.csv")).unwrap(),
            "precious\n"
        );
    }
}

#[test]
fn a_successful_run_writes_every_output_and_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    write_series(dir.path(), "g.csv", GOOD);
    write_series(dir.path(), "out.csv", "old\n");
    succeeds(
        dir.path(),
        &[
            "forecast", "--input", "g.csv", "-o", "out.csv", "--params", "p.json", "--chart",
            "c.svg", "--timing", "t.csv",
        ],
    );
    let out = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert!(out.starts_with("unique_id,ds,model,mean"), "{out}");
    for f in ["p.json", "c.svg", "t.csv"] {
        assert!(dir.path().join(f).metadata().unwrap().len() > 0, "{f}");
    }
    assert!(leftovers(dir.path()).is_empty());
}

#[cfg(unix)]
fn mode_under_umask(umask: &str) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    write_series(dir.path(), "g.csv", GOOD);
    let bin = assert_cmd::cargo::cargo_bin("chipcast");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask {umask} && exec '{}' forecast --input g.csv -o out.csv --chart c.png",
            bin.display()
        ))
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let table = std::fs::metadata(dir.path().join("out.csv")).unwrap();
    let chart = std::fs::metadata(dir.path().join("c.png")).unwrap();
    assert_eq!(table.permissions().mode(), chart.permissions().mode());
    table.permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn new_outputs_get_the_users_umask() {
    assert_eq!(mode_under_umask("022"), 0o644);
    assert_eq!(mode_under_umask("077"), 0o600);
    assert_eq!(mode_under_umask("002"), 0o664);
}

#[cfg(unix)]
#[test]
fn a_symlinked_output_replaces_the_links_target_and_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("store")).unwrap();
    write_series(dir.path(), "g.csv", GOOD);
    write_series(dir.path(), "store/real.csv", "old\n");
    std::os::unix::fs::symlink("store/real.csv", dir.path().join("link.csv")).unwrap();
    succeeds(
        dir.path(),
        &["forecast", "--input", "g.csv", "-o", "link.csv"],
    );
    let link = std::fs::symlink_metadata(dir.path().join("link.csv")).unwrap();
    assert!(link.file_type().is_symlink());
    let real = std::fs::read_to_string(dir.path().join("store/real.csv")).unwrap();
    assert!(real.starts_with("unique_id,ds,model"), "{real}");
    assert!(leftovers(dir.path()).is_empty());
    assert!(leftovers(&dir.path().join("store")).is_empty());
}

#[cfg(unix)]
#[test]
fn an_output_linked_to_the_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write_series(dir.path(), "g.csv", GOOD);
    std::os::unix::fs::symlink("g.csv", dir.path().join("alias.csv")).unwrap();
    let e = fails_with(
        dir.path(),
        &["forecast", "--input", "g.csv", "-o", "alias.csv"],
    );
    assert!(e.contains("same file as --input"), "{e}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("g.csv")).unwrap(),
        GOOD
    );
}

#[test]
fn some_series_failing_exits_1_names_them_and_writes_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    write_series(
        dir.path(),
        "two.csv",
        "unique_id,ds,y\nA,2000,1\nA,2001,2\nA,2002,3\nB,2000,1\nB,2001,0\nB,2002,3\n",
    );
    let out = chipcast(dir.path())
        .args([
            "forecast", "--input", "two.csv", "--model", "logdrift", "-H", "2", "-o", "out.csv",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("1 fitted, 1 failed"), "{err}");
    assert!(err.contains("  B: "), "{err}");
    let table = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert!(table.lines().any(|l| l.starts_with("A,2003,")), "{table}");
    assert!(table.lines().any(|l| l.starts_with("B,2003,")), "{table}");
}

#[test]
fn every_series_failing_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    write_series(
        dir.path(),
        "two.csv",
        "unique_id,ds,y\nA,2000,0\nA,2001,2\nB,2000,1\nB,2001,0\n",
    );
    let e = fails_with(
        dir.path(),
        &[
            "forecast", "--input", "two.csv", "--model", "logdrift", "-o", "out.csv",
        ],
    );
    assert!(e.contains("every series failed (2 of 2)"), "{e}");
    assert!(e.contains("  A: ") && e.contains("  B: "), "{e}");
    assert!(!dir.path().join("out.csv").exists());
}

#[test]
fn the_help_documents_the_exit_statuses() {
    let dir = tempfile::tempdir().unwrap();
    let help = succeeds(dir.path(), &["--help"]);
    assert!(
        help.contains("Exit status: 0 success; 1 some series"),
        "{help}"
    );
    assert!(help.contains("2 bad input or usage"), "{help}");
}
