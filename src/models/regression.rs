//! Trend plus external regressors on the log scale, fitted with `linfa-linear`:
//! ln y_t = a + b·t + Σ_j c_j·x_{j,t} + ε_t.
//!
//! Regressors must be known for every training period **and** every forecast period; the
//! constructor checks both, so a forecast never silently extrapolates a regressor. The
//! regressors enter as given (use ln of a money regressor yourself if you want an
//! elasticity). Intervals: OLS prediction intervals (Student-t) given the future
//! regressor values, which are treated as known; exp back-transform (point = median).

use super::forecast::{Forecast, Param, log_student_forecast, log_student_path};
use super::{FittedModel, Forecaster};
use crate::error::{Error, Result};
use linfa::Dataset;
use linfa::traits::Fit;
use linfa_linear::LinearRegression;
use ndarray::{Array1, Array2};
use rand::rngs::StdRng;
use std::borrow::Cow;

/// A regression specification with its data.
#[derive(Debug, Clone)]
pub struct TrendRegression {
    names: Vec<String>,
    /// `history[i][j]`: regressor j at training period i.
    history: Vec<Vec<f64>>,
    /// `future[k][j]`: regressor j at forecast step k+1.
    future: Vec<Vec<f64>>,
}

impl TrendRegression {
    /// Build and check: every row has one value per name, all finite, and at least
    /// `horizon` future rows. `describe` names periods in messages (training row index →
    /// text, future step → text).
    pub fn new(
        names: Vec<String>,
        history: Vec<Vec<f64>>,
        future: Vec<Vec<f64>>,
        horizon: usize,
    ) -> Result<Self> {
        if names.is_empty() {
            return Err(Error::invalid(
                "a regression needs at least one regressor column",
            ));
        }
        for (i, row) in history.iter().chain(&future).enumerate() {
            if row.len() != names.len() || row.iter().any(|v| !v.is_finite()) {
                return Err(Error::invalid(format!(
                    "regressor row {} is incomplete or not finite",
                    i + 1
                )));
            }
        }
        if future.len() < horizon {
            return Err(Error::invalid(format!(
                "the forecast needs regressor values for {horizon} future periods but only {} are given",
                future.len()
            )));
        }
        Ok(Self {
            names,
            history,
            future,
        })
    }
}

/// Fitted [`TrendRegression`].
#[derive(Debug, Clone)]
pub struct FittedRegression {
    names: Vec<String>,
    n: usize,
    coef: Vec<f64>,
    xtx_inv: Vec<Vec<f64>>,
    future: Vec<Vec<f64>>,
    sigma: f64,
    df: f64,
}

fn row(t: f64, x: &[f64]) -> Vec<f64> {
    let mut r = vec![1.0, t];
    r.extend_from_slice(x);
    r
}

impl Forecaster for TrendRegression {
    type Fitted = FittedRegression;
    fn fit(&self, y: &[f64]) -> Result<FittedRegression> {
        let n = y.len();
        let p = 2 + self.names.len();
        if self.history.len() != n {
            return Err(Error::invalid(format!(
                "regressors cover {} training periods but the series has {n}",
                self.history.len()
            )));
        }
        if n < p + 2 {
            return Err(super::too_short("regression", n, p + 2));
        }
        if let Some(i) = y.iter().position(|v| *v <= 0.0) {
            return Err(Error::Fit {
                model: "regression".into(),
                reason: format!("observation {} is not > 0", i + 1),
            });
        }
        let ly: Vec<f64> = y.iter().map(|v| v.ln()).collect();
        let x = Array2::from_shape_fn((n, p - 1), |(i, j)| row(i as f64, &self.history[i])[j + 1]);
        let fit = LinearRegression::new()
            .fit(&Dataset::new(x, Array1::from(ly.clone())))
            .map_err(|e| Error::Fit {
                model: "regression".into(),
                reason: e.to_string(),
            })?;
        let mut coef = vec![fit.intercept()];
        coef.extend(fit.params().iter().copied());
        let rows: Vec<Vec<f64>> = self
            .history
            .iter()
            .enumerate()
            .map(|(i, x_i)| row(i as f64, x_i))
            .collect();
        let rss: f64 = rows
            .iter()
            .zip(&ly)
            .map(|(r, ly_i)| (ly_i - r.iter().zip(&coef).map(|(a, b)| a * b).sum::<f64>()).powi(2))
            .sum();
        let xtx = super::linalg::gram(rows.iter().map(Vec::as_slice), p);
        let xtx_inv = super::linalg::invert(xtx).ok_or_else(|| Error::Fit {
            model: "regression".into(),
            reason: "the regressors are collinear with the trend or each other".into(),
        })?;
        let df = (n - p) as f64;
        Ok(FittedRegression {
            names: self.names.clone(),
            n,
            coef,
            xtx_inv,
            future: self.future.clone(),
            sigma: (rss / df).sqrt(),
            df,
        })
    }
}

