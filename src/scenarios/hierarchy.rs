//! Regions and the worldwide total: forecasts of the four WSTS regions reconciled with the
//! worldwide forecast so that the regions add up.
//!
//! * **bottom-up**: worldwide = Σ region forecasts.
//! * **MinT (shrink)**: trace minimisation (Wickramasuriya, Athanasopoulos & Hyndman 2019):
//!   bottom = (SᵀW⁻¹S)⁻¹SᵀW⁻¹ŷ for the stacked base forecasts ŷ = [world, regions], with
//!   S = [1ᵀ; I]. W is the covariance of one-step forecast errors, estimated from rolling
//!   origins (each fit sees only data before its origin) and shrunk toward its diagonal with
//!   the Schäfer & Strimmer (2005) intensity. Negative reconciled regions are set to zero and
//!   the total recomputed, so results are non-negative.

use crate::error::{Error, Result};
use crate::evaluation::select::{ModelChoice, fit_choice};
use crate::models::linalg::invert;
use serde::Serialize;

/// Reconciled forecasts for h steps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reconciled {
    /// Base (unreconciled) forecasts: `base[0]` worldwide, then regions; each of length h.
    pub base: Vec<Vec<f64>>,
    /// Bottom-up worldwide total.
    pub bottom_up_total: Vec<f64>,
    /// MinT-reconciled regions.
    pub mint_regions: Vec<Vec<f64>>,
    /// MinT-reconciled total (= Σ regions).
    pub mint_total: Vec<f64>,
    /// Shrinkage intensity used (0 = sample covariance, 1 = diagonal).
    pub shrinkage: f64,
    /// Rolling origins behind W.
    pub origins: usize,
}

/// Schäfer–Strimmer shrinkage of the error covariance toward its diagonal.
/// `errors[k][i]`: origin k, series i. Returns (W, λ).
pub fn shrunk_covariance(errors: &[Vec<f64>]) -> (Vec<Vec<f64>>, f64) {
    let k = errors.len();
    let m = errors.first().map(Vec::len).unwrap_or(0);
    let kf = k as f64;
    let mean: Vec<f64> = (0..m)
        .map(|i| errors.iter().map(|e| e[i]).sum::<f64>() / kf)
        .collect();
    let cov = |i: usize, j: usize| {
        errors
            .iter()
            .map(|e| (e[i] - mean[i]) * (e[j] - mean[j]))
            .sum::<f64>()
            / (kf - 1.0).max(1.0)
    };
    let sample: Vec<Vec<f64>> = (0..m)
        .map(|i| (0..m).map(|j| cov(i, j)).collect())
        .collect();
    let sd: Vec<f64> = (0..m).map(|i| sample[i][i].sqrt().max(1e-12)).collect();
    // standardised products
    let (mut num, mut den) = (0.0, 0.0);
    for i in 0..m {
        for j in 0..m {
            if i == j {
                continue;
            }
            let w: Vec<f64> = errors
                .iter()
                .map(|e| (e[i] - mean[i]) / sd[i] * (e[j] - mean[j]) / sd[j])
                .collect();
            let wbar = w.iter().sum::<f64>() / kf;
            let var = kf / (kf - 1.0).powi(3).max(1.0)
                * w.iter().map(|x| (x - wbar).powi(2)).sum::<f64>();
            let r = wbar * kf / (kf - 1.0).max(1.0);
            num += var;
            den += r * r;
        }
    }
    let lambda = if den > 0.0 {
        (num / den).clamp(0.0, 1.0)
    } else {
        1.0
    };
    let w = (0..m)
        .map(|i| {
            (0..m)
                .map(|j| {
                    if i == j {
                        sample[i][j]
                    } else {
                        (1.0 - lambda) * sample[i][j]
                    }
                })
                .collect()
        })
        .collect();
    (w, lambda)
}

