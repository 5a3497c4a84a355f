//! `forecast`: one series forecast with everything its report says (the market model's
//! paths for a built-in annual series with the default model, else one fitted model), or
//! every series of a file, fitted in batches on every core and handed to a sink batch by
//! batch, so that memory holds one batch of results whatever the number of series.
//!
//! A run is two calls: [`load`] reads the data and checks the request against it, then
//! [`run`] answers a one-series run ([`ForecastResult`]) and [`run_many`] a run over many
//! ([`ManyResult`]); [`Loaded::is_many`] says which. Neither prints or writes: the caller
//! renders the result (`outputs::render::forecast`) and writes each batch's rows where it
//! wants them.
//!
//! ```
//! use chipcast::commands::forecast::{ForecastRequest, load, run};
//! use chipcast::commands::model::NamedChoice;
//! use chipcast::evaluation::select::ModelChoice;
//! use chipcast::models::ModelSpec;
//!
//! let req = ForecastRequest {
//!     model: Some(NamedChoice { name: "drift", choice: ModelChoice::Fixed(ModelSpec::Drift) }),
//!     horizon: Some(3),
//!     ..Default::default()
//! };
//! let data = load(&req, &()).unwrap();
//! let r = run(&req, &data, &()).unwrap();
//! assert_eq!(r.method, "model");
//! assert_eq!(r.forecast.periods.len(), 3);
//! ```

use super::defaults;
use super::market::{self, Headline};
use super::model::{MonthsKnown, NamedChoice, months_known};
use super::provenance::{Provenance, VERSION};
use super::source::{self, SeriesHead, Source, SourceRequest};
use crate::error::{Error, Result};
use crate::ingest::CsvStream;
use crate::ingest::builtin::Provenance as CellProvenance;
use crate::limits;
use crate::models::FittedModel;
use crate::scenarios::milestone::{Milestone, Simulation, milestone_with};
use crate::scenarios::projection::{
    Failed, IntervalMethod, Projection, SeriesForecast, calibration_for, calibration_from,
    calibration_stride, needs_calibration, project_batch, project_fitted, project_many,
    validate_levels,
};
use crate::series::{MarketSeries, TimeKind};
use serde::{Serialize, Serializer};
use std::path::PathBuf;
use std::time::Instant;

/// What `forecast` is asked.
#[derive(Debug, Clone)]
pub struct ForecastRequest {
    /// The data.
    pub source: SourceRequest,
    /// The season length of every series [default: from the dates]; at least 1.
    pub season_length: Option<usize>,
    /// The model named by the user; `None` = the default (the market model on a built-in
    /// annual series, else `auto`).
    pub model: Option<NamedChoice>,
    /// External regressors for `regression` (one series only).
    pub regressors: Option<PathBuf>,
    /// Interval levels, percent.
    pub levels: Vec<f64>,
    /// Allow negative forecasts of a positive series.
    pub allow_negative: bool,
    /// Sample paths and seed of the milestone odds (and the market model's paths).
    pub simulation: Simulation,
    /// The model's own intervals, conformal, or auto.
    pub intervals: IntervalMethod,
    /// Forecast up to this period, as typed. Not with `horizon`.
    pub until: Option<String>,
    /// Steps ahead [default: to [`defaults::FORECAST_UNTIL`] for built-in annual series,
    /// else by the time kind: 12 monthly, 8 quarterly, 13 weekly, 14 daily, 6 otherwise].
    pub horizon: Option<usize>,
    /// The milestone, in the series' unit [default: [`defaults::TARGET`] for built-in
    /// series; `--input` reports one only when it is given]. One series only.
    pub target: Option<f64>,
    /// The year of the milestone probability [default: [`defaults::BY`]]. One series only.
    pub by: Option<i64>,
    /// The `model` column's value in outputs [default: `chipcast:<model>`, or
    /// `chipcast:market:<candidate>`].
    pub label: Option<String>,
    /// Series fitted (and handed to the sink) per batch by [`run_many`].
    pub batch: usize,
    /// A chart will be drawn (one series only).
    pub chart: bool,
    /// The rows will also be written as partitions (many series only).
    pub partitions: bool,
    /// Whether a CSV `--input` of many series is read whole or streamed.
    pub stream: StreamMode,
}

/// How a CSV `--input` of many series is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StreamMode {
    /// Streamed when reading it whole would take more than
    /// [`defaults::STREAM_ABOVE_BYTES`] of memory.
    #[default]
    Auto,
    /// Streamed whenever it can be: twice the reading, memory bounded by a block of the file
    /// and a batch of series whatever their number.
    Always,
    /// Read whole.
    Never,
}

impl Default for ForecastRequest {
    fn default() -> Self {
        ForecastRequest {
            source: SourceRequest::default(),
            season_length: None,
            model: None,
            regressors: None,
            levels: defaults::LEVELS.to_vec(),
            allow_negative: false,
            simulation: defaults::SIMULATION,
            intervals: IntervalMethod::Auto,
            until: None,
            horizon: None,
            target: None,
            by: None,
            label: None,
            batch: defaults::FORECAST_BATCH,
            chart: false,
            partitions: false,
            stream: StreamMode::Auto,
        }
    }
}

/// A progress display for a run's long steps (reading the input, fitting, writing,
/// simulating): one step at a time, ticked from many threads. `()` shows nothing.
pub trait Ticker: Sync {
    /// A step of `len` items named `unit` (`bytes`, `series`, `paths`) labelled `step`
    /// (`read`, `fit`, `simulate`), replacing the step before it.
    fn begin(&self, len: u64, unit: &str, step: &str);
    /// Relabel the current step (`fit` → `write`), keeping its count.
    fn relabel(&self, step: &str);
    /// `n` more items of the current step are done.
    fn inc(&self, n: u64);
    /// The current step is over.
    fn end(&self);
}

impl Ticker for () {
    fn begin(&self, _: u64, _: &str, _: &str) {}
    fn relabel(&self, _: &str) {}
    fn inc(&self, _: u64) {}
    fn end(&self) {}
}

