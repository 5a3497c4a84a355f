//! Complex Exponential Smoothing (CES), non-seasonal.
//!
//! Svetunkov, I., Kourentzes, N. & Ord, J. K. (2022), "Complex exponential smoothing",
//! *Naval Research Logistics* 69(8), 1108–1123 (working paper Svetunkov & Kourentzes 2015).
//! This is the model R's `smooth::ces(seasonality = "none")` and statsforecast's
//! `CES(model = "N")` / `AutoCES(season_length = 1)` fit.
//!
//! # Model
//!
//! CES smooths the complex-valued series `y_t + i·e_t` with a complex smoothing parameter
//! `a0 + i·a1`. Written as a linear innovations state space model it has two states, the
//! level `l_t` and the "information potential" `c_t`:
//!
//! ```text
//! y_t = l_{t-1} + e_t,                              e_t ~ N(0, σ²)
//! l_t = l_{t-1} − (1 − a1)·c_{t-1} + (a0 − a1)·e_t
//! c_t = l_{t-1} + (1 − a0)·c_{t-1} + (a0 + a1)·e_t
//! ```
//!
//! i.e. `x_t = F x_{t-1} + g e_t`, `y_t = w' x_{t-1} + e_t` with `x = (l, c)'`,
//! `F = [[1, −(1−a1)], [1, 1−a0]]`, `g = (a0 − a1, a0 + a1)'`, `w = (1, 0)'`.
//! Depending on `a0 + i·a1` the point forecasts (the transition iterated without errors)
//! follow a level, a damped or a growing trajectory, so one model covers what ETS needs
//! several model forms for. Unlike ETS the model is not shift invariant: the potential
//! is measured on the level's scale (it is scale invariant).
//!
//! # Estimation
//!
//! `a0`, `a1`, `l_0` and `c_0` are estimated together by maximising the concentrated
//! Gaussian likelihood, which is minimising the in-sample one-step MSE, with the bounded
//! Nelder–Mead of [`super::optim`] (run twice: a restart from the first optimum). As in
//! statsforecast the search starts at `a0 = 1.3`, `a1 = 1`, `l_0 = mean of the first
//! min(10, n) values`, `c_0 = l_0 / 1.1`, inside the box `a0 ∈ [0.01, 1.8]`,
//! `a1 ∈ [0.01, 1.9]`. Inside the box, parameter pairs violating the paper's stability
//! condition — both eigenvalues of the discount matrix `D = F − g w'` strictly inside the
//! unit circle — are rejected (infinite objective). For the 2×2 matrix this is the Jury
//! test, equivalent to the paper's three circles
//! `(a0−2.5)² + a1² > 1.25`, `(a0−0.5)² + (a1−1)² > 0.25`, `(a0−1.5)² + (a1−0.5)² < 1.5`.
//!
//! `σ² = SSE / (n − 4)` (four estimated coefficients). The AICc counts `k = 5` parameters
//! (`a0`, `a1`, two initial states, `σ`) and uses the maximum-likelihood `σ̂² = SSE / n`.
//!
//! # Forecasts
//!
//! Point forecasts are the conditional means. Prediction intervals are analytic and
//! Gaussian: the `h`-step variance is `σ² (1 + Σ_{j=1}^{h-1} ψ_j²)` with the MA(∞) weights
//! `ψ_j = w' F^{j-1} g`. [`FittedModel::simulate`] pushes Gaussian errors through the same
//! state equations (parameter uncertainty is not included).
//!
//! # Edge cases
//!
//! Fewer than [`MIN_OBS`] observations or a non-finite value give [`Error::Fit`]. A
//! constant series is fitted exactly by `a0 = 1.3, a1 = 1, l_0 = c_0·1.1 = y`, so it gets a
//! flat forecast with `σ = 0` (zero-width intervals) instead of an error.

use super::forecast::{Forecast, Param, gaussian_intervals};
use super::optim::{NmOptions, nelder_mead};
use super::{FittedModel, Forecaster, too_short};
use crate::error::{Error, Result};
use rand::rngs::StdRng;
use std::borrow::Cow;

/// Fewest observations accepted: five parameters, and the AICc needs `n > k + 1`.
pub const MIN_OBS: usize = 7;

