//! The annual model a command fits when the user names one (`--model`), and the
//! projection under it with the model named as the user chose it.

use crate::error::Result;
use crate::evaluation::select::ModelChoice;
use crate::ingest::builtin;
use crate::models::registry;
use crate::scenarios::projection::{Projection, SeriesForecast, project_with};
use crate::scenarios::vintage::nowcast_after;
use crate::series::{MarketSeries, TimeKind};
use serde::Serialize;

/// A model choice with the name the user chose it by (`auto`, `combo`, `drift`, ...).
#[derive(Debug, Clone)]
pub struct NamedChoice {
    /// The `--model` name.
    pub name: &'static str,
    /// What is fitted.
    pub choice: ModelChoice,
}

impl NamedChoice {
    /// The default annual model: `auto`.
    pub fn auto() -> Self {
        NamedChoice {
            name: registry::MODELS[0].name,
            choice: ModelChoice::Auto,
        }
    }

    /// The name to show for a model fitted under this choice: a combination is shown by the
    /// name chosen (auto, scum, combo), any other model by its own name.
    pub fn shown<'a>(&'a self, fitted: &'a str) -> &'a str {
        shown_name(self.name, fitted)
    }
}

/// The name to show for a model `fitted` under the `--model` name `chosen`: a combination
/// by the name chosen (auto, scum, combo), any other model by its own name.
pub fn shown_name<'a>(chosen: &'a str, fitted: &'a str) -> &'a str {
    if fitted == "combo" { chosen } else { fitted }
}

/// `project_with` under the choice, the forecast's model named as the user chose it (a
/// combination shows auto, scum or combo), so every report, chart and table agrees.
pub fn project_named(
    series: &MarketSeries,
    named: &NamedChoice,
    h: usize,
    levels: &[f64],
    floor: bool,
) -> Result<Projection> {
    let mut p = project_with(series, named.choice, h, levels, floor)?;
    p.forecast.model = named.shown(&p.forecast.model).to_string().into();
    Ok(p)
}

/// For an annual model on a built-in series: the months of the next year already known,
/// and their nowcast beside the model's interval, so the annual model's view never hides
/// the months in hand.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthsKnown {
    /// The year the months belong to.
    pub year: i64,
    /// How many of its months are known.
    pub known: u32,
    /// The last known month, `YYYY-MM`.
    pub to_month: String,
    /// Their sum.
    pub known_sum: f64,
    /// The nowcast method (`run-rate`, ...).
    pub method: &'static str,
    /// The nowcast of the year's total.
    pub point: f64,
    /// Its 95% interval from its track record.
    pub lower95: f64,
    /// Upper bound.
    pub upper95: f64,
    /// The model's widest interval for that year, and where the nowcast falls.
    pub model_interval: Option<ModelInterval>,
    /// P(year ≥ target) by the nowcast's own error record, when the target is in play
    /// (between 0.1% and 99.9%).
    pub p_at_least_target: Option<f64>,
    /// The target that probability is about.
    pub target: Option<f64>,
    /// The model as shown (its `--model` name).
    pub model: String,
}

/// The model's interval for the nowcast year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelInterval {
    /// Level, percent.
    pub level: f64,
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
    /// `above`, `below` or `inside`: the nowcast against it.
    pub nowcast_is: &'static str,
}

/// [`MonthsKnown`] for `src` cut at `as_of` (typed), the annual forecast `f` under `named`.
/// `None` for `--input`, non-annual data, or when no month of the next year is known.
pub fn months_known(
    as_of: Option<&str>,
    src: &super::source::Source,
    f: &SeriesForecast,
    target: Option<f64>,
    named: &NamedChoice,
) -> Option<MonthsKnown> {
    let name = src.builtin.as_ref()?;
    if !matches!(src.kind, TimeKind::Integer) {
        return None;
    }
    let monthly = builtin::series(&format!("{name}-monthly")).ok()?.series;
    let cut = match as_of {
        None => monthly.end(),
        Some(text) => super::source::as_of_month(text)?,
    };
    let last = src.series.first()?.end();
    let n = nowcast_after(last, &monthly, cut, &[95.0]).ok()??;
    let (_, lower95, upper95) = n.intervals[0];
    let model_interval = f.periods.iter().position(|&p| p == n.year).and_then(|i| {
        let iv = f
            .forecast
            .intervals
            .iter()
            .max_by(|x, y| x.level.total_cmp(&y.level))?;
        let (lower, upper) = (iv.lower[i], iv.upper[i]);
        Some(ModelInterval {
            level: iv.level,
            lower,
            upper,
            nowcast_is: if n.point > upper {
                "above"
            } else if n.point < lower {
                "below"
            } else {
                "inside"
            },
        })
    });
    // only where the target is in play: not for a region far below it, nor a year far above
    let p_at_least_target = target
        .map(|t| n.p_at_least(t))
        .filter(|p| (0.001..=0.999).contains(p));
    Some(MonthsKnown {
        year: n.year,
        known: n.known,
        to_month: TimeKind::YearMonth.format(n.year * 12 + i64::from(n.known) - 1),
        known_sum: n.known_sum,
        method: n.method.name(),
        point: n.point,
        lower95,
        upper95,
        model_interval,
        p_at_least_target,
        target: p_at_least_target.and(target),
        model: named.shown(&f.model).to_string(),
    })
}
