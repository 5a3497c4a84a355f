//! The market model: one set of joint sample paths of worldwide (or regional) monthly sales,
//! from every month of data up to a cut-off, summed to calendar years. Every headline
//! (`forecast`, `milestone`, `vintages`, `nowcast`) reads the same paths, so the same cut-off
//! gives the same figure everywhere.
//!
//! The year of the first unknown month is the *current year*; its known months are kept as
//! known on every path and only the rest is simulated. Candidates ([`Candidate`]):
//!
//! * **monthly-arima** — seasonal ARIMA (Hyndman–Khandakar search, m = 12) on ln(monthly
//!   billings) from the seasonal engine, simulated month by month and exponentiated;
//! * **monthly-ets** — seasonal ETS (lowest AICc, m = 12) on monthly billings, simulated;
//! * **annual** — the annual `auto` model on complete years plus the current year's nowcast,
//!   the current year drawn per path from the nowcast's error record and what follows scaled
//!   with it (as [`crate::scenarios::milestone::milestone_provisional`]);
//! * **cycle** — **annual**, with the next one or two calendar years after the last month's
//!   year replaced by draws from the cycle regression ([`crate::scenarios::cycle`]) and its
//!   record (the two years' draws correlated as their records are), later years moved with
//!   the replaced level;
//! * **arima+cycle**, **arima+annual** — pools: half the paths from each;
//! * **ets+cycle** — the current year from monthly-ets, later years from cycle, paired by
//!   the rank of the current-year total;
//! * **cycle+annual** — **cycle**, except that the years more than two after the last
//!   month's year (after the cycle regression's span) carry half of its level change
//!   instead of all of it: each of those years is the geometric mean, path by path, of the
//!   annual model's value and cycle's (an equal-weight combination of the two models where
//!   the regression itself says nothing). Within the span a year the regression could not
//!   forecast (too little history for a two-year outlook) moves fully, as in cycle; that
//!   boundary was set after seeing the comparison with WSTS at horizon 2, where an earlier
//!   version that combined those years too was worse on three early forecasts;
//! * **ets+cycle+annual** — the current year from monthly-ets, later years from
//!   cycle+annual, paired by rank;
//! * **ets-cal+cycle+annual** — the same, with monthly-ets' current year recalibrated on its
//!   own track record ([`recalibrate_current_year`]): at every earlier year with the same
//!   number of months known, what monthly-ets fitted then said about the rest of that year
//!   against what it was; the median log error moves the current year's paths and the root
//!   mean square of the standardised errors scales their spread. The shift was kept after
//!   comparing with WSTS's published forecasts (without it chipcast's horizon-0 error there is
//!   above WSTS's); on the month-end table alone, scaling without the shift scores slightly
//!   better at horizon 0 (README, Market intelligence).
//!
//! The default ([`Candidate::DEFAULT`]) is chosen by [`backtest`]: every month-end origin
//! 1997–2025, calendar-year totals 0 to 5 years ahead. Annual-type paths are spread over
//! months by the average month shares of the five complete years before, so every candidate
//! has monthly paths and a trailing-12-month crossing month.
//!
//! Data are passed in ([`MarketData`]); nothing here loads a built-in dataset.

pub mod backtest;
pub mod regions;

use crate::error::{Error, Result};
use crate::evaluation::select::{ModelChoice, fit_choice};
use crate::models::arima::AutoArima;
use crate::models::ets::SeasonalAutoEts;
use crate::models::{FittedModel, Forecaster, Interval};
use crate::scenarios::milestone::{Milestone, PeriodOdds, Simulation};
use crate::scenarios::{cycle, nowcast, runrate::month_shares};
use crate::series::{MarketSeries, TimeKind, Unit};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, Normal};
use serde::Serialize;

/// The data a market model is fitted to: the annual totals and the monthly billings of one
/// market (the same source, so complete years agree).
#[derive(Debug, Clone)]
pub struct MarketData {
    /// Annual totals (integer years).
    pub annual: MarketSeries,
    /// Monthly billings (YYYY-MM).
    pub monthly: MarketSeries,
}

impl MarketData {
    /// Pair an annual and a monthly series, checking their kinds.
    pub fn new(annual: MarketSeries, monthly: MarketSeries) -> Result<Self> {
        if annual.kind() != TimeKind::Integer || monthly.kind() != TimeKind::YearMonth {
            return Err(Error::invalid(
                "the market model needs an annual (integer year) and a monthly (YYYY-MM) series",
            ));
        }
        Ok(Self { annual, monthly })
    }

    /// The last month of data.
    pub fn last_month(&self) -> i64 {
        self.monthly.end()
    }
}

/// One way of making the market's paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Candidate {
    /// Seasonal ARIMA on ln(monthly billings), simulated and summed.
    MonthlyArima,
    /// Seasonal ETS on monthly billings, simulated and summed.
    MonthlyEts,
    /// The annual `auto` model on complete years, current year provisional.
    Annual,
    /// The cycle regression for the next one or two years, joined to the annual paths.
    Cycle,
    /// Half the paths from monthly-arima, half from cycle.
    ArimaCycle,
    /// Half the paths from monthly-arima, half from annual.
    ArimaAnnual,
    /// The current year from monthly-ets, later years from cycle, the two paired by the
    /// rank of their current-year totals.
    EtsCycle,
    /// Cycle, with the years after the cycle regression's two-year span the geometric mean
    /// of the annual model's value and cycle's, path by path.
    CycleAnnual,
    /// The current year from monthly-ets, later years from cycle+annual, paired by rank.
    EtsCycleAnnual,
    /// As ets+cycle+annual, the current year recalibrated on monthly-ets' own record.
    EtsCalCycleAnnual,
}

