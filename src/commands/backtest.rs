//! `backtest`: rolling-origin accuracy of every model on the built-in annual series, and
//! chipcast against the industry's published forecasts of the worldwide total.

use super::defaults;
use super::market;
use super::model::NamedChoice;
use super::provenance::{self, Provenance};
use super::source::builtin_as_of_month;
use crate::error::{Error, Result};
use crate::evaluation::accuracy::{Scores, evaluate};
use crate::evaluation::backtest::Split;
use crate::evaluation::industry::{
    Comparison, ComparisonSummary, DATA_LAG_MONTHS, published_forecasts, summarize,
};
use crate::ingest::builtin;
use crate::market::Candidate;
use crate::scenarios::milestone::Simulation;
use crate::scenarios::vintage::compare_with_industry;
use crate::series::time::last_complete_year;
use rayon::prelude::*;
use serde::Serialize;

/// What `backtest` is asked.
#[derive(Debug, Clone)]
pub struct BacktestRequest {
    /// Built-in annual series to evaluate.
    pub series: Vec<String>,
    /// Models to evaluate, each with its `--model` name.
    pub models: Vec<NamedChoice>,
    /// First forecast origin (last training year of the first split).
    pub from: i64,
    /// Horizons 1..=this.
    pub horizon: usize,
    /// Backtest as it could have been run then, as typed (YEAR or YYYY-MM).
    pub as_of: Option<String>,
    /// Compare with the published industry forecasts.
    pub industry: bool,
    /// The annual model of that comparison; `None` = the market model.
    pub industry_model: Option<NamedChoice>,
    /// The market model's paths and seed (industry comparison).
    pub simulation: Simulation,
}

/// One series and model's rolling-origin accuracy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccuracyRow {
    /// The built-in series.
    pub series: String,
    /// The model's `--model` name.
    pub model: &'static str,
    /// Its scores; `None` when no origin could be fitted.
    pub scores: Option<Scores>,
}

/// chipcast against the published forecasts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndustryComparison {
    /// `market` (the market model's paths) or `annual` (nowcast, cycle regression, then
    /// the annual model).
    pub method: &'static str,
    /// The market model's candidate, or the annual model's name.
    pub model: String,
    /// chipcast uses monthly data to this many months before each publication date.
    pub data_lag_months: i64,
    /// Per forecaster and horizon.
    pub summary: Vec<ComparisonSummary>,
    /// One row per published forecast with a WSTS actual.
    pub forecasts: Vec<Comparison>,
}

/// Everything `backtest` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacktestResult {
    /// Where the data come from.
    pub provenance: Provenance,
    /// `as_of`, as typed.
    pub as_of: Option<String>,
    /// The last complete year under `as_of`.
    pub last_year: Option<i64>,
    /// First origin.
    pub from: i64,
    /// Horizons 1..=this.
    pub horizon: usize,
    /// The annual model of the industry comparison's metadata (`auto` when none is named).
    pub model: &'static str,
    /// One row per series and model, series-major.
    pub accuracy: Vec<AccuracyRow>,
    /// The comparison with published forecasts, unless it was skipped.
    pub industry: Option<IndustryComparison>,
}

impl Default for BacktestRequest {
    fn default() -> Self {
        BacktestRequest {
            series: defaults::BACKTEST_SERIES
                .split(',')
                .map(str::to_string)
                .collect(),
            models: vec![NamedChoice::auto()],
            from: defaults::BACKTEST_FROM,
            horizon: defaults::BACKTEST_HORIZON,
            as_of: None,
            industry: true,
            industry_model: None,
            simulation: defaults::SIMULATION,
        }
    }
}

