//! The one backtest that chooses the market model: at every month-end origin (data up to and
//! including that month, nothing later), each candidate makes its paths, and the totals of
//! the current calendar year (the year of the first unknown month, horizon 0) and of the
//! five years after it are scored against the annual actuals.
//!
//! Scores per candidate and horizon: MAPE of the point (the paths' median); coverage of the
//! 80% and 95% central intervals (the paths' quantiles); MSIS at 95% (width plus 40 × the
//! miss, scaled by the mean absolute year-on-year change of the complete years before the
//! origin); CRPS of the paths as a percentage of the actual. An origin is scored only when
//! every candidate could be fitted there, so all rows cover the same forecasts.

use super::{Candidate, MarketData, MarketPaths, paths};
use crate::error::{Error, Result};
use crate::scenarios::milestone::Simulation;
use crate::series::TimeKind;
use rayon::prelude::*;
use serde::Serialize;
use std::fmt::Write;

/// Horizons scored: 0 (the current year) to this many years after it.
pub const MAX_HORIZON: usize = 5;

/// First and last origin of the published table: every month-end 1997-01 to 2025-12.
pub const ORIGINS: (i64, i64) = (1997 * 12, 2025 * 12 + 11);

/// Paths per candidate and origin in the published table.
pub const PATHS: usize = 1000;

/// One candidate's scores at one horizon.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// Candidate.
    pub candidate: Candidate,
    /// Years after the current year (0 = the current year).
    pub horizon: usize,
    /// Forecasts scored.
    pub n: usize,
    /// Mean absolute percentage error of the median.
    pub mape: f64,
    /// Share of actuals inside the 80% interval.
    pub cover80: f64,
    /// Share inside the 95% interval.
    pub cover95: f64,
    /// Mean scaled interval score at 95%.
    pub msis: f64,
    /// Mean CRPS as a percentage of the actual.
    pub crps_pct: f64,
}

/// The backtest's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Backtest {
    /// First and last origin (month ordinals).
    pub origins: (i64, i64),
    /// Months between origins (1 = every month-end).
    pub step: usize,
    /// Origins scored (every candidate fitted).
    pub scored_origins: usize,
    /// Origins skipped because some candidate could not be fitted there.
    pub skipped_origins: usize,
    /// Paths per candidate and origin, and the seed.
    pub simulation: Simulation,
    /// Scores, candidate-major in [`Candidate::ALL`] order, horizons 0..=MAX_HORIZON.
    pub scores: Vec<Score>,
}

/// One forecast's contribution to the scores.
#[derive(Debug, Clone, Copy)]
struct Point {
    ape: f64,
    in80: bool,
    in95: bool,
    is: f64,
    crps_pct: f64,
}

fn crps(sorted: &[f64], y: f64) -> f64 {
    let n = sorted.len() as f64;
    let e1 = sorted.iter().map(|x| (x - y).abs()).sum::<f64>() / n;
    // E|X − X'| from sorted samples: (2 / n²) Σ (2i − n − 1) x_(i), i = 1..n
    let e2 = sorted
        .iter()
        .enumerate()
        .map(|(i, x)| (2.0 * (i as f64 + 1.0) - n - 1.0) * x)
        .sum::<f64>()
        * 2.0
        / (n * n);
    e1 - 0.5 * e2
}

fn score_year(p: &MarketPaths, year: i64, actual: f64, scale: f64) -> Option<Point> {
    let k = usize::try_from(year - p.first_year).ok()?;
    let mut v: Vec<f64> = p
        .years
        .iter()
        .map(|x| x.get(k).copied())
        .collect::<Option<_>>()?;
    v.sort_by(f64::total_cmp);
    let q = |a: f64| super::quantile_sorted(&v, a);
    let point = q(0.5);
    let (l80, u80, l95, u95) = (q(0.1), q(0.9), q(0.025), q(0.975));
    let alpha = 0.05;
    let is =
        (u95 - l95) + 2.0 / alpha * (l95 - actual).max(0.0) + 2.0 / alpha * (actual - u95).max(0.0);
    Some(Point {
        ape: 100.0 * (actual - point).abs() / actual,
        in80: l80 <= actual && actual <= u80,
        in95: l95 <= actual && actual <= u95,
        is: is / scale,
        crps_pct: 100.0 * crps(&v, actual) / actual,
    })
}

/// Run the backtest over month-end origins `from..=to` (month ordinals) for `candidates`.
/// Pools are built from the same paths as their members (their prefixes, exactly as
/// [`paths`] makes them), so each member is simulated once per origin.
pub fn run(
    data: &MarketData,
    origins: (i64, i64),
    candidates: &[Candidate],
    sim: Simulation,
) -> Result<Backtest> {
    run_every(data, origins, 1, candidates, sim)
}

