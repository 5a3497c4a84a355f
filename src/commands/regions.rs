//! `regions`: the four WSTS regions forecast and reconciled with the worldwide total.
//!
//! By default each region gets the market model's paths from its own monthly billings
//! ([`crate::market::regions`]); `--model NAME` forecasts complete years with that annual
//! model per series and reconciles the points by MinT ([`crate::scenarios::hierarchy`]).

use super::defaults;
use super::market;
use super::model::NamedChoice;
use super::provenance::{self, Provenance};
use super::source::builtin_as_of_month;
use crate::error::{Error, Result};
use crate::ingest::builtin;
use crate::limits;
use crate::market::regions::{RegionForecast, region_candidate, region_forecast};
use crate::scenarios::hierarchy::{Reconciled, reconcile};
use crate::scenarios::milestone::Simulation;
use crate::series::time::{RawTime, parse_time};
use crate::series::{MarketSeries, TimeKind};
use serde::Serialize;

/// The four WSTS regions: (series id, label).
pub const REGIONS: [(&str, &str); 4] = [
    ("americas", "Americas"),
    ("europe", "Europe"),
    ("japan", "Japan"),
    ("asia-pacific", "Asia Pacific"),
];

/// The last year forecast when none is given.
pub const UNTIL: i64 = 2030;
/// Rolling origins of the forecast-error covariance when none are given.
pub const ORIGINS: usize = 12;

/// What `regions` is asked.
#[derive(Debug, Clone)]
pub struct RegionsRequest {
    /// The annual model named by the user; `None` = the market model per region (MinT
    /// weights from `auto`'s errors).
    pub model: Option<NamedChoice>,
    /// Only data that existed then (YEAR or YYYY-MM), as typed.
    pub as_of: Option<String>,
    /// Forecast up to this year.
    pub until: i64,
    /// Rolling origins behind the error covariance.
    pub origins: usize,
    /// Sample paths and seed (market model).
    pub simulation: Simulation,
}

impl Default for RegionsRequest {
    fn default() -> Self {
        RegionsRequest {
            model: None,
            as_of: None,
            until: UNTIL,
            origins: ORIGINS,
            simulation: defaults::SIMULATION,
        }
    }
}

/// One region: its series id and label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Region {
    /// Series id (`americas`, ...).
    pub id: &'static str,
    /// Label (`Americas`, ...).
    pub label: &'static str,
}

/// A region's share of the worldwide total in one year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    /// Region id.
    pub region: &'static str,
    /// Year.
    pub year: i64,
    /// `actual` (history) or `mint` (the reconciled forecast).
    pub method: &'static str,
    /// The share, 0–1 (null when a value is missing).
    pub share: Option<f64>,
}

/// `--model NAME`: the annual model per series, reconciled by MinT.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnnualRegions {
    /// The model's `--model` name.
    pub model: &'static str,
    /// First year of the worldwide data.
    pub data_from: i64,
    /// Last complete year used.
    pub data_to: i64,
    /// The forecast years.
    pub years: Vec<i64>,
    /// Base, bottom-up and MinT forecasts.
    pub reconciled: Reconciled,
}

/// Everything `regions` reports.
#[derive(Debug, Clone, Serialize)]
pub struct RegionsResult {
    /// Where the data come from.
    pub provenance: Provenance,
    /// `--as-of`, as typed.
    pub as_of: Option<String>,
    /// `market` (the market model per region) or `annual` (`--model NAME`).
    pub method: &'static str,
    /// The last year forecast.
    pub until: i64,
    /// The regions, in table order.
    pub regions: Vec<Region>,
    /// The market model's reconciled forecast (method `market`).
    pub market: Option<RegionForecast>,
    /// The annual model's reconciled forecast (method `annual`).
    pub annual: Option<AnnualRegions>,
    /// Shares of the worldwide total: history (annual method) and the last forecast year.
    pub shares: Vec<Share>,
    /// Per region, the annual history the chart draws: `(year, USD bn)` (the market
    /// model's: the last twenty complete years).
    pub history: Vec<Vec<(i64, f64)>>,
}

/// Answer a [`RegionsRequest`].
pub fn run(req: &RegionsRequest) -> Result<RegionsResult> {
    if let Some(text) = &req.as_of {
        builtin_as_of_month(text)?;
    }
    let regions = REGIONS
        .iter()
        .map(|(id, label)| Region { id, label })
        .collect();
    match &req.model {
        None => run_market(req, regions),
        Some(named) => run_annual(req, named, regions),
    }
}

fn run_market(req: &RegionsRequest, regions: Vec<Region>) -> Result<RegionsResult> {
    let world = market::data("worldwide")?;
    let data: Vec<_> = REGIONS
        .iter()
        .map(|(n, _)| market::data(n).map(|d| (region_candidate(n), d)))
        .collect::<Result<_>>()?;
    let cut = market::cut(req.as_of.as_deref(), &world)?;
    let first_year = (cut + 1).div_euclid(12);
    if req.until < first_year {
        return Err(Error::invalid(format!(
            "--until {} is not after the last data year {}",
            req.until,
            first_year - 1
        )));
    }
    limits::check_year_ahead("--until", req.until, first_year - 1)?;
    if req.until > first_year + crate::market::SPAN_YEARS {
        return Err(Error::invalid(format!(
            "--until {} is after the market model's last year {}; give --model NAME for longer horizons",
            req.until,
            first_year + crate::market::SPAN_YEARS
        )));
    }
    let f = region_forecast(
        &world,
        &data,
        cut,
        req.until,
        req.simulation,
        NamedChoice::auto().choice,
        req.origins,
    )?;
    let last = f.total.len() - 1;
    let shares = REGIONS
        .iter()
        .zip(&f.regions)
        .map(|((n, _), r)| Share {
            region: n,
            year: req.until,
            method: "reconciled",
            share: Some(r[last].point / f.total[last].point),
        })
        .collect();
    let history = data
        .iter()
        .map(|d| {
            let h = d.1.annual.truncate_to(first_year - 1)?;
            // twenty years of history, so that the forecast years are legible
            Ok(h.ordinals()
                .zip(h.values().iter().copied())
                .filter(|(y, _)| *y >= first_year - 20)
                .collect())
        })
        .collect::<Result<_>>()?;
    Ok(RegionsResult {
        provenance: Provenance::builtin(
            &["wsts_monthly_raw", "wsts_annual", "wsts_regional_annual"],
            format!(
                "built-in wsts_monthly_raw.csv, wsts_annual.csv, wsts_regional_annual.csv ({})",
                provenance::hbr()
            ),
        ),
        as_of: req.as_of.clone(),
        method: "market",
        until: req.until,
        regions,
        market: Some(f),
        annual: None,
        shares,
        history,
    })
}

