//! Exponential smoothing state space models, ETS(E,T,S) (Hyndman, Koehler, Ord & Snyder
//! 2008, "Forecasting with Exponential Smoothing", tables 2.2–2.3), fitted by maximum
//! likelihood, with automatic selection by AICc as R's `forecast::ets`: [`AutoEts`] over
//! the non-seasonal models, [`SeasonalAutoEts`] over seasonal and non-seasonal ones. The
//! non-seasonal models are described first; seasonal ones (`seasonal.rs`) after them.
//!
//! ```
//! use chipcast::models::ets::{ErrorType, Ets, SeasonType, SeasonalAutoEts, TrendType, fit_spec_m};
//! use chipcast::models::{FittedModel, Forecaster};
//! let y: Vec<f64> = (0..48).map(|t| (100.0 + t as f64) * [1.2, 0.9, 0.7, 1.2][t % 4]).collect();
//! let auto = SeasonalAutoEts { m: 4 }.fit(&y).unwrap();
//! let spec = Ets { error: ErrorType::Multiplicative, trend: TrendType::Additive,
//!                  season: SeasonType::Multiplicative };
//! let one = fit_spec_m(spec, &y, 4).unwrap();
//! assert_eq!(one.code(), "ETS(M,A,M)");
//! assert_eq!(auto.forecast(8, &[80.0, 95.0]).point.len(), 8);
//! ```
//!
//! Errors: additive (A) or multiplicative (M). Trends: none (N), additive (A), additive
//! damped (Ad), multiplicative (M), multiplicative damped (Md). With μ_t the one-step
//! forecast and ε_t the error (y_t − μ_t for A, (y_t − μ_t)/μ_t for M), the states update as
//!
//! | trend | μ_t | ℓ_t | b_t |
//! |---|---|---|---|
//! | N  | ℓ | ℓ + αr | – |
//! | A  | ℓ + b | ℓ + b + αr | b + βr |
//! | Ad | ℓ + φb | ℓ + φb + αr | φb + βr |
//! | M  | ℓb | ℓb + αr | b + βr/ℓ |
//! | Md | ℓb^φ | ℓb^φ + αr | b^φ + βr/ℓ |
//!
//! with r = ε for additive and r = μ·ε for multiplicative errors (so M errors give
//! ℓ_t = ℓ·(1 + αε) etc.). The likelihood is R's: n·ln Σε² plus 2·Σ ln|μ_t| for
//! multiplicative errors; all of α, β, φ, ℓ₀, b₀ are estimated inside the region
//! 0 < β < α < 1, β ≤ 0.2, 0.8 ≤ φ ≤ 0.98.
//!
//! **Optimisers.** Additive errors: the initial states are concentrated out exactly (a 2×2
//! least-squares problem per evaluation) and bounded Nelder–Mead searches the 1–3 smoothing
//! parameters. Multiplicative errors: the likelihood is a sum of squares, n·ln Σ(G·ε_t)²
//! with G the geometric mean of μ_t, so after 40 Nelder–Mead evaluations to find the basin,
//! Levenberg–Marquardt with forward-mode derivatives converges in about ten steps. Against
//! 600 Nelder–Mead evaluations on the benchmark's training series, that reaches an equal or
//! better optimum on 95–97% of series, at a third of the time (benches/README.md).
//!
//! **Why β ≤ 0.2.** statsforecast's ETS (whose AutoETS beats R's `ets` on M4 yearly data)
//! caps β at the optimiser's starting α (0.2) as a side effect of `initparam`; R does not.
//! We made the cap explicit and chose it by rolling-origin evaluation inside the training
//! data of the shared benchmark (last 6 training points held out; test windows unused):
//! OWA 0.743 (β < 1), 0.729 (0.5), **0.721 (0.2)**, 0.733 (0.1), 0.765 (0.05). A small β keeps
//! the trend from chasing the last few points of a short yearly series.
//!
//! Intervals: additive errors with additive/no trend are class 1 (exact Gaussian
//! variances); multiplicative errors with additive/no trend are class 2 (Hyndman et al.
//! 2008 §6.3 variance, Gaussian approximation); multiplicative trends get quantiles of
//! 2,000 simulated sample paths with a fixed seed, so output is reproducible.
//!
//! # Seasonal models
//!
//! ETS(E,T,S) with S = A (additive states, Σs = 0) or M (multiplicative, Σs = m) and T =
//! N/A/Ad; the recursions are in `seasonal.rs`. [`SeasonalAutoEts`] considers R's default
//! admissible set (`restrict = TRUE`, `allow.multiplicative.trend = FALSE`,
//! [`SEASONAL_CANDIDATES`]): additive errors only with an additive season, multiplicative
//! errors or seasons only for strictly positive data, next to the six non-seasonal
//! [`CANDIDATES`], all compared by AICc with R's parameter count (smoothing parameters,
//! ℓ₀, b₀, m − 1 free seasonal states, σ).
//!
//! **When seasonal models are tried** (R's rules): 2 ≤ m ≤ [`MAX_PERIOD`] = 24 (R drops
//! seasonality above 24 and for n ≤ m), and a model is fitted only if n exceeds its parameter
//! count by 2 (R returns AICc = ∞ otherwise). We also require two full seasons (n ≥ 2m), where R
//! would initialise a shorter series with a Fourier regression. Otherwise
//! [`SeasonalAutoEts`] returns exactly what [`AutoEts`] returns (m ≤ 1 never reaches the
//! seasonal code: yearly forecasts are byte-identical).
//!
//! **Estimation.** R's likelihood (n·ln Σε², plus 2Σ ln μ_t for M errors) over α, β, γ, φ and
//! every initial state ℓ₀, b₀, s₁…s_{m−1} (s₀ from the normalisation, as R), inside R's
//! usual bounds 10⁻⁴ < α < 0.9999, 10⁻⁴ < β < α, 10⁻⁴ < γ < 1 − α, 0.8 ≤ φ ≤ 0.98, with β also
//! capped at [`SEASONAL_BETA_MAX`] = 0.2 like the non-seasonal models. Initial states are R's
//! `initstate` heuristic (classical decomposition for the seasonal states, a line through
//! the first max(10, 2m) seasonally adjusted values for ℓ₀, b₀). Instead of R's
//! Nelder–Mead over up to 17 parameters, Levenberg–Marquardt on the likelihood written as a
//! sum of squares (n·ln Σ(G·ε_t)², G the geometric mean of μ_t) with derivatives carried
//! forward through the recursion: each step touches only ℓ, b and one seasonal state, so
//! a Jacobian row costs O(np). For additive error and season the errors are affine in the
//! initial states, so Gauss–Newton concentrates them out exactly in its first step. The
//! loop is allocation-free and compiled once per error × season type (const generics).
//! It starts from the better (by likelihood) of R's `initparam` values and a faster
//! alternative (α = 0.05, γ = 0.3(1 − α), β = 0.1α).
//!
//! **Choices, made on training data only** (each Tourism training series with its last h
//! points held out; OWA monthly / quarterly on those holdouts):
//! * start: R's only 0.851 / 0.804; better of the two 0.846 / 0.810; both runs, best kept,
//!   0.851 / 0.808 at twice the cost. A wash for accuracy; the better-of-two start lowers the
//!   summed AICc of the chosen models (monthly holdout training: 206,387 → 206,080; both runs
//!   205,784) at no extra cost, so it is used.
//! * β cap: 0.1, 0.2 and none (β < α) gave the same monthly holdout (0.846) and quarterly
//!   0.810 each (MSIS 18.71 / 18.74 / 18.74): seasonal fits rarely reach β = 0.1. 0.2 is kept
//!   for consistency with the non-seasonal models.
//! * Levenberg–Marquardt stops at a relative gain below 10⁻⁸ (10⁻¹⁰ gave the same summed
//!   AICc to 0.02 with 30% more evaluations).
//!
//! **Intervals.** Class 1 (A error, A season): σ²(1 + Σ_{j<h} c_j²) with c_j = α + βj (damped:
//! α + βφ(1 − φʲ)/(1 − φ)) + γ·1{m | j}. Class 2 (M error, A season): the θ recursion of the
//! non-seasonal class 2 with the same c_j. Class 3 (M error, M season), Hyndman et al.
//! (2008) ch. 6 approximation: v_h = s²[θ_h(1 + σ²)(1 + γ²σ²)^⌊(h−1)/m⌋ − μ̃_h²], θ from the
//! non-seasonal part μ̃_h = ℓ + φ_h b. A error with M season (outside the default set):
//! 2,000 simulated paths with a fixed seed. Bounds are Gaussian around the point forecast;
//! for models with a multiplicative component lower bounds are floored at 0.
//!
//! **Differences from R.** No eigenvalue admissibility check (R's `bounds = "both"` adds it to
//! the usual bounds); β ≤ 0.2; n ≥ 2m instead of R's Fourier start for n < 3m; class 3 uses
//! the approximate formula where R iterates the exact (2m)²-dimensional moment recursion;
//! lower bounds of multiplicative models floored at 0; seasonal states are reported as
//! estimated (the initial ones satisfy the normalisation), as R's `ets` output shows them.
//!
//! **Measured** (`examples/bench_ets.rs`, not committed: `SeasonalAutoEts` per series, fit +
//! forecast CPU, one thread, 2 shared cores at load average 5–6): Tourism monthly (366 series,
//! 15 candidates) 1.57–1.66 s CPU over three runs; quarterly (427 series) 0.57–0.59 s.
//! Likelihood against R 4.2 / forecast 8.20 for R's chosen model on 40 Tourism training
//! series (`tests/fixtures/r_ets_seasonal.csv`): at or above R's on 39; below by 4.7 on one
//! (M91, ETS(M,Ad,M)). Test windows, scored once after the choices above: monthly sMAPE
//! 19.007, MASE 1.528, OWA 0.827, cov95 0.938 (R `ets` 0.826, statsforecast AutoETS 0.829);
//! quarterly 15.017, 1.585, OWA 0.880, cov95 0.943 (R 0.883, statsforecast 0.879).

