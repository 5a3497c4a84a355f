//! `chipcast forecast`: clap arguments → [`chipcast::commands::forecast`] → report, JSON,
//! forecast table, chart; over many series, each batch's rows written as the library
//! hands them over, then the summary on stderr and the exit status.

use super::{JsonArg, ModelArgs, SourceArgs, print, resolve};
use anyhow::Context;
use chipcast::commands::defaults;
use chipcast::commands::forecast::{
    ForecastRequest, ForecastResult, Loaded, ManyResult, ManyRun, Row, StreamMode, load,
    run as one, run_many,
};
use chipcast::commands::model::NamedChoice;
use chipcast::outputs::atomic::AtomicDir;
use chipcast::outputs::export::ForecastWriter;
use chipcast::outputs::params::ParamsTable;
use chipcast::outputs::progress::Steps;
use chipcast::outputs::render::forecast as render;
use chipcast::scenarios::milestone::Simulation;
use chipcast::scenarios::projection::{IntervalMethod, SeriesForecast};
use clap::Args;
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
    #[arg(long, conflicts_with = "json")]
    explain: bool,
    /// Write every series' fitted parameters (long format): .csv, .json, .parquet, or -
    #[arg(long, value_name = "FILE")]
    params: Option<PathBuf>,
    /// Series fitted and written per batch when --input holds many series
    ///
    /// Memory holds one batch of results at a time; the output is the same for any batch
    /// size.
    #[arg(long, value_name = "SERIES", default_value_t = defaults::FORECAST_BATCH as u64,
          value_parser = clap::value_parser!(u64).range(1..))]
    batch: u64,
    /// Read a CSV --input of many series whole, or in blocks (twice) with bounded memory
    ///
    /// Auto streams a file that would take more than 768 MiB to read whole. Streaming needs
    /// each series' rows together (a file sorted by id) and years, months or quarters;
    /// another file is read whole.
    #[arg(long, value_enum, default_value_t = Stream::Auto)]
    stream: Stream,
    /// The `model` column's value in outputs [default: chipcast:<model>]
    #[arg(long, value_name = "TEXT")]
    label: Option<String>,
    #[command(flatten)]
    json: JsonArg,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Stream {
    /// Streamed when reading it whole would take more than 768 MiB
    Auto,
    /// Streamed whenever the file allows it
    Always,
    /// Always read whole
    Never,
}

