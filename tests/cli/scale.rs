//! Many series: runs cut into batches and fitted on several threads write exactly what one
//! batch on one thread writes, rows in the input's order of first appearance.

use crate::common::chipcast;
use polars::prelude::*;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// `n` annual series of 9 to 16 points, rows interleaved (not grouped by series), ids with
/// leading zeros, written in a scrambled row order.
fn panel(dir: &Path, n: usize) -> (PathBuf, Vec<String>) {
    let mut rows: Vec<(String, i64, f64)> = Vec::new();
    for s in 0..n {
        let len = 9 + (s * 5) % 8;
        let mut y = 50.0 + (s % 13) as f64;
        for t in 0..len {
            y *= 1.0 + 0.01 * (((s * 31 + t * 17) % 23) as f64 - 8.0);
            rows.push((
                format!("{s:04}"),
                2000 + t as i64,
                (y * 1000.0).round() / 1000.0,
            ));
        }
    }
    // a fixed scramble: stride through the rows
    let m = rows.len();
    let stride = (1..m)
        .rev()
        .find(|k| gcd(*k, m) == 1 && *k < m / 3)
        .unwrap();
    let mut text = String::from("unique_id,ds,y\n");
    let mut first_seen: Vec<String> = Vec::new();
    for i in 0..m {
        let (id, t, y) = &rows[(i * stride) % m];
        if !first_seen.contains(id) {
            first_seen.push(id.clone());
        }
        let _ = writeln!(text, "{id},{t},{y}");
    }
    let p = dir.join("panel.csv");
    std::fs::write(&p, text).unwrap();
    (p, first_seen)
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

fn run(dir: &Path, threads: &str, batch: &str, out: &str, extra: &[&str]) {
    let mut args = vec![
        "forecast",
        "--input",
        "panel.csv",
        "--horizon",
        "4",
        "--batch",
        batch,
        "-o",
        out,
    ];
    args.extend_from_slice(extra);
    let o = chipcast(dir)
        .env("RAYON_NUM_THREADS", threads)
        .args(&args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn parquet(p: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(p).unwrap())
        .finish()
        .unwrap()
}

#[test]
fn batched_parallel_runs_write_byte_for_byte_what_one_serial_batch_writes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    panel(d, 240);
    for (ext, extra) in [
        ("csv", &[][..]),
        ("json", &["--model", "drift"][..]),
        ("csv", &["--intervals", "conformal", "--model", "ets"][..]),
    ] {
        let (serial, batched) = (format!("serial.{ext}"), format!("batched.{ext}"));
        run(d, "1", "100000", &serial, extra);
        run(d, "2", "7", &batched, extra);
        let a = std::fs::read(d.join(&serial)).unwrap();
        let b = std::fs::read(d.join(&batched)).unwrap();
        assert!(a.len() > 1000, "{extra:?}");
        assert!(a == b, "{ext} {extra:?}: batched output differs");
    }
}

#[test]
fn batched_parquet_holds_the_same_table_and_metadata_as_one_batch() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    panel(d, 120);
    run(d, "1", "100000", "serial.parquet", &[]);
    run(d, "2", "11", "batched.parquet", &[]);
    let (a, b) = (
        parquet(&d.join("serial.parquet")),
        parquet(&d.join("batched.parquet")),
    );
    assert_eq!(a.height(), b.height());
    assert!(a.equals_missing(&b));
    let meta = |p: &str| chipcast::outputs::export::parquet_metadata(&d.join(p)).unwrap();
    assert_eq!(meta("serial.parquet"), meta("batched.parquet"));
}

#[test]
fn rows_come_in_the_order_ids_first_appear_in_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (_, first_seen) = panel(d, 60);
    run(d, "2", "4", "out.csv", &["--model", "naive"]);
    let text = std::fs::read_to_string(d.join("out.csv")).unwrap();
    let mut ids: Vec<String> = Vec::new();
    for line in text.lines().skip(1) {
        let id = line.split(',').next().unwrap().to_string();
        if ids.last() != Some(&id) {
            ids.push(id);
        }
    }
    assert_eq!(ids, first_seen);
    assert_eq!(text.lines().count(), 1 + 60 * 4);
}

