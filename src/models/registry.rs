//! The one table of models. The command line's `--model` names and their help, the members
//! a combination may take, the candidates of `select` and the models' seasonal behaviour are
//! all read from [`MODELS`]; a new model is a [`ModelSpec`] variant (its name and fit) plus
//! one row here.

use super::ModelSpec;
use serde::Serialize;

/// What kind of method a model is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// Chooses or combines other models.
    Choice,
    /// Random walks and seasonal naive.
    Baseline,
    /// Deterministic trends on ln(y).
    Trend,
    /// Saturating growth curves.
    Growth,
    /// Exponential smoothing (ETS, CES).
    Smoothing,
    /// The Theta family.
    Theta,
    /// ARIMA.
    Arima,
}

/// How a model treats a seasonal series (one that passes the seasonality test).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SeasonalForm {
    /// The model has seasonal components of its own.
    Own,
    /// The model is fitted to the seasonally adjusted series and its forecasts are
    /// re-seasonalised ([`super::seasonal::Deseasonalized`]).
    Adjusted,
    /// A choice: its members decide.
    Members,
}

/// What a row names.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Entry {
    /// One model.
    Single(ModelSpec),
    /// chipcast's default combination.
    Auto,
    /// Per-series choice by holdout.
    Select,
    /// The SCUM combination.
    Scum,
    /// A user-defined combination (`--members`).
    Combo,
    /// Log-linear trend plus external regressors.
    Regression,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelInfo {
    /// The name on the command line and in outputs.
    pub name: &'static str,
    /// Family.
    pub family: Family,
    /// One line of help.
    pub about: &'static str,
    /// What it names.
    pub entry: Entry,
    /// May be a member of a combination.
    pub combinable: bool,
    /// A candidate of `select`.
    pub selectable: bool,
    /// Takes a saturation level (`--cap`).
    pub needs_cap: bool,
    /// Seasonal behaviour.
    pub seasonal: SeasonalForm,
}

const fn single(
    name: &'static str,
    family: Family,
    about: &'static str,
    spec: ModelSpec,
    seasonal: SeasonalForm,
) -> ModelInfo {
    ModelInfo {
        name,
        family,
        about,
        entry: Entry::Single(spec),
        combinable: true,
        selectable: false,
        needs_cap: false,
        seasonal,
    }
}

const fn choice(name: &'static str, about: &'static str, entry: Entry) -> ModelInfo {
    ModelInfo {
        name,
        family: Family::Choice,
        about,
        entry,
        combinable: false,
        selectable: false,
        needs_cap: false,
        seasonal: SeasonalForm::Members,
    }
}

const fn in_select(info: ModelInfo) -> ModelInfo {
    ModelInfo {
        selectable: true,
        ..info
    }
}

const fn capped(info: ModelInfo) -> ModelInfo {
    ModelInfo {
        needs_cap: true,
        combinable: false,
        ..info
    }
}

use Family as F;
use SeasonalForm::{Adjusted, Own};

