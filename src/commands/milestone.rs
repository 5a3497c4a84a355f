//! `milestone`: when does a series cross a target, and how likely is it by a year?
//!
//! Built-in annual series with the default model are answered by the market model's paths
//! (the same paths as `forecast`); `--model NAME`, `--since` or `--input` fit one annual
//! model and simulate it.

use super::defaults;
use super::market::{self, Headline};
use super::model::{MonthsKnown, NamedChoice, months_known, project_named};
use super::source::{self, SeriesHead, SourceRequest};
use crate::error::{Error, Result};
use crate::limits;
use crate::scenarios::milestone::{Milestone, Simulation, milestone_with};
use crate::scenarios::projection::SeriesForecast;
use crate::series::TimeKind;
use serde::Serialize;

/// What `milestone` is asked.
#[derive(Debug, Clone)]
pub struct MilestoneRequest {
    /// The data.
    pub source: SourceRequest,
    /// The annual model named by the user; `None` = the default (the market model on a
    /// built-in annual series, else `auto`).
    pub model: Option<NamedChoice>,
    /// Interval levels of the forecast, percent.
    pub levels: Vec<f64>,
    /// Allow negative forecasts of a positive series.
    pub allow_negative: bool,
    /// Sample paths and seed.
    pub simulation: Simulation,
    /// The milestone, in the series' unit.
    pub target: f64,
    /// The year of "how likely by".
    pub by: i64,
    /// Show years up to this one [default: `by` + 10].
    pub until: Option<i64>,
}

impl Default for MilestoneRequest {
    fn default() -> Self {
        MilestoneRequest {
            source: SourceRequest::default(),
            model: None,
            levels: defaults::LEVELS.to_vec(),
            allow_negative: false,
            simulation: defaults::SIMULATION,
            target: defaults::TARGET,
            by: defaults::BY,
            until: None,
        }
    }
}

pub use super::source::AsOf;

/// Everything `milestone` reports.
#[derive(Debug, Clone, Serialize)]
pub struct MilestoneResult {
    /// Provenance, series, label, title, builtin, unit and `--as-of`.
    #[serde(flatten)]
    pub head: SeriesHead,
    /// The last period of data used (`YYYY-MM` for the market model).
    pub data_to: String,
    /// `market` (the market model's paths) or `annual` (one annual model simulated).
    pub method: &'static str,
    /// The milestone.
    pub target: f64,
    /// The year of "how likely by".
    pub by: i64,
    /// The last year of the odds table.
    pub until: i64,
    /// Sample paths and seed.
    pub simulation: Simulation,
    /// The last value the growth needed is measured from.
    pub last_value: f64,
    /// The forecast behind the odds (point and intervals by year).
    pub forecast: SeriesForecast,
    /// The odds, year by year.
    pub milestone: Milestone,
    /// The market model's headline (method `market`).
    pub market: Option<Headline>,
    /// Months of the next year already known, beside the annual model (method `annual`).
    pub months_known: Option<MonthsKnown>,
}

/// Answer a [`MilestoneRequest`].
pub fn run(req: &MilestoneRequest) -> Result<MilestoneResult> {
    run_with(req, &|| {})
}

/// [`run`], calling `tick` after each path an annual model simulates (for a progress
/// display; the market model's paths are made by [`crate::market`]).
pub fn run_with(req: &MilestoneRequest, tick: &dyn Fn()) -> Result<MilestoneResult> {
    let src = source::load(&req.source)?;
    if src.series.len() != 1 {
        return Err(Error::invalid(format!(
            "milestone needs one series but {} has {}; pick one with --id ID",
            src.label,
            src.series.len()
        )));
    }
    if !matches!(src.kind, TimeKind::Integer | TimeKind::AnnualDate { .. }) {
        return Err(Error::invalid(format!(
            "milestone works on annual series; this one is {}",
            src.kind.describe()
        )));
    }
    if !(req.target.is_finite() && req.target > 0.0) {
        return Err(Error::invalid(format!(
            "--target {} must be a positive number",
            req.target
        )));
    }
    let series = &src.series[0];
    if req.by <= series.end() && series.values().iter().all(|v| *v < req.target) {
        return Err(Error::invalid(format!(
            "--by {} is not after the last data year {}; give a later year",
            req.by,
            series.end()
        )));
    }
    if req.by > series.end() {
        limits::check_year_ahead("--by", req.by, series.end())?;
    }
    let market_model = src.builtin.is_some()
        && src.kind == TimeKind::Integer
        && req.model.is_none()
        && req.source.since.is_none();
    if market_model {
        return market_milestone(req, &src);
    }
    let h = match req.until {
        Some(u) => {
            if u < req.by {
                return Err(until_before_by(u, req.by));
            }
            limits::check_year_ahead("--until", u, series.end())?
        }
        None => (req
            .by
            .saturating_add(defaults::MILESTONE_YEARS_AFTER_BY)
            .saturating_sub(series.end()))
        .clamp(1, limits::MAX_YEARS_AHEAD) as usize,
    };
    let named = req.model.clone().unwrap_or_else(NamedChoice::auto);
    let p = project_named(series, &named, h, &req.levels, !req.allow_negative)?;
    let m = milestone_with(
        series,
        p.model.as_ref(),
        req.target,
        req.by,
        req.simulation,
        tick,
    );
    let months_known = months_known(
        req.source.as_of.as_deref(),
        &src,
        &p.forecast,
        Some(req.target),
        &named,
    );
    Ok(assemble(
        req,
        &src,
        Answer {
            data_to: src.kind.format(series.end()),
            method: "annual",
            until: series.end() + h as i64,
            last_value: series.values()[series.len() - 1],
            forecast: p.forecast,
            milestone: m,
            market: None,
            months_known,
        },
    ))
}

