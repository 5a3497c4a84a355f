//! A small typed table for report outputs (milestone, vintages, backtests): text, integer
//! and float columns, written as CSV, JSON records or Parquet (with key-value metadata),
//! atomically, chosen by the file extension, or as CSV to standard output for `-`.

use super::atomic::{is_stdout, write_atomically, write_stdout};
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
    /// Text; `None` is missing.
    OptText(Vec<Option<String>>),
    /// Integers; `None` is missing.
    OptInt(Vec<Option<i64>>),
}

/// The type of a column, whatever its missing values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Int,
    Float,
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
            Values::OptText(v) => v.len(),
            Values::OptInt(v) => v.len(),
        }
    }
    fn kind(&self) -> Kind {
        match self {
            Values::Text(_) | Values::OptText(_) => Kind::Text,
            Values::Int(_) | Values::OptInt(_) => Kind::Int,
            Values::Float(_) => Kind::Float,
        }
    }
    fn cell(&self, i: usize) -> String {
        match self {
            Values::Text(v) => v[i].clone(),
            Values::Int(v) => v[i].to_string(),
            Values::Float(v) => v[i].map(|x| x.to_string()).unwrap_or_default(),
            Values::OptText(v) => v[i].clone().unwrap_or_default(),
            Values::OptInt(v) => v[i].map(|x| x.to_string()).unwrap_or_default(),
        }
    }
    fn json(&self, i: usize) -> serde_json::Value {
        match self {
            Values::Text(v) => v[i].clone().into(),
            Values::Int(v) => v[i].into(),
            Values::Float(v) => v[i].into(),
            Values::OptText(v) => v[i].clone().into(),
            Values::OptInt(v) => v[i].into(),
        }
    }
    /// `n` missing values of `kind`.
    fn missing(kind: Kind, n: usize) -> Self {
        match kind {
            Kind::Text => Values::OptText(vec![None; n]),
            Kind::Int => Values::OptInt(vec![None; n]),
            Kind::Float => Values::Float(vec![None; n]),
        }
    }
    /// Append `other` (same kind) to these values, as a nullable column.
    fn append(self, other: Values) -> Values {
        match (self.into_nullable(), other.into_nullable()) {
            (Values::OptText(mut a), Values::OptText(b)) => {
                a.extend(b);
                Values::OptText(a)
            }
            (Values::OptInt(mut a), Values::OptInt(b)) => {
                a.extend(b);
                Values::OptInt(a)
            }
            (Values::Float(mut a), Values::Float(b)) => {
                a.extend(b);
                Values::Float(a)
            }
            (a, _) => a,
        }
    }
    fn into_nullable(self) -> Values {
        match self {
            Values::Text(v) => Values::OptText(v.into_iter().map(Some).collect()),
            Values::Int(v) => Values::OptInt(v.into_iter().map(Some).collect()),
            other => other,
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

    /// A table of text cells (`None` = empty) with each column typed by its cells: whole
    /// numbers become integers, decimal numbers floats (when every non-empty cell is a
    /// plain number: no leading zero, no exponent), anything else stays text.
    pub fn from_text(columns: &[String], rows: &[Vec<Option<String>>]) -> Self {
        use crate::ingest::builtin::{ColumnKind, column_kind};
        let mut t = Table::default();
        for (j, name) in columns.iter().enumerate() {
            let cells: Vec<Option<&str>> = rows
                .iter()
                .map(|r| r.get(j).and_then(|c| c.as_deref()))
                .collect();
            let values = match column_kind(&cells) {
                ColumnKind::Int => Values::OptInt(
                    cells
                        .iter()
                        .map(|c| c.and_then(|c| c.parse().ok()))
                        .collect(),
                ),
                ColumnKind::Float => Values::Float(
                    cells
                        .iter()
                        .map(|c| c.and_then(|c| c.parse().ok()))
                        .collect(),
                ),
                ColumnKind::Text => {
                    Values::OptText(cells.iter().map(|c| c.map(str::to_string)).collect())
                }
            };
            t.columns.push((name.clone(), values));
        }
        t
    }

    /// Several tables as one long table: a first column `name_col` naming each row's table,
    /// then every column of the parts in the order they first appear, missing where a part
    /// has no such column. The metadata is the first part's. A column that has different
    /// types in two parts is an error.
    pub fn stack(name_col: &str, parts: Vec<(&str, Table)>) -> Result<Table> {
        let mut order: Vec<(String, Kind)> = Vec::new();
        for (part, t) in &parts {
            for (n, v) in &t.columns {
                match order.iter().find(|(o, _)| o == n) {
                    Some((_, k)) if *k != v.kind() => {
                        return Err(Error::invalid(format!(
                            "column {n} of table {part} has another type than in an earlier table"
                        )));
                    }
                    Some(_) => {}
                    None => order.push((n.clone(), v.kind())),
                }
            }
        }
        let mut names: Vec<String> = Vec::new();
        let mut columns: Vec<Values> = order.iter().map(|(_, k)| Values::missing(*k, 0)).collect();
        let metadata = parts
            .first()
            .map(|p| p.1.metadata.clone())
            .unwrap_or_default();
        for (part, t) in parts {
            let h = t.height();
            names.extend(std::iter::repeat_n(part.to_string(), h));
            let mut own = t.columns;
            for (j, (n, k)) in order.iter().enumerate() {
                let values = match own.iter().position(|(o, _)| o == n) {
                    Some(i) => own.remove(i).1,
                    None => Values::missing(*k, h),
                };
                let acc = std::mem::replace(&mut columns[j], Values::Float(Vec::new()));
                columns[j] = acc.append(values);
            }
        }
        let mut out = Table::default().with(name_col, Values::Text(names));
        out.columns
            .extend(order.into_iter().map(|(n, _)| n).zip(columns));
        out.metadata = metadata;
        Ok(out)
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
                Values::OptText(x) => Column::new(name.as_str().into(), x.clone()),
                Values::OptInt(x) => Column::new(name.as_str().into(), x.clone()),
            })
            .collect();
        DataFrame::new_infer_height(cols)
    }

    /// The table as CSV text: a header, then one line per row; missing values are empty
    /// and cells with a comma, quote or line break are quoted.
    pub fn to_csv(&self) -> String {
        let quote = |s: String| {
            if s.contains([',', '"', '\n', '\r']) {
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
            let row: Vec<String> = self.columns.iter().map(|c| quote(c.1.cell(i))).collect();
            out.push_str(&row.join(","));
            out.push('\n');
        }
        out
    }

    /// The table as a pretty-printed JSON array of records, keys in column order.
    pub fn to_json(&self) -> serde_json::Result<String> {
        let names: Vec<&str> = self.columns.iter().map(|c| c.0.as_str()).collect();
        let rows = (0..self.height())
            .map(|i| self.columns.iter().map(|c| c.1.json(i)).collect())
            .collect::<Vec<Vec<_>>>();
        json_records(&names, &rows)
    }

    /// Write by extension: `.csv`, `.json` or `.parquet`; `-` writes CSV to standard
    /// output ([`write_stdout`]).
    pub fn write(&self, path: &Path) -> Result<()> {
        if let Some((name, _)) = self.columns.iter().find(|c| c.1.len() != self.height()) {
            return Err(Error::invalid(format!(
                "column {name} has a different length"
            )));
        }
        if is_stdout(path) {
            return write_stdout(self.to_csv().into_bytes());
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
                std::fs::write(tmp, self.to_csv()).map_err(|e| werr(e.to_string()))
            }),
            "json" => write_atomically(path, |tmp| {
                let text = self.to_json().map_err(|e| werr(e.to_string()))?;
                std::fs::write(tmp, text).map_err(|e| werr(e.to_string()))
            }),
            "parquet" => write_atomically(path, |tmp| {
                let mut df = self.to_dataframe().map_err(|e| werr(e.to_string()))?;
                super::parquet::write(&mut df, tmp, &self.metadata, false)
                    .map_err(|e| werr(e.to_string()))
            }),
            other => Err(werr(format!(
                "unsupported output extension {other:?}; valid: .csv, .json, .parquet"
            ))),
        }
    }
}

