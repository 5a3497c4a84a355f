//! What a model returns: point forecasts plus central prediction intervals with their levels.

use serde::Serialize;
use std::borrow::Cow;

/// A central prediction interval at one level (e.g. 95 = the 2.5% and 97.5% quantiles).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Interval {
    /// Coverage level in percent, 0 < level < 100.
    pub level: f64,
    /// Lower bound per horizon step.
    pub lower: Vec<f64>,
    /// Upper bound per horizon step.
    pub upper: Vec<f64>,
}

/// A named model parameter with its fitted value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Param {
    /// Name as printed (e.g. `alpha`, `cagr`); most are fixed text, so no allocation of
    /// their own (two per series on a many-series run).
    pub name: Cow<'static, str>,
    /// Fitted value.
    pub value: f64,
}

impl Param {
    /// Build a parameter.
    pub fn new(name: impl Into<Cow<'static, str>>, value: f64) -> Self {
        Self {
            name: name.into(),
            value,
        }
    }
}

/// The output of a fitted model for `h` steps ahead.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forecast {
    /// Point forecast per step (the median or mean, as the model documents).
    pub point: Vec<f64>,
    /// Intervals, in the order the levels were requested.
    pub intervals: Vec<Interval>,
}

impl Forecast {
    /// Number of steps.
    pub fn horizon(&self) -> usize {
        self.point.len()
    }

    /// Apply `f` to every number (points and bounds), e.g. a back-transform.
    pub fn map_values(&mut self, f: impl Fn(f64) -> f64) {
        for v in self.point.iter_mut() {
            *v = f(*v);
        }
        for iv in self.intervals.iter_mut() {
            for v in iv.lower.iter_mut().chain(iv.upper.iter_mut()) {
                *v = f(*v);
            }
        }
    }

    /// Clamp every number at `floor` (used for positive series: a market cannot be negative).
    pub fn floor_at(&mut self, floor: f64) {
        self.map_values(|v| v.max(floor));
    }

    /// Keep every interval within what the data supports: at step h no bound lies more
    /// than h × the data's range (max − min) beyond the larger of the point forecast and
    /// the record high (or below the smaller of the point and the record low). A model
    /// whose distribution has a heavy tail on a volatile series (a log-scale random walk
    /// with σ ≈ 2 on M1's YAG14 put its 95% bound at 22,000 × the series' maximum) is
    /// held to a linear extrapolation of the range; a growing point forecast keeps its own
    /// headroom. Chosen by the inner validation of the yearly dev sets (last 6 training
    /// points held out; README, Models): K = 1 range per step.
    pub fn clamp_to_data(&mut self, y: &[f64]) {
        let (lo, hi) = y
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(*v), b.max(*v))
            });
        let range = hi - lo;
        if !range.is_finite() || range <= 0.0 {
            return;
        }
        for iv in self.intervals.iter_mut() {
            for (k, (l, u)) in iv.lower.iter_mut().zip(iv.upper.iter_mut()).enumerate() {
                let p = self.point[k];
                let reach = RANGE_STEPS * (k + 1) as f64 * range;
                *u = u.min(p.max(hi) + reach);
                *l = l.max(p.min(lo) - reach);
            }
        }
    }

    /// Empty intervals at `levels`, with room for `h` steps.
    pub fn empty_intervals(levels: &[f64], h: usize) -> Vec<Interval> {
        levels
            .iter()
            .map(|&level| Interval {
                level,
                lower: Vec::with_capacity(h),
                upper: Vec::with_capacity(h),
            })
            .collect()
    }

    /// The interval at a level, if requested.
    pub fn interval(&self, level: f64) -> Option<&Interval> {
        self.intervals
            .iter()
            .find(|i| (i.level - level).abs() < 1e-9)
    }
}

/// How many data ranges per step an interval may reach beyond the data
/// ([`Forecast::clamp_to_data`]).
pub const RANGE_STEPS: f64 = 1.0;

/// Standard-normal quantile for a central interval at `level` percent.
pub fn normal_z(level: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    let n = Normal::new(0.0, 1.0).expect("standard normal is valid");
    n.inverse_cdf(0.5 + level / 200.0)
}

/// Student-t quantile for a central interval at `level` percent with `df` degrees of freedom.
pub fn student_t(level: f64, df: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    match StudentsT::new(0.0, 1.0, df) {
        Ok(t) => t.inverse_cdf(0.5 + level / 200.0),
        Err(_) => normal_z(level),
    }
}

