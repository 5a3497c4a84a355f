//! Vintage ("as of") forecasts and the comparison with the industry's own published
//! forecasts: for each forecast in the built-in `forecast_vintages` dataset, chipcast makes
//! the forecast it could have made with the data available at that publication date, for
//! the same target year, and both are scored against the WSTS actual.
//!
//! **What "available" means.** Monthly WSTS billings are released about five weeks after
//! the month ends, so a forecast published in month P sees months up to P − 2. Annual totals
//! are used only for complete years. For a target in the publication year, chipcast
//! nowcasts the year from its known months ([`super::nowcast`]); for later targets it fits
//! the annual model to the complete years plus that nowcast and forecasts ahead.
//! Publication dates given only as a year are taken as 1 July.

use super::nowcast::{NowcastMethod, nowcast};
use crate::error::{Error, Result};
use crate::evaluation::select::{ModelChoice, fit_choice};
use crate::ingest::builtin;
use crate::series::time::{RawTime, parse_time};
use crate::series::{MarketSeries, TimeKind, Unit};
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
    /// "nowcast" (target in the data year) or the annual model's name.
    pub how: String,
}

/// The annual series as known at month `data_to`: complete years, plus the current year's
/// ytd-growth nowcast appended when some of its months are known (returned too).
pub fn annual_input_as_of(
    annual: &MarketSeries,
    monthly: &MarketSeries,
    data_to: i64,
) -> Result<(MarketSeries, Option<super::nowcast::Nowcast>)> {
    let year = data_to.div_euclid(12);
    let known = (data_to.rem_euclid(12) + 1) as u32;
    let complete_to = if known == 12 { year } else { year - 1 };
    let monthly_then = monthly.truncate_to(data_to)?;
    let nc = if known < 12 {
        Some(nowcast(
            &monthly_then,
            year,
            known,
            Some(NowcastMethod::YtdGrowth),
            &[],
            1992..=year - 1,
        )?)
    } else {
        None
    };
    let mut values = annual.truncate_to(complete_to)?.values().to_vec();
    if let Some(n) = &nc {
        values.push(n.point);
    }
    let input = MarketSeries::new(
        annual.id(),
        TimeKind::Integer,
        annual.start(),
        values,
        Unit::UsdBillions,
    )?;
    Ok((input, nc))
}

/// chipcast's forecast for `target_year` using monthly data up to month ordinal `data_to`
/// and the complete years before it, with the annual model `choice`.
pub fn forecast_as_of(
    annual: &MarketSeries,
    monthly: &MarketSeries,
    data_to: i64,
    target_year: i64,
    choice: ModelChoice,
) -> Result<VintageForecast> {
    let year = data_to.div_euclid(12);
    let known = (data_to.rem_euclid(12) + 1) as u32;
    let complete_to = if known == 12 { year } else { year - 1 };
    if target_year <= complete_to {
        return Err(Error::invalid(format!(
            "{target_year} was already complete in the data to {}",
            TimeKind::YearMonth.format(data_to)
        )));
    }
    let (input, nc) = annual_input_as_of(annual, monthly, data_to)?;
    if target_year == year {
        if let Some(n) = nc {
            return Ok(VintageForecast {
                data_to,
                target_year,
                point: n.point,
                how: "nowcast".into(),
            });
        }
    }
    let h = (target_year - input.end()) as usize;
    let fitted = fit_choice(input.values(), choice, h)?;
    let f = fitted.model.forecast(h, &[]);
    Ok(VintageForecast {
        data_to,
        target_year,
        point: f.point[h - 1],
        how: fitted.model.name().to_string(),
    })
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
}

/// Compare every published worldwide forecast whose target year has a WSTS actual.
pub fn compare_with_industry(choice: ModelChoice) -> Result<Vec<Comparison>> {
    let annual = builtin::series("worldwide")?.series;
    let monthly = builtin::series("worldwide-monthly")?.series;
    let mut out = Vec::new();
    for p in published_forecasts()? {
        let Some(actual) = annual.value_at(p.target_year) else {
            continue;
        };
        let data_to = p.published_month - DATA_LAG_MONTHS;
        let Ok(c) = forecast_as_of(&annual, &monthly, data_to, p.target_year, choice) else {
            continue;
        };
        let horizon = p.target_year - p.published_month.div_euclid(12);
        out.push(Comparison {
            horizon,
            chipcast: c,
            actual,
            published: p,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ModelSpec;

    #[test]
    fn every_published_total_is_parsed_with_its_line() {
        let rows = published_forecasts().unwrap();
        assert!(rows.len() >= 100, "{}", rows.len());
        let wsts_2024 = rows.iter().find(|r| {
            r.forecaster == "WSTS" && r.target_year == 2024 && (r.value - 611.2).abs() < 0.05
        });
        assert!(
            wsts_2024.is_some(),
            "the WSTS Spring-2024 forecast of 611.2 for 2024 is in the data"
        );
    }

    #[test]
    fn a_vintage_forecast_ignores_data_after_its_cutoff() {
        let annual = builtin::series("worldwide").unwrap().series;
        let monthly = builtin::series("worldwide-monthly").unwrap().series;
        let cut = 2024 * 12 + 3; // data to 2024-04
        let a = forecast_as_of(
            &annual,
            &monthly,
            cut,
            2025,
            ModelChoice::Fixed(ModelSpec::Drift),
        )
        .unwrap();
        // change everything after the cut: the forecast must not move
        let mut later = monthly.values().to_vec();
        let skip = (cut - monthly.start() + 1) as usize;
        for v in later.iter_mut().skip(skip) {
            *v *= 3.0;
        }
        let monthly2 = MarketSeries::new(
            "m",
            TimeKind::YearMonth,
            monthly.start(),
            later,
            Unit::UsdBillions,
        )
        .unwrap();
        let mut annual_vals = annual.values().to_vec();
        for v in annual_vals.iter_mut().skip((2024 - 1986) as usize) {
            *v *= 3.0;
        }
        let annual2 =
            MarketSeries::new("w", TimeKind::Integer, 1986, annual_vals, Unit::UsdBillions)
                .unwrap();
        let b = forecast_as_of(
            &annual2,
            &monthly2,
            cut,
            2025,
            ModelChoice::Fixed(ModelSpec::Drift),
        )
        .unwrap();
        assert_eq!(a.point, b.point);
    }
}
