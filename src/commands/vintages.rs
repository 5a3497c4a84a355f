//! `vintages`: how the outlook drifted — the forecast for a target year and the milestone
//! odds, as they looked at each as-of month of the built-in worldwide data.

use super::defaults;
use super::market;
use super::model::{NamedChoice, project_named};
use super::provenance::{self, Provenance};
use super::source::as_of_month;
use crate::error::{Error, Result};
use crate::ingest::builtin;
use crate::limits;
use crate::scenarios::milestone::{Simulation, milestone_provisional, widen_for_provisional_start};
use crate::scenarios::vintage::annual_input_as_of;
use crate::series::TimeKind;
use crate::series::time::last_complete_year;
use serde::Serialize;

/// What `vintages` is asked.
#[derive(Debug, Clone)]
pub struct VintagesRequest {
    /// As-of months (last month of data), as typed (`YYYY-MM`).
    pub as_of: Vec<String>,
    /// The year whose forecast is compared across vintages.
    pub target_year: i64,
    /// The milestone, USD bn.
    pub target: f64,
    /// A single annual model instead of the market model.
    pub model: Option<NamedChoice>,
    /// Allow negative forecasts (annual model only).
    pub allow_negative: bool,
    /// Sample paths and seed, per vintage.
    pub simulation: Simulation,
}

impl Default for VintagesRequest {
    fn default() -> Self {
        VintagesRequest {
            as_of: defaults::VINTAGES_AS_OF
                .split(',')
                .map(str::to_string)
                .collect(),
            target_year: defaults::BY,
            target: defaults::TARGET,
            model: None,
            allow_negative: false,
            simulation: defaults::SIMULATION,
        }
    }
}

/// One vintage's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VintageRow {
    /// The last month of data, `YYYY-MM`.
    pub as_of: String,
    /// Month ordinal of `as_of` (year · 12 + month − 1), for charts.
    #[serde(skip)]
    pub month: i64,
    /// The data used, in words.
    pub data_used: String,
    /// Months of the current year known and that year (market model rows).
    pub known: Option<(u32, i64)>,
    /// The model (`market:ets-cal+cycle+annual`, `drift` ...).
    pub model: String,
    /// Point forecast of the target year.
    pub point: f64,
    /// 80% interval.
    pub lo80: f64,
    /// Upper bound.
    pub hi80: f64,
    /// 95% interval.
    pub lo95: f64,
    /// Upper bound.
    pub hi95: f64,
    /// P(the target year ≥ target).
    pub p_at_least: f64,
    /// P(some year up to the target year ≥ target).
    pub p_reached_by: f64,
}

/// Everything `vintages` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VintagesResult {
    /// Where the data come from.
    pub provenance: Provenance,
    /// `market` (the market model at each vintage) or `annual` (one annual model).
    pub method: &'static str,
    /// The `--model` name of the annual model (`None` for the market model).
    pub annual_model: Option<&'static str>,
    /// The year compared.
    pub target_year: i64,
    /// The milestone, USD bn.
    pub target: f64,
    /// Unit of the forecasts.
    pub unit: &'static str,
    /// Sample paths and seed, per vintage.
    pub simulation: Simulation,
    /// One row per as-of month, in the order asked.
    pub rows: Vec<VintageRow>,
}

/// Answer a [`VintagesRequest`].
pub fn run(req: &VintagesRequest) -> Result<VintagesResult> {
    if !(req.target.is_finite() && req.target > 0.0) {
        return Err(Error::invalid(format!(
            "--target {} must be a positive number (USD bn)",
            req.target
        )));
    }
    let annual = builtin::series("worldwide")?.series;
    let monthly = builtin::series("worldwide-monthly")?.series;
    let sim = req.simulation;
    // the market model unless a single annual model is named
    let data = match req.model {
        None => Some(market::data("worldwide")?),
        Some(_) => None,
    };
    let mut rows = Vec::new();
    for text in &req.as_of {
        let Some(data_to) = as_of_month(text) else {
            return Err(Error::invalid(format!(
                "--as-of {text:?} is not a month; expected YYYY-MM (comma-separated list)"
            )));
        };
        if data_to > monthly.end() {
            return Err(Error::invalid(format!(
                "--as-of {text} is after the last month of data ({})",
                monthly.kind().format(monthly.end())
            )));
        }
        rows.push(match (&data, &req.model) {
            (Some(data), _) => market_row(req, data, data_to, text)?,
            (None, Some(named)) => annual_row(req, named, &annual, &monthly, data_to, text)?,
            (None, None) => unreachable!("the market model is used when no model is named"),
        });
    }
    Ok(VintagesResult {
        provenance: Provenance::builtin(
            &["wsts_annual", "wsts_monthly_raw"],
            format!(
                "built-in wsts_annual.csv, wsts_monthly_raw.csv ({})",
                provenance::hbr()
            ),
        ),
        method: if data.is_some() { "market" } else { "annual" },
        annual_model: req.model.as_ref().map(|m| m.name),
        target_year: req.target_year,
        target: req.target,
        unit: "USD bn",
        simulation: sim,
        rows,
    })
}

