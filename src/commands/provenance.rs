//! Where every figure comes from, written once: the built-in data's WSTS vintage, the
//! crate version, and the provenance strings that reports, table metadata and chart
//! footnotes print. Nothing else in `commands` or `outputs` types "May-2026" or reads
//! `CARGO_PKG_VERSION`.

use serde::Serialize;

pub use crate::ingest::builtin::WSTS_VINTAGE;

/// chipcast's version, as table metadata and chart footnotes name it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// "WSTS HBR May-2026": the short name of the built-in data's release.
pub fn hbr() -> String {
    format!("WSTS HBR {WSTS_VINTAGE}")
}

/// "WSTS HBR May-2026 vintage".
pub fn hbr_vintage() -> String {
    format!("WSTS HBR {WSTS_VINTAGE} vintage")
}

/// "WSTS Historical Billings Report, May-2026 vintage".
pub fn hbr_long() -> String {
    format!("WSTS Historical Billings Report, {WSTS_VINTAGE} vintage")
}

/// The metadata tag of one built-in dataset: "chipcast built-in NAME.csv (WSTS HBR
/// May-2026 vintage)".
pub fn builtin_tag(dataset: &str) -> String {
    format!("chipcast built-in {dataset}.csv ({})", hbr_vintage())
}

/// The provenance of a command's result, as its `--json` document and its table metadata
/// carry it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Provenance {
    /// What the data are, in one line (the `chipcast.data_source` metadata key).
    pub data_source: String,
    /// The built-in datasets read (empty for `--input`).
    pub datasets: Vec<String>,
    /// The WSTS vintage of the built-in data; `None` for `--input`.
    pub vintage: Option<&'static str>,
    /// chipcast's version.
    pub chipcast_version: &'static str,
}

impl Provenance {
    /// Built-in datasets, described by `data_source`.
    pub fn builtin(datasets: &[&str], data_source: impl Into<String>) -> Self {
        Provenance {
            data_source: data_source.into(),
            datasets: datasets.iter().map(|d| d.to_string()).collect(),
            vintage: Some(WSTS_VINTAGE),
            chipcast_version: VERSION,
        }
    }

    /// A user's file (`--input`).
    pub fn file(path: &std::path::Path) -> Self {
        Provenance {
            data_source: path.display().to_string(),
            datasets: Vec::new(),
            vintage: None,
            chipcast_version: VERSION,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_provenance_string_names_the_one_vintage() {
        for s in [hbr(), hbr_vintage(), hbr_long(), builtin_tag("wsts_annual")] {
            assert!(s.contains(WSTS_VINTAGE), "{s}");
        }
        assert_eq!(
            builtin_tag("wsts_annual"),
            format!("chipcast built-in wsts_annual.csv (WSTS HBR {WSTS_VINTAGE} vintage)")
        );
    }

    #[test]
    fn the_vintage_is_the_one_the_dataset_list_describes() {
        let annual = crate::ingest::builtin::dataset("wsts_annual").unwrap();
        assert!(annual.description.contains(WSTS_VINTAGE));
    }
}