pub(crate) fn run(a: ForecastArgs) -> anyhow::Result<u8> {
    super::check_json(a.json, &[a.output.as_deref()])?;
    if a.json.json
        && a.params
            .as_deref()
            .is_some_and(chipcast::outputs::atomic::is_stdout)
    {
        anyhow::bail!(
            "--json prints the result on standard output, so --params - cannot write the parameter table there too; give --params FILE"
        );
    }
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
    let req = ForecastRequest {
        source: resolve::source_request(&a.source),
        season_length: a.model.season_length,
        model: resolve::named(&a.model)?,
        regressors: a.model.regressors.clone(),
        levels: a.model.levels.clone(),
        allow_negative: a.model.allow_negative,
        simulation: Simulation {
            paths: a.model.paths,
            seed: a.model.seed,
        },
        intervals: match a.intervals {
            Intervals::Model => IntervalMethod::Model,
            Intervals::Conformal => IntervalMethod::Conformal,
            Intervals::Auto => IntervalMethod::Auto,
        },
        until: a.until.clone(),
        horizon: a.horizon,
        target: a.target,
        by: a.by,
        label: a.label.clone(),
        batch: usize::try_from(a.batch).unwrap_or(usize::MAX),
        chart: a.chart.is_some(),
        partitions: a.partitions.is_some(),
        stream: match a.stream {
            Stream::Auto => StreamMode::Auto,
            Stream::Always => StreamMode::Always,
            Stream::Never => StreamMode::Never,
        },
    };
    let bars = Steps::default();
    let data = load(&req, &bars)?;
    if let Some(note) = &data.note {
        eprintln!("note: {note}");
    }
    if data.uses_market_model(&req) {
        // these describe one annual model's fit; the market model's paths have none
        for (flag, asked) in [
            ("--explain", a.explain),
            ("--params", a.params.is_some()),
            ("--timing", a.timing.is_some()),
            ("--partitions", a.partitions.is_some()),
        ] {
            if asked {
                anyhow::bail!(
                    "{flag} applies to a fitted model (--model NAME, or --input files), not to the market model that forecasts the built-in series by default; add --model auto (or another model) to use {flag}, or drop it"
                );
            }
        }
    }
    if data.is_many(&req) {
        let status = many(&a, &req, &data, &bars);
        // the process ends next: freeing every series one by one (48 ms for 500,000) is
        // work the operating system does at once when it reclaims the memory
        std::mem::forget(data);
        return status;
    }
    let r = one(&req, &data, &bars)?;
    // the market model's answer has no --explain, --params or --timing (refused above)
    if r.method != "market" {
        if let Some(path) = &a.params {
            ParamsTable::new(&r.id_col, &[&r.forecast])
                .write(path)
                .with_context(|| "writing the parameter table")?;
        }
        if a.explain {
            print(&render::explain(&r.forecast, req.model.as_ref()))?;
        }
    }
    let t_write = Instant::now();
    if let Some(out) = &a.output {
        render::table(&r)
            .write(out)
            .with_context(|| "writing the forecast table")?;
    }
    let write_s = t_write.elapsed().as_secs_f64();
    if let (Some(t), true) = (&a.timing, r.method != "market") {
        write_timing(t, &render::timing(&r.table_label, 1, 0, &r.timing, write_s))?;
    }
    finish_one(&a, &r)?;
    Ok(super::exit::SUCCESS)
}

/// The chart, then the report (or the JSON document) of a one-series run.
fn finish_one(a: &ForecastArgs, r: &ForecastResult) -> anyhow::Result<()> {
    if let Some(c) = &a.chart {
        render::chart(r)
            .write(c)
            .with_context(|| "drawing the chart")?;
    }
    super::emit(
        r,
        a.json,
        render::report,
        &[
            ("Chart", a.chart.as_deref()),
            ("Forecast table", a.output.as_deref()),
        ],
    )
}

/// Where a run over many series writes each batch: `-o` (held to the end for a run small
/// enough to carry per-series keys, else streamed), one `--partitions` file per batch, and
/// what `--params` and `--explain` collect.
struct Sink<'a> {
    /// The run, as its first batch names it.
    run: Option<ManyRun>,
    output: Option<&'a Path>,
    parts: Option<AtomicDir>,
    held: Vec<Row>,
    writer: Option<ForecastWriter>,
    params: Option<Vec<SeriesForecast>>,
    explain: Option<(String, Option<&'a NamedChoice>)>,
    write_s: f64,
}

impl Sink<'_> {
    fn batch(&mut self, run: &ManyRun, k: usize, rows: &[Row]) -> anyhow::Result<()> {
        let t = Instant::now();
        if self.run.is_none() {
            self.run = Some(run.clone());
        }
        for r in rows {
            match r {
                Ok(f) => {
                    if let Some((text, model)) = &mut self.explain {
                        text.push_str(&render::explain(f, *model));
                    }
                    if let Some(params) = &mut self.params {
                        params.push(f.clone());
                    }
                }
                Err(failed) => {
                    if let Some((text, _)) = &mut self.explain {
                        text.push_str(&render::explain_failed(failed));
                    }
                }
            }
        }
        if self.output.is_some() || self.parts.is_some() {
            // the table's shape alone (no rows): each writer lays the rows out itself
            let empty = render::rows_table(run, &[]);
            let append = |w: &mut ForecastWriter| {
                w.append_results(&run.id_col, &run.time_col, run.horizon, rows)
            };
            match self.output {
                Some(_) if run.holds() => self.held.extend(rows.iter().cloned()),
                Some(o) => {
                    if self.writer.is_none() {
                        let mut first = empty.clone();
                        first.metadata = run.streamed_metadata();
                        self.writer = Some(
                            ForecastWriter::create(o, &first)
                                .with_context(|| "writing the forecast table")?,
                        );
                    }
                    if let Some(w) = self.writer.as_mut() {
                        append(w).with_context(|| "writing the forecast table")?;
                    }
                }
                None => {}
            }
            if let Some(d) = &self.parts {
                let path = d.temp_path().join(format!("part-{k:05}.parquet"));
                let mut part = empty;
                part.metadata = run.table_metadata(rows);
                let mut w = ForecastWriter::create_part(&path, &part)?;
                append(&mut w)?;
                w.finish()
                    .with_context(|| "writing the partitioned forecast table")?;
            }
        }
        self.write_s += t.elapsed().as_secs_f64();
        Ok(())
    }
}

