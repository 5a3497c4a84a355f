//! `chipcast regions`: the four WSTS regions forecast and reconciled with the worldwide total.

use super::resolve;
use super::{ModelArgs, print};
use anyhow::{Context, bail};
use chipcast::ingest::builtin;
use chipcast::outputs::chart::StackedChart;
use chipcast::outputs::report::{grouped, pct};
use chipcast::outputs::table::{Table, Values};
use chipcast::scenarios::hierarchy::reconcile;
use chipcast::series::time::RawTime;
use chipcast::series::time::parse_time;
use clap::Args;
use comfy_table::{CellAlignment, presets::UTF8_BORDERS_ONLY};
use std::fmt::Write;
use std::path::PathBuf;

const REGIONS: [(&str, &str); 4] = [
    ("americas", "Americas"),
    ("europe", "Europe"),
    ("japan", "Japan"),
    ("asia-pacific", "Asia Pacific"),
];

#[derive(Debug, Args)]
pub(crate) struct RegionsArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Use only complete years up to this one (YEAR, or YYYY-MM)
    #[arg(long, value_name = "PERIOD")]
    as_of: Option<String>,
    /// Forecast up to this year
    #[arg(long, default_value_t = 2030)]
    until: i64,
    /// Rolling origins used to estimate the forecast-error covariance
    #[arg(long, default_value_t = 12)]
    origins: usize,
    /// Stacked chart of the regions (history and reconciled forecast): .png or .svg
    #[arg(long, value_name = "FILE")]
    chart: Option<PathBuf>,
    /// Write both tables, long (table, region, year, method, value_busd | share): .csv,
    /// .json, .parquet, or - for CSV on stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

