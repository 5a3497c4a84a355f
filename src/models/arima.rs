//! Non-seasonal ARIMA(p,d,q) with automatic order selection after Hyndman & Khandakar
//! (2008), "Automatic time series forecasting: the forecast package for R", *Journal of
//! Statistical Software* 27(3), as implemented by R's `forecast::auto.arima` for
//! non-seasonal (m = 1) data.
//!
//! # Method
//!
//! 1. **Differencing.** `d` is chosen by repeated KPSS level-stationarity tests (Kwiatkowski
//!    et al. 1992), as R's `ndiffs(test = "kpss", alpha = 0.05, max.d = 2)`: the statistic
//!    uses a Newey–West (Bartlett-weighted) long-run variance with `trunc(3·√n / 13)` lags
//!    and the series is differenced while it exceeds the 5 % critical value 0.463 (the
//!    p-value interpolated in urca's table is then below 0.05).
//! 2. **Deterministic term.** Models with `d = 0` may include a mean, models with `d = 1` a
//!    drift (a linear trend in the levels, i.e. a mean of the differences); `d = 2` models
//!    have neither (auto.arima's `allowmean`/`allowdrift`).
//! 3. **Estimation**, as R's `arima(method = "CSS-ML")`: a conditional-sum-of-squares fit
//!    (BFGS from zero) gives starting values; a CSS solution whose AR part is not stationary
//!    rejects the model. The exact Gaussian likelihood of the differenced series is then
//!    maximised, evaluated by a Kalman filter on Harvey's state-space form of the ARMA
//!    model with the stationary initial covariance (solved from P = T P T' + R R').
//!    Stationarity is enforced by optimising AR coefficients through partial
//!    autocorrelations (`tanh` + Durbin–Levinson, R's `transform.pars`); invertibility by
//!    reflecting MA roots inside the unit circle (R's `maInvert`). The optimiser is a port
//!    of R's `optim(method = "BFGS")` (`vmmin`, numerical gradients with step 1e-3).
//!    The CSS step optimises the mean/drift jointly with the ARMA coefficients, as R does
//!    (on R's `parscale`, 10 × its OLS standard error). In the likelihood step it is
//!    concentrated out by generalised least squares (the innovations are linear in it),
//!    which gives the same maximum as optimising it jointly with one parameter less.
//! 4. **Model rejection**, as auto.arima's `myarima`: a model is refused (its AICc is +∞)
//!    if the fit fails, if an AR or MA root lies within 1.01 of the unit circle, or if the
//!    numerical Hessian at the optimum gives a negative (or undefined) coefficient
//!    variance (`checkarima`). The search only needs to know whether a model beats the
//!    best so far, so these checks run only for models whose AICc would.
//! 5. **Stepwise search** over p, q ≤ 5 (and ≤ n/3) by AICc: the four starting models
//!    ARIMA(2,d,2), (0,d,0), (1,d,0), (0,d,1) with the constant, plus (0,d,0) without it,
//!    then neighbours p±1, q±1, (p±1, q±1) and toggling the constant, moving to the first
//!    improvement, until no neighbour improves (at most 94 models). As in auto.arima the
//!    `max.order` bound only applies to non-stepwise search, so it is not used here.
//!
//! σ² is the unbiased residual variance `Σ e² / (n − d − k)` (k estimated coefficients).
//! Forecasts run the fitted state forward and undifference; prediction intervals are
//! Gaussian with `Var_h = σ² Σ_{j<h} ψ_j²`, ψ the MA(∞) weights of the integrated model.
//!
//! # Deviations from R
//!
//! * The initial state covariance is the exact solution of the Lyapunov equation rather
//!   than Gardner et al.'s (1980) algorithm (which R documents as inaccurate near
//!   non-invertibility); the first `d` observations are conditioned on (likelihood of the
//!   differenced series) instead of R's large-κ diffuse prior, which is the same in the
//!   limit.
//! * Once the filtered state covariance has converged (all entries < 1e-10) the filter
//!   switches to the steady-state innovations recursion.
//! * A model whose AICc denominator `n − d − k − 2` is not positive is refused (R would
//!   compute a meaningless AICc); series shorter than 5 observations or constant series
//!   are refused with [`Error::Fit`].
//! * Intervals ignore the uncertainty of the final filtered state (negligible once the
//!   filter has converged) and of the estimated coefficients, as R's `forecast.Arima`.

use super::forecast::{Forecast, Param, gaussian_intervals};
use super::{FittedModel, Forecaster, too_short};
use crate::error::{Error, Result};
use rand::rngs::StdRng;

/// Largest AR or MA order supported.
pub const MAX_ORDER: usize = 5;
/// Maximum state dimension max(p, q + 1).
const MAXR: usize = MAX_ORDER + 1;
/// Unknowns of the symmetric Lyapunov system.
const MAXM: usize = MAXR * (MAXR + 1) / 2;
/// Maximum number of optimised parameters (AR + MA + mean).
const MAXK: usize = 2 * MAX_ORDER + 1;
/// 5 % critical value of the KPSS level-stationarity test (Kwiatkowski et al. 1992, Table 1).
pub const KPSS_CRITICAL_5PCT: f64 = 0.463;
/// Fewest observations accepted.
pub const MIN_OBS: usize = 5;
/// Finite-difference step of R's `optim` (`ndeps`).
const NDEPS: f64 = 1e-3;
/// R's `optim` default iteration limit for BFGS.
const MAXIT: usize = 100;
/// auto.arima refuses models with a root closer than this to the origin.
const MIN_ROOT: f64 = 1.01;
/// auto.arima's default cap on the number of models visited by the stepwise search.
const NMODELS: usize = 94;
/// Observations whose one-step variance exceeds this (relative to σ²) are left out of the
/// likelihood, as in R's `ARIMA_Like` (only near-unit-root starts reach it).
const DIFFUSE_GAIN: f64 = 1e4;
/// Filtered state covariance below which the filter is treated as converged.
const STEADY_TOL: f64 = 1e-10;

// ---------------------------------------------------------------------------------------
// Public specifications
// ---------------------------------------------------------------------------------------

/// Automatic ARIMA: order chosen by KPSS tests and a stepwise AICc search (Hyndman &
/// Khandakar 2008; R `forecast::auto.arima` with m = 1, `stepwise = TRUE`,
/// `approximation = FALSE`).
#[derive(Debug, Clone, Copy)]
pub struct AutoArima {
    /// Largest AR order (default 5, at most [`MAX_ORDER`]; also capped at n/3).
    pub max_p: usize,
    /// Largest MA order (default 5, at most [`MAX_ORDER`]; also capped at n/3).
    pub max_q: usize,
    /// Largest number of differences (default 2).
    pub max_d: usize,
    /// Allow a drift term when d = 1 (default true).
    pub allow_drift: bool,
    /// Allow a non-zero mean when d = 0 (default true).
    pub allow_mean: bool,
}

impl Default for AutoArima {
    fn default() -> Self {
        Self {
            max_p: 5,
            max_q: 5,
            max_d: 2,
            allow_drift: true,
            allow_mean: true,
        }
    }
}

/// ARIMA(p,d,q) of a fixed order, estimated by CSS then exact maximum likelihood.
#[derive(Debug, Clone, Copy)]
pub struct Arima {
    /// AR order (≤ [`MAX_ORDER`]).
    pub p: usize,
    /// Number of differences (≤ 2).
    pub d: usize,
    /// MA order (≤ [`MAX_ORDER`]).
    pub q: usize,
    /// Include a mean (d = 0) or drift (d = 1). Ignored for d ≥ 2.
    pub constant: bool,
}

impl Arima {
    /// ARIMA(p,d,q), with a constant (mean or drift) if `constant` and d ≤ 1.
    pub fn new(p: usize, d: usize, q: usize, constant: bool) -> Self {
        Self { p, d, q, constant }
    }
}

/// A fitted ARIMA model.
#[derive(Debug, Clone)]
pub struct FittedArima {
    p: usize,
    d: usize,
    q: usize,
    phi: Vec<f64>,
    theta: Vec<f64>,
    /// Whether a mean (d = 0) or drift (d = 1) is included.
    constant: bool,
    /// Mean of the d-times differenced series (0 without a constant).
    mean: f64,
    sigma2: f64,
    aicc: f64,
    /// Filtered ARMA state after the last observation (deviation from the mean).
    state: Vec<f64>,
    /// Last value of y, Δy, …, Δ^{d-1}y (what undifferencing needs).
    last: Vec<f64>,
}

impl FittedArima {
    /// The (p, d, q) order.
    pub fn order(&self) -> (usize, usize, usize) {
        (self.p, self.d, self.q)
    }
    /// AR coefficients φ₁..φ_p.
    pub fn ar(&self) -> &[f64] {
        &self.phi
    }
    /// MA coefficients θ₁..θ_q.
    pub fn ma(&self) -> &[f64] {
        &self.theta
    }
    /// The mean (d = 0) or drift (d = 1), if the model has one.
    pub fn constant(&self) -> Option<f64> {
        self.constant.then_some(self.mean)
    }
    /// Innovation variance σ².
    pub fn sigma2(&self) -> f64 {
        self.sigma2
    }
    /// AICc of the fit (−∞ for an exact fit without residual noise).
    pub fn aicc(&self) -> f64 {
        self.aicc
    }

