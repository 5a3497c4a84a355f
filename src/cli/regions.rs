//! `chipcast regions`: clap arguments → [`chipcast::commands::regions`] → report, JSON,
//! table, chart.

use super::{JsonArg, ModelArgs, resolve};
use anyhow::Context;
use chipcast::commands::regions::{ORIGINS, RegionsRequest, UNTIL, run as regions};
use chipcast::outputs::render::regions as render;
use chipcast::scenarios::milestone::Simulation;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(crate) struct RegionsArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Use only complete years up to this one (YEAR, or YYYY-MM)
    #[arg(long, value_name = "PERIOD")]
    as_of: Option<String>,
    /// Forecast up to this year
    #[arg(long, default_value_t = UNTIL)]
    until: i64,
    /// Rolling origins used to estimate the forecast-error covariance
    #[arg(long, default_value_t = ORIGINS)]
    origins: usize,
    /// Stacked chart of the regions (history and reconciled forecast): .png or .svg
    #[arg(long, value_name = "FILE")]
    chart: Option<PathBuf>,
    /// Write both tables, long (table, region, year, method, value_busd | share): .csv,
    /// .json, .parquet, or - for CSV on stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    json: JsonArg,
}

pub(crate) fn run(a: RegionsArgs) -> anyhow::Result<()> {
    super::check_json(a.json, &[a.output.as_deref()])?;
    super::check_paths(
        &[("--regressors", a.model.regressors.as_deref())],
        &[
            ("--output", a.output.as_deref()),
            ("--chart", a.chart.as_deref()),
        ],
    )?;
    let r = regions(&RegionsRequest {
        model: resolve::named(&a.model)?,
        as_of: a.as_of.clone(),
        until: a.until,
        origins: a.origins,
        simulation: Simulation {
            paths: a.model.paths,
            seed: a.model.seed,
        },
    })?;
    if let Some(path) = &a.output {
        render::table(&r)?
            .write(path)
            .with_context(|| "writing the regions table")?;
    }
    if let Some(c) = &a.chart {
        render::chart(&r)
            .write(c)
            .with_context(|| "drawing the regions chart")?;
    }
    let stdout_table = a
        .output
        .as_deref()
        .filter(|p| chipcast::outputs::atomic::is_stdout(p));
    super::emit(
        &r,
        a.json,
        render::report,
        &[
            (
                "Table",
                a.output.as_deref().filter(|_| stdout_table.is_none()),
            ),
            ("Chart", a.chart.as_deref()),
        ],
    )
}
