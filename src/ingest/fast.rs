//! The fast columnar pass for CSV input: one pass over the bytes, in parallel chunks, that
//! parses each cell straight into typed columns (an interned id, a period, a value) with no
//! per-cell allocation, then groups the rows into series.
//!
//! It accepts only what the strict reader ([`super::csv`]) and [`super::load_long`] accept,
//! and applies the same cell checks ([`super::period_cell`], the value parse) to the same
//! text. Anything else — a bad cell, a quote that is not a plain `"text"`, a ragged line, a
//! duplicate period, a gap — makes it give up (`None`), and the strict path then reads the
//! file again and reports the problem with its line, column, value and fix. So every
//! message stays exactly as the strict path words it, and a valid file gives the same
//! series in the same order either way (tested below and in `tests/cli/`).

use super::{LoadedFile, LongFormat, period_cell};
use crate::series::time::{RawTime, civil_from_days, days_from_civil, decide_kind, ordinal};
use crate::series::{MarketSeries, TimeKind, Unit};
use rayon::prelude::*;
use std::collections::HashMap;

/// Ids to their index; keyed by text the file holds, so a fixed (not randomised) hasher.
type IdMap<'a> = HashMap<&'a str, u32, foldhash::fast::FixedState>;
use std::path::Path;

/// The style of a period cell; a file uses one for the whole column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Int,
    Month,
    Quarter(bool),
    Date,
}

/// A period cell as one integer: the value (`Int`), the month or quarter ordinal, or the
/// day number (`Date`), with its style.
fn encode(raw: RawTime) -> (Style, i64) {
    match raw {
        RawTime::Int(i) => (Style::Int, i),
        RawTime::Month(y, m) => (Style::Month, y * 12 + i64::from(m) - 1),
        RawTime::Quarter(y, q, dash) => (Style::Quarter(dash), y * 4 + i64::from(q) - 1),
        RawTime::Date(y, m, d) => (Style::Date, days_from_civil(y, m, d)),
    }
}

/// One chunk of data lines, parsed.
#[derive(Default)]
struct Chunk<'a> {
    /// Ids in order of first appearance in the chunk.
    ids: Vec<&'a str>,
    /// Per row: the encoded period.
    time: Vec<i64>,
    /// Per row: the value.
    value: Vec<f64>,
    /// Where each run of rows of one id starts: (index into `ids`, first row).
    runs: Vec<(u32, u32)>,
    style: Option<Style>,
}

impl Chunk<'_> {
    /// The rows of run `r`.
    fn run_rows(&self, r: usize) -> std::ops::Range<usize> {
        let end = self
            .runs
            .get(r + 1)
            .map_or(self.time.len(), |n| n.1 as usize);
        self.runs[r].1 as usize..end
    }
}

/// The fields of the data line that starts at byte `start` of `text`, split on commas, and
/// where the line's content ends and the next line starts. The line is what
/// `text.split('\n')` gives, less one `\r` before its end; one scan finds its end and its
/// fields alike. `None` when a field is quoted in any way other than a plain `"text"` (no
/// inner quote) followed by a comma or the line end, or when the line holds any other
/// carriage return (a cell character the strict path judges).
fn split_next<'a>(text: &'a str, start: usize, out: &mut Vec<&'a str>) -> Option<(usize, usize)> {
    out.clear();
    let b = text.as_bytes();
    // the line ends at `i` when `i` is the text's end, a `\n`, or a `\r` that ends the text
    // or comes before a `\n`: where the content ends and the next line starts
    let end_at = |i: usize| -> Option<(usize, usize)> {
        match b.get(i) {
            None => Some((i, i)),
            Some(b'\n') => Some((i, i + 1)),
            Some(b'\r') => match b.get(i + 1) {
                None => Some((i, i + 1)),
                Some(b'\n') => Some((i, i + 2)),
                Some(_) => None,
            },
            Some(_) => None,
        }
    };
    let mut f = start;
    loop {
        if b.get(f) == Some(&b'"') {
            let q = f + 1;
            let close = q + b[q..]
                .iter()
                .position(|&c| matches!(c, b'"' | b'\n' | b'\r'))?;
            if b[close] != b'"' {
                return None;
            }
            out.push(&text[q..close]);
            if b.get(close + 1) == Some(&b',') {
                f = close + 2;
                continue;
            }
            return end_at(close + 1);
        }
        let mut i = f;
        loop {
            match b.get(i) {
                Some(b',') => {
                    out.push(&text[f..i]);
                    f = i + 1;
                    break;
                }
                Some(b'"') => return None,
                None | Some(b'\n' | b'\r') => {
                    out.push(&text[f..i]);
                    return end_at(i);
                }
                Some(_) => i += 1,
            }
        }
    }
}

