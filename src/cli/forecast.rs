//! `chipcast forecast`: one built-in series with a full report, or every series of a file.

use super::resolve::{self, Source};
use super::{ModelArgs, ModelName, SourceArgs, print};
use anyhow::Context;
use chipcast::evaluation::select::ModelChoice;
use chipcast::ingest::builtin;
use chipcast::outputs::chart::FanChart;
use chipcast::outputs::export::ForecastWriter;
use chipcast::outputs::export::{Failed, ForecastTable};
use chipcast::outputs::params::ParamsTable;
use chipcast::outputs::progress::Progress;
use chipcast::outputs::report;
use chipcast::scenarios::milestone::{Simulation, milestone_with};
use chipcast::scenarios::projection::{
    IntervalMethod, Projection, SeriesForecast, project_fitted, project_many, validate_levels,
};
use chipcast::scenarios::projection::{calibration_for, project_batch};
use chipcast::scenarios::vintage::nowcast_after;
use chipcast::series::TimeKind;
use clap::Args;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Args)]
pub(crate) struct ForecastArgs {
    #[command(flatten)]
    source: SourceArgs,
    #[command(flatten)]
    model: ModelArgs,
    /// Forecast up to this period (e.g. 2030) [default: 2030 for built-in series]
    #[arg(long, value_name = "PERIOD", conflicts_with = "horizon")]
    until: Option<String>,
    /// Forecast this many steps ahead, 1 to 1000 [default for --input: 12 monthly, else 6]
    #[arg(long, short = 'H', value_name = "STEPS", value_parser = super::steps_arg)]
    horizon: Option<usize>,
    /// Milestone to report, in the series' unit [default: 1000 for built-in series]
    ///
    /// USD bn for built-in series; set it to get the milestone for --input.
    #[arg(long)]
    target: Option<f64>,
    /// Year for the milestone probability
    /// [default: 2030]
    #[arg(long)]
    by: Option<i64>,
    /// Write the forecast table: .csv, .json, .parquet (with metadata), or - for CSV on stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also write the forecast table as a directory of Parquet files, one per --batch
    ///
    /// DIR/part-00000.parquet, ..., for runs too large for one file, each with its series'
    /// own metadata keys; read it back with polars' read_parquet("DIR/*.parquet"). The
    /// directory is replaced whole, and only if it holds nothing but such parts.
    #[arg(long, value_name = "DIR")]
    partitions: Option<PathBuf>,
    /// Draw a fan chart: .png or .svg (one series only)
    #[arg(long, value_name = "FILE")]
    chart: Option<PathBuf>,
    /// Write fit timings (benchmark harness format)
    #[arg(long, value_name = "FILE")]
    timing: Option<PathBuf>,
    /// Prediction intervals: the model's own, conformal, or auto
    ///
    /// Conformal intervals are calibrated on rolling-origin errors inside the data, pooled
    /// over the run's series. Auto is conformal for the default model on non-seasonal runs
    /// with enough series for every level, and the model's own otherwise.
    #[arg(long, value_enum, default_value_t = Intervals::Auto)]
    intervals: Intervals,
    /// Print, per series, the chosen model, its parameters, criteria and why it won
    #[arg(long)]
    explain: bool,
    /// Write every series' fitted parameters (long format): .csv, .json, .parquet, or -
    #[arg(long, value_name = "FILE")]
    params: Option<PathBuf>,
    /// Series fitted and written per batch when --input holds many series
    ///
    /// Memory holds one batch of results at a time; the output is the same for any batch
    /// size.
    #[arg(long, value_name = "SERIES", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    batch: u64,
    /// The `model` column's value in outputs [default: chipcast:<model>]
    #[arg(long, value_name = "TEXT")]
    label: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Intervals {
    /// Analytic or simulated intervals of the fitted model
    Model,
    /// Normalised split-conformal intervals from rolling-origin residuals
    Conformal,
    /// Conformal for `--model auto` on non-seasonal runs whose pooled errors reach every
    /// level, the model's own otherwise
    Auto,
}

/// Printed when the default model is used on a built-in series.
/// Said when the built-in data is forecast with the default model. No measured figure is
/// typed here: `chipcast backtest` prints them from the code that measures them.
pub(crate) const AUTO_NOTE: &str = "Default model: auto = median of drift, logdrift and ets on annual data, chosen by rolling-origin evaluation on the built-in WSTS series (run `chipcast backtest` for its scores) and on the M4 training data (README, Models); pick another with --model.";

/// [`AUTO_NOTE`] for a series the seasonality test found seasonal.
pub(crate) const AUTO_NOTE_SEASONAL: &str = "Default model: auto = mean of seasonal ETS and OTM on the seasonally adjusted series on seasonal data, chosen by validation on the Tourism training windows (README, Models); pick another with --model.";

/// CPU time of the whole process so far (all threads), for `--timing`.
fn cpu_seconds() -> f64 {
    cpu_time::ProcessTime::try_now()
        .map(|t| t.as_duration().as_secs_f64())
        .unwrap_or(0.0)
}

pub(crate) fn run(a: ForecastArgs) -> anyhow::Result<u8> {
    super::check_paths(
        &[
            ("--input", a.source.input.as_deref()),
            ("--regressors", a.model.regressors.as_deref()),
        ],
        &[
            ("--output", a.output.as_deref()),
            ("--chart", a.chart.as_deref()),
            ("--params", a.params.as_deref()),
            ("--timing", a.timing.as_deref()),
        ],
    )?;
    if let Some(d) = &a.partitions {
        let others: Vec<(&str, &Path)> = [
            ("--input", a.source.input.as_deref()),
            ("--regressors", a.model.regressors.as_deref()),
            ("--output", a.output.as_deref()),
            ("--chart", a.chart.as_deref()),
            ("--params", a.params.as_deref()),
            ("--timing", a.timing.as_deref()),
        ]
        .into_iter()
        .filter_map(|(f, p)| Some((f, p?)))
        .collect();
        chipcast::outputs::atomic::check_partition_dir("--partitions", d, &others)?;
    }
    let t_read = Instant::now();
    validate_levels(&a.model.levels)?;
    let src = resolve::load_seasonal(&a.source, &a.model)?;
    let (model_name, choice) = resolve::choice(&a.model)?;
    let read_s = t_read.elapsed().as_secs_f64();
    if src.series.len() > 1 && (a.target.is_some() || a.by.is_some()) {
        anyhow::bail!(
            "--target/--by report the milestone of one series but {} has {}; pick one with --id ID",
            src.label,
            src.series.len()
        );
    }
    if a.chart.is_some() && src.series.len() > 1 {
        anyhow::bail!(
            "--chart draws one series but {} has {}; pick one with --id ID",
            src.label,
            src.series.len()
        );
    }
    let end = src.series.iter().map(|s| s.end()).max().unwrap_or(0);
    if let Some(t) = a.target {
        if !(t.is_finite() && t > 0.0) {
            anyhow::bail!("--target {t} must be a positive number");
        }
    }
    let milestone_shown = src.builtin.is_some() || a.target.is_some();
    if milestone_shown && matches!(src.kind, TimeKind::Integer | TimeKind::AnnualDate { .. }) {
        let s = &src.series[0];
        let by = a.by.unwrap_or(2030);
        let flag = if a.by.is_some() {
            "--by"
        } else {
            "--by (default 2030)"
        };
        let target = a.target.unwrap_or(1000.0);
        if by > s.end() {
            chipcast::limits::check_year_ahead(flag, by, s.end())?;
        } else if by < s.start() || s.values().iter().all(|v| *v < target) {
            anyhow::bail!(
                "{flag} {by} is not after the last data year {}; give a later year",
                s.end()
            );
        }
    }
    let h = resolve::horizon(
        a.horizon,
        a.until.as_deref(),
        src.kind,
        end,
        src.builtin.is_some(),
    )?;

    if uses_market_model(&a, &src) {
        return market_forecast(&a, &src, end + h as i64).map(|()| super::exit::SUCCESS);
    }
    let method = match a.intervals {
        Intervals::Model => IntervalMethod::Model,
        Intervals::Conformal => IntervalMethod::Conformal,
        Intervals::Auto => IntervalMethod::Auto,
    };
    let label = a
        .label
        .clone()
        .unwrap_or_else(|| format!("chipcast:{}", model_name.label()));
    if a.partitions.is_some() && src.series.len() == 1 {
        anyhow::bail!(
            "--partitions splits a run over many series into files, but {} has one series; write it with -o",
            src.label
        );
    }
    if src.series.len() > 1 && a.model.regressors.is_none() {
        return run_many(&a, &src, choice, &label, h, method, read_s);
    }
    let progress = Progress::new(src.series.len() as u64, "series", "fit");
    let (t_fit, cpu0) = (Instant::now(), cpu_seconds());
    let regression = resolve::regression(&a.model, &src, &src.series[0], h)?;
    let results: Vec<Result<Projection, String>> = match regression {
        Some(model) => {
            if method == IntervalMethod::Conformal {
                anyhow::bail!(
                    "--intervals conformal is not available for --model regression (its regressors are fixed to the full history)"
                );
            }
            vec![
                project_fitted(
                    &src.series[0],
                    model,
                    h,
                    &a.model.levels,
                    !a.model.allow_negative,
                )
                .map_err(|e| e.to_string()),
            ]
        }
        None => project_many(
            &src.series,
            choice,
            h,
            &a.model.levels,
            method,
            !a.model.allow_negative,
            &|| progress.inc(1),
        )?
        .into_iter()
        .map(|r| r.map_err(|e| e.to_string()))
        .collect(),
    };
    let (fit_s, fit_cpu_s) = (t_fit.elapsed().as_secs_f64(), cpu_seconds() - cpu0);
    progress.finish();
    if let Some(path) = &a.params {
        let ok: Vec<&SeriesForecast> = results
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|p| &p.forecast)
            .collect();
        ParamsTable::new(&src.id_col, &ok)
            .write(path)
            .with_context(|| "writing the parameter table")?;
    }
    if a.explain {
        let mut text = String::new();
        for (s, r) in src.series.iter().zip(&results) {
            match r {
                Ok(p) => text_explain(&mut text, &a, &p.forecast),
                Err(e) => {
                    let _ = writeln!(text, "== {}: not fitted: {e}", s.id());
                }
            }
        }
        print(&text)?;
    }

