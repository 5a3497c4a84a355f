//! The demand gap: how far is what the chip industry will sell from what compute-demand
//! estimates (e.g. Altman's reported $5-7T) say is needed?

use crate::series::MarketSeries;
use serde::Serialize;

/// A demand figure and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemandFigure {
    /// Label, e.g. "Altman (high end)".
    pub label: String,
    /// Amount in USD bn over the window.
    pub value: f64,
    /// Source text or "user (--demand)".
    pub source: String,
}

/// One year of supply in the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupplyYear {
    /// Year.
    pub year: i64,
    /// Actual or point forecast.
    pub value: f64,
    /// `true` when the value is a recorded actual.
    pub actual: bool,
}

/// The gap for one demand figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapRow {
    /// The demand figure.
    pub demand: DemandFigure,
    /// demand / cumulative projected supply.
    pub ratio: f64,
    /// demand − cumulative projected supply (USD bn; negative = supply exceeds demand).
    pub shortfall: f64,
    /// demand / mean annual projected supply in the window.
    pub years_of_sales: f64,
    /// Constant annual growth from the last actual that would make cumulative supply equal
    /// demand by the end year (`None` when actuals alone exceed it or no year is left).
    pub growth_needed: Option<f64>,
}

/// The whole gap analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapReport {
    /// First year of the window.
    pub from: i64,
    /// Last year of the window.
    pub to: i64,
    /// Supply per year.
    pub supply: Vec<SupplyYear>,
    /// Sum of `supply`.
    pub cumulative: f64,
    /// Central 95% range of cumulative supply from sample paths: (2.5%, 97.5%).
    pub cumulative_95: Option<(f64, f64)>,
    /// One row per demand figure.
    pub rows: Vec<GapRow>,
}

/// Build the gap report.
///
/// `point` holds the point forecast for periods `series.end()+1 ..`; `paths` (optional)
/// are simulated sample paths over the same periods, used for the cumulative range.
pub fn gap(
    series: &MarketSeries,
    point: &[f64],
    paths: Option<&[Vec<f64>]>,
    from: i64,
    to: i64,
    demands: &[DemandFigure],
) -> GapReport {
    let end = series.end();
    let value = |year: i64, fc: &[f64]| -> (f64, bool) {
        match series.value_at(year) {
            Some(v) => (v, true),
            None => (fc[(year - end - 1) as usize], false),
        }
    };
    let supply: Vec<SupplyYear> = (from..=to)
        .map(|year| {
            let (value, actual) = value(year, point);
            SupplyYear {
                year,
                value,
                actual,
            }
        })
        .collect();
    let cumulative: f64 = supply.iter().map(|s| s.value).sum();
    let cumulative_95 = paths.filter(|p| !p.is_empty()).map(|paths| {
        let mut sums: Vec<f64> = paths
            .iter()
            .map(|p| (from..=to).map(|y| value(y, p).0).sum())
            .collect();
        sums.sort_by(f64::total_cmp);
        let q = |p: f64| sums[((sums.len() - 1) as f64 * p).round() as usize];
        (q(0.025), q(0.975))
    });
    let years = (to - from + 1) as f64;
    let actual_sum: f64 = supply.iter().filter(|s| s.actual).map(|s| s.value).sum();
    let last_actual = series.values()[series.len() - 1];
    let rows = demands
        .iter()
        .map(|d| GapRow {
            demand: d.clone(),
            ratio: d.value / cumulative,
            shortfall: d.value - cumulative,
            years_of_sales: d.value / (cumulative / years),
            growth_needed: growth_needed(
                d.value,
                actual_sum,
                last_actual,
                end,
                from.max(end + 1),
                to,
            ),
        })
        .collect();
    GapReport {
        from,
        to,
        supply,
        cumulative,
        cumulative_95,
        rows,
    }
}

/// Solve Σ_{t=first..=to} last·(1+g)^(t−end) = demand − actual_sum for g by bisection.
fn growth_needed(
    demand: f64,
    actual_sum: f64,
    last: f64,
    end: i64,
    first: i64,
    to: i64,
) -> Option<f64> {
    growth_needed_weighted(demand - actual_sum, last, end, first, to, &|_| 1.0)
}

/// Solve Σ_{t=first..=to} w(t)·last·(1+g)^(t−end) = need for g by bisection: the constant
/// yearly growth from the last actual that makes the weighted sum of later years `need`
/// (`w` is 1 for total sales, or each year's AI share for AI-chip sales).
pub(crate) fn growth_needed_weighted(
    need: f64,
    last: f64,
    end: i64,
    first: i64,
    to: i64,
    w: &dyn Fn(i64) -> f64,
) -> Option<f64> {
    if need <= 0.0 || first > to || last <= 0.0 {
        return None;
    }
    let total = |g: f64| {
        (first..=to)
            .map(|t| w(t) * last * (1.0 + g).powi((t - end) as i32))
            .sum::<f64>()
    };
    if total(0.0) <= 0.0 {
        return None;
    }
    let (mut lo, mut hi) = (-0.99, 1.0);
    while total(hi) < need {
        hi *= 2.0;
        if hi > 1e6 {
            return None;
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if total(mid) < need {
            lo = mid
        } else {
            hi = mid
        }
    }
    Some(0.5 * (lo + hi))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::series::{TimeKind, Unit};

    fn hist() -> MarketSeries {
        MarketSeries::new(
            "w",
            TimeKind::Integer,
            2022,
            vec![574.0, 527.0, 630.0],
            Unit::UsdBillions,
        )
        .unwrap()
    }

    #[test]
    fn actual_years_use_data_and_later_years_use_the_forecast() {
        let d = [DemandFigure {
            label: "x".into(),
            value: 7000.0,
            source: "test".into(),
        }];
        let r = gap(&hist(), &[700.0, 800.0], None, 2024, 2026, &d);
        assert_eq!(
            r.supply.iter().map(|s| s.actual).collect::<Vec<_>>(),
            vec![true, false, false]
        );
        assert_eq!(r.cumulative, 2130.0);
        assert!((r.rows[0].ratio - 7000.0 / 2130.0).abs() < 1e-12);
        assert!((r.rows[0].years_of_sales - 7000.0 / 710.0).abs() < 1e-12);
        assert_eq!(r.rows[0].shortfall, 4870.0);
    }

    #[test]
    fn the_growth_needed_closes_the_gap_exactly() {
        let d = [DemandFigure {
            label: "x".into(),
            value: 5000.0,
            source: "test".into(),
        }];
        let r = gap(&hist(), &[700.0, 800.0, 900.0], None, 2024, 2027, &d);
        let g = r.rows[0].growth_needed.unwrap();
        let supplied: f64 = 630.0 + (1..=3).map(|k| 630.0 * (1.0 + g).powi(k)).sum::<f64>();
        assert!((supplied - 5000.0).abs() < 1e-6, "{supplied}");
    }

    #[test]
    fn no_growth_is_needed_when_supply_already_exceeds_demand() {
        let d = [DemandFigure {
            label: "x".into(),
            value: 100.0,
            source: "test".into(),
        }];
        let r = gap(&hist(), &[700.0], None, 2024, 2025, &d);
        assert!(r.rows[0].growth_needed.is_none());
        assert!(r.rows[0].shortfall < 0.0);
    }
}
