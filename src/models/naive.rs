//! The baselines every model must beat: naive (random walk) and random walk with drift.
//! Both follow R's `forecast::naive` / `rwf(drift = TRUE)` definitions, so their point
//! forecasts are identical to the peers' and their intervals comparable.

use super::forecast::{Forecast, Param, gaussian_intervals};
use super::{FittedModel, Forecaster, gaussian_walk, too_short};
use crate::error::Result;
use rand::rngs::StdRng;
use std::borrow::Cow;

/// Naive: every future value equals the last observation. σ² = mean of squared first differences.
#[derive(Debug, Clone, Copy, Default)]
pub struct Naive;

/// Fitted [`Naive`].
#[derive(Debug, Clone)]
pub struct FittedNaive {
    last: f64,
    sigma: f64,
}

impl Forecaster for Naive {
    type Fitted = FittedNaive;
    fn fit(&self, y: &[f64]) -> Result<FittedNaive> {
        let n = y.len();
        if n == 0 {
            return Err(too_short("naive", n, 1));
        }
        let sigma = if n >= 2 {
            let ss: f64 = y.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum();
            (ss / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        Ok(FittedNaive {
            last: y[n - 1],
            sigma,
        })
    }
}

impl FittedModel for FittedNaive {
    fn name(&self) -> &'static str {
        "naive"
    }
    fn description(&self) -> Cow<'static, str> {
        "naive (random walk)".into()
    }
    fn params(&self) -> Vec<Param> {
        vec![
            Param::new("last", self.last),
            Param::new("sigma", self.sigma),
        ]
    }
    fn forecast(&self, h: usize, levels: &[f64]) -> Forecast {
        let point = vec![self.last; h];
        let se: Vec<f64> = (1..=h).map(|k| self.sigma * (k as f64).sqrt()).collect();
        Forecast {
            intervals: gaussian_intervals(&point, &se, levels),
            point,
        }
    }
    fn simulate(&self, h: usize, rng: &mut StdRng) -> Vec<f64> {
        gaussian_walk(self.last, 0.0, self.sigma, h, rng)
    }
}

/// Random walk with drift: the drift is the mean first difference, (y_n − y_1)/(n − 1).
/// Forecast variance h·σ² + h²·se(drift)², with σ the standard deviation of the differences.
#[derive(Debug, Clone, Copy, Default)]
pub struct Drift;

/// Fitted [`Drift`].
#[derive(Debug, Clone)]
pub struct FittedDrift {
    last: f64,
    drift: f64,
    drift_se: f64,
    sigma: f64,
}

impl Forecaster for Drift {
    type Fitted = FittedDrift;
    fn fit(&self, y: &[f64]) -> Result<FittedDrift> {
        let n = y.len();
        if n < 2 {
            return Err(too_short("drift", n, 2));
        }
        let m = (n - 1) as f64;
        let drift = (y[n - 1] - y[0]) / m;
        let sigma = if n >= 3 {
            let ss: f64 = y.windows(2).map(|w| (w[1] - w[0] - drift).powi(2)).sum();
            (ss / (m - 1.0)).sqrt()
        } else {
            0.0
        };
        Ok(FittedDrift {
            last: y[n - 1],
            drift,
            drift_se: sigma / m.sqrt(),
            sigma,
        })
    }
}

impl FittedModel for FittedDrift {
    fn name(&self) -> &'static str {
        "drift"
    }
    fn description(&self) -> Cow<'static, str> {
        "random walk with drift".into()
    }
    fn params(&self) -> Vec<Param> {
        vec![
            Param::new("drift", self.drift),
            Param::new("drift_se", self.drift_se),
            Param::new("sigma", self.sigma),
        ]
    }
    fn forecast(&self, h: usize, levels: &[f64]) -> Forecast {
        let point: Vec<f64> = (1..=h).map(|k| self.last + k as f64 * self.drift).collect();
        let se: Vec<f64> = (1..=h)
            .map(|k| {
                let k = k as f64;
                (k * self.sigma.powi(2) + (k * self.drift_se).powi(2)).sqrt()
            })
            .collect();
        Forecast {
            intervals: gaussian_intervals(&point, &se, levels),
            point,
        }
    }
    fn simulate(&self, h: usize, rng: &mut StdRng) -> Vec<f64> {
        use rand_distr::{Distribution, Normal};
        // drift uncertainty: one draw per path
        let d = Normal::new(self.drift, self.drift_se)
            .map(|n| n.sample(rng))
            .unwrap_or(self.drift);
        gaussian_walk(self.last, d, self.sigma, h, rng)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naive_repeats_the_last_value_with_widening_intervals() {
        let f = Naive
            .fit(&[1.0, 3.0, 2.0, 4.0])
            .unwrap()
            .forecast(3, &[80.0, 95.0]);
        assert_eq!(f.point, vec![4.0; 3]);
        let i95 = f.interval(95.0).unwrap();
        let i80 = f.interval(80.0).unwrap();
        for k in 0..3 {
            assert!(i95.lower[k] < i80.lower[k] && i80.upper[k] < i95.upper[k]);
        }
        assert!(i95.upper[2] - i95.lower[2] > i95.upper[0] - i95.lower[0]);
    }

    #[test]
    fn drift_extends_the_line_through_first_and_last_points() {
        let f = Drift
            .fit(&[10.0, 11.0, 15.0, 16.0])
            .unwrap()
            .forecast(2, &[]);
        assert_eq!(f.point, vec![18.0, 20.0]);
    }

    #[test]
    fn drift_on_a_perfect_line_has_zero_width_intervals() {
        let f = Drift
            .fit(&[1.0, 2.0, 3.0, 4.0])
            .unwrap()
            .forecast(2, &[95.0]);
        assert_eq!(f.intervals[0].lower, f.point);
    }

    #[test]
    fn drift_refuses_a_single_observation() {
        assert!(Drift.fit(&[5.0]).is_err());
    }
}

