//! `chipcast nowcast`: this year's total from the months already known, with intervals from
//! the nowcast's own track record, and how it tightens month by month.

use super::print;
use super::resolve;
use anyhow::{Context, bail};
use chipcast::ingest::builtin;
use chipcast::outputs::chart::NowcastChart;
use chipcast::outputs::report::{grouped, num, pct};
use chipcast::outputs::table::{Table, Values};
use chipcast::scenarios::cycle;
use chipcast::scenarios::nowcast::{NowcastMethod, nowcast, track_record};
use chipcast::scenarios::projection::validate_levels;
use chipcast::series::MarketSeries;
use clap::{Args, ValueEnum};
use comfy_table::presets::UTF8_BORDERS_ONLY;
use std::fmt::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Method {
    /// Per number of known months, the method with the lower backtest error
    Auto,
    /// Trend + month effects on ln(billings), last 36 months (linfa-linear)
    Regression,
    /// Last year's remaining months × year-to-date growth
    YtdGrowth,
    /// Seasonally adjusted run-rate of the last 3 months × the remaining months' share of the year
    RunRate,
}

#[derive(Debug, Args)]
pub(crate) struct NowcastArgs {
    /// Built-in region (worldwide, americas, europe, japan, asia-pacific); monthly billings are used
    #[arg(long, default_value = "worldwide")]
    series: String,
    /// Use only months up to this one (YYYY-MM) [default: all data, to 2026-03]
    #[arg(long, value_name = "YYYY-MM")]
    as_of: Option<String>,
    /// Year to nowcast [default: the year of the last month used]
    #[arg(long)]
    year: Option<i64>,
    /// How the remaining months are forecast
    #[arg(long, value_enum, default_value_t = Method::Auto)]
    method: Method,
    /// First year of the backtest that sets the intervals
    #[arg(long, default_value_t = 1992)]
    from_year: i64,
    /// Interval level in percent; repeat for several
    #[arg(long = "level", value_name = "PERCENT", default_values_t = [80.0, 95.0])]
    levels: Vec<f64>,
    /// Chart of the nowcast after each known month: .png or .svg
    #[arg(long, value_name = "FILE")]
    chart: Option<PathBuf>,
    /// Write the month-by-month nowcasts and the track record, long with a `table` column:
    /// .csv, .json, .parquet, or - for CSV on stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Write the next two years' cycle-regression forecasts: .csv, .json, .parquet, or -
    #[arg(long, value_name = "FILE")]
    next_output: Option<PathBuf>,
    /// Sample paths of the market model's headline
    #[arg(long, default_value_t = super::market::PATHS)]
    paths: usize,
    /// Random seed of the market model's paths
    #[arg(long, default_value_t = super::market::SEED)]
    seed: u64,
    /// Milestone of the market model's headline (USD bn)
    #[arg(long, default_value_t = 1000.0)]
    target: f64,
    /// Year of the headline's milestone probability
    #[arg(long, default_value_t = 2030)]
    by: i64,
}

