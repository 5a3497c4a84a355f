//! Seasonality: the test that decides whether a series is treated as seasonal, classical
//! decomposition, seasonal naive, and the wrapper that gives every non-seasonal model a
//! seasonal version (fit on the seasonally adjusted series, re-seasonalise the forecasts).
//!
//! * **Test.** The M4 competition's 90% autocorrelation test (as in the shared scorer's
//!   Naive2 and statsforecast's Theta models): with r_k the sample autocorrelations, the
//!   series is seasonal at period m when n ≥ 3m and |r_m| > 1.645·√((1 + 2Σ_{k<m} r_k²)/n).
//! * **Decomposition.** Classical decomposition with a centred moving average of order m
//!   (2×m for even m), seasonal indices the mean detrended ratio (multiplicative) or
//!   difference (additive) per season, normalised to mean 1 (or 0). Multiplicative for
//!   strictly positive series, additive otherwise. This is M4's Theta benchmark and
//!   statsforecast's `decompose`.
//! * **Re-seasonalising** multiplies (adds) each forecast step, each interval bound and
//!   each simulated path by the index of its season, so intervals stay ordered.

use super::forecast::{Forecast, Param, gaussian_intervals};
use super::{FittedModel, too_short};
use crate::error::{Error, Result};
use rand::rngs::StdRng;
use serde::Serialize;
use std::borrow::Cow;

/// The critical value of the M4 seasonality test (one-sided 90%... as M4: 1.645).
pub const ACF_Z: f64 = 1.645;

/// The outcome of the seasonality test for one series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SeasonTest {
    /// Season length tested.
    pub m: usize,
    /// Autocorrelation at lag m (`None` when the series is too short or constant).
    pub acf_m: Option<f64>,
    /// The limit |acf_m| must exceed.
    pub limit: Option<f64>,
    /// Whether seasonal models are used.
    pub seasonal: bool,
}

impl SeasonTest {
    /// One line for `--explain`.
    pub fn describe(&self) -> String {
        match (self.m, self.acf_m, self.limit) {
            (m, _, _) if m <= 1 => "season length 1: non-seasonal models".to_string(),
            (m, Some(a), Some(l)) => format!(
                "season length {m}: |ACF({m})| = {:.3} {} the 90% limit {:.3}, so {}",
                a.abs(),
                if self.seasonal { ">" } else { "<=" },
                l,
                if self.seasonal {
                    "seasonal models are used"
                } else {
                    "non-seasonal models are used"
                }
            ),
            (m, _, _) => format!(
                "season length {m}: the series is too short (needs {} points) or constant for the seasonality test, so non-seasonal models are used",
                3 * m
            ),
        }
    }
}

/// Sample autocorrelations r_0..=r_max of `y` (r_0 = 1). `None` for a constant series.
pub fn acf(y: &[f64], max_lag: usize) -> Option<Vec<f64>> {
    let n = y.len();
    let mean = y.iter().sum::<f64>() / n as f64;
    let denom: f64 = y.iter().map(|v| (v - mean) * (v - mean)).sum();
    if !denom.is_finite() || denom <= 0.0 {
        return None;
    }
    Some(
        (0..=max_lag.min(n.saturating_sub(1)))
            .map(|k| {
                (k..n)
                    .map(|t| (y[t] - mean) * (y[t - k] - mean))
                    .sum::<f64>()
                    / denom
            })
            .collect(),
    )
}

/// The M4 90% autocorrelation test at period `m`.
pub fn seasonality_test(y: &[f64], m: usize) -> SeasonTest {
    let none = SeasonTest {
        m,
        acf_m: None,
        limit: None,
        seasonal: false,
    };
    if m <= 1 || y.len() < 3 * m {
        return none;
    }
    let Some(r) = acf(y, m) else {
        return none;
    };
    let limit =
        ACF_Z * ((1.0 + 2.0 * r[1..m].iter().map(|v| v * v).sum::<f64>()) / y.len() as f64).sqrt();
    SeasonTest {
        m,
        acf_m: Some(r[m]),
        limit: Some(limit),
        seasonal: r[m].abs() > limit,
    }
}