impl Candidate {
    /// Every candidate, in the order the backtest table shows them.
    pub const ALL: [Candidate; 10] = [
        Candidate::MonthlyArima,
        Candidate::MonthlyEts,
        Candidate::Annual,
        Candidate::Cycle,
        Candidate::ArimaCycle,
        Candidate::ArimaAnnual,
        Candidate::EtsCycle,
        Candidate::CycleAnnual,
        Candidate::EtsCycleAnnual,
        Candidate::EtsCalCycleAnnual,
    ];

    /// The default market model, chosen by [`backtest`] (README, Market intelligence).
    pub const DEFAULT: Candidate = Candidate::EtsCalCycleAnnual;

    /// Name as printed.
    pub fn name(self) -> &'static str {
        match self {
            Candidate::MonthlyArima => "monthly-arima",
            Candidate::MonthlyEts => "monthly-ets",
            Candidate::Annual => "annual",
            Candidate::Cycle => "cycle",
            Candidate::ArimaCycle => "arima+cycle",
            Candidate::ArimaAnnual => "arima+annual",
            Candidate::EtsCycle => "ets+cycle",
            Candidate::CycleAnnual => "cycle+annual",
            Candidate::EtsCycleAnnual => "ets+cycle+annual",
            Candidate::EtsCalCycleAnnual => "ets-cal+cycle+annual",
        }
    }

    /// What it is, in words.
    pub fn about(self) -> &'static str {
        match self {
            Candidate::MonthlyArima => {
                "seasonal ARIMA on ln monthly billings, simulated and summed to years"
            }
            Candidate::MonthlyEts => {
                "seasonal ETS on monthly billings, simulated and summed to years"
            }
            Candidate::Annual => {
                "annual auto model on complete years, current year drawn from the nowcast's record"
            }
            Candidate::Cycle => {
                "annual paths with the next one or two years from the cycle regression and its record"
            }
            Candidate::ArimaCycle => "pool: half the paths monthly-arima, half cycle",
            Candidate::ArimaAnnual => "pool: half the paths monthly-arima, half annual",
            Candidate::EtsCycle => {
                "current year from monthly-ets, later years from cycle, paired by rank of the current year"
            }
            Candidate::CycleAnnual => {
                "cycle, with the years after the regression's the geometric mean of annual and cycle"
            }
            Candidate::EtsCycleAnnual => {
                "current year from monthly-ets, later years from cycle+annual, paired by rank of the current year"
            }
            Candidate::EtsCalCycleAnnual => {
                "current year from monthly-ets recalibrated on its own record, later years from cycle+annual, paired by rank"
            }
        }
    }

    /// Look a candidate up by its name.
    pub fn from_name(name: &str) -> Option<Candidate> {
        Candidate::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// Joint sample paths of one market from one cut-off.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarketPaths {
    /// Which candidate made them.
    pub candidate: Candidate,
    /// Last month of data used (ordinal year·12 + month − 1).
    pub data_to: i64,
    /// The current year: the year of the first unknown month.
    pub first_year: i64,
    /// Months of `first_year` known (0 to 11).
    pub known_months: u32,
    /// Sum of those months.
    pub known_sum: f64,
    /// Last year simulated.
    pub last_year: i64,
    /// Per path, calendar-year totals `first_year..=last_year`.
    pub years: Vec<Vec<f64>>,
    /// Per path, months from January of `first_year` to December of `last_year` (the known
    /// months as observed).
    pub months: Vec<Vec<f64>>,
    /// The 12 months of the year before `first_year`, observed.
    pub prior_months: Vec<f64>,
    /// Complete years before `first_year`: (year, total from the annual series).
    pub history: Vec<(i64, f64)>,
    /// Simulation settings.
    pub simulation: Simulation,
}

/// Seed streams of the parts of a path, so that each candidate's paths do not depend on
/// which other candidates run.
fn stream(c: Candidate) -> u64 {
    match c {
        Candidate::MonthlyArima => 0x1111,
        Candidate::MonthlyEts => 0x2222,
        Candidate::Annual => 0x3333,
        Candidate::Cycle => 0x4444,
        Candidate::ArimaCycle => 0x5555,
        Candidate::ArimaAnnual => 0x6666,
        Candidate::EtsCycle => 0x7777,
        Candidate::CycleAnnual => 0x8888,
        Candidate::EtsCycleAnnual => 0x9999,
        Candidate::EtsCalCycleAnnual => 0xAAAA,
    }
}

/// Type-7 quantile of sorted values.
fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let (i, frac) = (pos.floor() as usize, pos - pos.floor());
    let next = sorted[(i + 1).min(sorted.len() - 1)];
    sorted[i] + frac * (next - sorted[i])
}

