//! Saturating growth curves for market sizes: the logistic (Verhulst 1838; Pearl & Reed 1920)
//! and the Gompertz (Gompertz 1825) curves, as used for diffusion and market-size forecasting
//! (Meade & Islam 1998, *Technological forecasting — model selection, model stability, and
//! combining models*, Management Science 44(8); Meade & Islam 2006, *Modelling and forecasting
//! the diffusion of innovation — a 25-year review*, IJF 22(3)).
//!
//! ```text
//! logistic   y(t) = K / (1 + exp(−r (t − t₀)))        rate r, midpoint t₀ (y = K/2)
//! Gompertz   y(t) = K · exp(−b · exp(−c t))           rate c, midpoint ln(b)/c (y = K/e)
//! ```
//! Time is the observation index, `t = 1` for the first value and `t = n + k` for the k-th step
//! ahead; the reported midpoint uses that index (it can lie in the future).
//!
//! ## Estimation: least squares on the log scale
//! Market sizes vary multiplicatively, so the curves are fitted to `ln y`, i.e. the model is
//! `ln y_t = ln f(t) + ε_t`, `ε_t ~ N(0, σ²)` i.i.d., and the parameters minimise
//! `Σ (ln y_t − ln f(t))²` (Gaussian maximum likelihood on the log scale). The cap `K` is either
//! given (`cap: Some(K)`, which must exceed every observation) or fitted within
//! `max(y)·(1 + 10⁻⁶) ≤ K ≤ 100·max(y)`; a fitted cap on the upper bound (reported as
//! `cap_at_bound = 1`) means the data do not identify saturation yet and the cap should be given.
//! `ln K` enters `ln f` linearly, so it is profiled out in closed form (clamped to its bounds):
//! * logistic: the bounded Nelder–Mead of [`super::optim`] searches `(ln r, m)` with
//!   `m = r (t₀ − n)` the log-odds of the curve being below its cap at the last observation,
//!   `r ∈ [10⁻³, 3]`, `m ∈ [−15, 15]`, started from the best point of a coarse grid;
//! * Gompertz: for a given `c` the model is linear in `(ln K, b)`, solved by bounded least
//!   squares (`b ≥ 0`), and Nelder–Mead searches `ln c`, `c ∈ [10⁻³, 3]`, from a grid.
//!
//! ## Prediction intervals
//! Analytic, on the log scale: `ln y_{n+k} ~ N(ln f(n + k), σ² + g′ Σ g)` where `σ² = SSE/(n − p)`
//! (p fitted parameters, cap included when fitted) and `g′ Σ g` is the delta-method variance of
//! the fitted log-curve from the Gauss–Newton covariance `Σ = σ² (J′J)⁺` of the parameters
//! (Seber & Wild 1989, *Nonlinear Regression*, §5.1), so intervals widen with the horizon as
//! the curve's parameter uncertainty grows. Parameters fixed at a bound are treated as known.
//! The point forecast is the curve `f(n + k)`, the predictive median; bounds are `exp` of the
//! log-scale bounds, hence always positive. [`FittedModel::simulate`] draws the parameters once
//! per path from the same linearised distribution plus i.i.d. log-scale noise each step.
//!
//! ## Failure cases
//! Any value ≤ 0 or non-finite, a given cap that is not finite or not above the largest
//! observation, and series shorter than `p + 2` (5 with a fitted cap, 4 with a given one) give
//! [`Error::Fit`]. A constant series fits a saturated curve at (just above) that value.

use super::forecast::{Forecast, Interval, Param, normal_z};
use super::optim::{NmOptions, nelder_mead};
use super::{FittedModel, Forecaster, too_short};
use crate::error::{Error, Result};
use rand::rngs::StdRng;
use rand_distr::{Distribution, Normal};
use std::borrow::Cow;

/// Upper bound on a fitted cap, as a multiple of the largest observation.
const CAP_MAX_FACTOR: f64 = 100.0;
/// A fitted cap is at least this multiple of the largest observation.
const CAP_MIN_FACTOR: f64 = 1.0 + 1e-6;
/// Bounds on the logistic rate r and the Gompertz rate c (per period).
const RATE_MIN: f64 = 1e-3;
const RATE_MAX: f64 = 3.0;
/// Bounds on the logistic log-odds m = r (t₀ − n).
const M_BOUND: f64 = 15.0;
/// Exponents are capped here so that no bound or path overflows to infinity.
const MAX_LOG: f64 = 700.0;