/// Many series: the library fits them batch by batch and [`Sink`] writes each batch;
/// then `--params`, `--explain`, the held or streamed table, the partitions, `--timing`
/// and the summary (stderr). Every series failing is an error (the staged outputs are
/// discarded).
fn many(
    a: &ForecastArgs,
    req: &ForecastRequest,
    data: &Loaded,
    bars: &Steps,
) -> anyhow::Result<u8> {
    let mut sink = Sink {
        run: None,
        output: a.output.as_deref(),
        parts: a.partitions.as_deref().map(AtomicDir::create).transpose()?,
        held: Vec::new(),
        writer: None,
        params: a.params.as_ref().map(|_| Vec::new()),
        explain: a.explain.then(|| (String::new(), req.model.as_ref())),
        write_s: 0.0,
    };
    let m: ManyResult = run_many(
        req,
        data,
        &mut |run, k, rows| sink.batch(run, k, rows),
        bars,
    )?;
    if let (Some(path), Some(params)) = (&a.params, &sink.params) {
        let ok: Vec<&SeriesForecast> = params.iter().collect();
        ParamsTable::new(&data.source.id_col, &ok)
            .write(path)
            .with_context(|| "writing the parameter table")?;
    }
    if let Some((text, _)) = &sink.explain {
        print(text)?;
    }
    let t = Instant::now();
    if let (Some(o), Some(run)) = (sink.output, &sink.run) {
        if run.holds() {
            let mut table = render::rows_table(run, &sink.held);
            table.metadata = run.table_metadata(&sink.held);
            table
                .write(o)
                .with_context(|| "writing the forecast table")?;
        }
    }
    if let Some(w) = sink.writer.take() {
        w.finish().with_context(|| "writing the forecast table")?;
    }
    if let Some(d) = sink.parts.take() {
        d.commit()?;
    }
    let write_s = sink.write_s + t.elapsed().as_secs_f64();
    if let Some(t) = &a.timing {
        write_timing(
            t,
            &render::timing(&m.model, m.n_series, m.n_failed, &m.timing, write_s),
        )?;
    }
    let mut s = render::summary(&m);
    if m.exit_status() == super::exit::ERROR {
        anyhow::bail!(
            "every series failed ({} of {}); nothing was written\n{}",
            m.n_failed,
            m.n_series,
            s.trim_end()
        );
    }
    if let Some(o) = &a.output {
        s.push_str(&format!("Wrote {}\n", o.display()));
    }
    if let Some(d) = &a.partitions {
        s.push_str(&format!(
            "Wrote {} (one Parquet file per batch of {} series)\n",
            d.display(),
            a.batch
        ));
    }
    eprint!("{s}");
    if a.json.json {
        super::print_raw(&format!("{}\n", serde_json::to_string_pretty(&m)?))?;
    }
    Ok(m.exit_status())
}

/// Write the `--timing` file.
fn write_timing(t: &Path, text: &str) -> anyhow::Result<()> {
    chipcast::outputs::atomic::write_atomically(t, |tmp| {
        std::fs::write(tmp, text).map_err(|e| chipcast::Error::Write {
            path: t.to_path_buf(),
            message: e.to_string(),
        })
    })?;
    Ok(())
}
