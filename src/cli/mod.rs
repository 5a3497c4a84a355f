//! Command-line interface (binary only): clap definitions and argument resolution.
//! No modelling happens here; each command calls the library's pipeline stages.

mod backtest;
mod data;
mod forecast;
mod gap;
mod milestone;
mod nowcast;
mod regions;
mod resolve;
mod vintages;

use chipcast::models::registry;
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

const EXIT_HELP: &str = "Exit status: 0 success; 1 some series of --input could not be fitted (named on stderr, \
written as empty rows, the others forecast); 2 bad input or usage, or every series failed (nothing is written). \
Outputs are checked before any work and replace existing files only when the whole run succeeds.";

/// Forecast the semiconductor market from built-in WSTS/SIA data or your own series:
/// when does it cross $1T, how likely was that by 2030, and how big is the gap to
/// compute-demand estimates?
#[derive(Debug, Parser)]
#[command(
    name = "chipcast",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_help = EXIT_HELP
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Forecast a series (default: worldwide annual sales to 2030) with intervals and the $1T odds
    Forecast(forecast::ForecastArgs),
    /// Compare projected chip sales with compute-demand estimates (default: Altman's $5T and $7T)
    Gap(gap::GapArgs),
    /// When does a series cross a target (default $1,000B), and how likely is it by a year?
    Milestone(milestone::MilestoneArgs),
    /// This year's total from the months already known (monthly WSTS billings), with its track record
    Nowcast(nowcast::NowcastArgs),
    /// Rolling-origin accuracy of every model on the built-in series, and chipcast vs the industry's published forecasts
    Backtest(backtest::BacktestArgs),
    /// The forecast for a target year and the $1T odds as they looked at each as-of date
    Vintages(vintages::VintagesArgs),
    /// The four WSTS regions forecast and reconciled with the worldwide total (bottom-up and MinT)
    Regions(regions::RegionsArgs),
    /// List or print the built-in datasets
    #[command(subcommand)]
    Data(data::DataCommand),
    /// Print a shell completion script for bash, zsh, fish, powershell or elvish
    ///
    /// For example `chipcast completions bash > ~/.local/share/bash-completion/completions/chipcast`,
    /// `chipcast completions zsh > ~/.zfunc/_chipcast` or
    /// `chipcast completions fish > ~/.config/fish/completions/chipcast.fish`.
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    ///
    /// For example `chipcast man > chipcast.1 && man ./chipcast.1`.
    Man,
}

/// Where the series comes from and which part of it is used.
#[derive(Debug, Args)]
pub(crate) struct SourceArgs {
    /// Built-in series (`chipcast data list`) [default: worldwide]
    ///
    /// worldwide, americas, europe, japan, asia-pacific (annual), or their monthly forms
    /// worldwide-monthly, americas-monthly, europe-monthly, japan-monthly,
    /// asia-pacific-monthly.
    #[arg(long, conflicts_with = "input")]
    series: Option<String>,
    /// Your own long-format data: .csv, .parquet, .json or .ndjson, a directory or a glob
    ///
    /// A file, a directory of such files, or a quoted glob pattern ('data/*.parquet'), read
    /// as one input; each series must sit in one file.
    #[arg(long, value_name = "PATH")]
    input: Option<PathBuf>,
    /// Series id column of --input
    #[arg(long, default_value = "unique_id", value_name = "NAME")]
    id_col: String,
    /// Time column of --input: integer period, YYYY-MM or ISO date
    #[arg(long, default_value = "ds", value_name = "NAME")]
    time_col: String,
    /// Value column of --input
    #[arg(long, default_value = "y", value_name = "NAME")]
    value_col: String,
    /// Use only the series with this id from --input
    #[arg(long, requires = "input")]
    id: Option<String>,
    /// Use only data that existed then: YEAR or YYYY-MM
    ///
    /// Annual series keep complete years only; not after the data's last period.
    #[arg(long, value_name = "PERIOD")]
    as_of: Option<String>,
    /// Fit on data from this period on (e.g. 2000)
    #[arg(long, value_name = "PERIOD")]
    since: Option<String>,
}

