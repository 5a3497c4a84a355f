//! Seasonal ETS models, ETS(E,T,S) with S = A or M, fitted by maximum likelihood over the
//! smoothing parameters and every initial state (see the parent module's docs for the
//! method, the bounds and the differences from R).
//!
//! The recursions, with q = ℓ + φb, s = s_{t−m}, μ the one-step forecast and r = y − μ the
//! raw error (the state updates of additive and multiplicative errors coincide when written
//! in r; only the likelihood differs):
//!
//! | season | μ | ℓ_t | b_t | s_t |
//! |---|---|---|---|---|
//! | A | q + s | q + αr | φb + βr | s + γr |
//! | M | q·s | q + αr/s | φb + βr/s | s + γr/q |

use super::{ErrorType, Ets, FittedEts, SIM_PATHS, SIM_SEED, SeasonType, Theta, TrendType};
use crate::error::{Error, Result};
use crate::models::forecast::{Forecast, Interval, gaussian_intervals};
use crate::models::optim::{LmOptions, levenberg_marquardt_dyn};
use crate::models::too_short;
use rand::SeedableRng;
use rand::rngs::StdRng;

/// Longest season R's `ets` models (it drops seasonality for m > 24).
pub const MAX_PERIOD: usize = 24;
/// Most estimated parameters: α, β, γ, φ, ℓ₀, b₀ and m − 1 free seasonal states.
const NP_MAX: usize = 6 + MAX_PERIOD - 1;

/// Upper bound of β in seasonal models (see the module docs).
pub const SEASONAL_BETA_MAX: f64 = 0.2;

/// Where each estimated parameter sits in the optimiser's vector:
/// `[α, γ, (β), (φ), ℓ₀, (b₀), s₁ … s_{m−1}]`; the seasonal state s₀ of the first period is
/// fixed by the normalisation (Σs = 0 additive, Σs = m multiplicative), as in R.
#[derive(Debug, Clone, Copy)]
struct Layout {
    m: usize,
    trend: bool,
    damped: bool,
    ib: usize,
    iphi: usize,
    il: usize,
    ibb: usize,
    is: usize,
    np: usize,
}

const NONE: usize = usize::MAX;

impl Layout {
    fn new(m: usize, trend: bool, damped: bool) -> Self {
        let mut k = 2;
        let mut next = |on: bool| {
            if on {
                k += 1;
                k - 1
            } else {
                NONE
            }
        };
        let ib = next(trend);
        let iphi = next(damped);
        let il = next(true);
        let ibb = next(trend);
        let is = k;
        Layout {
            m,
            trend,
            damped,
            ib,
            iphi,
            il,
            ibb,
            is,
            np: is + m - 1,
        }
    }
}

/// Model parameters on the optimiser's scale; N trends have φ = 1, β = b₀ = 0.
#[derive(Debug, Clone, Copy)]
struct Params {
    alpha: f64,
    beta: f64,
    gamma: f64,
    phi: f64,
    l0: f64,
    b0: f64,
    s: [f64; MAX_PERIOD],
}

fn unpack(lay: &Layout, x: &[f64], mult_season: bool) -> Params {
    let get = |i: usize, default: f64| if i == NONE { default } else { x[i] };
    let mut s = [0.0; MAX_PERIOD];
    let mut sum = 0.0;
    for j in 1..lay.m {
        s[j] = x[lay.is + j - 1];
        sum += s[j];
    }
    s[0] = if mult_season { lay.m as f64 } else { 0.0 } - sum;
    Params {
        alpha: x[0],
        gamma: x[1],
        beta: get(lay.ib, 0.0),
        phi: get(lay.iphi, 1.0),
        l0: x[lay.il],
        b0: get(lay.ibb, 0.0),
        s,
    }
}

/// The result of a pass through the data.
#[derive(Debug, Clone, Copy)]
struct Run {
    lik: f64,
    sse: f64,
    l: f64,
    b: f64,
    s: [f64; MAX_PERIOD],
}

