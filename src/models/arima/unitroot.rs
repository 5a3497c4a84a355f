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

// ---------------------------------------------------------------------------------------
// Seasonal differencing: seasonal strength from STL (R `nsdiffs(test = "seas")`)
// ---------------------------------------------------------------------------------------

/// Seasonal strength above which `nsdiffs(test = "seas")` takes a seasonal difference.
pub const SEASONAL_STRENGTH_THRESHOLD: f64 = 0.64;

/// Number of seasonal differences (0 or 1) as R's `nsdiffs(x, test = "seas", max.D = 1)`:
/// 1 if the seasonal strength [`seasonal_strength`] exceeds 0.64.
pub fn nsdiffs(y: &[f64], m: usize) -> usize {
    if m < 2 || is_constant(y) || m >= y.len() {
        return 0;
    }
    match seasonal_strength(y, m) {
        Some(s) if s > SEASONAL_STRENGTH_THRESHOLD => 1,
        _ => 0,
    }
}

/// Seasonal strength max(0, min(1, 1 − Var(R)/Var(R + S))) of the STL decomposition R's
/// `mstl` gives for a single season (`stl(s.window = 11)`, other arguments at R's
/// defaults). `None` when STL is undefined (fewer than two full seasons).
pub fn seasonal_strength(y: &[f64], m: usize) -> Option<f64> {
    let (season, trend) = stl(y, m, 11)?;
    let rem: Vec<f64> = (0..y.len()).map(|i| y[i] - season[i] - trend[i]).collect();
    let rs: Vec<f64> = rem.iter().zip(&season).map(|(r, s)| r + s).collect();
    let var = |x: &[f64]| {
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)
    };
    let (vr, vrs) = (var(&rem), var(&rs));
    if vrs.is_nan() || vrs <= 0.0 {
        return Some(0.0);
    }
    Some((1.0 - vr / vrs).clamp(0.0, 1.0))
}

fn next_odd(x: usize) -> usize {
    if x.is_multiple_of(2) { x + 1 } else { x }
}

/// R's `stl(x, s.window)` without robustness iterations (Cleveland et al. 1990; a port of
/// the netlib Fortran `stl.f`): s.degree 0, t.degree = l.degree = 1, R's default windows and
/// jumps, two inner passes. Returns (seasonal, trend).
pub fn stl(y: &[f64], np: usize, s_window: usize) -> Option<(Vec<f64>, Vec<f64>)> {
    let n = y.len();
    if np < 2 || n <= 2 * np {
        return None;
    }
    let ns = next_odd(s_window.max(3));
    let t_window = (1.5 * np as f64 / (1.0 - 1.5 / ns as f64)).ceil() as usize;
    let nt = next_odd(next_odd(t_window).max(3));
    let nl = next_odd(next_odd(np).max(3));
    let (isdeg, itdeg, ildeg) = (0, 1, 1);
    let jump = |w: usize| w.div_ceil(10);
    let (nsjump, ntjump, nljump) = (jump(ns), jump(nt), jump(nl));
    let mut season = vec![0.0; n];
    let mut trend = vec![0.0; n];
    let len = n + 2 * np;
    let mut w1 = vec![0.0; len];
    let mut w2 = vec![0.0; len];
    let mut w3 = vec![0.0; len];
    let mut w4 = vec![0.0; len];
    let mut w5 = vec![0.0; len];
    for _ in 0..2 {
        for i in 0..n {
            w1[i] = y[i] - trend[i];
        }
        stlss(
            &w1[..n],
            np,
            ns,
            isdeg,
            nsjump,
            &mut w2,
            &mut w3,
            &mut w4,
            &mut w5,
        );
        stlfts(&w2, np, &mut w3, &mut w1);
        stless(&w3[..n], nl, ildeg, nljump, &mut w1[..n], &mut w4);
        for i in 0..n {
            season[i] = w2[np + i] - w1[i];
        }
        for i in 0..n {
            w1[i] = y[i] - season[i];
        }
        stless(&w1[..n], nt, itdeg, ntjump, &mut trend, &mut w3);
    }
    Some((season, trend))
}

/// Loess fit at `xs` (1-based) over y[nleft-1..nright] (R's `stlest`); `None` if all
/// weights vanish.
fn stlest(
    y: &[f64],
    len: usize,
    ideg: usize,
    xs: f64,
    nleft: usize,
    nright: usize,
    w: &mut [f64],
) -> Option<f64> {
    let n = y.len();
    let range = n as f64 - 1.0;
    let mut h = (xs - nleft as f64).max(nright as f64 - xs);
    if len > n {
        h += ((len - n) / 2) as f64;
    }
    let h9 = 0.999 * h;
    let h1 = 0.001 * h;
    let mut a = 0.0;
    for j in nleft..=nright {
        w[j - 1] = 0.0;
        let r = (j as f64 - xs).abs();
        if r <= h9 {
            w[j - 1] = if r <= h1 {
                1.0
            } else {
                (1.0 - (r / h).powi(3)).powi(3)
            };
            a += w[j - 1];
        }
    }
    if a <= 0.0 {
        return None;
    }
    for j in nleft..=nright {
        w[j - 1] /= a;
    }
    if h > 0.0 && ideg > 0 {
        let mut a = 0.0;
        for j in nleft..=nright {
            a += w[j - 1] * j as f64;
        }
        let mut b = xs - a;
        let mut c = 0.0;
        for j in nleft..=nright {
            c += w[j - 1] * (j as f64 - a).powi(2);
        }
        if c.sqrt() > 0.001 * range {
            b /= c;
            for j in nleft..=nright {
                w[j - 1] *= b * (j as f64 - a) + 1.0;
            }
        }
    }
    let mut ys = 0.0;
    for j in nleft..=nright {
        ys += w[j - 1] * y[j - 1];
    }
    Some(ys)
}