fn parts(dir: &Path) -> Vec<PathBuf> {
    let mut p: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    p.sort();
    p
}

#[test]
fn a_partitioned_output_holds_one_file_per_batch_and_together_the_whole_table() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    panel(d, 50);
    run(d, "1", "100000", "whole.parquet", &[]);
    run(d, "2", "20", "unused.csv", &["--partitions", "parts"]);
    let files = parts(&d.join("parts"));
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "part-00000.parquet",
            "part-00001.parquet",
            "part-00002.parquet"
        ]
    );
    let mut joined = parquet(&files[0]);
    for f in &files[1..] {
        joined.vstack_mut(&parquet(f)).unwrap();
    }
    assert!(joined.equals_missing(&parquet(&d.join("whole.parquet"))));
    // a second run with bigger batches replaces the directory whole
    run(d, "2", "30", "unused.csv", &["--partitions", "parts"]);
    assert_eq!(parts(&d.join("parts")).len(), 2);
    let beside: Vec<PathBuf> = parts(d)
        .into_iter()
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    assert!(beside.is_empty(), "{beside:?}");
}

#[test]
fn a_partition_directory_holding_other_files_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    panel(d, 5);
    std::fs::create_dir(d.join("mine")).unwrap();
    std::fs::write(d.join("mine/notes.txt"), "keep").unwrap();
    let err = crate::common::fails_with(
        d,
        &["forecast", "--input", "panel.csv", "--partitions", "mine"],
    );
    assert!(err.contains("not a part of a partitioned table"), "{err}");
    assert_eq!(
        std::fs::read_to_string(d.join("mine/notes.txt")).unwrap(),
        "keep"
    );
    let err = crate::common::fails_with(
        d,
        &["forecast", "--input", "panel.csv", "--partitions", "."],
    );
    assert!(err.contains("holds --input"), "{err}");
}

#[test]
fn a_directory_or_glob_input_reads_every_file_as_one_input() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("in")).unwrap();
    std::fs::write(
        d.join("in/a.csv"),
        "unique_id,ds,y\nA,2000,1\nA,2001,2\nA,2002,3\n",
    )
    .unwrap();
    std::fs::write(
        d.join("in/b.csv"),
        "unique_id,ds,y\nB,2000,5\nB,2001,4\nB,2002,6\n",
    )
    .unwrap();
    std::fs::write(d.join("in/notes.txt"), "not data").unwrap();
    for input in ["in", "in/*.csv"] {
        crate::common::succeeds(
            d,
            &[
                "forecast", "--input", input, "--model", "naive", "-H", "2", "-o", "out.csv",
            ],
        );
        let text = std::fs::read_to_string(d.join("out.csv")).unwrap();
        let ids: Vec<&str> = text.lines().skip(1).map(|l| &l[..1]).collect();
        assert_eq!(ids, ["A", "A", "B", "B"], "{input}");
    }
    std::fs::write(d.join("in/c.csv"), "unique_id,ds,y\nA,2003,1\n").unwrap();
    let err = crate::common::fails_with(d, &["forecast", "--input", "in", "--model", "naive"]);
    assert!(err.contains("series \"A\" is in"), "{err}");
    let err = crate::common::fails_with(d, &["forecast", "--input", "in/*.json"]);
    assert!(err.contains("no file matches"), "{err}");
}

