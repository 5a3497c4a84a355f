//! Tests of the ARIMA module.

use super::*;
use rand::SeedableRng;
use rand_distr::{Distribution, Normal};

fn noise(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    let normal = Normal::new(0.0, 1.0).unwrap();
    (0..n).map(|_| normal.sample(&mut rng)).collect()
}

/// ARMA(p,q) sample with a burn-in.
fn arma_series(phi: &[f64], theta: &[f64], mean: f64, n: usize, seed: u64) -> Vec<f64> {
    let burn = 200;
    let e = noise(n + burn, seed);
    let mut x = vec![0.0; n + burn];
    for t in 0..n + burn {
        let mut v = e[t];
        for (i, c) in phi.iter().enumerate() {
            if t > i {
                v += c * x[t - i - 1];
            }
        }
        for (j, c) in theta.iter().enumerate() {
            if t > j {
                v += c * e[t - j - 1];
            }
        }
        x[t] = v;
    }
    x[burn..].iter().map(|v| v + mean).collect()
}

fn cumsum(x: &[f64], start: f64) -> Vec<f64> {
    let mut acc = start;
    x.iter()
        .map(|v| {
            acc += v;
            acc
        })
        .collect()
}

#[test]
fn an_ar1_series_recovers_its_coefficient() {
    let y = arma_series(&[0.7], &[], 10.0, 500, 1);
    let fit = Arima::new(1, 0, 0, true).fit(&y).unwrap();
    assert!((fit.ar()[0] - 0.7).abs() < 0.1, "{:?}", fit.params());
    assert!((fit.constant().unwrap() - 10.0).abs() < 0.5);
    assert!((fit.sigma2() - 1.0).abs() < 0.2);
}

#[test]
fn an_arma11_series_recovers_both_coefficients() {
    let y = arma_series(&[0.5], &[0.4], 0.0, 1000, 2);
    let fit = Arima::new(1, 0, 1, true).fit(&y).unwrap();
    assert!((fit.ar()[0] - 0.5).abs() < 0.1, "{:?}", fit.params());
    assert!((fit.ma()[0] - 0.4).abs() < 0.1, "{:?}", fit.params());
}

#[test]
fn auto_arima_picks_d0_and_a_close_model_for_an_ar2() {
    let y = arma_series(&[0.5, -0.3], &[], 50.0, 400, 3);
    let fit = AutoArima::default().fit(&y).unwrap();
    assert_eq!(fit.order().1, 0, "{}", fit.description());
    assert!(fit.constant().is_some());
    let (p, _, q) = fit.order();
    assert!(p + q >= 1 && p + q <= 3, "{}", fit.description());
}

#[test]
fn a_random_walk_gets_one_difference() {
    // KPSS is a 5 % test without full power, so an occasional walk gets d = 0 or 2.
    let ds: Vec<usize> = (0..20)
        .map(|seed| ndiffs(&cumsum(&noise(200, 100 + seed), 100.0), 2))
        .collect();
    assert!(ds.iter().filter(|d| **d == 1).count() >= 17, "{ds:?}");
    let fit = AutoArima::default()
        .fit(&cumsum(&noise(200, 0), 100.0))
        .unwrap();
    assert_eq!(fit.order().1, 1);
}

#[test]
fn white_noise_needs_no_difference_and_a_trend_does() {
    let e = noise(100, 5);
    assert_eq!(ndiffs(&e, 2), 0);
    assert!(kpss_statistic(&e).unwrap() < KPSS_CRITICAL_5PCT);
    let trend: Vec<f64> = e.iter().enumerate().map(|(t, v)| t as f64 + v).collect();
    assert!(kpss_statistic(&trend).unwrap() > KPSS_CRITICAL_5PCT);
    assert!(ndiffs(&trend, 2) >= 1);
}

