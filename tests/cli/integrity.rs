//! Data integrity of the embedded datasets (`datasets/`, built from the WSTS workbook and
//! the sources in `datasets/SOURCES.md`): every reconciliation rule on every file, the
//! provenance flags, and the default scenario's row references, checked by name.

use chipcast::ingest::builtin::{DATASETS, Table, dataset};
use std::collections::BTreeMap;

const REGIONS: [&str; 4] = ["Americas", "Europe", "Japan", "Asia Pacific"];

fn table(name: &str) -> Table {
    dataset(name).unwrap().table().unwrap()
}

fn num(t: &Table, i: usize, col: &str) -> f64 {
    let c = t.col(col).unwrap();
    t.cell(i, c)
        .parse()
        .unwrap_or_else(|_| panic!("row {} column {col}: {:?}", i + 2, t.cell(i, c)))
}

fn text<'a>(t: &'a Table, i: usize, col: &str) -> &'a str {
    t.cell(i, t.col(col).unwrap())
}

/// (region, year, month 1-12) -> monthly billings.
fn months() -> BTreeMap<(String, i64, u32), f64> {
    let t = table("wsts_monthly_raw");
    (0..t.rows.len())
        .map(|i| {
            let m = text(&t, i, "month");
            let (y, mm) = m.split_once('-').unwrap();
            (
                (
                    text(&t, i, "region").to_string(),
                    y.parse().unwrap(),
                    mm.parse().unwrap(),
                ),
                num(&t, i, "value_busd"),
            )
        })
        .collect()
}

/// (region, year, quarter 1-4) -> quarterly billings.
fn quarters() -> BTreeMap<(String, i64, u32), f64> {
    let t = table("wsts_quarterly");
    (0..t.rows.len())
        .map(|i| {
            let q: u32 = text(&t, i, "quarter")[1..].parse().unwrap();
            (
                (
                    text(&t, i, "region").to_string(),
                    text(&t, i, "year").parse().unwrap(),
                    q,
                ),
                num(&t, i, "value_busd"),
            )
        })
        .collect()
}

/// (region, year) -> annual billings: the four WSTS regions and Worldwide.
fn years() -> BTreeMap<(String, i64), f64> {
    let mut out = BTreeMap::new();
    let r = table("wsts_regional_annual");
    for i in 0..r.rows.len() {
        if text(&r, i, "region_scheme") == "WSTS" {
            out.insert(
                (
                    text(&r, i, "region").to_string(),
                    text(&r, i, "year").parse().unwrap(),
                ),
                num(&r, i, "value_busd"),
            );
        }
    }
    let w = table("wsts_annual");
    for i in 0..w.rows.len() {
        out.insert(
            (
                "Worldwide".to_string(),
                text(&w, i, "year").parse().unwrap(),
            ),
            num(&w, i, "value_busd"),
        );
    }
    out
}

/// Values are rounded to 0.001: a sum of n rounded values may differ from the rounded
/// total by (n + 1) / 2 thousandths.
fn close(sum: f64, total: f64, n: usize) -> bool {
    (sum - total).abs() <= 0.0005 * (n as f64 + 1.0) + 1e-9
}

#[test]
fn months_sum_to_quarters_for_every_region() {
    let (m, q) = (months(), quarters());
    let mut checked = 0;
    for ((region, y, k), total) in &q {
        let parts: Vec<f64> = (1..=3)
            .filter_map(|j| m.get(&(region.clone(), *y, (k - 1) * 3 + j)).copied())
            .collect();
        assert_eq!(parts.len(), 3, "{region} {y} Q{k} has months");
        let sum: f64 = parts.iter().sum();
        assert!(
            close(sum, *total, 3),
            "{region} {y} Q{k}: months {sum} vs {total}"
        );
        checked += 1;
    }
    assert_eq!(checked, 5 * 161);
}

