//! Demand-gap scenarios: named, editable assumptions in TOML (the built-in default is
//! `scenarios/default.toml`), each either typed by the user or computed as a ratio of two
//! dataset rows, so every number printed is traceable.
//!
//! The gap for a demand figure D (a multi-year total) over the window:
//! * AI-chip demand = D × `chip_share_of_capex` (the part of a data-centre dollar that is chips);
//! * AI-chip supply = cumulative chip sales × `ai_share_of_chip_sales`;
//! * ratio = demand / supply, shortfall = demand − supply, years of AI-chip sales, and the
//!   constant growth of chip sales (at a constant AI share) that would close it;
//! * the industry's own capacity funding = cumulative sales × `capex_intensity`, for scale.

use super::gap::{DemandFigure, GapReport, gap};
use crate::error::{Error, Result};
use crate::ingest::builtin;
use crate::series::MarketSeries;
use serde::{Deserialize, Serialize};

/// The built-in default scenario (TOML text).
pub const DEFAULT: &str = include_str!("../../scenarios/default.toml");

/// A demand entry as written.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DemandSpec {
    /// Label printed.
    pub label: String,
    /// `demand_estimates.csv:LINE`.
    pub row: Option<String>,
    /// A user value, USD bn.
    pub value_busd: Option<f64>,
    /// Source text for a user value.
    pub source: Option<String>,
}

/// An assumption as written: a value, or a ratio of two dataset rows.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AssumptionSpec {
    /// A typed value.
    pub value: Option<f64>,
    /// Source text for a typed value.
    pub source: Option<String>,
    /// `dataset.csv:LINE` of the numerator.
    pub numerator: Option<String>,
    /// `dataset.csv:LINE` of the denominator.
    pub denominator: Option<String>,
}

/// The three supply-side assumptions.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AssumptionsSpec {
    /// Share of chip sales that serves AI compute.
    pub ai_share_of_chip_sales: AssumptionSpec,
    /// Share of a data-centre dollar spent on chips.
    pub chip_share_of_capex: AssumptionSpec,
    /// Chip-industry capex per dollar of sales.
    pub capex_intensity: AssumptionSpec,
}

/// Values to try in the sensitivity tables.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SensitivitySpec {
    /// Values of `ai_share_of_chip_sales`.
    #[serde(default)]
    pub ai_share_of_chip_sales: Vec<f64>,
    /// Values of `chip_share_of_capex`.
    #[serde(default)]
    pub chip_share_of_capex: Vec<f64>,
    /// Values of `capex_intensity`.
    #[serde(default)]
    pub capex_intensity: Vec<f64>,
}

/// A scenario file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    /// Name.
    pub name: String,
    /// First year of the window.
    pub from: i64,
    /// Last year.
    pub to: i64,
    /// Demand figures.
    pub demand: Vec<DemandSpec>,
    /// Supply-side assumptions.
    pub assumptions: AssumptionsSpec,
    /// Sensitivity grid.
    #[serde(default)]
    pub sensitivity: SensitivitySpec,
}

/// A resolved assumption.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assumption {
    /// Name.
    pub name: &'static str,
    /// Value (a share, 0-1).
    pub value: f64,
    /// Where it comes from.
    pub source: String,
}

/// A resolved scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    /// Name.
    pub name: String,
    /// Window.
    pub from: i64,
    /// Window end.
    pub to: i64,
    /// Demand figures with sources.
    pub demand: Vec<DemandFigure>,
    /// The three assumptions.
    pub assumptions: [Assumption; 3],
    /// Sensitivity values per assumption (same order).
    pub sensitivity: [Vec<f64>; 3],
}

/// Parse and resolve a scenario; `origin` names the file for messages.
pub fn load(text: &str, origin: &str) -> Result<Scenario> {
    use crate::limits::{MAX_NESTING, MAX_SCENARIO_BYTES, nesting_violation};
    if text.len() as u64 > MAX_SCENARIO_BYTES {
        return Err(Error::invalid(format!(
            "{origin}: the scenario is {} bytes, more than the limit of {MAX_SCENARIO_BYTES} (MAX_SCENARIO_BYTES)",
            text.len()
        )));
    }
    if let Some((line, col, _)) = nesting_violation(text.as_bytes(), MAX_NESTING, true) {
        return Err(Error::invalid(format!(
            "{origin}: line {line}, column {col}: arrays nest more than {MAX_NESTING} levels deep (MAX_NESTING); a scenario needs at most one level"
        )));
    }
    let spec: ScenarioSpec = toml::from_str(text)
        .map_err(|e| Error::invalid(format!("{origin}: not a valid scenario: {e}")))?;
    resolve(spec, origin)
}