/// The commonest period cells without the general parser: a year or other integer of at
/// most 12 digits, and `YYYY-MM`, exactly as [`period_cell`] and [`encode`] read them
/// (`None`: anything else, left to them).
fn plain_period(t: &str) -> Option<(Style, i64)> {
    let b = t.as_bytes();
    let digits = |s: &[u8]| -> Option<i64> {
        (!s.is_empty() && s.iter().all(u8::is_ascii_digit))
            .then(|| s.iter().fold(0i64, |a, &d| a * 10 + i64::from(d - b'0')))
    };
    match b.len() {
        // at most 12 digits stays inside MAX_INTEGER_PERIOD (±1e12)
        1..=12 if b.iter().all(u8::is_ascii_digit) => Some((Style::Int, digits(b)?)),
        7 if b[4] == b'-' => {
            let (y, m) = (digits(&b[..4])?, digits(&b[5..])?);
            (1..=12)
                .contains(&m)
                .then_some((Style::Month, y * 12 + m - 1))
        }
        _ => None,
    }
}

/// Exact powers of ten as `f64` (every one up to 1e22 is).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The commonest value cells without the general parser: an optional `-`, then digits with
/// at most one `.`, at most 15 digits in all. Their digits as an integer and the power of ten
/// are both exact in `f64`, so one division is correctly rounded: the same value `str::parse`
/// gives (Clinger's fast path). `None`: anything else, left to `str::parse`.
fn plain_value(v: &str) -> Option<f64> {
    let b = v.as_bytes();
    let (neg, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        _ => (false, b),
    };
    let (mut m, mut n, mut frac, mut dot) = (0u64, 0usize, 0usize, false);
    for &c in digits {
        match c {
            b'0'..=b'9' => {
                m = m * 10 + u64::from(c - b'0');
                n += 1;
                frac += usize::from(dot);
                if n > 15 {
                    return None;
                }
            }
            b'.' if !dot => dot = true,
            _ => return None,
        }
    }
    if n == 0 {
        return None;
    }
    let x = m as f64 / POW10[frac];
    Some(if neg { -x } else { x })
}

/// Parse the data lines in `text` (whole lines). `None` at the first line the strict path
/// must judge.
fn parse_chunk<'a>(text: &'a str, n_fields: usize, cols: [usize; 3]) -> Option<Chunk<'a>> {
    let mut c = Chunk::default();
    let mut index: IdMap<'a> = IdMap::default();
    let mut last: Option<&'a str> = None;
    let mut fields: Vec<&'a str> = Vec::with_capacity(n_fields);
    let mut from = 0;
    while from < text.len() {
        let (end, next) = split_next(text, from, &mut fields)?;
        // the strict reader skips empty lines ("" and "\r" before the newline)
        let empty = end == from;
        from = next;
        if empty {
            continue;
        }
        if fields.len() != n_fields {
            return None;
        }
        let (id, t, v) = (fields[cols[0]], fields[cols[1]], fields[cols[2]]);
        let (style, time) = match plain_period(t) {
            Some(p) => p,
            None => encode(period_cell(t).ok()?),
        };
        match c.style {
            None => c.style = Some(style),
            Some(s) if s != style => return None,
            Some(_) => {}
        }
        let x: f64 = match plain_value(v) {
            Some(x) => x,
            None => v.trim().parse().ok()?,
        };
        if !x.is_finite() {
            return None;
        }
        if last != Some(id) {
            // a new run of rows: its id is checked once (the same text passes the same check)
            if id.trim().is_empty() || id.trim() != id {
                return None;
            }
            let next = c.ids.len() as u32;
            let k = *index.entry(id).or_insert_with(|| {
                c.ids.push(id);
                next
            });
            last = Some(id);
            c.runs.push((k, u32::try_from(c.time.len()).ok()?));
        }
        c.time.push(time);
        c.value.push(x);
    }
    Some(c)
}

/// Parse the data lines in `data` (whole lines) on every core: cut into pieces at line
/// ends, each piece one [`Chunk`], in order. `None` at anything the strict path must judge.
/// `tick` is called with the bytes of each piece parsed.
fn parse_pieces<'a>(
    data: &'a [u8],
    n_fields: usize,
    idx: [usize; 3],
    tick: &(dyn Fn(u64) + Sync),
) -> Option<Vec<Chunk<'a>>> {
    let pieces = {
        let threads = rayon::current_num_threads();
        let n = if data.len() < (1 << 20) {
            1
        } else {
            threads * 4
        };
        // cut on bytes first (line ends are ASCII, so each piece is checked as UTF-8 alone)
        let target = data.len() / n + 1;
        let mut out: Vec<&[u8]> = Vec::new();
        let mut rest = data;
        while !rest.is_empty() {
            if rest.len() <= target {
                out.push(rest);
                break;
            }
            let cut = rest[target..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(rest.len(), |p| target + p + 1);
            out.push(&rest[..cut]);
            rest = &rest[cut..];
        }
        out
    };
    pieces
        .par_iter()
        .map(|piece| {
            let text = std::str::from_utf8(piece).ok()?;
            if text.contains('\0') {
                return None;
            }
            let parsed = parse_chunk(text, n_fields, idx);
            tick(piece.len() as u64);
            parsed
        })
        .collect::<Option<Vec<_>>>()
}