/// Starting complex smoothing parameter (statsforecast / smooth default).
const A0_START: f64 = 1.3;
const A1_START: f64 = 1.0;
/// Box for the complex smoothing parameter (statsforecast's bounds).
const A0_BOUNDS: (f64, f64) = (0.01, 1.8);
const A1_BOUNDS: (f64, f64) = (0.01, 1.9);
/// Ratio of the starting level to the starting potential (statsforecast's `C = 1.1`).
const C_RATIO: f64 = 1.1;
/// Number of leading observations averaged for the starting level.
const INIT_WINDOW: usize = 10;
/// Number of estimated parameters in the information criterion (a0, a1, l0, c0, σ).
const K_PARAMS: usize = 5;

/// Non-seasonal Complex Exponential Smoothing, CES(N); see the [module docs](self).
#[derive(Debug, Clone, Copy, Default)]
pub struct Ces;

/// Fitted [`Ces`]: parameters, initial and final states, residual scale.
#[derive(Debug, Clone)]
pub struct FittedCes {
    a0: f64,
    a1: f64,
    l0: f64,
    c0: f64,
    /// Level after the last observation.
    level: f64,
    /// Information potential after the last observation.
    potential: f64,
    sigma: f64,
    aicc: f64,
}

/// True when both eigenvalues of `D = F − g w'` lie strictly inside the unit circle.
///
/// `trace(D) = 2 − 2a0 + a1`, `det(D) = (1 − a0)² + (1 − a0) + a1² − a1`; a real 2×2 matrix
/// is stable iff `|det| < 1` and `|trace| < 1 + det` (Jury).
pub fn is_stable(a0: f64, a1: f64) -> bool {
    let u = 1.0 - a0;
    let trace = 2.0 * u + a1;
    let det = u * u + u + a1 * a1 - a1;
    det.abs() < 1.0 && trace.abs() < 1.0 + det
}

/// One step of the transition: the new (level, potential) after error `e`.
#[inline]
fn step(a0: f64, a1: f64, l: f64, c: f64, e: f64) -> (f64, f64) {
    (
        l - (1.0 - a1) * c + (a0 - a1) * e,
        l + (1.0 - a0) * c + (a0 + a1) * e,
    )
}

/// Run the filter over `y` from `(l0, c0)`; returns (SSE, final level, final potential).
fn filter(y: &[f64], a0: f64, a1: f64, l0: f64, c0: f64) -> (f64, f64, f64) {
    let (mut l, mut c, mut sse) = (l0, c0, 0.0);
    for &v in y {
        let e = v - l;
        sse += e * e;
        (l, c) = step(a0, a1, l, c, e);
    }
    (sse, l, c)
}

/// AICc of a Gaussian fit with `K_PARAMS` parameters. The maximum-likelihood variance
/// `SSE / n` is floored at `(1e-12 · scale)²` so an exact fit keeps a finite criterion.
fn aicc(sse: f64, n: usize, scale: f64) -> f64 {
    let nf = n as f64;
    let var_ml = (sse / nf)
        .max((1e-12 * scale).powi(2))
        .max(f64::MIN_POSITIVE);
    let loglik = -0.5 * nf * ((2.0 * std::f64::consts::PI * var_ml).ln() + 1.0);
    let k = K_PARAMS as f64;
    -2.0 * loglik + 2.0 * k + 2.0 * k * (k + 1.0) / (nf - k - 1.0)
}

fn fit_error(reason: String) -> Error {
    Error::Fit {
        model: "ces".into(),
        reason,
    }
}

