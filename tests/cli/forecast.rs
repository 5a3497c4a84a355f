use crate::common::*;
use polars::prelude::*;

#[test]
fn forecast_with_no_arguments_answers_the_one_trillion_question() {
    let dir = tempfile::tempdir().unwrap();
    let out = succeeds(dir.path(), &["forecast"]);
    for needle in [
        "wsts_annual.csv:41",
        "2030",
        "Default model: the market model",
        "Market model ets-cal+cycle+annual (every month of data to 2026-03; 10,000 sample paths, seed 42):",
        // the months of 2026 already in hand are kept on every path
        "3 of its 12 months known (298.5 so far)",
        "P(2030 ≥ 1,000.0) = ",
        "First calendar year ≥ 1,000.0: ",
        "First month trailing-12-month sales ≥ 1,000.0: ",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    }
    // the 2026 point is inside its own 95% interval and above the months known
    let h = crate::common::headline(&out);
    assert!(h.lo95 <= h.point && h.point <= h.hi95, "{h:?}");
    assert!(h.lo95 >= 298.5, "{h:?}");
}

#[test]
fn forecast_with_a_named_model_says_it_ignores_the_known_months() {
    let dir = tempfile::tempdir().unwrap();
    let out = succeeds(dir.path(), &["forecast", "--model", "auto"]);
    for needle in [
        "Milestone: 1,000.0 USD bn",
        "P(value in 2030 ≥ 1,000.0) = ",
        "Model: auto — median(drift,logdrift,ets)",
        "Months of 2026 are known to 2026-03 (3 months, 298.5 USD bn so far).",
        "--model auto fits complete years only: it ignores the 3 known month(s) of 2026.",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    }
}

#[test]
fn as_of_2024_uses_no_data_after_2024_and_shows_the_later_actual() {
    let dir = tempfile::tempdir().unwrap();
    let out = succeeds(
        dir.path(),
        &["forecast", "--as-of", "2024", "--model", "logdrift"],
    );
    assert!(
        out.contains("Fitted on 1986 to 2024 (39 observations)"),
        "{out}"
    );
    assert!(
        out.contains("actual (later data)") && out.contains("795.6"),
        "{out}"
    );
    assert!(out.contains("to reach 1,000.0 in 2030: 8.0%"), "{out}");
}

#[test]
fn as_of_a_month_keeps_complete_years_only() {
    let dir = tempfile::tempdir().unwrap();
    let out = succeeds(
        dir.path(),
        &["forecast", "--as-of", "2024-11", "--model", "drift"],
    );
    assert!(out.contains("Fitted on 1986 to 2023"), "{out}");
    assert!(
        out.contains("Months of 2024 are known to 2024-11 (11 months"),
        "{out}"
    );
    // a year as-of keeps that year complete: nothing beyond it to nowcast
    let out = succeeds(
        dir.path(),
        &["forecast", "--as-of", "2024", "--model", "drift"],
    );
    assert!(!out.contains("Months of"), "{out}");
}

#[test]
fn the_same_seed_prints_the_same_probabilities() {
    let dir = tempfile::tempdir().unwrap();
    let a = succeeds(dir.path(), &["forecast", "--paths", "2000", "--seed", "9"]);
    let b = succeeds(dir.path(), &["forecast", "--paths", "2000", "--seed", "9"]);
    assert_eq!(a, b);
}

#[test]
fn a_region_can_be_forecast_until_a_year() {
    let dir = tempfile::tempdir().unwrap();
    let out = succeeds(
        dir.path(),
        &[
            "forecast", "--series", "japan", "--until", "2028", "--model", "damped",
        ],
    );
    assert!(out.contains("2028") && !out.contains("│ 2029"), "{out}");
}

#[test]
fn options_a_model_would_ignore_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let e = fails_with(
        dir.path(),
        &["forecast", "--model", "drift", "--bias-adjust"],
    );
    assert!(
        e.contains("--bias-adjust only changes the loglinear model"),
        "{e}"
    );
}

