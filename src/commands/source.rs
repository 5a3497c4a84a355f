//! The data a command works on: a built-in series or the user's long-format file, cut to
//! `--as-of` and `--since`, with its provenance. Also the period rules every command shares
//! ("complete years as of a month", an as-of month of the built-in data).

use super::provenance::{self, Provenance};
use crate::error::{Error, Result};
use crate::ingest::LongFormat;
use crate::ingest::builtin::{self, Provenance as CellProvenance};
use crate::series::time::{
    RawTime, days_from_civil, days_in_month, last_complete_year, ordinal, parse_time,
};
use crate::series::{MarketSeries, TimeKind};
use std::path::PathBuf;

/// Which data, as the user chose it (the CLI's `--series`/`--input` family, validated).
#[derive(Debug, Clone, Default)]
pub struct SourceRequest {
    /// Built-in series name; `None` with no `input` means [`super::defaults::SERIES`].
    pub series: Option<String>,
    /// The user's long-format file instead.
    pub input: Option<PathBuf>,
    /// Column names of `input`.
    pub columns: LongFormat,
    /// Keep only this series of `input`.
    pub id: Option<String>,
    /// Only data that existed then, as typed (YEAR, YYYY-MM, ...).
    pub as_of: Option<String>,
    /// Fit on data from this period on, as typed.
    pub since: Option<String>,
}

/// The as-of cut of a result: as typed, and the last period it leaves.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AsOf {
    /// As the user typed it.
    pub requested: String,
    /// The last period of the series it leaves.
    pub last_period: String,
}

/// What every one-series result starts with: where the data come from and what they are.
/// Flattened into the result, so its keys are the result's first keys.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SeriesHead {
    /// Where the data come from.
    pub provenance: Provenance,
    /// The series' id.
    pub series: String,
    /// The data in words.
    pub label: String,
    /// The series as a chart title names it.
    pub title: String,
    /// Whether the series is built in (money targets are shown in $B).
    pub builtin: bool,
    /// The series' unit.
    pub unit: String,
    /// `--as-of`, if given.
    pub as_of: Option<AsOf>,
}

impl SeriesHead {
    /// The head of a result about `src`'s first series, asked by `req`.
    pub fn of(src: &Source, req: &SourceRequest) -> Self {
        let series = &src.series[0];
        SeriesHead {
            provenance: src.provenance(),
            series: series.id().to_string(),
            label: src.label.clone(),
            title: src.title(),
            builtin: src.builtin.is_some(),
            unit: series.unit().label().to_string(),
            as_of: src.as_of_echo(req),
        }
    }
}

/// The data a command works on.
#[derive(Debug, Clone)]
pub struct Source {
    /// Series after --as-of / --since, in input order.
    pub series: Vec<MarketSeries>,
    /// For a built-in series: provenance aligned with `series[0]`.
    pub provenance: Option<Vec<CellProvenance>>,
    /// The full (uncut) series, to show later actuals next to an as-of forecast.
    pub full: Vec<MarketSeries>,
    /// Human description of the data (for reports, metadata and chart footnotes).
    pub label: String,
    /// Short data-source tag for metadata.
    pub source_tag: String,
    /// The as-of cut applied (ordinal), if any.
    pub as_of: Option<i64>,
    /// Built-in series name, or None for --input.
    pub builtin: Option<String>,
    /// Id and time column names for outputs.
    pub id_col: String,
    /// Time column name.
    pub time_col: String,
    /// Time kind of all series.
    pub kind: TimeKind,
}

impl Source {
    /// The as-of cut as the result reports it: `req`'s `--as-of` as typed and the last
    /// period it leaves; `None` without one.
    pub fn as_of_echo(&self, req: &SourceRequest) -> Option<AsOf> {
        req.as_of.as_ref().zip(self.as_of).map(|(t, o)| AsOf {
            requested: t.clone(),
            last_period: self.kind.format(o),
        })
    }

