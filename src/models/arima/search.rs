//! The stepwise order search of `auto.arima`.

use super::*;

impl Forecaster for AutoArima {
    type Fitted = FittedArima;

    fn fit(&self, y: &[f64]) -> Result<FittedArima> {
        check_input(y)?;
        if self.m > 1 {
            return self.fit_seasonal(y);
        }
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
        seasonal: None,
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

/// One row of the seasonal search's record: the order, the constant and its IC.
#[derive(Debug, Clone, Copy)]
struct Tried {
    o: Order,
    constant: bool,
    ic: f64,
}

/// The seasonal stepwise search's memory.
struct SeasonalSearch<'a> {
    series: &'a Differenced<'a>,
    method: Method,
    tried: Vec<Tried>,
    best: Option<SeasonalCandidate>,
    best_ic: f64,
}

impl SeasonalSearch<'_> {
    fn is_new(&self, o: Order, constant: bool) -> bool {
        !self
            .tried
            .iter()
            .any(|t| t.o == o && t.constant == constant)
    }

    /// Fit a model; true if it beats the best so far (strictly lower IC).
    fn consider(&mut self, o: Order, constant: bool) -> bool {
        // With CSS every IC is kept (the ML refit walks them in order), so none is pruned.
        let to_beat = match self.method {
            Method::CssMl => self.best_ic,
            Method::Css { .. } => f64::INFINITY,
        };
        let fit = fit_seasonal(self.series, o, constant, self.method, to_beat);
        let ic = fit.as_ref().map_or(f64::INFINITY, |c| c.aicc);
        self.tried.push(Tried { o, constant, ic });
        match fit {
            Some(c) if c.aicc < self.best_ic => {
                self.best_ic = c.aicc;
                self.best = Some(c);
                true
            }
            _ => false,
        }
    }
}

