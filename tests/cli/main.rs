//! Integration tests: run the real `chipcast` binary on real files.
//! One test binary (Cargo finds `tests/cli/main.rs`); modules by feature.

mod common;

/// The shared benchmark contract on the M4 yearly sample.
mod bench;
/// Goldens of every command that is one library call: report, `--json`, `--help`.
mod commands;
/// `chipcast data list|show`, with golden outputs.
mod data;
/// Machine-readable outputs: `-o -`, typed JSON in column order, long exports.
mod exports;
/// Built-in `forecast`, `gap`, charts and exports.
mod forecast;
/// Property-based fuzzing of the CSV, JSON, NDJSON, Parquet and TOML readers: no panics.
mod fuzz;
/// Help, completions, man page, wrapped prose, exit statuses.
mod habits;
/// The hostile corpus: every bad input, flag and output path fails with its own message,
/// exit status 2 and every existing file untouched.
mod hostile;
/// `--input` validation: each bad file fails with its own message and no panic.
mod ingest;
/// Integrity of the embedded WSTS data: months, quarters, years, regions, 3MMA, flags,
/// scenario row references.
mod integrity;
/// The one-way data flow between the library's layers, and no import cycles.
mod layers;
/// The market model: the same --as-of gives the same headline from every command.
mod market;
/// The notebooks execute against this build (required in CI, see the module docs).
mod notebooks;
/// Never lose data: outputs are staged, keep the umask, follow symlinks; exit statuses.
mod outputs;
/// Parquet as pyarrow and pandas read it (required in CI, see the module docs).
mod pyarrow;
/// Many series: batched, parallel runs write what one serial batch writes, in input order.
mod scale;
/// Monthly, quarterly, weekly and daily input with seasonal models.
mod seasonal;
