//! When does a series cross a target (e.g. $1,000B a year), and how likely is it by a
//! given year? Answered from seeded, reproducible sample paths of the fitted model.

use crate::models::FittedModel;
use crate::series::MarketSeries;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, Normal};
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
    sample_paths_with(model, h, sim, &|| {})
}

/// [`sample_paths`], calling `tick` after each path (for a progress display).
pub fn sample_paths_with(
    model: &dyn FittedModel,
    h: usize,
    sim: Simulation,
    tick: &dyn Fn(),
) -> Vec<Vec<f64>> {
    let mut rng = StdRng::seed_from_u64(sim.seed);
    (0..sim.paths)
        .map(|_| {
            let p = model.simulate(h, &mut rng);
            tick();
            p
        })
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
    /// Log-scale standard deviation of a provisional last value (a nowcast), 0 when the
    /// last value is observed; see [`milestone_provisional`].
    pub provisional_last_log_sd: f64,
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
    milestone_provisional(series, model, target, by, sim, 0.0)
}

/// [`milestone`], calling `tick` after each simulated path (for a progress display).
pub fn milestone_with(
    series: &MarketSeries,
    model: &dyn FittedModel,
    target: f64,
    by: i64,
    sim: Simulation,
    tick: &dyn Fn(),
) -> Milestone {
    milestone_provisional_with(series, model, target, by, sim, 0.0, tick)
}

/// Seed offset of the draws of a provisional last value, so the model's paths keep the
/// stream they have without one.
const PROVISIONAL_STREAM: u64 = 0x9E37_79B9_7F4A_7C15;

/// [`milestone`] when the series' last value is provisional (a nowcast of a year still
/// running) with log-scale standard deviation `last_log_sd` (0 = an observed value).
///
/// Each path draws its own value of that year, last · e^u with u ~ N(0, sd²), and the model's
/// path after it is scaled by the same factor e^u: the future moves with the level it starts
/// from. That is exact for models on ln(y) (log drift, multiplicative ETS) and first-order
/// for additive ones. The provisional year then counts as the first simulated period, so a
/// nowcast just below the target can still cross in its own year, and one just above it is
/// no longer taken as certain.
pub fn milestone_provisional(
    series: &MarketSeries,
    model: &dyn FittedModel,
    target: f64,
    by: i64,
    sim: Simulation,
    last_log_sd: f64,
) -> Milestone {
    milestone_provisional_with(series, model, target, by, sim, last_log_sd, &|| {})
}

/// [`milestone_provisional`], calling `tick` after each simulated path.
pub fn milestone_provisional_with(
    series: &MarketSeries,
    model: &dyn FittedModel,
    target: f64,
    by: i64,
    sim: Simulation,
    last_log_sd: f64,
    tick: &dyn Fn(),
) -> Milestone {
    let end = series.end();
    let values = series.values();
    let last = values[values.len() - 1];
    let provisional = last_log_sd > 0.0 && last_log_sd.is_finite();
    // the first period whose value is uncertain
    let start = if provisional { end } else { end + 1 };
    let crossed_in_history = series
        .ordinals()
        .zip(values)
        .take_while(|(o, _)| *o < start)
        .find(|(_, v)| **v >= target)
        .map(|(o, _)| o);
    let h = ((by - end).max(1) as usize) + EXTRA_PERIODS;
    let mut point = model.forecast(h, &[]).point;
    let mut paths = sample_paths_with(model, h, sim, tick);
    if provisional {
        point.insert(0, last);
        let mut rng = StdRng::seed_from_u64(sim.seed ^ PROVISIONAL_STREAM);
        let draw = Normal::new(0.0, last_log_sd).expect("a finite positive sd is valid");
        for p in &mut paths {
            let f = draw.sample(&mut rng).exp();
            p.iter_mut().for_each(|v| *v *= f);
            p.insert(0, last * f);
        }
    }
    let h = point.len();
    let point_crossing = point
        .iter()
        .position(|v| *v >= target)
        .map(|k| start + k as i64);
    let n = paths.len().max(1) as f64;
    let firsts: Vec<Option<usize>> = paths
        .iter()
        .map(|p| p.iter().position(|v| *v >= target))
        .collect();
    let by_step = by - start; // index of `by` in a path (negative if `by` is history)
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
                period: start + k as i64,
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
        .map(|k| start + *k as i64);
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
        provisional_last_log_sd: if provisional { last_log_sd } else { 0.0 },
        simulation: sim,
    }
}