/// [`run`] at every `step`-th month-end from `from` on (a cheaper version of the same
/// backtest: fewer origins, same targets and scores).
pub fn run_every(
    data: &MarketData,
    (from, to): (i64, i64),
    step: usize,
    candidates: &[Candidate],
    sim: Simulation,
) -> Result<Backtest> {
    let last_actual = data.annual.end();
    let origins: Vec<i64> = (from..=to).step_by(step.max(1)).collect();
    let per_origin: Vec<Option<Vec<Vec<Option<Point>>>>> = origins
        .into_par_iter()
        .map(|d| origin_scores(data, d, last_actual, candidates, sim))
        .collect();
    let scored: Vec<&Vec<Vec<Option<Point>>>> = per_origin.iter().flatten().collect();
    if scored.is_empty() {
        return Err(Error::invalid(format!(
            "no origin from {} to {} could be fitted by every candidate",
            TimeKind::YearMonth.format(from),
            TimeKind::YearMonth.format(to)
        )));
    }
    let mut scores = Vec::new();
    for (ci, &c) in candidates.iter().enumerate() {
        for h in 0..=MAX_HORIZON {
            let pts: Vec<Point> = scored.iter().filter_map(|o| o[ci][h]).collect();
            let n = pts.len();
            let mean = |f: &dyn Fn(&Point) -> f64| pts.iter().map(f).sum::<f64>() / n.max(1) as f64;
            scores.push(Score {
                candidate: c,
                horizon: h,
                n,
                mape: mean(&|p| p.ape),
                cover80: mean(&|p| f64::from(u8::from(p.in80))),
                cover95: mean(&|p| f64::from(u8::from(p.in95))),
                msis: mean(&|p| p.is),
                crps_pct: mean(&|p| p.crps_pct),
            });
        }
    }
    Ok(Backtest {
        origins: (from, to),
        step: step.max(1),
        scored_origins: scored.len(),
        skipped_origins: per_origin.len() - scored.len(),
        simulation: sim,
        scores,
    })
}

/// Scores at one origin, `[candidate][horizon]`; `None` if some candidate failed.
fn origin_scores(
    data: &MarketData,
    d: i64,
    last_actual: i64,
    candidates: &[Candidate],
    sim: Simulation,
) -> Option<Vec<Vec<Option<Point>>>> {
    let first_year = (d + 1).div_euclid(12);
    let last_year = (first_year + MAX_HORIZON as i64).min(last_actual);
    if last_year < first_year {
        return None;
    }
    let mut cache: Vec<(Candidate, MarketPaths)> = Vec::new();
    let mut get = |c: Candidate| -> Option<MarketPaths> {
        if let Some((_, p)) = cache.iter().find(|(k, _)| *k == c) {
            return Some(p.clone());
        }
        let p = paths(data, d, last_year, c, sim).ok()?;
        cache.push((c, p.clone()));
        Some(p)
    };
    let mut made = Vec::new();
    for &c in candidates {
        let p = match c {
            Candidate::ArimaCycle | Candidate::ArimaAnnual => {
                let other = if c == Candidate::ArimaCycle {
                    Candidate::Cycle
                } else {
                    Candidate::Annual
                };
                pool_from_members(&get(Candidate::MonthlyArima)?, &get(other)?, c)
            }
            Candidate::EtsCycle | Candidate::EtsCycleAnnual | Candidate::EtsCalCycleAnnual => {
                let later = if c == Candidate::EtsCycle {
                    Candidate::Cycle
                } else {
                    Candidate::CycleAnnual
                };
                let (a, b) = (get(Candidate::MonthlyEts)?, get(later)?);
                let mut p = a.clone();
                p.candidate = c;
                let current = if c == Candidate::EtsCalCycleAnnual {
                    super::recalibrate_current_year(data, d, a.months, super::record_seed(sim))
                        .ok()?
                } else {
                    a.months
                };
                p.months = super::couple(current, b.months);
                p.years = super::year_totals(&p.months);
                p
            }
            single => get(single)?,
        };
        made.push(p);
    }
    let history: Vec<f64> = data
        .annual
        .truncate_to(first_year - 1)
        .ok()?
        .values()
        .to_vec();
    let scale = history.windows(2).map(|w| (w[1] - w[0]).abs()).sum::<f64>()
        / (history.len().max(2) - 1) as f64;
    Some(
        made.iter()
            .map(|p| {
                (0..=MAX_HORIZON)
                    .map(|h| {
                        let year = first_year + h as i64;
                        let actual = data.annual.value_at(year)?;
                        score_year(p, year, actual, scale)
                    })
                    .collect()
            })
            .collect(),
    )
}

