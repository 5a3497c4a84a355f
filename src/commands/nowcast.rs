//! `nowcast`: this year's total from the months already known, with intervals from the
//! nowcast's own track record, how it tightens month by month, the next two years by the
//! cycle regression, and the market model's headline on the same months.

use super::defaults;
use super::market::{self, Headline};
use super::provenance::{self, Provenance};
use super::source::builtin_as_of_month;
use crate::error::{Error, Result};
use crate::ingest::builtin;
use crate::scenarios::cycle::{self, CycleOutlook};
use crate::scenarios::milestone::Simulation;
use crate::scenarios::nowcast::{Nowcast, NowcastMethod, nowcast, track_record};
use crate::scenarios::projection::validate_levels;
use serde::Serialize;

/// What `nowcast` is asked.
#[derive(Debug, Clone)]
pub struct NowcastRequest {
    /// Built-in region (`worldwide`, `americas`, ...); its monthly billings are used.
    pub region: String,
    /// Use only months up to this one, as typed (`YYYY-MM`).
    pub as_of: Option<String>,
    /// Year to nowcast [default: the year of the last month used].
    pub year: Option<i64>,
    /// How the remaining months are forecast; `None` = per number of known months, the
    /// method with the lower backtest error.
    pub method: Option<NowcastMethod>,
    /// First year of the backtest that sets the intervals.
    pub from_year: i64,
    /// Interval levels, percent.
    pub levels: Vec<f64>,
    /// The market model's headline: paths and seed.
    pub simulation: Simulation,
    /// The headline's milestone, USD bn.
    pub target: f64,
    /// The headline's year of "how likely by".
    pub by: i64,
}

impl Default for NowcastRequest {
    fn default() -> Self {
        NowcastRequest {
            region: defaults::SERIES.into(),
            as_of: None,
            year: None,
            method: None,
            from_year: defaults::NOWCAST_FROM_YEAR,
            levels: defaults::LEVELS.to_vec(),
            simulation: defaults::SIMULATION,
            target: defaults::TARGET,
            by: defaults::BY,
        }
    }
}

/// One method's track record for one number of known months.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrackRow {
    /// Months known.
    pub known_months: u32,
    /// The method.
    pub method: &'static str,
    /// Mean absolute percentage error of the full-year nowcast, percent.
    pub mape_pct: f64,
    /// Mean ratio actual/nowcast − 1 (geometric; > 0: nowcasts too low).
    pub bias: f64,
    /// Years scored.
    pub years: usize,
}

/// Everything `nowcast` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NowcastResult {
    /// Where the data come from.
    pub provenance: Provenance,
    /// The built-in monthly series (`worldwide-monthly`).
    pub series: String,
    /// Unit of every figure.
    pub unit: &'static str,
    /// The last month of data used, `YYYY-MM`.
    pub data_to: String,
    /// The year nowcast.
    pub year: i64,
    /// The last year with data.
    pub last_year: i64,
    /// Months of `year` known in the data used (12 = complete).
    pub known_months: u32,
    /// Interval levels, percent.
    pub levels: Vec<f64>,
    /// The first year of the track record.
    pub from_year: i64,
    /// The market model's headline on the same months (when `year` is the current one).
    pub market: Option<Headline>,
    /// The year's total in the data when it is complete there (the full data, ignoring
    /// `as_of`), which the month-by-month nowcasts are compared with.
    pub actual: Option<f64>,
    /// The nowcast after each known month (1 to 11 at most), the last being today's.
    pub nowcasts: Vec<Nowcast>,
    /// The next two years by the cycle regression (when `year` is the last year of data).
    pub next_years: Vec<CycleOutlook>,
    /// Every method's track record, by months known (1 to 11), methods in a fixed order.
    pub track_record: Vec<TrackRow>,
}

/// The methods the track record compares, in the order they are printed.
pub const METHODS: [NowcastMethod; 3] = [
    NowcastMethod::Regression,
    NowcastMethod::YtdGrowth,
    NowcastMethod::RunRate,
];