/// One pass of the model through `y`: R's likelihood term (n·ln Σε², + 2Σ ln μ for
/// multiplicative errors) and the final states, or `None` when μ (multiplicative errors) or
/// q and the seasonal states (multiplicative season) leave (0, ∞). Compiled once per
/// error/season type: the hot loop of every evaluation has no branch on the model.
fn run<const MS: bool, const ME: bool>(y: &[f64], m: usize, p: &Params) -> Option<Run> {
    let (alpha, beta, gamma, phi) = (p.alpha, p.beta, p.gamma, p.phi);
    let (mut l, mut b, mut s) = (p.l0, p.b0, p.s);
    if MS && s[..m].iter().any(|v| *v <= 0.0) {
        return None;
    }
    let (mut sse, mut log_mu, mut prod_mu) = (0.0, 0.0, 1.0f64);
    let mut j = 0;
    for (t, &obs) in y.iter().enumerate() {
        let q = l + phi * b;
        let sj = s[j];
        let mu = if MS { q * sj } else { q + sj };
        let r = obs - mu;
        if ME {
            if !(mu > 0.0 && mu.is_finite()) {
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
        if MS {
            if q.is_nan() || q <= 0.0 {
                return None;
            }
            let u = r / sj;
            l = q + alpha * u;
            b = phi * b + beta * u;
            s[j] = sj + gamma * r / q;
            if s[j].is_nan() || s[j] <= 0.0 {
                return None;
            }
        } else {
            l = q + alpha * r;
            b = phi * b + beta * r;
            s[j] = sj + gamma * r;
        }
        j += 1;
        if j == m {
            j = 0;
        }
    }
    if !(l.is_finite() && b.is_finite()) {
        return None;
    }
    log_mu += prod_mu.ln();
    let n = y.len() as f64;
    let lik = n * sse.max(1e-300).ln() + 2.0 * log_mu;
    lik.is_finite().then_some(Run { lik, sse, l, b, s })
}

fn run_any(spec: &Ets, y: &[f64], m: usize, p: &Params) -> Option<Run> {
    let ms = spec.season == SeasonType::Multiplicative;
    let me = spec.error == ErrorType::Multiplicative;
    match (ms, me) {
        (false, false) => run::<false, false>(y, m, p),
        (false, true) => run::<false, true>(y, m, p),
        (true, false) => run::<true, false>(y, m, p),
        (true, true) => run::<true, true>(y, m, p),
    }
}

/// Gauss–Newton normal equations of the likelihood at `x`, written to `a` (JᵀJ, row-major,
/// `np × np`) and `g` (Jᵀr); returns the likelihood. Additive errors: the residuals are ε_t
/// (n·ln Σε² has the minimiser of Σε²). Multiplicative errors: n·ln Σε² + 2Σ ln μ_t =
/// n·ln Σ(G·ε_t)² with G the geometric mean of μ_t, a sum of squares whose normal equations
/// are given without the common factor G². The derivatives of the states are carried
/// through the recursion (forward mode); each step changes only ℓ, b and one seasonal
/// state, so a step costs O(np) plus the O(np²) update of JᵀJ.
fn normal_equations<const MS: bool, const ME: bool>(
    y: &[f64],
    lay: &Layout,
    x: &[f64],
    a: &mut [f64],
    g: &mut [f64],
) -> Option<f64> {
    // np ≤ NP_MAX stated to the compiler: the per-parameter loops lose their bounds checks
    let np = lay.np.min(NP_MAX);
    let m = lay.m;
    let p = unpack(lay, x, MS);
    let (alpha, beta, gamma, phi) = (p.alpha, p.beta, p.gamma, p.phi);
    let (mut l, mut b, mut s) = (p.l0, p.b0, p.s);
    if MS && s[..m].iter().any(|v| *v <= 0.0) {
        return None;
    }
    let mut dl = [0.0f64; NP_MAX];
    let mut db = [0.0f64; NP_MAX];
    let mut ds = [[0.0f64; NP_MAX]; MAX_PERIOD];
    dl[lay.il] = 1.0;
    if lay.trend {
        db[lay.ibb] = 1.0;
    }
    for j in 1..m {
        ds[j][lay.is + j - 1] = 1.0;
        ds[0][lay.is + j - 1] = -1.0;
    }
    let mut s_dd = [0.0f64; NP_MAX * NP_MAX];
    let (mut s_ed, mut dlog) = ([0.0f64; NP_MAX], [0.0f64; NP_MAX]);
    let (mut dq, mut dmu, mut de) = ([0.0f64; NP_MAX], [0.0f64; NP_MAX], [0.0f64; NP_MAX]);
    let (mut s_ee, mut log_mu, mut prod_mu) = (0.0, 0.0, 1.0f64);
    let mut j = 0;
    for (t, &obs) in y.iter().enumerate() {
        let q = l + phi * b;
        let sj = s[j];
        let dsj = &mut ds[j];
        for k in 0..np {
            dq[k] = dl[k] + phi * db[k];
        }
        if lay.damped {
            dq[lay.iphi] += b;
        }
        let mu = if MS {
            for k in 0..np {
                dmu[k] = dq[k] * sj + q * dsj[k];
            }
            q * sj
        } else {
            for k in 0..np {
                dmu[k] = dq[k] + dsj[k];
            }
            q + sj
        };
        let r = obs - mu;
        let e = if ME {
            if !(mu > 0.0 && mu.is_finite()) {
                return None;
            }
            let inv = 1.0 / mu;
            let w = -obs * inv * inv;
            for k in 0..np {
                de[k] = w * dmu[k];
                dlog[k] += dmu[k] * inv;
            }
            prod_mu *= mu;
            if t % 32 == 31 || !(1e-100..1e100).contains(&prod_mu) {
                log_mu += prod_mu.ln();
                prod_mu = 1.0;
            }
            r * inv
        } else {
            for k in 0..np {
                de[k] = -dmu[k];
            }
            r
        };
        s_ee += e * e;
        for i in 0..np {
            s_ed[i] += e * de[i];
            let di = de[i];
            let row = &mut s_dd[i * NP_MAX..i * NP_MAX + np];
            for jj in i..np {
                row[jj] += di * de[jj];
            }
        }
        // state updates and their derivatives (dr = −dμ)
        if MS {
            if q.is_nan() || q <= 0.0 {
                return None;
            }
            let (inv_s, inv_q) = (1.0 / sj, 1.0 / q);
            let u = r * inv_s;
            let v = r * inv_q;
            for k in 0..np {
                let du = (-dmu[k] - u * dsj[k]) * inv_s;
                let dv = (-dmu[k] - v * dq[k]) * inv_q;
                dl[k] = dq[k] + alpha * du;
                if lay.trend {
                    db[k] = phi * db[k] + beta * du;
                }
                dsj[k] += gamma * dv;
            }
            dl[0] += u;
            dsj[1] += v;
            if lay.trend {
                db[lay.ib] += u;
                if lay.damped {
                    db[lay.iphi] += b;
                }
            }
            l = q + alpha * u;
            b = phi * b + beta * u;
            s[j] = sj + gamma * v;
            if s[j].is_nan() || s[j] <= 0.0 {
                return None;
            }
        } else {
            for k in 0..np {
                dl[k] = dq[k] - alpha * dmu[k];
                if lay.trend {
                    db[k] = phi * db[k] - beta * dmu[k];
                }
                dsj[k] -= gamma * dmu[k];
            }
            dl[0] += r;
            dsj[1] += r;
            if lay.trend {
                db[lay.ib] += r;
                if lay.damped {
                    db[lay.iphi] += b;
                }
            }
            l = q + alpha * r;
            b = phi * b + beta * r;
            s[j] = sj + gamma * r;
        }
        j += 1;
        if j == m {
            j = 0;
        }
    }
    if !(l.is_finite() && b.is_finite()) {
        return None;
    }
    log_mu += prod_mu.ln();
    let n = y.len() as f64;
    for i in 0..np {
        for jj in 0..i {
            s_dd[i * NP_MAX + jj] = s_dd[jj * NP_MAX + i];
        }
    }
    if ME {
        let dlng: [f64; NP_MAX] = std::array::from_fn(|k| dlog[k] / n);
        for i in 0..np {
            g[i] = s_ed[i] + s_ee * dlng[i];
            for jj in 0..np {
                a[i * np + jj] = s_dd[i * NP_MAX + jj]
                    + s_ed[i] * dlng[jj]
                    + dlng[i] * s_ed[jj]
                    + s_ee * dlng[i] * dlng[jj];
            }
        }
    } else {
        for i in 0..np {
            g[i] = s_ed[i];
            for jj in 0..np {
                a[i * np + jj] = s_dd[i * NP_MAX + jj];
            }
        }
    }
    let lik = n * s_ee.max(1e-300).ln() + 2.0 * log_mu;
    lik.is_finite().then_some(lik)
}

fn normal_any(
    spec: &Ets,
    y: &[f64],
    lay: &Layout,
    x: &[f64],
    a: &mut [f64],
    g: &mut [f64],
) -> Option<f64> {
    let ms = spec.season == SeasonType::Multiplicative;
    let me = spec.error == ErrorType::Multiplicative;
    match (ms, me) {
        (false, false) => normal_equations::<false, false>(y, lay, x, a, g),
        (false, true) => normal_equations::<false, true>(y, lay, x, a, g),
        (true, false) => normal_equations::<true, false>(y, lay, x, a, g),
        (true, true) => normal_equations::<true, true>(y, lay, x, a, g),
    }
}

/// Classical decomposition's seasonal figure (R's `decompose`): a centred moving average
/// of order m (2×m for even m), the detrended values averaged per period and normalised to
/// sum 0 (additive) or average 1 (multiplicative). `figure[j]` belongs to the observations
/// t ≡ j (mod m). Needs n ≥ 2m.
fn seasonal_figure(y: &[f64], m: usize, mult: bool) -> Vec<f64> {
    let n = y.len();
    let half = m / 2;
    let (mut sum, mut count) = (vec![0.0; m], vec![0usize; m]);
    for t in half..n.saturating_sub(half) {
        let ma = if m.is_multiple_of(2) {
            (0.5 * y[t - half] + y[t + 1 - half..t + half].iter().sum::<f64>() + 0.5 * y[t + half])
                / m as f64
        } else {
            y[t - half..=t + half].iter().sum::<f64>() / m as f64
        };
        let d = if mult { y[t] / ma } else { y[t] - ma };
        if d.is_finite() {
            sum[t % m] += d;
            count[t % m] += 1;
        }
    }
    let mut fig: Vec<f64> = sum
        .iter()
        .zip(&count)
        .map(|(s, &c)| {
            if c > 0 {
                s / c as f64
            } else if mult {
                1.0
            } else {
                0.0
            }
        })
        .collect();
    let mean = fig.iter().sum::<f64>() / m as f64;
    for v in fig.iter_mut() {
        if mult {
            *v /= mean;
        } else {
            *v -= mean;
        }
    }
    fig
}

/// R's `initstate`: seasonal states from the classical decomposition of the series, ℓ₀ and
/// b₀ from a line through the first max(10, 2m) seasonally adjusted values.
fn initial_states(z: &[f64], m: usize, trend: bool, mult: bool) -> (f64, f64, Vec<f64>) {
    let fig = seasonal_figure(z, m, mult);
    let mut s = fig.clone();
    if mult {
        // R: pmax(init.seas, 0.01), rescaled if the free ones sum above m
        for v in s[1..].iter_mut() {
            *v = v.max(0.01);
        }
        let free: f64 = s[1..].iter().sum();
        if free > m as f64 {
            let d = free + 0.01 * (m - 1) as f64;
            for v in s[1..].iter_mut() {
                *v /= d;
            }
        }
        s[0] = m as f64 - s[1..].iter().sum::<f64>();
    } else {
        s[0] = -s[1..].iter().sum::<f64>();
    }
    let maxn = 10.max(2 * m).min(z.len());
    let sa: Vec<f64> = z[..maxn]
        .iter()
        .enumerate()
        .map(|(t, v)| {
            if mult {
                v / fig[t % m].max(0.01)
            } else {
                v - fig[t % m]
            }
        })
        .collect();
    if trend {
        let (mut l0, mut b0) = crate::models::linalg::ols_line(&sa);
        if (l0 + b0).abs() < 1e-8 {
            l0 *= 1.0 + 1e-3;
            b0 *= 1.0 - 1e-3;
        }
        (l0, b0, s)
    } else {
        (sa.iter().sum::<f64>() / maxn as f64, 0.0, s)
    }
}

/// The seasonal part of a fitted model.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SeasonalFit {
    /// Season length.
    pub m: usize,
    /// Seasonal smoothing parameter.
    pub gamma: f64,
    /// Initial seasonal states s₀ … s_{m−1} for the periods of the first m observations.
    pub init: Vec<f64>,
    /// Final seasonal states in R's order: `last[0]` is the state of the last observation's
    /// period (R's s1), `last[m−1]` the oldest.
    pub last: Vec<f64>,
}

impl SeasonalFit {
    /// The seasonal state that applies k ≥ 1 steps ahead: s_{n+k−m⌈k/m⌉}.
    fn ahead(&self, k: usize) -> f64 {
        let m = self.m;
        self.last[(m - 1) - (k - 1) % m]
    }
}

/// Number of estimated parameters (without σ) of a seasonal spec: α, γ, β, φ, ℓ₀, b₀ and
/// m − 1 seasonal states.
pub(super) fn n_params(spec: &Ets, m: usize) -> usize {
    spec.n_smoothing() + 1 + usize::from(spec.trend.has_trend()) + (m - 1)
}

/// Fit one seasonal specification with season length `m` (2 ≤ m ≤ [`MAX_PERIOD`]).
pub(super) fn fit(spec: Ets, y: &[f64], m: usize, beta_max: f64) -> Result<FittedEts> {
    let n = y.len();
    if !(2..=MAX_PERIOD).contains(&m) {
        return Err(Error::Fit {
            model: spec.code(),
            reason: format!("season length {m} is outside 2..={MAX_PERIOD}"),
        });
    }
    if spec.trend.multiplicative() {
        return Err(Error::Fit {
            model: spec.code(),
            reason: "multiplicative trends are not implemented for seasonal models".into(),
        });
    }
    let np = n_params(&spec, m);
    // R: np ≥ n − 1 gives an infinite AICc; plus two full seasons for the decomposition
    let need = (np + 2).max(2 * m);
    if n < need {
        return Err(too_short(&spec.code(), n, need));
    }
    let mult_s = spec.season == SeasonType::Multiplicative;
    let mult_e = spec.error == ErrorType::Multiplicative;
    if (mult_s || mult_e) && !y.iter().all(|v| *v > 0.0) {
        return Err(Error::Fit {
            model: spec.code(),
            reason: "multiplicative components need every value > 0".into(),
        });
    }
    let scale = y.iter().map(|v| v.abs()).sum::<f64>() / n as f64;
    let scale = if scale > 0.0 { scale } else { 1.0 };
    let z: Vec<f64> = y.iter().map(|v| v / scale).collect();
    let trend = spec.trend.has_trend();
    let damped = spec.trend.damped();
    let lay = Layout::new(m, trend, damped);
    let (l0, b0, s0) = initial_states(&z, m, trend, mult_s);
    // R's initparam on the usual bounds
    let alpha0 = 1e-4 + 0.2 * (0.9999 - 1e-4) / m as f64;
    let mut x0 = vec![0.0; lay.np];
    x0[0] = alpha0;
    x0[1] = 1e-4 + 0.05 * (1.0 - alpha0 - 1e-4);
    if trend {
        x0[lay.ib] = 1e-4 + 0.1 * (alpha0.min(beta_max) - 1e-4);
        x0[lay.ibb] = b0;
    }
    if damped {
        x0[lay.iphi] = 0.8 + 0.99 * 0.18;
    }
    x0[lay.il] = l0;
    x0[lay.is..].copy_from_slice(&s0[1..]);
    let big = 1e6;
    let mut lower = vec![-big; lay.np];
    let mut upper = vec![big; lay.np];
    (lower[0], upper[0]) = (1e-4, 0.9999);
    (lower[1], upper[1]) = (1e-4, 0.9999);
    if trend {
        (lower[lay.ib], upper[lay.ib]) = (1e-4, beta_max);
    }
    if damped {
        (lower[lay.iphi], upper[lay.iphi]) = (0.8, 0.98);
    }
    if mult_s {
        lower[lay.is..lay.np].fill(1e-6);
    }
    let ib = lay.ib;
    let project = move |x: &mut [f64]| {
        // 0 < β < α, 0 < γ < 1 − α
        x[0] = x[0].min(0.9998);
        if ib != NONE {
            x[ib] = x[ib].min(x[0]);
        }
        x[1] = x[1].min(1.0 - x[0] - 1e-4).max(1e-4);
    };
    let value = |x: &[f64]| {
        run_any(&spec, &z, m, &unpack(&lay, x, mult_s))
            .map(|r| r.lik)
            .unwrap_or(f64::INFINITY)
    };
    // a second start with faster smoothing (α 0.05, γ 0.3(1 − α), β 0.1α); Levenberg–Marquardt
    // runs from whichever of the two has the higher likelihood. On the Tourism training
    // series this lowers the summed AICc of the chosen models (by about 300 over the 366
    // monthly ones) at no extra cost; two full runs would gain twice that at twice the cost
    // without better holdout forecasts (module docs)
    let mut x1 = x0.clone();
    x1[0] = 0.05;
    x1[1] = 0.3 * (1.0 - x1[0]);
    if trend {
        x1[lay.ib] = 0.1 * x1[0].min(beta_max);
    }
    let start = if value(&x1) < value(&x0) { &x1 } else { &x0 };
    let (best, v) = levenberg_marquardt_dyn(
        |x, a, g| normal_any(&spec, &z, &lay, x, a, g),
        value,
        project,
        start,
        &lower,
        &upper,
        LmOptions {
            max_iter: 200,
            tol: 1e-8,
        },
    );
    if !v.is_finite() {
        return Err(Error::Fit {
            model: spec.code(),
            reason: "no admissible parameters found".into(),
        });
    }
    let p = unpack(&lay, &best, mult_s);
    let fit = run_any(&spec, &z, m, &p).ok_or_else(|| Error::Fit {
        model: spec.code(),
        reason: "the fitted states left the valid region".into(),
    })?;
    let k = (np + 1) as f64;
    let nf = n as f64;
    let aicc = fit.lik + 2.0 * k + 2.0 * k * (k + 1.0) / (nf - k - 1.0);
    let dof = (n - np).max(1) as f64;
    let sigma = (fit.sse / dof).sqrt() * if mult_e { 1.0 } else { scale };
    let s_scale = if mult_s { 1.0 } else { scale };
    let init: Vec<f64> = p.s[..m].iter().map(|v| v * s_scale).collect();
    // R's order of the final states: s1 = the last observation's period, then backwards
    let last: Vec<f64> = (0..m).map(|i| fit.s[(n - 1 - i) % m] * s_scale).collect();
    Ok(FittedEts {
        spec,
        p: Theta {
            alpha: p.alpha,
            beta: p.beta,
            phi: p.phi,
            l0: p.l0 * scale,
            b0: p.b0 * scale,
        },
        level: fit.l * scale,
        trend: fit.b * scale,
        sigma,
        aicc,
        label: "ets",
        candidates: Vec::new(),
        seasonal: Some(SeasonalFit {
            m,
            gamma: p.gamma,
            init,
            last,
        }),
        loglik_term: fit.lik + 2.0 * nf * scale.ln(),
    })
}

impl FittedEts {
    fn seas(&self) -> &SeasonalFit {
        self.seasonal.as_ref().expect("a seasonal model")
    }

    /// Point forecasts and the non-seasonal part μ̃_k = ℓ + φ_k b of each.
    fn seasonal_points(&self, h: usize) -> (Vec<f64>, Vec<f64>) {
        let sf = self.seas();
        let (l, b, phi) = (self.level, self.trend, self.p.phi);
        let mult = self.spec.season == SeasonType::Multiplicative;
        let mut damp = 0.0;
        let mut pw = 1.0;
        let tilde: Vec<f64> = (1..=h)
            .map(|k| {
                pw *= phi;
                damp += pw;
                match self.spec.trend {
                    TrendType::None => l,
                    TrendType::Additive => l + k as f64 * b,
                    _ => l + damp * b,
                }
            })
            .collect();
        let point = tilde
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let s = sf.ahead(i + 1);
                if mult { t * s } else { t + s }
            })
            .collect();
        (point, tilde)
    }

    /// c_j of the non-seasonal part (α + βj, or with damping α + βφ(1 − φʲ)/(1 − φ)).
    fn c_trend(&self, j: usize) -> f64 {
        let (a, b, phi) = (self.p.alpha, self.p.beta, self.p.phi);
        match self.spec.trend {
            TrendType::None => a,
            TrendType::Additive => a + b * j as f64,
            _ => a + b * phi * (1.0 - phi.powi(j as i32)) / (1.0 - phi),
        }
    }

    pub(super) fn seasonal_forecast(&self, h: usize, levels: &[f64]) -> Forecast {
        let sf = self.seas();
        let (point, tilde) = self.seasonal_points(h);
        let m = sf.m;
        let gamma = sf.gamma;
        let s2 = self.sigma * self.sigma;
        let mult_e = self.spec.error == ErrorType::Multiplicative;
        let mult_s = self.spec.season == SeasonType::Multiplicative;
        let c = |j: usize| self.c_trend(j) + if j.is_multiple_of(m) { gamma } else { 0.0 };
        let se: Option<Vec<f64>> = match (mult_e, mult_s) {
            // class 1: v_h = σ²(1 + Σ_{j<h} c_j²)
            (false, false) => {
                let mut acc = 0.0;
                Some(
                    (1..=h)
                        .map(|k| {
                            if k > 1 {
                                acc += c(k - 1).powi(2);
                            }
                            self.sigma * (1.0 + acc).sqrt()
                        })
                        .collect(),
                )
            }
            // class 2: θ_h = μ_h² + σ² Σ_{j<h} c_j² θ_{h−j}, v_h = (1 + σ²)θ_h − μ_h²
            (true, false) => {
                let theta = theta_recursion(&point, s2, c);
                Some(
                    theta
                        .iter()
                        .zip(&point)
                        .map(|(t, mu)| ((1.0 + s2) * t - mu * mu).max(0.0).sqrt())
                        .collect(),
                )
            }
            // class 3 (approximate): v_h = s²[θ_h(1 + σ²)(1 + γ²σ²)^⌊(h−1)/m⌋ − μ̃_h²] with
            // θ from the non-seasonal part
            (true, true) => {
                let theta = theta_recursion(&tilde, s2, |j| self.c_trend(j));
                Some(
                    (0..h)
                        .map(|i| {
                            let s = sf.ahead(i + 1);
                            let hm = (i / m) as i32;
                            let v = s
                                * s
                                * (theta[i] * (1.0 + s2) * (1.0 + gamma * gamma * s2).powi(hm)
                                    - tilde[i] * tilde[i]);
                            v.max(0.0).sqrt()
                        })
                        .collect(),
                )
            }
            (false, true) => None,
        };
        let mut f = match se {
            Some(se) => Forecast {
                intervals: gaussian_intervals(&point, &se, levels),
                point,
            },
            None => {
                let mut rng = StdRng::seed_from_u64(SIM_SEED);
                let paths: Vec<Vec<f64>> = (0..SIM_PATHS)
                    .map(|_| self.seasonal_simulate(h, &mut rng))
                    .collect();
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
        };
        // a multiplicative model describes positive data: its bounds never go below zero
        // (nor above its own point, which an additive-error model with a multiplicative
        // season can put below zero on wild data)
        if mult_e || mult_s {
            for iv in f.intervals.iter_mut() {
                for (v, p) in iv.lower.iter_mut().zip(&f.point) {
                    *v = v.max(0.0).min(*p);
                }
            }
        }
        f
    }

    pub(super) fn seasonal_simulate(&self, h: usize, rng: &mut StdRng) -> Vec<f64> {
        use rand_distr::{Distribution, Normal};
        let sf = self.seas();
        let m = sf.m;
        let noise = Normal::new(0.0, self.sigma.max(0.0)).expect("sigma is finite");
        let (mut l, mut b) = (self.level, self.trend);
        let (alpha, beta, phi, gamma) = (self.p.alpha, self.p.beta, self.p.phi, sf.gamma);
        // ring of seasonal states in forecast order: ring[(k−1) % m] applies k steps ahead
        let mut ring: Vec<f64> = (1..=m).map(|k| sf.ahead(k)).collect();
        let mult_e = self.spec.error == ErrorType::Multiplicative;
        let mult_s = self.spec.season == SeasonType::Multiplicative;
        (0..h)
            .map(|i| {
                let j = i % m;
                let q = l + phi * b;
                let s = ring[j];
                let mu = if mult_s { q * s } else { q + s };
                let e = noise.sample(rng);
                let r = if mult_e { mu * e } else { e };
                if mult_s {
                    let qq = if q.abs() > 1e-12 { q } else { 1e-12 };
                    l = q + alpha * r / s;
                    b = phi * b + beta * r / s;
                    ring[j] = (s + gamma * r / qq).max(1e-9);
                } else {
                    l = q + alpha * r;
                    b = phi * b + beta * r;
                    ring[j] = s + gamma * r;
                }
                mu + r
            })
            .collect()
    }
}

