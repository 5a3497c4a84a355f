//! `chipcast vintages`: how the outlook drifted — the forecast for a target year and the
//! milestone odds, as they looked at each as-of date.

use super::resolve;
use super::{ModelArgs, print};
use anyhow::{Context, bail};
use chipcast::ingest::builtin;
use chipcast::outputs::chart::VintageChart;
use chipcast::outputs::report::{grouped, num, pct};
use chipcast::outputs::table::{Table, Values};
use chipcast::scenarios::milestone::{
    Simulation, milestone_provisional, widen_for_provisional_start,
};
use chipcast::scenarios::vintage::annual_input_as_of;
use chipcast::series::TimeKind;
use clap::Args;
use comfy_table::{CellAlignment, presets::UTF8_BORDERS_ONLY};
use std::fmt::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(crate) struct VintagesArgs {
    /// As-of months (last month of data), comma-separated
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "2016-12,2018-12,2020-12,2022-12,2023-12,2024-11,2024-12,2025-12,2026-03"
    )]
    as_of: Vec<String>,
    /// Year whose forecast is compared across vintages
    #[arg(long, default_value_t = 2030)]
    target_year: i64,
    /// Milestone (USD bn)
    #[arg(long, default_value_t = 1000.0)]
    target: f64,
    #[command(flatten)]
    model: ModelArgs,
    /// Chart of the drift: .png or .svg
    #[arg(long, value_name = "FILE")]
    chart: Option<PathBuf>,
    /// Write the table: .csv, .json, .parquet, or - for CSV on stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

/// One vintage's answer.
pub(crate) struct Row {
    pub as_of: i64,
    pub data: String,
    pub model: String,
    pub point: f64,
    pub lo80: f64,
    pub hi80: f64,
    pub lo95: f64,
    pub hi95: f64,
    pub p_at_least: f64,
    pub p_reached: f64,
}

