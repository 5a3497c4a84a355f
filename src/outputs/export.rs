//! Tidy forecast tables: `unique_id, ds, model, mean, lo80, hi80, lo95, hi95` (one
//! lo/hi pair per requested level), written as CSV, JSON records or Parquet with
//! provenance metadata. One format per function, chosen by the file extension.

use super::atomic::{AtomicFile, is_stdout, write_stdout};
use crate::error::{Error, Result};
use crate::scenarios::projection::SeriesForecast;
use crate::series::TimeKind;
use polars::prelude::*;
use std::io::Write;
use std::path::Path;

/// One output row; `None` values are written empty (series that could not be fitted).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Series id.
    pub id: String,
    /// Period ordinal.
    pub period: i64,
    /// Point forecast.
    pub mean: Option<f64>,
    /// (lower, upper) per level, in level order.
    pub bounds: Vec<Option<(f64, f64)>>,
}

/// A long forecast table ready to write.
#[derive(Debug, Clone)]
pub struct ForecastTable {
    /// Name of the id column (the input's).
    pub id_col: String,
    /// Name of the time column (the input's).
    pub time_col: String,
    /// Time kind of every row.
    pub kind: TimeKind,
    /// Constant model label, e.g. `chipcast:drift`.
    pub model_label: String,
    /// Levels, percent.
    pub levels: Vec<f64>,
    /// Rows.
    pub rows: Vec<Row>,
    /// Key-value metadata (Parquet file metadata).
    pub metadata: Vec<(String, String)>,
}

pub use crate::scenarios::projection::Failed;

/// `lo80`/`hi80` style column names for a level (97.5 → `lo97.5`).
pub fn level_name(level: f64) -> String {
    format!("{level}")
}

impl ForecastTable {
    /// Build from per-series results, in input order.
    pub fn new(
        id_col: &str,
        time_col: &str,
        kind: TimeKind,
        model_label: &str,
        levels: &[f64],
        horizon: usize,
        results: &[std::result::Result<SeriesForecast, Failed>],
    ) -> Self {
        let mut rows = Vec::new();
        for r in results {
            match r {
                Ok(f) => {
                    for (k, &period) in f.periods.iter().enumerate() {
                        rows.push(Row {
                            id: f.id.clone(),
                            period,
                            mean: Some(f.forecast.point[k]),
                            bounds: f
                                .forecast
                                .intervals
                                .iter()
                                .map(|iv| Some((iv.lower[k], iv.upper[k])))
                                .collect(),
                        });
                    }
                }
                Err(failed) => {
                    for k in 1..=horizon as i64 {
                        rows.push(Row {
                            id: failed.id.clone(),
                            period: failed.end + k,
                            mean: None,
                            bounds: vec![None; levels.len()],
                        });
                    }
                }
            }
        }
        Self {
            id_col: id_col.into(),
            time_col: time_col.into(),
            kind,
            model_label: model_label.into(),
            levels: levels.to_vec(),
            rows,
            metadata: Vec::new(),
        }
    }

    /// Column names in output order.
    pub fn header(&self) -> Vec<String> {
        let mut h = vec![
            self.id_col.clone(),
            self.time_col.clone(),
            "model".into(),
            "mean".into(),
        ];
        for l in &self.levels {
            h.push(format!("lo{}", level_name(*l)));
            h.push(format!("hi{}", level_name(*l)));
        }
        h
    }

    /// Write by extension: `.csv`, `.json` or `.parquet`, or CSV to standard output for
    /// `-`. Atomic: a failure leaves no file.
    pub fn write(&self, path: &Path) -> Result<()> {
        let mut w = ForecastWriter::create(path, self)?;
        w.append(self)?;
        w.finish()
    }

    /// The same table with no rows (the header, kind, levels and metadata).
    pub fn empty_like(&self) -> Self {
        Self {
            id_col: self.id_col.clone(),
            time_col: self.time_col.clone(),
            kind: self.kind,
            model_label: self.model_label.clone(),
            levels: self.levels.clone(),
            rows: Vec::new(),
            metadata: self.metadata.clone(),
        }
    }