impl FittedRegression {
    fn mean_se(&self, k: usize) -> (f64, f64) {
        let x = &self.future[(k - 1).min(self.future.len() - 1)];
        let r = row((self.n - 1 + k) as f64, x);
        let mu: f64 = r.iter().zip(&self.coef).map(|(a, b)| a * b).sum();
        let q = super::linalg::quadratic_form(&r, &self.xtx_inv);
        (mu, self.sigma * (1.0 + q).sqrt())
    }
}

impl FittedModel for FittedRegression {
    fn name(&self) -> &'static str {
        "regression"
    }
    fn description(&self) -> Cow<'static, str> {
        format!(
            "log-linear trend + regressors ({}), OLS via linfa-linear; point = predictive median",
            self.names.join(", ")
        )
        .into()
    }
    fn params(&self) -> Vec<Param> {
        let mut v = vec![
            Param::new("intercept", self.coef[0]),
            Param::new("trend_growth", self.coef[1].exp_m1()),
        ];
        for (j, name) in self.names.iter().enumerate() {
            v.push(Param::new(format!("coef.{name}"), self.coef[2 + j]));
        }
        v.push(Param::new("sigma_log", self.sigma));
        v
    }
    /// Steps beyond the checked future regressor rows reuse the last row; the constructor
    /// guarantees rows for the requested horizon.
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
    fn an_exact_regressor_effect_is_recovered() {
        let x: Vec<f64> = (0..20).map(|i| ((i * 37) % 11) as f64).collect();
        let y: Vec<f64> = (0..20)
            .map(|i| (1.0 + 0.05 * i as f64 + 0.2 * x[i]).exp())
            .collect();
        let reg = TrendRegression::new(
            vec!["capex".into()],
            x.iter().map(|v| vec![*v]).collect(),
            vec![vec![3.0], vec![4.0]],
            2,
        )
        .unwrap();
        let fit = reg.fit(&y).unwrap();
        let p = fit.params();
        assert!((p[2].value - 0.2).abs() < 1e-9, "{p:?}");
        let f = fit.forecast(1, &[95.0]);
        assert!((f.point[0] - (1.0 + 0.05 * 20.0 + 0.2 * 3.0f64).exp()).abs() < 1e-6);
    }

    #[test]
    fn missing_future_values_are_refused() {
        let e = TrendRegression::new(vec!["x".into()], vec![vec![1.0]; 10], vec![vec![1.0]], 3)
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("needs regressor values for 3 future periods but only 1"),
            "{e}"
        );
    }

    #[test]
    fn collinear_regressors_are_refused() {
        let hist: Vec<Vec<f64>> = (0..12).map(|i| vec![i as f64]).collect();
        let y: Vec<f64> = (0..12).map(|i| 10.0 + i as f64).collect();
        let reg =
            TrendRegression::new(vec!["time_again".into()], hist, vec![vec![12.0]], 1).unwrap();
        assert!(reg.fit(&y).is_err());
    }
}