/// The header fields and the byte offset where data lines start, or `None` when the
/// header is anything but one plain line the strict reader accepts.
fn header(path: &Path, text: &str) -> Option<(Vec<String>, usize)> {
    let mut start = 0;
    loop {
        let rest = &text[start..];
        if rest.starts_with('\n') {
            start += 1;
        } else if rest.starts_with("\r\n") {
            start += 2;
        } else {
            break;
        }
    }
    let end = text[start..]
        .find('\n')
        .map_or(text.len(), |p| start + p + 1);
    let line = &text[start..end];
    if !line.matches('"').count().is_multiple_of(2) {
        return None;
    }
    let parsed = super::csv::read(path, line.as_bytes()).ok()?;
    if !parsed.lines.is_empty() {
        return None;
    }
    Some((parsed.headers, end))
}

/// The layout of a CSV file from its first bytes (`head`; a byte-order mark allowed): the
/// number of header fields, the byte offset where the data lines start, and the fields of the
/// id, time and value columns. `None` when the header is anything but one plain line the
/// strict reader accepts, or lacks a column.
fn layout(path: &Path, head: &[u8], cols: &LongFormat) -> Option<(usize, usize, [usize; 3])> {
    let bom = if head.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let rest = &head[bom..];
    // the header is short: check it alone before the whole file is checked as text
    let head_end = rest
        .iter()
        .take(1 << 20)
        .position(|&b| b == b'\n')
        .map_or(rest.len().min(1 << 20), |p| p + 1);
    let (names, data_start) = header(path, std::str::from_utf8(&rest[..head_end]).ok()?)?;
    let find = |name: &str| names.iter().position(|c| c == name);
    let idx = [
        find(&cols.id_col)?,
        find(&cols.time_col)?,
        find(&cols.value_col)?,
    ];
    if idx[0] == idx[1] || idx[0] == idx[2] || idx[1] == idx[2] {
        return None;
    }
    Some((names.len(), bom + data_start, idx))
}

/// Read a CSV file through the columnar pass. `None` means "let the strict path decide":
/// the file has a problem (which the strict path then reports) or a form this pass does not
/// handle.
/// `tick` is called with the bytes of each piece parsed.
pub(super) fn load_csv(
    path: &Path,
    bytes: &[u8],
    cols: &LongFormat,
    tick: &(dyn Fn(u64) + Sync),
) -> Option<LoadedFile> {
    let (n_fields, data_start, idx) = layout(path, bytes, cols)?;
    let chunks = parse_pieces(&bytes[data_start..], n_fields, idx, tick)?;
    let rows: usize = chunks.iter().map(|c| c.time.len()).sum();
    if rows == 0 {
        return None;
    }
    let style = chunks.iter().find_map(|c| c.style)?;
    if chunks.iter().any(|c| c.style.is_some_and(|s| s != style)) {
        return None;
    }
    let kind = match kind_of(style) {
        Some(kind) => kind,
        None => {
            let cells: Vec<RawTime> = chunks
                .iter()
                .flat_map(|c| &c.time)
                .map(|&d| {
                    let (y, m, dd) = civil_from_days(d);
                    RawTime::Date(y, m, dd)
                })
                .collect();
            decide_kind(&cells).ok()?
        }
    };
    // ids in order of first appearance in the file: chunk by chunk, each in its own order
    // sized for every chunk's ids (an upper bound): no rehash while 500,000 ids go in
    let most: usize = chunks.iter().map(|c| c.ids.len()).sum();
    let mut global: IdMap<'_> = IdMap::with_capacity_and_hasher(most, Default::default());
    let mut order: Vec<&str> = Vec::with_capacity(most);
    let maps: Vec<Vec<u32>> = chunks
        .iter()
        .map(|c| {
            c.ids
                .iter()
                .map(|id| {
                    let next = order.len() as u32;
                    *global.entry(id).or_insert_with(|| {
                        order.push(id);
                        next
                    })
                })
                .collect()
        })
        .collect();
    drop(global);
    // the runs of each series, in file order (chunk by chunk, each in its own order): a
    // counting sort of the runs, not of the rows, so each series then gathers its own rows
    let mut start = vec![0usize; order.len() + 1];
    for (c, map) in chunks.iter().zip(&maps) {
        for &(k, _) in &c.runs {
            start[map[k as usize] as usize + 1] += 1;
        }
    }
    for g in 0..order.len() {
        start[g + 1] += start[g];
    }
    let mut fill = start.clone();
    let mut runs = vec![(0u32, 0u32); start[order.len()]];
    for (ci, (c, map)) in chunks.iter().zip(&maps).enumerate() {
        for (r, &(k, _)) in c.runs.iter().enumerate() {
            let g = map[k as usize] as usize;
            runs[fill[g]] = (ci as u32, r as u32);
            fill[g] += 1;
        }
    }
    drop((maps, fill));
    let context = path.display().to_string();
    let series: Vec<MarketSeries> = order
        .par_iter()
        .enumerate()
        .map(|(g, id)| {
            let mine = &runs[start[g]..start[g + 1]];
            let ordinal_periods = matches!(
                kind,
                TimeKind::Integer | TimeKind::YearMonth | TimeKind::YearQuarter { .. }
            );
            if let ([(c, r)], true) = (mine, ordinal_periods) {
                // the common case, one run of consecutive periods in order: its values as
                // they are (what the sort and the checks below would leave)
                let c = &chunks[*c as usize];
                let rows = c.run_rows(*r as usize);
                let t = &c.time[rows.clone()];
                if t.windows(2).all(|w| w[0].checked_add(1) == Some(w[1])) {
                    let values = c.value[rows].to_vec();
                    return MarketSeries::new(*id, kind, t[0], values, Unit::Unspecified).ok();
                }
            }
            let n: usize = mine
                .iter()
                .map(|&(c, r)| chunks[c as usize].run_rows(r as usize).len())
                .sum();
            let mut pts = Vec::with_capacity(n);
            for &(c, r) in mine {
                let c = &chunks[c as usize];
                let rows = c.run_rows(r as usize);
                pts.extend(
                    c.time[rows.clone()]
                        .iter()
                        .zip(&c.value[rows])
                        .map(|(&t, &v)| {
                            let o = match kind {
                                TimeKind::Integer
                                | TimeKind::YearMonth
                                | TimeKind::YearQuarter { .. } => t,
                                _ => {
                                    let (y, m, d) = civil_from_days(t);
                                    ordinal(kind, RawTime::Date(y, m, d))
                                }
                            };
                            (o, v)
                        }),
                );
            }
            // stable: equal periods keep file order, as the strict path's (period, row) sort
            pts.sort_by_key(|p| p.0);
            if pts.windows(2).any(|w| w[0].0 == w[1].0) {
                return None;
            }
            MarketSeries::from_points(&context, *id, kind, pts, Unit::Unspecified).ok()
        })
        .collect::<Option<Vec<_>>>()?;
    Some(LoadedFile { series, rows })
}

