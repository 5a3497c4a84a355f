//! Raw files → validated series. Polars reads CSV, Parquet and JSON; every cell is then
//! checked once, here, and turned into [`MarketSeries`] values that the rest of the
//! pipeline trusts.

pub mod builtin;
pub mod csv;
mod fast;

pub use fast::{CsvStream, STREAM_BLOCK_BYTES, in_memory_estimate};

use crate::error::{CellProblem, Error, Result};
use crate::series::time::{RawTime, decide_kind, ordinal, parse_time};
use crate::series::{MarketSeries, Unit};
use polars::prelude::*;
use std::collections::HashMap;
use std::path::Path;

/// Which columns of a long-format table hold the id, the period and the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LongFormat {
    /// Series id column (read as text: leading zeros are kept).
    pub id_col: String,
    /// Time column: integer period, `YYYY-MM`, or ISO date.
    pub time_col: String,
    /// Value column: finite numbers.
    pub value_col: String,
}

impl Default for LongFormat {
    fn default() -> Self {
        Self {
            id_col: "unique_id".into(),
            time_col: "ds".into(),
            value_col: "y".into(),
        }
    }
}

/// A validated input file: its series in order of first appearance.
#[derive(Debug, Clone)]
pub struct LoadedFile {
    /// Series, in the order their ids first appear in the file.
    pub series: Vec<MarketSeries>,
    /// Number of data rows read.
    pub rows: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Parquet,
    Json,
    JsonLines,
}

fn format_of(path: &Path) -> Result<Format> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "csv" => Ok(Format::Csv),
        "parquet" | "pq" => Ok(Format::Parquet),
        "json" => Ok(Format::Json),
        "ndjson" | "jsonl" => Ok(Format::JsonLines),
        _ => Err(Error::UnsupportedFormat {
            path: path.into(),
            ext,
        }),
    }
}

fn read_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Read {
        path: path.into(),
        message: e.to_string(),
    }
}

/// An input table as text cells, whatever its format, with where each row came from.
#[derive(Debug, Clone)]
pub struct TextTable {
    /// Column names, in file order.
    pub names: Vec<String>,
    /// Cells per column as text (`None` = missing).
    pub columns: Vec<Vec<Option<String>>>,
    /// The type each column had in the file (`str` for CSV).
    pub dtypes: Vec<String>,
    /// For CSV: the physical line each row starts on.
    lines: Option<Vec<usize>>,
}

impl TextTable {
    /// Number of data rows.
    pub fn height(&self) -> usize {
        self.columns.first().map_or(0, Vec::len)
    }

    /// Where row `i` is, for messages: `line N` (CSV) or `record N`.
    pub fn at(&self, i: usize) -> String {
        match &self.lines {
            Some(l) => format!("line {}", l[i]),
            None => format!("record {}", i + 1),
        }
    }
}

/// The JSON shapes chipcast reads: an array of flat records (.json), or one flat record per
/// line (.ndjson). Checked in one pass before polars sees the text, so that deep nesting
/// cannot overflow a recursive parser and each problem gets its line and column.
fn check_json_shape(path: &Path, bytes: &[u8], lines: bool) -> Result<()> {
    let fail = |m: String| read_err(path, m);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        fail(format!(
            "byte {} is not UTF-8; JSON must be UTF-8 text",
            e.valid_up_to() + 1
        ))
    })?;
    let first = text.trim_start().bytes().next();
    if !lines {
        match first {
            Some(b'[') => {}
            Some(b'{') => {
                return Err(fail(
                    "the top level is one JSON object; chipcast reads an array of records, [{\"unique_id\": \"A\", \"ds\": 2020, \"y\": 1.5}, ...]; wrap the records in [ ] or write one record per line as .ndjson".into(),
                ));
            }
            _ => {
                return Err(fail(
                    "not a JSON array of records; expected [{\"unique_id\": \"A\", \"ds\": 2020, \"y\": 1.5}, ...]".into(),
                ));
            }
        }
    } else {
        for (n, l) in text.lines().enumerate() {
            let t = l.trim();
            if !t.is_empty() && !t.starts_with('{') {
                return Err(fail(format!(
                    "line {}: {:?} is not a JSON object; NDJSON has one object per line, {{\"unique_id\": \"A\", \"ds\": 2020, \"y\": 1.5}}",
                    n + 1,
                    t.chars().take(30).collect::<String>()
                )));
            }
        }
    }
    let max = if lines { 1 } else { 2 };
    if let Some((line, col, depth)) = crate::limits::nesting_violation(bytes, max, false) {
        return Err(fail(format!(
            "line {line}, column {col}: a nested array or object (depth {depth}); each record must be a flat object of scalar values (id, period, value), not lists or objects{}",
            if depth > crate::limits::MAX_NESTING {
                format!(
                    " (and nesting is limited to {} levels, MAX_NESTING)",
                    crate::limits::MAX_NESTING
                )
            } else {
                String::new()
            }
        )));
    }
    if let Some((line, key)) = duplicate_key(text) {
        return Err(fail(format!(
            "line {line}: the key {key:?} appears twice in one record; JSON readers would keep only one of the values, so give each key once"
        )));
    }
    Ok(())
}