pub(crate) fn run(a: NowcastArgs) -> anyhow::Result<()> {
    super::check_paths(
        &[],
        &[
            ("--output", a.output.as_deref()),
            ("--chart", a.chart.as_deref()),
            ("--next-output", a.next_output.as_deref()),
        ],
    )?;
    validate_levels(&a.levels)?;
    let name = format!("{}-monthly", a.series.trim_end_matches("-monthly"));
    let full = builtin::series(&name)?.series;
    let monthly = match &a.as_of {
        Some(text) => {
            let cut = resolve::builtin_as_of_month(text)?;
            full.truncate_to(cut)?
        }
        None => full.clone(),
    };
    let last_year = monthly.end().div_euclid(12);
    let last_month = (monthly.end().rem_euclid(12) + 1) as u32;
    let year = a.year.unwrap_or(last_year);
    let first_year = monthly.start().div_euclid(12);
    if !(first_year < year && year <= last_year + 1) {
        bail!(
            "--year {year} is outside the years a nowcast can be made for with this data ({} to {}); the monthly data run from {} to {}",
            first_year + 1,
            last_year + 1,
            monthly.kind().format(monthly.start()),
            monthly.kind().format(monthly.end())
        );
    }
    if !(first_year <= a.from_year && a.from_year < year) {
        bail!(
            "--from-year {} must lie from the first year of data ({first_year}) to the year before the nowcast ({})",
            a.from_year,
            year - 1
        );
    }
    if a.next_output.is_some() && year != last_year {
        bail!(
            "--next-output needs the nowcast year to be the last year of data ({last_year}), not {year}"
        );
    }
    let method = match a.method {
        Method::Auto => None,
        Method::Regression => Some(NowcastMethod::Regression),
        Method::YtdGrowth => Some(NowcastMethod::YtdGrowth),
        Method::RunRate => Some(NowcastMethod::RunRate),
    };
    // months of `year` known in the data used
    let known_now: u32 = if year < last_year {
        12
    } else if year == last_year {
        last_month
    } else {
        0
    };
    if known_now == 0 {
        bail!(
            "no month of {year} is in the data used (last month {}); choose --year {last_year} or earlier",
            monthly.kind().format(monthly.end())
        );
    }
    let actual_total: Option<f64> = (0..12).map(|m| full.value_at(year * 12 + m)).sum();
    let steps: Vec<u32> = (1..=known_now.min(11)).collect();
    let mut rows = Vec::new();
    for &k in &steps {
        rows.push(nowcast(
            &monthly,
            year,
            k,
            method,
            &a.levels,
            a.from_year..=year - 1,
        )?);
    }
    let mut s = String::new();
    let _ = writeln!(
        s,
        "chipcast nowcast — {name}: built-in wsts_monthly_raw (WSTS HBR May-2026 vintage), data to {}",
        monthly.kind().format(monthly.end())
    );
    // the market model on the same months: the figure every other command prints
    if year == last_year || (year == last_year + 1 && last_month == 12) {
        let data = super::market::data(&a.series)?;
        let p = super::market::paths(
            &data,
            monthly.end(),
            chipcast::scenarios::milestone::Simulation {
                paths: a.paths,
                seed: a.seed,
            },
        )?;
        let _ = writeln!(
            s,
            "\n{}The nowcast below (known months + a forecast of the rest) is one input of the market model: its `annual` and `cycle` parts start from it.",
            chipcast::outputs::market::headline(&p, a.target, a.by, "USD bn")
        );
    }
    if known_now == 12 {
        let _ = writeln!(
            s,
            "{year} is complete in the data: total {} USD bn.",
            num(actual_total.unwrap_or(f64::NAN))
        );
    }
    if let Some(now) = rows.last() {
        let iv: Vec<String> = now
            .intervals
            .iter()
            .map(|(l, lo, hi)| format!("{l}%: {}–{}", num(*lo), num(*hi)))
            .collect();
        let _ = writeln!(
            s,
            "\nNowcast of {year} after {} known month(s) ({} USD bn so far): {} USD bn [{}], method {}",
            now.known,
            num(now.known_sum),
            num(now.point),
            iv.join("; "),
            now.method.name()
        );
        let _ = writeln!(
            s,
            "Intervals: nowcast · exp(±z · RMSE of ln(actual/nowcast)) over {} earlier years ({}–{}) with the same months known.",
            now.record.years.len(),
            now.record.years.first().copied().unwrap_or(0),
            now.record.years.last().copied().unwrap_or(0)
        );
    }
    // the next two years, when the data run to the year being nowcast
    if year == last_year {
        s.push_str(&next_years(
            &monthly,
            &name,
            year,
            &a.levels,
            a.next_output.as_deref(),
        )?);
    }
    // how the nowcast tightens: track record of every method by known months
    let methods = [
        NowcastMethod::Regression,
        NowcastMethod::YtdGrowth,
        NowcastMethod::RunRate,
    ];
    let mut t = chipcast::outputs::report::text_table();
    let mut header = vec!["known months".to_string()];
    header.extend(methods.iter().map(|m| format!("{} MAPE", m.name())));
    header.extend(methods.iter().map(|m| format!("{} bias", m.name())));
    header.push("years".into());
    t.load_preset(UTF8_BORDERS_ONLY).set_header(header);
    // (known months, method, MAPE %, bias, years), for the export
    let mut record: Vec<(i64, &str, f64, f64, usize)> = Vec::new();
    for k in 1..=11 {
        let recs: Vec<_> = methods
            .iter()
            .map(|&m| track_record(&monthly, a.from_year..=year - 1, k, m))
            .collect();
        for (m, r) in methods.iter().zip(&recs) {
            record.push((
                i64::from(k),
                m.name(),
                r.mape(),
                r.bias().exp_m1(),
                r.years.len(),
            ));
        }
        let mut row = vec![k.to_string()];
        row.extend(recs.iter().map(|r| format!("{:.2}%", r.mape())));
        row.extend(recs.iter().map(|r| pct(r.bias().exp_m1())));
        row.push(recs[0].years.len().to_string());
        t.add_row(row);
    }
    let _ = writeln!(
        s,
        "\nTrack record: error of the full-year nowcast by months known, {}–{} (bias > 0: nowcasts too low):\n{t}",
        a.from_year,
        year - 1
    );
    let mut m = chipcast::outputs::report::text_table();
    m.load_preset(UTF8_BORDERS_ONLY).set_header(vec![
        "known months",
        "nowcast",
        "method",
        "lo95",
        "hi95",
        "actual",
    ]);
    for r in &rows {
        let (lo, hi) = r
            .intervals
            .iter()
            .find(|i| (i.0 - 95.0).abs() < 1e-9)
            .map(|i| (i.1, i.2))
            .unwrap_or((f64::NAN, f64::NAN));
        m.add_row(vec![
            r.known.to_string(),
            grouped(r.point),
            r.method.name().to_string(),
            grouped(lo),
            grouped(hi),
            actual_total.map(grouped).unwrap_or_default(),
        ]);
    }
    let _ = writeln!(s, "Nowcasts of {year} month by month:\n{m}");
    if let Some(path) = &a.output {
        let mut table = Table::default()
            .with("year", Values::Int(rows.iter().map(|r| r.year).collect()))
            .with(
                "known_months",
                Values::Int(rows.iter().map(|r| i64::from(r.known)).collect()),
            )
            .with(
                "known_sum",
                Values::floats(rows.iter().map(|r| r.known_sum)),
            )
            .with(
                "method",
                Values::Text(rows.iter().map(|r| r.method.name().to_string()).collect()),
            )
            .with("nowcast", Values::floats(rows.iter().map(|r| r.point)));
        for (j, l) in a.levels.iter().enumerate() {
            table = table
                .with(
                    &format!("lo{l}"),
                    Values::floats(rows.iter().map(|r| r.intervals[j].1)),
                )
                .with(
                    &format!("hi{l}"),
                    Values::floats(rows.iter().map(|r| r.intervals[j].2)),
                );
        }
        table = table.with(
            "actual",
            Values::Float(rows.iter().map(|_| actual_total).collect()),
        );
        let track = Table::default()
            .with(
                "known_months",
                Values::Int(record.iter().map(|r| r.0).collect()),
            )
            .with(
                "method",
                Values::Text(record.iter().map(|r| r.1.to_string()).collect()),
            )
            .with("mape_pct", Values::floats(record.iter().map(|r| r.2)))
            .with("bias", Values::floats(record.iter().map(|r| r.3)))
            .with(
                "years",
                Values::Int(record.iter().map(|r| r.4 as i64).collect()),
            );
        let mut table = Table::stack("table", vec![("nowcasts", table), ("track_record", track)])?;
        table.metadata = vec![
            ("chipcast.version".into(), env!("CARGO_PKG_VERSION").into()),
            (
                "chipcast.data_source".into(),
                "chipcast built-in wsts_monthly_raw.csv (WSTS HBR May-2026 vintage)".into(),
            ),
            ("chipcast.series".into(), name.clone()),
            (
                "chipcast.data_to".into(),
                monthly.kind().format(monthly.end()),
            ),
        ];
        table
            .write(path)
            .with_context(|| "writing the nowcast table")?;
        let _ = writeln!(s, "Table written to {}", path.display());
    }
    if let Some(c) = &a.chart {
        NowcastChart {
            title: format!("{} sales {year}: nowcast after each known month", capitalise(name.trim_end_matches("-monthly"))),
            subtitle: format!("known months + forecast of the rest; bands from the {}–{} track record", a.from_year, year - 1),
            nowcasts: &rows,
            actual: actual_total,
            target: Some((1000.0, "$1T".to_string())),
            published: if name.trim_end_matches("-monthly") == "worldwide" {
                chipcast::evaluation::industry::published_forecasts()?
                    .into_iter()
                    .filter(|p| p.target_year == year)
                    .map(|p| (format!("{} {}", p.forecaster, p.published), p.value))
                    .collect()
            } else {
                Vec::new()
            },
            footnote: format!("Source: WSTS Historical Billings Report, May-2026 vintage (built-in wsts_monthly_raw). Chart: chipcast {}.", env!("CARGO_PKG_VERSION")),
        }
        .write(c)
        .with_context(|| "drawing the nowcast chart")?;
        let _ = writeln!(s, "Chart written to {}", c.display());
    }
    print(&s)
}

