//! Models: an unfitted specification fits to a fitted model, which forecasts.
//!
//! Every model takes plain `&[f64]` observations (already validated by
//! [`crate::series::MarketSeries`]) and returns a [`FittedModel`] that can produce point
//! forecasts, prediction intervals at any list of levels, and simulated sample paths.

pub mod arima;
pub mod ces;
pub mod combination;
pub mod ets;
pub mod forecast;
pub mod growth;
pub mod linalg;
pub mod log_linear;
pub mod naive;
pub mod optim;
pub mod piecewise;
pub mod registry;
pub mod regression;
pub mod seasonal;
pub mod theta;

use crate::error::{Error, Result};
pub use forecast::{Forecast, Interval, Param};
use rand::rngs::StdRng;
use std::borrow::Cow;

/// A fitted model: the only thing that can forecast.
pub trait FittedModel: Send + Sync + std::fmt::Debug {
    /// Short machine name (`naive`, `drift`, `logdrift`, `loglinear`, `damped`).
    fn name(&self) -> &'static str;
    /// Human description including the variant (e.g. `ETS(A,Ad,N)`).
    fn description(&self) -> Cow<'static, str>;
    /// Fitted parameters.
    fn params(&self) -> Vec<Param>;
    /// Point forecasts and central intervals for `h` steps at `levels` (percent).
    fn forecast(&self, h: usize, levels: &[f64]) -> Forecast;
    /// One simulated future sample path of `h` steps, drawn from the model's predictive
    /// distribution (parameter uncertainty included where the model documents it).
    fn simulate(&self, h: usize, rng: &mut StdRng) -> Vec<f64>;
}

/// A model specification that can be fitted.
pub trait Forecaster {
    /// The fitted type.
    type Fitted: FittedModel + 'static;
    /// Fit to observations (oldest first).
    fn fit(&self, y: &[f64]) -> Result<Self::Fitted>;
}

/// The models the CLI can name, resolved from user input.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelSpec {
    /// Last value carried forward (random walk).
    Naive,
    /// Random walk with drift.
    Drift,
    /// Geometric random walk with drift: drift on ln(y), forecasts from the last value.
    LogDrift,
    /// Constant growth rate: OLS of ln(y) on time.
    LogLinear {
        /// Back-transform to the mean (`true`) rather than the median (`false`).
        bias_adjust: bool,
    },
    /// Holt's linear method with additive damped trend, ETS(A,Ad,N), maximum likelihood.
    Damped,
    /// Automatic exponential smoothing: the lowest-AICc non-seasonal ETS model.
    Ets,
    /// Piecewise log-linear trend, up to two changepoints chosen by BIC.
    Piecewise,
    /// Standard Theta method (R's `thetaf`): SES with drift.
    Theta,
    /// Optimised Theta model (Fiorucci et al. 2016).
    Otm,
    /// Dynamic standard Theta model.
    Dstm,
    /// Dynamic optimised Theta model.
    Dotm,
    /// The Theta model (STM, OTM, DSTM, DOTM) with the lowest in-sample MSE.
    AutoTheta,
    /// Logistic growth curve with a given or fitted cap.
    Logistic {
        /// Saturation level; fitted when `None`.
        cap: Option<f64>,
    },
    /// Gompertz growth curve with a given or fitted cap.
    Gompertz {
        /// Saturation level; fitted when `None`.
        cap: Option<f64>,
    },
    /// ARIMA with automatic order selection (Hyndman–Khandakar stepwise, KPSS for d).
    Arima,
    /// Complex exponential smoothing, non-seasonal (Svetunkov, Kourentzes & Ord 2022).
    Ces,
    /// Seasonal naive: the value one season earlier (R's `snaive`).
    SNaive,
    /// MSTL decomposition, ETS on the seasonally adjusted series.
    Mstl,
    /// Mean or median of several models.
    Combo(combination::ComboSpec),
}