    let t_write = Instant::now();
    if let Some(out) = &a.output {
        write_table(out, &src, &results, &a, &label, h)?;
    }
    let write_s = t_write.elapsed().as_secs_f64();
    let failed = results.iter().filter(|r| r.is_err()).count();
    if let Some(t) = &a.timing {
        write_timing(
            t,
            &label,
            results.len(),
            failed,
            [read_s, fit_s, write_s, fit_cpu_s],
        )?;
    }

    if src.series.len() == 1 {
        let projection = match &results[0] {
            Ok(p) => p,
            Err(e) => anyhow::bail!("{}: {e}", src.series[0].id()),
        };
        single_report(&a, &src, projection)?;
        Ok(super::exit::SUCCESS)
    } else {
        let failures: Vec<(String, String)> = src
            .series
            .iter()
            .zip(&results)
            .filter_map(|(series, r)| {
                r.as_ref()
                    .err()
                    .map(|e| (series.id().to_string(), e.clone()))
            })
            .take(10)
            .collect();
        summary(&a, &src, &label, h, results.len(), failed, &failures)
    }
}

/// Metadata every forecast table of a run carries.
fn run_metadata(src: &Source, a: &ForecastArgs, label: &str, h: usize) -> Vec<(String, String)> {
    vec![
        (
            "chipcast.version".to_string(),
            env!("CARGO_PKG_VERSION").to_string(),
        ),
        ("chipcast.data_source".to_string(), src.source_tag.clone()),
        ("chipcast.model".to_string(), label.to_string()),
        (
            "chipcast.levels".to_string(),
            format!("{:?}", a.model.levels),
        ),
        ("chipcast.horizon".to_string(), h.to_string()),
        (
            "chipcast.as_of".to_string(),
            src.as_of
                .map(|o| src.kind.format(o))
                .unwrap_or_else(|| "latest".into()),
        ),
        (
            "chipcast.unit".to_string(),
            src.series[0].unit().label().to_string(),
        ),
    ]
}