/// Bytes of a file read per block when it is streamed ([`CsvStream`]).
pub const STREAM_BLOCK_BYTES: usize = 32 << 20;

/// Bytes of memory per data row that reading a whole CSV file takes besides the file's
/// own bytes (parsed columns, the sort by series, the series), for [`in_memory_estimate`].
const BYTES_PER_ROW: u64 = 36;

/// The first MiB of `path` (all of a shorter file).
fn first_mib(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(1 << 20)
        .read_to_end(&mut head)
        .ok()?;
    Some(head)
}

/// About how much memory reading `path` whole takes: its bytes, and [`BYTES_PER_ROW`] per
/// data row, the rows estimated from the line ends in its first MiB. `None` when it is not
/// a readable file.
pub fn in_memory_estimate(path: &Path) -> Option<u64> {
    let len = std::fs::metadata(path).ok()?.len();
    let head = first_mib(path)?;
    let lines = head.iter().filter(|&&b| b == b'\n').count().max(1) as u64;
    let rows = len.saturating_mul(lines) / (head.len().max(1) as u64);
    Some(len.saturating_add(rows.saturating_mul(BYTES_PER_ROW)))
}

/// A CSV file read block by block ([`STREAM_BLOCK_BYTES`] at a time), for a run over more
/// series than fit in memory: [`CsvStream::scan`] reads it once and checks it as the
/// columnar pass does, [`CsvStream::for_each`] reads it again and hands over its series in
/// file order, a block's worth at a time. It takes only files whose rows of each series are
/// contiguous (as a file sorted by id is) and whose periods are years, months or quarters;
/// anything else is read whole.
#[derive(Debug, Clone)]
pub struct CsvStream {
    path: std::path::PathBuf,
    n_fields: usize,
    idx: [usize; 3],
    data_start: u64,
    style: Style,
    block: usize,
    len: u64,
    modified: Option<std::time::SystemTime>,
    /// The series' time kind.
    pub kind: TimeKind,
    /// How many series.
    pub series: usize,
    /// How many data rows.
    pub rows: usize,
    /// The latest last period of any series (ordinal).
    pub end: i64,
}

/// Why a block pass stopped early.
enum Stop<E> {
    /// Something the strict path must judge, or a form streaming does not take.
    GiveUp,
    /// The consumer's error.
    Consumer(E),
}