/// Seasonal indices of a classical decomposition, indexed by `t % m` (t = 0 for the first
/// observation). Multiplicative indices average 1, additive ones 0. Needs n ≥ 2m.
pub fn classical_indices(y: &[f64], m: usize, multiplicative: bool) -> Option<Vec<f64>> {
    let n = y.len();
    if m < 2 || n < 2 * m {
        return None;
    }
    // centred moving average: weights 1/m, or ½/m at both ends for even m
    let (width, half) = if m.is_multiple_of(2) {
        (m + 1, true)
    } else {
        (m, false)
    };
    let off = (width - 1) / 2;
    let mut sums = vec![0.0; m];
    let mut counts = vec![0usize; m];
    for c in off..n - (width - 1 - off) {
        let lo = c - off;
        let mut trend: f64 = y[lo..lo + width].iter().sum();
        if half {
            trend -= 0.5 * (y[lo] + y[lo + width - 1]);
        }
        trend /= m as f64;
        let detrended = if multiplicative {
            if trend.is_nan() || trend <= 0.0 {
                return None;
            }
            y[c] / trend
        } else {
            y[c] - trend
        };
        sums[c % m] += detrended;
        counts[c % m] += 1;
    }
    if counts.contains(&0) {
        return None;
    }
    let mut idx: Vec<f64> = sums
        .iter()
        .zip(&counts)
        .map(|(s, c)| s / *c as f64)
        .collect();
    let mean = idx.iter().sum::<f64>() / m as f64;
    for v in idx.iter_mut() {
        if multiplicative {
            *v /= mean;
        } else {
            *v -= mean;
        }
    }
    (idx.iter().all(|v| v.is_finite()) && (!multiplicative || idx.iter().all(|v| *v > 0.0)))
        .then_some(idx)
}

/// A classical decomposition of one series: how to adjust it and re-seasonalise forecasts.
#[derive(Debug, Clone, PartialEq)]
pub struct Decomposition {
    /// Season length.
    pub m: usize,
    /// Indices by `t % m`.
    pub indices: Vec<f64>,
    /// Multiplicative (ratio) or additive (difference) indices.
    pub multiplicative: bool,
    /// Number of observations decomposed (the forecast origin's position).
    pub n: usize,
}

impl Decomposition {
    /// Decompose `y` (multiplicative when every value is positive).
    pub fn of(y: &[f64], m: usize) -> Option<Self> {
        let multiplicative = y.iter().all(|v| *v > 0.0);
        let indices = classical_indices(y, m, multiplicative)?;
        Some(Self {
            m,
            indices,
            multiplicative,
            n: y.len(),
        })
    }

    /// Index of observation or forecast position `t` (0-based from the first observation).
    pub fn index(&self, t: usize) -> f64 {
        self.indices[t % self.m]
    }

    /// The seasonally adjusted series.
    pub fn adjust(&self, y: &[f64]) -> Vec<f64> {
        y.iter()
            .enumerate()
            .map(|(t, v)| {
                if self.multiplicative {
                    v / self.index(t)
                } else {
                    v - self.index(t)
                }
            })
            .collect()
    }

    /// Put the season back on the value of forecast step `k` (1-based).
    pub fn restore(&self, k: usize, v: f64) -> f64 {
        let s = self.index(self.n + k - 1);
        if self.multiplicative { v * s } else { v + s }
    }
}

/// A non-seasonal model fitted to the seasonally adjusted series.
#[derive(Debug)]
pub struct Deseasonalized {
    inner: Box<dyn FittedModel>,
    decomposition: Decomposition,
}

