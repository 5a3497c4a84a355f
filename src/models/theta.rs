//! The Theta family for non-seasonal (e.g. yearly) data.
//!
//! * [`Theta`]: the standard Theta method (θ = 2) exactly as R's `forecast::thetaf`, i.e. the
//!   "simple exponential smoothing with drift" form of Hyndman & Billah (2003), *Unmasking the
//!   Theta method*, IJF 19(2): SES is fitted to the series (α and ℓ₀ by least squares, which is
//!   maximum likelihood under Gaussian errors), and half the OLS slope `b` of the series is added:
//!   `f_h = ℓ_n + b/2 · ((h − 1) + (1 − (1 − α)ⁿ)/α)`. Intervals are those of SES,
//!   `σ²(1 + (h − 1)α²)` with `σ² = SSE/(n − 2)` (R's `ets` variance).
//! * [`ThetaStateSpace`] with a [`ThetaVariant`], and the shorthands [`OptimizedTheta`] (OTM),
//!   [`DynamicTheta`] (DSTM) and [`DynamicOptimizedTheta`] (DOTM): the state-space theta models of
//!   Fiorucci, Pellegrini, Louzada, Petropoulos & Koehler (2016), *Models for optimising the
//!   theta method and their relationship to state space models*, IJF 32(4), 1151–1161, as in the
//!   authors' R package `forecTheta` (Fiorucci & Louzada) and statsforecast's
//!   `Theta`/`OptimizedTheta`/`DynamicTheta`/`DynamicOptimizedTheta`.
//! * [`AutoTheta`]: fits STM, OTM, DSTM and DOTM and keeps the lowest in-sample MSE, as
//!   statsforecast's `AutoTheta` does for non-seasonal data.
//!
//! ## The state-space model (Fiorucci et al. 2016, Section 3)
//! With time index `t = 1, …, n`, `w = 1 − 1/θ` and `0 < α < 1`:
//! ```text
//! y_t = μ_t + ε_t,                 ε_t ~ N(0, σ²)
//! μ_t = ℓ_{t−1} + w · [ (1 − α)^{t−1} A_{t−1} + (1 − (1 − α)^t)/α · B_{t−1} ]
//! ℓ_t = α y_t + (1 − α) ℓ_{t−1}
//! ```
//! `A + B t` is the long-term theta line (θ = 0). In the *static* models (STM, OTM) `A_n`, `B_n`
//! are the OLS intercept and slope of the whole series. In the *dynamic* models (DSTM, DOTM) they
//! are updated recursively every period (`Ȳ_t` is the running mean):
//! ```text
//! Ȳ_t = ((t − 1) Ȳ_{t−1} + y_t)/t
//! B_t = ((t − 2) B_{t−1} + 6 (y_t − Ȳ_{t−1})/t)/(t + 1)
//! A_t = Ȳ_t − (t + 1) B_t / 2
//! ```
//! started at `A_1 = y_1`, `B_1 = 0`, `μ_1 = y_1`. STM/DSTM fix θ = 2; OTM/DOTM estimate θ ≥ 1.
//! Point forecasts iterate the recursions with `y` replaced by its forecast `μ` (the dynamic
//! models keep revising `A`, `B` with their own forecasts), as `forecTheta` and statsforecast do.
//!
//! ## Estimation
//! Parameters `(ℓ₀, α, θ)` minimise the sum of squared one-step errors (Gaussian conditional
//! maximum likelihood) with `α ∈ [0.1, 0.99]` and `θ ∈ [1, 10¹⁰]` (the bounds of `forecTheta`
//! and statsforecast). As in statsforecast the sum runs over the errors from `t = 4` on for all
//! four models, so that the estimation criterion is also the in-sample MSE on which
//! [`AutoTheta`] compares them (the dynamic models' first errors are fixed by their
//! initialisation; `forecTheta` sums from `t = 3` for those and over all errors for the static
//! ones). The optimum is computed exactly rather than by Nelder–Mead: the errors are affine in `ℓ₀` and in `w = 1 − 1/θ` for a given α, so `(ℓ₀, w)`
//! come from a two-variable least-squares problem (with `w` clamped to its bounds) and only α is
//! searched (a grid followed by golden-section refinement). When θ is not identified (the
//! theta-line term is collinear with the initial level, e.g. a constant series) θ = 2 is used.
//!
//! ## Prediction intervals
//! Every model here is linear in its errors, so the h-step predictive distribution is exactly
//! Gaussian with mean equal to the point forecast. The variance is computed analytically by
//! propagating a unit error through the recursions (the ψ-weights of the state-space form):
//! for the static models this is the paper's `σ²(1 + (h − 1)α²)`, for the dynamic models it also
//! accounts for the revision of `A` and `B` by the future values. `forecTheta` and statsforecast
//! instead take quantiles of 200 simulated paths (along which they revise `A`, `B` even for the
//! static models); for the dynamic models the analytic intervals are the exact limit of that
//! simulation, so no random seed is involved. [`FittedModel::simulate`] draws paths from the
//! same model (a test checks that their quantiles match the analytic intervals).
//! `σ² = SSE/(N − k)` over the `N` errors of the estimation window with `k` estimated parameters
//! (`k ≥ N` falls back to a divisor of 1).
//!
//! ## Short and constant series
//! [`Theta`] needs 3 observations, the state-space models and [`AutoTheta`] need 4 (as
//! statsforecast); shorter series and non-finite values give [`Error::Fit`]. A constant series
//! is forecast as that constant with zero-width intervals.