impl AutoArima {
    /// auto.arima for m > 1: D by the seasonal-strength test, d by KPSS on the seasonally
    /// differenced series, then the stepwise search over (p, q, P, Q, constant).
    fn fit_seasonal(&self, y: &[f64]) -> Result<FittedArima> {
        let n = y.len();
        let m = self.m;
        let sd = if n <= 2 * m { 0 } else { nsdiffs(y, m) };
        let dx = seasonal_diff(y, 0, sd, m);
        let d = ndiffs(&dx, self.max_d.min(2));
        let w = seasonal_diff(y, d, sd, m);
        if w.is_empty() {
            return Err(fit_error("not enough data to proceed after differencing"));
        }
        let nf = n as f64;
        let mut max_p = self.max_p.min(MAX_ORDER).min(n / 3);
        let mut max_q = self.max_q.min(MAX_ORDER).min(n / 3);
        let max_sp = 2usize.min((nf / 3.0 / m as f64) as usize);
        let max_sq = 2usize.min((nf / 3.0 / m as f64) as usize);
        if max_sp > 0 {
            max_p = max_p.min(m - 1);
        }
        if max_sq > 0 {
            max_q = max_q.min(m - 1);
        }
        let series = Differenced::new(&w);
        let order = |p, q, sp, sq| Order { p, q, sp, sq, m };
        if is_constant(&w) {
            // auto.arima fits ARIMA(0,d,0)(0,D,0) with the drift fixed at the mean
            // difference when D > 0 and d = 0, no constant otherwise.
            let constant = sd > 0 && d == 0;
            let mean = if constant { series.wbar } else { 0.0 };
            let sigma2 = w.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / w.len() as f64;
            let cand = SeasonalCandidate {
                order: order(0, 0, 0, 0),
                constant,
                coefs: Coefs::default(),
                mean,
                sigma2,
                aicc: f64::NEG_INFINITY,
                state: vec![0.0],
            };
            return Ok(cand.into_fitted(d, sd, y));
        }
        let allow_drift = self.allow_drift && d + sd == 1;
        let allow_mean = self.allow_mean && d + sd == 0;
        let approximation = n > 150 || m > 12;
        let method = if approximation {
            // auto.arima's offset from the ML fit of ARIMA(0,d,0)(0,D,0) (with a mean
            // when d + D = 0, as stats::arima includes one by default).
            let z: &[f64] = if d + sd == 0 { &series.centred } else { &w };
            let nu = z.len() as f64;
            let s2 = z.iter().map(|v| v * v).sum::<f64>() / nu;
            let minus2loglik = nu * (s2.ln() + 1.0 + (2.0 * std::f64::consts::PI).ln());
            Method::Css {
                offset: minus2loglik - nf * s2.ln(),
            }
        } else {
            Method::CssMl
        };
        let mut search = SeasonalSearch {
            series: &series,
            method,
            tried: Vec::new(),
            best: None,
            best_ic: f64::INFINITY,
        };
        let mut constant = allow_drift || allow_mean;
        let (mut p, mut q, mut sp, mut sq) = if n < 10 { (1, 1, 0, 0) } else { (2, 2, 1, 1) };
        p = p.min(max_p);
        q = q.min(max_q);
        sp = sp.min(max_sp);
        sq = sq.min(max_sq);

        search.consider(order(p, q, sp, sq), constant);
        if search.consider(order(0, 0, 0, 0), constant) {
            (p, q, sp, sq) = (0, 0, 0, 0);
        }
        let mut k = 2;
        if max_p > 0 || max_sp > 0 {
            let (np, nsp) = (usize::from(max_p > 0), usize::from(max_sp > 0));
            if search.consider(order(np, 0, nsp, 0), constant) {
                (p, q, sp, sq) = (np, 0, nsp, 0);
            }
            k += 1;
        }
        if max_q > 0 || max_sq > 0 {
            let (nq, nsq) = (usize::from(max_q > 0), usize::from(max_sq > 0));
            if search.consider(order(0, nq, 0, nsq), constant) {
                (p, q, sp, sq) = (0, nq, 0, nsq);
            }
            k += 1;
        }
        if constant {
            if search.consider(order(0, 0, 0, 0), false) {
                (p, q, sp, sq) = (0, 0, 0, 0);
            }
            k += 1;
        }

        let mut startk = 0;
        while startk < k && k < NMODELS {
            startk = k;
            // auto.arima's neighbour order: seasonal moves first, then non-seasonal ones.
            let moves: [(bool, [isize; 4]); 16] = [
                (sp > 0, [0, 0, -1, 0]),
                (sq > 0, [0, 0, 0, -1]),
                (sp < max_sp, [0, 0, 1, 0]),
                (sq < max_sq, [0, 0, 0, 1]),
                (sq > 0 && sp > 0, [0, 0, -1, -1]),
                (sq < max_sq && sp > 0, [0, 0, -1, 1]),
                (sq > 0 && sp < max_sp, [0, 0, 1, -1]),
                (sq < max_sq && sp < max_sp, [0, 0, 1, 1]),
                (p > 0, [-1, 0, 0, 0]),
                (q > 0, [0, -1, 0, 0]),
                (p < max_p, [1, 0, 0, 0]),
                (q < max_q, [0, 1, 0, 0]),
                (q > 0 && p > 0, [-1, -1, 0, 0]),
                (q < max_q && p > 0, [-1, 1, 0, 0]),
                (q > 0 && p < max_p, [1, -1, 0, 0]),
                (q < max_q && p < max_p, [1, 1, 0, 0]),
            ];
            let mut moved = false;
            for (allowed, dv) in moves {
                if !allowed {
                    continue;
                }
                let cand = order(
                    p.wrapping_add_signed(dv[0]),
                    q.wrapping_add_signed(dv[1]),
                    sp.wrapping_add_signed(dv[2]),
                    sq.wrapping_add_signed(dv[3]),
                );
                if !search.is_new(cand, constant) {
                    continue;
                }
                k += 1;
                if k > NMODELS {
                    moved = true;
                    break;
                }
                if search.consider(cand, constant) {
                    (p, q, sp, sq) = (cand.p, cand.q, cand.sp, cand.sq);
                    moved = true;
                    break;
                }
            }
            if moved {
                continue;
            }
            if (allow_drift || allow_mean) && search.is_new(order(p, q, sp, sq), !constant) {
                k += 1;
                if k > NMODELS {
                    continue;
                }
                if search.consider(order(p, q, sp, sq), !constant) {
                    constant = !constant;
                }
            }
        }

        let best = if approximation && search.best.is_some() {
            // Refit by ML in order of the CSS criterion (refused ones last, as R's
            // `order`) until one is accepted.
            let mut tried = search.tried.clone();
            tried.sort_by(|a, b| a.ic.total_cmp(&b.ic));
            tried
                .into_iter()
                .find_map(|t| fit_seasonal(&series, t.o, t.constant, Method::CssMl, f64::INFINITY))
        } else {
            search.best
        };
        match best {
            Some(best) => Ok(best.into_fitted(d, sd, y)),
            None => Err(fit_error(format!(
                "no suitable ARIMA model found: every candidate with d = {d}, D = {sd} failed \
                 to converge or was non-stationary or non-invertible"
            ))),
        }
    }
}
