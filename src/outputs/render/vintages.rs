//! `vintages`' report, table and drift chart.

use super::super::chart::VintageChart;
use super::super::report::{count, grouped, num, pct, text_table};
use super::super::table::{Table, Values};
use crate::commands::provenance::{VERSION, WSTS_VINTAGE};
use crate::commands::vintages::VintagesResult;
use comfy_table::{CellAlignment, presets::UTF8_BORDERS_ONLY};
use std::fmt::Write;

/// The report, as `chipcast vintages` prints it.
pub fn report(r: &VintagesResult) -> String {
    // one model for every row is named above the table, not repeated in a column, and the
    // market model's data column is just how much of the current year was known, so the
    // table fits 80 columns
    let one_model = r.rows.windows(2).all(|w| w[0].model == w[1].model);
    let market = r.annual_model.is_none();
    let mut header = vec![
        "as of".to_string(),
        if market { "known" } else { "data used" }.to_string(),
    ];
    if !one_model {
        header.push("model".to_string());
    }
    header.extend([
        format!("{} point", r.target_year),
        "80%".to_string(),
        "95%".to_string(),
        format!("P({} ≥ {})", r.target_year, grouped(r.target)),
        format!("P(by {})", r.target_year),
    ]);
    let first_number = header.len() - 5;
    let mut t = text_table();
    t.load_preset(UTF8_BORDERS_ONLY).set_header(header);
    for row in &r.rows {
        let mut cells = vec![
            row.as_of.clone(),
            match (market, row.known) {
                (true, Some((k, _))) => format!("{k}/12"),
                _ => row.data_used.clone(),
            },
        ];
        if !one_model {
            cells.push(row.model.clone());
        }
        cells.extend([
            grouped(row.point),
            format!("{}–{}", grouped(row.lo80), grouped(row.hi80)),
            format!("{}–{}", grouped(row.lo95), grouped(row.hi95)),
            pct(row.p_at_least),
            pct(row.p_reached_by),
        ]);
        t.add_row(cells);
    }
    for i in first_number..first_number + 5 {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    let (ty, tg) = (r.target_year, grouped(r.target));
    let model_line = match (one_model, r.rows.first()) {
        (true, Some(row)) => format!("Model: {}.\n", row.model),
        _ => String::new(),
    };
    let data = format!("worldwide sales, built-in WSTS HBR ({WSTS_VINTAGE} vintage)");
    let sim = r.simulation;
    match r.annual_model {
        None => {
            let mut s = format!(
                "chipcast vintages — {data}; for each as-of month, the market model on every month of data up to it (the same paths as `forecast` and `milestone` with that --as-of); known: months of the current year (the year of the first unknown month) in the data; 80%, 95%: intervals; P(by {ty}): some year up to {ty} reaches {tg}\n{model_line}{t}\n"
            );
            let _ = writeln!(
                s,
                "Point = median of {} sample paths per vintage (seed {}), intervals = their quantiles, probabilities = shares of them. WSTS revises history; every vintage here uses today's revised figures up to its as-of month.",
                count(sim.paths),
                sim.seed
            );
            s
        }
        Some(model) => {
            let mut s = format!(
                "chipcast vintages — {data}; for each as-of month: complete years, a nowcast of the current year (known months + run-rate), then the {model} model\n{model_line}{t}\n"
            );
            let _ = writeln!(
                s,
                "Probabilities: {} sample paths per vintage (seed {}); a nowcast year is provisional, each path drawing it from the nowcast's own error record, and the intervals widen by the same error (in quadrature on the log scale). --model {model} is a single annual model: it ignores the known months except through that nowcast. WSTS revises history; every vintage here uses today's revised figures up to its as-of month.",
                count(sim.paths),
                sim.seed
            );
            s
        }
    }
}

/// One row per vintage, as `-o` exports it, with its metadata.
pub fn table(r: &VintagesResult) -> Table {
    let rows = &r.rows;
    let mut tab = Table::default()
        .with(
            "as_of",
            Values::Text(rows.iter().map(|r| r.as_of.clone()).collect()),
        )
        .with(
            "data_used",
            Values::Text(rows.iter().map(|r| r.data_used.clone()).collect()),
        )
        .with(
            "model",
            Values::Text(rows.iter().map(|r| r.model.clone()).collect()),
        )
        .with(
            "target_year",
            Values::Int(rows.iter().map(|_| r.target_year).collect()),
        )
        .with("mean", Values::floats(rows.iter().map(|r| r.point)))
        .with("lo80", Values::floats(rows.iter().map(|r| r.lo80)))
        .with("hi80", Values::floats(rows.iter().map(|r| r.hi80)))
        .with("lo95", Values::floats(rows.iter().map(|r| r.lo95)))
        .with("hi95", Values::floats(rows.iter().map(|r| r.hi95)))
        .with(
            "p_at_least",
            Values::floats(rows.iter().map(|r| r.p_at_least)),
        )
        .with(
            "p_reached_by",
            Values::floats(rows.iter().map(|r| r.p_reached_by)),
        );
    tab.metadata = super::metadata(&r.provenance);
    tab.metadata.extend([
        ("chipcast.target".into(), r.target.to_string()),
        ("chipcast.paths".into(), r.simulation.paths.to_string()),
        ("chipcast.seed".into(), r.simulation.seed.to_string()),
    ]);
    tab
}

/// The drift of the target year's forecast across vintages.
pub fn chart(r: &VintagesResult) -> VintageChart {
    VintageChart {
        title: format!("How the {} outlook drifted", r.target_year),
        subtitle: format!(
            "forecast of {} worldwide sales at each as-of month, 80/95% intervals; labels: P(≥ {} in {})",
            r.target_year,
            num(r.target),
            r.target_year
        ),
        points: r
            .rows
            .iter()
            .map(|v| {
                (
                    v.month as f64 / 12.0 + 1.0 / 12.0,
                    v.point,
                    v.lo80,
                    v.hi80,
                    v.lo95,
                    v.hi95,
                    v.p_at_least,
                )
            })
            .collect(),
        target: r.target,
        footnote: format!(
            "Source: WSTS Historical Billings Report (built-in). chipcast {VERSION}."
        ),
    }
}
