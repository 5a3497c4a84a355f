//! Time axes: every series is indexed by consecutive integer *ordinals* in one
//! [`TimeKind`]; the kind knows how to parse and print them.

use serde::Serialize;

/// How a time column is written and how its ordinals step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeKind {
    /// Integer periods (a year such as `2024`, or a 1-based index). Ordinal = the integer.
    Integer,
    /// `YYYY-MM`. Ordinal = year * 12 + month - 1.
    YearMonth,
    /// `YYYY-Qn` (`dash`) or `YYYYQn`. Ordinal = year * 4 + quarter - 1.
    YearQuarter {
        /// Whether the input wrote a dash before the `Q`.
        dash: bool,
    },
    /// ISO dates one year apart on the same month and day. Ordinal = year; the day is kept.
    AnnualDate {
        /// Month of every date.
        month: u32,
        /// Day of every date.
        day: u32,
    },
    /// ISO dates one month apart on the same day of month (31 = the last day of each month).
    /// Ordinal = year * 12 + month - 1.
    MonthlyDate {
        /// Day of month of every date.
        day: u32,
    },
    /// ISO dates three months apart on the same day (31 = month end), the pandas and
    /// statsforecast convention for quarterly data (`2016-01-01, 2016-04-01, …` or
    /// `2016-03-31, 2016-06-30, …`). Ordinal = year * 4 + quarter - 1.
    QuarterlyDate {
        /// Month within the quarter of every date (1–3).
        month: u32,
        /// Day of month of every date (31 = month end).
        day: u32,
    },
    /// ISO dates seven days apart (one weekday). Ordinal = whole weeks since the first
    /// such weekday on or after 1970-01-01 minus `offset` days.
    Weekly {
        /// Days since 1970-01-01 modulo 7 of every date.
        offset: u32,
    },
    /// ISO dates one day apart. Ordinal = days since 1970-01-01.
    Daily,
}

impl TimeKind {
    /// Periods per year, when the kind has a whole number of them.
    pub fn periods_per_year(self) -> Option<u32> {
        match self {
            TimeKind::Integer | TimeKind::Weekly { .. } | TimeKind::Daily => None,
            TimeKind::AnnualDate { .. } => Some(1),
            TimeKind::YearQuarter { .. } | TimeKind::QuarterlyDate { .. } => Some(4),
            TimeKind::YearMonth | TimeKind::MonthlyDate { .. } => Some(12),
        }
    }

    /// The season length a kind implies, as statsforecast's `season_length` or R's
    /// `frequency`: 12 for months, 4 for quarters, 52 for weeks, 7 for days (the weekly
    /// cycle), 1 for years and integer periods (unless the user says otherwise).
    pub fn season_length(self) -> usize {
        match self {
            TimeKind::Integer | TimeKind::AnnualDate { .. } => 1,
            TimeKind::YearQuarter { .. } | TimeKind::QuarterlyDate { .. } => 4,
            TimeKind::YearMonth | TimeKind::MonthlyDate { .. } => 12,
            TimeKind::Weekly { .. } => 52,
            TimeKind::Daily => 7,
        }
    }

    /// Print an ordinal the way the input wrote it.
    pub fn format(self, ordinal: i64) -> String {
        match self {
            TimeKind::Integer => ordinal.to_string(),
            TimeKind::YearMonth => {
                let (y, m) = split_month(ordinal);
                format!("{y:04}-{m:02}")
            }
            TimeKind::YearQuarter { dash } => {
                let (y, q) = split_quarter(ordinal);
                format!("{y:04}{}Q{q}", if dash { "-" } else { "" })
            }
            TimeKind::AnnualDate { month, day } => format!("{ordinal:04}-{month:02}-{day:02}"),
            TimeKind::MonthlyDate { .. }
            | TimeKind::QuarterlyDate { .. }
            | TimeKind::Weekly { .. }
            | TimeKind::Daily => {
                let days = self.epoch_days(ordinal).unwrap_or(ordinal);
                let (y, m, d) = civil_from_days(days);
                format!("{y:04}-{m:02}-{d:02}")
            }
        }
    }