/// Seconds spent in each part of a run, for `--timing` (not in the JSON document: they
/// differ from run to run).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timing {
    /// Reading the input (wall).
    pub read_s: f64,
    /// Fitting (wall).
    pub fit_s: f64,
    /// Fitting, CPU time of every thread.
    pub fit_cpu_s: f64,
}

/// CPU time of the whole process so far (all threads).
fn cpu_seconds() -> f64 {
    cpu_time::ProcessTime::try_now()
        .map(|t| t.as_duration().as_secs_f64())
        .unwrap_or(0.0)
}

/// The data of a run, read and checked against the request, with its horizon: what
/// [`run`] and [`run_many`] work on.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The data.
    pub source: Source,
    /// Steps ahead.
    pub horizon: usize,
    /// Seconds spent reading it.
    pub read_s: f64,
    /// For a streamed `--input`: the file, read again by [`run_many`] (`source.series` is
    /// then empty).
    pub stream: Option<CsvStream>,
    /// Why a run that asked for streaming (`--stream always`) read its file whole.
    pub note: Option<String>,
}

impl Loaded {
    /// Whether the run is over many series ([`run_many`]) rather than one ([`run`]).
    pub fn is_many(&self, req: &ForecastRequest) -> bool {
        self.n_series() > 1 && req.regressors.is_none()
    }

    /// How many series the data hold (streamed or not).
    pub fn n_series(&self) -> usize {
        self.stream
            .as_ref()
            .map_or(self.source.series.len(), |s| s.series)
    }

    /// Whether the run is answered by the market model: a built-in annual series with the
    /// default model, not conformal intervals, and the whole history (`--since` fits a
    /// window of years).
    pub fn uses_market_model(&self, req: &ForecastRequest) -> bool {
        self.source.builtin.is_some()
            && self.source.kind == TimeKind::Integer
            && req.model.is_none()
            && req.regressors.is_none()
            && req.intervals != IntervalMethod::Conformal
            && req.source.since.is_none()
    }
}

/// Read the data a request names (ticking `progress` over the input's bytes) and check
/// the request against it: levels, season length, milestone, horizon.
pub fn load(req: &ForecastRequest, progress: &dyn Ticker) -> Result<Loaded> {
    let t_read = Instant::now();
    validate_levels(&req.levels)?;
    if let Some(loaded) = load_streamed(req, progress, t_read)? {
        return Ok(loaded);
    }
    let mut src = match &req.source.input {
        None => source::load(&req.source)?,
        Some(path) => {
            progress.begin(source::input_bytes(path)?, "bytes", "read");
            let loaded = source::load_with(&req.source, &|n| progress.inc(n));
            progress.end();
            loaded?
        }
    };
    if let Some(len) = req.season_length {
        if len == 0 {
            return Err(Error::invalid(
                "--season-length must be at least 1 (1 = non-seasonal)",
            ));
        }
        for s in src.series.iter_mut().chain(src.full.iter_mut()) {
            s.set_season_length(len);
        }
    }
    let read_s = t_read.elapsed().as_secs_f64();
    if src.series.len() > 1 && (req.target.is_some() || req.by.is_some()) {
        return Err(Error::invalid(format!(
            "--target/--by report the milestone of one series but {} has {}; pick one with --id ID",
            src.label,
            src.series.len()
        )));
    }
    if req.chart && src.series.len() > 1 {
        return Err(Error::invalid(format!(
            "--chart draws one series but {} has {}; pick one with --id ID",
            src.label,
            src.series.len()
        )));
    }
    let end = src.series.iter().map(|s| s.end()).max().unwrap_or(0);
    if let Some(t) = req.target {
        if !(t.is_finite() && t > 0.0) {
            return Err(Error::invalid(format!(
                "--target {t} must be a positive number"
            )));
        }
    }
    if shows_milestone(req, &src) && is_annual(src.kind) {
        let s = &src.series[0];
        let by = req.by.unwrap_or(defaults::BY);
        let flag = if req.by.is_some() {
            "--by".to_string()
        } else {
            format!("--by (default {})", defaults::BY)
        };
        let target = req.target.unwrap_or(defaults::TARGET);
        if by > s.end() {
            limits::check_year_ahead(&flag, by, s.end())?;
        } else if by < s.start() || s.values().iter().all(|v| *v < target) {
            return Err(Error::invalid(format!(
                "{flag} {by} is not after the last data year {}; give a later year",
                s.end()
            )));
        }
    }
    let horizon = horizon(
        req.horizon,
        req.until.as_deref(),
        src.kind,
        end,
        src.builtin.is_some(),
    )?;
    let note = (req.stream == StreamMode::Always && src.series.len() > 1)
        .then(|| not_streamed(req))
        .flatten();
    Ok(Loaded {
        source: src,
        horizon,
        read_s,
        stream: None,
        note,
    })
}

/// Why `req`'s input, asked to stream, was read whole: the flag or the form that needs the
/// series whole.
fn not_streamed(req: &ForecastRequest) -> Option<String> {
    let path = req.source.input.as_ref()?;
    let why = match whole_read_flag(req) {
        _ if !is_one_csv(path) => {
            "streaming reads one CSV file, not a directory, a glob or another format".into()
        }
        Some(flag) => format!("streaming does not apply with {flag}"),
        None => "streaming needs each series' rows together (sort the file by id) and years, \
                 months or quarters as periods"
            .into(),
    };
    Some(format!(
        "--stream always: {} was read whole: {why}",
        path.display()
    ))
}

/// Whether `path` is one CSV file (what [`CsvStream`] reads).
fn is_one_csv(path: &std::path::Path) -> bool {
    path.is_file()
        && path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

/// The first flag of `req` that needs the series whole (`--id`, `--as-of`, ...), if any.
fn whole_read_flag(req: &ForecastRequest) -> Option<&'static str> {
    [
        ("--id", req.source.id.is_some()),
        ("--as-of", req.source.as_of.is_some()),
        ("--since", req.source.since.is_some()),
        ("--regressors", req.regressors.is_some()),
        ("--chart", req.chart),
        ("--target", req.target.is_some()),
        ("--by", req.by.is_some()),
    ]
    .into_iter()
    .find_map(|(flag, set)| set.then_some(flag))
}

