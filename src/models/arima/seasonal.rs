//! Seasonal ARIMA(p,d,q)(P,D,Q)m for a given order: the multiplied-out ARMA polynomial,
//! CSS starting values, exact ML by a Kalman filter of state dimension
//! max(p + mP, q + mQ + 1), R's rejection checks, and CSS-only fits for the
//! `approximation` search.
//!
//! The non-seasonal (m ≤ 1) path keeps its stack-allocated filter in `kalman.rs`; this one
//! works on heap buffers sized once per candidate (the inner loops allocate nothing).

use super::*;

/// A seasonal ARMA order for the differenced series (the differences live outside).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Order {
    pub(super) p: usize,
    pub(super) q: usize,
    pub(super) sp: usize,
    pub(super) sq: usize,
    pub(super) m: usize,
}

impl Order {
    /// Number of ARMA coefficients.
    pub(super) fn k(&self) -> usize {
        self.p + self.q + self.sp + self.sq
    }
    /// Degree of the full AR polynomial φ(B)Φ(B^m).
    pub(super) fn pf(&self) -> usize {
        self.p + self.m * self.sp
    }
    /// Degree of the full MA polynomial θ(B)Θ(B^m).
    pub(super) fn qf(&self) -> usize {
        self.q + self.m * self.sq
    }
    /// State dimension.
    pub(super) fn r(&self) -> usize {
        self.pf().max(self.qf() + 1)
    }
    /// The AR blocks (start, length) of the parameter vector `[φ, θ, Φ, Θ]`.
    fn ar_blocks(&self) -> [(usize, usize); 2] {
        [(0, self.p), (self.p + self.q, self.sp)]
    }
}

/// Coefficients of one model in R's order (ar, ma, sar, sma).
#[derive(Debug, Clone, Default)]
pub(super) struct Coefs {
    pub(super) phi: Vec<f64>,
    pub(super) theta: Vec<f64>,
    pub(super) sphi: Vec<f64>,
    pub(super) stheta: Vec<f64>,
}

/// Full AR coefficients c (1 − Σ c_i B^i) of φ(B)Φ(B^m), written into `out` (length ≥ pf).
pub(super) fn expand_ar(phi: &[f64], sphi: &[f64], m: usize, out: &mut [f64]) {
    let pf = phi.len() + m * sphi.len();
    out[..pf].fill(0.0);
    for (i, c) in phi.iter().enumerate() {
        out[i] += c;
    }
    for (j, s) in sphi.iter().enumerate() {
        let lag = (j + 1) * m;
        out[lag - 1] += s;
        for (i, c) in phi.iter().enumerate() {
            out[lag + i] -= c * s;
        }
    }
}

/// Full MA coefficients c (1 + Σ c_i B^i) of θ(B)Θ(B^m), written into `out` (length ≥ qf).
pub(super) fn expand_ma(theta: &[f64], stheta: &[f64], m: usize, out: &mut [f64]) {
    let qf = theta.len() + m * stheta.len();
    out[..qf].fill(0.0);
    for (i, c) in theta.iter().enumerate() {
        out[i] += c;
    }
    for (j, s) in stheta.iter().enumerate() {
        let lag = (j + 1) * m;
        out[lag - 1] += s;
        for (i, c) in theta.iter().enumerate() {
            out[lag + i] += c * s;
        }
    }
}

