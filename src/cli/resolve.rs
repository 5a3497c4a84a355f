//! Turn what the user typed into library values: the data's source and the model choice.

use super::{Combine, ModelArgs, ModelName, SourceArgs};
use anyhow::bail;
use chipcast::commands::model::NamedChoice;
use chipcast::commands::source::SourceRequest;
use chipcast::evaluation::select::ModelChoice;
use chipcast::ingest::LongFormat;
use chipcast::models::ModelSpec;
use chipcast::models::combination::ComboSpec;
use chipcast::models::registry::{self, Entry};

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
