//! Seasonal input as a new user brings it: monthly, quarterly (ISO dates and `YYYY-Qn`),
//! weekly and daily files, and integer periods with `--season-length`.

use crate::common::{chipcast, succeeds};
use std::fmt::Write;
use std::path::Path;

/// A Q4-peaked monthly pattern on a rising level, with a fixed pseudo-random wobble.
fn monthly_value(t: usize) -> f64 {
    let season = [
        0.8, 0.8, 0.9, 0.9, 0.95, 0.95, 1.0, 1.0, 1.05, 1.2, 1.35, 1.5,
    ];
    let wobble = 1.0 + 0.02 * ((t * 7919 % 13) as f64 / 13.0 - 0.5);
    (150.0 + 1.2 * t as f64) * season[t % 12] * wobble
}

fn write_csv(dir: &Path, name: &str, rows: &[(String, f64)]) {
    let mut s = String::from("unique_id,ds,y\n");
    for (ds, y) in rows {
        let _ = writeln!(s, "A,{ds},{y:.4}");
    }
    std::fs::write(dir.join(name), s).unwrap();
}

/// Output rows `(ds, mean, lo95, hi95)` of a forecast CSV.
fn read_forecast(path: &Path) -> Vec<(String, f64, f64, f64)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let (ds, mean, lo, hi) = (col("ds"), col("mean"), col("lo95"), col("hi95"));
    lines
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (
                c[ds].to_string(),
                c[mean].parse().unwrap(),
                c[lo].parse().unwrap(),
                c[hi].parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_q4_peaked_monthly_series_is_forecast_with_its_season() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<(String, f64)> = (0..60)
        .map(|t| {
            (
                format!("{}-{:02}", 2019 + t / 12, t % 12 + 1),
                monthly_value(t),
            )
        })
        .collect();
    write_csv(dir.path(), "m.csv", &rows);
    let out = succeeds(
        dir.path(),
        &[
            "forecast",
            "--input",
            "m.csv",
            "-H",
            "12",
            "--explain",
            "-o",
            "f.csv",
        ],
    );
    assert!(out.contains("season length 12"), "{out}");
    assert!(out.contains("seasonal models are used"), "{out}");
    let f = read_forecast(&dir.path().join("f.csv"));
    assert_eq!(f[0].0, "2024-01");
    assert_eq!(f[11].0, "2024-12");
    // each month within 10% of the pattern that made the data (the old non-seasonal auto
    // put January at +52%)
    for (k, (ds, mean, lo, hi)) in f.iter().enumerate() {
        let truth = monthly_value(60 + k);
        assert!((mean / truth - 1.0).abs() < 0.10, "{ds}: {mean} vs {truth}");
        assert!(lo <= mean && mean <= hi);
    }
    assert!(
        f[11].1 > 1.5 * f[0].1,
        "December peak {} vs January {}",
        f[11].1,
        f[0].1
    );
}

#[test]
fn quarterly_iso_dates_are_quarters_and_round_trip_to_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let q = [0.9, 1.0, 1.05, 1.15];
    let rows: Vec<(String, f64)> = (0..32)
        .map(|t| {
            (
                format!("{}-{:02}-01", 2016 + t / 4, 3 * (t % 4) + 1),
                (500.0 + 5.0 * t as f64) * q[t % 4],
            )
        })
        .collect();
    write_csv(dir.path(), "q.csv", &rows);
    succeeds(dir.path(), &["forecast", "--input", "q.csv", "-o", "f.csv"]);
    let f = read_forecast(&dir.path().join("f.csv"));
    let ds: Vec<&str> = f.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        ds[..5],
        [
            "2024-01-01",
            "2024-04-01",
            "2024-07-01",
            "2024-10-01",
            "2025-01-01"
        ]
    );
    assert_eq!(f.len(), 8, "the default horizon for quarters is two years");
    assert!(f[3].1 > f[0].1 * 1.15, "Q4 {} vs Q1 {}", f[3].1, f[0].1);
}

#[test]
fn year_quarter_labels_with_and_without_a_dash_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    for (dash, first) in [("-", "2024-Q1"), ("", "2024Q1")] {
        let rows: Vec<(String, f64)> = (0..24)
            .map(|t| {
                (
                    format!("{}{dash}Q{}", 2018 + t / 4, t % 4 + 1),
                    100.0 + (t % 4) as f64 * 10.0,
                )
            })
            .collect();
        write_csv(dir.path(), "q.csv", &rows);
        succeeds(
            dir.path(),
            &["forecast", "--input", "q.csv", "-H", "5", "-o", "f.csv"],
        );
        let f = read_forecast(&dir.path().join("f.csv"));
        assert_eq!(f[0].0, first);
        assert_eq!(f[4].0, first.replace("2024", "2025"));
    }
}