impl CsvStream {
    /// Read `path` once, block by block, checking every cell as the columnar pass does, and
    /// count its series and rows. `None` when the file must be read whole (see the type).
    pub fn scan(
        path: &Path,
        cols: &LongFormat,
        block: usize,
        tick: &(dyn Fn(u64) + Sync),
    ) -> Option<Self> {
        let meta = std::fs::metadata(path).ok()?;
        if !meta.is_file() {
            return None;
        }
        let head = first_mib(path)?;
        let (n_fields, data_start, idx) = layout(path, &head, cols)?;
        let mut s = CsvStream {
            path: path.to_path_buf(),
            n_fields,
            idx,
            data_start: data_start as u64,
            style: Style::Int,
            block: block.max(1),
            len: meta.len(),
            modified: meta.modified().ok(),
            kind: TimeKind::Integer,
            series: 0,
            rows: 0,
            end: i64::MIN,
        };
        let (mut series, mut rows, mut end) = (0usize, 0usize, i64::MIN);
        let style = s
            .blocks::<()>(None, true, tick, &mut |batch, r| {
                series += batch.len();
                rows += r;
                end = batch.iter().map(MarketSeries::end).fold(end, i64::max);
                Ok(())
            })
            .ok()?;
        if series == 0 {
            return None;
        }
        s.style = style;
        s.kind = kind_of(style)?;
        (s.series, s.rows, s.end) = (series, rows, end);
        Some(s)
    }