    /// The result's provenance: the built-in dataset or the user's file.
    pub fn provenance(&self) -> Provenance {
        match &self.provenance {
            Some(cells) => Provenance::builtin(
                &[cells.first().map_or("wsts_annual", |c| c.dataset)],
                self.source_tag.clone(),
            ),
            None => Provenance::file(std::path::Path::new(&self.source_tag)),
        }
    }

    /// Chart title for the series: the built-in name in words, or the input id.
    pub fn title(&self) -> String {
        match self.builtin.as_deref() {
            Some("worldwide") => "Worldwide semiconductor sales".to_string(),
            Some(region) => format!("Semiconductor sales, {region}"),
            None => format!("Series {}", self.series[0].id()),
        }
    }
}

/// Parse a period the user typed, in the series' time kind.
/// For annual series a `YYYY-MM` as-of keeps complete years only.
pub fn parse_period(text: &str, kind: TimeKind, flag: &str, as_of: bool) -> Result<i64> {
    let raw = parse_time(text).ok_or_else(|| {
        Error::invalid(format!(
            "{flag} {text:?} is not a period; expected YEAR (e.g. 2024), YYYY-MM, YYYY-Qn or YYYY-MM-DD"
        ))
    })?;
    Ok(match (kind, raw) {
        (TimeKind::Integer | TimeKind::AnnualDate { .. }, RawTime::Int(i)) => i,
        (TimeKind::Integer, _) if !as_of => {
            return Err(Error::invalid(format!(
                "{flag} {text:?}: this series has integer periods; give an integer"
            )));
        }
        // the period's own style (a month on monthly data, a date on dated data)
        (TimeKind::YearMonth | TimeKind::MonthlyDate { .. }, RawTime::Month(..))
        | (TimeKind::YearQuarter { .. } | TimeKind::QuarterlyDate { .. }, RawTime::Quarter(..))
        | (
            TimeKind::MonthlyDate { .. }
            | TimeKind::QuarterlyDate { .. }
            | TimeKind::Weekly { .. }
            | TimeKind::Daily,
            RawTime::Date(..),
        ) => ordinal(kind, raw),
        // a coarser period: up to the last period that ends within it
        (_, RawTime::Int(y)) => period_through(kind, y, 12),
        (_, RawTime::Month(y, m) | RawTime::Date(y, m, _)) => period_through(kind, y, m),
        (_, RawTime::Quarter(y, q, _)) => period_through(kind, y, 3 * q),
    })
}

/// The last period of `kind` that ends by the end of month `m` of year `y`.
fn period_through(kind: TimeKind, y: i64, m: u32) -> i64 {
    let month_end = days_from_civil(y, m, 1) + i64::from(days_in_month(y, m)) - 1;
    match kind {
        TimeKind::Integer | TimeKind::AnnualDate { .. } => {
            last_complete_year(y * 12 + i64::from(m) - 1)
        }
        TimeKind::YearMonth | TimeKind::MonthlyDate { .. } => y * 12 + i64::from(m) - 1,
        TimeKind::YearQuarter { .. } | TimeKind::QuarterlyDate { .. } => {
            y * 4 + i64::from(m / 3) - 1
        }
        TimeKind::Weekly { offset } => (month_end - i64::from(offset)).div_euclid(7),
        TimeKind::Daily => month_end,
    }
}

/// The last month (ordinal) an `--as-of` text leaves in monthly data: `YYYY-MM` or a date
/// is that month, a bare year is its December. `None` if the text is not a period.
pub fn as_of_month(text: &str) -> Option<i64> {
    match parse_time(text)? {
        raw @ (RawTime::Month(..) | RawTime::Date(..)) => Some(ordinal(TimeKind::YearMonth, raw)),
        RawTime::Quarter(y, q, _) => Some(y * 12 + 3 * i64::from(q) - 1),
        RawTime::Int(y) => Some(y * 12 + 11),
    }
}

