//! `nowcast`'s report, its two tables (the long nowcast table of `-o`, the next years of
//! `--next-output`) and its chart.

use super::super::chart::NowcastChart;
use super::super::market::headline_of;
use super::super::report::{grouped, num, pct, text_table};
use super::super::table::{Table, Values};
use crate::commands::nowcast::{METHODS, NowcastResult};
use crate::commands::provenance;
use crate::error::Result;
use crate::scenarios::cycle::{self, CycleOutlook};
use comfy_table::presets::UTF8_BORDERS_ONLY;
use std::fmt::Write;

/// The report, as `chipcast nowcast` prints it.
pub fn report(r: &NowcastResult) -> String {
    let year = r.year;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "chipcast nowcast — {}: built-in wsts_monthly_raw ({}), data to {}",
        r.series,
        provenance::hbr_vintage(),
        r.data_to
    );
    if let Some(h) = &r.market {
        let _ = writeln!(
            s,
            "\n{}The nowcast below (known months + a forecast of the rest) is one input of the market model: its `annual` and `cycle` parts start from it.",
            headline_of(h, r.unit)
        );
    }
    if r.known_months == 12 {
        let _ = writeln!(
            s,
            "{year} is complete in the data: total {} USD bn.",
            num(r.actual.unwrap_or(f64::NAN))
        );
    }
    if let Some(now) = r.nowcasts.last() {
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
    s.push_str(&next_years(r));
    // MAPE and bias as two tables, each fitting 80 columns
    let record_table =
        |what: &str, cell: &dyn Fn(&crate::commands::nowcast::TrackRow) -> String| {
            let mut t = text_table();
            let mut header = vec!["known months".to_string()];
            header.extend(METHODS.iter().map(|m| format!("{} {what}", m.name())));
            header.push("years".into());
            t.load_preset(UTF8_BORDERS_ONLY).set_header(header);
            for recs in r.track_record.chunks(METHODS.len()) {
                let mut row = vec![recs[0].known_months.to_string()];
                row.extend(recs.iter().map(cell));
                row.push(recs[0].years.to_string());
                t.add_row(row);
            }
            t
        };
    let mape = record_table("MAPE", &|r| format!("{:.2}%", r.mape_pct));
    let bias = record_table("bias", &|r| pct(r.bias));
    let _ = writeln!(
        s,
        "\nTrack record: error of the full-year nowcast by months known, {}–{}:\n{mape}\nBias (> 0: nowcasts too low):\n{bias}",
        r.from_year,
        year - 1
    );
    let mut m = text_table();
    m.load_preset(UTF8_BORDERS_ONLY).set_header(vec![
        "known months",
        "nowcast",
        "method",
        "lo95",
        "hi95",
        "actual",
    ]);
    for n in &r.nowcasts {
        let (lo, hi) = n
            .intervals
            .iter()
            .find(|i| (i.0 - 95.0).abs() < 1e-9)
            .map(|i| (i.1, i.2))
            .unwrap_or((f64::NAN, f64::NAN));
        m.add_row(vec![
            n.known.to_string(),
            grouped(n.point),
            n.method.name().to_string(),
            grouped(lo),
            grouped(hi),
            r.actual.map(grouped).unwrap_or_default(),
        ]);
    }
    let _ = writeln!(s, "Nowcasts of {year} month by month:\n{m}");
    s
}

/// The next two years by the cycle regression, as text (empty when there are none).
fn next_years(r: &NowcastResult) -> String {
    let mut s = String::new();
    if r.next_years.is_empty() {
        return s;
    }
    let mut o = text_table();
    let mut header = vec!["year".to_string(), "forecast".to_string()];
    header.extend(r.levels.iter().map(|l| format!("{l}% interval")));
    header.extend(["record MAPE".to_string(), "record years".to_string()]);
    o.load_preset(UTF8_BORDERS_ONLY).set_header(header);
    let mut features = text_table();
    features.load_preset(UTF8_BORDERS_ONLY).set_header(vec![
        "year",
        "run-rate (USD bn/yr)",
        "momentum (3 months)",
        "trend gap",
    ]);
    for c in &r.next_years {
        let f = &c.forecast;
        let mut row = vec![f.target_year.to_string(), grouped(f.point)];
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
        ]);
        o.add_row(row);
        features.add_row(vec![
            f.target_year.to_string(),
            grouped(f.features.run_rate),
            pct(f.features.momentum.exp_m1()),
            pct(f.features.trend_gap.exp_m1()),
        ]);
    }
    let _ = writeln!(
        s,
        "\nThe next two years by the cycle regression: the seasonally adjusted run-rate of the last 3 months, moved by the latest quarter's momentum and the run-rate's distance from its {}-year trend, as earlier years say (OLS on every earlier month-end whose target was complete). Intervals: forecast · exp(±z · RMSE) of the same forecast made each earlier year at this month of the year.\n{o}\nThe features behind them:\n{features}",
        cycle::TREND_YEARS
    );
    s
}