/// θ₁ = μ₁², θ_h = μ_h² + σ² Σ_{j<h} c_j² θ_{h−j} (Hyndman et al. 2008 §6.3).
fn theta_recursion(mu: &[f64], s2: f64, c: impl Fn(usize) -> f64) -> Vec<f64> {
    let cs: Vec<f64> = (0..mu.len()).map(|j| c(j).powi(2)).collect();
    let mut theta: Vec<f64> = Vec::with_capacity(mu.len());
    for k in 0..mu.len() {
        let mut t = mu[k] * mu[k];
        for j in 1..=k {
            t += s2 * cs[j] * theta[k - j];
        }
        theta.push(t);
    }
    theta
}

#[cfg(test)]
mod tests {
    use super::super::{AutoEts, SEASONAL_CANDIDATES, SeasonalAutoEts, fit_spec_m};
    use super::*;
    use crate::models::{FittedModel, Forecaster};

    fn spec(error: ErrorType, trend: TrendType, season: SeasonType) -> Ets {
        Ets {
            error,
            trend,
            season,
        }
    }

    /// A positive quarterly-like series: trend × season × deterministic noise.
    fn noisy_seasonal(n: usize, m: usize) -> Vec<f64> {
        (0..n)
            .map(|t| {
                let season = 1.0 + 0.3 * (std::f64::consts::TAU * t as f64 / m as f64).sin();
                let noise = 1.0 + 0.04 * (((t * 7919) % 13) as f64 - 6.0) / 6.0;
                (100.0 + 1.5 * t as f64) * season * noise
            })
            .collect()
    }