/// One JSON record whose keys keep the given order (serde_json's own map sorts them).
pub(crate) struct Record<'a> {
    pub(crate) names: &'a [&'a str],
    pub(crate) values: &'a [serde_json::Value],
}

impl serde::Serialize for Record<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.names.len()))?;
        for (k, v) in self.names.iter().zip(self.values) {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// A pretty-printed JSON array of records, keys in column order (the CSV's), ending in a
/// newline. Missing and non-finite numbers are `null`.
pub fn json_records(names: &[&str], rows: &[Vec<serde_json::Value>]) -> serde_json::Result<String> {
    let records: Vec<Record<'_>> = rows
        .iter()
        .map(|values| Record {
            names,
            values: values.as_slice(),
        })
        .collect();
    Ok(serde_json::to_string_pretty(&records)? + "\n")
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
    fn json_keys_follow_the_column_order_and_numbers_stay_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.json");
        Table::default()
            .with("z", Values::Int(vec![1]))
            .with("a", Values::Float(vec![Some(26.355)]))
            .with("m", Values::Float(vec![None]))
            .write(&p)
            .unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(
            text,
            "[\n  {\n    \"z\": 1,\n    \"a\": 26.355,\n    \"m\": null\n  }\n]\n"
        );
    }

    #[test]
    fn stacked_tables_share_columns_and_leave_the_others_missing() {
        let a = Table::default()
            .with("model", Values::Text(vec!["drift".into()]))
            .with("h", Values::Int(vec![1]));
        let b = Table::default()
            .with("h", Values::Int(vec![2, 3]))
            .with("mape", Values::floats([1.5, 2.5]));
        let t = Table::stack("table", vec![("acc", a), ("ind", b)]).unwrap();
        assert_eq!(
            t.to_csv(),
            "table,model,h,mape\nacc,drift,1,\nind,,2,1.5\nind,,3,2.5\n"
        );
        let clash = Table::default().with("h", Values::floats([1.0]));
        let err = Table::stack("table", vec![("x", t), ("y", clash)]).unwrap_err();
        assert!(err.to_string().contains("column h of table y"), "{err}");
    }

    #[test]
    fn text_columns_are_typed_by_their_cells_and_ids_keep_their_zeros() {
        let cols: Vec<String> = ["year", "v", "id", "when", "mixed"]
            .map(String::from)
            .to_vec();
        let cell = |s: &str| (!s.is_empty()).then(|| s.to_string());
        let rows = vec![
            ["1986", "26.355", "007", "2024-01", "1"].map(cell).to_vec(),
            ["1987", "", "12", "2024-02", "x"].map(cell).to_vec(),
        ];
        let t = Table::from_text(&cols, &rows);
        assert_eq!(t.columns[0].1, Values::OptInt(vec![Some(1986), Some(1987)]));
        assert_eq!(t.columns[1].1, Values::Float(vec![Some(26.355), None]));
        assert!(matches!(t.columns[2].1, Values::OptText(_)));
        assert!(matches!(t.columns[3].1, Values::OptText(_)));
        assert!(matches!(t.columns[4].1, Values::OptText(_)));
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
