//! Nowcasting the current year's total from the months already known.
//!
//! total = Σ known months + Σ forecasts of the remaining months, with two methods:
//!
//! * **regression** — OLS with `linfa-linear` on ln(monthly billings) over the last 36 months
//!   before the cut-off: a linear trend plus 11 month effects (WSTS months follow a 4-4-5
//!   week calendar, so March, June, September and December are larger). Remaining months
//!   are forecast as exp(μ + s²/2) (lognormal mean).
//! * **ytd-growth** — the analyst's rule: the remaining months of last year, scaled by the
//!   year-to-date growth over the same months of last year.
//!
//! Intervals come from the nowcast's own track record: for every earlier complete year, the
//! same method with the same number of known months is run on the data then available,
//! and the log errors ln(actual / nowcast) give a root-mean-square error per number of
//! known months; the interval is nowcast · exp(±z·rmse). `auto` picks, per number of known
//! months, the method with the lower backtest RMSE. Nothing after the cut-off is used.

use super::runrate::{month_shares, run_rate};
use crate::error::{Error, Result};
use crate::evaluation::metrics::{log_rmse, lognormal_intervals, mape_from_log_errors};
use crate::series::{MarketSeries, TimeKind};
use linfa::Dataset;
use linfa::traits::Fit;
use linfa_linear::LinearRegression;
use ndarray::{Array1, Array2};
use serde::Serialize;

/// How the remaining months are forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NowcastMethod {
    /// Trend + month effects on logs (linfa-linear), last 36 months.
    Regression,
    /// Last year's remaining months × year-to-date growth.
    YtdGrowth,
    /// The seasonally adjusted run-rate of the last three months × the remaining months'
    /// average share of the year.
    RunRate,
}

impl NowcastMethod {
    /// Name as printed.
    pub fn name(self) -> &'static str {
        match self {
            NowcastMethod::Regression => "regression",
            NowcastMethod::YtdGrowth => "ytd-growth",
            NowcastMethod::RunRate => "run-rate",
        }
    }
}

/// Months of history the regression uses.
pub const WINDOW: i64 = 36;

fn month_ordinal(year: i64, month: u32) -> i64 {
    year * 12 + i64::from(month) - 1
}

/// Point nowcast of `year`'s total with months 1..=`known` observed, using only data up to
/// that month.
pub fn point(monthly: &MarketSeries, year: i64, known: u32, method: NowcastMethod) -> Result<f64> {
    if monthly.kind() != TimeKind::YearMonth {
        return Err(Error::invalid(
            "nowcasting needs a monthly (YYYY-MM) series",
        ));
    }
    if !(1..=11).contains(&known) {
        return Err(Error::invalid(format!(
            "a nowcast needs 1 to 11 known months, got {known}"
        )));
    }
    let cutoff = month_ordinal(year, known);
    let data = monthly.truncate_to(cutoff)?;
    if data.end() < cutoff {
        return Err(Error::invalid(format!(
            "the data end at {}; {} months of {year} are not known yet",
            data.kind().format(data.end()),
            known
        )));
    }
    let value = |o: i64| {
        data.value_at(o)
            .ok_or_else(|| Error::invalid(format!("no data for {}", data.kind().format(o))))
    };
    let known_sum: f64 = (1..=known)
        .map(|m| value(month_ordinal(year, m)))
        .sum::<Result<f64>>()?;
    let rest = match method {
        NowcastMethod::RunRate => {
            let shares = month_shares(&data, year)?;
            run_rate(&data, cutoff)? * shares[known as usize..].iter().sum::<f64>()
        }
        NowcastMethod::YtdGrowth => {
            let last_ytd: f64 = (1..=known)
                .map(|m| value(month_ordinal(year - 1, m)))
                .sum::<Result<f64>>()?;
            let last_rest: f64 = (known + 1..=12)
                .map(|m| value(month_ordinal(year - 1, m)))
                .sum::<Result<f64>>()?;
            if last_ytd <= 0.0 {
                return Err(Error::invalid(
                    "last year's year-to-date total is not positive",
                ));
            }
            last_rest * known_sum / last_ytd
        }
        NowcastMethod::Regression => {
            let first = cutoff - WINDOW + 1;
            if first < data.start() {
                return Err(Error::invalid(format!(
                    "the regression needs {WINDOW} months before the cut-off"
                )));
            }
            let ys: Vec<f64> = (first..=cutoff).map(&value).collect::<Result<Vec<f64>>>()?;
            if ys.iter().any(|v| *v <= 0.0) {
                return Err(Error::invalid(
                    "monthly values must be positive for the log regression",
                ));
            }
            let features = |o: i64| -> Vec<f64> {
                let mut f = vec![(o - first) as f64];
                let month = o.rem_euclid(12);
                f.extend((1..12).map(|m| f64::from(u8::from(month == m))));
                f
            };
            let x = Array2::from_shape_fn((ys.len(), 12), |(i, j)| features(first + i as i64)[j]);
            let target = Array1::from_iter(ys.iter().map(|v| v.ln()));
            let fit = LinearRegression::new()
                .fit(&Dataset::new(x.clone(), target.clone()))
                .map_err(|e| Error::Fit {
                    model: "nowcast regression".into(),
                    reason: e.to_string(),
                })?;
            let predict = |f: &[f64]| {
                fit.intercept() + f.iter().zip(fit.params()).map(|(a, b)| a * b).sum::<f64>()
            };
            let rss: f64 = (0..ys.len())
                .map(|i| (target[i] - predict(&features(first + i as i64))).powi(2))
                .sum();
            let s2 = rss / (ys.len() - 13) as f64;
            (known + 1..=12)
                .map(|m| (predict(&features(month_ordinal(year, m))) + s2 / 2.0).exp())
                .sum()
        }
    };
    Ok(known_sum + rest)
}

