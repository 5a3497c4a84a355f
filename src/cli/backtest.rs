//! `chipcast backtest`: clap arguments → [`chipcast::commands::backtest`] → report, JSON,
//! long table, chart. `--market` prints the market model's own backtest instead.

use super::{JsonArg, ModelArgs, ModelName, print, resolve};
use anyhow::Context;
use chipcast::commands::backtest::{BacktestRequest, run as backtest};
use chipcast::commands::defaults;
use chipcast::outputs::render::backtest as render;
use chipcast::scenarios::milestone::Simulation;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(crate) struct BacktestArgs {
    /// Built-in annual series to evaluate, comma-separated
    #[arg(
        long,
        value_delimiter = ',',
        default_value = defaults::BACKTEST_SERIES
    )]
    series: Vec<String>,
    /// Models to evaluate, comma-separated
    #[arg(
        long,
        value_delimiter = ',',
        default_value = defaults::BACKTEST_MODELS
    )]
    models: Vec<ModelName>,
    /// First forecast origin (last training year of the first split)
    #[arg(long, default_value_t = defaults::BACKTEST_FROM)]
    from: i64,
    /// Horizons 1..=H
    #[arg(long, short = 'H', default_value_t = defaults::BACKTEST_HORIZON)]
    horizon: usize,
    /// Backtest as it could have been run then: YEAR or YYYY-MM (complete years only; only
    /// published forecasts out by then whose target year had ended)
    #[arg(long, value_name = "PERIOD")]
    as_of: Option<String>,
    /// Skip the comparison with published industry forecasts
    #[arg(long)]
    no_industry: bool,
    /// Annual model for the industry comparison [default: auto]
    #[command(flatten)]
    model: ModelArgs,
    /// Chart of the industry comparison: .png or .svg
    #[arg(long, value_name = "FILE")]
    chart: Option<PathBuf>,
    /// Write every printed table, long with a `table` column (README): .csv, .json,
    /// .parquet, or - for CSV on stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Instead: the backtest that chose the market model (every month-end origin
    /// 1997-01..2025-12, calendar-year totals 0-5 years ahead, every candidate), as Markdown
    #[arg(long)]
    market: bool,
    #[command(flatten)]
    json: JsonArg,
}

/// The market-model backtest table (what the README shows), with its run time on stderr.
fn market_backtest() -> anyhow::Result<()> {
    use chipcast::market::{self, Candidate};
    let t = std::time::Instant::now();
    let bt = market::backtest::run(
        &chipcast::commands::market::data("worldwide")?,
        market::backtest::ORIGINS,
        &Candidate::ALL,
        Simulation {
            paths: market::backtest::PATHS,
            seed: defaults::SEED,
        },
    )?;
    print(&bt.markdown())?;
    eprintln!("market backtest: {:.1} s wall", t.elapsed().as_secs_f64());
    Ok(())
}

pub(crate) fn run(a: BacktestArgs) -> anyhow::Result<()> {
    if a.market {
        return market_backtest();
    }
    super::check_json(a.json, &[a.output.as_deref()])?;
    super::check_paths(
        &[("--regressors", a.model.regressors.as_deref())],
        &[
            ("--output", a.output.as_deref()),
            ("--chart", a.chart.as_deref()),
        ],
    )?;
    // every evaluated model with the options of --model's family
    let models = a
        .models
        .iter()
        .map(|n| {
            let probe = ModelArgs {
                model: Some(*n),
                ..a.model.clone()
            };
            Ok(resolve::named(&probe)?.expect("a model is named"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let r = backtest(&BacktestRequest {
        series: a.series.clone(),
        models,
        from: a.from,
        horizon: a.horizon,
        as_of: a.as_of.clone(),
        industry: !a.no_industry,
        industry_model: resolve::named(&a.model)?,
        simulation: Simulation {
            paths: a.model.paths,
            seed: a.model.seed,
        },
    })?;
    let chart = a.chart.as_deref().filter(|_| r.industry.is_some());
    if let (Some(c), Some(ch)) = (chart, render::chart(&r)) {
        ch.write(c).with_context(|| "drawing the backtest chart")?;
    }
    if let Some(path) = &a.output {
        render::table(&r)?
            .write(path)
            .with_context(|| "writing the backtest tables")?;
    }
    let listed = a
        .output
        .as_deref()
        .filter(|p| !chipcast::outputs::atomic::is_stdout(p));
    super::emit(
        &r,
        a.json,
        render::report,
        &[("Chart", chart), ("Tables", listed)],
    )
}
