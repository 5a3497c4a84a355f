//! Text of the market model's headline, printed the same way by every command that uses it
//! (`forecast`, `milestone`, `vintages`, `nowcast`), so one cut-off reads the same everywhere.

use super::report::{num, pct};
use crate::commands::market::Headline;
use crate::market::{Crossing, MarketPaths};
use crate::series::TimeKind;
use std::fmt::Write;

fn month(o: i64) -> String {
    TimeKind::YearMonth.format(o)
}

/// The headline block of the market model's paths `p` (see [`headline_of`]).
pub fn headline(p: &MarketPaths, target: f64, by: i64, unit: &str) -> String {
    headline_of(&Headline::new(p, target, by), unit)
}

/// The headline block: the current year with its known months, P(`by` ≥ `target`), the
/// crossing year and the first month trailing-12-month sales reach the target.
pub fn headline_of(h: &Headline, unit: &str) -> String {
    let mut s = String::new();
    let y = h.year;
    let _ = writeln!(
        s,
        "Market model {} (every month of data to {}; {} sample paths, seed {}):",
        h.model, h.data_to, h.paths, h.seed
    );
    if let (Some(point), [b80, b95]) = (h.point, h.intervals.as_slice()) {
        let _ = writeln!(
            s,
            "  {y}: {} {unit} (80%: {}–{}; 95%: {}–{}); {} of its 12 months known ({} so far), the rest simulated.",
            num(point),
            num(b80.lower),
            num(b80.upper),
            num(b95.lower),
            num(b95.upper),
            h.known_months,
            num(h.known_sum)
        );
    }
    let (t, by) = (num(h.target), h.by);
    if let Some(pa) = h.p_at_least_by {
        let _ = writeln!(
            s,
            "  P({by} ≥ {t}) = {}; P(some calendar year up to {by} ≥ {t}) = {}.",
            pct(pa),
            pct(h.p_reached_by)
        );
    }
    let _ = writeln!(
        s,
        "  First calendar year ≥ {t}: {}.",
        describe(&h.crossing_years, |v| v.to_string())
    );
    let _ = writeln!(
        s,
        "  First month trailing-12-month sales ≥ {t}: {}.",
        describe(&h.crossing_months, month)
    );
    s
}

/// A crossing distribution in words: median, 10–90% of paths, never within the span.
pub fn describe(c: &Crossing, fmt: impl Fn(i64) -> String) -> String {
    if let Some(h) = c.in_history {
        return format!("already in the data ({})", fmt(h));
    }
    let opt = |v: Option<i64>| v.map_or_else(|| format!("after {}", fmt(c.span.1)), &fmt);
    format!(
        "median {} (10–90% of paths: {} to {}); never by {}: {}",
        opt(c.median),
        opt(c.p10),
        opt(c.p90),
        fmt(c.span.1),
        pct(c.never)
    )
}

/// The crossing-month distribution by calendar year: the share of paths whose trailing-12
/// crossing month falls in each year and the most likely month in it (years under 0.5% left
/// out).
pub fn crossing_month_table(c: &Crossing) -> String {
    let mut s = String::new();
    if c.in_history.is_some() {
        return s;
    }
    let _ = writeln!(
        s,
        "  year   P(first trailing-12 month in it)   most likely month (its share)"
    );
    let (from, to) = (c.span.0.div_euclid(12), c.span.1.div_euclid(12));
    for y in from..=to {
        let in_year: Vec<&(i64, f64)> = c
            .first
            .iter()
            .filter(|(m, _)| m.div_euclid(12) == y)
            .collect();
        let share: f64 = in_year.iter().map(|x| x.1).sum();
        if share < 0.005 {
            continue;
        }
        let top = in_year
            .iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|x| format!("{} ({})", month(x.0), pct(x.1)))
            .unwrap_or_default();
        let _ = writeln!(s, "  {y}   {:>32}   {top}", pct(share));
    }
    s
}