/// Track record of one method for one number of known months.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrackRecord {
    /// Known months.
    pub known: u32,
    /// Method.
    pub method: NowcastMethod,
    /// Years scored.
    pub years: Vec<i64>,
    /// ln(actual / nowcast) per year.
    pub log_errors: Vec<f64>,
}

impl TrackRecord {
    /// Root mean square of the log errors.
    pub fn rmse(&self) -> f64 {
        log_rmse(&self.log_errors)
    }
    /// Mean absolute percentage error of the total.
    pub fn mape(&self) -> f64 {
        mape_from_log_errors(&self.log_errors)
    }
    /// Mean log error (positive = nowcasts too low).
    pub fn bias(&self) -> f64 {
        self.log_errors.iter().sum::<f64>() / self.log_errors.len().max(1) as f64
    }
}

/// Backtest a method: nowcast every complete year in `years` with `known` months.
pub fn track_record(
    monthly: &MarketSeries,
    years: impl IntoIterator<Item = i64>,
    known: u32,
    method: NowcastMethod,
) -> TrackRecord {
    let mut out = TrackRecord {
        known,
        method,
        years: Vec::new(),
        log_errors: Vec::new(),
    };
    for y in years {
        let actual: Option<f64> = (1..=12)
            .map(|m| monthly.value_at(month_ordinal(y, m)))
            .sum();
        let (Some(actual), Ok(nc)) = (actual, point(monthly, y, known, method)) else {
            continue;
        };
        if actual > 0.0 && nc > 0.0 {
            out.years.push(y);
            out.log_errors.push((actual / nc).ln());
        }
    }
    out
}

/// A nowcast with intervals from the track record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Nowcast {
    /// Target year.
    pub year: i64,
    /// Months known.
    pub known: u32,
    /// Sum of the known months.
    pub known_sum: f64,
    /// Method used.
    pub method: NowcastMethod,
    /// Point nowcast of the year's total.
    pub point: f64,
    /// (level, lower, upper).
    pub intervals: Vec<(f64, f64, f64)>,
    /// The track record behind the intervals.
    pub record: TrackRecord,
}

impl Nowcast {
    /// Probability that the year's total is at least `x`, from the lognormal error of the
    /// track record: 1 − Φ(ln(x / point) / RMSE); 1 when the known months already reach `x`.
    pub fn p_at_least(&self, x: f64) -> f64 {
        use statrs::distribution::{ContinuousCDF, Normal};
        if self.known_sum >= x {
            return 1.0;
        }
        let sd = self.record.rmse();
        if sd <= 0.0 {
            return f64::from(u8::from(self.point >= x));
        }
        let n = Normal::new(0.0, 1.0).expect("standard normal is valid");
        1.0 - n.cdf((x / self.point).ln() / sd)
    }
}