/// `--json`, flattened into every command that is one library call
/// (`chipcast::commands`): add `#[command(flatten)] json: JsonArg` to its args and end its
/// `run` with [`emit`].
#[derive(Debug, Clone, Copy, Args)]
pub(crate) struct JsonArg {
    /// Print the whole result as one JSON document on stdout, and nothing else (README,
    /// "JSON output")
    #[arg(long)]
    pub(crate) json: bool,
}

/// Finish a command: with `--json` the whole result as one JSON document on stdout
/// (files of `-o`/`--chart` are still written, but not announced); else the report
/// followed by one "`what` written to `path`" line per file written.
pub(crate) fn emit<T: serde::Serialize>(
    result: &T,
    json: JsonArg,
    report: impl FnOnce(&T) -> String,
    written: &[(&str, Option<&std::path::Path>)],
) -> anyhow::Result<()> {
    if json.json {
        let mut doc = serde_json::to_string_pretty(result)?;
        doc.push('\n');
        return print_raw(&doc);
    }
    let mut s = report(result);
    for (what, path) in written {
        if let Some(p) = path {
            s.push_str(&format!("{what} written to {}\n", p.display()));
        }
    }
    print(&s)
}

/// `--json` owns standard output, so a table cannot go there too.
pub(crate) fn check_json(
    json: JsonArg,
    outputs: &[Option<&std::path::Path>],
) -> anyhow::Result<()> {
    if json.json
        && outputs
            .iter()
            .flatten()
            .any(|p| chipcast::outputs::atomic::is_stdout(p))
    {
        anyhow::bail!(
            "--json prints the result on standard output, so -o - cannot write a table there too; give -o FILE"
        );
    }
    Ok(())
}

/// Model and interval settings shared by forecast and gap.
#[derive(Debug, Clone, Args)]
pub(crate) struct ModelArgs {
    /// Model [default: auto]
    ///
    /// auto = median of drift, logdrift and ets on annual and non-seasonal data; mean of
    /// seasonal ETS and OTM on the adjusted series where the seasonality test finds a season;
    /// both chosen by validation on training data (README, Models).
    #[arg(long, value_enum)]
    model: Option<ModelName>,
    /// Prediction interval level in percent; repeat for several
    #[arg(long = "level", value_name = "PERCENT", default_values_t = chipcast::commands::defaults::LEVELS)]
    levels: Vec<f64>,
    /// Season length [default: from the dates]
    ///
    /// statsforecast's season_length, R's frequency. Default from the dates: 12 monthly,
    /// 4 quarterly, 52 weekly, 7 daily; 1 for years and integer periods. A seasonality test
    /// per series decides whether seasonal models are used.
    #[arg(long, value_name = "M")]
    pub(crate) season_length: Option<usize>,
    /// Point forecast of the loglinear model is the predictive mean instead of the median
    #[arg(long)]
    bias_adjust: bool,
    /// Number of simulated sample paths for probabilities
    #[arg(long, default_value_t = chipcast::commands::defaults::PATHS)]
    paths: usize,
    /// Random seed for the sample paths
    #[arg(long, default_value_t = chipcast::commands::defaults::SEED)]
    seed: u64,
    /// External regressors for --model regression (.csv, .json, .parquet)
    ///
    /// A table with the time column (`ds`, or --time-col for --input) and one column per
    /// regressor, covering every training and forecast period.
    #[arg(long, value_name = "FILE")]
    regressors: Option<PathBuf>,
    /// Allow negative forecasts of a positive series
    ///
    /// By default forecasts and bounds of a positive series are floored at 0; naive and
    /// drift are never floored.
    #[arg(long)]
    allow_negative: bool,
    /// Saturation level for --model logistic|gompertz (fitted when absent)
    #[arg(long, value_name = "VALUE")]
    cap: Option<f64>,
    /// Members of --model combo, comma-separated: any single model of --model
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "MODELS",
        hide_possible_values = true
    )]
    members: Vec<ModelName>,
    /// How --model combo combines its members
    /// [default: median]
    #[arg(long, value_enum)]
    combine: Option<Combine>,
    /// Combine --model combo on ln(y)
    ///
    /// Fit the members to ln(y) and back-transform (median); positive series only (others
    /// are combined on their levels).
    #[arg(long)]
    log_scale: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Combine {
    /// Point: the median of the members' forecasts; intervals from the equal-weight mixture of their distributions
    Median,
    /// Point: the mean of the members' forecasts; intervals from the equal-weight mixture of their distributions
    Mean,
}

