//! The built-in datasets, embedded in the binary at compile time, and the named series
//! built from them. Every series value keeps the dataset line it came from, its source
//! and its confidence flag.

use crate::error::{Error, Result};
use crate::series::{MarketSeries, TimeKind, Unit};
use polars::prelude::*;
use serde::Serialize;

/// One embedded CSV file from `datasets/`.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Dataset {
    /// Name used on the command line (the file stem).
    pub name: &'static str,
    /// One-line description.
    pub description: &'static str,
    /// The CSV text.
    #[serde(skip)]
    pub text: &'static str,
}

macro_rules! dataset {
    ($name:literal, $desc:expr) => {
        Dataset {
            name: $name,
            description: $desc,
            text: include_str!(concat!("../../datasets/", $name, ".csv")),
        }
    };
}

/// The WSTS release the built-in data were taken from, as a literal for `concat!`. Written
/// here once: [`WSTS_VINTAGE`] and every provenance string (`chipcast::commands::provenance`)
/// come from it.
#[macro_export]
#[doc(hidden)]
macro_rules! wsts_vintage {
    () => {
        "May-2026"
    };
}

/// The WSTS Historical Billings Report vintage of the built-in data ("May-2026").
pub const WSTS_VINTAGE: &str = wsts_vintage!();

/// Every built-in dataset, in the order `data list` prints them.
pub const DATASETS: &[Dataset] = &[
    dataset!(
        "wsts_annual",
        concat!(
            "Worldwide semiconductor sales by year, 1986-2025, USD bn (WSTS HBR ",
            wsts_vintage!(),
            ")"
        )
    ),
    dataset!(
        "wsts_regional_annual",
        "Annual sales by region (WSTS: Americas, Europe, Japan, Asia Pacific; SIA: China), USD bn"
    ),
    dataset!(
        "wsts_quarterly",
        "Quarterly billings by region, 1986Q1-2026Q1, USD bn (WSTS HBR)"
    ),
    dataset!(
        "wsts_monthly_raw",
        "Monthly billings by region, 1986-01 to 2026-03, USD bn (WSTS HBR, unsmoothed)"
    ),
    dataset!(
        "sia_monthly",
        "Monthly 3-month moving average by region as SIA announces it, plus as-announced SIA values"
    ),
    dataset!(
        "wsts_segments_annual",
        "Annual sales by product segment (partial years), USD bn"
    ),
    dataset!(
        "forecast_vintages",
        "Published industry forecasts (WSTS, Gartner, IDC, SIA, McKinsey ...) with publication dates"
    ),
    dataset!(
        "demand_estimates",
        "Compute-demand, capex and investment estimates (Altman $5-7T, McKinsey, hyperscalers ...)"
    ),
    dataset!(
        "annual_alt_estimates",
        "As-announced annual totals and other houses' estimates of the same years"
    ),
];

/// Find a dataset by name, suggesting the closest one when it is unknown.
pub fn dataset(name: &str) -> Result<&'static Dataset> {
    let key = name.trim_end_matches(".csv");
    DATASETS.iter().find(|d| d.name == key).ok_or_else(|| {
        let names: Vec<&str> = DATASETS.iter().map(|d| d.name).collect();
        Error::invalid(format!(
            "no built-in dataset named {name:?}{}; valid: {}",
            did_you_mean(name, &names),
            names.join(", ")
        ))
    })
}

pub(crate) fn did_you_mean(name: &str, candidates: &[&str]) -> String {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(c, name), *c))
        .filter(|(s, _)| *s > 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!(" (did you mean {c:?}?)"))
        .unwrap_or_default()
}

/// A dataset parsed into text cells.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows; `None` is an empty cell.
    pub rows: Vec<Vec<Option<String>>>,
}

