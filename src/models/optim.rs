//! A small bounded Nelder–Mead minimiser for likelihood fits (a handful of parameters).
//! Bounds are enforced by projecting every trial point into the box.

/// Options for [`nelder_mead`].
#[derive(Debug, Clone, Copy)]
pub struct NmOptions {
    /// Maximum objective evaluations.
    pub max_evals: usize,
    /// Stop when the spread of simplex values falls below this (relative).
    pub tol: f64,
}

impl Default for NmOptions {
    fn default() -> Self {
        Self {
            max_evals: 2000,
            tol: 1e-10,
        }
    }
}

/// Minimise `f` from `x0` inside `[lower, upper]`. Returns (argmin, min).
pub fn nelder_mead<F: FnMut(&[f64]) -> f64>(
    mut f: F,
    x0: &[f64],
    lower: &[f64],
    upper: &[f64],
    opts: NmOptions,
) -> (Vec<f64>, f64) {
    let d = x0.len();
    let clamp = |x: &mut [f64]| {
        for i in 0..x.len() {
            x[i] = x[i].clamp(lower[i], upper[i]);
        }
    };
    let mut eval = |x: &[f64], count: &mut usize| {
        *count += 1;
        let v = f(x);
        if v.is_finite() { v } else { f64::INFINITY }
    };
    let mut evals = 0usize;
    let mut simplex: Vec<Vec<f64>> = Vec::with_capacity(d + 1);
    let mut start = x0.to_vec();
    clamp(&mut start);
    simplex.push(start.clone());
    for i in 0..d {
        let mut p = start.clone();
        let span = upper[i] - lower[i];
        let step = if span.is_finite() {
            0.1 * span
        } else {
            0.1 * p[i].abs().max(1e-2)
        };
        p[i] += step;
        if p[i] > upper[i] {
            p[i] = start[i] - step;
        }
        clamp(&mut p);
        simplex.push(p);
    }
    let mut values: Vec<f64> = simplex.iter().map(|p| eval(p, &mut evals)).collect();
    while evals < opts.max_evals {
        let mut order: Vec<usize> = (0..=d).collect();
        order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
        simplex = order.iter().map(|&i| simplex[i].clone()).collect();
        values = order.iter().map(|&i| values[i]).collect();
        let (best, worst) = (values[0], values[d]);
        if (worst - best).abs() <= opts.tol * (best.abs() + opts.tol) {
            break;
        }
        let centroid: Vec<f64> = (0..d)
            .map(|j| simplex[..d].iter().map(|p| p[j]).sum::<f64>() / d as f64)
            .collect();
        let point = |t: f64| -> Vec<f64> {
            let mut p: Vec<f64> = (0..d)
                .map(|j| centroid[j] + t * (simplex[d][j] - centroid[j]))
                .collect();
            clamp(&mut p);
            p
        };
        let xr = point(-1.0);
        let fr = eval(&xr, &mut evals);
        if fr < values[0] {
            let xe = point(-2.0);
            let fe = eval(&xe, &mut evals);
            if fe < fr {
                simplex[d] = xe;
                values[d] = fe;
            } else {
                simplex[d] = xr;
                values[d] = fr;
            }
        } else if fr < values[d - 1] {
            simplex[d] = xr;
            values[d] = fr;
        } else {
            let (xc, fc) = if fr < values[d] {
                let x = point(-0.5);
                let v = eval(&x, &mut evals);
                (x, v)
            } else {
                let x = point(0.5);
                let v = eval(&x, &mut evals);
                (x, v)
            };
            if fc < values[d].min(fr) {
                simplex[d] = xc;
                values[d] = fc;
            } else {
                for i in 1..=d {
                    let mut p: Vec<f64> = (0..d)
                        .map(|j| simplex[0][j] + 0.5 * (simplex[i][j] - simplex[0][j]))
                        .collect();
                    clamp(&mut p);
                    values[i] = eval(&p, &mut evals);
                    simplex[i] = p;
                }
            }
        }
    }
    let best = (0..=d)
        .min_by(|&a, &b| values[a].total_cmp(&values[b]))
        .unwrap_or(0);
    (simplex[best].clone(), values[best])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_a_shifted_bowl() {
        let (x, v) = nelder_mead(
            |x| (x[0] - 0.3).powi(2) + 2.0 * (x[1] + 1.5).powi(2),
            &[0.0, 0.0],
            &[-5.0, -5.0],
            &[5.0, 5.0],
            NmOptions::default(),
        );
        assert!(
            (x[0] - 0.3).abs() < 1e-4 && (x[1] + 1.5).abs() < 1e-4,
            "{x:?}"
        );
        assert!(v < 1e-8);
    }

    #[test]
    fn respects_bounds_when_the_minimum_lies_outside() {
        let (x, _) = nelder_mead(
            |x| (x[0] - 3.0).powi(2),
            &[0.5],
            &[0.0],
            &[1.0],
            NmOptions::default(),
        );
        assert!((x[0] - 1.0).abs() < 1e-6, "{x:?}");
    }
}
