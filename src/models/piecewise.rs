//! Piecewise log-linear trend: constant growth rates that change at up to two changepoints,
//! fitted by ordinary least squares on ln(y) with `linfa-linear` (segmented regression).
//!
//! ln y_t = a + b·t + Σ_j δ_j·(t − τ_j)₊ + ε_t. Each changepoint τ_j is searched over every
//! admissible period (each segment keeps at least [`MIN_SEGMENT`] points); the number of
//! changepoints (0, 1 or 2, the second found greedily given the first) is chosen by BIC,
//! which penalises each changepoint as two parameters (location and slope change), as in
//! Bai & Perron's information-criterion approach. Forecasts continue the last segment's
//! growth rate; prediction intervals are the OLS ones given the chosen changepoints
//! (Student-t, exp back-transform: the point is the predictive median), so they do not
//! include the uncertainty of *where* the changepoints are.

use super::forecast::{Forecast, Param, log_student_forecast, log_student_path};
use super::linalg::invert;
use super::{FittedModel, Forecaster, too_short};
use crate::error::{Error, Result};
use linfa::Dataset;
use linfa::traits::Fit;
use linfa_linear::LinearRegression;
use ndarray::{Array1, Array2};
use rand::rngs::StdRng;
use std::borrow::Cow;

/// Fewest points per segment.
pub const MIN_SEGMENT: usize = 5;

/// The unfitted model.
#[derive(Debug, Clone, Copy, Default)]
pub struct PiecewiseTrend;

/// Fitted [`PiecewiseTrend`].
#[derive(Debug, Clone)]
pub struct FittedPiecewise {
    n: usize,
    changepoints: Vec<usize>,
    coef: Vec<f64>,
    /// (XᵀX)⁻¹ of the design, for prediction variances.
    xtx_inv: Vec<Vec<f64>>,
    sigma: f64,
    df: f64,
    bic: f64,
}

fn design_row(t: f64, cps: &[usize]) -> Vec<f64> {
    let mut r = vec![1.0, t];
    r.extend(cps.iter().map(|&c| (t - c as f64).max(0.0)));
    r
}

/// OLS via linfa on the given changepoints; returns (coefficients incl. intercept, RSS).
fn ols(ly: &[f64], cps: &[usize]) -> Result<(Vec<f64>, f64)> {
    let n = ly.len();
    let p = 1 + cps.len();
    let x = Array2::from_shape_fn((n, p), |(i, j)| design_row(i as f64, cps)[j + 1]);
    let ds = Dataset::new(x.clone(), Array1::from(ly.to_vec()));
    let fit = LinearRegression::new().fit(&ds).map_err(|e| Error::Fit {
        model: "piecewise".into(),
        reason: e.to_string(),
    })?;
    let mut coef = vec![fit.intercept()];
    coef.extend(fit.params().iter().copied());
    let rss = (0..n)
        .map(|i| {
            let r = design_row(i as f64, cps);
            let f: f64 = r.iter().zip(&coef).map(|(a, b)| a * b).sum();
            (ly[i] - f).powi(2)
        })
        .sum();
    Ok((coef, rss))
}

fn bic(n: usize, rss: f64, n_cps: usize) -> f64 {
    let k = 2 + 2 * n_cps + 1; // intercept, slope, (location + slope change) per changepoint, sigma
    n as f64 * (rss.max(1e-300) / n as f64).ln() + k as f64 * (n as f64).ln()
}

