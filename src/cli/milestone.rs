//! `chipcast milestone`: when does a series cross a target, and how likely is it by a year?

use super::forecast::series_title;
use super::resolve;
use super::{ModelArgs, SourceArgs, print};
use anyhow::{Context, bail};
use chipcast::limits;
use chipcast::outputs::chart::MilestoneChart;
use chipcast::outputs::progress::Progress;
use chipcast::outputs::report;
use chipcast::outputs::table::{Table, Values};
use chipcast::scenarios::milestone::{Simulation, milestone_with};
use chipcast::series::TimeKind;
use clap::Args;
use std::fmt::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(crate) struct MilestoneArgs {
    #[command(flatten)]
    source: SourceArgs,
    #[command(flatten)]
    model: ModelArgs,
    /// The milestone, in the series' unit (USD bn for built-in series)
    #[arg(long, default_value_t = 1000.0)]
    target: f64,
    /// Year for "how likely by"
    #[arg(long, default_value_t = 2030)]
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
}

pub(crate) fn run(a: MilestoneArgs) -> anyhow::Result<()> {
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
    let src = resolve::load(&a.source)?;
    let named = resolve::choice(&a.model)?;
    if src.series.len() != 1 {
        bail!(
            "milestone needs one series but {} has {}; pick one with --id ID",
            src.label,
            src.series.len()
        );
    }
    if !matches!(src.kind, TimeKind::Integer | TimeKind::AnnualDate { .. }) {
        bail!(
            "milestone works on annual series; this one is {}",
            src.kind.describe()
        );
    }
    if !(a.target.is_finite() && a.target > 0.0) {
        bail!("--target {} must be a positive number", a.target);
    }
    let series = &src.series[0];
    if a.by <= series.end() && series.values().iter().all(|v| *v < a.target) {
        bail!(
            "--by {} is not after the last data year {}; give a later year",
            a.by,
            series.end()
        );
    }
    if a.by > series.end() {
        limits::check_year_ahead("--by", a.by, series.end())?;
    }
    if src.builtin.is_some()
        && src.kind == TimeKind::Integer
        && a.model.model.is_none()
        && a.source.since.is_none()
    {
        return market_milestone(&a, &src);
    }
    let h = match a.until {
        Some(u) => {
            if u < a.by {
                bail!(
                    "--until {u} is before --by {}; the table must reach --by",
                    a.by
                );
            }
            limits::check_year_ahead("--until", u, series.end())?
        }
        None => (a.by.saturating_add(10).saturating_sub(series.end()))
            .clamp(1, limits::MAX_YEARS_AHEAD) as usize,
    };
    let last = series.end() + h as i64;
    let p = resolve::project_named(series, named, h, &a.model.levels, !a.model.allow_negative)?;
    let sim = Simulation {
        paths: a.model.paths,
        seed: a.model.seed,
    };
    let progress = Progress::new(sim.paths as u64, "paths", "simulate");
    let m = milestone_with(series, p.model.as_ref(), a.target, a.by, sim, &|| {
        progress.inc(1)
    });
    progress.finish();
    let last_value = series.values()[series.len() - 1];
    let unit = series.unit().label();
    let mut s = String::new();
    let _ = writeln!(s, "chipcast milestone — {}", src.label);
    if let Some(o) = src.as_of {
        let _ = writeln!(
            s,
            "As of {}: data up to {} only.",
            a.source.as_of.as_deref().unwrap_or(""),
            src.kind.format(o)
        );
    }
    let _ = writeln!(s, "\n{}", report::model(&p.forecast));
    if let Some(note) = super::forecast::months_note(
        a.source.as_of.as_deref(),
        &src,
        &p.forecast,
        Some(a.target),
        a.model.model,
    ) {
        let _ = writeln!(s, "{}", note.trim_start());
    }
    let _ = writeln!(
        s,
        "{}",
        report::milestone(&m, &p.forecast, last_value, unit, "year")
    );
    let _ = writeln!(s, "{}", report::milestone_table(&m, src.kind, last));
    if let Some(path) = &a.output {
        let mut t = odds_table(&m, last);
        t.metadata = vec![
            ("chipcast.version".into(), env!("CARGO_PKG_VERSION").into()),
            ("chipcast.data_source".into(), src.source_tag.clone()),
            ("chipcast.model".into(), p.forecast.description.clone()),
            ("chipcast.target".into(), a.target.to_string()),
            ("chipcast.by".into(), a.by.to_string()),
            (
                "chipcast.as_of".into(),
                src.as_of
                    .map(|o| src.kind.format(o))
                    .unwrap_or_else(|| "latest".into()),
            ),
            ("chipcast.paths".into(), sim.paths.to_string()),
            ("chipcast.seed".into(), sim.seed.to_string()),
        ];
        t.write(path)
            .with_context(|| "writing the milestone table")?;
        let _ = writeln!(s, "Table written to {}", path.display());
    }
    if let Some(c) = &a.chart {
        MilestoneChart {
            title: format!(
                "{}: when does it reach {}?",
                series_title(&src),
                if src.builtin.is_some() {
                    format!("${}B", chipcast::outputs::chart::money_label(a.target))
                } else {
                    report::num(a.target)
                }
            ),
            subtitle: format!(
                "{} sample paths of the {} model (seed {}), data to {}",
                sim.paths,
                p.forecast.model,
                sim.seed,
                src.kind.format(series.end())
            ),
            milestone: &m,
            last,
            months: Vec::new(),
            footnote: format!(
                "Source: {}. Chart: chipcast {}.",
                src.source_tag,
                env!("CARGO_PKG_VERSION")
            ),
        }
        .write(c)
        .with_context(|| "drawing the milestone chart")?;
        let _ = writeln!(s, "Chart written to {}", c.display());
    }
    print(&s)
}