/// A CSV `--input` of many series read block by block ([`CsvStream`]) when `req.stream`
/// asks for it and the run can stream: one plain CSV file whose rows of each series are
/// contiguous, with no `--id`, `--as-of`, `--since`, regressors, chart or milestone (each
/// needs the series whole). `None` means "read it whole": the whole read also words every
/// problem a stream gives up on.
fn load_streamed(
    req: &ForecastRequest,
    progress: &dyn Ticker,
    t_read: Instant,
) -> Result<Option<Loaded>> {
    let Some(path) = &req.source.input else {
        return Ok(None);
    };
    let eligible = req.stream != StreamMode::Never
        && is_one_csv(path)
        && whole_read_flag(req).is_none()
        && (req.stream == StreamMode::Always
            || crate::ingest::in_memory_estimate(path)
                .is_some_and(|b| b > defaults::STREAM_ABOVE_BYTES));
    if !eligible {
        return Ok(None);
    }
    if req.season_length == Some(0) {
        return Err(Error::invalid(
            "--season-length must be at least 1 (1 = non-seasonal)",
        ));
    }
    let cols = &req.source.columns;
    progress.begin(source::input_bytes(path)?, "bytes", "read");
    let stream = CsvStream::scan(path, cols, crate::ingest::STREAM_BLOCK_BYTES, &|n| {
        progress.inc(n)
    });
    progress.end();
    let Some(stream) = stream.filter(|s| s.series > 1) else {
        return Ok(None);
    };
    let horizon = horizon(
        req.horizon,
        req.until.as_deref(),
        stream.kind,
        stream.end,
        false,
    )?;
    let source = Source {
        series: Vec::new(),
        provenance: None,
        full: Vec::new(),
        label: format!("{} ({} rows)", path.display(), stream.rows),
        source_tag: path.display().to_string(),
        as_of: None,
        builtin: None,
        id_col: cols.id_col.clone(),
        time_col: cols.time_col.clone(),
        kind: stream.kind,
    };
    Ok(Some(Loaded {
        source,
        horizon,
        read_s: t_read.elapsed().as_secs_f64(),
        stream: Some(stream),
        note: None,
    }))
}

/// Whether the report has a milestone: always for a built-in series, for `--input` when
/// a target is given.
fn shows_milestone(req: &ForecastRequest, src: &Source) -> bool {
    src.builtin.is_some() || req.target.is_some()
}

fn is_annual(kind: TimeKind) -> bool {
    matches!(kind, TimeKind::Integer | TimeKind::AnnualDate { .. })
}

/// Steps ahead from `horizon` or `until`, or the default (to
/// [`defaults::FORECAST_UNTIL`] for annual built-in series, 12 for monthly data, 8
/// quarterly, 13 weekly, 14 daily, 6 otherwise).
fn horizon(
    horizon: Option<usize>,
    until: Option<&str>,
    kind: TimeKind,
    end: i64,
    builtin: bool,
) -> Result<usize> {
    let h = if let Some(h) = horizon {
        limits::check_horizon("--horizon", h as u128)?
    } else if let Some(u) = until {
        let last = source::parse_period(u, kind, "--until", false)?;
        if last <= end {
            return Err(Error::invalid(format!(
                "--until {u} is not after the last period used ({}); give a later period",
                kind.format(end)
            )));
        }
        let steps = (i128::from(last) - i128::from(end)) as u128;
        limits::check_horizon(&format!("--until {u}"), steps)?
    } else {
        match kind {
            _ if builtin && kind.season_length() == 1 => {
                (defaults::FORECAST_UNTIL - end).max(1) as usize
            }
            TimeKind::YearMonth | TimeKind::MonthlyDate { .. } => 12,
            TimeKind::YearQuarter { .. } | TimeKind::QuarterlyDate { .. } => 8,
            TimeKind::Weekly { .. } => 13,
            TimeKind::Daily => 14,
            _ => 6,
        }
    };
    limits::last_forecast_period(kind, end, h)?;
    Ok(h)
}

/// The constant growth a milestone needs from the last complete year (market model).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RequiredGrowth {
    /// The last complete year.
    pub from_year: i64,
    /// Its total.
    pub from_value: f64,
    /// Growth per year to reach the target in `by`.
    pub growth: f64,
}

/// Everything a one-series `forecast` reports.
#[derive(Debug, Clone, Serialize)]
pub struct ForecastResult {
    /// Provenance, series, label, title, builtin, unit and `--as-of`.
    #[serde(flatten)]
    pub head: SeriesHead,
    /// The as-of cut as an ordinal of the series' time kind.
    pub as_of_period: Option<i64>,
    /// The last period of data used (`YYYY-MM` for the market model, which reads the
    /// monthly billings).
    pub data_to: String,
    /// `market` (the market model's paths) or `model` (one fitted model).
    pub method: &'static str,
    /// The model as shown: its `--model` name for a combination (`auto`), else the fitted
    /// model's (`drift`, `market:ets-cal+cycle+annual`).
    pub model: String,
    /// The `--model` name given, or null for the default.
    pub model_flag: Option<&'static str>,
    /// The `model` column's value in the forecast table.
    pub table_label: String,
    /// Interval levels, percent.
    pub levels: Vec<f64>,
    /// Steps forecast.
    pub horizon: usize,
    /// Sample paths and seed of the milestone odds.
    pub simulation: Simulation,
    /// The id column of the forecast table (the input's).
    pub id_col: String,
    /// Its time column.
    pub time_col: String,
    /// The data the model was fitted to (after `--as-of` and `--since`; complete years
    /// for the market model).
    pub history: MarketSeries,
    /// For a built-in series, where each observation of `history` came from.
    pub history_rows: Option<Vec<CellProvenance>>,
    /// Actuals after the data used (an `--as-of` forecast beside what happened).
    pub later_actuals: Option<MarketSeries>,
    /// The forecast: periods, point and intervals, the fitted model.
    pub forecast: SeriesForecast,
    /// The milestone reported, in the series' unit (null: none, for `--input` without
    /// `--target`).
    pub target: Option<f64>,
    /// Whether `target` was given (not the default $1T).
    pub target_given: bool,
    /// The year of the milestone probability.
    pub by: i64,
    /// The milestone odds of the fitted model (method `model` on annual data).
    pub milestone: Option<Milestone>,
    /// The last value of `history`.
    pub last_value: f64,
    /// The market model's headline (method `market`).
    pub market: Option<Headline>,
    /// The constant growth to the target (method `market`, when the paths give one).
    pub required_growth: Option<RequiredGrowth>,
    /// Months of the next year already known, beside a fitted annual model.
    pub months_known: Option<MonthsKnown>,
    /// The forecast table's metadata, in order.
    #[serde(serialize_with = "ordered_map")]
    pub metadata: Vec<(String, String)>,
    /// Seconds spent.
    #[serde(skip)]
    pub timing: Timing,
}

