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

/// One side of a ratio as written: a dataset row (`"dataset.csv:LINE"`), or a sum of rows,
/// each counted for `months`/12 of its value (to put a fiscal year on the calendar).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum TermSpec {
    /// One row, counted whole.
    Row(String),
    /// Parts of several rows, added.
    Sum(Vec<RowPart>),
}

/// A part of a dataset row.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RowPart {
    /// `dataset.csv:LINE`.
    pub row: String,
    /// Months of the row's (fiscal) year that fall in the calendar year, 1 to 12; the row
    /// counts `months`/12 of its value [default: 12].
    pub months: Option<u32>,
}

/// One year of an assumption's path as written: a ratio of two terms.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PathPointSpec {
    /// Calendar year.
    pub year: i64,
    /// Numerator.
    pub numerator: TermSpec,
    /// Denominator.
    pub denominator: TermSpec,
}

/// An assumption as written: a value, a ratio of two dataset terms, or (for the AI share of
/// chip sales) a path of such ratios over calendar years.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AssumptionSpec {
    /// A typed value.
    pub value: Option<f64>,
    /// Source text for a typed value.
    pub source: Option<String>,
    /// The numerator: a row `dataset.csv:LINE` or a sum of row parts.
    pub numerator: Option<TermSpec>,
    /// The denominator, likewise.
    pub denominator: Option<TermSpec>,
    /// Sourced years (`ai_share_of_chip_sales` only): linear between them, held flat
    /// before the first and after the last.
    #[serde(default)]
    pub path: Vec<PathPointSpec>,
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

/// One sourced year of an assumption's path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SharePoint {
    /// Calendar year.
    pub year: i64,
    /// Share in that year.
    pub value: f64,
    /// The rows it is computed from.
    pub source: String,
}

/// How a year's share was obtained from the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ShareBasis {
    /// One value for every year (no path).
    Constant,
    /// A sourced year of the path.
    Sourced,
    /// Linear between the sourced years `.0` and `.1`.
    Interpolated(i64, i64),
    /// After the last sourced year, held at its value.
    HeldFlatAfter(i64),
    /// Before the first sourced year, held at its value.
    HeldFlatBefore(i64),
}

impl std::fmt::Display for ShareBasis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShareBasis::Constant => write!(f, "one value for every year"),
            ShareBasis::Sourced => write!(f, "sourced"),
            ShareBasis::Interpolated(a, b) => write!(f, "linear between {a} and {b}"),
            ShareBasis::HeldFlatAfter(y) => write!(f, "held flat at {y}'s share"),
            ShareBasis::HeldFlatBefore(y) => write!(f, "held at {y}'s share"),
        }
    }
}

/// A resolved assumption.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assumption {
    /// Name.
    pub name: &'static str,
    /// Value (a share, 0-1); with a path, the last sourced year's.
    pub value: f64,
    /// Where it comes from.
    pub source: String,
    /// Sourced years, ascending (empty: `value` holds for every year).
    pub path: Vec<SharePoint>,
}