fn row_value(reference: &str, origin: &str) -> Result<(f64, String)> {
    let (file, line) = reference.rsplit_once(':').ok_or_else(|| {
        Error::invalid(format!(
            "{origin}: {reference:?} is not a dataset row; write it as \"dataset.csv:LINE\""
        ))
    })?;
    let line: usize = line.parse().map_err(|_| {
        Error::invalid(format!(
            "{origin}: {reference:?}: {line:?} is not a line number"
        ))
    })?;
    let ds = builtin::dataset(file)?;
    let t = ds.table()?;
    if line < 2 || line > t.rows.len() + 1 {
        return Err(Error::invalid(format!(
            "{origin}: {reference}: {} has data on lines 2 to {}",
            ds.name,
            t.rows.len() + 1
        )));
    }
    let i = line - 2;
    let v: f64 = t
        .cell(i, t.col("value_busd")?)
        .parse()
        .map_err(|_| Error::invalid(format!("{origin}: {reference} has no value_busd")))?;
    let what = ["name", "year", "year_or_horizon", "confidence"]
        .iter()
        .filter_map(|c| t.col(c).ok().map(|j| t.cell(i, j).to_string()))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    Ok((v, format!("{}.csv:{line} ({what}) = {v}", ds.name)))
}

fn assumption(name: &'static str, spec: &AssumptionSpec, origin: &str) -> Result<Assumption> {
    let (value, source) = match (spec.value, &spec.numerator, &spec.denominator) {
        (Some(v), None, None) => (
            v,
            spec.source
                .clone()
                .map(|s| format!("{s} (user-given)"))
                .unwrap_or_else(|| "user".into()),
        ),
        (None, Some(n), Some(d)) => {
            let (nv, ns) = row_value(n, origin)?;
            let (dv, ds) = row_value(d, origin)?;
            if dv == 0.0 {
                return Err(Error::invalid(format!(
                    "{origin}: {name}: denominator {d} is zero"
                )));
            }
            (nv / dv, format!("{ns} ÷ {ds}"))
        }
        _ => {
            return Err(Error::invalid(format!(
                "{origin}: assumption {name} needs either `value` or both `numerator` and `denominator`"
            )));
        }
    };
    if !(value.is_finite() && value > 0.0 && value <= 1.0) {
        return Err(Error::invalid(format!(
            "{origin}: assumption {name} = {value} must be a share in (0, 1]"
        )));
    }
    Ok(Assumption {
        name,
        value,
        source,
    })
}