/// Logistic growth curve `K / (1 + exp(−r (t − t₀)))`, fitted by least squares on `ln y`
/// (see the module docs). `cap: Some(K)` fixes the saturation level.
#[derive(Debug, Clone, Copy, Default)]
pub struct Logistic {
    /// Known saturation level (market potential), or `None` to fit it.
    pub cap: Option<f64>,
}

/// Gompertz growth curve `K exp(−b exp(−c t))`, fitted by least squares on `ln y`
/// (see the module docs). `cap: Some(K)` fixes the saturation level.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gompertz {
    /// Known saturation level (market potential), or `None` to fit it.
    pub cap: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Curve {
    Logistic,
    Gompertz,
}

/// A fitted [`Logistic`] or [`Gompertz`] curve.
#[derive(Debug, Clone)]
pub struct FittedGrowth {
    curve: Curve,
    /// ln K.
    u: f64,
    /// K as given by the user, reported exactly.
    cap_given: Option<f64>,
    /// Logistic: r. Gompertz: c.
    rate: f64,
    /// Logistic: t₀. Gompertz: β = b·exp(−c t̄) (b relative to the centre time `tbar`).
    shape: f64,
    tbar: f64,
    n: usize,
    cap_fitted: bool,
    cap_at_bound: bool,
    /// Residual standard deviation on the log scale.
    sigma: f64,
    /// Which of (ln K, rate, shape) are free in the covariance.
    active: [bool; 3],
    /// Eigen-decomposition of J′J restricted to the active parameters: (eigenvalue, vector
    /// over all three parameters, zero on inactive ones), eigenvalues below tolerance dropped.
    eig: Vec<(f64, [f64; 3])>,
}

fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

impl FittedGrowth {
    /// ln f(t).
    fn log_curve(&self, t: f64) -> f64 {
        match self.curve {
            Curve::Logistic => self.u - softplus(-self.rate * (t - self.shape)),
            Curve::Gompertz => self.u - self.shape * (-self.rate * (t - self.tbar)).exp(),
        }
    }

    /// Gradient of ln f(t) with respect to (ln K, rate, shape).
    fn gradient(&self, t: f64) -> [f64; 3] {
        match self.curve {
            Curve::Logistic => {
                let s = sigmoid(-self.rate * (t - self.shape));
                [1.0, s * (t - self.shape), -s * self.rate]
            }
            Curve::Gompertz => {
                let x = (-self.rate * (t - self.tbar)).exp();
                [1.0, self.shape * (t - self.tbar) * x, -x]
            }
        }
    }

    /// Delta-method variance of ln f(t) divided by σ².
    fn param_var_factor(&self, t: f64) -> f64 {
        let g = self.gradient(t);
        self.eig
            .iter()
            .map(|(lambda, v)| (0..3).map(|i| g[i] * v[i]).sum::<f64>().powi(2) / lambda)
            .sum()
    }

    /// Cap, rate and midpoint in the user's units.
    fn cap_rate_midpoint(&self) -> (f64, f64, f64) {
        let cap = self.cap_given.unwrap_or_else(|| self.u.exp());
        match self.curve {
            Curve::Logistic => (cap, self.rate, self.shape),
            Curve::Gompertz => (
                cap,
                self.rate,
                self.tbar + self.shape.max(1e-300).ln() / self.rate,
            ),
        }
    }

    fn finish(mut self, y_log: &[f64], n_params: usize) -> Self {
        let n = y_log.len();
        let sse: f64 = y_log
            .iter()
            .enumerate()
            .map(|(i, ly)| (ly - self.log_curve(i as f64 + 1.0)).powi(2))
            .sum();
        self.sigma = (sse / (n - n_params) as f64).sqrt();
        // J′J over the active parameters
        let mut m = [[0.0; 3]; 3];
        for i in 0..n {
            let g = self.gradient(i as f64 + 1.0);
            for a in 0..3 {
                for b in 0..3 {
                    if self.active[a] && self.active[b] {
                        m[a][b] += g[a] * g[b];
                    }
                }
            }
        }
        let (vals, vecs) = jacobi_eigen(m);
        let top = vals.iter().cloned().fold(0.0, f64::max);
        self.eig = (0..3)
            .filter(|&k| vals[k] > 1e-10 * top && vals[k] > 0.0)
            .map(|k| (vals[k], [vecs[0][k], vecs[1][k], vecs[2][k]]))
            .collect();
        self
    }
}

