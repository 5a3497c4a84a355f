//! Forecast combinations: the mean or median of several models' forecasts, the strongest
//! simple idea of the M4 competition (Makridakis et al. 2020).
//!
//! Point forecasts are combined by mean or median. Interval bounds are combined the same
//! way, level by level (quantile averaging, "Vincentization": Lichtendahl, Grushka-Cockayne
//! & Winkler 2013 show it is sharper than a mixture and well calibrated when members are
//! similar). Sample paths are drawn from a member chosen uniformly at random per path
//! (a mixture), so simulated probabilities reflect disagreement between members.

use super::forecast::{Forecast, Interval, Param};
use super::{FittedModel, ModelSpec};
use crate::error::{Error, Result};
use rand::Rng;
use rand::rngs::StdRng;
use serde::Serialize;

/// Models that can be members of a combination (bit i of the mask = `COMBINABLE[i]`).
pub const COMBINABLE: [ModelSpec; 14] = [
    ModelSpec::Naive,
    ModelSpec::Drift,
    ModelSpec::LogDrift,
    ModelSpec::LogLinear { bias_adjust: false },
    ModelSpec::Damped,
    ModelSpec::Ets,
    ModelSpec::Piecewise,
    ModelSpec::Theta,
    ModelSpec::Otm,
    ModelSpec::Dstm,
    ModelSpec::Dotm,
    ModelSpec::AutoTheta,
    ModelSpec::Arima,
    ModelSpec::Ces,
];

/// Which members, combined how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ComboSpec {
    mask: u16,
    /// Median (true) or mean (false).
    pub median: bool,
    /// Fit the members to ln(y) and back-transform (when every value is positive).
    pub log: bool,
}

impl ComboSpec {
    /// A combination of `members` (at least two distinct combinable models).
    pub fn new(members: &[ModelSpec], median: bool) -> Result<Self> {
        let mut mask = 0u16;
        for m in members {
            let i = COMBINABLE
                .iter()
                .position(|c| c.name() == m.name())
                .ok_or_else(|| {
                    Error::invalid(format!("{} cannot be a member of a combination", m.name()))
                })?;
            mask |= 1 << i;
        }
        if mask.count_ones() < 2 {
            return Err(Error::invalid(
                "a combination needs at least two different models",
            ));
        }
        Ok(Self {
            mask,
            median,
            log: false,
        })
    }

    /// The member models, in [`COMBINABLE`] order.
    pub fn members(&self) -> Vec<ModelSpec> {
        COMBINABLE
            .iter()
            .enumerate()
            .filter(|(i, _)| self.mask & (1 << i) != 0)
            .map(|(_, m)| *m)
            .collect()
    }

    /// `median(ets,theta,arima)`-style label.
    pub fn label(&self) -> String {
        let names: Vec<&str> = self.members().iter().map(|m| m.name()).collect();
        format!(
            "{}({})",
            if self.median { "median" } else { "mean" },
            names.join(",")
        )
    }

    /// Fit every member; members that cannot be fitted are dropped (listed in `skipped`),
    /// and at least one must remain.
    pub fn fit(&self, y: &[f64]) -> Result<FittedCombination> {
        let mut members = Vec::new();
        let mut skipped = Vec::new();
        let log = self.log && y.iter().all(|v| *v > 0.0);
        let logs: Vec<f64>;
        let data = if log {
            logs = y.iter().map(|v| v.ln()).collect();
            &logs[..]
        } else {
            y
        };
        for spec in self.members() {
            match spec.fit(data) {
                Ok(m) => members.push(m),
                Err(e) => skipped.push(format!("{}: {e}", spec.name())),
            }
        }
        if members.is_empty() {
            return Err(Error::Fit {
                model: self.label(),
                reason: skipped.join("; "),
            });
        }
        Ok(FittedCombination {
            spec: *self,
            members,
            skipped,
            log,
        })
    }
}

/// A fitted combination.
#[derive(Debug)]
pub struct FittedCombination {
    spec: ComboSpec,
    members: Vec<Box<dyn FittedModel>>,
    /// Members that could not be fitted, with the reason.
    pub skipped: Vec<String>,
    log: bool,
}

