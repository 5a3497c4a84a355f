//! `gap`: projected chip sales over a window against compute-demand estimates, plainly
//! (cumulative sales ÷ each demand figure) or under a scenario's supply-side assumptions
//! (AI share of chip sales, chips' share of capex, capex intensity) with its sensitivity
//! grid.
//!
//! Built-in annual series with the default model are answered by the market model's paths
//! (the same paths as `forecast` and `milestone`); `--model NAME`, `--since` or `--input`
//! fit one annual model and simulate it.

use super::defaults;
use super::market::{self, Headline};
use super::milestone::AsOf;
use super::model::{MonthsKnown, NamedChoice, months_known, project_named};
use super::provenance::Provenance;
use super::source::{self, SourceRequest};
use crate::error::{Error, Result};
use crate::ingest::builtin::demand_rows;
use crate::limits;
use crate::scenarios::gap::{DemandFigure, GapReport, gap};
use crate::scenarios::milestone::{Simulation, sample_paths};
use crate::scenarios::projection::SeriesForecast;
use crate::scenarios::scenario::{self, AiShare, Scenario, ScenarioGap};
use crate::series::TimeKind;
use serde::Serialize;
use std::path::PathBuf;

/// The window when none is given.
pub const DEFAULT_FROM: i64 = 2024;
/// Its last year.
pub const DEFAULT_TO: i64 = 2030;

/// Which scenario `gap` evaluates.
#[derive(Debug, Clone, PartialEq)]
pub enum ScenarioChoice {
    /// The built-in default scenario ([`scenario::DEFAULT`]).
    Default,
    /// A TOML scenario file.
    File(PathBuf),
}

/// What `gap` is asked.
#[derive(Debug, Clone)]
pub struct GapRequest {
    /// The data.
    pub source: SourceRequest,
    /// The annual model named by the user; `None` = the default (the market model on a
    /// built-in annual series, else `auto`).
    pub model: Option<NamedChoice>,
    /// Interval levels of the forecast, percent.
    pub levels: Vec<f64>,
    /// Allow negative forecasts of a positive series.
    pub allow_negative: bool,
    /// Sample paths and seed.
    pub simulation: Simulation,
    /// Demand figures, USD bn over the window (empty: Altman's $5T and $7T from the
    /// built-in demand data). Not with `scenario`.
    pub demand: Vec<f64>,
    /// First year of the window [default: [`DEFAULT_FROM`]]. Not with `scenario`.
    pub from: Option<i64>,
    /// Last year of the window [default: [`DEFAULT_TO`]]. Not with `scenario`.
    pub to: Option<i64>,
    /// A scenario instead of the plain gap.
    pub scenario: Option<ScenarioChoice>,
}

impl Default for GapRequest {
    fn default() -> Self {
        GapRequest {
            source: SourceRequest::default(),
            model: None,
            levels: defaults::LEVELS.to_vec(),
            allow_negative: false,
            simulation: defaults::SIMULATION,
            demand: Vec::new(),
            from: None,
            to: None,
            scenario: None,
        }
    }
}

/// Everything `gap` reports.
#[derive(Debug, Clone, Serialize)]
pub struct GapResult {
    /// Where the data come from.
    pub provenance: Provenance,
    /// The series' id.
    pub series: String,
    /// The data in words.
    pub label: String,
    /// The series as a chart title names it.
    pub title: String,
    /// `--as-of`, if given.
    pub as_of: Option<AsOf>,
    /// `market` (the market model's paths) or `annual` (one annual model simulated).
    pub method: &'static str,
    /// Sample paths and seed of the sales range.
    pub simulation: Simulation,
    /// The sales forecast behind the window's later years (point and intervals by year).
    pub forecast: SeriesForecast,
    /// The market model's headline (method `market`).
    pub market: Option<Headline>,
    /// Months of the next year already known, beside the annual model (method `annual`).
    pub months_known: Option<MonthsKnown>,
    /// First year of the window.
    pub from: i64,
    /// Last year of the window.
    pub to: i64,
    /// The plain gap: sales per year, their sum with its 95% range, one row per demand
    /// figure (null with a scenario).
    pub gap: Option<GapReport>,
    /// The gap under a scenario (null without one).
    pub scenario: Option<ScenarioAnswer>,
}