impl Forecaster for PiecewiseTrend {
    type Fitted = FittedPiecewise;
    fn fit(&self, y: &[f64]) -> Result<FittedPiecewise> {
        let n = y.len();
        if n < 4 {
            return Err(too_short("piecewise", n, 4));
        }
        if let Some(i) = y.iter().position(|v| *v <= 0.0) {
            return Err(Error::Fit {
                model: "piecewise".into(),
                reason: format!(
                    "observation {} is {} but growth rates need every value > 0",
                    i + 1,
                    y[i]
                ),
            });
        }
        let ly: Vec<f64> = y.iter().map(|v| v.ln()).collect();
        let (coef0, rss0) = ols(&ly, &[])?;
        let mut best = (Vec::<usize>::new(), coef0, rss0, bic(n, rss0, 0));
        // greedy: best single changepoint, then the best second one given the first
        for _ in 0..2 {
            let mut round: Option<(Vec<usize>, Vec<f64>, f64, f64)> = None;
            for c in MIN_SEGMENT..n.saturating_sub(MIN_SEGMENT - 1) {
                if best.0.iter().any(|&e| e.abs_diff(c) < MIN_SEGMENT) {
                    continue;
                }
                let mut cps = best.0.clone();
                cps.push(c);
                cps.sort_unstable();
                let (coef, rss) = ols(&ly, &cps)?;
                let b = bic(n, rss, cps.len());
                if round.as_ref().is_none_or(|r| b < r.3) {
                    round = Some((cps, coef, rss, b));
                }
            }
            match round {
                Some(r) if r.3 < best.3 => best = r,
                _ => break,
            }
        }
        let (changepoints, coef, rss, bic) = best;
        let p = coef.len();
        let rows: Vec<Vec<f64>> = (0..n)
            .map(|i| design_row(i as f64, &changepoints))
            .collect();
        let xtx = super::linalg::gram(rows.iter().map(Vec::as_slice), p);
        let xtx_inv = invert(xtx).ok_or_else(|| Error::Fit {
            model: "piecewise".into(),
            reason: "singular design".into(),
        })?;
        let df = (n - p) as f64;
        let sigma = if df > 0.0 { (rss / df).sqrt() } else { 0.0 };
        Ok(FittedPiecewise {
            n,
            changepoints,
            coef,
            xtx_inv,
            sigma,
            df: df.max(1.0),
            bic,
        })
    }
}

impl FittedPiecewise {
    fn mean_se(&self, k: usize) -> (f64, f64) {
        let r = design_row((self.n - 1 + k) as f64, &self.changepoints);
        let mu: f64 = r.iter().zip(&self.coef).map(|(a, b)| a * b).sum();
        let q = super::linalg::quadratic_form(&r, &self.xtx_inv);
        (mu, self.sigma * (1.0 + q).sqrt())
    }

    /// Growth rate per period of the last segment.
    pub fn last_growth(&self) -> f64 {
        self.coef[1..].iter().sum::<f64>().exp_m1()
    }
}

impl FittedModel for FittedPiecewise {
    fn name(&self) -> &'static str {
        "piecewise"
    }
    fn description(&self) -> Cow<'static, str> {
        format!(
            "piecewise log-linear trend with {} changepoint(s) chosen by BIC (OLS via linfa-linear; point = predictive median)",
            self.changepoints.len()
        ).into()
    }
    fn params(&self) -> Vec<Param> {
        let mut v = vec![Param::new("growth_last_segment", self.last_growth())];
        let mut slope = self.coef[1];
        v.push(Param::new("growth_segment_1", slope.exp_m1()));
        for (j, c) in self.changepoints.iter().enumerate() {
            slope += self.coef[2 + j];
            v.push(Param::new(
                format!("changepoint_{}_index", j + 1),
                *c as f64,
            ));
            v.push(Param::new(
                format!("growth_segment_{}", j + 2),
                slope.exp_m1(),
            ));
        }
        v.push(Param::new("sigma_log", self.sigma));
        v.push(Param::new("bic", self.bic));
        v
    }
    fn forecast(&self, h: usize, levels: &[f64]) -> Forecast {
        log_student_forecast(h, levels, self.df, false, |k| self.mean_se(k))
    }
    fn simulate(&self, h: usize, rng: &mut StdRng) -> Vec<f64> {
        log_student_path(h, self.df, rng, |k| self.mean_se(k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_growth_slowdown_is_found_and_the_recent_rate_continues() {
        // 15% a year for 15 years, then 4% a year for 15 years
        let mut y = vec![100.0];
        for t in 1..30 {
            let g: f64 = if t < 15 { 1.15 } else { 1.04 };
            y.push(y[t - 1] * g * (1.0 + 0.002 * ((t % 3) as f64 - 1.0)));
        }
        let fit = PiecewiseTrend.fit(&y).unwrap();
        assert!(!fit.changepoints.is_empty());
        assert!(
            (fit.last_growth() - 0.04).abs() < 0.01,
            "{}",
            fit.last_growth()
        );
        let f = fit.forecast(1, &[95.0]);
        assert!((f.point[0] / y[29] - 1.04).abs() < 0.03);
    }

    #[test]
    fn a_constant_growth_series_gets_no_changepoint() {
        let y: Vec<f64> = (0..25)
            .map(|t| 50.0 * 1.06f64.powi(t) * (1.0 + 0.01 * ((t * 7 % 5) as f64 - 2.0)))
            .collect();
        let fit = PiecewiseTrend.fit(&y).unwrap();
        assert!(fit.changepoints.is_empty(), "{:?}", fit.changepoints);
    }
}