fn resolve(spec: ScenarioSpec, origin: &str) -> Result<Scenario> {
    use crate::limits::{MAX_DEMAND_ENTRIES, MAX_SENSITIVITY_VALUES, MAX_YEARS_AHEAD};
    if spec.demand.len() > MAX_DEMAND_ENTRIES {
        return Err(Error::invalid(format!(
            "{origin}: {} [[demand]] entries, more than the limit of {MAX_DEMAND_ENTRIES} (MAX_DEMAND_ENTRIES)",
            spec.demand.len()
        )));
    }
    let s = &spec.sensitivity;
    for (name, v) in [
        ("ai_share_of_chip_sales", &s.ai_share_of_chip_sales),
        ("chip_share_of_capex", &s.chip_share_of_capex),
        ("capex_intensity", &s.capex_intensity),
    ] {
        if v.len() > MAX_SENSITIVITY_VALUES {
            return Err(Error::invalid(format!(
                "{origin}: sensitivity {name} has {} values, more than the limit of {MAX_SENSITIVITY_VALUES} (MAX_SENSITIVITY_VALUES)",
                v.len()
            )));
        }
    }
    // calendar years of a window over the built-in annual data
    for (key, y) in [("from", spec.from), ("to", spec.to)] {
        if !(1900..=2100).contains(&y) {
            return Err(Error::invalid(format!(
                "{origin}: {key} = {y} is not a year from 1900 to 2100"
            )));
        }
    }
    if spec.to - spec.from > MAX_YEARS_AHEAD {
        return Err(Error::invalid(format!(
            "{origin}: the window {}-{} is longer than {MAX_YEARS_AHEAD} years (MAX_YEARS_AHEAD)",
            spec.from, spec.to
        )));
    }
    if spec.from > spec.to {
        return Err(Error::invalid(format!(
            "{origin}: from = {} is after to = {}",
            spec.from, spec.to
        )));
    }
    if spec.demand.is_empty() {
        return Err(Error::invalid(format!(
            "{origin}: add at least one [[demand]] entry"
        )));
    }
    let mut demand = Vec::new();
    for d in &spec.demand {
        let fig = match (&d.row, d.value_busd) {
            (Some(r), None) => {
                let (v, src) = row_value(r, origin)?;
                DemandFigure {
                    label: d.label.clone(),
                    value: v,
                    source: src,
                }
            }
            (None, Some(v)) if v.is_finite() && v > 0.0 => DemandFigure {
                label: d.label.clone(),
                value: v,
                source: d
                    .source
                    .clone()
                    .map(|s| format!("{s} (user-given)"))
                    .unwrap_or_else(|| "user".into()),
            },
            _ => {
                return Err(Error::invalid(format!(
                    "{origin}: demand {:?} needs either `row` or a positive `value_busd`",
                    d.label
                )));
            }
        };
        demand.push(fig);
    }
    let a = &spec.assumptions;
    let assumptions = [
        assumption("ai_share_of_chip_sales", &a.ai_share_of_chip_sales, origin)?,
        assumption("chip_share_of_capex", &a.chip_share_of_capex, origin)?,
        assumption("capex_intensity", &a.capex_intensity, origin)?,
    ];
    let s = &spec.sensitivity;
    for (name, v) in [
        ("ai_share_of_chip_sales", &s.ai_share_of_chip_sales),
        ("chip_share_of_capex", &s.chip_share_of_capex),
        ("capex_intensity", &s.capex_intensity),
    ] {
        if let Some(bad) = v
            .iter()
            .find(|x| !(x.is_finite() && **x > 0.0 && **x <= 1.0))
        {
            return Err(Error::invalid(format!(
                "{origin}: sensitivity {name} value {bad} must be a share in (0, 1]"
            )));
        }
    }
    Ok(Scenario {
        name: spec.name,
        from: spec.from,
        to: spec.to,
        demand,
        assumptions,
        sensitivity: [
            s.ai_share_of_chip_sales.clone(),
            s.chip_share_of_capex.clone(),
            s.capex_intensity.clone(),
        ],
    })
}

/// The gap under a scenario's assumptions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioGap {
    /// Total chip sales over the window (the plain gap report, demand = AI-chip demand).
    pub chips: GapReport,
    /// AI-chip supply over the window.
    pub ai_supply: f64,
    /// The industry's own capex over the window.
    pub industry_capex: f64,
    /// Per demand figure: (label, AI-chip demand, ratio, shortfall, years of AI-chip sales, growth to close).
    pub rows: Vec<ScenarioRow>,
}

/// One demand figure under the scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioRow {
    /// Label.
    pub label: String,
    /// Demand as given.
    pub demand: f64,
    /// AI-chip part of it.
    pub chip_demand: f64,
    /// chip demand / AI-chip supply.
    pub ratio: f64,
    /// chip demand − AI-chip supply.
    pub shortfall: f64,
    /// chip demand / mean annual AI-chip sales.
    pub years_of_sales: f64,
    /// Constant growth of chip sales (constant AI share) that closes the gap by `to`.
    pub growth_needed: Option<f64>,
}

