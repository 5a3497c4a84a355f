//! Differencing tests: KPSS for d (R `ndiffs`).

use super::*;

// ---------------------------------------------------------------------------------------
// Unit-root test
// ---------------------------------------------------------------------------------------

/// R's `is.constant`: all values equal to the first within `all.equal` tolerance 1.5e-8.
pub(super) fn is_constant(x: &[f64]) -> bool {
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