/// The parts of a result that depend on the method.
struct Answer {
    data_to: String,
    method: &'static str,
    until: i64,
    last_value: f64,
    forecast: SeriesForecast,
    milestone: Milestone,
    market: Option<Headline>,
    months_known: Option<MonthsKnown>,
}

fn assemble(req: &MilestoneRequest, src: &source::Source, a: Answer) -> MilestoneResult {
    MilestoneResult {
        head: SeriesHead::of(src, &req.source),
        data_to: a.data_to,
        method: a.method,
        target: req.target,
        by: req.by,
        until: a.until,
        simulation: req.simulation,
        last_value: a.last_value,
        forecast: a.forecast,
        milestone: a.milestone,
        market: a.market,
        months_known: a.months_known,
    }
}

fn until_before_by(until: i64, by: i64) -> Error {
    Error::invalid(format!(
        "--until {until} is before --by {by}; the table must reach --by"
    ))
}

/// The milestone from the market model's paths (built-in series, default model).
fn market_milestone(req: &MilestoneRequest, src: &source::Source) -> Result<MilestoneResult> {
    let name = src.builtin.as_deref().unwrap_or(defaults::SERIES);
    let data = market::data(name)?;
    let cut = market::cut(req.source.as_of.as_deref(), &data)?;
    let p = market::paths(&data, cut, req.simulation)?;
    if req.by > p.last_year {
        return Err(Error::invalid(format!(
            "--by {} is after the market model's last year {}",
            req.by, p.last_year
        )));
    }
    if let Some(u) = req.until.filter(|u| *u >= req.by) {
        limits::check_year_ahead("--until", u, src.series[0].end())?;
    }
    let last = match req.until {
        Some(u) if u < req.by => return Err(until_before_by(u, req.by)),
        Some(u) if u > p.last_year => {
            return Err(Error::invalid(format!(
                "--until {u} is after the market model's last year {}",
                p.last_year
            )));
        }
        Some(u) => u,
        None => (req.by + defaults::MILESTONE_YEARS_AFTER_BY).min(p.last_year),
    };
    Ok(assemble(
        req,
        src,
        Answer {
            data_to: TimeKind::YearMonth.format(cut),
            method: "market",
            until: last,
            last_value: p.history.last().map_or(0.0, |h| h.1),
            forecast: market::series_forecast(&p, src.series[0].id(), last, &req.levels),
            milestone: p.milestone(req.target, req.by),
            market: Some(Headline::new(&p, req.target, req.by)),
            months_known: None,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quick() -> MilestoneRequest {
        MilestoneRequest {
            simulation: Simulation {
                paths: 500,
                seed: 3,
            },
            ..MilestoneRequest::default()
        }
    }

    #[test]
    fn every_forecast_year_has_lower_at_most_point_at_most_upper() {
        for model in [None, Some(NamedChoice::auto())] {
            let r = run(&MilestoneRequest { model, ..quick() }).unwrap();
            let f = &r.forecast.forecast;
            assert!(!f.point.is_empty());
            for iv in &f.intervals {
                for (i, p) in f.point.iter().enumerate() {
                    assert!(iv.lower[i] <= *p && *p <= iv.upper[i], "{} {i}", r.method);
                }
            }
        }
    }

    #[test]
    fn the_default_answer_is_the_market_models_and_its_odds_are_probabilities() {
        let r = run(&quick()).unwrap();
        assert_eq!(r.method, "market");
        let h = r.market.as_ref().unwrap();
        assert_eq!(h.p_at_least_by, Some(r.milestone.p_at_least_in_by));
        for o in &r.milestone.by_period {
            assert!((0.0..=1.0).contains(&o.p_at_least), "{o:?}");
            assert!(o.p_first <= o.p_crossed_by + 1e-12, "{o:?}");
        }
        assert_eq!(
            r.head.provenance.vintage,
            Some(super::super::provenance::WSTS_VINTAGE)
        );
    }

    #[test]
    fn an_until_before_by_is_refused() {
        let err = run(&MilestoneRequest {
            until: Some(2028),
            ..quick()
        })
        .unwrap_err();
        assert!(err.to_string().contains("before --by 2030"), "{err}");
    }
}
