//! The seasonally adjusted run-rate: what a year totals at the pace of its last few months.
//! Used by the nowcast, the cycle regression and the market model; it depends on nothing
//! else in `scenarios`, so they do not import each other through it.

use crate::error::{Error, Result};
use crate::series::{MarketSeries, TimeKind};

/// Months averaged by [`run_rate`].
pub const RUN_RATE_MONTHS: i64 = 3;
/// Complete years behind the month-of-year shares of [`run_rate`].
pub const RUN_RATE_SHARE_YEARS: i64 = 5;

/// Average share of each calendar month (January = index 0) in its year's total over the
/// [`RUN_RATE_SHARE_YEARS`] complete years before `year`.
pub fn month_shares(monthly: &MarketSeries, year: i64) -> Result<[f64; 12]> {
    // (year, total) of each complete year behind the shares
    let totals: Vec<(i64, f64)> = (year - RUN_RATE_SHARE_YEARS..year)
        .filter_map(|y| {
            (0..12)
                .map(|k| monthly.value_at(y * 12 + k))
                .sum::<Option<f64>>()
                .map(|t| (y, t))
        })
        .collect();
    if totals.is_empty() {
        return Err(Error::invalid(format!(
            "month shares for {year} need a complete year of monthly data in the {RUN_RATE_SHARE_YEARS} years before"
        )));
    }
    let mut shares = [0.0; 12];
    for (k, s) in shares.iter_mut().enumerate() {
        *s = totals
            .iter()
            .map(|&(y, total)| monthly.value_at(y * 12 + k as i64).unwrap_or(0.0) / total)
            .sum::<f64>()
            / totals.len() as f64;
    }
    Ok(shares)
}

/// The annual total implied by the last [`RUN_RATE_MONTHS`] months up to `data_to`: their sum
/// divided by the share of the year those calendar months held on average over the
/// [`RUN_RATE_SHARE_YEARS`] years before `data_to`'s year ([`month_shares`]).
pub fn run_rate(monthly: &MarketSeries, data_to: i64) -> Result<f64> {
    let share = month_shares(monthly, data_to.div_euclid(12))?;
    let (mut sum, mut shares) = (0.0, 0.0);
    for t in data_to - RUN_RATE_MONTHS + 1..=data_to {
        let v = monthly.value_at(t).ok_or_else(|| {
            Error::invalid(format!(
                "a run-rate needs the month {}",
                TimeKind::YearMonth.format(t)
            ))
        })?;
        sum += v;
        shares += share[t.rem_euclid(12) as usize];
    }
    let rr = sum / shares;
    if rr.is_finite() && rr > 0.0 {
        Ok(rr)
    } else {
        Err(Error::invalid(format!(
            "the run-rate at {} is not a positive number",
            TimeKind::YearMonth.format(data_to)
        )))
    }
}
