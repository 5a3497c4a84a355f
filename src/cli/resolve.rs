//! Turn what the user typed into library values: series, as-of cut, model choice, horizon.

use super::{Combine, ModelArgs, ModelName, SourceArgs};
use anyhow::{Context, bail};
use chipcast::evaluation::select::ModelChoice;
use chipcast::ingest::builtin::{self, Provenance};
use chipcast::ingest::{LongFormat, load_long_with};
use chipcast::models::ModelSpec;
use chipcast::models::combination::ComboSpec;
use chipcast::models::registry::{self, Entry};
use chipcast::scenarios::projection::{Projection, project_with};
use chipcast::series::time::{RawTime, days_from_civil, days_in_month, ordinal, parse_time};
use chipcast::series::{MarketSeries, TimeKind};

/// The data a command works on.
pub(crate) struct Source {
    /// Series after --as-of / --since, in input order.
    pub series: Vec<MarketSeries>,
    /// For a built-in series: provenance aligned with `series[0]`.
    pub provenance: Option<Vec<Provenance>>,
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

/// Parse a period the user typed, in the series' time kind.
/// For annual series a `YYYY-MM` as-of keeps complete years only.
pub(crate) fn parse_period(
    text: &str,
    kind: TimeKind,
    flag: &str,
    as_of: bool,
) -> anyhow::Result<i64> {
    let raw = parse_time(text).with_context(|| {
        format!("{flag} {text:?} is not a period; expected YEAR (e.g. 2024), YYYY-MM, YYYY-Qn or YYYY-MM-DD")
    })?;
    Ok(match (kind, raw) {
        (TimeKind::Integer | TimeKind::AnnualDate { .. }, RawTime::Int(i)) => i,
        (TimeKind::Integer, _) if !as_of => {
            bail!("{flag} {text:?}: this series has integer periods; give an integer")
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
            if m == 12 {
                y
            } else {
                y - 1
            }
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
pub(crate) fn as_of_month(text: &str) -> Option<i64> {
    match parse_time(text)? {
        raw @ (RawTime::Month(..) | RawTime::Date(..)) => Some(ordinal(TimeKind::YearMonth, raw)),
        RawTime::Quarter(y, q, _) => Some(y * 12 + 3 * i64::from(q) - 1),
        RawTime::Int(y) => Some(y * 12 + 11),
    }
}

/// An `--as-of` for the built-in data as its last month ([`as_of_month`]), refused when
/// it is not a period or is after the last month of the built-in monthly data (as-of cuts
/// data back; it cannot add months that do not exist).
pub(crate) fn builtin_as_of_month(text: &str) -> anyhow::Result<i64> {
    let Some(cut) = as_of_month(text) else {
        bail!("--as-of {text:?} is not a period; expected YEAR or YYYY-MM");
    };
    let end = builtin::series("worldwide-monthly")?.series.end();
    if cut > end {
        let last = TimeKind::YearMonth.format(end);
        bail!(
            "--as-of {text} is after the last month of data ({last}); --as-of cuts the data back to a date, so give {last} or earlier, or drop --as-of"
        );
    }
    Ok(cut)
}

/// [`load`], then the season length from `--season-length` when given.
pub(crate) fn load_seasonal(src: &SourceArgs, m: &ModelArgs) -> anyhow::Result<Source> {
    let mut source = load(src)?;
    if let Some(len) = m.season_length {
        if len == 0 {
            bail!("--season-length must be at least 1 (1 = non-seasonal)");
        }
        for s in source.series.iter_mut().chain(source.full.iter_mut()) {
            s.set_season_length(len);
        }
    }
    Ok(source)
}

pub(crate) fn load(src: &SourceArgs) -> anyhow::Result<Source> {
    if let Some(path) = &src.input {
        let cols = LongFormat {
            id_col: src.id_col.clone(),
            time_col: src.time_col.clone(),
            value_col: src.value_col.clone(),
        };
        let files = chipcast::ingest::input_files(path)?;
        let size = files
            .iter()
            .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
            .sum();
        let progress = chipcast::outputs::progress::Progress::new(size, "bytes", "read");
        let mut series: Vec<MarketSeries> = Vec::new();
        let mut rows = 0usize;
        // a series lives in one file: which file each id came from
        let mut home: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for (k, file) in files.iter().enumerate() {
            let loaded = load_long_with(file, &cols, &|n| progress.inc(n))?;
            rows += loaded.rows;
            for s in loaded.series {
                if let Some(first) = series.first() {
                    if s.kind() != first.kind() {
                        bail!(
                            "{}: its periods are {} but {} has {}; every file of one --input needs the same time format",
                            file.display(),
                            s.kind().describe(),
                            files[0].display(),
                            first.kind().describe()
                        );
                    }
                }
                if files.len() > 1 {
                    if let Some(j) = home.insert(s.id().to_string(), k) {
                        bail!(
                            "series {:?} is in {} and in {}; with several input files each series must be in one file (merge its rows into one)",
                            s.id(),
                            files[j].display(),
                            file.display()
                        );
                    }
                }
                series.push(s);
            }
        }
        drop(home);
        progress.finish();
        if let Some(id) = &src.id {
            let ids: Vec<String> = series.iter().map(|s| s.id().to_string()).collect();
            series.retain(|s| s.id() == id);
            if series.is_empty() {
                let shown: Vec<&str> = ids.iter().take(10).map(String::as_str).collect();
                bail!(
                    "{}: no series with id {id:?} in column {:?}; ids include: {}{}",
                    path.display(),
                    cols.id_col,
                    shown.join(", "),
                    if ids.len() > 10 { ", ..." } else { "" }
                );
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
    let name = src.series.clone().unwrap_or_else(|| "worldwide".into());
    let sourced = builtin::series(&name)?;
    let kind = sourced.series.kind();
    let (as_of, since) = window(src, kind)?;
    check_as_of(src, as_of, kind, sourced.series.end())?;
    let series = cut(vec![sourced.series.clone()], as_of, since)?.remove(0);
    // provenance stays aligned with the cut series' periods
    let skip = (series.start() - sourced.series.start()) as usize;
    let provenance = sourced.provenance[skip..skip + series.len()].to_vec();
    let dataset = sourced.provenance[0].dataset;
    Ok(Source {
        label: format!(
            "{name}: built-in {dataset} (WSTS Historical Billings Report, May-2026 vintage; {} to {})",
            kind.format(sourced.series.start()),
            kind.format(sourced.series.end())
        ),
        source_tag: format!("chipcast built-in {dataset}.csv (WSTS HBR May-2026 vintage)"),
        series: vec![series],
        provenance: Some(provenance),
        full: vec![sourced.series],
        as_of,
        builtin: Some(name),
        id_col: "unique_id".into(),
        time_col: "ds".into(),
        kind,
    })
}

/// `--as-of` and `--since` as ordinals of the series' time kind.
fn window(src: &SourceArgs, kind: TimeKind) -> anyhow::Result<(Option<i64>, Option<i64>)> {
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
    src: &SourceArgs,
    as_of: Option<i64>,
    kind: TimeKind,
    data_end: i64,
) -> anyhow::Result<()> {
    if let Some(a) = as_of {
        if a > data_end {
            bail!(
                "--as-of {} is after the last period of the data ({}); --as-of cuts the data back to a date, so give {} or earlier, or drop --as-of",
                src.as_of.as_deref().unwrap_or(""),
                kind.format(data_end),
                kind.format(data_end)
            );
        }
    }
    Ok(())
}

fn cut(
    series: Vec<MarketSeries>,
    as_of: Option<i64>,
    since: Option<i64>,
) -> anyhow::Result<Vec<MarketSeries>> {
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

/// `project_with` under the user's choice, the forecast's model named as the user chose it
/// (a combination shows auto, scum or combo), so every report, chart and table agrees.
pub(crate) fn project_named(
    series: &MarketSeries,
    (name, choice): (ModelName, ModelChoice),
    h: usize,
    levels: &[f64],
    floor: bool,
) -> anyhow::Result<Projection> {
    let mut p = project_with(series, choice, h, levels, floor)?;
    p.forecast.model = name.shown(&p.forecast.model).to_string();
    Ok(p)
}

/// The model choice, refusing options the model would ignore.
pub(crate) fn choice(m: &ModelArgs) -> anyhow::Result<(ModelName, ModelChoice)> {
    let model = m.model.unwrap_or(ModelName::AUTO);
    let info = model.0;
    let is = |e: Entry| info.entry == e;
    if m.bias_adjust && info.name != "loglinear" {
        bail!(
            "--bias-adjust only changes the loglinear model's back-transform; it would be ignored by --model {} (use --model loglinear)",
            model.label()
        );
    }
    if m.regressors.is_some() != is(Entry::Regression) {
        bail!(
            "--model regression and --regressors FILE go together (got --model {}{})",
            model.label(),
            if m.regressors.is_some() {
                " with --regressors"
            } else {
                " without --regressors"
            }
        );
    }
    chipcast::limits::check_paths(m.paths as u128)?;
    if m.cap.is_some() && !info.needs_cap {
        bail!(
            "--cap sets the saturation level of --model {}; --model {} would ignore it",
            registry::MODELS
                .iter()
                .filter(|r| r.needs_cap)
                .map(|r| r.name)
                .collect::<Vec<_>>()
                .join(" or "),
            model.label()
        );
    }
    if (!m.members.is_empty() || m.combine.is_some() || m.log_scale) && !is(Entry::Combo) {
        bail!(
            "--members, --combine and --log-scale configure --model combo; --model {} would ignore them",
            model.label()
        );
    }
    if let Some(c) = m.cap {
        if !(c.is_finite() && c > 0.0) {
            bail!("--cap {c} must be a positive number above every observation");
        }
    }
    let choice = match info.entry {
        Entry::Auto | Entry::Regression => ModelChoice::Auto,
        Entry::Select => ModelChoice::Select,
        Entry::Scum => ModelChoice::Fixed(chipcast::evaluation::select::scum_spec()),
        Entry::Combo => {
            let members = if m.members.is_empty() {
                chipcast::evaluation::select::auto_members()
            } else {
                m.members
                    .iter()
                    .map(|n| single(*n, m))
                    .collect::<anyhow::Result<Vec<_>>>()?
            };
            let mut combo = ComboSpec::new(
                &members,
                m.combine.unwrap_or(Combine::Median) == Combine::Median,
            )?;
            combo.log = m.log_scale;
            ModelChoice::Fixed(ModelSpec::Combo(combo))
        }
        Entry::Single(_) => ModelChoice::Fixed(single(model, m)?),
    };
    Ok((model, choice))
}

/// A single (non-combination) model, with the options that parameterise it.
fn single(n: ModelName, m: &ModelArgs) -> anyhow::Result<ModelSpec> {
    Ok(match registry::spec(n.0) {
        Some(ModelSpec::LogLinear { .. }) => ModelSpec::LogLinear {
            bias_adjust: m.bias_adjust,
        },
        Some(ModelSpec::Logistic { .. }) => ModelSpec::Logistic { cap: m.cap },
        Some(ModelSpec::Gompertz { .. }) => ModelSpec::Gompertz { cap: m.cap },
        Some(spec) => spec,
        None => bail!(
            "--members takes single models; {} cannot be a member",
            n.label()
        ),
    })
}

/// Steps ahead from `--horizon` or `--until`, or the default (to 2030 for annual built-in
/// series, 12 for monthly data, 8 quarterly, 13 weekly, 14 daily, 6 otherwise).
pub(crate) fn horizon(
    horizon: Option<usize>,
    until: Option<&str>,
    kind: TimeKind,
    end: i64,
    builtin: bool,
) -> anyhow::Result<usize> {
    let h = if let Some(h) = horizon {
        chipcast::limits::check_horizon("--horizon", h as u128)?
    } else if let Some(u) = until {
        let last = parse_period(u, kind, "--until", false)?;
        if last <= end {
            bail!(
                "--until {u} is not after the last period used ({}); give a later period",
                kind.format(end)
            );
        }
        let steps = (i128::from(last) - i128::from(end)) as u128;
        chipcast::limits::check_horizon(&format!("--until {u}"), steps)?
    } else {
        match kind {
            _ if builtin && kind.season_length() == 1 => (2030 - end).max(1) as usize,
            TimeKind::YearMonth | TimeKind::MonthlyDate { .. } => 12,
            TimeKind::YearQuarter { .. } | TimeKind::QuarterlyDate { .. } => 8,
            TimeKind::Weekly { .. } => 13,
            TimeKind::Daily => 14,
            _ => 6,
        }
    };
    chipcast::limits::last_forecast_period(kind, end, h)?;
    Ok(h)
}

/// For `--model regression`: build the regression from the regressor file for one series.
pub(crate) fn regression(
    m: &ModelArgs,
    src: &Source,
    series: &MarketSeries,
    h: usize,
) -> anyhow::Result<Option<Box<dyn chipcast::models::FittedModel>>> {
    use chipcast::models::Forecaster;
    let Some(path) = &m.regressors else {
        return Ok(None);
    };
    if src.series.len() != 1 {
        bail!("--regressors applies to one series; pick one with --id ID");
    }
    let time_col = if src.builtin.is_some() {
        "ds"
    } else {
        src.time_col.as_str()
    };
    let reg = chipcast::ingest::load_regressors(path, time_col, series.kind())?;
    let kind = series.kind();
    let history = reg.window(kind, series.start(), series.end(), "fitting")?;
    if let Some(problem) = chipcast::ingest::collinear_regressor(&reg.names, &history) {
        bail!("{}: {problem}", path.display());
    }
    let future = reg.window(
        kind,
        series.end() + 1,
        series.end() + h as i64,
        "the forecast",
    )?;
    let spec =
        chipcast::models::regression::TrendRegression::new(reg.names.clone(), history, future, h)?;
    Ok(Some(Box::new(spec.fit(series.values())?)))
}
