//! `chipcast backtest`: rolling-origin accuracy of every model on the built-in series, and
//! chipcast against the industry's published forecasts.

use super::print;
use super::resolve;
use super::{ModelArgs, ModelName};
use anyhow::{Context, bail};
use chipcast::evaluation::accuracy::evaluate;
use chipcast::evaluation::backtest::Split;
use chipcast::evaluation::select::ModelChoice;
use chipcast::ingest::builtin;

use chipcast::evaluation::industry::{Comparison, DATA_LAG_MONTHS, summarize};
use chipcast::outputs::chart::BacktestChart;
use chipcast::outputs::table::{Table, Values};
use chipcast::scenarios::vintage::compare_with_industry;
use clap::Args;
use comfy_table::{CellAlignment, presets::UTF8_BORDERS_ONLY};
use rayon::prelude::*;
use std::fmt::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(crate) struct BacktestArgs {
    /// Built-in annual series to evaluate, comma-separated
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "worldwide,americas,europe,japan,asia-pacific"
    )]
    series: Vec<String>,
    /// Models to evaluate, comma-separated
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "naive,drift,logdrift,loglinear,piecewise,damped,ets,ces,theta,dotm,arima,scum,select,auto"
    )]
    models: Vec<ModelName>,
    /// First forecast origin (last training year of the first split)
    #[arg(long, default_value_t = 2000)]
    from: i64,
    /// Horizons 1..=H
    #[arg(long, short = 'H', default_value_t = 5)]
    horizon: usize,
    /// Backtest as it could have been run then: YEAR or YYYY-MM (complete years only; only
    /// published forecasts out by then whose target year had ended)
    #[arg(long, value_name = "PERIOD")]
    as_of: Option<String>,
    /// Skip the comparison with published industry forecasts
    #[arg(long)]
    no_industry: bool,
    /// Annual model for the industry comparison [default: auto]
    #[command(flatten)]
    model: ModelArgs,
    /// Chart of the industry comparison: .png or .svg
    #[arg(long, value_name = "FILE")]
    chart: Option<PathBuf>,
    /// Write every printed table, long with a `table` column (README): .csv, .json,
    /// .parquet, or - for CSV on stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Instead: the backtest that chose the market model (every month-end origin
    /// 1997-01..2025-12, calendar-year totals 0-5 years ahead, every candidate), as Markdown
    #[arg(long)]
    market: bool,
}

/// The market-model backtest table (what the README shows), with its run time on stderr.
fn market_backtest() -> anyhow::Result<()> {
    use chipcast::market::{self, Candidate, MarketData};
    let t = std::time::Instant::now();
    let data = MarketData::new(
        builtin::series("worldwide")?.series,
        builtin::series("worldwide-monthly")?.series,
    )?;
    let bt = market::backtest::run(
        &data,
        market::backtest::ORIGINS,
        &Candidate::ALL,
        chipcast::scenarios::milestone::Simulation {
            paths: market::backtest::PATHS,
            seed: 42,
        },
    )?;
    print(&bt.markdown())?;
    eprintln!("market backtest: {:.1} s wall", t.elapsed().as_secs_f64());
    Ok(())
}

fn model_choice(n: ModelName, m: &ModelArgs) -> anyhow::Result<ModelChoice> {
    let probe = ModelArgs {
        model: Some(n),
        ..m.clone()
    };
    Ok(resolve::choice(&probe)?.1)
}

