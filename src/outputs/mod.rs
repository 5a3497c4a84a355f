//! Outputs: tidy tables (CSV, JSON, Parquet), charts (PNG, SVG) and text reports.

pub mod atomic;
pub mod chart;
pub mod export;
pub mod market;
pub mod params;
pub mod parquet;
pub mod progress;
pub mod render;
pub mod report;
pub mod table;