    /// Days since 1970-01-01 of an ordinal, for kinds that are dates.
    pub fn epoch_days(self, ordinal: i64) -> Option<i64> {
        match self {
            TimeKind::Integer => None,
            TimeKind::YearMonth => {
                let (y, m) = split_month(ordinal);
                Some(days_from_civil(y, m, 1))
            }
            TimeKind::YearQuarter { .. } => {
                let (y, q) = split_quarter(ordinal);
                Some(days_from_civil(y, 3 * q - 2, 1))
            }
            TimeKind::AnnualDate { month, day } => Some(days_from_civil(ordinal, month, day)),
            TimeKind::MonthlyDate { day } => {
                let (y, m) = split_month(ordinal);
                Some(days_from_civil(y, m, day.min(days_in_month(y, m))))
            }
            TimeKind::QuarterlyDate { month, day } => {
                let (y, q) = split_quarter(ordinal);
                let m = 3 * (q - 1) + month;
                Some(days_from_civil(y, m, day.min(days_in_month(y, m))))
            }
            TimeKind::Weekly { offset } => Some(ordinal * 7 + i64::from(offset)),
            TimeKind::Daily => Some(ordinal),
        }
    }

    /// The calendar year an ordinal falls in, when the kind is calendar based.
    pub fn year_of(self, ordinal: i64) -> Option<i64> {
        match self {
            TimeKind::Integer | TimeKind::AnnualDate { .. } => Some(ordinal),
            TimeKind::YearMonth | TimeKind::MonthlyDate { .. } => Some(split_month(ordinal).0),
            TimeKind::YearQuarter { .. } | TimeKind::QuarterlyDate { .. } => {
                Some(split_quarter(ordinal).0)
            }
            TimeKind::Weekly { .. } | TimeKind::Daily => {
                Some(civil_from_days(self.epoch_days(ordinal)?).0)
            }
        }
    }

    /// Human name for messages.
    pub fn describe(self) -> &'static str {
        match self {
            TimeKind::Integer => "integer period",
            TimeKind::YearMonth => "month (YYYY-MM)",
            TimeKind::YearQuarter { .. } => "quarter (YYYY-Qn)",
            TimeKind::AnnualDate { .. } => "annual date",
            TimeKind::MonthlyDate { .. } => "monthly date",
            TimeKind::QuarterlyDate { .. } => "quarterly date",
            TimeKind::Weekly { .. } => "weekly date",
            TimeKind::Daily => "daily date",
        }
    }
}

/// A raw time cell after parsing, before the file-wide kind is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawTime {
    /// An integer.
    Int(i64),
    /// `YYYY-MM`.
    Month(i64, u32),
    /// `YYYY-Qn` (dash `true`) or `YYYYQn`.
    Quarter(i64, u32, bool),
    /// `YYYY-MM-DD`.
    Date(i64, u32, u32),
}

/// Parse one time cell: an integer, `YYYY-MM`, a quarter `YYYY-Qn` or `YYYYQn`, or an ISO
/// date `YYYY-MM-DD` (a trailing `T00:00:00` time part is accepted). Exponent notation
/// (`1e3`) is not a period.
pub fn parse_time(text: &str) -> Option<RawTime> {
    let t = text.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Some(RawTime::Int(i));
    }
    if let Some(q) = parse_quarter(t) {
        return Some(q);
    }
    // integral floats such as "3.0" from JSON/Parquet casts; never exponents or words
    // ("1e3", "inf") that f64 parsing would accept
    let plain_decimal = t
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+');
    if let Some(f) = t.parse::<f64>().ok().filter(|_| plain_decimal) {
        if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
            return Some(RawTime::Int(f as i64));
        }
        return None;
    }
    let date_part = t.split(['T', ' ']).next().unwrap_or(t);
    let parts: Vec<&str> = date_part.split('-').collect();
    let num = |s: &str, len: usize| -> Option<i64> {
        if s.len() == len && s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    match parts.as_slice() {
        [y, m] => {
            let (y, m) = (num(y, 4)?, num(m, 2)? as u32);
            (1..=12).contains(&m).then_some(RawTime::Month(y, m))
        }
        [y, m, d] => {
            let (y, m, d) = (num(y, 4)?, num(m, 2)? as u32, num(d, 2)? as u32);
            ((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m))
                .then_some(RawTime::Date(y, m, d))
        }
        _ => None,
    }
}

