//! The fitted-parameter table: one row per (series, parameter), for `--params FILE`.
//! Columns: id, model, fitted (description), param, value. Selection scores of `auto`
//! appear as parameters named `holdout_mase.<candidate>`.

use super::table::{Table, Values};
use crate::error::Result;
use crate::scenarios::projection::SeriesForecast;
use serde::Serialize;
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
                model: f.model.to_string(),
                fitted: f.description.to_string(),
                param,
                value,
            };
            rows.extend(f.params.iter().map(|p| row(p.name.to_string(), p.value)));
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

    /// As a typed table (for writing and tests).
    pub fn table(&self) -> Table {
        let text = |f: fn(&ParamRow) -> String| Values::Text(self.rows.iter().map(f).collect());
        Table::default()
            .with(&self.id_col, text(|r| r.id.clone()))
            .with("model", text(|r| r.model.clone()))
            .with("fitted", text(|r| r.fitted.clone()))
            .with("param", text(|r| r.param.clone()))
            .with(
                "value",
                Values::Float(self.rows.iter().map(|r| Some(r.value)).collect()),
            )
    }

    /// Write by extension (.csv, .json, .parquet), atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        self.table().write(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::select::ModelChoice;
    use crate::models::ModelSpec;
    use crate::scenarios::projection::project;
    use crate::series::{MarketSeries, TimeKind, Unit};

    #[test]
    fn parameters_and_selection_scores_become_long_rows() {
        let s = MarketSeries::new(
            "007",
            TimeKind::Integer,
            1,
            (0..30)
                .map(|t| 10.0 + t as f64 * 1.5 + (t % 3) as f64)
                .collect(),
            Unit::Unspecified,
        )
        .unwrap();
        let p = project(&s, ModelChoice::Select, 3, &[80.0]).unwrap();
        let t = ParamsTable::new("unique_id", &[&p.forecast]);
        assert!(t.rows.iter().all(|r| r.id == "007"));
        assert!(t.rows.iter().any(|r| r.param.starts_with("holdout_mase.")));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.csv");
        t.write(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("unique_id,model,fitted,param,value\n007,"),
            "{text}"
        );
        let drift = project(&s, ModelChoice::Fixed(ModelSpec::Drift), 1, &[80.0]).unwrap();
        assert_eq!(
            ParamsTable::new("id", &[&drift.forecast]).rows.len(),
            drift.forecast.params.len()
        );
    }
}
