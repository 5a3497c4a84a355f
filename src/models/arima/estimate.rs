//! One candidate model: CSS starting values, exact ML, R's rejection checks.

use super::*;

// ---------------------------------------------------------------------------------------
// One candidate model: CSS → ML → checks
// ---------------------------------------------------------------------------------------

/// The differenced series with what every candidate fit shares.
pub(super) struct Differenced<'a> {
    /// Δ^d y.
    pub(super) w: &'a [f64],
    /// Δ^d y minus its mean (the mean is estimated as an offset from it).
    pub(super) centred: Vec<f64>,
    pub(super) wbar: f64,
    /// R's `parscale` for the mean/drift: 10 × its OLS standard error.
    pub(super) mean_scale: f64,
}

impl<'a> Differenced<'a> {
    pub(super) fn new(w: &'a [f64]) -> Self {
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
pub(super) struct Candidate {
    pub(super) arma: Arma,
    pub(super) constant: bool,
    pub(super) mean: f64,
    pub(super) sigma2: f64,
    pub(super) aicc: f64,
    pub(super) state: [f64; MAXR],
}

impl Candidate {
    pub(super) fn into_fitted(self, d: usize, y: &[f64]) -> FittedArima {
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
            seasonal: None,
        }
    }
}

/// CSS criterion 0.5·ln(SSQ/ν) at mean offset `delta` (`None`: no mean).
pub(super) fn css_objective(z: &[f64], arma: &Arma, delta: Option<f64>) -> f64 {
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
pub(super) fn minimise<F: FnMut(&[f64]) -> f64>(f: &mut F, x: &mut [f64]) -> Option<bool> {
    vmmin(f, x, MAXIT, NDEPS).map(|(_, converged)| converged)
}

/// Estimate ARIMA(p,·,q) on the differenced series; `None` if auto.arima would give it an
/// infinite information criterion, or if its AICc is not below `to_beat` (the stepwise
/// search then ignores it either way, so the costlier checks are skipped).
pub(super) fn fit_candidate(
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
        if !coefficient_variances_defined(&mut f, &full[..m], &scale[..m], &[(0, p)], n_used) {
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
pub(super) fn coefficient_variances_defined<F: FnMut(&[f64]) -> f64>(
    f: &mut F,
    x: &[f64],
    parscale: &[f64],
    ar_blocks: &[(usize, usize)],
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
    for &(start, p) in ar_blocks {
        if p == 0 {
            continue;
        }
        let eps = 1e-3;
        let mut base = [0.0; MAXR];
        partrans(&x[start..start + p], &mut base[..p]);
        let mut w1 = [0.0; MAXR];
        let mut w3 = [0.0; MAXR];
        for i in 0..p {
            w1[..p].copy_from_slice(&x[start..start + p]);
            w1[i] += eps;
            partrans(&w1[..p], &mut w3[..p]);
            for j in 0..p {
                a[(start + i) * m + start + j] = (w3[j] - base[j]) / eps;
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