    /// The table as a typed polars DataFrame (text id, Int64 or Date `ds`, Float64 values).
    pub fn to_dataframe(&self) -> PolarsResult<DataFrame> {
        let mut cols = Columns::with_capacity(self.levels.len(), self.rows.len());
        for r in &self.rows {
            cols.push(&r.id, r.period, r.mean, r.bounds.iter().copied());
        }
        cols.frame(&self.header(), self.kind, &self.model_label)
    }
}

/// The columns of a forecast table, filled row by row without a [`Row`] per row.
struct Columns<'a> {
    ids: Vec<&'a str>,
    periods: Vec<i64>,
    mean: Vec<Option<f64>>,
    /// (lower, upper) per level.
    bounds: Vec<(Bound, Bound)>,
}

/// One bound column: `None` for a series that could not be fitted.
type Bound = Vec<Option<f64>>;

impl<'a> Columns<'a> {
    fn with_capacity(levels: usize, rows: usize) -> Self {
        Self {
            ids: Vec::with_capacity(rows),
            periods: Vec::with_capacity(rows),
            mean: Vec::with_capacity(rows),
            bounds: (0..levels)
                .map(|_| (Vec::with_capacity(rows), Vec::with_capacity(rows)))
                .collect(),
        }
    }

    fn push(
        &mut self,
        id: &'a str,
        period: i64,
        mean: Option<f64>,
        bounds: impl Iterator<Item = Option<(f64, f64)>>,
    ) {
        self.ids.push(id);
        self.periods.push(period);
        self.mean.push(mean);
        for (col, b) in self.bounds.iter_mut().zip(bounds) {
            col.0.push(b.map(|b| b.0));
            col.1.push(b.map(|b| b.1));
        }
    }

    /// The rows of per-series results, as [`ForecastTable::new`] lays them out: each
    /// column in its own pass, the columns on every core.
    fn of_results(
        levels: usize,
        horizon: usize,
        results: &'a [std::result::Result<SeriesForecast, Failed>],
    ) -> Self {
        use rayon::prelude::*;
        let rows = results.len() * horizon;
        // per row of a fitted series (its step k) the cell, and `None` for a failed one
        let values = |cell: &(dyn Fn(&SeriesForecast, usize) -> Option<f64> + Sync)| {
            let mut out: Vec<Option<f64>> = Vec::with_capacity(rows);
            for r in results {
                match r {
                    Ok(f) => out.extend((0..f.periods.len()).map(|k| cell(f, k))),
                    Err(_) => out.extend(std::iter::repeat_n(None, horizon)),
                }
            }
            out
        };
        let ids = || {
            let mut out: Vec<&'a str> = Vec::with_capacity(rows);
            for r in results {
                match r {
                    Ok(f) => out.extend(std::iter::repeat_n(f.id.as_str(), f.periods.len())),
                    Err(failed) => out.extend(std::iter::repeat_n(failed.id.as_str(), horizon)),
                }
            }
            out
        };
        let periods = || {
            let mut out: Vec<i64> = Vec::with_capacity(rows);
            for r in results {
                match r {
                    Ok(f) => out.extend_from_slice(&f.periods),
                    Err(failed) => out.extend((1..=horizon as i64).map(|k| failed.end + k)),
                }
            }
            out
        };
        let bound = |i: usize, upper: bool| {
            values(&move |f, k| {
                f.forecast
                    .intervals
                    .get(i)
                    .map(|iv| if upper { iv.upper[k] } else { iv.lower[k] })
            })
        };
        let ((ids, periods), (mean, bounds)) = rayon::join(
            || rayon::join(ids, periods),
            || {
                rayon::join(
                    || values(&|f, k| Some(f.forecast.point[k])),
                    || {
                        (0..levels)
                            .into_par_iter()
                            .map(|i| rayon::join(|| bound(i, false), || bound(i, true)))
                            .collect::<Vec<_>>()
                    },
                )
            },
        );
        Self {
            ids,
            periods,
            mean,
            bounds,
        }
    }

