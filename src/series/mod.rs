//! The domain model: validated series. Nothing here knows about files or the CLI.
//!
//! A [`MarketSeries`] that exists is sorted, evenly spaced (consecutive ordinals), finite
//! and has a unit, so no model checks these again.

pub mod time;

use crate::error::{Error, Result};
use serde::Serialize;
pub use time::TimeKind;

/// The unit a series is measured in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Unit {
    /// Nominal US dollars, billions.
    UsdBillions,
    /// Whatever the user's file measured (unit unknown to chipcast).
    Unspecified,
}

impl Unit {
    /// Short label for tables and metadata.
    pub fn label(&self) -> &'static str {
        match self {
            Unit::UsdBillions => "USD bn (nominal)",
            Unit::Unspecified => "input units",
        }
    }
}

/// One validated series.
#[derive(Debug, Clone, Serialize)]
pub struct MarketSeries {
    id: String,
    kind: TimeKind,
    start: i64,
    values: Vec<f64>,
    unit: Unit,
    season_length: usize,
}

impl MarketSeries {
    /// Build a series from consecutive values starting at ordinal `start`.
    /// Rejects empty and non-finite input.
    pub fn new(
        id: impl Into<String>,
        kind: TimeKind,
        start: i64,
        values: Vec<f64>,
        unit: Unit,
    ) -> Result<Self> {
        let id = id.into();
        if values.is_empty() {
            return Err(Error::BadSeries {
                context: "series".into(),
                id,
                problem: "no observations".into(),
            });
        }
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(Error::BadSeries {
                context: "series".into(),
                id,
                problem: format!(
                    "value at {} is {} (expected a finite number)",
                    kind.format(start + i as i64),
                    values[i]
                ),
            });
        }
        Ok(Self {
            id,
            kind,
            start,
            values,
            unit,
            season_length: kind.season_length(),
        })
    }

    /// Build from (ordinal, value) pairs in any order, rejecting duplicates and gaps.
    /// `context` names the file or dataset for messages.
    pub fn from_points(
        context: &str,
        id: impl Into<String>,
        kind: TimeKind,
        mut points: Vec<(i64, f64)>,
        unit: Unit,
    ) -> Result<Self> {
        let id = id.into();
        points.sort_by_key(|p| p.0);
        for w in points.windows(2) {
            if w[0].0 == w[1].0 {
                return Err(Error::BadSeries {
                    context: context.into(),
                    id,
                    problem: format!(
                        "period {} appears twice; each period must appear once per series",
                        kind.format(w[0].0)
                    ),
                });
            }
            if w[1].0 != w[0].0 + 1 {
                return Err(Error::BadSeries {
                    context: context.into(),
                    id,
                    problem: format!(
                        "gap between {} and {} ({} missing {}); series must be evenly spaced without gaps (fill or interpolate the missing periods)",
                        kind.format(w[0].0),
                        kind.format(w[1].0),
                        w[1].0 - w[0].0 - 1,
                        if w[1].0 - w[0].0 - 1 == 1 {
                            "period"
                        } else {
                            "periods"
                        },
                    ),
                });
            }
        }
        let start = points.first().map(|p| p.0).unwrap_or(0);
        let values = points.into_iter().map(|p| p.1).collect();
        Self::new(id, kind, start, values, unit).map_err(|e| match e {
            Error::BadSeries { id, problem, .. } => Error::BadSeries {
                context: context.into(),
                id,
                problem,
            },
            other => other,
        })
    }

    /// Series id.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Time kind.
    pub fn kind(&self) -> TimeKind {
        self.kind
    }
    /// Ordinal of the first observation.
    pub fn start(&self) -> i64 {
        self.start
    }
    /// Ordinal of the last observation.
    pub fn end(&self) -> i64 {
        self.start + self.values.len() as i64 - 1
    }
    /// Observations.
    pub fn values(&self) -> &[f64] {
        &self.values
    }
    /// Unit.
    pub fn unit(&self) -> &Unit {
        &self.unit
    }
    /// Season length: the time kind's ([`TimeKind::season_length`]) unless set with
    /// [`MarketSeries::set_season_length`].
    pub fn season_length(&self) -> usize {
        self.season_length
    }
    /// Set the season length (at least 1).
    pub fn set_season_length(&mut self, m: usize) {
        self.season_length = m.max(1);
    }
    /// Number of observations.
    pub fn len(&self) -> usize {
        self.values.len()
    }
    /// Always false: a series has at least one observation.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
    /// Ordinals of every observation.
    pub fn ordinals(&self) -> impl Iterator<Item = i64> + '_ {
        (0..self.values.len() as i64).map(move |i| self.start + i)
    }
    /// Value at an ordinal, if observed.
    pub fn value_at(&self, ordinal: i64) -> Option<f64> {
        let i = ordinal - self.start;
        (i >= 0)
            .then(|| self.values.get(i as usize).copied())
            .flatten()
    }

    /// The series truncated to observations with ordinal ≤ `last`.
    pub fn truncate_to(&self, last: i64) -> Result<Self> {
        if last < self.start {
            return Err(Error::invalid(format!(
                "series {:?} starts at {}; nothing is known as of {}",
                self.id,
                self.kind.format(self.start),
                self.kind.format(last)
            )));
        }
        let n = ((last - self.start + 1) as usize).min(self.values.len());
        Ok(Self {
            values: self.values[..n].to_vec(),
            ..self.clone()
        })
    }

    /// The series starting at ordinal ≥ `first`.
    pub fn since(&self, first: i64) -> Result<Self> {
        if first > self.end() {
            return Err(Error::invalid(format!(
                "series {:?} ends at {}; --since {} leaves nothing",
                self.id,
                self.kind.format(self.end()),
                self.kind.format(first)
            )));
        }
        let skip = (first - self.start).max(0) as usize;
        Ok(Self {
            start: self.start + skip as i64,
            values: self.values[skip..].to_vec(),
            ..self.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_in_any_order_are_sorted() {
        let s = MarketSeries::from_points(
            "t",
            "a",
            TimeKind::Integer,
            vec![(3, 3.0), (1, 1.0), (2, 2.0)],
            Unit::Unspecified,
        )
        .unwrap();
        assert_eq!(s.values(), &[1.0, 2.0, 3.0]);
        assert_eq!(s.start(), 1);
        assert_eq!(s.end(), 3);
    }

    #[test]
    fn a_gap_is_reported_with_both_periods() {
        let e = MarketSeries::from_points(
            "f.csv",
            "a",
            TimeKind::Integer,
            vec![(2001, 1.0), (2003, 2.0)],
            Unit::Unspecified,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("gap between 2001 and 2003"), "{e}");
    }

    #[test]
    fn a_duplicate_period_is_reported() {
        let e = MarketSeries::from_points(
            "f.csv",
            "a",
            TimeKind::YearMonth,
            vec![(24_000, 1.0), (24_000, 2.0)],
            Unit::Unspecified,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("2000-01 appears twice"), "{e}");
    }

    #[test]
    fn truncation_keeps_only_the_known_past() {
        let s = MarketSeries::new(
            "a",
            TimeKind::Integer,
            2000,
            vec![1.0, 2.0, 3.0],
            Unit::UsdBillions,
        )
        .unwrap();
        assert_eq!(s.truncate_to(2001).unwrap().values(), &[1.0, 2.0]);
        assert!(s.truncate_to(1999).is_err());
        assert_eq!(s.since(2002).unwrap().values(), &[3.0]);
    }
}