/// Answer a [`BacktestRequest`].
pub fn run(req: &BacktestRequest) -> Result<BacktestResult> {
    // the last month known, and the last complete year
    let cut = req.as_of.as_deref().map(builtin_as_of_month).transpose()?;
    let last_year = cut.map(last_complete_year);
    crate::limits::check_horizon("--horizon", req.horizon as u128)?;
    if !(1990..=2030).contains(&req.from) {
        return Err(Error::invalid(format!(
            "--from {} is outside the origins the built-in annual data allow (1990 to 2030; the data start in 1986)",
            req.from
        )));
    }
    if let Some(y) = last_year {
        if y <= req.from {
            return Err(Error::invalid(format!(
                "--as-of {} leaves complete years to {y}, so no origin from --from {} has a year to score; use a later --as-of or an earlier --from",
                req.as_of.as_deref().unwrap_or(""),
                req.from
            )));
        }
    }
    let jobs: Vec<(&String, &NamedChoice)> = req
        .series
        .iter()
        .flat_map(|s| req.models.iter().map(move |m| (s, m)))
        .collect();
    let accuracy = jobs
        .par_iter()
        .map(|(sname, m)| {
            let full = builtin::series(sname)?.series;
            let series = match last_year {
                Some(yr) => full.truncate_to(yr)?,
                None => full,
            };
            let y = series.values();
            let first = (req.from - series.start() + 1).max(8) as usize;
            let splits: Vec<Split> = (first..y.len())
                .map(|train_end| Split {
                    train_end,
                    horizon: req.horizon.min(y.len() - train_end),
                })
                .collect();
            Ok(AccuracyRow {
                series: sname.to_string(),
                model: m.name,
                scores: evaluate(y, m.choice, &splits),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let industry_name = req
        .industry_model
        .as_ref()
        .map_or(NamedChoice::auto().name, |m| m.name);
    let industry = if req.industry {
        let (method, model, mut rows) = match &req.industry_model {
            None => (
                "market",
                Candidate::DEFAULT.name().to_string(),
                crate::market::compare_with_published(
                    &market::data("worldwide")?,
                    published_forecasts()?,
                    req.simulation,
                ),
            ),
            Some(m) => (
                "annual",
                m.name.to_string(),
                compare_with_industry(m.choice)?,
            ),
        };
        if let Some(c) = cut {
            rows.retain(|r| r.scorable_at(c));
        }
        Some(IndustryComparison {
            method,
            model,
            data_lag_months: DATA_LAG_MONTHS,
            summary: summarize(&rows),
            forecasts: rows,
        })
    } else {
        None
    };
    Ok(BacktestResult {
        provenance: Provenance::builtin(
            &[
                "wsts_annual",
                "wsts_regional_annual",
                "forecast_vintages",
                "wsts_monthly_raw",
            ],
            format!(
                "built-in wsts_annual.csv, wsts_regional_annual.csv, forecast_vintages.csv, wsts_monthly_raw.csv ({})",
                provenance::hbr()
            ),
        ),
        as_of: req.as_of.clone(),
        last_year,
        from: req.from,
        horizon: req.horizon,
        model: industry_name,
        accuracy,
        industry,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_series_and_model_gets_one_accuracy_row_in_order() {
        let r = run(&BacktestRequest {
            series: vec!["worldwide".into(), "japan".into()],
            industry: false,
            ..BacktestRequest::default()
        })
        .unwrap();
        let got: Vec<(&str, &str)> = r
            .accuracy
            .iter()
            .map(|a| (a.series.as_str(), a.model))
            .collect();
        assert_eq!(got, [("worldwide", "auto"), ("japan", "auto")]);
        let s = r.accuracy[0].scores.as_ref().unwrap();
        assert!((0.0..=1.0).contains(&s.cov80) && s.cov80 <= s.cov95 + 1e-12);
        assert!(r.industry.is_none());
    }

    #[test]
    fn an_as_of_before_the_first_origin_is_refused() {
        let err = run(&BacktestRequest {
            as_of: Some("1999-06".into()),
            ..BacktestRequest::default()
        })
        .unwrap_err();
        assert!(
            err.to_string().contains("no origin from --from 2000"),
            "{err}"
        );
    }
}