    fn frame(self, header: &[String], kind: TimeKind, label: &str) -> PolarsResult<DataFrame> {
        use rayon::prelude::*;
        let n = self.ids.len();
        let Self {
            ids,
            periods,
            mean,
            bounds,
        } = self;
        // the columns are independent: built on every core
        let ds = || -> PolarsResult<Column> {
            match kind {
                TimeKind::Integer => Ok(Column::new(header[1].as_str().into(), periods)),
                kind => Column::new(
                    header[1].as_str().into(),
                    periods
                        .iter()
                        .map(|&p| kind.epoch_days(p).unwrap_or(0) as i32)
                        .collect::<Vec<i32>>(),
                )
                .cast(&DataType::Date),
            }
        };
        let mut values = vec![("mean".to_string(), mean)];
        for (i, (lo, hi)) in bounds.into_iter().enumerate() {
            values.push((header[4 + 2 * i].clone(), lo));
            values.push((header[5 + 2 * i].clone(), hi));
        }
        let ((id, ds), (model, values)) = rayon::join(
            || rayon::join(|| Column::new(header[0].as_str().into(), ids), ds),
            || {
                rayon::join(
                    || Column::new("model".into(), vec![label; n]),
                    || {
                        values
                            .into_par_iter()
                            .map(|(name, v)| Column::new(name.as_str().into(), v))
                            .collect::<Vec<Column>>()
                    },
                )
            },
        );
        let mut cols = vec![id, ds?, model];
        cols.extend(values);
        DataFrame::new_infer_height(cols)
    }
}

enum Sink {
    Csv(std::io::BufWriter<std::fs::File>),
    /// CSV for standard output (`-`), held until [`ForecastWriter::finish`].
    Stdout(Vec<u8>),
    Json {
        w: std::io::BufWriter<std::fs::File>,
        records: usize,
    },
    Parquet(Box<ParquetSink>),
}

/// polars' batched Parquet writer on a thread of its own, fed one batch's frame at a time:
/// the caller fits the next batch while this one is encoded, compressed and written (at
/// most one frame waits in the channel, so memory still holds about one batch). A write
/// error stops the thread and is returned by the next [`ParquetSink::write`] or by
/// [`ParquetSink::finish`].
struct ParquetSink {
    tx: Option<std::sync::mpsc::SyncSender<DataFrame>>,
    worker: Option<std::thread::JoinHandle<PolarsResult<ParquetEncoder>>>,
}

impl ParquetSink {
    fn new(
        writer: polars::io::parquet::write::BatchedWriter<std::fs::File>,
    ) -> std::io::Result<Self> {
        let mut encoder = ParquetEncoder::new(writer);
        let (tx, rx) = std::sync::mpsc::sync_channel::<DataFrame>(1);
        let worker = std::thread::Builder::new()
            .name("chipcast-parquet".into())
            .spawn(move || {
                for df in rx {
                    encoder.write(&df)?;
                }
                Ok(encoder)
            })?;
        Ok(Self {
            tx: Some(tx),
            worker: Some(worker),
        })
    }

    /// Hand `df` to the writer thread; if the thread has stopped, its error.
    fn write(&mut self, df: DataFrame) -> PolarsResult<()> {
        if let Some(tx) = &self.tx {
            if tx.send(df).is_ok() {
                return Ok(());
            }
        }
        match self.join() {
            Err(e) => Err(e),
            Ok(_) => Err(polars_err!(ComputeError: "the Parquet writer stopped")),
        }
    }

    /// Close the channel and wait for the thread to write what it holds.
    fn join(&mut self) -> PolarsResult<ParquetEncoder> {
        self.tx = None;
        match self.worker.take() {
            Some(h) => h
                .join()
                .unwrap_or_else(|_| Err(polars_err!(ComputeError: "the Parquet writer panicked"))),
            None => Err(polars_err!(ComputeError: "the Parquet writer stopped")),
        }
    }

    /// Write every frame handed over, then the footer.
    fn finish(mut self) -> PolarsResult<()> {
        self.join()?.writer.finish()?;
        Ok(())
    }
}

impl Drop for ParquetSink {
    /// An unfinished sink (a failed run) still waits for its thread, so that nothing
    /// writes to the temporary file after the run has discarded it.
    fn drop(&mut self) {
        self.tx = None;
        if let Some(h) = self.worker.take() {
            let _ = h.join();
        }
    }
}

