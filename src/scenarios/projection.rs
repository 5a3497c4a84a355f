//! A series projected forward under a model choice: the forecast with its dates, unit,
//! model, parameters and interval levels.

use crate::error::{Error, Result};
use crate::evaluation::select::{ModelChoice, Selection, fit_choice_m};
use crate::models::seasonal::SeasonTest;
use crate::models::{FittedModel, Forecast, Param};
use crate::series::{MarketSeries, TimeKind, Unit};
use serde::Serialize;
use std::borrow::Cow;

/// Everything a forecast output needs to say about itself.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesForecast {
    /// Series id.
    pub id: String,
    /// Unit of every number.
    pub unit: Unit,
    /// Time kind of `periods`.
    pub kind: TimeKind,
    /// First and last training period (ordinals).
    pub train_start: i64,
    /// Last training period: the forecast origin.
    pub train_end: i64,
    /// Forecast periods (ordinals), one per step.
    pub periods: Vec<i64>,
    /// Model name (`naive`, `drift`, `loglinear`, `damped`).
    pub model: Cow<'static, str>,
    /// Model description.
    pub description: Cow<'static, str>,
    /// Fitted parameters.
    pub params: Vec<Param>,
    /// Interval levels, percent, in requested order.
    pub levels: Vec<f64>,
    /// The numbers.
    pub forecast: Forecast,
    /// How `auto` chose, if it did.
    pub selection: Option<Selection>,
    /// How the intervals were made.
    pub interval_method: IntervalMethod,
    /// Season length used for the fit (1 = non-seasonal).
    pub season_length: usize,
    /// The seasonality test that decided it, for season lengths above 1.
    pub season_test: Option<SeasonTest>,
}

/// A series that could not be forecast: named with its error, its rows written with
/// empty values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failed {
    /// Series id.
    pub id: String,
    /// Last observed ordinal.
    pub end: i64,
    /// Why it could not be forecast.
    pub error: String,
}

/// A forecast plus the fitted model that made it (for simulation).
#[derive(Debug)]
pub struct Projection {
    /// The forecast.
    pub forecast: SeriesForecast,
    /// The fitted model.
    pub model: Box<dyn FittedModel>,
}

/// Check interval levels: each strictly between 0 and 100, no duplicates.
pub fn validate_levels(levels: &[f64]) -> Result<()> {
    for (i, l) in levels.iter().enumerate() {
        if !(l.is_finite() && *l > 0.0 && *l < 100.0) {
            return Err(Error::invalid(format!(
                "--level {l} is not a valid interval level; give a percentage strictly between 0 and 100, e.g. --level 80 --level 95"
            )));
        }
        if levels[..i].iter().any(|p| (p - l).abs() < 1e-9) {
            return Err(Error::invalid(format!("--level {l} is given twice")));
        }
    }
    Ok(())
}

/// Floor forecasts of a positive series at zero, except for the naive and drift baselines.
pub fn floor_positive(series: &MarketSeries, model: &str, forecast: &mut Forecast) {
    if series.values().iter().all(|v| *v > 0.0) && !matches!(model, "naive" | "drift") {
        forecast.floor_at(0.0);
    }
}

/// How prediction intervals are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IntervalMethod {
    /// The model's own intervals (analytic or simulated).
    Model,
    /// Conformal calibration from rolling-origin residuals pooled over the run's series.
    Conformal,
    /// A request, never a result: conformal for the default model (`auto`) on
    /// non-seasonal runs (season length 1) whose pooled scores reach every level, the
    /// model's own otherwise. Chosen by the inner validation of the yearly dev sets (README,
    /// Models); seasonal runs keep the model's intervals, whose coverage was already in
    /// range there, at a tenth of the CPU.
    Auto,
}

/// At most this many series (every k-th, in input order) are refitted for a conformal
/// calibration: 10 origins each give 20,000 scores per step, far more than the quantiles
/// need, and the cost stays bounded on runs of any size.
pub const MAX_CALIBRATION_SERIES: usize = 2_000;

/// Series fitted between two progress ticks of [`project_batch`]: a tick per series costs
/// a lock and two clock reads, 3.5% of a `naive` run over 500,000 series.
const TICK_EVERY: usize = 16;

