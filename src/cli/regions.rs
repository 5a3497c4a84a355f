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
    if a.model.model.is_none() {
        return run_market(&a, choice);
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
            intervals: Vec::new(),
            forecast_start: years[0],
            footnote: format!("Source: WSTS Historical Billings Report, May-2026 vintage (built-in). chipcast {}.", env!("CARGO_PKG_VERSION")),
        }
        .write(c)
        .with_context(|| "drawing the regions chart")?;
        let _ = writeln!(s, "Chart written to {}", c.display());
    }
    print(&s)
}

/// The default: the market model per region from the monthly billings, reconciled by MinT
/// (`chipcast::market::regions`).
fn run_market(
    a: &RegionsArgs,
    choice: chipcast::evaluation::select::ModelChoice,
) -> anyhow::Result<()> {
    use chipcast::market::regions::region_forecast;
    let world = super::market::data("worldwide")?;
    let data: Vec<_> = REGIONS
        .iter()
        .map(|(n, _)| {
            super::market::data(n).map(|d| (chipcast::market::regions::region_candidate(n), d))
        })
        .collect::<anyhow::Result<_>>()?;
    let cut = super::market::cut(a.as_of.as_deref(), &world)?;
    let first_year = (cut + 1).div_euclid(12);
    if a.until < first_year {
        bail!(
            "--until {} is not after the last data year {}",
            a.until,
            first_year - 1
        );
    }
    chipcast::limits::check_year_ahead("--until", a.until, first_year - 1)?;
    if a.until > first_year + chipcast::market::SPAN_YEARS {
        bail!(
            "--until {} is after the market model's last year {}; give --model NAME for longer horizons",
            a.until,
            first_year + chipcast::market::SPAN_YEARS
        );
    }
    let sim = chipcast::scenarios::milestone::Simulation {
        paths: a.model.paths,
        seed: a.model.seed,
    };
    let f = region_forecast(&world, &data, cut, a.until, sim, choice, a.origins)?;
    let labels: Vec<&str> = REGIONS.iter().map(|(_, l)| *l).collect();
    let mut s = chipcast::outputs::market::regions(&f, &labels);
    if let Some(path) = &a.output {
        // long: one row per (region, year, method), intervals on the `mint` rows
        // (region, year, method, value, [lo80, hi80, lo95, hi95])
        type Row<'a> = (&'a str, i64, &'a str, f64, Option<[f64; 4]>);
        let mut rows: Vec<Row> = Vec::new();
        for (k, y) in f.total.iter().enumerate() {
            rows.push(("worldwide", y.year, "base", y.base, None));
            rows.push(("worldwide", y.year, "bottom_up", f.bottom_up[k], None));
            rows.push((
                "worldwide",
                y.year,
                "mint",
                y.point,
                Some([y.lo80, y.hi80, y.lo95, y.hi95]),
            ));
        }
        for (j, (n, _)) in REGIONS.iter().enumerate() {
            for y in &f.regions[j] {
                rows.push((n, y.year, "base", y.base, None));
                rows.push((
                    n,
                    y.year,
                    "mint",
                    y.point,
                    Some([y.lo80, y.hi80, y.lo95, y.hi95]),
                ));
            }
        }
        let bound = |i: usize| Values::Float(rows.iter().map(|r| r.4.map(|b| b[i])).collect());
        let tab = Table::default()
            .with(
                "region",
                Values::Text(rows.iter().map(|r| r.0.to_string()).collect()),
            )
            .with("year", Values::Int(rows.iter().map(|r| r.1).collect()))
            .with(
                "method",
                Values::Text(rows.iter().map(|r| r.2.to_string()).collect()),
            )
            .with("value_busd", Values::floats(rows.iter().map(|r| r.3)))
            .with("lo80", bound(0))
            .with("hi80", bound(1))
            .with("lo95", bound(2))
            .with("hi95", bound(3));
        // each region's share of the MinT total in the last year
        let last = f.total.len() - 1;
        let shares = Table::default()
            .with(
                "region",
                Values::Text(REGIONS.iter().map(|(n, _)| n.to_string()).collect()),
            )
            .with("year", Values::Int(vec![a.until; REGIONS.len()]))
            .with("method", Values::Text(vec!["mint".into(); REGIONS.len()]))
            .with(
                "share",
                Values::floats(
                    f.regions
                        .iter()
                        .map(|r| r[last].point / f.total[last].point),
                ),
            );
        let mut tab = Table::stack("table", vec![("forecast", tab), ("share", shares)])?;
        tab.metadata = vec![
            ("chipcast.version".into(), env!("CARGO_PKG_VERSION").into()),
            (
                "chipcast.data_source".into(),
                "built-in wsts_monthly_raw.csv, wsts_annual.csv, wsts_regional_annual.csv (WSTS HBR May-2026)".into(),
            ),
            (
                "chipcast.model".into(),
                format!("market:{}", chipcast::market::Candidate::DEFAULT.name()),
            ),
            (
                "chipcast.reconciliation".into(),
                format!(
                    "MinT shrink, lambda {:.4}, {} origins",
                    f.projection.shrinkage, f.projection.origins
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
        let history: Vec<chipcast::series::MarketSeries> = data
            .iter()
            .map(|d| d.1.annual.truncate_to(first_year - 1))
            .collect::<Result<_, _>>()?;
        let layers = REGIONS
            .iter()
            .enumerate()
            .map(|(j, (_, label))| {
                // twenty years of history, so that the forecast years are legible
                let mut pts: Vec<(i64, f64)> = history[j]
                    .ordinals()
                    .zip(history[j].values().iter().copied())
                    .filter(|(y, _)| *y >= first_year - 20)
                    .collect();
                pts.extend(f.regions[j].iter().map(|y| (y.year, y.point)));
                (label.to_string(), pts)
            })
            .collect();
        let intervals = f
            .regions
            .iter()
            .map(|r| {
                r.iter()
                    .map(|y| (y.year, y.lo80, y.hi80, y.lo95, y.hi95))
                    .collect()
            })
            .collect();
        StackedChart {
            title: "Semiconductor sales by region: history and reconciled forecast".into(),
            subtitle: format!(
                "WSTS regions (Asia Pacific includes China); {}–{}: market model per region, reconciled by MinT; whiskers: 80% (thick) and 95% intervals",
                first_year, a.until
            ),
            layers,
            intervals,
            forecast_start: first_year,
            footnote: format!(
                "Source: WSTS Historical Billings Report, May-2026 vintage (built-in); {} of the 12 months of {} known. chipcast {}.",
                f.known_months,
                first_year,
                env!("CARGO_PKG_VERSION")
            ),
        }
        .write(c)
        .with_context(|| "drawing the regions chart")?;
        let _ = writeln!(s, "Chart written to {}", c.display());
    }
    print(&s)
}