/// Evaluate a scenario on a series and its point forecast (and optional sample paths).
pub fn evaluate(
    sc: &Scenario,
    series: &MarketSeries,
    point: &[f64],
    paths: Option<&[Vec<f64>]>,
    ai_share: f64,
    chip_share: f64,
    intensity: f64,
) -> ScenarioGap {
    // the AI-chip demand expressed in total-chip-sales terms: gap() then works unchanged
    let scaled: Vec<DemandFigure> = sc
        .demand
        .iter()
        .map(|d| DemandFigure {
            label: d.label.clone(),
            value: d.value * chip_share / ai_share,
            source: d.source.clone(),
        })
        .collect();
    let chips = gap(series, point, paths, sc.from, sc.to, &scaled);
    let years = (sc.to - sc.from + 1) as f64;
    let ai_supply = chips.cumulative * ai_share;
    let rows = sc
        .demand
        .iter()
        .zip(&chips.rows)
        .map(|(d, g)| {
            let chip_demand = d.value * chip_share;
            ScenarioRow {
                label: d.label.clone(),
                demand: d.value,
                chip_demand,
                ratio: chip_demand / ai_supply,
                shortfall: chip_demand - ai_supply,
                years_of_sales: chip_demand / (ai_supply / years),
                growth_needed: g.growth_needed.filter(|_| chip_demand > ai_supply),
            }
        })
        .collect();
    ScenarioGap {
        industry_capex: chips.cumulative * intensity,
        ai_supply,
        chips,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::series::{TimeKind, Unit};

    #[test]
    fn the_default_scenario_resolves_every_number_from_dataset_rows() {
        let sc = load(DEFAULT, "default").unwrap();
        assert_eq!(sc.demand[0].value, 5000.0);
        assert_eq!(sc.demand[1].value, 7000.0);
        let ai = &sc.assumptions[0];
        assert!((ai.value - 193.7 / 795.64).abs() < 1e-12, "{}", ai.value);
        assert!(
            ai.source.contains("demand_estimates.csv:32")
                && ai.source.contains("wsts_annual.csv:41")
        );
    }

    #[test]
    fn a_user_value_is_marked_as_the_users() {
        let text = DEFAULT.replace(
            "[assumptions.capex_intensity]",
            "[assumptions.capex_intensity]\nvalue = 0.2\n[assumptions.ignored]",
        );
        // an unknown table is refused
        assert!(load(&text, "t").is_err());
        let text = r#"
name = "t"
from = 2024
to = 2026
[[demand]]
label = "mine"
value_busd = 1000
[assumptions.ai_share_of_chip_sales]
value = 0.5
[assumptions.chip_share_of_capex]
value = 0.5
source = "my model"
[assumptions.capex_intensity]
value = 0.2
"#;
        let sc = load(text, "t").unwrap();
        assert_eq!(sc.assumptions[0].source, "user");
        assert_eq!(sc.assumptions[1].source, "my model (user-given)");
        assert_eq!(sc.demand[0].source, "user");
    }

    #[test]
    fn shares_outside_zero_to_one_and_bad_rows_are_refused() {
        let bad = DEFAULT.replace(
            "ai_share_of_chip_sales = [0.15",
            "ai_share_of_chip_sales = [1.5",
        );
        assert!(
            load(&bad, "t")
                .unwrap_err()
                .to_string()
                .contains("must be a share")
        );
        let bad = DEFAULT.replace("demand_estimates.csv:2\"", "demand_estimates.csv:9999\"");
        assert!(
            load(&bad, "t")
                .unwrap_err()
                .to_string()
                .contains("has data on lines 2 to")
        );
    }

    #[test]
    fn the_ai_chip_gap_scales_with_the_assumptions() {
        let sc = load(DEFAULT, "default").unwrap();
        let s = MarketSeries::new(
            "w",
            TimeKind::Integer,
            2020,
            vec![400.0, 500.0, 550.0, 520.0, 630.0],
            Unit::UsdBillions,
        )
        .unwrap();
        let point = vec![700.0; 6];
        let g = evaluate(&sc, &s, &point, None, 0.25, 0.5, 0.3);
        let cumulative: f64 = 630.0 + 700.0 * 6.0;
        assert!((g.ai_supply - 0.25 * cumulative).abs() < 1e-9);
        assert!((g.rows[0].chip_demand - 2500.0).abs() < 1e-9);
        assert!((g.rows[0].ratio - 2500.0 / (0.25 * cumulative)).abs() < 1e-12);
        assert!((g.industry_capex - 0.3 * cumulative).abs() < 1e-9);
    }
}
