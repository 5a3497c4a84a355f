//! Criterion benchmarks: fit + 6-step forecast with 80/95% intervals of every model family
//! on all 198 series of the M4 yearly sample (the shared benchmark's data), one thread.
//! Run: `cargo bench -p chipcast-bench` (results in target/criterion/).

use chipcast::evaluation::select::{ModelChoice, fit_choice};
use chipcast::ingest::{LongFormat, load_long};
use chipcast::models::ModelSpec;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;

fn series() -> Vec<Vec<f64>> {
    let train = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/m4_yearly_sample/train.csv");
    load_long(&train, &LongFormat::default())
        .expect("fixture loads")
        .series
        .iter()
        .map(|s| s.values().to_vec())
        .collect()
}

fn models(c: &mut Criterion) {
    let data = series();
    let mut group = c.benchmark_group("m4_yearly_198_series");
    group.sample_size(10);
    let choices: Vec<(&str, ModelChoice)> = vec![
        ("naive", ModelChoice::Fixed(ModelSpec::Naive)),
        ("drift", ModelChoice::Fixed(ModelSpec::Drift)),
        (
            "loglinear",
            ModelChoice::Fixed(ModelSpec::LogLinear { bias_adjust: false }),
        ),
        ("piecewise", ModelChoice::Fixed(ModelSpec::Piecewise)),
        ("damped", ModelChoice::Fixed(ModelSpec::Damped)),
        ("ets", ModelChoice::Fixed(ModelSpec::Ets)),
        ("theta", ModelChoice::Fixed(ModelSpec::Theta)),
        ("dotm", ModelChoice::Fixed(ModelSpec::Dotm)),
        ("autotheta", ModelChoice::Fixed(ModelSpec::AutoTheta)),
        ("arima", ModelChoice::Fixed(ModelSpec::Arima)),
        ("ces", ModelChoice::Fixed(ModelSpec::Ces)),
        (
            "gompertz",
            ModelChoice::Fixed(ModelSpec::Gompertz { cap: None }),
        ),
        ("auto", ModelChoice::Auto),
    ];
    for (name, choice) in choices {
        group.bench_function(name, |b| {
            b.iter(|| {
                for y in &data {
                    if let Ok(f) = fit_choice(black_box(y), choice, 6) {
                        black_box(f.model.forecast(6, &[80.0, 95.0]));
                    }
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, models);
criterion_main!(benches);
