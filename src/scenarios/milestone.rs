//! When does a series cross a target (e.g. $1,000B a year), and how likely is it by a
//! given year? Answered from seeded, reproducible sample paths of the fitted model.

use crate::models::FittedModel;
use crate::series::MarketSeries;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;

/// How many periods past the requested year paths are simulated, to place late crossings.
pub const EXTRA_PERIODS: usize = 25;

/// Simulation settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Simulation {
    /// Number of sample paths.
    pub paths: usize,
    /// RNG seed (ChaCha-based `StdRng`), so every run is reproducible.
    pub seed: u64,
}

impl Default for Simulation {
    fn default() -> Self {
        Self {
            paths: 10_000,
            seed: 42,
        }
    }
}

/// Simulated future paths, one `Vec` per path, covering periods `end+1 ..= end+h`.
pub fn sample_paths(model: &dyn FittedModel, h: usize, sim: Simulation) -> Vec<Vec<f64>> {
    let mut rng = StdRng::seed_from_u64(sim.seed);
    (0..sim.paths)
        .map(|_| model.simulate(h, &mut rng))
        .collect()
}

/// Crossing odds for one period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PeriodOdds {
    /// Period ordinal.
    pub period: i64,
    /// P(the first crossing happens in this period).
    pub p_first: f64,
    /// P(crossed in this or an earlier period).
    pub p_crossed_by: f64,
    /// P(the value in this period is at or above the target).
    pub p_at_least: f64,
}

/// The answer to "when does the series reach `target`".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Milestone {
    /// The threshold, in the series' unit.
    pub target: f64,
    /// The year asked about (e.g. 2030).
    pub by: i64,
    /// First observed period at or above target, if history already crossed it.
    pub crossed_in_history: Option<i64>,
    /// First period the point forecast reaches the target (searching `EXTRA_PERIODS`
    /// beyond `by`); `None` if it never does in that span.
    pub point_crossing: Option<i64>,
    /// P(value in `by` ≥ target), share of sample paths.
    pub p_at_least_in_by: f64,
    /// P(the path reached the target in any period ≤ `by`).
    pub p_crossed_by: f64,
    /// Per period from the first forecast period to `by + EXTRA_PERIODS`.
    pub by_period: Vec<PeriodOdds>,
    /// Share of paths that never cross within the simulated span.
    pub p_never_in_span: f64,
    /// Median first-crossing period among paths (counting never-crossing paths as later).
    pub median_crossing: Option<i64>,
    /// Constant growth rate per period needed from the last observation to reach the
    /// target exactly in `by`.
    pub required_growth: Option<f64>,
    /// Simulation settings used.
    pub simulation: Simulation,
}

