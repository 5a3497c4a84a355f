//! The market model as the commands use it: the built-in data of a region, the cut-off of
//! `--as-of`, the paths every headline reads ([`crate::market`]), and the headline itself
//! as numbers ([`Headline`]), which `outputs::market` renders the same way for every
//! command.

use crate::error::{Error, Result};
use crate::ingest::builtin;
use crate::market::{self, Crossing, MarketData, MarketPaths};
use crate::models::{Forecast, Param};
use crate::scenarios::milestone::Simulation;
use crate::scenarios::projection::{IntervalMethod, SeriesForecast};
use crate::series::{TimeKind, Unit};
use serde::Serialize;

/// The annual and monthly built-in series of a region (`worldwide`, `americas`, ...).
pub fn data(region: &str) -> Result<MarketData> {
    let region = region.trim_end_matches("-monthly");
    MarketData::new(
        builtin::series(region)?.series,
        builtin::series(&format!("{region}-monthly"))?.series,
    )
}

/// The last month of data under `--as-of` (YEAR = its December, YYYY-MM = that month).
pub fn cut(as_of: Option<&str>, data: &MarketData) -> Result<i64> {
    let last = data.last_month();
    let Some(text) = as_of else {
        return Ok(last);
    };
    let Some(m) = super::source::as_of_month(text) else {
        return Err(Error::invalid(format!(
            "--as-of {text:?} is not a period; expected YEAR or YYYY-MM"
        )));
    };
    if m > last {
        return Err(Error::invalid(format!(
            "--as-of {text} is after the last month of data ({})",
            TimeKind::YearMonth.format(last)
        )));
    }
    Ok(m)
}

/// The market model's paths at a cut-off: worldwide the default candidate, a WSTS region
/// the candidate its own month-end backtest chose ([`market::regions::region_candidate`],
/// as `regions` uses), so `forecast --series japan` and `regions` fit Japan alike.
pub fn paths(data: &MarketData, cut: i64, sim: Simulation) -> Result<MarketPaths> {
    let first_year = (cut + 1).div_euclid(12);
    market::paths(
        data,
        cut,
        first_year + market::SPAN_YEARS,
        market::regions::region_candidate(data.annual.id()),
        sim,
    )
}

/// The paths' years `first_year..=until` as a forecast table (for `-o` and charts).
pub fn series_forecast(p: &MarketPaths, id: &str, until: i64, levels: &[f64]) -> SeriesForecast {
    let (periods, point, intervals) = p.table(until, levels);
    SeriesForecast {
        id: id.to_string(),
        unit: Unit::UsdBillions,
        kind: TimeKind::Integer,
        train_start: p.history.first().map_or(p.first_year, |h| h.0),
        train_end: p.first_year - 1,
        periods,
        model: format!("market:{}", p.candidate.name()).into(),
        description: format!(
            "market model {}: {} (monthly data to {}; point = median of {} paths, intervals = their quantiles)",
            p.candidate.name(),
            p.candidate.about(),
            TimeKind::YearMonth.format(p.data_to),
            p.len()
        ).into(),
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

/// A central interval of one year's total.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Band {
    /// Level, percent.
    pub level: f64,
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
}

/// The market model's headline as numbers: the current year with its known months,
/// P(`by` ≥ `target`), the crossing year and the first month trailing-12-month sales reach
/// the target. Every command that prints the headline builds it with [`Headline::new`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Headline {
    /// The market model's candidate (`ets-cal+cycle+annual`).
    pub model: &'static str,
    /// Last month of data used, `YYYY-MM`.
    pub data_to: String,
    /// Sample paths.
    pub paths: usize,
    /// Their seed.
    pub seed: u64,
    /// The current year (the year of the first unknown month).
    pub year: i64,
    /// Its median total over the paths.
    pub point: Option<f64>,
    /// Its 80% and 95% intervals (quantiles of the paths).
    pub intervals: Vec<Band>,
    /// P(its total ≥ `target`): the share of paths.
    pub p_at_least_current: Option<f64>,
    /// Months of `year` known.
    pub known_months: u32,
    /// Their sum.
    pub known_sum: f64,
    /// The milestone.
    pub target: f64,
    /// The year of "how likely by".
    pub by: i64,
    /// P(the total of `by` ≥ `target`).
    pub p_at_least_by: Option<f64>,
    /// P(some calendar year up to `by` ≥ `target`).
    pub p_reached_by: f64,
    /// The first calendar year ≥ `target` over the paths.
    pub crossing_years: Crossing,
    /// The first month whose trailing-12-month sales ≥ `target` (month ordinals).
    pub crossing_months: Crossing,
}

impl Headline {
    /// The headline of `p` for a milestone.
    pub fn new(p: &MarketPaths, target: f64, by: i64) -> Self {
        let y = p.first_year;
        let years = p.crossing_years(target);
        Headline {
            model: p.candidate.name(),
            data_to: TimeKind::YearMonth.format(p.data_to),
            paths: p.len(),
            seed: p.simulation.seed,
            year: y,
            point: p.point(y),
            intervals: [80.0, 95.0]
                .into_iter()
                .filter_map(|level| {
                    p.interval(y, level).map(|(lower, upper)| Band {
                        level,
                        lower,
                        upper,
                    })
                })
                .collect(),
            p_at_least_current: p.p_at_least(y, target),
            known_months: p.known_months,
            known_sum: p.known_sum,
            target,
            by,
            p_at_least_by: p.p_at_least(by, target),
            p_reached_by: years.p_by(by),
            crossing_years: years,
            crossing_months: p.crossing_months(target),
        }
    }
}