/// The gap under a scenario's assumptions.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioAnswer {
    /// The scenario as resolved: window, demand figures with sources, the three
    /// assumptions with their sources (and the AI share's path), the sensitivity values.
    pub scenario: Scenario,
    /// The gap under the scenario's own assumptions.
    pub base: ScenarioGap,
    /// The sensitivity grid: for each demand figure, AI share (held flat) × chips' share of
    /// capex, in that order (empty when either list of values is).
    pub sensitivity: Vec<SensitivityCell>,
    /// The AI-chip supply over the window at the lowest and highest AI share of the grid
    /// (null when the grid has no AI shares).
    pub supply_range: Option<(f64, f64)>,
}

/// One cell of the sensitivity grid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SensitivityCell {
    /// The demand figure's label.
    pub demand: String,
    /// The AI share of chip sales, held at this value for every year.
    pub ai_share: f64,
    /// Chips' share of the demand's capex.
    pub chip_share: f64,
    /// AI-chip part of the demand ÷ AI-chip sales over the window.
    pub ratio: f64,
    /// AI-chip sales over the window at this AI share.
    pub ai_supply: f64,
}

/// Answer a [`GapRequest`].
pub fn run(req: &GapRequest) -> Result<GapResult> {
    let sc = match &req.scenario {
        None => None,
        Some(choice) => {
            if !req.demand.is_empty() || req.from.is_some() || req.to.is_some() {
                return Err(Error::invalid(
                    "--scenario sets the demand figures and the window; drop --demand/--from/--to or edit the scenario file",
                ));
            }
            let (text, origin) = match choice {
                ScenarioChoice::Default => (
                    scenario::DEFAULT.to_string(),
                    "built-in default scenario".to_string(),
                ),
                ScenarioChoice::File(path) => (
                    std::fs::read_to_string(path).map_err(|e| Error::Read {
                        path: path.clone(),
                        message: e.to_string(),
                    })?,
                    path.display().to_string(),
                ),
            };
            Some(scenario::load(&text, &origin)?)
        }
    };
    let src = source::load(&req.source)?;
    if src.series.len() != 1 {
        return Err(Error::invalid(format!(
            "gap compares one series but {} has {}; pick one with --id ID",
            src.label,
            src.series.len()
        )));
    }
    let series = &src.series[0];
    let (from, to, h) = match &sc {
        Some(sc) => {
            if sc.from < series.start() {
                return Err(Error::invalid(format!(
                    "the scenario window starts in {} but the data start in {}",
                    sc.from,
                    series.start()
                )));
            }
            let h = if sc.to > series.end() {
                limits::check_year_ahead("the scenario's to", sc.to, series.end())?
            } else {
                1
            };
            (sc.from, sc.to, h)
        }
        None => {
            let (from, to) = (
                req.from.unwrap_or(DEFAULT_FROM),
                req.to.unwrap_or(DEFAULT_TO),
            );
            if from > to {
                return Err(Error::invalid(format!(
                    "--from {from} is after --to {to}; the window must run forward"
                )));
            }
            if to > series.end() {
                limits::check_year_ahead("--to", to, series.end())?;
            }
            if from < series.start() {
                return Err(Error::invalid(format!(
                    "--from {} is before the data starts ({}); give --from {} or later",
                    from,
                    src.kind.format(series.start()),
                    series.start()
                )));
            }
            if let Some(d) = req.demand.iter().find(|d| !(d.is_finite() && **d > 0.0)) {
                return Err(Error::invalid(format!(
                    "--demand {d} is not a positive amount in USD bn (e.g. --demand 7000 for $7T)"
                )));
            }
            (from, to, (to - series.end()).max(1) as usize)
        }
    };
    let s = supply(req, &src, h)?;
    let named = req.model.clone().unwrap_or_else(NamedChoice::auto);
    let months_known = match s.market {
        Some(_) => None,
        None => months_known(req.source.as_of.as_deref(), &src, &s.forecast, None, &named),
    };
    let point = &s.forecast.forecast.point;
    let (gap_report, answer) = match sc {
        None => {
            let demands = if req.demand.is_empty() {
                default_demands()?
            } else {
                req.demand
                    .iter()
                    .map(|d| DemandFigure {
                        label: format!("user ${d:.1}B"),
                        value: *d,
                        source: "user (--demand)".into(),
                    })
                    .collect()
            };
            (
                Some(gap(series, point, Some(&s.paths), from, to, &demands)),
                None,
            )
        }
        Some(sc) => (None, Some(evaluate_scenario(sc, series, point, &s.paths))),
    };
    Ok(GapResult {
        provenance: src.provenance(),
        series: series.id().to_string(),
        label: src.label.clone(),
        title: src.title(),
        as_of: src.as_of_echo(&req.source),
        method: if s.market.is_some() {
            "market"
        } else {
            "annual"
        },
        simulation: req.simulation,
        forecast: s.forecast,
        market: s.market,
        months_known,
        from,
        to,
        gap: gap_report,
        scenario: answer,
    })
}