impl Deseasonalized {
    /// Adjust `y` by a classical decomposition at period `m` and fit `fit` to the result.
    pub fn fit(
        y: &[f64],
        m: usize,
        fit: impl FnOnce(&[f64]) -> Result<Box<dyn FittedModel>>,
    ) -> Result<Self> {
        let decomposition = Decomposition::of(y, m).ok_or_else(|| Error::Fit {
            model: "seasonal decomposition".into(),
            reason: format!(
                "a classical decomposition at season length {m} needs at least {} observations with a positive moving average (the series has {})",
                2 * m,
                y.len()
            ),
        })?;
        let inner = fit(&decomposition.adjust(y))?;
        Ok(Self {
            inner,
            decomposition,
        })
    }
}

impl FittedModel for Deseasonalized {
    fn name(&self) -> &'static str {
        self.inner.name()
    }
    fn description(&self) -> Cow<'static, str> {
        format!(
            "{} on the seasonally adjusted series (classical {} decomposition, season length {})",
            self.inner.description(),
            if self.decomposition.multiplicative {
                "multiplicative"
            } else {
                "additive"
            },
            self.decomposition.m
        )
        .into()
    }
    fn params(&self) -> Vec<Param> {
        let mut p = self.inner.params();
        p.extend(
            self.decomposition
                .indices
                .iter()
                .enumerate()
                .map(|(i, v)| Param::new(format!("season[{}]", i + 1), *v)),
        );
        p
    }
    fn forecast(&self, h: usize, levels: &[f64]) -> Forecast {
        let mut f = self.inner.forecast(h, levels);
        let d = &self.decomposition;
        for (k, v) in f.point.iter_mut().enumerate() {
            *v = d.restore(k + 1, *v);
        }
        for iv in f.intervals.iter_mut() {
            for k in 0..iv.lower.len() {
                iv.lower[k] = d.restore(k + 1, iv.lower[k]);
                iv.upper[k] = d.restore(k + 1, iv.upper[k]);
            }
        }
        f
    }
    fn simulate(&self, h: usize, rng: &mut StdRng) -> Vec<f64> {
        let mut path = self.inner.simulate(h, rng);
        for (k, v) in path.iter_mut().enumerate() {
            *v = self.decomposition.restore(k + 1, *v);
        }
        path
    }
}

/// The yearly period added to a weekly one (m = 7, daily data) by [`MstlModel`].
pub const DAYS_PER_YEAR: usize = 365;

/// The season lengths MSTL decomposes at for primary season length `m` and `n`
/// observations: `m`, plus the yearly cycle 365 when `m` = 7 (daily data) and the series
/// covers three years. A period needs three full cycles, as the seasonality test does
/// (statsforecast keeps periods up to n/2; on two years of daily data the yearly component
/// then soaks up the noise of single days and the 95% interval covered 57% of a
/// four-week holdout on a series without any yearly cycle).
pub fn mstl_periods(m: usize, n: usize) -> Vec<usize> {
    let mut p = vec![m];
    if m == 7 {
        p.push(DAYS_PER_YEAR);
    }
    p.retain(|&p| p >= 2 && 3 * p <= n);
    p
}

/// MSTL (Bandara, Hyndman & Bergmeir 2021, via the `stlrs` crate): the series is split into
/// a trend, one seasonal component per period (shortest first) and a remainder; a
/// non-seasonal model (the AICc-selected ETS, statsforecast's default trend forecaster)
/// forecasts trend + remainder and each seasonal component repeats its last cycle.
#[derive(Debug)]
pub struct MstlModel {
    inner: Box<dyn FittedModel>,
    periods: Vec<usize>,
    /// The last cycle of every seasonal component.
    last_cycles: Vec<Vec<f64>>,
}

