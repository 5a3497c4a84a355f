//! # chipcast
//!
//! Forecast the semiconductor market: sourced data built in, honest intervals, the $1T
//! milestone and the gap to compute-demand estimates. The `chipcast` binary is a thin shell
//! over this library; every command is a sequence of the calls below.
//!
//! Data flows one way, and the modules are listed in that order:
//!
//! ```text
//! ingest → series → models → evaluation → scenarios → market → commands → outputs
//! ```
//!
//! * [`ingest`] reads CSV/Parquet/JSON with polars (or the embedded datasets) and validates
//!   every cell once, returning [`series::MarketSeries`] values.
//! * [`series`] holds validated series: sorted, gap-free, finite, with a unit and a time kind.
//! * [`models`] fit unfitted specifications to fitted models that forecast and simulate.
//! * [`evaluation`] scores forecasts (sMAPE, MASE, coverage, MSIS), makes rolling-origin
//!   splits and chooses `auto` models by holdout.
//! * [`scenarios`] projects a series, answers the milestone question from sample paths and
//!   computes the demand gap.
//! * [`market`] is the market model: joint sample paths of monthly sales from every month of
//!   data, summed to calendar years, which every headline command reads.
//! * [`commands`] is one call per subcommand: a request in, a `Serialize` result out (what
//!   `--json` prints), with the provenance and defaults written once.
//! * [`outputs`] renders those results as text reports and writes tables (CSV, JSON, Parquet with metadata), charts (PNG, SVG) and
//!   text reports, always atomically.
//!
//! ```
//! use chipcast::evaluation::select::{fit_choice, ModelChoice};
//! use chipcast::ingest::builtin;
//! use chipcast::scenarios::milestone::{milestone, Simulation};
//!
//! let world = builtin::series("worldwide").unwrap().series.truncate_to(2024).unwrap();
//! let fitted = fit_choice(world.values(), ModelChoice::Auto, 6).unwrap();
//! let forecast = fitted.model.forecast(6, &[80.0, 95.0]);
//! assert_eq!(forecast.point.len(), 6);
//! let m = milestone(&world, fitted.model.as_ref(), 1000.0, 2030, Simulation { paths: 500, seed: 1 });
//! assert!((0.0..=1.0).contains(&m.p_at_least_in_by));
//! ```

#![forbid(unsafe_code)]

pub mod commands;
pub mod error;
pub mod evaluation;
pub mod ingest;
pub mod limits;
pub mod market;
pub mod models;
pub mod outputs;
pub mod scenarios;
pub mod series;

pub use error::{Error, Result};
