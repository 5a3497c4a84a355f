//! `forecast`'s report, forecast tables, fan chart, `--explain` blocks, the closing
//! summary of a run over many series and its `--timing` file.

use super::super::chart::FanChart;
use super::super::export::ForecastTable;
use super::super::market::headline_of;
use super::super::report::{self, num, pct};
use crate::commands::forecast::{ForecastResult, ManyResult, ManyRun, Row, Timing};
use crate::commands::model::{NamedChoice, shown_name};
use crate::scenarios::projection::{Failed, SeriesForecast};
use crate::series::TimeKind;
use std::fmt::Write;

/// Said when the built-in data is forecast with the default model. No measured figure is
/// typed here: `chipcast backtest` prints them from the code that measures them.
pub const AUTO_NOTE: &str = "Default model: auto = median of drift, logdrift and ets on annual data, chosen by rolling-origin evaluation on the built-in WSTS series (run `chipcast backtest` for its scores) and on the M4 training data (README, Models); pick another with --model.";

/// [`AUTO_NOTE`] for a series the seasonality test found seasonal.
pub const AUTO_NOTE_SEASONAL: &str = "Default model: auto = mean of seasonal ETS and OTM on the seasonally adjusted series on seasonal data, chosen by validation on the Tourism training windows (README, Models); pick another with --model.";

/// The report, as `chipcast forecast` prints it for one series.
pub fn report(r: &ForecastResult) -> String {
    match &r.market {
        Some(_) => market_report(r),
        None => model_report(r),
    }
}

fn levels_text(r: &ForecastResult) -> Vec<String> {
    r.forecast.levels.iter().map(|l| format!("{l}%")).collect()
}

fn is_annual(kind: TimeKind) -> bool {
    matches!(kind, TimeKind::Integer | TimeKind::AnnualDate { .. })
}

fn model_report(r: &ForecastResult) -> String {
    let f = &r.forecast;
    let kind = r.history.kind();
    let unit = r.head.unit.as_str();
    let mut s = String::new();
    let _ = writeln!(s, "chipcast forecast — {}", r.head.label);
    let _ = writeln!(
        s,
        "Unit: {unit}.{}",
        match &r.head.as_of {
            Some(a) => format!(
                " As of {}: only data up to {} is used.",
                a.requested, a.last_period
            ),
            None => String::new(),
        }
    );
    let _ = writeln!(
        s,
        "\nLast observations:\n{}",
        report::history(&r.history, r.history_rows.as_deref(), 6)
    );
    if r.model_flag.is_none() && r.head.builtin {
        let seasonal = f.season_test.as_ref().is_some_and(|t| t.seasonal);
        let note = if seasonal {
            AUTO_NOTE_SEASONAL
        } else {
            AUTO_NOTE
        };
        let _ = writeln!(s, "\n{note}");
    }
    // a combination is shown by the name the user chose (or the default's)
    let named = SeriesForecast {
        model: r.model.clone().into(),
        ..f.clone()
    };
    let _ = writeln!(s, "\n{}", report::model(&named));
    let _ = writeln!(
        s,
        "Forecast, {} to {} (point forecast with {} prediction intervals):\n{}",
        kind.format(f.periods[0]),
        kind.format(*f.periods.last().unwrap_or(&f.periods[0])),
        levels_text(r).join(" and "),
        report::forecast(f, r.later_actuals.as_ref())
    );
    if let Some(n) = &r.months_known {
        let _ = writeln!(s, "{}", super::months_note(n));
    }
    if r.target.is_some() && !is_annual(kind) {
        let _ = writeln!(
            s,
            "\n(The milestone report needs an annual series; this one is {}.)",
            kind.describe()
        );
    }
    if let Some(m) = &r.milestone {
        let per = if r.head.builtin { "year" } else { "period" };
        let _ = writeln!(s, "\n{}", report::milestone(m, f, r.last_value, unit, per));
    }
    s
}

fn market_report(r: &ForecastResult) -> String {
    let Some(h) = &r.market else {
        return String::new();
    };
    let f = &r.forecast;
    let unit = r.head.unit.as_str();
    let mut s = String::new();
    let _ = writeln!(s, "chipcast forecast — {}", r.head.label);
    let _ = writeln!(
        s,
        "Unit: {unit}. Monthly billings to {} are used{}.",
        r.data_to,
        match &r.head.as_of {
            Some(a) => format!(
                " (as of {}; complete years to {})",
                a.requested,
                r.history.end()
            ),
            None => String::new(),
        }
    );
    let _ = writeln!(
        s,
        "\nLast complete years:\n{}",
        report::history(&r.history, r.history_rows.as_deref(), 6)
    );
    let _ = writeln!(s, "\n{}", super::market_note(&r.head.series));
    let _ = writeln!(s, "\nModel: {}", f.description);
    let _ = writeln!(
        s,
        "\nForecast, {} to {} (median of the paths with {} intervals; {} has {} known month(s), {} {unit}):\n{}",
        h.year,
        f.periods.last().copied().unwrap_or(h.year),
        levels_text(r).join(" and "),
        h.year,
        h.known_months,
        num(h.known_sum),
        report::forecast(f, r.later_actuals.as_ref())
    );
    let _ = writeln!(s, "{}", headline_of(h, unit));
    if let Some(g) = &r.required_growth {
        let _ = writeln!(
            s,
            "Constant growth needed from {} ({}) to reach {} in {}: {}/year.",
            g.from_year,
            num(g.from_value),
            num(h.target),
            h.by,
            pct(g.growth)
        );
    }
    s
}