#[test]
fn invalid_levels_and_horizons_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        fails_with(dir.path(), &["forecast", "--level", "120"])
            .contains("strictly between 0 and 100")
    );
    assert!(
        fails_with(dir.path(), &["forecast", "--until", "2020"])
            .contains("not after the last period")
    );
    assert!(fails_with(dir.path(), &["forecast", "--series", "mars"]).contains("valid: worldwide"));
}

#[test]
fn png_and_svg_charts_are_written_with_text() {
    let dir = tempfile::tempdir().unwrap();
    succeeds(
        dir.path(),
        &["forecast", "--as-of", "2024", "--chart", "fan.png"],
    );
    let png = std::fs::read(dir.path().join("fan.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert!(
        png.len() > 20_000,
        "PNG suspiciously small: {} bytes",
        png.len()
    );
    succeeds(dir.path(), &["forecast", "--chart", "fan.svg"]);
    let svg = std::fs::read_to_string(dir.path().join("fan.svg")).unwrap();
    assert!(
        svg.contains("<svg") && svg.contains("history and"),
        "SVG lacks its title"
    );
    assert!(svg.matches("<text").count() > 20);
}

#[test]
fn a_chart_with_an_unknown_extension_fails_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let e = fails_with(dir.path(), &["forecast", "--chart", "fan.jpg"]);
    assert!(
        e.contains("--chart needs one of the extensions .png, .svg"),
        "{e}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn the_parquet_export_round_trips_with_types_and_metadata() {
    let dir = tempfile::tempdir().unwrap();
    succeeds(
        dir.path(),
        &[
            "forecast",
            "--as-of",
            "2024",
            "--level",
            "80",
            "--level",
            "95",
            "-o",
            "fc.parquet",
        ],
    );
    let path = dir.path().join("fc.parquet");
    let df = ParquetReader::new(std::fs::File::open(&path).unwrap())
        .finish()
        .unwrap();
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        names,
        [
            "unique_id",
            "ds",
            "model",
            "mean",
            "lo80",
            "hi80",
            "lo95",
            "hi95"
        ]
    );
    assert_eq!(df.height(), 6);
    assert_eq!(df.column("ds").unwrap().dtype(), &DataType::Int64);
    assert_eq!(df.column("mean").unwrap().dtype(), &DataType::Float64);
    let ds: Vec<i64> = df
        .column("ds")
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    assert_eq!(ds, vec![2025, 2026, 2027, 2028, 2029, 2030]);
    let meta = chipcast::outputs::export::parquet_metadata(&path).unwrap();
    let get = |k: &str| {
        meta.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(
        get("chipcast.version").as_deref(),
        Some(env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(get("chipcast.as_of").as_deref(), Some("2024"));
    assert_eq!(get("chipcast.levels").as_deref(), Some("[80.0, 95.0]"));
    assert!(
        get("chipcast.data_source")
            .unwrap()
            .contains("wsts_annual.csv")
    );
    assert!(get("chipcast.params").unwrap().contains("\"name\""));
}

#[test]
fn json_export_is_an_array_of_typed_records() {
    let dir = tempfile::tempdir().unwrap();
    succeeds(
        dir.path(),
        &[
            "forecast", "--model", "naive", "--level", "90", "-o", "fc.json",
        ],
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("fc.json")).unwrap())
            .unwrap();
    let first = &v.as_array().unwrap()[0];
    assert_eq!(first["ds"], 2026);
    assert_eq!(first["mean"], 795.64);
    assert!(first["lo90"].as_f64().unwrap() < 795.64 && first["hi90"].as_f64().unwrap() > 795.64);
}

#[test]
fn gap_reports_ratios_for_altmans_five_and_seven_trillion() {
    let dir = tempfile::tempdir().unwrap();
    let out = succeeds(
        dir.path(),
        &["gap", "--as-of", "2024", "--chart", "gap.png"],
    );
    assert!(
        out.contains("Altman $5T") && out.contains("Altman $7T"),
        "{out}"
    );
    assert!(
        out.contains("demand_estimates.csv:2") && out.contains("demand_estimates.csv:3"),
        "{out}"
    );
    assert!(out.contains("│ 2024        630.5     actual │"), "{out}");
    assert!(dir.path().join("gap.png").exists());
    // as of a whole year nothing later is known; with all the data, 2026's months are
    assert!(!out.contains("Months of"), "{out}");
    // with all the data the market model's paths keep 2026's known months
    let now = succeeds(dir.path(), &["gap", "--paths", "500"]);
    assert!(
        now.contains("3 of its 12 months known (298.5 so far)"),
        "{now}"
    );
    assert!(
        now.contains("paths of the market:ets-cal+cycle+annual model"),
        "{now}"
    );
    // the 2026 row is the market model's median, the same as forecast's
    let h = crate::common::headline(&now);
    let point = chipcast::outputs::report::grouped(h.point);
    assert!(
        now.lines().any(|l| l.starts_with("│ 2026 ")
            && l.contains(&format!(" {point} "))
            && l.contains("forecast")),
        "{now}"
    );
    // a named annual model says it ignores the months
    let named = succeeds(dir.path(), &["gap", "--paths", "500", "--model", "auto"]);
    assert!(
        named.contains("Months of 2026 are known to 2026-03"),
        "{named}"
    );
    assert!(named.contains("paths of the auto model"), "{named}");
}

#[test]
fn gap_accepts_a_user_demand_and_window() {
    let dir = tempfile::tempdir().unwrap();
    let out = succeeds(
        dir.path(),
        &[
            "gap", "--demand", "3000", "--from", "2025", "--to", "2027", "--model", "naive",
        ],
    );
    // naive: 2025 actual 795.64, then 795.64 twice
    assert!(
        out.contains("Cumulative chip sales 2025-2027: 2,386.9 USD bn"),
        "{out}"
    );
    assert!(out.contains("1.26x"), "{out}");
    let e = fails_with(dir.path(), &["gap", "--from", "2031", "--to", "2030"]);
    assert!(e.contains("must run forward"), "{e}");
}

#[test]
fn milestone_as_of_2024_11_uses_complete_years_and_writes_its_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = succeeds(
        dir.path(),
        &[
            "milestone",
            "--as-of",
            "2024-11",
            "--model",
            "auto",
            "--paths",
            "2000",
            "-o",
            "ms.csv",
            "--chart",
            "ms.svg",
        ],
    );
    assert!(out.contains("Fitted on 1986 to 2023"), "{out}");
    // the default combination is named as the user knows it
    assert!(
        out.contains("Model: auto — median(drift,logdrift,ets)") && !out.contains("combo"),
        "{out}"
    );
    // the 11 months of 2024 then known are shown beside the complete-years model
    assert!(
        out.contains("Months of 2024 are known to 2024-11 (11 months"),
        "{out}"
    );
    assert!(
        out.contains("P(reached by)") && out.contains("│ 2030 "),
        "{out}"
    );
    let table = std::fs::read_to_string(dir.path().join("ms.csv")).unwrap();
    assert_eq!(
        table.lines().next().unwrap(),
        "year,p_first_crossing,p_reached_by,p_at_least"
    );
    let mut last = 0.0;
    for line in table.lines().skip(1) {
        let p: f64 = line.split(',').nth(2).unwrap().parse().unwrap();
        assert!(p >= last && p <= 1.0, "{line}");
        last = p;
    }
    assert!(
        std::fs::read_to_string(dir.path().join("ms.svg"))
            .unwrap()
            .contains("<svg")
    );
}

#[test]
fn nowcast_of_2026_from_the_first_quarter_reports_an_interval_and_a_track_record() {
    let dir = tempfile::tempdir().unwrap();
    let out = succeeds(dir.path(), &["nowcast", "-o", "nc.json"]);
    assert!(
        out.contains("Nowcast of 2026 after 3 known month(s) (298.5 USD bn so far)"),
        "{out}"
    );
    assert!(out.contains("Track record"), "{out}");
    // and the two years after by the cycle regression, with intervals from its own record
    assert!(
        out.contains("The next two years by the cycle regression"),
        "{out}"
    );
    assert!(out.contains("│ 2027 ") && out.contains("│ 2028 "), "{out}");
    let rows = json_table(&dir.path().join("nc.json"), "nowcasts");
    assert_eq!(rows.len(), 3);
    // the printed track record too: 11 month counts × 3 methods
    let record = json_table(&dir.path().join("nc.json"), "track_record");
    assert_eq!(record.len(), 33);
    assert!(record.iter().all(|r| r["mape_pct"].as_f64().unwrap() > 0.0));
    let last = &rows[2];
    assert!(last["lo95"].as_f64().unwrap() <= last["nowcast"].as_f64().unwrap());
    assert!(last["nowcast"].as_f64().unwrap() <= last["hi95"].as_f64().unwrap());
    assert!(last["lo95"].as_f64().unwrap() >= 298.5);
}

#[test]
fn a_past_nowcast_never_sees_months_after_its_as_of() {
    let dir = tempfile::tempdir().unwrap();
    let a = succeeds(
        dir.path(),
        &["nowcast", "--as-of", "2024-06", "--year", "2024"],
    );
    assert!(a.contains("after 6 known month(s)"), "{a}");
    assert!(!a.contains("is complete"), "{a}");
}

#[test]
fn vintages_show_one_row_per_as_of_and_use_a_nowcast_mid_year() {
    let dir = tempfile::tempdir().unwrap();
    let out = succeeds(
        dir.path(),
        &[
            "vintages",
            "--as-of",
            "2020-12,2024-11",
            "--model",
            "logdrift",
            "--paths",
            "1000",
            "-o",
            "v.csv",
            "--chart",
            "v.png",
        ],
    );
    assert!(out.contains("2024 nowcast (11 months)"), "{out}");
    let t = std::fs::read_to_string(dir.path().join("v.csv")).unwrap();
    assert_eq!(t.lines().count(), 3);
    assert!(
        t.lines()
            .nth(1)
            .unwrap()
            .starts_with("2020-12,years to 2020,logdrift,2030,")
    );
    assert!(dir.path().join("v.png").exists());
}

#[test]
fn backtest_compares_chipcast_with_published_forecasts() {
    let dir = tempfile::tempdir().unwrap();
    let out = succeeds(
        dir.path(),
        &[
            "backtest",
            "--series",
            "worldwide",
            "--models",
            "naive,drift",
            "--model",
            "logdrift",
            "-o",
            "bt.json",
        ],
    );
    assert!(out.contains("│ worldwide   naive"), "{out}");
    assert!(
        out.contains("WSTS") && out.contains("chipcast MAPE %"),
        "{out}"
    );
    let rows = json_table(&dir.path().join("bt.json"), "industry_forecasts");
    assert!(rows.len() > 80, "{}", rows.len());
    for key in [
        "forecaster",
        "published",
        "target_year",
        "horizon",
        "industry",
        "chipcast",
        "chipcast_how",
        "actual",
        "industry_ape",
        "chipcast_ape",
        "dataset_line",
    ] {
        assert!(rows[0].get(key).is_some(), "{key}: {}", rows[0]);
    }
    // next-year WSTS forecasts are met by the cycle regression, with a paired interval
    assert!(
        rows.iter().any(|r| r["forecaster"] == "WSTS"
            && r["horizon"] == 1
            && r["chipcast_how"] == "cycle-regression"),
        "{rows:?}"
    );
    assert!(out.contains("difference, 95% CI"), "{out}");
}

#[test]
fn the_default_scenario_prints_every_assumption_with_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let out = succeeds(
        dir.path(),
        &[
            "gap",
            "--scenario",
            "default",
            "--paths",
            "500",
            "--chart",
            "sc.png",
        ],
    );
    assert!(out.contains("ai_share_of_chip_sales   path"), "{out}");
    assert!(out.contains("  2025                   23.5%"), "{out}");
    assert!(
        out.contains("demand_estimates.csv:32") && out.contains("wsts_annual.csv:41"),
        "{out}"
    );
    // the years after the last sourced one say that the share is held flat
    assert!(out.contains("held flat at"), "{out}");
    assert!(out.contains("Altman $7T: ratio"), "{out}");
    assert!(dir.path().join("sc.png").exists());
}