impl Assumption {
    /// The share in `year` and how it was obtained.
    pub fn at(&self, year: i64) -> (f64, ShareBasis) {
        let (Some(first), Some(last)) = (self.path.first(), self.path.last()) else {
            return (self.value, ShareBasis::Constant);
        };
        if year < first.year {
            return (first.value, ShareBasis::HeldFlatBefore(first.year));
        }
        if year > last.year {
            return (last.value, ShareBasis::HeldFlatAfter(last.year));
        }
        for w in self.path.windows(2) {
            let (a, b) = (&w[0], &w[1]);
            if year > a.year && year < b.year {
                let t = (year - a.year) as f64 / (b.year - a.year) as f64;
                return (
                    a.value + t * (b.value - a.value),
                    ShareBasis::Interpolated(a.year, b.year),
                );
            }
        }
        let p = self.path.iter().find(|p| p.year == year).unwrap_or(last);
        (p.value, ShareBasis::Sourced)
    }
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

/// The value of one side of a ratio and the rows it came from.
fn term_value(term: &TermSpec, origin: &str) -> Result<(f64, String)> {
    match term {
        TermSpec::Row(r) => row_value(r, origin),
        TermSpec::Sum(parts) => {
            if parts.is_empty() || parts.len() > MAX_TERM_PARTS {
                return Err(Error::invalid(format!(
                    "{origin}: a sum of rows needs 1 to {MAX_TERM_PARTS} parts, not {}",
                    parts.len()
                )));
            }
            let mut total = 0.0;
            let mut text = Vec::new();
            for p in parts {
                let months = p.months.unwrap_or(12);
                if !(1..=12).contains(&months) {
                    return Err(Error::invalid(format!(
                        "{origin}: {}: months = {months} must be 1 to 12",
                        p.row
                    )));
                }
                let (v, src) = row_value(&p.row, origin)?;
                total += v * months as f64 / 12.0;
                text.push(if months == 12 {
                    src
                } else {
                    format!("{months}/12 × {src}")
                });
            }
            let text = if parts.len() == 1 && parts[0].months.unwrap_or(12) == 12 {
                text.remove(0)
            } else {
                format!("({}) = {}", text.join(" + "), round3(total))
            };
            Ok((total, text))
        }
    }
}

/// Parts of rows in one sum, at most (a calendar year from two fiscal years needs two).
const MAX_TERM_PARTS: usize = 24;

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

fn ratio(name: &str, n: &TermSpec, d: &TermSpec, origin: &str) -> Result<(f64, String)> {
    let (nv, ns) = term_value(n, origin)?;
    let (dv, ds) = term_value(d, origin)?;
    if dv == 0.0 {
        return Err(Error::invalid(format!(
            "{origin}: {name}: the denominator is zero"
        )));
    }
    Ok((nv / dv, format!("{ns} ÷ {ds}")))
}

fn check_share(name: &str, value: f64, origin: &str) -> Result<()> {
    if !(value.is_finite() && value > 0.0 && value <= 1.0) {
        return Err(Error::invalid(format!(
            "{origin}: assumption {name} = {value} must be a share in (0, 1]"
        )));
    }
    Ok(())
}

fn assumption(name: &'static str, spec: &AssumptionSpec, origin: &str) -> Result<Assumption> {
    if !spec.path.is_empty() {
        if name != "ai_share_of_chip_sales" {
            return Err(Error::invalid(format!(
                "{origin}: assumption {name}: only ai_share_of_chip_sales takes a path over years"
            )));
        }
        if spec.value.is_some() || spec.numerator.is_some() || spec.denominator.is_some() {
            return Err(Error::invalid(format!(
                "{origin}: assumption {name}: give either a path or `value`/`numerator`+`denominator`, not both"
            )));
        }
        if spec.path.len() > crate::limits::MAX_YEARS_AHEAD as usize {
            return Err(Error::invalid(format!(
                "{origin}: assumption {name}: the path has {} years, more than {} (MAX_YEARS_AHEAD)",
                spec.path.len(),
                crate::limits::MAX_YEARS_AHEAD
            )));
        }
        let mut path: Vec<SharePoint> = Vec::new();
        for p in &spec.path {
            if let Some(prev) = path.last()
                && p.year <= prev.year
            {
                return Err(Error::invalid(format!(
                    "{origin}: assumption {name}: path year {} does not follow {}; list the years in increasing order",
                    p.year, prev.year
                )));
            }
            let (value, source) = ratio(name, &p.numerator, &p.denominator, origin)?;
            check_share(&format!("{name} ({})", p.year), value, origin)?;
            path.push(SharePoint {
                year: p.year,
                value,
                source,
            });
        }
        let (first, last) = (&path[0], &path[path.len() - 1]);
        let source = format!(
            "path over {} sourced year{} ({}–{}), linear between them, held flat after {}; per year below",
            path.len(),
            if path.len() == 1 { "" } else { "s" },
            first.year,
            last.year,
            last.year
        );
        return Ok(Assumption {
            name,
            value: last.value,
            source,
            path,
        });
    }
    let (value, source) = match (spec.value, &spec.numerator, &spec.denominator) {
        (Some(v), None, None) => (
            v,
            spec.source
                .clone()
                .map(|s| format!("{s} (user-given)"))
                .unwrap_or_else(|| "user".into()),
        ),
        (None, Some(n), Some(d)) => ratio(name, n, d, origin)?,
        _ => {
            return Err(Error::invalid(format!(
                "{origin}: assumption {name} needs either `value` or both `numerator` and `denominator`"
            )));
        }
    };
    check_share(name, value, origin)?;
    Ok(Assumption {
        name,
        value,
        source,
        path: Vec::new(),
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

/// One year of AI-chip supply in the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AiYear {
    /// Calendar year.
    pub year: i64,
    /// Chip sales (actual or point forecast).
    pub sales: f64,
    /// `true` when `sales` is a recorded actual.
    pub actual: bool,
    /// AI share of chip sales that year.
    pub share: f64,
    /// How the share was obtained.
    pub basis: ShareBasis,
    /// `sales × share`.
    pub ai_sales: f64,
}

/// The gap under a scenario's assumptions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioGap {
    /// Total chip sales over the window (the plain gap report, without demand rows).
    pub chips: GapReport,
    /// Per year: sales, AI share, AI-chip sales.
    pub years: Vec<AiYear>,
    /// AI-chip supply over the window (Σ share × sales).
    pub ai_supply: f64,
    /// Central 95% range of the AI-chip supply from the sample paths.
    pub ai_supply_95: Option<(f64, f64)>,
    /// The industry's own capex over the window.
    pub industry_capex: f64,
    /// Per demand figure.
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
    /// Constant growth of chip sales (at each year's AI share) that closes the gap by `to`.
    pub growth_needed: Option<f64>,
}

/// The AI share of chip sales `share(year)` to use in [`evaluate`].
#[derive(Debug, Clone, Copy)]
pub enum AiShare<'a> {
    /// The scenario's own assumption (its path, if it has one).
    Scenario(&'a Assumption),
    /// One value for every year (the sensitivity table).
    Flat(f64),
}

impl AiShare<'_> {
    /// The share in `year` and how it was obtained.
    pub fn at(&self, year: i64) -> (f64, ShareBasis) {
        match self {
            AiShare::Scenario(a) => a.at(year),
            AiShare::Flat(v) => (*v, ShareBasis::Constant),
        }
    }
}

/// Evaluate a scenario on a series and its point forecast (and optional sample paths, each
/// over the years after the series' end).
pub fn evaluate(
    sc: &Scenario,
    series: &MarketSeries,
    point: &[f64],
    paths: Option<&[Vec<f64>]>,
    ai_share: AiShare<'_>,
    chip_share: f64,
    intensity: f64,
) -> ScenarioGap {
    let chips = gap(series, point, None, sc.from, sc.to, &[]);
    let end = series.end();
    let share = |y: i64| ai_share.at(y).0;
    let years: Vec<AiYear> = chips
        .supply
        .iter()
        .map(|s| {
            let (share, basis) = ai_share.at(s.year);
            AiYear {
                year: s.year,
                sales: s.value,
                actual: s.actual,
                share,
                basis,
                ai_sales: s.value * share,
            }
        })
        .collect();
    let ai_supply: f64 = years.iter().map(|y| y.ai_sales).sum();
    let ai_actual: f64 = years.iter().filter(|y| y.actual).map(|y| y.ai_sales).sum();
    let sum_path = |p: &[f64], w: &dyn Fn(i64) -> f64| -> f64 {
        (sc.from..=sc.to)
            .map(|y| {
                let v = series
                    .value_at(y)
                    .unwrap_or_else(|| p[(y - end - 1) as usize]);
                w(y) * v
            })
            .sum()
    };
    let q95 = |w: &dyn Fn(i64) -> f64| {
        paths.filter(|p| !p.is_empty()).map(|paths| {
            let mut sums: Vec<f64> = paths.iter().map(|p| sum_path(p, w)).collect();
            sums.sort_by(f64::total_cmp);
            let q = |p: f64| sums[((sums.len() - 1) as f64 * p).round() as usize];
            (q(0.025), q(0.975))
        })
    };
    let chips = GapReport {
        cumulative_95: q95(&|_| 1.0),
        ..chips
    };
    let ai_supply_95 = q95(&share);
    let n = (sc.to - sc.from + 1) as f64;
    let last = series.values()[series.len() - 1];
    let first = sc.from.max(end + 1);
    let rows = sc
        .demand
        .iter()
        .map(|d| {
            let chip_demand = d.value * chip_share;
            ScenarioRow {
                label: d.label.clone(),
                demand: d.value,
                chip_demand,
                ratio: chip_demand / ai_supply,
                shortfall: chip_demand - ai_supply,
                years_of_sales: chip_demand / (ai_supply / n),
                growth_needed: super::gap::growth_needed_weighted(
                    chip_demand - ai_actual,
                    last,
                    end,
                    first,
                    sc.to,
                    &share,
                )
                .filter(|_| chip_demand > ai_supply),
            }
        })
        .collect();
    ScenarioGap {
        industry_capex: chips.cumulative * intensity,
        ai_supply,
        ai_supply_95,
        years,
        chips,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::series::{TimeKind, Unit};

    /// The value of the one row of `demand_estimates.csv` with this name and year.
    fn demand_row(name: &str, year: &str) -> f64 {
        let t = builtin::dataset("demand_estimates.csv")
            .unwrap()
            .table()
            .unwrap();
        let (n, y, v) = (
            t.col("name").unwrap(),
            t.col("year_or_horizon").unwrap(),
            t.col("value_busd").unwrap(),
        );
        let hits: Vec<f64> = (0..t.rows.len())
            .filter(|&i| t.cell(i, n) == name && t.cell(i, y) == year)
            .map(|i| t.cell(i, v).parse().unwrap())
            .collect();
        assert_eq!(hits.len(), 1, "{name} {year}: {hits:?}");
        hits[0]
    }

    fn wsts(year: &str) -> f64 {
        let t = builtin::dataset("wsts_annual.csv")
            .unwrap()
            .table()
            .unwrap();
        let (y, v) = (t.col("year").unwrap(), t.col("value_busd").unwrap());
        let i = (0..t.rows.len()).find(|&i| t.cell(i, y) == year).unwrap();
        t.cell(i, v).parse().unwrap()
    }

    /// NVIDIA Data Center revenue in calendar year `y`: 11/12 of FY(y+1) + 1/12 of FY(y).
    fn nvidia_dc_calendar(y: i64) -> f64 {
        let fy = |n: i64| demand_row("NVIDIA Data Center segment revenue", &format!("FY{n}"));
        11.0 / 12.0 * fy(y + 1) + 1.0 / 12.0 * fy(y)
    }

    #[test]
    fn the_default_scenario_resolves_every_number_from_dataset_rows() {
        let sc = load(DEFAULT, "default").unwrap();
        assert_eq!(sc.demand[0].value, 5000.0);
        assert_eq!(sc.demand[1].value, 7000.0);
        let ai = &sc.assumptions[0];
        assert_eq!(
            ai.path.iter().map(|p| p.year).collect::<Vec<_>>(),
            [2024, 2025]
        );
        for p in &ai.path {
            let want = nvidia_dc_calendar(p.year) / wsts(&p.year.to_string());
            assert!(
                (p.value - want).abs() < 1e-12,
                "{}: {} vs {want}",
                p.year,
                p.value
            );
        }
        assert!(
            ai.path[1].source.contains("demand_estimates.csv:32")
                && ai.path[1].source.contains("11/12")
                && ai.path[1].source.contains("wsts_annual.csv:41")
        );
    }

    #[test]
    fn the_chip_share_of_capex_divides_by_the_big_4_company_rows_not_the_combined_row() {
        let sc = load(DEFAULT, "default").unwrap();
        let chip = &sc.assumptions[1];
        let msft = |fy: &str| demand_row("Microsoft capex (cash additions to P&E)", fy);
        let others = demand_row("Alphabet capex", "2024")
            + demand_row("Amazon capex", "2024")
            + demand_row(
                "Meta capex incl. principal payments on finance leases",
                "2024",
            );
        // Microsoft's fiscal year ends in June: calendar 2024 is half of FY2024 and half of FY2025
        let calendar = 0.5 * msft("FY2024") + 0.5 * msft("FY2025") + others;
        let want = nvidia_dc_calendar(2024) / calendar;
        assert!(
            (chip.value - want).abs() < 1e-12,
            "{} vs {want}",
            chip.value
        );
        // the combined row disagrees with its own company rows, which is why it is not used
        let combined = demand_row("Big-4 hyperscaler capex, combined", "2024");
        let plain = msft("FY2024") + others;
        assert!((plain - 219.206).abs() < 1e-9, "{plain}");
        assert!(combined - plain > 25.0, "{combined} vs {plain}");
        assert!(!chip.source.contains("demand_estimates.csv:99"));
    }

    #[test]
    fn a_path_is_linear_between_sourced_years_and_flat_outside_them() {
        let point = |year, value| SharePoint {
            year,
            value,
            source: String::new(),
        };
        let a = Assumption {
            name: "ai_share_of_chip_sales",
            value: 0.4,
            source: String::new(),
            path: vec![point(2020, 0.1), point(2024, 0.3), point(2025, 0.4)],
        };
        assert_eq!(a.at(2019), (0.1, ShareBasis::HeldFlatBefore(2020)));
        assert_eq!(a.at(2020), (0.1, ShareBasis::Sourced));
        let (v, b) = a.at(2022);
        assert!((v - 0.2).abs() < 1e-12);
        assert_eq!(b, ShareBasis::Interpolated(2020, 2024));
        assert_eq!(a.at(2025), (0.4, ShareBasis::Sourced));
        assert_eq!(a.at(2030), (0.4, ShareBasis::HeldFlatAfter(2025)));
    }

    #[test]
    fn a_path_out_of_order_or_on_another_assumption_is_refused() {
        let swapped = DEFAULT.replacen("year = 2024", "year = 2026", 1);
        let e = load(&swapped, "t").unwrap_err().to_string();
        assert!(e.contains("does not follow 2026"), "{e}");
        let text = DEFAULT.replace(
            "[[assumptions.ai_share_of_chip_sales.path]]\nyear = 2024",
            "[[assumptions.capex_intensity.path]]\nyear = 2024",
        );
        assert!(load(&text, "t").is_err());
        let bad_months = DEFAULT.replacen("months = 11", "months = 13", 1);
        let e = load(&bad_months, "t").unwrap_err().to_string();
        assert!(e.contains("months = 13 must be 1 to 12"), "{e}");
    }

    #[test]
    fn the_ai_chip_supply_weights_each_year_by_its_own_share() {
        let sc = load(DEFAULT, "default").unwrap();
        let s = MarketSeries::new(
            "w",
            TimeKind::Integer,
            2020,
            vec![400.0, 500.0, 550.0, 520.0, 630.0, 800.0],
            Unit::UsdBillions,
        )
        .unwrap();
        let point = vec![1000.0; 5];
        let ai = &sc.assumptions[0];
        let g = evaluate(&sc, &s, &point, None, AiShare::Scenario(ai), 0.5, 0.3);
        let want = 630.0 * ai.path[0].value + 800.0 * ai.path[1].value + 5000.0 * ai.path[1].value;
        assert!(
            (g.ai_supply - want).abs() < 1e-9,
            "{} vs {want}",
            g.ai_supply
        );
        assert_eq!(g.years[2].basis, ShareBasis::HeldFlatAfter(2025));
        // growth to close: the weighted sum of the grown years meets the AI-chip demand
        let r = &g.rows[1];
        let grow = r.growth_needed.unwrap();
        let grown: f64 = 630.0 * ai.path[0].value
            + 800.0 * ai.path[1].value
            + (1..=5)
                .map(|k| 800.0 * (1.0 + grow).powi(k) * ai.path[1].value)
                .sum::<f64>();
        assert!(
            (grown - r.chip_demand).abs() < 1e-6,
            "{grown} vs {}",
            r.chip_demand
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
        let g = evaluate(&sc, &s, &point, None, AiShare::Flat(0.25), 0.5, 0.3);
        let cumulative: f64 = 630.0 + 700.0 * 6.0;
        assert!((g.ai_supply - 0.25 * cumulative).abs() < 1e-9);
        assert!((g.rows[0].chip_demand - 2500.0).abs() < 1e-9);
        assert!((g.rows[0].ratio - 2500.0 / (0.25 * cumulative)).abs() < 1e-12);
        assert!((g.industry_capex - 0.3 * cumulative).abs() < 1e-9);
    }
}