/// The milestone from the market model's paths (built-in series, default model).
fn market_milestone(a: &MilestoneArgs, src: &resolve::Source) -> anyhow::Result<()> {
    let name = src.builtin.as_deref().unwrap_or("worldwide");
    let data = super::market::data(name)?;
    let cut = super::market::cut(a.source.as_of.as_deref(), &data)?;
    let sim = Simulation {
        paths: a.model.paths,
        seed: a.model.seed,
    };
    let p = super::market::paths(&data, cut, sim)?;
    if a.by > p.last_year {
        bail!(
            "--by {} is after the market model's last year {}",
            a.by,
            p.last_year
        );
    }
    if let Some(u) = a.until.filter(|u| *u >= a.by) {
        limits::check_year_ahead("--until", u, src.series[0].end())?;
    }
    let last = match a.until {
        Some(u) if u < a.by => bail!(
            "--until {u} is before --by {}; the table must reach --by",
            a.by
        ),
        Some(u) if u > p.last_year => bail!(
            "--until {u} is after the market model's last year {}",
            p.last_year
        ),
        Some(u) => u,
        None => (a.by + 10).min(p.last_year),
    };
    let series = &src.series[0];
    let f = super::market::series_forecast(&p, series.id(), last, &a.model.levels);
    let m = p.milestone(a.target, a.by);
    let unit = series.unit().label();
    let mut s = String::new();
    let _ = writeln!(s, "chipcast milestone — {}", src.label);
    let _ = writeln!(
        s,
        "Monthly billings to {} are used{}.",
        TimeKind::YearMonth.format(cut),
        if src.as_of.is_some() {
            format!(" (as of {})", a.source.as_of.as_deref().unwrap_or(""))
        } else {
            String::new()
        }
    );
    let _ = writeln!(s, "\n{}", super::forecast::MARKET_NOTE);
    let _ = writeln!(
        s,
        "\n{}",
        chipcast::outputs::market::headline(&p, a.target, a.by, unit)
    );
    let last_value = p.history.last().map_or(0.0, |h| h.1);
    let _ = writeln!(s, "{}", report::milestone(&m, &f, last_value, unit, "year"));
    let _ = writeln!(
        s,
        "{}",
        report::milestone_table(&m, TimeKind::Integer, last)
    );
    let months = p.crossing_months(a.target);
    let table = chipcast::outputs::market::crossing_month_table(&months);
    if !table.is_empty() {
        let _ = writeln!(
            s,
            "First month trailing-12-month sales reach {} {unit}, by calendar year (share of paths):\n{table}",
            report::num(a.target)
        );
    }
    if let Some(path) = &a.output {
        let mut t = odds_table(&m, last);
        t.metadata = vec![
            ("chipcast.version".into(), env!("CARGO_PKG_VERSION").into()),
            ("chipcast.data_source".into(), src.source_tag.clone()),
            ("chipcast.model".into(), f.description.clone()),
            ("chipcast.target".into(), a.target.to_string()),
            ("chipcast.by".into(), a.by.to_string()),
            ("chipcast.data_to".into(), TimeKind::YearMonth.format(cut)),
            ("chipcast.paths".into(), sim.paths.to_string()),
            ("chipcast.seed".into(), sim.seed.to_string()),
        ];
        t.write(path)
            .with_context(|| "writing the milestone table")?;
        let _ = writeln!(s, "Table written to {}", path.display());
    }
    if let Some(c) = &a.chart {
        MilestoneChart {
            title: format!(
                "{}: when does it reach {}?",
                series_title(src),
                format_args!("${}B", chipcast::outputs::chart::money_label(a.target))
            ),
            subtitle: format!(
                "{} sample paths of the market model {} (seed {}), monthly data to {}",
                sim.paths,
                p.candidate.name(),
                sim.seed,
                TimeKind::YearMonth.format(cut)
            ),
            milestone: &m,
            last,
            months: {
                let (from, to) = months.span;
                (from..=to.min(last * 12 + 11))
                    .map(|o| (o, months.p_by(o)))
                    .collect()
            },
            footnote: format!(
                "Source: {}. Chart: chipcast {}.",
                src.source_tag,
                env!("CARGO_PKG_VERSION")
            ),
        }
        .write(c)
        .with_context(|| "drawing the milestone chart")?;
        let _ = writeln!(s, "Chart written to {}", c.display());
    }
    print(&s)
}

/// The milestone's odds by year up to `last`, as `-o` exports them.
fn odds_table(m: &chipcast::scenarios::milestone::Milestone, last: i64) -> Table {
    let odds: Vec<_> = m.by_period.iter().filter(|o| o.period <= last).collect();
    Table::default()
        .with("year", Values::Int(odds.iter().map(|o| o.period).collect()))
        .with(
            "p_first_crossing",
            Values::floats(odds.iter().map(|o| o.p_first)),
        )
        .with(
            "p_reached_by",
            Values::floats(odds.iter().map(|o| o.p_crossed_by)),
        )
        .with(
            "p_at_least",
            Values::floats(odds.iter().map(|o| o.p_at_least)),
        )
}