/// Key-value pairs as one JSON object, in their order.
fn ordered_map<S: Serializer>(pairs: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(pairs.iter().map(|(k, v)| (k, v)))
}

/// Answer a one-series run (the market model's paths, or one fitted model), ticking
/// `progress` over the fit and the milestone's simulated paths.
pub fn run(req: &ForecastRequest, data: &Loaded, progress: &dyn Ticker) -> Result<ForecastResult> {
    let src = &data.source;
    let h = data.horizon;
    if data.uses_market_model(req) {
        let end = src.series.iter().map(|s| s.end()).max().unwrap_or(0);
        return market_forecast(req, data, end + h as i64);
    }
    let named = req.model.clone().unwrap_or_else(NamedChoice::auto);
    let label = req
        .label
        .clone()
        .unwrap_or_else(|| format!("chipcast:{}", named.name));
    if req.partitions && src.series.len() == 1 {
        return Err(Error::invalid(format!(
            "--partitions splits a run over many series into files, but {} has one series; write it with -o",
            src.label
        )));
    }
    if data.is_many(req) {
        return Err(Error::invalid(format!(
            "{} has {} series: a run over many series is run_many's",
            src.label,
            src.series.len()
        )));
    }
    let series = &src.series[0];
    progress.begin(src.series.len() as u64, "series", "fit");
    let (t_fit, cpu0) = (Instant::now(), cpu_seconds());
    let fitted = match regression(req, src, series, h)? {
        Some(model) => {
            if req.intervals == IntervalMethod::Conformal {
                return Err(Error::invalid(
                    "--intervals conformal is not available for --model regression (its regressors are fixed to the full history)",
                ));
            }
            project_fitted(series, model, h, &req.levels, !req.allow_negative)
        }
        None => project_many(
            &src.series,
            named.choice,
            h,
            &req.levels,
            req.intervals,
            !req.allow_negative,
            &|n| progress.inc(n),
        )?
        .remove(0),
    };
    let timing = Timing {
        read_s: data.read_s,
        fit_s: t_fit.elapsed().as_secs_f64(),
        fit_cpu_s: cpu_seconds() - cpu0,
    };
    progress.end();
    let p: Projection = fitted.map_err(|e| Error::invalid(format!("{}: {e}", series.id())))?;
    let target = req.target.unwrap_or(defaults::TARGET);
    let by = req.by.unwrap_or(defaults::BY);
    let shown = shows_milestone(req, src);
    let milestone = (shown && is_annual(src.kind)).then(|| {
        progress.begin(req.simulation.paths as u64, "paths", "simulate");
        let m = milestone_with(
            series,
            p.model.as_ref(),
            target,
            by,
            req.simulation,
            &|| progress.inc(1),
        );
        progress.end();
        m
    });
    let months_known = months_known(
        req.source.as_of.as_deref(),
        src,
        &p.forecast,
        Some(target),
        &named,
    );
    let forecast = p.forecast;
    let mut metadata = run_metadata(src, &req.levels, &label, h);
    metadata.extend(series_metadata(src.kind, &[Ok(forecast.clone())]));
    Ok(assemble(
        req,
        src,
        Answer {
            method: "model",
            model: named.shown(&forecast.model).to_string(),
            table_label: label,
            horizon: h,
            data_to: src.kind.format(series.end()),
            target: shown.then_some(target),
            forecast,
            milestone,
            market: None,
            required_growth: None,
            months_known,
            metadata,
            timing,
        },
    ))
}

/// The parts of a result that depend on the method.
struct Answer {
    method: &'static str,
    model: String,
    table_label: String,
    horizon: usize,
    data_to: String,
    target: Option<f64>,
    forecast: SeriesForecast,
    milestone: Option<Milestone>,
    market: Option<Headline>,
    required_growth: Option<RequiredGrowth>,
    months_known: Option<MonthsKnown>,
    metadata: Vec<(String, String)>,
    timing: Timing,
}

fn assemble(req: &ForecastRequest, src: &Source, a: Answer) -> ForecastResult {
    let series = &src.series[0];
    ForecastResult {
        head: SeriesHead::of(src, &req.source),
        as_of_period: src.as_of,
        data_to: a.data_to,
        method: a.method,
        model: a.model,
        model_flag: req.model.as_ref().map(|m| m.name),
        table_label: a.table_label,
        levels: req.levels.clone(),
        horizon: a.horizon,
        simulation: req.simulation,
        id_col: src.id_col.clone(),
        time_col: src.time_col.clone(),
        history: series.clone(),
        history_rows: src.provenance.clone(),
        later_actuals: src
            .full
            .first()
            .filter(|full| full.end() > series.end())
            .and_then(|full| full.since(series.end() + 1).ok()),
        forecast: a.forecast,
        target: a.target,
        target_given: req.target.is_some(),
        by: req.by.unwrap_or(defaults::BY),
        milestone: a.milestone,
        last_value: series.values()[series.len() - 1],
        market: a.market,
        required_growth: a.required_growth,
        months_known: a.months_known,
        metadata: a.metadata,
        timing: a.timing,
    }
}