/// The month-by-month nowcasts and the track record, long with a `table` column.
pub fn table(r: &NowcastResult) -> Result<Table> {
    let rows = &r.nowcasts;
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
    for (j, l) in r.levels.iter().enumerate() {
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
        Values::Float(rows.iter().map(|_| r.actual).collect()),
    );
    let rec = &r.track_record;
    let track = Table::default()
        .with(
            "known_months",
            Values::Int(rec.iter().map(|r| i64::from(r.known_months)).collect()),
        )
        .with(
            "method",
            Values::Text(rec.iter().map(|r| r.method.to_string()).collect()),
        )
        .with("mape_pct", Values::floats(rec.iter().map(|r| r.mape_pct)))
        .with("bias", Values::floats(rec.iter().map(|r| r.bias)))
        .with(
            "years",
            Values::Int(rec.iter().map(|r| r.years as i64).collect()),
        );
    let mut table = Table::stack("table", vec![("nowcasts", table), ("track_record", track)])?;
    table.metadata = super::metadata(&r.provenance);
    table.metadata.extend([
        ("chipcast.series".into(), r.series.clone()),
        ("chipcast.data_to".into(), r.data_to.clone()),
    ]);
    Ok(table)
}

/// The next two years' cycle-regression forecasts, as `--next-output` writes them.
pub fn next_years_table(r: &NowcastResult) -> Table {
    let outlooks = &r.next_years;
    let col = |f: &dyn Fn(&CycleOutlook) -> f64| Values::floats(outlooks.iter().map(f));
    let mut table = Table::default()
        .with(
            "data_to",
            Values::Text(
                outlooks
                    .iter()
                    .map(|c| crate::series::TimeKind::YearMonth.format(c.forecast.data_to))
                    .collect(),
            ),
        )
        .with(
            "target_year",
            Values::Int(outlooks.iter().map(|c| c.forecast.target_year).collect()),
        )
        .with("forecast", col(&|c| c.forecast.point));
    for (j, l) in r.levels.iter().enumerate() {
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
    table.metadata = super::metadata(&r.provenance);
    table.metadata.extend([
        ("chipcast.series".into(), r.series.clone()),
        (
            "chipcast.model".into(),
            "cycle regression (scenarios::cycle)".into(),
        ),
        ("chipcast.unit".into(), r.unit.into()),
    ]);
    table
}

/// The nowcast after each known month, with its bands and the actual total.
/// The chart, with the $1T line and, for the worldwide series, the forecasts published for
/// the nowcast's year (`forecast_vintages`).
pub fn chart(r: &NowcastResult) -> Result<NowcastChart<'_>> {
    let published = if r.series.trim_end_matches("-monthly") == "worldwide" {
        crate::evaluation::industry::published_forecasts()?
            .into_iter()
            .filter(|p| p.target_year == r.year)
            .map(|p| (format!("{} {}", p.forecaster, p.published), p.value))
            .collect()
    } else {
        Vec::new()
    };
    Ok(NowcastChart {
        title: format!(
            "{} sales {}: nowcast after each known month",
            capitalise(r.series.trim_end_matches("-monthly")),
            r.year
        ),
        subtitle: format!(
            "known months + forecast of the rest; bands from the {}–{} track record",
            r.from_year,
            r.year - 1
        ),
        nowcasts: &r.nowcasts,
        actual: r.actual,
        target: Some((1000.0, "$1T".to_string())),
        published,
        market: r.market.as_ref().and_then(|m| {
            let widest = m
                .intervals
                .iter()
                .max_by(|a, b| a.level.total_cmp(&b.level))?;
            Some((
                format!("market model, {}% interval", widest.level),
                m.known_months,
                m.point?,
                widest.lower,
                widest.upper,
            ))
        }),
        footnote: super::footnote(&format!(
            "{} (built-in wsts_monthly_raw)",
            provenance::hbr_long()
        )),
    })
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}