#[test]
fn a_run_over_ten_thousand_series_streams_the_same_rows_and_points_to_params_for_the_per_series_keys()
 {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut text = String::from("unique_id,ds,y\n");
    for s in 0..10_001 {
        for t in 0..4 {
            let _ = writeln!(text, "s{s},{},{}", 2000 + t, 10 + (s * 7 + t * 3) % 17);
        }
    }
    std::fs::write(d.join("panel.csv"), text).unwrap();
    for (threads, batch, out) in [("1", "100000", "one.csv"), ("2", "777", "many.csv")] {
        run(d, threads, batch, out, &["--model", "naive"]);
    }
    let a = std::fs::read(d.join("one.csv")).unwrap();
    assert_eq!(a, std::fs::read(d.join("many.csv")).unwrap());
    assert_eq!(a.iter().filter(|b| **b == b'\n').count(), 1 + 10_001 * 4);
    run(d, "2", "777", "many.parquet", &["--model", "naive"]);
    assert_eq!(parquet(&d.join("many.parquet")).height(), 10_001 * 4);
    let meta = chipcast::outputs::export::parquet_metadata(&d.join("many.parquet")).unwrap();
    let params = &meta.iter().find(|(k, _)| k == "chipcast.params").unwrap().1;
    assert!(
        params.contains("10001 series") && params.contains("--params"),
        "{params}"
    );
}

/// `n` annual series whose rows are together (a file sorted by id), as `--stream` needs.
fn grouped(dir: &Path, n: usize) -> PathBuf {
    let mut text = String::from("unique_id,ds,y\n");
    for s in 0..n {
        let mut y = 40.0 + (s % 17) as f64;
        for t in 0..(8 + s % 6) {
            y *= 1.0 + 0.01 * (((s * 13 + t * 7) % 19) as f64 - 6.0);
            let _ = writeln!(text, "g{s:05},{},{:.3}", 1990 + t, y);
        }
    }
    let p = dir.join("grouped.csv");
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn a_streamed_run_writes_what_a_whole_read_writes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    grouped(d, 2_300);
    let go = |mode: &str, out: &str, parts: &str| {
        let args = [
            "forecast",
            "--input",
            "grouped.csv",
            "--horizon",
            "3",
            "--batch",
            "500",
            "--stream",
            mode,
            "-o",
            out,
            "--partitions",
            parts,
        ];
        let o = chipcast(d).args(args).output().unwrap();
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stderr).to_string()
    };
    let streamed = go("always", "streamed.parquet", "streamed-parts");
    let whole = go("never", "whole.parquet", "whole-parts");
    assert_eq!(streamed.replace("streamed", "whole"), whole);
    let (a, b) = (
        parquet(&d.join("streamed.parquet")),
        parquet(&d.join("whole.parquet")),
    );
    assert_eq!(a.height(), 2_300 * 3);
    assert!(a.equals_missing(&b));
    let meta = |p: &Path| chipcast::outputs::export::parquet_metadata(p).unwrap();
    assert_eq!(
        meta(&d.join("streamed.parquet")),
        meta(&d.join("whole.parquet"))
    );
    let (sp, wp) = (
        parts(&d.join("streamed-parts")),
        parts(&d.join("whole-parts")),
    );
    assert_eq!(sp.len(), 5);
    for (x, y) in sp.iter().zip(&wp) {
        assert!(parquet(x).equals_missing(&parquet(y)));
        assert_eq!(meta(x), meta(y));
    }
}

#[test]
fn the_stream_help_names_the_memory_above_which_auto_streams() {
    let dir = tempfile::tempdir().unwrap();
    let o = chipcast(dir.path())
        .args(["forecast", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&o.stdout);
    let mib = chipcast::commands::defaults::STREAM_ABOVE_BYTES >> 20;
    assert!(help.contains(&format!("more than {mib} MiB")), "{help}");
}

#[test]
fn a_file_that_cannot_stream_is_read_whole_and_the_run_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // the panel's rows are scrambled: a series' rows are not together
    panel(d, 30);
    let go = |mode: &str, out: &str| {
        let o = chipcast(d)
            .args([
                "forecast",
                "--input",
                "panel.csv",
                "--stream",
                mode,
                "-o",
                out,
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stderr).to_string()
    };
    let asked = go("always", "always.csv");
    assert!(
        asked.contains("note: --stream always: panel.csv was read whole: streaming needs each series' rows together"),
        "{asked}"
    );
    assert!(!go("auto", "auto.csv").contains("note:"));
    assert_eq!(
        std::fs::read(d.join("always.csv")).unwrap(),
        std::fs::read(d.join("auto.csv")).unwrap()
    );
}