impl Dataset {
    /// Parse the embedded CSV (all columns as text) with polars.
    pub fn table(&self) -> Result<Table> {
        let df = CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .into_reader_with_file_handle(std::io::Cursor::new(self.text.as_bytes()))
            .finish()
            .map_err(|e| {
                Error::invalid(format!("built-in dataset {} is corrupt: {e}", self.name))
            })?;
        let columns: Vec<String> = df
            .get_column_names()
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut cols = Vec::with_capacity(columns.len());
        for c in df.columns() {
            let s = c.str().map_err(|e| Error::invalid(e.to_string()))?;
            cols.push(s.iter().map(|o| o.map(str::to_string)).collect::<Vec<_>>());
        }
        let rows = (0..df.height())
            .map(|i| cols.iter().map(|c| c[i].clone()).collect())
            .collect();
        Ok(Table { columns, rows })
    }
}

impl Table {
    /// Index of a column by name.
    pub fn col(&self, name: &str) -> Result<usize> {
        self.columns
            .iter()
            .position(|c| c == name)
            .ok_or_else(|| Error::invalid(format!("built-in table has no column {name:?}")))
    }

    /// Cell text (empty string when missing).
    pub fn cell(&self, row: usize, col: usize) -> &str {
        self.rows[row][col].as_deref().unwrap_or("")
    }
}

/// What a text column holds, read from its cells as `data show` types them: whole
/// numbers (that fit an `i64`), decimal numbers, or text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    /// Every non-empty cell a plain whole number.
    Int,
    /// Every non-empty cell a plain number, at least one with a decimal point.
    Float,
    /// Anything else (and a column with no non-empty cell).
    Text,
}

/// One typed cell: a JSON number or string (`None` beside it is an empty cell).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    /// A whole number.
    Int(i64),
    /// A decimal number.
    Float(f64),
    /// Text.
    Text(String),
}

/// The kind of a plain number: digits with an optional minus sign and decimal point, no
/// leading zero (`007` is an id, not 7), no exponent; `None` for anything else.
fn plain_number(s: &str) -> Option<ColumnKind> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || (int.len() > 1 && int.starts_with('0')) {
        return None;
    }
    match frac {
        None => Some(ColumnKind::Int),
        Some(f) if all_digits(f) => Some(ColumnKind::Float),
        Some(_) => None,
    }
}

/// A column's kind from its cells (`None` = empty): numeric when every non-empty cell is a
/// plain number, a float column when any has a decimal point, an integer column when all
/// are whole and fit an `i64`; text otherwise.
pub fn column_kind(cells: &[Option<&str>]) -> ColumnKind {
    let mut kind = None;
    for c in cells.iter().flatten() {
        match (plain_number(c), kind) {
            (None, _) => return ColumnKind::Text,
            (Some(ColumnKind::Float), _) | (_, Some(ColumnKind::Float)) => {
                kind = Some(ColumnKind::Float)
            }
            (Some(k), _) => kind = Some(k),
        }
    }
    match kind {
        // a whole number too large for i64 keeps its text
        Some(ColumnKind::Int) if cells.iter().flatten().any(|c| c.parse::<i64>().is_err()) => {
            ColumnKind::Text
        }
        Some(k) => k,
        None => ColumnKind::Text,
    }
}

impl Table {
    /// Each column's kind ([`column_kind`]).
    pub fn kinds(&self) -> Vec<ColumnKind> {
        (0..self.columns.len())
            .map(|j| column_kind(&self.column_cells(j)))
            .collect()
    }

    /// Column `j`'s cells, `None` where empty.
    pub fn column_cells(&self, j: usize) -> Vec<Option<&str>> {
        self.rows
            .iter()
            .map(|r| r.get(j).and_then(|c| c.as_deref()))
            .collect()
    }

    /// The rows with each cell typed by its column's kind.
    pub fn typed_rows(&self) -> Vec<Vec<Option<Cell>>> {
        let kinds = self.kinds();
        self.rows
            .iter()
            .map(|r| {
                r.iter()
                    .zip(&kinds)
                    .map(|(c, k)| {
                        c.as_deref().map(|c| match k {
                            ColumnKind::Int => c.parse().map_or(Cell::Text(c.into()), Cell::Int),
                            ColumnKind::Float => {
                                c.parse().map_or(Cell::Text(c.into()), Cell::Float)
                            }
                            ColumnKind::Text => Cell::Text(c.into()),
                        })
                    })
                    .collect()
            })
            .collect()
    }
}

