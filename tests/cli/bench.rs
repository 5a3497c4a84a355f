//! The benchmark contract of `shared/bench/README.md` on the M4 yearly sample (vendored in
//! `tests/fixtures/m4_yearly_sample`): output format, and the deterministic baselines'
//! scores, which must equal R forecast's and statsforecast's.

use crate::common::*;
use chipcast::evaluation::metrics::smape;
use std::collections::HashMap;

fn run(model: &str, dir: &std::path::Path) -> String {
    let train = fixture("m4_yearly_sample/train.csv");
    succeeds(
        dir,
        &[
            "forecast",
            "--input",
            train.to_str().unwrap(),
            "--id-col",
            "unique_id",
            "--time-col",
            "ds",
            "--value-col",
            "y",
            "--horizon",
            "6",
            "--model",
            model,
            "--level",
            "80",
            "--level",
            "95",
            "--output",
            "fc.csv",
            "--timing",
            "timing.csv",
        ],
    );
    std::fs::read_to_string(dir.join("fc.csv")).unwrap()
}

fn mean_smape(fc: &str) -> f64 {
    let test = std::fs::read_to_string(fixture("m4_yearly_sample/test.csv")).unwrap();
    let mut actual: HashMap<(String, String), f64> = HashMap::new();
    for line in test.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        actual.insert((c[0].into(), c[1].into()), c[2].parse().unwrap());
    }
    let mut per_series: HashMap<String, (Vec<f64>, Vec<f64>)> = HashMap::new();
    for line in fc.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        let y = actual[&(c[0].to_string(), c[1].to_string())];
        let e = per_series.entry(c[0].into()).or_default();
        e.0.push(y);
        e.1.push(c[3].parse().unwrap());
    }
    assert_eq!(per_series.len(), 198);
    per_series.values().map(|(y, f)| smape(y, f)).sum::<f64>() / 198.0
}

#[test]
fn naive_scores_exactly_as_the_peers() {
    let dir = tempfile::tempdir().unwrap();
    let s = mean_smape(&run("naive", dir.path()));
    assert!((s - 16.158).abs() < 5e-4, "sMAPE {s}");
}

#[test]
fn drift_scores_exactly_as_the_peers() {
    let dir = tempfile::tempdir().unwrap();
    let s = mean_smape(&run("drift", dir.path()));
    assert!((s - 14.073).abs() < 5e-4, "sMAPE {s}");
}

#[test]
fn the_output_meets_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let fc = run("auto", dir.path());
    let lines: Vec<&str> = fc.lines().collect();
    assert_eq!(lines[0], "unique_id,ds,model,mean,lo80,hi80,lo95,hi95");
    assert_eq!(lines.len(), 1 + 198 * 6);
    for line in &lines[1..] {
        let c: Vec<&str> = line.split(',').collect();
        assert_eq!(c.len(), 8);
        assert_eq!(c[2], "chipcast:auto");
        let v: Vec<f64> = c[3..].iter().map(|x| x.parse().unwrap()).collect();
        assert!(v.iter().all(|x| x.is_finite()), "{line}");
        // lo95 <= lo80 <= mean <= hi80 <= hi95
        assert!(
            v[3] <= v[1] && v[1] <= v[0] && v[0] <= v[2] && v[2] <= v[4],
            "{line}"
        );
    }
    // Y62 has 64 training points: forecasts are ds 65..70
    assert!(lines[1].starts_with("Y62,65,") && lines[6].starts_with("Y62,70,"));
    let timing = std::fs::read_to_string(dir.path().join("timing.csv")).unwrap();
    let t: Vec<&str> = timing.lines().collect();
    assert_eq!(
        t[0],
        "tool,model,n_series,n_failed,read_s,fit_s,write_s,fit_cpu_s"
    );
    assert!(
        t[1].starts_with("chipcast,chipcast:auto,198,0,"),
        "{}",
        t[1]
    );
}