#[test]
fn quarters_and_months_sum_to_years_for_every_region() {
    let (m, q, a) = (months(), quarters(), years());
    let mut checked = 0;
    for ((region, y), total) in &a {
        let qs: Vec<f64> = (1..=4)
            .filter_map(|k| q.get(&(region.clone(), *y, k)).copied())
            .collect();
        assert_eq!(qs.len(), 4, "{region} {y} has four quarters");
        let sum: f64 = qs.iter().sum();
        assert!(
            close(sum, *total, 4),
            "{region} {y}: quarters {sum} vs {total}"
        );
        let ms: f64 = (1..=12).map(|k| m[&(region.clone(), *y, k)]).sum();
        assert!(
            close(ms, *total, 12),
            "{region} {y}: months {ms} vs {total}"
        );
        checked += 1;
    }
    assert_eq!(checked, 5 * 40, "five regions, 1986-2025");
}

#[test]
fn regions_sum_to_the_world_per_month_quarter_and_year() {
    let (m, q, a) = (months(), quarters(), years());
    let world = |key: &str| key == "Worldwide";
    for ((region, y, mm), total) in m.iter().filter(|(k, _)| world(&k.0)) {
        let sum: f64 = REGIONS.iter().map(|r| m[&(r.to_string(), *y, *mm)]).sum();
        assert!(
            close(sum, *total, 4),
            "{region} {y}-{mm:02}: {sum} vs {total}"
        );
    }
    for ((_, y, k), total) in q.iter().filter(|(k, _)| world(&k.0)) {
        let sum: f64 = REGIONS.iter().map(|r| q[&(r.to_string(), *y, *k)]).sum();
        assert!(close(sum, *total, 4), "{y} Q{k}: {sum} vs {total}");
    }
    for ((_, y), total) in a.iter().filter(|(k, _)| world(&k.0)) {
        let sum: f64 = REGIONS.iter().map(|r| a[&(r.to_string(), *y)]).sum();
        assert!(close(sum, *total, 4), "{y}: {sum} vs {total}");
    }
}

#[test]
fn three_month_averages_match_the_months() {
    let m = months();
    let t = table("sia_monthly");
    let mut checked = 0;
    for i in 0..t.rows.len() {
        assert_eq!(text(&t, i, "measure"), "3mma", "line {}", i + 2);
        // as-announced SIA releases are earlier vintages; only the workbook's own 3MMA sheet
        // must match the workbook's months
        if text(&t, i, "vintage") != "WSTS HBR May-2026" {
            continue;
        }
        let region = text(&t, i, "region");
        let (y, mm) = text(&t, i, "month").split_once('-').unwrap();
        let (y, mm): (i64, i64) = (y.parse().unwrap(), mm.parse().unwrap());
        let ord = y * 12 + mm - 1;
        let window: Option<Vec<f64>> = (ord - 2..=ord)
            .map(|o| {
                m.get(&(
                    region.to_string(),
                    o.div_euclid(12),
                    (o.rem_euclid(12) + 1) as u32,
                ))
                .copied()
            })
            .collect();
        // the 3MMA of the first two months, and regions the raw sheet lacks (China), have no
        // three raw months to compare with
        let Some(w) = window else { continue };
        let avg = w.iter().sum::<f64>() / 3.0;
        let v = num(&t, i, "value_busd");
        assert!(
            (avg - v).abs() <= 0.0011,
            "sia_monthly line {}: {region} {y}-{mm:02} 3MMA {v} vs mean of months {avg}",
            i + 2
        );
        checked += 1;
    }
    assert_eq!(checked, 5 * (483 - 2), "averages checked");
}

#[test]
fn every_row_of_every_dataset_has_a_source_and_a_valid_confidence_flag() {
    let valid = [
        "found_in_source",
        "derived_from_source_growth",
        "from_memory_of_named_source",
    ];
    for ds in DATASETS {
        let t = ds.table().unwrap();
        let (src, conf) = (t.col("source").unwrap(), t.col("confidence").unwrap());
        assert!(!t.rows.is_empty(), "{}", ds.name);
        for i in 0..t.rows.len() {
            assert!(
                !t.cell(i, src).trim().is_empty(),
                "{}.csv line {}: empty source",
                ds.name,
                i + 2
            );
            assert!(
                valid.contains(&t.cell(i, conf)),
                "{}.csv line {}: confidence {:?} is not one of {valid:?}",
                ds.name,
                i + 2,
                t.cell(i, conf)
            );
            if t.cell(i, conf) == "derived_from_source_growth" {
                let notes = t.col("notes").map(|c| t.cell(i, c)).unwrap_or("");
                assert!(
                    !notes.trim().is_empty(),
                    "{}.csv line {}: a derived value needs its formula in notes",
                    ds.name,
                    i + 2
                );
            }
        }
    }
}