/// A `--model` name: a row of the model registry ([`registry::MODELS`]), which also
/// supplies the possible values and their help.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ModelName(pub(crate) &'static registry::ModelInfo);

impl PartialEq for ModelName {
    fn eq(&self, other: &Self) -> bool {
        self.0.name == other.0.name
    }
}

impl ModelName {
    /// The default choice.
    pub(crate) const AUTO: ModelName = ModelName(&registry::MODELS[0]);

    pub(crate) fn label(self) -> &'static str {
        self.0.name
    }
}

impl ValueEnum for ModelName {
    fn value_variants<'a>() -> &'a [Self] {
        static VARIANTS: std::sync::LazyLock<Vec<ModelName>> =
            std::sync::LazyLock::new(|| registry::MODELS.iter().map(ModelName).collect());
        &VARIANTS
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.0.name).help(self.0.about))
    }
}

/// Exit statuses, as documented in `--help` and the README.
pub(crate) use chipcast::commands::exit;

/// Run a parsed command. Outputs are staged and renamed over their targets only when the
/// whole command has succeeded, so a failed run leaves every existing file untouched.
pub fn run(cli: Cli) -> anyhow::Result<u8> {
    chipcast::outputs::report::set_table_width(
        u16::try_from(text_width(false)).unwrap_or(u16::MAX),
    );
    let staging = chipcast::outputs::atomic::Staging::begin();
    let status = match cli.command {
        Command::Forecast(a) => forecast::run(a)?,
        Command::Gap(a) => gap::run(a).map(|()| exit::SUCCESS)?,
        Command::Milestone(a) => milestone::run(a).map(|()| exit::SUCCESS)?,
        Command::Nowcast(a) => nowcast::run(a).map(|()| exit::SUCCESS)?,
        Command::Backtest(a) => backtest::run(a).map(|()| exit::SUCCESS)?,
        Command::Vintages(a) => vintages::run(a).map(|()| exit::SUCCESS)?,
        Command::Regions(a) => regions::run(a).map(|()| exit::SUCCESS)?,
        Command::Data(c) => data::run(c).map(|()| exit::SUCCESS)?,
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "chipcast", &mut script);
            write_stdout(&script).map(|()| exit::SUCCESS)?
        }
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut page)?;
            write_stdout(&page).map(|()| exit::SUCCESS)?
        }
    };
    staging.commit()?;
    write_stdout(&chipcast::outputs::atomic::take_stdout())?;
    Ok(status)
}