#[test]
fn a_scenario_file_with_an_unknown_key_or_bad_share_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let template = succeeds(dir.path(), &["gap", "--print-scenario"]);
    std::fs::write(
        dir.path().join("typo.toml"),
        template.replace("[sensitivity]", "colour = 1\n[sensitivity]"),
    )
    .unwrap();
    let e = fails_with(dir.path(), &["gap", "--scenario", "typo.toml"]);
    assert!(e.contains("typo.toml") && e.contains("colour"), "{e}");
    let user = template.replace(
        "[assumptions.capex_intensity]\n# chip-industry capex per dollar of sales (how much new capacity sales fund): TSMC capex\n# 2025 / TSMC revenue 2025\nnumerator = \"demand_estimates.csv:47\"\ndenominator = \"demand_estimates.csv:45\"",
        "[assumptions.capex_intensity]\nvalue = 1.7",
    );
    std::fs::write(dir.path().join("share.toml"), user).unwrap();
    let e = fails_with(dir.path(), &["gap", "--scenario", "share.toml"]);
    assert!(e.contains("capex_intensity = 1.7 must be a share"), "{e}");
    let e = fails_with(
        dir.path(),
        &["gap", "--scenario", "default", "--demand", "5"],
    );
    assert!(e.contains("--scenario sets the demand figures"), "{e}");
}