use super::forecast::{Forecast, Interval, Param, normal_z};
use super::linalg::ols_line;
use super::{FittedModel, Forecaster, too_short};
use crate::error::{Error, Result};
use rand::rngs::StdRng;
use rand_distr::{Distribution, Normal};
use std::borrow::Cow;

/// Bounds on α for the state-space models (`forecTheta` and statsforecast).
const ALPHA_LO: f64 = 0.1;
const ALPHA_HI: f64 = 0.99;
/// Bounds on α for the SES inside [`Theta`] (R `ets` "usual" bounds).
const SES_ALPHA_LO: f64 = 1e-4;
const SES_ALPHA_HI: f64 = 0.9999;
/// `w = 1 − 1/θ` for θ = 10¹⁰, the upper bound on θ.
const W_MAX: f64 = 1.0 - 1e-10;
/// `w` for the standard θ = 2.
const W_STANDARD: f64 = 0.5;
/// Estimation, σ and AutoTheta's comparison use the one-step errors from this 0-based index on
/// (statsforecast), the same window for every variant.
const FIRST_ERROR: usize = 3;

// ---------------------------------------------------------------------------------------------
// shared helpers
// ---------------------------------------------------------------------------------------------

fn check_values(model: &str, y: &[f64], need: usize) -> Result<()> {
    if y.len() < need {
        return Err(too_short(model, y.len(), need));
    }
    if let Some(i) = y.iter().position(|v| !v.is_finite()) {
        return Err(Error::Fit {
            model: model.into(),
            reason: format!(
                "observation {} is {}; every value must be finite",
                i + 1,
                y[i]
            ),
        });
    }
    Ok(())
}

/// The series divided by its largest absolute value (every model here is scale-equivariant;
/// fitting on values in [−1, 1] keeps squared errors far from overflow), and that scale.
fn scaled(y: &[f64]) -> (f64, Vec<f64>) {
    let s = y.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let s = if s > 0.0 { s } else { 1.0 };
    (s, y.iter().map(|v| v / s).collect())
}