/// Eigenvalues and eigenvectors (columns) of a symmetric 3×3 matrix by cyclic Jacobi rotations.
fn jacobi_eigen(mut a: [[f64; 3]; 3]) -> ([f64; 3], [[f64; 3]; 3]) {
    let mut v = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    for _ in 0..50 {
        let off = a[0][1].powi(2) + a[0][2].powi(2) + a[1][2].powi(2);
        let diag = a[0][0].powi(2) + a[1][1].powi(2) + a[2][2].powi(2);
        if off <= 1e-30 * diag || off == 0.0 {
            break;
        }
        for (p, q) in [(0, 1), (0, 2), (1, 2)] {
            if a[p][q] == 0.0 {
                continue;
            }
            let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
            let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
            let t = if theta == 0.0 { 1.0 } else { t };
            let c = 1.0 / (t * t + 1.0).sqrt();
            let s = t * c;
            // A ← Jᵀ A J with the rotation J in the (p, q) plane; V ← V J
            for row in a.iter_mut() {
                let (akp, akq) = (row[p], row[q]);
                row[p] = c * akp - s * akq;
                row[q] = s * akp + c * akq;
            }
            let (rp, rq) = (a[p], a[q]);
            a[p] = std::array::from_fn(|k| c * rp[k] - s * rq[k]);
            a[q] = std::array::from_fn(|k| s * rp[k] + c * rq[k]);
            for row in v.iter_mut() {
                let (vkp, vkq) = (row[p], row[q]);
                row[p] = c * vkp - s * vkq;
                row[q] = s * vkp + c * vkq;
            }
        }
    }
    ([a[0][0], a[1][1], a[2][2]], v)
}

/// Checks shared by both curves; returns ln y, the bounds on ln K and whether K is fitted.
fn prepare(model: &str, y: &[f64], cap: Option<f64>) -> Result<(Vec<f64>, f64, f64, bool)> {
    let fit_err = |reason: String| Error::Fit {
        model: model.into(),
        reason,
    };
    if let Some(i) = y.iter().position(|v| !v.is_finite() || *v <= 0.0) {
        return Err(fit_err(format!(
            "observation {} is {}; growth curves are fitted on the log scale and need every \
             value finite and > 0",
            i + 1,
            y[i]
        )));
    }
    let need = if cap.is_some() { 4 } else { 5 };
    if y.len() < need {
        return Err(too_short(model, y.len(), need));
    }
    let ymax = y.iter().cloned().fold(f64::MIN, f64::max);
    let y_log: Vec<f64> = y.iter().map(|v| v.ln()).collect();
    match cap {
        Some(k) if !k.is_finite() || k <= ymax => Err(fit_err(format!(
            "the given cap {k} must be finite and above the largest observation {ymax}"
        ))),
        Some(k) => Ok((y_log, k.ln(), k.ln(), false)),
        None => Ok((
            y_log,
            (ymax * CAP_MIN_FACTOR).ln(),
            (ymax * CAP_MAX_FACTOR).ln(),
            true,
        )),
    }
}

/// Best start among a grid, then bounded Nelder–Mead.
fn grid_then_nm(
    f: &mut dyn FnMut(&[f64]) -> f64,
    grid: &[Vec<f64>],
    lower: &[f64],
    upper: &[f64],
) -> Vec<f64> {
    let mut best = (grid[0].clone(), f64::INFINITY);
    for p in grid {
        let v = f(p);
        if v < best.1 {
            best = (p.clone(), v);
        }
    }
    let (x, v) = nelder_mead(
        &mut *f,
        &best.0,
        lower,
        upper,
        NmOptions {
            max_evals: 1500,
            tol: 1e-12,
        },
    );
    if v <= best.1 { x } else { best.0 }
}