#[test]
fn regions_reconcile_to_a_total_that_the_regions_add_up_to() {
    let dir = tempfile::tempdir().unwrap();
    succeeds(
        dir.path(),
        &[
            "regions", "--model", "drift", "--until", "2028", "-o", "r.json", "--chart", "r.png",
        ],
    );
    let rows = json_table(&dir.path().join("r.json"), "forecast");
    let value = |region: &str, year: i64, method: &str| -> f64 {
        let r = rows
            .iter()
            .find(|r| r["region"] == region && r["year"] == year && r["method"] == method)
            .unwrap_or_else(|| panic!("{region} {year} {method}"));
        r["value_busd"].as_f64().unwrap()
    };
    let regions = ["americas", "europe", "japan", "asia-pacific"];
    for year in 2026..=2028 {
        let sum: f64 = regions.iter().map(|r| value(r, year, "mint")).sum();
        assert!(
            (sum - value("worldwide", year, "mint")).abs() < 1e-6,
            "{year}"
        );
        assert!(regions.iter().all(|r| value(r, year, "mint") >= 0.0));
    }
    // worldwide base, bottom-up and MinT, each region base and MinT, three years
    assert_eq!(rows.len(), (3 + 4 * 2) * 3);
}

#[test]
fn regions_by_default_use_the_market_model_with_intervals_and_still_add_up() {
    let dir = tempfile::tempdir().unwrap();
    let out = succeeds(
        dir.path(),
        &[
            "regions", "--until", "2028", "--paths", "500", "-o", "r.json",
        ],
    );
    assert!(out.contains("monthly data to 2026-03"), "{out}");
    assert!(out.contains("3 of the 12 months of 2026 known"), "{out}");
    let rows = json_table(&dir.path().join("r.json"), "forecast");
    let get = |region: &str, year: i64, key: &str| -> f64 {
        rows.iter()
            .find(|r| r["region"] == region && r["year"] == year && r["method"] == "reconciled")
            .unwrap_or_else(|| panic!("{region} {year}"))[key]
            .as_f64()
            .unwrap()
    };
    let regions = ["americas", "europe", "japan", "asia-pacific"];
    for year in 2026..=2028 {
        let sum: f64 = regions.iter().map(|r| get(r, year, "value_busd")).sum();
        assert!(
            (sum - get("worldwide", year, "value_busd")).abs() < 1e-6,
            "{year}"
        );
        for r in regions.iter().chain(&["worldwide"]) {
            let (lo, v, hi) = (
                get(r, year, "lo95"),
                get(r, year, "value_busd"),
                get(r, year, "hi95"),
            );
            assert!(
                lo <= get(r, year, "lo80") && get(r, year, "hi80") <= hi,
                "{r} {year}"
            );
            assert!(lo <= v && v <= hi, "{r} {year}: {lo} {v} {hi}");
        }
    }
    // the current year keeps its known months: its interval is narrower than 2028's
    let width = |y| get("worldwide", y, "hi95") - get("worldwide", y, "lo95");
    assert!(width(2026) < width(2028));
}

