//! `chipcast milestone`: clap arguments → [`chipcast::commands::milestone`] → report, JSON,
//! table, chart.

use super::{JsonArg, ModelArgs, SourceArgs, resolve};
use anyhow::Context;
use chipcast::commands::defaults;
use chipcast::commands::milestone::{MilestoneRequest, run_with as milestone};
use chipcast::outputs::progress::Progress;
use chipcast::outputs::render::milestone as render;
use chipcast::scenarios::milestone::Simulation;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(crate) struct MilestoneArgs {
    #[command(flatten)]
    source: SourceArgs,
    #[command(flatten)]
    model: ModelArgs,
    /// The milestone, in the series' unit (USD bn for built-in series)
    #[arg(long, default_value_t = defaults::TARGET)]
    target: f64,
    /// Year for "how likely by"
    #[arg(long, default_value_t = defaults::BY)]
    by: i64,
    /// Show years up to this one in the table and chart [default: by + 10]
    #[arg(long)]
    until: Option<i64>,
    /// Draw the probability curve: .png or .svg
    #[arg(long, value_name = "FILE")]
    chart: Option<PathBuf>,
    /// Write the year-by-year odds: .csv, .json, .parquet, or - for CSV on stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    json: JsonArg,
}

pub(crate) fn run(a: MilestoneArgs) -> anyhow::Result<()> {
    super::check_json(a.json, &[a.output.as_deref()])?;
    super::check_paths(
        &[
            ("--input", a.source.input.as_deref()),
            ("--regressors", a.model.regressors.as_deref()),
        ],
        &[
            ("--output", a.output.as_deref()),
            ("--chart", a.chart.as_deref()),
        ],
    )?;
    let model = resolve::named(&a.model)?;
    let progress = Progress::new(a.model.paths as u64, "paths", "simulate");
    let r = milestone(
        &MilestoneRequest {
            source: resolve::source_request(&a.source),
            model,
            levels: a.model.levels.clone(),
            allow_negative: a.model.allow_negative,
            simulation: Simulation {
                paths: a.model.paths,
                seed: a.model.seed,
            },
            target: a.target,
            by: a.by,
            until: a.until,
        },
        &|| progress.inc(1),
    );
    progress.finish();
    let r = r?;
    if let Some(path) = &a.output {
        render::table(&r)
            .write(path)
            .with_context(|| "writing the milestone table")?;
    }
    if let Some(c) = &a.chart {
        render::chart(&r)
            .write(c)
            .with_context(|| "drawing the milestone chart")?;
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