impl Forecaster for Logistic {
    type Fitted = FittedGrowth;
    fn fit(&self, y: &[f64]) -> Result<FittedGrowth> {
        let (y_log, u_lo, u_hi, cap_fitted) = prepare("logistic", y, self.cap)?;
        let n = y.len() as f64;
        // ln f(t) = u − softplus(m + r (n − t)); profile u in closed form
        let profile = |p: &[f64]| -> (f64, f64) {
            let (r, m) = (p[0].exp(), p[1]);
            let s: Vec<f64> = (0..y_log.len())
                .map(|i| softplus(m + r * (n - (i as f64 + 1.0))))
                .collect();
            let u =
                (y_log.iter().zip(&s).map(|(ly, si)| ly + si).sum::<f64>() / n).clamp(u_lo, u_hi);
            let sse = y_log
                .iter()
                .zip(&s)
                .map(|(ly, si)| (ly - u + si).powi(2))
                .sum();
            (sse, u)
        };
        let (lr_lo, lr_hi) = (RATE_MIN.ln(), RATE_MAX.ln());
        let mut grid = Vec::new();
        for i in 0..12 {
            for j in 0..13 {
                grid.push(vec![
                    lr_lo + (lr_hi - lr_lo) * i as f64 / 11.0,
                    -10.0 + 20.0 * j as f64 / 12.0,
                ]);
            }
        }
        let best = grid_then_nm(
            &mut |p| profile(p).0,
            &grid,
            &[lr_lo, -M_BOUND],
            &[lr_hi, M_BOUND],
        );
        let (_, u) = profile(&best);
        let r = best[0].exp();
        let cap_at_bound = cap_fitted && (u_hi - u) < 1e-9;
        let fitted = FittedGrowth {
            curve: Curve::Logistic,
            u,
            cap_given: self.cap,
            rate: r,
            shape: n + best[1] / r,
            tbar: 0.0,
            n: y.len(),
            cap_fitted,
            cap_at_bound,
            sigma: 0.0,
            active: [cap_fitted && u > u_lo + 1e-12 && !cap_at_bound, true, true],
            eig: Vec::new(),
        };
        Ok(fitted.finish(&y_log, if cap_fitted { 3 } else { 2 }))
    }
}

/// Bounded least squares of `ly ≈ u − β x` with `u ∈ [u_lo, u_hi]`, `β ≥ 0`: the optimum of a
/// convex quadratic on a box is the unconstrained one or lies on an edge, so every candidate is
/// tried. Returns (sse, u, β).
fn gompertz_ls(ly: &[f64], x: &[f64], u_lo: f64, u_hi: f64) -> (f64, f64, f64) {
    let n = ly.len() as f64;
    let (sx, sxx) = (x.iter().sum::<f64>(), x.iter().map(|v| v * v).sum::<f64>());
    let sy: f64 = ly.iter().sum();
    let sxy: f64 = x.iter().zip(ly).map(|(a, b)| a * b).sum();
    let sse = |u: f64, beta: f64| -> f64 {
        ly.iter()
            .zip(x)
            .map(|(l, xi)| (l - u + beta * xi).powi(2))
            .sum()
    };
    let beta_given_u = |u: f64| ((u * sx - sxy) / sxx).max(0.0);
    let mut cands = vec![
        (u_lo, beta_given_u(u_lo)),
        (u_hi, beta_given_u(u_hi)),
        ((sy / n).clamp(u_lo, u_hi), 0.0),
    ];
    let det = n * sxx - sx * sx;
    if det > 1e-12 * n * sxx {
        // normal equations of ly = u − β x
        let u = (sy * sxx - sx * sxy) / det;
        let beta = (sx * sy - n * sxy) / det;
        if (u_lo..=u_hi).contains(&u) && beta >= 0.0 {
            cands.push((u, beta));
        }
    }
    cands
        .into_iter()
        .map(|(u, b)| (sse(u, b), u, b))
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .expect("candidates are non-empty")
}

