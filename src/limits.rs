//! Documented maxima, checked at the boundary so that no input can make a run hang, abort on
//! an allocation, overflow a period or recurse without bound. Every error names its limit.
//!
//! | what | limit |
//! |---|---|
//! | forecast horizon (`--horizon`, `--until`, `--by`, `gap --to`, `milestone --until`) | [`MAX_HORIZON`] steps |
//! | years after the last data year | [`MAX_YEARS_AHEAD`] |
//! | sample paths (`--paths`) | [`MAX_PATHS`] |
//! | integer periods in an input file | ±[`MAX_INTEGER_PERIOD`] |
//! | calendar years of dates and forecast periods | [`MIN_YEAR`] to [`MAX_YEAR`] |
//! | JSON/NDJSON/TOML nesting | [`MAX_NESTING`] levels |
//! | scenario `[[demand]]` entries, sensitivity values per share | [`MAX_DEMAND_ENTRIES`], [`MAX_SENSITIVITY_VALUES`] |
//! | scenario file size | [`MAX_SCENARIO_BYTES`] |

use crate::error::{Error, Result};
use crate::series::TimeKind;

/// Rows an input Parquet file may declare (checked from its footer and page headers before
/// it is decoded).
pub const MAX_PARQUET_ROWS: usize = 1_000_000_000;

/// Most steps any forecast may run ahead (1,000 years of annual data, 83 years monthly).
pub const MAX_HORIZON: usize = 1_000;
/// Most years a year argument may lie after the last data year.
pub const MAX_YEARS_AHEAD: i64 = 100;
/// Most simulated sample paths (`--paths`).
pub const MAX_PATHS: usize = 100_000;
/// Largest magnitude of an integer period in an input file.
pub const MAX_INTEGER_PERIOD: i64 = 1_000_000_000_000;
/// First calendar year of a date period (dates are written with four-digit years).
pub const MIN_YEAR: i64 = 1;
/// Last calendar year of a date period, including forecast periods.
pub const MAX_YEAR: i64 = 9999;
/// Deepest nesting of arrays/objects accepted in JSON, NDJSON or TOML text.
pub const MAX_NESTING: usize = 32;
/// Most `[[demand]]` entries in a scenario.
pub const MAX_DEMAND_ENTRIES: usize = 100;
/// Most values per share in a scenario's `[sensitivity]` grid.
pub const MAX_SENSITIVITY_VALUES: usize = 25;
/// Largest scenario file.
pub const MAX_SCENARIO_BYTES: u64 = 1 << 20;

/// A horizon given by `flag` (steps ahead), at least 1 and at most [`MAX_HORIZON`].
pub fn check_horizon(flag: &str, h: u128) -> Result<usize> {
    if h == 0 {
        return Err(Error::invalid(format!(
            "{flag} gives 0 steps ahead; it must give at least 1"
        )));
    }
    if h > MAX_HORIZON as u128 {
        return Err(Error::invalid(format!(
            "{flag} gives {h} steps ahead, more than the limit of {MAX_HORIZON} steps (MAX_HORIZON); forecast fewer steps"
        )));
    }
    Ok(h as usize)
}

/// `--paths`: 1 to [`MAX_PATHS`].
pub fn check_paths(paths: u128) -> Result<usize> {
    if paths == 0 || paths > MAX_PATHS as u128 {
        return Err(Error::invalid(format!(
            "--paths {paths} is outside 1 to {MAX_PATHS} (MAX_PATHS); the default is 10000"
        )));
    }
    Ok(paths as usize)
}

/// A year argument (`flag`) that must come after the last data year `last`, and at most
/// [`MAX_YEARS_AHEAD`] years after it. Returns the steps from `last` to `year`.
pub fn check_year_ahead(flag: &str, year: i64, last: i64) -> Result<usize> {
    if year <= last {
        return Err(Error::invalid(format!(
            "{flag} {year} is not after the last data year {last}; give a later year"
        )));
    }
    let ahead = i128::from(year) - i128::from(last);
    if ahead > i128::from(MAX_YEARS_AHEAD) {
        return Err(Error::invalid(format!(
            "{flag} {year} is {ahead} years after the last data year {last}, more than the limit of {MAX_YEARS_AHEAD} years (MAX_YEARS_AHEAD); give a year up to {}",
            last + MAX_YEARS_AHEAD
        )));
    }
    Ok(ahead as usize)
}