/// Where one observation of a built-in series came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Provenance {
    /// Dataset name.
    pub dataset: &'static str,
    /// Line in the dataset's CSV (header = line 1).
    pub line: usize,
    /// The row's `source` text.
    pub source: String,
    /// The row's `confidence` flag.
    pub confidence: String,
}

/// A built-in series with one provenance record per observation.
#[derive(Debug, Clone)]
pub struct SourcedSeries {
    /// The validated series.
    pub series: MarketSeries,
    /// Provenance, aligned with the series' observations.
    pub provenance: Vec<Provenance>,
}

/// Named built-in series: `(name, description)`.
pub const SERIES: &[(&str, &str)] = &[
    (
        "worldwide",
        "Worldwide semiconductor sales, annual, USD bn (wsts_annual)",
    ),
    (
        "americas",
        "Americas, annual, USD bn (wsts_regional_annual, WSTS scheme)",
    ),
    (
        "europe",
        "Europe, annual, USD bn (wsts_regional_annual, WSTS scheme)",
    ),
    (
        "japan",
        "Japan, annual, USD bn (wsts_regional_annual, WSTS scheme)",
    ),
    (
        "asia-pacific",
        "Asia Pacific incl. China, annual, USD bn (wsts_regional_annual, WSTS scheme)",
    ),
    (
        "worldwide-monthly",
        "Worldwide monthly billings, USD bn, 1986-01 to 2026-03 (wsts_monthly_raw); also <region>-monthly",
    ),
];

/// Build a named built-in series: a region name (`worldwide`, `americas`, …), optionally
/// with `-monthly` for unsmoothed monthly billings (wsts_monthly_raw).
pub fn series(name: &str) -> Result<SourcedSeries> {
    let (base, monthly) = match name.strip_suffix("-monthly") {
        Some(b) => (b, true),
        None => (name, false),
    };
    let region = match base {
        "worldwide" => "Worldwide",
        "americas" => "Americas",
        "europe" => "Europe",
        "japan" => "Japan",
        "asia-pacific" => "Asia Pacific",
        _ => {
            let names: Vec<&str> = SERIES.iter().map(|s| s.0).collect();
            return Err(Error::invalid(format!(
                "no built-in series named {name:?}{}; valid: {} (or --input FILE for your own data)",
                did_you_mean(name, &names),
                names.join(", ")
            )));
        }
    };
    let ds = dataset(match (monthly, region) {
        (true, _) => "wsts_monthly_raw",
        (false, "Worldwide") => "wsts_annual",
        (false, _) => "wsts_regional_annual",
    })?;
    let t = ds.table()?;
    let (cv, cs, cc) = (t.col("value_busd")?, t.col("source")?, t.col("confidence")?);
    let ct = t.col(if monthly { "month" } else { "year" })?;
    let region_col = if ds.name == "wsts_annual" {
        None
    } else {
        Some(t.col("region")?)
    };
    let scheme_col = if ds.name == "wsts_regional_annual" {
        Some(t.col("region_scheme")?)
    } else {
        None
    };
    let kind = if monthly {
        TimeKind::YearMonth
    } else {
        TimeKind::Integer
    };
    let mut points = Vec::new();
    let mut prov = Vec::new();
    for i in 0..t.rows.len() {
        if region_col.is_some_and(|c| t.cell(i, c) != region)
            || scheme_col.is_some_and(|c| t.cell(i, c) != "WSTS")
        {
            continue;
        }
        let bad =
            |col: &str| Error::invalid(format!("built-in {} line {}: bad {col}", ds.name, i + 2));
        let raw = crate::series::time::parse_time(t.cell(i, ct)).ok_or_else(|| bad("period"))?;
        let o = crate::series::time::ordinal(kind, raw);
        let v: f64 = t.cell(i, cv).parse().map_err(|_| bad("value_busd"))?;
        points.push((o, v));
        prov.push((
            o,
            Provenance {
                dataset: ds.name,
                line: i + 2,
                source: t.cell(i, cs).to_string(),
                confidence: t.cell(i, cc).to_string(),
            },
        ));
    }
    prov.sort_by_key(|p| p.0);
    let series = MarketSeries::from_points(ds.name, name, kind, points, Unit::UsdBillions)?;
    Ok(SourcedSeries {
        series,
        provenance: prov.into_iter().map(|p| p.1).collect(),
    })
}