/// Geometric random walk with drift: [`Drift`] on ln(y). The drift is the mean log growth,
/// so CAGR = e^drift − 1 measured from the first to the last observation, and forecasts
/// start from the last value. Point = predictive median exp(μ); intervals are exp() of the
/// log-scale bounds. Unlike the log-linear trend, shocks are permanent, so sample paths
/// wander like real market histories instead of scattering independently around a line.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogDrift;

/// Fitted [`LogDrift`].
#[derive(Debug, Clone)]
pub struct FittedLogDrift {
    inner: FittedDrift,
}

impl Forecaster for LogDrift {
    type Fitted = FittedLogDrift;
    fn fit(&self, y: &[f64]) -> Result<FittedLogDrift> {
        if let Some(i) = y.iter().position(|v| *v <= 0.0) {
            return Err(crate::error::Error::Fit {
                model: "logdrift".into(),
                reason: format!(
                    "observation {} is {} but growth rates need every value > 0",
                    i + 1,
                    y[i]
                ),
            });
        }
        if y.len() < 3 {
            return Err(too_short("logdrift", y.len(), 3));
        }
        let logs: Vec<f64> = y.iter().map(|v| v.ln()).collect();
        Ok(FittedLogDrift {
            inner: Drift.fit(&winsorized_path(&logs, LOG_GROWTH_WINSOR))?,
        })
    }
}

/// Log growth rates beyond this many robust standard deviations (1.4826 × MAD) of the
/// median growth are pulled back to that limit before the drift and σ are estimated.
pub const LOG_GROWTH_WINSOR: f64 = 3.0;

/// The path with the same last value whose steps are `z`'s first differences winsorized at
/// median ± k·1.4826·MAD. One jump such as a start-up year (5 → 8,536 → 18,971 in M1's YAB3)
/// otherwise sets both the drift and σ, and an e^(zσ√h) interval explodes; on series without
/// such jumps nothing changes (no step lies beyond the limit).
fn winsorized_path(z: &[f64], k: f64) -> Vec<f64> {
    let mut d: Vec<f64> = z.windows(2).map(|w| w[1] - w[0]).collect();
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        let n = v.len();
        if !n.is_multiple_of(2) {
            v[n / 2]
        } else {
            0.5 * (v[n / 2 - 1] + v[n / 2])
        }
    };
    let med = median(&mut d.clone());
    let mad = 1.4826 * median(&mut d.iter().map(|x| (x - med).abs()).collect());
    if mad.is_nan() || mad <= 0.0 {
        return z.to_vec();
    }
    let (lo, hi) = (med - k * mad, med + k * mad);
    for x in d.iter_mut() {
        *x = x.clamp(lo, hi);
    }
    let mut path = vec![0.0; z.len()];
    path[z.len() - 1] = z[z.len() - 1];
    for t in (0..z.len() - 1).rev() {
        path[t] = path[t + 1] - d[t];
    }
    path
}

impl FittedModel for FittedLogDrift {
    fn name(&self) -> &'static str {
        "logdrift"
    }
    fn description(&self) -> Cow<'static, str> {
        "geometric random walk with drift (constant average growth from the last value; point = predictive median)".into()
    }
    fn params(&self) -> Vec<Param> {
        let q = super::forecast::normal_z(95.0);
        vec![
            Param::new("cagr", self.inner.drift.exp_m1()),
            Param::new(
                "cagr_lo95",
                (self.inner.drift - q * self.inner.drift_se).exp_m1(),
            ),
            Param::new(
                "cagr_hi95",
                (self.inner.drift + q * self.inner.drift_se).exp_m1(),
            ),
            Param::new("sigma_log", self.inner.sigma),
        ]
    }
    fn forecast(&self, h: usize, levels: &[f64]) -> Forecast {
        let mut f = self.inner.forecast(h, levels);
        f.map_values(super::forecast::safe_exp);
        f
    }
    fn simulate(&self, h: usize, rng: &mut StdRng) -> Vec<f64> {
        self.inner
            .simulate(h, rng)
            .into_iter()
            .map(super::forecast::safe_exp)
            .collect()
    }
}

#[cfg(test)]
mod log_drift_tests {
    use super::*;

    #[test]
    fn log_drift_recovers_a_constant_growth_rate_from_the_last_value() {
        let y: Vec<f64> = (0..10).map(|t| 100.0 * 1.1f64.powi(t)).collect();
        let fit = LogDrift.fit(&y).unwrap();
        assert!((fit.params()[0].value - 0.1).abs() < 1e-12);
        let f = fit.forecast(1, &[95.0]);
        assert!((f.point[0] - 100.0 * 1.1f64.powi(10)).abs() < 1e-9);
    }

    #[test]
    fn log_drift_refuses_non_positive_values() {
        assert!(LogDrift.fit(&[1.0, -2.0, 3.0]).is_err());
    }
}
