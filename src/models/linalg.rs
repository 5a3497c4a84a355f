//! Small dense linear algebra for the regression-style models and reconciliation (a few
//! parameters at most; linfa fits the models, this gives the (XᵀX)⁻¹ behind their intervals).

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