impl MstlModel {
    /// Decompose `y` at [`mstl_periods`]`(m, n)` and fit `fit` to the seasonally adjusted
    /// series.
    pub fn fit(
        y: &[f64],
        m: usize,
        fit: impl FnOnce(&[f64]) -> Result<Box<dyn FittedModel>>,
    ) -> Result<Self> {
        let periods = mstl_periods(m, y.len());
        if periods.is_empty() {
            return Err(Error::Fit {
                model: "mstl".into(),
                reason: format!(
                    "MSTL at season length {m} needs at least {} observations (the series has {})",
                    2 * m.max(2),
                    y.len()
                ),
            });
        }
        let result = stlrs::Mstl::fit(y, &periods).map_err(|e| Error::Fit {
            model: "mstl".into(),
            reason: format!("the MSTL decomposition failed: {e}"),
        })?;
        let seasonal = result.seasonal();
        let adjusted: Vec<f64> = (0..y.len())
            .map(|t| y[t] - seasonal.iter().map(|s| s[t]).sum::<f64>())
            .collect();
        if adjusted.iter().any(|v| !v.is_finite()) {
            return Err(Error::Fit {
                model: "mstl".into(),
                reason: "the MSTL decomposition is not finite".into(),
            });
        }
        let last_cycles = seasonal
            .iter()
            .zip(&periods)
            .map(|(s, p)| s[s.len() - p..].to_vec())
            .collect();
        Ok(Self {
            inner: fit(&adjusted)?,
            periods,
            last_cycles,
        })
    }

    fn season_at(&self, k: usize) -> f64 {
        self.last_cycles.iter().map(|c| c[(k - 1) % c.len()]).sum()
    }
}

impl FittedModel for MstlModel {
    fn name(&self) -> &'static str {
        "mstl"
    }
    fn description(&self) -> Cow<'static, str> {
        format!(
            "MSTL decomposition at season lengths {:?}; {} on the seasonally adjusted series, seasonal components repeated",
            self.periods,
            self.inner.description()
        ).into()
    }
    fn params(&self) -> Vec<Param> {
        let mut p = self.inner.params();
        p.extend(
            self.periods
                .iter()
                .map(|m| Param::new("season_length", *m as f64)),
        );
        p
    }
    fn forecast(&self, h: usize, levels: &[f64]) -> Forecast {
        let mut f = self.inner.forecast(h, levels);
        for k in 1..=h {
            let s = self.season_at(k);
            f.point[k - 1] += s;
            for iv in f.intervals.iter_mut() {
                iv.lower[k - 1] += s;
                iv.upper[k - 1] += s;
            }
        }
        f
    }
    fn simulate(&self, h: usize, rng: &mut StdRng) -> Vec<f64> {
        let mut path = self.inner.simulate(h, rng);
        for (k, v) in path.iter_mut().enumerate() {
            *v += self.season_at(k + 1);
        }
        path
    }
}

/// Seasonal naive: each forecast repeats the observation one season earlier (R's `snaive`).
#[derive(Debug, Clone, Copy)]
pub struct SeasonalNaive {
    /// Season length (1 = the naive method).
    pub m: usize,
}

/// A fitted seasonal naive model.
#[derive(Debug, Clone)]
pub struct FittedSeasonalNaive {
    last_season: Vec<f64>,
    sigma: f64,
}

impl super::Forecaster for SeasonalNaive {
    type Fitted = FittedSeasonalNaive;
    /// σ² is the mean squared seasonal difference (R's `lagwalk`), so step h has standard
    /// error σ·√(⌊(h−1)/m⌋ + 1).
    fn fit(&self, y: &[f64]) -> Result<FittedSeasonalNaive> {
        let m = self.m.max(1);
        if y.len() <= m {
            return Err(too_short("snaive", y.len(), m + 1));
        }
        let d: Vec<f64> = (m..y.len()).map(|t| y[t] - y[t - m]).collect();
        let sigma = (d.iter().map(|e| e * e).sum::<f64>() / d.len() as f64).sqrt();
        Ok(FittedSeasonalNaive {
            last_season: y[y.len() - m..].to_vec(),
            sigma,
        })
    }
}

