//! Fit + forecast timings for every model on real series: the 198-series M4 yearly sample
//! (the shared benchmark's data, vendored under tests/fixtures) and the built-in worldwide
//! annual series. Run with `cargo bench` (add `-- --reps 20` for more repetitions).
//! Prints the median and min over repetitions, single-threaded, per model; then the market
//! intelligence steps on the built-in monthly data (nowcast, cycle-regression outlook, the
//! comparison with every published forecast); then the seasonal models on the five built-in
//! monthly billings series (m = 12, 24 months ahead).

use chipcast::evaluation::select::{ModelChoice, fit_choice, fit_choice_m};
use chipcast::ingest::{LongFormat, builtin, load_long};
use chipcast::models::ModelSpec;
use chipcast::scenarios::milestone::{Simulation, milestone};
use chipcast::scenarios::{cycle, nowcast, vintage};
use std::path::Path;
use std::time::Instant;

/// A named step to time.
type Step<'a> = (&'a str, Box<dyn Fn() + 'a>);

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn time<F: FnMut()>(reps: usize, mut f: F) -> (f64, f64) {
    f(); // warm-up
    let runs: Vec<f64> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .collect();
    let min = runs.iter().copied().fold(f64::INFINITY, f64::min);
    (median(runs), min)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let reps = args
        .iter()
        .position(|a| a == "--reps")
        .and_then(|i| args.get(i + 1))
        .and_then(|r| r.parse().ok())
        .unwrap_or(10);
    let train =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/m4_yearly_sample/train.csv");
    let (load_med, _) = time(reps, || {
        load_long(&train, &LongFormat::default()).expect("fixture loads");
    });
    let series = load_long(&train, &LongFormat::default())
        .expect("fixture loads")
        .series;
    println!(
        "M4 yearly sample: {} series; read+validate CSV median {:.2} ms ({} reps)",
        series.len(),
        load_med * 1e3,
        reps
    );
    println!(
        "{:<10} {:>14} {:>14} {:>16}",
        "model", "median ms", "min ms", "µs per series"
    );
    let models: Vec<(&str, ModelChoice)> = vec![
        ("naive", ModelChoice::Fixed(ModelSpec::Naive)),
        ("drift", ModelChoice::Fixed(ModelSpec::Drift)),
        ("logdrift", ModelChoice::Fixed(ModelSpec::LogDrift)),
        (
            "loglinear",
            ModelChoice::Fixed(ModelSpec::LogLinear { bias_adjust: false }),
        ),
        ("damped", ModelChoice::Fixed(ModelSpec::Damped)),
        ("ets", ModelChoice::Fixed(ModelSpec::Ets)),
        ("ces", ModelChoice::Fixed(ModelSpec::Ces)),
        ("theta", ModelChoice::Fixed(ModelSpec::Theta)),
        ("dotm", ModelChoice::Fixed(ModelSpec::Dotm)),
        ("arima", ModelChoice::Fixed(ModelSpec::Arima)),
        (
            "scum",
            ModelChoice::Fixed(chipcast::evaluation::select::scum_spec()),
        ),
        ("auto", ModelChoice::Auto),
    ];
    for (name, choice) in models {
        let (med, min) = time(reps, || {
            for s in &series {
                let fitted = fit_choice(s.values(), choice, 6).expect("fits");
                std::hint::black_box(fitted.model.forecast(6, &[80.0, 95.0]));
            }
        });
        println!(
            "{name:<10} {:>14.2} {:>14.2} {:>16.1}",
            med * 1e3,
            min * 1e3,
            med * 1e6 / series.len() as f64
        );
    }
    let world = builtin::series("worldwide").expect("built-in").series;
    let fitted = fit_choice(world.values(), ModelChoice::Auto, 5).expect("fits");
    let (med, min) = time(reps, || {
        std::hint::black_box(milestone(
            &world,
            fitted.model.as_ref(),
            1000.0,
            2030,
            Simulation::default(),
        ));
    });
    println!(
        "milestone, worldwide, {} ({} paths): median {:.2} ms, min {:.2} ms",
        fitted.model.name(),
        Simulation::default().paths,
        med * 1e3,
        min * 1e3
    );
    let monthly = builtin::series("worldwide-monthly")
        .expect("built-in")
        .series;
    let end = monthly.end();
    let steps: Vec<Step> = vec![
        (
            "nowcast 2026 from Jan-Mar (auto: 3 track records)",
            Box::new(|| {
                std::hint::black_box(
                    nowcast::nowcast(&monthly, 2026, 3, None, &[80.0, 95.0], 1992..=2025)
                        .expect("nowcasts"),
                );
            }),
        ),
        (
            "cycle-regression outlook for 2027 (fit + 22-year record)",
            Box::new(|| {
                std::hint::black_box(
                    cycle::outlook(&monthly, end, 2027, &[80.0, 95.0]).expect("forecasts"),
                );
            }),
        ),
        (
            "comparison with all published forecasts (auto)",
            Box::new(|| {
                std::hint::black_box(
                    vintage::compare_with_industry(ModelChoice::Auto).expect("compares"),
                );
            }),
        ),
    ];
    for (name, f) in steps {
        let (med, min) = time(reps, f);
        println!(
            "{name}: median {:.2} ms, min {:.2} ms",
            med * 1e3,
            min * 1e3
        );
    }
    let regions = ["worldwide", "americas", "europe", "japan", "asia-pacific"];
    let monthly: Vec<_> = regions
        .iter()
        .map(|r| {
            builtin::series(&format!("{r}-monthly"))
                .expect("built-in")
                .series
        })
        .collect();
    println!(
        "seasonal, {} built-in monthly series ({} months each), m = 12, h = 24:",
        monthly.len(),
        monthly[0].len()
    );
    println!(
        "{:<10} {:>14} {:>14} {:>16}",
        "model", "median ms", "min ms", "ms per series"
    );
    let seasonal: Vec<(&str, ModelChoice)> = vec![
        ("snaive", ModelChoice::Fixed(ModelSpec::SNaive)),
        ("theta", ModelChoice::Fixed(ModelSpec::Theta)),
        ("otm", ModelChoice::Fixed(ModelSpec::Otm)),
        ("ets", ModelChoice::Fixed(ModelSpec::Ets)),
        ("mstl", ModelChoice::Fixed(ModelSpec::Mstl)),
        ("arima", ModelChoice::Fixed(ModelSpec::Arima)),
        ("auto", ModelChoice::Auto),
    ];
    let reps_s = reps.min(3);
    for (name, choice) in seasonal {
        let (med, min) = time(reps_s, || {
            for s in &monthly {
                let fitted = fit_choice_m(s.values(), 12, choice, 24).expect("fits");
                std::hint::black_box(fitted.model.forecast(24, &[80.0, 95.0]));
            }
        });
        println!(
            "{name:<10} {:>14.2} {:>14.2} {:>16.2}",
            med * 1e3,
            min * 1e3,
            med * 1e3 / monthly.len() as f64
        );
    }
}