/// The MinT projection: bottom = `p` · [world, regions] for stacked base forecasts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Projection {
    /// (m−1) × m matrix: row j gives region j from the stacked base forecasts.
    pub p: Vec<Vec<f64>>,
    /// Shrinkage intensity used (0 = sample covariance, 1 = diagonal).
    pub shrinkage: f64,
    /// Rolling origins behind W.
    pub origins: usize,
    /// How a total held fixed shares out its difference from the regions' sum: region
    /// j gets `allocation[j]` of it (Σ = 1). The GLS solution with the total's error
    /// variance taken as zero, `W_r·1 / (1ᵀ·W_r·1)` for the regions' block `W_r` of W
    /// ([`Projection::apply_pinned`]); a negative weight (possible with negative
    /// covariances) is set to zero and the rest rescaled.
    pub allocation: Vec<f64>,
}

/// The regions' share of a fixed total's difference: `W_r·1 / (1ᵀ·W_r·1)` over the regions'
/// block of `w` (rows and columns 1..), negative weights set to zero and the rest
/// rescaled; equal shares when nothing is left.
fn allocation(w: &[Vec<f64>]) -> Vec<f64> {
    let b = w.len().saturating_sub(1);
    let row: Vec<f64> = (1..=b)
        .map(|i| (1..=b).map(|j| w[i][j]).sum::<f64>().max(0.0))
        .collect();
    let sum: f64 = row.iter().sum();
    if sum > 0.0 && sum.is_finite() {
        row.iter().map(|r| r / sum).collect()
    } else {
        vec![1.0 / b.max(1) as f64; b]
    }
}

impl Projection {
    /// Reconcile regions with a total held fixed: region j gets its own value plus
    /// `allocation[j]` of `total − Σ regions`. Regions are kept non-negative: one that
    /// would go below zero is set to zero and the rest of the difference shared among the
    /// others by their weights, so the result always adds up to `total` (for `total ≥ 0`).
    pub fn apply_pinned(&self, total: f64, regions: &[f64]) -> Vec<f64> {
        let mut out: Vec<f64> = regions.to_vec();
        let mut free: Vec<bool> = vec![true; out.len()];
        loop {
            let gap = total - out.iter().sum::<f64>();
            let weight: f64 = (0..out.len())
                .filter(|&j| free[j])
                .map(|j| self.allocation[j])
                .sum();
            if weight <= 0.0 {
                break;
            }
            for j in 0..out.len() {
                if free[j] {
                    out[j] += self.allocation[j] / weight * gap;
                }
            }
            let mut clipped = false;
            for j in 0..out.len() {
                if out[j] < 0.0 {
                    out[j] = 0.0;
                    free[j] = false;
                    clipped = true;
                }
            }
            if !clipped {
                break;
            }
        }
        out
    }

    /// Reconcile one stacked vector [world, regions]: non-negative regions and their total.
    pub fn apply(&self, stacked: &[f64]) -> (Vec<f64>, f64) {
        let regions: Vec<f64> = self
            .p
            .iter()
            .map(|row| {
                row.iter()
                    .zip(stacked)
                    .map(|(a, b)| a * b)
                    .sum::<f64>()
                    .max(0.0)
            })
            .collect();
        let total = regions.iter().sum();
        (regions, total)
    }
}