fn parse_quarter(t: &str) -> Option<RawTime> {
    let upper = t.to_ascii_uppercase();
    let (year, quarter) = upper.split_once('Q')?;
    let (year, dash) = match year.strip_suffix('-') {
        Some(y) => (y, true),
        None => (year, false),
    };
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let q: u32 = match quarter.as_bytes() {
        [d @ b'1'..=b'4'] => u32::from(d - b'0'),
        _ => return None,
    };
    Some(RawTime::Quarter(year.parse().ok()?, q, dash))
}

/// Decide one kind for a whole column of parsed cells. Mixed styles are an error that
/// returns the index of the first cell whose style differs from the first cell's.
pub fn decide_kind(cells: &[RawTime]) -> Result<TimeKind, usize> {
    let first = match cells.first() {
        Some(c) => *c,
        None => return Ok(TimeKind::Integer),
    };
    let same_style =
        |a: &RawTime, b: &RawTime| std::mem::discriminant(a) == std::mem::discriminant(b);
    if let Some(pos) = cells.iter().position(|c| !same_style(c, &first)) {
        return Err(pos);
    }
    Ok(match first {
        RawTime::Int(_) => TimeKind::Integer,
        RawTime::Month(..) => TimeKind::YearMonth,
        RawTime::Quarter(_, _, dash0) => {
            if let Some(pos) = cells
                .iter()
                .position(|c| !matches!(c, RawTime::Quarter(_, _, dash) if *dash == dash0))
            {
                return Err(pos);
            }
            TimeKind::YearQuarter { dash: dash0 }
        }
        RawTime::Date(y0, m0, d0) => {
            let dates = || {
                cells.iter().filter_map(|c| match c {
                    RawTime::Date(y, m, d) => Some((*y, *m, *d)),
                    _ => None,
                })
            };
            let all_md = dates().all(|(_, m, d)| m == m0 && d == d0);
            if all_md && distinct_years(cells) == cells_distinct(cells) {
                return Ok(TimeKind::AnnualDate { month: m0, day: d0 });
            }
            // one day of month for all, or the last day of every month (pandas' "M"/"Q")
            let day = if dates().all(|(_, _, d)| d == d0) {
                Some(d0)
            } else if dates().all(|(y, m, d)| d == days_in_month(y, m)) {
                Some(31)
            } else {
                None
            };
            let phase0 = (m0 - 1) % 3;
            match day {
                Some(day) if dates().all(|(_, m, _)| (m - 1) % 3 == phase0) => {
                    TimeKind::QuarterlyDate {
                        month: phase0 + 1,
                        day,
                    }
                }
                Some(day) => TimeKind::MonthlyDate { day },
                None => {
                    let weekday = |(y, m, d)| days_from_civil(y, m, d).rem_euclid(7);
                    let w0 = weekday((y0, m0, d0));
                    if dates().all(|c| weekday(c) == w0) {
                        TimeKind::Weekly { offset: w0 as u32 }
                    } else {
                        TimeKind::Daily
                    }
                }
            }
        }
    })
}

fn distinct_years(cells: &[RawTime]) -> usize {
    let mut ys: Vec<i64> = cells
        .iter()
        .filter_map(|c| match c {
            RawTime::Date(y, ..) => Some(*y),
            _ => None,
        })
        .collect();
    ys.sort_unstable();
    ys.dedup();
    ys.len()
}

fn cells_distinct(cells: &[RawTime]) -> usize {
    let mut v = cells.to_vec();
    v.sort_by_key(|c| match c {
        RawTime::Date(y, m, d) => (*y, *m, *d),
        RawTime::Month(y, m) => (*y, *m, 0),
        RawTime::Quarter(y, q, _) => (*y, *q, 1),
        RawTime::Int(i) => (*i, 0, 0),
    });
    v.dedup();
    v.len()
}

