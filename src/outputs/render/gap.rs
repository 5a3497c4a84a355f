//! `gap`'s report, tables and bar chart, plain or under a scenario.

use super::super::chart::{Bar, GapChart};
use super::super::market::headline_of;
use super::super::report::{self, grouped, num, pct, text_table};
use super::super::table::{Table, Values};
use crate::commands::gap::{GapResult, ScenarioAnswer};
use crate::error::Result;
use crate::scenarios::gap::GapReport;
use crate::scenarios::scenario::Assumption;
use comfy_table::{CellAlignment, presets::UTF8_BORDERS_ONLY};
use std::fmt::Write;

/// The report, as `chipcast gap` prints it.
pub fn report(r: &GapResult) -> String {
    let mut s = String::new();
    match (&r.gap, &r.scenario) {
        (Some(g), _) => {
            let _ = writeln!(s, "chipcast gap — {}", r.label);
            if let Some(a) = &r.as_of {
                let _ = writeln!(
                    s,
                    "As of {}: data up to {} is actual, later years are forecasts.",
                    a.requested, a.last_period
                );
            }
            supply_note(&mut s, r);
            let _ = writeln!(s, "{}", report::gap(g));
            let _ = writeln!(
                s,
                "Sales range: {} simulated paths of the {} model (seed {}). Demand figures are multi-year totals and are not additive with each other.",
                r.simulation.paths, r.forecast.model, r.simulation.seed
            );
        }
        (None, Some(a)) => scenario_report(&mut s, r, a),
        (None, None) => {}
    }
    s
}

/// The model, then the market model's headline or the known months beside the annual model.
fn supply_note(s: &mut String, r: &GapResult) {
    let _ = writeln!(s, "{}", report::model(&r.forecast));
    match (&r.market, &r.months_known) {
        (Some(h), _) => {
            let _ = writeln!(s, "{}", headline_of(h, "USD bn"));
        }
        (None, Some(n)) => {
            let _ = writeln!(s, "{}", super::months_note(n).trim_start());
        }
        (None, None) => {}
    }
}

