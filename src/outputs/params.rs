//! The fitted-parameter table: one row per (series, parameter), for `--params FILE`.
//! Columns: id, model, fitted (description), param, value. Selection scores of `auto`
//! appear as parameters named `holdout_mase.<candidate>`.

use super::atomic::write_atomically;
use crate::error::{Error, Result};
use crate::scenarios::projection::SeriesForecast;
use polars::prelude::*;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// One row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamRow {
    /// Series id.
    pub id: String,
    /// Model name.
    pub model: String,
    /// Fitted model description.
    pub fitted: String,
    /// Parameter name.
    pub param: String,
    /// Value.
    pub value: f64,
}

/// The whole table.
#[derive(Debug, Clone)]
pub struct ParamsTable {
    id_col: String,
    /// Rows, series in input order.
    pub rows: Vec<ParamRow>,
}

impl ParamsTable {
    /// Build from forecasts.
    pub fn new(id_col: &str, forecasts: &[&SeriesForecast]) -> Self {
        let mut rows = Vec::new();
        for f in forecasts {
            let row = |param: String, value: f64| ParamRow {
                id: f.id.clone(),
                model: f.model.clone(),
                fitted: f.description.clone(),
                param,
                value,
            };
            rows.extend(f.params.iter().map(|p| row(p.name.clone(), p.value)));
            if let Some(sel) = &f.selection {
                rows.extend(
                    sel.scores.iter().filter_map(|c| {
                        c.mase.map(|m| row(format!("holdout_mase.{}", c.model), m))
                    }),
                );
            }
        }
        Self {
            id_col: id_col.into(),
            rows,
        }
    }

    /// Write by extension (.csv, .json, .parquet), atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let werr = |m: String| Error::Write {
            path: path.into(),
            message: m,
        };
        match ext.as_str() {
            "csv" => write_atomically(path, |tmp| {
                let mut out = format!("{},model,fitted,param,value\n", self.id_col);
                for r in &self.rows {
                    out.push_str(&format!(
                        "{},{},\"{}\",{},{}\n",
                        quote(&r.id),
                        r.model,
                        r.fitted.replace('"', "\"\""),
                        r.param,
                        r.value
                    ));
                }
                std::fs::File::create(tmp)
                    .and_then(|mut f| f.write_all(out.as_bytes()))
                    .map_err(|e| werr(e.to_string()))
            }),
            "json" => write_atomically(path, |tmp| {
                let text =
                    serde_json::to_string_pretty(&self.rows).map_err(|e| werr(e.to_string()))?;
                std::fs::write(tmp, text + "\n").map_err(|e| werr(e.to_string()))
            }),
            "parquet" => write_atomically(path, |tmp| {
                let col = |name: &str, v: Vec<&str>| Column::new(name.into(), v);
                let mut df = DataFrame::new_infer_height(vec![
                    col(
                        &self.id_col,
                        self.rows.iter().map(|r| r.id.as_str()).collect(),
                    ),
                    col(
                        "model",
                        self.rows.iter().map(|r| r.model.as_str()).collect(),
                    ),
                    col(
                        "fitted",
                        self.rows.iter().map(|r| r.fitted.as_str()).collect(),
                    ),
                    col(
                        "param",
                        self.rows.iter().map(|r| r.param.as_str()).collect(),
                    ),
                    Column::new(
                        "value".into(),
                        self.rows.iter().map(|r| r.value).collect::<Vec<f64>>(),
                    ),
                ])
                .map_err(|e| werr(e.to_string()))?;
                let file = std::fs::File::create(tmp).map_err(|e| werr(e.to_string()))?;
                ParquetWriter::new(file)
                    .finish(&mut df)
                    .map_err(|e| werr(e.to_string()))?;
                Ok(())
            }),
            other => Err(werr(format!(
                "unsupported extension {other:?}; valid: .csv, .json, .parquet"
            ))),
        }
    }
}

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
