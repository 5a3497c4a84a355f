//! Small dense linear algebra for the regression-style models and reconciliation (a few
//! parameters at most; linfa fits the models, this gives the (XᵀX)⁻¹ behind their intervals),
//! plus the in-place LU solve and the polynomial-root tools ARIMA estimation runs in its
//! inner loops (allocation-free, on caller-provided slices).

/// OLS intercept and slope of `y` on `t = 1, …, n` (n ≥ 2).
pub fn ols_line(y: &[f64]) -> (f64, f64) {
    let n = y.len() as f64;
    let tbar = (n + 1.0) / 2.0;
    let ybar = y.iter().sum::<f64>() / n;
    let (mut sty, mut stt) = (0.0, 0.0);
    for (i, v) in y.iter().enumerate() {
        let dt = i as f64 + 1.0 - tbar;
        sty += dt * (v - ybar);
        stt += dt * dt;
    }
    let b = if stt > 0.0 { sty / stt } else { 0.0 };
    (ybar - b * tbar, b)
}

/// Invert a small square matrix by Gauss–Jordan elimination with partial pivoting;
/// `None` when it is (numerically) singular.
pub fn invert(mut a: Vec<Vec<f64>>) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut inv: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| f64::from(u8::from(i == j))).collect())
        .collect();
    for c in 0..n {
        let p = (c..n).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        if a[p][c].abs() < 1e-12 {
            return None;
        }
        a.swap(c, p);
        inv.swap(c, p);
        let d = a[c][c];
        for j in 0..n {
            a[c][j] /= d;
            inv[c][j] /= d;
        }
        for r in 0..n {
            if r != c {
                let f = a[r][c];
                for j in 0..n {
                    a[r][j] -= f * a[c][j];
                    inv[r][j] -= f * inv[c][j];
                }
            }
        }
    }
    Some(inv)
}

/// XᵀX of the design rows (the Gram matrix behind OLS prediction variances).
pub fn gram<'a>(rows: impl IntoIterator<Item = &'a [f64]>, p: usize) -> Vec<Vec<f64>> {
    let mut g = vec![vec![0.0; p]; p];
    for r in rows {
        for a in 0..p {
            for b in 0..p {
                g[a][b] += r[a] * r[b];
            }
        }
    }
    g
}

/// xᵀ M x.
pub fn quadratic_form(x: &[f64], m: &[Vec<f64>]) -> f64 {
    x.iter()
        .enumerate()
        .map(|(a, xa)| {
            x.iter()
                .enumerate()
                .map(|(b, xb)| xa * m[a][b] * xb)
                .sum::<f64>()
        })
        .sum()
}

/// Largest polynomial degree [`roots_outside`] handles (its work arrays live on the stack).
pub const POLY_MAX: usize = 32;

/// Solve A X = B in place (A n×n row-major, B n×nrhs row-major) by Gaussian elimination
/// with partial pivoting. Returns min|pivot| / max|pivot| (a crude reciprocal condition
/// number) or `None` for a zero or non-finite pivot.
pub fn lu_solve(a: &mut [f64], n: usize, b: &mut [f64], nrhs: usize) -> Option<f64> {
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

/// True if every root of 1 − Σ c_i z^i has modulus greater than `radius` (Schur–Cohn
/// step-down test on the rescaled coefficients c_i·radius^i). Trailing coefficients with
/// |c| ≤ `trim` are dropped first, as R does before `polyroot`.
pub fn roots_outside(c: &[f64], radius: f64, trim: f64) -> bool {
    let Some(last) = c.iter().rposition(|v| v.abs() > trim) else {
        return true;
    };
    let p = last + 1;
    assert!(
        p <= POLY_MAX,
        "roots_outside handles degree at most {POLY_MAX}"
    );
    let mut cur = [0.0; POLY_MAX];
    let mut scale = 1.0;
    for i in 0..p {
        scale *= radius;
        cur[i] = c[i] * scale;
    }
    let mut work = [0.0; POLY_MAX];
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

/// Minimal complex arithmetic for [`poly_roots`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Cx(pub(crate) f64, pub(crate) f64);

impl Cx {
    pub(crate) fn add(self, o: Cx) -> Cx {
        Cx(self.0 + o.0, self.1 + o.1)
    }
    pub(crate) fn sub(self, o: Cx) -> Cx {
        Cx(self.0 - o.0, self.1 - o.1)
    }
    pub(crate) fn mul(self, o: Cx) -> Cx {
        Cx(self.0 * o.0 - self.1 * o.1, self.0 * o.1 + self.1 * o.0)
    }
    pub(crate) fn div(self, o: Cx) -> Cx {
        let d = o.0 * o.0 + o.1 * o.1;
        Cx(
            (self.0 * o.0 + self.1 * o.1) / d,
            (self.1 * o.0 - self.0 * o.1) / d,
        )
    }
    pub(crate) fn abs(self) -> f64 {
        self.0.hypot(self.1)
    }
}

/// Roots of Σ_{i=0}^{m} a_i z^i (a_m ≠ 0) by Durand–Kerner iteration.
pub(crate) fn poly_roots(a: &[f64], roots: &mut [Cx]) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_matrices_invert_exactly() {
        let inv = invert(vec![vec![4.0, 7.0], vec![2.0, 6.0]]).unwrap();
        assert!((inv[0][0] - 0.6).abs() < 1e-12 && (inv[0][1] + 0.7).abs() < 1e-12);
        assert!(invert(vec![vec![1.0, 2.0], vec![2.0, 4.0]]).is_none());
    }

    #[test]
    fn the_gram_matrix_sums_outer_products() {
        let rows = [vec![1.0, 2.0], vec![1.0, 3.0]];
        assert_eq!(
            gram(rows.iter().map(Vec::as_slice), 2),
            vec![vec![2.0, 5.0], vec![5.0, 13.0]]
        );
    }

    #[test]
    fn the_quadratic_form_of_the_identity_is_the_squared_norm() {
        let id = vec![vec![1.0, 0.0], vec![0.0, 1.0]];
        assert_eq!(quadratic_form(&[3.0, 4.0], &id), 25.0);
    }
}