#[test]
fn weekly_dates_step_by_seven_days_in_the_output() {
    let dir = tempfile::tempdir().unwrap();
    // Mondays from 2023-01-02
    let rows: Vec<(String, f64)> = (0..40)
        .map(|t| {
            let days = 19_359 + 7 * t as i64; // 2023-01-02
            let (y, m, d) = chipcast::series::time::civil_from_days(days);
            (format!("{y:04}-{m:02}-{d:02}"), 50.0 + t as f64)
        })
        .collect();
    write_csv(dir.path(), "w.csv", &rows);
    succeeds(
        dir.path(),
        &["forecast", "--input", "w.csv", "-H", "3", "-o", "f.csv"],
    );
    let f = read_forecast(&dir.path().join("f.csv"));
    let ds: Vec<&str> = f.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(ds, ["2023-10-09", "2023-10-16", "2023-10-23"]);
}

#[test]
fn a_daily_series_keeps_its_weekly_pattern_and_sane_intervals() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<(String, f64)> = (0..730)
        .map(|t| {
            let days = 18_995 + t as i64; // 2022-01-03, a Monday
            let (y, m, d) = chipcast::series::time::civil_from_days(days);
            let base = if t % 7 >= 5 { 35.0 } else { 80.0 };
            let wobble = 1.0 + 0.08 * ((t * 7919 % 17) as f64 / 17.0 - 0.5);
            (format!("{y:04}-{m:02}-{d:02}"), base * wobble)
        })
        .collect();
    write_csv(dir.path(), "d.csv", &rows);
    succeeds(
        dir.path(),
        &["forecast", "--input", "d.csv", "-H", "28", "-o", "f.csv"],
    );
    let f = read_forecast(&dir.path().join("f.csv"));
    // 730 days from Monday 2022-01-03 end on Tuesday 2024-01-02
    assert_eq!(f[0].0, "2024-01-03");
    for (k, (ds, mean, _, hi)) in f.iter().enumerate() {
        let weekend = (730 + k) % 7 >= 5;
        if weekend {
            assert!(*mean < 50.0, "{ds} is a weekend day: {mean}");
        } else {
            assert!(*mean > 65.0, "{ds} is a weekday: {mean}");
        }
        assert!(
            *hi < 2.0 * 84.0,
            "{ds}: 95% upper bound {hi} on a series that never exceeds 84"
        );
    }
}

#[test]
fn integer_periods_become_seasonal_only_with_season_length() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<(String, f64)> = (0..48)
        .map(|t| ((t + 1).to_string(), monthly_value(t)))
        .collect();
    write_csv(dir.path(), "i.csv", &rows);
    let plain = succeeds(dir.path(), &["forecast", "--input", "i.csv", "--explain"]);
    assert!(plain.contains("season: length 1"), "{plain}");
    let seasonal = succeeds(
        dir.path(),
        &[
            "forecast",
            "--input",
            "i.csv",
            "--explain",
            "--season-length",
            "12",
        ],
    );
    assert!(seasonal.contains("season length 12"), "{seasonal}");
    let out = chipcast(dir.path())
        .args(["forecast", "--input", "i.csv", "--season-length", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--season-length must be at least 1"));
}

#[test]
fn seasonal_naive_repeats_the_last_year_of_a_monthly_file() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<(String, f64)> = (0..36)
        .map(|t| {
            (
                format!("{}-{:02}", 2020 + t / 12, t % 12 + 1),
                monthly_value(t),
            )
        })
        .collect();
    write_csv(dir.path(), "m.csv", &rows);
    succeeds(
        dir.path(),
        &[
            "forecast", "--input", "m.csv", "--model", "snaive", "-H", "13", "-o", "f.csv",
        ],
    );
    let f = read_forecast(&dir.path().join("f.csv"));
    assert_eq!(f.len(), 13);
    for (k, (period, value, _, _)) in f.iter().enumerate() {
        let want: f64 = format!("{:.4}", monthly_value(24 + k % 12))
            .parse()
            .unwrap();
        assert!((value - want).abs() < 1e-9, "{period}: {value} vs {want}");
    }
}
