//! Outputs: tidy tables (CSV, JSON, Parquet), charts (PNG, SVG) and text reports.

pub mod atomic;
pub mod chart;
pub mod export;
pub mod params;
pub mod progress;
pub mod report;
pub mod table;