impl MarketPaths {
    /// Number of paths.
    pub fn len(&self) -> usize {
        self.years.len()
    }

    /// Whether there are no paths.
    pub fn is_empty(&self) -> bool {
        self.years.is_empty()
    }

    fn year_values(&self, year: i64) -> Option<Vec<f64>> {
        if year < self.first_year || year > self.last_year {
            return None;
        }
        let k = (year - self.first_year) as usize;
        let mut v: Vec<f64> = self.years.iter().map(|p| p[k]).collect();
        v.sort_by(f64::total_cmp);
        Some(v)
    }

    /// The year's point forecast: the median of the paths' totals.
    pub fn point(&self, year: i64) -> Option<f64> {
        self.year_values(year).map(|v| quantile_sorted(&v, 0.5))
    }

    /// Central interval at `level` percent of the year's total, from the paths' quantiles.
    pub fn interval(&self, year: i64, level: f64) -> Option<(f64, f64)> {
        let a = (1.0 - level / 100.0) / 2.0;
        self.year_values(year)
            .map(|v| (quantile_sorted(&v, a), quantile_sorted(&v, 1.0 - a)))
    }

    /// Points and intervals for `first_year..=until`, in the one [`Interval`] type.
    pub fn table(&self, until: i64, levels: &[f64]) -> (Vec<i64>, Vec<f64>, Vec<Interval>) {
        let years: Vec<i64> = (self.first_year..=until.min(self.last_year)).collect();
        let point = years.iter().filter_map(|y| self.point(*y)).collect();
        let intervals = levels
            .iter()
            .map(|&level| {
                let (lower, upper) = years
                    .iter()
                    .filter_map(|y| self.interval(*y, level))
                    .unzip();
                Interval {
                    level,
                    lower,
                    upper,
                }
            })
            .collect();
        (years, point, intervals)
    }

    /// P(the year's total ≥ `target`): the share of paths; 0 or 1 for a complete year.
    pub fn p_at_least(&self, year: i64, target: f64) -> Option<f64> {
        if let Some((_, v)) = self.history.iter().find(|(y, _)| *y == year) {
            return Some(f64::from(u8::from(*v >= target)));
        }
        let k = usize::try_from(year - self.first_year).ok()?;
        if year > self.last_year {
            return None;
        }
        let n = self.years.len().max(1) as f64;
        Some(self.years.iter().filter(|p| p[k] >= target).count() as f64 / n)
    }

    /// The distribution of the first calendar year whose total reaches `target`.
    pub fn crossing_years(&self, target: f64) -> Crossing {
        let in_history = self
            .history
            .iter()
            .find(|(_, v)| *v >= target)
            .map(|(y, _)| *y);
        let firsts: Vec<Option<i64>> = self
            .years
            .iter()
            .map(|p| {
                p.iter()
                    .position(|v| *v >= target)
                    .map(|k| self.first_year + k as i64)
            })
            .collect();
        Crossing::from_firsts(in_history, firsts, self.first_year, self.last_year)
    }

    /// The distribution of the first month whose trailing-12-month sales reach `target`
    /// (ordinal year·12 + month − 1), searching from the first unknown month.
    pub fn crossing_months(&self, target: f64) -> Crossing {
        let start = self.first_year * 12;
        let known = self.known_months as usize;
        // trailing 12 months at month index j of the path (0 = January of first_year)
        let t12 = |p: &[f64], j: usize| -> f64 {
            let from_prior: f64 = self.prior_months[(j + 1).min(12)..].iter().sum();
            let lo = (j + 1).saturating_sub(12);
            from_prior + p[lo..=j].iter().sum::<f64>()
        };
        // crossed already in the known months (or the year before's December)?
        let any = self.months.first();
        let in_history = if self.prior_months.iter().sum::<f64>() >= target {
            Some(start - 1)
        } else {
            any.and_then(|p| (0..known).find(|&j| t12(p, j) >= target))
                .map(|j| start + j as i64)
        };
        let last = self.last_year * 12 + 11;
        let firsts: Vec<Option<i64>> = self
            .months
            .iter()
            .map(|p| {
                (known..p.len())
                    .find(|&j| t12(p, j) >= target)
                    .map(|j| start + j as i64)
            })
            .collect();
        Crossing::from_firsts(in_history, firsts, start + known as i64, last)
    }
}

impl MarketPaths {
    /// The milestone answer from these paths, year by year, in the shape the milestone
    /// report and chart take. The current year counts as the first simulated period.
    pub fn milestone(&self, target: f64, by: i64) -> Milestone {
        let c = self.crossing_years(target);
        let by_period = (self.first_year..=self.last_year)
            .map(|y| PeriodOdds {
                period: y,
                p_first: if c.in_history.is_some() {
                    0.0
                } else {
                    c.first
                        .iter()
                        .find(|(p, _)| *p == y)
                        .map_or(0.0, |(_, s)| *s)
                },
                p_crossed_by: c.p_by(y),
                p_at_least: self.p_at_least(y, target).unwrap_or(0.0),
            })
            .collect();
        let last_complete = self.history.last().copied();
        Milestone {
            target,
            by,
            crossed_in_history: c.in_history,
            point_crossing: (self.first_year..=self.last_year)
                .find(|y| self.point(*y).is_some_and(|v| v >= target)),
            p_at_least_in_by: self.p_at_least(by, target).unwrap_or(0.0),
            p_crossed_by: c.p_by(by),
            by_period,
            p_never_in_span: if c.in_history.is_some() { 0.0 } else { c.never },
            median_crossing: c.in_history.or(c.median),
            required_growth: last_complete.and_then(|(y, v)| {
                (by > y && v > 0.0 && target > 0.0)
                    .then(|| (target / v).powf(1.0 / (by - y) as f64) - 1.0)
            }),
            provisional_last_log_sd: 0.0,
            simulation: self.simulation,
        }
    }
}

