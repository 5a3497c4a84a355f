//! Exponential smoothing with an additive damped trend, ETS(A,Ad,N) (Gardner & McKenzie;
//! Hyndman et al. 2008, ch. 2), fitted by maximum likelihood.
//!
//! ŷ_t = ℓ_{t−1} + φ b_{t−1}, e_t = y_t − ŷ_t,
//! ℓ_t = ℓ_{t−1} + φ b_{t−1} + α e_t, b_t = φ b_{t−1} + β e_t.
//!
//! All five parameters (α, β, φ, ℓ₀, b₀) maximise the Gaussian likelihood, i.e. minimise
//! n·ln(SSE/n), within the usual admissible region 0 < β < α < 1 and 0.8 ≤ φ ≤ 0.98 (the
//! bounds of R's `ets`). The h-step variance is σ²[1 + Σ_{j<h} c_j²] with
//! c_j = α + βφ(1 − φ^j)/(1 − φ) (class 1 state space model), σ² = SSE/(n − 5).

use super::forecast::{Forecast, Param, gaussian_intervals};
use super::optim::{NmOptions, nelder_mead};
use super::{FittedModel, Forecaster, too_short};
use crate::error::Result;
use rand::rngs::StdRng;

/// Number of estimated parameters (α, β, φ, ℓ₀, b₀).
const N_PARAMS: usize = 5;
/// Fewest observations accepted: one more than the parameters.
pub const MIN_OBS: usize = N_PARAMS + 1;

/// The unfitted damped-trend model.
#[derive(Debug, Clone, Copy, Default)]
pub struct DampedTrend;

/// Fitted [`DampedTrend`].
#[derive(Debug, Clone)]
pub struct FittedDamped {
    alpha: f64,
    beta: f64,
    phi: f64,
    level: f64,
    trend: f64,
    init_level: f64,
    init_trend: f64,
    sigma: f64,
    aicc: f64,
}

/// Run the filter; returns (SSE, final level, final trend).
fn filter(y: &[f64], alpha: f64, beta: f64, phi: f64, l0: f64, b0: f64) -> (f64, f64, f64) {
    let (mut l, mut b, mut sse) = (l0, b0, 0.0);
    for &obs in y {
        let yhat = l + phi * b;
        let e = obs - yhat;
        sse += e * e;
        l = yhat + alpha * e;
        b = phi * b + beta * e;
    }
    (sse, l, b)
}

impl Forecaster for DampedTrend {
    type Fitted = FittedDamped;

    fn fit(&self, y: &[f64]) -> Result<FittedDamped> {
        let n = y.len();
        if n < MIN_OBS {
            return Err(too_short("damped", n, MIN_OBS));
        }
        // Work on a unit scale so the simplex steps suit every series.
        let scale = y.iter().map(|v| v.abs()).sum::<f64>() / n as f64;
        let scale = if scale > 0.0 { scale } else { 1.0 };
        let z: Vec<f64> = y.iter().map(|v| v / scale).collect();
        // Initial states from a line through the first (up to) 10 points, as R's ets does.
        let m = n.min(10);
        let t_mean = (m + 1) as f64 / 2.0;
        let z_mean = z[..m].iter().sum::<f64>() / m as f64;
        let sxy: f64 = (0..m)
            .map(|i| ((i + 1) as f64 - t_mean) * (z[i] - z_mean))
            .sum();
        let sxx: f64 = (0..m).map(|i| ((i + 1) as f64 - t_mean).powi(2)).sum();
        let b_init = sxy / sxx;
        let l_init = z_mean - b_init * t_mean;
        let (zmin, zmax) = z
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(*v), b.max(*v))
            });
        let range = (zmax - zmin).max(1e-3);
        // x = [alpha, beta/alpha, phi, l0, b0]
        let lower = [1e-4, 1e-4, 0.8, l_init - 2.0 * range, b_init - range];
        let upper = [0.9999, 0.9999, 0.98, l_init + 2.0 * range, b_init + range];
        let objective = |x: &[f64]| {
            let (sse, _, _) = filter(&z, x[0], x[0] * x[1], x[2], x[3], x[4]);
            n as f64 * (sse / n as f64).max(1e-300).ln()
        };
        let mut best = (vec![], f64::INFINITY);
        for start in [[0.5, 0.2, 0.9], [0.9, 0.05, 0.95], [0.2, 0.5, 0.85]] {
            let x0 = [start[0], start[1], start[2], l_init, b_init];
            let r = nelder_mead(
                objective,
                &x0,
                &lower,
                &upper,
                NmOptions {
                    max_evals: 1500,
                    tol: 1e-9,
                },
            );
            if r.1 < best.1 {
                best = r;
            }
        }
        let x = best.0;
        let (alpha, beta, phi) = (x[0], x[0] * x[1], x[2]);
        let (sse, l, b) = filter(&z, alpha, beta, phi, x[3], x[4]);
        let dof = if n > N_PARAMS { n - N_PARAMS } else { n };
        let sigma = (sse / dof as f64).sqrt() * scale;
        let k = (N_PARAMS + 1) as f64;
        let nf = n as f64;
        let loglik =
            -0.5 * nf * ((2.0 * std::f64::consts::PI * sse * scale * scale / nf).ln() + 1.0);
        let aic = -2.0 * loglik + 2.0 * k;
        let aicc = if nf - k - 1.0 > 0.0 {
            aic + 2.0 * k * (k + 1.0) / (nf - k - 1.0)
        } else {
            f64::INFINITY
        };
        Ok(FittedDamped {
            alpha,
            beta,
            phi,
            level: l * scale,
            trend: b * scale,
            init_level: x[3] * scale,
            init_trend: x[4] * scale,
            sigma,
            aicc,
        })
    }
}

