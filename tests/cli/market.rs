//! The market model answers every headline the same way: the same --as-of gives the same
//! figures from `forecast`, `milestone`, `nowcast` and `vintages` (the real binary).

use crate::common::*;

#[test]
fn every_command_gives_the_same_2026_point_and_2030_odds_for_the_same_as_of() {
    let dir = tempfile::tempdir().unwrap();
    for as_of in ["2024-11", "2025-12"] {
        let args = |cmd: &'static str| vec![cmd, "--as-of", as_of, "--paths", "2000"];
        let forecast = succeeds(dir.path(), &args("forecast"));
        let heads: Vec<(&str, Headline)> = ["forecast", "milestone", "nowcast"]
            .into_iter()
            .map(|c| {
                let out = if c == "forecast" {
                    forecast.clone()
                } else {
                    succeeds(dir.path(), &args(c))
                };
                (c, headline(&out))
            })
            .collect();
        for (c, h) in &heads {
            assert_eq!(h, &heads[0].1, "{c} vs forecast as of {as_of}");
            assert!(h.lo95 <= h.point && h.point <= h.hi95, "{c}: {h:?}");
        }
        // the 2026 row of forecast's table and the 2026 row of vintages
        let row_2026 = forecast
            .lines()
            .find(|l| l.starts_with("│ 2026 "))
            .unwrap_or_else(|| panic!("no 2026 row in\n{forecast}"));
        let point_2026: f64 = crate::common::number(row_2026.split_whitespace().nth(2).unwrap());
        let v2026 = succeeds(
            dir.path(),
            &[
                "vintages",
                "--as-of",
                as_of,
                "--paths",
                "2000",
                "--target-year",
                "2026",
            ],
        );
        let (vp, _) = vintage_row(&v2026, as_of);
        assert!(
            (vp - point_2026).abs() < 0.05,
            "vintages {vp} vs forecast {point_2026}"
        );
        let v2030 = succeeds(
            dir.path(),
            &["vintages", "--as-of", as_of, "--paths", "2000"],
        );
        let (_, p2030) = vintage_row(&v2030, as_of);
        assert_eq!(p2030, heads[0].1.p_by, "vintages vs forecast as of {as_of}");
    }
}

#[test]
fn the_headline_says_when_trailing_twelve_month_sales_first_reach_a_trillion() {
    let dir = tempfile::tempdir().unwrap();
    let out = succeeds(
        dir.path(),
        &[
            "milestone",
            "--as-of",
            "2024-11",
            "--paths",
            "2000",
            "--chart",
            "ms.svg",
        ],
    );
    assert!(
        out.contains("First month trailing-12-month sales ≥ 1,000.0: median "),
        "{out}"
    );
    assert!(out.contains("P(first trailing-12 month in it)"), "{out}");
    // the chart draws the crossing-month curve
    let svg = std::fs::read_to_string(dir.path().join("ms.svg")).unwrap();
    assert!(
        svg.contains("trailing-12-month sales reached by this month"),
        "no month curve in the chart"
    );
}

#[test]
fn the_nowcast_chart_marks_the_market_models_figure_that_the_report_prints() {
    let dir = tempfile::tempdir().unwrap();
    let out = succeeds(
        dir.path(),
        &["nowcast", "--paths", "2000", "--chart", "nc.svg", "--json"],
    );
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    let point = r["market"]["point"].as_f64().expect("market point");
    let svg = std::fs::read_to_string(dir.path().join("nc.svg")).unwrap();
    let label = format!(
        "market model {}",
        chipcast::outputs::chart::money_label(point)
    );
    assert!(svg.contains(&label), "{label} not in the chart");
    assert!(
        svg.contains("market model, 95% interval"),
        "no legend entry"
    );
}

fn repo_file(rel: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

#[test]
fn the_readme_shows_the_backtest_table_that_chose_the_default() {
    let table = repo_file("benches/market_backtest.md");
    assert!(
        repo_file("README.md").contains(table.trim_end()),
        "README.md must hold benches/market_backtest.md verbatim"
    );
    let chosen = format!("Chosen: {} (", chipcast::market::Candidate::DEFAULT.name());
    assert!(
        table.contains(&chosen),
        "the default is not the backtest's choice:\n{table}"
    );
}

/// Re-runs the whole month-end backtest (about 40 s on 2 cores, so not in the default run):
/// `cargo test --release -- --ignored the_market_backtest_file`.
#[test]
#[ignore = "runs the full month-end backtest (about 40 s); run with --ignored"]
fn the_market_backtest_file_is_what_the_code_prints_today() {
    let dir = tempfile::tempdir().unwrap();
    let out = succeeds(dir.path(), &["backtest", "--market"]);
    assert_eq!(out, repo_file("benches/market_backtest.md"));
}

#[test]
fn the_default_forecast_matches_its_snapshots_and_the_readme_quotes_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut all = String::new();
    for (name, args) in [
        ("forecast_market_latest.txt", vec!["forecast"]),
        (
            "forecast_market_2025_12.txt",
            vec!["forecast", "--as-of", "2025-12"],
        ),
        (
            "forecast_market_2024_11.txt",
            vec!["forecast", "--as-of", "2024-11"],
        ),
    ] {
        let out = succeeds(dir.path(), &args);
        golden(name, &out);
        all.push_str(&out);
    }
    // every line of the README's "What it prints" block is printed by one of them
    let readme = repo_file("README.md");
    let block = readme
        .split("<!-- what-it-prints: lines checked by tests/cli/market.rs -->")
        .nth(1)
        .expect("the README marks its quoted output")
        .split("```")
        .nth(1)
        .unwrap();
    let quoted: Vec<&str> = block
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(quoted.len() >= 5);
    for line in quoted {
        assert!(
            all.lines().any(|l| l.trim_end() == line.trim_end()),
            "README line not printed by forecast: {line:?}"
        );
    }
}

#[test]
fn the_industry_comparison_uses_the_market_model_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let out = succeeds(
        dir.path(),
        &[
            "backtest",
            "--series",
            "worldwide",
            "--models",
            "naive",
            "--paths",
            "500",
            "-o",
            "bt.csv",
        ],
    );
    assert!(
        out.contains("chipcast is the market model (ets-cal+cycle+annual)"),
        "{out}"
    );
    let t = std::fs::read_to_string(dir.path().join("bt.csv")).unwrap();
    // WSTS forecasts of this year, next year and the year after are all met by it
    for h in [",0,", ",1,", ",2,"] {
        assert!(
            t.lines().any(|l| l.starts_with("industry_forecasts,")
                && l.contains(",WSTS,")
                && l.contains(h)
                && l.contains(",market:ets-cal+cycle+annual,")),
            "{h}\n{t}"
        );
    }
    // each WSTS horizon 0-2 row of the summary has its paired interval
    for h in ["0", "1", "2"] {
        let row = out
            .lines()
            .find(|l| l.starts_with("│ WSTS ") && l.split_whitespace().nth(2) == Some(h))
            .unwrap_or_else(|| panic!("no WSTS h{h} row in\n{out}"));
        assert!(row.contains(" to "), "{row}");
    }
}