    /// Read the file again and hand its series to `f` in file order, a block's worth at a
    /// time. An error when the file changed since [`CsvStream::scan`].
    pub fn for_each<E: From<crate::error::Error>>(
        &self,
        f: &mut dyn FnMut(Vec<MarketSeries>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let changed = || {
            E::from(crate::error::Error::invalid(format!(
                "{} changed while it was being read; run again on a file that stays as it is",
                self.path.display()
            )))
        };
        let meta = std::fs::metadata(&self.path).map_err(|_| changed())?;
        if meta.len() != self.len || meta.modified().ok() != self.modified {
            return Err(changed());
        }
        let mut series = 0usize;
        // the scan checked that no series comes back: no set of ids this time
        match self.blocks(Some(self.style), false, &|_| {}, &mut |batch, _| {
            series += batch.len();
            f(batch)
        }) {
            Ok(_) if series == self.series => Ok(()),
            Ok(_) | Err(Stop::GiveUp) => Err(changed()),
            Err(Stop::Consumer(e)) => Err(e),
        }
    }

    /// One pass over the data lines, block by block: each block parsed on every core, its
    /// rows split into series by runs of one id (a series must not come back once another
    /// has started; checked against every id before when `check_ids`, 8 bytes per series), a
    /// series cut by the block's end carried into the next block.
    fn blocks<E>(
        &self,
        expect: Option<Style>,
        check_ids: bool,
        tick: &(dyn Fn(u64) + Sync),
        emit: &mut dyn FnMut(Vec<MarketSeries>, usize) -> std::result::Result<(), E>,
    ) -> std::result::Result<Style, Stop<E>> {
        use std::io::{Read, Seek};
        let give_up = |_| Stop::GiveUp;
        let mut file = std::fs::File::open(&self.path).map_err(give_up)?;
        file.seek(std::io::SeekFrom::Start(self.data_start))
            .map_err(give_up)?;
        let context = self.path.display().to_string();
        let mut style = expect;
        let mut seen: std::collections::HashSet<u64> = std::collections::HashSet::new();
        let mut buf: Vec<u8> = Vec::new();
        let mut pending: Option<Group> = None;
        loop {
            let want = buf.len() + self.block;
            (&mut file)
                .take(self.block as u64)
                .read_to_end(&mut buf)
                .map_err(give_up)?;
            let eof = buf.len() < want;
            let cut = if eof {
                buf.len()
            } else {
                match buf.iter().rposition(|&b| b == b'\n') {
                    Some(p) => p + 1,
                    // a line longer than a block: read on
                    None => continue,
                }
            };
            let chunks =
                parse_pieces(&buf[..cut], self.n_fields, self.idx, tick).ok_or(Stop::GiveUp)?;
            let mut rows = 0usize;
            for c in &chunks {
                rows += c.time.len();
                match (c.style, style) {
                    (None, _) => {}
                    (Some(Style::Date), _) => return Err(Stop::GiveUp),
                    (Some(a), None) => style = Some(a),
                    (Some(a), Some(b)) if a != b => return Err(Stop::GiveUp),
                    _ => {}
                }
            }
            let mut groups = runs(&chunks).ok_or(Stop::GiveUp)?;
            drop(chunks);
            if let Some((id, mut points)) = pending.take() {
                match groups.first_mut() {
                    Some(g) if g.0 == id => {
                        points.append(&mut g.1);
                        g.1 = points;
                    }
                    _ => groups.insert(0, (id, points)),
                }
            }
            if !eof {
                pending = groups.pop();
            }
            buf.drain(..cut);
            if !groups.is_empty() {
                let kind = style.and_then(kind_of).ok_or(Stop::GiveUp)?;
                for g in groups.iter().filter(|_| check_ids) {
                    let mut h = std::hash::DefaultHasher::new();
                    std::hash::Hash::hash(&g.0, &mut h);
                    if !seen.insert(std::hash::Hasher::finish(&h)) {
                        return Err(Stop::GiveUp);
                    }
                }
                let series: Vec<MarketSeries> = groups
                    .into_par_iter()
                    .map(|(id, pts)| {
                        MarketSeries::from_points(&context, id, kind, pts, Unit::Unspecified).ok()
                    })
                    .collect::<Option<Vec<_>>>()
                    .ok_or(Stop::GiveUp)?;
                emit(series, rows).map_err(Stop::Consumer)?;
            } else if rows > 0 {
                emit(Vec::new(), rows).map_err(Stop::Consumer)?;
            }
            if eof {
                break;
            }
        }
        style.ok_or(Stop::GiveUp)
    }
}

/// The time kind of a period style (a date style needs all its cells: `None`).
fn kind_of(style: Style) -> Option<TimeKind> {
    match style {
        Style::Int => Some(TimeKind::Integer),
        Style::Month => Some(TimeKind::YearMonth),
        Style::Quarter(dash) => Some(TimeKind::YearQuarter { dash }),
        Style::Date => None,
    }
}

/// One series' id and (period, value) points, in file order.
type Group = (String, Vec<(i64, f64)>);

/// The rows of `chunks` (in order) as series, one per run of one id, in order; `None` when
/// an id comes back after another id's rows (the series are not contiguous).
fn runs(chunks: &[Chunk<'_>]) -> Option<Vec<Group>> {
    let mut out: Vec<Group> = Vec::new();
    let mut opened: std::collections::HashSet<&str, foldhash::fast::FixedState> =
        std::collections::HashSet::default();
    let mut last: Option<&str> = None;
    for c in chunks {
        for (r, &(k, _)) in c.runs.iter().enumerate() {
            let id = c.ids[k as usize];
            if last != Some(id) {
                // a run may only start an id not seen before
                if !opened.insert(id) {
                    return None;
                }
                out.push((id.to_string(), Vec::new()));
                last = Some(id);
            }
            let rows = c.run_rows(r);
            out.last_mut()?.1.extend(
                c.time[rows.clone()]
                    .iter()
                    .copied()
                    .zip(c.value[rows].iter().copied()),
            );
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn both(text: &str) -> (Option<LoadedFile>, crate::error::Result<LoadedFile>) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        std::fs::File::create(&p)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let fast = load_csv(&p, text.as_bytes(), &LongFormat::default(), &|_| {});
        let strict = super::super::load_long_strict(&p, &LongFormat::default());
        (fast, strict)
    }

    fn same(a: &LoadedFile, b: &LoadedFile) {
        assert_eq!(a.rows, b.rows);
        assert_eq!(a.series.len(), b.series.len());
        for (x, y) in a.series.iter().zip(&b.series) {
            assert_eq!(x.id(), y.id());
            assert_eq!(x.kind(), y.kind());
            assert_eq!(x.start(), y.start());
            assert_eq!(x.values(), y.values());
        }
    }

    /// What `split_next` replaced: the text split on `\n`, one `\r` taken off each line's
    /// end, empty lines skipped, and each line split on its own (by the function below).
    fn lines_reference(text: &str) -> Option<Vec<Vec<&str>>> {
        let mut out = Vec::new();
        for raw in text.split('\n') {
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if line.is_empty() {
                continue;
            }
            let mut fields = Vec::new();
            split_line_reference(line, &mut fields)?;
            out.push(fields);
        }
        Some(out)
    }

    /// The fields of one data line (the splitter before `split_next`), split on commas. `None` when a field is quoted in any way
    /// other than a plain `"text"` (no inner quote) followed by a comma or the line end, or when
    /// the line holds a carriage return (a cell character the strict path judges).
    fn split_line_reference<'a>(line: &'a str, out: &mut Vec<&'a str>) -> Option<()> {
        out.clear();
        let b = line.as_bytes();
        let mut start = 0;
        loop {
            if b.get(start) == Some(&b'"') {
                let q = start + 1;
                let close = q + b[q..].iter().position(|&c| c == b'"')?;
                if b[q..close].contains(&b'\r') {
                    return None;
                }
                out.push(&line[q..close]);
                match b.get(close + 1) {
                    None => return Some(()),
                    Some(b',') => start = close + 2,
                    Some(_) => return None,
                }
                continue;
            }
            let mut i = start;
            while i < b.len() && b[i] != b',' {
                if b[i] == b'"' || b[i] == b'\r' {
                    return None;
                }
                i += 1;
            }
            out.push(&line[start..i]);
            if i == b.len() {
                return Some(());
            }
            start = i + 1;
        }
    }

    fn lines_split_next(text: &str) -> Option<Vec<Vec<&str>>> {
        let (mut out, mut from, mut fields) = (Vec::new(), 0, Vec::new());
        while from < text.len() {
            let (end, next) = split_next(text, from, &mut fields)?;
            if end > from {
                out.push(fields.clone());
            }
            from = next;
        }
        Some(out)
    }

    #[test]
    fn lines_and_fields_are_found_in_one_scan_as_the_line_split_found_them() {
        for text in [
            "A,2000,1\nB,2001,2\n",
            "A,2000,1\r\n\r\n\nB,2001,2",
            "A,2000,1\r",
            "\"A\",2000,\"1\"\r\n\"B\",\"2001\",2\n",
            "A,,\n,\n\"\"\n",
            "A,2000,1\r\r\n",
            "A,20\r00,1\n",
            "\"A\nB\",2000,1\n",
            "\"A\r\",2000,1\n",
            "\"A\"x,2000,1\n",
            "A\"B,2000,1\n",
            "\"A",
        ] {
            assert_eq!(lines_split_next(text), lines_reference(text), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_of_commas_quotes_and_line_ends_splits_as_before(
            text in "[a\",\r\n]{0,40}"
        ) {
            proptest::prop_assert_eq!(lines_split_next(&text), lines_reference(&text));
        }
    }

    #[test]
    fn the_fast_pass_gives_the_strict_series_in_the_same_order() {
        for text in [
            "unique_id,ds,y\nB,2001,2\nA,2000,1\nB,2000,1.5\nA,2001,3e2\n",
            "\"unique_id\",\"ds\",\"y\"\r\n\"007\",2020-01,1\r\n\r\n007,2020-02,\" 2\"\r\n",
            "x,unique_id,ds,y\n1,A,2020-Q1,1\n2,A,2020-Q2,2\n",
            "unique_id,ds,y\nA,2020-01-31,1\nA,2020-02-29,2\nA,2020-03-31,3",
            "unique_id,ds,y\nA,2020-06-30,1\nA,2021-06-30,2\n",
        ] {
            let (fast, strict) = both(text);
            same(&fast.expect(text), &strict.expect(text));
        }
    }

    #[test]
    fn the_fast_pass_gives_up_on_everything_the_strict_path_must_judge() {
        for text in [
            "unique_id,ds,y\nA,2000,x\n",
            "unique_id,ds,y\nA,2000,1\nA,2000,2\n",
            "unique_id,ds,y\nA,2000,1\nA,2002,2\n",
            "unique_id,ds,y\n A,2000,1\n",
            "unique_id,ds,y\n,2000,1\n",
            "unique_id,ds,y\nA,1e3,1\n",
            "unique_id,ds,y\nA,2000,1,9\n",
            "unique_id,ds,y\nA,2000,inf\n",
            "unique_id,ds,y\n\"A\"\"\",2000,1\n",
            "unique_id,ds,y\n\"A\nB\",2000,1\n",
            "unique_id,ds,y\nA,2000,1\nA,2001-01,2\n",
            "unique_id;ds;y\nA;2000;1\n",
            "unique_id,ds,y,y\nA,2000,1,1\n",
            "unique_id,ds\nA,2000\n",
            "unique_id,ds,y\n",
            "unique_id,ds,y\nA,2000,1\rB,2000,1\n",
        ] {
            let (fast, _) = both(text);
            assert!(fast.is_none(), "{text:?}");
        }
    }

    fn streamed(path: &Path, block: usize) -> Option<(CsvStream, Vec<MarketSeries>)> {
        let stream = CsvStream::scan(path, &LongFormat::default(), block, &|_| {})?;
        let mut all = Vec::new();
        stream
            .for_each::<crate::error::Error>(&mut |b| {
                all.extend(b);
                Ok(())
            })
            .unwrap();
        Some((stream, all))
    }

    #[test]
    fn a_stream_in_blocks_of_any_size_gives_the_series_of_a_whole_read() {
        let mut text = String::from("\u{feff}unique_id,ds,y\r\n");
        for k in 0..40 {
            for t in 0..(3 + k % 5) {
                text.push_str(&format!(
                    "id{k},{}-{:02},{}.5\r\n",
                    2000 + t / 12,
                    1 + t % 12,
                    k * t
                ));
            }
            if k % 7 == 0 {
                text.push_str("\r\n");
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        std::fs::write(&p, &text).unwrap();
        let whole = load_csv(&p, text.as_bytes(), &LongFormat::default(), &|_| {}).unwrap();
        // blocks shorter than a line, a few lines, and the whole file
        for block in [7, 64, 300, 1 << 20] {
            let (stream, series) = streamed(&p, block).expect("streamed");
            assert_eq!(stream.series, 40, "block {block}");
            assert_eq!(stream.rows, whole.rows);
            assert_eq!(stream.kind, TimeKind::YearMonth);
            assert_eq!(
                stream.end,
                whole.series.iter().map(|s| s.end()).max().unwrap()
            );
            same(
                &LoadedFile {
                    series,
                    rows: whole.rows,
                },
                &whole,
            );
        }
    }

    #[test]
    fn a_stream_gives_up_on_what_it_cannot_stream_or_the_strict_path_must_judge() {
        let dir = tempfile::tempdir().unwrap();
        for text in [
            // a series coming back after another, in one block and across blocks
            "unique_id,ds,y\na,2000,1\nb,2000,2\na,2001,3\n",
            "unique_id,ds,y\na,2000,1\na,2001,1\nb,2000,2\nb,2001,2\na,2002,3\n",
            // dates, a gap, a duplicate period, a bad value
            "unique_id,ds,y\na,2020-01-31,1\na,2020-02-29,2\n",
            "unique_id,ds,y\na,2000,1\na,2002,2\n",
            "unique_id,ds,y\na,2000,1\na,2000,2\n",
            "unique_id,ds,y\na,2000,x\n",
        ] {
            let p = dir.path().join("bad.csv");
            std::fs::write(&p, text).unwrap();
            for block in [12, 1 << 20] {
                assert!(
                    CsvStream::scan(&p, &LongFormat::default(), block, &|_| {}).is_none(),
                    "{text:?} in blocks of {block}"
                );
            }
        }
    }

    #[test]
    fn a_file_that_changes_between_the_two_reads_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        std::fs::write(
            &p,
            "unique_id,ds,y\na,2000,1\na,2001,2\nb,2000,3\nb,2001,4\n",
        )
        .unwrap();
        let stream = CsvStream::scan(&p, &LongFormat::default(), 1 << 20, &|_| {}).unwrap();
        std::fs::write(&p, "unique_id,ds,y\na,2000,1\na,2001,2\n").unwrap();
        let e = stream
            .for_each::<crate::error::Error>(&mut |_| Ok(()))
            .unwrap_err();
        assert!(
            e.to_string().contains("changed while it was being read"),
            "{e}"
        );
    }

    #[test]
    fn the_plain_value_path_reads_cells_exactly_as_the_general_parser_does() {
        let cells = [
            "0",
            "-0",
            "1",
            "102.975131",
            "0.1",
            ".5",
            "5.",
            "-.5",
            ".",
            "-",
            "",
            "1.2.3",
            "+1",
            " 1",
            "1 ",
            "1e3",
            "123456789012345",
            "1234567890123456",
            "0.000000000000001",
            "999999999999999",
            "-999999999.999999",
            "00000000000000000001",
            "1,5",
            "0x10",
        ];
        for v in cells {
            if let Some(fast) = plain_value(v) {
                let std: f64 = v.trim().parse().expect(v);
                assert_eq!(fast.to_bits(), std.to_bits(), "{v:?}");
            }
        }
        assert_eq!(plain_value("102.975131"), Some(102.975131));
        assert_eq!(plain_value("1e3"), None);
        assert_eq!(plain_value("1234567890123456"), None);
    }

    proptest::proptest! {
        #[test]
        fn plain_values_are_bit_for_bit_what_str_parse_gives(
            neg in proptest::bool::ANY,
            int in "[0-9]{0,15}",
            frac in proptest::option::of("[0-9]{0,15}"),
        ) {
            let v = format!("{}{}{}", if neg { "-" } else { "" }, int, frac.map(|f| format!(".{f}")).unwrap_or_default());
            if let Some(fast) = plain_value(&v) {
                let std: f64 = v.parse().expect(&v);
                proptest::prop_assert_eq!(fast.to_bits(), std.to_bits(), "{:?}", v);
            }
        }
    }

    #[test]
    fn the_plain_period_path_reads_cells_exactly_as_the_general_parser_does() {
        let cells = [
            "2000",
            "0",
            "0123",
            "999999999999",
            "1000000000000",
            "2020-01",
            "2020-12",
            "2020-00",
            "2020-13",
            "0000-01",
            "2020-1",
            "202-01",
            "2020-Q1",
            "2020Q1",
            "-5",
            " 2000",
            "2000 ",
            "1e3",
            "2000.0",
            "20x0",
            "2020-01-31",
            "",
            "2020-0a",
            "12345678901234",
        ];
        for t in cells {
            if let Some(fast) = plain_period(t) {
                assert_eq!(Some(fast), period_cell(t).ok().map(encode), "{t:?}");
            }
        }
        // the cells it exists for take the plain path
        for t in ["2000", "0123", "999999999999", "2020-01", "2020-12"] {
            assert!(plain_period(t).is_some(), "{t:?}");
        }
        for t in [
            "1000000000000",
            "2020-13",
            "2020-00",
            "-5",
            " 2000",
            "2020-Q1",
            "1e3",
        ] {
            assert!(plain_period(t).is_none(), "{t:?}");
        }
    }

    #[test]
    fn many_chunks_keep_the_order_of_first_appearance() {
        // more than 1 MiB, so that the rows are cut into several parallel chunks
        let mut text = String::from("unique_id,ds,y\n");
        for r in 0..100_000 {
            let id = (r * 7919) % 5003;
            text.push_str(&format!("s{id},{},{}.25\n", 1000 + r / 5003, r % 97));
        }
        assert!(text.len() > 1 << 20);
        let (fast, strict) = both(&text);
        same(&fast.expect("fast"), &strict.expect("strict"));
    }
}