    /// ψ-weights ψ₀..ψ_{h−1} of the integrated model θ(B) / (φ(B)(1−B)^d).
    fn psi_weights(&self, h: usize) -> Vec<f64> {
        // AR polynomial of the integrated model: 1 - Σ φ*_i B^i.
        let mut poly = vec![1.0];
        poly.extend(self.phi.iter().map(|c| -c));
        for _ in 0..self.d {
            let mut next = vec![0.0; poly.len() + 1];
            for (i, c) in poly.iter().enumerate() {
                next[i] += c;
                next[i + 1] -= c;
            }
            poly = next;
        }
        let phi_star: Vec<f64> = poly[1..].iter().map(|c| -c).collect();
        let mut psi = vec![0.0; h];
        for j in 0..h {
            let mut v = if j == 0 {
                1.0
            } else if j <= self.q {
                self.theta[j - 1]
            } else {
                0.0
            };
            for (i, c) in phi_star.iter().enumerate().take(j) {
                v += c * psi[j - i - 1];
            }
            psi[j] = v;
        }
        psi
    }

    /// Run the model `h` steps ahead with the given innovations (zeros give the point
    /// forecast) and return undifferenced levels.
    fn run(&self, h: usize, mut shock: impl FnMut() -> f64) -> Vec<f64> {
        let arma = Arma::new(&self.phi, &self.theta);
        let r = arma.r;
        let rv = arma.rvec();
        let mut a = [0.0; MAXR];
        a[..r].copy_from_slice(&self.state);
        let mut last = self.last.clone();
        (0..h)
            .map(|_| {
                let e = shock();
                let a0 = a[0];
                for i in 0..r {
                    let next = if i + 1 < r { a[i + 1] } else { 0.0 };
                    a[i] = next + arma.phi[i] * a0 + rv[i] * e;
                }
                // Integrate: the innovation is added to Δ^d y, then summed up d times.
                let mut v = self.mean + a[0];
                for l in last.iter_mut().rev() {
                    v += *l;
                    *l = v;
                }
                v
            })
            .collect()
    }
}

impl FittedModel for FittedArima {
    fn name(&self) -> &'static str {
        "arima"
    }

    fn description(&self) -> String {
        let suffix = match (self.d, self.constant) {
            (0, true) => " with non-zero mean",
            (0, false) => " with zero mean",
            (1, true) => " with drift",
            _ => "",
        };
        format!("ARIMA({},{},{}){suffix}", self.p, self.d, self.q)
    }

    fn params(&self) -> Vec<Param> {
        let mut v = vec![
            Param::new("p", self.p as f64),
            Param::new("d", self.d as f64),
            Param::new("q", self.q as f64),
        ];
        for (i, c) in self.phi.iter().enumerate() {
            v.push(Param::new(format!("ar{}", i + 1), *c));
        }
        for (i, c) in self.theta.iter().enumerate() {
            v.push(Param::new(format!("ma{}", i + 1), *c));
        }
        if self.constant {
            let name = if self.d == 0 { "constant" } else { "drift" };
            v.push(Param::new(name, self.mean));
        }
        v.push(Param::new("sigma2", self.sigma2));
        if self.aicc.is_finite() {
            v.push(Param::new("aicc", self.aicc));
        }
        v
    }

    fn forecast(&self, h: usize, levels: &[f64]) -> Forecast {
        let point = self.run(h, || 0.0);
        let psi = self.psi_weights(h);
        let mut acc = 0.0;
        let se: Vec<f64> = psi
            .iter()
            .map(|p| {
                acc += p * p;
                (self.sigma2 * acc).sqrt()
            })
            .collect();
        Forecast {
            intervals: gaussian_intervals(&point, &se, levels),
            point,
        }
    }

    fn simulate(&self, h: usize, rng: &mut StdRng) -> Vec<f64> {
        use rand_distr::{Distribution, Normal};
        let normal =
            Normal::new(0.0, self.sigma2.max(0.0).sqrt()).expect("sigma is finite and >= 0");
        self.run(h, || normal.sample(rng))
    }
}

// ---------------------------------------------------------------------------------------
// Fitting entry points
// ---------------------------------------------------------------------------------------

fn fit_error(reason: impl Into<String>) -> Error {
    Error::Fit {
        model: "arima".into(),
        reason: reason.into(),
    }
}

/// Common input checks: length, finiteness, constancy.
fn check_input(y: &[f64]) -> Result<()> {
    if y.len() < MIN_OBS {
        return Err(too_short("arima", y.len(), MIN_OBS));
    }
    if let Some(i) = y.iter().position(|v| !v.is_finite()) {
        return Err(fit_error(format!(
            "observation {} is {} but every value must be finite",
            i + 1,
            y[i]
        )));
    }
    if is_constant(y) {
        return Err(fit_error(format!(
            "the series is constant (every value is {}), so there is nothing to model; \
             use the naive model instead",
            y[0]
        )));
    }
    Ok(())
}

/// `d`-th differences of `y`.
fn diff(y: &[f64], d: usize) -> Vec<f64> {
    let mut w = y.to_vec();
    for _ in 0..d {
        w = w.windows(2).map(|p| p[1] - p[0]).collect();
    }
    w
}

/// Last values of y, Δy, …, Δ^{d−1}y, the starting points for undifferencing.
fn tails(y: &[f64], d: usize) -> Vec<f64> {
    (0..d)
        .map(|k| *diff(y, k).last().expect("series is longer than d"))
        .collect()
}

impl Forecaster for Arima {
    type Fitted = FittedArima;

    fn fit(&self, y: &[f64]) -> Result<FittedArima> {
        check_input(y)?;
        if self.p > MAX_ORDER || self.q > MAX_ORDER || self.d > 2 {
            return Err(Error::invalid(format!(
                "ARIMA({},{},{}) is not supported: p and q must be at most {MAX_ORDER} and d at most 2",
                self.p, self.d, self.q
            )));
        }
        let w = diff(y, self.d);
        if is_constant(&w) {
            return Err(fit_error(format!(
                "the series differenced {} time(s) is constant; an ARIMA has no noise to estimate",
                self.d
            )));
        }
        let series = Differenced::new(&w);
        let constant = self.constant && self.d <= 1;
        let cand =
            fit_candidate(&series, self.p, self.q, constant, f64::INFINITY).ok_or_else(|| {
                fit_error(format!(
                    "ARIMA({},{},{}) could not be estimated: the optimiser failed or the fit is \
                 non-stationary, non-invertible or has an undefined coefficient variance",
                    self.p, self.d, self.q
                ))
            })?;
        Ok(cand.into_fitted(self.d, y))
    }
}

impl Forecaster for AutoArima {
    type Fitted = FittedArima;

    fn fit(&self, y: &[f64]) -> Result<FittedArima> {
        check_input(y)?;
        let n = y.len();
        let d = ndiffs(y, self.max_d.min(2));
        let w = diff(y, d);
        if is_constant(&w) {
            // auto.arima: the differenced data are constant, so the series is an exact
            // line (d = 1: ARIMA(0,1,0) with the drift fixed at the common difference) or
            // polynomial (d = 2: ARIMA(0,2,0)).
            return Ok(exact_polynomial(y, &w, d));
        }
        let max_p = self.max_p.min(MAX_ORDER).min(n / 3);
        let max_q = self.max_q.min(MAX_ORDER).min(n / 3);
        let allow_drift = self.allow_drift && d == 1;
        let allow_mean = self.allow_mean && d == 0;
        let series = Differenced::new(&w);
        let mut search = Search {
            series: &series,
            visited: Vec::new(),
            best: None,
            best_ic: f64::INFINITY,
        };
        let mut constant = allow_drift || allow_mean;
        let start = if n < 10 { 1 } else { 2 };
        let (mut p, mut q) = (start.min(max_p), start.min(max_q));

        search.consider(p, q, constant);
        if search.consider(0, 0, constant) {
            (p, q) = (0, 0);
        }
        let mut k = 2;
        if max_p > 0 {
            if search.consider(1, 0, constant) {
                (p, q) = (1, 0);
            }
            k += 1;
        }
        if max_q > 0 {
            if search.consider(0, 1, constant) {
                (p, q) = (0, 1);
            }
            k += 1;
        }
        if constant {
            // As in auto.arima, a win here resets (p, q) but keeps `constant` for the
            // neighbours; the final toggle step can still drop it.
            if search.consider(0, 0, false) {
                (p, q) = (0, 0);
            }
            k += 1;
        }

        let mut startk = 0;
        while startk < k && k < NMODELS {
            startk = k;
            let moves: [(bool, isize, isize); 8] = [
                (p > 0, -1, 0),
                (q > 0, 0, -1),
                (p < max_p, 1, 0),
                (q < max_q, 0, 1),
                (q > 0 && p > 0, -1, -1),
                (q < max_q && p > 0, -1, 1),
                (q > 0 && p < max_p, 1, -1),
                (q < max_q && p < max_p, 1, 1),
            ];
            let mut moved = false;
            for (allowed, dp, dq) in moves {
                let (np, nq) = (p.wrapping_add_signed(dp), q.wrapping_add_signed(dq));
                if !allowed || !search.is_new(np, nq, constant) {
                    continue;
                }
                k += 1;
                if k > NMODELS {
                    moved = true;
                    break;
                }
                if search.consider(np, nq, constant) {
                    (p, q) = (np, nq);
                    moved = true;
                    break;
                }
            }
            if moved {
                continue;
            }
            if (allow_drift || allow_mean) && search.is_new(p, q, !constant) {
                k += 1;
                if k > NMODELS {
                    continue;
                }
                if search.consider(p, q, !constant) {
                    constant = !constant;
                }
            }
        }

        match search.best {
            Some(best) => Ok(best.into_fitted(d, y)),
            None => Err(fit_error(format!(
                "no suitable ARIMA model found: every candidate with d = {d} failed to \
                 converge or was non-stationary or non-invertible"
            ))),
        }
    }
}

