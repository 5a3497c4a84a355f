//! `milestone`'s report, odds table and probability chart.

use super::super::chart::{MilestoneChart, money_label};
use super::super::market::{crossing_month_table, headline_of};
use super::super::report::{self, count, num};
use super::super::table::{Table, Values};
use crate::commands::milestone::MilestoneResult;
use crate::series::TimeKind;
use std::fmt::Write;

/// The report, as `chipcast milestone` prints it.
pub fn report(r: &MilestoneResult) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "chipcast milestone — {}", r.head.label);
    let f = &r.forecast;
    let unit = r.head.unit.as_str();
    match &r.market {
        Some(h) => {
            let _ = writeln!(
                s,
                "Monthly billings to {} are used{}.",
                r.data_to,
                r.head
                    .as_of
                    .as_ref()
                    .map(|a| format!(" (as of {})", a.requested))
                    .unwrap_or_default()
            );
            let _ = writeln!(s, "\n{}", super::market_note(&r.head.series));
            let _ = writeln!(s, "\n{}", headline_of(h, unit));
        }
        None => {
            if let Some(a) = &r.head.as_of {
                let _ = writeln!(
                    s,
                    "As of {}: data up to {} only.",
                    a.requested, a.last_period
                );
            }
            let _ = writeln!(s, "\n{}", report::model(f));
            if let Some(n) = &r.months_known {
                let _ = writeln!(s, "{}", super::months_note(n).trim_start());
            }
        }
    }
    let _ = writeln!(
        s,
        "{}",
        report::milestone(&r.milestone, f, r.last_value, unit, "year")
    );
    let kind = if r.market.is_some() {
        TimeKind::Integer
    } else {
        f.kind
    };
    let _ = writeln!(
        s,
        "{}",
        report::milestone_table(&r.milestone, kind, r.until)
    );
    if let Some(h) = &r.market {
        let table = crossing_month_table(&h.crossing_months);
        if !table.is_empty() {
            let _ = writeln!(
                s,
                "First month trailing-12-month sales reach {} {unit}, by calendar year (share of paths):\n{table}",
                num(r.target)
            );
        }
    }
    s
}

/// The odds by year up to `until`, as `-o` exports them, with their metadata.
pub fn table(r: &MilestoneResult) -> Table {
    let odds: Vec<_> = r
        .milestone
        .by_period
        .iter()
        .filter(|o| o.period <= r.until)
        .collect();
    let mut t = Table::default()
        .with("year", Values::Int(odds.iter().map(|o| o.period).collect()))
        .with(
            "p_first_crossing",
            Values::floats(odds.iter().map(|o| o.p_first)),
        )
        .with(
            "p_reached_by",
            Values::floats(odds.iter().map(|o| o.p_crossed_by)),
        )
        .with(
            "p_at_least",
            Values::floats(odds.iter().map(|o| o.p_at_least)),
        );
    t.metadata = super::metadata(&r.head.provenance);
    t.metadata.extend([
        ("chipcast.model".into(), r.forecast.description.to_string()),
        ("chipcast.target".into(), r.target.to_string()),
        ("chipcast.by".into(), r.by.to_string()),
    ]);
    t.metadata.push(match r.market {
        Some(_) => ("chipcast.data_to".into(), r.data_to.clone()),
        None => (
            "chipcast.as_of".into(),
            r.head
                .as_of
                .as_ref()
                .map_or_else(|| "latest".into(), |a| a.last_period.clone()),
        ),
    });
    t.metadata.extend([
        ("chipcast.paths".into(), r.simulation.paths.to_string()),
        ("chipcast.seed".into(), r.simulation.seed.to_string()),
    ]);
    t
}

/// The probability curve (and, for the market model, the trailing-12-month curve).
pub fn chart(r: &MilestoneResult) -> MilestoneChart<'_> {
    let target = if r.head.builtin {
        format!("${}B", money_label(r.target))
    } else {
        num(r.target)
    };
    let sim = r.simulation;
    MilestoneChart {
        title: format!("{}: when does it reach {target}?", r.head.title),
        subtitle: match &r.market {
            Some(h) => format!(
                "{} sample paths of the market model {} (seed {}), monthly data to {}",
                count(sim.paths),
                h.model,
                sim.seed,
                r.data_to
            ),
            None => format!(
                "{} sample paths of the {} model (seed {}), data to {}",
                count(sim.paths),
                r.forecast.model,
                sim.seed,
                r.data_to
            ),
        },
        milestone: &r.milestone,
        last: r.until,
        months: r
            .market
            .as_ref()
            .map(|h| {
                let m = &h.crossing_months;
                let (from, to) = m.span;
                (from..=to.min(r.until * 12 + 11))
                    .map(|o| (o, m.p_by(o)))
                    .collect()
            })
            .unwrap_or_default(),
        footnote: super::footnote(&r.head.provenance.data_source),
    }
}