/// Minimise `f` on `[lo, hi]`: a grid dense near both ends (logistic spacing, ends included),
/// then golden-section search between the neighbours of the best grid point.
fn minimise_1d(mut f: impl FnMut(f64) -> f64, lo: f64, hi: f64) -> (f64, f64) {
    const GRID: usize = 48;
    let mut eval = |x: f64| {
        let v = f(x);
        if v.is_finite() { v } else { f64::INFINITY }
    };
    let span = hi - lo;
    let mut xs = Vec::with_capacity(GRID + 2);
    xs.push(lo);
    for j in 0..GRID {
        let z = -6.0 + 12.0 * j as f64 / (GRID - 1) as f64;
        xs.push(lo + span / (1.0 + (-z).exp()));
    }
    xs.push(hi);
    let fs: Vec<f64> = xs.iter().map(|&x| eval(x)).collect();
    let k = (0..xs.len())
        .min_by(|&a, &b| fs[a].total_cmp(&fs[b]))
        .unwrap_or(0);
    let (mut best_x, mut best_f) = (xs[k], fs[k]);
    let (mut a, mut b) = (xs[k.saturating_sub(1)], xs[(k + 1).min(xs.len() - 1)]);
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let mut c = b - g * (b - a);
    let mut d = a + g * (b - a);
    let (mut fc, mut fd) = (eval(c), eval(d));
    for _ in 0..80 {
        if b - a <= 1e-10 * span {
            break;
        }
        if fc < fd {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = eval(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = eval(d);
        }
    }
    for (x, v) in [(c, fc), (d, fd)] {
        if v < best_f {
            best_x = x;
            best_f = v;
        }
    }
    (best_x, best_f)
}

/// Central Gaussian intervals with a guard against NaN: levels are clamped into [0, 100).
fn intervals(point: &[f64], se: &[f64], levels: &[f64]) -> Vec<Interval> {
    levels
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
                lower: point.iter().zip(se).map(|(p, s)| p - z * s).collect(),
                upper: point.iter().zip(se).map(|(p, s)| p + z * s).collect(),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Theta (thetaf)
// ---------------------------------------------------------------------------------------------

/// The standard Theta method (Assimakopoulos & Nikolopoulos 2000) in the form of R's
/// `forecast::thetaf` (Hyndman & Billah 2003): SES with α and ℓ₀ minimising the in-sample
/// sum of squared errors (α ∈ [10⁻⁴, 0.9999] as R's `ets`), plus half the OLS slope `b`,
/// `f_h = ℓ_n + b/2 · ((h − 1) + (1 − (1 − α)ⁿ)/α)`, with SES intervals
/// `σ √(1 + (h − 1)α²)`, `σ² = SSE/(n − 2)`. Needs 3 observations.
#[derive(Debug, Clone, Copy, Default)]
pub struct Theta;

/// Fitted [`Theta`].
#[derive(Debug, Clone)]
pub struct FittedTheta {
    alpha: f64,
    ell0: f64,
    level: f64,
    intercept: f64,
    slope: f64,
    n: usize,
    sigma: f64,
    mse: f64,
}

/// SES profile: for a given α, the least-squares ℓ₀ (errors `e_t = y_t − ℓ_{t−1}` are affine in
/// ℓ₀) and the resulting SSE and final level.
fn ses_profile(y: &[f64], alpha: f64) -> (f64, f64, f64) {
    let (mut c, mut d) = (0.0, 1.0);
    let (mut srd, mut sdd) = (0.0, 0.0);
    for &v in y {
        srd += (v - c) * d;
        sdd += d * d;
        c = alpha * v + (1.0 - alpha) * c;
        d *= 1.0 - alpha;
    }
    let ell0 = srd / sdd; // sdd >= 1
    let mut level = ell0;
    let mut sse = 0.0;
    for &v in y {
        sse += (v - level).powi(2);
        level = alpha * v + (1.0 - alpha) * level;
    }
    (sse, ell0, level)
}

impl Forecaster for Theta {
    type Fitted = FittedTheta;
    fn fit(&self, y: &[f64]) -> Result<FittedTheta> {
        check_values("theta", y, 3)?;
        let n = y.len();
        let (s, y) = scaled(y);
        let y = &y[..];
        let (alpha, _) = minimise_1d(|a| ses_profile(y, a).0, SES_ALPHA_LO, SES_ALPHA_HI);
        let (sse, ell0, level) = ses_profile(y, alpha);
        let (a1, slope) = ols_line(y);
        Ok(FittedTheta {
            alpha,
            ell0: s * ell0,
            level: s * level,
            // report the line on thetaf's time origin t = 0, …, n − 1
            intercept: s * (a1 + slope),
            slope: s * slope,
            n,
            sigma: s * (sse / (n - 2) as f64).sqrt(),
            mse: s * s * sse / n as f64,
        })
    }
}

impl FittedTheta {
    fn drift_term(&self, k: usize) -> f64 {
        let a = self.alpha.max(1e-10);
        self.slope / 2.0 * ((k - 1) as f64 + (1.0 - (1.0 - a).powi(self.n as i32)) / a)
    }
}

impl FittedModel for FittedTheta {
    fn name(&self) -> &'static str {
        "theta"
    }
    fn description(&self) -> Cow<'static, str> {
        "standard Theta method (theta = 2; SES with drift as R thetaf, Hyndman & Billah 2003)"
            .into()
    }
    fn params(&self) -> Vec<Param> {
        vec![
            Param::new("theta", 2.0),
            Param::new("alpha", self.alpha),
            Param::new("ell0", self.ell0),
            Param::new("level", self.level),
            Param::new("a", self.intercept),
            Param::new("b", self.slope),
            Param::new("sigma", self.sigma),
            Param::new("mse", self.mse),
        ]
    }
    fn forecast(&self, h: usize, levels: &[f64]) -> Forecast {
        let point: Vec<f64> = (1..=h).map(|k| self.level + self.drift_term(k)).collect();
        let se: Vec<f64> = (1..=h)
            .map(|k| self.sigma * (1.0 + (k - 1) as f64 * self.alpha * self.alpha).sqrt())
            .collect();
        Forecast {
            intervals: intervals(&point, &se, levels),
            point,
        }
    }
    fn simulate(&self, h: usize, rng: &mut StdRng) -> Vec<f64> {
        let normal = Normal::new(0.0, self.sigma).expect("sigma is finite and non-negative");
        let mut level = self.level;
        (1..=h)
            .map(|k| {
                let e = normal.sample(rng);
                let v = level + self.drift_term(k) + e;
                level += self.alpha * e;
                v
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// state-space theta models (Fiorucci et al. 2016)
// ---------------------------------------------------------------------------------------------

/// One of the four state-space theta models of Fiorucci et al. (2016).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThetaVariant {
    /// Standard theta model: θ = 2, static `A_n`, `B_n`.
    Stm,
    /// Optimised theta model: θ ≥ 1 estimated, static `A_n`, `B_n`.
    Otm,
    /// Dynamic standard theta model: θ = 2, `A_t`, `B_t` updated every period.
    Dstm,
    /// Dynamic optimised theta model: θ estimated, `A_t`, `B_t` updated every period.
    Dotm,
}

impl ThetaVariant {
    /// All four, in AutoTheta's order of preference on ties.
    pub const ALL: [ThetaVariant; 4] = [Self::Stm, Self::Otm, Self::Dstm, Self::Dotm];

    /// Short machine name (`stm`, `otm`, `dstm`, `dotm`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Stm => "stm",
            Self::Otm => "otm",
            Self::Dstm => "dstm",
            Self::Dotm => "dotm",
        }
    }
    fn long_name(self) -> &'static str {
        match self {
            Self::Stm => "standard theta model (STM)",
            Self::Otm => "optimised theta model (OTM)",
            Self::Dstm => "dynamic standard theta model (DSTM)",
            Self::Dotm => "dynamic optimised theta model (DOTM)",
        }
    }
    /// Whether `A`, `B` are revised every period.
    pub fn is_dynamic(self) -> bool {
        matches!(self, Self::Dstm | Self::Dotm)
    }
    /// Whether θ is estimated (otherwise θ = 2).
    pub fn optimises_theta(self) -> bool {
        matches!(self, Self::Otm | Self::Dotm)
    }
    /// Number of estimated parameters (ℓ₀, α and maybe θ).
    fn n_params(self) -> usize {
        if self.optimises_theta() { 3 } else { 2 }
    }
}