/// When a target is first reached: already (in the data), or the distribution over paths.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Crossing {
    /// First period at or above the target in the data, if any.
    pub in_history: Option<i64>,
    /// (period, share of paths first reaching the target then), periods with a share > 0.
    pub first: Vec<(i64, f64)>,
    /// Share of paths that never reach it by the last simulated period.
    pub never: f64,
    /// Median first period over the paths (never counted as later); `None` if beyond.
    pub median: Option<i64>,
    /// 10% and 90% points of the first period (`None` = beyond the simulated span).
    pub p10: Option<i64>,
    /// 90% point.
    pub p90: Option<i64>,
    /// First and last period searched.
    pub span: (i64, i64),
}

impl Crossing {
    fn from_firsts(in_history: Option<i64>, firsts: Vec<Option<i64>>, from: i64, to: i64) -> Self {
        let n = firsts.len().max(1) as f64;
        let mut sorted: Vec<i64> = firsts.iter().map(|f| f.unwrap_or(i64::MAX)).collect();
        sorted.sort_unstable();
        let at = |q: f64| {
            let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
            sorted.get(i).copied().filter(|v| *v != i64::MAX)
        };
        let mut first: Vec<(i64, f64)> = Vec::new();
        for v in sorted.iter().filter(|v| **v != i64::MAX) {
            match first.last_mut() {
                Some((p, c)) if p == v => *c += 1.0,
                _ => first.push((*v, 1.0)),
            }
        }
        first.iter_mut().for_each(|(_, c)| *c /= n);
        Crossing {
            in_history,
            never: firsts.iter().filter(|f| f.is_none()).count() as f64 / n,
            median: at(0.5),
            p10: at(0.1),
            p90: at(0.9),
            first,
            span: (from, to),
        }
    }

    /// P(reached at or before `period`).
    pub fn p_by(&self, period: i64) -> f64 {
        if self.in_history.is_some_and(|h| h <= period) {
            return 1.0;
        }
        self.first
            .iter()
            .filter(|(p, _)| *p <= period)
            .map(|(_, s)| s)
            .sum::<f64>()
            + 0.0
    }
}

/// Calendar years after the current one that every command's paths cover, so that the same
/// cut-off gives the same paths (and the same figures) whatever is asked of them.
pub const SPAN_YEARS: i64 = 15;

/// The default market model's paths from data up to `data_to`: [`Candidate::DEFAULT`],
/// calendar years to the current year + [`SPAN_YEARS`].
pub fn market_paths(data: &MarketData, data_to: i64, sim: Simulation) -> Result<MarketPaths> {
    let first_year = (data_to + 1).div_euclid(12);
    paths(
        data,
        data_to,
        first_year + SPAN_YEARS,
        Candidate::DEFAULT,
        sim,
    )
}

