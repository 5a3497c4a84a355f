//! chipcast library
pub mod error;
pub mod evaluation;
pub mod ingest;
pub mod models;
pub mod outputs;
pub mod scenarios;
pub mod series;
pub use error::{Error, Result};