use super::forecast::{Forecast, Interval, Param, gaussian_intervals};
use super::optim::{LmOptions, NmOptions, levenberg_marquardt, nelder_mead};
use super::{FittedModel, Forecaster, too_short};
use crate::error::{Error, Result};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;
use std::borrow::Cow;

mod seasonal;
pub use seasonal::{MAX_PERIOD, SEASONAL_BETA_MAX};

/// Error component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ErrorType {
    /// Additive errors.
    Additive,
    /// Multiplicative (relative) errors; needs a positive series.
    Multiplicative,
}

/// Trend component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TrendType {
    /// No trend.
    None,
    /// Additive trend.
    Additive,
    /// Additive damped trend.
    AdditiveDamped,
    /// Multiplicative trend.
    Multiplicative,
    /// Multiplicative damped trend.
    MultiplicativeDamped,
}

impl TrendType {
    fn has_trend(self) -> bool {
        self != TrendType::None
    }
    fn damped(self) -> bool {
        matches!(
            self,
            TrendType::AdditiveDamped | TrendType::MultiplicativeDamped
        )
    }
    fn multiplicative(self) -> bool {
        matches!(
            self,
            TrendType::Multiplicative | TrendType::MultiplicativeDamped
        )
    }
    fn code(self) -> &'static str {
        match self {
            TrendType::None => "N",
            TrendType::Additive => "A",
            TrendType::AdditiveDamped => "Ad",
            TrendType::Multiplicative => "M",
            TrendType::MultiplicativeDamped => "Md",
        }
    }
}

/// Seasonal component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SeasonType {
    /// No seasonality.
    None,
    /// Additive seasonal states (Σs = 0).
    Additive,
    /// Multiplicative seasonal states (Σs = m); needs a positive series.
    Multiplicative,
}

impl SeasonType {
    fn code(self) -> &'static str {
        match self {
            SeasonType::None => "N",
            SeasonType::Additive => "A",
            SeasonType::Multiplicative => "M",
        }
    }
}

/// One ETS model specification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Ets {
    /// Error component.
    pub error: ErrorType,
    /// Trend component.
    pub trend: TrendType,
    /// Seasonal component; a seasonal spec is fitted with [`fit_spec_m`].
    pub season: SeasonType,
}

impl Ets {
    /// `ETS(A,Ad,N)`-style code.
    pub fn code(&self) -> String {
        let e = if self.error == ErrorType::Additive {
            "A"
        } else {
            "M"
        };
        format!("ETS({e},{},{})", self.trend.code(), self.season.code())
    }

    fn n_smoothing(&self) -> usize {
        1 + usize::from(self.trend.has_trend())
            + usize::from(self.trend.damped())
            + usize::from(self.season != SeasonType::None)
    }

    /// Estimated parameters of a non-seasonal spec: smoothing (α, β, φ) plus initial states
    /// (ℓ₀, b₀). See [`Ets::n_params_m`] for seasonal ones.
    pub fn n_params(&self) -> usize {
        self.n_smoothing() + 1 + usize::from(self.trend.has_trend())
    }

    /// Estimated parameters with season length `m` (σ excluded): as [`Ets::n_params`] plus
    /// γ and the m − 1 free initial seasonal states of a seasonal spec.
    pub fn n_params_m(&self, m: usize) -> usize {
        if self.season == SeasonType::None {
            self.n_params()
        } else {
            seasonal::n_params(self, m)
        }
    }

    /// Whether the model has analytic (class 1) prediction intervals.
    fn linear(&self) -> bool {
        self.error == ErrorType::Additive && !self.trend.multiplicative()
    }
}