/// Project many series in parallel (rayon; one thread when `RAYON_NUM_THREADS=1`), with
/// model or conformal intervals. `tick` is called with the number of series finished since
/// its last call (for progress display). Per-series failures are returned, not fatal; a conformal calibration that
/// cannot reach a level is fatal.
///
/// The same as [`conformal_calibration`] over all series (for conformal intervals) followed
/// by [`project_batch`] over any split of them into batches: a long run streams batches.
#[allow(clippy::too_many_arguments)]
pub fn project_many(
    series: &[MarketSeries],
    choice: ModelChoice,
    h: usize,
    levels: &[f64],
    intervals: IntervalMethod,
    floor: bool,
    tick: &(dyn Fn(u64) + Sync),
) -> Result<Vec<Result<Projection>>> {
    validate_levels(levels)?;
    let calibration = calibration_for(series, choice, h, levels, intervals);
    project_batch(series, choice, h, levels, calibration.as_ref(), floor, tick)
}

/// The conformal calibration that `intervals` asks for on a run, or `None` for the models'
/// own intervals: always for [`IntervalMethod::Conformal`] (a level it cannot reach is an
/// error when applied), and for [`IntervalMethod::Auto`] when the choice is `auto`, every
/// series is non-seasonal and the pooled scores reach every level.
pub fn calibration_for(
    series: &[MarketSeries],
    choice: ModelChoice,
    h: usize,
    levels: &[f64],
    intervals: IntervalMethod,
) -> Option<crate::evaluation::conformal::Calibration> {
    let non_seasonal = series.iter().all(|s| s.season_length() <= 1);
    if !needs_calibration(intervals, choice, non_seasonal) {
        return None;
    }
    let calibrators: Vec<&MarketSeries> = series
        .iter()
        .step_by(calibration_stride(series.len()))
        .collect();
    calibration_from(&calibrators, choice, h, levels, intervals)
}

/// Whether `intervals` asks for a conformal calibration for `choice` on a run whose series
/// are all non-seasonal (`non_seasonal`) or not.
pub fn needs_calibration(
    intervals: IntervalMethod,
    choice: ModelChoice,
    non_seasonal: bool,
) -> bool {
    match intervals {
        IntervalMethod::Model => false,
        IntervalMethod::Conformal => true,
        IntervalMethod::Auto => choice == ModelChoice::Auto && non_seasonal,
    }
}

/// Every how many series (in input order) one is refitted for the calibration of a run of
/// `n`: at most [`MAX_CALIBRATION_SERIES`] calibrators.
pub fn calibration_stride(n: usize) -> usize {
    n.div_ceil(MAX_CALIBRATION_SERIES).max(1)
}

/// [`calibration_for`] from the calibrators already picked (every
/// [`calibration_stride`]-th series of the run), for a run that streams its series and
/// never holds them all; the caller has checked [`needs_calibration`].
pub fn calibration_from(
    calibrators: &[&MarketSeries],
    choice: ModelChoice,
    h: usize,
    levels: &[f64],
    intervals: IntervalMethod,
) -> Option<crate::evaluation::conformal::Calibration> {
    let calibration = pooled_calibration(calibrators, choice, h);
    if intervals == IntervalMethod::Auto && !calibration.reaches(levels) {
        return None;
    }
    Some(calibration)
}

/// The conformal calibration of a run: rolling-origin scores of every k-th series (at most
/// [`MAX_CALIBRATION_SERIES`], in input order), pooled and computed in parallel; the pool
/// does not depend on how the series are batched later.
pub fn conformal_calibration(
    series: &[MarketSeries],
    choice: ModelChoice,
    h: usize,
) -> crate::evaluation::conformal::Calibration {
    let calibrators: Vec<&MarketSeries> = series
        .iter()
        .step_by(calibration_stride(series.len()))
        .collect();
    pooled_calibration(&calibrators, choice, h)
}

fn pooled_calibration(
    calibrators: &[&MarketSeries],
    choice: ModelChoice,
    h: usize,
) -> crate::evaluation::conformal::Calibration {
    use crate::evaluation::conformal::{Calibration, ConformalSettings, series_scores};
    use rayon::prelude::*;
    let settings = ConformalSettings::default();
    let scores: Vec<Vec<Vec<f64>>> = calibrators
        .par_iter()
        .map(|s| series_scores(s.values(), s.season_length(), choice, h, settings))
        .collect();
    Calibration::pool(scores, h)
}