impl FittedSeasonalNaive {
    fn se(&self, h: usize) -> Vec<f64> {
        let m = self.last_season.len();
        (0..h)
            .map(|k| self.sigma * ((k / m + 1) as f64).sqrt())
            .collect()
    }
}

impl FittedModel for FittedSeasonalNaive {
    fn name(&self) -> &'static str {
        "snaive"
    }
    fn description(&self) -> Cow<'static, str> {
        format!(
            "seasonal naive: the value one season ({} periods) earlier",
            self.last_season.len()
        )
        .into()
    }
    fn params(&self) -> Vec<Param> {
        vec![
            Param::new("season_length", self.last_season.len() as f64),
            Param::new("sigma", self.sigma),
        ]
    }
    fn forecast(&self, h: usize, levels: &[f64]) -> Forecast {
        let m = self.last_season.len();
        let point: Vec<f64> = (0..h).map(|k| self.last_season[k % m]).collect();
        let intervals = gaussian_intervals(&point, &self.se(h), levels);
        Forecast { point, intervals }
    }
    fn simulate(&self, h: usize, rng: &mut StdRng) -> Vec<f64> {
        use rand_distr::{Distribution, Normal};
        let m = self.last_season.len();
        let normal = Normal::new(0.0, self.sigma).expect("sigma is finite and non-negative");
        let mut last = self.last_season.clone();
        (0..h)
            .map(|k| {
                last[k % m] += normal.sample(rng);
                last[k % m]
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{Forecaster, ModelSpec};

    fn seasonal_series(n: usize, m: usize, multiplicative: bool) -> Vec<f64> {
        (0..n)
            .map(|t| {
                let trend = 100.0 + 2.0 * t as f64;
                let s = (2.0 * std::f64::consts::PI * (t % m) as f64 / m as f64).sin();
                if multiplicative {
                    trend * (1.0 + 0.3 * s)
                } else {
                    trend + 30.0 * s
                }
            })
            .collect()
    }

    #[test]
    fn a_strong_monthly_pattern_passes_the_seasonality_test_and_white_noise_does_not() {
        let y = seasonal_series(72, 12, true);
        let t = seasonality_test(&y, 12);
        assert!(t.seasonal, "{t:?}");
        let trend_only: Vec<f64> = (0..72).map(|t| 100.0 + t as f64).collect();
        assert!(!seasonality_test(&trend_only, 12).seasonal);
        assert!(
            !seasonality_test(&y[..30], 12).seasonal,
            "n < 3m is never seasonal"
        );
        assert!(!seasonality_test(&y, 1).seasonal);
    }

    #[test]
    fn the_test_matches_the_m4_scorer_formula_on_a_hand_computed_case() {
        // y = 1, 3, 1, 3, ...: r_1 = -(n-1)/n, r_2 = (n-2)/n; at m = 2 the limit is
        // 1.645·sqrt((1 + 2 r_1²)/n)
        let y: Vec<f64> = (0..12)
            .map(|t| if t % 2 == 0 { 1.0 } else { 3.0 })
            .collect();
        let t = seasonality_test(&y, 2);
        let n = 12.0;
        let r1: f64 = -(n - 1.0) / n;
        assert!((t.acf_m.unwrap() - (n - 2.0) / n).abs() < 1e-12);
        assert!((t.limit.unwrap() - 1.645 * ((1.0 + 2.0 * r1 * r1) / n).sqrt()).abs() < 1e-12);
        assert!(t.seasonal);
    }

    #[test]
    fn an_exact_multiplicative_pattern_is_recovered_by_the_decomposition() {
        let idx = [0.8, 1.1, 1.3, 0.8];
        let y: Vec<f64> = (0..40).map(|t| 50.0 * idx[t % 4]).collect();
        let d = Decomposition::of(&y, 4).unwrap();
        for (a, b) in d.indices.iter().zip(idx) {
            assert!((a - b).abs() < 1e-12, "{:?}", d.indices);
        }
        assert!(d.adjust(&y).iter().all(|v| (v - 50.0).abs() < 1e-9));
    }

    #[test]
    fn an_exact_additive_pattern_on_a_series_crossing_zero_is_recovered() {
        let idx = [-3.0, 1.0, 2.0];
        let y: Vec<f64> = (0..30).map(|t| -1.0 + idx[t % 3]).collect();
        let d = Decomposition::of(&y, 3).unwrap();
        assert!(!d.multiplicative);
        for (a, b) in d.indices.iter().zip(idx) {
            assert!((a - b).abs() < 1e-12);
        }
    }

    #[test]
    fn a_deseasonalized_naive_forecast_repeats_the_season_on_the_last_level() {
        let idx = [0.5, 1.0, 1.5];
        let y: Vec<f64> = (0..30).map(|t| 10.0 * idx[t % 3]).collect();
        let m = Deseasonalized::fit(&y, 3, |z| ModelSpec::Naive.fit(z)).unwrap();
        let f = m.forecast(6, &[95.0]);
        for (k, v) in f.point.iter().enumerate() {
            assert!((v - 10.0 * idx[(30 + k) % 3]).abs() < 1e-9, "{:?}", f.point);
        }
        let iv = &f.intervals[0];
        assert!((0..6).all(|k| iv.lower[k] <= f.point[k] && f.point[k] <= iv.upper[k]));
    }

    #[test]
    fn mstl_recovers_a_weekly_and_a_yearly_pattern_on_daily_data() {
        let n = 3 * 365;
        let weekly = [5.0, 5.0, 5.0, 5.0, 5.0, -12.5, -12.5];
        let y: Vec<f64> = (0..n)
            .map(|t| {
                100.0 + weekly[t % 7] + 20.0 * (2.0 * std::f64::consts::PI * t as f64 / 365.0).sin()
            })
            .collect();
        assert_eq!(mstl_periods(7, n), vec![7, 365]);
        assert_eq!(mstl_periods(7, 2 * 365), vec![7]);
        let m = MstlModel::fit(&y, 7, |z| ModelSpec::Ets.fit(z)).unwrap();
        let f = m.forecast(14, &[95.0]);
        for k in 0..14 {
            let t = n + k;
            let truth = 100.0
                + weekly[t % 7]
                + 20.0 * (2.0 * std::f64::consts::PI * t as f64 / 365.0).sin();
            assert!(
                (f.point[k] - truth).abs() < 2.0,
                "step {k}: {} vs {truth}",
                f.point[k]
            );
            let iv = &f.intervals[0];
            assert!(iv.lower[k] <= f.point[k] && f.point[k] <= iv.upper[k]);
        }
    }

    #[test]
    fn seasonal_naive_repeats_the_last_season_with_r_style_interval_steps() {
        let y: Vec<f64> = (0..24)
            .map(|t| (t % 4) as f64 * 10.0 + (t / 4) as f64)
            .collect();
        let f = SeasonalNaive { m: 4 }.fit(&y).unwrap();
        let fc = f.forecast(9, &[95.0]);
        assert_eq!(&fc.point[..4], &y[20..24]);
        assert_eq!(fc.point[8], y[20]);
        // every seasonal difference is exactly 1, so sigma = 1 and the 95% half-width is
        // 1.96·sqrt(⌊(h−1)/4⌋ + 1)
        let iv = &fc.intervals[0];
        let half = |k: usize| iv.upper[k] - fc.point[k];
        assert!((half(0) - 1.959964).abs() < 1e-5);
        assert!((half(4) - 1.959964 * 2f64.sqrt()).abs() < 1e-5);
        assert!((half(8) - 1.959964 * 3f64.sqrt()).abs() < 1e-5);
        assert!(SeasonalNaive { m: 4 }.fit(&y[..4]).is_err());
    }
}
