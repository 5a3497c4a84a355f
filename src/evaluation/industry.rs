//! The comparison with the industry's own published forecasts: the forecasts in the built-in
//! `forecast_vintages` dataset, chipcast's forecast beside each (made elsewhere, with the data
//! available at its publication date: `scenarios::vintage` for a named annual model,
//! `market::compare_with_published` for the market model), and both scored against the WSTS
//! actual with a paired interval of the difference.

use crate::error::Result;
use crate::ingest::builtin;
use crate::series::time::{RawTime, parse_time};
use serde::Serialize;

/// Months between the end of a month and the publication of its WSTS billings, rounded up.
pub const DATA_LAG_MONTHS: i64 = 2;

/// One published forecast of the worldwide total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedForecast {
    /// Who published it.
    pub forecaster: String,
    /// Publication date as written.
    pub published: String,
    /// Publication month ordinal (year·12 + month − 1).
    pub published_month: i64,
    /// Target year.
    pub target_year: i64,
    /// Forecast, USD bn.
    pub value: f64,
    /// Line in `forecast_vintages.csv`.
    pub line: usize,
}

/// The worldwide-total forecasts in the built-in dataset.
pub fn published_forecasts() -> Result<Vec<PublishedForecast>> {
    let ds = builtin::dataset("forecast_vintages")?;
    let t = ds.table()?;
    let (cf, cp, ct, cv, cs) = (
        t.col("forecaster")?,
        t.col("published")?,
        t.col("target_year")?,
        t.col("value_busd")?,
        t.col("segment")?,
    );
    let mut out = Vec::new();
    for i in 0..t.rows.len() {
        if t.cell(i, cs) != "total" {
            continue;
        }
        let Ok(value) = t.cell(i, cv).parse::<f64>() else {
            continue;
        };
        let published = t.cell(i, cp).to_string();
        let published_month = match parse_time(&published) {
            Some(RawTime::Date(y, m, _) | RawTime::Month(y, m)) => y * 12 + i64::from(m) - 1,
            Some(RawTime::Quarter(y, q, _)) => y * 12 + 3 * i64::from(q) - 1,
            Some(RawTime::Int(y)) => y * 12 + 6,
            None => continue,
        };
        let Ok(target_year) = t.cell(i, ct).parse::<i64>() else {
            continue;
        };
        out.push(PublishedForecast {
            forecaster: t.cell(i, cf).to_string(),
            published,
            published_month,
            target_year,
            value,
            line: i + 2,
        });
    }
    Ok(out)
}

/// What chipcast would have said at a given month about a target year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VintageForecast {
    /// Last month of data used (ordinal).
    pub data_to: i64,
    /// Target year.
    pub target_year: i64,
    /// Point forecast, USD bn.
    pub point: f64,
    /// "nowcast" (target in the data year), "cycle-regression" (the next two years),
    /// "run-rate" (the next year when the regression has too little history) or the annual
    /// model's name.
    pub how: String,
}

/// One published forecast beside chipcast's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The published forecast.
    pub published: PublishedForecast,
    /// Years between the publication year and the target (0 = current year).
    pub horizon: i64,
    /// chipcast's forecast with the data then available.
    pub chipcast: VintageForecast,
    /// WSTS actual.
    pub actual: f64,
}

impl Comparison {
    /// Absolute percentage error of the published forecast.
    pub fn industry_ape(&self) -> f64 {
        100.0 * (self.published.value / self.actual - 1.0).abs()
    }
    /// Absolute percentage error of chipcast's.
    pub fn chipcast_ape(&self) -> f64 {
        100.0 * (self.chipcast.point / self.actual - 1.0).abs()
    }
    /// Could this comparison have been scored at month ordinal `month`: the forecast was out
    /// and its target year had ended?
    pub fn scorable_at(&self, month: i64) -> bool {
        self.published.published_month <= month && self.published.target_year * 12 + 11 <= month
    }
}

/// One forecaster at one horizon: how its published forecasts and chipcast's compare.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonSummary {
    /// Who published.
    pub forecaster: String,
    /// Years from publication to target.
    pub horizon: i64,
    /// Forecasts compared.
    pub n: usize,
    /// Mean absolute % error of the published forecasts.
    pub industry_mape: f64,
    /// Mean absolute % error of chipcast's.
    pub chipcast_mape: f64,
    /// Forecasts where chipcast was closer.
    pub chipcast_closer: usize,
    /// 95% interval of the mean paired difference (chipcast − industry absolute % error),
    /// Student t on n − 1 degrees of freedom; `None` below 3 forecasts. An interval that
    /// contains 0 means the data cannot tell the two apart.
    pub difference_ci95: Option<(f64, f64)>,
}

/// Summarise comparisons per (forecaster, horizon), sorted by forecaster then horizon.
pub fn summarize(rows: &[Comparison]) -> Vec<ComparisonSummary> {
    let mut groups: std::collections::BTreeMap<(String, i64), Vec<&Comparison>> =
        std::collections::BTreeMap::new();
    for r in rows {
        groups
            .entry((r.published.forecaster.clone(), r.horizon))
            .or_default()
            .push(r);
    }
    groups
        .into_iter()
        .map(|((forecaster, horizon), g)| {
            let n = g.len();
            let mean =
                |f: &dyn Fn(&Comparison) -> f64| g.iter().map(|r| f(r)).sum::<f64>() / n as f64;
            let industry_mape = mean(&|r| r.industry_ape());
            let chipcast_mape = mean(&|r| r.chipcast_ape());
            let diff = chipcast_mape - industry_mape;
            let difference_ci95 = (n >= 3).then(|| {
                let var = g
                    .iter()
                    .map(|r| (r.chipcast_ape() - r.industry_ape() - diff).powi(2))
                    .sum::<f64>()
                    / (n - 1) as f64;
                let half = crate::models::forecast::student_t(95.0, (n - 1) as f64)
                    * (var / n as f64).sqrt();
                (diff - half, diff + half)
            });
            ComparisonSummary {
                forecaster,
                horizon,
                n,
                industry_mape,
                chipcast_mape,
                chipcast_closer: g
                    .iter()
                    .filter(|r| r.chipcast_ape() < r.industry_ape())
                    .count(),
                difference_ci95,
            }
        })
        .collect()
}