/// The pool `c` from full runs of its two members: the first ⌈n/2⌉ paths of the first and
/// the first ⌊n/2⌋ of the second, as [`paths`] makes it.
pub fn pool_from_members(a: &MarketPaths, b: &MarketPaths, c: Candidate) -> MarketPaths {
    let n = a.len();
    let half = n.div_ceil(2);
    let mut out = a.clone();
    out.candidate = c;
    out.years.truncate(half);
    out.months.truncate(half);
    out.years.extend(b.years.iter().take(n - half).cloned());
    out.months.extend(b.months.iter().take(n - half).cloned());
    out
}

impl Backtest {
    /// The scores of one candidate, horizons 0..=MAX_HORIZON.
    pub fn of(&self, c: Candidate) -> Vec<&Score> {
        self.scores.iter().filter(|s| s.candidate == c).collect()
    }

    /// Mean over horizons of a score.
    pub fn mean(&self, c: Candidate, f: impl Fn(&Score) -> f64) -> f64 {
        let s = self.of(c);
        s.iter().map(|x| f(x)).sum::<f64>() / s.len().max(1) as f64
    }

    /// The rule that picks the default, from the targets (one market model): among
    /// candidates that beat `annual` (the annual-only model) in MAPE at every horizon and
    /// whose 95% coverage is at least 0.90 at every horizon and 0.90–0.98 pooled over
    /// horizons, the lowest mean CRPS. If none qualifies (or `annual` is not in the table),
    /// the lowest mean CRPS among candidates with pooled 95% coverage in 0.90–0.98; if none,
    /// the lowest mean CRPS overall.
    pub fn chosen(&self) -> Option<Candidate> {
        self.choice().map(|(c, _)| c)
    }

    /// [`Backtest::chosen`] with the words of the branch of the rule that chose it.
    pub fn choice(&self) -> Option<(Candidate, &'static str)> {
        let mut cs: Vec<Candidate> = Vec::new();
        for s in &self.scores {
            if !cs.contains(&s.candidate) {
                cs.push(s.candidate);
            }
        }
        let best = |xs: &mut dyn Iterator<Item = Candidate>| {
            xs.min_by(|a, b| {
                self.mean(*a, |s| s.crps_pct)
                    .total_cmp(&self.mean(*b, |s| s.crps_pct))
            })
        };
        let pooled = |c: &Candidate| (0.90..=0.98).contains(&self.mean(*c, |s| s.cover95));
        let annual = self.of(Candidate::Annual);
        let strict = |c: &Candidate| {
            let s = self.of(*c);
            pooled(c)
                && !annual.is_empty()
                && s.len() == annual.len()
                && s.iter()
                    .zip(&annual)
                    .all(|(x, a)| x.mape < a.mape && x.cover95 >= 0.90)
        };
        let tag = |why: &'static str| move |c: Candidate| (c, why);
        best(&mut cs.iter().copied().filter(strict))
            .map(tag(
                "the lowest mean CRPS among candidates with a lower MAPE than annual at every horizon \
                 and 95% coverage at least 0.90 at every horizon and 0.90–0.98 on average",
            ))
            .or_else(|| {
                best(&mut cs.iter().copied().filter(pooled)).map(tag(
                    "no candidate beats annual at every horizon with 95% coverage at least 0.90 at each; \
                     the lowest mean CRPS among candidates with mean 95% coverage in 0.90–0.98",
                ))
            })
            .or_else(|| {
                best(&mut cs.iter().copied())
                    .map(tag("no candidate qualifies; the lowest mean CRPS"))
            })
    }