/// The milestone line of the chart: `$1T (1,000 USD bn)` for the default target of a
/// built-in series, else `target N`.
fn threshold_label(r: &ForecastResult, target: f64) -> String {
    if r.head.builtin && !r.target_given {
        "$1T (1,000 USD bn)".to_string()
    } else {
        format!("target {}", num(target))
    }
}

/// The fan chart: history, forecast with its intervals, later actuals and the milestone.
pub fn chart(r: &ForecastResult) -> FanChart<'_> {
    let f = &r.forecast;
    let kind = r.history.kind();
    let levels = levels_text(r).join("/");
    let footnote = super::footnote(&r.head.provenance.data_source);
    match &r.market {
        Some(h) => FanChart {
            model_label: "market model".to_string(),
            title: format!("{}: history and market-model forecast", r.head.title),
            subtitle: format!(
                "{} · median and {levels} intervals of {} paths · monthly data to {}",
                h.model,
                crate::outputs::report::count(h.paths),
                r.data_to
            ),
            y_label: r.head.unit.clone(),
            x_label: "year".into(),
            history: &r.history,
            later_actuals: r.later_actuals.as_ref(),
            forecast: f,
            threshold: Some((h.target, threshold_label(r, h.target))),
            // the marker sits on the last complete year; the months after it are in the paths
            as_of: r.as_of_period.map(|o| {
                (
                    o,
                    format!("years to {}, months to {} ", kind.format(o), r.data_to),
                )
            }),
            footnote,
        },
        None => FanChart {
            model_label: r.model.clone(),
            title: format!("{}: history and {} forecast", r.head.title, r.model),
            subtitle: format!(
                "{} · intervals {levels} · fitted {}–{}{}",
                f.description
                    .split(" of: ")
                    .next()
                    .and_then(|d| d.split(" (").next())
                    .unwrap_or(&f.description),
                kind.format(f.train_start),
                kind.format(f.train_end),
                r.as_of_period
                    .map(|o| format!(" · as of {}", kind.format(o)))
                    .unwrap_or_default()
            ),
            y_label: r.head.unit.clone(),
            x_label: if r.head.builtin {
                "year".into()
            } else {
                r.time_col.clone()
            },
            history: &r.history,
            later_actuals: r.later_actuals.as_ref(),
            forecast: f,
            // an annual target on a monthly or quarterly axis would flatten the chart
            threshold: r
                .target
                .filter(|_| is_annual(kind))
                .map(|t| (t, threshold_label(r, t))),
            as_of: r
                .as_of_period
                .map(|o| (o, format!("as of {} ", kind.format(o)))),
            footnote,
        },
    }
}

/// The forecast table of a one-series run, as `-o` writes it, with its metadata.
pub fn table(r: &ForecastResult) -> ForecastTable {
    let mut t = ForecastTable::new(
        &r.id_col,
        &r.time_col,
        r.history.kind(),
        &r.table_label,
        &r.levels,
        r.horizon,
        std::slice::from_ref(&Ok(r.forecast.clone())),
    );
    t.metadata = r.metadata.clone();
    t
}

/// The forecast table of some rows of a run over many series (one batch, or every row of a
/// run small enough to hold), without metadata.
pub fn rows_table(run: &ManyRun, rows: &[Row]) -> ForecastTable {
    ForecastTable::new(
        &run.id_col,
        &run.time_col,
        run.kind,
        &run.label,
        &run.levels,
        run.horizon,
        rows,
    )
}

/// One series' `--explain` block: its model as shown under `--model` (`None`: the
/// default), its parameters, season test and why it was chosen.
pub fn explain(f: &SeriesForecast, model: Option<&NamedChoice>) -> String {
    let (shown, why) = match model {
        Some(m) => (
            m.shown(&f.model),
            format!("named with --model {}", m.name),
        ),
        None => (
            shown_name(NamedChoice::auto().name, &f.model),
            "the default model (no --model given): auto, chosen by rolling-origin evaluation (README, Models)".to_string(),
        ),
    };
    report::explain(f, shown, &why)
}

/// The `--explain` line of a series that could not be fitted.
pub fn explain_failed(failed: &Failed) -> String {
    format!("== {}: not fitted: {}\n", failed.id, failed.error)
}

/// The closing lines of a run over many series (stderr): what was forecast, and the first
/// failures by name.
pub fn summary(m: &ManyResult) -> String {
    let mut s = format!(
        "Forecast {} series from {} with {}, {} steps, levels {:?}: {} fitted, {} failed.\n",
        m.n_series, m.label, m.model, m.horizon, m.levels, m.n_fitted, m.n_failed
    );
    for f in &m.failures {
        let _ = writeln!(s, "  {}: {}", f.id, f.error);
    }
    if m.n_failed > m.failures.len() {
        let _ = writeln!(s, "  ... and {} more", m.n_failed - m.failures.len());
    }
    s
}

/// The `--timing` file (benchmark harness format): the run's read, fit and write seconds.
pub fn timing(label: &str, n: usize, failed: usize, t: &Timing, write_s: f64) -> String {
    format!(
        "tool,model,n_series,n_failed,read_s,fit_s,write_s,fit_cpu_s\nchipcast,{label},{n},{failed},{},{},{write_s},{}\n",
        t.read_s, t.fit_s, t.fit_cpu_s
    )
}