/// States after an observation: level ℓ, running mean Ȳ and the theta line `A + B t`.
#[derive(Debug, Clone, Copy, Default)]
struct State {
    level: f64,
    mean_y: f64,
    a: f64,
    b: f64,
}

impl State {
    /// One-step mean of the observation with 0-based index `i` (paper's `t = i + 1`).
    fn mu(&self, i: usize, alpha: f64, w: f64) -> f64 {
        let q = (1.0 - alpha).powi(i as i32);
        self.level + w * (self.a * q + self.b * (1.0 - q * (1.0 - alpha)) / alpha)
    }
    /// Absorb observation `i ≥ 1` with value `y`. Linear and homogeneous in (state, y).
    fn absorb(&mut self, i: usize, y: f64, alpha: f64, dynamic: bool) {
        let fi = i as f64;
        let prev_mean = self.mean_y;
        self.level = alpha * y + (1.0 - alpha) * self.level;
        self.mean_y = (fi * prev_mean + y) / (fi + 1.0);
        if dynamic {
            self.b = ((fi - 1.0) * self.b + 6.0 * (y - prev_mean) / (fi + 1.0)) / (fi + 2.0);
            self.a = self.mean_y - self.b * (fi + 2.0) / 2.0;
        }
    }
}

/// Rows `[r_i, d_i, D_i]` such that the one-step error is `e_i = r_i − ℓ₀ d_i − w D_i`.
fn regressors(y: &[f64], v: ThetaVariant, alpha: f64, line: (f64, f64)) -> Vec<[f64; 3]> {
    let dynamic = v.is_dynamic();
    let mut rows = Vec::with_capacity(y.len());
    let mut st = if dynamic {
        rows.push([0.0, 0.0, 0.0]); // μ_1 = y_1: the first error is zero
        State {
            level: 0.0,
            mean_y: y[0],
            a: y[0],
            b: 0.0,
        }
    } else {
        rows.push([y[0], 1.0, line.0 + line.1]);
        State {
            level: 0.0,
            mean_y: y[0],
            a: line.0,
            b: line.1,
        }
    };
    // `st.level` holds the data part c of ℓ (ℓ = c + (1 − α)^{i+1} ℓ₀)
    st.level = alpha * y[0];
    for (i, &yi) in y.iter().enumerate().skip(1) {
        let q = (1.0 - alpha).powi(i as i32);
        let big_d = st.a * q + st.b * (1.0 - q * (1.0 - alpha)) / alpha;
        rows.push([yi - st.level, q, big_d]);
        st.absorb(i, yi, alpha, dynamic);
    }
    rows
}

/// Least-squares (ℓ₀, w) for the rows, `w` fixed or clamped to `[0, W_MAX]`.
fn solve_level_and_weight(rows: &[[f64; 3]], w_fixed: Option<f64>) -> (f64, f64) {
    let (mut srd, mut sdd, mut srb, mut sdb, mut sbb) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for [r, d, bd] in rows {
        srd += r * d;
        sdd += d * d;
        srb += r * bd;
        sdb += d * bd;
        sbb += bd * bd;
    }
    let w = match w_fixed {
        Some(w) => w,
        None => {
            let det = sdd * sbb - sdb * sdb;
            if det > 1e-10 * sdd * sbb && det > 0.0 {
                ((sdd * srb - sdb * srd) / det).clamp(0.0, W_MAX)
            } else {
                W_STANDARD // θ not identified: use the standard θ = 2
            }
        }
    };
    let ell0 = if sdd > 0.0 {
        (srd - w * sdb) / sdd
    } else {
        0.0
    };
    (ell0, w)
}

/// Run the model over the data: one-step errors and the state after the last observation.
fn filter(
    y: &[f64],
    v: ThetaVariant,
    ell0: f64,
    alpha: f64,
    w: f64,
    line: (f64, f64),
) -> (Vec<f64>, State) {
    let dynamic = v.is_dynamic();
    let (a, b, mu0) = if dynamic {
        (y[0], 0.0, y[0])
    } else {
        (line.0, line.1, ell0 + w * (line.0 + line.1))
    };
    let mut st = State {
        level: alpha * y[0] + (1.0 - alpha) * ell0,
        mean_y: y[0],
        a,
        b,
    };
    let mut e = Vec::with_capacity(y.len());
    e.push(y[0] - mu0);
    for (i, &yi) in y.iter().enumerate().skip(1) {
        e.push(yi - st.mu(i, alpha, w));
        st.absorb(i, yi, alpha, dynamic);
    }
    (e, st)
}

/// A state-space theta model of Fiorucci et al. (2016); see the module docs. Needs 4
/// observations.
#[derive(Debug, Clone, Copy)]
pub struct ThetaStateSpace {
    /// Which of the four models.
    pub variant: ThetaVariant,
}

/// Optimised Theta Model (OTM, Fiorucci et al. 2016): θ ≥ 1 estimated with α and ℓ₀;
/// static theta line.
#[derive(Debug, Clone, Copy, Default)]
pub struct OptimizedTheta;