    /// The table as Markdown: MAPE per horizon, then the interval scores.
    pub fn markdown(&self) -> String {
        let mut cs: Vec<Candidate> = Vec::new();
        for s in &self.scores {
            if !cs.contains(&s.candidate) {
                cs.push(s.candidate);
            }
        }
        let mut t = String::new();
        let _ = writeln!(
            t,
            "Month-end origins {} to {}{} ({} scored, {} skipped), {} paths per candidate and origin, seed {}; \
             targets: calendar-year totals, horizon 0 = the year of the first unknown month.\n",
            TimeKind::YearMonth.format(self.origins.0),
            TimeKind::YearMonth.format(self.origins.1),
            if self.step > 1 {
                format!(", every {} months", self.step)
            } else {
                String::new()
            },
            self.scored_origins,
            self.skipped_origins,
            self.simulation.paths,
            self.simulation.seed
        );
        let hs: Vec<String> = (0..=MAX_HORIZON).map(|h| format!("h{h}")).collect();
        let _ = writeln!(
            t,
            "MAPE (%) of the median, by horizon (n = forecasts scored):\n"
        );
        let _ = writeln!(t, "| candidate | {} | mean |", hs.join(" | "));
        let _ = writeln!(t, "| --- |{} ---: |", " ---: |".repeat(hs.len()));
        let _ = writeln!(
            t,
            "| n | {} | |",
            self.of(cs[0])
                .iter()
                .map(|s| s.n.to_string())
                .collect::<Vec<_>>()
                .join(" | ")
        );
        for &c in &cs {
            let _ = writeln!(
                t,
                "| {} | {} | {:.2} |",
                c.name(),
                self.of(c)
                    .iter()
                    .map(|s| format!("{:.2}", s.mape))
                    .collect::<Vec<_>>()
                    .join(" | "),
                self.mean(c, |s| s.mape)
            );
        }
        let _ = writeln!(
            t,
            "\n95% coverage by horizon, and means over horizons of 80%/95% coverage, MSIS (95%) and CRPS (% of actual):\n"
        );
        let _ = writeln!(
            t,
            "| candidate | {} | cover80 | cover95 | MSIS | CRPS % |",
            hs.join(" | ")
        );
        let _ = writeln!(
            t,
            "| --- |{} ---: | ---: | ---: | ---: |",
            " ---: |".repeat(hs.len())
        );
        for &c in &cs {
            let _ = writeln!(
                t,
                "| {} | {} | {:.3} | {:.3} | {:.2} | {:.2} |",
                c.name(),
                self.of(c)
                    .iter()
                    .map(|s| format!("{:.3}", s.cover95))
                    .collect::<Vec<_>>()
                    .join(" | "),
                self.mean(c, |s| s.cover80),
                self.mean(c, |s| s.cover95),
                self.mean(c, |s| s.msis),
                self.mean(c, |s| s.crps_pct)
            );
        }
        if let Some((c, why)) = self.choice() {
            let _ = writeln!(t, "\nChosen: {} ({why}).", c.name());
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One candidate's row: (MAPE, 95% coverage) per horizon and its mean CRPS.
    type Row = (Candidate, [(f64, f64); 6], f64);

    /// A table of candidates' rows.
    fn table(rows: &[Row]) -> Backtest {
        let scores = rows
            .iter()
            .flat_map(|(c, hs, crps)| {
                hs.iter()
                    .enumerate()
                    .map(move |(h, (mape, cover95))| Score {
                        candidate: *c,
                        horizon: h,
                        n: 10,
                        mape: *mape,
                        cover80: 0.8,
                        cover95: *cover95,
                        msis: 1.0,
                        crps_pct: *crps,
                    })
            })
            .collect();
        Backtest {
            origins: (0, 1),
            step: 1,
            scored_origins: 2,
            skipped_origins: 0,
            simulation: Simulation { paths: 1, seed: 1 },
            scores,
        }
    }

    #[test]
    fn the_default_must_beat_annual_at_every_horizon_without_too_narrow_intervals() {
        let annual = (Candidate::Annual, [(5.0, 0.95); 6], 10.0);
        // lowest CRPS, but its h0 intervals cover 0.88
        let mut narrow = [(4.0, 0.95); 6];
        narrow[0].1 = 0.88;
        // beaten by annual at h3
        let mut h3 = [(4.0, 0.95); 6];
        h3[3].0 = 5.5;
        let bt = table(&[
            annual,
            (Candidate::EtsCycle, narrow, 8.0),
            (Candidate::Cycle, h3, 8.5),
            (Candidate::EtsCalCycleAnnual, [(4.5, 0.95); 6], 9.0),
        ]);
        assert_eq!(bt.chosen(), Some(Candidate::EtsCalCycleAnnual));
        assert!(bt.choice().unwrap().1.contains("lower MAPE than annual"));
    }

    #[test]
    fn without_a_strict_winner_the_rule_falls_back_to_mean_coverage_then_crps() {
        let mut narrow = [(4.0, 0.95); 6];
        narrow[0].1 = 0.88;
        let bt = table(&[
            (Candidate::Annual, [(5.0, 0.95); 6], 10.0),
            (Candidate::EtsCycle, narrow, 8.0),
        ]);
        assert_eq!(bt.chosen(), Some(Candidate::EtsCycle));
        assert!(
            bt.choice()
                .unwrap()
                .1
                .starts_with("no candidate beats annual")
        );
        // no annual in the table: the pooled-coverage rule
        let bt = table(&[
            (Candidate::EtsCycle, narrow, 8.0),
            (Candidate::Cycle, [(4.0, 0.99); 6], 7.0),
        ]);
        assert_eq!(bt.chosen(), Some(Candidate::EtsCycle));
        // nothing in 0.90-0.98 on average: the lowest CRPS
        let bt = table(&[
            (Candidate::EtsCycle, [(4.0, 0.99); 6], 8.0),
            (Candidate::Cycle, [(4.0, 0.99); 6], 7.0),
        ]);
        assert_eq!(bt.chosen(), Some(Candidate::Cycle));
    }
}