/// Make the market's paths from data up to month ordinal `data_to` (inclusive), calendar
/// years to `last_year`, with candidate `c`. Nothing after `data_to` is read.
pub fn paths(
    data: &MarketData,
    data_to: i64,
    last_year: i64,
    c: Candidate,
    sim: Simulation,
) -> Result<MarketPaths> {
    let monthly = data.monthly.truncate_to(data_to)?;
    if monthly.end() < data_to {
        return Err(Error::invalid(format!(
            "the monthly data end at {}, before {}",
            TimeKind::YearMonth.format(monthly.end()),
            TimeKind::YearMonth.format(data_to)
        )));
    }
    let first_year = (data_to + 1).div_euclid(12);
    let known_months = (data_to + 1).rem_euclid(12) as u32;
    if last_year < first_year {
        return Err(Error::invalid(format!(
            "the last year {last_year} is before the current year {first_year}"
        )));
    }
    let value = |o: i64| {
        monthly.value_at(o).ok_or_else(|| {
            Error::invalid(format!(
                "no monthly value for {}",
                TimeKind::YearMonth.format(o)
            ))
        })
    };
    let known: Vec<f64> = (0..i64::from(known_months))
        .map(|k| value(first_year * 12 + k))
        .collect::<Result<_>>()?;
    let prior_months: Vec<f64> = (0..12)
        .map(|k| value((first_year - 1) * 12 + k))
        .collect::<Result<_>>()?;
    let annual = data.annual.truncate_to(first_year - 1)?;
    if annual.end() != first_year - 1 {
        return Err(Error::invalid(format!(
            "the annual data end at {}, but {} is complete in the monthly data",
            annual.end(),
            first_year - 1
        )));
    }
    let history: Vec<(i64, f64)> = annual.ordinals().zip(annual.values().to_vec()).collect();
    let n_years = (last_year - first_year + 1) as usize;
    let ctx = Context {
        monthly: &monthly,
        annual: &annual,
        data_to,
        first_year,
        known: &known,
        n_years,
    };
    let part = |c: Candidate, paths: usize| -> Result<Vec<Vec<f64>>> {
        let sim = Simulation {
            paths,
            seed: sim.seed ^ stream(c),
        };
        match c {
            Candidate::MonthlyArima | Candidate::MonthlyEts => ctx.monthly_paths(c, sim),
            Candidate::Annual => ctx.annual_paths(sim).and_then(|y| ctx.spread(y)),
            Candidate::Cycle => ctx
                .annual_paths(sim)
                .and_then(|y| ctx.cycle_paths(y, sim, 1.0))
                .and_then(|y| ctx.spread(y)),
            Candidate::CycleAnnual => ctx
                .annual_paths(sim)
                .and_then(|y| ctx.cycle_paths(y, sim, 0.5))
                .and_then(|y| ctx.spread(y)),
            _ => unreachable!("pools are split below"),
        }
    };
    let half = sim.paths.div_ceil(2);
    let months = match c {
        Candidate::ArimaCycle | Candidate::ArimaAnnual => {
            let other = if c == Candidate::ArimaCycle {
                Candidate::Cycle
            } else {
                Candidate::Annual
            };
            let mut m = part(Candidate::MonthlyArima, half)?;
            m.extend(part(other, sim.paths - half)?);
            m
        }
        Candidate::EtsCycle => couple(
            part(Candidate::MonthlyEts, sim.paths)?,
            part(Candidate::Cycle, sim.paths)?,
        ),
        Candidate::EtsCycleAnnual => couple(
            part(Candidate::MonthlyEts, sim.paths)?,
            part(Candidate::CycleAnnual, sim.paths)?,
        ),
        Candidate::EtsCalCycleAnnual => couple(
            recalibrate_current_year(
                data,
                data_to,
                part(Candidate::MonthlyEts, sim.paths)?,
                record_seed(sim),
            )?,
            part(Candidate::CycleAnnual, sim.paths)?,
        ),
        single => part(single, sim.paths)?,
    };
    let years = year_totals(&months);
    Ok(MarketPaths {
        candidate: c,
        data_to,
        first_year,
        known_months,
        known_sum: known.iter().sum::<f64>() + 0.0,
        last_year,
        years,
        months,
        prior_months,
        history,
        simulation: sim,
    })
}

/// The current year (first 12 months) of each path of `current` joined to the later years of
/// the path of `later` with the same rank of current-year total, so a path high this year
/// stays high after it as `later`'s own paths do. Output ordered by that rank.
pub fn couple(current: Vec<Vec<f64>>, later: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
    let rank = |p: &[Vec<f64>]| {
        let mut idx: Vec<usize> = (0..p.len()).collect();
        let total = |i: usize| p[i].iter().take(12).sum::<f64>();
        idx.sort_by(|&a, &b| total(a).total_cmp(&total(b)).then(a.cmp(&b)));
        idx
    };
    let (rc, rl) = (rank(&current), rank(&later));
    rc.iter()
        .zip(&rl)
        .map(|(&i, &j)| {
            let mut p = current[i][..12].to_vec();
            p.extend_from_slice(&later[j][12..]);
            p
        })
        .collect()
}

/// Calendar-year totals of monthly paths that start in January.
pub fn year_totals(months: &[Vec<f64>]) -> Vec<Vec<f64>> {
    months
        .iter()
        .map(|p| p.chunks(12).map(|c| c.iter().sum()).collect())
        .collect()
}

/// Paths per origin of monthly-ets' own record in [`recalibrate_current_year`]: fixed, so
/// the recalibration does not depend on `--paths` and every command gets the same one.
pub const RECORD_PATHS: usize = 1000;

/// Complete years of monthly data before the first year of the record (the first origin
/// then has four years of months to fit).
pub const RECORD_WARMUP_YEARS: i64 = 4;

/// Fewest record years that recalibrate; with fewer the model's own paths are kept.
pub const RECORD_MIN_YEARS: usize = 3;

/// The seed of the record's simulations for a run with `sim`.
fn record_seed(sim: Simulation) -> u64 {
    sim.seed ^ stream(Candidate::EtsCalCycleAnnual)
}

/// One year of monthly-ets' record: what it said at the month-end with the same months
/// known as now, about the rest of that year.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RecordYear {
    /// The year forecast (complete before the current year).
    pub year: i64,
    /// ln(actual rest of the year ÷ the median of the paths' rest).
    pub log_error: f64,
    /// The paths' own spread of ln(rest): the 95% interval's width ÷ (2 × 1.96).
    pub log_sd: f64,
}

/// How [`recalibrate_current_year`] moved and scaled the current year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recalibration {
    /// The record it read.
    pub record: Vec<RecordYear>,
    /// Median log error: the shift of ln(rest).
    pub shift: f64,
    /// Root mean square of (log error − shift) ÷ log sd: the scale of the spread.
    pub scale: f64,
}

