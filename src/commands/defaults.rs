//! Every default a command falls back to, written once. The CLI's `default_value_t` and
//! the library's requests both read these, so `--help`, the README and a library call
//! agree.

use crate::scenarios::milestone::Simulation;

/// Sample paths of a simulation when none are asked for.
pub const PATHS: usize = 10_000;
/// The seed of those paths.
pub const SEED: u64 = 42;
/// The simulation of [`PATHS`] paths with [`SEED`].
pub const SIMULATION: Simulation = Simulation {
    paths: PATHS,
    seed: SEED,
};
/// The milestone, USD bn: $1T.
pub const TARGET: f64 = 1000.0;
/// The year of "how likely by".
pub const BY: i64 = 2030;
/// Interval levels, percent.
pub const LEVELS: [f64; 2] = [80.0, 95.0];
/// `forecast` of a built-in annual series: forecast up to this year.
pub const FORECAST_UNTIL: i64 = 2030;
/// `forecast --input` with many series: series fitted and written per batch.
pub const FORECAST_BATCH: usize = 10_000;
/// `forecast --input FILE.csv --stream auto`: a file that would take more memory than this
/// to read whole (its bytes and 36 bytes per row) is streamed instead. Reading whole peaked
/// at 687 MB for a 247 MB file of 10M rows, an estimate of 607 MB (benches/README.md).
pub const STREAM_ABOVE_BYTES: u64 = 768 << 20;
/// Runs of at most this many series carry per-series keys in the forecast table's
/// metadata; larger runs stream their rows and name where the values are instead.
pub const PER_SERIES_KEYS_MAX: usize = 10_000;
/// `milestone` shows years up to `by` plus this many.
pub const MILESTONE_YEARS_AFTER_BY: i64 = 10;
/// The built-in series when none is named.
pub const SERIES: &str = "worldwide";
/// `vintages`: the as-of months compared.
pub const VINTAGES_AS_OF: &str =
    "2016-12,2018-12,2020-12,2022-12,2023-12,2024-11,2024-12,2025-12,2026-03";
/// `nowcast`: the first year of the track record that sets its intervals.
pub const NOWCAST_FROM_YEAR: i64 = 1992;
/// `backtest`: the built-in annual series evaluated.
pub const BACKTEST_SERIES: &str = "worldwide,americas,europe,japan,asia-pacific";
/// `backtest`: the models evaluated.
pub const BACKTEST_MODELS: &str =
    "naive,drift,logdrift,loglinear,piecewise,damped,ets,ces,theta,dotm,arima,scum,select,auto";
/// `backtest`: the first forecast origin.
pub const BACKTEST_FROM: i64 = 2000;
/// `backtest`: horizons 1..=this.
pub const BACKTEST_HORIZON: usize = 5;