#[test]
fn the_auto_default_beats_drift_and_select_on_the_built_in_backtest() {
    // the documented reason for the default model of built-in series
    let dir = tempfile::tempdir().unwrap();
    let out = succeeds(
        dir.path(),
        &["backtest", "--no-industry", "--models", "drift,select,auto"],
    );
    let mut smape: std::collections::HashMap<String, Vec<f64>> = Default::default();
    for line in out
        .lines()
        .filter(|l| l.starts_with('│') && !l.contains("series"))
    {
        let cells: Vec<&str> = line
            .trim_matches(|c| c == '│' || c == ' ')
            .split_whitespace()
            .collect();
        smape
            .entry(cells[1].to_string())
            .or_default()
            .push(cells[3].parse().unwrap());
    }
    let mean = |m: &str| smape[m].iter().sum::<f64>() / smape[m].len() as f64;
    assert_eq!(smape["auto"].len(), 5);
    assert!(
        mean("auto") < mean("drift") && mean("auto") < mean("select"),
        "{smape:?}"
    );
    assert!(
        (mean("auto") - 16.34).abs() < 0.01,
        "documented 16.34, got {}",
        mean("auto")
    );
}

#[test]
fn the_next_two_years_are_exported_with_their_intervals_and_coefficients() {
    let dir = tempfile::tempdir().unwrap();
    succeeds(dir.path(), &["nowcast", "--next-output", "next.csv"]);
    let t = std::fs::read_to_string(dir.path().join("next.csv")).unwrap();
    let mut lines = t.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(&header[..3], ["data_to", "target_year", "forecast"]);
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 2);
    for (r, year) in rows.iter().zip(["2027", "2028"]) {
        assert_eq!(r[0], "2026-03");
        assert_eq!(r[at("target_year")], year);
        let v = |name: &str| r[at(name)].parse::<f64>().unwrap();
        assert!(v("lo95") < v("lo80") && v("lo80") < v("forecast"));
        assert!(v("forecast") < v("hi80") && v("hi80") < v("hi95"));
        assert!(v("record_years") >= 20.0);
    }
    // a past year has no "next two years" to export from the latest data
    let e = fails_with(
        dir.path(),
        &["nowcast", "--year", "2025", "--next-output", "x.csv"],
    );
    assert!(e.contains("--next-output needs"), "{e}");
    assert!(!dir.path().join("x.csv").exists());
}