/// An `--as-of` for the built-in data as its last month ([`as_of_month`]), refused when
/// it is not a period or is after the last month of the built-in monthly data (as-of cuts
/// data back; it cannot add months that do not exist).
pub fn builtin_as_of_month(text: &str) -> Result<i64> {
    let Some(cut) = as_of_month(text) else {
        return Err(Error::invalid(format!(
            "--as-of {text:?} is not a period; expected YEAR or YYYY-MM"
        )));
    };
    let end = builtin::series("worldwide-monthly")?.series.end();
    if cut > end {
        let last = TimeKind::YearMonth.format(end);
        return Err(Error::invalid(format!(
            "--as-of {text} is after the last month of data ({last}); --as-of cuts the data back to a date, so give {last} or earlier, or drop --as-of"
        )));
    }
    Ok(cut)
}

/// Load the data a request names, cut to its `as_of` and `since`.
pub fn load(src: &SourceRequest) -> Result<Source> {
    load_with(src, &|_| {})
}

/// The total size in bytes of the files an `--input` path names (a file, a directory or a
/// glob), for sizing a progress display of [`load_with`].
pub fn input_bytes(path: &std::path::Path) -> Result<u64> {
    Ok(crate::ingest::input_files(path)?
        .iter()
        .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
        .sum())
}

/// [`load`], calling `tick(bytes)` as the input files are read (for a progress display).
/// An `--input` may name a file, a directory of files or a glob; each series must sit in
/// one file, and every file must have the same time format.
pub fn load_with(src: &SourceRequest, tick: &(dyn Fn(u64) + Sync)) -> Result<Source> {
    if let Some(path) = &src.input {
        let cols = src.columns.clone();
        let files = crate::ingest::input_files(path)?;
        let mut series: Vec<MarketSeries> = Vec::new();
        let mut rows = 0usize;
        // a series lives in one file: which file each id came from
        let mut home: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for (k, file) in files.iter().enumerate() {
            let loaded = crate::ingest::load_long_with(file, &cols, tick)?;
            rows += loaded.rows;
            for s in loaded.series {
                if let Some(first) = series.first() {
                    if s.kind() != first.kind() {
                        return Err(Error::invalid(format!(
                            "{}: its periods are {} but {} has {}; every file of one --input needs the same time format",
                            file.display(),
                            s.kind().describe(),
                            files[0].display(),
                            first.kind().describe()
                        )));
                    }
                }
                if files.len() > 1 {
                    if let Some(j) = home.insert(s.id().to_string(), k) {
                        return Err(Error::invalid(format!(
                            "series {:?} is in {} and in {}; with several input files each series must be in one file (merge its rows into one)",
                            s.id(),
                            files[j].display(),
                            file.display()
                        )));
                    }
                }
                series.push(s);
            }
        }
        drop(home);
        if let Some(id) = &src.id {
            let ids: Vec<String> = series.iter().map(|s| s.id().to_string()).collect();
            series.retain(|s| s.id() == id);
            if series.is_empty() {
                let shown: Vec<&str> = ids.iter().take(10).map(String::as_str).collect();
                return Err(Error::invalid(format!(
                    "{}: no series with id {id:?} in column {:?}; ids include: {}{}",
                    path.display(),
                    cols.id_col,
                    shown.join(", "),
                    if ids.len() > 10 { ", ..." } else { "" }
                )));
            }
        }
        let kind = series[0].kind();
        // the uncut series is shown beside a one-series forecast only; many series are not
        // held twice
        let full = if series.len() == 1 {
            series.clone()
        } else {
            Vec::new()
        };
        let (as_of, since) = window(src, kind)?;
        let data_end = series.iter().map(|s| s.end()).max().unwrap_or(i64::MIN);
        check_as_of(src, as_of, kind, data_end)?;
        let series = cut(series, as_of, since)?;
        return Ok(Source {
            series,
            provenance: None,
            full,
            label: if files.len() > 1 {
                format!("{} ({} files, {rows} rows)", path.display(), files.len())
            } else {
                format!("{} ({rows} rows)", path.display())
            },
            source_tag: path.display().to_string(),
            as_of,
            builtin: None,
            id_col: cols.id_col,
            time_col: cols.time_col,
            kind,
        });
    }
    let name = src
        .series
        .clone()
        .unwrap_or_else(|| super::defaults::SERIES.into());
    let sourced = builtin::series(&name)?;
    let kind = sourced.series.kind();
    let (as_of, since) = window(src, kind)?;
    check_as_of(src, as_of, kind, sourced.series.end())?;
    let series = cut(vec![sourced.series.clone()], as_of, since)?.remove(0);
    // provenance stays aligned with the cut series' periods
    let skip = (series.start() - sourced.series.start()) as usize;
    let cells = sourced.provenance[skip..skip + series.len()].to_vec();
    let dataset = sourced.provenance[0].dataset;
    Ok(Source {
        label: format!(
            "{name}: built-in {dataset} ({}; {} to {})",
            provenance::hbr_long(),
            kind.format(sourced.series.start()),
            kind.format(sourced.series.end())
        ),
        source_tag: provenance::builtin_tag(dataset),
        series: vec![series],
        provenance: Some(cells),
        full: vec![sourced.series],
        as_of,
        builtin: Some(name),
        id_col: "unique_id".into(),
        time_col: "ds".into(),
        kind,
    })
}

