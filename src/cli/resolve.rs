//! Turn what the user typed into library values: series, as-of cut, model choice, horizon.

use super::{Combine, ModelArgs, ModelName, SourceArgs};
use anyhow::bail;
use chipcast::commands::model::NamedChoice;
use chipcast::commands::source::SourceRequest;
use chipcast::evaluation::select::ModelChoice;
use chipcast::ingest::LongFormat;
use chipcast::models::ModelSpec;
use chipcast::models::combination::ComboSpec;
use chipcast::models::registry::{self, Entry};
use chipcast::series::{MarketSeries, TimeKind};

pub(crate) use chipcast::commands::source::{Source, as_of_month, parse_period};

/// The library's description of the data a command reads, from the `--series`/`--input`
/// family of flags.
pub(crate) fn source_request(src: &SourceArgs) -> SourceRequest {
    SourceRequest {
        series: src.series.clone(),
        input: src.input.clone(),
        columns: LongFormat {
            id_col: src.id_col.clone(),
            time_col: src.time_col.clone(),
            value_col: src.value_col.clone(),
        },
        id: src.id.clone(),
        as_of: src.as_of.clone(),
        since: src.since.clone(),
    }
}

/// The model the user named with `--model` (checked by [`choice`]); `None` when they did
/// not, so the command uses its default.
pub(crate) fn named(m: &ModelArgs) -> anyhow::Result<Option<NamedChoice>> {
    let (name, choice) = choice(m)?;
    Ok(m.model.map(|_| NamedChoice {
        name: name.label(),
        choice,
    }))
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

/// [`chipcast::commands::source::load_with`] with a progress bar over the input's bytes.
pub(crate) fn load(src: &SourceArgs) -> anyhow::Result<Source> {
    use chipcast::commands::source;
    let req = source_request(src);
    let Some(path) = &req.input else {
        return Ok(source::load(&req)?);
    };
    let progress =
        chipcast::outputs::progress::Progress::new(source::input_bytes(path)?, "bytes", "read");
    let loaded = source::load_with(&req, &|n| progress.inc(n));
    progress.finish();
    Ok(loaded?)
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