/// The candidate set of [`AutoEts`]: the non-seasonal models R's `ets` and statsforecast's
/// AutoETS consider by default (multiplicative trends excluded, as both do: they often
/// explode on short series). Fit them explicitly with [`Ets`] if wanted.
pub const CANDIDATES: [Ets; 6] = [
    Ets {
        error: ErrorType::Additive,
        trend: TrendType::None,
        season: SeasonType::None,
    },
    Ets {
        error: ErrorType::Additive,
        trend: TrendType::Additive,
        season: SeasonType::None,
    },
    Ets {
        error: ErrorType::Additive,
        trend: TrendType::AdditiveDamped,
        season: SeasonType::None,
    },
    Ets {
        error: ErrorType::Multiplicative,
        trend: TrendType::None,
        season: SeasonType::None,
    },
    Ets {
        error: ErrorType::Multiplicative,
        trend: TrendType::Additive,
        season: SeasonType::None,
    },
    Ets {
        error: ErrorType::Multiplicative,
        trend: TrendType::AdditiveDamped,
        season: SeasonType::None,
    },
];

/// Upper bound of the trend smoothing parameter β.
pub const BETA_MAX: f64 = 0.2;

/// Fitted parameters of one model.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Theta {
    alpha: f64,
    beta: f64,
    phi: f64,
    l0: f64,
    b0: f64,
}

impl Theta {
    /// The parameters from an optimiser vector `x` laid out by `cols` (see
    /// [`param_columns`]); the ones a model lacks are β = 0, φ = 1, b₀ = 0 (and ℓ₀ = 0 when
    /// `x` holds only the smoothing parameters).
    fn from_columns(cols: &[usize], x: &[f64]) -> Self {
        let mut v = [0.0, 0.0, 1.0, 0.0, 0.0];
        for (&k, &xi) in cols.iter().zip(x) {
            v[k] = xi;
        }
        Theta {
            alpha: v[0],
            beta: v[1],
            phi: v[2],
            l0: v[3],
            b0: v[4],
        }
    }
}

/// μ for the current states.
#[inline]
fn one_step(trend: TrendType, l: f64, b: f64, phi: f64) -> f64 {
    match trend {
        TrendType::None => l,
        TrendType::Additive => l + b,
        TrendType::AdditiveDamped => l + phi * b,
        TrendType::Multiplicative => l * b,
        TrendType::MultiplicativeDamped => l * b.powf(phi),
    }
}

/// State update given μ and the raw error term r (ε or μ·ε).
#[inline]
fn update(trend: TrendType, l: f64, b: f64, mu: f64, r: f64, p: &Theta) -> (f64, f64) {
    let nl = mu + p.alpha * r;
    let nb = match trend {
        TrendType::None => b,
        TrendType::Additive => b + p.beta * r,
        TrendType::AdditiveDamped => p.phi * b + p.beta * r,
        TrendType::Multiplicative => b + p.beta * r / l,
        TrendType::MultiplicativeDamped => b.powf(p.phi) + p.beta * r / l,
    };
    (nl, nb)
}

/// Run the model through `y`; returns (R's likelihood term, Σε², final ℓ, final b) or
/// `None` when the states leave the valid region.
fn filter(spec: &Ets, y: &[f64], p: &Theta) -> Option<(f64, f64, f64, f64)> {
    if !spec.trend.multiplicative() {
        return if spec.error == ErrorType::Multiplicative {
            filter_linear_trend::<true>(spec.trend, y, p)
        } else {
            filter_linear_trend::<false>(spec.trend, y, p)
        };
    }
    let (mut l, mut b) = (p.l0, p.b0);
    let (mut sse, mut log_mu) = (0.0, 0.0);
    // Σ ln μ_t as ln Π μ_t: one logarithm per 32 steps instead of one per step (the
    // likelihood's hot loop); the running product is folded into the sum before it can
    // overflow or underflow.
    let mut prod_mu = 1.0f64;
    let mult_e = spec.error == ErrorType::Multiplicative;
    for (t, &obs) in y.iter().enumerate() {
        let mu = one_step(spec.trend, l, b, p.phi);
        if !mu.is_finite() || (mult_e && mu <= 0.0) {
            return None;
        }
        let (e, r) = if mult_e {
            let e = (obs - mu) / mu;
            prod_mu *= mu;
            if t % 32 == 31 || !(1e-100..1e100).contains(&prod_mu) {
                log_mu += prod_mu.ln();
                prod_mu = 1.0;
            }
            (e, mu * e)
        } else {
            let e = obs - mu;
            (e, e)
        };
        sse += e * e;
        let (nl, nb) = update(spec.trend, l, b, mu, r, p);
        if spec.trend.multiplicative() && (nl <= 0.0 || nb <= 0.0) {
            return None;
        }
        l = nl;
        b = nb;
    }
    log_mu += prod_mu.ln();
    let n = y.len() as f64;
    let lik = n * sse.max(1e-300).ln() + 2.0 * log_mu;
    lik.is_finite().then_some((lik, sse, l, b))
}

/// [`filter`] for the no, additive and damped trends, which are one recursion
/// (μ = ℓ + φb, ℓ' = μ + αr, b' = φb + βr, with φ = 1 for A and b = β = 0 for N), compiled
/// once per error type: the likelihood's hot loop, free of branches on the model. The raw
/// error r = y − μ for both error types, so the division by μ of a multiplicative ε stays
/// off the chain of dependent steps.
fn filter_linear_trend<const MULT: bool>(
    trend: TrendType,
    y: &[f64],
    p: &Theta,
) -> Option<(f64, f64, f64, f64)> {
    let (phi, beta, mut b) = match trend {
        TrendType::None => (1.0, 0.0, 0.0),
        TrendType::Additive => (1.0, p.beta, p.b0),
        _ => (p.phi, p.beta, p.b0),
    };
    let (alpha, mut l) = (p.alpha, p.l0);
    let (mut sse, mut log_mu, mut prod_mu) = (0.0, 0.0, 1.0f64);
    for (t, &obs) in y.iter().enumerate() {
        let mu = l + phi * b;
        let r = obs - mu;
        if MULT {
            if mu <= 0.0 || !mu.is_finite() {
                return None;
            }
            let e = r / mu;
            sse += e * e;
            prod_mu *= mu;
            if t % 32 == 31 || !(1e-100..1e100).contains(&prod_mu) {
                log_mu += prod_mu.ln();
                prod_mu = 1.0;
            }
        } else {
            sse += r * r;
        }
        l = mu + alpha * r;
        b = phi * b + beta * r;
    }
    if !(l.is_finite() && b.is_finite()) {
        return None;
    }
    log_mu += prod_mu.ln();
    let n = y.len() as f64;
    let lik = n * sse.max(1e-300).ln() + 2.0 * log_mu;
    lik.is_finite().then_some((lik, sse, l, b))
}