/// Buffers for one order: the padded full polynomials, the filter's covariances and the
/// CSS residual history. Allocated once per candidate fit.
pub(super) struct Work {
    o: Order,
    r: usize,
    /// Full AR coefficients padded to r.
    phi: Vec<f64>,
    /// (1, θ*₁, …, θ*_{r−1}): the innovation loading.
    rv: Vec<f64>,
    /// Non-zero lags of the full polynomials (1-based lag, coefficient).
    ar_lags: Vec<(usize, f64)>,
    ma_lags: Vec<(usize, f64)>,
    /// State indices i with φ_i ≠ 0 or r_i ≠ 0 (ascending), and the same as a mask.
    #[cfg(test)]
    sparse: Vec<usize>,
    #[cfg(test)]
    in_s: Vec<bool>,
    #[cfg(test)]
    pnew: Vec<f64>,
    #[cfg(test)]
    pm: Vec<f64>,
    aw: Vec<f64>,
    ac: Vec<f64>,
    mv: Vec<f64>,
    psi: Vec<f64>,
    gamma: Vec<f64>,
    sys: Vec<f64>,
    rhs: Vec<f64>,
    /// Gain g = P Z' (row 0 of the predicted state covariance).
    g: Vec<f64>,
    ea: Vec<f64>,
    eb: Vec<f64>,
    /// Scratch for transformed coefficients.
    tr: Vec<f64>,
}

impl Work {
    pub(super) fn new(o: Order, n: usize) -> Self {
        let r = o.r();
        let pf = o.pf();
        Self {
            o,
            r,
            phi: vec![0.0; r],
            rv: vec![0.0; r],
            ar_lags: Vec::with_capacity(pf),
            ma_lags: Vec::with_capacity(o.qf()),
            #[cfg(test)]
            sparse: Vec::with_capacity(r),
            #[cfg(test)]
            in_s: vec![false; r],
            #[cfg(test)]
            pnew: vec![0.0; r * r],
            #[cfg(test)]
            pm: vec![0.0; r * r],
            aw: vec![0.0; r],
            ac: vec![0.0; r],
            mv: vec![0.0; r],
            psi: vec![0.0; r + 1],
            gamma: vec![0.0; r + 1],
            sys: vec![0.0; (pf + 1) * (pf + 1)],
            rhs: vec![0.0; pf + 1],
            g: vec![0.0; r],
            ea: vec![0.0; n],
            eb: vec![0.0; n],
            tr: vec![0.0; o.k()],
        }
    }

    /// Load raw parameters `[φ, θ, Φ, Θ]` (AR parts through `partrans` if `transform`).
    fn load(&mut self, x: &[f64], transform: bool) {
        let o = self.o;
        self.tr.copy_from_slice(&x[..o.k()]);
        if transform {
            for (start, len) in o.ar_blocks() {
                if len > 0 {
                    let mut out = [0.0; MAXR];
                    partrans(&x[start..start + len], &mut out[..len]);
                    self.tr[start..start + len].copy_from_slice(&out[..len]);
                }
            }
        }
        let (p, q, sp) = (o.p, o.q, o.sp);
        let t = &self.tr;
        expand_ar(&t[..p], &t[p + q..p + q + sp], o.m, &mut self.phi);
        self.phi[o.pf()..].fill(0.0);
        self.rv.fill(0.0);
        self.rv[0] = 1.0;
        expand_ma(&t[p..p + q], &t[p + q + sp..], o.m, &mut self.rv[1..]);
        self.ar_lags.clear();
        for (i, c) in self.phi[..o.pf()].iter().enumerate() {
            if *c != 0.0 {
                self.ar_lags.push((i + 1, *c));
            }
        }
        #[cfg(test)]
        self.sparse.clear();
        #[cfg(test)]
        for i in 0..self.r {
            self.in_s[i] = self.phi[i] != 0.0 || self.rv[i] != 0.0;
            if self.in_s[i] {
                self.sparse.push(i);
            }
        }
        self.ma_lags.clear();
        for i in 0..o.qf() {
            let c = self.rv[i + 1];
            if c != 0.0 {
                self.ma_lags.push((i + 1, c));
            }
        }
    }