/// polars' batched Parquet writer, fed row groups that are encoded and compressed here on
/// every core. `BatchedWriter::write_batch` encodes the columns in parallel but compresses
/// their pages one after another as it writes them, and compression was the largest serial
/// cost of a many-series run (benches/README.md, "Session 9"). Same options, encodings
/// and page layout as `write_batch`, so the same bytes.
struct ParquetEncoder {
    writer: polars::io::parquet::write::BatchedWriter<std::fs::File>,
    fields: Vec<polars_parquet::write::ParquetType>,
    encodings: Vec<Vec<polars_parquet::write::Encoding>>,
    options: polars_parquet::write::WriteOptions,
}

impl ParquetEncoder {
    fn new(writer: polars::io::parquet::write::BatchedWriter<std::fs::File>) -> Self {
        let (fields, encodings, options) = {
            let file = writer
                .get_writer()
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            (
                file.parquet_schema().fields().to_vec(),
                file.schema()
                    .iter_values()
                    .map(|f| polars_parquet::write::get_dtype_encoding(&f.dtype))
                    .collect(),
                file.options(),
            )
        };
        Self {
            writer,
            fields,
            encodings,
            options,
        }
    }

    /// One row group per chunk of `df`, each column's pages encoded and compressed on
    /// every core, then written in column order.
    fn write(&mut self, df: &DataFrame) -> PolarsResult<()> {
        use polars_parquet::write::{CompressedPage, array_to_columns, compress};
        use rayon::prelude::*;
        let options = self.options;
        for batch in df.iter_chunks(CompatLevel::newest(), false) {
            let rows = batch.len();
            if rows == 0 {
                continue;
            }
            let per_column = batch
                .columns()
                .par_iter()
                .zip(self.fields.par_iter())
                .zip(self.encodings.par_iter())
                .map(|((array, field), encoding)| {
                    array_to_columns(array, field.clone(), options, encoding)?
                        .into_iter()
                        .map(|pages| {
                            pages
                                .map(|page| Ok(compress(page?, Vec::new(), options.compression)?))
                                .collect::<PolarsResult<Vec<CompressedPage>>>()
                        })
                        .collect::<PolarsResult<Vec<_>>>()
                })
                .collect::<PolarsResult<Vec<_>>>()?;
            let leaves: Vec<Vec<CompressedPage>> = per_column.into_iter().flatten().collect();
            self.writer.write_row_group(rows as u64, &leaves)?;
        }
        Ok(())
    }
}

/// A [`ForecastTable`] written batch by batch, so that a run over many series never holds
/// all its rows: CSV and JSON byte for byte as one [`ForecastTable::write`] of all the rows
/// would write them, Parquet with the same columns, types and metadata (one row group per
/// batch). Atomic: nothing reaches the target before [`ForecastWriter::finish`], and a
/// writer dropped unfinished leaves the target untouched.
pub struct ForecastWriter {
    /// Before `file`: fields drop in order, and a Parquet sink's thread is done with the
    /// temporary file before the file is removed.
    sink: Sink,
    /// `None` for a part written straight into an [`super::atomic::AtomicDir`].
    file: Option<AtomicFile>,
    path: std::path::PathBuf,
    header: Vec<String>,
    label: String,
    kind: TimeKind,
    levels: Vec<f64>,
}

impl std::fmt::Debug for ForecastWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ForecastWriter")
            .field("path", &self.path)
            .finish()
    }
}

impl ForecastWriter {
    /// Start writing to `path` (by extension: `.csv`, `.json` or `.parquet`) a table shaped
    /// like `template` (its columns, kind, label, levels and metadata; its rows are not
    /// written).
    pub fn create(path: &Path, template: &ForecastTable) -> Result<Self> {
        Self::open(path, template, true)
    }

    /// [`ForecastWriter::create`] without a temporary file of its own: for a part of a
    /// partitioned table, written inside a directory that is itself put in place whole
    /// ([`super::atomic::AtomicDir`]).
    pub fn create_part(path: &Path, template: &ForecastTable) -> Result<Self> {
        Self::open(path, template, false)
    }