/// The MinT projection for `world` and `regions` (aligned annual series, same years), W from
/// the one-step errors of `choice` at up to `origins` rolling origins.
pub fn mint_projection(
    world: &[f64],
    regions: &[&[f64]],
    choice: ModelChoice,
    origins: usize,
) -> Result<Projection> {
    let all: Vec<&[f64]> = std::iter::once(world)
        .chain(regions.iter().copied())
        .collect();
    let n = world.len();
    if regions.iter().any(|r| r.len() != n) {
        return Err(Error::invalid(
            "the regions and the total must cover the same years",
        ));
    }
    let m = all.len();
    // one-step errors at rolling origins, fits see only earlier data
    let first = n.saturating_sub(origins).max(8);
    let mut errors = Vec::new();
    for t in first..n {
        let row: Option<Vec<f64>> = all
            .iter()
            .map(|y| {
                fit_choice(&y[..t], choice, 1)
                    .ok()
                    .map(|f| y[t] - f.model.forecast(1, &[]).point[0])
            })
            .collect();
        if let Some(r) = row {
            errors.push(r);
        }
    }
    if errors.len() < 3 {
        return Err(Error::invalid(
            "too few rolling origins to estimate the error covariance (need 3)",
        ));
    }
    let (w, lambda) = shrunk_covariance(&errors);
    let w_kept = w.clone();
    let winv = invert(w).ok_or_else(|| Error::invalid("the error covariance is singular"))?;
    // S: m x (m-1), first row all ones, then identity
    let b = m - 1;
    let s = |i: usize, j: usize| {
        if i == 0 {
            1.0
        } else {
            f64::from(u8::from(i - 1 == j))
        }
    };
    // StWinv: b x m
    let st_winv: Vec<Vec<f64>> = (0..b)
        .map(|j| {
            (0..m)
                .map(|c| (0..m).map(|i| s(i, j) * winv[i][c]).sum())
                .collect()
        })
        .collect();
    let st_winv_s: Vec<Vec<f64>> = (0..b)
        .map(|j| {
            (0..b)
                .map(|k| (0..m).map(|c| st_winv[j][c] * s(c, k)).sum())
                .collect()
        })
        .collect();
    let inner =
        invert(st_winv_s).ok_or_else(|| Error::invalid("the reconciliation system is singular"))?;
    let p: Vec<Vec<f64>> = (0..b)
        .map(|j| {
            (0..m)
                .map(|c| (0..b).map(|k| inner[j][k] * st_winv[k][c]).sum())
                .collect()
        })
        .collect();
    Ok(Projection {
        allocation: allocation(&w_kept),
        p,
        shrinkage: lambda,
        origins: errors.len(),
    })
}