    #[test]
    fn the_seasonal_gradient_matches_finite_differences() {
        let y: Vec<f64> = noisy_seasonal(40, 4).iter().map(|v| v / 130.0).collect();
        for sp in SEASONAL_CANDIDATES.iter().chain(&[spec(
            ErrorType::Additive,
            TrendType::AdditiveDamped,
            SeasonType::Multiplicative,
        )]) {
            let m = 4;
            let mult_s = sp.season == SeasonType::Multiplicative;
            let lay = Layout::new(m, sp.trend.has_trend(), sp.trend.damped());
            let (l0, b0, s0) = initial_states(&y, m, lay.trend, mult_s);
            let mut x = vec![0.0; lay.np];
            x[0] = 0.3;
            x[1] = 0.1;
            if lay.trend {
                x[lay.ib] = 0.05;
                x[lay.ibb] = b0;
            }
            if lay.damped {
                x[lay.iphi] = 0.9;
            }
            x[lay.il] = l0;
            x[lay.is..].copy_from_slice(&s0[1..]);
            let np = lay.np;
            let (mut a, mut g) = (vec![0.0; np * np], vec![0.0; np]);
            let lik = normal_any(sp, &y, &lay, &x, &mut a, &mut g).unwrap();
            let r = run_any(sp, &y, m, &unpack(&lay, &x, mult_s)).unwrap();
            assert!(
                (lik - r.lik).abs() < 1e-9 * lik.abs().max(1.0),
                "{}",
                sp.code()
            );
            for k in 0..np {
                let h = 1e-6;
                let mut xp = x.clone();
                xp[k] += h;
                let mut xm = x.clone();
                xm[k] -= h;
                let f = |x: &[f64]| run_any(sp, &y, m, &unpack(&lay, x, mult_s)).unwrap().lik;
                let fd = (f(&xp) - f(&xm)) / (2.0 * h);
                // d lik/dθ = 2n/Σε² · Jᵀr (the normal equations drop the factor G²)
                let analytic = 2.0 * y.len() as f64 / r.sse * g[k];
                assert!(
                    (fd - analytic).abs() < 1e-4 * analytic.abs().max(1.0),
                    "{} parameter {k}: finite difference {fd}, analytic {analytic}",
                    sp.code()
                );
            }
        }
    }

