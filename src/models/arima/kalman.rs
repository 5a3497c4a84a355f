//! Harvey's state-space form of an ARMA and the exact Gaussian likelihood by Kalman filter.

use super::*;

// ---------------------------------------------------------------------------------------
// ARMA state space and the exact likelihood
// ---------------------------------------------------------------------------------------

/// ARMA coefficients padded to the state dimension r = max(p, q + 1), on the stack.
#[derive(Debug, Clone, Copy)]
pub(super) struct Arma {
    pub(super) p: usize,
    pub(super) q: usize,
    pub(super) r: usize,
    pub(super) phi: [f64; MAXR],
    pub(super) theta: [f64; MAXR],
}

impl Arma {
    pub(super) fn new(phi: &[f64], theta: &[f64]) -> Self {
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
    pub(super) fn rvec(&self) -> [f64; MAXR] {
        // θ is zero-padded beyond q ≤ r − 1.
        let mut v = [0.0; MAXR];
        v[0] = 1.0;
        v[1..].copy_from_slice(&self.theta[..MAXR - 1]);
        v
    }

    /// Stationary state covariance (in units of σ²): the solution of P = T P T' + R R'.
    pub(super) fn stationary_covariance(&self, out: &mut [f64; MAXR * MAXR]) -> bool {
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
pub(super) struct KfSums {
    /// Σ v_z²/F, Σ v_z v_1/F, Σ v_1²/F over the observations used in the likelihood.
    pub(super) sww: f64,
    pub(super) swc: f64,
    pub(super) scc: f64,
    /// Σ ln F and their count ν.
    pub(super) sumlog: f64,
    pub(super) nu: usize,
    /// The same sums over every observation (for the residual variance).
    pub(super) tww: f64,
    pub(super) twc: f64,
    pub(super) tcc: f64,
    /// Filtered states after the last observation for z and for the ones column.
    pub(super) aw: [f64; MAXR],
    pub(super) ac: [f64; MAXR],
}

impl KfSums {
    /// GLS estimate of the mean offset: it minimises the (profile) criterion exactly.
    pub(super) fn gls_offset(&self) -> f64 {
        if self.scc > 1e-12 * self.nu as f64 {
            self.swc / self.scc
        } else {
            0.0
        }
    }

    /// R's `armafn`: 0.5·(ln(SSQ/ν) + Σ ln F / ν) at mean offset δ.
    pub(super) fn objective(&self, delta: f64) -> f64 {
        let nu = self.nu as f64;
        let ssq = (self.sww - 2.0 * delta * self.swc + delta * delta * self.scc).max(0.0);
        0.5 * ((ssq / nu).ln() + self.sumlog / nu)
    }

    /// Σ of squared standardised residuals over all observations at offset δ.
    pub(super) fn all_ssq(&self, delta: f64) -> f64 {
        (self.tww - 2.0 * delta * self.twc + delta * delta * self.tcc).max(0.0)
    }
}

/// Exact Gaussian likelihood pass (R's `ARIMA_Like` for d = 0) on Harvey's state-space
/// form; allocation-free. `None` if the parameters give no valid stationary start.
pub(super) fn kalman(z: &[f64], arma: &Arma, with_mean: bool) -> Option<KfSums> {
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