/// Forecast and reconcile. `world` and each of `regions` are aligned annual series (same
/// years). `origins` rolling origins estimate W.
pub fn reconcile(
    world: &[f64],
    regions: &[&[f64]],
    choice: ModelChoice,
    h: usize,
    origins: usize,
) -> Result<Reconciled> {
    let proj = mint_projection(world, regions, choice, origins)?;
    let all: Vec<&[f64]> = std::iter::once(world)
        .chain(regions.iter().copied())
        .collect();
    let base: Vec<Vec<f64>> = all
        .iter()
        .map(|y| fit_choice(y, choice, h).map(|f| f.model.forecast(h, &[]).point))
        .collect::<Result<_>>()?;
    let b = all.len() - 1;
    let mut mint_regions = vec![vec![0.0; h]; b];
    for step in 0..h {
        let stacked: Vec<f64> = base.iter().map(|x| x[step]).collect();
        let (r, _) = proj.apply(&stacked);
        for j in 0..b {
            mint_regions[j][step] = r[j];
        }
    }
    let mint_total = (0..h)
        .map(|step| mint_regions.iter().map(|r| r[step]).sum())
        .collect();
    let bottom_up_total = (0..h)
        .map(|step| base[1..].iter().map(|r| r[step]).sum())
        .collect();
    Ok(Reconciled {
        base,
        bottom_up_total,
        mint_regions,
        mint_total,
        shrinkage: proj.shrinkage,
        origins: proj.origins,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ModelSpec;

    fn pinned(allocation: Vec<f64>) -> Projection {
        Projection {
            p: Vec::new(),
            shrinkage: 0.0,
            origins: 0,
            allocation,
        }
    }

    #[test]
    fn a_pinned_total_is_shared_out_by_the_allocation_weights() {
        let p = pinned(vec![0.5, 0.3, 0.2]);
        let r = p.apply_pinned(110.0, &[50.0, 30.0, 20.0]);
        assert!((r.iter().sum::<f64>() - 110.0).abs() < 1e-9);
        assert!(
            (r[0] - 55.0).abs() < 1e-9 && (r[2] - 22.0).abs() < 1e-9,
            "{r:?}"
        );
    }

    #[test]
    fn a_region_pushed_below_zero_is_held_at_zero_and_the_rest_still_add_up() {
        let p = pinned(vec![0.1, 0.9]);
        // the 90% share of -60 would take the second region to -44
        let r = p.apply_pinned(40.0, &[84.0, 16.0]);
        assert_eq!(r[1], 0.0);
        assert!((r[0] - 40.0).abs() < 1e-9, "{r:?}");
    }

    #[test]
    fn allocation_weights_follow_the_regions_error_covariance_and_add_to_one() {
        // world, then two regions: the second region's errors are four times the first's
        let w = vec![
            vec![9.0, 1.0, 2.0],
            vec![1.0, 1.0, 0.0],
            vec![2.0, 0.0, 4.0],
        ];
        let a = allocation(&w);
        assert!(
            (a[0] - 0.2).abs() < 1e-12 && (a[1] - 0.8).abs() < 1e-12,
            "{a:?}"
        );
        let negative = vec![
            vec![1.0, 0.0, 0.0],
            vec![0.0, 1.0, -3.0],
            vec![0.0, -3.0, 10.0],
        ];
        assert_eq!(allocation(&negative), vec![0.0, 1.0]);
    }

    #[test]
    fn reconciled_regions_add_up_to_the_reconciled_total() {
        let r1: Vec<f64> = (0..30)
            .map(|t| 10.0 + t as f64 + ((t * 7) % 3) as f64)
            .collect();
        let r2: Vec<f64> = (0..30)
            .map(|t| 20.0 + 2.0 * t as f64 + ((t * 5) % 4) as f64)
            .collect();
        let w: Vec<f64> = r1.iter().zip(&r2).map(|(a, b)| a + b).collect();
        let rec = reconcile(&w, &[&r1, &r2], ModelChoice::Fixed(ModelSpec::Drift), 3, 10).unwrap();
        for k in 0..3 {
            let sum: f64 = rec.mint_regions.iter().map(|r| r[k]).sum();
            assert!((sum - rec.mint_total[k]).abs() < 1e-9);
            assert!(rec.mint_regions.iter().all(|r| r[k] >= 0.0));
        }
        assert!((0.0..=1.0).contains(&rec.shrinkage));
    }

    #[test]
    fn coherent_drift_forecasts_are_left_unchanged() {
        // drift is linear, so base forecasts of a sum equal the sum of base forecasts
        let r1: Vec<f64> = (0..20)
            .map(|t| 5.0 + 0.5 * t as f64 + ((t * 3) % 2) as f64)
            .collect();
        let r2: Vec<f64> = (0..20)
            .map(|t| 8.0 + 1.5 * t as f64 + ((t * 7) % 3) as f64)
            .collect();
        let w: Vec<f64> = r1.iter().zip(&r2).map(|(a, b)| a + b).collect();
        let rec = reconcile(&w, &[&r1, &r2], ModelChoice::Fixed(ModelSpec::Drift), 2, 10).unwrap();
        for k in 0..2 {
            assert!((rec.mint_total[k] - rec.base[0][k]).abs() < 1e-6, "{rec:?}");
        }
    }

    #[test]
    fn shrinkage_of_independent_noise_is_strong() {
        let errors: Vec<Vec<f64>> = (0..12)
            .map(|k| vec![((k * 7) % 5) as f64 - 2.0, ((k * 3) % 7) as f64 - 3.0])
            .collect();
        let (_, lambda) = shrunk_covariance(&errors);
        assert!(lambda > 0.3, "{lambda}");
    }
}