/// Loess smoothing of y with interpolation between every `njump`-th point (R's `stless`).
fn stless(y: &[f64], len: usize, ideg: usize, njump: usize, ys: &mut [f64], res: &mut [f64]) {
    let n = y.len();
    if n < 2 {
        ys[0] = y[0];
        return;
    }
    let newnj = njump.min(n - 1);
    let (mut nleft, mut nright) = (1usize, n);
    if len >= n {
        let mut i = 1;
        while i <= n {
            ys[i - 1] = stlest(y, len, ideg, i as f64, 1, n, res).unwrap_or(y[i - 1]);
            i += newnj;
        }
    } else if newnj == 1 {
        let nsh = len.div_ceil(2);
        nleft = 1;
        nright = len;
        for i in 1..=n {
            if i > nsh && nright != n {
                nleft += 1;
                nright += 1;
            }
            ys[i - 1] = stlest(y, len, ideg, i as f64, nleft, nright, res).unwrap_or(y[i - 1]);
        }
    } else {
        let nsh = len.div_ceil(2);
        let mut i = 1;
        while i <= n {
            if i < nsh {
                nleft = 1;
                nright = len;
            } else if i > n - nsh {
                nleft = n - len + 1;
                nright = n;
            } else {
                nleft = i - nsh + 1;
                nright = len + i - nsh;
            }
            ys[i - 1] = stlest(y, len, ideg, i as f64, nleft, nright, res).unwrap_or(y[i - 1]);
            i += newnj;
        }
    }
    if newnj != 1 {
        let mut i = 1;
        while i <= n - newnj {
            let delta = (ys[i + newnj - 1] - ys[i - 1]) / newnj as f64;
            for j in i + 1..i + newnj {
                ys[j - 1] = ys[i - 1] + delta * (j - i) as f64;
            }
            i += newnj;
        }
        let k = ((n - 1) / newnj) * newnj + 1;
        if k != n {
            ys[n - 1] = stlest(y, len, ideg, n as f64, nleft, nright, res).unwrap_or(y[n - 1]);
            if k != n - 1 {
                let delta = (ys[n - 1] - ys[k - 1]) / (n - k) as f64;
                for j in k + 1..n {
                    ys[j - 1] = ys[k - 1] + delta * (j - k) as f64;
                }
            }
        }
    }
}

/// Cycle-subseries smoothing (R's `stlss`): `season` gets n + 2·np values.
#[allow(clippy::too_many_arguments)]
fn stlss(
    y: &[f64],
    np: usize,
    ns: usize,
    isdeg: usize,
    nsjump: usize,
    season: &mut [f64],
    work1: &mut [f64],
    work2: &mut [f64],
    work4: &mut [f64],
) {
    let n = y.len();
    for j in 1..=np {
        let k = (n - j) / np + 1;
        for i in 1..=k {
            work1[i - 1] = y[(i - 1) * np + j - 1];
        }
        // work2[1..=k] are the smoothed values, work2[0] and work2[k+1] the end points.
        {
            let (head, tail) = work2.split_at_mut(1);
            stless(&work1[..k], ns, isdeg, nsjump, &mut tail[..k], work4);
            let _ = head;
        }
        let nright = ns.min(k);
        work2[0] = stlest(&work1[..k], ns, isdeg, 0.0, 1, nright, work4).unwrap_or(work2[1]);
        let nleft = if k + 1 > ns { k - ns + 1 } else { 1 };
        work2[k + 1] =
            stlest(&work1[..k], ns, isdeg, (k + 1) as f64, nleft, k, work4).unwrap_or(work2[k]);
        for m in 1..=k + 2 {
            season[(m - 1) * np + j - 1] = work2[m - 1];
        }
    }
}

/// Moving average of length `len` (R's `stlma`): `ave` gets x.len() − len + 1 values.
fn stlma(x: &[f64], len: usize, ave: &mut [f64]) {
    let newn = x.len() - len + 1;
    let flen = len as f64;
    let mut v: f64 = x[..len].iter().sum();
    ave[0] = v / flen;
    for j in 1..newn {
        v = v - x[j - 1] + x[len + j - 1];
        ave[j] = v / flen;
    }
}

/// The low-pass filter: moving averages of lengths np, np and 3 (R's `stlfts`).
fn stlfts(x: &[f64], np: usize, trend: &mut [f64], work: &mut [f64]) {
    let n = x.len();
    stlma(x, np, trend);
    stlma(&trend[..n - np + 1], np, work);
    stlma(&work[..n - 2 * np + 2], 3, trend);
}
