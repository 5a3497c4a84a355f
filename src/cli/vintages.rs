//! `chipcast vintages`: clap arguments → [`chipcast::commands::vintages`] → report, JSON,
//! table, chart.

use super::{JsonArg, ModelArgs, resolve};
use anyhow::Context;
use chipcast::commands::defaults;
use chipcast::commands::vintages::{VintagesRequest, run as vintages};
use chipcast::outputs::render::vintages as render;
use chipcast::scenarios::milestone::Simulation;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(crate) struct VintagesArgs {
    /// As-of months (last month of data), comma-separated
    #[arg(long, value_delimiter = ',', default_value = defaults::VINTAGES_AS_OF)]
    as_of: Vec<String>,
    /// Year whose forecast is compared across vintages
    #[arg(long, default_value_t = defaults::BY)]
    target_year: i64,
    /// Milestone (USD bn)
    #[arg(long, default_value_t = defaults::TARGET)]
    target: f64,
    #[command(flatten)]
    model: ModelArgs,
    /// Chart of the drift: .png or .svg
    #[arg(long, value_name = "FILE")]
    chart: Option<PathBuf>,
    /// Write the table: .csv, .json, .parquet, or - for CSV on stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    json: JsonArg,
}

pub(crate) fn run(a: VintagesArgs) -> anyhow::Result<()> {
    if !(a.target.is_finite() && a.target > 0.0) {
        anyhow::bail!("--target {} must be a positive number (USD bn)", a.target);
    }
    super::check_json(a.json, &[a.output.as_deref()])?;
    super::check_paths(
        &[("--regressors", a.model.regressors.as_deref())],
        &[
            ("--output", a.output.as_deref()),
            ("--chart", a.chart.as_deref()),
        ],
    )?;
    let r = vintages(&VintagesRequest {
        as_of: a.as_of.clone(),
        target_year: a.target_year,
        target: a.target,
        model: resolve::named(&a.model)?,
        allow_negative: a.model.allow_negative,
        simulation: Simulation {
            paths: a.model.paths,
            seed: a.model.seed,
        },
    })?;
    if let Some(path) = &a.output {
        render::table(&r)
            .write(path)
            .with_context(|| "writing the vintages table")?;
    }
    if let Some(c) = &a.chart {
        render::chart(&r)
            .write(c)
            .with_context(|| "drawing the vintages chart")?;
    }
    super::emit(
        &r,
        a.json,
        render::report,
        &[
            ("Table", a.output.as_deref()),
            ("Chart", a.chart.as_deref()),
        ],
    )
}