/// The last period of a forecast `h` steps after `end`, with checked arithmetic: an error
/// (not a wrapped or five-digit year) when it would pass i64 or year [`MAX_YEAR`].
pub fn last_forecast_period(kind: TimeKind, end: i64, h: usize) -> Result<i64> {
    let last = i64::try_from(h)
        .ok()
        .and_then(|h| end.checked_add(h))
        .ok_or_else(|| {
            Error::invalid(format!(
                "{h} steps after {} overflows the period counter; forecast fewer steps",
                kind.format(end)
            ))
        })?;
    if !matches!(kind, TimeKind::Integer) {
        match kind.year_of(last) {
            Some(y) if y <= MAX_YEAR => {}
            _ => {
                return Err(Error::invalid(format!(
                    "{h} steps after {} passes the year {MAX_YEAR} (MAX_YEAR: dates have four-digit years); forecast fewer steps",
                    kind.format(end)
                )));
            }
        }
    } else if last.abs() > MAX_INTEGER_PERIOD {
        return Err(Error::invalid(format!(
            "{h} steps after {end} passes the integer period limit of ±{MAX_INTEGER_PERIOD} (MAX_INTEGER_PERIOD)"
        )));
    }
    Ok(last)
}

/// Where text nests deeper than [`MAX_NESTING`] (or, with `max`, deeper than `max`), as
/// `(line, column, depth)`, scanning once without recursion. Brackets inside strings are
/// ignored; `toml` also skips `#` comments and single-quoted strings.
pub fn nesting_violation(text: &[u8], max: usize, toml: bool) -> Option<(usize, usize, usize)> {
    let (mut depth, mut line, mut col) = (0usize, 1usize, 0usize);
    let mut quote: Option<u8> = None;
    let mut escaped = false;
    let mut comment = false;
    for &b in text {
        if b == b'\n' {
            line += 1;
            col = 0;
            comment = false;
            if quote == Some(b'\'') {
                quote = None;
            }
            continue;
        }
        col += 1;
        if comment {
            continue;
        }
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if b == b'\\' && q == b'"' {
                escaped = true;
            } else if b == q {
                quote = None;
            }
            continue;
        }
        match b {
            b'"' => quote = Some(b'"'),
            b'\'' if toml => quote = Some(b'\''),
            b'#' if toml => comment = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return Some((line, col, depth));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_monthly_forecast_may_not_pass_the_year_9999() {
        let end = 9999 * 12 + 11; // 9999-12
        let e = last_forecast_period(TimeKind::YearMonth, end, 1).unwrap_err();
        assert!(e.to_string().contains("MAX_YEAR"), "{e}");
        assert_eq!(
            last_forecast_period(TimeKind::YearMonth, end - 1, 1).unwrap(),
            end
        );
        assert!(last_forecast_period(TimeKind::Integer, i64::MAX, 1).is_err());
    }

    #[test]
    fn limits_name_themselves() {
        assert!(
            check_horizon("--horizon", u128::from(u64::MAX))
                .unwrap_err()
                .to_string()
                .contains("MAX_HORIZON")
        );
        assert!(
            check_paths(1_000_000)
                .unwrap_err()
                .to_string()
                .contains("MAX_PATHS")
        );
        assert!(
            check_year_ahead("--by", i64::MAX, 2025)
                .unwrap_err()
                .to_string()
                .contains("MAX_YEARS_AHEAD")
        );
        assert!(check_year_ahead("--until", 1990, 2025).is_err());
    }

    #[test]
    fn nesting_is_measured_without_recursion_and_ignores_strings() {
        let deep = "[".repeat(5000);
        assert_eq!(
            nesting_violation(deep.as_bytes(), 32, false),
            Some((1, 33, 33))
        );
        assert_eq!(
            nesting_violation(br#"[{"a": "[[[[[[[[[["}]"#, 2, false),
            None
        );
        assert_eq!(nesting_violation(b"a = 1 # [[[[\n", 1, true), None);
    }
}