/// Demand estimates usable by `gap`: (row name, value in USD bn, source, line in the dataset).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemandRow {
    /// `name` column.
    pub name: String,
    /// `value_busd`.
    pub value_busd: f64,
    /// `source` column.
    pub source: String,
    /// `confidence` column.
    pub confidence: String,
    /// Line in `demand_estimates.csv`.
    pub line: usize,
}

/// All demand rows whose name contains `needle` (case-insensitive) and have a value.
pub fn demand_rows(needle: &str) -> Result<Vec<DemandRow>> {
    let ds = dataset("demand_estimates")?;
    let t = ds.table()?;
    let (cn, cv, cs, cc) = (
        t.col("name")?,
        t.col("value_busd")?,
        t.col("source")?,
        t.col("confidence")?,
    );
    let needle = needle.to_lowercase();
    Ok((0..t.rows.len())
        .filter(|&i| t.cell(i, cn).to_lowercase().contains(&needle))
        .filter_map(|i| {
            t.cell(i, cv).parse::<f64>().ok().map(|v| DemandRow {
                name: t.cell(i, cn).to_string(),
                value_busd: v,
                source: t.cell(i, cs).to_string(),
                confidence: t.cell(i, cc).to_string(),
                line: i + 2,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_dataset_parses_with_rows() {
        for d in DATASETS {
            let t = d.table().unwrap();
            assert!(!t.rows.is_empty(), "{}", d.name);
        }
    }

    #[test]
    fn worldwide_runs_from_1986_to_2025_with_wsts_provenance() {
        let s = series("worldwide").unwrap();
        assert_eq!(s.series.start(), 1986);
        assert_eq!(s.series.end(), 2025);
        assert_eq!(s.series.value_at(2024), Some(630.549));
        assert_eq!(s.provenance.len(), s.series.len());
        assert_eq!(s.provenance[0].line, 2);
        assert_eq!(s.provenance[0].confidence, "found_in_source");
    }

    #[test]
    fn regions_sum_to_the_worldwide_total_within_rounding() {
        let w = series("worldwide").unwrap().series;
        let regions: Vec<MarketSeries> = ["americas", "europe", "japan", "asia-pacific"]
            .iter()
            .map(|r| series(r).unwrap().series)
            .collect();
        for year in w.start()..=w.end() {
            let sum: f64 = regions.iter().map(|r| r.value_at(year).unwrap()).sum();
            assert!((sum - w.value_at(year).unwrap()).abs() < 0.005, "{year}");
        }
    }

    #[test]
    fn monthly_worldwide_sums_to_the_annual_total() {
        let m = series("worldwide-monthly").unwrap().series;
        assert_eq!(m.kind(), TimeKind::YearMonth);
        assert_eq!(m.kind().format(m.end()), "2026-03");
        let y2025: f64 = (0..12).map(|k| m.value_at(2025 * 12 + k).unwrap()).sum();
        assert!((y2025 - 795.64).abs() < 0.01, "{y2025}");
        assert!(series("japan-monthly").is_ok());
    }

    #[test]
    fn altman_rows_are_found_in_the_demand_data() {
        let rows = demand_rows("Altman").unwrap();
        let values: Vec<f64> = rows.iter().map(|r| r.value_busd).collect();
        assert!(
            values.contains(&5000.0) && values.contains(&7000.0),
            "{values:?}"
        );
    }

    #[test]
    fn an_unknown_name_suggests_the_closest() {
        let e = series("world").unwrap_err().to_string();
        assert!(e.contains("did you mean \"worldwide\""), "{e}");
    }
}