    #[test]
    fn an_additive_seasonal_pattern_is_recovered_exactly() {
        let pattern = [12.0, -3.0, -15.0, 6.0];
        let y: Vec<f64> = (0..48)
            .map(|t| 200.0 + 2.5 * t as f64 + pattern[t % 4])
            .collect();
        let sp = spec(
            ErrorType::Additive,
            TrendType::Additive,
            SeasonType::Additive,
        );
        let fit = fit_spec_m(sp, &y, 4).unwrap();
        let f = fit.forecast(8, &[95.0]);
        for (k, p) in f.point.iter().enumerate() {
            let t = 48 + k;
            let truth = 200.0 + 2.5 * t as f64 + pattern[t % 4];
            assert!((p - truth).abs() < 1e-6 * truth, "step {k}: {p} vs {truth}");
        }
    }

    #[test]
    fn a_multiplicative_seasonal_pattern_is_recovered_exactly() {
        let pattern = [1.2, 0.9, 0.7, 1.2];
        let y: Vec<f64> = (0..48)
            .map(|t| (200.0 + 2.5 * t as f64) * pattern[t % 4])
            .collect();
        let sp = spec(
            ErrorType::Multiplicative,
            TrendType::Additive,
            SeasonType::Multiplicative,
        );
        let fit = fit_spec_m(sp, &y, 4).unwrap();
        let f = fit.forecast(8, &[95.0]);
        for (k, p) in f.point.iter().enumerate() {
            let t = 48 + k;
            let truth = (200.0 + 2.5 * t as f64) * pattern[t % 4];
            assert!((p - truth).abs() < 1e-4 * truth, "step {k}: {p} vs {truth}");
        }
        let auto = SeasonalAutoEts { m: 4 }.fit(&y).unwrap();
        assert!(auto.code().ends_with(",M)"), "{}", auto.code());
    }

