//! Constant growth (CAGR) model: ordinary least squares of ln(y) on time, fitted with
//! `linfa-linear`, with exact regression prediction intervals.
//!
//! ln y_t = a + b·t + ε_t, ε ~ N(0, σ²). The growth rate is CAGR = e^b − 1.
//! For a future t₀ the log-scale prediction has standard error
//! s·√(1 + 1/n + (t₀ − t̄)²/Sxx) and a Student-t with n − 2 degrees of freedom.
//!
//! **Back-transform.** Interval bounds are exp() of the log-scale bounds (quantiles survive
//! a monotone transform). The point forecast is the predictive *median* exp(μ̂) by
//! default; with `bias_adjust` it is the *mean* exp(μ̂ + se²/2) (Hyndman's "bias-adjusted"
//! back-transform, as `biasadj = TRUE` in R's forecast).

use super::forecast::{Forecast, Param, log_student_forecast, student_t};
use super::{FittedModel, Forecaster, too_short};
use crate::error::{Error, Result};
use linfa::Dataset;
use linfa::traits::Fit;
use linfa_linear::LinearRegression;
use ndarray::{Array1, Array2};
use rand::rngs::StdRng;
use std::borrow::Cow;

/// The unfitted log-linear trend model.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogLinear {
    /// Point forecast is the mean rather than the median.
    pub bias_adjust: bool,
}

/// Fitted [`LogLinear`].
#[derive(Debug, Clone)]
pub struct FittedLogLinear {
    n: usize,
    /// Intercept at the centred time t̄ (log scale).
    a_centre: f64,
    slope: f64,
    t_bar: f64,
    sxx: f64,
    sigma: f64,
    r2: f64,
    bias_adjust: bool,
}

impl Forecaster for LogLinear {
    type Fitted = FittedLogLinear;

    fn fit(&self, y: &[f64]) -> Result<FittedLogLinear> {
        let n = y.len();
        if n < 3 {
            return Err(too_short("loglinear", n, 3));
        }
        if let Some(i) = y.iter().position(|v| *v <= 0.0) {
            return Err(Error::Fit {
                model: "loglinear".into(),
                reason: format!(
                    "observation {} is {} but a log-linear trend needs every value > 0",
                    i + 1,
                    y[i]
                ),
            });
        }
        let t_bar = (n - 1) as f64 / 2.0;
        let records = Array2::from_shape_fn((n, 1), |(i, _)| i as f64 - t_bar);
        let targets = Array1::from_iter(y.iter().map(|v| v.ln()));
        let dataset = Dataset::new(records, targets.clone());
        let model = LinearRegression::new()
            .fit(&dataset)
            .map_err(|e| Error::Fit {
                model: "loglinear".into(),
                reason: e.to_string(),
            })?;
        let slope = model.params()[0];
        let a_centre = model.intercept();
        let sxx: f64 = (0..n).map(|i| (i as f64 - t_bar).powi(2)).sum();
        let mean_ly = targets.mean().unwrap_or(0.0);
        let (mut rss, mut tss) = (0.0, 0.0);
        for (i, ly) in targets.iter().enumerate() {
            let fit = a_centre + slope * (i as f64 - t_bar);
            rss += (ly - fit).powi(2);
            tss += (ly - mean_ly).powi(2);
        }
        let sigma = (rss / (n - 2) as f64).sqrt();
        let r2 = if tss > 0.0 { 1.0 - rss / tss } else { 1.0 };
        Ok(FittedLogLinear {
            n,
            a_centre,
            slope,
            t_bar,
            sxx,
            sigma,
            r2,
            bias_adjust: self.bias_adjust,
        })
    }
}

impl FittedLogLinear {
    /// Compound annual (per-period) growth rate e^b − 1.
    pub fn cagr(&self) -> f64 {
        self.slope.exp_m1()
    }

    fn log_mean_and_se(&self, k: usize) -> (f64, f64) {
        let t0 = (self.n - 1 + k) as f64 - self.t_bar;
        let mu = self.a_centre + self.slope * t0;
        let se = self.sigma * (1.0 + 1.0 / self.n as f64 + t0 * t0 / self.sxx).sqrt();
        (mu, se)
    }
}

