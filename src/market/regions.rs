//! The market model per region, reconciled with the worldwide total.
//!
//! Each series gets market-model paths from its own monthly billings (worldwide the default
//! model, each region the candidate its backtest chose, [`region_candidate`]) up to the
//! same cut-off and with the same simulation settings, summed to calendar years with the
//! current year's known months kept. The paths of the five series are joined by rank: path *i* of every series is its *i*-th smallest by the total over the
//! forecast years, so a path high in one region is high in all (the regions follow one
//! global cycle; this coupling is the strongest dependence).
//!
//! The worldwide paths are the market model's own, the ones `forecast`, `milestone` and
//! `gap` read, and they are held fixed: on each joined path the regions are reconciled to
//! that path's worldwide value, the difference between it and the regions' sum shared out
//! by the regions' error covariance ([`Projection::apply_pinned`], the GLS/MinT solution
//! with the total's error variance taken as zero; W from the annual model's rolling one-step
//! errors, Schäfer–Strimmer shrinkage). Regions are kept non-negative. So the regions add
//! up, path by path, to the worldwide figure every other command prints: the total's point
//! and intervals are the worldwide market model's. Points of the regions are the worldwide
//! median shared out over the regions' base medians; intervals are quantiles of the
//! reconciled paths.

use super::{Candidate, MarketData, MarketPaths, SPAN_YEARS, market_paths, paths, quantile_sorted};
use crate::error::{Error, Result};
use crate::evaluation::select::ModelChoice;
use crate::scenarios::hierarchy::{Projection, mint_projection};
use crate::scenarios::milestone::Simulation;
use serde::Serialize;

/// The market-model candidate per WSTS region, chosen by the rule of
/// [`super::backtest::Backtest::chosen`] between the default and the annual-only model on
/// each region's own billings (`benches/region_backtest.md`, every month-end 1997–2025): the
/// default for the Americas, Europe and Asia Pacific, the annual model for Japan. No region
/// but the worldwide total passes the rule's first branch (beat annual at every horizon with
/// 95% coverage at least 0.90 at each), so these are its fallback: the lowest mean CRPS among
/// the two with mean 95% coverage in 0.90–0.98.
pub const REGION_CHOICE: [(&str, Candidate); 4] = [
    ("americas", Candidate::EtsCalCycleAnnual),
    ("europe", Candidate::EtsCalCycleAnnual),
    ("japan", Candidate::Annual),
    ("asia-pacific", Candidate::EtsCalCycleAnnual),
];

/// The candidate for a region id (`americas`, ...); the default for any other.
pub fn region_candidate(id: &str) -> Candidate {
    REGION_CHOICE
        .iter()
        .find(|(r, _)| *r == id)
        .map_or(Candidate::DEFAULT, |(_, c)| *c)
}

/// One series' reconciled forecast for one year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionYear {
    /// Calendar year.
    pub year: i64,
    /// Median of the series' own (base) market paths.
    pub base: f64,
    /// Reconciled point: the worldwide median shared out over the regions' base medians
    /// (regions add up to the total; the total's is the worldwide market model's median).
    pub point: f64,
    /// 80% central interval of the reconciled paths.
    pub lo80: f64,
    /// Upper end.
    pub hi80: f64,
    /// 95% central interval.
    pub lo95: f64,
    /// Upper end.
    pub hi95: f64,
}

/// The reconciled market paths of the worldwide total and its regions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionForecast {
    /// The current year (first forecast year).
    pub first_year: i64,
    /// Months of the current year known.
    pub known_months: u32,
    /// Last month of data.
    pub data_to: i64,
    /// The reconciliation used (its `allocation` shares out the worldwide figure).
    pub projection: Projection,
    /// Worldwide: the market model's own forecast (= Σ reconciled regions), per year.
    pub total: Vec<RegionYear>,
    /// Σ of the regions' base medians, per year.
    pub bottom_up: Vec<f64>,
    /// Per region, per year.
    pub regions: Vec<Vec<RegionYear>>,
    /// Paths per series, and the seed.
    pub simulation: Simulation,
    /// The candidate of each region (same order as `regions`).
    pub candidates: Vec<Candidate>,
}

