//! One library call per subcommand: `commands::<cmd>::run(&<Cmd>Request) -> Result<<Cmd>Result>`.
//!
//! This layer sits between [`crate::market`] and [`crate::outputs`]: it may use every
//! earlier layer and never `outputs`, and `outputs::render::<cmd>` turns its results into
//! text, tables and charts. The binary's `src/cli/<cmd>.rs` is only glue: clap arguments →
//! request → `run` → render, print, write.
//!
//! # The pattern
//!
//! * **`<Cmd>Request`** is plain data: what clap parsed, after the checks that need only
//!   the arguments (a model name resolved to a [`model::NamedChoice`], paths already
//!   validated). No clap types, no file handles. It implements `Default` with the values of
//!   [`defaults`], so a test or a notebook writes `MilestoneRequest { by: 2028,
//!   ..Default::default() }`.
//! * **`run(&req)`** does all the work and every business rule: loading the data
//!   ([`source::load`]), the market model's paths ([`market`]), the as-of rules
//!   ([`crate::series::time::last_complete_year`]), loops over vintages. It returns the
//!   library's [`crate::Error`] with a message naming the flag and the valid range; it
//!   prints nothing and writes nothing.
//! * **`<Cmd>Result: Serialize`** holds everything the command reports, numbers as
//!   numbers: dates, unit, model, interval levels, the simulation, and its
//!   [`provenance::Provenance`]. Its fields are in the order a reader wants them, because
//!   `--json` prints it with serde as it is (struct order). Anything the report, table or
//!   chart prints must be a field (or computed from fields) here, so the report and the
//!   JSON never disagree.
//! * **`outputs::render::<cmd>`** has `report(&result) -> String` (the text, byte for byte
//!   what the command printed before it was converted), `table(&result) -> Table` for
//!   `-o` (with its metadata from the provenance) and `chart(&result)` where the command
//!   draws one.
//! * Provenance strings ("WSTS HBR May-2026 vintage", the crate version) come from
//!   [`provenance`], defaults (paths, seed, target, by, levels ...) from [`defaults`]:
//!   never typed in a command.
//!
//! Two commands have more than one entry point, because of what they read:
//!
//! * `forecast` reads a file that may hold one series or millions: [`forecast::load`] reads
//!   and checks it (a `Loaded`), then [`forecast::run`] answers one series or the market
//!   model (a `ForecastResult`), and [`forecast::run_many`] fits many series batch by batch,
//!   handing each batch to a sink (the CLI's writers) so memory stays bounded, and returns a
//!   `ManyResult` summary with its exit status.
//! * `data` has [`data::list`] and [`data::show`].
//!
//! # Converting a command
//!
//! 1. Move the computation out of `src/cli/<cmd>.rs` into `src/commands/<cmd>.rs`:
//!    `<Cmd>Request` (+ `Default`), `<Cmd>Result` (`#[derive(Debug, Clone, Serialize)]`,
//!    every field documented), `pub fn run`. `bail!` becomes
//!    `return Err(Error::invalid(format!(..)))` with the same message.
//! 2. Move its text, tables and chart set-up into `src/outputs/render/<cmd>.rs`, reading
//!    only the result.
//! 3. Leave in `src/cli/<cmd>.rs`: the clap `Args` (defaults from [`defaults`]), `check_paths`,
//!    the request, `run`, then `super::emit(&result, json, || render::<cmd>::report(..))` and
//!    the `-o`/`--chart` writes.
//! 4. Add the command to `tests/cli/commands.rs` (report, `--json` and `--help` goldens)
//!    and its top-level JSON keys to the README's schema table (a test checks them).
//!
//! ```
//! use chipcast::commands::milestone::{MilestoneRequest, run};
//! use chipcast::scenarios::milestone::Simulation;
//!
//! let r = run(&MilestoneRequest {
//!     simulation: Simulation { paths: 300, seed: 1 },
//!     ..Default::default()
//! })
//! .unwrap();
//! assert_eq!(r.method, "market");
//! assert!((0.0..=1.0).contains(&r.milestone.p_at_least_in_by));
//! ```

pub mod backtest;
pub mod data;
pub mod defaults;
pub mod forecast;
pub mod gap;
pub mod market;
pub mod milestone;
pub mod model;
pub mod nowcast;
pub mod provenance;
pub mod regions;
pub mod source;
pub mod vintages;

/// Exit statuses of the binary, as documented in `--help` and the README; a run over many
/// series reports its own ([`forecast::ManyResult::exit_status`]).
pub mod exit {
    /// Every series was forecast (or the command did what it was asked).
    pub const SUCCESS: u8 = 0;
    /// Some series of a multi-series `--input` could not be fitted: they are named on
    /// stderr and written as empty rows; the others are forecast and written.
    pub const SOME_SERIES_FAILED: u8 = 1;
    /// Bad input or usage, or every series failed: nothing was written.
    pub const ERROR: u8 = 2;
}
