//! `chipcast data list|show`: the built-in datasets and the named series built from them.

use super::provenance::Provenance;
use crate::error::{Error, Result};
use crate::ingest::builtin::{Cell, ColumnKind, DATASETS, SERIES, Table, dataset};
use serde::Serialize;
use serde::ser::SerializeMap;

/// One built-in dataset, as `data list` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct DatasetEntry {
    /// The name `data show` takes (the file stem under `datasets/`).
    pub name: &'static str,
    /// Its file in the repository.
    pub file: String,
    /// Data rows (the header not counted).
    pub rows: usize,
    /// Column names, in the CSV's order.
    pub columns: Vec<String>,
    /// One line: what it holds, unit and source.
    pub description: &'static str,
}

/// One named series `forecast --series` takes.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesEntry {
    /// The `--series` name.
    pub name: &'static str,
    /// What it is.
    pub description: &'static str,
}

/// What `data list` reports.
#[derive(Debug, Clone, Serialize)]
pub struct DataListResult {
    /// Every built-in dataset.
    pub provenance: Provenance,
    /// The datasets, in the order they are embedded.
    pub datasets: Vec<DatasetEntry>,
    /// The series that `forecast --series` and the other commands' `--series` take.
    pub series: Vec<SeriesEntry>,
}

/// List the built-in datasets and series.
pub fn list() -> Result<DataListResult> {
    let mut datasets = Vec::with_capacity(DATASETS.len());
    for d in DATASETS {
        let t = d
            .table()
            .map_err(|e| Error::invalid(format!("parsing {}: {e}", d.name)))?;
        datasets.push(DatasetEntry {
            name: d.name,
            file: format!("datasets/{}.csv", d.name),
            rows: t.rows.len(),
            columns: t.columns,
            description: d.description,
        });
    }
    let names: Vec<&str> = DATASETS.iter().map(|d| d.name).collect();
    Ok(DataListResult {
        provenance: Provenance::builtin(&names, "chipcast built-in datasets"),
        datasets,
        series: SERIES
            .iter()
            .map(|(name, description)| SeriesEntry { name, description })
            .collect(),
    })
}

/// What `data show` asks for.
#[derive(Debug, Clone, Default)]
pub struct DataShowRequest {
    /// Dataset name (see [`list`]).
    pub name: String,
}

/// One column of a shown dataset.
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    /// Its name in the CSV header.
    pub name: String,
    /// How its cells are typed in `rows` ([`crate::ingest::builtin::column_kind`]).
    pub kind: ColumnKind,
}

/// One row as a JSON object whose keys come in the CSV's column order.
#[derive(Debug, Clone)]
pub struct Record(pub Vec<(String, Option<Cell>)>);

impl Serialize for Record {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// What `data show` reports: one dataset, typed.
#[derive(Debug, Clone, Serialize)]
pub struct DataShowResult {
    /// The dataset and the data's vintage.
    pub provenance: Provenance,
    /// Dataset name.
    pub name: &'static str,
    /// What it holds.
    pub description: &'static str,
    /// Columns in the CSV's order, each with its kind.
    pub columns: Vec<Column>,
    /// Every row; numbers are numbers, empty cells `null`.
    pub rows: Vec<Record>,
    /// The CSV exactly as embedded (`--format csv`).
    #[serde(skip)]
    pub csv: &'static str,
    /// The cells as text, exactly as in the CSV (the text table prints them so).
    #[serde(skip)]
    pub text: Table,
}

/// Read one built-in dataset. An unknown name is an error that lists the valid ones.
pub fn show(req: &DataShowRequest) -> Result<DataShowResult> {
    let d = dataset(&req.name)?;
    let t = d.table()?;
    let kinds = t.kinds();
    let rows = t
        .typed_rows()
        .into_iter()
        .map(|r| Record(t.columns.iter().cloned().zip(r).collect()))
        .collect();
    let columns = t
        .columns
        .iter()
        .zip(kinds)
        .map(|(name, kind)| Column {
            name: name.clone(),
            kind,
        })
        .collect();
    Ok(DataShowResult {
        provenance: Provenance::builtin(&[d.name], format!("chipcast built-in {}.csv", d.name)),
        name: d.name,
        description: d.description,
        columns,
        rows,
        csv: d.text,
        text: t,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_names_every_embedded_dataset_with_its_row_count() {
        let l = list().unwrap();
        assert_eq!(l.datasets.len(), DATASETS.len());
        let annual = l.datasets.iter().find(|d| d.name == "wsts_annual").unwrap();
        assert_eq!(annual.rows, 40, "1986 to 2025");
        assert_eq!(annual.file, "datasets/wsts_annual.csv");
        assert!(l.series.iter().any(|s| s.name == "worldwide-monthly"));
    }

    #[test]
    fn a_shown_dataset_types_numbers_as_numbers_in_the_csv_column_order() {
        let r = show(&DataShowRequest {
            name: "wsts_annual".into(),
        })
        .unwrap();
        let names: Vec<&str> = r.columns.iter().map(|c| c.name.as_str()).collect();
        // the text, not a serde_json::Value (whose map sorts its keys)
        let text = serde_json::to_string(&r.rows[0]).unwrap();
        let at: Vec<usize> = names
            .iter()
            .map(|n| text.find(&format!("\"{n}\":")).unwrap())
            .collect();
        assert!(
            at.windows(2).all(|w| w[0] < w[1]),
            "keys in the CSV's order: {text}"
        );
        let doc = serde_json::to_value(&r).unwrap();
        let first = &doc["rows"][0];
        assert!(doc["rows"][0]["year"].is_i64(), "{first}");
        assert!(doc["rows"][0]["value_busd"].is_f64(), "{first}");
        assert_eq!(doc["columns"][0]["kind"], "int");
        assert!(r.csv.starts_with(&names.join(",")));
    }

    #[test]
    fn an_unknown_dataset_is_an_error_naming_the_valid_ones() {
        let err = show(&DataShowRequest {
            name: "wsts_anual".into(),
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("wsts_annual"), "{err}");
    }
}