/// Gauss–Newton normal equations of the multiplicative-error likelihood (no, additive or
/// damped trend) at `p`, for the parameters `cols` (0 α, 1 β, 2 φ, 3 ℓ₀, 4 b₀). With G the
/// geometric mean of μ_t, R's likelihood n·ln Σε² + 2·Σ ln μ_t equals n·ln Σ(G·ε_t)², a
/// sum of squares, so Levenberg–Marquardt applies: the derivatives of ε_t are carried
/// through the recursion (forward mode) and JᵀJ, Jᵀr are written to `a`, `g` without the
/// common factor G². Returns the likelihood, or `None` if μ leaves (0, ∞).
fn m_normal_equations(
    trend: TrendType,
    y: &[f64],
    p: &Theta,
    cols: &[usize],
    a: &mut [f64],
    g: &mut [f64],
) -> Option<f64> {
    let damped = trend == TrendType::AdditiveDamped;
    let has_trend = trend.has_trend();
    let (phi, beta) = match trend {
        TrendType::None => (1.0, 0.0),
        TrendType::Additive => (1.0, p.beta),
        _ => (p.phi, p.beta),
    };
    let alpha = p.alpha;
    let (mut l, mut b) = (p.l0, if has_trend { p.b0 } else { 0.0 });
    let (mut dl, mut db) = ([0.0, 0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0, 1.0]);
    if !has_trend {
        db = [0.0; 5];
    }
    let mut s_dd = [[0.0f64; 5]; 5];
    let (mut s_ed, mut dlog) = ([0.0f64; 5], [0.0f64; 5]);
    let (mut s_ee, mut log_mu, mut prod_mu) = (0.0, 0.0, 1.0f64);
    for (t, &obs) in y.iter().enumerate() {
        let mu = l + phi * b;
        if !(mu > 0.0 && mu.is_finite()) {
            return None;
        }
        let inv = 1.0 / mu;
        let r = obs - mu;
        let e = r * inv;
        let mut dmu = [0.0; 5];
        for k in 0..5 {
            dmu[k] = dl[k] + phi * db[k];
        }
        if damped {
            dmu[2] += b;
        }
        let w = -obs * inv * inv;
        let mut de = [0.0; 5];
        for k in 0..5 {
            de[k] = w * dmu[k];
            dlog[k] += dmu[k] * inv;
            s_ed[k] += e * de[k];
        }
        for &i in cols {
            for &j in cols {
                s_dd[i][j] += de[i] * de[j];
            }
        }
        s_ee += e * e;
        prod_mu *= mu;
        if t % 32 == 31 || !(1e-100..1e100).contains(&prod_mu) {
            log_mu += prod_mu.ln();
            prod_mu = 1.0;
        }
        for k in 0..5 {
            dl[k] = (1.0 - alpha) * dmu[k];
        }
        dl[0] += r;
        if has_trend {
            for k in 0..5 {
                db[k] = phi * db[k] - beta * dmu[k];
            }
            db[1] += r;
            if damped {
                db[2] += b;
            }
        }
        l = mu + alpha * r;
        b = phi * b + beta * r;
    }
    log_mu += prod_mu.ln();
    let n = y.len() as f64;
    let dlng: [f64; 5] = std::array::from_fn(|k| dlog[k] / n);
    let m = cols.len();
    for (x, &i) in cols.iter().enumerate() {
        g[x] = s_ed[i] + s_ee * dlng[i];
        for (z, &j) in cols.iter().enumerate() {
            a[x * m + z] =
                s_dd[i][j] + s_ed[i] * dlng[j] + dlng[i] * s_ed[j] + s_ee * dlng[i] * dlng[j];
        }
    }
    let lik = n * s_ee.max(1e-300).ln() + 2.0 * log_mu;
    lik.is_finite().then_some(lik)
}

/// A fitted ETS model.
#[derive(Debug, Clone)]
pub struct FittedEts {
    spec: Ets,
    p: Theta,
    level: f64,
    trend: f64,
    sigma: f64,
    aicc: f64,
    label: &'static str,
    /// Every candidate's AICc when selected automatically.
    pub candidates: Vec<(String, f64)>,
    /// Season length, γ and seasonal states of a seasonal model.
    seasonal: Option<seasonal::SeasonalFit>,
    /// R's likelihood term on the data's scale (n·ln Σε², + 2Σ ln μ for M errors).
    loglik_term: f64,
}

impl FittedEts {
    /// The model code, e.g. `ETS(M,Ad,N)`.
    pub fn code(&self) -> String {
        self.spec.code()
    }
    /// AICc of the fit.
    pub fn aicc(&self) -> f64 {
        self.aicc
    }
    /// The Gaussian log-likelihood as R's `ets` reports it (`loglik` = −½·lik, constants
    /// dropped), on the data's scale.
    pub fn loglik(&self) -> f64 {
        -0.5 * self.loglik_term
    }
    /// The specification.
    pub fn spec(&self) -> Ets {
        self.spec
    }
    /// Season length (1 for a non-seasonal model).
    pub fn period(&self) -> usize {
        self.seasonal.as_ref().map_or(1, |s| s.m)
    }
}

/// For additive errors and an additive or no trend, the one-step errors are affine in the
/// initial states, e_t = r_t − a_t·ℓ₀ − c_t·b₀, so the (ℓ₀, b₀) that minimise the SSE for
/// given α, β, φ solve a 2×2 least-squares problem. Concentrating them out leaves the
/// optimiser 1–3 smoothing parameters instead of 2–5, and the same pass gives the minimum
/// SSE (returned as `None` when it is too small to trust), so no second filter is needed.
fn concentrated_states(
    trend: TrendType,
    y: &[f64],
    alpha: f64,
    beta: f64,
    phi: f64,
) -> Option<(f64, f64, Option<f64>)> {
    match trend {
        TrendType::None => concentrated_states_g::<false>(y, alpha, beta, 1.0),
        TrendType::AdditiveDamped => concentrated_states_g::<true>(y, alpha, beta, phi),
        _ => concentrated_states_g::<true>(y, alpha, beta, 1.0),
    }
}

/// [`concentrated_states`] compiled once with and once without a trend.
fn concentrated_states_g<const TREND: bool>(
    y: &[f64],
    alpha: f64,
    beta: f64,
    ph: f64,
) -> Option<(f64, f64, Option<f64>)> {
    // coefficients of (ℓ₀, b₀, 1) in the current level and trend
    let (mut l, mut b) = ([1.0, 0.0, 0.0], [0.0, 1.0, 0.0]);
    let (mut saa, mut sac, mut scc, mut sar, mut scr, mut srr) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for &obs in y {
        let mu: [f64; 3] = if TREND {
            [l[0] + ph * b[0], l[1] + ph * b[1], l[2] + ph * b[2]]
        } else {
            l
        };
        let (a, c, r) = (mu[0], mu[1], obs - mu[2]);
        saa += a * a;
        srr += r * r;
        sar += a * r;
        if TREND {
            sac += a * c;
            scc += c * c;
            scr += c * r;
        }
        let e = [-mu[0], -mu[1], obs - mu[2]];
        for i in 0..3 {
            l[i] = mu[i] + alpha * e[i];
            if TREND {
                b[i] = ph * b[i] + beta * e[i];
            }
        }
    }
    let (l0, b0) = if TREND {
        let det = saa * scc - sac * sac;
        if det.abs() <= 1e-12 * (saa * scc).abs().max(1e-300) {
            return None;
        }
        ((sar * scc - sac * scr) / det, (saa * scr - sac * sar) / det)
    } else if saa > 0.0 {
        (sar / saa, 0.0)
    } else {
        return None;
    };
    // least squares: the minimum SSE is Σr² − (ℓ₀, b₀)·(Σar, Σcr); trusted unless it has
    // cancelled down to rounding noise (a near-perfect fit), when the caller refilters
    let sse = srr - l0 * sar - b0 * scr;
    let exact = sse > 1e-9 * srr;
    Some((l0, b0, exact.then_some(sse)))
}

