//! Forecast accuracy measures, with the M4 competition's definitions (the shared scorer's).

/// Symmetric MAPE in percent: mean of 200·|y − f| / (|y| + |f|). Pairs with y = f = 0 count 0.
pub fn smape(actual: &[f64], forecast: &[f64]) -> f64 {
    let terms: Vec<f64> = actual
        .iter()
        .zip(forecast)
        .map(|(y, f)| {
            let d = y.abs() + f.abs();
            if d == 0.0 {
                0.0
            } else {
                200.0 * (y - f).abs() / d
            }
        })
        .collect();
    mean(&terms)
}

/// In-sample scale of MASE: mean |y_t − y_{t−m}| over the training data (`None` if undefined).
pub fn mase_scale(train: &[f64], m: usize) -> Option<f64> {
    if train.len() <= m {
        return None;
    }
    let s = mean(
        &train
            .windows(m + 1)
            .map(|w| (w[m] - w[0]).abs())
            .collect::<Vec<_>>(),
    );
    (s > 0.0).then_some(s)
}

/// Mean absolute scaled error given a scale from [`mase_scale`].
pub fn mase(actual: &[f64], forecast: &[f64], scale: f64) -> f64 {
    mean(
        &actual
            .iter()
            .zip(forecast)
            .map(|(y, f)| (y - f).abs() / scale)
            .collect::<Vec<_>>(),
    )
}

/// Share of actuals inside [lower, upper].
pub fn coverage(actual: &[f64], lower: &[f64], upper: &[f64]) -> f64 {
    let inside = actual
        .iter()
        .zip(lower.iter().zip(upper))
        .filter(|(y, (l, u))| *l <= *y && *y <= *u)
        .count();
    inside as f64 / actual.len().max(1) as f64
}

/// Mean scaled interval score at level (1 − α): width plus 2/α times the miss, over `scale`.
pub fn msis(actual: &[f64], lower: &[f64], upper: &[f64], alpha: f64, scale: f64) -> f64 {
    let terms: Vec<f64> = actual
        .iter()
        .zip(lower.iter().zip(upper))
        .map(|(y, (l, u))| {
            let mut s = u - l;
            if y < l {
                s += 2.0 / alpha * (l - y);
            }
            if y > u {
                s += 2.0 / alpha * (y - u);
            }
            s / scale
        })
        .collect();
    mean(&terms)
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        f64::NAN
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

/// Root mean square of log errors ln(actual / forecast) (0 for none).
pub fn log_rmse(log_errors: &[f64]) -> f64 {
    (log_errors.iter().map(|e| e * e).sum::<f64>() / log_errors.len().max(1) as f64).sqrt()
}

/// Mean absolute percentage error, in percent, of forecasts given by their log errors
/// ln(actual / forecast): |actual − forecast| / actual = |1 − e^(−error)| (0 for none).
pub fn mape_from_log_errors(log_errors: &[f64]) -> f64 {
    100.0
        * log_errors
            .iter()
            .map(|e| (1.0 - (-e).exp()).abs())
            .sum::<f64>()
        / log_errors.len().max(1) as f64
}

/// Intervals (level, lower, upper) = point · exp(±z · sd) for a lognormal error with
/// log-scale standard deviation `sd`, at each level in percent.
pub fn lognormal_intervals(point: f64, sd: f64, levels: &[f64]) -> Vec<(f64, f64, f64)> {
    levels
        .iter()
        .map(|&l| {
            let z = crate::models::forecast::normal_z(l);
            (l, point * (-z * sd).exp(), point * (z * sd).exp())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_perfect_forecast_scores_zero() {
        assert_eq!(smape(&[1.0, 2.0], &[1.0, 2.0]), 0.0);
        assert_eq!(mase(&[1.0, 2.0], &[1.0, 2.0], 1.0), 0.0);
    }

    #[test]
    fn smape_of_double_is_66_percent() {
        assert!((smape(&[1.0], &[2.0]) - 200.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn msis_penalises_misses_by_two_over_alpha() {
        // width 2, miss of 1 below at alpha 0.05 -> 2 + 40 = 42
        assert!((msis(&[0.0], &[1.0], &[3.0], 0.05, 1.0) - 42.0).abs() < 1e-12);
        assert_eq!(coverage(&[0.0, 2.0], &[1.0, 1.0], &[3.0, 3.0]), 0.5);
    }

    #[test]
    fn mase_scale_is_undefined_for_a_flat_series() {
        assert_eq!(mase_scale(&[3.0, 3.0, 3.0], 1), None);
        assert_eq!(mase_scale(&[1.0, 3.0, 2.0], 1), Some(1.5));
    }

    #[test]
    fn log_error_summaries_match_their_definitions() {
        // forecasts 100 and 125 for actuals 110 and 100
        let e = [(110.0f64 / 100.0).ln(), (100.0f64 / 125.0).ln()];
        assert!(
            (mape_from_log_errors(&e) - 100.0 * (10.0 / 110.0 + 25.0 / 100.0) / 2.0).abs() < 1e-9
        );
        assert!((log_rmse(&e) - ((e[0] * e[0] + e[1] * e[1]) / 2.0).sqrt()).abs() < 1e-12);
        assert_eq!((log_rmse(&[]), mape_from_log_errors(&[])), (0.0, 0.0));
        let iv = lognormal_intervals(100.0, 0.1, &[95.0]);
        assert!((iv[0].1 * iv[0].2 - 100.0 * 100.0).abs() < 1e-9);
        assert!((iv[0].2 / 100.0 - (1.959964f64 * 0.1).exp()).abs() < 1e-6);
    }
}