/// `as_of` and `since` as ordinals of the series' time kind.
fn window(src: &SourceRequest, kind: TimeKind) -> Result<(Option<i64>, Option<i64>)> {
    let as_of = src
        .as_of
        .as_deref()
        .map(|t| parse_period(t, kind, "--as-of", true))
        .transpose()?;
    let since = src
        .since
        .as_deref()
        .map(|t| parse_period(t, kind, "--since", false))
        .transpose()?;
    Ok((as_of, since))
}

/// An `--as-of` after the data's last period would cut nothing: almost always a typo
/// (`--as-of 2031`), so it is refused rather than silently ignored.
fn check_as_of(
    src: &SourceRequest,
    as_of: Option<i64>,
    kind: TimeKind,
    data_end: i64,
) -> Result<()> {
    if let Some(a) = as_of {
        if a > data_end {
            return Err(Error::invalid(format!(
                "--as-of {} is after the last period of the data ({}); --as-of cuts the data back to a date, so give {} or earlier, or drop --as-of",
                src.as_of.as_deref().unwrap_or(""),
                kind.format(data_end),
                kind.format(data_end)
            )));
        }
    }
    Ok(())
}

fn cut(
    series: Vec<MarketSeries>,
    as_of: Option<i64>,
    since: Option<i64>,
) -> Result<Vec<MarketSeries>> {
    series
        .into_iter()
        .map(|mut s| {
            if let Some(a) = as_of {
                s = s.truncate_to(a)?;
            }
            if let Some(f) = since {
                s = s.since(f)?;
            }
            Ok(s)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_annual_as_of_month_keeps_only_the_complete_years() {
        assert_eq!(
            parse_period("2025-06", TimeKind::Integer, "--as-of", true).unwrap(),
            2024
        );
        assert_eq!(
            parse_period("2025-12", TimeKind::Integer, "--as-of", true).unwrap(),
            2025
        );
    }

    #[test]
    fn the_builtin_source_names_its_vintage_and_cuts_to_the_as_of() {
        let src = load(&SourceRequest {
            as_of: Some("2024-06".into()),
            ..SourceRequest::default()
        })
        .unwrap();
        assert_eq!(src.series[0].end(), 2023);
        assert!(
            src.label.contains(provenance::WSTS_VINTAGE),
            "{}",
            src.label
        );
        assert_eq!(src.provenance().vintage, Some(provenance::WSTS_VINTAGE));
    }
}
