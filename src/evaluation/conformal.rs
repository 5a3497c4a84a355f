//! Calibrated ("conformal") prediction intervals from rolling-origin residuals.
//!
//! Normalised split-conformal prediction (Papadopoulos et al. 2008; Lei et al. 2018):
//! at the last `origins` rolling origins inside each series' training data whose test
//! windows hold all `h` steps (the last window ends at the series end), the model is
//! refitted and forecasts `h` steps; each error is divided by the half-width of the
//! model's own 80% interval at that step (a per-series, per-step scale), giving a score.
//! Scores are pooled over all series of the run, per horizon. The calibrated interval at
//! level L is `point + q_lo·w` to `point + q_hi·w`, with w the final model's 80%
//! half-width and q_lo, q_hi the ⌊(m+1)(1−L)/2⌋-th and ⌈(m+1)(1+L)/2⌉-th smallest of the m
//! pooled scores (finite-sample conformal quantiles). Too few scores for a level is an
//! error, not a silently narrow interval. No test window is ever used: every score comes
//! from data before the forecast origin.

use super::backtest::full_window_origins;
use super::select::{ModelChoice, fit_choice_m};
use crate::error::{Error, Result};
use crate::models::{Forecast, Interval};

/// Settings for [`calibrate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConformalSettings {
    /// Rolling origins per series.
    pub origins: usize,
    /// Fewest training points at an origin.
    pub min_train: usize,
}

impl Default for ConformalSettings {
    fn default() -> Self {
        Self {
            origins: 10,
            min_train: 6,
        }
    }
}

/// Reference level whose half-width normalises the scores.
const REFERENCE_LEVEL: f64 = 80.0;

/// Scores of one series with season length `m` (1 for non-seasonal data): `scores[k]`
/// holds the normalised errors at step k+1. Each origin's fit runs the seasonality test
/// on its own training data, as the final fit does.
pub fn series_scores(
    y: &[f64],
    m: usize,
    choice: ModelChoice,
    h: usize,
    settings: ConformalSettings,
) -> Vec<Vec<f64>> {
    let mut scores = vec![Vec::new(); h];
    for split in full_window_origins(y.len(), h, settings.origins, settings.min_train) {
        let train = &y[..split.train_end];
        let Ok(fitted) = fit_choice_m(train, m, choice, h) else {
            continue;
        };
        let f = fitted.model.forecast(split.horizon, &[REFERENCE_LEVEL]);
        for (k, actual) in y[split.test_range()].iter().enumerate() {
            let w = 0.5 * (f.intervals[0].upper[k] - f.intervals[0].lower[k]);
            if w > 0.0 && w.is_finite() {
                scores[k].push((actual - f.point[k]) / w);
            }
        }
    }
    scores
}

/// Pooled, sorted scores per horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    per_step: Vec<Vec<f64>>,
}

impl Calibration {
    /// Pool the scores of many series.
    pub fn pool(all: impl IntoIterator<Item = Vec<Vec<f64>>>, h: usize) -> Self {
        let mut per_step = vec![Vec::new(); h];
        for s in all {
            for (k, v) in s.into_iter().enumerate().take(h) {
                per_step[k].extend(v);
            }
        }
        for v in &mut per_step {
            v.sort_by(f64::total_cmp);
        }
        Self { per_step }
    }

    /// Number of scores at each step.
    pub fn counts(&self) -> Vec<usize> {
        self.per_step.iter().map(Vec::len).collect()
    }

    /// Whether every step has enough scores for every level.
    pub fn reaches(&self, levels: &[f64]) -> bool {
        (0..self.per_step.len()).all(|k| levels.iter().all(|l| self.quantiles(k, *l).is_ok()))
    }

    fn quantiles(&self, k: usize, level: f64) -> Result<(f64, f64)> {
        let s = &self.per_step[k];
        let m = s.len();
        let a = (1.0 - level / 100.0) / 2.0;
        let lo_rank = ((m + 1) as f64 * a + 1e-9).floor() as usize;
        let hi_rank = ((m + 1) as f64 * (1.0 - a) - 1e-9).ceil() as usize;
        if lo_rank < 1 || hi_rank > m {
            let need = (1.0 / a).ceil() as usize - 1;
            return Err(Error::invalid(format!(
                "conformal {level}% intervals need at least {need} backtest errors at step {}, but only {m} are available; use --intervals model, a lower --level, or more (or longer) series",
                k + 1
            )));
        }
        Ok((s[lo_rank - 1], s[hi_rank - 1]))
    }