/// What monthly-ets, fitted to the months up to `d`, says about the rest of `d`'s year:
/// (median, log sd) of the sum of the unknown months over [`RECORD_PATHS`] paths. Memoised
/// per process by (the months' values, `d`, seed), since every later origin with the same
/// months known reads it again.
fn ets_rest_of_year(monthly: &MarketSeries, d: i64, seed: u64) -> Option<(f64, f64)> {
    use std::collections::HashMap;
    use std::hash::{Hash, Hasher};
    use std::sync::{Mutex, OnceLock};
    type Memo = Mutex<HashMap<(u64, i64, u64), Option<(f64, f64)>>>;
    static MEMO: OnceLock<Memo> = OnceLock::new();
    let m = monthly.truncate_to(d).ok()?;
    if m.end() != d {
        return None;
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    m.start().hash(&mut h);
    m.values().iter().for_each(|v| v.to_bits().hash(&mut h));
    let key = (h.finish(), d, seed);
    let memo = MEMO.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(v) = memo.lock().ok().and_then(|g| g.get(&key).copied()) {
        return v;
    }
    let known = (d + 1).rem_euclid(12) as usize;
    let value = (|| {
        let model = SeasonalAutoEts { m: 12 }.fit(m.values()).ok()?;
        let mut rng = StdRng::seed_from_u64(seed ^ d as u64);
        let mut rest: Vec<f64> = (0..RECORD_PATHS)
            .map(|_| {
                model
                    .simulate(12 - known, &mut rng)
                    .into_iter()
                    .map(|v| v.max(0.0))
                    .sum()
            })
            .collect();
        rest.sort_by(f64::total_cmp);
        let (lo, mid, hi) = (
            quantile_sorted(&rest, 0.025),
            quantile_sorted(&rest, 0.5),
            quantile_sorted(&rest, 0.975),
        );
        (lo > 0.0 && hi > lo).then(|| (mid, (hi.ln() - lo.ln()) / (2.0 * Z95)))
    })();
    if let Ok(mut g) = memo.lock() {
        g.insert(key, value);
    }
    value
}

/// The normal 97.5% point.
const Z95: f64 = 1.959_963_984_540_054;

/// monthly-ets' record for the current year at cut-off `data_to`: for every complete year
/// before it (from [`RECORD_WARMUP_YEARS`] after the first complete year of months), the
/// model fitted to the months up to the same month-end of that year (the same number of
/// months known), against that year's actual rest. Only years complete by `data_to` and
/// only months up to each year's own origin are read.
pub fn current_year_record(data: &MarketData, data_to: i64, seed: u64) -> Vec<RecordYear> {
    let first_year = (data_to + 1).div_euclid(12);
    let known = (data_to + 1).rem_euclid(12);
    let Ok(monthly) = data.monthly.truncate_to(data_to) else {
        return Vec::new();
    };
    let first_complete = monthly.start().div_euclid(12) + i64::from(monthly.start() % 12 != 0);
    (first_complete + RECORD_WARMUP_YEARS..first_year)
        .filter_map(|y| {
            let d = y * 12 + known - 1;
            let actual = data.annual.value_at(y)?;
            let known_sum: f64 = (0..known)
                .map(|k| monthly.value_at(y * 12 + k))
                .sum::<Option<f64>>()?;
            let rest = actual - known_sum;
            let (mid, log_sd) = ets_rest_of_year(&monthly, d, seed)?;
            (rest > 0.0 && mid > 0.0 && log_sd > 0.0).then(|| RecordYear {
                year: y,
                log_error: (rest / mid).ln(),
                log_sd,
            })
        })
        .collect()
}

/// The recalibration of [`current_year_record`]: `None` below [`RECORD_MIN_YEARS`] years.
pub fn recalibration(data: &MarketData, data_to: i64, seed: u64) -> Option<Recalibration> {
    let record = current_year_record(data, data_to, seed);
    if record.len() < RECORD_MIN_YEARS {
        return None;
    }
    let mut e: Vec<f64> = record.iter().map(|r| r.log_error).collect();
    e.sort_by(f64::total_cmp);
    let shift = quantile_sorted(&e, 0.5);
    let scale = (record
        .iter()
        .map(|r| ((r.log_error - shift) / r.log_sd).powi(2))
        .sum::<f64>()
        / record.len() as f64)
        .sqrt();
    Some(Recalibration {
        record,
        shift,
        scale,
    })
}

/// monthly-ets' paths (`months`, from the cut-off `data_to`) with the rest of the current
/// year recalibrated on the model's own record ([`recalibration`]): per path, ln(rest) =
/// ln(median) + shift + scale × (ln(rest) − ln(median)), each unknown month of the current
/// year multiplied by the same factor. Known months and later years are untouched; the order
/// of the paths' current-year totals is kept (so rank pairing is unchanged).
pub fn recalibrate_current_year(
    data: &MarketData,
    data_to: i64,
    mut months: Vec<Vec<f64>>,
    seed: u64,
) -> Result<Vec<Vec<f64>>> {
    let Some(cal) = recalibration(data, data_to, seed) else {
        return Ok(months);
    };
    let known = (data_to + 1).rem_euclid(12) as usize;
    let rest = |p: &[f64]| p[known..12].iter().sum::<f64>();
    let mut rests: Vec<f64> = months.iter().map(|p| rest(p)).collect();
    rests.sort_by(f64::total_cmp);
    let mid = quantile_sorted(&rests, 0.5);
    if mid <= 0.0 {
        return Ok(months);
    }
    for p in &mut months {
        let r = rest(p);
        if r <= 0.0 {
            continue;
        }
        let target = (mid.ln() + cal.shift + cal.scale * (r.ln() - mid.ln())).exp();
        let f = target / r;
        p[known..12].iter_mut().for_each(|v| *v *= f);
    }
    Ok(months)
}

/// What every candidate reads at one cut-off.
struct Context<'a> {
    monthly: &'a MarketSeries,
    annual: &'a MarketSeries,
    data_to: i64,
    first_year: i64,
    known: &'a [f64],
    n_years: usize,
}

