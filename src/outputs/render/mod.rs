//! Text, tables and charts of each command's result ([`crate::commands`]): one module per
//! command, each with `report(&result) -> String`, `table(&result) -> Table` for `-o` and,
//! where the command draws one, `chart(&result)`. They read only the result, so what the
//! report prints and what `--json` holds cannot disagree.

pub mod backtest;
pub mod data;
pub mod forecast;
pub mod gap;
pub mod milestone;
pub mod nowcast;
pub mod regions;
pub mod vintages;

use super::report::{num, pct};
use crate::commands::model::MonthsKnown;
use crate::commands::provenance::{Provenance, VERSION};

/// Said when the built-in data is forecast with the market model.
pub const MARKET_NOTE: &str = "Default model: the market model, one set of sample paths of monthly billings from every month of data, summed to calendar years (the current year's known months kept as known); the same paths answer `milestone`, `vintages` and `nowcast`. It was chosen by the month-end backtest that `chipcast backtest --market` prints (README, Market intelligence). --model NAME fits a single annual model to complete years instead.";

/// The market-model note for a built-in series: [`MARKET_NOTE`], and for a WSTS region
/// that it is the region's own model, not the reconciled figure `regions` prints.
pub fn market_note(series: &str) -> String {
    match crate::market::regions::REGION_CHOICE
        .iter()
        .find(|(id, _)| *id == series)
    {
        Some((id, c)) => format!(
            "{MARKET_NOTE} For {id} it is the region's own market model, with the candidate its own month-end backtest chose ({}, benches/region_backtest.md); `chipcast regions` reconciles the four regions to the worldwide forecast, so its figures for {id} differ from these.",
            c.name()
        ),
        None => MARKET_NOTE.to_string(),
    }
}

/// The first metadata keys of every table: chipcast's version and the data source.
pub fn metadata(p: &Provenance) -> Vec<(String, String)> {
    vec![
        ("chipcast.version".into(), VERSION.into()),
        ("chipcast.data_source".into(), p.data_source.clone()),
    ]
}

/// "Chart: chipcast VERSION." style footnote: `Source: SOURCE. Chart: chipcast VERSION.`
pub fn footnote(source: &str) -> String {
    format!("Source: {source}. Chart: chipcast {VERSION}.")
}

/// Said when `--model NAME` fits one annual model to complete years while months of the
/// next year are known.
pub fn ignores_months(model: &str, p_known: u32, year: i64) -> String {
    format!(
        "--model {model} fits complete years only: it ignores the {p_known} known month(s) of {year}. \
         Without --model, chipcast uses the market model, which keeps them."
    )
}

/// The known months of the next year beside an annual model, as a paragraph (starting
/// with a blank line).
pub fn months_note(n: &MonthsKnown) -> String {
    let model_part = n
        .model_interval
        .as_ref()
        .map(|iv| {
            format!(
                ", {} this model's {}% interval for {} ({}–{})",
                iv.nowcast_is,
                iv.level,
                n.year,
                num(iv.lower),
                num(iv.upper)
            )
        })
        .unwrap_or_default();
    let odds = n
        .p_at_least_target
        .zip(n.target)
        .map(|(p, t)| {
            format!(
                " By the nowcast's own error record, P({} ≥ {}) = {}.",
                n.year,
                num(t),
                pct(p)
            )
        })
        .unwrap_or_default();
    format!(
        "\nMonths of {y} are known to {m} ({k} months, {sum} USD bn so far). The {method} nowcast of {y} is {p} \
         (95%: {lo}–{hi}){model_part}.{odds} {ignores}",
        y = n.year,
        m = n.to_month,
        k = n.known,
        sum = num(n.known_sum),
        method = n.method,
        p = num(n.point),
        lo = num(n.lower95),
        hi = num(n.upper95),
        ignores = ignores_months(&n.model, n.known, n.year),
    )
}