fn combine(values: &mut [f64], median: bool) -> f64 {
    if median {
        values.sort_by(f64::total_cmp);
        let n = values.len();
        if n % 2 == 1 {
            values[n / 2]
        } else {
            0.5 * (values[n / 2 - 1] + values[n / 2])
        }
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

impl FittedModel for FittedCombination {
    fn name(&self) -> &'static str {
        "combo"
    }
    fn description(&self) -> String {
        let fitted: Vec<String> = self.members.iter().map(|m| m.description()).collect();
        let on = if self.log {
            " on ln(y), back-transformed (median)"
        } else {
            ""
        };
        format!("{}{on} of: {}", self.spec.label(), fitted.join(" | "))
    }
    fn params(&self) -> Vec<Param> {
        self.members
            .iter()
            .flat_map(|m| {
                let name = m.name();
                m.params()
                    .into_iter()
                    .map(move |p| Param::new(format!("{name}.{}", p.name), p.value))
            })
            .collect()
    }
    fn forecast(&self, h: usize, levels: &[f64]) -> Forecast {
        let fcs: Vec<Forecast> = self.members.iter().map(|m| m.forecast(h, levels)).collect();
        let median = self.spec.median;
        let at = |f: &dyn Fn(&Forecast) -> f64| -> f64 {
            let mut v: Vec<f64> = fcs.iter().map(f).collect();
            combine(&mut v, median)
        };
        let point: Vec<f64> = (0..h).map(|k| at(&|f| f.point[k])).collect();
        let intervals = levels
            .iter()
            .enumerate()
            .map(|(j, &level)| {
                let lower: Vec<f64> = (0..h)
                    .map(|k| at(&|f| f.intervals[j].lower[k]).min(point[k]))
                    .collect();
                let upper: Vec<f64> = (0..h)
                    .map(|k| at(&|f| f.intervals[j].upper[k]).max(point[k]))
                    .collect();
                Interval {
                    level,
                    lower,
                    upper,
                }
            })
            .collect();
        let mut f = Forecast { point, intervals };
        if self.log {
            for v in f.point.iter_mut() {
                *v = super::forecast::safe_exp(*v);
            }
            for iv in f.intervals.iter_mut() {
                for v in iv.lower.iter_mut().chain(iv.upper.iter_mut()) {
                    *v = super::forecast::safe_exp(*v);
                }
            }
        }
        f
    }
    fn simulate(&self, h: usize, rng: &mut StdRng) -> Vec<f64> {
        let i = rng.random_range(0..self.members.len());
        let path = self.members[i].simulate(h, rng);
        if self.log {
            path.into_iter().map(super::forecast::safe_exp).collect()
        } else {
            path
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mean_of_naive_and_drift_is_halfway_between_them() {
        let y = [1.0, 2.0, 3.0, 4.0, 5.0];
        let c = ComboSpec::new(&[ModelSpec::Naive, ModelSpec::Drift], false)
            .unwrap()
            .fit(&y)
            .unwrap();
        let f = c.forecast(2, &[80.0]);
        assert_eq!(f.point, vec![5.5, 6.0]);
        assert!(f.intervals[0].lower[0] <= 5.5 && 5.5 <= f.intervals[0].upper[0]);
    }

    #[test]
    fn the_median_of_three_is_the_middle_member() {
        let y = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        let spec = ComboSpec::new(
            &[ModelSpec::Naive, ModelSpec::Drift, ModelSpec::LogDrift],
            true,
        )
        .unwrap();
        let f = spec.fit(&y).unwrap().forecast(1, &[]);
        let naive = 10.0;
        let drift = 11.0;
        let logdrift = 10.0 * (10f64.ln() / 9.0).exp();
        let mut v = [naive, drift, logdrift];
        v.sort_by(f64::total_cmp);
        assert!((f.point[0] - v[1]).abs() < 1e-12);
    }

    #[test]
    fn a_log_scale_combination_back_transforms_to_the_level_of_the_data() {
        let y: Vec<f64> = (0..12).map(|t| 100.0 * 1.1f64.powi(t)).collect();
        let mut spec = ComboSpec::new(&[ModelSpec::Naive, ModelSpec::Drift], false).unwrap();
        spec.log = true;
        let f = spec.fit(&y).unwrap().forecast(1, &[80.0]);
        // naive on logs: last value; drift on logs: exact 10% growth; mean of the logs
        let expected = (0.5 * (y[11].ln() + (y[11] * 1.1).ln())).exp();
        assert!(
            (f.point[0] - expected).abs() < 1e-9,
            "{} vs {expected}",
            f.point[0]
        );
    }

    #[test]
    fn a_combination_needs_two_members() {
        assert!(ComboSpec::new(&[ModelSpec::Naive], false).is_err());
        assert!(ComboSpec::new(&[ModelSpec::Naive, ModelSpec::Naive], false).is_err());
    }

    #[test]
    fn members_that_cannot_be_fitted_are_skipped_not_fatal() {
        let y = [1.0, 2.0, 3.0];
        let c = ComboSpec::new(&[ModelSpec::Drift, ModelSpec::Damped], false)
            .unwrap()
            .fit(&y)
            .unwrap();
        assert_eq!(c.skipped.len(), 1);
        assert_eq!(c.forecast(1, &[]).point, vec![4.0]);
    }
}
