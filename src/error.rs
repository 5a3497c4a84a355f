//! The library's error type: one variant per pipeline stage, each message naming the
//! input, the bad value and what would be valid. A variant either carries its cause as
//! `source` or writes it into the message, never both.

use std::path::PathBuf;

/// Result alias used across the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong between a file on disk and a chart.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input file could not be opened or decoded by its format reader.
    #[error("cannot read {path}: {message}")]
    Read {
        /// The file being read.
        path: PathBuf,
        /// What the reader reported.
        message: String,
    },
    /// The file's extension does not name a supported format.
    #[error("cannot read {path}: unsupported extension {ext:?}; valid: .csv, .parquet, .json")]
    UnsupportedFormat {
        /// The file.
        path: PathBuf,
        /// The extension found.
        ext: String,
    },
    /// A column named on the command line is not in the file.
    #[error("{path}: no column named {name:?} (for {role}){hint}; columns are: {available}")]
    UnknownColumn {
        /// The file.
        path: PathBuf,
        /// The missing column.
        name: String,
        /// Which role it was asked for (`--id-col`, `--time-col`, `--value-col`).
        role: &'static str,
        /// A "did you mean" hint, possibly empty.
        hint: String,
        /// Comma-separated column names present.
        available: String,
    },
    /// A cell failed validation (boxed: it carries several strings).
    #[error("{0}")]
    BadCell(Box<CellProblem>),
    /// A series is malformed as a whole (gap, duplicate period, too short ...).
    #[error("{context}: series {id:?}: {problem}")]
    BadSeries {
        /// The file or dataset name.
        context: String,
        /// Series id.
        id: String,
        /// What is wrong, with the offending periods.
        problem: String,
    },
    /// The file has a header but no data rows.
    #[error(
        "{path}: the file has no data rows; expected a header line naming {expected} and at least one data row"
    )]
    Empty {
        /// The file.
        path: PathBuf,
        /// The columns expected.
        expected: String,
    },
    /// A request that does not make sense (unknown dataset, as-of before the data ...).
    #[error("{0}")]
    Invalid(String),
    /// A model could not be fitted to a series.
    #[error("model {model} cannot be fitted: {reason}")]
    Fit {
        /// Model name.
        model: String,
        /// Why.
        reason: String,
    },
    /// A series is too short for a model.
    #[error("model {model} needs at least {need} observations, the series has {n}")]
    TooShort {
        /// Model name.
        model: String,
        /// Observations available.
        n: usize,
        /// Observations needed.
        need: usize,
    },
    /// Writing an output failed.
    #[error("cannot write {path}: {message}")]
    Write {
        /// The output file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

impl Error {
    /// Shorthand for [`Error::Invalid`].
    pub fn invalid(msg: impl Into<String>) -> Self {
        Error::Invalid(msg.into())
    }
}

/// What is wrong with one cell of an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellProblem {
    /// The file.
    pub path: PathBuf,
    /// Where: `line N` for CSV (the header is line 1), `record N` otherwise.
    pub at: String,
    /// Column name.
    pub column: String,
    /// The raw value as text.
    pub value: String,
    /// What is wrong.
    pub problem: String,
    /// What would be valid.
    pub expected: String,
}

impl std::fmt::Display for CellProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {}, column {:?}: {} (value {:?}); {}",
            self.path.display(),
            self.at,
            self.column,
            self.problem,
            self.value,
            self.expected
        )
    }
}