impl Forecaster for Ces {
    type Fitted = FittedCes;
    fn fit(&self, y: &[f64]) -> Result<FittedCes> {
        let n = y.len();
        if n < MIN_OBS {
            return Err(too_short("ces", n, MIN_OBS));
        }
        if let Some(i) = y.iter().position(|v| !v.is_finite()) {
            return Err(fit_error(format!(
                "observation {} is {} but every value must be finite",
                i + 1,
                y[i]
            )));
        }
        let l_start = y[..n.min(INIT_WINDOW)].iter().sum::<f64>() / n.min(INIT_WINDOW) as f64;
        let c_start = l_start / C_RATIO;
        let scale = y.iter().map(|v| v.abs()).sum::<f64>() / n as f64;
        let spread = y.iter().fold(f64::NEG_INFINITY, |m, v| m.max(*v))
            - y.iter().fold(f64::INFINITY, |m, v| m.min(*v));
        if spread <= 1e-12 * scale || scale == 0.0 {
            // Constant series: a1 = 1 keeps the level fixed, so the start is an exact fit.
            return Ok(FittedCes {
                a0: A0_START,
                a1: A1_START,
                l0: y[0],
                c0: y[0] / C_RATIO,
                level: y[0],
                potential: y[0] / C_RATIO,
                sigma: 0.0,
                aicc: aicc(0.0, n, scale),
            });
        }

        // Work on y / scale: CES is scale invariant, and unit-sized states suit the
        // simplex steps (NM steps 10% of a state's magnitude for unbounded coordinates).
        let z: Vec<f64> = y.iter().map(|v| v / scale).collect();
        let objective = |x: &[f64]| -> f64 {
            if !is_stable(x[0], x[1]) {
                return f64::INFINITY;
            }
            filter(&z, x[0], x[1], x[2], x[3]).0 / n as f64
        };
        let lower = [
            A0_BOUNDS.0,
            A1_BOUNDS.0,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        let upper = [A0_BOUNDS.1, A1_BOUNDS.1, f64::INFINITY, f64::INFINITY];
        let opts = NmOptions {
            max_evals: 1500,
            tol: 1e-10,
        };
        let x0 = [A0_START, A1_START, l_start / scale, c_start / scale];
        let (x1, v1) = nelder_mead(objective, &x0, &lower, &upper, opts);
        let (x2, v2) = nelder_mead(objective, &x1, &lower, &upper, opts);
        let x = if v2 <= v1 { x2 } else { x1 };
        if !is_stable(x[0], x[1]) {
            return Err(fit_error(
                "no stable complex smoothing parameter was found".into(),
            ));
        }
        let (a0, a1, l0, c0) = (x[0], x[1], x[2] * scale, x[3] * scale);
        let (sse, level, potential) = filter(y, a0, a1, l0, c0);
        if !(sse.is_finite() && level.is_finite() && potential.is_finite()) {
            return Err(fit_error("the filtered states are not finite".into()));
        }
        let sigma = (sse / (n as f64 - 4.0)).sqrt();
        let aicc = aicc(sse, n, scale);
        Ok(FittedCes {
            a0,
            a1,
            l0,
            c0,
            level,
            potential,
            sigma,
            aicc,
        })
    }
}

impl FittedCes {
    /// Point forecasts and h-step standard errors.
    fn point_and_se(&self, h: usize) -> (Vec<f64>, Vec<f64>) {
        let (a0, a1) = (self.a0, self.a1);
        let (mut l, mut c) = (self.level, self.potential);
        // v = F^{j-1} g, so psi_j = w' v = v.0
        let mut v = (a0 - a1, a0 + a1);
        let mut sum_psi2 = 0.0_f64;
        let mut point = Vec::with_capacity(h);
        let mut se = Vec::with_capacity(h);
        for _ in 0..h {
            point.push(l);
            se.push(self.sigma * (1.0 + sum_psi2).sqrt());
            (l, c) = step(a0, a1, l, c, 0.0);
            sum_psi2 += v.0 * v.0;
            v = step(a0, a1, v.0, v.1, 0.0);
        }
        (point, se)
    }
}

impl FittedModel for FittedCes {
    fn name(&self) -> &'static str {
        "ces"
    }
    fn description(&self) -> Cow<'static, str> {
        format!(
            "CES(N) complex exponential smoothing, a0 + i·a1 = {:.3} + {:.3}i",
            self.a0, self.a1
        )
        .into()
    }
    fn params(&self) -> Vec<Param> {
        vec![
            Param::new("a0", self.a0),
            Param::new("a1", self.a1),
            Param::new("l0", self.l0),
            Param::new("c0", self.c0),
            Param::new("sigma", self.sigma),
            Param::new("aicc", self.aicc),
        ]
    }
    fn forecast(&self, h: usize, levels: &[f64]) -> Forecast {
        let (point, se) = self.point_and_se(h);
        Forecast {
            intervals: gaussian_intervals(&point, &se, levels),
            point,
        }
    }
    fn simulate(&self, h: usize, rng: &mut StdRng) -> Vec<f64> {
        use rand_distr::{Distribution, Normal};
        let normal = Normal::new(0.0, self.sigma).expect("sigma is finite and non-negative");
        let (mut l, mut c) = (self.level, self.potential);
        (0..h)
            .map(|_| {
                let e = normal.sample(rng);
                let y = l + e;
                (l, c) = step(self.a0, self.a1, l, c, e);
                y
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// A series simulated from CES itself with known parameters.
    fn simulated(a0: f64, a1: f64, n: usize, seed: u64) -> Vec<f64> {
        let model = FittedCes {
            a0,
            a1,
            l0: 100.0,
            c0: 100.0 / C_RATIO,
            level: 100.0,
            potential: 100.0 / C_RATIO,
            sigma: 2.0,
            aicc: 0.0,
        };
        model.simulate(n, &mut StdRng::seed_from_u64(seed))
    }

    fn trending() -> Vec<f64> {
        vec![
            10.0, 12.0, 13.5, 15.1, 18.0, 19.2, 21.5, 24.0, 25.1, 28.3, 30.0, 31.9, 35.2, 36.0,
        ]
    }

    #[test]
    fn a_stable_parameter_pair_gives_a_finite_forecast() {
        assert!(is_stable(A0_START, A1_START));
        let fit = Ces.fit(&trending()).unwrap();
        let f = fit.forecast(30, &[80.0, 95.0]);
        assert!(f.point.iter().all(|v| v.is_finite()));
        assert!(
            f.intervals
                .iter()
                .all(|i| i.lower.iter().chain(&i.upper).all(|v| v.is_finite()))
        );
        assert!(fit.params().iter().all(|p| p.value.is_finite()));
    }

    #[test]
    fn the_eigenvalue_check_matches_the_papers_three_circles() {
        for i in 0..=60 {
            for j in 0..=60 {
                let (a0, a1) = (-0.5 + i as f64 * 0.055, -1.0 + j as f64 * 0.05);
                let circles = (a0 - 2.5).powi(2) + a1 * a1 > 1.25
                    && (a0 - 0.5).powi(2) + (a1 - 1.0).powi(2) > 0.25
                    && (a0 - 1.5).powi(2) + (a1 - 0.5).powi(2) < 1.5;
                assert_eq!(is_stable(a0, a1), circles, "a0 = {a0}, a1 = {a1}");
            }
        }
    }

    #[test]
    fn the_eigenvalue_check_agrees_with_the_discount_matrix_powers() {
        // D^k -> 0 exactly when D is stable.
        for &(a0, a1) in &[(1.3, 1.0), (1.0, 0.9), (0.2, 0.2), (1.7, 1.8), (1.9, 0.1)] {
            let d = [[1.0 - a0 + a1, -(1.0 - a1)], [1.0 - a0 - a1, 1.0 - a0]];
            let mut p = [[1.0_f64, 0.0], [0.0, 1.0]];
            for _ in 0..2000 {
                p = [
                    [
                        p[0][0] * d[0][0] + p[0][1] * d[1][0],
                        p[0][0] * d[0][1] + p[0][1] * d[1][1],
                    ],
                    [
                        p[1][0] * d[0][0] + p[1][1] * d[1][0],
                        p[1][0] * d[0][1] + p[1][1] * d[1][1],
                    ],
                ];
            }
            let norm = p.iter().flatten().map(|v| v.abs()).fold(0.0, f64::max);
            assert_eq!(is_stable(a0, a1), norm < 1e-6, "a0 = {a0}, a1 = {a1}");
        }
    }

    #[test]
    fn the_fitted_parameters_satisfy_the_stability_condition() {
        for seed in 0..5 {
            let fit = Ces.fit(&simulated(1.1, 0.95, 40, seed)).unwrap();
            assert!(is_stable(fit.a0, fit.a1), "{fit:?}");
        }
        let fit = Ces.fit(&trending()).unwrap();
        assert!(is_stable(fit.a0, fit.a1));
    }

    #[test]
    fn intervals_are_ordered_around_the_point_forecast() {
        let f = Ces
            .fit(&trending())
            .unwrap()
            .forecast(8, &[50.0, 80.0, 95.0]);
        for iv in &f.intervals {
            for k in 0..8 {
                assert!(iv.lower[k] <= f.point[k] && f.point[k] <= iv.upper[k]);
            }
        }
    }

    #[test]
    fn intervals_widen_with_level_and_horizon() {
        let f = Ces
            .fit(&simulated(1.2, 1.0, 50, 7))
            .unwrap()
            .forecast(6, &[80.0, 95.0]);
        let (i80, i95) = (f.interval(80.0).unwrap(), f.interval(95.0).unwrap());
        for k in 0..6 {
            assert!(i95.lower[k] < i80.lower[k] && i80.upper[k] < i95.upper[k]);
        }
        for k in 1..6 {
            let w = |iv: &crate::models::Interval, k: usize| iv.upper[k] - iv.lower[k];
            assert!(w(i95, k) > w(i95, k - 1), "step {k}");
        }
    }

    #[test]
    fn the_point_forecast_iterates_the_transition_without_errors() {
        let fit = Ces.fit(&trending()).unwrap();
        let f = fit.forecast(3, &[]);
        let (a0, a1) = (fit.a0, fit.a1);
        let (l1, c1) = (fit.level, fit.potential);
        let l2 = l1 - (1.0 - a1) * c1;
        let c2 = l1 + (1.0 - a0) * c1;
        let l3 = l2 - (1.0 - a1) * c2;
        assert_eq!(f.point[0], l1);
        assert!((f.point[1] - l2).abs() < 1e-9 && (f.point[2] - l3).abs() < 1e-9);
    }

    #[test]
    fn the_first_step_standard_error_is_sigma_and_the_second_adds_the_first_ma_weight() {
        let fit = Ces.fit(&trending()).unwrap();
        let (_, se) = fit.point_and_se(2);
        assert!((se[0] - fit.sigma).abs() < 1e-12);
        let psi1 = fit.a0 - fit.a1;
        assert!((se[1] - fit.sigma * (1.0 + psi1 * psi1).sqrt()).abs() < 1e-9);
    }

    #[test]
    fn simulated_paths_match_the_analytic_intervals() {
        let fit = Ces.fit(&simulated(1.1, 0.9, 40, 3)).unwrap();
        let h = 5;
        let f = fit.forecast(h, &[80.0]);
        let iv = f.interval(80.0).unwrap();
        let mut rng = StdRng::seed_from_u64(11);
        let draws = 4000;
        let mut inside = 0usize;
        for _ in 0..draws {
            let path = fit.simulate(h, &mut rng);
            assert_eq!(path.len(), h);
            if path[h - 1] >= iv.lower[h - 1] && path[h - 1] <= iv.upper[h - 1] {
                inside += 1;
            }
        }
        let cover = inside as f64 / draws as f64;
        assert!((cover - 0.8).abs() < 0.03, "coverage {cover}");
    }

    #[test]
    fn the_fit_is_scale_invariant() {
        let y = trending();
        let big: Vec<f64> = y.iter().map(|v| v * 1000.0).collect();
        let (f1, f2) = (
            Ces.fit(&y).unwrap().forecast(4, &[]),
            Ces.fit(&big).unwrap().forecast(4, &[]),
        );
        for k in 0..4 {
            assert!((f1.point[k] * 1000.0 - f2.point[k]).abs() < 1e-6 * f2.point[k].abs());
        }
    }

    #[test]
    fn a_series_shorter_than_seven_points_is_refused() {
        for n in 0..MIN_OBS {
            let y: Vec<f64> = (0..n).map(|t| t as f64).collect();
            assert!(
                matches!(Ces.fit(&y), Err(Error::Fit { .. } | Error::TooShort { .. })),
                "n = {n}"
            );
        }
        assert!(Ces.fit(&[1.0, 3.0, 2.0, 4.0, 5.0, 4.5, 6.0]).is_ok());
    }

    #[test]
    fn a_non_finite_value_is_refused() {
        let mut y = trending();
        y[3] = f64::NAN;
        assert!(matches!(Ces.fit(&y), Err(Error::Fit { .. })));
    }

    #[test]
    fn a_constant_series_gets_a_flat_forecast_with_zero_width_intervals() {
        for v in [0.0, 42.0, -3.0] {
            let fit = Ces.fit(&[v; 12]).unwrap();
            let f = fit.forecast(5, &[95.0]);
            assert_eq!(f.point, vec![v; 5]);
            assert_eq!(f.intervals[0].lower, f.point);
            assert_eq!(f.intervals[0].upper, f.point);
            assert!(fit.params().iter().all(|p| p.value.is_finite()));
            assert!(
                fit.simulate(5, &mut StdRng::seed_from_u64(1))
                    .iter()
                    .all(|x| *x == v)
            );
        }
    }

    #[test]
    fn a_series_with_negative_values_and_a_sign_change_fits_without_nan() {
        let y = [-5.0, -3.0, -1.5, 0.2, 1.0, 3.3, 2.9, 4.8, 6.1, 5.5, 7.9];
        let fit = Ces.fit(&y).unwrap();
        let f = fit.forecast(6, &[95.0]);
        assert!(
            f.point
                .iter()
                .chain(&f.intervals[0].upper)
                .all(|v| v.is_finite())
        );
        assert!(fit.params().iter().all(|p| !p.value.is_nan()));
    }
}
