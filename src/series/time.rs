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
    /// ISO dates one year apart on the same month and day. Ordinal = year; the day is kept.
    AnnualDate {
        /// Month of every date.
        month: u32,
        /// Day of every date.
        day: u32,
    },
    /// ISO dates one month apart on the same day of month. Ordinal = year * 12 + month - 1.
    MonthlyDate {
        /// Day of month of every date.
        day: u32,
    },
    /// ISO dates one day apart. Ordinal = days since 1970-01-01.
    Daily,
}

impl TimeKind {
    /// Periods per year, when the kind has one (used for seasonal naive scaling and labels).
    pub fn periods_per_year(self) -> Option<u32> {
        match self {
            TimeKind::Integer => None,
            TimeKind::AnnualDate { .. } => Some(1),
            TimeKind::YearMonth | TimeKind::MonthlyDate { .. } => Some(12),
            TimeKind::Daily => None,
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
            TimeKind::AnnualDate { month, day } => format!("{ordinal:04}-{month:02}-{day:02}"),
            TimeKind::MonthlyDate { day } => {
                let (y, m) = split_month(ordinal);
                format!("{y:04}-{m:02}-{:02}", day.min(days_in_month(y, m)))
            }
            TimeKind::Daily => {
                let (y, m, d) = civil_from_days(ordinal);
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
            TimeKind::AnnualDate { month, day } => Some(days_from_civil(ordinal, month, day)),
            TimeKind::MonthlyDate { day } => {
                let (y, m) = split_month(ordinal);
                Some(days_from_civil(y, m, day.min(days_in_month(y, m))))
            }
            TimeKind::Daily => Some(ordinal),
        }
    }

    /// The calendar year an ordinal falls in, when the kind is calendar based.
    pub fn year_of(self, ordinal: i64) -> Option<i64> {
        match self {
            TimeKind::Integer | TimeKind::AnnualDate { .. } => Some(ordinal),
            TimeKind::YearMonth | TimeKind::MonthlyDate { .. } => Some(split_month(ordinal).0),
            TimeKind::Daily => Some(civil_from_days(ordinal).0),
        }
    }

    /// Human name for messages.
    pub fn describe(self) -> &'static str {
        match self {
            TimeKind::Integer => "integer period",
            TimeKind::YearMonth => "month (YYYY-MM)",
            TimeKind::AnnualDate { .. } => "annual date",
            TimeKind::MonthlyDate { .. } => "monthly date",
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
    /// `YYYY-MM-DD`.
    Date(i64, u32, u32),
}

/// Parse one time cell: an integer, `YYYY-MM`, or an ISO date `YYYY-MM-DD`
/// (a trailing `T00:00:00` time part is accepted).
pub fn parse_time(text: &str) -> Option<RawTime> {
    let t = text.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Some(RawTime::Int(i));
    }
    // integral floats such as "3.0" from JSON/Parquet casts
    if let Ok(f) = t.parse::<f64>() {
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
        RawTime::Date(_, m0, d0) => {
            let all_md = cells
                .iter()
                .all(|c| matches!(c, RawTime::Date(_, m, d) if *m == m0 && *d == d0));
            let all_d = cells
                .iter()
                .all(|c| matches!(c, RawTime::Date(_, _, d) if *d == d0));
            if all_md && distinct_years(cells) == cells_distinct(cells) {
                TimeKind::AnnualDate { month: m0, day: d0 }
            } else if all_d {
                TimeKind::MonthlyDate { day: d0 }
            } else {
                TimeKind::Daily
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
        RawTime::Int(i) => (*i, 0, 0),
    });
    v.dedup();
    v.len()
}

/// The ordinal of a parsed cell under a kind.
pub fn ordinal(kind: TimeKind, cell: RawTime) -> i64 {
    match (kind, cell) {
        (_, RawTime::Int(i)) => i,
        (_, RawTime::Month(y, m)) => y * 12 + i64::from(m) - 1,
        (TimeKind::AnnualDate { .. }, RawTime::Date(y, _, _)) => y,
        (TimeKind::MonthlyDate { .. }, RawTime::Date(y, m, _)) => y * 12 + i64::from(m) - 1,
        (_, RawTime::Date(y, m, d)) => days_from_civil(y, m, d),
    }
}

fn split_month(ordinal: i64) -> (i64, u32) {
    (ordinal.div_euclid(12), (ordinal.rem_euclid(12) + 1) as u32)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
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