pub(crate) fn run(a: VintagesArgs) -> anyhow::Result<()> {
    if !(a.target.is_finite() && a.target > 0.0) {
        anyhow::bail!("--target {} must be a positive number (USD bn)", a.target);
    }
    super::check_paths(
        &[("--regressors", a.model.regressors.as_deref())],
        &[
            ("--output", a.output.as_deref()),
            ("--chart", a.chart.as_deref()),
        ],
    )?;
    let named = resolve::choice(&a.model)?;
    let annual = builtin::series("worldwide")?.series;
    let monthly = builtin::series("worldwide-monthly")?.series;
    let sim = Simulation {
        paths: a.model.paths,
        seed: a.model.seed,
    };
    // the market model unless --model names a single annual model
    let market = match a.model.model {
        None => Some(super::market::data("worldwide")?),
        Some(_) => None,
    };
    let mut rows = Vec::new();
    for text in &a.as_of {
        let Some(data_to) = resolve::as_of_month(text) else {
            bail!("--as-of {text:?} is not a month; expected YYYY-MM (comma-separated list)")
        };
        if data_to > monthly.end() {
            bail!(
                "--as-of {text} is after the last month of data ({})",
                monthly.kind().format(monthly.end())
            );
        }
        if let Some(data) = &market {
            chipcast::limits::check_year_ahead(
                "--target-year",
                a.target_year,
                (data_to + 1).div_euclid(12) - 1,
            )?;
            let p = super::market::paths(data, data_to, sim)?;
            if a.target_year < p.first_year || a.target_year > p.last_year {
                bail!(
                    "--target-year {} is outside the market model's years {} to {} for as-of {text}",
                    a.target_year,
                    p.first_year,
                    p.last_year
                );
            }
            let ty = a.target_year;
            let (point, i80, i95) = (
                p.point(ty).unwrap_or(f64::NAN),
                p.interval(ty, 80.0).unwrap_or((f64::NAN, f64::NAN)),
                p.interval(ty, 95.0).unwrap_or((f64::NAN, f64::NAN)),
            );
            rows.push(Row {
                as_of: data_to,
                data: format!(
                    "months to {} ({} of {} known)",
                    TimeKind::YearMonth.format(data_to),
                    p.known_months,
                    p.first_year
                ),
                model: format!("market:{}", p.candidate.name()),
                point,
                lo80: i80.0,
                hi80: i80.1,
                lo95: i95.0,
                hi95: i95.1,
                p_at_least: p.p_at_least(ty, a.target).unwrap_or(0.0),
                p_reached: p.crossing_years(a.target).p_by(ty),
            });
            continue;
        }
        let (input, nc) = annual_input_as_of(&annual, &monthly, data_to)?;
        if a.target_year <= input.end() {
            bail!(
                "--target-year {} is not after the data of as-of {text}",
                a.target_year
            );
        }
        let h = chipcast::limits::check_year_ahead("--target-year", a.target_year, input.end())?;
        let p = resolve::project_named(&input, named, h, &[80.0, 95.0], !a.model.allow_negative)?;
        // a nowcast year is provisional: each path draws it from the nowcast's own error
        let nowcast_sd = nc.as_ref().map_or(0.0, |n| n.record.rmse());
        let m = milestone_provisional(
            &input,
            p.model.as_ref(),
            a.target,
            a.target_year,
            sim,
            nowcast_sd,
        );
        let f = &p.forecast.forecast;
        // the same provisional start widens the intervals
        let iv: Vec<(f64, f64)> = f
            .intervals
            .iter()
            .map(|i| {
                widen_for_provisional_start(
                    f.point[h - 1],
                    (i.lower[h - 1], i.upper[h - 1]),
                    i.level,
                    nowcast_sd,
                )
            })
            .collect();
        let data = match &nc {
            Some(n) => format!(
                "years to {}, {} nowcast ({} months)",
                input.end() - 1,
                input.end(),
                n.known
            ),
            None => format!("years to {}", input.end()),
        };
        rows.push(Row {
            as_of: data_to,
            data,
            model: p.forecast.model.clone(),
            point: f.point[h - 1],
            lo80: iv[0].0,
            hi80: iv[0].1,
            lo95: iv[1].0,
            hi95: iv[1].1,
            p_at_least: m.p_at_least_in_by,
            p_reached: m.p_crossed_by,
        });
    }
    let kind = TimeKind::YearMonth;
    let mut t = chipcast::outputs::report::text_table();
    t.load_preset(UTF8_BORDERS_ONLY).set_header(vec![
        "as of".to_string(),
        "data used".to_string(),
        "model".to_string(),
        format!("forecast {}", a.target_year),
        "80% interval".to_string(),
        "95% interval".to_string(),
        format!("P(≥ {} in {})", num(a.target), a.target_year),
        format!("P(reached by {})", a.target_year),
    ]);
    for r in &rows {
        t.add_row(vec![
            kind.format(r.as_of),
            r.data.clone(),
            r.model.clone(),
            grouped(r.point),
            format!("{}–{}", grouped(r.lo80), grouped(r.hi80)),
            format!("{}–{}", grouped(r.lo95), grouped(r.hi95)),
            pct(r.p_at_least),
            pct(r.p_reached),
        ]);
    }
    for i in 3..8 {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    let mut s = if market.is_some() {
        format!(
            "chipcast vintages — worldwide sales, built-in WSTS HBR (May-2026 vintage); for each as-of month, the market model on every month of data up to it (the same paths as `forecast` and `milestone` with that --as-of)\n{t}\n"
        )
    } else {
        format!(
            "chipcast vintages — worldwide sales, built-in WSTS HBR (May-2026 vintage); for each as-of month: complete years, a nowcast of the current year (known months + run-rate), then the {} model\n{t}\n",
            named.0.label()
        )
    };
    if market.is_some() {
        let _ = writeln!(
            s,
            "Point = median of {} sample paths per vintage (seed {}), intervals = their quantiles, probabilities = shares of them. WSTS revises history; every vintage here uses today's revised figures up to its as-of month.",
            sim.paths, sim.seed
        );
    } else {
        let _ = writeln!(
            s,
            "Probabilities: {} sample paths per vintage (seed {}); a nowcast year is provisional, each path drawing it from the nowcast's own error record, and the intervals widen by the same error (in quadrature on the log scale). --model {} is a single annual model: it ignores the known months except through that nowcast. WSTS revises history; every vintage here uses today's revised figures up to its as-of month.",
            sim.paths,
            sim.seed,
            named.0.label()
        );
    }
    if let Some(path) = &a.output {
        let mut tab = Table::default()
            .with(
                "as_of",
                Values::Text(rows.iter().map(|r| kind.format(r.as_of)).collect()),
            )
            .with(
                "data_used",
                Values::Text(rows.iter().map(|r| r.data.clone()).collect()),
            )
            .with(
                "model",
                Values::Text(rows.iter().map(|r| r.model.clone()).collect()),
            )
            .with(
                "target_year",
                Values::Int(rows.iter().map(|_| a.target_year).collect()),
            )
            .with("mean", Values::floats(rows.iter().map(|r| r.point)))
            .with("lo80", Values::floats(rows.iter().map(|r| r.lo80)))
            .with("hi80", Values::floats(rows.iter().map(|r| r.hi80)))
            .with("lo95", Values::floats(rows.iter().map(|r| r.lo95)))
            .with("hi95", Values::floats(rows.iter().map(|r| r.hi95)))
            .with(
                "p_at_least",
                Values::floats(rows.iter().map(|r| r.p_at_least)),
            )
            .with(
                "p_reached_by",
                Values::floats(rows.iter().map(|r| r.p_reached)),
            );
        tab.metadata = vec![
            ("chipcast.version".into(), env!("CARGO_PKG_VERSION").into()),
            (
                "chipcast.data_source".into(),
                "built-in wsts_annual.csv, wsts_monthly_raw.csv (WSTS HBR May-2026)".into(),
            ),
            ("chipcast.target".into(), a.target.to_string()),
            ("chipcast.paths".into(), sim.paths.to_string()),
            ("chipcast.seed".into(), sim.seed.to_string()),
        ];
        tab.write(path)
            .with_context(|| "writing the vintages table")?;
        let _ = writeln!(s, "Table written to {}", path.display());
    }
    if let Some(c) = &a.chart {
        VintageChart {
            title: format!("How the {} outlook drifted", a.target_year),
            subtitle: format!(
                "forecast of {} worldwide sales at each as-of month, 80/95% intervals; labels: P(≥ {} in {})",
                a.target_year,
                num(a.target),
                a.target_year
            ),
            points: rows
                .iter()
                .map(|r| (r.as_of as f64 / 12.0 + 1.0 / 12.0, r.point, r.lo80, r.hi80, r.lo95, r.hi95, r.p_at_least))
                .collect(),
            target: a.target,
            footnote: format!("Source: WSTS Historical Billings Report (built-in). chipcast {}.", env!("CARGO_PKG_VERSION")),
        }
        .write(c)
        .with_context(|| "drawing the vintages chart")?;
        let _ = writeln!(s, "Chart written to {}", c.display());
    }
    print(&s)
}