/// A vintage from the market model's paths at `data_to`.
fn market_row(
    req: &VintagesRequest,
    data: &crate::market::MarketData,
    data_to: i64,
    text: &str,
) -> Result<VintageRow> {
    let ty = req.target_year;
    limits::check_year_ahead("--target-year", ty, last_complete_year(data_to))?;
    let p = market::paths(data, data_to, req.simulation)?;
    if ty < p.first_year || ty > p.last_year {
        return Err(Error::invalid(format!(
            "--target-year {ty} is outside the market model's years {} to {} for as-of {text}",
            p.first_year, p.last_year
        )));
    }
    let nan = (f64::NAN, f64::NAN);
    let (i80, i95) = (
        p.interval(ty, 80.0).unwrap_or(nan),
        p.interval(ty, 95.0).unwrap_or(nan),
    );
    Ok(VintageRow {
        as_of: TimeKind::YearMonth.format(data_to),
        month: data_to,
        data_used: format!(
            "months to {} ({} of {} known)",
            TimeKind::YearMonth.format(data_to),
            p.known_months,
            p.first_year
        ),
        known: Some((p.known_months, p.first_year)),
        model: format!("market:{}", p.candidate.name()),
        point: p.point(ty).unwrap_or(f64::NAN),
        lo80: i80.0,
        hi80: i80.1,
        lo95: i95.0,
        hi95: i95.1,
        p_at_least: p.p_at_least(ty, req.target).unwrap_or(0.0),
        p_reached_by: p.crossing_years(req.target).p_by(ty),
    })
}

/// A vintage from one annual model on the complete years plus a nowcast of the current one.
fn annual_row(
    req: &VintagesRequest,
    named: &NamedChoice,
    annual: &crate::series::MarketSeries,
    monthly: &crate::series::MarketSeries,
    data_to: i64,
    text: &str,
) -> Result<VintageRow> {
    let (input, nc) = annual_input_as_of(annual, monthly, data_to)?;
    if req.target_year <= input.end() {
        return Err(Error::invalid(format!(
            "--target-year {} is not after the data of as-of {text}",
            req.target_year
        )));
    }
    let h = limits::check_year_ahead("--target-year", req.target_year, input.end())?;
    let p = project_named(&input, named, h, &[80.0, 95.0], !req.allow_negative)?;
    // a nowcast year is provisional: each path draws it from the nowcast's own error
    let nowcast_sd = nc.as_ref().map_or(0.0, |n| n.record.rmse());
    let m = milestone_provisional(
        &input,
        p.model.as_ref(),
        req.target,
        req.target_year,
        req.simulation,
        nowcast_sd,
    );
    let f = &p.forecast.forecast;
    // the same provisional start widens the intervals
    let iv: Vec<(f64, f64)> = f
        .intervals
        .iter()
        .map(|i| {
            widen_for_provisional_start(
                f.point[h - 1],
                (i.lower[h - 1], i.upper[h - 1]),
                i.level,
                nowcast_sd,
            )
        })
        .collect();
    Ok(VintageRow {
        as_of: TimeKind::YearMonth.format(data_to),
        month: data_to,
        data_used: match &nc {
            Some(n) => format!(
                "years to {}, {} nowcast ({} months)",
                input.end() - 1,
                input.end(),
                n.known
            ),
            None => format!("years to {}", input.end()),
        },
        known: None,
        model: p.forecast.model.to_string(),
        point: f.point[h - 1],
        lo80: iv[0].0,
        hi80: iv[0].1,
        lo95: iv[1].0,
        hi95: iv[1].1,
        p_at_least: m.p_at_least_in_by,
        p_reached_by: m.p_crossed_by,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::milestone::{self, MilestoneRequest};
    use crate::commands::source::SourceRequest;

    #[test]
    fn the_2025_12_vintage_gives_the_same_odds_as_milestone_as_of_2025_12() {
        let sim = Simulation {
            paths: 800,
            seed: 11,
        };
        let v = run(&VintagesRequest {
            as_of: vec!["2025-12".into()],
            simulation: sim,
            ..VintagesRequest::default()
        })
        .unwrap();
        let m = milestone::run(&MilestoneRequest {
            source: SourceRequest {
                as_of: Some("2025-12".into()),
                ..SourceRequest::default()
            },
            simulation: sim,
            ..MilestoneRequest::default()
        })
        .unwrap();
        assert_eq!(v.rows[0].p_at_least, m.milestone.p_at_least_in_by);
        assert_eq!(v.rows[0].p_reached_by, m.milestone.p_crossed_by);
        let i = m.forecast.periods.iter().position(|y| *y == 2030).unwrap();
        assert_eq!(v.rows[0].point, m.forecast.forecast.point[i]);
    }

    #[test]
    fn every_vintage_row_has_its_bounds_around_its_point() {
        let v = run(&VintagesRequest {
            as_of: vec!["2020-12".into(), "2024-11".into()],
            simulation: Simulation {
                paths: 400,
                seed: 2,
            },
            ..VintagesRequest::default()
        })
        .unwrap();
        for r in &v.rows {
            assert!(r.lo95 <= r.lo80 && r.lo80 <= r.point, "{r:?}");
            assert!(r.point <= r.hi80 && r.hi80 <= r.hi95, "{r:?}");
        }
    }

    #[test]
    fn an_as_of_after_the_data_is_refused() {
        let err = run(&VintagesRequest {
            as_of: vec!["2031-01".into()],
            ..VintagesRequest::default()
        })
        .unwrap_err();
        assert!(err.to_string().contains("after the last month"), "{err}");
    }
}
