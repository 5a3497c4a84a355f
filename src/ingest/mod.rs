//! Raw files → validated series. Polars reads CSV, Parquet and JSON; every cell is then
//! checked once, here, and turned into [`MarketSeries`] values that the rest of the
//! pipeline trusts.

pub mod builtin;

use crate::error::{CellProblem, Error, Result};
use crate::series::time::{RawTime, decide_kind, ordinal, parse_time};
use crate::series::{MarketSeries, Unit};
use polars::prelude::*;
use std::collections::HashMap;
use std::path::Path;

/// Which columns of a long-format table hold the id, the period and the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LongFormat {
    /// Series id column (read as text: leading zeros are kept).
    pub id_col: String,
    /// Time column: integer period, `YYYY-MM`, or ISO date.
    pub time_col: String,
    /// Value column: finite numbers.
    pub value_col: String,
}

impl Default for LongFormat {
    fn default() -> Self {
        Self {
            id_col: "unique_id".into(),
            time_col: "ds".into(),
            value_col: "y".into(),
        }
    }
}

/// A validated input file: its series in order of first appearance.
#[derive(Debug, Clone)]
pub struct LoadedFile {
    /// Series, in the order their ids first appear in the file.
    pub series: Vec<MarketSeries>,
    /// Number of data rows read.
    pub rows: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Parquet,
    Json,
    JsonLines,
}

fn format_of(path: &Path) -> Result<Format> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "csv" => Ok(Format::Csv),
        "parquet" | "pq" => Ok(Format::Parquet),
        "json" => Ok(Format::Json),
        "ndjson" | "jsonl" => Ok(Format::JsonLines),
        _ => Err(Error::UnsupportedFormat {
            path: path.into(),
            ext,
        }),
    }
}

fn read_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Read {
        path: path.into(),
        message: e.to_string(),
    }
}

/// Read a whole table with polars. CSV columns are all read as text so that ids keep
/// their leading zeros and every cell can be validated with its line number.
pub fn read_table(path: &Path) -> Result<DataFrame> {
    let format = format_of(path)?;
    if !path.exists() {
        return Err(read_err(path, "no such file"));
    }
    let file = std::fs::File::open(path).map_err(|e| read_err(path, e))?;
    if file.metadata().map(|m| m.len() == 0).unwrap_or(false) {
        return Err(Error::Empty {
            path: path.into(),
            expected: "the id, time and value columns".into(),
        });
    }
    let df = match format {
        Format::Csv => CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .into_reader_with_file_handle(file)
            .finish(),
        Format::Parquet => ParquetReader::new(file).finish(),
        Format::Json => JsonReader::new(file).finish(),
        Format::JsonLines => JsonReader::new(file)
            .with_json_format(JsonFormat::JsonLines)
            .finish(),
    };
    df.map_err(|e| read_err(path, e))
}

fn cell_error(
    path: &Path,
    at: String,
    column: &str,
    value: &str,
    problem: &str,
    expected: &str,
) -> Error {
    Error::BadCell(Box::new(CellProblem {
        path: path.into(),
        at,
        column: column.into(),
        value: value.into(),
        problem: problem.into(),
        expected: expected.into(),
    }))
}

fn location(format_is_csv: bool, i: usize) -> String {
    if format_is_csv {
        format!("line {}", i + 2)
    } else {
        format!("record {}", i + 1)
    }
}

fn find_column<'a>(
    df: &'a DataFrame,
    path: &Path,
    name: &str,
    role: &'static str,
) -> Result<&'a Column> {
    df.column(name).map_err(|_| {
        let names: Vec<String> = df
            .get_column_names()
            .iter()
            .map(|s| s.to_string())
            .collect();
        let best = names
            .iter()
            .map(|c| {
                (
                    strsim::jaro_winkler(&c.to_lowercase(), &name.to_lowercase()),
                    c,
                )
            })
            .filter(|(score, _)| *score > 0.7)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        Error::UnknownColumn {
            path: path.into(),
            name: name.into(),
            role,
            hint: best
                .map(|(_, c)| format!("; did you mean {c:?}?"))
                .unwrap_or_default(),
            available: names.join(", "),
        }
    })
}