/// The per-series keys of a forecast table (`chipcast.fitted_model`, `.params`, `.selection`,
/// `.train_window`): the value itself for one series, a JSON object keyed by series id for
/// several (a series that failed has null).
fn series_metadata(
    kind: chipcast::series::TimeKind,
    rows: &[Result<SeriesForecast, Failed>],
) -> Vec<(String, String)> {
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

/// Runs of at most this many series carry per-series keys in the forecast table's
/// metadata; larger runs stream their rows and name where the values are instead.
pub(crate) const PER_SERIES_KEYS_MAX: usize = 10_000;

/// The per-series keys of a run over more than [`PER_SERIES_KEYS_MAX`] series, whose rows
/// are streamed: each names where the values are instead.
fn omitted_series_metadata(n: usize) -> Vec<(String, String)> {
    let note = format!(
        "not written for a run of {n} series (more than {PER_SERIES_KEYS_MAX}); write every series' values with --params FILE, or read each --partitions file's own keys"
    );
    ["fitted_model", "params", "selection", "train_window"]
        .iter()
        .map(|k| (format!("chipcast.{k}"), note.clone()))
        .collect()
}

/// Many series: fitted on every core in batches of `--batch` series, each batch's rows
/// written as soon as it is done, so that memory holds one batch of results whatever the
/// number of series. Output, messages and exit status are those of one batch of all.
#[allow(clippy::too_many_arguments)]
fn run_many(
    a: &ForecastArgs,
    src: &Source,
    choice: ModelChoice,
    label: &str,
    h: usize,
    method: IntervalMethod,
    read_s: f64,
) -> anyhow::Result<u8> {
    let levels = &a.model.levels;
    let floor = !a.model.allow_negative;
    let n = src.series.len();
    let progress = Progress::new(n as u64, "series", "fit");
    let (t, c) = (Instant::now(), cpu_seconds());
    let calibration = calibration_for(&src.series, choice, h, levels, method);
    let (mut fit_s, mut fit_cpu_s, mut write_s) =
        (t.elapsed().as_secs_f64(), cpu_seconds() - c, 0.0);
    let template = ForecastTable::new(&src.id_col, &src.time_col, src.kind, label, levels, h, &[]);
    // up to PER_SERIES_KEYS_MAX series, the rows are held and written at the end with the
    // per-series keys (the same file for any --batch); a larger run streams them
    let hold = n <= PER_SERIES_KEYS_MAX;
    let mut held: Vec<Result<SeriesForecast, Failed>> = Vec::new();
    let mut writer: Option<ForecastWriter> = None;
    let parts = a
        .partitions
        .as_deref()
        .map(chipcast::outputs::atomic::AtomicDir::create)
        .transpose()?;
    let mut params: Vec<SeriesForecast> = Vec::new();
    let mut explain = String::new();
    let mut failures: Vec<(String, String)> = Vec::new();
    let mut failed = 0usize;
    for (k, batch) in src.series.chunks(a.batch.max(1) as usize).enumerate() {
        progress.set_step("fit");
        let (t, c) = (Instant::now(), cpu_seconds());
        let results = project_batch(
            batch,
            choice,
            h,
            levels,
            calibration.as_ref(),
            floor,
            &|| progress.inc(1),
        )?;
        fit_s += t.elapsed().as_secs_f64();
        fit_cpu_s += cpu_seconds() - c;
        progress.set_step("write");
        let t = Instant::now();
        let mut rows: Vec<Result<SeriesForecast, Failed>> = Vec::with_capacity(batch.len());
        for (s, r) in batch.iter().zip(results) {
            match r {
                Ok(p) => {
                    if a.explain {
                        text_explain(&mut explain, a, &p.forecast);
                    }
                    if a.params.is_some() {
                        params.push(p.forecast.clone());
                    }
                    rows.push(Ok(p.forecast));
                }
                Err(e) => {
                    let e = e.to_string();
                    if a.explain {
                        let _ = writeln!(explain, "== {}: not fitted: {e}", s.id());
                    }
                    failed += 1;
                    if failures.len() < 10 {
                        failures.push((s.id().to_string(), e));
                    }
                    rows.push(Err(Failed {
                        id: s.id().to_string(),
                        end: s.end(),
                    }));
                }
            }
        }
        if a.output.is_some() || parts.is_some() {
            let table = ForecastTable::new(
                &src.id_col,
                &src.time_col,
                src.kind,
                label,
                levels,
                h,
                &rows,
            );
            match a.output.as_deref() {
                Some(_) if hold => held.extend(rows.iter().cloned()),
                Some(o) => {
                    if writer.is_none() {
                        let mut first = template.empty_like();
                        first.metadata = run_metadata(src, a, label, h);
                        first.metadata.extend(omitted_series_metadata(n));
                        writer = Some(
                            ForecastWriter::create(o, &first)
                                .with_context(|| "writing the forecast table")?,
                        );
                    }
                    if let Some(w) = writer.as_mut() {
                        w.append(&table)
                            .with_context(|| "writing the forecast table")?;
                    }
                }
                None => {}
            }
            if let Some(d) = &parts {
                let path = d.temp_path().join(format!("part-{k:05}.parquet"));
                let mut part = template.empty_like();
                part.metadata = run_metadata(src, a, label, h);
                part.metadata.extend(series_metadata(src.kind, &rows));
                let mut w = ForecastWriter::create_part(&path, &part)?;
                w.append(&table)?;
                w.finish()
                    .with_context(|| "writing the partitioned forecast table")?;
            }
        }
        write_s += t.elapsed().as_secs_f64();
    }
    progress.finish();
    if let Some(path) = &a.params {
        let ok: Vec<&SeriesForecast> = params.iter().collect();
        ParamsTable::new(&src.id_col, &ok)
            .write(path)
            .with_context(|| "writing the parameter table")?;
    }
    if a.explain {
        print(&explain)?;
    }
    let t = Instant::now();
    if let (Some(o), true) = (a.output.as_deref(), hold) {
        write_rows(o, src, &held, a, label, h)?;
    }
    if let Some(w) = writer {
        w.finish().with_context(|| "writing the forecast table")?;
    }
    if let Some(d) = parts {
        d.commit()?;
    }
    write_s += t.elapsed().as_secs_f64();
    if let Some(t) = &a.timing {
        write_timing(t, label, n, failed, [read_s, fit_s, write_s, fit_cpu_s])?;
    }
    summary(a, src, label, h, n, failed, &failures)
}

/// One series' `--explain` block, with how its model was named.
fn text_explain(text: &mut String, a: &ForecastArgs, f: &SeriesForecast) {
    let named = a.model.model.unwrap_or(ModelName::AUTO);
    let why = match a.model.model {
        Some(m) => format!("named with --model {}", m.label()),
        None => "the default model (no --model given): auto, chosen by rolling-origin evaluation (README, Models)".to_string(),
    };
    text.push_str(&report::explain(f, named.shown(&f.model), &why));
}

/// The `--timing` file (benchmark harness format).
fn write_timing(
    t: &Path,
    label: &str,
    n: usize,
    failed: usize,
    [read_s, fit_s, write_s, fit_cpu_s]: [f64; 4],
) -> anyhow::Result<()> {
    let text = format!(
        "tool,model,n_series,n_failed,read_s,fit_s,write_s,fit_cpu_s\nchipcast,{label},{n},{failed},{read_s},{fit_s},{write_s},{fit_cpu_s}\n"
    );
    chipcast::outputs::atomic::write_atomically(t, |tmp| {
        std::fs::write(tmp, &text).map_err(|e| chipcast::Error::Write {
            path: t.to_path_buf(),
            message: e.to_string(),
        })
    })?;
    Ok(())
}

/// The closing lines of a multi-series run on stderr, and its exit status; every series
/// failing is an error (and the staged outputs are discarded).
#[allow(clippy::too_many_arguments)]
fn summary(
    a: &ForecastArgs,
    src: &Source,
    label: &str,
    h: usize,
    n: usize,
    failed: usize,
    failures: &[(String, String)],
) -> anyhow::Result<u8> {
    let mut s = format!(
        "Forecast {n} series from {} with {label}, {h} steps, levels {:?}: {} fitted, {failed} failed.\n",
        src.label,
        a.model.levels,
        n - failed
    );
    for (id, e) in failures.iter().take(10) {
        let _ = writeln!(s, "  {id}: {e}");
    }
    if failed > 10 {
        let _ = writeln!(s, "  ... and {} more", failed - 10);
    }
    if failed == n {
        anyhow::bail!(
            "every series failed ({failed} of {n}); nothing was written\n{}",
            s.trim_end()
        );
    }
    if let Some(o) = &a.output {
        let _ = writeln!(s, "Wrote {}", o.display());
    }
    if let Some(d) = &a.partitions {
        let _ = writeln!(
            s,
            "Wrote {} (one Parquet file per batch of {} series)",
            d.display(),
            a.batch
        );
    }
    eprint!("{s}");
    Ok(if failed > 0 {
        super::exit::SOME_SERIES_FAILED
    } else {
        super::exit::SUCCESS
    })
}

fn write_table(
    out: &Path,
    src: &Source,
    results: &[Result<Projection, String>],
    a: &ForecastArgs,
    label: &str,
    h: usize,
) -> anyhow::Result<()> {
    let rows: Vec<Result<SeriesForecast, Failed>> = src
        .series
        .iter()
        .zip(results)
        .map(|(s, r)| match r {
            Ok(p) => Ok(p.forecast.clone()),
            Err(_) => Err(Failed {
                id: s.id().to_string(),
                end: s.end(),
            }),
        })
        .collect();
    write_rows(out, src, &rows, a, label, h)
}

fn write_rows(
    out: &Path,
    src: &Source,
    rows: &[Result<SeriesForecast, Failed>],
    a: &ForecastArgs,
    label: &str,
    h: usize,
) -> anyhow::Result<()> {
    let mut table = ForecastTable::new(
        &src.id_col,
        &src.time_col,
        src.kind,
        label,
        &a.model.levels,
        h,
        rows,
    );
    let mut meta = run_metadata(src, a, label, h);
    meta.extend(series_metadata(src.kind, rows));
    table.metadata = meta;
    table
        .write(out)
        .with_context(|| "writing the forecast table")?;
    Ok(())
}

fn single_report(a: &ForecastArgs, src: &Source, p: &Projection) -> anyhow::Result<()> {
    let series = &src.series[0];
    let f = &p.forecast;
    // a combination is shown by the name the user chose (or the default's)
    let shown = a.model.model.unwrap_or(ModelName::AUTO).shown(&f.model);
    let unit = series.unit().label();
    let mut s = String::new();
    let _ = writeln!(s, "chipcast forecast — {}", src.label);
    let _ = writeln!(
        s,
        "Unit: {unit}.{}",
        match src.as_of {
            Some(o) => format!(
                " As of {}: only data up to {} is used.",
                a.source.as_of.as_deref().unwrap_or(""),
                src.kind.format(o)
            ),
            None => String::new(),
        }
    );
    let _ = writeln!(
        s,
        "\nLast observations:\n{}",
        report::history(series, src.provenance.as_deref(), 6)
    );
    if a.model.model.is_none() && src.builtin.is_some() {
        let seasonal = f.season_test.as_ref().is_some_and(|t| t.seasonal);
        let note = if seasonal {
            AUTO_NOTE_SEASONAL
        } else {
            AUTO_NOTE
        };
        let _ = writeln!(s, "\n{note}");
    }
    let named = SeriesForecast {
        model: shown.to_string(),
        ..f.clone()
    };
    let _ = writeln!(s, "\n{}", report::model(&named));
    let levels: Vec<String> = f.levels.iter().map(|l| format!("{l}%")).collect();
    let _ = writeln!(
        s,
        "Forecast, {} to {} (point forecast with {} prediction intervals):\n{}",
        src.kind.format(f.periods[0]),
        src.kind.format(*f.periods.last().unwrap_or(&f.periods[0])),
        levels.join(" and "),
        report::forecast(f, src.full.first())
    );
    if let Some(note) = months_note(
        a.source.as_of.as_deref(),
        src,
        f,
        Some(a.target.unwrap_or(1000.0)),
        a.model.model,
    ) {
        let _ = writeln!(s, "{note}");
    }
    let show_milestone = src.builtin.is_some() || a.target.is_some();
    let target = a.target.unwrap_or(1000.0);
    let by = a.by.unwrap_or(2030);
    let annual = matches!(src.kind, TimeKind::Integer | TimeKind::AnnualDate { .. });
    if show_milestone && !annual {
        let _ = writeln!(
            s,
            "\n(The milestone report needs an annual series; this one is {}.)",
            src.kind.describe()
        );
    }
    if show_milestone && annual {
        let sim = Simulation {
            paths: a.model.paths,
            seed: a.model.seed,
        };
        let progress = Progress::new(sim.paths as u64, "paths", "simulate");
        let m = milestone_with(series, p.model.as_ref(), target, by, sim, &|| {
            progress.inc(1)
        });
        progress.finish();
        let last = series.values()[series.len() - 1];
        let _ = writeln!(
            s,
            "\n{}",
            report::milestone(
                &m,
                f,
                last,
                unit,
                if src.builtin.is_some() {
                    "year"
                } else {
                    "period"
                }
            )
        );
    }
    if let Some(c) = &a.chart {
        let later = src
            .full
            .first()
            .filter(|full| full.end() > series.end())
            .and_then(|full| full.since(series.end() + 1).ok());
        let chart = FanChart {
            model_label: shown.to_string(),
            title: format!("{}: history and {shown} forecast", series_title(src)),
            subtitle: format!(
                "{} · intervals {} · fitted {}–{}{}",
                f.description
                    .split(" of: ")
                    .next()
                    .and_then(|d| d.split(" (").next())
                    .unwrap_or(&f.description),
                levels.join("/"),
                src.kind.format(f.train_start),
                src.kind.format(f.train_end),
                src.as_of
                    .map(|o| format!(" · as of {}", src.kind.format(o)))
                    .unwrap_or_default()
            ),
            y_label: unit.to_string(),
            x_label: if src.builtin.is_some() {
                "year".into()
            } else {
                src.time_col.clone()
            },
            history: series,
            later_actuals: later.as_ref(),
            forecast: f,
            // an annual target on a monthly or quarterly axis would flatten the chart
            threshold: (show_milestone && annual).then(|| {
                (
                    target,
                    if src.builtin.is_some() && a.target.is_none() {
                        "$1T (1,000 USD bn)".to_string()
                    } else {
                        format!("target {}", report::num(target))
                    },
                )
            }),
            as_of: src
                .as_of
                .map(|o| (o, format!("as of {} ", src.kind.format(o)))),
            footnote: format!(
                "Source: {}. Chart: chipcast {}.",
                src.source_tag,
                env!("CARGO_PKG_VERSION")
            ),
        };
        chart.write(c).with_context(|| "drawing the chart")?;
        let _ = writeln!(s, "Chart written to {}", c.display());
    }
    if let Some(o) = &a.output {
        let _ = writeln!(s, "Forecast table written to {}", o.display());
    }
    print(&s)
}

/// For a built-in annual series: when months of the next year are known (up to `as_of`), its
/// nowcast beside this forecast, so the annual model's view never hides the months in hand.
/// With a `target`, the nowcast's own chance of reaching it is added.
pub(crate) fn months_note(
    as_of: Option<&str>,
    src: &Source,
    f: &SeriesForecast,
    target: Option<f64>,
    model: Option<ModelName>,
) -> Option<String> {
    let name = src.builtin.as_ref()?;
    if !matches!(src.kind, TimeKind::Integer) {
        return None;
    }
    let monthly = builtin::series(&format!("{name}-monthly")).ok()?.series;
    let cut = match as_of {
        None => monthly.end(),
        Some(text) => resolve::as_of_month(text)?,
    };
    let last = src.series.first()?.end();
    let n = nowcast_after(last, &monthly, cut, &[95.0]).ok()??;
    let (_, lo, hi) = n.intervals[0];
    let m = TimeKind::YearMonth.format(n.year * 12 + i64::from(n.known) - 1);
    let model_part = f
        .periods
        .iter()
        .position(|&p| p == n.year)
        .and_then(|i| {
            let iv = f
                .forecast
                .intervals
                .iter()
                .max_by(|x, y| x.level.total_cmp(&y.level))?;
            let (mlo, mhi) = (iv.lower[i], iv.upper[i]);
            let side = if n.point > mhi {
                "above"
            } else if n.point < mlo {
                "below"
            } else {
                "inside"
            };
            Some(format!(
                ", {side} this model's {}% interval for {} ({}–{})",
                iv.level,
                n.year,
                report::num(mlo),
                report::num(mhi)
            ))
        })
        .unwrap_or_default();
    // only where the target is in play: not for a region far below it, nor a year far above
    let odds = target
        .filter(|&t| (0.001..=0.999).contains(&n.p_at_least(t)))
        .map(|t| {
            format!(
                " By the nowcast's own error record, P({} ≥ {}) = {}.",
                n.year,
                report::num(t),
                report::pct(n.p_at_least(t))
            )
        })
        .unwrap_or_default();
    Some(format!(
        "\nMonths of {y} are known to {m} ({k} months, {sum} USD bn so far). The {method} nowcast of {y} is {p} \
         (95%: {lo}–{hi}){model_part}.{odds} {ignores}",
        y = n.year,
        k = n.known,
        sum = report::num(n.known_sum),
        method = n.method.name(),
        p = report::num(n.point),
        lo = report::num(lo),
        hi = report::num(hi),
        ignores = super::market::ignores_months(
            model.unwrap_or(ModelName::AUTO).shown(&f.model),
            n.known,
            n.year
        ),
    ))
}

/// Chart title for the series: the built-in name in words, or the input id.
pub(crate) fn series_title(src: &Source) -> String {
    match src.builtin.as_deref() {
        Some("worldwide") => "Worldwide semiconductor sales".to_string(),
        Some(region) => format!("Semiconductor sales, {region}"),
        None => format!("Series {}", src.series[0].id()),
    }
}

/// Whether `forecast` answers with the market model: a built-in annual series with the
/// default model, model intervals and the whole history (`--since` fits a window of years).
fn uses_market_model(a: &ForecastArgs, src: &Source) -> bool {
    src.builtin.is_some()
        && src.kind == TimeKind::Integer
        && a.model.model.is_none()
        && a.model.regressors.is_none()
        && a.intervals != Intervals::Conformal
        && a.source.since.is_none()
}

/// Said when the built-in data is forecast with the market model.
pub(crate) const MARKET_NOTE: &str = "Default model: the market model, one set of sample paths of monthly billings from every month of data, summed to calendar years (the current year's known months kept as known); the same paths answer `milestone`, `vintages` and `nowcast`. It was chosen by the month-end backtest that `chipcast backtest --market` prints (README, Market intelligence). --model NAME fits a single annual model to complete years instead.";

fn market_forecast(a: &ForecastArgs, src: &Source, until: i64) -> anyhow::Result<()> {
    let name = src.builtin.as_deref().unwrap_or("worldwide");
    let data = super::market::data(name)?;
    let cut = super::market::cut(a.source.as_of.as_deref(), &data)?;
    let sim = Simulation {
        paths: a.model.paths,
        seed: a.model.seed,
    };
    let p = super::market::paths(&data, cut, sim)?;
    if until < p.first_year || until > p.last_year {
        anyhow::bail!(
            "the market model forecasts {} to {}; give --until or --horizon within them",
            p.first_year,
            p.last_year
        );
    }
    let series = &src.series[0];
    let target = a.target.unwrap_or(1000.0);
    let by = a.by.unwrap_or(2030);
    if by > p.last_year {
        anyhow::bail!(
            "--by {by} is after the market model's last year {}",
            p.last_year
        );
    }
    let f = super::market::series_forecast(&p, series.id(), until, &a.model.levels);
    let unit = series.unit().label();
    let mut s = String::new();
    let _ = writeln!(s, "chipcast forecast — {}", src.label);
    let _ = writeln!(
        s,
        "Unit: {unit}. Monthly billings to {} are used{}.",
        TimeKind::YearMonth.format(cut),
        match src.as_of {
            Some(_) => format!(
                " (as of {}; complete years to {})",
                a.source.as_of.as_deref().unwrap_or(""),
                series.end()
            ),
            None => String::new(),
        }
    );
    let _ = writeln!(
        s,
        "\nLast complete years:\n{}",
        report::history(series, src.provenance.as_deref(), 6)
    );
    let _ = writeln!(s, "\n{MARKET_NOTE}");
    let _ = writeln!(s, "\nModel: {}", f.description);
    let levels: Vec<String> = f.levels.iter().map(|l| format!("{l}%")).collect();
    let _ = writeln!(
        s,
        "\nForecast, {} to {} (median of the paths with {} intervals; {} has {} known month(s), {} {unit}):\n{}",
        p.first_year,
        until,
        levels.join(" and "),
        p.first_year,
        p.known_months,
        report::num(p.known_sum),
        report::forecast(&f, src.full.first())
    );
    let _ = writeln!(
        s,
        "{}",
        chipcast::outputs::market::headline(&p, target, by, unit)
    );
    let m = p.milestone(target, by);
    if let (Some(g), Some((y, v))) = (m.required_growth, p.history.last()) {
        let _ = writeln!(
            s,
            "Constant growth needed from {y} ({}) to reach {} in {by}: {}/year.",
            report::num(*v),
            report::num(target),
            report::pct(g)
        );
    }
    if let Some(c) = &a.chart {
        let later = src
            .full
            .first()
            .filter(|full| full.end() > series.end())
            .and_then(|full| full.since(series.end() + 1).ok());
        FanChart {
            model_label: "market model".to_string(),
            title: format!("{}: history and market-model forecast", series_title(src)),
            subtitle: format!(
                "{} · median and {} intervals of {} paths · monthly data to {}",
                p.candidate.name(),
                levels.join("/"),
                p.len(),
                TimeKind::YearMonth.format(cut)
            ),
            y_label: unit.to_string(),
            x_label: "year".into(),
            history: series,
            later_actuals: later.as_ref(),
            forecast: &f,
            threshold: Some((
                target,
                if a.target.is_none() {
                    "$1T (1,000 USD bn)".to_string()
                } else {
                    format!("target {}", report::num(target))
                },
            )),
            // the marker sits on the last complete year; the months after it are in the paths
            as_of: src.as_of.map(|o| {
                (
                    o,
                    format!(
                        "years to {}, months to {} ",
                        src.kind.format(o),
                        TimeKind::YearMonth.format(cut)
                    ),
                )
            }),
            footnote: format!(
                "Source: {}. Chart: chipcast {}.",
                src.source_tag,
                env!("CARGO_PKG_VERSION")
            ),
        }
        .write(c)
        .with_context(|| "drawing the chart")?;
        let _ = writeln!(s, "Chart written to {}", c.display());
    }
    if let Some(o) = &a.output {
        let label = a
            .label
            .clone()
            .unwrap_or_else(|| format!("chipcast:market:{}", p.candidate.name()));
        write_rows(o, src, &[Ok(f.clone())], a, &label, f.periods.len())?;
        let _ = writeln!(s, "Forecast table written to {}", o.display());
    }
    print(&s)
}