/// Dynamic Standard Theta Model (DSTM, Fiorucci et al. 2016): θ = 2, theta line revised
/// every period.
#[derive(Debug, Clone, Copy, Default)]
pub struct DynamicTheta;

/// Dynamic Optimised Theta Model (DOTM, Fiorucci et al. 2016): θ estimated, theta line
/// revised every period.
#[derive(Debug, Clone, Copy, Default)]
pub struct DynamicOptimizedTheta;

/// Fitted state-space theta model.
#[derive(Debug, Clone)]
pub struct FittedThetaStateSpace {
    variant: ThetaVariant,
    alpha: f64,
    w: f64,
    ell0: f64,
    state: State,
    n: usize,
    sigma: f64,
    mse: f64,
    /// MSE of the series divided by its largest absolute value: AutoTheta's scale-free
    /// criterion (cannot underflow or overflow).
    mse_unit: f64,
}

impl Forecaster for ThetaStateSpace {
    type Fitted = FittedThetaStateSpace;
    fn fit(&self, y: &[f64]) -> Result<FittedThetaStateSpace> {
        let v = self.variant;
        check_values(v.name(), y, 4)?;
        let n = y.len();
        let (s, y) = scaled(y);
        let y = &y[..];
        let line = ols_line(y);
        let start = FIRST_ERROR;
        let w_fixed = (!v.optimises_theta()).then_some(W_STANDARD);
        let profile = |alpha: f64| {
            let rows = regressors(y, v, alpha, line);
            let (ell0, w) = solve_level_and_weight(&rows[start..], w_fixed);
            let sse: f64 = rows[start..]
                .iter()
                .map(|[r, d, bd]| (r - ell0 * d - w * bd).powi(2))
                .sum();
            (sse, ell0, w)
        };
        let (alpha, _) = minimise_1d(|a| profile(a).0, ALPHA_LO, ALPHA_HI);
        let (_, ell0, w) = profile(alpha);
        let (e, state) = filter(y, v, ell0, alpha, w, line);
        let window = &e[start..];
        let sse: f64 = window.iter().map(|x| x * x).sum();
        let df = window.len().saturating_sub(v.n_params()).max(1);
        Ok(FittedThetaStateSpace {
            variant: v,
            alpha,
            w,
            ell0: s * ell0,
            state: State {
                level: s * state.level,
                mean_y: s * state.mean_y,
                a: s * state.a,
                b: s * state.b,
            },
            n,
            sigma: s * (sse / df as f64).sqrt(),
            mse: s * s * sse / window.len() as f64,
            mse_unit: sse / window.len() as f64,
        })
    }
}

impl Forecaster for OptimizedTheta {
    type Fitted = FittedThetaStateSpace;
    fn fit(&self, y: &[f64]) -> Result<FittedThetaStateSpace> {
        ThetaStateSpace {
            variant: ThetaVariant::Otm,
        }
        .fit(y)
    }
}

impl Forecaster for DynamicTheta {
    type Fitted = FittedThetaStateSpace;
    fn fit(&self, y: &[f64]) -> Result<FittedThetaStateSpace> {
        ThetaStateSpace {
            variant: ThetaVariant::Dstm,
        }
        .fit(y)
    }
}

impl Forecaster for DynamicOptimizedTheta {
    type Fitted = FittedThetaStateSpace;
    fn fit(&self, y: &[f64]) -> Result<FittedThetaStateSpace> {
        ThetaStateSpace {
            variant: ThetaVariant::Dotm,
        }
        .fit(y)
    }
}

impl FittedThetaStateSpace {
    /// The fitted variant.
    pub fn variant(&self) -> ThetaVariant {
        self.variant
    }

    /// θ = 1/(1 − w).
    pub fn theta(&self) -> f64 {
        1.0 / (1.0 - self.w)
    }

    /// In-sample MSE over the errors from the 4th observation on (the estimation criterion,
    /// and AutoTheta's).
    pub fn mse(&self) -> f64 {
        self.mse
    }

    /// Run the recursions `h` steps ahead from `state`, adding `shock(j)` to the mean of step j.
    fn run(&self, mut state: State, h: usize, mut shock: impl FnMut(usize) -> f64) -> Vec<f64> {
        let dynamic = self.variant.is_dynamic();
        (0..h)
            .map(|j| {
                let i = self.n + j;
                let y = state.mu(i, self.alpha, self.w) + shock(j);
                state.absorb(i, y, self.alpha, dynamic);
                y
            })
            .collect()
    }

    /// Standard errors: the response to a unit error at step k propagated to step j ≥ k.
    fn standard_errors(&self, h: usize) -> Vec<f64> {
        let mut var = vec![0.0; h];
        for k in 0..h {
            let path = self.run(State::default(), h, |j| if j == k { 1.0 } else { 0.0 });
            for j in k..h {
                var[j] += path[j] * path[j];
            }
        }
        var.iter().map(|v| self.sigma * v.sqrt()).collect()
    }
}

