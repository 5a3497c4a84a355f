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
    /// Per row: index into `ids`.
    row_id: Vec<u32>,
    /// Per row: the encoded period.
    time: Vec<i64>,
    /// Per row: the value.
    value: Vec<f64>,
    style: Option<Style>,
}

/// The fields of one data line, split on commas. `None` when a field is quoted in any way
/// other than a plain `"text"` (no inner quote) followed by a comma or the line end, or when
/// the line holds a carriage return (a cell character the strict path judges).
fn split_line<'a>(line: &'a str, out: &mut Vec<&'a str>) -> Option<()> {
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

/// Parse the data lines in `text` (whole lines). `None` at the first line the strict path
/// must judge.
fn parse_chunk<'a>(text: &'a str, n_fields: usize, cols: [usize; 3]) -> Option<Chunk<'a>> {
    let mut c = Chunk::default();
    let mut index: HashMap<&'a str, u32> = HashMap::new();
    let mut last: Option<(&'a str, u32)> = None;
    let mut fields: Vec<&'a str> = Vec::with_capacity(n_fields);
    for raw in text.split('\n') {
        // the strict reader skips empty lines ("" and "\r" before the newline)
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.is_empty() {
            continue;
        }
        split_line(line, &mut fields)?;
        if fields.len() != n_fields {
            return None;
        }
        let (id, t, v) = (fields[cols[0]], fields[cols[1]], fields[cols[2]]);
        if id.trim().is_empty() || id.trim() != id {
            return None;
        }
        let (style, time) = encode(period_cell(t).ok()?);
        match c.style {
            None => c.style = Some(style),
            Some(s) if s != style => return None,
            Some(_) => {}
        }
        let x: f64 = v.trim().parse().ok()?;
        if !x.is_finite() {
            return None;
        }
        let k = match last {
            Some((prev, k)) if prev == id => k,
            _ => {
                let next = c.ids.len() as u32;
                let k = *index.entry(id).or_insert_with(|| {
                    c.ids.push(id);
                    next
                });
                last = Some((id, k));
                k
            }
        };
        c.row_id.push(k);
        c.time.push(time);
        c.value.push(x);
    }
    Some(c)
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
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (names, data_start) = {
        // the header is short: check it alone before the whole file is checked as text
        let head_end = bytes
            .iter()
            .take(1 << 20)
            .position(|&b| b == b'\n')
            .map_or(bytes.len().min(1 << 20), |p| p + 1);
        let head = std::str::from_utf8(&bytes[..head_end]).ok()?;
        header(path, head)?
    };
    let find = |name: &str| names.iter().position(|c| c == name);
    let idx = [
        find(&cols.id_col)?,
        find(&cols.time_col)?,
        find(&cols.value_col)?,
    ];
    if idx[0] == idx[1] || idx[0] == idx[2] || idx[1] == idx[2] {
        return None;
    }
    let data = &bytes[data_start..];
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
    let chunks: Vec<Chunk<'_>> = pieces
        .par_iter()
        .map(|piece| {
            let text = std::str::from_utf8(piece).ok()?;
            if text.contains('\0') {
                return None;
            }
            let parsed = parse_chunk(text, names.len(), idx);
            tick(piece.len() as u64);
            parsed
        })
        .collect::<Option<Vec<_>>>()?;
    let rows: usize = chunks.iter().map(|c| c.row_id.len()).sum();
    if rows == 0 {
        return None;
    }
    let style = chunks.iter().find_map(|c| c.style)?;
    if chunks.iter().any(|c| c.style.is_some_and(|s| s != style)) {
        return None;
    }
    let kind = match style {
        Style::Int => TimeKind::Integer,
        Style::Month => TimeKind::YearMonth,
        Style::Quarter(dash) => TimeKind::YearQuarter { dash },
        Style::Date => {
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
    let mut global: HashMap<&str, u32> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
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
    // counting sort of the rows by series, keeping file order within a series
    let mut start = vec![0usize; order.len() + 1];
    for (c, map) in chunks.iter().zip(&maps) {
        for &k in &c.row_id {
            start[map[k as usize] as usize + 1] += 1;
        }
    }
    for g in 0..order.len() {
        start[g + 1] += start[g];
    }
    let mut fill = start.clone();
    let mut points = vec![(0i64, 0.0f64); rows];
    for (c, map) in chunks.iter().zip(&maps) {
        for ((&k, &t), &v) in c.row_id.iter().zip(&c.time).zip(&c.value) {
            let g = map[k as usize] as usize;
            let o = match kind {
                TimeKind::Integer | TimeKind::YearMonth | TimeKind::YearQuarter { .. } => t,
                _ => {
                    let (y, m, d) = civil_from_days(t);
                    ordinal(kind, RawTime::Date(y, m, d))
                }
            };
            points[fill[g]] = (o, v);
            fill[g] += 1;
        }
    }
    drop(maps);
    let context = path.display().to_string();
    let ids: Vec<String> = order.iter().map(|s| s.to_string()).collect();
    drop(chunks);
    let series: Vec<MarketSeries> = ids
        .into_par_iter()
        .enumerate()
        .map(|(g, id)| {
            let mut pts = points[start[g]..start[g + 1]].to_vec();
            // stable: equal periods keep file order, as the strict path's (period, row) sort
            pts.sort_by_key(|p| p.0);
            if pts.windows(2).any(|w| w[0].0 == w[1].0) {
                return None;
            }
            MarketSeries::from_points(&context, id, kind, pts, Unit::Unspecified).ok()
        })
        .collect::<Option<Vec<_>>>()?;
    Some(LoadedFile { series, rows })
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