/// The scenario under its own assumptions, and once the sensitivity grid (AI share held
/// flat × chips' share of capex) for every demand figure.
fn evaluate_scenario(
    sc: Scenario,
    series: &crate::series::MarketSeries,
    point: &[f64],
    paths: &[Vec<f64>],
) -> ScenarioAnswer {
    let [ai, chip, capex] = &sc.assumptions;
    let base = scenario::evaluate(
        &sc,
        series,
        point,
        Some(paths),
        AiShare::Scenario(ai),
        chip.value,
        capex.value,
    );
    let [ai_values, chip_values, _] = &sc.sensitivity;
    // one evaluation per (AI share, chip share); each holds every demand figure's row
    let mut grid: Vec<(f64, f64, ScenarioGap)> = Vec::new();
    if !ai_values.is_empty() && !chip_values.is_empty() {
        for a_share in ai_values {
            for c_share in chip_values {
                let e = scenario::evaluate(
                    &sc,
                    series,
                    point,
                    None,
                    AiShare::Flat(*a_share),
                    *c_share,
                    capex.value,
                );
                grid.push((*a_share, *c_share, e));
            }
        }
    }
    let sensitivity = sc
        .demand
        .iter()
        .enumerate()
        .flat_map(|(k, d)| {
            grid.iter()
                .map(move |(a_share, c_share, e)| SensitivityCell {
                    demand: d.label.clone(),
                    ai_share: *a_share,
                    chip_share: *c_share,
                    ratio: e.rows[k].ratio,
                    ai_supply: e.ai_supply,
                })
        })
        .collect();
    let supply_range = (!ai_values.is_empty()).then(|| {
        let v: Vec<f64> = ai_values
            .iter()
            .map(|x| base.chips.cumulative * x)
            .collect();
        (
            v.iter().copied().fold(f64::INFINITY, f64::min),
            v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        )
    });
    ScenarioAnswer {
        scenario: sc,
        base,
        sensitivity,
        supply_range,
    }
}

/// Altman's reported $5T and $7T from the built-in demand data.
fn default_demands() -> Result<Vec<DemandFigure>> {
    let rows = demand_rows("Altman AI chip/fab initiative")?;
    if rows.is_empty() {
        return Err(Error::invalid(
            "the built-in demand data has no Altman rows; pass --demand USD_BN",
        ));
    }
    Ok(rows
        .into_iter()
        .map(|r| DemandFigure {
            label: format!("Altman ${}T", r.value_busd / 1000.0),
            value: r.value_busd,
            source: format!(
                "demand_estimates.csv:{} \"{}\" ({}; {})",
                r.line,
                r.name,
                r.confidence,
                r.source.split(" (").next().unwrap_or(&r.source)
            ),
        })
        .collect())
}