/// The market model's forecast to `until` (a built-in annual series, the default model).
fn market_forecast(req: &ForecastRequest, data: &Loaded, until: i64) -> Result<ForecastResult> {
    let src = &data.source;
    let name = src.builtin.as_deref().unwrap_or(defaults::SERIES);
    let mdata = market::data(name)?;
    let cut = market::cut(req.source.as_of.as_deref(), &mdata)?;
    let p = market::paths(&mdata, cut, req.simulation)?;
    if until < p.first_year || until > p.last_year {
        return Err(Error::invalid(format!(
            "the market model forecasts {} to {}; give --until or --horizon within them",
            p.first_year, p.last_year
        )));
    }
    let series = &src.series[0];
    let target = req.target.unwrap_or(defaults::TARGET);
    let by = req.by.unwrap_or(defaults::BY);
    if by > p.last_year {
        return Err(Error::invalid(format!(
            "--by {by} is after the market model's last year {}",
            p.last_year
        )));
    }
    let f = market::series_forecast(&p, series.id(), until, &req.levels);
    let m = p.milestone(target, by);
    let required_growth = match (m.required_growth, p.history.last()) {
        (Some(growth), Some(&(from_year, from_value))) => Some(RequiredGrowth {
            from_year,
            from_value,
            growth,
        }),
        _ => None,
    };
    let label = req
        .label
        .clone()
        .unwrap_or_else(|| format!("chipcast:market:{}", p.candidate.name()));
    let h = f.periods.len();
    let forecast = f;
    let mut metadata = run_metadata(src, &req.levels, &label, h);
    metadata.extend(series_metadata(src.kind, &[Ok(forecast.clone())]));
    Ok(assemble(
        req,
        src,
        Answer {
            method: "market",
            model: forecast.model.to_string(),
            table_label: label,
            horizon: h,
            data_to: TimeKind::YearMonth.format(cut),
            target: Some(target),
            forecast,
            milestone: None,
            market: Some(Headline::new(&p, target, by)),
            required_growth,
            months_known: None,
            metadata,
            timing: Timing {
                read_s: data.read_s,
                ..Timing::default()
            },
        },
    ))
}

/// For `--model regression`: the regression fitted from the regressor file to one series.
fn regression(
    req: &ForecastRequest,
    src: &Source,
    series: &MarketSeries,
    h: usize,
) -> Result<Option<Box<dyn FittedModel>>> {
    use crate::models::Forecaster;
    let Some(path) = &req.regressors else {
        return Ok(None);
    };
    if src.series.len() != 1 {
        return Err(Error::invalid(
            "--regressors applies to one series; pick one with --id ID",
        ));
    }
    let time_col = if src.builtin.is_some() {
        "ds"
    } else {
        src.time_col.as_str()
    };
    let reg = crate::ingest::load_regressors(path, time_col, series.kind())?;
    let kind = series.kind();
    let history = reg.window(kind, series.start(), series.end(), "fitting")?;
    if let Some(problem) = crate::ingest::collinear_regressor(&reg.names, &history) {
        return Err(Error::invalid(format!("{}: {problem}", path.display())));
    }
    let future = reg.window(
        kind,
        series.end() + 1,
        series.end() + h as i64,
        "the forecast",
    )?;
    let spec =
        crate::models::regression::TrendRegression::new(reg.names.clone(), history, future, h)?;
    Ok(Some(Box::new(spec.fit(series.values())?)))
}

/// Metadata every forecast table of a run carries.
fn run_metadata(src: &Source, levels: &[f64], label: &str, h: usize) -> Vec<(String, String)> {
    vec![
        ("chipcast.version".to_string(), VERSION.to_string()),
        ("chipcast.data_source".to_string(), src.source_tag.clone()),
        ("chipcast.model".to_string(), label.to_string()),
        ("chipcast.levels".to_string(), format!("{levels:?}")),
        ("chipcast.horizon".to_string(), h.to_string()),
        (
            "chipcast.as_of".to_string(),
            src.as_of
                .map(|o| src.kind.format(o))
                .unwrap_or_else(|| "latest".into()),
        ),
        (
            "chipcast.unit".to_string(),
            // a streamed file holds no series here: --input is always in its own unit
            src.series
                .first()
                .map_or(crate::series::Unit::Unspecified.label(), |s| {
                    s.unit().label()
                })
                .to_string(),
        ),
    ]
}

/// The per-series keys of a forecast table (`chipcast.fitted_model`, `.params`,
/// `.selection`, `.train_window`): the value itself for one series, a JSON object keyed by
/// series id for several (a series that failed has null).
pub fn series_metadata(kind: TimeKind, rows: &[Row]) -> Vec<(String, String)> {
    let fitted: Vec<(&str, Option<&SeriesForecast>)> = rows
        .iter()
        .map(|r| match r {
            Ok(f) => (f.id.as_str(), Some(f)),
            Err(e) => (e.id.as_str(), None),
        })
        .collect();
    let window = |f: &SeriesForecast| {
        format!(
            "{}..{}",
            kind.format(f.train_start),
            kind.format(f.train_end)
        )
    };
    let per_series = |value: &dyn Fn(&SeriesForecast) -> serde_json::Value| -> String {
        match fitted.as_slice() {
            [(_, Some(f))] => match value(f) {
                serde_json::Value::String(text) => text,
                v => v.to_string(),
            },
            _ => serde_json::Value::Object(
                fitted
                    .iter()
                    .map(|(id, f)| (id.to_string(), f.map(value).unwrap_or_default()))
                    .collect(),
            )
            .to_string(),
        }
    };
    vec![
        (
            "chipcast.fitted_model".into(),
            per_series(&|f| f.description.clone().into()),
        ),
        (
            "chipcast.params".into(),
            per_series(&|f| serde_json::to_value(&f.params).unwrap_or_default()),
        ),
        (
            "chipcast.selection".into(),
            per_series(&|f| serde_json::to_value(&f.selection).unwrap_or_default()),
        ),
        (
            "chipcast.train_window".into(),
            per_series(&|f| window(f).into()),
        ),
    ]
}

/// The per-series keys of a run over more than [`defaults::PER_SERIES_KEYS_MAX`] series,
/// whose rows are streamed: each names where the values are instead.
fn omitted_series_metadata(n: usize) -> Vec<(String, String)> {
    let max = defaults::PER_SERIES_KEYS_MAX;
    let note = format!(
        "not written for a run of {n} series (more than {max}); write every series' values with --params FILE, or read each --partitions file's own keys"
    );
    ["fitted_model", "params", "selection", "train_window"]
        .iter()
        .map(|k| (format!("chipcast.{k}"), note.clone()))
        .collect()
}

