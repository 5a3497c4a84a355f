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
///
/// Standard Nelder–Mead (reflection 1, expansion 2, contraction ½, shrink ½) with every
/// trial point projected into the box. The loop allocates nothing: it is the inner loop of
/// every likelihood fit.
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
    let mut evals = 0usize;
    let mut eval = |x: &[f64], count: &mut usize| {
        *count += 1;
        let v = f(x);
        if v.is_finite() { v } else { f64::INFINITY }
    };
    let mut start = x0.to_vec();
    clamp(&mut start);
    // the simplex as (value, vertex) pairs, best first after each sort
    let mut simplex: Vec<(f64, Vec<f64>)> = Vec::with_capacity(d + 1);
    simplex.push((eval(&start, &mut evals), start.clone()));
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
        simplex.push((eval(&p, &mut evals), p));
    }
    let mut centroid = vec![0.0; d];
    let (mut xr, mut xe, mut xc) = (vec![0.0; d], vec![0.0; d], vec![0.0; d]);
    let along = |out: &mut [f64], centroid: &[f64], worst: &[f64], t: f64| {
        for j in 0..d {
            out[j] = centroid[j] + t * (worst[j] - centroid[j]);
        }
        clamp(out);
    };
    while evals < opts.max_evals {
        simplex.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (best, worst) = (simplex[0].0, simplex[d].0);
        if (worst - best).abs() <= opts.tol * (best.abs() + opts.tol) {
            break;
        }
        for (j, c) in centroid.iter_mut().enumerate() {
            *c = simplex[..d].iter().map(|p| p.1[j]).sum::<f64>() / d as f64;
        }
        along(&mut xr, &centroid, &simplex[d].1, -1.0);
        let fr = eval(&xr, &mut evals);
        if fr < simplex[0].0 {
            along(&mut xe, &centroid, &simplex[d].1, -2.0);
            let fe = eval(&xe, &mut evals);
            if fe < fr {
                simplex[d].0 = fe;
                simplex[d].1.copy_from_slice(&xe);
            } else {
                simplex[d].0 = fr;
                simplex[d].1.copy_from_slice(&xr);
            }
        } else if fr < simplex[d - 1].0 {
            simplex[d].0 = fr;
            simplex[d].1.copy_from_slice(&xr);
        } else {
            let t = if fr < simplex[d].0 { -0.5 } else { 0.5 };
            along(&mut xc, &centroid, &simplex[d].1, t);
            let fc = eval(&xc, &mut evals);
            if fc < simplex[d].0.min(fr) {
                simplex[d].0 = fc;
                simplex[d].1.copy_from_slice(&xc);
            } else {
                let (b0, rest) = simplex.split_at_mut(1);
                for v in rest.iter_mut() {
                    for j in 0..d {
                        v.1[j] = b0[0].1[j] + 0.5 * (v.1[j] - b0[0].1[j]);
                    }
                    clamp(&mut v.1);
                    v.0 = eval(&v.1, &mut evals);
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (value, point) = simplex.swap_remove(0);
    (point, value)
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