/// The first key that appears twice in one flat object, with its line. Runs after the
/// nesting check, so every object here is a record of scalars.
fn duplicate_key(text: &str) -> Option<(usize, String)> {
    let b = text.as_bytes();
    let (mut i, mut line) = (0usize, 1usize);
    let mut keys: std::collections::HashSet<String> = std::collections::HashSet::new();
    while i < b.len() {
        match b[i] {
            b'\n' => line += 1,
            b'{' => keys.clear(),
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                let end = i.min(b.len());
                let mut j = end + 1;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if b.get(j) == Some(&b':') {
                    let key = text.get(start..end).unwrap_or("").to_string();
                    if !keys.insert(key.clone()) {
                        return Some((line, key));
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Run a polars reader, turning a panic inside it (seen on corrupted Parquet files by the
/// fuzz tests) into an error. The panic hook is silenced meanwhile so that the user sees
/// one clear message, not a panic report.
fn guarded<T>(read: impl FnOnce() -> PolarsResult<T>) -> std::result::Result<T, String> {
    match quiet_catch(read)? {
        Ok(t) => Ok(t),
        Err(e) => Err(polars_message(&e)),
    }
}

/// Run `f`, turning a panic inside it (a reader on malformed content) into an error, with
/// the panic message kept off stderr.
fn quiet_catch<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(hook);
    r.map_err(|_| "the reader failed on malformed content".to_string())
}

/// The value counts a Parquet file declares, checked before polars decodes it: the rows of
/// the footer and its row groups agree and stay within [`crate::limits::MAX_PARQUET_ROWS`],
/// and the data pages of every column chunk hold exactly the chunk's values. polars sizes
/// its buffers from those counts, and a corrupt one made it allocate 2^61 bytes and abort.
/// The bytes come back for polars to read (the pages are walked in place, not copied).
fn check_parquet_counts(bytes: Vec<u8>) -> std::result::Result<Vec<u8>, String> {
    use polars_parquet::parquet::page::CompressedPage;
    use polars_parquet::parquet::read::{get_page_iterator, read_metadata};
    let limit = crate::limits::MAX_PARQUET_ROWS;
    let len = bytes.len();
    let meta = read_metadata(&mut std::io::Cursor::new(&bytes)).map_err(|e| e.to_string())?;
    if meta.num_rows > limit {
        return Err(format!(
            "it declares {} rows; at most {limit} (MAX_PARQUET_ROWS) are read from one file",
            meta.num_rows
        ));
    }
    let groups: usize = meta.row_groups.iter().map(|g| g.num_rows()).sum();
    if groups != meta.num_rows {
        return Err(format!(
            "its row groups hold {groups} rows but its footer declares {}",
            meta.num_rows
        ));
    }
    let buffer = polars_buffer::Buffer::from(bytes);
    for group in &meta.row_groups {
        for chunk in group.parquet_columns() {
            let declared = usize::try_from(chunk.num_values())
                .ok()
                .filter(|n| *n <= limit)
                .ok_or_else(|| {
                    format!(
                        "a column chunk declares {} values; at most {limit} (MAX_PARQUET_ROWS)",
                        chunk.num_values()
                    )
                })?;
            let pages = get_page_iterator(
                chunk,
                std::io::Cursor::new(buffer.clone()),
                Vec::new(),
                len.max(1),
            )
            .map_err(|e| e.to_string())?;
            let mut seen = 0usize;
            for page in pages {
                if let CompressedPage::Data(p) = page.map_err(|e| e.to_string())? {
                    seen = seen.saturating_add(p.num_values());
                    if seen > declared {
                        return Err(format!(
                            "the data pages of a column chunk hold more than the {declared} values it declares"
                        ));
                    }
                }
            }
            if seen != declared {
                return Err(format!(
                    "the data pages of a column chunk hold {seen} values, not the {declared} it declares"
                ));
            }
        }
    }
    drop(meta);
    // every page iterator has dropped its handle, so the buffer is the only owner again
    Ok(buffer
        .into_mut()
        .either(|shared| shared.to_vec(), |own| own))
}

/// A polars reader's message without the Python-only advice.
fn polars_message(e: &PolarsError) -> String {
    e.to_string()
        .lines()
        .filter(|l| !l.contains("infer_schema_length") && !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Read a whole input table as text cells. CSV is read by chipcast's own strict reader (see
/// [`csv`]); Parquet and JSON by polars after a shape check. Directories, empty files and
/// unsupported extensions are refused with their own messages.
pub fn read_text_table(path: &Path) -> Result<TextTable> {
    let format = format_of(path)?;
    let meta = std::fs::metadata(path).map_err(|e| {
        read_err(
            path,
            if e.kind() == std::io::ErrorKind::NotFound {
                "no such file".to_string()
            } else {
                e.to_string()
            },
        )
    })?;
    if meta.is_dir() {
        return Err(read_err(
            path,
            "is a directory; give a file (.csv, .parquet, .json or .ndjson)",
        ));
    }
    if meta.len() == 0 {
        return Err(Error::Empty {
            path: path.into(),
            expected: "the id, time and value columns".into(),
        });
    }
    if format == Format::Csv {
        let bytes = std::fs::read(path).map_err(|e| read_err(path, e))?;
        let t = csv::read(path, &bytes)?;
        let n = t.headers.len();
        return Ok(TextTable {
            names: t.headers,
            columns: t.columns,
            dtypes: vec!["str".into(); n],
            lines: Some(t.lines),
        });
    }
    let df = match format {
        Format::Parquet => {
            let bytes = std::fs::read(path).map_err(|e| read_err(path, e))?;
            let bytes = quiet_catch(|| check_parquet_counts(bytes))
                .and_then(|r| r)
                .map_err(|e| read_err(path, format!("not a readable Parquet file ({e})")))?;
            guarded(|| ParquetReader::new(std::io::Cursor::new(bytes)).finish())
                .map_err(|e| read_err(path, format!("not a readable Parquet file ({e})")))?
        }
        Format::Json | Format::JsonLines => {
            let bytes = std::fs::read(path).map_err(|e| read_err(path, e))?;
            let lines = format == Format::JsonLines;
            check_json_shape(path, &bytes, lines)?;
            let mut r = JsonReader::new(std::io::Cursor::new(bytes));
            if lines {
                r = r.with_json_format(JsonFormat::JsonLines);
            }
            guarded(|| r.finish()).map_err(|e| {
                read_err(
                    path,
                    format!(
                        "not valid {} ({}); expected flat records of scalars such as {{\"unique_id\": \"A\", \"ds\": 2020, \"y\": 1.5}}",
                        if lines { "NDJSON" } else { "JSON" },
                        e
                    ),
                )
            })?
        }
        Format::Csv => unreachable!("handled above"),
    };
    let mut names = Vec::with_capacity(df.width());
    let mut columns = Vec::with_capacity(df.width());
    let mut dtypes = Vec::with_capacity(df.width());
    for c in df.columns() {
        if matches!(c.dtype(), DataType::List(_) | DataType::Struct(_)) || c.dtype().is_nested() {
            return Err(read_err(
                path,
                format!(
                    "column {:?} holds {} values; every column must hold scalars (text, integers, numbers or dates)",
                    c.name().as_str(),
                    c.dtype()
                ),
            ));
        }
        names.push(c.name().to_string());
        dtypes.push(c.dtype().to_string());
        columns.push(text_cells(c).map_err(|e| read_err(path, polars_message(&e)))?);
    }
    // a corrupt file can decode to columns of different lengths (found by fuzzing)
    if let Some(j) = columns.iter().position(|c| c.len() != df.height()) {
        return Err(read_err(
            path,
            format!(
                "column {:?} has {} values but the table has {} rows; the file is corrupt",
                names[j],
                columns[j].len(),
                df.height()
            ),
        ));
    }
    Ok(TextTable {
        names,
        columns,
        dtypes,
        lines: None,
    })
}

fn cell_error(
    path: &Path,
    at: String,
    column: &str,
    value: &str,
    problem: &str,
    expected: &str,
) -> Error {
    Error::BadCell(Box::new(CellProblem {
        path: path.into(),
        at,
        column: column.into(),
        value: value.into(),
        problem: problem.into(),
        expected: expected.into(),
    }))
}

fn find_column(t: &TextTable, path: &Path, name: &str, role: &'static str) -> Result<usize> {
    if let Some(j) = t.names.iter().position(|c| c == name) {
        return Ok(j);
    }
    let padded = t.names.iter().find(|c| c.trim() == name);
    let best = t
        .names
        .iter()
        .map(|c| {
            (
                strsim::jaro_winkler(&c.to_lowercase(), &name.to_lowercase()),
                c,
            )
        })
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    Err(Error::UnknownColumn {
        path: path.into(),
        name: name.into(),
        role,
        hint: match (padded, best) {
            (Some(c), _) => format!(
                "; the header has {c:?}, with spaces around the name: remove the spaces from the header"
            ),
            (None, Some((_, c))) => format!("; did you mean {c:?}?"),
            (None, None) => String::new(),
        },
        available: t.names.join(", "),
    })
}

/// Column cells as text (`None` = missing).
fn text_cells(col: &Column) -> PolarsResult<Vec<Option<String>>> {
    Ok(match col.dtype() {
        DataType::String => col.str()?.iter().map(|o| o.map(str::to_string)).collect(),
        DataType::Date => {
            let days = col.cast(&DataType::Int32)?;
            days.i32()?
                .iter()
                .map(|o| {
                    o.map(|d| {
                        let (y, m, dd) = crate::series::time::civil_from_days(i64::from(d));
                        format!("{y:04}-{m:02}-{dd:02}")
                    })
                })
                .collect()
        }
        _ => {
            let s = col.cast(&DataType::String)?;
            s.str()?.iter().map(|o| o.map(str::to_string)).collect()
        }
    })
}

/// Parse a period cell strictly: an integer within ±[`crate::limits::MAX_INTEGER_PERIOD`]
/// (no sign, exponent or decimal point in text: `1e3` is not a period), `YYYY-MM`, or an
/// ISO date. `Err` is what is wrong.
fn period_cell(text: &str) -> std::result::Result<RawTime, &'static str> {
    let t = text.trim();
    if t.is_empty() {
        return Err("missing period");
    }
    let integer_like = {
        let digits = t.strip_prefix('-').unwrap_or(t);
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    };
    // YYYY-MM, YYYY-MM-DD, YYYY-Qn or YYYYQn
    let date_like = t.len() >= 6
        && t.as_bytes()[..4].iter().all(u8::is_ascii_digit)
        && matches!(t.as_bytes()[4], b'-' | b'Q' | b'q');
    if !integer_like && !date_like {
        return Err("not a period");
    }
    match parse_time(t) {
        Some(RawTime::Int(i)) if i.abs() > crate::limits::MAX_INTEGER_PERIOD => {
            Err("integer period out of range (MAX_INTEGER_PERIOD = ±1e12)")
        }
        Some(r) => Ok(r),
        None => Err("not a period"),
    }
}

/// The files an `--input` names: the file itself; every `.csv`, `.parquet`, `.json` and
/// `.ndjson` file of a directory (not its subdirectories); or the files a glob pattern
/// (`data/part-*.parquet`, quoted so that the shell leaves it alone) matches. Sorted by
/// path, so a run reads them in the same order every time.
pub fn input_files(path: &Path) -> Result<Vec<std::path::PathBuf>> {
    let text = path.to_string_lossy();
    let pattern = text.contains(['*', '?', '[']) && !path.exists();
    let mut files: Vec<std::path::PathBuf> = if pattern {
        let paths = glob::glob(&text).map_err(|e| {
            read_err(
                path,
                format!(
                    "not a valid glob pattern ({e}); use * and ? for names, [abc] for one of a set"
                ),
            )
        })?;
        paths
            .filter_map(std::result::Result::ok)
            .filter(|p| p.is_file())
            .collect()
    } else if path.is_dir() {
        std::fs::read_dir(path)
            .map_err(|e| read_err(path, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && format_of(p).is_ok())
            .collect()
    } else {
        return Ok(vec![path.to_path_buf()]);
    };
    files.sort();
    if files.is_empty() {
        return Err(read_err(
            path,
            if pattern {
                "no file matches this pattern; give a file, a directory or a pattern such as 'data/*.csv'"
            } else {
                "is a directory with no .csv, .parquet, .json or .ndjson file in it; give a file, or a directory or glob pattern of data files"
            },
        ));
    }
    Ok(files)
}

/// Read a long-format file and validate it into series.
///
/// Checks, each reported with file, line/record, column, value and what is valid:
/// unknown columns (with the closest name), empty files, missing ids/periods/values,
/// unparseable periods, non-numeric or non-finite values, duplicate periods and gaps.
/// Rows may come in any order; series may be interleaved.
///
/// CSV files go through a fast columnar pass first ([`fast`]); whenever it meets anything
/// the strict path must judge, the strict path reads the file and gives the message.
pub fn load_long(path: &Path, cols: &LongFormat) -> Result<LoadedFile> {
    load_long_with(path, cols, &|_| {})
}

/// [`load_long`], calling `tick` with the number of bytes read as the reading goes on
/// (for a progress display).
pub fn load_long_with(
    path: &Path,
    cols: &LongFormat,
    tick: &(dyn Fn(u64) + Sync),
) -> Result<LoadedFile> {
    let plain_file = std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() > 0);
    if plain_file && matches!(format_of(path), Ok(Format::Csv)) {
        if let Ok(bytes) = read_parallel(path) {
            if let Some(loaded) = fast::load_csv(path, &bytes, cols, tick) {
                return Ok(loaded);
            }
        }
    }
    load_long_strict(path, cols)
}

/// The bytes of a file, as [`std::fs::read`] gives them, read in pieces on every core
/// (the kernel's copy of a 247 MB file took 0.12 s on one).
fn read_parallel(path: &Path) -> std::io::Result<Vec<u8>> {
    use rayon::prelude::*;
    use std::os::unix::fs::FileExt;
    const PIECE: usize = 16 << 20;
    let file = std::fs::File::open(path)?;
    let len = usize::try_from(file.metadata()?.len()).map_err(|_| {
        std::io::Error::other("the file is larger than this machine's address space")
    })?;
    if len <= PIECE {
        return std::fs::read(path);
    }
    let mut bytes = vec![0u8; len];
    bytes
        .par_chunks_mut(PIECE)
        .enumerate()
        .try_for_each(|(i, piece)| file.read_exact_at(piece, (i * PIECE) as u64))?;
    // a file that grew while it was read is read whole again, as `std::fs::read` would
    if file.metadata()?.len() != len as u64 {
        return std::fs::read(path);
    }
    Ok(bytes)
}

/// [`load_long`] cell by cell: the path that words every error.
pub(crate) fn load_long_strict(path: &Path, cols: &LongFormat) -> Result<LoadedFile> {
    let table = read_text_table(path)?;
    if table.names.is_empty() {
        return Err(Error::Empty {
            path: path.into(),
            expected: format!("{}, {}, {}", cols.id_col, cols.time_col, cols.value_col),
        });
    }
    let j_id = find_column(&table, path, &cols.id_col, "--id-col")?;
    let j_time = find_column(&table, path, &cols.time_col, "--time-col")?;
    let j_value = find_column(&table, path, &cols.value_col, "--value-col")?;
    for (role, a, b) in [
        ("--id-col and --time-col", j_id, j_time),
        ("--id-col and --value-col", j_id, j_value),
        ("--time-col and --value-col", j_time, j_value),
    ] {
        if a == b {
            return Err(Error::invalid(format!(
                "{}: {role} both name the column {:?}; each role needs its own column",
                path.display(),
                table.names[a]
            )));
        }
    }
    if table.height() == 0 {
        return Err(Error::Empty {
            path: path.into(),
            expected: format!("{}, {}, {}", cols.id_col, cols.time_col, cols.value_col),
        });
    }
    let time_type = &table.dtypes[j_time];
    if time_type.starts_with('f') {
        return Err(read_err(
            path,
            format!(
                "the time column {:?} holds floating-point numbers ({time_type}); periods must be integers (2024), YYYY-MM text or dates: write the column as integers",
                cols.time_col
            ),
        ));
    }
    let ids = &table.columns[j_id];
    let times = &table.columns[j_time];
    let values = &table.columns[j_value];
    let bad = |i: usize, column: &str, value: &str, problem: &str, expected: &str| {
        cell_error(path, table.at(i), column, value, problem, expected)
    };

    let mut raw_times = Vec::with_capacity(table.height());
    let mut nums = Vec::with_capacity(table.height());
    for i in 0..table.height() {
        let id = ids[i].as_deref().unwrap_or("");
        if id.trim().is_empty() {
            return Err(bad(
                i,
                &cols.id_col,
                id,
                "missing series id",
                "every row needs an id",
            ));
        }
        if id.trim() != id {
            return Err(bad(
                i,
                &cols.id_col,
                id,
                "the series id has leading or trailing spaces",
                &format!(
                    "ids are compared exactly, so {id:?} and {:?} would be two different series; remove the spaces",
                    id.trim()
                ),
            ));
        }
        let t = times[i].as_deref().unwrap_or("");
        let rt = period_cell(t).map_err(|problem| {
            bad(
                i,
                &cols.time_col,
                t,
                problem,
                "expected an integer period (e.g. 2024 or 17), YYYY-MM, YYYY-Qn, YYYYQn, or an ISO date YYYY-MM-DD",
            )
        })?;
        raw_times.push(rt);
        let v = values[i].as_deref().unwrap_or("");
        let x: f64 = v.trim().parse().map_err(|_| {
            bad(
                i,
                &cols.value_col,
                v,
                if v.trim().is_empty() {
                    "missing value"
                } else {
                    "not a number"
                },
                if v.contains(',') {
                    "expected a finite number such as 630.549 (a point, not a comma, before the decimals)"
                } else {
                    "expected a finite number such as 630.549"
                },
            )
        })?;
        if !x.is_finite() {
            return Err(bad(
                i,
                &cols.value_col,
                v,
                "non-finite value",
                "expected a finite number",
            ));
        }
        nums.push(x);
    }
    let kind = decide_kind(&raw_times).map_err(|first_bad| {
        let style = |c: &RawTime| match c {
            RawTime::Int(_) => "an integer period",
            RawTime::Month(..) => "YYYY-MM",
            RawTime::Quarter(_, _, true) => "YYYY-Qn",
            RawTime::Quarter(_, _, false) => "YYYYQn",
            RawTime::Date(..) => "an ISO date",
        };
        bad(
            first_bad,
            &cols.time_col,
            times[first_bad].as_deref().unwrap_or(""),
            &format!(
                "{} but the first row is {}",
                style(&raw_times[first_bad]),
                style(&raw_times[0])
            ),
            "use one style for the whole column: integers, YYYY-MM, YYYY-Qn, or YYYY-MM-DD",
        )
    })?;

    // group by id, in order of first appearance, remembering rows for duplicate messages
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, Vec<(i64, f64, usize)>> = HashMap::new();
    for i in 0..table.height() {
        let id = ids[i].as_deref().unwrap_or("").to_string();
        let entry = groups.entry(id.clone()).or_insert_with(|| {
            order.push(id);
            Vec::new()
        });
        entry.push((ordinal(kind, raw_times[i]), nums[i], i));
    }
    let context = path.display().to_string();
    let mut series = Vec::with_capacity(order.len());
    for id in order {
        let mut pts = groups.remove(&id).unwrap_or_default();
        pts.sort_by_key(|p| (p.0, p.2));
        if let Some(w) = pts.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(Error::BadSeries {
                context,
                id,
                problem: format!(
                    "period {} appears twice ({} and {}); each period must appear once per series",
                    kind.format(w[0].0),
                    table.at(w[0].2),
                    table.at(w[1].2)
                ),
            });
        }
        let points = pts.into_iter().map(|(o, v, _)| (o, v)).collect();
        series.push(MarketSeries::from_points(
            &context,
            id,
            kind,
            points,
            Unit::Unspecified,
        )?);
    }
    Ok(LoadedFile {
        series,
        rows: table.height(),
    })
}

/// External regressors for a forecast: a table with one time column and one numeric column
/// per regressor (every other column), keyed by period ordinal.
#[derive(Debug, Clone, PartialEq)]
pub struct Regressors {
    /// Regressor names, in file order.
    pub names: Vec<String>,
    /// Values per period ordinal.
    pub rows: std::collections::BTreeMap<i64, Vec<f64>>,
}

impl Regressors {
    /// The rows for consecutive periods `first..=last`, or an error naming the first
    /// missing period.
    pub fn window(
        &self,
        kind: crate::series::TimeKind,
        first: i64,
        last: i64,
        what: &str,
    ) -> Result<Vec<Vec<f64>>> {
        (first..=last)
            .map(|o| {
                self.rows.get(&o).cloned().ok_or_else(|| {
                    Error::invalid(format!(
                        "the regressors have no row for {} ({what} needs {} to {}); add it to the regressor file",
                        kind.format(o),
                        kind.format(first),
                        kind.format(last)
                    ))
                })
            })
            .collect()
    }
}

/// Read a regressor file (CSV, Parquet or JSON) whose time column is `time_col`, parsing
/// periods in `kind`. Every other column is a regressor and must be numeric and finite.
pub fn load_regressors(
    path: &Path,
    time_col: &str,
    kind: crate::series::TimeKind,
) -> Result<Regressors> {
    let table = read_text_table(path)?;
    let jt = find_column(&table, path, time_col, "the regressor time column")?;
    let times = &table.columns[jt];
    let names: Vec<String> = table
        .names
        .iter()
        .filter(|c| *c != time_col)
        .cloned()
        .collect();
    if names.is_empty() || table.height() == 0 {
        return Err(Error::Empty {
            path: path.into(),
            expected: format!("{time_col} and at least one regressor column"),
        });
    }
    let cols: Vec<&Vec<Option<String>>> = (0..table.names.len())
        .filter(|&j| j != jt)
        .map(|j| &table.columns[j])
        .collect();
    let bad = |i: usize, column: &str, value: &str, problem: &str, expected: &str| {
        cell_error(path, table.at(i), column, value, problem, expected)
    };
    let mut rows = std::collections::BTreeMap::new();
    for i in 0..table.height() {
        let text = times[i].as_deref().unwrap_or("");
        let raw = period_cell(text).map_err(|problem| {
            bad(
                i,
                time_col,
                text,
                problem,
                "expected the series' period format",
            )
        })?;
        let o = ordinal(kind, raw);
        let mut vals = Vec::with_capacity(names.len());
        for (j, name) in names.iter().enumerate() {
            let v = cols[j][i].as_deref().unwrap_or("");
            let x: f64 = v
                .trim()
                .parse()
                .ok()
                .filter(|x: &f64| x.is_finite())
                .ok_or_else(|| {
                    bad(
                        i,
                        name,
                        v,
                        "not a finite number",
                        "every regressor cell must be a finite number",
                    )
                })?;
            vals.push(x);
        }
        if rows.insert(o, vals).is_some() {
            return Err(bad(
                i,
                time_col,
                text,
                "period appears twice",
                "one row per period",
            ));
        }
    }
    Ok(Regressors { names, rows })
}

/// The first regressor that adds nothing over the intercept, the time trend and the
/// regressors before it on `rows` (training rows, one vector per period), by Gram–Schmidt:
/// `Some(message)` naming it and what it duplicates, for a clear error before fitting.
pub fn collinear_regressor(names: &[String], rows: &[Vec<f64>]) -> Option<String> {
    let n = rows.len();
    if n < names.len() + 3 {
        return Some(format!(
            "{} regressors ({}) need at least {} training periods, the series has {n}",
            names.len(),
            names.join(", "),
            names.len() + 3
        ));
    }
    let mut cols: Vec<(String, Vec<f64>)> = vec![
        ("the intercept".into(), vec![1.0; n]),
        ("the time trend".into(), (0..n).map(|i| i as f64).collect()),
    ];
    cols.extend(
        names
            .iter()
            .enumerate()
            .map(|(j, name)| (name.clone(), rows.iter().map(|r| r[j]).collect())),
    );
    let mut basis: Vec<Vec<f64>> = Vec::new();
    for (k, (name, c)) in cols.iter().enumerate() {
        let norm0 = c.iter().map(|x| x * x).sum::<f64>().sqrt();
        let mut r = c.clone();
        for q in &basis {
            let d: f64 = r.iter().zip(q).map(|(a, b)| a * b).sum();
            r.iter_mut().zip(q).for_each(|(a, b)| *a -= d * b);
        }
        let norm = r.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm <= 1e-9 * norm0.max(1e-300) || norm0 == 0.0 {
            let before: Vec<&str> = cols[..k].iter().map(|c| c.0.as_str()).collect();
            return Some(format!(
                "regressor {name:?} is a linear combination of {} over the training periods (collinear), so its effect cannot be estimated; drop it or replace it",
                before.join(", ")
            ));
        }
        basis.push(r.into_iter().map(|x| x / norm).collect());
    }
    None
}
