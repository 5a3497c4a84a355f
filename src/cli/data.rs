//! `chipcast data list|show`: clap arguments → [`chipcast::commands::data`] → report,
//! JSON, table.

use super::{JsonArg, print, print_raw};
use anyhow::Context;
use chipcast::commands::data::{self, DataShowRequest};
use chipcast::outputs::render::data::{self as render, ShowFormat};
use clap::{Subcommand, ValueEnum};

#[derive(Debug, Subcommand)]
pub(crate) enum DataCommand {
    /// List the built-in datasets and the series you can forecast
    List {
        #[command(flatten)]
        json: JsonArg,
    },
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
        #[command(flatten)]
        json: JsonArg,
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

impl From<Format> for ShowFormat {
    fn from(f: Format) -> Self {
        match f {
            Format::Table => ShowFormat::Table,
            Format::Csv => ShowFormat::Csv,
            Format::Json => ShowFormat::Json,
        }
    }
}

pub(crate) fn run(c: DataCommand) -> anyhow::Result<()> {
    match c {
        DataCommand::List { json } => super::emit(&data::list()?, json, render::list_report, &[]),
        DataCommand::Show {
            name,
            format,
            output,
            json,
        } => {
            super::check_json(json, &[output.as_deref()])?;
            super::check_paths(&[], &[("--output", output.as_deref())])?;
            let r = data::show(&DataShowRequest { name })?;
            if let Some(path) = &output {
                render::table(&r)
                    .write(path)
                    .with_context(|| format!("writing {}", r.name))?;
                if chipcast::outputs::atomic::is_stdout(path) && !json.json {
                    return Ok(());
                }
            }
            if json.json {
                return super::emit(&r, json, |_| String::new(), &[]);
            }
            let text = render::show_report(&r, format.into())?;
            match format {
                Format::Table => print(&text),
                Format::Csv | Format::Json => print_raw(&text),
            }
        }
    }
}