    fn open(path: &Path, template: &ForecastTable, atomic: bool) -> Result<Self> {
        let header = template.header();
        if is_stdout(path) {
            let mut bytes = Vec::new();
            csv_header(&mut bytes, &header).map_err(|x| werr(path, x.to_string()))?;
            return Ok(Self {
                file: None,
                sink: Sink::Stdout(bytes),
                path: path.into(),
                header,
                label: template.model_label.clone(),
                kind: template.kind,
                levels: template.levels.clone(),
            });
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if !matches!(ext.as_str(), "csv" | "json" | "parquet") {
            return Err(Error::Write {
                path: path.into(),
                message: format!(
                    "unsupported output extension {ext:?}; valid: .csv, .json, .parquet"
                ),
            });
        }
        let file = if atomic {
            Some(AtomicFile::create(path)?)
        } else {
            None
        };
        let e = |m: String| werr(path, m);
        let target = file.as_ref().map_or(path, |f| f.temp_path()).to_path_buf();
        let open = || std::fs::File::create(&target).map_err(|x| e(x.to_string()));
        let sink = match ext.as_str() {
            "csv" => {
                let mut w = std::io::BufWriter::with_capacity(1 << 20, open()?);
                csv_header(&mut w, &header).map_err(|x| e(x.to_string()))?;
                Sink::Csv(w)
            }
            "json" => Sink::Json {
                w: std::io::BufWriter::with_capacity(1 << 20, open()?),
                records: 0,
            },
            _ => {
                let empty = template
                    .empty_like()
                    .to_dataframe()
                    .map_err(|x| e(x.to_string()))?;
                // the same keys in the footer and in the Arrow schema (see `super::parquet`)
                let metadata = super::parquet::with_pandas_attrs(&template.metadata);
                let mut kv = vec![(
                    super::parquet::ARROW_SCHEMA_KEY.to_string(),
                    super::parquet::arrow_schema_value(&empty, &metadata),
                )];
                kv.extend(metadata);
                let w = ParquetWriter::new(open()?)
                    .with_compression(ParquetCompression::Zstd(None))
                    .with_statistics(StatisticsOptions::default())
                    .with_key_value_metadata(Some(KeyValueMetadata::from_static(kv)))
                    .batched(empty.schema())
                    .map_err(|x| e(x.to_string()))?;
                Sink::Parquet(Box::new(ParquetSink::new(w).map_err(|x| e(x.to_string()))?))
            }
        };
        Ok(Self {
            file,
            sink,
            path: path.into(),
            header,
            label: template.model_label.clone(),
            kind: template.kind,
            levels: template.levels.clone(),
        })
    }

    /// Append the rows of per-series `results` (`horizon` rows each), as [`ForecastWriter::append`]
    /// of [`ForecastTable::new`] of them would; Parquet straight from the results' columns,
    /// with no [`Row`] per row.
    pub fn append_results(
        &mut self,
        id_col: &str,
        time_col: &str,
        horizon: usize,
        results: &[std::result::Result<SeriesForecast, Failed>],
    ) -> Result<()> {
        if let Sink::Parquet(w) = &mut self.sink {
            if results.is_empty() {
                return Ok(());
            }
            let df = Columns::of_results(self.levels.len(), horizon, results)
                .frame(&self.header, self.kind, &self.label)
                .map_err(|x| werr(&self.path, x.to_string()))?;
            return w.write(df).map_err(|x| werr(&self.path, x.to_string()));
        }
        let table = ForecastTable::new(
            id_col,
            time_col,
            self.kind,
            &self.label,
            &self.levels,
            horizon,
            results,
        );
        self.append(&table)
    }

    /// Append the rows of `table` (same columns as the template).
    pub fn append(&mut self, table: &ForecastTable) -> Result<()> {
        let path = self.path.clone();
        let e = |m: String| werr(&path, m);
        match &mut self.sink {
            Sink::Csv(w) => csv_rows(w, &self.label, table).map_err(|x| e(x.to_string()))?,
            Sink::Stdout(bytes) => {
                csv_rows(bytes, &self.label, table).map_err(|x| e(x.to_string()))?
            }
            Sink::Json { w, records } => {
                for r in &table.rows {
                    let text = json_record(&self.header, table, r).map_err(|x| e(x.to_string()))?;
                    let sep: &[u8] = if *records == 0 { b"[\n" } else { b",\n" };
                    (|| -> std::io::Result<()> {
                        w.write_all(sep)?;
                        for (i, line) in text.lines().enumerate() {
                            if i > 0 {
                                w.write_all(b"\n")?;
                            }
                            w.write_all(b"  ")?;
                            w.write_all(line.as_bytes())?;
                        }
                        Ok(())
                    })()
                    .map_err(|x| e(x.to_string()))?;
                    *records += 1;
                }
            }
            Sink::Parquet(w) => {
                if !table.rows.is_empty() {
                    let df = table.to_dataframe().map_err(|x| e(x.to_string()))?;
                    w.write(df).map_err(|x| e(x.to_string()))?;
                }
            }
        }
        Ok(())
    }

    /// Finish the file and rename it over the target (at the run's commit when a
    /// [`super::atomic::Staging`] is active).
    pub fn finish(self) -> Result<()> {
        let Self {
            file, sink, path, ..
        } = self;
        let e = |m: String| werr(&path, m);
        match sink {
            Sink::Csv(mut w) => w.flush().map_err(|x| e(x.to_string()))?,
            Sink::Stdout(bytes) => return write_stdout(bytes),
            Sink::Json { mut w, records } => {
                let end: &[u8] = if records == 0 { b"[]\n" } else { b"\n]\n" };
                w.write_all(end)
                    .and_then(|()| w.flush())
                    .map_err(|x| e(x.to_string()))?;
            }
            Sink::Parquet(w) => {
                w.finish().map_err(|x| e(x.to_string()))?;
            }
        }
        match file {
            Some(f) => f.commit(),
            None => Ok(()),
        }
    }
}

fn csv_header(w: &mut impl Write, header: &[String]) -> std::io::Result<()> {
    let line: Vec<String> = header.iter().map(|c| csv_quote(c)).collect();
    writeln!(w, "{}", line.join(","))
}

/// The rows of `table` as CSV lines, as [`ForecastTable::write`] writes them.
fn csv_rows(w: &mut impl Write, label: &str, table: &ForecastTable) -> std::io::Result<()> {
    let label = csv_quote(label);
    let num = |w: &mut dyn Write, v: Option<f64>| match v {
        Some(x) => write!(w, ",{x}"),
        None => w.write_all(b","),
    };
    for r in &table.rows {
        write!(
            w,
            "{},{},{label}",
            csv_quote(&r.id),
            csv_quote(&table.kind.format(r.period))
        )?;
        num(w, r.mean)?;
        for b in &r.bounds {
            num(w, b.map(|b| b.0))?;
            num(w, b.map(|b| b.1))?;
        }
        w.write_all(b"\n")?;
    }
    Ok(())
}

/// One output row as a JSON record, keys in the CSV's column order (integer periods as
/// numbers, others as text).
fn json_record(header: &[String], table: &ForecastTable, r: &Row) -> serde_json::Result<String> {
    let mut values: Vec<serde_json::Value> = vec![
        r.id.clone().into(),
        match table.kind {
            TimeKind::Integer => r.period.into(),
            _ => table.kind.format(r.period).into(),
        },
        table.model_label.clone().into(),
        r.mean.into(),
    ];
    for b in &r.bounds {
        values.push(b.map(|b| b.0).into());
        values.push(b.map(|b| b.1).into());
    }
    let names: Vec<&str> = header.iter().map(String::as_str).collect();
    serde_json::to_string_pretty(&super::table::Record {
        names: &names,
        values: &values,
    })
}

fn werr(path: &Path, message: String) -> Error {
    Error::Write {
        path: path.into(),
        message,
    }
}

fn csv_quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Read the key-value metadata of a Parquet file (for round-trip checks and `inspect`).
pub fn parquet_metadata(path: &Path) -> Result<Vec<(String, String)>> {
    let file = std::fs::File::open(path).map_err(|e| Error::Read {
        path: path.into(),
        message: e.to_string(),
    })?;
    let mut reader = ParquetReader::new(file);
    let meta = reader.get_metadata().map_err(|e| Error::Read {
        path: path.into(),
        message: e.to_string(),
    })?;
    Ok(meta
        .key_value_metadata()
        .as_ref()
        .map(|kv| {
            kv.iter()
                .map(|k| (k.key.clone(), k.value.clone().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{Forecast, Interval};

    fn table(kind: TimeKind) -> ForecastTable {
        let f = SeriesForecast {
            id: "007".into(),
            unit: crate::series::Unit::Unspecified,
            kind,
            train_start: 1,
            train_end: 3,
            periods: vec![4, 5],
            model: "drift".into(),
            description: "".into(),
            params: vec![],
            levels: vec![80.0],
            forecast: Forecast {
                point: vec![1.5, 0.1 + 0.2],
                intervals: vec![Interval {
                    level: 80.0,
                    lower: vec![1.0, 0.0],
                    upper: vec![2.0, 1.0],
                }],
            },
            selection: None,
            interval_method: crate::scenarios::projection::IntervalMethod::Model,
            season_length: 1,
            season_test: None,
        };
        let results = vec![
            Ok(f),
            Err(Failed {
                id: "b,c".into(),
                end: 10,
                error: "too short".into(),
            }),
        ];
        ForecastTable::new(
            "unique_id",
            "ds",
            kind,
            "chipcast:drift",
            &[80.0],
            2,
            &results,
        )
    }

    #[test]
    fn csv_keeps_leading_zeros_full_precision_and_empty_failed_rows() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("fc.csv");
        table(TimeKind::Integer).write(&p).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "unique_id,ds,model,mean,lo80,hi80");
        assert_eq!(lines[1], "007,4,chipcast:drift,1.5,1,2");
        assert_eq!(lines[2], "007,5,chipcast:drift,0.30000000000000004,0,1");
        assert_eq!(lines[3], "\"b,c\",11,chipcast:drift,,,");
    }

    #[test]
    fn parquet_round_trips_with_types_and_metadata() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("fc.parquet");
        let mut t = table(TimeKind::Integer);
        t.metadata = vec![("chipcast.model".into(), "drift".into())];
        t.write(&p).unwrap();
        let df = ParquetReader::new(std::fs::File::open(&p).unwrap())
            .finish()
            .unwrap();
        assert_eq!(df.height(), 4);
        assert_eq!(df.column("unique_id").unwrap().dtype(), &DataType::String);
        assert_eq!(df.column("ds").unwrap().dtype(), &DataType::Int64);
        assert_eq!(df.column("mean").unwrap().null_count(), 2);
        let meta = parquet_metadata(&p).unwrap();
        assert!(meta.contains(&("chipcast.model".to_string(), "drift".to_string())));
    }

    #[test]
    fn parquet_written_batch_by_batch_on_its_thread_reads_back_as_the_batches_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("fc.parquet");
        let t = table(TimeKind::Integer);
        let mut w = ForecastWriter::create(&p, &t).unwrap();
        for _ in 0..3 {
            w.append(&t).unwrap();
        }
        w.finish().unwrap();
        let got = ParquetReader::new(std::fs::File::open(&p).unwrap())
            .finish()
            .unwrap();
        let one = t.to_dataframe().unwrap();
        let mut want = one.clone();
        want.vstack_mut(&one).unwrap();
        want.vstack_mut(&one).unwrap();
        assert!(got.equals_missing(&want), "{got}\n{want}");
    }

    #[test]
    fn a_parquet_writer_dropped_unfinished_leaves_the_target_and_its_folder_as_they_were() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("fc.parquet");
        std::fs::write(&p, "precious").unwrap();
        let t = table(TimeKind::Integer);
        let mut w = ForecastWriter::create(&p, &t).unwrap();
        w.append(&t).unwrap();
        drop(w);
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "precious");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn monthly_periods_are_written_as_dates_in_parquet() {
        let df = table(TimeKind::YearMonth).to_dataframe().unwrap();
        assert_eq!(df.column("ds").unwrap().dtype(), &DataType::Date);
    }

    #[test]
    fn an_unknown_extension_is_refused_without_creating_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("fc.xlsx");
        assert!(table(TimeKind::Integer).write(&p).is_err());
        assert!(!p.exists());
    }
}