/// One series of a run over many: its forecast, or why it has none.
pub type Row = std::result::Result<SeriesForecast, Failed>;

/// What every batch of a run over many shares: the table's columns, label, levels and
/// horizon, and its metadata.
#[derive(Debug, Clone)]
pub struct ManyRun {
    /// Series in the run.
    pub series: usize,
    /// The id column of the forecast table (the input's).
    pub id_col: String,
    /// Its time column.
    pub time_col: String,
    /// The time kind of every series.
    pub kind: TimeKind,
    /// The `model` column's value.
    pub label: String,
    /// Interval levels, percent.
    pub levels: Vec<f64>,
    /// Steps ahead.
    pub horizon: usize,
    /// Metadata of every table of the run (without the per-series keys).
    pub metadata: Vec<(String, String)>,
}

impl ManyRun {
    /// Whether the rows are held and written once at the end with the per-series keys
    /// (runs of at most [`defaults::PER_SERIES_KEYS_MAX`] series: the same file for any
    /// batch size), rather than streamed batch by batch.
    pub fn holds(&self) -> bool {
        self.series <= defaults::PER_SERIES_KEYS_MAX
    }

    /// The metadata of a table holding `rows`: the run's and the per-series keys.
    pub fn table_metadata(&self, rows: &[Row]) -> Vec<(String, String)> {
        let mut m = self.metadata.clone();
        m.extend(series_metadata(self.kind, rows));
        m
    }

    /// The metadata of the streamed table of a run too large to hold: the run's, and
    /// under the per-series keys a note naming where their values are.
    pub fn streamed_metadata(&self) -> Vec<(String, String)> {
        let mut m = self.metadata.clone();
        m.extend(omitted_series_metadata(self.series));
        m
    }
}

/// Where [`run_many`] hands each batch: the run, the batch's number (from 0) and its rows
/// in input order. Its error stops the run.
pub type BatchSink<'a, E> = dyn FnMut(&ManyRun, usize, &[Row]) -> std::result::Result<(), E> + 'a;

/// At most this many failed series are named in a [`ManyResult`].
pub const FAILURES_NAMED: usize = 10;

/// What a run over many series reports.
#[derive(Debug, Clone, Serialize)]
pub struct ManyResult {
    /// Where the data come from.
    pub provenance: Provenance,
    /// The data in words.
    pub label: String,
    /// The `model` column's value.
    pub model: String,
    /// Steps ahead.
    pub horizon: usize,
    /// Interval levels, percent.
    pub levels: Vec<f64>,
    /// Series fitted per batch.
    pub batch: usize,
    /// Series in the run.
    pub n_series: usize,
    /// Series forecast.
    pub n_fitted: usize,
    /// Series that could not be fitted (written as empty rows).
    pub n_failed: usize,
    /// The first [`FAILURES_NAMED`] of them, with why.
    pub failures: Vec<Failed>,
    /// The metadata of every table of the run (without the per-series keys).
    #[serde(serialize_with = "ordered_map")]
    pub metadata: Vec<(String, String)>,
    /// Seconds spent.
    #[serde(skip)]
    pub timing: Timing,
}

impl ManyResult {
    /// The run's exit status (README, `--help`): [`super::exit::SUCCESS`] when every
    /// series was forecast, [`super::exit::SOME_SERIES_FAILED`] when some could not be
    /// (their rows are empty), [`super::exit::ERROR`] when none could (nothing should be
    /// kept).
    pub fn exit_status(&self) -> u8 {
        if self.n_failed == 0 {
            super::exit::SUCCESS
        } else if self.n_failed < self.n_series {
            super::exit::SOME_SERIES_FAILED
        } else {
            super::exit::ERROR
        }
    }
}

