//! Tidy forecast tables: `unique_id, ds, model, mean, lo80, hi80, lo95, hi95` (one
//! lo/hi pair per requested level), written as CSV, JSON records or Parquet with
//! provenance metadata. One format per function, chosen by the file extension.

use super::atomic::{is_stdout, write_atomically, write_stdout};
use crate::error::{Error, Result};
use crate::scenarios::projection::SeriesForecast;
use crate::series::TimeKind;
use polars::prelude::*;
use std::io::Write;
use std::path::Path;

/// One output row; `None` values are written empty (series that could not be fitted).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Series id.
    pub id: String,
    /// Period ordinal.
    pub period: i64,
    /// Point forecast.
    pub mean: Option<f64>,
    /// (lower, upper) per level, in level order.
    pub bounds: Vec<Option<(f64, f64)>>,
}

/// A long forecast table ready to write.
#[derive(Debug, Clone)]
pub struct ForecastTable {
    /// Name of the id column (the input's).
    pub id_col: String,
    /// Name of the time column (the input's).
    pub time_col: String,
    /// Time kind of every row.
    pub kind: TimeKind,
    /// Constant model label, e.g. `chipcast:drift`.
    pub model_label: String,
    /// Levels, percent.
    pub levels: Vec<f64>,
    /// Rows.
    pub rows: Vec<Row>,
    /// Key-value metadata (Parquet file metadata).
    pub metadata: Vec<(String, String)>,
}

/// A series that could not be forecast: its rows are written with empty values.
#[derive(Debug, Clone)]
pub struct Failed {
    /// Series id.
    pub id: String,
    /// Last observed ordinal.
    pub end: i64,
}

/// `lo80`/`hi80` style column names for a level (97.5 → `lo97.5`).
pub fn level_name(level: f64) -> String {
    format!("{level}")
}

impl ForecastTable {
    /// Build from per-series results, in input order.
    pub fn new(
        id_col: &str,
        time_col: &str,
        kind: TimeKind,
        model_label: &str,
        levels: &[f64],
        horizon: usize,
        results: &[std::result::Result<SeriesForecast, Failed>],
    ) -> Self {
        let mut rows = Vec::new();
        for r in results {
            match r {
                Ok(f) => {
                    for (k, &period) in f.periods.iter().enumerate() {
                        rows.push(Row {
                            id: f.id.clone(),
                            period,
                            mean: Some(f.forecast.point[k]),
                            bounds: f
                                .forecast
                                .intervals
                                .iter()
                                .map(|iv| Some((iv.lower[k], iv.upper[k])))
                                .collect(),
                        });
                    }
                }
                Err(failed) => {
                    for k in 1..=horizon as i64 {
                        rows.push(Row {
                            id: failed.id.clone(),
                            period: failed.end + k,
                            mean: None,
                            bounds: vec![None; levels.len()],
                        });
                    }
                }
            }
        }
        Self {
            id_col: id_col.into(),
            time_col: time_col.into(),
            kind,
            model_label: model_label.into(),
            levels: levels.to_vec(),
            rows,
            metadata: Vec::new(),
        }
    }

    /// Column names in output order.
    pub fn header(&self) -> Vec<String> {
        let mut h = vec![
            self.id_col.clone(),
            self.time_col.clone(),
            "model".into(),
            "mean".into(),
        ];
        for l in &self.levels {
            h.push(format!("lo{}", level_name(*l)));
            h.push(format!("hi{}", level_name(*l)));
        }
        h
    }