/// The model auto.arima returns when the differenced series is constant.
fn exact_polynomial(y: &[f64], w: &[f64], d: usize) -> FittedArima {
    let constant = d == 1;
    let n_used = w.len() as f64;
    let mean = if constant {
        w.iter().sum::<f64>() / n_used
    } else {
        0.0
    };
    let sigma2 = w.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n_used;
    FittedArima {
        p: 0,
        d,
        q: 0,
        phi: vec![],
        theta: vec![],
        constant,
        mean,
        sigma2,
        aicc: f64::NEG_INFINITY,
        state: vec![0.0],
        last: tails(y, d),
    }
}

/// The stepwise search's memory: which models were tried and the best so far.
struct Search<'a> {
    series: &'a Differenced<'a>,
    visited: Vec<(usize, usize, bool)>,
    best: Option<Candidate>,
    best_ic: f64,
}

impl Search<'_> {
    fn is_new(&self, p: usize, q: usize, constant: bool) -> bool {
        !self.visited.contains(&(p, q, constant))
    }

    /// Fit a model; true if it beats the best so far (strictly lower AICc).
    fn consider(&mut self, p: usize, q: usize, constant: bool) -> bool {
        self.visited.push((p, q, constant));
        match fit_candidate(self.series, p, q, constant, self.best_ic) {
            Some(c) if c.aicc < self.best_ic => {
                self.best_ic = c.aicc;
                self.best = Some(c);
                true
            }
            _ => false,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Unit-root test
// ---------------------------------------------------------------------------------------

/// R's `is.constant`: all values equal to the first within `all.equal` tolerance 1.5e-8.
fn is_constant(x: &[f64]) -> bool {
    let Some(&first) = x.first() else {
        return true;
    };
    let tol = 1.5e-8;
    let n = x.len() as f64;
    let scale = x.iter().map(|v| v.abs()).sum::<f64>() / n;
    let dev = x.iter().map(|v| (v - first).abs()).sum::<f64>() / n;
    if scale > tol {
        dev / scale < tol
    } else {
        dev < tol
    }
}

/// KPSS statistic for level stationarity (urca `ur.kpss(type = "mu")`) with Bartlett
/// long-run variance over `trunc(3·√n/13)` lags. `None` if it is undefined.
pub fn kpss_statistic(x: &[f64]) -> Option<f64> {
    let n = x.len();
    if n < 2 {
        return None;
    }
    let nf = n as f64;
    let mean = x.iter().sum::<f64>() / nf;
    let e: Vec<f64> = x.iter().map(|v| v - mean).collect();
    let mut s = 0.0;
    let eta = e
        .iter()
        .map(|v| {
            s += v;
            s * s
        })
        .sum::<f64>()
        / (nf * nf);
    let lags = (3.0 * nf.sqrt() / 13.0).trunc() as usize;
    let mut lrv = e.iter().map(|v| v * v).sum::<f64>() / nf;
    for l in 1..=lags.min(n - 1) {
        let cov: f64 = e[l..].iter().zip(&e[..n - l]).map(|(a, b)| a * b).sum();
        lrv += 2.0 / nf * (1.0 - l as f64 / (lags as f64 + 1.0)) * cov;
    }
    let stat = eta / lrv;
    (lrv > 0.0 && stat.is_finite()).then_some(stat)
}

/// Number of differences by repeated KPSS tests at the 5 % level (R `ndiffs`).
pub fn ndiffs(y: &[f64], max_d: usize) -> usize {
    let mut x = y.to_vec();
    if is_constant(&x) {
        return 0;
    }
    let reject = |x: &[f64]| kpss_statistic(x).map(|s| s > KPSS_CRITICAL_5PCT);
    let Some(mut dodiff) = reject(&x) else {
        return 0;
    };
    let mut d = 0;
    while dodiff && d < max_d {
        d += 1;
        x = diff(&x, 1);
        if is_constant(&x) {
            return d;
        }
        match reject(&x) {
            Some(r) => dodiff = r,
            None => return d - 1,
        }
    }
    d
}

// ---------------------------------------------------------------------------------------
// One candidate model: CSS → ML → checks
// ---------------------------------------------------------------------------------------

/// The differenced series with what every candidate fit shares.
struct Differenced<'a> {
    /// Δ^d y.
    w: &'a [f64],
    /// Δ^d y minus its mean (the mean is estimated as an offset from it).
    centred: Vec<f64>,
    wbar: f64,
    /// R's `parscale` for the mean/drift: 10 × its OLS standard error.
    mean_scale: f64,
}

impl<'a> Differenced<'a> {
    fn new(w: &'a [f64]) -> Self {
        let n = w.len() as f64;
        let wbar = w.iter().sum::<f64>() / n;
        let centred: Vec<f64> = w.iter().map(|v| v - wbar).collect();
        let var = centred.iter().map(|v| v * v).sum::<f64>() / (n - 1.0).max(1.0);
        let se = (var / n).sqrt();
        Self {
            w,
            centred,
            wbar,
            mean_scale: if se > 0.0 && se.is_finite() {
                10.0 * se
            } else {
                1.0
            },
        }
    }
}

/// A successfully estimated and accepted ARMA for the differenced series.
#[derive(Debug, Clone)]
struct Candidate {
    arma: Arma,
    constant: bool,
    mean: f64,
    sigma2: f64,
    aicc: f64,
    state: [f64; MAXR],
}

impl Candidate {
    fn into_fitted(self, d: usize, y: &[f64]) -> FittedArima {
        let a = self.arma;
        FittedArima {
            p: a.p,
            d,
            q: a.q,
            phi: a.phi[..a.p].to_vec(),
            theta: a.theta[..a.q].to_vec(),
            constant: self.constant,
            mean: self.mean,
            sigma2: self.sigma2,
            aicc: self.aicc,
            state: self.state[..a.r].to_vec(),
            last: tails(y, d),
        }
    }
}

/// CSS criterion 0.5·ln(SSQ/ν) at mean offset `delta` (`None`: no mean).
fn css_objective(z: &[f64], arma: &Arma, delta: Option<f64>) -> f64 {
    let (p, q) = (arma.p, arma.q);
    let (mut saa, mut sab, mut sbb) = (0.0, 0.0, 0.0);
    let mut ha = [0.0; MAXR];
    let mut hb = [0.0; MAXR];
    let mut b0 = 1.0;
    for c in &arma.phi[..p] {
        b0 -= c;
    }
    for l in p..z.len() {
        let mut ta = z[l];
        for j in 0..p {
            ta -= arma.phi[j] * z[l - j - 1];
        }
        let mut tb = b0;
        for j in 0..q.min(l - p) {
            ta -= arma.theta[j] * ha[j];
            tb -= arma.theta[j] * hb[j];
        }
        // Fixed-length shifts compile to register moves (no memmove call).
        for j in (1..MAXR).rev() {
            ha[j] = ha[j - 1];
            hb[j] = hb[j - 1];
        }
        ha[0] = ta;
        hb[0] = tb;
        saa += ta * ta;
        sab += ta * tb;
        sbb += tb * tb;
    }
    let nu = (z.len() - p) as f64;
    let ssq = match delta {
        Some(d) => saa - 2.0 * d * sab + d * d * sbb,
        None => saa,
    };
    0.5 * (ssq.max(0.0) / nu).ln()
}

/// Minimise with R's BFGS; `None` if R's optim would stop with an error.
fn minimise<F: FnMut(&[f64]) -> f64>(f: &mut F, x: &mut [f64]) -> Option<bool> {
    vmmin(f, x, MAXIT).map(|(_, converged)| converged)
}

/// Estimate ARIMA(p,·,q) on the differenced series; `None` if auto.arima would give it an
/// infinite information criterion, or if its AICc is not below `to_beat` (the stepwise
/// search then ignores it either way, so the costlier checks are skipped).
fn fit_candidate(
    s: &Differenced,
    p: usize,
    q: usize,
    constant: bool,
    to_beat: f64,
) -> Option<Candidate> {
    let z: &[f64] = if constant { &s.centred } else { s.w };
    let n_used = z.len();
    let k = p + q;
    let mut x = [0.0; MAXK];
    if k > 0 {
        if n_used <= p {
            return None;
        }
        // Conditional sum of squares from zero (and the sample mean), optimised jointly
        // over the mean as R does, on R's `parscale` (10 × the mean's OLS s.e.).
        let kc = k + usize::from(constant);
        let mut css = |v: &[f64]| {
            let delta = constant.then(|| v[k] * s.mean_scale);
            css_objective(z, &Arma::new(&v[..p], &v[p..k]), delta)
        };
        let mut v = [0.0; MAXK];
        if minimise(&mut css, &mut v[..kc])? {
            x[..k].copy_from_slice(&v[..k]);
        }
        if !roots_outside(&x[..p], 1.0, 0.0) {
            return None; // "non-stationary AR part from CSS"
        }
        let mut raw = [0.0; MAXR];
        invpartrans(&x[..p], &mut raw[..p]);
        x[..p].copy_from_slice(&raw[..p]);
        ma_invert(&mut x[p..k]);
        if x[..k].iter().any(|v| !v.is_finite()) {
            return None;
        }
        // Exact maximum likelihood in the PACF parametrisation.
        let mut ml = |v: &[f64]| {
            let mut phi = [0.0; MAXR];
            partrans(&v[..p], &mut phi[..p]);
            match kalman(z, &Arma::new(&phi[..p], &v[p..k]), constant) {
                Some(sums) => sums.objective(sums.gls_offset()),
                None => f64::MAX,
            }
        };
        minimise(&mut ml, &mut x[..k])?;
    }
    let mut phi = [0.0; MAXR];
    partrans(&x[..p], &mut phi[..p]);
    ma_invert(&mut x[p..k]);
    let arma = Arma::new(&phi[..p], &x[p..k]);
    let sums = kalman(z, &arma, constant)?;
    let delta = if constant { sums.gls_offset() } else { 0.0 };
    let value = sums.objective(delta);
    if !value.is_finite() {
        return None;
    }

    let nf = n_used as f64;
    let minus2loglik = 2.0 * nf * value + nf + nf * (2.0 * std::f64::consts::PI).ln();
    let npar = k + usize::from(constant) + 1;
    let aic = minus2loglik + 2.0 * npar as f64;
    let denom = n_used as f64 - npar as f64 - 1.0;
    if denom <= 0.0 {
        return None;
    }
    let aicc = aic + 2.0 * (npar * (npar + 1)) as f64 / denom;
    let sigma2 = sums.all_ssq(delta) / (nf - npar as f64 + 1.0);
    if !aicc.is_finite() || !sigma2.is_finite() || aicc >= to_beat {
        return None;
    }

    // Root check: refuse anything within 1.01 of the unit circle.
    if !roots_outside(&arma.phi[..p], MIN_ROOT, 1e-8) {
        return None;
    }
    let mut neg_theta = [0.0; MAXR];
    for (o, t) in neg_theta.iter_mut().zip(&arma.theta[..q]) {
        *o = -t;
    }
    if !roots_outside(&neg_theta[..q], MIN_ROOT, 1e-8) {
        return None;
    }

    // checkarima: the coefficient covariance from the numerical Hessian must be usable.
    let m = npar - 1;
    if m > 0 {
        let mut full = [0.0; MAXK];
        full[..k].copy_from_slice(&x[..k]);
        let mut scale = [1.0; MAXK];
        if constant {
            full[k] = delta;
            scale[k] = s.mean_scale;
        }
        let mut f = |v: &[f64]| {
            let mut phi = [0.0; MAXR];
            partrans(&v[..p], &mut phi[..p]);
            match kalman(z, &Arma::new(&phi[..p], &v[p..k]), constant) {
                Some(sums) => sums.objective(if constant { v[k] } else { 0.0 }),
                None => f64::MAX,
            }
        };
        if !coefficient_variances_defined(&mut f, &full[..m], &scale[..m], p, n_used) {
            return None;
        }
    }

    let mut state = [0.0; MAXR];
    for (i, st) in state.iter_mut().enumerate().take(arma.r) {
        *st = sums.aw[i] - delta * sums.ac[i];
    }
    Some(Candidate {
        arma,
        constant,
        mean: if constant { s.wbar + delta } else { 0.0 },
        sigma2,
        aicc,
        state,
    })
}

/// R's `checkarima` after `optim(hessian = TRUE)`: the numerical Hessian (R's `optimhess`
/// scheme) must be invertible and give non-negative variances once mapped back from the
/// PACF parametrisation.
fn coefficient_variances_defined<F: FnMut(&[f64]) -> f64>(
    f: &mut F,
    x: &[f64],
    parscale: &[f64],
    p: usize,
    n_used: usize,
) -> bool {
    let m = x.len();
    let mut steps = [0.0; MAXK];
    for (s, ps) in steps.iter_mut().zip(parscale) {
        *s = NDEPS * ps;
    }
    let mut h = [0.0; MAXK * MAXK];
    let mut xx = [0.0; MAXK];
    xx[..m].copy_from_slice(x);
    let (mut g1, mut g2) = ([0.0; MAXK], [0.0; MAXK]);
    for i in 0..m {
        xx[i] = x[i] + NDEPS;
        if !num_grad(f, &xx[..m], &steps[..m], &mut g1[..m]) {
            return false;
        }
        xx[i] = x[i] - NDEPS;
        if !num_grad(f, &xx[..m], &steps[..m], &mut g2[..m]) {
            return false;
        }
        xx[i] = x[i];
        for j in 0..m {
            h[i * m + j] = (g1[j] - g2[j]) / (2.0 * NDEPS);
        }
    }
    for i in 0..m {
        for j in 0..i {
            let v = 0.5 * (h[i * m + j] + h[j * m + i]);
            h[i * m + j] = v;
            h[j * m + i] = v;
        }
    }
    for v in h[..m * m].iter_mut() {
        *v *= n_used as f64;
    }
    let mut inv = [0.0; MAXK * MAXK];
    for i in 0..m {
        inv[i * m + i] = 1.0;
    }
    match lu_solve(&mut h[..m * m], m, &mut inv[..m * m], m) {
        Some(rcond) if rcond >= f64::EPSILON => {}
        _ => return false,
    }
    // Jacobian of the PACF transform (R's ARIMA_Gradtrans): a[i][j] = ∂φ_j/∂raw_i.
    let mut a = [0.0; MAXK * MAXK];
    for i in 0..m {
        a[i * m + i] = 1.0;
    }
    if p > 0 {
        let eps = 1e-3;
        let mut base = [0.0; MAXR];
        partrans(&x[..p], &mut base[..p]);
        let mut w1 = [0.0; MAXR];
        let mut w3 = [0.0; MAXR];
        for i in 0..p {
            w1[..p].copy_from_slice(&x[..p]);
            w1[i] += eps;
            partrans(&w1[..p], &mut w3[..p]);
            for j in 0..p {
                a[i * m + j] = (w3[j] - base[j]) / eps;
            }
        }
    }
    (0..m).all(|j| {
        let mut v = 0.0;
        for i in 0..m {
            for l in 0..m {
                v += a[i * m + j] * inv[i * m + l] * a[l * m + j];
            }
        }
        v >= 0.0
    })
}

// ---------------------------------------------------------------------------------------
// ARMA state space and the exact likelihood
// ---------------------------------------------------------------------------------------

/// ARMA coefficients padded to the state dimension r = max(p, q + 1), on the stack.
#[derive(Debug, Clone, Copy)]
struct Arma {
    p: usize,
    q: usize,
    r: usize,
    phi: [f64; MAXR],
    theta: [f64; MAXR],
}

impl Arma {
    fn new(phi: &[f64], theta: &[f64]) -> Self {
        let mut a = Arma {
            p: phi.len(),
            q: theta.len(),
            r: phi.len().max(theta.len() + 1),
            phi: [0.0; MAXR],
            theta: [0.0; MAXR],
        };
        for (d, s) in a.phi.iter_mut().zip(phi) {
            *d = *s;
        }
        for (d, s) in a.theta.iter_mut().zip(theta) {
            *d = *s;
        }
        a
    }

    /// Loading of the innovation on the state: (1, θ₁, …, θ_{r−1}).
    fn rvec(&self) -> [f64; MAXR] {
        // θ is zero-padded beyond q ≤ r − 1.
        let mut v = [0.0; MAXR];
        v[0] = 1.0;
        v[1..].copy_from_slice(&self.theta[..MAXR - 1]);
        v
    }

    /// Stationary state covariance (in units of σ²): the solution of P = T P T' + R R'.
    fn stationary_covariance(&self, out: &mut [f64; MAXR * MAXR]) -> bool {
        let r = self.r;
        let phi = &self.phi;
        if r == 1 {
            let v = 1.0 / (1.0 - phi[0] * phi[0]);
            out[0] = v;
            return v > 0.0 && v.is_finite();
        }
        let rv = self.rvec();
        let m = r * (r + 1) / 2;
        let idx = |i: usize, j: usize| {
            let (a, b) = if i <= j { (i, j) } else { (j, i) };
            a * (2 * r - a + 1) / 2 + (b - a)
        };
        let mut a = [0.0; MAXM * MAXM];
        let mut b = [0.0; MAXM];
        for i in 0..r {
            for j in i..r {
                let row = idx(i, j) * m;
                a[row + idx(i, j)] += 1.0;
                a[row] -= phi[i] * phi[j];
                if j + 1 < r {
                    a[row + idx(0, j + 1)] -= phi[i];
                    // i <= j, so i + 1 < r as well
                    a[row + idx(i + 1, j + 1)] -= 1.0;
                }
                if i + 1 < r {
                    a[row + idx(0, i + 1)] -= phi[j];
                }
                b[idx(i, j)] = rv[i] * rv[j];
            }
        }
        if lu_solve(&mut a[..m * m], m, &mut b[..m], 1).is_none() {
            return false;
        }
        for i in 0..r {
            for j in 0..r {
                out[i * r + j] = b[idx(i, j)];
            }
        }
        out[0] > 0.0 && out[..r * r].iter().all(|v| v.is_finite())
    }
}

/// Sufficient statistics of one Kalman-filter pass over z (data) and over a column of
/// ones (the mean's regressor): innovations are `v_z − δ·v_1` for a mean offset δ.
#[derive(Debug, Clone, Copy, Default)]
struct KfSums {
    /// Σ v_z²/F, Σ v_z v_1/F, Σ v_1²/F over the observations used in the likelihood.
    sww: f64,
    swc: f64,
    scc: f64,
    /// Σ ln F and their count ν.
    sumlog: f64,
    nu: usize,
    /// The same sums over every observation (for the residual variance).
    tww: f64,
    twc: f64,
    tcc: f64,
    /// Filtered states after the last observation for z and for the ones column.
    aw: [f64; MAXR],
    ac: [f64; MAXR],
}

impl KfSums {
    /// GLS estimate of the mean offset: it minimises the (profile) criterion exactly.
    fn gls_offset(&self) -> f64 {
        if self.scc > 1e-12 * self.nu as f64 {
            self.swc / self.scc
        } else {
            0.0
        }
    }

    /// R's `armafn`: 0.5·(ln(SSQ/ν) + Σ ln F / ν) at mean offset δ.
    fn objective(&self, delta: f64) -> f64 {
        let nu = self.nu as f64;
        let ssq = (self.sww - 2.0 * delta * self.swc + delta * delta * self.scc).max(0.0);
        0.5 * ((ssq / nu).ln() + self.sumlog / nu)
    }

    /// Σ of squared standardised residuals over all observations at offset δ.
    fn all_ssq(&self, delta: f64) -> f64 {
        (self.tww - 2.0 * delta * self.twc + delta * delta * self.tcc).max(0.0)
    }
}

/// Exact Gaussian likelihood pass (R's `ARIMA_Like` for d = 0) on Harvey's state-space
/// form; allocation-free. `None` if the parameters give no valid stationary start.
fn kalman(z: &[f64], arma: &Arma, with_mean: bool) -> Option<KfSums> {
    let r = arma.r;
    let phi = &arma.phi;
    let rv = arma.rvec();
    let mut pnew = [0.0; MAXR * MAXR];
    if !arma.stationary_covariance(&mut pnew) {
        return None;
    }
    let mut pm = [0.0; MAXR * MAXR];
    let mut s = KfSums::default();
    let (mut aw, mut ac) = ([0.0; MAXR], [0.0; MAXR]);
    let mut mv = [0.0; MAXR];
    let mut steady = false;
    let mut gain_product = 1.0f64;
    for (t, &zt) in z.iter().enumerate() {
        // Predict: a ← T a.
        let (a0w, a0c) = (aw[0], ac[0]);
        for i in 0..r {
            let nw = if i + 1 < r { aw[i + 1] } else { 0.0 };
            aw[i] = nw + phi[i] * a0w;
        }
        if with_mean {
            for i in 0..r {
                let nc = if i + 1 < r { ac[i + 1] } else { 0.0 };
                ac[i] = nc + phi[i] * a0c;
            }
        }
        let gain;
        if steady {
            mv = rv;
            gain = 1.0;
        } else {
            if t > 0 {
                // Pnew = T P T' + R R' (upper triangle: nothing reads the lower one)
                for i in 0..r {
                    for j in i..r {
                        let mut v = rv[i] * rv[j] + phi[i] * phi[j] * pm[0];
                        if j + 1 < r {
                            v += phi[i] * pm[j + 1];
                            if i + 1 < r {
                                v += pm[(i + 1) * r + j + 1];
                            }
                        }
                        if i + 1 < r {
                            v += phi[j] * pm[i + 1];
                        }
                        pnew[i * r + j] = v;
                    }
                }
            }
            // Row 0 of Pnew (entries beyond r are unused); a fixed-length copy.
            mv.copy_from_slice(&pnew[..MAXR]);
            gain = pnew[0];
        }
        if !(gain > 0.0 && gain.is_finite()) {
            return None;
        }
        let inv = 1.0 / gain;
        let vw = zt - aw[0];
        let vc = if with_mean { 1.0 - ac[0] } else { 0.0 };
        s.tww += vw * vw * inv;
        s.twc += vw * vc * inv;
        s.tcc += vc * vc * inv;
        if gain < DIFFUSE_GAIN {
            s.nu += 1;
            s.sww += vw * vw * inv;
            s.swc += vw * vc * inv;
            s.scc += vc * vc * inv;
            // Σ ln F as the log of a running product (one `ln` per ~60 steps).
            gain_product *= gain;
            if gain_product > 1e250 {
                s.sumlog += gain_product.ln();
                gain_product = 1.0;
            }
        }
        for i in 0..r {
            aw[i] += mv[i] * vw * inv;
        }
        if with_mean {
            for i in 0..r {
                ac[i] += mv[i] * vc * inv;
            }
        }
        if !steady {
            // P is positive semi-definite, so |P_ij| ≤ max_i P_ii: the diagonal decides
            // convergence.
            let mut biggest = 0.0;
            for i in 0..r {
                for j in i..r {
                    pm[i * r + j] = pnew[i * r + j] - mv[i] * mv[j] * inv;
                }
                if pm[i * r + i] > biggest {
                    biggest = pm[i * r + i];
                }
            }
            steady = biggest < STEADY_TOL;
        }
    }
    if s.nu == 0 {
        return None;
    }
    s.sumlog += gain_product.ln();
    s.aw = aw;
    s.ac = ac;
    Some(s)
}

// ---------------------------------------------------------------------------------------
// Parametrisation, roots
// ---------------------------------------------------------------------------------------

/// R's `partrans`: unconstrained values → PACF (tanh) → stationary AR coefficients.
fn partrans(raw: &[f64], out: &mut [f64]) {
    let p = raw.len();
    let mut cur = [0.0; MAXR];
    for j in 0..p {
        cur[j] = raw[j].tanh();
    }
    for j in 1..p {
        let a = cur[j];
        let prev = cur;
        for k in 0..j {
            cur[k] = prev[k] - a * prev[j - k - 1];
        }
    }
    for (o, c) in out.iter_mut().zip(&cur[..p]) {
        *o = *c;
    }
}

/// Inverse of [`partrans`] (R's `invpartrans`).
fn invpartrans(phi: &[f64], out: &mut [f64]) {
    let p = phi.len();
    let mut work = [0.0; MAXR];
    out[..p].copy_from_slice(phi);
    work[..p].copy_from_slice(phi);
    for j in (1..p).rev() {
        let a = out[j];
        for k in 0..j {
            work[k] = (out[k] + a * out[j - k - 1]) / (1.0 - a * a);
        }
        out[..j].copy_from_slice(&work[..j]);
    }
    for v in out[..p].iter_mut() {
        *v = v.atanh();
    }
}

/// True if every root of 1 − Σ c_i z^i has modulus greater than `radius` (Schur–Cohn
/// step-down test on the rescaled coefficients c_i·radius^i). Trailing coefficients with
/// |c| ≤ `trim` are dropped first, as R does before `polyroot`.
fn roots_outside(c: &[f64], radius: f64, trim: f64) -> bool {
    let Some(last) = c.iter().rposition(|v| v.abs() > trim) else {
        return true;
    };
    let p = last + 1;
    let mut cur = [0.0; MAXR];
    let mut scale = 1.0;
    for i in 0..p {
        scale *= radius;
        cur[i] = c[i] * scale;
    }
    let mut work = [0.0; MAXR];
    for j in (1..p).rev() {
        let a = cur[j];
        // NaN coefficients fail too.
        if a.abs() >= 1.0 || a.is_nan() {
            return false;
        }
        for k in 0..j {
            work[k] = (cur[k] + a * cur[j - k - 1]) / (1.0 - a * a);
        }
        cur[..j].copy_from_slice(&work[..j]);
    }
    cur[0].abs() < 1.0
}

/// Minimal complex arithmetic for [`ma_invert`].
#[derive(Debug, Clone, Copy, PartialEq)]
struct Cx(f64, f64);

impl Cx {
    fn add(self, o: Cx) -> Cx {
        Cx(self.0 + o.0, self.1 + o.1)
    }
    fn sub(self, o: Cx) -> Cx {
        Cx(self.0 - o.0, self.1 - o.1)
    }
    fn mul(self, o: Cx) -> Cx {
        Cx(self.0 * o.0 - self.1 * o.1, self.0 * o.1 + self.1 * o.0)
    }
    fn div(self, o: Cx) -> Cx {
        let d = o.0 * o.0 + o.1 * o.1;
        Cx(
            (self.0 * o.0 + self.1 * o.1) / d,
            (self.1 * o.0 - self.0 * o.1) / d,
        )
    }
    fn abs(self) -> f64 {
        self.0.hypot(self.1)
    }
}

/// Roots of Σ_{i=0}^{m} a_i z^i (a_m ≠ 0, m ≤ MAX_ORDER) by Durand–Kerner iteration.
fn poly_roots(a: &[f64], roots: &mut [Cx]) {
    let m = a.len() - 1;
    let lead = a[m];
    let coef = |i: usize| a[i] / lead;
    let bound = 1.0 + (0..m).map(|i| coef(i).abs()).fold(0.0, f64::max);
    let seed = Cx(0.4, 0.9);
    let mut z = Cx(bound.min(2.0), 0.0);
    for r in roots.iter_mut() {
        z = z.mul(seed);
        *r = z;
    }
    let eval = |x: Cx| {
        let mut v = Cx(1.0, 0.0);
        for i in (0..m).rev() {
            v = v.mul(x).add(Cx(coef(i), 0.0));
        }
        v
    };
    for _ in 0..500 {
        let mut change = 0.0f64;
        for i in 0..m {
            let mut den = Cx(1.0, 0.0);
            for j in 0..m {
                if j != i {
                    den = den.mul(roots[i].sub(roots[j]));
                }
            }
            let step = eval(roots[i]).div(den);
            if step.0.is_finite() && step.1.is_finite() {
                roots[i] = roots[i].sub(step);
                change = change.max(step.abs() / roots[i].abs().max(1e-300));
            }
        }
        if change < 1e-14 {
            break;
        }
    }
}

/// R's `maInvert`: reflect roots of 1 + Σ θ_i z^i lying inside the unit circle, giving the
/// invertible MA with the same autocorrelations.
fn ma_invert(ma: &mut [f64]) {
    let Some(last) = ma.iter().rposition(|v| *v != 0.0) else {
        return;
    };
    let q0 = last + 1;
    let mut poly = [0.0; MAXR];
    poly[0] = 1.0;
    poly[1..=q0].copy_from_slice(&ma[..q0]);
    let mut roots = [Cx(0.0, 0.0); MAX_ORDER];
    poly_roots(&poly[..=q0], &mut roots[..q0]);
    if roots[..q0].iter().all(|r| r.abs() >= 1.0) {
        return;
    }
    if q0 == 1 {
        ma[0] = 1.0 / ma[0];
        return;
    }
    let mut x = [Cx(0.0, 0.0); MAXR];
    x[0] = Cx(1.0, 0.0);
    for (len, r) in (1..).zip(roots[..q0].iter_mut()) {
        if r.abs() < 1.0 {
            *r = Cx(1.0, 0.0).div(*r);
        }
        // x ← c(x, 0) − c(0, x)/r
        for i in (1..=len).rev() {
            x[i] = x[i].sub(x[i - 1].div(*r));
        }
    }
    for i in 0..q0 {
        ma[i] = x[i + 1].0;
    }
}

// ---------------------------------------------------------------------------------------
// Numerics: linear solve, BFGS
// ---------------------------------------------------------------------------------------

/// Solve A X = B in place (A n×n row-major, B n×nrhs row-major) by Gaussian elimination
/// with partial pivoting. Returns min|pivot| / max|pivot| (a crude reciprocal condition
/// number) or `None` for a zero or non-finite pivot.
fn lu_solve(a: &mut [f64], n: usize, b: &mut [f64], nrhs: usize) -> Option<f64> {
    let (mut pmin, mut pmax) = (f64::INFINITY, 0.0f64);
    for col in 0..n {
        let mut piv = col;
        for row in col + 1..n {
            if a[row * n + col].abs() > a[piv * n + col].abs() {
                piv = row;
            }
        }
        let pv = a[piv * n + col];
        if pv == 0.0 || !pv.is_finite() {
            return None;
        }
        if piv != col {
            for j in 0..n {
                a.swap(col * n + j, piv * n + j);
            }
            for j in 0..nrhs {
                b.swap(col * nrhs + j, piv * nrhs + j);
            }
        }
        pmin = pmin.min(pv.abs());
        pmax = pmax.max(pv.abs());
        for row in col + 1..n {
            let f = a[row * n + col] / pv;
            if f != 0.0 {
                for j in col..n {
                    a[row * n + j] -= f * a[col * n + j];
                }
                for j in 0..nrhs {
                    b[row * nrhs + j] -= f * b[col * nrhs + j];
                }
            }
        }
    }
    for col in (0..n).rev() {
        let pv = a[col * n + col];
        for j in 0..nrhs {
            let mut v = b[col * nrhs + j];
            for k in col + 1..n {
                v -= a[col * n + k] * b[k * nrhs + j];
            }
            b[col * nrhs + j] = v / pv;
        }
    }
    Some(pmin / pmax)
}

/// Central-difference gradient (R's `optim` numerical gradient); false if not finite.
fn num_grad<F: FnMut(&[f64]) -> f64>(f: &mut F, x: &[f64], steps: &[f64], g: &mut [f64]) -> bool {
    let n = x.len();
    let mut xx = [0.0; MAXK];
    xx[..n].copy_from_slice(x);
    for i in 0..n {
        let h = steps[i];
        xx[i] = x[i] + h;
        let f1 = f(&xx[..n]);
        xx[i] = x[i] - h;
        let f2 = f(&xx[..n]);
        xx[i] = x[i];
        g[i] = (f1 - f2) / (2.0 * h);
        if !g[i].is_finite() {
            return false;
        }
    }
    true
}

/// Port of R's variable-metric minimiser `vmmin` (optim's "BFGS") with numerical
/// gradients. Returns (minimum, converged) or `None` where R would raise an error
/// (non-finite initial value or gradient).
fn vmmin<F: FnMut(&[f64]) -> f64>(f: &mut F, b: &mut [f64], maxit: usize) -> Option<(f64, bool)> {
    const STEPREDN: f64 = 0.2;
    const ACCTOL: f64 = 1e-4;
    const RELTEST: f64 = 10.0;
    let reltol = f64::EPSILON.sqrt();
    let n = b.len();
    let steps = [NDEPS; MAXK];
    let mut fv = f(b);
    if !fv.is_finite() {
        return None;
    }
    if maxit == 0 || n == 0 {
        return Some((fv, true));
    }
    let mut fmin = fv;
    let mut g = [0.0; MAXK];
    if !num_grad(f, b, &steps[..n], &mut g[..n]) {
        return None;
    }
    let (mut t, mut x, mut c) = ([0.0; MAXK], [0.0; MAXK], [0.0; MAXK]);
    let mut bm = [0.0; MAXK * MAXK]; // lower triangle of the inverse-Hessian estimate
    let mut gradcount = 1usize;
    let mut iter = 1usize;
    let mut ilast = gradcount;
    loop {
        if ilast == gradcount {
            for i in 0..n {
                for j in 0..i {
                    bm[i * MAXK + j] = 0.0;
                }
                bm[i * MAXK + i] = 1.0;
            }
        }
        x[..n].copy_from_slice(b);
        c[..n].copy_from_slice(&g[..n]);
        let mut gradproj = 0.0;
        for i in 0..n {
            let mut s = 0.0;
            for j in 0..=i {
                s -= bm[i * MAXK + j] * g[j];
            }
            for j in i + 1..n {
                s -= bm[j * MAXK + i] * g[j];
            }
            t[i] = s;
            gradproj += s * g[i];
        }
        let mut count;
        if gradproj < 0.0 {
            let mut steplength = 1.0;
            let mut accpoint = false;
            loop {
                count = 0;
                for i in 0..n {
                    b[i] = x[i] + steplength * t[i];
                    if RELTEST + x[i] == RELTEST + b[i] {
                        count += 1;
                    }
                }
                if count < n {
                    fv = f(b);
                    accpoint = fv.is_finite() && fv <= fmin + gradproj * steplength * ACCTOL;
                    if !accpoint {
                        steplength *= STEPREDN;
                    }
                }
                if count == n || accpoint {
                    break;
                }
            }
            let enough = (fv - fmin).abs() > reltol * (fmin.abs() + reltol);
            if !enough {
                count = n;
                fmin = fv;
            }
            if count < n {
                fmin = fv;
                if !num_grad(f, b, &steps[..n], &mut g[..n]) {
                    return None;
                }
                gradcount += 1;
                iter += 1;
                let mut d1 = 0.0;
                for i in 0..n {
                    t[i] *= steplength;
                    c[i] = g[i] - c[i];
                    d1 += t[i] * c[i];
                }
                if d1 > 0.0 {
                    let mut d2 = 0.0;
                    for i in 0..n {
                        let mut s = 0.0;
                        for j in 0..=i {
                            s += bm[i * MAXK + j] * c[j];
                        }
                        for j in i + 1..n {
                            s += bm[j * MAXK + i] * c[j];
                        }
                        x[i] = s;
                        d2 += s * c[i];
                    }
                    d2 = 1.0 + d2 / d1;
                    for i in 0..n {
                        for j in 0..=i {
                            bm[i * MAXK + j] += (d2 * t[i] * t[j] - x[i] * t[j] - t[i] * x[j]) / d1;
                        }
                    }
                } else {
                    ilast = gradcount;
                }
            } else if ilast < gradcount {
                count = 0;
                ilast = gradcount;
            }
        } else {
            count = 0;
            if ilast == gradcount {
                count = n;
            } else {
                ilast = gradcount;
            }
        }
        if iter >= maxit {
            break;
        }
        if gradcount - ilast > 2 * n {
            ilast = gradcount;
        }
        if count == n && ilast == gradcount {
            break;
        }
    }
    Some((fmin, iter < maxit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Normal};

    fn noise(n: usize, seed: u64) -> Vec<f64> {
        let mut rng = StdRng::seed_from_u64(seed);
        let normal = Normal::new(0.0, 1.0).unwrap();
        (0..n).map(|_| normal.sample(&mut rng)).collect()
    }

    /// ARMA(p,q) sample with a burn-in.
    fn arma_series(phi: &[f64], theta: &[f64], mean: f64, n: usize, seed: u64) -> Vec<f64> {
        let burn = 200;
        let e = noise(n + burn, seed);
        let mut x = vec![0.0; n + burn];
        for t in 0..n + burn {
            let mut v = e[t];
            for (i, c) in phi.iter().enumerate() {
                if t > i {
                    v += c * x[t - i - 1];
                }
            }
            for (j, c) in theta.iter().enumerate() {
                if t > j {
                    v += c * e[t - j - 1];
                }
            }
            x[t] = v;
        }
        x[burn..].iter().map(|v| v + mean).collect()
    }

    fn cumsum(x: &[f64], start: f64) -> Vec<f64> {
        let mut acc = start;
        x.iter()
            .map(|v| {
                acc += v;
                acc
            })
            .collect()
    }

    #[test]
    fn an_ar1_series_recovers_its_coefficient() {
        let y = arma_series(&[0.7], &[], 10.0, 500, 1);
        let fit = Arima::new(1, 0, 0, true).fit(&y).unwrap();
        assert!((fit.ar()[0] - 0.7).abs() < 0.1, "{:?}", fit.params());
        assert!((fit.constant().unwrap() - 10.0).abs() < 0.5);
        assert!((fit.sigma2() - 1.0).abs() < 0.2);
    }

    #[test]
    fn an_arma11_series_recovers_both_coefficients() {
        let y = arma_series(&[0.5], &[0.4], 0.0, 1000, 2);
        let fit = Arima::new(1, 0, 1, true).fit(&y).unwrap();
        assert!((fit.ar()[0] - 0.5).abs() < 0.1, "{:?}", fit.params());
        assert!((fit.ma()[0] - 0.4).abs() < 0.1, "{:?}", fit.params());
    }

    #[test]
    fn auto_arima_picks_d0_and_a_close_model_for_an_ar2() {
        let y = arma_series(&[0.5, -0.3], &[], 50.0, 400, 3);
        let fit = AutoArima::default().fit(&y).unwrap();
        assert_eq!(fit.order().1, 0, "{}", fit.description());
        assert!(fit.constant().is_some());
        let (p, _, q) = fit.order();
        assert!(p + q >= 1 && p + q <= 3, "{}", fit.description());
    }

    #[test]
    fn a_random_walk_gets_one_difference() {
        // KPSS is a 5 % test without full power, so an occasional walk gets d = 0 or 2.
        let ds: Vec<usize> = (0..20)
            .map(|seed| ndiffs(&cumsum(&noise(200, 100 + seed), 100.0), 2))
            .collect();
        assert!(ds.iter().filter(|d| **d == 1).count() >= 17, "{ds:?}");
        let fit = AutoArima::default()
            .fit(&cumsum(&noise(200, 0), 100.0))
            .unwrap();
        assert_eq!(fit.order().1, 1);
    }

    #[test]
    fn white_noise_needs_no_difference_and_a_trend_does() {
        let e = noise(100, 5);
        assert_eq!(ndiffs(&e, 2), 0);
        assert!(kpss_statistic(&e).unwrap() < KPSS_CRITICAL_5PCT);
        let trend: Vec<f64> = e.iter().enumerate().map(|(t, v)| t as f64 + v).collect();
        assert!(kpss_statistic(&trend).unwrap() > KPSS_CRITICAL_5PCT);
        assert!(ndiffs(&trend, 2) >= 1);
    }

    #[test]
    fn the_kpss_statistic_matches_a_hand_computation() {
        // x = 1, 3, 2, 5, 4 (n = 5, no lags): e = -2, 0, -1, 2, 1; S = -2, -2, -3, -1, 0.
        let s = kpss_statistic(&[1.0, 3.0, 2.0, 5.0, 4.0]).unwrap();
        let eta = (4.0 + 4.0 + 9.0 + 1.0 + 0.0) / 25.0;
        let s2 = (4.0 + 0.0 + 1.0 + 4.0 + 1.0) / 5.0;
        assert!((s - eta / s2).abs() < 1e-12);
    }

    #[test]
    fn a_random_walk_with_drift_gets_a_drift_term() {
        let steps: Vec<f64> = noise(120, 6).iter().map(|v| 2.0 + 0.5 * v).collect();
        let y = cumsum(&steps, 10.0);
        let fit = AutoArima::default().fit(&y).unwrap();
        assert_eq!(fit.order().1, 1);
        let drift = fit.constant().expect("drift");
        assert!((drift - 2.0).abs() < 0.2, "{}", fit.description());
    }

    #[test]
    fn a_perfect_linear_trend_gets_drift_and_extrapolates_the_line() {
        let y: Vec<f64> = (0..20).map(|t| 5.0 + 3.0 * t as f64).collect();
        let fit = AutoArima::default().fit(&y).unwrap();
        assert_eq!(fit.order(), (0, 1, 0));
        assert!((fit.constant().unwrap() - 3.0).abs() < 1e-12);
        let f = fit.forecast(4, &[80.0, 95.0]);
        for (k, v) in f.point.iter().enumerate() {
            assert!((v - (5.0 + 3.0 * (20 + k) as f64)).abs() < 1e-9);
        }
        for iv in &f.intervals {
            for k in 0..4 {
                assert!(iv.lower[k] <= f.point[k] && f.point[k] <= iv.upper[k]);
            }
        }
    }

    #[test]
    fn a_noisy_linear_trend_is_extrapolated_along_its_slope() {
        let e = noise(40, 7);
        let y: Vec<f64> = (0..40).map(|t| 100.0 + 5.0 * t as f64 + e[t]).collect();
        let fit = AutoArima::default().fit(&y).unwrap();
        let f = fit.forecast(5, &[]);
        let slope = (f.point[4] - f.point[0]) / 4.0;
        assert!(
            (slope - 5.0).abs() < 0.5,
            "{} {:?}",
            fit.description(),
            f.point
        );
    }

    #[test]
    fn intervals_widen_with_the_level_and_the_horizon_and_contain_the_point() {
        let y = cumsum(&noise(60, 8), 50.0);
        let fit = AutoArima::default().fit(&y).unwrap();
        let f = fit.forecast(6, &[50.0, 80.0, 95.0]);
        let (i50, i80, i95) = (&f.intervals[0], &f.intervals[1], &f.intervals[2]);
        for k in 0..6 {
            assert!(i95.lower[k] < i80.lower[k] && i80.lower[k] < i50.lower[k]);
            assert!(i50.lower[k] <= f.point[k] && f.point[k] <= i50.upper[k]);
            assert!(i50.upper[k] < i80.upper[k] && i80.upper[k] < i95.upper[k]);
        }
        for k in 1..6 {
            assert!(i95.upper[k] - i95.lower[k] > i95.upper[k - 1] - i95.lower[k - 1]);
        }
    }

    #[test]
    fn a_random_walk_forecast_has_variance_growing_linearly() {
        let y = cumsum(&noise(80, 9), 0.0);
        let fit = Arima::new(0, 1, 0, false).fit(&y).unwrap();
        let f = fit.forecast(4, &[95.0]);
        let z = crate::models::forecast::normal_z(95.0);
        for k in 0..4 {
            let half = (f.intervals[0].upper[k] - f.point[k]) / z;
            assert!((half * half - fit.sigma2() * (k + 1) as f64).abs() < 1e-9);
            assert!((f.point[k] - y[79]).abs() < 1e-12);
        }
    }

    #[test]
    fn short_series_give_a_fit_error() {
        for n in 0..MIN_OBS {
            let y: Vec<f64> = (0..n).map(|t| t as f64 * 1.5 + 2.0).collect();
            assert!(matches!(
                AutoArima::default().fit(&y),
                Err(Error::Fit { .. } | Error::TooShort { .. })
            ));
        }
    }

    #[test]
    fn constant_and_non_finite_series_give_a_fit_error() {
        assert!(matches!(
            AutoArima::default().fit(&[3.0; 12]),
            Err(Error::Fit { .. } | Error::TooShort { .. })
        ));
        assert!(matches!(
            AutoArima::default().fit(&[1.0, 2.0, f64::NAN, 4.0, 5.0, 6.0]),
            Err(Error::Fit { .. } | Error::TooShort { .. })
        ));
    }

    #[test]
    fn very_short_and_awkward_series_never_panic_or_produce_nan() {
        let cases: Vec<Vec<f64>> = vec![
            vec![1.0, 2.0, 1.0, 2.0, 1.0],
            vec![1.0, 1.0, 1.0, 1.0, 2.0],
            vec![0.0, 0.0, 0.0, 1e9, 0.0, 0.0],
            vec![1.0, 4.0, 9.0, 16.0, 25.0, 36.0, 49.0],
            vec![1e-12, 2e-12, 1.5e-12, 3e-12, 2.5e-12, 4e-12],
            (0..30).map(|t| ((t * 7919) % 13) as f64).collect(),
            (0..25).map(|t| 1.05f64.powi(t) * 1000.0).collect(),
        ];
        let mut rng = StdRng::seed_from_u64(1);
        for y in cases {
            if let Ok(fit) = AutoArima::default().fit(&y) {
                let f = fit.forecast(6, &[80.0, 95.0]);
                assert!(f.point.iter().all(|v| v.is_finite()), "{y:?}");
                for iv in &f.intervals {
                    assert!(iv.lower.iter().chain(&iv.upper).all(|v| v.is_finite()));
                }
                assert!(fit.simulate(6, &mut rng).iter().all(|v| v.is_finite()));
            }
        }
    }

    #[test]
    fn simulated_paths_average_to_the_point_forecast() {
        let y = arma_series(&[0.6], &[], 20.0, 150, 10);
        let fit = Arima::new(1, 0, 0, true).fit(&y).unwrap();
        let point = fit.forecast(3, &[]).point;
        let mut rng = StdRng::seed_from_u64(2);
        let paths = 4000;
        let mut mean = [0.0; 3];
        for _ in 0..paths {
            let s = fit.simulate(3, &mut rng);
            assert_eq!(s.len(), 3);
            for k in 0..3 {
                mean[k] += s[k] / paths as f64;
            }
        }
        for k in 0..3 {
            assert!((mean[k] - point[k]).abs() < 0.1, "{mean:?} {point:?}");
        }
    }

    #[test]
    fn the_kalman_likelihood_of_an_ar1_matches_the_closed_form() {
        let z = [0.3, -1.2, 0.8, 2.0, 0.1, -0.5];
        let phi = 0.6;
        let s = kalman(&z, &Arma::new(&[phi], &[]), false).unwrap();
        let mut ssq = (1.0 - phi * phi) * z[0] * z[0];
        for t in 1..z.len() {
            ssq += (z[t] - phi * z[t - 1]).powi(2);
        }
        assert!((s.sww - ssq).abs() < 1e-12);
        assert!((s.sumlog - (1.0 / (1.0 - phi * phi)).ln()).abs() < 1e-12);
    }

    #[test]
    fn the_kalman_likelihood_of_an_arma_matches_the_covariance_matrix() {
        // Exact Gaussian quadratic form and log-determinant from the ARMA(1,2)
        // autocovariances, by Cholesky, against the filter.
        let (phi, th) = (0.5, [0.4, -0.3]);
        let n = 7;
        let z = [0.5, -0.2, 1.1, 0.3, -0.9, 0.4, 0.2];
        // ψ weights and autocovariances γ(h) = Σ ψ_j ψ_{j+h}.
        let mut psi = vec![0.0; 400];
        psi[0] = 1.0;
        for j in 1..400 {
            psi[j] = phi * psi[j - 1] + if j <= 2 { th[j - 1] } else { 0.0 };
        }
        let gamma = |h: usize| (0..400 - h).map(|j| psi[j] * psi[j + h]).sum::<f64>();
        let mut c = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                c[i * n + j] = gamma(i.abs_diff(j));
            }
        }
        // Cholesky
        let mut l = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..=i {
                let mut s = c[i * n + j];
                for k in 0..j {
                    s -= l[i * n + k] * l[j * n + k];
                }
                l[i * n + j] = if i == j { s.sqrt() } else { s / l[j * n + j] };
            }
        }
        let mut u = vec![0.0; n];
        for i in 0..n {
            let mut s = z[i];
            for k in 0..i {
                s -= l[i * n + k] * u[k];
            }
            u[i] = s / l[i * n + i];
        }
        let quad: f64 = u.iter().map(|v| v * v).sum();
        let logdet: f64 = (0..n).map(|i| 2.0 * l[i * n + i].ln()).sum();
        let s = kalman(&z, &Arma::new(&[phi], &th), false).unwrap();
        assert!((s.sww - quad).abs() < 1e-9, "{} vs {quad}", s.sww);
        assert!((s.sumlog - logdet).abs() < 1e-9, "{} vs {logdet}", s.sumlog);
    }

    #[test]
    fn the_pacf_transform_round_trips_and_is_always_stationary() {
        let raw = [0.3, -1.5, 2.0, 0.7];
        let mut phi = [0.0; 4];
        partrans(&raw, &mut phi);
        assert!(roots_outside(&phi, 1.0, 0.0));
        let mut back = [0.0; 4];
        invpartrans(&phi, &mut back);
        for i in 0..4 {
            assert!((back[i] - raw[i]).abs() < 1e-9);
        }
    }

    #[test]
    fn the_root_test_agrees_with_known_polynomials() {
        assert!(roots_outside(&[0.5], 1.0, 0.0));
        assert!(!roots_outside(&[1.0], 1.0, 0.0));
        assert!(!roots_outside(&[0.995], MIN_ROOT, 1e-8)); // root 1.005
        assert!(roots_outside(&[0.98], MIN_ROOT, 1e-8)); // root 1.0204
        // (1 - 0.5z)(1 - 1.25z) has a root at 0.8 inside the circle.
        assert!(!roots_outside(&[1.75, -0.625], 1.0, 0.0));
    }

    #[test]
    fn ma_invert_reflects_roots_inside_the_unit_circle() {
        let mut ma = [2.0];
        ma_invert(&mut ma);
        assert!((ma[0] - 0.5).abs() < 1e-12);
        // (1 + 2z)(1 + 0.5z) = 1 + 2.5z + z² → (1 + 0.5z)(1 + 0.5z) = 1 + z + 0.25z².
        let mut ma2 = [2.5, 1.0];
        ma_invert(&mut ma2);
        assert!(
            (ma2[0] - 1.0).abs() < 1e-9 && (ma2[1] - 0.25).abs() < 1e-9,
            "{ma2:?}"
        );
        let mut ok = [0.3, 0.1];
        ma_invert(&mut ok);
        assert_eq!(ok, [0.3, 0.1]);
    }

    #[test]
    fn params_name_the_order_coefficients_and_fit_statistics() {
        let y = arma_series(&[0.6], &[0.3], 5.0, 200, 11);
        let fit = Arima::new(1, 0, 1, true).fit(&y).unwrap();
        let names: Vec<String> = fit.params().into_iter().map(|p| p.name).collect();
        assert_eq!(
            names,
            ["p", "d", "q", "ar1", "ma1", "constant", "sigma2", "aicc"]
        );
        assert_eq!(fit.name(), "arima");
        assert_eq!(fit.description(), "ARIMA(1,0,1) with non-zero mean");
    }

    #[test]
    fn vmmin_finds_the_minimum_of_a_quadratic() {
        let mut f = |x: &[f64]| (x[0] - 1.0).powi(2) + 3.0 * (x[1] + 2.0).powi(2) + 0.5;
        let mut x = [0.0, 0.0];
        let (v, conv) = vmmin(&mut f, &mut x, 100).unwrap();
        assert!(conv);
        assert!(
            (x[0] - 1.0).abs() < 1e-4 && (x[1] + 2.0).abs() < 1e-4,
            "{x:?}"
        );
        assert!((v - 0.5).abs() < 1e-8);
    }
}
