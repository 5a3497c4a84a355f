//! `chipcast gap`: projected chip sales over a window against compute-demand estimates.

use super::forecast::series_title;
use super::resolve;
use super::{ModelArgs, SourceArgs, print};
use anyhow::{Context, bail};
use chipcast::ingest::builtin::demand_rows;
use chipcast::outputs::chart::GapChart;
use chipcast::outputs::report;
use chipcast::scenarios::gap::{DemandFigure, gap};
use chipcast::scenarios::milestone::{Simulation, sample_paths};
use chipcast::scenarios::projection::project_with;
use clap::Args;
use std::fmt::Write;
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
    /// First year of the window
    #[arg(long, default_value_t = 2024)]
    from: i64,
    /// Last year of the window
    #[arg(long, default_value_t = 2030)]
    to: i64,
    /// Draw a bar chart: .png or .svg
    #[arg(long, value_name = "FILE")]
    chart: Option<PathBuf>,
}

fn default_demands() -> anyhow::Result<Vec<DemandFigure>> {
    let rows = demand_rows("Altman AI chip/fab initiative")?;
    if rows.is_empty() {
        bail!("the built-in demand data has no Altman rows; pass --demand USD_BN");
    }
    Ok(rows
        .into_iter()
        .map(|r| DemandFigure {
            label: format!("Altman ${}T", r.value_busd / 1000.0),
            value: r.value_busd,
            source: format!(
                "demand_estimates.csv:{} \"{}\" ({}; {})",
                r.line,
                r.name,
                r.confidence,
                r.source.split(" (").next().unwrap_or(&r.source)
            ),
        })
        .collect())
}

pub(crate) fn run(a: GapArgs) -> anyhow::Result<()> {
    let src = resolve::load(&a.source)?;
    let (_, choice) = resolve::choice(&a.model, src.builtin.is_some())?;
    if src.series.len() != 1 {
        bail!(
            "gap compares one series but {} has {}; pick one with --id ID",
            src.label,
            src.series.len()
        );
    }
    let series = &src.series[0];
    if a.from > a.to {
        bail!(
            "--from {} is after --to {}; the window must run forward",
            a.from,
            a.to
        );
    }
    if a.from < series.start() {
        bail!(
            "--from {} is before the data starts ({}); give --from {} or later",
            a.from,
            src.kind.format(series.start()),
            series.start()
        );
    }
    if let Some(d) = a.demand.iter().find(|d| !(d.is_finite() && **d > 0.0)) {
        bail!("--demand {d} is not a positive amount in USD bn (e.g. --demand 7000 for $7T)");
    }
    let demands = if a.demand.is_empty() {
        default_demands()?
    } else {
        a.demand
            .iter()
            .map(|d| DemandFigure {
                label: format!("user ${}B", report::num(*d)),
                value: *d,
                source: "user (--demand)".into(),
            })
            .collect()
    };
    let h = (a.to - series.end()).max(1) as usize;
    let p = project_with(series, choice, h, &a.model.levels, !a.model.allow_negative)?;
    let sim = Simulation {
        paths: a.model.paths,
        seed: a.model.seed,
    };
    let paths = sample_paths(p.model.as_ref(), h, sim);
    let r = gap(
        series,
        &p.forecast.forecast.point,
        Some(&paths),
        a.from,
        a.to,
        &demands,
    );

    let mut s = String::new();
    let _ = writeln!(s, "chipcast gap — {}", src.label);
    if let Some(o) = src.as_of {
        let _ = writeln!(
            s,
            "As of {}: data up to {} is actual, later years are forecasts.",
            a.source.as_of.as_deref().unwrap_or(""),
            src.kind.format(o)
        );
    }
    let _ = writeln!(s, "{}", report::model(&p.forecast));
    let _ = writeln!(s, "{}", report::gap(&r));
    let _ = writeln!(
        s,
        "Sales range: {} simulated paths of the {} model (seed {}). Demand figures are multi-year totals and are not additive with each other.",
        sim.paths, p.forecast.model, sim.seed
    );
    if let Some(c) = &a.chart {
        GapChart {
            title: format!("{} {}–{} vs compute-demand estimates", series_title(&src), a.from, a.to),
            subtitle: format!(
                "cumulative sales: actuals + {} forecast (whisker: 95% range of {} paths)",
                p.forecast.model, sim.paths
            ),
            report: &r,
            footnote: format!(
                "Sources: {}; demand: built-in demand_estimates.csv (WSJ 2024-02-08) or user. chipcast {}.",
                src.source_tag,
                env!("CARGO_PKG_VERSION")
            ),
        }
        .write(c)
        .with_context(|| "drawing the gap chart")?;
        let _ = writeln!(s, "Chart written to {}", c.display());
    }
    print(&s)
}