/// Project one batch of series in parallel, on every core (rayon), with the run's conformal
/// `calibration` when given (else the models' own intervals). Results come back in input
/// order whatever the thread count. `tick` is called with the number of series finished
/// since its last call.
#[allow(clippy::too_many_arguments)]
pub fn project_batch(
    series: &[MarketSeries],
    choice: ModelChoice,
    h: usize,
    levels: &[f64],
    calibration: Option<&crate::evaluation::conformal::Calibration>,
    floor: bool,
    tick: &(dyn Fn(u64) + Sync),
) -> Result<Vec<Result<Projection>>> {
    use rayon::prelude::*;
    validate_levels(levels)?;
    if let Some(c) = calibration {
        c.check(h, levels)?;
    }
    // a calibrated run replaces the model's intervals: fit for the point alone, then
    // calibrate on the same worker (the model's own intervals at `levels` would be discarded)
    let fit_levels: &[f64] = if calibration.is_some() { &[] } else { levels };
    // an indexed collect: each result is written in its place (collecting the chunks'
    // vectors grew and copied them, 1.1% of a naive run's CPU); a tick at every
    // TICK_EVERY-th series and the rest at the end
    let results: Vec<Result<Projection>> = series
        .par_iter()
        .enumerate()
        .map(|(i, s)| {
            let p = project_with(s, choice, h, fit_levels, floor).and_then(|mut p| {
                if let Some(c) = calibration {
                    calibrate(s, &mut p, c, h, levels, floor)?;
                }
                Ok(p)
            });
            if (i + 1) % TICK_EVERY == 0 {
                tick(TICK_EVERY as u64);
            }
            p
        })
        .collect();
    let rest = series.len() % TICK_EVERY;
    if rest > 0 {
        tick(rest as u64);
    }
    Ok(results)
}

/// Replace the intervals of `p` (fitted for its point alone) with `calibration`'s at
/// `levels`, scaled by the model's own 80% interval, bounded and floored as the model's own
/// would be.
fn calibrate(
    s: &MarketSeries,
    p: &mut Projection,
    calibration: &crate::evaluation::conformal::Calibration,
    h: usize,
    levels: &[f64],
    floor: bool,
) -> Result<()> {
    let reference = p.model.forecast(h, &[80.0]).intervals.remove(0);
    let f = &mut p.forecast;
    calibration.apply(&mut f.forecast, &reference, levels)?;
    f.levels = levels.to_vec();
    // the calibrated bounds obey the same limit as the model's own
    f.forecast.clamp_to_data(s.values());
    if floor {
        floor_positive(s, &f.model, &mut f.forecast);
    }
    f.interval_method = IntervalMethod::Conformal;
    let finite = f
        .forecast
        .intervals
        .iter()
        .all(|i| i.lower.iter().chain(&i.upper).all(|v| v.is_finite()));
    if !finite {
        return Err(Error::Fit {
            model: f.model.to_string(),
            reason: "the forecast is not finite (the series' scale overflows the model)".into(),
        });
    }
    Ok(())
}

/// Forecast with an already fitted model (e.g. a regression with external regressors).
pub fn project_fitted(
    series: &MarketSeries,
    model: Box<dyn FittedModel>,
    h: usize,
    levels: &[f64],
    floor: bool,
) -> Result<Projection> {
    build(series, model, None, h, levels, floor)
}

/// Fit `choice` to `series` and forecast `h` steps at `levels`.
///
/// For a series whose every value is positive, forecasts and interval bounds are floored
/// at zero (a market cannot sell a negative amount). Naive and drift are left exactly as
/// defined so that they stay comparable with other tools' baselines.
pub fn project(
    series: &MarketSeries,
    choice: ModelChoice,
    h: usize,
    levels: &[f64],
) -> Result<Projection> {
    project_with(series, choice, h, levels, true)
}

/// [`project`] with the zero floor switchable (`--allow-negative` turns it off).
pub fn project_with(
    series: &MarketSeries,
    choice: ModelChoice,
    h: usize,
    levels: &[f64],
    floor: bool,
) -> Result<Projection> {
    if h == 0 {
        return Err(Error::invalid("the horizon must be at least 1 step"));
    }
    let fitted = fit_choice_m(series.values(), series.season_length(), choice, h)?;
    let mut p = build(series, fitted.model, fitted.selection, h, levels, floor)?;
    p.forecast.season_test = fitted.season;
    Ok(p)
}