impl Context<'_> {
    fn months_ahead(&self) -> usize {
        self.n_years * 12 - self.known.len()
    }

    /// Known months followed by `sim.paths` simulated continuations of the monthly series.
    fn monthly_paths(&self, c: Candidate, sim: Simulation) -> Result<Vec<Vec<f64>>> {
        let h = self.months_ahead();
        let y = self.monthly.values();
        let mut rng = StdRng::seed_from_u64(sim.seed);
        let (model, logs): (Box<dyn FittedModel>, bool) = match c {
            Candidate::MonthlyArima => {
                if y.iter().any(|v| *v <= 0.0) {
                    return Err(Error::invalid(
                        "monthly-arima models ln(billings); every month must be positive",
                    ));
                }
                let ln: Vec<f64> = y.iter().map(|v| v.ln()).collect();
                let m = AutoArima {
                    m: 12,
                    ..Default::default()
                }
                .fit(&ln)?;
                (Box::new(m), true)
            }
            _ => (Box::new(SeasonalAutoEts { m: 12 }.fit(y)?), false),
        };
        Ok((0..sim.paths)
            .map(|_| {
                let mut p = self.known.to_vec();
                p.extend(
                    model
                        .simulate(h, &mut rng)
                        .into_iter()
                        .map(|v| if logs { v.exp() } else { v.max(0.0) }),
                );
                p
            })
            .collect())
    }

    /// Annual totals per path from the annual `auto` model, `first_year..` (the current year
    /// drawn from the nowcast's record when some of its months are known).
    fn annual_paths(&self, sim: Simulation) -> Result<Vec<Vec<f64>>> {
        let mut rng = StdRng::seed_from_u64(sim.seed);
        let known = self.known.len() as u32;
        let known_sum: f64 = self.known.iter().sum();
        let mut values = self.annual.values().to_vec();
        let nc = if known > 0 {
            let n = nowcast::nowcast(
                self.monthly,
                self.first_year,
                known,
                None,
                &[],
                1992..=self.first_year - 1,
            )?;
            values.push(n.point);
            Some(n)
        } else {
            None
        };
        let h = if nc.is_some() {
            self.n_years - 1
        } else {
            self.n_years
        };
        let fitted = fit_choice(&values, ModelChoice::Auto, h.max(1))?;
        let sd = nc.as_ref().map_or(0.0, |n| n.record.rmse());
        let draw = Normal::new(0.0, sd.max(0.0)).expect("a finite sd is valid");
        Ok((0..sim.paths)
            .map(|_| {
                let mut p = if h > 0 {
                    fitted.model.simulate(h, &mut rng)
                } else {
                    Vec::new()
                };
                p.iter_mut().for_each(|v| *v = v.max(0.0));
                if let Some(n) = &nc {
                    let f = draw.sample(&mut rng).exp();
                    p.iter_mut().for_each(|v| *v *= f);
                    p.insert(0, (n.point * f).max(known_sum));
                }
                p
            })
            .collect())
    }

    /// Replace the next one or two years after the last month's year by cycle-regression
    /// draws; later years move with the replaced level: fully within those two years (when
    /// the regression had no two-year outlook), after them raised to `carry` (1 = all of the
    /// change, 0.5 = the geometric mean of the annual path and the fully moved one).
    fn cycle_paths(
        &self,
        mut years: Vec<Vec<f64>>,
        sim: Simulation,
        carry: f64,
    ) -> Result<Vec<Vec<f64>>> {
        let base_year = self.data_to.div_euclid(12);
        // (index of the year, point, log sd, (origin year, log error) of the record)
        type Outlook = (usize, f64, f64, Vec<(i64, f64)>);
        let outlooks: Vec<Outlook> = (1..=2)
            .filter_map(|ahead| {
                let target = base_year + ahead;
                let k = usize::try_from(target - self.first_year).ok()?;
                if k >= self.n_years {
                    return None;
                }
                let o = cycle::outlook(self.monthly, self.data_to, target, &[]).ok()?;
                let record = o.record.years.iter().copied();
                Some((
                    k,
                    o.forecast.point,
                    o.record.rmse(),
                    record.zip(o.record.log_errors.iter().copied()).collect(),
                ))
            })
            .collect();
        if outlooks.is_empty() {
            return Ok(years);
        }
        // correlation of the two records' errors over their common origin years
        let rho = match outlooks.as_slice() {
            [(_, _, _, a), (_, _, _, b)] => {
                let pairs: Vec<(f64, f64)> = a
                    .iter()
                    .filter_map(|(y, e)| b.iter().find(|(z, _)| z == y).map(|(_, f)| (*e, *f)))
                    .collect();
                correlation(&pairs).clamp(0.0, 0.99)
            }
            _ => 0.0,
        };
        let mut rng = StdRng::seed_from_u64(sim.seed ^ 0xC7C1E);
        let std = Normal::new(0.0, 1.0).expect("standard normal");
        for p in &mut years {
            let mut z_prev = 0.0;
            let mut factor = 1.0;
            let mut last_k = 0;
            for (i, (k, point, sd, _)) in outlooks.iter().enumerate() {
                let e: f64 = std.sample(&mut rng);
                let z = if i == 0 {
                    e
                } else {
                    rho * z_prev + (1.0 - rho * rho).sqrt() * e
                };
                z_prev = z;
                let v = point * (sd * z).exp();
                factor = if p[*k] > 0.0 { v / p[*k] } else { 1.0 };
                p[*k] = v;
                last_k = *k;
            }
            // the regression's own span (the two years after the last month's year) moves
            // fully, even where it had no two-year outlook; later years by `carry`
            let span_end = usize::try_from(base_year + 2 - self.first_year).unwrap_or(0);
            let moved = factor.powf(carry);
            for (j, v) in p.iter_mut().enumerate().skip(last_k + 1) {
                *v *= if j <= span_end { factor } else { moved };
            }
        }
        Ok(years)
    }

    /// Spread annual totals over months: the known months as observed, the rest of the
    /// current year and every later year by the average month shares of the five complete
    /// years before the current one.
    fn spread(&self, years: Vec<Vec<f64>>) -> Result<Vec<Vec<f64>>> {
        let shares = month_shares(self.monthly, self.first_year)?;
        let known = self.known.len();
        let known_sum: f64 = self.known.iter().sum();
        let rest_share: f64 = shares[known..].iter().sum();
        Ok(years
            .into_iter()
            .map(|p| {
                let mut m = self.known.to_vec();
                for (i, total) in p.iter().enumerate() {
                    if i == 0 && known > 0 {
                        let rest = (total - known_sum).max(0.0);
                        m.extend(shares[known..].iter().map(|s| rest * s / rest_share));
                    } else {
                        m.extend(shares.iter().map(|s| total * s));
                    }
                }
                m
            })
            .collect())
    }
}