impl FittedModel for FittedThetaStateSpace {
    fn name(&self) -> &'static str {
        self.variant.name()
    }
    fn description(&self) -> Cow<'static, str> {
        let theta = self.theta();
        // w at W_MAX prints as 9999999172.596: say what it is instead.
        let theta = if self.w >= W_MAX - 1e-12 {
            format!("{theta:.3e} (at its upper bound, w = 1 − 1/θ → 1)")
        } else {
            format!("{theta:.3}")
        };
        format!(
            "{} of Fiorucci et al. (2016), theta = {theta}",
            self.variant.long_name()
        )
        .into()
    }
    fn params(&self) -> Vec<Param> {
        vec![
            Param::new("theta", self.theta()),
            Param::new("alpha", self.alpha),
            Param::new("ell0", self.ell0),
            Param::new("level", self.state.level),
            Param::new("a", self.state.a),
            Param::new("b", self.state.b),
            Param::new("sigma", self.sigma),
            Param::new("mse", self.mse),
        ]
    }
    fn forecast(&self, h: usize, levels: &[f64]) -> Forecast {
        let point = self.run(self.state, h, |_| 0.0);
        let se = self.standard_errors(h);
        Forecast {
            intervals: intervals(&point, &se, levels),
            point,
        }
    }
    fn simulate(&self, h: usize, rng: &mut StdRng) -> Vec<f64> {
        let normal = Normal::new(0.0, self.sigma).expect("sigma is finite and non-negative");
        self.run(self.state, h, |_| normal.sample(rng))
    }
}

// ---------------------------------------------------------------------------------------------
// AutoTheta
// ---------------------------------------------------------------------------------------------

/// Fits STM, OTM, DSTM and DOTM ([`ThetaStateSpace`]) and keeps the one with the lowest
/// in-sample MSE (their common estimation criterion, over the errors from the 4th observation
/// on), as statsforecast's `AutoTheta` does for non-seasonal data. Ties go to the simpler model.
/// Since STM is OTM at θ = 2 and DSTM is DOTM at θ = 2, the choice is in effect between OTM and
/// DOTM unless θ = 2 is optimal. Needs 4 observations.
#[derive(Debug, Clone, Copy, Default)]
pub struct AutoTheta;

/// Fitted [`AutoTheta`]: the chosen model plus every candidate's in-sample MSE.
#[derive(Debug, Clone)]
pub struct FittedAutoTheta {
    best: FittedThetaStateSpace,
    candidates: Vec<(ThetaVariant, f64)>,
}

impl FittedAutoTheta {
    /// The chosen model.
    pub fn chosen(&self) -> &FittedThetaStateSpace {
        &self.best
    }
}

impl Forecaster for AutoTheta {
    type Fitted = FittedAutoTheta;
    fn fit(&self, y: &[f64]) -> Result<FittedAutoTheta> {
        check_values("autotheta", y, 4)?;
        let mut best: Option<FittedThetaStateSpace> = None;
        let mut candidates = Vec::with_capacity(4);
        for variant in ThetaVariant::ALL {
            let fit = ThetaStateSpace { variant }.fit(y)?;
            candidates.push((variant, fit.mse));
            if best.as_ref().is_none_or(|b| fit.mse_unit < b.mse_unit) {
                best = Some(fit);
            }
        }
        Ok(FittedAutoTheta {
            best: best.expect("four candidates were fitted"),
            candidates,
        })
    }
}