pub(crate) fn run(a: BacktestArgs) -> anyhow::Result<()> {
    if a.market {
        return market_backtest();
    }
    super::check_paths(
        &[("--regressors", a.model.regressors.as_deref())],
        &[
            ("--output", a.output.as_deref()),
            ("--chart", a.chart.as_deref()),
        ],
    )?;
    // the last month known, and the last complete year
    let cut = match &a.as_of {
        Some(text) => Some(resolve::builtin_as_of_month(text)?),
        None => None,
    };
    let last_year = cut.map(|c| (c + 1).div_euclid(12) - 1);
    chipcast::limits::check_horizon("--horizon", a.horizon as u128)?;
    if !(1990..=2030).contains(&a.from) {
        bail!(
            "--from {} is outside the origins the built-in annual data allow (1990 to 2030; the data start in 1986)",
            a.from
        );
    }
    if let Some(y) = last_year {
        if y <= a.from {
            bail!(
                "--as-of {} leaves complete years to {y}, so no origin from --from {} has a year to score; use a later --as-of or an earlier --from",
                a.as_of.as_deref().unwrap_or(""),
                a.from
            );
        }
    }
    let mut s = String::new();
    let _ = writeln!(
        s,
        "chipcast backtest — built-in WSTS annual series (May-2026 vintage){}; origins from {}, horizons 1-{}, every fit uses only years before its origin",
        last_year
            .map(|y| format!(", as of {}: years to {y}", a.as_of.as_deref().unwrap_or("")))
            .unwrap_or_default(),
        a.from,
        a.horizon
    );
    let jobs: Vec<(String, ModelName)> = a
        .series
        .iter()
        .flat_map(|sname| a.models.iter().map(move |m| (sname.clone(), *m)))
        .collect();
    let results: Vec<
        anyhow::Result<(
            String,
            ModelName,
            Option<chipcast::evaluation::accuracy::Scores>,
        )>,
    > = jobs
        .par_iter()
        .map(|(sname, m)| {
            let full = builtin::series(sname)?.series;
            let series = match last_year {
                Some(yr) => full.truncate_to(yr)?,
                None => full,
            };
            let y = series.values();
            let first = (a.from - series.start() + 1).max(8) as usize;
            let splits: Vec<Split> = (first..y.len())
                .map(|train_end| Split {
                    train_end,
                    horizon: a.horizon.min(y.len() - train_end),
                })
                .collect();
            Ok((
                sname.clone(),
                *m,
                evaluate(y, model_choice(*m, &a.model)?, &splits),
            ))
        })
        .collect();
    let mut t = chipcast::outputs::report::text_table();
    t.load_preset(UTF8_BORDERS_ONLY).set_header(vec![
        "series", "model", "origins", "sMAPE", "MASE", "cov80", "cov95", "MSIS",
    ]);
    let mut accuracy: Vec<(
        String,
        String,
        Option<chipcast::evaluation::accuracy::Scores>,
    )> = Vec::new();
    for r in results {
        let (sname, m, scores) = r?;
        accuracy.push((sname.clone(), m_label(m), scores.clone()));
        match scores {
            Some(sc) => t.add_row(vec![
                sname,
                m_label(m),
                sc.origins.to_string(),
                format!("{:.2}", sc.smape),
                format!("{:.3}", sc.mase),
                format!("{:.2}", sc.cov80),
                format!("{:.2}", sc.cov95),
                format!("{:.2}", sc.msis),
            ]),
            None => t.add_row(vec![
                sname,
                m_label(m),
                "0".into(),
                "".into(),
                "".into(),
                "".into(),
                "".into(),
                "".into(),
            ]),
        };
    }
    for i in 2..8 {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    let _ = writeln!(s, "{t}");

    let (name, _) = resolve::choice(&a.model)?;
    let mut industry: Option<Vec<Comparison>> = None;
    if !a.no_industry {
        let (name, choice) = resolve::choice(&a.model)?;
        let market = a.model.model.is_none();
        let mut rows = if market {
            chipcast::market::compare_with_published(
                &super::market::data("worldwide")?,
                chipcast::evaluation::industry::published_forecasts()?,
                chipcast::scenarios::milestone::Simulation {
                    paths: a.model.paths,
                    seed: a.model.seed,
                },
            )
        } else {
            compare_with_industry(choice)?
        };
        if let Some(c) = cut {
            rows.retain(|r| r.scorable_at(c));
        }
        let how = if market {
            format!(
                "chipcast is the market model ({}), its paths made from the monthly data to {} months before each publication date, the point their median for the target year (the figure `forecast --as-of` prints for that month).",
                chipcast::market::Candidate::DEFAULT.name(),
                DATA_LAG_MONTHS
            )
        } else {
            format!(
                "chipcast uses monthly data to {} months before each publication date: for the year of its last month the known months plus a nowcast of the rest (the method with the better track record, in practice the seasonally adjusted run-rate), for the next two years the cycle regression (run-rate × momentum and distance from the 10-year trend, learnt from earlier years only), and the {} model beyond.",
                DATA_LAG_MONTHS,
                name_label(name)
            )
        };
        let _ = writeln!(
            s,
            "\nchipcast vs published forecasts of the worldwide total ({} forecasts with a WSTS actual{}). {how} Horizon 0 = the publication year, 1 = the next year. Difference = chipcast − industry absolute % error, paired; an interval containing 0 means the two cannot be told apart on these forecasts.",
            rows.len(),
            a.as_of
                .as_ref()
                .map(|t| format!(", out and scorable by {t}"))
                .unwrap_or_default(),
        );

        let _ = writeln!(s, "{}", industry_table(&rows));
        let _ = writeln!(
            s,
            "Gartner and IDC measure vendor revenue with a different scope from WSTS billings (Gartner 2024 = 655.9 vs WSTS 630.5), so part of their error is definitional."
        );
        if let Some(c) = &a.chart {
            BacktestChart {
                title: "Forecast error by forecaster and horizon: industry vs chipcast".into(),
                subtitle: "mean absolute % error vs the WSTS actual; chipcast uses only data available at each publication date".into(),
                groups: summarize(&rows).into_iter().map(|g| (format!("{} h{} (n={})", g.forecaster, g.horizon, g.n), g.industry_mape, g.chipcast_mape)).collect(),
                footnote: format!("Sources: built-in forecast_vintages.csv (publishers named per row), WSTS HBR May-2026. chipcast {}.", env!("CARGO_PKG_VERSION")),
            }
            .write(c)
            .with_context(|| "drawing the backtest chart")?;
            let _ = writeln!(s, "Chart written to {}", c.display());
        }
        industry = Some(rows);
    }
    if let Some(path) = &a.output {
        export(&accuracy, industry.as_deref(), name)?
            .write(path)
            .with_context(|| "writing the backtest tables")?;
        if !chipcast::outputs::atomic::is_stdout(path) {
            let _ = writeln!(s, "Tables written to {}", path.display());
        }
    }
    print(&s)
}

/// Every table the report prints, as one long table with a `table` column: `accuracy`
/// (one row per series and model), then, unless `--no-industry`, `industry_summary` (per
/// forecaster and horizon) and `industry_forecasts` (one row per published forecast).
fn export(
    accuracy: &[(
        String,
        String,
        Option<chipcast::evaluation::accuracy::Scores>,
    )],
    industry: Option<&[Comparison]>,
    name: ModelName,
) -> anyhow::Result<Table> {
    let score = |f: fn(&chipcast::evaluation::accuracy::Scores) -> f64| {
        Values::Float(accuracy.iter().map(|r| r.2.as_ref().map(f)).collect())
    };
    let acc = Table::default()
        .with(
            "series",
            Values::Text(accuracy.iter().map(|r| r.0.clone()).collect()),
        )
        .with(
            "model",
            Values::Text(accuracy.iter().map(|r| r.1.clone()).collect()),
        )
        .with(
            "origins",
            Values::Int(
                accuracy
                    .iter()
                    .map(|r| r.2.as_ref().map_or(0, |s| s.origins as i64))
                    .collect(),
            ),
        )
        .with("smape", score(|s| s.smape))
        .with("mase", score(|s| s.mase))
        .with("cov80", score(|s| s.cov80))
        .with("cov95", score(|s| s.cov95))
        .with("msis", score(|s| s.msis));
    let mut parts = vec![("accuracy", acc)];
    if let Some(rows) = industry {
        let sums = summarize(rows);
        let summary = Table::default()
            .with(
                "forecaster",
                Values::Text(sums.iter().map(|g| g.forecaster.clone()).collect()),
            )
            .with(
                "horizon",
                Values::Int(sums.iter().map(|g| g.horizon).collect()),
            )
            .with("n", Values::Int(sums.iter().map(|g| g.n as i64).collect()))
            .with(
                "industry_mape",
                Values::floats(sums.iter().map(|g| g.industry_mape)),
            )
            .with(
                "chipcast_mape",
                Values::floats(sums.iter().map(|g| g.chipcast_mape)),
            )
            .with(
                "chipcast_closer",
                Values::Int(sums.iter().map(|g| g.chipcast_closer as i64).collect()),
            )
            .with(
                "difference_lo95",
                Values::Float(
                    sums.iter()
                        .map(|g| g.difference_ci95.map(|d| d.0))
                        .collect(),
                ),
            )
            .with(
                "difference_hi95",
                Values::Float(
                    sums.iter()
                        .map(|g| g.difference_ci95.map(|d| d.1))
                        .collect(),
                ),
            );
        parts.push(("industry_summary", summary));
        let forecasts = Table::default()
            .with(
                "forecaster",
                Values::Text(
                    rows.iter()
                        .map(|r| r.published.forecaster.clone())
                        .collect(),
                ),
            )
            .with(
                "published",
                Values::Text(rows.iter().map(|r| r.published.published.clone()).collect()),
            )
            .with(
                "target_year",
                Values::Int(rows.iter().map(|r| r.published.target_year).collect()),
            )
            .with(
                "horizon",
                Values::Int(rows.iter().map(|r| r.horizon).collect()),
            )
            .with(
                "industry",
                Values::floats(rows.iter().map(|r| r.published.value)),
            )
            .with(
                "chipcast",
                Values::floats(rows.iter().map(|r| r.chipcast.point)),
            )
            .with(
                "chipcast_how",
                Values::Text(rows.iter().map(|r| r.chipcast.how.clone()).collect()),
            )
            .with("actual", Values::floats(rows.iter().map(|r| r.actual)))
            .with(
                "industry_ape",
                Values::floats(rows.iter().map(|r| r.industry_ape())),
            )
            .with(
                "chipcast_ape",
                Values::floats(rows.iter().map(|r| r.chipcast_ape())),
            )
            .with(
                "dataset_line",
                Values::Int(rows.iter().map(|r| r.published.line as i64).collect()),
            );
        parts.push(("industry_forecasts", forecasts));
    }
    let mut out = Table::stack("table", parts)?;
    out.metadata = vec![
        ("chipcast.version".into(), env!("CARGO_PKG_VERSION").into()),
        (
            "chipcast.data_source".into(),
            "built-in wsts_annual.csv, wsts_regional_annual.csv, forecast_vintages.csv, wsts_monthly_raw.csv".into(),
        ),
        ("chipcast.model".into(), name_label(name)),
        ("chipcast.data_lag_months".into(), DATA_LAG_MONTHS.to_string()),
    ];
    Ok(out)
}

fn m_label(m: ModelName) -> String {
    name_label(m)
}

fn name_label(m: ModelName) -> String {
    m.label().to_string()
}

fn industry_table(rows: &[Comparison]) -> String {
    let mut t = chipcast::outputs::report::text_table();
    t.load_preset(UTF8_BORDERS_ONLY).set_header(vec![
        "forecaster",
        "horizon",
        "n",
        "industry MAPE %",
        "chipcast MAPE %",
        "chipcast closer",
        "difference, 95% CI",
    ]);
    for g in summarize(rows) {
        t.add_row(vec![
            g.forecaster,
            g.horizon.to_string(),
            g.n.to_string(),
            format!("{:.2}", g.industry_mape),
            format!("{:.2}", g.chipcast_mape),
            format!("{}/{}", g.chipcast_closer, g.n),
            g.difference_ci95
                .map(|(lo, hi)| format!("{lo:+.2} to {hi:+.2}"))
                .unwrap_or_default(),
        ]);
    }
    for i in 1..7 {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    t.to_string()
}