    /// Write by extension: `.csv`, `.json` or `.parquet`, or CSV to standard output for
    /// `-`. Atomic: a failure leaves no file.
    pub fn write(&self, path: &Path) -> Result<()> {
        if is_stdout(path) {
            let mut bytes = Vec::new();
            self.csv_to(&mut bytes)
                .map_err(|e| werr(path, e.to_string()))?;
            return write_stdout(bytes);
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        match ext.as_str() {
            "csv" => write_atomically(path, |tmp| self.write_csv(tmp).map_err(|e| werr(path, e))),
            "json" => write_atomically(path, |tmp| self.write_json(tmp).map_err(|e| werr(path, e))),
            "parquet" => write_atomically(path, |tmp| {
                self.write_parquet(tmp).map_err(|e| werr(path, e))
            }),
            other => Err(Error::Write {
                path: path.into(),
                message: format!(
                    "unsupported output extension {other:?}; valid: .csv, .json, .parquet"
                ),
            }),
        }
    }

    fn write_csv(&self, tmp: &Path) -> std::result::Result<(), String> {
        let file = std::fs::File::create(tmp).map_err(|e| e.to_string())?;
        let mut w = std::io::BufWriter::new(file);
        self.csv_to(&mut w).map_err(|e| e.to_string())?;
        w.flush().map_err(|e| e.to_string())
    }

    fn csv_to(&self, w: &mut impl Write) -> std::io::Result<()> {
        let line = |w: &mut dyn Write, cells: Vec<String>| {
            writeln!(
                w,
                "{}",
                cells
                    .iter()
                    .map(|c| csv_quote(c))
                    .collect::<Vec<_>>()
                    .join(",")
            )
        };
        line(w, self.header())?;
        let num = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
        for r in &self.rows {
            let mut cells = vec![
                r.id.clone(),
                self.kind.format(r.period),
                self.model_label.clone(),
                num(r.mean),
            ];
            for b in &r.bounds {
                cells.push(num(b.map(|b| b.0)));
                cells.push(num(b.map(|b| b.1)));
            }
            line(w, cells)?;
        }
        Ok(())
    }

    fn write_json(&self, tmp: &Path) -> std::result::Result<(), String> {
        let header = self.header();
        let names: Vec<&str> = header.iter().map(String::as_str).collect();
        let rows: Vec<Vec<serde_json::Value>> = self
            .rows
            .iter()
            .map(|r| {
                let mut v: Vec<serde_json::Value> = vec![
                    r.id.clone().into(),
                    match self.kind {
                        TimeKind::Integer => r.period.into(),
                        _ => self.kind.format(r.period).into(),
                    },
                    self.model_label.clone().into(),
                    r.mean.into(),
                ];
                for b in &r.bounds {
                    v.push(b.map(|b| b.0).into());
                    v.push(b.map(|b| b.1).into());
                }
                v
            })
            .collect();
        let text = super::table::json_records(&names, &rows).map_err(|e| e.to_string())?;
        std::fs::write(tmp, text).map_err(|e| e.to_string())
    }

    /// The table as a typed polars DataFrame (text id, Int64 or Date `ds`, Float64 values).
    pub fn to_dataframe(&self) -> PolarsResult<DataFrame> {
        let header = self.header();
        let ids: Vec<&str> = self.rows.iter().map(|r| r.id.as_str()).collect();
        let ds: Column = match self.kind {
            TimeKind::Integer => Column::new(
                header[1].as_str().into(),
                self.rows.iter().map(|r| r.period).collect::<Vec<i64>>(),
            ),
            kind => Column::new(
                header[1].as_str().into(),
                self.rows
                    .iter()
                    .map(|r| kind.epoch_days(r.period).unwrap_or(0) as i32)
                    .collect::<Vec<i32>>(),
            )
            .cast(&DataType::Date)?,
        };
        let mut cols = vec![
            Column::new(header[0].as_str().into(), ids),
            ds,
            Column::new(
                "model".into(),
                vec![self.model_label.as_str(); self.rows.len()],
            ),
            Column::new(
                "mean".into(),
                self.rows
                    .iter()
                    .map(|r| r.mean)
                    .collect::<Vec<Option<f64>>>(),
            ),
        ];
        for i in 0..self.levels.len() {
            cols.push(Column::new(
                header[4 + 2 * i].as_str().into(),
                self.rows
                    .iter()
                    .map(|r| r.bounds[i].map(|b| b.0))
                    .collect::<Vec<Option<f64>>>(),
            ));
            cols.push(Column::new(
                header[5 + 2 * i].as_str().into(),
                self.rows
                    .iter()
                    .map(|r| r.bounds[i].map(|b| b.1))
                    .collect::<Vec<Option<f64>>>(),
            ));
        }
        DataFrame::new_infer_height(cols)
    }

    fn write_parquet(&self, tmp: &Path) -> std::result::Result<(), String> {
        let mut df = self.to_dataframe().map_err(|e| e.to_string())?;
        super::parquet::write(&mut df, tmp, &self.metadata, true).map_err(|e| e.to_string())
    }
}

fn werr(path: &Path, message: String) -> Error {
    Error::Write {
        path: path.into(),
        message,
    }
}

fn csv_quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Read the key-value metadata of a Parquet file (for round-trip checks and `inspect`).
pub fn parquet_metadata(path: &Path) -> Result<Vec<(String, String)>> {
    let file = std::fs::File::open(path).map_err(|e| Error::Read {
        path: path.into(),
        message: e.to_string(),
    })?;
    let mut reader = ParquetReader::new(file);
    let meta = reader.get_metadata().map_err(|e| Error::Read {
        path: path.into(),
        message: e.to_string(),
    })?;
    Ok(meta
        .key_value_metadata()
        .as_ref()
        .map(|kv| {
            kv.iter()
                .map(|k| (k.key.clone(), k.value.clone().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{Forecast, Interval};

    fn table(kind: TimeKind) -> ForecastTable {
        let f = SeriesForecast {
            id: "007".into(),
            unit: crate::series::Unit::Unspecified,
            kind,
            train_start: 1,
            train_end: 3,
            periods: vec![4, 5],
            model: "drift".into(),
            description: String::new(),
            params: vec![],
            levels: vec![80.0],
            forecast: Forecast {
                point: vec![1.5, 0.1 + 0.2],
                intervals: vec![Interval {
                    level: 80.0,
                    lower: vec![1.0, 0.0],
                    upper: vec![2.0, 1.0],
                }],
            },
            selection: None,
            interval_method: crate::scenarios::projection::IntervalMethod::Model,
            season_length: 1,
            season_test: None,
        };
        let results = vec![
            Ok(f),
            Err(Failed {
                id: "b,c".into(),
                end: 10,
            }),
        ];
        ForecastTable::new(
            "unique_id",
            "ds",
            kind,
            "chipcast:drift",
            &[80.0],
            2,
            &results,
        )
    }

    #[test]
    fn csv_keeps_leading_zeros_full_precision_and_empty_failed_rows() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("fc.csv");
        table(TimeKind::Integer).write(&p).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "unique_id,ds,model,mean,lo80,hi80");
        assert_eq!(lines[1], "007,4,chipcast:drift,1.5,1,2");
        assert_eq!(lines[2], "007,5,chipcast:drift,0.30000000000000004,0,1");
        assert_eq!(lines[3], "\"b,c\",11,chipcast:drift,,,");
    }

    #[test]
    fn parquet_round_trips_with_types_and_metadata() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("fc.parquet");
        let mut t = table(TimeKind::Integer);
        t.metadata = vec![("chipcast.model".into(), "drift".into())];
        t.write(&p).unwrap();
        let df = ParquetReader::new(std::fs::File::open(&p).unwrap())
            .finish()
            .unwrap();
        assert_eq!(df.height(), 4);
        assert_eq!(df.column("unique_id").unwrap().dtype(), &DataType::String);
        assert_eq!(df.column("ds").unwrap().dtype(), &DataType::Int64);
        assert_eq!(df.column("mean").unwrap().null_count(), 2);
        let meta = parquet_metadata(&p).unwrap();
        assert!(meta.contains(&("chipcast.model".to_string(), "drift".to_string())));
    }

    #[test]
    fn monthly_periods_are_written_as_dates_in_parquet() {
        let df = table(TimeKind::YearMonth).to_dataframe().unwrap();
        assert_eq!(df.column("ds").unwrap().dtype(), &DataType::Date);
    }

    #[test]
    fn an_unknown_extension_is_refused_without_creating_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("fc.xlsx");
        assert!(table(TimeKind::Integer).write(&p).is_err());
        assert!(!p.exists());
    }
}