impl FittedModel for FittedLogLinear {
    fn name(&self) -> &'static str {
        "loglinear"
    }
    fn description(&self) -> Cow<'static, str> {
        format!(
            "log-linear trend (constant growth, OLS on ln y via linfa-linear; point = predictive {})",
            if self.bias_adjust { "mean" } else { "median" }
        ).into()
    }
    fn params(&self) -> Vec<Param> {
        let slope_se = self.sigma / self.sxx.sqrt();
        let q = student_t(95.0, (self.n - 2) as f64);
        vec![
            Param::new("cagr", self.cagr()),
            Param::new("cagr_lo95", (self.slope - q * slope_se).exp_m1()),
            Param::new("cagr_hi95", (self.slope + q * slope_se).exp_m1()),
            Param::new("sigma_log", self.sigma),
            Param::new("r2_log", self.r2),
            Param::new(
                "fitted_last",
                (self.a_centre + self.slope * ((self.n - 1) as f64 - self.t_bar)).exp(),
            ),
        ]
    }
    fn forecast(&self, h: usize, levels: &[f64]) -> Forecast {
        log_student_forecast(h, levels, (self.n - 2) as f64, self.bias_adjust, |k| {
            self.log_mean_and_se(k)
        })
    }
    /// Posterior predictive draw under a flat prior: σ² from a scaled inverse χ², then the
    /// centred intercept and slope (independent because time is centred), then the noise.
    fn simulate(&self, h: usize, rng: &mut StdRng) -> Vec<f64> {
        use rand_distr::{ChiSquared, Distribution, Normal};
        let df = (self.n - 2) as f64;
        let chi = ChiSquared::new(df)
            .map(|c| c.sample(rng))
            .unwrap_or(df)
            .max(1e-12);
        let sigma = self.sigma * (df / chi).sqrt();
        let std = Normal::new(0.0, 1.0).expect("valid");
        let a = self.a_centre + sigma / (self.n as f64).sqrt() * std.sample(rng);
        let b = self.slope + sigma / self.sxx.sqrt() * std.sample(rng);
        (1..=h)
            .map(|k| {
                let t0 = (self.n - 1 + k) as f64 - self.t_bar;
                super::forecast::safe_exp(a + b * t0 + sigma * std.sample(rng))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_perfect_exponential_series_gives_back_its_exact_growth_rate() {
        let y: Vec<f64> = (0..20).map(|t| 100.0 * 1.07f64.powi(t)).collect();
        let fit = LogLinear::default().fit(&y).unwrap();
        assert!((fit.cagr() - 0.07).abs() < 1e-10, "{}", fit.cagr());
        let f = fit.forecast(2, &[95.0]);
        assert!((f.point[0] - 100.0 * 1.07f64.powi(20)).abs() < 1e-6);
    }

    #[test]
    fn intervals_widen_with_the_level_and_contain_the_point() {
        let y = [10.0, 12.0, 13.5, 15.0, 18.0, 19.0, 23.0, 24.0];
        let f = LogLinear::default()
            .fit(&y)
            .unwrap()
            .forecast(4, &[50.0, 80.0, 95.0]);
        for k in 0..4 {
            for w in f.intervals.windows(2) {
                assert!(w[1].lower[k] < w[0].lower[k] && w[0].upper[k] < w[1].upper[k]);
            }
            assert!(f.intervals[0].lower[k] <= f.point[k] && f.point[k] <= f.intervals[0].upper[k]);
        }
    }

    #[test]
    fn the_bias_adjusted_point_is_above_the_median() {
        let y = [10.0, 12.0, 11.0, 15.0, 14.0, 19.0, 18.0, 24.0];
        let med = LogLinear { bias_adjust: false }
            .fit(&y)
            .unwrap()
            .forecast(1, &[]);
        let mean = LogLinear { bias_adjust: true }
            .fit(&y)
            .unwrap()
            .forecast(1, &[]);
        assert!(mean.point[0] > med.point[0]);
    }

    #[test]
    fn non_positive_values_are_refused_with_their_position() {
        let e = LogLinear::default()
            .fit(&[1.0, 0.0, 2.0])
            .unwrap_err()
            .to_string();
        assert!(e.contains("observation 2 is 0"), "{e}");
    }
}