/// Nelder–Mead evaluations spent locating the basin before Levenberg–Marquardt takes over
/// in a multiplicative-error fit.
const M_ERROR_SCOUT_EVALS: usize = 40;

/// Which of (α, β, φ, ℓ₀, b₀) a model estimates, in the optimiser's order.
fn param_columns(trend: bool, damped: bool) -> Vec<usize> {
    let mut cols = vec![0];
    if trend {
        cols.push(1);
    }
    if damped {
        cols.push(2);
    }
    cols.push(3);
    if trend {
        cols.push(4);
    }
    cols
}

/// Fit one specification with season length `m` (ignored by non-seasonal specs, which fit
/// exactly as [`fit_spec`]). Seasonal specs need 2 ≤ m ≤ [`MAX_PERIOD`], at least two full
/// seasons and more observations than parameters + 1 (R's rule), and cap β at
/// [`SEASONAL_BETA_MAX`].
pub fn fit_spec_m(spec: Ets, y: &[f64], m: usize) -> Result<FittedEts> {
    if spec.season == SeasonType::None {
        fit_spec(spec, y)
    } else {
        seasonal::fit(spec, y, m, SEASONAL_BETA_MAX)
    }
}

/// Fit one non-seasonal specification (on the original scale); seasonal specs need a
/// season length: [`fit_spec_m`].
pub fn fit_spec(spec: Ets, y: &[f64]) -> Result<FittedEts> {
    if spec.season != SeasonType::None {
        return Err(Error::Fit {
            model: spec.code(),
            reason: "a seasonal model needs a season length (fit_spec_m)".into(),
        });
    }
    let n = y.len();
    let k = spec.n_params() + 1;
    if n < k + 2 {
        return Err(too_short(&spec.code(), n, k + 2));
    }
    let positive = y.iter().all(|v| *v > 0.0);
    if (spec.error == ErrorType::Multiplicative || spec.trend.multiplicative()) && !positive {
        return Err(Error::Fit {
            model: spec.code(),
            reason: "multiplicative components need every value > 0".into(),
        });
    }
    // Unit scale for the optimiser; AICc differences are unchanged by a common scale.
    let scale = y.iter().map(|v| v.abs()).sum::<f64>() / n as f64;
    let scale = if scale > 0.0 { scale } else { 1.0 };
    let z: Vec<f64> = y.iter().map(|v| v / scale).collect();
    // initial states from a line through the first (up to) 10 points, as R's ets
    let m = n.min(10);
    let (intercept, slope) = super::linalg::ols_line(&z[..m]);
    let (zmin, zmax) = z
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    let range = (zmax - zmin).max(1e-3);
    let (l_init, b_init, b_lo, b_hi) = match spec.trend {
        TrendType::None => (
            z[..m.min(3)].iter().sum::<f64>() / m.min(3) as f64,
            0.0,
            0.0,
            0.0,
        ),
        TrendType::Additive | TrendType::AdditiveDamped => {
            (intercept, slope, slope - range, slope + range)
        }
        TrendType::Multiplicative | TrendType::MultiplicativeDamped => {
            let l = (intercept).max(z[0] * 0.5).max(1e-6);
            let ratio = ((l + slope) / l).clamp(0.6, 1.6);
            (l, ratio, 0.5, 2.0)
        }
    };
    let l_lo = if positive && spec.error == ErrorType::Multiplicative || spec.trend.multiplicative()
    {
        (l_init - 2.0 * range).max(1e-6 * zmax.abs().max(1e-9))
    } else {
        l_init - 2.0 * range
    };
    let l_hi = l_init + 2.0 * range;
    // x = [alpha, beta/alpha, phi, l0, b0] restricted to the model's parameters
    let trend = spec.trend.has_trend();
    let damped = spec.trend.damped();
    let cols = param_columns(trend, damped);
    let unpack = |x: &[f64]| Theta::from_columns(&cols, x);
    let mut lower = vec![1e-4];
    let mut upper = vec![0.9999];
    if trend {
        lower.push(1e-4);
        upper.push(BETA_MAX);
    }
    if damped {
        lower.push(0.8);
        upper.push(0.98);
    }
    lower.push(l_lo);
    upper.push(l_hi);
    if trend {
        lower.push(b_lo);
        upper.push(b_hi);
    }
    // additive errors with an additive/no trend: initial states concentrated out (exact)
    let concentrate = spec.error == ErrorType::Additive && !spec.trend.multiplicative();
    let smoothing = spec.n_smoothing();
    // the parameters for x, with the concentrated states and their SSE when concentrating
    let with_states = |x: &[f64]| -> Option<(Theta, Option<f64>)> {
        if !concentrate {
            return Some((unpack(x), None));
        }
        let mut p = unpack(&x[..smoothing]);
        let (l0, b0, sse) = concentrated_states(spec.trend, &z, p.alpha, p.beta, p.phi)?;
        (p.l0, p.b0) = (l0, b0);
        Some((p, sse))
    };
    let nz = z.len() as f64;
    let objective = |x: &[f64]| {
        let Some((p, sse)) = with_states(x) else {
            return f64::INFINITY;
        };
        if p.beta > p.alpha {
            return f64::INFINITY;
        }
        match sse {
            Some(sse) => nz * sse.ln(),
            None => filter(&spec, &z, &p).map(|r| r.0).unwrap_or(f64::INFINITY),
        }
    };
    if concentrate {
        lower.truncate(smoothing);
        upper.truncate(smoothing);
    }
    // one start, as R and statsforecast: alpha 0.2, beta 0.02, phi 0.978 (R's initparam)
    let mut x0 = vec![0.2];
    if trend {
        x0.push(0.02);
    }
    if damped {
        x0.push(0.978);
    }
    if !concentrate {
        x0.push(l_init.clamp(l_lo, l_hi));
        if trend {
            x0.push(b_init.clamp(b_lo, b_hi));
        }
    }
    let nm = |max_evals| {
        nelder_mead(
            objective,
            &x0,
            &lower,
            &upper,
            NmOptions {
                max_evals,
                tol: 1e-6,
            },
        )
    };
    let best = if concentrate || spec.trend.multiplicative() {
        nm(600)
    } else {
        // multiplicative errors: a short Nelder–Mead to reach the right basin (its first
        // simplex spans a tenth of every bound), then Levenberg–Marquardt on the likelihood
        // as a sum of squares to converge; chosen over 600 Nelder–Mead steps on likelihood
        // (equal or better optimum on 95% of the benchmark's training series) and speed (3×)
        let (start, _) = nm(M_ERROR_SCOUT_EVALS);
        levenberg_marquardt(
            |x, a, g| m_normal_equations(spec.trend, &z, &unpack(x), &cols, a, g),
            |x| objective(x),
            |x| {
                if trend {
                    x[1] = x[1].min(x[0]);
                }
            },
            &start,
            &lower,
            &upper,
            LmOptions {
                max_iter: 200,
                tol: 1e-8,
            },
        )
    };
    if !best.1.is_finite() {
        return Err(Error::Fit {
            model: spec.code(),
            reason: "no admissible parameters found".into(),
        });
    }
    let (mut p, _) = with_states(&best.0).ok_or_else(|| Error::Fit {
        model: spec.code(),
        reason: "the initial states are not identified".into(),
    })?;
    let (lik, sse, l, b) = filter(&spec, &z, &p).ok_or_else(|| Error::Fit {
        model: spec.code(),
        reason: "the fitted states left the valid region".into(),
    })?;
    let kf = k as f64;
    let nf = n as f64;
    // R's ets: aic = lik + 2k with lik = n ln Σε² (+2Σ ln|μ|); constants common to all models dropped
    let aicc = lik + 2.0 * kf + 2.0 * kf * (kf + 1.0) / (nf - kf - 1.0);
    let dof = (n - spec.n_params()).max(1) as f64;
    let additive_scale = if spec.error == ErrorType::Additive {
        scale
    } else {
        1.0
    };
    let sigma = (sse / dof).sqrt() * additive_scale;
    let (level, trend_state) = (
        l * scale,
        if spec.trend.multiplicative() {
            b
        } else {
            b * scale
        },
    );
    p.l0 *= scale;
    if !spec.trend.multiplicative() {
        p.b0 *= scale;
    }
    let label = if spec == DAMPED { "damped" } else { "ets" };
    Ok(FittedEts {
        spec,
        p,
        level,
        trend: trend_state,
        sigma,
        aicc,
        label,
        candidates: Vec::new(),
        seasonal: None,
        loglik_term: lik + 2.0 * nf * scale.ln(),
    })
}