/// The supply side of the gap: the market model's paths for a built-in annual series with
/// the default model (the current year's known months kept), else the named annual model's.
struct Supply {
    forecast: SeriesForecast,
    /// Per path, the years after the last complete year.
    paths: Vec<Vec<f64>>,
    market: Option<Headline>,
}

fn supply(req: &GapRequest, src: &source::Source, h: usize) -> Result<Supply> {
    let series = &src.series[0];
    let sim = req.simulation;
    if let Some(name) = src.builtin.as_deref().filter(|_| {
        src.kind == TimeKind::Integer && req.model.is_none() && req.source.since.is_none()
    }) {
        let data = market::data(name)?;
        let cut = market::cut(req.source.as_of.as_deref(), &data)?;
        let m = market::paths(&data, cut, sim)?;
        if m.first_year != series.end() + 1 {
            return Err(Error::invalid(format!(
                "the market model's current year {} does not follow the last complete year {}",
                m.first_year,
                series.end()
            )));
        }
        let until = (series.end() + h as i64).max(m.first_year);
        if until > m.last_year {
            return Err(Error::invalid(format!(
                "the window ends after the market model's last year {}",
                m.last_year
            )));
        }
        let forecast = market::series_forecast(&m, series.id(), until, &req.levels);
        let k = (until - m.first_year + 1) as usize;
        let paths = m.years.iter().map(|y| y[..k].to_vec()).collect();
        return Ok(Supply {
            forecast,
            paths,
            market: Some(Headline::new(&m, defaults::TARGET, defaults::BY)),
        });
    }
    let named = req.model.clone().unwrap_or_else(NamedChoice::auto);
    let p = project_named(series, &named, h, &req.levels, !req.allow_negative)?;
    let paths = sample_paths(p.model.as_ref(), h, sim);
    Ok(Supply {
        forecast: p.forecast,
        paths,
        market: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quick() -> GapRequest {
        GapRequest {
            simulation: Simulation {
                paths: 300,
                seed: 5,
            },
            ..GapRequest::default()
        }
    }

    #[test]
    fn the_cumulative_sales_are_the_sum_of_the_years_shown() {
        let r = run(&quick()).unwrap();
        assert_eq!(r.method, "market");
        let g = r.gap.as_ref().unwrap();
        assert_eq!((g.from, g.to), (DEFAULT_FROM, DEFAULT_TO));
        let sum: f64 = g.supply.iter().map(|y| y.value).sum();
        assert!((sum - g.cumulative).abs() < 1e-9, "{sum} {}", g.cumulative);
        let (lo, hi) = g.cumulative_95.unwrap();
        assert!(lo <= g.cumulative && g.cumulative <= hi, "{lo} {hi}");
        assert_eq!(g.rows.len(), 2, "Altman's $5T and $7T");
    }

    #[test]
    fn the_sensitivity_grid_has_one_cell_per_demand_and_pair_of_shares() {
        let r = run(&GapRequest {
            scenario: Some(ScenarioChoice::Default),
            ..quick()
        })
        .unwrap();
        let a = r.scenario.as_ref().unwrap();
        let [ai, chip, _] = &a.scenario.sensitivity;
        assert_eq!(
            a.sensitivity.len(),
            a.scenario.demand.len() * ai.len() * chip.len()
        );
        // the ratio falls as the AI share (the supply) rises, at one chip share
        let first: Vec<f64> = a
            .sensitivity
            .iter()
            .filter(|c| c.demand == a.scenario.demand[0].label && c.chip_share == chip[0])
            .map(|c| c.ratio)
            .collect();
        assert!(first.windows(2).all(|w| w[1] < w[0]), "{first:?}");
    }

    #[test]
    fn a_scenario_with_a_window_is_refused() {
        let err = run(&GapRequest {
            scenario: Some(ScenarioChoice::Default),
            from: Some(2025),
            ..quick()
        })
        .unwrap_err();
        assert!(
            err.to_string().contains("drop --demand/--from/--to"),
            "{err}"
        );
    }
}