fn scenario_report(s: &mut String, r: &GapResult, a: &ScenarioAnswer) {
    let sc = &a.scenario;
    let base = &a.base;
    let _ = writeln!(
        s,
        "chipcast gap — scenario {:?}, {}–{}; {}",
        sc.name, sc.from, sc.to, r.label
    );
    supply_note(s, r);
    let mut t = text_table();
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
        r.forecast.model
    );
    let _ = write!(s, "{}", report::scenario_years(base));
    let capex = &sc.assumptions[2];
    let _ = writeln!(
        s,
        "The industry's own capex at {}: {} USD bn.",
        pct(capex.value),
        num(base.industry_capex)
    );
    let mut g = text_table();
    g.load_preset(UTF8_BORDERS_ONLY).set_header(vec![
        "demand",
        "USD bn",
        "AI-chip part",
        "÷ AI-chip supply",
        "shortfall",
        "years of AI-chip sales",
        "growth to close",
    ]);
    for row in &base.rows {
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
        ]);
    }
    for i in 1..7 {
        if let Some(c) = g.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    let _ = writeln!(s, "{g}");
    let _ = writeln!(s, "Demand sources:");
    for d in &sc.demand {
        let _ = writeln!(s, "  {}: {}", d.label, d.source);
    }
    // sensitivity: ratio over AI share × chip share, per demand figure
    let [ai_values, chip_values, capex_values] = &sc.sensitivity;
    let per_demand = ai_values.len() * chip_values.len();
    if per_demand > 0 {
        for (d, cells) in sc.demand.iter().zip(a.sensitivity.chunks(per_demand)) {
            let mut st = text_table();
            let mut header = vec![format!("{}: ratio", d.label)];
            header.extend(
                chip_values
                    .iter()
                    .map(|c| format!("chips {} of capex", pct(*c))),
            );
            st.load_preset(UTF8_BORDERS_ONLY).set_header(header);
            for (a_share, row) in ai_values.iter().zip(cells.chunks(chip_values.len())) {
                let mut cells = vec![format!("AI {} of chip sales (flat)", pct(*a_share))];
                cells.extend(row.iter().map(|c| format!("{:.2}x", c.ratio)));
                st.add_row(cells);
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
}

/// Every printed table, long with a `table` column, as `-o` exports them: `demand` and
/// `supply` for the plain gap; `demand`, `assumption`, `year` and `sensitivity` under a
/// scenario.
pub fn table(r: &GapResult) -> Result<Table> {
    match (&r.gap, &r.scenario) {
        (Some(g), _) => plain_table(r, g),
        (None, Some(a)) => scenario_table(r, a),
        (None, None) => Ok(Table::default()),
    }
}

fn basis(actual: bool) -> String {
    if actual { "actual" } else { "forecast" }.to_string()
}

fn plain_table(r: &GapResult, g: &GapReport) -> Result<Table> {
    let demand = Table::default()
        .with(
            "demand",
            Values::Text(g.rows.iter().map(|x| x.demand.label.clone()).collect()),
        )
        .with(
            "demand_busd",
            Values::floats(g.rows.iter().map(|x| x.demand.value)),
        )
        .with(
            "cumulative_sales",
            Values::floats(g.rows.iter().map(|_| g.cumulative)),
        )
        .with("ratio", Values::floats(g.rows.iter().map(|x| x.ratio)))
        .with(
            "shortfall",
            Values::floats(g.rows.iter().map(|x| x.shortfall)),
        )
        .with(
            "years_of_sales",
            Values::floats(g.rows.iter().map(|x| x.years_of_sales)),
        )
        .with(
            "growth_needed",
            Values::Float(
                g.rows
                    .iter()
                    .map(|x| x.growth_needed.filter(|_| x.shortfall > 0.0))
                    .collect(),
            ),
        )
        .with(
            "source",
            Values::Text(g.rows.iter().map(|x| x.demand.source.clone()).collect()),
        );
    let supply = Table::default()
        .with(
            "year",
            Values::Int(g.supply.iter().map(|y| y.year).collect()),
        )
        .with(
            "value_busd",
            Values::floats(g.supply.iter().map(|y| y.value)),
        )
        .with(
            "basis",
            Values::Text(g.supply.iter().map(|y| basis(y.actual)).collect()),
        );
    let mut t = Table::stack("table", vec![("demand", demand), ("supply", supply)])?;
    t.metadata = super::metadata(&r.provenance);
    t.metadata.extend([
        ("chipcast.model".into(), r.forecast.description.to_string()),
        ("chipcast.window".into(), format!("{}-{}", r.from, r.to)),
    ]);
    Ok(t)
}

fn scenario_table(r: &GapResult, a: &ScenarioAnswer) -> Result<Table> {
    let (sc, base) = (&a.scenario, &a.base);
    let demand = Table::default()
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
            Values::Text(base.years.iter().map(|y| basis(y.actual)).collect()),
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
    let grid = &a.sensitivity;
    let sensitivity = Table::default()
        .with(
            "demand",
            Values::Text(grid.iter().map(|g| g.demand.clone()).collect()),
        )
        .with("ai_share", Values::floats(grid.iter().map(|g| g.ai_share)))
        .with(
            "chip_share",
            Values::floats(grid.iter().map(|g| g.chip_share)),
        )
        .with("ratio", Values::floats(grid.iter().map(|g| g.ratio)));
    let mut t = Table::stack(
        "table",
        vec![
            ("demand", demand),
            ("assumption", assumptions),
            ("year", years),
            ("sensitivity", sensitivity),
        ],
    )?;
    t.metadata = super::metadata(&r.provenance);
    t.metadata.extend([
        ("chipcast.scenario".into(), sc.name.clone()),
        ("chipcast.model".into(), r.forecast.description.to_string()),
    ]);
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
    Ok(t)
}

/// The bar chart: cumulative sales against each demand figure, or under a scenario
/// AI-chip sales against each figure's AI-chip part, whiskers from the sensitivity grid.
pub fn chart(r: &GapResult) -> GapChart {
    let y_label = "USD bn (nominal), cumulative over the window".to_string();
    match (&r.gap, &r.scenario) {
        (Some(g), _) => GapChart {
            title: format!(
                "{} {}–{} vs compute-demand estimates",
                r.title, r.from, r.to
            ),
            subtitle: format!(
                "cumulative sales: actuals + {} forecast (whisker: 95% range of {} paths)",
                r.forecast.model,
                crate::outputs::report::count(r.simulation.paths)
            ),
            y_label,
            bars: GapChart::bars_for(g),
            footnote: format!(
                "Sources: {}; demand: built-in demand_estimates.csv (WSJ 2024-02-08) or user. chipcast {}.",
                r.provenance.data_source, r.provenance.chipcast_version
            ),
        },
        (None, Some(a)) => scenario_chart(r, a, y_label),
        (None, None) => GapChart {
            title: String::new(),
            subtitle: String::new(),
            y_label,
            bars: Vec::new(),
            footnote: String::new(),
        },
    }
}

fn scenario_chart(r: &GapResult, a: &ScenarioAnswer, y_label: String) -> GapChart {
    let (sc, base) = (&a.scenario, &a.base);
    let [ai, chip, _] = &sc.assumptions;
    let [ai_values, chip_values, _] = &sc.sensitivity;
    let per_demand = ai_values.len() * chip_values.len();
    let mut bars = vec![Bar {
        label: format!("AI-chip sales {}-{}", sc.from, sc.to),
        value: base.ai_supply,
        supply: true,
        range: a.supply_range,
        note: None,
    }];
    for (k, row) in base.rows.iter().enumerate() {
        // the AI-chip part of the demand over the grid
        let range = (per_demand > 0)
            .then(|| &a.sensitivity[k * per_demand..(k + 1) * per_demand])
            .map(|cells| {
                let v = cells.iter().map(|c| c.ratio * c.ai_supply);
                (
                    v.clone().fold(f64::INFINITY, f64::min),
                    v.fold(f64::NEG_INFINITY, f64::max),
                )
            });
        bars.push(Bar {
            label: row.label.clone(),
            value: row.chip_demand,
            supply: false,
            range: range.map(|(lo, hi)| (lo.min(row.chip_demand), hi.max(row.chip_demand))),
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
        y_label,
        bars,
        footnote: format!(
            "Scenario: {}. Sources: built-in datasets (rows printed by the command). chipcast {}.",
            sc.name, r.provenance.chipcast_version
        ),
    }
}

/// The AI share over the window in a few words: "17.4% (2024) to 23.5% (2025), flat after".
fn ai_share_text(ai: &Assumption, from: i64, to: i64) -> String {
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