/// Answer a run over many series: fitted on every core in batches of `req.batch`, each
/// batch's rows handed to `sink` as soon as it is done (the conformal calibration, when
/// used, pooled over every series first), so that memory holds one batch of results.
/// Output, messages and exit status are those of one batch of all. A series that cannot
/// be fitted is a row of the batch (`Err`), not an error of the run; `sink`'s error
/// stops the run.
pub fn run_many<E: From<Error>>(
    req: &ForecastRequest,
    data: &Loaded,
    sink: &mut BatchSink<'_, E>,
    progress: &dyn Ticker,
) -> std::result::Result<ManyResult, E> {
    use rayon::prelude::*;
    let src = &data.source;
    let h = data.horizon;
    let named = req.model.clone().unwrap_or_else(NamedChoice::auto);
    let label = req
        .label
        .clone()
        .unwrap_or_else(|| format!("chipcast:{}", named.name));
    let levels = &req.levels;
    let floor = !req.allow_negative;
    let n = data.n_series();
    progress.begin(n as u64, "series", "fit");
    let (t, c) = (Instant::now(), cpu_seconds());
    let season = |s: &mut MarketSeries| {
        if let Some(len) = req.season_length {
            s.set_season_length(len);
        }
    };
    let calibration = match &data.stream {
        None => calibration_for(&src.series, named.choice, h, levels, req.intervals),
        Some(stream) => {
            // the calibrators a whole read would pick: every k-th series, read once more
            let period = req.season_length.unwrap_or(stream.kind.season_length());
            if needs_calibration(req.intervals, named.choice, period <= 1) {
                let stride = calibration_stride(n);
                let (mut sample, mut i) = (Vec::new(), 0usize);
                stream.for_each::<E>(&mut |batch| {
                    for mut s in batch {
                        if i.is_multiple_of(stride) {
                            season(&mut s);
                            sample.push(s);
                        }
                        i += 1;
                    }
                    Ok(())
                })?;
                let refs: Vec<&MarketSeries> = sample.iter().collect();
                calibration_from(&refs, named.choice, h, levels, req.intervals)
            } else {
                None
            }
        }
    };
    let (mut fit_s, mut fit_cpu_s) = (t.elapsed().as_secs_f64(), cpu_seconds() - c);
    let run = ManyRun {
        series: n,
        id_col: src.id_col.clone(),
        time_col: src.time_col.clone(),
        kind: src.kind,
        label: label.clone(),
        levels: levels.clone(),
        horizon: h,
        metadata: run_metadata(src, levels, &label, h),
    };
    let mut failures: Vec<Failed> = Vec::new();
    let mut failed = 0usize;
    let mut one_batch = |k: usize, batch: &[MarketSeries]| -> std::result::Result<(), E> {
        progress.relabel("fit");
        let (t, c) = (Instant::now(), cpu_seconds());
        let results = project_batch(
            batch,
            named.choice,
            h,
            levels,
            calibration.as_ref(),
            floor,
            &|n| progress.inc(n),
        )?;
        fit_s += t.elapsed().as_secs_f64();
        fit_cpu_s += cpu_seconds() - c;
        progress.relabel("write");
        // on every core: each fitted model is dropped where it was made, not one by one here
        let rows: Vec<Row> = batch
            .par_iter()
            .zip(results)
            .map(|(s, r)| {
                r.map(|p| p.forecast).map_err(|e| Failed {
                    id: s.id().to_string(),
                    end: s.end(),
                    error: e.to_string(),
                })
            })
            .collect();
        for f in rows.iter().filter_map(|r| r.as_ref().err()) {
            failed += 1;
            if failures.len() < FAILURES_NAMED {
                failures.push(f.clone());
            }
        }
        sink(&run, k, &rows)?;
        // on this thread: freed on both cores, the rows' allocations contended for glibc's
        // arenas (naive 10M rows: 1.145 -> 1.115 s median of 6, benches/README.md "Session 9")
        drop(rows);
        Ok(())
    };
    let size = req.batch.max(1);
    match &data.stream {
        None => {
            for (k, batch) in src.series.chunks(size).enumerate() {
                one_batch(k, batch)?;
            }
        }
        Some(stream) => {
            // the same batches as a whole read: `size` series each, across the file's blocks
            let (mut held, mut k) = (Vec::new(), 0usize);
            stream.for_each::<E>(&mut |block| {
                for mut s in block {
                    season(&mut s);
                    held.push(s);
                    if held.len() == size {
                        one_batch(k, &held)?;
                        held.clear();
                        k += 1;
                    }
                }
                Ok(())
            })?;
            if !held.is_empty() {
                one_batch(k, &held)?;
            }
        }
    }
    progress.end();
    Ok(ManyResult {
        provenance: src.provenance(),
        label: src.label.clone(),
        model: label,
        horizon: h,
        levels: levels.clone(),
        batch: req.batch,
        n_series: n,
        n_fitted: n - failed,
        n_failed: failed,
        failures,
        metadata: run.metadata,
        timing: Timing {
            read_s: data.read_s,
            fit_s,
            fit_cpu_s,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::select::ModelChoice;
    use crate::models::ModelSpec;

    fn quick() -> ForecastRequest {
        ForecastRequest {
            simulation: Simulation {
                paths: 300,
                seed: 5,
            },
            ..ForecastRequest::default()
        }
    }

    fn drift() -> Option<NamedChoice> {
        Some(NamedChoice {
            name: "drift",
            choice: ModelChoice::Fixed(ModelSpec::Drift),
        })
    }

    /// A long-format file of three yearly series, `bad` of which cannot take logs.
    fn three_series(dir: &std::path::Path) -> PathBuf {
        let mut text = String::from("unique_id,ds,y\n");
        for (id, values) in [
            ("a", [10.0, 11.0, 12.5, 13.0, 14.2, 15.1, 16.0, 17.3]),
            ("bad", [3.0, -1.0, 2.0, 0.0, 4.0, -2.0, 1.0, 5.0]),
            ("c", [50.0, 48.0, 53.0, 55.0, 54.0, 58.0, 61.0, 60.0]),
        ] {
            for (i, v) in values.iter().enumerate() {
                text.push_str(&format!("{id},{},{v}\n", 2000 + i));
            }
        }
        let path = dir.join("three.csv");
        std::fs::write(&path, text).unwrap();
        path
    }

    fn logdrift_over(path: PathBuf) -> ForecastRequest {
        ForecastRequest {
            source: SourceRequest {
                input: Some(path),
                ..SourceRequest::default()
            },
            model: Some(NamedChoice {
                name: "logdrift",
                choice: ModelChoice::Fixed(ModelSpec::LogDrift),
            }),
            horizon: Some(2),
            ..quick()
        }
    }

    #[test]
    fn the_default_forecast_of_the_builtin_series_is_the_market_models() {
        let req = quick();
        let data = load(&req, &()).unwrap();
        assert!(!data.is_many(&req));
        let r = run(&req, &data, &()).unwrap();
        assert_eq!(r.method, "market");
        let h = r.market.as_ref().unwrap();
        assert_eq!(r.forecast.periods[0], h.year);
        assert_eq!(
            *r.forecast.periods.last().unwrap(),
            defaults::FORECAST_UNTIL
        );
        assert_eq!(r.target, Some(defaults::TARGET));
        assert!(
            r.table_label.starts_with("chipcast:market:"),
            "{}",
            r.table_label
        );
    }

    #[test]
    fn every_forecast_period_has_lower_at_most_point_at_most_upper() {
        let req = ForecastRequest {
            model: drift(),
            horizon: Some(5),
            ..quick()
        };
        let r = run(&req, &load(&req, &()).unwrap(), &()).unwrap();
        assert_eq!(r.method, "model");
        assert_eq!(r.model, "drift");
        let f = &r.forecast.forecast;
        assert_eq!(f.point.len(), 5);
        for iv in &f.intervals {
            for (i, p) in f.point.iter().enumerate() {
                assert!(iv.lower[i] <= *p && *p <= iv.upper[i], "{i}");
            }
        }
        let m = r
            .milestone
            .as_ref()
            .expect("a built-in annual series has odds");
        assert!((0.0..=1.0).contains(&m.p_at_least_in_by));
    }

    #[test]
    fn the_table_metadata_names_the_version_source_and_one_series_values() {
        let req = ForecastRequest {
            model: drift(),
            ..quick()
        };
        let r = run(&req, &load(&req, &()).unwrap(), &()).unwrap();
        let key = |k: &str| {
            r.metadata
                .iter()
                .find(|(name, _)| name == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| panic!("no {k}"))
        };
        assert_eq!(key("chipcast.version"), VERSION);
        assert_eq!(key("chipcast.data_source"), r.head.provenance.data_source);
        assert_eq!(key("chipcast.model"), "chipcast:drift");
        assert_eq!(key("chipcast.fitted_model"), r.forecast.description);
        assert!(!key("chipcast.train_window").starts_with('{'));
    }

    #[test]
    fn a_run_where_one_series_fails_exits_one_and_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let req = logdrift_over(three_series(dir.path()));
        let data = load(&req, &()).unwrap();
        assert!(data.is_many(&req));
        let mut seen: Vec<String> = Vec::new();
        let r = run_many::<Error>(
            &req,
            &data,
            &mut |run, _, rows| {
                assert_eq!(run.horizon, 2);
                seen.extend(rows.iter().map(|r| match r {
                    Ok(f) => f.id.clone(),
                    Err(e) => format!("failed {}", e.id),
                }));
                Ok(())
            },
            &(),
        )
        .unwrap();
        assert_eq!(seen, ["a", "failed bad", "c"]);
        assert_eq!((r.n_series, r.n_fitted, r.n_failed), (3, 2, 1));
        assert_eq!(r.failures[0].id, "bad");
        assert_eq!(r.exit_status(), super::super::exit::SOME_SERIES_FAILED);
    }

    #[test]
    fn the_rows_are_the_same_in_any_batch_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = three_series(dir.path());
        let rows_of = |batch: usize| {
            let req = ForecastRequest {
                batch,
                ..logdrift_over(path.clone())
            };
            let data = load(&req, &()).unwrap();
            let (mut batches, mut points) = (0, Vec::new());
            run_many::<Error>(
                &req,
                &data,
                &mut |_, _, rows| {
                    batches += 1;
                    points.extend(
                        rows.iter()
                            .map(|r| r.as_ref().ok().map(|f| f.forecast.point.clone())),
                    );
                    Ok(())
                },
                &(),
            )
            .unwrap();
            (batches, points)
        };
        let (one, all) = (rows_of(1), rows_of(10));
        assert_eq!((one.0, all.0), (3, 1));
        assert_eq!(one.1, all.1);
    }

    #[test]
    fn a_streamed_run_gives_the_rows_batches_and_calibration_of_a_whole_read() {
        let dir = tempfile::tempdir().unwrap();
        // 2,500 series: more than the calibration's 2,000, so that every 2nd is a calibrator
        let mut text = String::from("unique_id,ds,y\n");
        for k in 0..2_500 {
            for t in 0..12 {
                let v = 100.0 + k as f64 + 3.0 * t as f64 + ((k * 7 + t * 3) % 11) as f64;
                text.push_str(&format!("s{k},{},{v}\n", 2000 + t));
            }
        }
        let path = dir.path().join("many.csv");
        std::fs::write(&path, text).unwrap();
        let rows_of = |stream: StreamMode| {
            let req = ForecastRequest {
                source: SourceRequest {
                    input: Some(path.clone()),
                    ..Default::default()
                },
                horizon: Some(3),
                batch: 700,
                stream,
                ..Default::default()
            };
            let data = load(&req, &()).unwrap();
            assert_eq!(data.n_series(), 2_500);
            assert_eq!(data.stream.is_some(), stream == StreamMode::Always);
            let mut batches = Vec::new();
            let m = run_many::<Error>(
                &req,
                &data,
                &mut |_, k, rows| {
                    let r: Vec<_> = rows
                        .iter()
                        .map(|r| r.as_ref().ok().map(|f| (f.id.clone(), f.forecast.clone())))
                        .collect();
                    batches.push((k, r));
                    Ok(())
                },
                &(),
            )
            .unwrap();
            (m.n_fitted, m.metadata, batches)
        };
        let (streamed, whole) = (rows_of(StreamMode::Always), rows_of(StreamMode::Never));
        assert_eq!(streamed.0, 2_500);
        assert_eq!(streamed.2.len(), 4);
        assert_eq!(streamed, whole);
    }

    #[test]
    fn a_file_of_interleaved_series_is_read_whole_even_when_streaming_is_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mixed.csv");
        std::fs::write(
            &path,
            "unique_id,ds,y\na,2000,1\nb,2000,2\na,2001,3\nb,2001,4\na,2002,5\nb,2002,6\n",
        )
        .unwrap();
        let req = ForecastRequest {
            stream: StreamMode::Always,
            ..logdrift_over(path)
        };
        let data = load(&req, &()).unwrap();
        assert!(data.stream.is_none());
        assert_eq!(data.n_series(), 2);
    }

    #[test]
    fn a_sink_error_stops_the_run() {
        let dir = tempfile::tempdir().unwrap();
        let req = ForecastRequest {
            batch: 1,
            ..logdrift_over(three_series(dir.path()))
        };
        let data = load(&req, &()).unwrap();
        let mut calls = 0;
        let err = run_many::<Error>(
            &req,
            &data,
            &mut |_, _, _| {
                calls += 1;
                Err(Error::invalid("disk full"))
            },
            &(),
        )
        .unwrap_err();
        assert_eq!((calls, err.to_string().as_str()), (1, "disk full"));
    }

    #[test]
    fn a_milestone_asked_of_many_series_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let req = ForecastRequest {
            target: Some(20.0),
            ..logdrift_over(three_series(dir.path()))
        };
        let err = load(&req, &()).unwrap_err();
        assert!(err.to_string().contains("pick one with --id ID"), "{err}");
    }

    #[test]
    fn a_run_of_more_series_than_the_key_limit_streams_with_a_note() {
        let run = ManyRun {
            series: defaults::PER_SERIES_KEYS_MAX + 1,
            id_col: "unique_id".into(),
            time_col: "ds".into(),
            kind: TimeKind::Integer,
            label: "chipcast:auto".into(),
            levels: defaults::LEVELS.to_vec(),
            horizon: 3,
            metadata: Vec::new(),
        };
        assert!(!run.holds());
        let m = run.streamed_metadata();
        assert_eq!(m.len(), 4);
        assert!(m.iter().all(|(_, v)| v.contains("--params FILE")), "{m:?}");
    }
}