#[test]
fn the_kpss_statistic_matches_a_hand_computation() {
    // x = 1, 3, 2, 5, 4 (n = 5, no lags): e = -2, 0, -1, 2, 1; S = -2, -2, -3, -1, 0.
    let s = kpss_statistic(&[1.0, 3.0, 2.0, 5.0, 4.0]).unwrap();
    let eta = (4.0 + 4.0 + 9.0 + 1.0 + 0.0) / 25.0;
    let s2 = (4.0 + 0.0 + 1.0 + 4.0 + 1.0) / 5.0;
    assert!((s - eta / s2).abs() < 1e-12);
}

#[test]
fn a_random_walk_with_drift_gets_a_drift_term() {
    let steps: Vec<f64> = noise(120, 6).iter().map(|v| 2.0 + 0.5 * v).collect();
    let y = cumsum(&steps, 10.0);
    let fit = AutoArima::default().fit(&y).unwrap();
    assert_eq!(fit.order().1, 1);
    let drift = fit.constant().expect("drift");
    assert!((drift - 2.0).abs() < 0.2, "{}", fit.description());
}

#[test]
fn a_perfect_linear_trend_gets_drift_and_extrapolates_the_line() {
    let y: Vec<f64> = (0..20).map(|t| 5.0 + 3.0 * t as f64).collect();
    let fit = AutoArima::default().fit(&y).unwrap();
    assert_eq!(fit.order(), (0, 1, 0));
    assert!((fit.constant().unwrap() - 3.0).abs() < 1e-12);
    let f = fit.forecast(4, &[80.0, 95.0]);
    for (k, v) in f.point.iter().enumerate() {
        assert!((v - (5.0 + 3.0 * (20 + k) as f64)).abs() < 1e-9);
    }
    for iv in &f.intervals {
        for k in 0..4 {
            assert!(iv.lower[k] <= f.point[k] && f.point[k] <= iv.upper[k]);
        }
    }
}

#[test]
fn a_noisy_linear_trend_is_extrapolated_along_its_slope() {
    let e = noise(40, 7);
    let y: Vec<f64> = (0..40).map(|t| 100.0 + 5.0 * t as f64 + e[t]).collect();
    let fit = AutoArima::default().fit(&y).unwrap();
    let f = fit.forecast(5, &[]);
    let slope = (f.point[4] - f.point[0]) / 4.0;
    assert!(
        (slope - 5.0).abs() < 0.5,
        "{} {:?}",
        fit.description(),
        f.point
    );
}

#[test]
fn intervals_widen_with_the_level_and_the_horizon_and_contain_the_point() {
    let y = cumsum(&noise(60, 8), 50.0);
    let fit = AutoArima::default().fit(&y).unwrap();
    let f = fit.forecast(6, &[50.0, 80.0, 95.0]);
    let (i50, i80, i95) = (&f.intervals[0], &f.intervals[1], &f.intervals[2]);
    for k in 0..6 {
        assert!(i95.lower[k] < i80.lower[k] && i80.lower[k] < i50.lower[k]);
        assert!(i50.lower[k] <= f.point[k] && f.point[k] <= i50.upper[k]);
        assert!(i50.upper[k] < i80.upper[k] && i80.upper[k] < i95.upper[k]);
    }
    for k in 1..6 {
        assert!(i95.upper[k] - i95.lower[k] > i95.upper[k - 1] - i95.lower[k - 1]);
    }
}

#[test]
fn a_random_walk_forecast_has_variance_growing_linearly() {
    let y = cumsum(&noise(80, 9), 0.0);
    let fit = Arima::new(0, 1, 0, false).fit(&y).unwrap();
    let f = fit.forecast(4, &[95.0]);
    let z = crate::models::forecast::normal_z(95.0);
    for k in 0..4 {
        let half = (f.intervals[0].upper[k] - f.point[k]) / z;
        assert!((half * half - fit.sigma2() * (k + 1) as f64).abs() < 1e-9);
        assert!((f.point[k] - y[79]).abs() < 1e-12);
    }
}