impl FittedModel for FittedAutoTheta {
    fn name(&self) -> &'static str {
        "autotheta"
    }
    fn description(&self) -> Cow<'static, str> {
        format!("AutoTheta: {}", self.best.description()).into()
    }
    fn params(&self) -> Vec<Param> {
        let mut p = self.best.params();
        for (v, mse) in &self.candidates {
            p.push(Param::new(format!("mse_{}", v.name()), *mse));
        }
        p
    }
    fn forecast(&self, h: usize, levels: &[f64]) -> Forecast {
        self.best.forecast(h, levels)
    }
    fn simulate(&self, h: usize, rng: &mut StdRng) -> Vec<f64> {
        self.best.simulate(h, rng)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn noisy_trend(n: usize, slope: f64, seed: u64) -> Vec<f64> {
        let mut rng = StdRng::seed_from_u64(seed);
        let normal = Normal::new(0.0, 1.0).unwrap();
        let mut level = 100.0;
        (0..n)
            .map(|t| {
                level += 0.5 * normal.sample(&mut rng);
                level + slope * t as f64 + normal.sample(&mut rng)
            })
            .collect()
    }

    fn param(p: &[Param], name: &str) -> f64 {
        p.iter().find(|q| q.name == name).unwrap().value
    }

    fn assert_ordered(f: &Forecast) {
        for iv in &f.intervals {
            for k in 0..f.horizon() {
                assert!(iv.lower[k] <= f.point[k] && f.point[k] <= iv.upper[k]);
                assert!(iv.lower[k].is_finite() && iv.upper[k].is_finite());
            }
        }
    }

    #[test]
    fn standard_theta_matches_ses_with_half_the_trend() {
        let y = noisy_trend(30, 2.0, 1);
        let fit = Theta.fit(&y).unwrap();
        let p = fit.params();
        let (alpha, level, b) = (param(&p, "alpha"), param(&p, "level"), param(&p, "b"));
        // SES optimum: no alpha on a fine grid does better
        let best = ses_profile(&y, alpha).0;
        for j in 1..1000 {
            assert!(ses_profile(&y, j as f64 / 1000.0).0 >= best - 1e-9 * best);
        }
        // slope is the OLS slope
        assert!((b - ols_line(&y).1).abs() < 1e-12);
        let f = fit.forecast(3, &[]);
        for (k, v) in f.point.iter().enumerate() {
            let want = level + b / 2.0 * (k as f64 + (1.0 - (1.0 - alpha).powi(30)) / alpha);
            assert!((v - want).abs() < 1e-9);
        }
    }

    #[test]
    fn theta_steps_grow_by_half_the_ols_slope() {
        let y = [10.0, 12.0, 13.0, 15.0, 14.0, 17.0, 18.0, 21.0, 20.0, 23.0];
        let fit = Theta.fit(&y).unwrap();
        let b = ols_line(&y).1;
        let alpha = param(&fit.params(), "alpha");
        let f = fit.forecast(3, &[95.0]);
        // the increments between steps are b/2 whatever alpha is
        assert!((f.point[1] - f.point[0] - b / 2.0).abs() < 1e-9);
        assert!(alpha > 0.5);
        assert_ordered(&f);
    }

    #[test]
    fn theta_intervals_widen_with_level_and_horizon() {
        let y = noisy_trend(25, 1.0, 2);
        let f = Theta.fit(&y).unwrap().forecast(6, &[50.0, 80.0, 95.0]);
        assert_ordered(&f);
        for k in 0..6 {
            let w = |l: f64| f.interval(l).unwrap().upper[k] - f.interval(l).unwrap().lower[k];
            assert!(w(50.0) < w(80.0) && w(80.0) < w(95.0));
        }
        let i95 = f.interval(95.0).unwrap();
        assert!(i95.upper[5] - i95.lower[5] >= i95.upper[0] - i95.lower[0]);
    }

    #[test]
    fn otm_fits_at_least_as_well_as_stm_and_keeps_theta_at_least_one() {
        for seed in 0..10 {
            let y = noisy_trend(20 + seed as usize, 1.5 - 0.3 * seed as f64, seed);
            let stm = ThetaStateSpace {
                variant: ThetaVariant::Stm,
            }
            .fit(&y)
            .unwrap();
            let otm = OptimizedTheta.fit(&y).unwrap();
            assert!(otm.mse <= stm.mse * (1.0 + 1e-9), "seed {seed}");
            assert!(otm.theta() >= 1.0);
            let dstm = DynamicTheta.fit(&y).unwrap();
            let dotm = DynamicOptimizedTheta.fit(&y).unwrap();
            assert!(dotm.mse <= dstm.mse * (1.0 + 1e-9), "seed {seed}");
        }
    }

    #[test]
    fn regressors_reproduce_the_filter_errors() {
        let y = noisy_trend(15, 1.0, 3);
        let line = ols_line(&y);
        for v in ThetaVariant::ALL {
            let (ell0, alpha, w) = (95.0, 0.37, 0.61);
            let rows = regressors(&y, v, alpha, line);
            let (e, _) = filter(&y, v, ell0, alpha, w, line);
            for (row, ei) in rows.iter().zip(&e) {
                assert!(
                    (row[0] - ell0 * row[1] - w * row[2] - ei).abs() < 1e-9,
                    "{v:?}"
                );
            }
        }
    }

    #[test]
    fn static_theta_variance_is_one_plus_h_minus_one_alpha_squared() {
        let y = noisy_trend(30, 1.0, 4);
        let fit = OptimizedTheta.fit(&y).unwrap();
        let se = fit.standard_errors(5);
        for (k, s) in se.iter().enumerate() {
            let want = fit.sigma * (1.0 + k as f64 * fit.alpha * fit.alpha).sqrt();
            assert!((s - want).abs() < 1e-9 * want);
        }
    }

    #[test]
    fn dynamic_intervals_match_simulated_quantiles() {
        let y = noisy_trend(25, 2.0, 5);
        let fit = DynamicOptimizedTheta.fit(&y).unwrap();
        let h = 6;
        let f = fit.forecast(h, &[90.0]);
        let mut rng = StdRng::seed_from_u64(42);
        let paths: Vec<Vec<f64>> = (0..20_000).map(|_| fit.simulate(h, &mut rng)).collect();
        for k in 0..h {
            let mut col: Vec<f64> = paths.iter().map(|p| p[k]).collect();
            col.sort_by(f64::total_cmp);
            let lo = col[col.len() / 20];
            let hi = col[col.len() * 19 / 20];
            let iv = &f.intervals[0];
            let width = iv.upper[k] - iv.lower[k];
            assert!((lo - iv.lower[k]).abs() < 0.05 * width, "step {k}");
            assert!((hi - iv.upper[k]).abs() < 0.05 * width, "step {k}");
        }
    }

    #[test]
    fn dynamic_theta_line_is_the_running_ols_line() {
        let y = noisy_trend(12, 3.0, 6);
        let fit = DynamicTheta.fit(&y).unwrap();
        let (a, b) = ols_line(&y);
        assert!((fit.state.b - b).abs() < 1e-9);
        assert!((fit.state.a - a).abs() < 1e-9);
    }

    #[test]
    fn auto_theta_keeps_the_lowest_selection_mse() {
        let y = noisy_trend(40, 1.0, 7);
        let fit = AutoTheta.fit(&y).unwrap();
        let min = fit
            .candidates
            .iter()
            .map(|c| c.1)
            .fold(f64::INFINITY, f64::min);
        assert_eq!(fit.best.mse, min);
        let unit_min = ThetaVariant::ALL
            .iter()
            .map(|&variant| ThetaStateSpace { variant }.fit(&y).unwrap().mse_unit)
            .fold(f64::INFINITY, f64::min);
        assert_eq!(fit.best.mse_unit, unit_min);
        assert_ordered(&fit.forecast(6, &[80.0, 95.0]));
        assert_eq!(fit.name(), "autotheta");
    }

    #[test]
    fn every_theta_model_forecasts_a_line_almost_exactly() {
        let y: Vec<f64> = (0..20).map(|t| 5.0 + 2.0 * t as f64).collect();
        let f = Theta.fit(&y).unwrap().forecast(3, &[95.0]);
        assert!((f.point[0] - 45.0).abs() < 1.5, "{:?}", f.point);
        for v in [ThetaVariant::Otm, ThetaVariant::Dotm] {
            let f = ThetaStateSpace { variant: v }
                .fit(&y)
                .unwrap()
                .forecast(3, &[95.0]);
            assert!((f.point[0] - 45.0).abs() < 1e-3, "{v:?} {:?}", f.point);
            assert!((f.point[2] - 49.0).abs() < 1e-3, "{v:?} {:?}", f.point);
        }
    }

    #[test]
    fn short_series_give_a_clean_error_not_a_panic() {
        for n in 0..3 {
            let y = vec![1.0; n];
            assert!(matches!(
                Theta.fit(&y),
                Err(Error::Fit { .. } | Error::TooShort { .. })
            ));
        }
        for n in 0..4 {
            let y: Vec<f64> = (0..n).map(|t| t as f64).collect();
            assert!(matches!(
                AutoTheta.fit(&y),
                Err(Error::Fit { .. } | Error::TooShort { .. })
            ));
            assert!(matches!(
                OptimizedTheta.fit(&y),
                Err(Error::Fit { .. } | Error::TooShort { .. })
            ));
            assert!(matches!(
                DynamicOptimizedTheta.fit(&y),
                Err(Error::Fit { .. } | Error::TooShort { .. })
            ));
        }
        let f = Theta.fit(&[1.0, 3.0, 2.0]).unwrap().forecast(4, &[95.0]);
        assert!(f.point.iter().all(|v| v.is_finite()));
        assert_ordered(&f);
        let f = AutoTheta
            .fit(&[1.0, 3.0, 2.0, 5.0])
            .unwrap()
            .forecast(4, &[80.0, 95.0]);
        assert_ordered(&f);
    }

    #[test]
    fn constant_series_are_forecast_flat_with_zero_width_intervals() {
        let y = vec![7.0; 10];
        let f = Theta.fit(&y).unwrap().forecast(3, &[95.0]);
        assert!(f.point.iter().all(|v| (v - 7.0).abs() < 1e-9));
        for v in ThetaVariant::ALL {
            let fit = ThetaStateSpace { variant: v }.fit(&y).unwrap();
            let f = fit.forecast(3, &[80.0, 95.0]);
            assert!(f.point.iter().all(|x| (x - 7.0).abs() < 1e-9), "{v:?}");
            assert_ordered(&f);
            assert!(fit.params().iter().all(|p| p.value.is_finite()));
        }
        let zeros = vec![0.0; 6];
        let f = AutoTheta.fit(&zeros).unwrap().forecast(2, &[95.0]);
        assert_eq!(f.point, vec![0.0, 0.0]);
    }

    #[test]
    fn huge_and_tiny_magnitudes_fit_like_ordinary_ones() {
        let y = noisy_trend(20, 1.0, 9);
        let base = AutoTheta.fit(&y).unwrap().forecast(3, &[95.0]);
        for s in [1e-200, 1e200] {
            let ys: Vec<f64> = y.iter().map(|v| v * s).collect();
            let f = AutoTheta.fit(&ys).unwrap().forecast(3, &[0.0, 95.0]);
            for k in 0..3 {
                assert!(
                    (f.point[k] / s - base.point[k]).abs() < 1e-6 * base.point[k].abs(),
                    "{s} {:?} {:?}",
                    f.point,
                    base.point
                );
            }
            assert!(
                f.intervals
                    .iter()
                    .all(|iv| iv.lower.iter().all(|v| v.is_finite()))
            );
            let t = Theta.fit(&ys).unwrap().forecast(3, &[95.0]);
            assert!(t.point.iter().all(|v| v.is_finite()));
        }
    }

    #[test]
    fn non_finite_values_are_refused() {
        assert!(Theta.fit(&[1.0, f64::NAN, 3.0, 4.0]).is_err());
        assert!(AutoTheta.fit(&[1.0, 2.0, f64::INFINITY, 4.0, 5.0]).is_err());
    }

    #[test]
    fn odd_levels_never_produce_nan() {
        let f = AutoTheta
            .fit(&noisy_trend(15, 1.0, 8))
            .unwrap()
            .forecast(2, &[0.0, 100.0, f64::NAN]);
        for iv in &f.intervals {
            assert!(iv.lower.iter().chain(&iv.upper).all(|v| !v.is_nan()));
        }
    }
}