impl FittedDamped {
    fn damped_sum(&self, h: usize) -> f64 {
        (1..=h).map(|j| self.phi.powi(j as i32)).sum()
    }
}

impl FittedModel for FittedDamped {
    fn name(&self) -> &'static str {
        "damped"
    }
    fn description(&self) -> String {
        "ETS(A,Ad,N): Holt's method with additive damped trend, maximum likelihood".into()
    }
    fn params(&self) -> Vec<Param> {
        vec![
            Param::new("alpha", self.alpha),
            Param::new("beta", self.beta),
            Param::new("phi", self.phi),
            Param::new("level", self.level),
            Param::new("trend", self.trend),
            Param::new("l0", self.init_level),
            Param::new("b0", self.init_trend),
            Param::new("sigma", self.sigma),
            Param::new("aicc", self.aicc),
        ]
    }
    fn forecast(&self, h: usize, levels: &[f64]) -> Forecast {
        let point: Vec<f64> = (1..=h)
            .map(|k| self.level + self.damped_sum(k) * self.trend)
            .collect();
        let mut acc = 0.0;
        let se: Vec<f64> = (1..=h)
            .map(|k| {
                if k > 1 {
                    let j = (k - 1) as i32;
                    let c = self.alpha
                        + self.beta * self.phi * (1.0 - self.phi.powi(j)) / (1.0 - self.phi);
                    acc += c * c;
                }
                self.sigma * (1.0 + acc).sqrt()
            })
            .collect();
        Forecast {
            intervals: gaussian_intervals(&point, &se, levels),
            point,
        }
    }
    fn simulate(&self, h: usize, rng: &mut StdRng) -> Vec<f64> {
        use rand_distr::{Distribution, Normal};
        let noise = Normal::new(0.0, self.sigma).expect("sigma is finite");
        let (mut l, mut b) = (self.level, self.trend);
        (0..h)
            .map(|_| {
                let yhat = l + self.phi * b;
                let e = noise.sample(rng);
                l = yhat + self.alpha * e;
                b = self.phi * b + self.beta * e;
                yhat + e
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_straight_line_is_followed_closely_with_a_damped_trend() {
        let y: Vec<f64> = (0..30).map(|t| 100.0 + 5.0 * t as f64).collect();
        let fit = DampedTrend.fit(&y).unwrap();
        let f = fit.forecast(3, &[95.0]);
        // damping bends the line down, but the first step stays near 250
        assert!((f.point[0] - 250.0).abs() < 2.0, "{:?}", f.point);
        assert!(f.point[2] > f.point[1] && f.point[1] > f.point[0]);
    }

    #[test]
    fn parameters_stay_in_the_admissible_region() {
        let y = [
            3.0, 5.0, 4.0, 6.0, 8.0, 7.0, 9.0, 12.0, 11.0, 13.0, 12.5, 15.0,
        ];
        let fit = DampedTrend.fit(&y).unwrap();
        assert!(0.0 < fit.beta && fit.beta < fit.alpha && fit.alpha < 1.0);
        assert!((0.8..=0.98).contains(&fit.phi));
        assert!(fit.sigma > 0.0 && fit.aicc.is_finite());
    }

    #[test]
    fn intervals_widen_with_the_horizon() {
        let y = [3.0, 5.0, 4.0, 6.0, 8.0, 7.0, 9.0, 12.0, 11.0, 13.0];
        let f = DampedTrend.fit(&y).unwrap().forecast(5, &[80.0]);
        let w: Vec<f64> = (0..5)
            .map(|k| f.intervals[0].upper[k] - f.intervals[0].lower[k])
            .collect();
        assert!(w.windows(2).all(|p| p[1] >= p[0]), "{w:?}");
    }

    #[test]
    fn too_short_a_series_is_refused() {
        assert!(DampedTrend.fit(&[1.0, 2.0, 3.0]).is_err());
    }
}