/// Gaussian intervals around `point` with standard errors `se` for each level.
pub fn gaussian_intervals(point: &[f64], se: &[f64], levels: &[f64]) -> Vec<Interval> {
    levels
        .iter()
        .map(|&level| {
            let z = normal_z(level);
            Interval {
                level,
                lower: point.iter().zip(se).map(|(p, s)| p - z * s).collect(),
                upper: point.iter().zip(se).map(|(p, s)| p + z * s).collect(),
            }
        })
        .collect()
}

/// exp() that saturates at the largest finite double instead of overflowing to infinity
/// (log-scale models with huge uncertainty would otherwise print `inf`).
pub fn safe_exp(x: f64) -> f64 {
    x.min(709.0).exp()
}

/// Forecast of a model that is Gaussian on ln(y) with Student-t predictive quantiles
/// (`df` degrees of freedom): `mean_se(k)` gives the log-scale mean and standard error at
/// step k. Bounds are exp() of the log-scale bounds; the point is the predictive median
/// exp(μ), or the lognormal mean exp(μ + se²/2) with `bias_adjust`.
pub fn log_student_forecast(
    h: usize,
    levels: &[f64],
    df: f64,
    bias_adjust: bool,
    mean_se: impl Fn(usize) -> (f64, f64),
) -> Forecast {
    let quantiles: Vec<f64> = levels.iter().map(|&l| student_t(l, df)).collect();
    let mut point = Vec::with_capacity(h);
    let mut intervals = Forecast::empty_intervals(levels, h);
    for k in 1..=h {
        let (mu, se) = mean_se(k);
        point.push(if bias_adjust {
            safe_exp(mu + se * se / 2.0)
        } else {
            safe_exp(mu)
        });
        for (iv, q) in intervals.iter_mut().zip(&quantiles) {
            iv.lower.push(safe_exp(mu - q * se));
            iv.upper.push(safe_exp(mu + q * se));
        }
    }
    Forecast { point, intervals }
}

/// One sample path of such a model: exp(μ_k + se_k·t) with independent Student-t draws.
pub fn log_student_path(
    h: usize,
    df: f64,
    rng: &mut rand::rngs::StdRng,
    mean_se: impl Fn(usize) -> (f64, f64),
) -> Vec<f64> {
    use rand_distr::{Distribution, StudentT};
    let t = StudentT::new(df.max(1e-6)).expect("df is positive");
    (1..=h)
        .map(|k| {
            let (mu, se) = mean_se(k);
            safe_exp(mu + se * t.sample(rng))
        })
        .collect()
}

#[cfg(test)]
mod clamp_tests {
    use super::*;

    #[test]
    fn an_exploding_upper_bound_is_held_to_one_range_per_step() {
        let y = [78.0, 10_170.0, 5_000.0];
        let mut f = Forecast {
            point: vec![5_000.0, 5_000.0],
            intervals: vec![Interval {
                level: 95.0,
                lower: vec![-1e9, 10.0],
                upper: vec![2e8, 12_000.0],
            }],
        };
        f.clamp_to_data(&y);
        let range = 10_170.0 - 78.0;
        assert_eq!(f.intervals[0].upper, vec![10_170.0 + range, 12_000.0]);
        assert_eq!(f.intervals[0].lower, vec![78.0 - range, 10.0]);
    }

    #[test]
    fn a_growing_point_forecast_keeps_its_headroom() {
        let y = [1.0, 2.0, 4.0, 8.0];
        let mut f = Forecast {
            point: vec![100.0],
            intervals: vec![Interval {
                level: 95.0,
                lower: vec![50.0],
                upper: vec![200.0],
            }],
        };
        f.clamp_to_data(&y);
        assert_eq!(f.intervals[0].upper, vec![107.0]);
        assert_eq!(f.intervals[0].lower, vec![50.0]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_95_percent_normal_quantile_is_1_96() {
        assert!((normal_z(95.0) - 1.959_964).abs() < 1e-5);
        assert!((normal_z(80.0) - 1.281_552).abs() < 1e-5);
    }

    #[test]
    fn student_t_is_wider_than_normal_for_few_degrees_of_freedom() {
        assert!(student_t(95.0, 5.0) > normal_z(95.0));
        assert!((student_t(95.0, 1e6) - normal_z(95.0)).abs() < 1e-3);
    }
}