    /// Whether every step of an `h`-step forecast has calibrated quantiles at every level:
    /// the error [`Calibration::apply`] would give, before any series is fitted.
    pub fn check(&self, h: usize, levels: &[f64]) -> Result<()> {
        for &level in levels {
            for k in 0..h {
                self.quantiles(k.min(self.per_step.len() - 1), level)?;
            }
        }
        Ok(())
    }

    /// Replace the intervals of `forecast` with calibrated ones; `reference` is the final
    /// model's own 80% interval for the same steps.
    pub fn apply(
        &self,
        forecast: &mut Forecast,
        reference: &Interval,
        levels: &[f64],
    ) -> Result<()> {
        let h = forecast.point.len();
        let mut intervals = Vec::with_capacity(levels.len());
        for &level in levels {
            let (mut lower, mut upper) = (Vec::with_capacity(h), Vec::with_capacity(h));
            for k in 0..h {
                let (qlo, qhi) = self.quantiles(k.min(self.per_step.len() - 1), level)?;
                let w = 0.5 * (reference.upper[k] - reference.lower[k]);
                let p = forecast.point[k];
                lower.push((p + qlo * w).min(p));
                upper.push((p + qhi * w).max(p));
            }
            intervals.push(Interval {
                level,
                lower,
                upper,
            });
        }
        forecast.intervals = intervals;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ModelSpec;

    #[test]
    fn quantiles_follow_the_finite_sample_ranks() {
        let scores: Vec<f64> = (1..=99).map(f64::from).collect();
        let c = Calibration::pool([vec![scores]], 1);
        // m = 99, level 80: ranks floor(100*0.1)=10 and ceil(100*0.9)=90
        assert_eq!(c.quantiles(0, 80.0).unwrap(), (10.0, 90.0));
    }

    #[test]
    fn too_few_scores_for_a_level_is_an_error() {
        let c = Calibration::pool([vec![vec![0.1, -0.2, 0.3]]], 1);
        let e = c.quantiles(0, 95.0).unwrap_err().to_string();
        assert!(e.contains("need at least 39 backtest errors"), "{e}");
    }

    #[test]
    fn scores_only_use_data_before_each_origin() {
        // a series whose last value is absurd: no score may be computed from a fit that saw it
        let mut y: Vec<f64> = (0..20).map(|t| 10.0 + t as f64).collect();
        y.push(1e6);
        let s = series_scores(
            &y,
            1,
            ModelChoice::Fixed(ModelSpec::Drift),
            1,
            ConformalSettings {
                origins: 3,
                min_train: 5,
            },
        );
        // origins 18, 19, 20: the first two predict clean points exactly (drift on a line has zero width -> skipped),
        // the last predicts 1e6 from clean data: a huge positive score, never a fit including it.
        assert!(s[0].iter().all(|v| *v > 0.0 || v.abs() < 1e-9));
    }

    #[test]
    fn calibrated_intervals_contain_the_point_and_nest_by_level() {
        let scores: Vec<f64> = (0..200).map(|i| (i as f64 - 100.0) / 40.0).collect();
        let c = Calibration::pool([vec![scores.clone(), scores]], 2);
        let mut f = Forecast {
            point: vec![10.0, 11.0],
            intervals: vec![],
        };
        let reference = Interval {
            level: 80.0,
            lower: vec![9.0, 9.5],
            upper: vec![11.0, 12.5],
        };
        c.apply(&mut f, &reference, &[80.0, 95.0]).unwrap();
        for k in 0..2 {
            assert!(
                f.intervals[1].lower[k] <= f.intervals[0].lower[k]
                    && f.intervals[0].lower[k] <= f.point[k]
            );
            assert!(
                f.point[k] <= f.intervals[0].upper[k]
                    && f.intervals[0].upper[k] <= f.intervals[1].upper[k]
            );
        }
    }
}