/// Check every output of a command before any work (extension, directory, not an input,
/// not another output of the run). `inputs` and `outputs` are `(flag, path)`; an output's
/// valid extensions follow from its flag (`--chart`: .png/.svg, `--timing`: .csv, others:
/// .csv/.json/.parquet).
pub(crate) fn check_paths(
    inputs: &[(&str, Option<&std::path::Path>)],
    outputs: &[(&str, Option<&std::path::Path>)],
) -> anyhow::Result<()> {
    use chipcast::outputs::atomic::{CHART_EXTENSIONS, Planned, TABLE_EXTENSIONS, check_outputs};
    let inputs: Vec<(&str, &std::path::Path)> = inputs
        .iter()
        .filter_map(|(f, p)| Some((*f, (*p)?)))
        .collect();
    let planned: Vec<Planned<'_>> = outputs
        .iter()
        .filter_map(|(flag, p)| {
            Some(Planned {
                flag,
                path: (*p)?,
                extensions: match *flag {
                    "--chart" => CHART_EXTENSIONS,
                    "--timing" => &["csv"],
                    _ => TABLE_EXTENSIONS,
                },
                stdout: !matches!(*flag, "--chart" | "--timing"),
            })
        })
        .collect();
    if planned
        .iter()
        .any(|p| chipcast::outputs::atomic::is_stdout(p.path))
    {
        // the table owns standard output; the report goes to stderr
        REPORT_TO_STDERR.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    check_outputs(&inputs, &planned)?;
    Ok(())
}

/// clap value parser for a number of steps: a whole number; a negative or fractional one gets
/// a message saying what is valid (the limit itself is checked by `chipcast::limits`).
pub(crate) fn steps_arg(s: &str) -> Result<usize, String> {
    let t = s.trim();
    match t.parse::<u128>() {
        Ok(v) => Ok(usize::try_from(v).unwrap_or(usize::MAX)),
        Err(_) if t.parse::<f64>().is_ok() => Err(format!(
            "{t} is not a whole number of steps; give 1 to {} (MAX_HORIZON)",
            chipcast::limits::MAX_HORIZON
        )),
        Err(_) if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => Ok(usize::MAX),
        Err(_) => Err(format!(
            "{t:?} is not a number of steps; give a whole number from 1 to {}",
            chipcast::limits::MAX_HORIZON
        )),
    }
}

/// Print a clap error (or `--help`/`--version`) and return its exit status (2 for usage
/// errors). A negative number written after a flag without `=` (`--horizon -1`) reads as
/// an unknown flag to clap; the hint says how to write it.
pub fn usage_error(e: &clap::Error) -> std::process::ExitCode {
    let _ = e.print();
    if e.use_stderr() {
        let argv: Vec<String> = std::env::args().collect();
        let negative = argv.windows(2).find(|w| {
            w[0].starts_with("--")
                && !w[0].contains('=')
                && w[1].starts_with('-')
                && w[1].parse::<f64>().is_ok()
        });
        if let Some(w) = negative {
            eprintln!(
                "\nhint: to pass the negative number {} to {}, attach it with '=': {}={}",
                w[1], w[0], w[0], w[1]
            );
        }
        return std::process::ExitCode::from(exit::ERROR);
    }
    std::process::ExitCode::SUCCESS
}

/// Set when an output is `-`: standard output then carries only that table, and the
/// report is printed to stderr.
static REPORT_TO_STDERR: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Write the report to stdout in one go (stderr when a table goes to stdout); a closed
/// pipe surfaces as an error `main` treats as success.
pub(crate) fn print(text: &str) -> anyhow::Result<()> {
    let to_stderr = REPORT_TO_STDERR.load(std::sync::atomic::Ordering::Relaxed);
    let text = chipcast::outputs::report::wrap(text, text_width(to_stderr));
    if to_stderr {
        let mut err = std::io::stderr().lock();
        err.write_all(text.as_bytes())?;
        return Ok(err.flush()?);
    }
    write_stdout(text.as_bytes())
}

/// Write machine-readable text (CSV, JSON, a TOML template) to stdout as it is, unwrapped.
pub(crate) fn print_raw(text: &str) -> anyhow::Result<()> {
    write_stdout(text.as_bytes())
}

/// Columns for report prose: the terminal's width when the report goes to one, else
/// `$COLUMNS` when set, else 80.
fn text_width(stderr: bool) -> usize {
    let tty = if stderr {
        terminal_size::terminal_size_of(std::io::stderr())
    } else {
        terminal_size::terminal_size_of(std::io::stdout())
    };
    tty.map(|(w, _)| usize::from(w.0))
        .or_else(|| std::env::var("COLUMNS").ok()?.trim().parse().ok())
        .filter(|w| *w >= 20)
        .unwrap_or(80)
}

fn write_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(())
}

/// Whether an error is a closed stdout (e.g. `chipcast data show x | head`).
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
