use super::*;
use crate::ingest::builtin;

fn world() -> MarketData {
    MarketData::new(
        builtin::series("worldwide").unwrap().series,
        builtin::series("worldwide-monthly").unwrap().series,
    )
    .unwrap()
}

fn sim(paths: usize) -> Simulation {
    Simulation { paths, seed: 7 }
}

const MARCH_2026: i64 = 2026 * 12 + 2;

#[test]
fn the_known_months_of_the_current_year_are_kept_on_every_path() {
    let d = world();
    for c in Candidate::ALL {
        let p = paths(&d, MARCH_2026, 2030, c, sim(40)).unwrap();
        assert_eq!((p.first_year, p.known_months), (2026, 3), "{c:?}");
        let known: Vec<f64> = (0..3)
            .map(|k| d.monthly.value_at(2026 * 12 + k).unwrap())
            .collect();
        for m in &p.months {
            assert_eq!(&m[..3], known.as_slice(), "{c:?}");
            assert_eq!(m.len(), 5 * 12);
        }
        for y in &p.years {
            assert!(y[0] >= p.known_sum, "{c:?}");
        }
    }
}

#[test]
fn a_december_cut_off_starts_the_next_year_with_no_month_known() {
    let p = paths(
        &world(),
        2025 * 12 + 11,
        2027,
        Candidate::MonthlyArima,
        sim(10),
    )
    .unwrap();
    assert_eq!((p.first_year, p.known_months, p.known_sum), (2026, 0, 0.0));
    assert_eq!(p.history.last().map(|h| h.0), Some(2025));
}

#[test]
fn the_same_seed_gives_the_same_paths_and_another_seed_other_paths() {
    let d = world();
    let a = paths(&d, 2024 * 12 + 10, 2030, Candidate::DEFAULT, sim(50)).unwrap();
    let b = paths(&d, 2024 * 12 + 10, 2030, Candidate::DEFAULT, sim(50)).unwrap();
    assert_eq!(a, b);
    let c = paths(
        &d,
        2024 * 12 + 10,
        2030,
        Candidate::DEFAULT,
        Simulation { paths: 50, seed: 8 },
    )
    .unwrap();
    assert_ne!(a.years, c.years);
}

#[test]
fn paths_never_read_data_after_their_cut_off() {
    let d = world();
    let cut = 2015 * 12 + 5;
    let later = tripled_after(&d, cut);
    for c in Candidate::ALL {
        let x = paths(&d, cut, 2020, c, sim(30)).unwrap();
        let y = paths(&later, cut, 2020, c, sim(30)).unwrap();
        assert_eq!(x.years, y.years, "{c:?}");
    }
}

#[test]
fn a_pool_is_the_prefixes_of_its_members_full_runs() {
    let d = world();
    let s = sim(21);
    let pool = paths(&d, 2019 * 12 + 7, 2023, Candidate::ArimaCycle, s).unwrap();
    let a = paths(&d, 2019 * 12 + 7, 2023, Candidate::MonthlyArima, s).unwrap();
    let b = paths(&d, 2019 * 12 + 7, 2023, Candidate::Cycle, s).unwrap();
    let rebuilt = backtest::pool_from_members(&a, &b, Candidate::ArimaCycle);
    assert_eq!(pool.years, rebuilt.years);
    assert_eq!(pool.months, rebuilt.months);
}

#[test]
fn every_point_lies_inside_its_own_intervals() {
    let d = world();
    let p = paths(&d, MARCH_2026, 2032, Candidate::DEFAULT, sim(400)).unwrap();
    let (years, point, ivs) = p.table(2032, &[80.0, 95.0]);
    assert_eq!(years.len(), 7);
    for iv in &ivs {
        for ((lo, hi), pt) in iv.lower.iter().zip(&iv.upper).zip(&point) {
            assert!(lo <= pt && pt <= hi, "{} {lo} {pt} {hi}", iv.level);
        }
    }
    // the 95% interval holds the 80% one
    let (i80, i95) = (&ivs[0], &ivs[1]);
    for k in 0..years.len() {
        assert!(i95.lower[k] <= i80.lower[k] && i80.upper[k] <= i95.upper[k]);
    }
}