/// Widen a forecast interval `(lo, hi)` around `point` at `level` percent for a provisional
/// starting value with log-scale standard deviation `start_log_sd`: the two independent errors
/// add in quadrature on the log scale, on each side separately,
/// `point · exp(±√(ln(bound / point)² + (z · sd)²))`. With `start_log_sd` = 0 the interval is
/// returned unchanged. It matches [`milestone_provisional`], which scales each path by the
/// provisional draw.
pub fn widen_for_provisional_start(
    point: f64,
    (lo, hi): (f64, f64),
    level: f64,
    start_log_sd: f64,
) -> (f64, f64) {
    if start_log_sd <= 0.0 || point <= 0.0 || lo <= 0.0 || hi <= 0.0 {
        return (lo, hi);
    }
    let zs = crate::models::forecast::normal_z(level) * start_log_sd;
    let side = |bound: f64| ((bound / point).ln().powi(2) + zs * zs).sqrt();
    (point * (-side(lo)).exp(), point * side(hi).exp())
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

    #[test]
    fn a_provisional_last_value_below_the_target_can_cross_in_its_own_year() {
        // 990 this year (a nowcast with log sd 0.05), flat afterwards: P(this year ≥ 1000) =
        // P(u > ln(1000/990)) = 1 − Φ(0.201) = 0.420
        let s = MarketSeries::new(
            "w",
            TimeKind::Integer,
            2020,
            vec![900.0, 950.0, 990.0],
            Unit::UsdBillions,
        )
        .unwrap();
        let m = ModelSpec::Naive.fit(s.values()).unwrap();
        let sim = Simulation {
            paths: 20_000,
            seed: 3,
        };
        let r = milestone_provisional(&s, m.as_ref(), 1000.0, 2030, sim, 0.05);
        assert_eq!(r.by_period[0].period, 2022);
        assert!(
            (r.by_period[0].p_first - 0.420).abs() < 0.015,
            "{:?}",
            r.by_period[0]
        );
        assert!(r.crossed_in_history.is_none());
        let total: f64 = r.by_period.iter().map(|p| p.p_first).sum::<f64>() + r.p_never_in_span;
        assert!((total - 1.0).abs() < 1e-9);
        // an observed 990 has not crossed; the first simulated year is the next one
        let observed = milestone(&s, m.as_ref(), 1000.0, 2030, sim);
        assert_eq!(observed.by_period[0].period, 2023);
        assert_eq!(observed.provisional_last_log_sd, 0.0);
    }

    #[test]
    fn a_provisional_value_above_the_target_is_no_longer_certain() {
        let s = MarketSeries::new(
            "w",
            TimeKind::Integer,
            2020,
            vec![900.0, 950.0, 1010.0],
            Unit::UsdBillions,
        )
        .unwrap();
        let m = ModelSpec::Naive.fit(s.values()).unwrap();
        let sim = Simulation {
            paths: 5_000,
            seed: 3,
        };
        assert_eq!(
            milestone(&s, m.as_ref(), 1000.0, 2022, sim).p_crossed_by,
            1.0
        );
        let r = milestone_provisional(&s, m.as_ref(), 1000.0, 2022, sim, 0.05);
        assert!(
            r.p_crossed_by < 0.7 && r.p_crossed_by > 0.5,
            "{}",
            r.p_crossed_by
        );
    }

    #[test]
    fn a_provisional_start_widens_an_interval_in_quadrature() {
        // a log-symmetric 95% interval of ±0.3 and a start sd of 0.2/1.96: ±√(0.09 + 0.04)
        let z = crate::models::forecast::normal_z(95.0);
        let (lo, hi) = widen_for_provisional_start(
            100.0,
            (100.0 * (-0.3f64).exp(), 100.0 * 0.3f64.exp()),
            95.0,
            0.2 / z,
        );
        assert!(
            (lo - 100.0 * (-(0.13f64).sqrt()).exp()).abs() < 1e-9,
            "{lo}"
        );
        assert!((hi - 100.0 * (0.13f64).sqrt().exp()).abs() < 1e-9, "{hi}");
        assert_eq!(
            widen_for_provisional_start(100.0, (80.0, 130.0), 95.0, 0.0),
            (80.0, 130.0)
        );
    }
}