    /// CSS criterion 0.5·ln(SSQ/ν) at mean offset `delta` (R's `ARIMA_CSS`).
    fn css(&mut self, z: &[f64], delta: Option<f64>) -> f64 {
        let pf = self.o.pf();
        let n = z.len();
        let b0 = 1.0 - self.ar_lags.iter().map(|(_, c)| c).sum::<f64>();
        let (mut saa, mut sab, mut sbb) = (0.0, 0.0, 0.0);
        self.ea[..pf.min(n)].fill(0.0);
        self.eb[..pf.min(n)].fill(0.0);
        for l in pf..n {
            let mut ta = z[l];
            for &(lag, c) in &self.ar_lags {
                ta -= c * z[l - lag];
            }
            let mut tb = b0;
            for &(lag, c) in &self.ma_lags {
                if lag <= l {
                    ta -= c * self.ea[l - lag];
                    tb -= c * self.eb[l - lag];
                }
            }
            self.ea[l] = ta;
            self.eb[l] = tb;
            saa += ta * ta;
            sab += ta * tb;
            sbb += tb * tb;
        }
        let nu = (n - pf) as f64;
        let ssq = match delta {
            Some(d) => saa - 2.0 * d * sab + d * d * sbb,
            None => saa,
        };
        0.5 * (ssq.max(0.0) / nu).ln()
    }

    /// Row 0 of the stationary covariance of the predicted state (units of σ²), from the
    /// ARMA autocovariances γ and ψ-weights: P_0k = Σ_l φ_{k+l} γ(l+1) + r_{k+l} ψ_l, into
    /// `g`. (The other rows follow from the Lyapunov recursion P_ij = φ_iφ_j P_00 + r_i r_j
    /// + φ_i P_0,j+1 + φ_j P_0,i+1 + P_i+1,j+1; the Chandrasekhar filter needs only row 0.)
    #[allow(clippy::needless_range_loop)] // the loops follow the formulas' indices
    fn first_row(&mut self) -> bool {
        let r = self.r;
        let p = self.o.pf();
        let q = self.o.qf();
        let phi = &self.phi;
        let rv = &self.rv;
        // ψ_0..ψ_r
        for j in 0..=r {
            let mut v = if j == 0 {
                1.0
            } else if j <= q {
                rv[j]
            } else {
                0.0
            };
            for i in 1..=j.min(p) {
                v += phi[i - 1] * self.psi[j - i];
            }
            self.psi[j] = v;
        }
        // c_k = Σ_{j=k}^{q} θ_j ψ_{j−k} (θ_0 = 1)
        let c = |k: usize, psi: &[f64]| -> f64 { (k..=q).map(|j| rv[j] * psi[j - k]).sum::<f64>() };
        if p == 0 {
            for k in 0..=r {
                self.gamma[k] = if k <= q { c(k, &self.psi) } else { 0.0 };
            }
        } else {
            let np = p + 1;
            self.sys.fill(0.0);
            for k in 0..=p {
                self.sys[k * np + k] += 1.0;
                for j in 1..=p {
                    self.sys[k * np + k.abs_diff(j)] -= phi[j - 1];
                }
                self.rhs[k] = if k <= q { c(k, &self.psi) } else { 0.0 };
            }
            if lu_solve(&mut self.sys, np, &mut self.rhs, 1).is_none() {
                return false;
            }
            self.gamma[..=p].copy_from_slice(&self.rhs[..=p]);
            for k in p + 1..=r {
                let mut v = if k <= q { c(k, &self.psi) } else { 0.0 };
                for j in 1..=p {
                    v += phi[j - 1] * self.gamma[k - j];
                }
                self.gamma[k] = v;
            }
        }
        for k in 0..r {
            let mut v = 0.0;
            for l in 0..r - k {
                v += phi[k + l] * self.gamma[l + 1] + rv[k + l] * self.psi[l];
            }
            self.g[k] = v;
        }
        self.g[0] > 0.0 && self.g.iter().all(|v| v.is_finite())
    }

    /// The full stationary covariance (the reference filter in the tests needs it).
    #[cfg(test)]
    fn stationary_covariance(&mut self) -> bool {
        if !self.first_row() {
            return false;
        }
        let r = self.r;
        let (phi, rv) = (&self.phi, &self.rv);
        let out = &mut self.pnew;
        out[..r].copy_from_slice(&self.g);
        for i in (1..r).rev() {
            for j in i..r {
                let mut v = phi[i] * phi[j] * out[0] + rv[i] * rv[j];
                if j + 1 < r {
                    v += phi[i] * out[j + 1] + out[(i + 1) * r + j + 1];
                }
                if i + 1 < r {
                    v += phi[j] * out[i + 1];
                }
                out[i * r + j] = v;
            }
        }
        out[0] > 0.0 && out.iter().all(|v| v.is_finite())
    }