/// Every `dataset.csv:LINE` the default scenario names, with the row it is meant to be,
/// identified by its name (and year) rather than its line number.
const INTENDED: &[(&str, &str, &str)] = &[
    (
        "demand_estimates.csv:2",
        "Altman AI chip/fab initiative fundraising target (low end)",
        "multi-year, unspecified",
    ),
    (
        "demand_estimates.csv:3",
        "Altman AI chip/fab initiative fundraising target (high end)",
        "multi-year, unspecified",
    ),
    (
        "demand_estimates.csv:14",
        "Global data center capex needed, AI workloads",
        "cumulative to 2030",
    ),
    (
        "demand_estimates.csv:32",
        "NVIDIA Data Center segment revenue",
        "FY2026",
    ),
    (
        "demand_estimates.csv:31",
        "NVIDIA Data Center segment revenue",
        "FY2025",
    ),
    (
        "demand_estimates.csv:30",
        "NVIDIA Data Center segment revenue",
        "FY2024",
    ),
    (
        "demand_estimates.csv:58",
        "Microsoft capex (cash additions to P&E)",
        "FY2024",
    ),
    (
        "demand_estimates.csv:59",
        "Microsoft capex (cash additions to P&E)",
        "FY2025",
    ),
    ("demand_estimates.csv:71", "Alphabet capex", "2024"),
    ("demand_estimates.csv:82", "Amazon capex", "2024"),
    (
        "demand_estimates.csv:94",
        "Meta capex incl. principal payments on finance leases",
        "2024",
    ),
    (
        "demand_estimates.csv:47",
        "TSMC capital expenditures",
        "2025",
    ),
    ("demand_estimates.csv:45", "TSMC net revenue (USD)", "2025"),
    ("wsts_annual.csv:40", "", "2024"),
    ("wsts_annual.csv:41", "", "2025"),
];

fn references(v: &toml::Value, out: &mut Vec<String>) {
    match v {
        toml::Value::String(s) if s.contains(".csv:") => out.push(s.clone()),
        toml::Value::Array(a) => a.iter().for_each(|x| references(x, out)),
        toml::Value::Table(t) => t.values().for_each(|x| references(x, out)),
        _ => {}
    }
}

#[test]
fn every_scenario_row_reference_resolves_to_the_intended_row_by_name() {
    let doc: toml::Value = toml::from_str(chipcast::scenarios::scenario::DEFAULT).unwrap();
    let mut refs = Vec::new();
    references(&doc, &mut refs);
    assert!(!refs.is_empty());
    for r in &refs {
        let (_, name, year) = INTENDED
            .iter()
            .find(|(key, ..)| key == r)
            .unwrap_or_else(|| panic!("{r} has no intended row in this test; add it"));
        let (file, line) = r.rsplit_once(':').unwrap();
        let t = table(file.trim_end_matches(".csv"));
        let i = line.parse::<usize>().unwrap() - 2;
        if let Ok(c) = t.col("name") {
            assert_eq!(t.cell(i, c), *name, "{r}");
        }
        let year_col = t.col("year_or_horizon").or_else(|_| t.col("year")).unwrap();
        assert_eq!(t.cell(i, year_col), *year, "{r}");
        // and the row is the only one with that name and year, so the reference is unambiguous
        if let Ok(c) = t.col("name") {
            let same = (0..t.rows.len())
                .filter(|&j| t.cell(j, c) == *name && t.cell(j, year_col) == *year)
                .count();
            assert_eq!(same, 1, "{r}: {name} {year} appears {same} times");
        }
    }
    // every intended row is still referenced (no stale entries)
    for (key, ..) in INTENDED {
        assert!(
            refs.iter().any(|r| r == key),
            "{key} is no longer referenced"
        );
    }
}