/// The next two years after `year` by the cycle regression, as text; written to `output` too.
fn next_years(
    monthly: &MarketSeries,
    name: &str,
    year: i64,
    levels: &[f64],
    output: Option<&Path>,
) -> anyhow::Result<String> {
    let mut s = String::new();
    let mut o = chipcast::outputs::report::text_table();
    let mut header = vec!["year".to_string(), "forecast".to_string()];
    header.extend(levels.iter().map(|l| format!("{l}% interval")));
    header.extend([
        "record MAPE".to_string(),
        "record years".to_string(),
        "run-rate".to_string(),
        "momentum".to_string(),
        "trend gap".to_string(),
    ]);
    o.load_preset(UTF8_BORDERS_ONLY).set_header(header);
    let outlooks: Vec<cycle::CycleOutlook> = [year + 1, year + 2]
        .into_iter()
        .filter_map(|target| cycle::outlook(monthly, monthly.end(), target, levels).ok())
        .collect();
    for c in &outlooks {
        let f = &c.forecast;
        let target = f.target_year;
        let mut row = vec![target.to_string(), grouped(f.point)];
        row.extend(
            c.intervals
                .iter()
                .map(|(_, lo, hi)| format!("{}–{}", grouped(*lo), grouped(*hi))),
        );
        row.extend([
            format!("{:.1}%", c.record.mape()),
            format!(
                "{}–{} ({})",
                c.record.years.first().copied().unwrap_or(0),
                c.record.years.last().copied().unwrap_or(0),
                c.record.years.len()
            ),
            grouped(f.features.run_rate),
            pct(f.features.momentum.exp_m1()),
            pct(f.features.trend_gap.exp_m1()),
        ]);
        o.add_row(row);
    }
    if !outlooks.is_empty() {
        let _ = writeln!(
            s,
            "\nThe next two years by the cycle regression: the seasonally adjusted run-rate of the last 3 months, moved by the latest quarter's momentum and the run-rate's distance from its {}-year trend, as earlier years say (OLS on every earlier month-end whose target was complete). Intervals: forecast · exp(±z · RMSE) of the same forecast made each earlier year at this month of the year.\n{o}",
            cycle::TREND_YEARS
        );
    }
    if let Some(path) = output {
        if outlooks.is_empty() {
            bail!(
                "--next-output: the cycle regression has too little history at {}",
                monthly.kind().format(monthly.end())
            );
        }
        let col = |f: &dyn Fn(&cycle::CycleOutlook) -> f64| Values::floats(outlooks.iter().map(f));
        let mut table = Table::default()
            .with(
                "data_to",
                Values::Text(
                    outlooks
                        .iter()
                        .map(|c| monthly.kind().format(c.forecast.data_to))
                        .collect(),
                ),
            )
            .with(
                "target_year",
                Values::Int(outlooks.iter().map(|c| c.forecast.target_year).collect()),
            )
            .with("forecast", col(&|c| c.forecast.point));
        for (j, l) in levels.iter().enumerate() {
            table = table
                .with(&format!("lo{l}"), col(&|c| c.intervals[j].1))
                .with(&format!("hi{l}"), col(&|c| c.intervals[j].2));
        }
        table = table
            .with("run_rate", col(&|c| c.forecast.features.run_rate))
            .with("momentum_log", col(&|c| c.forecast.features.momentum))
            .with("trend_gap_log", col(&|c| c.forecast.features.trend_gap))
            .with("intercept", col(&|c| c.forecast.intercept))
            .with("momentum_coef", col(&|c| c.forecast.momentum_coef))
            .with("trend_gap_coef", col(&|c| c.forecast.trend_gap_coef))
            .with(
                "training_origins",
                Values::Int(outlooks.iter().map(|c| c.forecast.origins as i64).collect()),
            )
            .with("record_mape_pct", col(&|c| c.record.mape()))
            .with(
                "record_years",
                Values::Int(
                    outlooks
                        .iter()
                        .map(|c| c.record.years.len() as i64)
                        .collect(),
                ),
            );
        table.metadata = vec![
            ("chipcast.version".into(), env!("CARGO_PKG_VERSION").into()),
            (
                "chipcast.data_source".into(),
                "chipcast built-in wsts_monthly_raw.csv (WSTS HBR May-2026 vintage)".into(),
            ),
            ("chipcast.series".into(), name.to_string()),
            (
                "chipcast.model".into(),
                "cycle regression (scenarios::cycle)".into(),
            ),
            ("chipcast.unit".into(), "USD bn".into()),
        ];
        table
            .write(path)
            .with_context(|| "writing the next-years table")?;
        let _ = writeln!(s, "Next-years table written to {}", path.display());
    }
    Ok(s)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}