impl Forecaster for Gompertz {
    type Fitted = FittedGrowth;
    fn fit(&self, y: &[f64]) -> Result<FittedGrowth> {
        let (y_log, u_lo, u_hi, cap_fitted) = prepare("gompertz", y, self.cap)?;
        let n = y.len();
        let tbar = (n as f64 + 1.0) / 2.0;
        let profile = |lc: f64| -> (f64, f64, f64) {
            let c = lc.exp();
            let x: Vec<f64> = (0..n)
                .map(|i| (-c * (i as f64 + 1.0 - tbar)).exp())
                .collect();
            gompertz_ls(&y_log, &x, u_lo, u_hi)
        };
        let (lc_lo, lc_hi) = (RATE_MIN.ln(), RATE_MAX.ln());
        let grid: Vec<Vec<f64>> = (0..40)
            .map(|i| vec![lc_lo + (lc_hi - lc_lo) * i as f64 / 39.0])
            .collect();
        let best = grid_then_nm(&mut |p| profile(p[0]).0, &grid, &[lc_lo], &[lc_hi]);
        let (_, u, beta) = profile(best[0]);
        let cap_at_bound = cap_fitted && (u_hi - u) < 1e-9;
        let fitted = FittedGrowth {
            curve: Curve::Gompertz,
            u,
            cap_given: self.cap,
            rate: best[0].exp(),
            shape: beta,
            tbar,
            n,
            cap_fitted,
            cap_at_bound,
            sigma: 0.0,
            active: [
                cap_fitted && u > u_lo + 1e-12 && !cap_at_bound,
                beta > 0.0,
                beta > 0.0,
            ],
            eig: Vec::new(),
        };
        Ok(fitted.finish(&y_log, if cap_fitted { 3 } else { 2 }))
    }
}