pub(crate) fn run(a: RegionsArgs) -> anyhow::Result<()> {
    super::check_paths(
        &[("--regressors", a.model.regressors.as_deref())],
        &[
            ("--output", a.output.as_deref()),
            ("--chart", a.chart.as_deref()),
        ],
    )?;
    let (name, choice) = resolve::choice(&a.model)?;
    if let Some(text) = &a.as_of {
        resolve::builtin_as_of_month(text)?;
    }
    let last = match a.as_of.as_deref().map(parse_time) {
        None => None,
        Some(Some(RawTime::Int(y))) => Some(y),
        Some(Some(RawTime::Month(y, m) | RawTime::Date(y, m, _))) => {
            Some(if m == 12 { y } else { y - 1 })
        }
        Some(Some(RawTime::Quarter(y, q, _))) => Some(if q == 4 { y } else { y - 1 }),
        Some(None) => bail!(
            "--as-of {:?} is not a year or month",
            a.as_of.as_deref().unwrap_or("")
        ),
    };
    let cut =
        |s: chipcast::series::MarketSeries| -> anyhow::Result<chipcast::series::MarketSeries> {
            Ok(match last {
                Some(y) => s.truncate_to(y)?,
                None => s,
            })
        };
    let world = cut(builtin::series("worldwide")?.series)?;
    let regions: Vec<_> = REGIONS
        .iter()
        .map(|(n, _)| cut(builtin::series(n)?.series))
        .collect::<anyhow::Result<_>>()?;
    if a.until <= world.end() {
        bail!(
            "--until {} is not after the last data year {}",
            a.until,
            world.end()
        );
    }
    let h = chipcast::limits::check_year_ahead("--until", a.until, world.end())?;
    let region_values: Vec<&[f64]> = regions.iter().map(|r| r.values()).collect();
    let rec = reconcile(world.values(), &region_values, choice, h, a.origins)?;
    let years: Vec<i64> = (1..=h as i64).map(|k| world.end() + k).collect();

    let mut s = format!(
        "chipcast regions — WSTS regions (built-in wsts_regional_annual, wsts_annual; May-2026 vintage), data to {}; base model {} per series; MinT(shrink) over {} rolling origins, shrinkage {:.2}\n",
        world.end(),
        name.label(),
        rec.origins,
        rec.shrinkage
    );
    let mut t = chipcast::outputs::report::text_table();
    let mut header = vec![
        "year".to_string(),
        "world base".into(),
        "bottom-up".into(),
        "MinT total".into(),
    ];
    header.extend(REGIONS.iter().map(|(_, label)| format!("{label} (MinT)")));
    t.load_preset(UTF8_BORDERS_ONLY).set_header(header);
    for (k, y) in years.iter().enumerate() {
        let mut row = vec![
            y.to_string(),
            grouped(rec.base[0][k]),
            grouped(rec.bottom_up_total[k]),
            grouped(rec.mint_total[k]),
        ];
        row.extend(rec.mint_regions.iter().map(|r| grouped(r[k])));
        t.add_row(row);
    }
    for i in 1..8 {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    let _ = writeln!(s, "{t}");
    // shares: history and forecast end
    let mut sh = chipcast::outputs::report::text_table();
    let mut header = vec!["region share".to_string()];
    let share_years: Vec<i64> = [1990, 2000, 2010, 2020, world.end()]
        .into_iter()
        .filter(|y| *y >= world.start())
        .collect();
    header.extend(share_years.iter().map(|y| y.to_string()));
    header.push(format!("{} (MinT)", a.until));
    sh.load_preset(UTF8_BORDERS_ONLY).set_header(header);
    for (j, (_, label)) in REGIONS.iter().enumerate() {
        let mut row = vec![label.to_string()];
        for y in &share_years {
            let v = regions[j].value_at(*y).unwrap_or(f64::NAN);
            row.push(pct(v / world.value_at(*y).unwrap_or(f64::NAN)));
        }
        row.push(pct(rec.mint_regions[j][h - 1] / rec.mint_total[h - 1]));
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
    if let Some(path) = &a.output {
        // long: one row per (region, year, method); `forecast` rows hold the value,
        // `share` rows the region's share of the worldwide total
        let mut fc: Vec<(&str, i64, &str, f64)> = Vec::new();
        let world_rows = [
            ("base", &rec.base[0]),
            ("bottom_up", &rec.bottom_up_total),
            ("mint", &rec.mint_total),
        ];
        for (method, values) in world_rows {
            fc.extend(
                years
                    .iter()
                    .zip(values.iter())
                    .map(|(y, v)| ("worldwide", *y, method, *v)),
            );
        }
        for (j, (n, _)) in REGIONS.iter().enumerate() {
            for (method, values) in [("base", &rec.base[j + 1]), ("mint", &rec.mint_regions[j])] {
                fc.extend(
                    years
                        .iter()
                        .zip(values.iter())
                        .map(|(y, v)| (*n, *y, method, *v)),
                );
            }
        }
        let mut shares: Vec<(&str, i64, &str, f64)> = Vec::new();
        for (j, (n, _)) in REGIONS.iter().enumerate() {
            for y in &share_years {
                let v = regions[j].value_at(*y).unwrap_or(f64::NAN);
                shares.push((n, *y, "actual", v / world.value_at(*y).unwrap_or(f64::NAN)));
            }
            shares.push((
                n,
                a.until,
                "mint",
                rec.mint_regions[j][h - 1] / rec.mint_total[h - 1],
            ));
        }
        let long = |rows: &[(&str, i64, &str, f64)], value: &str| {
            Table::default()
                .with(
                    "region",
                    Values::Text(rows.iter().map(|r| r.0.to_string()).collect()),
                )
                .with("year", Values::Int(rows.iter().map(|r| r.1).collect()))
                .with(
                    "method",
                    Values::Text(rows.iter().map(|r| r.2.to_string()).collect()),
                )
                .with(
                    value,
                    Values::Float(
                        rows.iter()
                            .map(|r| Some(r.3).filter(|v| v.is_finite()))
                            .collect(),
                    ),
                )
        };
        let mut tab = Table::stack(
            "table",
            vec![
                ("forecast", long(&fc, "value_busd")),
                ("share", long(&shares, "share")),
            ],
        )?;
        tab.metadata = vec![
            ("chipcast.version".into(), env!("CARGO_PKG_VERSION").into()),
            (
                "chipcast.data_source".into(),
                "built-in wsts_regional_annual.csv, wsts_annual.csv (WSTS HBR May-2026)".into(),
            ),
            ("chipcast.model".into(), name.label().to_string()),
            (
                "chipcast.reconciliation".into(),
                format!(
                    "MinT shrink, lambda {:.4}, {} origins",
                    rec.shrinkage, rec.origins
                ),
            ),
        ];
        tab.write(path)
            .with_context(|| "writing the regions table")?;
        if !chipcast::outputs::atomic::is_stdout(path) {
            let _ = writeln!(s, "Table written to {}", path.display());
        }
    }
    if let Some(c) = &a.chart {
        let layers: Vec<(String, Vec<(i64, f64)>)> = REGIONS
            .iter()
            .enumerate()
            .map(|(j, (_, label))| {
                let mut pts: Vec<(i64, f64)> = regions[j]
                    .ordinals()
                    .zip(regions[j].values().iter().copied())
                    .collect();
                pts.extend(
                    years
                        .iter()
                        .copied()
                        .zip(rec.mint_regions[j].iter().copied()),
                );
                (label.to_string(), pts)
            })
            .collect();
        StackedChart {
            title: "Semiconductor sales by region: history and reconciled forecast".into(),
            subtitle: format!("WSTS regions (Asia Pacific includes China); forecasts {}–{} reconciled by MinT", years[0], a.until),
            layers,
            forecast_start: years[0],
            footnote: format!("Source: WSTS Historical Billings Report, May-2026 vintage (built-in). chipcast {}.", env!("CARGO_PKG_VERSION")),
        }
        .write(c)
        .with_context(|| "drawing the regions chart")?;
        let _ = writeln!(s, "Chart written to {}", c.display());
    }
    print(&s)
}