    /// Likelihood sums at untransformed coefficients `[φ, θ, Φ, Θ]` (tests).
    #[cfg(test)]
    pub(super) fn kalman_at(&mut self, z: &[f64], x: &[f64]) -> Option<KfSums> {
        self.load(x, false);
        self.kalman(z, false)
    }

    /// The same with the full covariance update (tests).
    #[cfg(test)]
    pub(super) fn kalman_full_at(&mut self, z: &[f64], x: &[f64]) -> Option<KfSums> {
        self.load(x, false);
        self.kalman_full(z, false)
    }

    /// Exact likelihood by the Chandrasekhar recursions (Morf, Sidhu & Kailath 1974; Herbst
    /// 2015): for a time-invariant model started at its stationary covariance P₁, the
    /// change P_{t+1} − P_t = W_t M_t W_tᵀ has rank one, so the gain g_t = P_t Z' is
    /// updated in O(r) per observation instead of the O(r²) covariance update. Same sums
    /// as [`kalman`] (the tests check it against the full-covariance filter).
    fn kalman(&mut self, z: &[f64], with_mean: bool) -> Option<KfSums> {
        if !self.first_row() {
            return None;
        }
        let r = self.r;
        let mut s = KfSums::default();
        self.aw.fill(0.0);
        self.ac.fill(0.0);
        let (ar_lags, g) = (&self.ar_lags, &mut self.g);
        let (aw, ac, w) = (&mut self.aw, &mut self.ac, &mut self.mv);
        // a ← T a: shift up by one, then the AR column (only its non-zero lags).
        let predict = |v: &mut [f64]| {
            let a0 = v[0];
            v.copy_within(1.., 0);
            v[r - 1] = 0.0;
            for &(lag, c) in ar_lags {
                v[lag - 1] += c * a0;
            }
        };
        // W₁ = T g₁, M₁ = −1/F₁.
        let f1 = g[0];
        w.copy_from_slice(g);
        predict(w);
        let mut mm = -1.0 / f1;
        let mut steady = false;
        let mut gain_product = 1.0f64;
        for (t, &zt) in z.iter().enumerate() {
            if t > 0 {
                predict(aw);
                if with_mean {
                    predict(ac);
                }
            }
            let gain = g[0];
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
                gain_product *= gain;
                if gain_product > 1e250 {
                    s.sumlog += gain_product.ln();
                    gain_product = 1.0;
                }
            }
            let kw = vw * inv;
            for (a, gi) in aw.iter_mut().zip(g.iter()) {
                *a += gi * kw;
            }
            if with_mean {
                let kc = vc * inv;
                for (a, gi) in ac.iter_mut().zip(g.iter()) {
                    *a += gi * kc;
                }
            }
            if !steady {
                // g_{t+1} = g_t + W M W₀;  F_{t+1} = g_{t+1,0};  K_{t+1} = T g_{t+1};
                // M_{t+1} = M + M² W₀² / F_t;  W_{t+1} = T W − K_{t+1} W₀ / F_{t+1}
                //                                     = T (W − g_{t+1} W₀ / F_{t+1}).
                let w0 = w[0];
                let fold = g[0];
                let c = mm * w0;
                for (gi, wi) in g.iter_mut().zip(w.iter()) {
                    *gi += wi * c;
                }
                let ratio = w0 / g[0];
                for (wi, gi) in w.iter_mut().zip(g.iter()) {
                    *wi -= ratio * gi;
                }
                predict(w);
                let biggest = w.iter().fold(0.0f64, |b, v| b.max(v * v));
                mm += mm * mm * w0 * w0 / fold;
                steady = (mm.abs() * biggest) < STEADY_TOL * 1e-4 || !mm.is_finite();
            }
        }
        if s.nu == 0 {
            return None;
        }
        s.sumlog += gain_product.ln();
        Some(s)
    }

    /// Exact likelihood pass with the full covariance update (the reference for
    /// [`Work::kalman`] in the tests).
    #[cfg(test)]
    fn kalman_full(&mut self, z: &[f64], with_mean: bool) -> Option<KfSums> {
        if !self.stationary_covariance() {
            return None;
        }
        let r = self.r;
        let mut s = KfSums::default();
        self.aw.fill(0.0);
        self.ac.fill(0.0);
        let mut steady = false;
        let mut gain_product = 1.0f64;
        let (phi, rv) = (&self.phi, &self.rv);
        let (aw, ac, mv) = (&mut self.aw, &mut self.ac, &mut self.mv);
        let (pnew, pm) = (&mut self.pnew, &mut self.pm);
        let (sparse, in_s) = (&self.sparse, &self.in_s);
        for (t, &zt) in z.iter().enumerate() {
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
                mv.copy_from_slice(rv);
                gain = 1.0;
            } else {
                if t > 0 {
                    // Pnew = T P T' + R R' (upper triangle). The shift P_{i+1,j+1} is a
                    // copy; the remaining terms r_i r_j + P_00 φ_i φ_j + φ_j P_0,i+1 +
                    // φ_i P_0,j+1 vanish unless i or j is a non-zero lag of φ or r.
                    for i in 0..r {
                        if i + 1 < r {
                            let (src, dst) = ((i + 1) * r + i + 1, i * r + i);
                            pnew[dst..dst + r - i - 1].copy_from_slice(&pm[src..src + r - i - 1]);
                        }
                        pnew[i * r + r - 1] = 0.0;
                    }
                    let p00 = pm[0];
                    let u = |i: usize| if i + 1 < r { pm[i + 1] } else { 0.0 };
                    for i in 0..r {
                        let (phi_i, rv_i, u_i) = (phi[i], rv[i], u(i));
                        if in_s[i] {
                            for j in i..r {
                                pnew[i * r + j] += rv_i * rv[j]
                                    + p00 * phi_i * phi[j]
                                    + phi[j] * u_i
                                    + phi_i * u(j);
                            }
                        } else {
                            for &j in sparse.iter().filter(|&&j| j > i) {
                                pnew[i * r + j] += rv_i * rv[j]
                                    + p00 * phi_i * phi[j]
                                    + phi[j] * u_i
                                    + phi_i * u(j);
                            }
                        }
                    }
                }
                mv.copy_from_slice(&pnew[..r]);
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
                let mut biggest = 0.0;
                for i in 0..r {
                    let f = mv[i] * inv;
                    for j in i..r {
                        pm[i * r + j] = pnew[i * r + j] - f * mv[j];
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
        Some(s)
    }
}

/// An accepted seasonal candidate.
#[derive(Debug, Clone)]
pub(super) struct SeasonalCandidate {
    pub(super) order: Order,
    pub(super) constant: bool,
    pub(super) coefs: Coefs,
    /// Mean of the differenced series (0 without a constant).
    pub(super) mean: f64,
    pub(super) sigma2: f64,
    pub(super) aicc: f64,
    /// Filtered state after the last observation (empty for CSS-only fits).
    pub(super) state: Vec<f64>,
}

/// Roots of φ(z)Φ(z^m) and θ(z)Θ(z^m) all outside `radius` (factor by factor: a root w of
/// Φ gives roots of modulus |w|^{1/m}).
fn factor_roots_outside(c: &Coefs, m: usize, radius: f64, trim: f64) -> bool {
    let neg = |v: &[f64]| -> [f64; MAXR] {
        let mut o = [0.0; MAXR];
        for (a, b) in o.iter_mut().zip(v) {
            *a = -b;
        }
        o
    };
    let sr = radius.powi(m as i32);
    roots_outside(&c.phi, radius, trim)
        && roots_outside(&c.sphi, sr, trim)
        && roots_outside(&neg(&c.theta)[..c.theta.len()], radius, trim)
        && roots_outside(&neg(&c.stheta)[..c.stheta.len()], sr, trim)
}

fn split(o: Order, x: &[f64]) -> Coefs {
    let (p, q, sp) = (o.p, o.q, o.sp);
    Coefs {
        phi: x[..p].to_vec(),
        theta: x[p..p + q].to_vec(),
        sphi: x[p + q..p + q + sp].to_vec(),
        stheta: x[p + q + sp..o.k()].to_vec(),
    }
}

/// How a candidate is scored.
#[derive(Debug, Clone, Copy)]
pub(super) enum Method {
    /// CSS then exact ML (R's `CSS-ML`).
    CssMl,
    /// CSS only, AIC = offset + n*·ln σ²_CSS + 2·npar (auto.arima's `approximation`).
    Css {
        /// auto.arima's `offset`.
        offset: f64,
    },
}

/// Estimate a seasonal candidate; `None` when auto.arima would give it an infinite IC or
/// (ML only) its AICc is not below `to_beat`.
pub(super) fn fit_seasonal(
    s: &Differenced,
    o: Order,
    constant: bool,
    method: Method,
    to_beat: f64,
) -> Option<SeasonalCandidate> {
    let z: &[f64] = if constant { &s.centred } else { s.w };
    let n_used = z.len();
    let nf = n_used as f64;
    let k = o.k();
    let kc = k + usize::from(constant);
    if kc > MAXK || o.p > MAX_ORDER || o.q > MAX_ORDER || o.sp > MAX_ORDER || o.sq > MAX_ORDER {
        return None;
    }
    if n_used <= o.pf() + 1 {
        return None;
    }
    let npar = kc + 1;
    let denom = nf - npar as f64 - 1.0;
    if denom <= 0.0 {
        return None;
    }
    let mut work = Work::new(o, n_used);
    let mut v = [0.0; MAXK];
    let mut x = [0.0; MAXK];
    let converged = if k > 0 {
        let mut css = |v: &[f64]| {
            work.load(v, false);
            let delta = constant.then(|| v[k] * s.mean_scale);
            work.css(z, delta)
        };
        minimise(&mut css, &mut v[..kc])?
    } else {
        true
    };
    if let Method::Css { offset } = method {
        // R's CSS fit keeps the optimiser's answer whether or not it converged.
        work.load(&v[..kc], false);
        let delta = if constant { v[k] * s.mean_scale } else { 0.0 };
        let value = if k > 0 || constant {
            work.css(z, constant.then_some(delta))
        } else {
            work.css(z, None)
        };
        let sigma2 = (2.0 * value).exp();
        let aic = offset + nf * sigma2.ln() + 2.0 * npar as f64;
        let aicc = aic + 2.0 * (npar * (npar + 1)) as f64 / denom;
        if !aicc.is_finite() || aicc >= to_beat {
            return None;
        }
        let coefs = split(o, &v[..k]);
        if !factor_roots_outside(&coefs, o.m, MIN_ROOT, 1e-8) {
            return None;
        }
        let m = kc;
        if m > 0 {
            let mut full = [0.0; MAXK];
            full[..k].copy_from_slice(&v[..k]);
            let mut scale = [1.0; MAXK];
            if constant {
                full[k] = delta;
                scale[k] = s.mean_scale;
            }
            let mut f = |u: &[f64]| {
                work.load(u, false);
                work.css(z, constant.then(|| u[k]))
            };
            if !coefficient_variances_defined(&mut f, &full[..m], &scale[..m], &[], n_used) {
                return None;
            }
        }
        return Some(SeasonalCandidate {
            order: o,
            constant,
            coefs,
            mean: if constant { s.wbar + delta } else { 0.0 },
            sigma2,
            aicc,
            state: Vec::new(),
        });
    }
    if k > 0 {
        if converged {
            x[..k].copy_from_slice(&v[..k]);
        }
        let c = split(o, &x[..k]);
        if !roots_outside(&c.phi, 1.0, 0.0) || !roots_outside(&c.sphi, 1.0, 0.0) {
            return None; // "non-stationary (seasonal) AR part from CSS"
        }
        for (start, len) in o.ar_blocks() {
            let mut raw = [0.0; MAXR];
            invpartrans(&x[start..start + len], &mut raw[..len]);
            x[start..start + len].copy_from_slice(&raw[..len]);
        }
        ma_invert(&mut x[o.p..o.p + o.q]);
        ma_invert(&mut x[o.p + o.q + o.sp..k]);
        if x[..k].iter().any(|v| !v.is_finite()) {
            return None;
        }
        let mut ml = |u: &[f64]| {
            work.load(u, true);
            match work.kalman(z, constant) {
                Some(sums) => sums.objective(sums.gls_offset()),
                None => f64::MAX,
            }
        };
        minimise(&mut ml, &mut x[..k])?;
    }
    ma_invert(&mut x[o.p..o.p + o.q]);
    ma_invert(&mut x[o.p + o.q + o.sp..k]);
    work.load(&x[..k], true);
    let sums = work.kalman(z, constant)?;
    let delta = if constant { sums.gls_offset() } else { 0.0 };
    let value = sums.objective(delta);
    if !value.is_finite() {
        return None;
    }
    let minus2loglik = 2.0 * nf * value + nf + nf * (2.0 * std::f64::consts::PI).ln();
    let aic = minus2loglik + 2.0 * npar as f64;
    let aicc = aic + 2.0 * (npar * (npar + 1)) as f64 / denom;
    let sigma2 = sums.all_ssq(delta) / (nf - npar as f64 + 1.0);
    if !aicc.is_finite() || !sigma2.is_finite() || aicc >= to_beat {
        return None;
    }
    let coefs = split(o, &work.tr);
    if !factor_roots_outside(&coefs, o.m, MIN_ROOT, 1e-8) {
        return None;
    }
    let m = kc;
    if m > 0 {
        let mut full = [0.0; MAXK];
        full[..k].copy_from_slice(&x[..k]);
        let mut scale = [1.0; MAXK];
        if constant {
            full[k] = delta;
            scale[k] = s.mean_scale;
        }
        let mut f = |u: &[f64]| {
            work.load(u, true);
            match work.kalman(z, constant) {
                Some(sums) => sums.objective(if constant { u[k] } else { 0.0 }),
                None => f64::MAX,
            }
        };
        let blocks = o.ar_blocks();
        if !coefficient_variances_defined(&mut f, &full[..m], &scale[..m], &blocks, n_used) {
            return None;
        }
    }
    // Final state at the estimate (the Hessian probes moved the buffers).
    work.load(&x[..k], true);
    work.kalman(z, constant)?;
    let state: Vec<f64> = (0..work.r)
        .map(|i| work.aw[i] - delta * work.ac[i])
        .collect();
    Some(SeasonalCandidate {
        order: o,
        constant,
        coefs,
        mean: if constant { s.wbar + delta } else { 0.0 },
        sigma2,
        aicc,
        state,
    })
}

/// δ with (1−B)^d(1−B^m)^D = 1 − Σ δ_i B^i.
pub(super) fn differencing_polynomial(d: usize, sd: usize, m: usize) -> Vec<f64> {
    let mut poly = vec![1.0];
    let times = |lag: usize, poly: &mut Vec<f64>| {
        let mut next = vec![0.0; poly.len() + lag];
        for (i, c) in poly.iter().enumerate() {
            next[i] += c;
            next[i + lag] -= c;
        }
        *poly = next;
    };
    for _ in 0..d {
        times(1, &mut poly);
    }
    for _ in 0..sd {
        times(m, &mut poly);
    }
    poly[1..].iter().map(|c| -c).collect()
}

/// y differenced d times at lag 1 after D times at lag m.
pub(super) fn seasonal_diff(y: &[f64], d: usize, sd: usize, m: usize) -> Vec<f64> {
    let mut w = y.to_vec();
    for _ in 0..sd {
        w = (m..w.len()).map(|t| w[t] - w[t - m]).collect();
    }
    diff(&w, d)
}

impl SeasonalCandidate {
    /// The fitted model for the undifferenced series `y`.
    pub(super) fn into_fitted(self, d: usize, sd: usize, y: &[f64]) -> FittedArima {
        let o = self.order;
        let r = o.r();
        let mut full_phi = vec![0.0; r];
        expand_ar(&self.coefs.phi, &self.coefs.sphi, o.m, &mut full_phi);
        let mut rv = vec![0.0; r];
        rv[0] = 1.0;
        expand_ma(&self.coefs.theta, &self.coefs.stheta, o.m, &mut rv[1..]);
        let delta = differencing_polynomial(d, sd, o.m);
        let history = y[y.len() - delta.len()..].to_vec();
        let mut state = self.state;
        state.resize(r, 0.0);
        FittedArima {
            p: o.p,
            d,
            q: o.q,
            phi: self.coefs.phi,
            theta: self.coefs.theta,
            constant: self.constant,
            mean: self.mean,
            sigma2: self.sigma2,
            aicc: self.aicc,
            state,
            last: Vec::new(),
            seasonal: Some(Box::new(SeasonalPart {
                m: o.m,
                sp: o.sp,
                sd,
                sq: o.sq,
                sphi: self.coefs.sphi,
                stheta: self.coefs.stheta,
                full_phi,
                rv,
                delta,
                history,
            })),
        }
    }
}

impl SeasonalPart {
    /// ψ-weights ψ₀..ψ_{h−1} of θ(B)Θ(B^m) / (φ(B)Φ(B^m)(1−B)^d(1−B^m)^D).
    pub(super) fn psi_weights(&self, h: usize) -> Vec<f64> {
        // AR side: 1 − Σ a_i B^i = (1 − Σ φ*_i B^i)(1 − Σ δ_i B^i).
        let mut ar = vec![0.0; self.full_phi.len() + self.delta.len() + 1];
        ar[0] = 1.0;
        let mut left = vec![1.0];
        left.extend(self.full_phi.iter().map(|c| -c));
        let mut right = vec![1.0];
        right.extend(self.delta.iter().map(|c| -c));
        for (i, a) in left.iter().enumerate() {
            for (j, b) in right.iter().enumerate() {
                if i + j > 0 {
                    ar[i + j] += a * b;
                }
            }
        }
        let phi_star: Vec<f64> = ar[1..].iter().map(|c| -c).collect();
        let mut psi = vec![0.0; h];
        for j in 0..h {
            let mut v = if j < self.rv.len() { self.rv[j] } else { 0.0 };
            for (i, c) in phi_star.iter().enumerate().take(j) {
                v += c * psi[j - i - 1];
            }
            psi[j] = v;
        }
        psi
    }

    /// Run the state `h` steps with the given shocks and undifference.
    pub(super) fn run(
        &self,
        state: &[f64],
        mean: f64,
        h: usize,
        mut shock: impl FnMut() -> f64,
    ) -> Vec<f64> {
        let r = self.rv.len();
        let mut a = state.to_vec();
        let nd = self.delta.len();
        let mut hist = self.history.clone();
        let mut out = Vec::with_capacity(h);
        for _ in 0..h {
            let e = shock();
            let a0 = a[0];
            for i in 0..r {
                let next = if i + 1 < r { a[i + 1] } else { 0.0 };
                a[i] = next + self.full_phi[i] * a0 + self.rv[i] * e;
            }
            let mut v = mean + a[0];
            let len = hist.len();
            for (i, dl) in self.delta.iter().enumerate() {
                v += dl * hist[len - 1 - i];
            }
            if nd > 0 {
                hist.push(v);
            }
            out.push(v);
        }
        out
    }
}
