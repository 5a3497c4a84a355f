//! `backtest`'s report, its long export (one `table` column naming the part) and the
//! industry comparison chart.

use super::super::chart::BacktestChart;
use super::super::report::text_table;
use super::super::table::{Table, Values};
use crate::commands::backtest::{BacktestResult, IndustryComparison};
use crate::commands::provenance::{self, VERSION, WSTS_VINTAGE};
use crate::error::Result;
use crate::evaluation::accuracy::Scores;
use comfy_table::{CellAlignment, presets::UTF8_BORDERS_ONLY};
use std::fmt::Write;

/// The report, as `chipcast backtest` prints it.
pub fn report(r: &BacktestResult) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "chipcast backtest — built-in WSTS annual series ({WSTS_VINTAGE} vintage){}; origins from {}, horizons 1-{}, every fit uses only years before its origin",
        r.last_year
            .map(|y| format!(", as of {}: years to {y}", r.as_of.as_deref().unwrap_or("")))
            .unwrap_or_default(),
        r.from,
        r.horizon
    );
    let mut t = text_table();
    t.load_preset(UTF8_BORDERS_ONLY).set_header(vec![
        "series", "model", "origins", "sMAPE", "MASE", "cov80", "cov95", "MSIS",
    ]);
    for a in &r.accuracy {
        let mut row = vec![a.series.clone(), a.model.to_string()];
        match &a.scores {
            Some(sc) => row.extend([
                sc.origins.to_string(),
                format!("{:.2}", sc.smape),
                format!("{:.3}", sc.mase),
                format!("{:.2}", sc.cov80),
                format!("{:.2}", sc.cov95),
                format!("{:.2}", sc.msis),
            ]),
            None => row.extend(
                ["0".to_string()]
                    .into_iter()
                    .chain(std::iter::repeat_n(String::new(), 5)),
            ),
        }
        t.add_row(row);
    }
    for i in 2..8 {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    let _ = writeln!(s, "{t}");
    if let Some(ind) = &r.industry {
        let how = if ind.method == "market" {
            format!(
                "chipcast is the market model ({}), its paths made from the monthly data to {} months before each publication date, the point their median for the target year (the figure `forecast --as-of` prints for that month).",
                ind.model, ind.data_lag_months
            )
        } else {
            format!(
                "chipcast uses monthly data to {} months before each publication date: for the year of its last month the known months plus a nowcast of the rest (the method with the better track record, in practice the seasonally adjusted run-rate), for the next two years the cycle regression (run-rate × momentum and distance from the 10-year trend, learnt from earlier years only), and the {} model beyond.",
                ind.data_lag_months, ind.model
            )
        };
        let _ = writeln!(
            s,
            "\nchipcast vs published forecasts of the worldwide total ({} forecasts with a WSTS actual{}). {how} Horizon 0 = the publication year, 1 = the next year. Difference = chipcast − industry absolute % error, paired; an interval containing 0 means the two cannot be told apart on these forecasts.",
            ind.forecasts.len(),
            r.as_of
                .as_ref()
                .map(|t| format!(", out and scorable by {t}"))
                .unwrap_or_default(),
        );
        let _ = writeln!(s, "{}", industry_table(ind));
        let _ = writeln!(
            s,
            "Gartner and IDC measure vendor revenue with a different scope from WSTS billings (Gartner 2024 = 655.9 vs WSTS 630.5), so part of their error is definitional."
        );
    }
    s
}