#[test]
fn a_backtest_as_of_a_month_scores_only_what_was_known_then() {
    let dir = tempfile::tempdir().unwrap();
    let out = succeeds(
        dir.path(),
        &[
            "backtest",
            "--as-of",
            "2019-06",
            "--series",
            "worldwide",
            "--models",
            "drift",
            "-o",
            "bt.json",
        ],
    );
    assert!(out.contains("as of 2019-06: years to 2018"), "{out}");
    assert!(out.contains("out and scorable by 2019-06"), "{out}");
    let rows = json_table(&dir.path().join("bt.json"), "industry_forecasts");
    assert!(rows.len() > 20, "{}", rows.len());
    for r in &rows {
        // published (YYYY, YYYY-MM or YYYY-MM-DD) by 2019-06, target year ended by then
        let p = r["published"].as_str().unwrap().replace('-', "");
        let ym: i64 = if p.len() == 4 {
            p.parse::<i64>().unwrap() * 100 + 7
        } else {
            p[..6].parse().unwrap()
        };
        assert!(ym <= 201906, "{r}");
        assert!(r["target_year"].as_i64().unwrap() <= 2018, "{r}");
    }
    let e = fails_with(dir.path(), &["backtest", "--as-of", "1999"]);
    assert!(e.contains("no origin from --from 2000"), "{e}");
}