/// A single fixed ETS specification as a [`Forecaster`].
impl Forecaster for Ets {
    type Fitted = FittedEts;
    fn fit(&self, y: &[f64]) -> Result<FittedEts> {
        fit_spec(*self, y)
    }
}

/// Automatic ETS: fit every [`CANDIDATES`] model the data allow and keep the lowest AICc.
#[derive(Debug, Clone, Copy, Default)]
pub struct AutoEts;

impl Forecaster for AutoEts {
    type Fitted = FittedEts;
    fn fit(&self, y: &[f64]) -> Result<FittedEts> {
        let mut best: Option<FittedEts> = None;
        let mut table = Vec::new();
        for spec in CANDIDATES {
            if let Ok(f) = fit_spec(spec, y) {
                table.push((f.code(), f.aicc));
                if best.as_ref().is_none_or(|b| f.aicc < b.aicc) {
                    best = Some(f);
                }
            }
        }
        // the smallest candidate, ETS(A,N,N), has 2 parameters + sigma and needs k + 2 points
        let need = CANDIDATES[0].n_params() + 3;
        if best.is_none() && y.len() < need {
            return Err(too_short("ets", y.len(), need));
        }
        let mut best = best.ok_or_else(|| Error::Fit {
            model: "ets".into(),
            reason: format!("no ETS model could be fitted to {} observations", y.len()),
        })?;
        best.candidates = table;
        best.label = "ets";
        Ok(best)
    }
}

/// The seasonal candidates of [`SeasonalAutoEts`]: R's default admissible set
/// (`restrict = TRUE`, `allow.multiplicative.trend = FALSE`): additive errors only with an
/// additive season; multiplicative errors with either (positive data only).
pub const SEASONAL_CANDIDATES: [Ets; 9] = {
    use ErrorType::{Additive as EA, Multiplicative as EM};
    use SeasonType::{Additive as SA, Multiplicative as SM};
    use TrendType::{Additive as TA, AdditiveDamped as TAd, None as TN};
    const fn e(error: ErrorType, trend: TrendType, season: SeasonType) -> Ets {
        Ets {
            error,
            trend,
            season,
        }
    }
    [
        e(EA, TN, SA),
        e(EA, TA, SA),
        e(EA, TAd, SA),
        e(EM, TN, SA),
        e(EM, TA, SA),
        e(EM, TAd, SA),
        e(EM, TN, SM),
        e(EM, TA, SM),
        e(EM, TAd, SM),
    ]
};

/// Automatic ETS for data with season length `m`: the lowest AICc among the non-seasonal
/// [`CANDIDATES`] (fitted exactly as [`AutoEts`] does) and the [`SEASONAL_CANDIDATES`] the
/// data allow. R's rules decide when seasonal models are tried: 2 ≤ m ≤ [`MAX_PERIOD`]
/// (R drops seasonality above 24), and a seasonal model is fitted only with more
/// observations than its parameters + 1 and at least two full seasons. Otherwise (m ≤ 1,
/// yearly data, or too short a series) the result is exactly [`AutoEts`]'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeasonalAutoEts {
    /// Season length (12 monthly, 4 quarterly, 1 none).
    pub m: usize,
}

impl Forecaster for SeasonalAutoEts {
    type Fitted = FittedEts;
    fn fit(&self, y: &[f64]) -> Result<FittedEts> {
        let m = self.m;
        if m <= 1 || m > MAX_PERIOD || y.len() < 2 * m {
            return AutoEts.fit(y);
        }
        let base = AutoEts.fit(y);
        let mut best: Option<FittedEts> = None;
        let mut table = base
            .as_ref()
            .map(|b| b.candidates.clone())
            .unwrap_or_default();
        let positive = y.iter().all(|v| *v > 0.0);
        for spec in SEASONAL_CANDIDATES {
            if !positive && spec.error == ErrorType::Multiplicative {
                continue;
            }
            if let Ok(f) = fit_spec_m(spec, y, m) {
                table.push((f.code(), f.aicc));
                if best.as_ref().is_none_or(|b| f.aicc < b.aicc) {
                    best = Some(f);
                }
            }
        }
        let Some(mut seasonal) = best else {
            return base;
        };
        let mut chosen = match base {
            Ok(b) if b.aicc <= seasonal.aicc => b,
            _ => {
                seasonal.label = "ets";
                seasonal
            }
        };
        chosen.candidates = table;
        Ok(chosen)
    }
}

/// The damped-trend model ETS(A,Ad,N), kept as its own name.
pub const DAMPED: Ets = Ets {
    error: ErrorType::Additive,
    trend: TrendType::AdditiveDamped,
    season: SeasonType::None,
};

/// Fewest observations the damped model accepts: 5 parameters + σ + 2 (for a finite AICc).
pub const MIN_OBS: usize = 8;

/// Number of simulated paths behind the intervals of non-linear models.
pub const SIM_PATHS: usize = 2000;
const SIM_SEED: u64 = 0x05EE_DE75;