/// Compute the milestone answer for a series and its fitted model.
pub fn milestone(
    series: &MarketSeries,
    model: &dyn FittedModel,
    target: f64,
    by: i64,
    sim: Simulation,
) -> Milestone {
    let end = series.end();
    let crossed_in_history = series
        .ordinals()
        .zip(series.values())
        .find(|(_, v)| **v >= target)
        .map(|(o, _)| o);
    let h = ((by - end).max(1) as usize) + EXTRA_PERIODS;
    let point = model.forecast(h, &[]).point;
    let point_crossing = point
        .iter()
        .position(|v| *v >= target)
        .map(|k| end + 1 + k as i64);
    let paths = sample_paths(model, h, sim);
    let n = paths.len().max(1) as f64;
    let firsts: Vec<Option<usize>> = paths
        .iter()
        .map(|p| p.iter().position(|v| *v >= target))
        .collect();
    let by_step = by - end - 1; // index of `by` in a path (may be negative if by <= end)
    let p_at_least_in_by = if by_step >= 0 {
        paths
            .iter()
            .filter(|p| p[by_step as usize] >= target)
            .count() as f64
            / n
    } else {
        f64::from(series.value_at(by).is_some_and(|v| v >= target))
    };
    let p_crossed_by = if crossed_in_history.is_some_and(|c| c <= by) {
        1.0
    } else if by_step >= 0 {
        firsts
            .iter()
            .filter(|f| f.is_some_and(|k| k as i64 <= by_step))
            .count() as f64
            / n
    } else {
        0.0
    };
    let mut cumulative = 0.0;
    let by_period = (0..h)
        .map(|k| {
            let share = firsts.iter().filter(|f| **f == Some(k)).count() as f64 / n;
            cumulative += share;
            PeriodOdds {
                period: end + 1 + k as i64,
                p_first: share,
                p_crossed_by: cumulative,
                p_at_least: paths.iter().filter(|p| p[k] >= target).count() as f64 / n,
            }
        })
        .collect();
    let p_never_in_span = firsts.iter().filter(|f| f.is_none()).count() as f64 / n;
    let mut sorted: Vec<usize> = firsts.iter().map(|f| f.unwrap_or(usize::MAX)).collect();
    sorted.sort_unstable();
    let median_crossing = sorted
        .get(sorted.len() / 2)
        .filter(|k| **k != usize::MAX)
        .map(|k| end + 1 + *k as i64);
    let last = series.values()[series.len() - 1];
    let required_growth = (by > end && last > 0.0 && target > 0.0)
        .then(|| (target / last).powf(1.0 / (by - end) as f64) - 1.0);
    Milestone {
        target,
        by,
        crossed_in_history,
        point_crossing,
        p_at_least_in_by,
        p_crossed_by,
        by_period,
        p_never_in_span,
        median_crossing,
        required_growth,
        simulation: sim,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ModelSpec;
    use crate::series::{TimeKind, Unit};

    fn world() -> MarketSeries {
        let v: Vec<f64> = (0..20)
            .map(|t| 400.0 * 1.06f64.powi(t) * (1.0 + 0.03 * ((t % 4) as f64 - 1.5)))
            .collect();
        MarketSeries::new("w", TimeKind::Integer, 2005, v, Unit::UsdBillions).unwrap()
    }

    #[test]
    fn the_same_seed_gives_the_same_probabilities() {
        let s = world();
        let m = ModelSpec::LogLinear { bias_adjust: false }
            .fit(s.values())
            .unwrap();
        let sim = Simulation {
            paths: 2000,
            seed: 7,
        };
        let a = milestone(&s, m.as_ref(), 1000.0, 2030, sim);
        let b = milestone(&s, m.as_ref(), 1000.0, 2030, sim);
        assert_eq!(a, b);
    }

    #[test]
    fn crossing_probabilities_are_cumulative_and_bounded() {
        let s = world();
        let m = ModelSpec::Drift.fit(s.values()).unwrap();
        let r = milestone(
            &s,
            m.as_ref(),
            1000.0,
            2030,
            Simulation {
                paths: 3000,
                seed: 1,
            },
        );
        assert!(
            r.by_period
                .windows(2)
                .all(|w| w[1].p_crossed_by >= w[0].p_crossed_by)
        );
        assert!(
            r.by_period
                .iter()
                .all(|p| p.p_at_least <= p.p_crossed_by + 1e-12)
        );
        assert!(r.p_crossed_by >= r.p_at_least_in_by - 1e-12);
        assert!((0.0..=1.0).contains(&r.p_crossed_by));
        let total: f64 = r.by_period.iter().map(|p| p.p_first).sum::<f64>() + r.p_never_in_span;
        assert!((total - 1.0).abs() < 1e-9);
    }

    #[test]
    fn required_growth_reaches_the_target_exactly() {
        let s = MarketSeries::new(
            "w",
            TimeKind::Integer,
            2020,
            vec![500.0, 630.549],
            Unit::UsdBillions,
        )
        .unwrap();
        let m = ModelSpec::Naive.fit(s.values()).unwrap();
        let r = milestone(
            &s,
            m.as_ref(),
            1000.0,
            2030,
            Simulation { paths: 10, seed: 1 },
        );
        let g = r.required_growth.unwrap();
        assert!((630.549 * (1.0 + g).powi(9) - 1000.0).abs() < 1e-6);
    }
}