#[test]
fn the_regions_add_up_to_the_worldwide_figure_that_forecast_prints() {
    let dir = tempfile::tempdir().unwrap();
    let sim = ["--paths", "500", "--seed", "3"];
    let mut args = vec!["forecast", "-o", "f.csv"];
    args.extend(sim);
    succeeds(dir.path(), &args);
    let mut args = vec!["regions", "-o", "r.json"];
    args.extend(sim);
    succeeds(dir.path(), &args);
    let forecast = std::fs::read_to_string(dir.path().join("f.csv")).unwrap();
    let rows = json_table(&dir.path().join("r.json"), "forecast");
    for year in 2026..=2030 {
        let line = forecast
            .lines()
            .find(|l| l.starts_with(&format!("worldwide,{year},")))
            .unwrap_or_else(|| panic!("{year} in {forecast}"));
        let cells: Vec<f64> = line
            .split(',')
            .skip(3)
            .map(|c| c.parse().unwrap())
            .collect();
        let world = rows
            .iter()
            .find(|r| {
                r["region"] == "worldwide" && r["year"] == year && r["method"] == "reconciled"
            })
            .unwrap();
        for (k, key) in ["value_busd", "lo80", "hi80", "lo95", "hi95"]
            .iter()
            .enumerate()
        {
            let v = world[key].as_f64().unwrap();
            assert!(
                (v - cells[k]).abs() < 1e-9,
                "{year} {key}: regions {v}, forecast {}",
                cells[k]
            );
        }
    }
}

#[test]
fn flags_about_a_fitted_model_are_refused_on_the_market_model_instead_of_ignored() {
    let dir = tempfile::tempdir().unwrap();
    for extra in [
        vec!["--explain"],
        vec!["--params", "p.csv"],
        vec!["--timing", "t.csv"],
        vec!["--partitions", "parts"],
    ] {
        let mut args = vec!["forecast", "--paths", "200"];
        args.extend(&extra);
        let err = fails_with(dir.path(), &args);
        assert!(
            err.contains(extra[0]) && err.contains("--model"),
            "{extra:?}: {err}"
        );
    }
    assert!(
        !dir.path().join("p.csv").exists() && !dir.path().join("t.csv").exists(),
        "nothing written"
    );
    // with a named model they work
    let out = succeeds(dir.path(), &["forecast", "--model", "auto", "--explain"]);
    assert!(out.contains("why:"), "{out}");
}

#[test]
fn a_region_series_uses_its_own_backtests_candidate_and_says_regions_reconciles_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = succeeds(
        dir.path(),
        &[
            "forecast", "--series", "japan", "--paths", "300", "-o", "j.csv",
        ],
    );
    assert!(out.contains("`chipcast regions` reconciles"), "{out}");
    let csv = std::fs::read_to_string(dir.path().join("j.csv")).unwrap();
    assert!(csv.contains(",chipcast:market:annual,"), "{csv}");
    let world = succeeds(dir.path(), &["forecast", "--paths", "300"]);
    assert!(!world.contains("`chipcast regions` reconciles"), "{world}");
}