    #[test]
    fn every_seasonal_candidate_gives_ordered_intervals_that_widen_with_the_horizon() {
        let y = noisy_seasonal(60, 4);
        for sp in SEASONAL_CANDIDATES {
            let fit = fit_spec_m(sp, &y, 4).unwrap();
            let f = fit.forecast(12, &[80.0, 95.0]);
            let (i80, i95) = (&f.intervals[0], &f.intervals[1]);
            for k in 0..12 {
                assert!(
                    0.0 <= i95.lower[k]
                        && i95.lower[k] <= i80.lower[k]
                        && i80.lower[k] <= f.point[k],
                    "{} step {k}",
                    sp.code()
                );
                assert!(
                    f.point[k] <= i80.upper[k] && i80.upper[k] <= i95.upper[k],
                    "{} step {k}",
                    sp.code()
                );
            }
            // the same season a year later is less certain
            for k in 0..8 {
                let w = |i: usize| i95.upper[i] - i95.lower[i];
                let rel = |i: usize| w(i) / f.point[i];
                assert!(rel(k + 4) > rel(k), "{} step {k}", sp.code());
            }
        }
    }

    #[test]
    fn seasonal_sample_paths_follow_the_seasonal_point_forecast() {
        let y = noisy_seasonal(60, 4);
        let sp = spec(
            ErrorType::Multiplicative,
            TrendType::AdditiveDamped,
            SeasonType::Multiplicative,
        );
        let fit = fit_spec_m(sp, &y, 4).unwrap();
        let f = fit.forecast(8, &[95.0]);
        let mut rng = StdRng::seed_from_u64(7);
        let paths: Vec<Vec<f64>> = (0..4000).map(|_| fit.simulate(8, &mut rng)).collect();
        for k in 0..8 {
            let mean = paths.iter().map(|p| p[k]).sum::<f64>() / paths.len() as f64;
            assert!(
                (mean - f.point[k]).abs() < 0.02 * f.point[k],
                "step {k}: mean {mean}, point {}",
                f.point[k]
            );
        }
    }

