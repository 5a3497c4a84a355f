//! The market model as the commands use it: the built-in data of a region, the cut-off of
//! `--as-of`, and the paths every headline reads ([`chipcast::market`]).

use super::resolve;
use anyhow::bail;
use chipcast::ingest::builtin;
use chipcast::market::{self, MarketData, MarketPaths};
use chipcast::models::{Forecast, Param};
use chipcast::scenarios::milestone::Simulation;
use chipcast::scenarios::projection::{IntervalMethod, SeriesForecast};
use chipcast::series::{TimeKind, Unit};

/// Sample paths of the market model when a command has no `--paths` of its own.
pub(crate) const PATHS: usize = 10_000;
/// Seed when a command has no `--seed` of its own.
pub(crate) const SEED: u64 = 42;

/// The annual and monthly built-in series of a region (`worldwide`, `americas`, ...).
pub(crate) fn data(region: &str) -> anyhow::Result<MarketData> {
    let region = region.trim_end_matches("-monthly");
    Ok(MarketData::new(
        builtin::series(region)?.series,
        builtin::series(&format!("{region}-monthly"))?.series,
    )?)
}

/// The last month of data under `--as-of` (YEAR = its December, YYYY-MM = that month).
pub(crate) fn cut(as_of: Option<&str>, data: &MarketData) -> anyhow::Result<i64> {
    let last = data.last_month();
    let Some(text) = as_of else {
        return Ok(last);
    };
    let Some(m) = resolve::as_of_month(text) else {
        bail!("--as-of {text:?} is not a period; expected YEAR or YYYY-MM");
    };
    if m > last {
        bail!(
            "--as-of {text} is after the last month of data ({})",
            TimeKind::YearMonth.format(last)
        );
    }
    Ok(m)
}

/// The default market model's paths at a cut-off.
pub(crate) fn paths(data: &MarketData, cut: i64, sim: Simulation) -> anyhow::Result<MarketPaths> {
    Ok(market::market_paths(data, cut, sim)?)
}

/// The paths' years `first_year..=until` as a forecast table (for `-o` and charts).
pub(crate) fn series_forecast(
    p: &MarketPaths,
    id: &str,
    until: i64,
    levels: &[f64],
) -> SeriesForecast {
    let (periods, point, intervals) = p.table(until, levels);
    SeriesForecast {
        id: id.to_string(),
        unit: Unit::UsdBillions,
        kind: TimeKind::Integer,
        train_start: p.history.first().map_or(p.first_year, |h| h.0),
        train_end: p.first_year - 1,
        periods,
        model: format!("market:{}", p.candidate.name()),
        description: format!(
            "market model {}: {} (monthly data to {}; point = median of {} paths, intervals = their quantiles)",
            p.candidate.name(),
            p.candidate.about(),
            TimeKind::YearMonth.format(p.data_to),
            p.len()
        ),
        params: vec![
            Param::new("known_months", f64::from(p.known_months)),
            Param::new("known_sum", p.known_sum),
        ],
        levels: levels.to_vec(),
        forecast: Forecast { point, intervals },
        selection: None,
        interval_method: IntervalMethod::Model,
        season_length: 12,
        season_test: None,
    }
}

/// Said when `--model NAME` fits one annual model to complete years while months of the
/// next year are known.
pub(crate) fn ignores_months(model: &str, p_known: u32, year: i64) -> String {
    format!(
        "--model {model} fits complete years only: it ignores the {p_known} known month(s) of {year}. \
         Without --model, chipcast uses the market model, which keeps them."
    )
}
