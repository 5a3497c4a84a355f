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
        let point_2026: f64 = row_2026.split_whitespace().nth(2).unwrap().parse().unwrap();
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
        &["milestone", "--as-of", "2024-11", "--paths", "2000"],
    );
    assert!(
        out.contains("First month trailing-12-month sales ≥ 1000.0: median "),
        "{out}"
    );
    assert!(out.contains("P(first trailing-12 month in it)"), "{out}");
}