impl FittedEts {
    fn path_point(&self, h: usize) -> Vec<f64> {
        let (l, b, phi) = (self.level, self.trend, self.p.phi);
        let mut damp = 0.0;
        (1..=h)
            .map(|k| {
                damp += phi.powi(k as i32);
                match self.spec.trend {
                    TrendType::None => l,
                    TrendType::Additive => l + k as f64 * b,
                    TrendType::AdditiveDamped => l + damp * b,
                    TrendType::Multiplicative => l * b.powi(k as i32),
                    TrendType::MultiplicativeDamped => l * b.powf(damp),
                }
            })
            .collect()
    }

    /// c_j of the MA(∞) form of the additive-trend models.
    fn c(&self, j: usize) -> f64 {
        let (a, b, phi) = (self.p.alpha, self.p.beta, self.p.phi);
        match self.spec.trend {
            TrendType::None => a,
            TrendType::Additive => a + b * j as f64,
            _ => a + b * phi * (1.0 - phi.powi(j as i32)) / (1.0 - phi),
        }
    }

    /// Class 1 (additive errors): v_h = σ²(1 + Σ_{j<h} c_j²).
    fn class1_se(&self, h: usize) -> Vec<f64> {
        let mut acc = 0.0;
        (1..=h)
            .map(|k| {
                if k > 1 {
                    acc += self.c(k - 1).powi(2);
                }
                self.sigma * (1.0 + acc).sqrt()
            })
            .collect()
    }

    /// Class 2 (multiplicative errors, additive or no trend), Hyndman et al. (2008) §6.3:
    /// θ₁ = μ₁², θ_h = μ_h² + σ² Σ_{j<h} c_j² θ_{h−j}, v_h = (1 + σ²)θ_h − μ_h².
    fn class2_se(&self, point: &[f64]) -> Vec<f64> {
        let s2 = self.sigma * self.sigma;
        let mut theta: Vec<f64> = Vec::with_capacity(point.len());
        for k in 0..point.len() {
            let mut t = point[k] * point[k];
            for j in 1..=k {
                t += s2 * self.c(j).powi(2) * theta[k - j];
            }
            theta.push(t);
        }
        theta
            .iter()
            .zip(point)
            .map(|(t, m)| ((1.0 + s2) * t - m * m).max(0.0).sqrt())
            .collect()
    }
}

