//! Rolling-origin accuracy of one model choice: each split of [`super::backtest`] is fitted
//! with [`super::select::fit_choice`] on the data before its origin and scored with
//! [`super::metrics`]. Kept apart from the splits so that `select` (which uses the splits)
//! and this module (which uses `select`) do not import each other.

use super::backtest::Split;
use serde::Serialize;

/// Accuracy of one model over rolling origins.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scores {
    /// Forecast points scored.
    pub points: usize,
    /// Origins that could be fitted.
    pub origins: usize,
    /// Mean sMAPE (percent) over points.
    pub smape: f64,
    /// Mean MASE over points (scale: the training window's mean absolute difference).
    pub mase: f64,
    /// Share of actuals inside the 80% interval.
    pub cov80: f64,
    /// Share inside the 95% interval.
    pub cov95: f64,
    /// Mean scaled interval score at 95%.
    pub msis: f64,
}

/// Rolling-origin evaluation of `choice` on `y`: every split is fitted on data before its
/// origin only; intervals at 80 and 95%.
pub fn evaluate(y: &[f64], choice: super::select::ModelChoice, splits: &[Split]) -> Option<Scores> {
    use super::metrics::{mase_scale, msis, smape};
    let (mut n, mut origins, mut s_smape, mut s_mase, mut c80, mut c95, mut s_msis) =
        (0usize, 0usize, 0.0, 0.0, 0.0, 0.0, 0.0);
    for s in splits {
        let train = &y[..s.train_end];
        let Ok(fitted) = super::select::fit_choice(train, choice, s.horizon) else {
            continue;
        };
        let f = fitted.model.forecast(s.horizon, &[80.0, 95.0]);
        let scale = mase_scale(train, 1).unwrap_or(1.0);
        origins += 1;
        for (k, actual) in y[s.test_range()].iter().enumerate() {
            let one = [*actual];
            s_smape += smape(&one, &[f.point[k]]);
            s_mase += (actual - f.point[k]).abs() / scale;
            c80 += f64::from(u8::from(
                f.intervals[0].lower[k] <= *actual && *actual <= f.intervals[0].upper[k],
            ));
            c95 += f64::from(u8::from(
                f.intervals[1].lower[k] <= *actual && *actual <= f.intervals[1].upper[k],
            ));
            s_msis += msis(
                &one,
                &[f.intervals[1].lower[k]],
                &[f.intervals[1].upper[k]],
                0.05,
                scale,
            );
            n += 1;
        }
    }
    (n > 0).then(|| {
        let nf = n as f64;
        Scores {
            points: n,
            origins,
            smape: s_smape / nf,
            mase: s_mase / nf,
            cov80: c80 / nf,
            cov95: c95 / nf,
            msis: s_msis / nf,
        }
    })
}
