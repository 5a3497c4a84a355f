//! The stepwise order search of `auto.arima`.

use super::*;

impl Forecaster for AutoArima {
    type Fitted = FittedArima;

    fn fit(&self, y: &[f64]) -> Result<FittedArima> {
        check_input(y)?;
        let n = y.len();
        let d = ndiffs(y, self.max_d.min(2));
        let w = diff(y, d);
        if is_constant(&w) {
            // auto.arima: the differenced data are constant, so the series is an exact
            // line (d = 1: ARIMA(0,1,0) with the drift fixed at the common difference) or
            // polynomial (d = 2: ARIMA(0,2,0)).
            return Ok(exact_polynomial(y, &w, d));
        }
        let max_p = self.max_p.min(MAX_ORDER).min(n / 3);
        let max_q = self.max_q.min(MAX_ORDER).min(n / 3);
        let allow_drift = self.allow_drift && d == 1;
        let allow_mean = self.allow_mean && d == 0;
        let series = Differenced::new(&w);
        let mut search = Search {
            series: &series,
            visited: Vec::new(),
            best: None,
            best_ic: f64::INFINITY,
        };
        let mut constant = allow_drift || allow_mean;
        let start = if n < 10 { 1 } else { 2 };
        let (mut p, mut q) = (start.min(max_p), start.min(max_q));

        search.consider(p, q, constant);
        if search.consider(0, 0, constant) {
            (p, q) = (0, 0);
        }
        let mut k = 2;
        if max_p > 0 {
            if search.consider(1, 0, constant) {
                (p, q) = (1, 0);
            }
            k += 1;
        }
        if max_q > 0 {
            if search.consider(0, 1, constant) {
                (p, q) = (0, 1);
            }
            k += 1;
        }
        if constant {
            // As in auto.arima, a win here resets (p, q) but keeps `constant` for the
            // neighbours; the final toggle step can still drop it.
            if search.consider(0, 0, false) {
                (p, q) = (0, 0);
            }
            k += 1;
        }

        let mut startk = 0;
        while startk < k && k < NMODELS {
            startk = k;
            let moves: [(bool, isize, isize); 8] = [
                (p > 0, -1, 0),
                (q > 0, 0, -1),
                (p < max_p, 1, 0),
                (q < max_q, 0, 1),
                (q > 0 && p > 0, -1, -1),
                (q < max_q && p > 0, -1, 1),
                (q > 0 && p < max_p, 1, -1),
                (q < max_q && p < max_p, 1, 1),
            ];
            let mut moved = false;
            for (allowed, dp, dq) in moves {
                let (np, nq) = (p.wrapping_add_signed(dp), q.wrapping_add_signed(dq));
                if !allowed || !search.is_new(np, nq, constant) {
                    continue;
                }
                k += 1;
                if k > NMODELS {
                    moved = true;
                    break;
                }
                if search.consider(np, nq, constant) {
                    (p, q) = (np, nq);
                    moved = true;
                    break;
                }
            }
            if moved {
                continue;
            }
            if (allow_drift || allow_mean) && search.is_new(p, q, !constant) {
                k += 1;
                if k > NMODELS {
                    continue;
                }
                if search.consider(p, q, !constant) {
                    constant = !constant;
                }
            }
        }

        match search.best {
            Some(best) => Ok(best.into_fitted(d, y)),
            None => Err(fit_error(format!(
                "no suitable ARIMA model found: every candidate with d = {d} failed to \
                 converge or was non-stationary or non-invertible"
            ))),
        }
    }
}

/// The model auto.arima returns when the differenced series is constant.
pub(super) fn exact_polynomial(y: &[f64], w: &[f64], d: usize) -> FittedArima {
    let constant = d == 1;
    let n_used = w.len() as f64;
    let mean = if constant {
        w.iter().sum::<f64>() / n_used
    } else {
        0.0
    };
    let sigma2 = w.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n_used;
    FittedArima {
        p: 0,
        d,
        q: 0,
        phi: vec![],
        theta: vec![],
        constant,
        mean,
        sigma2,
        aicc: f64::NEG_INFINITY,
        state: vec![0.0],
        last: tails(y, d),
    }
}

/// The stepwise search's memory: which models were tried and the best so far.
pub(super) struct Search<'a> {
    pub(super) series: &'a Differenced<'a>,
    pub(super) visited: Vec<(usize, usize, bool)>,
    pub(super) best: Option<Candidate>,
    pub(super) best_ic: f64,
}

impl Search<'_> {
    pub(super) fn is_new(&self, p: usize, q: usize, constant: bool) -> bool {
        !self.visited.contains(&(p, q, constant))
    }

    /// Fit a model; true if it beats the best so far (strictly lower AICc).
    pub(super) fn consider(&mut self, p: usize, q: usize, constant: bool) -> bool {
        self.visited.push((p, q, constant));
        match fit_candidate(self.series, p, q, constant, self.best_ic) {
            Some(c) if c.aicc < self.best_ic => {
                self.best_ic = c.aicc;
                self.best = Some(c);
                true
            }
            _ => false,
        }
    }
}