impl FittedModel for FittedEts {
    fn name(&self) -> &'static str {
        self.label
    }
    fn description(&self) -> Cow<'static, str> {
        if self.candidates.is_empty() {
            format!(
                "{} exponential smoothing, maximum likelihood",
                self.spec.code()
            )
            .into()
        } else {
            format!(
                "{} exponential smoothing, maximum likelihood, lowest AICc of {} ETS models",
                self.spec.code(),
                self.candidates.len()
            )
            .into()
        }
    }
    fn params(&self) -> Vec<Param> {
        let mut v = vec![Param::new("alpha", self.p.alpha)];
        if self.spec.trend.has_trend() {
            v.push(Param::new("beta", self.p.beta));
        }
        if let Some(sf) = &self.seasonal {
            v.push(Param::new("gamma", sf.gamma));
        }
        if self.spec.trend.damped() {
            v.push(Param::new("phi", self.p.phi));
        }
        v.push(Param::new("l0", self.p.l0));
        if self.spec.trend.has_trend() {
            v.push(Param::new("b0", self.p.b0));
        }
        if let Some(sf) = &self.seasonal {
            // initial states by period: s0_1 belongs to the first observation
            for (j, s) in sf.init.iter().enumerate() {
                v.push(Param::new(format!("s0_{}", j + 1), *s));
            }
        }
        v.push(Param::new("level", self.level));
        if self.spec.trend.has_trend() {
            v.push(Param::new("trend", self.trend));
        }
        if let Some(sf) = &self.seasonal {
            // final states in R's order: s1 = the last observation's period
            for (i, s) in sf.last.iter().enumerate() {
                v.push(Param::new(format!("s{}", i + 1), *s));
            }
        }
        v.push(Param::new("sigma", self.sigma));
        v.push(Param::new("aicc", self.aicc));
        v
    }
    fn forecast(&self, h: usize, levels: &[f64]) -> Forecast {
        if self.seasonal.is_some() {
            return self.seasonal_forecast(h, levels);
        }
        let point = self.path_point(h);
        if self.spec.linear() {
            let se = self.class1_se(h);
            return Forecast {
                intervals: gaussian_intervals(&point, &se, levels),
                point,
            };
        }
        if !self.spec.trend.multiplicative() {
            let se = self.class2_se(&point);
            return Forecast {
                intervals: gaussian_intervals(&point, &se, levels),
                point,
            };
        }
        let mut rng = StdRng::seed_from_u64(SIM_SEED);
        let paths: Vec<Vec<f64>> = (0..SIM_PATHS).map(|_| self.simulate(h, &mut rng)).collect();
        let intervals = levels
            .iter()
            .map(|&level| {
                let (mut lower, mut upper) = (Vec::with_capacity(h), Vec::with_capacity(h));
                for k in 0..h {
                    let mut col: Vec<f64> = paths.iter().map(|p| p[k]).collect();
                    col.sort_by(f64::total_cmp);
                    let q = |p: f64| col[((col.len() - 1) as f64 * p).round() as usize];
                    let a = (100.0 - level) / 200.0;
                    lower.push(q(a).min(point[k]));
                    upper.push(q(1.0 - a).max(point[k]));
                }
                Interval {
                    level,
                    lower,
                    upper,
                }
            })
            .collect();
        Forecast { point, intervals }
    }
    fn simulate(&self, h: usize, rng: &mut StdRng) -> Vec<f64> {
        if self.seasonal.is_some() {
            return self.seasonal_simulate(h, rng);
        }
        use rand_distr::{Distribution, Normal};
        let noise = Normal::new(0.0, self.sigma.max(0.0)).expect("sigma is finite");
        let (mut l, mut b) = (self.level, self.trend);
        let mult = self.spec.error == ErrorType::Multiplicative;
        (0..h)
            .map(|_| {
                let mu = one_step(self.spec.trend, l, b, self.p.phi);
                let e = noise.sample(rng);
                let r = if mult { mu * e } else { e };
                let (nl, nb) = update(self.spec.trend, l, b, mu, r, &self.p);
                l = nl;
                b = if self.spec.trend.multiplicative() {
                    nb.max(1e-9)
                } else {
                    nb
                };
                mu + r
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noisy_growth(n: usize, g: f64) -> Vec<f64> {
        (0..n)
            .map(|t| {
                100.0 * g.powi(t as i32) * (1.0 + 0.02 * (((t * 7919) % 11) as f64 - 5.0) / 5.0)
            })
            .collect()
    }

    #[test]
    fn a_straight_line_is_followed_by_the_additive_trend_model() {
        let y: Vec<f64> = (0..30).map(|t| 100.0 + 5.0 * t as f64).collect();
        let fit = fit_spec(
            Ets {
                error: ErrorType::Additive,
                trend: TrendType::Additive,
                season: SeasonType::None,
            },
            &y,
        )
        .unwrap();
        let f = fit.forecast(3, &[95.0]);
        assert!((f.point[0] - 250.0).abs() < 0.5, "{:?}", f.point);
        assert!((f.point[2] - 260.0).abs() < 1.5, "{:?}", f.point);
    }

    #[test]
    fn auto_ets_picks_a_trend_model_for_steady_growth() {
        let fit = AutoEts.fit(&noisy_growth(40, 1.08)).unwrap();
        assert!(
            fit.code().contains(",A") || fit.code().contains(",M"),
            "{}",
            fit.code()
        );
        assert_eq!(fit.candidates.len(), CANDIDATES.len());
    }

    #[test]
    fn damped_parameters_stay_in_the_admissible_region() {
        let y = [
            3.0, 5.0, 4.0, 6.0, 8.0, 7.0, 9.0, 12.0, 11.0, 13.0, 12.5, 15.0,
        ];
        let fit = fit_spec(DAMPED, &y).unwrap();
        assert!(0.0 < fit.p.beta && fit.p.beta <= fit.p.alpha && fit.p.alpha < 1.0);
        assert!((0.8..=0.98).contains(&fit.p.phi));
    }

    #[test]
    fn every_candidate_gives_ordered_widening_intervals() {
        let y = noisy_growth(25, 1.05);
        for spec in CANDIDATES {
            let fit = fit_spec(spec, &y).unwrap();
            let f = fit.forecast(6, &[80.0, 95.0]);
            for k in 0..6 {
                let (i80, i95) = (&f.intervals[0], &f.intervals[1]);
                assert!(
                    i95.lower[k] <= i80.lower[k] && i80.lower[k] <= f.point[k],
                    "{}",
                    spec.code()
                );
                assert!(
                    f.point[k] <= i80.upper[k] && i80.upper[k] <= i95.upper[k],
                    "{}",
                    spec.code()
                );
            }
            let w0 = f.intervals[1].upper[0] - f.intervals[1].lower[0];
            let w5 = f.intervals[1].upper[5] - f.intervals[1].lower[5];
            assert!(w5 > w0, "{}", spec.code());
        }
    }

    #[test]
    fn multiplicative_models_refuse_non_positive_data() {
        let y = [1.0, 2.0, -1.0, 3.0, 4.0, 5.0, 6.0, 7.0];
        assert!(
            fit_spec(
                Ets {
                    error: ErrorType::Multiplicative,
                    trend: TrendType::None,
                    season: SeasonType::None,
                },
                &y
            )
            .is_err()
        );
        assert!(AutoEts.fit(&y).is_ok());
    }

    #[test]
    fn too_short_a_series_is_refused_cleanly() {
        assert!(AutoEts.fit(&[1.0, 2.0]).is_err());
        assert!(fit_spec(DAMPED, &[1.0, 2.0, 3.0]).is_err());
    }

    #[test]
    fn forecasts_are_reproducible() {
        let y = noisy_growth(20, 1.1);
        let spec = Ets {
            error: ErrorType::Multiplicative,
            trend: TrendType::MultiplicativeDamped,
            season: SeasonType::None,
        };
        let a = fit_spec(spec, &y).unwrap().forecast(4, &[90.0]);
        let b = fit_spec(spec, &y).unwrap().forecast(4, &[90.0]);
        assert_eq!(a, b);
    }

    #[test]
    fn the_multiplicative_error_gradient_matches_finite_differences() {
        let y: Vec<f64> = (0..30)
            .map(|t| 1.0 + 0.05 * t as f64 + 0.03 * ((t * 7 % 5) as f64 - 2.0))
            .collect();
        let p = Theta {
            alpha: 0.3,
            beta: 0.05,
            phi: 0.9,
            l0: 0.95,
            b0: 0.04,
        };
        for spec in &CANDIDATES[3..] {
            let cols = param_columns(spec.trend.has_trend(), spec.trend.damped());
            let (mut a, mut g) = ([0.0; 25], [0.0; 5]);
            let lik = m_normal_equations(spec.trend, &y, &p, &cols, &mut a, &mut g).unwrap();
            let (lik2, s_ee, _, _) = filter(spec, &y, &p).unwrap();
            assert!((lik - lik2).abs() < 1e-9 * lik.abs().max(1.0));
            for (x, &k) in cols.iter().enumerate() {
                let h = 1e-6;
                let mut q = p;
                match k {
                    0 => q.alpha += h,
                    1 => q.beta += h,
                    2 => q.phi += h,
                    3 => q.l0 += h,
                    _ => q.b0 += h,
                }
                let fd = (filter(spec, &y, &q).unwrap().0 - lik) / h;
                // d lik = 2n/Σε² · (Jᵀr without G²)
                let analytic = 2.0 * y.len() as f64 / s_ee * g[x];
                assert!(
                    (fd - analytic).abs() < 1e-3 * analytic.abs().max(1.0),
                    "{} parameter {k}: finite difference {fd}, analytic {analytic}",
                    spec.code()
                );
            }
        }
    }

    #[test]
    fn multiplicative_error_fits_reach_the_likelihood_optimum_of_a_long_search() {
        // Levenberg–Marquardt after a short scout must do at least as well as a long
        // Nelder–Mead on a smooth, well-identified series
        let y = noisy_growth(40, 1.05);
        for spec in &CANDIDATES[3..] {
            let fast = fit_spec(*spec, &y).unwrap();
            let z_scale = y.iter().sum::<f64>() / y.len() as f64;
            let z: Vec<f64> = y.iter().map(|v| v / z_scale).collect();
            let cols = param_columns(spec.trend.has_trend(), spec.trend.damped());
            let pack = |p: &Theta| -> Vec<f64> {
                cols.iter()
                    .map(|&k| [p.alpha, p.beta, p.phi, p.l0 / z_scale, p.b0 / z_scale][k])
                    .collect()
            };
            let x0 = pack(&fast.p);
            let unpack = |x: &[f64]| Theta::from_columns(&cols, x);
            let fast_lik = filter(spec, &z, &unpack(&x0)).unwrap().0;
            // a long search from the default start, no bounds but the parameter space's
            let lo: Vec<f64> = cols
                .iter()
                .map(|&k| [1e-4, 1e-4, 0.8, 0.01, -1.0][k])
                .collect();
            let hi: Vec<f64> = cols
                .iter()
                .map(|&k| [0.9999, BETA_MAX, 0.98, 10.0, 1.0][k])
                .collect();
            let start: Vec<f64> = cols
                .iter()
                .map(|&k| [0.2, 0.02, 0.978, 1.0, 0.0][k])
                .collect();
            let (_, v) = nelder_mead(
                |x| {
                    let p = unpack(x);
                    if p.beta > p.alpha {
                        return f64::INFINITY;
                    }
                    filter(spec, &z, &p).map(|r| r.0).unwrap_or(f64::INFINITY)
                },
                &start,
                &lo,
                &hi,
                NmOptions {
                    max_evals: 5000,
                    tol: 1e-12,
                },
            );
            assert!(
                fast_lik <= v + 0.05,
                "{}: fast {fast_lik}, long search {v}",
                spec.code()
            );
        }
    }
}