fn industry_table(ind: &IndustryComparison) -> String {
    let mut t = text_table();
    t.load_preset(UTF8_BORDERS_ONLY).set_header(vec![
        "forecaster",
        "horizon",
        "n",
        "industry MAPE %",
        "chipcast MAPE %",
        "chipcast closer",
        "difference, 95% CI",
    ]);
    for g in &ind.summary {
        t.add_row(vec![
            g.forecaster.clone(),
            g.horizon.to_string(),
            g.n.to_string(),
            format!("{:.2}", g.industry_mape),
            format!("{:.2}", g.chipcast_mape),
            format!("{}/{}", g.chipcast_closer, g.n),
            g.difference_ci95
                .map(|(lo, hi)| format!("{lo:+.2} to {hi:+.2}"))
                .unwrap_or_default(),
        ]);
    }
    for i in 1..7 {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    t.to_string()
}

/// Every table the report prints, as one long table with a `table` column: `accuracy`
/// (one row per series and model), then, unless the comparison was skipped,
/// `industry_summary` (per forecaster and horizon) and `industry_forecasts` (one row per
/// published forecast).
pub fn table(r: &BacktestResult) -> Result<Table> {
    let accuracy = &r.accuracy;
    let score = |f: fn(&Scores) -> f64| {
        Values::Float(accuracy.iter().map(|r| r.scores.as_ref().map(f)).collect())
    };
    let acc = Table::default()
        .with(
            "series",
            Values::Text(accuracy.iter().map(|r| r.series.clone()).collect()),
        )
        .with(
            "model",
            Values::Text(accuracy.iter().map(|r| r.model.to_string()).collect()),
        )
        .with(
            "origins",
            Values::Int(
                accuracy
                    .iter()
                    .map(|r| r.scores.as_ref().map_or(0, |s| s.origins as i64))
                    .collect(),
            ),
        )
        .with("smape", score(|s| s.smape))
        .with("mase", score(|s| s.mase))
        .with("cov80", score(|s| s.cov80))
        .with("cov95", score(|s| s.cov95))
        .with("msis", score(|s| s.msis));
    let mut parts = vec![("accuracy", acc)];
    if let Some(ind) = &r.industry {
        let sums = &ind.summary;
        let summary = Table::default()
            .with(
                "forecaster",
                Values::Text(sums.iter().map(|g| g.forecaster.clone()).collect()),
            )
            .with(
                "horizon",
                Values::Int(sums.iter().map(|g| g.horizon).collect()),
            )
            .with("n", Values::Int(sums.iter().map(|g| g.n as i64).collect()))
            .with(
                "industry_mape",
                Values::floats(sums.iter().map(|g| g.industry_mape)),
            )
            .with(
                "chipcast_mape",
                Values::floats(sums.iter().map(|g| g.chipcast_mape)),
            )
            .with(
                "chipcast_closer",
                Values::Int(sums.iter().map(|g| g.chipcast_closer as i64).collect()),
            )
            .with(
                "difference_lo95",
                Values::Float(
                    sums.iter()
                        .map(|g| g.difference_ci95.map(|d| d.0))
                        .collect(),
                ),
            )
            .with(
                "difference_hi95",
                Values::Float(
                    sums.iter()
                        .map(|g| g.difference_ci95.map(|d| d.1))
                        .collect(),
                ),
            );
        parts.push(("industry_summary", summary));
        let rows = &ind.forecasts;
        let forecasts = Table::default()
            .with(
                "forecaster",
                Values::Text(
                    rows.iter()
                        .map(|r| r.published.forecaster.clone())
                        .collect(),
                ),
            )
            .with(
                "published",
                Values::Text(rows.iter().map(|r| r.published.published.clone()).collect()),
            )
            .with(
                "target_year",
                Values::Int(rows.iter().map(|r| r.published.target_year).collect()),
            )
            .with(
                "horizon",
                Values::Int(rows.iter().map(|r| r.horizon).collect()),
            )
            .with(
                "industry",
                Values::floats(rows.iter().map(|r| r.published.value)),
            )
            .with(
                "chipcast",
                Values::floats(rows.iter().map(|r| r.chipcast.point)),
            )
            .with(
                "chipcast_how",
                Values::Text(rows.iter().map(|r| r.chipcast.how.clone()).collect()),
            )
            .with("actual", Values::floats(rows.iter().map(|r| r.actual)))
            .with(
                "industry_ape",
                Values::floats(rows.iter().map(|r| r.industry_ape())),
            )
            .with(
                "chipcast_ape",
                Values::floats(rows.iter().map(|r| r.chipcast_ape())),
            )
            .with(
                "dataset_line",
                Values::Int(rows.iter().map(|r| r.published.line as i64).collect()),
            );
        parts.push(("industry_forecasts", forecasts));
    }
    let mut out = Table::stack("table", parts)?;
    out.metadata = super::metadata(&r.provenance);
    out.metadata.extend([
        ("chipcast.model".into(), r.model.to_string()),
        (
            "chipcast.data_lag_months".into(),
            crate::evaluation::industry::DATA_LAG_MONTHS.to_string(),
        ),
    ]);
    Ok(out)
}

/// The industry comparison as bars per forecaster and horizon; `None` without it.
pub fn chart(r: &BacktestResult) -> Option<BacktestChart> {
    let ind = r.industry.as_ref()?;
    Some(BacktestChart {
        title: "Forecast error by forecaster and horizon: industry vs chipcast".into(),
        subtitle: "mean absolute % error vs the WSTS actual; chipcast uses only data available at each publication date".into(),
        groups: ind
            .summary
            .iter()
            .map(|g| {
                (
                    format!("{} h{} (n={})", g.forecaster, g.horizon, g.n),
                    g.industry_mape,
                    g.chipcast_mape,
                )
            })
            .collect(),
        footnote: format!(
            "Sources: built-in forecast_vintages.csv (publishers named per row), {}. chipcast {VERSION}.",
            provenance::hbr()
        ),
    })
}
