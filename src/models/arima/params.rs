//! Parametrisations R's `arima` optimises in: PACF transform for AR parts, MA root reflection.

use super::*;

// ---------------------------------------------------------------------------------------
// Parametrisation, roots
// ---------------------------------------------------------------------------------------

/// R's `partrans`: unconstrained values → PACF (tanh) → stationary AR coefficients.
pub(super) fn partrans(raw: &[f64], out: &mut [f64]) {
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
pub(super) fn invpartrans(phi: &[f64], out: &mut [f64]) {
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

/// R's `maInvert`: reflect roots of 1 + Σ θ_i z^i lying inside the unit circle, giving the
/// invertible MA with the same autocorrelations.
pub(super) fn ma_invert(ma: &mut [f64]) {
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
