//! `regions`' report, long table and stacked chart.

use super::super::chart::StackedChart;
use super::super::report::{grouped, pct, text_table};
use super::super::table::{Table, Values};
use crate::commands::provenance::{WSTS_VINTAGE, hbr_long};
use crate::commands::regions::{AnnualRegions, RegionsResult};
use crate::error::Result;
use crate::market::regions::RegionForecast;
use comfy_table::{CellAlignment, presets::UTF8_BORDERS_ONLY};
use std::fmt::Write;

fn labels(r: &RegionsResult) -> Vec<&str> {
    r.regions.iter().map(|x| x.label).collect()
}

/// The report, as `chipcast regions` prints it.
pub fn report(r: &RegionsResult) -> String {
    match (&r.market, &r.annual) {
        (Some(f), _) => super::super::market::regions(f, &labels(r)),
        (None, Some(a)) => annual_report(r, a),
        (None, None) => String::new(),
    }
}

fn annual_report(r: &RegionsResult, a: &AnnualRegions) -> String {
    let rec = &a.reconciled;
    let mut s = format!(
        "chipcast regions — WSTS regions (built-in wsts_regional_annual, wsts_annual; {WSTS_VINTAGE} vintage), data to {}; base model {} per series; MinT(shrink) over {} rolling origins, shrinkage {:.2}\n",
        a.data_to, a.model, rec.origins, rec.shrinkage
    );
    let mut t = text_table();
    let mut header = vec![
        "year".to_string(),
        "world base".into(),
        "bottom-up".into(),
        "MinT total".into(),
    ];
    header.extend(r.regions.iter().map(|x| format!("{} (MinT)", x.label)));
    t.load_preset(UTF8_BORDERS_ONLY).set_header(header);
    for (k, y) in a.years.iter().enumerate() {
        let mut row = vec![
            y.to_string(),
            grouped(rec.base[0][k]),
            grouped(rec.bottom_up_total[k]),
            grouped(rec.mint_total[k]),
        ];
        row.extend(rec.mint_regions.iter().map(|x| grouped(x[k])));
        t.add_row(row);
    }
    for i in 1..4 + r.regions.len() {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    let _ = writeln!(s, "{t}");
    // shares: history and forecast end
    let mut sh = text_table();
    let share_years: Vec<i64> = r
        .shares
        .iter()
        .filter(|x| x.method == "actual" && x.region == r.regions[0].id)
        .map(|x| x.year)
        .collect();
    let mut header = vec!["region share".to_string()];
    header.extend(share_years.iter().map(|y| y.to_string()));
    header.push(format!("{} (MinT)", r.until));
    sh.load_preset(UTF8_BORDERS_ONLY).set_header(header);
    for region in &r.regions {
        let mut row = vec![region.label.to_string()];
        row.extend(
            r.shares
                .iter()
                .filter(|x| x.region == region.id)
                .map(|x| pct(x.share.unwrap_or(f64::NAN))),
        );
        sh.add_row(row);
    }
    for i in 1..share_years.len() + 2 {
        if let Some(c) = sh.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    let _ = writeln!(s, "{sh}");
    let _ = writeln!(
        s,
        "Bottom-up = sum of the regional forecasts; MinT = trace-minimisation reconciliation (Wickramasuriya et al. 2019) with a Schäfer-Strimmer shrunk error covariance; reconciled regions are non-negative and add up to the MinT total."
    );
    s
}

/// Both tables, long (table, region, year, method, value_busd | share), as `-o` exports
/// them; the market model's `mint` rows carry their intervals.
pub fn table(r: &RegionsResult) -> Result<Table> {
    let mut tab = match (&r.market, &r.annual) {
        (Some(f), _) => market_table(r, f)?,
        (None, Some(a)) => annual_table(r, a)?,
        (None, None) => Table::default(),
    };
    let (model, reconciliation) = match (&r.market, &r.annual) {
        (Some(f), _) => (
            format!("market:{}", crate::market::Candidate::DEFAULT.name()),
            format!(
                "MinT shrink with the worldwide market model held fixed, lambda {:.4}, {} origins",
                f.projection.shrinkage, f.projection.origins
            ),
        ),
        (None, Some(a)) => (
            a.model.to_string(),
            format!(
                "MinT shrink, lambda {:.4}, {} origins",
                a.reconciled.shrinkage, a.reconciled.origins
            ),
        ),
        (None, None) => (String::new(), String::new()),
    };
    tab.metadata = super::metadata(&r.provenance);
    tab.metadata.extend([
        ("chipcast.model".into(), model),
        ("chipcast.reconciliation".into(), reconciliation),
    ]);
    Ok(tab)
}

fn shares_table(r: &RegionsResult) -> Table {
    Table::default()
        .with(
            "region",
            Values::Text(r.shares.iter().map(|x| x.region.to_string()).collect()),
        )
        .with(
            "year",
            Values::Int(r.shares.iter().map(|x| x.year).collect()),
        )
        .with(
            "method",
            Values::Text(r.shares.iter().map(|x| x.method.to_string()).collect()),
        )
        .with(
            "share",
            Values::Float(r.shares.iter().map(|x| x.share).collect()),
        )
}

fn annual_table(r: &RegionsResult, a: &AnnualRegions) -> Result<Table> {
    let rec = &a.reconciled;
    // long: one row per (region, year, method)
    let mut fc: Vec<(&str, i64, &str, f64)> = Vec::new();
    let world_rows = [
        ("base", &rec.base[0]),
        ("bottom_up", &rec.bottom_up_total),
        ("mint", &rec.mint_total),
    ];
    for (method, values) in world_rows {
        fc.extend(
            a.years
                .iter()
                .zip(values.iter())
                .map(|(y, v)| ("worldwide", *y, method, *v)),
        );
    }
    for (j, region) in r.regions.iter().enumerate() {
        for (method, values) in [("base", &rec.base[j + 1]), ("mint", &rec.mint_regions[j])] {
            fc.extend(
                a.years
                    .iter()
                    .zip(values.iter())
                    .map(|(y, v)| (region.id, *y, method, *v)),
            );
        }
    }
    let forecast = Table::default()
        .with(
            "region",
            Values::Text(fc.iter().map(|x| x.0.to_string()).collect()),
        )
        .with("year", Values::Int(fc.iter().map(|x| x.1).collect()))
        .with(
            "method",
            Values::Text(fc.iter().map(|x| x.2.to_string()).collect()),
        )
        .with(
            "value_busd",
            Values::Float(
                fc.iter()
                    .map(|x| Some(x.3).filter(|v| v.is_finite()))
                    .collect(),
            ),
        );
    Table::stack(
        "table",
        vec![("forecast", forecast), ("share", shares_table(r))],
    )
}

fn market_table(r: &RegionsResult, f: &RegionForecast) -> Result<Table> {
    // (region, year, method, value, [lo80, hi80, lo95, hi95])
    type Row<'a> = (&'a str, i64, &'a str, f64, Option<[f64; 4]>);
    let mut rows: Vec<Row> = Vec::new();
    for (k, y) in f.total.iter().enumerate() {
        rows.push(("worldwide", y.year, "base", y.base, None));
        rows.push(("worldwide", y.year, "bottom_up", f.bottom_up[k], None));
        rows.push((
            "worldwide",
            y.year,
            "reconciled",
            y.point,
            Some([y.lo80, y.hi80, y.lo95, y.hi95]),
        ));
    }
    for (region, years) in r.regions.iter().zip(&f.regions) {
        for y in years {
            rows.push((region.id, y.year, "base", y.base, None));
            rows.push((
                region.id,
                y.year,
                "reconciled",
                y.point,
                Some([y.lo80, y.hi80, y.lo95, y.hi95]),
            ));
        }
    }
    let bound = |i: usize| Values::Float(rows.iter().map(|x| x.4.map(|b| b[i])).collect());
    let forecast = Table::default()
        .with(
            "region",
            Values::Text(rows.iter().map(|x| x.0.to_string()).collect()),
        )
        .with("year", Values::Int(rows.iter().map(|x| x.1).collect()))
        .with(
            "method",
            Values::Text(rows.iter().map(|x| x.2.to_string()).collect()),
        )
        .with("value_busd", Values::floats(rows.iter().map(|x| x.3)))
        .with("lo80", bound(0))
        .with("hi80", bound(1))
        .with("lo95", bound(2))
        .with("hi95", bound(3));
    Table::stack(
        "table",
        vec![("forecast", forecast), ("share", shares_table(r))],
    )
}

/// The stacked chart of the regions: history and reconciled forecast (with the market
/// model's intervals).
pub fn chart(r: &RegionsResult) -> StackedChart {
    let first = r.first_year();
    let layers = r
        .regions
        .iter()
        .zip(&r.history)
        .enumerate()
        .map(|(j, (region, history))| {
            let mut pts = history.clone();
            match (&r.market, &r.annual) {
                (Some(f), _) => pts.extend(f.regions[j].iter().map(|y| (y.year, y.point))),
                (None, Some(a)) => pts.extend(
                    a.years
                        .iter()
                        .copied()
                        .zip(a.reconciled.mint_regions[j].iter().copied()),
                ),
                (None, None) => {}
            }
            (region.label.to_string(), pts)
        })
        .collect();
    let title = "Semiconductor sales by region: history and reconciled forecast".to_string();
    let version = r.provenance.chipcast_version;
    match &r.market {
        Some(f) => StackedChart {
            title,
            subtitle: format!(
                "WSTS regions (Asia Pacific incl. China); {}–{}: market model per region, reconciled to the worldwide total; whiskers: 80% (thick), 95%",
                first, r.until
            ),
            layers,
            intervals: f
                .regions
                .iter()
                .map(|x| {
                    x.iter()
                        .map(|y| (y.year, y.lo80, y.hi80, y.lo95, y.hi95))
                        .collect()
                })
                .collect(),
            total: f
                .total
                .iter()
                .map(|y| (y.year, y.lo80, y.hi80, y.lo95, y.hi95))
                .collect(),
            forecast_start: first,
            footnote: format!(
                "Source: {} (built-in); {} of the 12 months of {} known. chipcast {version}.",
                hbr_long(),
                f.known_months,
                first
            ),
        },
        None => StackedChart {
            title,
            subtitle: format!(
                "WSTS regions (Asia Pacific includes China); forecasts {}–{} reconciled by MinT",
                first, r.until
            ),
            layers,
            intervals: Vec::new(),
            total: Vec::new(),
            forecast_start: first,
            footnote: format!("Source: {} (built-in). chipcast {version}.", hbr_long()),
        },
    }
}
