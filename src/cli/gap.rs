//! `chipcast gap`: projected chip sales over a window against compute-demand estimates.

use super::forecast::series_title;
use super::resolve;
use super::{ModelArgs, SourceArgs, print};
use anyhow::{Context, bail};
use chipcast::ingest::builtin::demand_rows;
use chipcast::outputs::chart::GapChart;
use chipcast::outputs::report;
use chipcast::outputs::table::{Table, Values};
use chipcast::scenarios::gap::{DemandFigure, gap};
use chipcast::scenarios::milestone::{Simulation, sample_paths};
use chipcast::scenarios::scenario::{self, AiShare, Scenario};
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
    if a.print_scenario {
        return super::print_raw(scenario::DEFAULT);
    }
    let scenario_file = a
        .scenario
        .as_deref()
        .filter(|f| *f != "default")
        .map(std::path::Path::new);
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
    if let Some(file) = &a.scenario {
        if !a.demand.is_empty() || a.from.is_some() || a.to.is_some() {
            bail!(
                "--scenario sets the demand figures and the window; drop --demand/--from/--to or edit the scenario file"
            );
        }
        let (text, origin) = if file == "default" {
            (
                scenario::DEFAULT.to_string(),
                "built-in default scenario".to_string(),
            )
        } else {
            (
                std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?,
                file.clone(),
            )
        };
        let sc = scenario::load(&text, &origin)?;
        return run_scenario(&a, &sc);
    }
    let (from, to) = (a.from.unwrap_or(2024), a.to.unwrap_or(2030));
    let src = resolve::load(&a.source)?;
    let named = resolve::choice(&a.model)?;
    if src.series.len() != 1 {
        bail!(
            "gap compares one series but {} has {}; pick one with --id ID",
            src.label,
            src.series.len()
        );
    }
    let series = &src.series[0];
    if from > to {
        bail!(
            "--from {} is after --to {}; the window must run forward",
            from,
            to
        );
    }
    if to > series.end() {
        chipcast::limits::check_year_ahead("--to", to, series.end())?;
    }
    if from < series.start() {
        bail!(
            "--from {} is before the data starts ({}); give --from {} or later",
            from,
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
    let h = (to - series.end()).max(1) as usize;
    let sim = Simulation {
        paths: a.model.paths,
        seed: a.model.seed,
    };
    let p = supply(&a, &src, named, h, sim)?;
    let paths = p.paths.clone();
    let r = gap(
        series,
        &p.forecast.forecast.point,
        Some(&paths),
        from,
        to,
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
    match &p.market {
        Some(m) => {
            let _ = writeln!(
                s,
                "{}",
                chipcast::outputs::market::headline(m, 1000.0, 2030, "USD bn")
            );
        }
        None => {
            if let Some(note) = super::forecast::months_note(
                a.source.as_of.as_deref(),
                &src,
                &p.forecast,
                None,
                a.model.model,
            ) {
                let _ = writeln!(s, "{}", note.trim_start());
            }
        }
    }
    let _ = writeln!(s, "{}", report::gap(&r));
    let _ = writeln!(
        s,
        "Sales range: {} simulated paths of the {} model (seed {}). Demand figures are multi-year totals and are not additive with each other.",
        sim.paths, p.forecast.model, sim.seed
    );
    if let Some(path) = &a.output {
        let t = Table::default()
            .with(
                "demand",
                Values::Text(r.rows.iter().map(|x| x.demand.label.clone()).collect()),
            )
            .with(
                "demand_busd",
                Values::floats(r.rows.iter().map(|x| x.demand.value)),
            )
            .with(
                "cumulative_sales",
                Values::floats(r.rows.iter().map(|_| r.cumulative)),
            )
            .with("ratio", Values::floats(r.rows.iter().map(|x| x.ratio)))
            .with(
                "shortfall",
                Values::floats(r.rows.iter().map(|x| x.shortfall)),
            )
            .with(
                "years_of_sales",
                Values::floats(r.rows.iter().map(|x| x.years_of_sales)),
            )
            .with(
                "growth_needed",
                Values::Float(
                    r.rows
                        .iter()
                        .map(|x| x.growth_needed.filter(|_| x.shortfall > 0.0))
                        .collect(),
                ),
            )
            .with(
                "source",
                Values::Text(r.rows.iter().map(|x| x.demand.source.clone()).collect()),
            );
        let supply = Table::default()
            .with(
                "year",
                Values::Int(r.supply.iter().map(|y| y.year).collect()),
            )
            .with(
                "value_busd",
                Values::floats(r.supply.iter().map(|y| y.value)),
            )
            .with(
                "basis",
                Values::Text(
                    r.supply
                        .iter()
                        .map(|y| if y.actual { "actual" } else { "forecast" }.to_string())
                        .collect(),
                ),
            );
        let mut t = Table::stack("table", vec![("demand", t), ("supply", supply)])?;
        t.metadata = vec![
            ("chipcast.version".into(), env!("CARGO_PKG_VERSION").into()),
            ("chipcast.data_source".into(), src.source_tag.clone()),
            ("chipcast.model".into(), p.forecast.description.clone()),
            ("chipcast.window".into(), format!("{from}-{to}")),
        ];
        t.write(path).with_context(|| "writing the gap table")?;
        let _ = writeln!(s, "Table written to {}", path.display());
    }
    if let Some(c) = &a.chart {
        GapChart {
            title: format!("{} {}–{} vs compute-demand estimates", series_title(&src), from, to),
            subtitle: format!(
                "cumulative sales: actuals + {} forecast (whisker: 95% range of {} paths)",
                p.forecast.model, sim.paths
            ),
            y_label: "USD bn (nominal), cumulative over the window".into(),
            bars: GapChart::bars_for(&r),
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

fn run_scenario(a: &GapArgs, sc: &Scenario) -> anyhow::Result<()> {
    use chipcast::outputs::chart::Bar;
    use chipcast::outputs::report::{grouped, num, pct};
    use comfy_table::{CellAlignment, presets::UTF8_BORDERS_ONLY};
    let src = resolve::load(&a.source)?;
    let named = resolve::choice(&a.model)?;
    if src.series.len() != 1 {
        bail!(
            "gap compares one series but {} has {}; pick one with --id ID",
            src.label,
            src.series.len()
        );
    }
    let series = &src.series[0];
    if sc.from < series.start() {
        bail!(
            "the scenario window starts in {} but the data start in {}",
            sc.from,
            series.start()
        );
    }
    let h = if sc.to > series.end() {
        chipcast::limits::check_year_ahead("the scenario's to", sc.to, series.end())?
    } else {
        1
    };
    let sim = Simulation {
        paths: a.model.paths,
        seed: a.model.seed,
    };
    let p = supply(a, &src, named, h, sim)?;
    let paths = p.paths.clone();
    let [ai, chip, capex] = &sc.assumptions;
    let base = scenario::evaluate(
        sc,
        series,
        &p.forecast.forecast.point,
        Some(&paths),
        AiShare::Scenario(ai),
        chip.value,
        capex.value,
    );
    let mut s = String::new();
    let _ = writeln!(
        s,
        "chipcast gap — scenario {:?}, {}–{}; {}",
        sc.name, sc.from, sc.to, src.label
    );
    let _ = writeln!(s, "{}", report::model(&p.forecast));
    match &p.market {
        Some(m) => {
            let _ = writeln!(
                s,
                "{}",
                chipcast::outputs::market::headline(m, 1000.0, 2030, "USD bn")
            );
        }
        None => {
            if let Some(note) = super::forecast::months_note(
                a.source.as_of.as_deref(),
                &src,
                &p.forecast,
                None,
                a.model.model,
            ) {
                let _ = writeln!(s, "{}", note.trim_start());
            }
        }
    }
    let mut t = chipcast::outputs::report::text_table();
    t.load_preset(UTF8_BORDERS_ONLY)
        .set_header(vec!["assumption", "value", "source"]);
    for x in &sc.assumptions {
        if x.path.is_empty() {
            t.add_row(vec![x.name.to_string(), pct(x.value), x.source.clone()]);
        } else {
            t.add_row(vec![x.name.to_string(), "path".into(), x.source.clone()]);
            for p in &x.path {
                t.add_row(vec![
                    format!("  {}", p.year),
                    pct(p.value),
                    p.source.clone(),
                ]);
            }
        }
    }
    let _ = writeln!(s, "Assumptions:\n{t}");
    let _ = writeln!(
        s,
        "Chip sales: actuals, then the {} forecast; AI-chip sales = chip sales × that year's AI share.",
        p.forecast.model
    );
    let _ = write!(s, "{}", report::scenario_years(&base));
    let _ = writeln!(
        s,
        "The industry's own capex at {}: {} USD bn.",
        pct(capex.value),
        num(base.industry_capex)
    );
    let mut g = chipcast::outputs::report::text_table();
    g.load_preset(UTF8_BORDERS_ONLY).set_header(vec![
        "demand",
        "USD bn",
        "AI-chip part",
        "÷ AI-chip supply",
        "shortfall",
        "years of AI-chip sales",
        "growth to close",
        "source",
    ]);
    for (row, d) in base.rows.iter().zip(&sc.demand) {
        g.add_row(vec![
            row.label.clone(),
            grouped(row.demand),
            grouped(row.chip_demand),
            format!("{:.2}x", row.ratio),
            grouped(row.shortfall),
            format!("{:.1}", row.years_of_sales),
            row.growth_needed
                .map(|v| format!("{}/yr", pct(v)))
                .unwrap_or_else(|| "none: supply covers it".into()),
            d.source.clone(),
        ]);
    }
    for i in 1..7 {
        if let Some(c) = g.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    let _ = writeln!(s, "{g}");
    // sensitivity: ratio over ai share x chip share, per demand figure
    let [ai_values, chip_values, capex_values] = &sc.sensitivity;
    // (demand, AI share, chip share, ratio), for the export
    let mut grid: Vec<(String, f64, f64, f64)> = Vec::new();
    if !ai_values.is_empty() && !chip_values.is_empty() {
        for (k, d) in sc.demand.iter().enumerate() {
            let mut st = chipcast::outputs::report::text_table();
            let mut header = vec![format!("{}: ratio", d.label)];
            header.extend(
                chip_values
                    .iter()
                    .map(|c| format!("chips {} of capex", pct(*c))),
            );
            st.load_preset(UTF8_BORDERS_ONLY).set_header(header);
            for a_share in ai_values {
                let mut r = vec![format!("AI {} of chip sales (flat)", pct(*a_share))];
                for c_share in chip_values {
                    let e = scenario::evaluate(
                        sc,
                        series,
                        &p.forecast.forecast.point,
                        None,
                        AiShare::Flat(*a_share),
                        *c_share,
                        capex.value,
                    );
                    r.push(format!("{:.2}x", e.rows[k].ratio));
                    grid.push((d.label.clone(), *a_share, *c_share, e.rows[k].ratio));
                }
                st.add_row(r);
            }
            let _ = writeln!(s, "{st}");
        }
    }
    if !capex_values.is_empty() {
        let cells: Vec<String> = capex_values
            .iter()
            .map(|c| format!("{} → {} USD bn", pct(*c), num(base.chips.cumulative * c)))
            .collect();
        let _ = writeln!(
            s,
            "Industry capex over the window by capex intensity: {}",
            cells.join("; ")
        );
    }
    let _ = writeln!(
        s,
        "Ratio = AI-chip part of the demand ÷ AI-chip sales over the window; in the sensitivity tables the AI share is held at the value shown for every year. Demand figures are multi-year totals with different scopes; do not add them."
    );
    if let Some(path) = &a.output {
        let t = Table::default()
            .with(
                "demand",
                Values::Text(base.rows.iter().map(|x| x.label.clone()).collect()),
            )
            .with(
                "demand_busd",
                Values::floats(base.rows.iter().map(|x| x.demand)),
            )
            .with(
                "ai_chip_demand",
                Values::floats(base.rows.iter().map(|x| x.chip_demand)),
            )
            .with(
                "ai_chip_supply",
                Values::floats(base.rows.iter().map(|_| base.ai_supply)),
            )
            .with("ratio", Values::floats(base.rows.iter().map(|x| x.ratio)))
            .with(
                "shortfall",
                Values::floats(base.rows.iter().map(|x| x.shortfall)),
            )
            .with(
                "years_of_ai_chip_sales",
                Values::floats(base.rows.iter().map(|x| x.years_of_sales)),
            )
            .with(
                "growth_needed",
                Values::Float(base.rows.iter().map(|x| x.growth_needed).collect()),
            )
            .with(
                "source",
                Values::Text(sc.demand.iter().map(|d| d.source.clone()).collect()),
            );
        let assumptions = Table::default()
            .with(
                "assumption",
                Values::Text(sc.assumptions.iter().map(|x| x.name.to_string()).collect()),
            )
            .with(
                "value",
                Values::floats(sc.assumptions.iter().map(|x| x.value)),
            )
            .with(
                "source",
                Values::Text(sc.assumptions.iter().map(|x| x.source.clone()).collect()),
            );
        let years = Table::default()
            .with(
                "year",
                Values::Int(base.years.iter().map(|y| y.year).collect()),
            )
            .with(
                "value_busd",
                Values::floats(base.years.iter().map(|y| y.sales)),
            )
            .with(
                "basis",
                Values::Text(
                    base.years
                        .iter()
                        .map(|y| if y.actual { "actual" } else { "forecast" }.to_string())
                        .collect(),
                ),
            )
            .with(
                "ai_share",
                Values::floats(base.years.iter().map(|y| y.share)),
            )
            .with(
                "ai_share_basis",
                Values::Text(base.years.iter().map(|y| y.basis.to_string()).collect()),
            )
            .with(
                "ai_chip_sales",
                Values::floats(base.years.iter().map(|y| y.ai_sales)),
            );
        let sensitivity = Table::default()
            .with(
                "demand",
                Values::Text(grid.iter().map(|g| g.0.clone()).collect()),
            )
            .with("ai_share", Values::floats(grid.iter().map(|g| g.1)))
            .with("chip_share", Values::floats(grid.iter().map(|g| g.2)))
            .with("ratio", Values::floats(grid.iter().map(|g| g.3)));
        let mut t = Table::stack(
            "table",
            vec![
                ("demand", t),
                ("assumption", assumptions),
                ("year", years),
                ("sensitivity", sensitivity),
            ],
        )?;
        t.metadata = vec![
            ("chipcast.version".into(), env!("CARGO_PKG_VERSION").into()),
            ("chipcast.scenario".into(), sc.name.clone()),
            ("chipcast.model".into(), p.forecast.description.clone()),
        ];
        for x in &sc.assumptions {
            t.metadata.push((
                format!("chipcast.assumption.{}", x.name),
                format!("{} ({})", x.value, x.source),
            ));
            for p in &x.path {
                t.metadata.push((
                    format!("chipcast.assumption.{}.{}", x.name, p.year),
                    format!("{} ({})", p.value, p.source),
                ));
            }
        }
        t.write(path)
            .with_context(|| "writing the scenario table")?;
        let _ = writeln!(s, "Table written to {}", path.display());
    }
    if let Some(c) = &a.chart {
        let grid = |k: usize| -> Option<(f64, f64)> {
            let mut v: Vec<f64> = Vec::new();
            for a_share in ai_values {
                for c_share in chip_values {
                    let e = scenario::evaluate(
                        sc,
                        series,
                        &p.forecast.forecast.point,
                        None,
                        AiShare::Flat(*a_share),
                        *c_share,
                        capex.value,
                    );
                    v.push(e.rows[k].ratio * e.ai_supply);
                }
            }
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (!v.is_empty()).then_some((lo, hi))
        };
        let supply_range = if ai_values.is_empty() {
            None
        } else {
            let v: Vec<f64> = ai_values
                .iter()
                .map(|x| base.chips.cumulative * x)
                .collect();
            Some((
                v.iter().copied().fold(f64::INFINITY, f64::min),
                v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            ))
        };
        let mut bars = vec![Bar {
            label: format!("AI-chip sales {}-{}", sc.from, sc.to),
            value: base.ai_supply,
            supply: true,
            range: supply_range,
            note: None,
        }];
        for (k, row) in base.rows.iter().enumerate() {
            bars.push(Bar {
                label: row.label.clone(),
                value: row.chip_demand,
                supply: false,
                range: grid(k).map(|(lo, hi)| (lo.min(row.chip_demand), hi.max(row.chip_demand))),
                note: Some(format!("{:.2}x", row.ratio)),
            });
        }
        GapChart {
            title: format!("AI-chip demand vs AI-chip sales, {}–{}", sc.from, sc.to),
            subtitle: format!(
                "AI share of chip sales {}, chips {} of capex; whiskers: the sensitivity grid",
                ai_share_text(ai, sc.from, sc.to),
                pct(chip.value)
            ),
            y_label: "USD bn (nominal), cumulative over the window".into(),
            bars,
            footnote: format!("Scenario: {}. Sources: built-in datasets (rows printed by the command). chipcast {}.", sc.name, env!("CARGO_PKG_VERSION")),
        }
        .write(c)
        .with_context(|| "drawing the scenario chart")?;
        let _ = writeln!(s, "Chart written to {}", c.display());
    }
    print(&s)
}

/// The AI share over the window in a few words: "17.4% (2024) to 23.5% (2025), flat after".
fn ai_share_text(ai: &scenario::Assumption, from: i64, to: i64) -> String {
    use chipcast::outputs::report::pct;
    match (ai.path.first(), ai.path.last()) {
        (Some(a), Some(b)) if a.year != b.year => {
            let flat = if b.year < to {
                format!(", flat after {}", b.year)
            } else {
                String::new()
            };
            format!(
                "{} ({}) to {} ({}){flat}",
                pct(ai.at(from).0),
                from.max(a.year),
                pct(b.value),
                b.year
            )
        }
        _ => format!("{} (flat)", pct(ai.value)),
    }
}

/// The supply side of the gap: the market model's paths for a built-in annual series with
/// the default model (the current year's known months kept), else the named annual model's.
struct Supply {
    forecast: chipcast::scenarios::projection::SeriesForecast,
    /// Per path, the years after the last complete year.
    paths: Vec<Vec<f64>>,
    market: Option<chipcast::market::MarketPaths>,
}

fn supply(
    a: &GapArgs,
    src: &resolve::Source,
    named: (super::ModelName, chipcast::evaluation::select::ModelChoice),
    h: usize,
    sim: Simulation,
) -> anyhow::Result<Supply> {
    let series = &src.series[0];
    if let Some(name) = src.builtin.as_deref().filter(|_| {
        src.kind == chipcast::series::TimeKind::Integer
            && a.model.model.is_none()
            && a.source.since.is_none()
    }) {
        let data = super::market::data(name)?;
        let cut = super::market::cut(a.source.as_of.as_deref(), &data)?;
        let m = super::market::paths(&data, cut, sim)?;
        if m.first_year != series.end() + 1 {
            bail!(
                "the market model's current year {} does not follow the last complete year {}",
                m.first_year,
                series.end()
            );
        }
        let until = (series.end() + h as i64).max(m.first_year);
        if until > m.last_year {
            bail!(
                "the window ends after the market model's last year {}",
                m.last_year
            );
        }
        let forecast = super::market::series_forecast(&m, series.id(), until, &a.model.levels);
        let k = (until - m.first_year + 1) as usize;
        let paths = m.years.iter().map(|y| y[..k].to_vec()).collect();
        return Ok(Supply {
            forecast,
            paths,
            market: Some(m),
        });
    }
    let p = resolve::project_named(series, named, h, &a.model.levels, !a.model.allow_negative)?;
    let paths = sample_paths(p.model.as_ref(), h, sim);
    Ok(Supply {
        forecast: p.forecast,
        paths,
        market: None,
    })
}