#[test]
fn short_series_give_a_fit_error() {
    for n in 0..MIN_OBS {
        let y: Vec<f64> = (0..n).map(|t| t as f64 * 1.5 + 2.0).collect();
        assert!(matches!(
            AutoArima::default().fit(&y),
            Err(Error::Fit { .. } | Error::TooShort { .. })
        ));
    }
}

#[test]
fn constant_and_non_finite_series_give_a_fit_error() {
    assert!(matches!(
        AutoArima::default().fit(&[3.0; 12]),
        Err(Error::Fit { .. } | Error::TooShort { .. })
    ));
    assert!(matches!(
        AutoArima::default().fit(&[1.0, 2.0, f64::NAN, 4.0, 5.0, 6.0]),
        Err(Error::Fit { .. } | Error::TooShort { .. })
    ));
}

#[test]
fn very_short_and_awkward_series_never_panic_or_produce_nan() {
    let cases: Vec<Vec<f64>> = vec![
        vec![1.0, 2.0, 1.0, 2.0, 1.0],
        vec![1.0, 1.0, 1.0, 1.0, 2.0],
        vec![0.0, 0.0, 0.0, 1e9, 0.0, 0.0],
        vec![1.0, 4.0, 9.0, 16.0, 25.0, 36.0, 49.0],
        vec![1e-12, 2e-12, 1.5e-12, 3e-12, 2.5e-12, 4e-12],
        (0..30).map(|t| ((t * 7919) % 13) as f64).collect(),
        (0..25).map(|t| 1.05f64.powi(t) * 1000.0).collect(),
    ];
    let mut rng = StdRng::seed_from_u64(1);
    for y in cases {
        if let Ok(fit) = AutoArima::default().fit(&y) {
            let f = fit.forecast(6, &[80.0, 95.0]);
            assert!(f.point.iter().all(|v| v.is_finite()), "{y:?}");
            for iv in &f.intervals {
                assert!(iv.lower.iter().chain(&iv.upper).all(|v| v.is_finite()));
            }
            assert!(fit.simulate(6, &mut rng).iter().all(|v| v.is_finite()));
        }
    }
}

#[test]
fn simulated_paths_average_to_the_point_forecast() {
    let y = arma_series(&[0.6], &[], 20.0, 150, 10);
    let fit = Arima::new(1, 0, 0, true).fit(&y).unwrap();
    let point = fit.forecast(3, &[]).point;
    let mut rng = StdRng::seed_from_u64(2);
    let paths = 4000;
    let mut mean = [0.0; 3];
    for _ in 0..paths {
        let s = fit.simulate(3, &mut rng);
        assert_eq!(s.len(), 3);
        for k in 0..3 {
            mean[k] += s[k] / paths as f64;
        }
    }
    for k in 0..3 {
        assert!((mean[k] - point[k]).abs() < 0.1, "{mean:?} {point:?}");
    }
}

#[test]
fn the_kalman_likelihood_of_an_ar1_matches_the_closed_form() {
    let z = [0.3, -1.2, 0.8, 2.0, 0.1, -0.5];
    let phi = 0.6;
    let s = kalman(&z, &Arma::new(&[phi], &[]), false).unwrap();
    let mut ssq = (1.0 - phi * phi) * z[0] * z[0];
    for t in 1..z.len() {
        ssq += (z[t] - phi * z[t - 1]).powi(2);
    }
    assert!((s.sww - ssq).abs() < 1e-12);
    assert!((s.sumlog - (1.0 / (1.0 - phi * phi)).ln()).abs() < 1e-12);
}