/// The data with every month after `cut` (and every year from its year on) tripled.
fn tripled_after(d: &MarketData, cut: i64) -> MarketData {
    let mut later = d.clone();
    let mut v = d.monthly.values().to_vec();
    let from = (cut + 1 - d.monthly.start()) as usize;
    v.iter_mut().skip(from).for_each(|x| *x *= 3.0);
    later.monthly = MarketSeries::new(
        "m",
        TimeKind::YearMonth,
        d.monthly.start(),
        v,
        Unit::UsdBillions,
    )
    .unwrap();
    let mut a = d.annual.values().to_vec();
    let first_unknown = (cut + 1).div_euclid(12);
    a.iter_mut()
        .skip((first_unknown - d.annual.start()) as usize)
        .for_each(|x| *x *= 3.0);
    later.annual = MarketSeries::new(
        "a",
        TimeKind::Integer,
        d.annual.start(),
        a,
        Unit::UsdBillions,
    )
    .unwrap();
    later
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 6, ..Default::default() })]
    /// At any month-end origin of the backtest and for any candidate: the paths ignore every
    /// later month (a backtest never trains on its test window), and each year's point lies
    /// inside its 80% and 95% intervals.
    #[test]
    fn any_origin_ignores_later_data_and_orders_its_intervals(
        cut in (1997i64 * 12)..(2025 * 12 + 12),
        which in 0usize..Candidate::ALL.len(),
    ) {
        let d = world();
        let c = Candidate::ALL[which];
        let last = (cut + 1).div_euclid(12) + 3;
        let x = paths(&d, cut, last, c, sim(40)).unwrap();
        let y = paths(&tripled_after(&d, cut), cut, last, c, sim(40)).unwrap();
        proptest::prop_assert_eq!(&x.years, &y.years);
        let (_, point, ivs) = x.table(last, &[80.0, 95.0]);
        for iv in &ivs {
            for ((lo, hi), pt) in iv.lower.iter().zip(&iv.upper).zip(&point) {
                proptest::prop_assert!(lo <= pt && pt <= hi);
            }
        }
    }
}

#[test]
fn crossing_distributions_add_up_and_agree_with_the_year_odds() {
    let d = world();
    let p = paths(&d, 2024 * 12 + 10, 2040, Candidate::DEFAULT, sim(300)).unwrap();
    for c in [p.crossing_years(1000.0), p.crossing_months(1000.0)] {
        let total: f64 = c.first.iter().map(|f| f.1).sum::<f64>() + c.never;
        assert!((total - 1.0).abs() < 1e-9);
        assert!(c.in_history.is_none());
    }
    let years = p.crossing_years(1000.0);
    // a path whose 2030 total reaches the target has crossed by 2030
    assert!(years.p_by(2030) >= p.p_at_least(2030, 1000.0).unwrap() - 1e-12);
    // trailing-12-month sales reach a level no later than December of the year that does
    let months = p.crossing_months(1000.0);
    assert!(months.p_by(2030 * 12 + 11) >= years.p_by(2030) - 1e-12);
}

#[test]
fn a_target_already_reached_is_reported_from_the_data() {
    let p = paths(&world(), MARCH_2026, 2028, Candidate::Annual, sim(20)).unwrap();
    let c = p.crossing_years(500.0);
    assert_eq!(c.in_history, Some(2021));
    assert_eq!(c.p_by(2021), 1.0);
    assert_eq!(p.p_at_least(2025, 700.0), Some(1.0));
    assert!(p.crossing_months(500.0).in_history.is_some());
}

#[test]
fn trailing_twelve_months_of_a_path_end_each_year_at_its_total() {
    let p = paths(
        &world(),
        2023 * 12 + 4,
        2026,
        Candidate::MonthlyArima,
        sim(5),
    )
    .unwrap();
    for (m, y) in p.months.iter().zip(&p.years) {
        for (k, total) in y.iter().enumerate() {
            let s: f64 = m[k * 12..k * 12 + 12].iter().sum();
            assert!((s - total).abs() < 1e-9 * total);
        }
    }
}

#[test]
fn the_annual_series_of_months_sums_complete_years() {
    let d = world();
    let a = annual_from_monthly(&d.monthly).unwrap();
    assert_eq!((a.start(), a.end()), (1986, 2025));
    for (y, v) in a.ordinals().zip(a.values()) {
        assert!((v - d.annual.value_at(y).unwrap()).abs() < 0.01, "{y}");
    }
}

#[test]
fn a_coupled_candidate_is_its_members_joined_by_rank() {
    let d = world();
    let s = sim(25);
    let cut = 2018 * 12 + 3;
    let joined = paths(&d, cut, 2021, Candidate::EtsCycle, s).unwrap();
    let a = paths(&d, cut, 2021, Candidate::MonthlyEts, s).unwrap();
    let b = paths(&d, cut, 2021, Candidate::Cycle, s).unwrap();
    let mut first: Vec<f64> = a.years.iter().map(|y| y[0]).collect();
    first.sort_by(f64::total_cmp);
    let got: Vec<f64> = joined.years.iter().map(|y| y[0]).collect();
    assert_eq!(got, first);
    assert_eq!(couple(a.months.clone(), b.months.clone()), joined.months);
    // later years keep the later member's totals, in the order of its current year
    let mut later: Vec<(f64, f64)> = b.years.iter().map(|y| (y[0], y[1])).collect();
    later.sort_by(|x, y| x.0.total_cmp(&y.0));
    let got: Vec<f64> = joined.years.iter().map(|y| y[1]).collect();
    assert_eq!(got, later.iter().map(|x| x.1).collect::<Vec<_>>());
}