/// The last calendar year that is complete when `month` (a month ordinal, `year * 12 +
/// month - 1`) is the last month of data: its own year when it is a December, else the
/// year before. Every "complete years as of a month" rule reads this.
pub fn last_complete_year(month: i64) -> i64 {
    (month + 1).div_euclid(12) - 1
}

/// The ordinal of a parsed cell under a kind.
pub fn ordinal(kind: TimeKind, cell: RawTime) -> i64 {
    match (kind, cell) {
        (_, RawTime::Int(i)) => i,
        (_, RawTime::Month(y, m)) => y * 12 + i64::from(m) - 1,
        (_, RawTime::Quarter(y, q, _)) => y * 4 + i64::from(q) - 1,
        (TimeKind::AnnualDate { .. }, RawTime::Date(y, _, _)) => y,
        (TimeKind::MonthlyDate { .. }, RawTime::Date(y, m, _)) => y * 12 + i64::from(m) - 1,
        (TimeKind::QuarterlyDate { .. }, RawTime::Date(y, m, _)) => y * 4 + i64::from(m - 1) / 3,
        (TimeKind::Weekly { offset }, RawTime::Date(y, m, d)) => {
            (days_from_civil(y, m, d) - i64::from(offset)).div_euclid(7)
        }
        (_, RawTime::Date(y, m, d)) => days_from_civil(y, m, d),
    }
}

fn split_month(ordinal: i64) -> (i64, u32) {
    (ordinal.div_euclid(12), (ordinal.rem_euclid(12) + 1) as u32)
}