/// Every model and choice, in the order `--help` lists them. Combination members keep
/// this order (it fixes which member a sample path draws), so append new rows at the end
/// of their group.
pub const MODELS: &[ModelInfo] = &[
    choice(
        "auto",
        "chipcast's default combination, chosen by rolling-origin evaluation (README, Models)",
        Entry::Auto,
    ),
    choice(
        "select",
        "per series, the lowest holdout MASE (last 10 origins) among the select candidates and auto",
        Entry::Select,
    ),
    choice(
        "scum",
        "SCUM: median of ets, ces, arima and dotm (Petropoulos & Svetunkov 2020)",
        Entry::Scum,
    ),
    choice(
        "combo",
        "median or mean of --members (default: the members of auto)",
        Entry::Combo,
    ),
    choice(
        "regression",
        "log-linear trend + external regressors from --regressors FILE (OLS, linfa-linear)",
        Entry::Regression,
    ),
    in_select(single(
        "naive",
        F::Baseline,
        "last value carried forward",
        ModelSpec::Naive,
        Adjusted,
    )),
    in_select(single(
        "drift",
        F::Baseline,
        "random walk with drift",
        ModelSpec::Drift,
        Adjusted,
    )),
    in_select(single(
        "logdrift",
        F::Baseline,
        "geometric random walk with drift: average growth rate from the last value",
        ModelSpec::LogDrift,
        Adjusted,
    )),
    in_select(single(
        "loglinear",
        F::Trend,
        "constant growth: OLS on ln(y) (linfa-linear), t intervals",
        ModelSpec::LogLinear { bias_adjust: false },
        Adjusted,
    )),
    in_select(single(
        "damped",
        F::Smoothing,
        "ETS(A,Ad,N): Holt's damped trend by maximum likelihood",
        ModelSpec::Damped,
        Adjusted,
    )),
    in_select(single(
        "ets",
        F::Smoothing,
        "exponential smoothing: the lowest-AICc ETS model (errors A/M, trends N/A/Ad, seasons N/A/M on seasonal data)",
        ModelSpec::Ets,
        Own,
    )),
    single(
        "piecewise",
        F::Trend,
        "piecewise log-linear trend: growth rate changes at up to 2 changepoints (BIC)",
        ModelSpec::Piecewise,
        Adjusted,
    ),
    single(
        "theta",
        F::Theta,
        "standard Theta method (R thetaf): SES with drift",
        ModelSpec::Theta,
        Adjusted,
    ),
    single(
        "otm",
        F::Theta,
        "optimised Theta model (Fiorucci et al. 2016)",
        ModelSpec::Otm,
        Adjusted,
    ),
    single(
        "dstm",
        F::Theta,
        "dynamic standard Theta model",
        ModelSpec::Dstm,
        Adjusted,
    ),
    in_select(single(
        "dotm",
        F::Theta,
        "dynamic optimised Theta model",
        ModelSpec::Dotm,
        Adjusted,
    )),
    single(
        "autotheta",
        F::Theta,
        "the Theta model (STM, OTM, DSTM, DOTM) with the lowest in-sample MSE",
        ModelSpec::AutoTheta,
        Adjusted,
    ),
    single(
        "arima",
        F::Arima,
        "ARIMA, automatic order (Hyndman-Khandakar stepwise search, KPSS for d; seasonal differencing test and (P,D,Q) on seasonal data)",
        ModelSpec::Arima,
        Own,
    ),
    single(
        "ces",
        F::Smoothing,
        "complex exponential smoothing (non-seasonal form)",
        ModelSpec::Ces,
        Adjusted,
    ),
    single(
        "snaive",
        F::Baseline,
        "seasonal naive: the value one season earlier (R snaive)",
        ModelSpec::SNaive,
        Own,
    ),
    single(
        "mstl",
        F::Smoothing,
        "MSTL decomposition (weekly and yearly cycles on daily data), ETS on the adjusted series",
        ModelSpec::Mstl,
        Own,
    ),
    capped(single(
        "logistic",
        F::Growth,
        "logistic growth curve (saturating); cap fitted or --cap",
        ModelSpec::Logistic { cap: None },
        Adjusted,
    )),
    capped(single(
        "gompertz",
        F::Growth,
        "Gompertz growth curve (saturating); cap fitted or --cap",
        ModelSpec::Gompertz { cap: None },
        Adjusted,
    )),
];

/// The row of a name.
pub fn lookup(name: &str) -> Option<&'static ModelInfo> {
    MODELS.iter().find(|m| m.name == name)
}

/// The single model of a row, if it is one.
pub fn spec(info: &ModelInfo) -> Option<ModelSpec> {
    match info.entry {
        Entry::Single(s) => Some(s),
        _ => None,
    }
}

/// Models that may be members of a combination, in table order.
pub fn combinable() -> impl Iterator<Item = ModelSpec> {
    MODELS.iter().filter(|m| m.combinable).filter_map(spec)
}

/// Candidates of `select`, in table order (simplest first).
pub fn selectable() -> impl Iterator<Item = ModelSpec> {
    MODELS.iter().filter(|m| m.selectable).filter_map(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_round_trips_through_its_spec_and_the_lookup() {
        for m in MODELS {
            assert_eq!(lookup(m.name), Some(m), "{}", m.name);
            if let Entry::Single(s) = m.entry {
                assert_eq!(
                    s.name(),
                    m.name,
                    "the spec of {} names itself {}",
                    m.name,
                    s.name()
                );
            }
        }
    }

    #[test]
    fn names_are_unique_and_lowercase() {
        for (i, m) in MODELS.iter().enumerate() {
            assert!(m.name.chars().all(|c| c.is_ascii_lowercase()), "{}", m.name);
            assert!(
                MODELS[..i].iter().all(|o| o.name != m.name),
                "{} twice",
                m.name
            );
        }
    }

    #[test]
    fn choices_are_neither_combinable_nor_selectable() {
        for m in MODELS.iter().filter(|m| m.family == Family::Choice) {
            assert!(
                !m.combinable && !m.selectable && spec(m).is_none(),
                "{}",
                m.name
            );
        }
        assert!(combinable().count() <= 32, "combination masks are 32 bits");
    }
}
