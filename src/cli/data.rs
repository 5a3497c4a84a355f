//! `chipcast data list|show`: the built-in datasets.

use super::{print, print_raw};
use anyhow::Context;
use chipcast::ingest::builtin::{DATASETS, SERIES, dataset};
use chipcast::outputs::table::Table as TypedTable;
use clap::{Subcommand, ValueEnum};
use comfy_table::presets::UTF8_BORDERS_ONLY;

#[derive(Debug, Subcommand)]
pub(crate) enum DataCommand {
    /// List the built-in datasets and the series you can forecast
    List,
    /// Print one dataset
    Show {
        /// Dataset name (see `chipcast data list`)
        name: String,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Also write the dataset, columns typed as in --format json: .csv, .json, .parquet
        /// (with metadata), or - for CSV on stdout
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Aligned text table
    Table,
    /// The CSV exactly as embedded
    Csv,
    /// JSON array of records, keys in the CSV's column order; columns whose every cell
    /// is a plain number are numbers, empty cells are null
    Json,
}

pub(crate) fn run(c: DataCommand) -> anyhow::Result<()> {
    match c {
        DataCommand::List => {
            let mut t = chipcast::outputs::report::text_table();
            t.load_preset(UTF8_BORDERS_ONLY)
                .set_header(vec!["dataset", "rows", "description"]);
            for d in DATASETS {
                let rows = d
                    .table()
                    .with_context(|| format!("parsing {}", d.name))?
                    .rows
                    .len();
                t.add_row(vec![
                    d.name.to_string(),
                    rows.to_string(),
                    d.description.to_string(),
                ]);
            }
            let mut s = format!(
                "Built-in datasets (datasets/README.md has columns, units and sources):\n{t}\n"
            );
            let mut st = chipcast::outputs::report::text_table();
            st.load_preset(UTF8_BORDERS_ONLY)
                .set_header(vec!["series (--series)", "description"]);
            for (name, desc) in SERIES {
                st.add_row(vec![*name, *desc]);
            }
            s.push_str(&format!(
                "\nSeries for `chipcast forecast --series NAME`:\n{st}\n"
            ));
            print(&s)
        }
        DataCommand::Show {
            name,
            format,
            output,
        } => {
            super::check_paths(&[], &[("--output", output.as_deref())])?;
            let d = dataset(&name)?;
            if let Some(path) = &output {
                let t = d.table()?;
                let mut typed = TypedTable::from_text(&t.columns, &t.rows);
                typed.metadata = vec![
                    ("chipcast.version".into(), env!("CARGO_PKG_VERSION").into()),
                    (
                        "chipcast.data_source".into(),
                        format!("chipcast built-in {}.csv", d.name),
                    ),
                ];
                typed
                    .write(path)
                    .with_context(|| format!("writing {}", d.name))?;
                if chipcast::outputs::atomic::is_stdout(path) {
                    return Ok(());
                }
            }
            match format {
                Format::Csv => print_raw(d.text),
                Format::Json => {
                    let t = d.table()?;
                    print_raw(&TypedTable::from_text(&t.columns, &t.rows).to_json()?)
                }
                Format::Table => {
                    let t = d.table()?;
                    let mut out = chipcast::outputs::report::text_table();
                    out.load_preset(UTF8_BORDERS_ONLY)
                        .set_header(t.columns.clone());
                    for r in &t.rows {
                        out.add_row(
                            r.iter()
                                .map(|c| c.clone().unwrap_or_default())
                                .collect::<Vec<_>>(),
                        );
                    }
                    print(&format!("{out}\n"))
                }
            }
        }
    }
}