impl ModelSpec {
    /// Machine name.
    pub fn name(self) -> &'static str {
        match self {
            ModelSpec::Naive => "naive",
            ModelSpec::Drift => "drift",
            ModelSpec::LogDrift => "logdrift",
            ModelSpec::LogLinear { .. } => "loglinear",
            ModelSpec::Damped => "damped",
            ModelSpec::Ets => "ets",
            ModelSpec::Piecewise => "piecewise",
            ModelSpec::Theta => "theta",
            ModelSpec::Otm => "otm",
            ModelSpec::Dstm => "dstm",
            ModelSpec::Dotm => "dotm",
            ModelSpec::AutoTheta => "autotheta",
            ModelSpec::Logistic { .. } => "logistic",
            ModelSpec::Gompertz { .. } => "gompertz",
            ModelSpec::Arima => "arima",
            ModelSpec::Ces => "ces",
            ModelSpec::SNaive => "snaive",
            ModelSpec::Mstl => "mstl",
            ModelSpec::Combo(_) => "combo",
        }
    }

    /// Fit to observations with season length `m`, after the seasonality test: a series
    /// that fails it (or `m` ≤ 1) gets the non-seasonal model. `snaive` always uses `m`.
    pub fn fit_m(self, y: &[f64], m: usize) -> Result<Box<dyn FittedModel>> {
        let m = if self == ModelSpec::SNaive || seasonal::seasonality_test(y, m).seasonal {
            m
        } else {
            1
        };
        self.fit_season(y, m)
    }

    /// Fit with season length `m` taken as given (no test). `ets` (for m ≤
    /// [`ets::MAX_PERIOD`], R's limit), `arima`, `snaive` and `mstl` have seasonal forms of
    /// their own; every other model, and ETS at longer periods (weekly data), is fitted to
    /// the seasonally adjusted series ([`seasonal::Deseasonalized`]). With `m` ≤ 1 this is
    /// [`ModelSpec::fit`].
    pub fn fit_season(self, y: &[f64], m: usize) -> Result<Box<dyn FittedModel>> {
        match self {
            ModelSpec::SNaive => Ok(Box::new(seasonal::SeasonalNaive { m }.fit(y)?)),
            _ if m <= 1 => self.fit(y),
            ModelSpec::Combo(c) => Ok(Box::new(c.fit_season(y, m)?)),
            ModelSpec::Ets if m <= ets::MAX_PERIOD => {
                Ok(Box::new(ets::SeasonalAutoEts { m }.fit(y)?))
            }
            ModelSpec::Arima => Ok(Box::new(
                arima::AutoArima {
                    m,
                    ..Default::default()
                }
                .fit(y)?,
            )),
            ModelSpec::Mstl => Ok(Box::new(seasonal::MstlModel::fit(y, m, |z| {
                ModelSpec::Ets.fit(z)
            })?)),
            _ => Ok(Box::new(seasonal::Deseasonalized::fit(y, m, |z| {
                self.fit(z)
            })?)),
        }
    }

    /// Fit this specification to observations.
    pub fn fit(self, y: &[f64]) -> Result<Box<dyn FittedModel>> {
        fn boxed<F: Forecaster>(f: F, y: &[f64]) -> Result<Box<dyn FittedModel>> {
            Ok(Box::new(f.fit(y)?))
        }
        match self {
            ModelSpec::Naive => boxed(naive::Naive, y),
            ModelSpec::Drift => boxed(naive::Drift, y),
            ModelSpec::LogDrift => boxed(naive::LogDrift, y),
            ModelSpec::LogLinear { bias_adjust } => boxed(log_linear::LogLinear { bias_adjust }, y),
            ModelSpec::Damped => boxed(ets::DAMPED, y),
            ModelSpec::Ets => boxed(ets::AutoEts, y),
            ModelSpec::Piecewise => boxed(piecewise::PiecewiseTrend, y),
            ModelSpec::Theta => boxed(theta::Theta, y),
            ModelSpec::Otm => boxed(theta::OptimizedTheta, y),
            ModelSpec::Dstm => boxed(theta::DynamicTheta, y),
            ModelSpec::Dotm => boxed(theta::DynamicOptimizedTheta, y),
            ModelSpec::AutoTheta => boxed(theta::AutoTheta, y),
            ModelSpec::Logistic { cap } => boxed(growth::Logistic { cap }, y),
            ModelSpec::Gompertz { cap } => boxed(growth::Gompertz { cap }, y),
            ModelSpec::Arima => boxed(arima::AutoArima::default(), y),
            ModelSpec::Ces => boxed(ces::Ces, y),
            ModelSpec::SNaive => boxed(seasonal::SeasonalNaive { m: 1 }, y),
            // without a season, MSTL leaves the series as it is: the ETS trend forecaster
            ModelSpec::Mstl => ModelSpec::Ets.fit(y),
            ModelSpec::Combo(c) => Ok(Box::new(c.fit(y)?)),
        }
    }
}

/// Error for a series too short for a model.
pub(crate) fn too_short(model: &str, n: usize, need: usize) -> Error {
    Error::TooShort {
        model: model.into(),
        n,
        need,
    }
}

/// Cumulative sum of i.i.d. Gaussian shocks added to a deterministic path.
pub(crate) fn gaussian_walk(
    start: f64,
    drift: f64,
    sigma: f64,
    h: usize,
    rng: &mut StdRng,
) -> Vec<f64> {
    use rand_distr::{Distribution, Normal};
    let normal = Normal::new(0.0, sigma.max(0.0)).expect("sigma is finite and non-negative");
    let mut level = start;
    (0..h)
        .map(|_| {
            level += drift + normal.sample(rng);
            level
        })
        .collect()
}