/// Column cells as text (`None` = missing).
fn text_cells(col: &Column) -> PolarsResult<Vec<Option<String>>> {
    Ok(match col.dtype() {
        DataType::String => col.str()?.iter().map(|o| o.map(str::to_string)).collect(),
        DataType::Date => {
            let days = col.cast(&DataType::Int32)?;
            days.i32()?
                .iter()
                .map(|o| {
                    o.map(|d| {
                        let (y, m, dd) = crate::series::time::civil_from_days(i64::from(d));
                        format!("{y:04}-{m:02}-{dd:02}")
                    })
                })
                .collect()
        }
        _ => {
            let s = col.cast(&DataType::String)?;
            s.str()?.iter().map(|o| o.map(str::to_string)).collect()
        }
    })
}

/// Read a long-format file and validate it into series.
///
/// Checks, each reported with file, line/record, column, value and what is valid:
/// unknown columns (with the closest name), empty files, missing ids/periods/values,
/// unparseable periods, non-numeric or non-finite values, duplicate periods and gaps.
/// Rows may come in any order; series may be interleaved.
pub fn load_long(path: &Path, cols: &LongFormat) -> Result<LoadedFile> {
    let df = read_table(path)?;
    let is_csv = format_of(path)? == Format::Csv;
    let id_c = find_column(&df, path, &cols.id_col, "--id-col")?;
    let time_c = find_column(&df, path, &cols.time_col, "--time-col")?;
    let value_c = find_column(&df, path, &cols.value_col, "--value-col")?;
    if df.height() == 0 {
        return Err(Error::Empty {
            path: path.into(),
            expected: format!("{}, {}, {}", cols.id_col, cols.time_col, cols.value_col),
        });
    }
    let conv = |e: PolarsError| read_err(path, e);
    let ids = text_cells(id_c).map_err(conv)?;
    let times = text_cells(time_c).map_err(conv)?;
    let values = text_cells(value_c).map_err(conv)?;
    let bad = |i: usize, column: &str, value: &str, problem: &str, expected: &str| {
        cell_error(path, location(is_csv, i), column, value, problem, expected)
    };

    let mut raw_times = Vec::with_capacity(df.height());
    let mut nums = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let id = ids[i].as_deref().map(str::trim).unwrap_or("");
        if id.is_empty() {
            return Err(bad(
                i,
                &cols.id_col,
                "",
                "missing series id",
                "every row needs an id",
            ));
        }
        let t = times[i].as_deref().unwrap_or("");
        let rt = parse_time(t).ok_or_else(|| {
            bad(
                i,
                &cols.time_col,
                t,
                if t.trim().is_empty() {
                    "missing period"
                } else {
                    "not a period"
                },
                "expected an integer period (e.g. 2024 or 17), YYYY-MM, or an ISO date YYYY-MM-DD",
            )
        })?;
        raw_times.push(rt);
        let v = values[i].as_deref().unwrap_or("");
        let x: f64 = v.trim().parse().map_err(|_| {
            bad(
                i,
                &cols.value_col,
                v,
                if v.trim().is_empty() {
                    "missing value"
                } else {
                    "not a number"
                },
                "expected a finite number such as 630.549",
            )
        })?;
        if !x.is_finite() {
            return Err(bad(
                i,
                &cols.value_col,
                v,
                "non-finite value",
                "expected a finite number",
            ));
        }
        nums.push(x);
    }
    let kind = decide_kind(&raw_times).map_err(|first_bad| {
        let style = |c: &RawTime| match c {
            RawTime::Int(_) => "an integer period",
            RawTime::Month(..) => "YYYY-MM",
            RawTime::Quarter(_, _, true) => "YYYY-Qn",
            RawTime::Quarter(_, _, false) => "YYYYQn",
            RawTime::Date(..) => "an ISO date",
        };
        bad(
            first_bad,
            &cols.time_col,
            times[first_bad].as_deref().unwrap_or(""),
            &format!(
                "{} but the first row is {}",
                style(&raw_times[first_bad]),
                style(&raw_times[0])
            ),
            "use one style for the whole column: integers, YYYY-MM, YYYY-Qn, or YYYY-MM-DD",
        )
    })?;

    // group by id, in order of first appearance, remembering rows for duplicate messages
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, Vec<(i64, f64, usize)>> = HashMap::new();
    for i in 0..df.height() {
        let id = ids[i].as_deref().map(str::trim).unwrap_or("").to_string();
        let entry = groups.entry(id.clone()).or_insert_with(|| {
            order.push(id);
            Vec::new()
        });
        entry.push((ordinal(kind, raw_times[i]), nums[i], i));
    }
    let context = path.display().to_string();
    let mut series = Vec::with_capacity(order.len());
    for id in order {
        let mut pts = groups.remove(&id).unwrap_or_default();
        pts.sort_by_key(|p| (p.0, p.2));
        if let Some(w) = pts.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(Error::BadSeries {
                context,
                id,
                problem: format!(
                    "period {} appears twice ({} and {}); each period must appear once per series",
                    kind.format(w[0].0),
                    location(is_csv, w[0].2),
                    location(is_csv, w[1].2)
                ),
            });
        }
        let points = pts.into_iter().map(|(o, v, _)| (o, v)).collect();
        series.push(MarketSeries::from_points(
            &context,
            id,
            kind,
            points,
            Unit::Unspecified,
        )?);
    }
    Ok(LoadedFile {
        series,
        rows: df.height(),
    })
}

