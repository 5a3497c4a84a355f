//! The market model as the commands use it, re-exported from the library
//! ([`chipcast::commands::market`]) for the commands not yet converted (forecast, gap).

use chipcast::market::{MarketData, MarketPaths};
use chipcast::scenarios::milestone::Simulation;
use chipcast::scenarios::projection::SeriesForecast;

pub(crate) use chipcast::outputs::render::ignores_months;

/// The annual and monthly built-in series of a region (`worldwide`, `americas`, ...).
pub(crate) fn data(region: &str) -> anyhow::Result<MarketData> {
    Ok(chipcast::commands::market::data(region)?)
}

/// The last month of data under `--as-of` (YEAR = its December, YYYY-MM = that month).
pub(crate) fn cut(as_of: Option<&str>, data: &MarketData) -> anyhow::Result<i64> {
    Ok(chipcast::commands::market::cut(as_of, data)?)
}

/// The default market model's paths at a cut-off.
pub(crate) fn paths(data: &MarketData, cut: i64, sim: Simulation) -> anyhow::Result<MarketPaths> {
    Ok(chipcast::commands::market::paths(data, cut, sim)?)
}

/// The paths' years `first_year..=until` as a forecast table (for `-o` and charts).
pub(crate) fn series_forecast(
    p: &MarketPaths,
    id: &str,
    until: i64,
    levels: &[f64],
) -> SeriesForecast {
    chipcast::commands::market::series_forecast(p, id, until, levels)
}