/// Pearson correlation of pairs (0 with fewer than 3).
fn correlation(pairs: &[(f64, f64)]) -> f64 {
    if pairs.len() < 3 {
        return 0.0;
    }
    let n = pairs.len() as f64;
    let (ma, mb) = pairs
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in pairs {
        sab += (x - ma) * (y - mb);
        saa += (x - ma).powi(2);
        sbb += (y - mb).powi(2);
    }
    if saa <= 0.0 || sbb <= 0.0 {
        0.0
    } else {
        sab / (saa * sbb).sqrt()
    }
}

/// The annual series of the monthly data's complete years (for inputs without a separate
/// annual file): each total is the sum of its 12 months.
pub fn annual_from_monthly(monthly: &MarketSeries) -> Result<MarketSeries> {
    let first = monthly.start().div_euclid(12) + i64::from(monthly.start().rem_euclid(12) != 0);
    let totals: Vec<f64> = (first..)
        .map_while(|y| {
            (0..12)
                .map(|k| monthly.value_at(y * 12 + k))
                .sum::<Option<f64>>()
        })
        .collect();
    MarketSeries::new(
        monthly.id(),
        TimeKind::Integer,
        first,
        totals,
        Unit::UsdBillions,
    )
}

#[cfg(test)]
mod tests;

/// chipcast's market-model forecast beside every published forecast whose target year has
/// an actual: the paths from the monthly data to [`crate::evaluation::industry::DATA_LAG_MONTHS`]
/// months before the publication month, the point their median for the target year. Rows
/// whose target is before the model's current year (or past its span) are left out.
pub fn compare_with_published(
    data: &MarketData,
    published: Vec<crate::evaluation::industry::PublishedForecast>,
    sim: Simulation,
) -> Vec<crate::evaluation::industry::Comparison> {
    use crate::evaluation::industry::{Comparison, DATA_LAG_MONTHS, VintageForecast};
    use rayon::prelude::*;
    published
        .into_par_iter()
        .filter_map(|p| {
            let actual = data.annual.value_at(p.target_year)?;
            let data_to = p.published_month - DATA_LAG_MONTHS;
            let paths = market_paths(data, data_to, sim).ok()?;
            let point = paths.point(p.target_year)?;
            Some(Comparison {
                horizon: p.target_year - p.published_month.div_euclid(12),
                chipcast: VintageForecast {
                    data_to,
                    target_year: p.target_year,
                    point,
                    how: format!("market:{}", paths.candidate.name()),
                },
                actual,
                published: p,
            })
        })
        .collect()
}