impl FittedModel for FittedGrowth {
    fn name(&self) -> &'static str {
        match self.curve {
            Curve::Logistic => "logistic",
            Curve::Gompertz => "gompertz",
        }
    }
    fn description(&self) -> Cow<'static, str> {
        let (cap, _, _) = self.cap_rate_midpoint();
        let how = match (self.cap_fitted, self.cap_at_bound) {
            (false, _) => "given",
            (true, false) => "fitted",
            (true, true) => "fitted, at its upper bound: not identified by the data",
        };
        format!(
            "{} growth curve, cap {cap:.6} ({how}); least squares on ln y, point = median",
            match self.curve {
                Curve::Logistic => "logistic",
                Curve::Gompertz => "Gompertz",
            }
        )
        .into()
    }
    fn params(&self) -> Vec<Param> {
        let (cap, rate, midpoint) = self.cap_rate_midpoint();
        vec![
            Param::new("cap", cap),
            Param::new("rate", rate),
            Param::new("midpoint", midpoint),
            Param::new("sigma", self.sigma),
            Param::new("cap_at_bound", if self.cap_at_bound { 1.0 } else { 0.0 }),
        ]
    }
    fn forecast(&self, h: usize, levels: &[f64]) -> Forecast {
        let ts: Vec<f64> = (1..=h).map(|k| (self.n + k) as f64).collect();
        let mid: Vec<f64> = ts.iter().map(|&t| self.log_curve(t)).collect();
        let sd: Vec<f64> = ts
            .iter()
            .map(|&t| self.sigma * (1.0 + self.param_var_factor(t)).sqrt())
            .collect();
        let intervals = levels
            .iter()
            .map(|&level| {
                let l = if level.is_nan() {
                    0.0
                } else {
                    level.clamp(0.0, 100.0 - 1e-9)
                };
                let z = normal_z(l).max(0.0);
                Interval {
                    level,
                    lower: mid
                        .iter()
                        .zip(&sd)
                        .map(|(m, s)| (m - z * s).min(MAX_LOG).exp())
                        .collect(),
                    upper: mid
                        .iter()
                        .zip(&sd)
                        .map(|(m, s)| (m + z * s).min(MAX_LOG).exp())
                        .collect(),
                }
            })
            .collect();
        Forecast {
            point: mid.iter().map(|m| m.min(MAX_LOG).exp()).collect(),
            intervals,
        }
    }
    fn simulate(&self, h: usize, rng: &mut StdRng) -> Vec<f64> {
        let std = Normal::new(0.0, 1.0).expect("standard normal is valid");
        // δ = σ Σ_k z_k v_k / √λ_k  ~  N(0, σ² (J′J)⁺)
        let mut delta = [0.0; 3];
        for (lambda, v) in &self.eig {
            let z = std.sample(rng) * self.sigma / lambda.sqrt();
            for i in 0..3 {
                delta[i] += z * v[i];
            }
        }
        (1..=h)
            .map(|k| {
                let t = (self.n + k) as f64;
                let g = self.gradient(t);
                let shift: f64 = (0..3).map(|i| g[i] * delta[i]).sum();
                let e = std.sample(rng) * self.sigma;
                (self.log_curve(t) + shift + e).min(MAX_LOG).exp()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn logistic(k: f64, r: f64, t0: f64, n: usize) -> Vec<f64> {
        (1..=n)
            .map(|t| k / (1.0 + (-r * (t as f64 - t0)).exp()))
            .collect()
    }

    fn gompertz(k: f64, b: f64, c: f64, n: usize) -> Vec<f64> {
        (1..=n)
            .map(|t| k * (-b * (-c * t as f64).exp()).exp())
            .collect()
    }

    fn noisy(y: &[f64], sd: f64, seed: u64) -> Vec<f64> {
        let mut rng = StdRng::seed_from_u64(seed);
        let normal = Normal::new(0.0, sd).unwrap();
        y.iter()
            .map(|v| v * normal.sample(&mut rng).exp())
            .collect()
    }

    fn param(p: &[Param], name: &str) -> f64 {
        p.iter().find(|q| q.name == name).unwrap().value
    }

    fn assert_ordered(f: &Forecast) {
        for iv in &f.intervals {
            for k in 0..f.horizon() {
                assert!(iv.lower[k] <= f.point[k] && f.point[k] <= iv.upper[k]);
                assert!(iv.lower[k] > 0.0 && iv.upper[k].is_finite());
            }
        }
    }

    #[test]
    fn a_logistic_curve_recovers_its_cap() {
        let y = logistic(1000.0, 0.5, 12.0, 20);
        let p = Logistic { cap: None }.fit(&y).unwrap().params();
        assert!((param(&p, "cap") - 1000.0).abs() < 1e-3, "{p:?}");
        assert!((param(&p, "rate") - 0.5).abs() < 1e-6, "{p:?}");
        assert!((param(&p, "midpoint") - 12.0).abs() < 1e-5, "{p:?}");
        assert!(param(&p, "sigma") < 1e-6);
        assert_eq!(param(&p, "cap_at_bound"), 0.0);
    }

    #[test]
    fn a_noisy_logistic_curve_still_finds_a_cap_near_the_truth() {
        let y = noisy(&logistic(500.0, 0.4, 10.0, 25), 0.03, 1);
        let p = Logistic { cap: None }.fit(&y).unwrap().params();
        assert!((param(&p, "cap") / 500.0 - 1.0).abs() < 0.1, "{p:?}");
    }

    #[test]
    fn a_given_cap_is_kept_and_a_cap_below_the_data_is_refused() {
        let y = noisy(&logistic(200.0, 0.3, 15.0, 15), 0.02, 2);
        let fit = Logistic { cap: Some(250.0) }.fit(&y).unwrap();
        assert_eq!(param(&fit.params(), "cap"), 250.0);
        let f = fit.forecast(50, &[95.0]);
        assert!(f.point.iter().all(|v| *v < 250.0));
        let max = y.iter().cloned().fold(0.0, f64::max);
        assert!(Logistic { cap: Some(max) }.fit(&y).is_err());
        assert!(
            Gompertz {
                cap: Some(max * 0.5)
            }
            .fit(&y)
            .is_err()
        );
        assert!(
            Logistic {
                cap: Some(f64::INFINITY)
            }
            .fit(&y)
            .is_err()
        );
    }

    #[test]
    fn a_gompertz_curve_recovers_its_parameters() {
        let y = gompertz(800.0, 6.0, 0.25, 25);
        let p = Gompertz { cap: None }.fit(&y).unwrap().params();
        assert!((param(&p, "cap") - 800.0).abs() < 1e-3, "{p:?}");
        assert!((param(&p, "rate") - 0.25).abs() < 1e-6, "{p:?}");
        assert!(
            (param(&p, "midpoint") - 6f64.ln() / 0.25).abs() < 1e-4,
            "{p:?}"
        );
        let fit = Gompertz { cap: Some(800.0) }.fit(&y).unwrap();
        assert!((param(&fit.params(), "rate") - 0.25).abs() < 1e-6);
    }

    #[test]
    fn growth_curves_refuse_non_positive_data() {
        for bad in [0.0, -3.0, f64::NAN] {
            let y = [1.0, 2.0, bad, 4.0, 5.0, 6.0];
            let e = Logistic { cap: None }.fit(&y).unwrap_err().to_string();
            assert!(e.contains("observation 3"), "{e}");
            assert!(Gompertz { cap: None }.fit(&y).is_err());
        }
    }

    #[test]
    fn short_series_give_a_clean_error() {
        for n in 0..5 {
            let y: Vec<f64> = (1..=n).map(|t| t as f64).collect();
            assert!(matches!(
                Logistic { cap: None }.fit(&y),
                Err(Error::Fit { .. } | Error::TooShort { .. })
            ));
            assert!(matches!(
                Gompertz { cap: None }.fit(&y),
                Err(Error::Fit { .. } | Error::TooShort { .. })
            ));
        }
        assert!(
            Logistic { cap: Some(10.0) }
                .fit(&[1.0, 2.0, 3.0, 4.0])
                .is_ok()
        );
    }

    #[test]
    fn growth_intervals_are_ordered_widen_with_level_and_with_horizon() {
        let y = noisy(&logistic(1000.0, 0.35, 18.0, 20), 0.05, 3);
        for fit in [
            Logistic { cap: None }.fit(&y).unwrap(),
            Gompertz { cap: None }.fit(&y).unwrap(),
        ] {
            let f = fit.forecast(8, &[50.0, 80.0, 95.0]);
            assert_ordered(&f);
            for k in 0..8 {
                let w = |l: f64| {
                    let iv = f.interval(l).unwrap();
                    (iv.upper[k] / iv.lower[k]).ln()
                };
                assert!(w(50.0) < w(80.0) && w(80.0) < w(95.0));
            }
            let iv = f.interval(95.0).unwrap();
            let w0 = (iv.upper[0] / iv.lower[0]).ln();
            let w7 = (iv.upper[7] / iv.lower[7]).ln();
            assert!(w7 > w0, "{} {w0} {w7}", fit.name());
        }
    }

    #[test]
    fn simulated_paths_match_the_analytic_intervals() {
        let y = noisy(&gompertz(300.0, 4.0, 0.2, 20), 0.05, 4);
        let fit = Gompertz { cap: None }.fit(&y).unwrap();
        let f = fit.forecast(5, &[90.0]);
        let mut rng = StdRng::seed_from_u64(9);
        let paths: Vec<Vec<f64>> = (0..20_000).map(|_| fit.simulate(5, &mut rng)).collect();
        for k in 0..5 {
            let mut col: Vec<f64> = paths.iter().map(|p| p[k].ln()).collect();
            col.sort_by(f64::total_cmp);
            let (lo, hi) = (col[col.len() / 20], col[col.len() * 19 / 20]);
            let (alo, ahi) = (f.intervals[0].lower[k].ln(), f.intervals[0].upper[k].ln());
            assert!((lo - alo).abs() < 0.05 * (ahi - alo), "step {k}");
            assert!((hi - ahi).abs() < 0.05 * (ahi - alo), "step {k}");
        }
    }

    #[test]
    fn early_exponential_growth_puts_the_cap_on_its_bound_and_says_so() {
        let y: Vec<f64> = (0..15).map(|t| 10.0 * 1.2f64.powi(t)).collect();
        let fit = Logistic { cap: None }.fit(&y).unwrap();
        let p = fit.params();
        assert_eq!(param(&p, "cap_at_bound"), 1.0);
        assert!(fit.description().contains("not identified"));
        assert_ordered(&fit.forecast(6, &[80.0, 95.0]));
    }

    #[test]
    fn jacobi_rotations_diagonalise_a_symmetric_matrix() {
        let m = [[4.0, 1.0, 2.0], [1.0, 3.0, 0.5], [2.0, 0.5, 5.0]];
        let (vals, v) = jacobi_eigen(m);
        for k in 0..3 {
            for i in 0..3 {
                let mv: f64 = (0..3).map(|j| m[i][j] * v[j][k]).sum();
                assert!((mv - vals[k] * v[i][k]).abs() < 1e-10);
            }
        }
        assert!((vals.iter().sum::<f64>() - 12.0).abs() < 1e-10);
    }

    #[test]
    fn a_constant_series_gives_finite_flat_forecasts() {
        let y = vec![42.0; 10];
        for fit in [
            Logistic { cap: None }.fit(&y).unwrap(),
            Gompertz { cap: None }.fit(&y).unwrap(),
        ] {
            let f = fit.forecast(4, &[80.0, 95.0]);
            assert!(
                f.point.iter().all(|v| (v / 42.0 - 1.0).abs() < 1e-3),
                "{f:?}"
            );
            assert_ordered(&f);
            assert!(fit.params().iter().all(|p| p.value.is_finite()));
        }
    }
}