    #[test]
    fn without_a_season_the_seasonal_auto_model_is_the_non_seasonal_one() {
        let y = noisy_seasonal(30, 4);
        let a = AutoEts.fit(&y).unwrap();
        for m in [0, 1, 25, 16] {
            let b = SeasonalAutoEts { m }.fit(&y).unwrap();
            assert_eq!(
                a.forecast(6, &[80.0, 95.0]),
                b.forecast(6, &[80.0, 95.0]),
                "m = {m}"
            );
            assert_eq!(b.name(), "ets");
            assert_eq!(a.code(), b.code());
        }
    }

    #[test]
    fn seasonal_models_refuse_too_short_or_non_positive_data() {
        let y = noisy_seasonal(30, 12);
        let sp = spec(
            ErrorType::Additive,
            TrendType::Additive,
            SeasonType::Additive,
        );
        assert!(fit_spec_m(sp, &y[..20], 12).is_err());
        let mut z = noisy_seasonal(40, 4);
        z[5] = -1.0;
        let mm = spec(
            ErrorType::Multiplicative,
            TrendType::None,
            SeasonType::Multiplicative,
        );
        assert!(fit_spec_m(mm, &z, 4).is_err());
        let fit = SeasonalAutoEts { m: 4 }.fit(&z).unwrap();
        assert!(fit.code().starts_with("ETS(A"), "{}", fit.code());
    }

