//! `chipcast gap`: clap arguments → [`chipcast::commands::gap`] → report, JSON, table,
//! chart.

use super::{JsonArg, ModelArgs, SourceArgs, resolve};
use anyhow::Context;
use chipcast::commands::gap::{GapRequest, ScenarioChoice, run as gap};
use chipcast::outputs::render::gap as render;
use chipcast::scenarios::milestone::Simulation;
use chipcast::scenarios::scenario;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(crate) struct GapArgs {
    #[command(flatten)]
    source: SourceArgs,
    #[command(flatten)]
    model: ModelArgs,
    /// Demand to compare with, USD bn over the window; repeat for several
    /// [default: Altman's reported $5T and $7T from the built-in demand data]
    #[arg(long, value_name = "USD_BN")]
    demand: Vec<f64>,
    /// First year of the window [default: 2024]
    #[arg(long)]
    from: Option<i64>,
    /// Last year of the window [default: 2030]
    #[arg(long)]
    to: Option<i64>,
    /// A scenario file (TOML: demand figures, supply-side assumptions with sources, a
    /// sensitivity grid), or `default` for the built-in one; see --print-scenario
    #[arg(long, value_name = "FILE")]
    scenario: Option<String>,
    /// Print the built-in default scenario (a documented template) and exit
    #[arg(long)]
    print_scenario: bool,
    /// Draw a bar chart: .png or .svg
    #[arg(long, value_name = "FILE")]
    chart: Option<PathBuf>,
    /// Write every printed table, long with a `table` column (README): .csv, .json,
    /// .parquet, or - for CSV on stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    json: JsonArg,
}

pub(crate) fn run(a: GapArgs) -> anyhow::Result<()> {
    if a.print_scenario {
        return super::print_raw(scenario::DEFAULT);
    }
    super::check_json(a.json, &[a.output.as_deref()])?;
    let scenario = a.scenario.as_deref().map(|f| match f {
        "default" => ScenarioChoice::Default,
        file => ScenarioChoice::File(PathBuf::from(file)),
    });
    let scenario_file = match &scenario {
        Some(ScenarioChoice::File(f)) => Some(f.as_path()),
        _ => None,
    };
    super::check_paths(
        &[
            ("--input", a.source.input.as_deref()),
            ("--regressors", a.model.regressors.as_deref()),
            ("--scenario", scenario_file),
        ],
        &[
            ("--output", a.output.as_deref()),
            ("--chart", a.chart.as_deref()),
        ],
    )?;
    let r = gap(&GapRequest {
        source: resolve::source_request(&a.source),
        model: resolve::named(&a.model)?,
        levels: a.model.levels.clone(),
        allow_negative: a.model.allow_negative,
        simulation: Simulation {
            paths: a.model.paths,
            seed: a.model.seed,
        },
        demand: a.demand.clone(),
        from: a.from,
        to: a.to,
        scenario,
    })?;
    let what = if r.scenario.is_some() {
        "scenario"
    } else {
        "gap"
    };
    if let Some(path) = &a.output {
        render::table(&r)?
            .write(path)
            .with_context(|| format!("writing the {what} table"))?;
    }
    if let Some(c) = &a.chart {
        render::chart(&r)
            .write(c)
            .with_context(|| format!("drawing the {what} chart"))?;
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
