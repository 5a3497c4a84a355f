//! Rolling-origin evaluation: refit at each origin on data strictly before the test window.

use serde::Serialize;

/// One train/test split of a series of length n: train = `[0, train_end)`,
/// test = `[train_end, train_end + horizon)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Split {
    /// Exclusive end of the training window (= first test index).
    pub train_end: usize,
    /// Number of test points.
    pub horizon: usize,
}

impl Split {
    /// Test indices.
    pub fn test_range(&self) -> std::ops::Range<usize> {
        self.train_end..self.train_end + self.horizon
    }
}

/// The last `origins` rolling origins of a series of length `n`, each with up to `h`
/// test points and at least `min_train` training points. Later origins have shorter test
/// windows when the data runs out. Empty when the series is too short.
pub fn rolling_origins(n: usize, h: usize, origins: usize, min_train: usize) -> Vec<Split> {
    if n <= min_train || h == 0 {
        return Vec::new();
    }
    let first = n.saturating_sub(origins).max(min_train);
    (first..n)
        .map(|train_end| Split {
            train_end,
            horizon: h.min(n - train_end),
        })
        .collect()
}

/// Up to `origins` consecutive origins whose test windows hold all `h` steps, the last
/// ending at the series end (so every step is scored at every origin), each with at
/// least `min_train` training points. When no origin has room for a full window the
/// partial layout of [`rolling_origins`] is used instead.
pub fn full_window_origins(n: usize, h: usize, origins: usize, min_train: usize) -> Vec<Split> {
    if h == 0 || n < min_train + h {
        return rolling_origins(n, h, origins, min_train);
    }
    let last = n - h;
    let first = (last + 1).saturating_sub(origins).max(min_train);
    (first..=last)
        .map(|train_end| Split {
            train_end,
            horizon: h,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn full_windows_score_every_step_at_every_origin() {
        let s = full_window_origins(40, 24, 10, 6);
        assert_eq!(s.len(), 10);
        assert!(s.iter().all(|x| x.horizon == 24));
        assert_eq!(s.last().unwrap().test_range().end, 40);
        assert_eq!(s[0].train_end, 7);
        // no room for a full window: the partial layout
        assert_eq!(
            full_window_origins(10, 8, 4, 6),
            rolling_origins(10, 8, 4, 6)
        );
    }

    #[test]
    fn the_last_origins_end_at_the_series_end() {
        let s = rolling_origins(10, 3, 4, 3);
        assert_eq!(s.len(), 4);
        assert_eq!(
            s[0],
            Split {
                train_end: 6,
                horizon: 3
            }
        );
        assert_eq!(
            s[3],
            Split {
                train_end: 9,
                horizon: 1
            }
        );
    }

    #[test]
    fn a_too_short_series_has_no_origins() {
        assert!(rolling_origins(3, 2, 5, 3).is_empty());
    }

    proptest! {
        #[test]
        fn a_backtest_never_trains_on_its_test_window(n in 0usize..200, h in 0usize..12, k in 0usize..20, m in 1usize..30) {
            for s in rolling_origins(n, h, k, m).into_iter().chain(full_window_origins(n, h, k, m)) {
                prop_assert!(s.train_end >= m);
                prop_assert!(s.test_range().start == s.train_end);
                prop_assert!(s.test_range().end <= n);
                prop_assert!(s.horizon >= 1);
            }
        }
    }
}