fn rank_by_total(p: &MarketPaths, k: usize) -> Vec<usize> {
    let total = |i: usize| p.years[i][..k].iter().sum::<f64>();
    let mut idx: Vec<usize> = (0..p.len()).collect();
    idx.sort_by(|&a, &b| total(a).total_cmp(&total(b)).then(a.cmp(&b)));
    idx
}

fn summarise(year: i64, base: f64, point: f64, rec: &mut [f64]) -> RegionYear {
    rec.sort_by(f64::total_cmp);
    let q = |v: &[f64], a: f64| quantile_sorted(v, a);
    RegionYear {
        year,
        base,
        point,
        lo80: q(rec, 0.1),
        hi80: q(rec, 0.9),
        lo95: q(rec, 0.025),
        hi95: q(rec, 0.975),
    }
}

/// Reconciled market-model forecasts of `world` (the default candidate) and `regions` (each
/// with its candidate) from data up to month `data_to`, calendar years to `until`. `choice`
/// and `origins` set the MinT weights.
pub fn region_forecast(
    world: &MarketData,
    regions: &[(Candidate, MarketData)],
    data_to: i64,
    until: i64,
    sim: Simulation,
    choice: ModelChoice,
    origins: usize,
) -> Result<RegionForecast> {
    let all: Vec<&MarketData> = std::iter::once(world)
        .chain(regions.iter().map(|r| &r.1))
        .collect();
    let mut made = vec![market_paths(world, data_to, sim)?];
    let last_year = made[0].last_year;
    for (c, d) in regions {
        // the same years as the world's paths
        debug_assert_eq!(last_year, (data_to + 1).div_euclid(12) + SPAN_YEARS);
        made.push(paths(d, data_to, last_year, *c, sim)?);
    }
    let paths = made;
    let first_year = paths[0].first_year;
    if until < first_year || until > paths[0].last_year {
        return Err(Error::invalid(format!(
            "the last year {until} is outside the market model's years {first_year} to {}",
            paths[0].last_year
        )));
    }
    let k = (until - first_year + 1) as usize;
    // MinT weights from the complete years before the current one
    let annual: Vec<Vec<f64>> = all
        .iter()
        .map(|d| {
            d.annual
                .truncate_to(first_year - 1)
                .map(|s| s.values().to_vec())
        })
        .collect::<Result<_>>()?;
    let region_values: Vec<&[f64]> = annual[1..].iter().map(Vec::as_slice).collect();
    let projection = mint_projection(&annual[0], &region_values, choice, origins)?;
    let ranks: Vec<Vec<usize>> = paths.iter().map(|p| rank_by_total(p, k)).collect();
    let n = paths[0].len();
    let b = regions.len();
    // reconciled[j][year][path], j = 0 the total, then the regions
    let mut rec = vec![vec![Vec::with_capacity(n); k]; b + 1];
    for r in 0..n {
        #[allow(clippy::needless_range_loop)] // y indexes every series' years
        for y in 0..k {
            let stacked: Vec<f64> = paths
                .iter()
                .zip(&ranks)
                .map(|(p, idx)| p.years[idx[r]][y])
                .collect();
            let reg = projection.apply_pinned(stacked[0], &stacked[1..]);
            for (series, v) in rec.iter_mut().zip(std::iter::once(stacked[0]).chain(reg)) {
                series[y].push(v);
            }
        }
    }
    let medians: Vec<Vec<f64>> = paths
        .iter()
        .map(|p| {
            (0..k)
                .map(|y| {
                    let mut v: Vec<f64> = p.years.iter().map(|x| x[y]).collect();
                    v.sort_by(f64::total_cmp);
                    quantile_sorted(&v, 0.5)
                })
                .collect()
        })
        .collect();
    // points: the worldwide median, shared out over the regions' medians
    let points: Vec<(Vec<f64>, f64)> = (0..k)
        .map(|y| {
            let total = medians[0][y];
            let regions: Vec<f64> = medians[1..].iter().map(|m| m[y]).collect();
            (projection.apply_pinned(total, &regions), total)
        })
        .collect();
    let mut out: Vec<Vec<RegionYear>> = Vec::new();
    for j in 0..=b {
        out.push(
            (0..k)
                .map(|y| {
                    let point = if j == 0 {
                        points[y].1
                    } else {
                        points[y].0[j - 1]
                    };
                    summarise(first_year + y as i64, medians[j][y], point, &mut rec[j][y])
                })
                .collect(),
        );
    }
    let total = out.remove(0);
    let bottom_up = (0..k)
        .map(|y| out.iter().map(|r| r[y].base).sum())
        .collect();
    Ok(RegionForecast {
        first_year,
        known_months: paths[0].known_months,
        data_to,
        projection,
        total,
        bottom_up,
        regions: out,
        simulation: sim,
        candidates: regions.iter().map(|r| r.0).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::builtin;

    fn data(id: &str) -> MarketData {
        MarketData::new(
            builtin::series(id).unwrap().series,
            builtin::series(&format!("{id}-monthly")).unwrap().series,
        )
        .unwrap()
    }

    #[test]
    fn each_regions_candidate_is_what_the_published_backtest_of_that_region_chooses() {
        // the published table's settings (every month-end, 1,000 paths, seed 42; about 13 s
        // on 2 cores): cheaper runs do not agree for every region (every 6th month-end with
        // 500 paths picks the default for Japan and annual for Asia Pacific; README,
        // Limitations), so nothing cheaper can check the table
        let sim = Simulation {
            paths: super::super::backtest::PATHS,
            seed: 42,
        };
        for (id, want) in REGION_CHOICE {
            let bt = super::super::backtest::run(
                &data(id),
                super::super::backtest::ORIGINS,
                &[Candidate::DEFAULT, Candidate::Annual],
                sim,
            )
            .unwrap();
            assert_eq!(bt.chosen(), Some(want), "{id}");
        }
    }

    #[test]
    fn reconciled_regions_add_up_to_the_worldwide_market_model_and_lie_inside_their_intervals() {
        let regions: Vec<(Candidate, MarketData)> =
            REGION_CHOICE.iter().map(|(id, c)| (*c, data(id))).collect();
        let sim = Simulation {
            paths: 400,
            seed: 3,
        };
        let cut = 2024 * 12 + 10; // 2024-11
        let f = region_forecast(
            &data("worldwide"),
            &regions,
            cut,
            2030,
            sim,
            ModelChoice::Auto,
            12,
        )
        .unwrap();
        assert_eq!(f.first_year, 2024);
        assert_eq!(f.known_months, 11);
        for (k, t) in f.total.iter().enumerate() {
            let sum: f64 = f.regions.iter().map(|r| r[k].point).sum();
            assert!((sum - t.point).abs() < 1e-9, "{}", t.year);
            for y in f.regions.iter().map(|r| &r[k]).chain([t]) {
                assert!(y.lo95 <= y.lo80 && y.lo80 <= y.hi80 && y.hi80 <= y.hi95);
                assert!(y.lo95 <= y.point && y.point <= y.hi95, "{y:?}");
                assert!(y.lo95 >= 0.0);
            }
        }
        // the total is the worldwide market model's own forecast, point and intervals
        let world = market_paths(&data("worldwide"), cut, sim).unwrap();
        for (k, t) in f.total.iter().enumerate() {
            let mut v: Vec<f64> = world.years.iter().map(|p| p[k]).collect();
            v.sort_by(f64::total_cmp);
            assert_eq!(t.point, quantile_sorted(&v, 0.5), "{}", t.year);
            assert_eq!(t.hi95, quantile_sorted(&v, 0.975), "{}", t.year);
        }
        // 11 known months: the current year's total is nearly known
        let t = &f.total[0];
        assert!((t.hi95 - t.lo95) / t.point < 0.05, "{t:?}");
    }
}
