//! A small typed table for report outputs (milestone, vintages, backtests): text, integer
//! and float columns, written as CSV, JSON records or Parquet (with key-value metadata),
//! atomically, chosen by the file extension.

use super::atomic::write_atomically;
use crate::error::{Error, Result};
use polars::prelude::*;
use std::path::Path;

/// One column's values.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// Text.
    Text(Vec<String>),
    /// Integers.
    Int(Vec<i64>),
    /// Floats; `None` is missing.
    Float(Vec<Option<f64>>),
}

impl Values {
    /// A float column with no missing values.
    pub fn floats(values: impl IntoIterator<Item = f64>) -> Self {
        Values::Float(values.into_iter().map(Some).collect())
    }

    fn len(&self) -> usize {
        match self {
            Values::Text(v) => v.len(),
            Values::Int(v) => v.len(),
            Values::Float(v) => v.len(),
        }
    }
    fn cell(&self, i: usize) -> String {
        match self {
            Values::Text(v) => v[i].clone(),
            Values::Int(v) => v[i].to_string(),
            Values::Float(v) => v[i].map(|x| x.to_string()).unwrap_or_default(),
        }
    }
    fn json(&self, i: usize) -> serde_json::Value {
        match self {
            Values::Text(v) => v[i].clone().into(),
            Values::Int(v) => v[i].into(),
            Values::Float(v) => v[i].into(),
        }
    }
}

/// A named, typed table with metadata.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Columns in order.
    pub columns: Vec<(String, Values)>,
    /// Key-value metadata (written to Parquet files).
    pub metadata: Vec<(String, String)>,
}

impl Table {
    /// Add a column (builder style).
    pub fn with(mut self, name: &str, values: Values) -> Self {
        self.columns.push((name.to_string(), values));
        self
    }

    /// Number of rows (0 for no columns).
    pub fn height(&self) -> usize {
        self.columns.first().map(|c| c.1.len()).unwrap_or(0)
    }

    /// As a polars DataFrame.
    pub fn to_dataframe(&self) -> PolarsResult<DataFrame> {
        let cols: Vec<Column> = self
            .columns
            .iter()
            .map(|(name, v)| match v {
                Values::Text(x) => Column::new(name.as_str().into(), x.clone()),
                Values::Int(x) => Column::new(name.as_str().into(), x.clone()),
                Values::Float(x) => Column::new(name.as_str().into(), x.clone()),
            })
            .collect();
        DataFrame::new_infer_height(cols)
    }

    /// Write by extension: `.csv`, `.json` or `.parquet`.
    pub fn write(&self, path: &Path) -> Result<()> {
        if let Some((name, _)) = self.columns.iter().find(|c| c.1.len() != self.height()) {
            return Err(Error::invalid(format!(
                "column {name} has a different length"
            )));
        }
        let werr = |m: String| Error::Write {
            path: path.into(),
            message: m,
        };
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        match ext.as_str() {
            "csv" => write_atomically(path, |tmp| {
                let quote = |s: String| {
                    if s.contains([',', '"', '\n']) {
                        format!("\"{}\"", s.replace('"', "\"\""))
                    } else {
                        s
                    }
                };
                let mut out = self
                    .columns
                    .iter()
                    .map(|c| quote(c.0.clone()))
                    .collect::<Vec<_>>()
                    .join(",");
                out.push('\n');
                for i in 0..self.height() {
                    let row: Vec<String> =
                        self.columns.iter().map(|c| quote(c.1.cell(i))).collect();
                    out.push_str(&row.join(","));
                    out.push('\n');
                }
                std::fs::write(tmp, out).map_err(|e| werr(e.to_string()))
            }),
            "json" => write_atomically(path, |tmp| {
                let rows: Vec<serde_json::Value> = (0..self.height())
                    .map(|i| {
                        serde_json::Value::Object(
                            self.columns
                                .iter()
                                .map(|(n, v)| (n.clone(), v.json(i)))
                                .collect(),
                        )
                    })
                    .collect();
                let text = serde_json::to_string_pretty(&rows).map_err(|e| werr(e.to_string()))?;
                std::fs::write(tmp, text + "\n").map_err(|e| werr(e.to_string()))
            }),
            "parquet" => write_atomically(path, |tmp| {
                let mut df = self.to_dataframe().map_err(|e| werr(e.to_string()))?;
                let file = std::fs::File::create(tmp).map_err(|e| werr(e.to_string()))?;
                ParquetWriter::new(file)
                    .with_compression(ParquetCompression::Zstd(None))
                    .with_key_value_metadata(Some(KeyValueMetadata::from_static(
                        self.metadata.clone(),
                    )))
                    .finish(&mut df)
                    .map_err(|e| werr(e.to_string()))?;
                Ok(())
            }),
            other => Err(werr(format!(
                "unsupported output extension {other:?}; valid: .csv, .json, .parquet"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        Table::default()
            .with("year", Values::Int(vec![2029, 2030]))
            .with("p", Values::Float(vec![Some(0.25), None]))
            .with("note", Values::Text(vec!["a,b".into(), "c".into()]))
    }

    #[test]
    fn csv_quotes_commas_and_leaves_missing_floats_empty() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        sample().write(&p).unwrap();
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "year,p,note\n2029,0.25,\"a,b\"\n2030,,c\n"
        );
    }

    #[test]
    fn parquet_keeps_types_and_metadata() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.parquet");
        let mut t = sample();
        t.metadata.push(("k".into(), "v".into()));
        t.write(&p).unwrap();
        let df = ParquetReader::new(std::fs::File::open(&p).unwrap())
            .finish()
            .unwrap();
        assert_eq!(df.column("year").unwrap().dtype(), &DataType::Int64);
        assert_eq!(df.column("p").unwrap().null_count(), 1);
        let meta = super::super::export::parquet_metadata(&p).unwrap();
        assert!(meta.contains(&("k".to_string(), "v".to_string())));
    }
}