/// Answer a [`NowcastRequest`].
pub fn run(req: &NowcastRequest) -> Result<NowcastResult> {
    validate_levels(&req.levels)?;
    let name = format!("{}-monthly", req.region.trim_end_matches("-monthly"));
    let full = builtin::series(&name)?.series;
    let monthly = match &req.as_of {
        Some(text) => full.truncate_to(builtin_as_of_month(text)?)?,
        None => full.clone(),
    };
    let last_year = monthly.end().div_euclid(12);
    let last_month = (monthly.end().rem_euclid(12) + 1) as u32;
    let year = req.year.unwrap_or(last_year);
    let first_year = monthly.start().div_euclid(12);
    let kind = monthly.kind();
    if !(first_year < year && year <= last_year + 1) {
        return Err(Error::invalid(format!(
            "--year {year} is outside the years a nowcast can be made for with this data ({} to {}); the monthly data run from {} to {}",
            first_year + 1,
            last_year + 1,
            kind.format(monthly.start()),
            kind.format(monthly.end())
        )));
    }
    if !(first_year <= req.from_year && req.from_year < year) {
        return Err(Error::invalid(format!(
            "--from-year {} must lie from the first year of data ({first_year}) to the year before the nowcast ({})",
            req.from_year,
            year - 1
        )));
    }
    // months of `year` known in the data used
    let known_now: u32 = if year < last_year {
        12
    } else if year == last_year {
        last_month
    } else {
        0
    };
    if known_now == 0 {
        return Err(Error::invalid(format!(
            "no month of {year} is in the data used (last month {}); choose --year {last_year} or earlier",
            kind.format(monthly.end())
        )));
    }
    let actual: Option<f64> = (0..12).map(|m| full.value_at(year * 12 + m)).sum();
    let nowcasts = (1..=known_now.min(11))
        .map(|k| {
            nowcast(
                &monthly,
                year,
                k,
                req.method,
                &req.levels,
                req.from_year..=year - 1,
            )
        })
        .collect::<Result<Vec<_>>>()?;
    // the market model on the same months: the figure every other command prints
    let market = if year == last_year || (year == last_year + 1 && last_month == 12) {
        let data = market::data(&req.region)?;
        let p = market::paths(&data, monthly.end(), req.simulation)?;
        Some(Headline::new(&p, req.target, req.by))
    } else {
        None
    };
    // the next two years, when the data run to the year being nowcast
    let next_years = if year == last_year {
        [year + 1, year + 2]
            .into_iter()
            .filter_map(|target| cycle::outlook(&monthly, monthly.end(), target, &req.levels).ok())
            .collect()
    } else {
        Vec::new()
    };
    let mut track = Vec::new();
    for k in 1..=11 {
        for m in METHODS {
            let r = track_record(&monthly, req.from_year..=year - 1, k, m);
            track.push(TrackRow {
                known_months: k,
                method: m.name(),
                mape_pct: r.mape(),
                bias: r.bias().exp_m1(),
                years: r.years.len(),
            });
        }
    }
    Ok(NowcastResult {
        provenance: Provenance::builtin(
            &["wsts_monthly_raw"],
            provenance::builtin_tag("wsts_monthly_raw"),
        ),
        series: name,
        unit: "USD bn",
        data_to: kind.format(monthly.end()),
        year,
        last_year,
        known_months: known_now,
        levels: req.levels.clone(),
        from_year: req.from_year,
        market,
        actual,
        nowcasts,
        next_years,
        track_record: track,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nowcast_after_each_known_month_lies_inside_its_own_intervals() {
        let r = run(&NowcastRequest {
            as_of: Some("2024-06".into()),
            simulation: Simulation {
                paths: 300,
                seed: 1,
            },
            ..NowcastRequest::default()
        })
        .unwrap();
        assert_eq!(r.nowcasts.len(), 6);
        for n in &r.nowcasts {
            for (_, lo, hi) in &n.intervals {
                assert!(*lo <= n.point && n.point <= *hi, "{n:?}");
            }
            assert!(n.known_sum < n.point);
        }
        assert_eq!(r.track_record.len(), 11 * METHODS.len());
    }

    #[test]
    fn a_year_without_known_months_is_refused() {
        let err = run(&NowcastRequest {
            year: Some(2040),
            ..NowcastRequest::default()
        })
        .unwrap_err();
        assert!(err.to_string().contains("--year 2040"), "{err}");
    }
}
