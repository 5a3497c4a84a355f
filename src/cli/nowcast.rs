//! `chipcast nowcast`: clap arguments → [`chipcast::commands::nowcast`] → report, JSON,
//! tables, chart.

use super::JsonArg;
use anyhow::{Context, bail};
use chipcast::commands::defaults;
use chipcast::commands::nowcast::{NowcastRequest, run as nowcast};
use chipcast::outputs::render::nowcast as render;
use chipcast::scenarios::milestone::Simulation;
use chipcast::scenarios::nowcast::NowcastMethod;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Method {
    /// Per number of known months, the method with the lower backtest error
    Auto,
    /// Trend + month effects on ln(billings), last 36 months (linfa-linear)
    Regression,
    /// Last year's remaining months × year-to-date growth
    YtdGrowth,
    /// Seasonally adjusted run-rate of the last 3 months × the remaining months' share of the year
    RunRate,
}

#[derive(Debug, Args)]
pub(crate) struct NowcastArgs {
    /// Built-in region (worldwide, americas, europe, japan, asia-pacific); monthly billings are used
    #[arg(long, default_value = defaults::SERIES)]
    series: String,
    /// Use only months up to this one (YYYY-MM) [default: all data, to 2026-03]
    #[arg(long, value_name = "YYYY-MM")]
    as_of: Option<String>,
    /// Year to nowcast [default: the year of the last month used]
    #[arg(long)]
    year: Option<i64>,
    /// How the remaining months are forecast
    #[arg(long, value_enum, default_value_t = Method::Auto)]
    method: Method,
    /// First year of the backtest that sets the intervals
    #[arg(long, default_value_t = defaults::NOWCAST_FROM_YEAR)]
    from_year: i64,
    /// Interval level in percent; repeat for several
    #[arg(long = "level", value_name = "PERCENT", default_values_t = defaults::LEVELS)]
    levels: Vec<f64>,
    /// Chart of the nowcast after each known month: .png or .svg
    #[arg(long, value_name = "FILE")]
    chart: Option<PathBuf>,
    /// Write the month-by-month nowcasts and the track record, long with a `table` column:
    /// .csv, .json, .parquet, or - for CSV on stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Write the next two years' cycle-regression forecasts: .csv, .json, .parquet, or -
    #[arg(long, value_name = "FILE")]
    next_output: Option<PathBuf>,
    /// Sample paths of the market model's headline
    #[arg(long, default_value_t = defaults::PATHS)]
    paths: usize,
    /// Random seed of the market model's paths
    #[arg(long, default_value_t = defaults::SEED)]
    seed: u64,
    /// Milestone of the market model's headline (USD bn)
    #[arg(long, default_value_t = defaults::TARGET)]
    target: f64,
    /// Year of the headline's milestone probability
    #[arg(long, default_value_t = defaults::BY)]
    by: i64,
    #[command(flatten)]
    json: JsonArg,
}

pub(crate) fn run(a: NowcastArgs) -> anyhow::Result<()> {
    super::check_json(a.json, &[a.output.as_deref(), a.next_output.as_deref()])?;
    super::check_paths(
        &[],
        &[
            ("--output", a.output.as_deref()),
            ("--chart", a.chart.as_deref()),
            ("--next-output", a.next_output.as_deref()),
        ],
    )?;
    let r = nowcast(&NowcastRequest {
        region: a.series.clone(),
        as_of: a.as_of.clone(),
        year: a.year,
        method: match a.method {
            Method::Auto => None,
            Method::Regression => Some(NowcastMethod::Regression),
            Method::YtdGrowth => Some(NowcastMethod::YtdGrowth),
            Method::RunRate => Some(NowcastMethod::RunRate),
        },
        from_year: a.from_year,
        levels: a.levels.clone(),
        simulation: Simulation {
            paths: a.paths,
            seed: a.seed,
        },
        target: a.target,
        by: a.by,
    })?;
    if let Some(path) = &a.next_output {
        if r.year != r.last_year {
            bail!(
                "--next-output needs the nowcast year to be the last year of data ({}), not {}",
                r.last_year,
                r.year
            );
        }
        if r.next_years.is_empty() {
            bail!(
                "--next-output: the cycle regression has too little history at {}",
                r.data_to
            );
        }
        render::next_years_table(&r)
            .write(path)
            .with_context(|| "writing the next-years table")?;
    }
    if let Some(path) = &a.output {
        render::table(&r)?
            .write(path)
            .with_context(|| "writing the nowcast table")?;
    }
    if let Some(c) = &a.chart {
        render::chart(&r)?
            .write(c)
            .with_context(|| "drawing the nowcast chart")?;
    }
    super::emit(
        &r,
        a.json,
        render::report,
        &[
            ("Next-years table", a.next_output.as_deref()),
            ("Table", a.output.as_deref()),
            ("Chart", a.chart.as_deref()),
        ],
    )
}