fn split_quarter(ordinal: i64) -> (i64, u32) {
    (ordinal.div_euclid(4), (ordinal.rem_euclid(4) + 1) as u32)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Days in month `m` (1–12) of year `y`.
pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 (H. Hinnant's `days_from_civil`).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip_through_epoch_days() {
        for z in [-800_000, -1, 0, 1, 59, 365, 11_016, 20_000, 2_000_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn month_strings_parse_and_print_back_identically() {
        let cell = parse_time("2026-03").unwrap();
        let kind = decide_kind(&[cell]).unwrap();
        assert_eq!(kind, TimeKind::YearMonth);
        assert_eq!(kind.format(ordinal(kind, cell)), "2026-03");
        assert_eq!(kind.format(ordinal(kind, cell) + 10), "2027-01");
    }

    #[test]
    fn first_of_month_dates_are_monthly_and_same_day_each_year_is_annual() {
        let m: Vec<_> = ["2020-01-01", "2020-02-01"]
            .iter()
            .map(|s| parse_time(s).unwrap())
            .collect();
        assert_eq!(decide_kind(&m).unwrap(), TimeKind::MonthlyDate { day: 1 });
        let a: Vec<_> = ["2020-12-31", "2021-12-31"]
            .iter()
            .map(|s| parse_time(s).unwrap())
            .collect();
        let k = decide_kind(&a).unwrap();
        assert_eq!(k, TimeKind::AnnualDate { month: 12, day: 31 });
        assert_eq!(k.format(2022), "2022-12-31");
    }

    #[test]
    fn impossible_dates_and_words_are_rejected() {
        assert!(parse_time("2023-02-29").is_none());
        assert!(parse_time("2023-13").is_none());
        assert!(parse_time("last year").is_none());
        assert!(parse_time("3.5").is_none());
        assert_eq!(parse_time("7.0"), Some(RawTime::Int(7)));
    }

    fn kind_of(cells: &[&str]) -> TimeKind {
        let raw: Vec<_> = cells.iter().map(|s| parse_time(s).unwrap()).collect();
        decide_kind(&raw).unwrap()
    }

    fn ordinals(cells: &[&str]) -> Vec<i64> {
        let kind = kind_of(cells);
        cells
            .iter()
            .map(|s| ordinal(kind, parse_time(s).unwrap()))
            .collect()
    }

    #[test]
    fn quarter_strings_with_and_without_a_dash_are_consecutive_and_print_back() {
        for (cells, next) in [
            (["2016-Q3", "2016-Q4", "2017-Q1"], "2017-Q2"),
            (["2016Q3", "2016Q4", "2017Q1"], "2017Q2"),
        ] {
            let kind = kind_of(&cells);
            assert_eq!(kind.season_length(), 4);
            let o = ordinals(&cells);
            assert_eq!(o, vec![o[0], o[0] + 1, o[0] + 2]);
            assert_eq!(kind.format(o[0]), cells[0]);
            assert_eq!(kind.format(o[2] + 1), next);
        }
        assert!(parse_time("2016-Q5").is_none());
        assert!(parse_time("16Q1").is_none());
    }

    #[test]
    fn iso_dates_at_quarterly_spacing_are_quarters_not_gapped_months() {
        let starts = [
            "2016-01-01",
            "2016-04-01",
            "2016-07-01",
            "2016-10-01",
            "2017-01-01",
        ];
        let kind = kind_of(&starts);
        assert_eq!(kind, TimeKind::QuarterlyDate { month: 1, day: 1 });
        let o = ordinals(&starts);
        assert!(o.windows(2).all(|w| w[1] == w[0] + 1));
        assert_eq!(kind.format(o[4] + 1), "2017-04-01");
        // quarter ends (pandas' "Q" frequency): the last day of March, June, …
        let ends = ["2016-03-31", "2016-06-30", "2016-09-30", "2016-12-31"];
        let kind = kind_of(&ends);
        assert_eq!(kind, TimeKind::QuarterlyDate { month: 3, day: 31 });
        let o = ordinals(&ends);
        assert!(o.windows(2).all(|w| w[1] == w[0] + 1));
        assert_eq!(kind.format(o[3] + 1), "2017-03-31");
        assert_eq!(kind.format(o[3] + 2), "2017-06-30");
    }

    #[test]
    fn month_end_dates_are_monthly() {
        let cells = ["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"];
        let kind = kind_of(&cells);
        assert_eq!(kind, TimeKind::MonthlyDate { day: 31 });
        let o = ordinals(&cells);
        assert!(o.windows(2).all(|w| w[1] == w[0] + 1));
        assert_eq!(kind.format(o[3] + 10), "2025-02-28");
        assert_eq!(kind.season_length(), 12);
    }

    #[test]
    fn dates_seven_days_apart_are_weekly_and_round_trip() {
        let cells = ["2023-12-25", "2024-01-01", "2024-01-08", "2024-01-15"];
        let kind = kind_of(&cells);
        assert!(matches!(kind, TimeKind::Weekly { .. }));
        assert_eq!(kind.season_length(), 52);
        let o = ordinals(&cells);
        assert!(o.windows(2).all(|w| w[1] == w[0] + 1));
        for (c, o) in cells.iter().zip(&o) {
            assert_eq!(&kind.format(*o), c);
        }
        assert_eq!(kind.format(o[3] + 1), "2024-01-22");
        assert_eq!(kind.year_of(o[0]), Some(2023));
    }

    #[test]
    fn consecutive_days_are_daily_with_a_weekly_season() {
        let kind = kind_of(&["2024-01-01", "2024-01-02", "2024-01-03"]);
        assert_eq!(kind, TimeKind::Daily);
        assert_eq!(kind.season_length(), 7);
    }

    #[test]
    fn exponent_notation_is_not_a_period() {
        assert!(parse_time("1e3").is_none());
        assert!(parse_time("inf").is_none());
        assert!(parse_time("NaN").is_none());
        assert_eq!(parse_time("-3"), Some(RawTime::Int(-3)));
    }

    #[test]
    fn mixed_time_styles_are_an_error() {
        let cells = [
            RawTime::Int(2020),
            RawTime::Int(2021),
            RawTime::Month(2022, 1),
        ];
        assert_eq!(decide_kind(&cells), Err(2));
    }
}