/// The last complete year an `--as-of` leaves (`None`: all data).
fn last_complete_year(as_of: Option<&str>) -> Result<Option<i64>> {
    Ok(match as_of.map(parse_time) {
        None => None,
        Some(Some(RawTime::Int(y))) => Some(y),
        Some(Some(RawTime::Month(y, m) | RawTime::Date(y, m, _))) => {
            Some(if m == 12 { y } else { y - 1 })
        }
        Some(Some(RawTime::Quarter(y, q, _))) => Some(if q == 4 { y } else { y - 1 }),
        Some(None) => {
            return Err(Error::invalid(format!(
                "--as-of {:?} is not a year or month",
                as_of.unwrap_or("")
            )));
        }
    })
}

fn run_annual(
    req: &RegionsRequest,
    named: &NamedChoice,
    regions: Vec<Region>,
) -> Result<RegionsResult> {
    let last = last_complete_year(req.as_of.as_deref())?;
    let cut = |s: MarketSeries| -> Result<MarketSeries> {
        match last {
            Some(y) => s.truncate_to(y),
            None => Ok(s),
        }
    };
    let world = cut(builtin::series("worldwide")?.series)?;
    let series: Vec<MarketSeries> = REGIONS
        .iter()
        .map(|(n, _)| cut(builtin::series(n)?.series))
        .collect::<Result<_>>()?;
    if req.until <= world.end() {
        return Err(Error::invalid(format!(
            "--until {} is not after the last data year {}",
            req.until,
            world.end()
        )));
    }
    let h = limits::check_year_ahead("--until", req.until, world.end())?;
    let region_values: Vec<&[f64]> = series.iter().map(|r| r.values()).collect();
    let rec = reconcile(world.values(), &region_values, named.choice, h, req.origins)?;
    let years: Vec<i64> = (1..=h as i64).map(|k| world.end() + k).collect();
    let share_years: Vec<i64> = [1990, 2000, 2010, 2020, world.end()]
        .into_iter()
        .filter(|y| *y >= world.start())
        .collect();
    let mut shares = Vec::new();
    for (j, (n, _)) in REGIONS.iter().enumerate() {
        for y in &share_years {
            let v = series[j].value_at(*y).unwrap_or(f64::NAN);
            let s = v / world.value_at(*y).unwrap_or(f64::NAN);
            shares.push(Share {
                region: n,
                year: *y,
                method: "actual",
                share: Some(s).filter(|s| s.is_finite()),
            });
        }
        let s = rec.mint_regions[j][h - 1] / rec.mint_total[h - 1];
        shares.push(Share {
            region: n,
            year: req.until,
            method: "mint",
            share: Some(s).filter(|s| s.is_finite()),
        });
    }
    let history = series
        .iter()
        .map(|s| s.ordinals().zip(s.values().iter().copied()).collect())
        .collect();
    Ok(RegionsResult {
        provenance: Provenance::builtin(
            &["wsts_regional_annual", "wsts_annual"],
            format!(
                "built-in wsts_regional_annual.csv, wsts_annual.csv ({})",
                provenance::hbr()
            ),
        ),
        as_of: req.as_of.clone(),
        method: "annual",
        until: req.until,
        regions,
        market: None,
        annual: Some(AnnualRegions {
            model: named.name,
            data_from: world.start(),
            data_to: world.end(),
            years,
            reconciled: rec,
        }),
        shares,
        history,
    })
}

impl RegionsResult {
    /// The first forecast year.
    pub fn first_year(&self) -> i64 {
        match (&self.market, &self.annual) {
            (Some(f), _) => f.first_year,
            (None, Some(a)) => a.years.first().copied().unwrap_or(a.data_to + 1),
            (None, None) => self.until,
        }
    }

    /// The last month of data, `YYYY-MM` (market) or the last complete year (annual).
    pub fn data_to(&self) -> String {
        match (&self.market, &self.annual) {
            (Some(f), _) => TimeKind::YearMonth.format(f.data_to),
            (None, Some(a)) => a.data_to.to_string(),
            (None, None) => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_annual_regions_add_up_to_their_mint_total() {
        let r = run(&RegionsRequest {
            model: Some(NamedChoice {
                name: "drift",
                choice: crate::evaluation::select::ModelChoice::Fixed(
                    crate::models::ModelSpec::Drift,
                ),
            }),
            ..RegionsRequest::default()
        })
        .unwrap();
        let a = r.annual.as_ref().unwrap();
        for (k, t) in a.reconciled.mint_total.iter().enumerate() {
            let sum: f64 = a.reconciled.mint_regions.iter().map(|x| x[k]).sum();
            assert!((sum - t).abs() < 1e-9);
        }
        assert_eq!(*a.years.last().unwrap(), UNTIL);
    }
}