/// Nowcast `year` with `known` months, choosing the method (or `auto`: the lower backtest
/// RMSE over `backtest_years`), with intervals at `levels`.
pub fn nowcast(
    monthly: &MarketSeries,
    year: i64,
    known: u32,
    method: Option<NowcastMethod>,
    levels: &[f64],
    backtest_years: std::ops::RangeInclusive<i64>,
) -> Result<Nowcast> {
    let backtest_years = *backtest_years.start()..=(*backtest_years.end()).min(year - 1);
    let candidates = match method {
        Some(m) => vec![m],
        None => vec![
            NowcastMethod::Regression,
            NowcastMethod::YtdGrowth,
            NowcastMethod::RunRate,
        ],
    };
    let record = candidates
        .into_iter()
        .map(|m| track_record(monthly, backtest_years.clone(), known, m))
        .filter(|r| r.log_errors.len() >= 5)
        .min_by(|a, b| a.rmse().total_cmp(&b.rmse()))
        .ok_or_else(|| {
            Error::invalid(
                "fewer than 5 earlier years to backtest the nowcast; use an earlier --from-year",
            )
        })?;
    let p = point(monthly, year, known, record.method)?;
    let known_sum: f64 = (1..=known)
        .filter_map(|m| monthly.value_at(month_ordinal(year, m)))
        .sum();
    // the total cannot fall below the months already known
    let intervals = lognormal_intervals(p, record.rmse(), levels)
        .into_iter()
        .map(|(l, lo, hi)| (l, lo.max(known_sum), hi))
        .collect();
    Ok(Nowcast {
        year,
        known,
        known_sum,
        method: record.method,
        point: p,
        intervals,
        record,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::series::Unit;

    /// 10 years of months with a 4-4-5 pattern and 5% yearly growth.
    fn synthetic() -> MarketSeries {
        let v: Vec<f64> = (0..120)
            .map(|i| {
                let m = i % 12;
                let weeks = if m % 3 == 2 { 5.0 } else { 4.0 };
                weeks * 10.0 * 1.05f64.powf(i as f64 / 12.0)
            })
            .collect();
        MarketSeries::new("m", TimeKind::YearMonth, 2010 * 12, v, Unit::UsdBillions).unwrap()
    }

    #[test]
    fn a_clean_seasonal_series_is_nowcast_almost_exactly_by_both_methods() {
        let s = synthetic();
        let actual: f64 = (0..12).map(|m| s.value_at(2018 * 12 + m).unwrap()).sum();
        for method in [
            NowcastMethod::Regression,
            NowcastMethod::YtdGrowth,
            NowcastMethod::RunRate,
        ] {
            let p = point(&s, 2018, 3, method).unwrap();
            assert!(
                (p / actual - 1.0).abs() < 0.005,
                "{method:?}: {p} vs {actual}"
            );
        }
    }

    #[test]
    fn a_nowcast_never_uses_months_after_its_cutoff() {
        let s = synthetic();
        let mut later_changed = s.values().to_vec();
        for v in later_changed.iter_mut().skip((2018 - 2010) * 12 + 3) {
            *v *= 10.0;
        }
        let t = MarketSeries::new(
            "m",
            TimeKind::YearMonth,
            2010 * 12,
            later_changed,
            Unit::UsdBillions,
        )
        .unwrap();
        for method in [
            NowcastMethod::Regression,
            NowcastMethod::YtdGrowth,
            NowcastMethod::RunRate,
        ] {
            assert_eq!(
                point(&s, 2018, 3, method).unwrap(),
                point(&t, 2018, 3, method).unwrap()
            );
        }
    }

    #[test]
    fn intervals_contain_the_point_and_respect_the_known_months() {
        let s = synthetic();
        let n = nowcast(&s, 2019, 4, None, &[80.0, 95.0], 2013..=2018).unwrap();
        for (_, lo, hi) in &n.intervals {
            assert!(*lo <= n.point && n.point <= *hi && *lo >= n.known_sum);
        }
    }

    #[test]
    fn unknown_months_are_refused() {
        let s = synthetic();
        assert!(point(&s, 2020, 3, NowcastMethod::YtdGrowth).is_err());
        assert!(point(&s, 2018, 0, NowcastMethod::YtdGrowth).is_err());
    }

    #[test]
    fn the_chance_of_reaching_a_total_follows_the_interval() {
        let s = crate::ingest::builtin::series("worldwide-monthly")
            .unwrap()
            .series;
        let n = nowcast(&s, 2019, 4, None, &[95.0], 1992..=2018).unwrap();
        let (_, lo, hi) = n.intervals[0];
        assert!(lo > n.known_sum);
        // the 95% bounds are the 97.5% and 2.5% points of the same lognormal
        assert!(
            (n.p_at_least(lo) - 0.975).abs() < 1e-6,
            "{}",
            n.p_at_least(lo)
        );
        assert!((n.p_at_least(hi) - 0.025).abs() < 1e-6);
        assert!((n.p_at_least(n.point) - 0.5).abs() < 1e-9);
        assert_eq!(n.p_at_least(n.known_sum * 0.5), 1.0);
    }
}
