//! `data list` and `data show`: text tables of the built-in datasets, the typed table for
//! `-o`.

use crate::commands::data::{DataListResult, DataShowResult};
use crate::error::Result;
use crate::outputs::report::text_table;
use crate::outputs::table::Table;
use comfy_table::presets::UTF8_BORDERS_ONLY;

/// How `data show` prints a dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShowFormat {
    /// Aligned text table.
    Table,
    /// The CSV exactly as embedded.
    Csv,
    /// JSON array of records, keys in the CSV's column order.
    Json,
}

/// The datasets and the series, as two tables.
pub fn list_report(r: &DataListResult) -> String {
    let mut t = text_table();
    t.load_preset(UTF8_BORDERS_ONLY)
        .set_header(vec!["dataset", "rows", "description"]);
    for d in &r.datasets {
        t.add_row(vec![
            d.name.to_string(),
            d.rows.to_string(),
            d.description.to_string(),
        ]);
    }
    let mut s =
        format!("Built-in datasets (datasets/README.md has columns, units and sources):\n{t}\n");
    let mut st = text_table();
    st.load_preset(UTF8_BORDERS_ONLY)
        .set_header(vec!["series (--series)", "description"]);
    for e in &r.series {
        st.add_row(vec![e.name, e.description]);
    }
    s.push_str(&format!(
        "\nSeries for `chipcast forecast --series NAME`:\n{st}\n"
    ));
    s
}

/// One dataset in the asked format.
pub fn show_report(r: &DataShowResult, format: ShowFormat) -> Result<String> {
    Ok(match format {
        ShowFormat::Csv => r.csv.to_string(),
        ShowFormat::Json => table(r)
            .to_json()
            .map_err(|e| crate::error::Error::invalid(e.to_string()))?,
        ShowFormat::Table => {
            let mut out = text_table();
            out.load_preset(UTF8_BORDERS_ONLY)
                .set_header(r.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>());
            for row in &r.text.rows {
                out.add_row(
                    row.iter()
                        .map(|c| c.clone().unwrap_or_default())
                        .collect::<Vec<_>>(),
                );
            }
            format!("{out}\n")
        }
    })
}

/// The dataset as a typed table (`-o`, typed as in `rows`), with the version and data
/// source as metadata.
pub fn table(r: &DataShowResult) -> Table {
    let mut t = Table::from_text(&r.text.columns, &r.text.rows);
    t.metadata = super::metadata(&r.provenance);
    t
}
