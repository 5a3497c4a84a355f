//! Integration tests: run the real `chipcast` binary on real files.
//! One test binary (Cargo finds `tests/cli/main.rs`); modules by feature.

mod common;

/// The shared benchmark contract on the M4 yearly sample.
mod bench;
/// `chipcast data list|show`, with golden outputs.
mod data;
/// Built-in `forecast`, `gap`, charts and exports.
mod forecast;
/// `--input` validation: each bad file fails with its own message and no panic.
mod ingest;
/// Monthly, quarterly, weekly and daily input with seasonal models.
mod seasonal;