    #[test]
    fn the_description_names_the_chosen_model_like_r() {
        let y = noisy_seasonal(60, 4);
        let fit = SeasonalAutoEts { m: 4 }.fit(&y).unwrap();
        assert!(
            fit.description().starts_with("ETS("),
            "{}",
            fit.description()
        );
        let names: Vec<String> = fit.params().iter().map(|p| p.name.to_string()).collect();
        if fit.period() == 4 {
            for want in ["alpha", "gamma", "s1", "s4", "s0_1"] {
                assert!(names.iter().any(|n| n == want), "{names:?}");
            }
        }
        assert_eq!(fit.candidates.len(), 6 + 9);
    }

    /// R's chosen model, log-likelihood and AICc on 40 Tourism training series
    /// (`benches/r/ets_seasonal.R`), with our fit of the same model under R's bounds.
    fn r_comparison() -> Vec<(String, String, f64, f64)> {
        let text = include_str!("../../../tests/fixtures/r_ets_seasonal.csv");
        let mut out = Vec::new();
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split(',').map(|v| v.trim_matches('"')).collect();
            let m: usize = f[2].parse().unwrap();
            let error = if f[3] == "A" {
                ErrorType::Additive
            } else {
                ErrorType::Multiplicative
            };
            let trend = match (f[4], f[6]) {
                ("N", _) => TrendType::None,
                (_, "TRUE") => TrendType::AdditiveDamped,
                _ => TrendType::Additive,
            };
            let season = match f[5] {
                "N" => SeasonType::None,
                "A" => SeasonType::Additive,
                _ => SeasonType::Multiplicative,
            };
            let r_loglik: f64 = f[7].parse().unwrap();
            let y: Vec<f64> = f[9].split(' ').map(|v| v.parse().unwrap()).collect();
            let sp = spec(error, trend, season);
            let ours = if season == SeasonType::None {
                super::super::fit_spec(sp, &y)
            } else {
                // R's usual bounds: β < α only
                fit(sp, &y, m, 1.0)
            }
            .unwrap();
            out.push((f[1].to_string(), sp.code(), r_loglik, ours.loglik()));
        }
        out
    }

    #[test]
    fn our_likelihood_for_r_s_chosen_model_is_at_least_r_s_on_most_series() {
        let rows = r_comparison();
        assert_eq!(rows.len(), 40);
        let mut worse = Vec::new();
        for (id, code, r, ours) in &rows {
            eprintln!(
                "{id} {code}: R {r:.3}, chipcast {ours:.3}, diff {:.3}",
                ours - r
            );
            if *ours < r - 0.5 {
                worse.push(id.clone());
            }
        }
        // at most 2 of the 40 (5%) more than 0.5 log-likelihood units below R's optimum
        // (measured: 39 of 40 at or above R's; M91, ETS(M,Ad,M), 4.7 below)
        assert!(worse.len() <= 2, "below R's likelihood by > 0.5: {worse:?}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        #[test]
        fn no_interval_explodes_on_wild_positive_series(
            y in proptest::collection::vec(0.5f64..1000.0, 16..60),
        ) {
            let fit = SeasonalAutoEts { m: 4 }.fit(&y).unwrap();
            let f = fit.forecast(8, &[80.0, 95.0]);
            let top = y.iter().cloned().fold(0.0, f64::max);
            for iv in &f.intervals {
                for k in 0..8 {
                    proptest::prop_assert!(iv.lower[k].is_finite() && iv.upper[k].is_finite());
                    proptest::prop_assert!(iv.lower[k] <= f.point[k] && f.point[k] <= iv.upper[k]);
                    proptest::prop_assert!(
                        iv.upper[k] < 100.0 * top && iv.lower[k] > -100.0 * top,
                        "{} step {}: {} .. {}", fit.code(), k, iv.lower[k], iv.upper[k]
                    );
                }
            }
        }
    }
}