/// Forecast with a fitted model and wrap the result with its dates, unit and model.
fn build(
    series: &MarketSeries,
    model: Box<dyn FittedModel>,
    selection: Option<Selection>,
    h: usize,
    levels: &[f64],
    floor: bool,
) -> Result<Projection> {
    if h == 0 {
        return Err(Error::invalid("the horizon must be at least 1 step"));
    }
    validate_levels(levels)?;
    let mut forecast = model.forecast(h, levels);
    forecast.clamp_to_data(series.values());
    if floor {
        floor_positive(series, model.name(), &mut forecast);
    }
    let finite = forecast.point.iter().all(|v| v.is_finite())
        && forecast
            .intervals
            .iter()
            .all(|i| i.lower.iter().chain(&i.upper).all(|v| v.is_finite()));
    if !finite {
        return Err(Error::Fit {
            model: model.name().into(),
            reason: "the forecast is not finite (the series' scale overflows the model)".into(),
        });
    }
    Ok(Projection {
        forecast: SeriesForecast {
            id: series.id().to_string(),
            unit: series.unit().clone(),
            kind: series.kind(),
            train_start: series.start(),
            train_end: series.end(),
            periods: (1..=h as i64).map(|k| series.end() + k).collect(),
            model: model.name().into(),
            description: model.description(),
            params: model.params(),
            levels: levels.to_vec(),
            forecast,
            selection,
            interval_method: IntervalMethod::Model,
            season_length: series.season_length(),
            season_test: None,
        },
        model,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ModelSpec;
    use proptest::prelude::*;

    fn series(values: Vec<f64>) -> MarketSeries {
        MarketSeries::new("s", TimeKind::Integer, 2000, values, Unit::UsdBillions).unwrap()
    }

    #[test]
    fn forecast_periods_follow_the_last_observation() {
        let p = project(
            &series(vec![1.0, 2.0, 3.0]),
            ModelChoice::Fixed(ModelSpec::Drift),
            2,
            &[95.0],
        )
        .unwrap();
        assert_eq!(p.forecast.periods, vec![2003, 2004]);
        assert_eq!(p.forecast.levels, vec![95.0]);
    }

    #[test]
    fn invalid_levels_are_refused() {
        assert!(validate_levels(&[0.0]).is_err());
        assert!(validate_levels(&[100.0]).is_err());
        assert!(validate_levels(&[80.0, 80.0]).is_err());
        assert!(validate_levels(&[50.0, 99.9]).is_ok());
    }

    fn every_model() -> Vec<ModelChoice> {
        crate::models::registry::MODELS
            .iter()
            .filter_map(crate::models::registry::spec)
            .map(ModelChoice::Fixed)
            .chain([ModelChoice::Auto, ModelChoice::Select])
            .collect()
    }

    #[test]
    fn auto_intervals_are_conformal_only_for_the_default_model_on_enough_yearly_series() {
        let grow = |i: usize| -> Vec<f64> {
            (0..20)
                .map(|t: usize| {
                    100.0 * (1.0 + 0.03 * i as f64) * 1.05f64.powi(t as i32)
                        + ((t * 7 + i) % 5) as f64
                })
                .collect()
        };
        let many: Vec<MarketSeries> = (0..8).map(|i| series(grow(i))).collect();
        let method = |set: &[MarketSeries], choice| {
            project_many(
                set,
                choice,
                4,
                &[80.0, 95.0],
                IntervalMethod::Auto,
                true,
                &|_| {},
            )
            .unwrap()
            .into_iter()
            .map(|r| r.unwrap().forecast.interval_method)
            .collect::<Vec<_>>()
        };
        // 8 series x 10 origins = 80 scores per step: enough for 95%
        assert!(
            method(&many, ModelChoice::Auto)
                .iter()
                .all(|m| *m == IntervalMethod::Conformal)
        );
        // one series: 10 scores cannot reach 95%, so the model's own intervals
        assert_eq!(
            method(&many[..1], ModelChoice::Auto),
            vec![IntervalMethod::Model]
        );
        // a named model keeps its own intervals (naive and drift stay identical to R's)
        let drift = ModelChoice::Fixed(ModelSpec::Drift);
        assert!(
            method(&many, drift)
                .iter()
                .all(|m| *m == IntervalMethod::Model)
        );
        // seasonal runs keep the model's intervals
        let monthly: Vec<MarketSeries> = many
            .iter()
            .map(|s| {
                let mut s = s.clone();
                s.set_season_length(12);
                s
            })
            .collect();
        assert!(
            method(&monthly, ModelChoice::Auto)
                .iter()
                .all(|m| *m == IntervalMethod::Model)
        );
    }

    #[test]
    fn conformal_bounds_obey_the_same_limit_as_the_models_own() {
        // values jumping over six orders of magnitude, where log-scale models' own
        // intervals reach far beyond the data
        let wild: Vec<MarketSeries> = (0..12)
            .map(|i| {
                let v = (0..18)
                    .map(|t| 10f64.powf(((i * 7 + t * 13) % 60) as f64 / 10.0 - 1.0))
                    .collect();
                series(v)
            })
            .collect();
        let h = 6;
        let out = project_many(
            &wild,
            ModelChoice::Auto,
            h,
            &[80.0, 95.0],
            IntervalMethod::Conformal,
            true,
            &|_| {},
        )
        .unwrap();
        for (s, r) in wild.iter().zip(&out) {
            let f = &r.as_ref().unwrap().forecast.forecast;
            let (lo, hi) = s
                .values()
                .iter()
                .fold((f64::INFINITY, 0.0f64), |(a, b), v| (a.min(*v), b.max(*v)));
            for iv in &f.intervals {
                for k in 0..h {
                    let reach = (k + 1) as f64 * (hi - lo) * (1.0 + 1e-12);
                    assert!(
                        iv.upper[k] <= f.point[k].max(hi) + reach,
                        "step {k}: {}",
                        iv.upper[k]
                    );
                    assert!(iv.lower[k] >= f.point[k].min(lo) - reach);
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Wild series: values spanning six orders of magnitude, start-up jumps and
        /// collapses. No model's 95% bound may leave what the data supports (one data
        /// range per step beyond the point forecast or the record).
        #[test]
        fn no_interval_explodes_on_a_wild_series(
            exps in proptest::collection::vec(-1.0f64..5.0, 8..30),
            m in prop_oneof![Just(1usize), Just(4usize)],
        ) {
            let values: Vec<f64> = exps.iter().map(|e| 10f64.powf(*e)).collect();
            let (lo, hi) = values.iter().fold((f64::INFINITY, 0.0f64), |(a, b), v| (a.min(*v), b.max(*v)));
            let mut s = series(values);
            s.set_season_length(m);
            for choice in every_model() {
                let Ok(p) = project(&s, choice, 6, &[95.0]) else { continue };
                let f = &p.forecast.forecast;
                for k in 0..6 {
                    let reach = (k + 1) as f64 * (hi - lo) * (1.0 + 1e-12);
                    prop_assert!(f.intervals[0].upper[k] <= f.point[k].max(hi) + reach,
                        "{choice:?} step {k}: upper {} beyond {}", f.intervals[0].upper[k], f.point[k].max(hi) + reach);
                    prop_assert!(f.intervals[0].lower[k] >= f.point[k].min(lo) - reach);
                }
            }
        }

        #[test]
        fn lower_is_at_most_point_is_at_most_upper_for_every_model_and_level(
            values in proptest::collection::vec(1.0f64..1000.0, 8..40),
            h in 1usize..8,
            which in 0usize..6,
        ) {
            let choice = match which {
                0 => ModelChoice::Fixed(ModelSpec::Naive),
                1 => ModelChoice::Fixed(ModelSpec::Drift),
                2 => ModelChoice::Fixed(ModelSpec::LogLinear { bias_adjust: false }),
                3 => ModelChoice::Fixed(ModelSpec::Damped),
                4 => ModelChoice::Fixed(ModelSpec::LogDrift),
                _ => ModelChoice::Auto,
            };
            let p = project(&series(values), choice, h, &[50.0, 80.0, 95.0]).unwrap();
            let f = &p.forecast.forecast;
            for k in 0..h {
                for iv in &f.intervals {
                    prop_assert!(iv.lower[k] <= f.point[k] + 1e-9 && f.point[k] <= iv.upper[k] + 1e-9);
                }
                for w in f.intervals.windows(2) {
                    prop_assert!(w[1].lower[k] <= w[0].lower[k] + 1e-9 && w[0].upper[k] <= w[1].upper[k] + 1e-9);
                }
                prop_assert!(f.point[k].is_finite());
            }
        }
    }
}
