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
        h.model,
        h.data_to,
        super::report::count(h.paths),
        h.seed
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
    if let (Some(pc), true) = (h.p_at_least_current, y < by) {
        let _ = writeln!(s, "  P({y} ≥ {t}) = {}.", pct(pc));
    }
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

/// `regions` with the market model: the worldwide forecast and each region's reconciled
/// point per year, then their 80% and 95% intervals, then the regions' own (bottom-up) sum
/// beside the worldwide figure. `labels` name the regions. Every table fits 80 columns.
pub fn regions(f: &crate::market::regions::RegionForecast, labels: &[&str]) -> String {
    use super::report::{grouped, text_table};
    use comfy_table::{CellAlignment, presets::UTF8_BORDERS_ONLY};
    let mut s = String::new();
    let _ = writeln!(
        s,
        "chipcast regions — WSTS regions (built-in wsts_monthly_raw, wsts_annual, wsts_regional_annual; {} vintage), monthly data to {}; market model: worldwide {}, {} (each region's by its own backtest, benches/region_backtest.md); {} paths, seed {}; {} of the 12 months of {} known. The regions are reconciled to the worldwide market model, path by path, so they add up to the worldwide figure `forecast` prints.",
        crate::commands::provenance::WSTS_VINTAGE,
        month(f.data_to),
        crate::market::Candidate::DEFAULT.name(),
        labels
            .iter()
            .zip(&f.candidates)
            .map(|(l, c)| format!("{l} {}", c.name()))
            .collect::<Vec<_>>()
            .join(", "),
        super::report::count(f.simulation.paths),
        f.simulation.seed,
        f.known_months,
        f.first_year,
    );
    let years: Vec<i64> = f.total.iter().map(|y| y.year).collect();
    let rows: Vec<(&str, &[crate::market::regions::RegionYear])> =
        std::iter::once(("Worldwide", f.total.as_slice()))
            .chain(
                labels
                    .iter()
                    .copied()
                    .zip(f.regions.iter().map(Vec::as_slice)),
            )
            .collect();
    let table = |header: &str, cell: &dyn Fn(&crate::market::regions::RegionYear) -> String| {
        let mut t = text_table();
        let mut h = vec![header.to_string()];
        h.extend(years.iter().map(|y| y.to_string()));
        t.load_preset(UTF8_BORDERS_ONLY).set_header(h);
        for (label, ys) in &rows {
            let mut row = vec![label.to_string()];
            row.extend(ys.iter().map(cell));
            t.add_row(row);
        }
        for i in 1..=years.len() {
            if let Some(c) = t.column_mut(i) {
                c.set_cell_alignment(CellAlignment::Right);
            }
        }
        t
    };
    let points = table("USD bn", &|y| grouped(y.point));
    let _ = writeln!(s, "{points}");
    let whole = |x: f64| format!("{x:.0}");
    let intervals = table("80% / 95%", &|y| {
        format!(
            "{}–{}\n{}–{}",
            whole(y.lo80),
            whole(y.hi80),
            whole(y.lo95),
            whole(y.hi95)
        )
    });
    let _ = writeln!(
        s,
        "{intervals}\nEach cell: the 80% interval, then the 95% interval (USD bn, whole billions)."
    );
    if let Some(last) = f.total.last() {
        let shares: Vec<String> = labels
            .iter()
            .zip(&f.regions)
            .map(|(l, r)| format!("{l} {}", pct(r[r.len() - 1].point / last.point)))
            .collect();
        let _ = writeln!(
            s,
            "Shares of the worldwide total in {}: {}.",
            last.year,
            shares.join(", ")
        );
        let k = f.total.len() - 1;
        let own = f.bottom_up[k];
        let allocation: Vec<String> = labels
            .iter()
            .zip(&f.projection.allocation)
            .map(|(l, a)| format!("{l} {}", pct(*a)))
            .collect();
        let _ = writeln!(
            s,
            "The regions' own forecasts sum to {} in {} against the worldwide model's {} ({:+.1}%); the difference is shared out by the regions' error covariance (W from the annual model's rolling one-step errors over {} origins, Schäfer-Strimmer shrinkage {:.2}): {}.",
            grouped(own),
            last.year,
            grouped(last.point),
            (own / last.point - 1.0) * 100.0,
            f.projection.origins,
            f.projection.shrinkage,
            allocation.join(", ")
        );
    }
    let _ = writeln!(
        s,
        "Each series' paths come from its own monthly billings (the current year's known months kept); the five series' paths are joined by rank of their total over the years shown, and on each joined path the regions are reconciled to the worldwide value (MinT with the total held fixed). Points: the worldwide median shared out over the regions' medians; intervals: quantiles of the reconciled paths. `--model NAME` forecasts complete years with that annual model instead, reconciled by MinT."
    );
    s
}