#[test]
fn the_kalman_likelihood_of_an_arma_matches_the_covariance_matrix() {
    // Exact Gaussian quadratic form and log-determinant from the ARMA(1,2)
    // autocovariances, by Cholesky, against the filter.
    let (phi, th) = (0.5, [0.4, -0.3]);
    let n = 7;
    let z = [0.5, -0.2, 1.1, 0.3, -0.9, 0.4, 0.2];
    // ψ weights and autocovariances γ(h) = Σ ψ_j ψ_{j+h}.
    let mut psi = vec![0.0; 400];
    psi[0] = 1.0;
    for j in 1..400 {
        psi[j] = phi * psi[j - 1] + if j <= 2 { th[j - 1] } else { 0.0 };
    }
    let gamma = |h: usize| (0..400 - h).map(|j| psi[j] * psi[j + h]).sum::<f64>();
    let mut c = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            c[i * n + j] = gamma(i.abs_diff(j));
        }
    }
    // Cholesky
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut s = c[i * n + j];
            for k in 0..j {
                s -= l[i * n + k] * l[j * n + k];
            }
            l[i * n + j] = if i == j { s.sqrt() } else { s / l[j * n + j] };
        }
    }
    let mut u = vec![0.0; n];
    for i in 0..n {
        let mut s = z[i];
        for k in 0..i {
            s -= l[i * n + k] * u[k];
        }
        u[i] = s / l[i * n + i];
    }
    let quad: f64 = u.iter().map(|v| v * v).sum();
    let logdet: f64 = (0..n).map(|i| 2.0 * l[i * n + i].ln()).sum();
    let s = kalman(&z, &Arma::new(&[phi], &th), false).unwrap();
    assert!((s.sww - quad).abs() < 1e-9, "{} vs {quad}", s.sww);
    assert!((s.sumlog - logdet).abs() < 1e-9, "{} vs {logdet}", s.sumlog);
}

#[test]
fn the_pacf_transform_round_trips_and_is_always_stationary() {
    let raw = [0.3, -1.5, 2.0, 0.7];
    let mut phi = [0.0; 4];
    partrans(&raw, &mut phi);
    assert!(roots_outside(&phi, 1.0, 0.0));
    let mut back = [0.0; 4];
    invpartrans(&phi, &mut back);
    for i in 0..4 {
        assert!((back[i] - raw[i]).abs() < 1e-9);
    }
}

#[test]
fn the_root_test_agrees_with_known_polynomials() {
    assert!(roots_outside(&[0.5], 1.0, 0.0));
    assert!(!roots_outside(&[1.0], 1.0, 0.0));
    assert!(!roots_outside(&[0.995], MIN_ROOT, 1e-8)); // root 1.005
    assert!(roots_outside(&[0.98], MIN_ROOT, 1e-8)); // root 1.0204
    // (1 - 0.5z)(1 - 1.25z) has a root at 0.8 inside the circle.
    assert!(!roots_outside(&[1.75, -0.625], 1.0, 0.0));
}

#[test]
fn ma_invert_reflects_roots_inside_the_unit_circle() {
    let mut ma = [2.0];
    ma_invert(&mut ma);
    assert!((ma[0] - 0.5).abs() < 1e-12);
    // (1 + 2z)(1 + 0.5z) = 1 + 2.5z + z² → (1 + 0.5z)(1 + 0.5z) = 1 + z + 0.25z².
    let mut ma2 = [2.5, 1.0];
    ma_invert(&mut ma2);
    assert!(
        (ma2[0] - 1.0).abs() < 1e-9 && (ma2[1] - 0.25).abs() < 1e-9,
        "{ma2:?}"
    );
    let mut ok = [0.3, 0.1];
    ma_invert(&mut ok);
    assert_eq!(ok, [0.3, 0.1]);
}

#[test]
fn params_name_the_order_coefficients_and_fit_statistics() {
    let y = arma_series(&[0.6], &[0.3], 5.0, 200, 11);
    let fit = Arima::new(1, 0, 1, true).fit(&y).unwrap();
    let names: Vec<String> = fit.params().into_iter().map(|p| p.name).collect();
    assert_eq!(
        names,
        ["p", "d", "q", "ar1", "ma1", "constant", "sigma2", "aicc"]
    );
    assert_eq!(fit.name(), "arima");
    assert_eq!(fit.description(), "ARIMA(1,0,1) with non-zero mean");
}