/// External regressors for a forecast: a table with one time column and one numeric column
/// per regressor (every other column), keyed by period ordinal.
#[derive(Debug, Clone, PartialEq)]
pub struct Regressors {
    /// Regressor names, in file order.
    pub names: Vec<String>,
    /// Values per period ordinal.
    pub rows: std::collections::BTreeMap<i64, Vec<f64>>,
}

impl Regressors {
    /// The rows for consecutive periods `first..=last`, or an error naming the first
    /// missing period.
    pub fn window(
        &self,
        kind: crate::series::TimeKind,
        first: i64,
        last: i64,
        what: &str,
    ) -> Result<Vec<Vec<f64>>> {
        (first..=last)
            .map(|o| {
                self.rows.get(&o).cloned().ok_or_else(|| {
                    Error::invalid(format!(
                        "the regressors have no row for {} ({what} needs {} to {}); add it to the regressor file",
                        kind.format(o),
                        kind.format(first),
                        kind.format(last)
                    ))
                })
            })
            .collect()
    }
}

/// Read a regressor file (CSV, Parquet or JSON) whose time column is `time_col`, parsing
/// periods in `kind`. Every other column is a regressor and must be numeric and finite.
pub fn load_regressors(
    path: &Path,
    time_col: &str,
    kind: crate::series::TimeKind,
) -> Result<Regressors> {
    let df = read_table(path)?;
    let is_csv = format_of(path)? == Format::Csv;
    let t = find_column(&df, path, time_col, "the regressor time column")?;
    let times = text_cells(t).map_err(|e| read_err(path, e))?;
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .filter(|c| c != time_col)
        .collect();
    if names.is_empty() || df.height() == 0 {
        return Err(Error::Empty {
            path: path.into(),
            expected: format!("{time_col} and at least one regressor column"),
        });
    }
    let mut cols = Vec::with_capacity(names.len());
    for name in &names {
        let c = df.column(name).map_err(|e| read_err(path, e))?;
        cols.push(text_cells(c).map_err(|e| read_err(path, e))?);
    }
    let bad = |i: usize, column: &str, value: &str, problem: &str, expected: &str| {
        cell_error(path, location(is_csv, i), column, value, problem, expected)
    };
    let mut rows = std::collections::BTreeMap::new();
    for i in 0..df.height() {
        let text = times[i].as_deref().unwrap_or("");
        let raw = parse_time(text).ok_or_else(|| {
            bad(
                i,
                time_col,
                text,
                "not a period",
                "expected the series' period format",
            )
        })?;
        let o = ordinal(kind, raw);
        let mut vals = Vec::with_capacity(names.len());
        for (j, name) in names.iter().enumerate() {
            let v = cols[j][i].as_deref().unwrap_or("");
            let x: f64 = v
                .trim()
                .parse()
                .ok()
                .filter(|x: &f64| x.is_finite())
                .ok_or_else(|| {
                    bad(
                        i,
                        name,
                        v,
                        "not a finite number",
                        "every regressor cell must be a finite number",
                    )
                })?;
            vals.push(x);
        }
        if rows.insert(o, vals).is_some() {
            return Err(bad(
                i,
                time_col,
                text,
                "period appears twice",
                "one row per period",
            ));
        }
    }
    Ok(Regressors { names, rows })
}