#[test]
fn the_current_year_record_reads_only_years_complete_by_the_cut_off() {
    let d = world();
    let cut = 2015 * 12 + 5;
    let rec = current_year_record(&d, cut, 1);
    let years: Vec<i64> = rec.iter().map(|r| r.year).collect();
    // from the fifth complete year of months (1986 + 4) to the year before the cut-off's
    assert_eq!(years, (1990..2015).collect::<Vec<_>>());
    assert_eq!(rec, current_year_record(&tripled_after(&d, cut), cut, 1));
    // a December cut-off: the record's origins are Decembers too (no month of the year known)
    let dec = current_year_record(&d, 2015 * 12 + 11, 1);
    assert_eq!(dec.last().map(|r| r.year), Some(2015));
    assert!(
        rec.iter()
            .all(|r| r.log_sd > 0.0 && r.log_error.is_finite())
    );
}

#[test]
fn recalibration_moves_the_median_by_the_shift_and_scales_the_spread() {
    let d = world();
    let cut = 2019 * 12 + 4;
    let s = sim(201);
    let raw = paths(&d, cut, 2021, Candidate::MonthlyEts, s)
        .unwrap()
        .months;
    let cal = recalibration(&d, cut, 3).unwrap();
    assert!(cal.scale > 0.0 && cal.record.len() >= RECORD_MIN_YEARS);
    let out = recalibrate_current_year(&d, cut, raw.clone(), 3).unwrap();
    let rest = |p: &[f64]| p[5..12].iter().sum::<f64>();
    for (a, b) in raw.iter().zip(&out) {
        assert_eq!(a[..5], b[..5], "known months kept");
        assert_eq!(a[12..], b[12..], "later years untouched");
    }
    let sorted = |m: &[Vec<f64>]| {
        let mut v: Vec<f64> = m.iter().map(|p| rest(p)).collect();
        v.sort_by(f64::total_cmp);
        v
    };
    let (r0, r1) = (sorted(&raw), sorted(&out));
    // 201 paths: the median and the 2.5%/97.5% points are single paths
    assert!((r1[100] / (r0[100] * cal.shift.exp()) - 1.0).abs() < 1e-9);
    let width = |r: &[f64]| r[195].ln() - r[5].ln();
    assert!((width(&r1) / width(&r0) - cal.scale).abs() < 1e-9);
    // the order of the paths' current years is kept
    let order = |m: &[Vec<f64>]| {
        let mut i: Vec<usize> = (0..m.len()).collect();
        i.sort_by(|&a, &b| rest(&m[a]).total_cmp(&rest(&m[b])));
        i
    };
    assert_eq!(order(&raw), order(&out));
}

#[test]
fn fewer_than_three_record_years_leave_the_paths_as_they_were() {
    let d = world();
    let from = 2015 * 12;
    let v: Vec<f64> = (from..=d.monthly.end())
        .map(|o| d.monthly.value_at(o).unwrap())
        .collect();
    let short = MarketData {
        monthly: MarketSeries::new("m", TimeKind::YearMonth, from, v, Unit::UsdBillions).unwrap(),
        annual: d.annual.clone(),
    };
    // record years 2019..2020 only: two
    let cut = 2021 * 12 + 2;
    assert_eq!(current_year_record(&short, cut, 1).len(), 2);
    assert!(recalibration(&short, cut, 1).is_none());
    let raw = vec![vec![1.0; 24], vec![2.0; 24]];
    assert_eq!(
        recalibrate_current_year(&short, cut, raw.clone(), 1).unwrap(),
        raw
    );
}

#[test]
fn cycle_annual_years_after_the_regressions_span_are_the_geometric_mean_of_annual_and_cycle() {
    let d = world();
    let cut = 2012 * 12 + 7;
    let monthly = d.monthly.truncate_to(cut).unwrap();
    let annual = d.annual.truncate_to(2011).unwrap();
    let known: Vec<f64> = (0..8)
        .map(|k| monthly.value_at(2012 * 12 + k).unwrap())
        .collect();
    let ctx = Context {
        monthly: &monthly,
        annual: &annual,
        data_to: cut,
        first_year: 2012,
        known: &known,
        n_years: 6,
    };
    let s = sim(30);
    let base = ctx.annual_paths(s).unwrap();
    let full = ctx.cycle_paths(base.clone(), s, 1.0).unwrap();
    let half = ctx.cycle_paths(base.clone(), s, 0.5).unwrap();
    for ((a, f), h) in base.iter().zip(&full).zip(&half) {
        // 2012 (the current year) as annual; 2013 and 2014 the regression's span, as cycle
        assert_eq!(h[..3], f[..3]);
        assert_eq!(h[0], a[0]);
        assert_ne!(f[1], a[1]);
        for k in 3..6 {
            assert!((h[k] / (a[k] * f[k]).sqrt() - 1.0).abs() < 1e-12, "{k}");
        }
    }
}
