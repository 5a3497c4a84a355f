//! Plain-text reports for the terminal. Every number printed comes from a dataset row or
//! a fitted model passed in here; nothing is computed that the caller did not supply.

use crate::ingest::builtin::Provenance;
use crate::scenarios::gap::GapReport;
use crate::scenarios::milestone::Milestone;
use crate::scenarios::projection::SeriesForecast;
use crate::series::MarketSeries;
use comfy_table::{CellAlignment, Table, presets::UTF8_BORDERS_ONLY};
use std::fmt::Write;

/// The width report tables are fitted to (0: as wide as their cells), set once by the
/// binary from the terminal ([`set_table_width`]).
static TABLE_WIDTH: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(0);

/// Fit every report table printed after this call to `width` columns: text cells
/// (sources, notes, labels) wrap at spaces inside their column; a column is never narrower
/// than its longest word, so numbers and ranges are never split. 0 turns it off.
pub fn set_table_width(width: u16) {
    TABLE_WIDTH.store(width, std::sync::atomic::Ordering::Relaxed);
}

/// A report table (UTF-8 borders) that fits [`set_table_width`] when displayed. It derefs
/// to a comfy-table [`Table`] for building.
#[derive(Debug, Clone)]
pub struct TextTable(Table);

/// A new, empty [`TextTable`].
pub fn text_table() -> TextTable {
    let mut t = Table::new();
    t.load_preset(UTF8_BORDERS_ONLY);
    TextTable(t)
}

impl std::ops::Deref for TextTable {
    type Target = Table;
    fn deref(&self) -> &Table {
        &self.0
    }
}

impl std::ops::DerefMut for TextTable {
    fn deref_mut(&mut self) -> &mut Table {
        &mut self.0
    }
}

impl std::fmt::Display for TextTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let width = TABLE_WIDTH.load(std::sync::atomic::Ordering::Relaxed);
        if width == 0 {
            return write!(f, "{}", self.0);
        }
        let mut t = self.0.clone();
        let longest_word = |cells: Vec<String>, i: usize| {
            cells
                .get(i)
                .map(|c| {
                    c.split_whitespace()
                        .map(|w| w.chars().count())
                        .max()
                        .unwrap_or(0)
                })
                .unwrap_or(0)
        };
        let rows: Vec<Vec<String>> = t
            .header()
            .into_iter()
            .chain(t.row_iter())
            .map(|r| r.cell_iter().map(|c| c.content()).collect())
            .collect();
        for i in 0..t.column_count() {
            let min = rows
                .iter()
                .map(|r| longest_word(r.clone(), i))
                .max()
                .unwrap_or(0);
            if let Some(c) = t.column_mut(i) {
                let min = u16::try_from(min + 2).unwrap_or(u16::MAX);
                c.set_constraint(comfy_table::ColumnConstraint::LowerBoundary(
                    comfy_table::Width::Fixed(min),
                ));
            }
        }
        t.set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
            .set_width(width);
        write!(f, "{t}")
    }
}

fn table(header: Vec<String>) -> TextTable {
    let mut t = text_table();
    t.set_header(header);
    t
}

fn right_align(t: &mut TextTable, from: usize) {
    let n = t.column_count();
    for i in from..n {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
}

/// Box-drawing characters of comfy-table's borders: a line holding one is part of a
/// table and is never wrapped.
const TABLE_CHARS: &[char] = &[
    '│', '┌', '┐', '└', '┘', '├', '┤', '┬', '┴', '┼', '═', '╞', '╡', '─',
];

/// Wrap the prose lines of a report to `width` columns at spaces; a continuation keeps
/// the line's indentation. Table lines, and words longer than the width, are left whole.
pub fn wrap(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / width.max(1));
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if line.chars().count() <= width || line.contains(TABLE_CHARS) {
            out.push_str(line);
            continue;
        }
        let indent: String = line.chars().take_while(|c| *c == ' ').collect();
        let mut col = 0;
        for word in line.split(' ').filter(|w| !w.is_empty()) {
            let n = word.chars().count();
            if col == 0 {
                out.push_str(&indent);
                col = indent.len();
            } else if col + 1 + n > width {
                out.push('\n');
                out.push_str(&indent);
                col = indent.len();
            } else {
                out.push(' ');
                col += 1;
            }
            out.push_str(word);
            col += n;
        }
    }
    out
}

/// A count with thousands separators (`10,000`), for the terminal and chart subtitles.
pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Format a value for the terminal's prose: one decimal with thousands separators
/// (`1,301.2`), as in the tables.
pub fn num(v: f64) -> String {
    grouped(v)
}

/// Format a value with one decimal and thousands separators, for table cells in the
/// terminal (`1,302.2`); files keep plain full-precision numbers.
pub fn grouped(v: f64) -> String {
    let text = format!("{v:.1}");
    let (sign, rest) = match text.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", text.as_str()),
    };
    let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
    if !int.bytes().all(|b| b.is_ascii_digit()) {
        return text; // NaN, inf
    }
    let mut out = String::with_capacity(text.len() + int.len() / 3);
    out.push_str(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// Format a share as a percentage with one decimal.
pub fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// The last `n` observations, with their dataset line and confidence flag when known.
pub fn history(series: &MarketSeries, provenance: Option<&[Provenance]>, n: usize) -> String {
    let kind = series.kind();
    let mut t = table(vec![
        "period".into(),
        "actual".into(),
        "dataset row".into(),
        "confidence".into(),
    ]);
    let skip = series.len().saturating_sub(n);
    for (i, (o, v)) in series
        .ordinals()
        .zip(series.values())
        .enumerate()
        .skip(skip)
    {
        let (row, conf) = match provenance.and_then(|p| p.get(i)) {
            Some(p) => (
                format!("{}.csv:{}", p.dataset, p.line),
                p.confidence.clone(),
            ),
            None => (String::new(), String::new()),
        };
        t.add_row(vec![kind.format(o), grouped(*v), row, conf]);
    }
    right_align(&mut t, 1);
    t.to_string()
}

/// Model, how it was chosen, and its parameters.
pub fn model(f: &SeriesForecast) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Model: {} — {}", f.model, f.description);
    if let Some(sel) = &f.selection {
        let _ = writeln!(s, "Selection: {}.", sel.criterion);
        if !sel.scores.is_empty() {
            let scores: Vec<String> = sel
                .scores
                .iter()
                .map(|c| {
                    format!(
                        "{} {}",
                        c.model,
                        c.mase
                            .map(|m| format!("{m:.3}"))
                            .unwrap_or_else(|| "n/a".into())
                    )
                })
                .collect();
            let _ = writeln!(s, "  holdout MASE: {}", scores.join(", "));
        }
    }
    let params: Vec<String> = f
        .params
        .iter()
        .map(|p| {
            if p.name.starts_with("cagr") {
                format!("{} = {}", p.name, pct(p.value))
            } else {
                format!("{} = {:.4}", p.name, p.value)
            }
        })
        .collect();
    let _ = writeln!(s, "Parameters: {}", params.join(", "));
    let _ = writeln!(
        s,
        "Fitted on {} to {} ({} observations).",
        f.kind.format(f.train_start),
        f.kind.format(f.train_end),
        f.train_end - f.train_start + 1
    );
    s
}

/// The forecast table, with later actuals beside it when known.
pub fn forecast(f: &SeriesForecast, later: Option<&MarketSeries>) -> String {
    let mut header = vec!["period".to_string(), "forecast".to_string()];
    for iv in &f.forecast.intervals {
        header.push(format!("lo{}", iv.level));
        header.push(format!("hi{}", iv.level));
    }
    let show_actual = later.is_some_and(|l| f.periods.iter().any(|p| l.value_at(*p).is_some()));
    if show_actual {
        header.push("actual (later data)".into());
    }
    let mut t = table(header);
    for (k, p) in f.periods.iter().enumerate() {
        let mut row = vec![f.kind.format(*p), grouped(f.forecast.point[k])];
        for iv in &f.forecast.intervals {
            row.push(grouped(iv.lower[k]));
            row.push(grouped(iv.upper[k]));
        }
        if show_actual {
            row.push(
                later
                    .and_then(|l| l.value_at(*p))
                    .map(grouped)
                    .unwrap_or_default(),
            );
        }
        t.add_row(row);
    }
    right_align(&mut t, 1);
    t.to_string()
}

/// The milestone answer in words and a small table.
pub fn milestone(m: &Milestone, f: &SeriesForecast, last: f64, unit: &str, per: &str) -> String {
    let mut s = String::new();
    let target = num(m.target);
    let _ = writeln!(s, "Milestone: {target} {unit}");
    if let Some(c) = m.crossed_in_history {
        let _ = writeln!(
            s,
            "  Already reached in the data: {} (first period at or above {target}).",
            f.kind.format(c)
        );
    }
    match m.point_crossing {
        Some(c) => {
            let _ = writeln!(
                s,
                "  First period the point forecast is at or above {target}: {}.",
                f.kind.format(c)
            );
        }
        None => {
            let _ = writeln!(
                s,
                "  The point forecast stays below {target} through {}.",
                f.kind
                    .format(m.by + crate::scenarios::milestone::EXTRA_PERIODS as i64)
            );
        }
    }
    let _ = writeln!(
        s,
        "  P(value in {} ≥ {target}) = {}",
        m.by,
        pct(m.p_at_least_in_by)
    );
    let _ = writeln!(
        s,
        "  P(reached in any period up to {}) = {}",
        m.by,
        pct(m.p_crossed_by)
    );
    if let Some(mc) = m.median_crossing {
        let _ = writeln!(
            s,
            "  Median first-crossing period of the sample paths: {}",
            f.kind.format(mc)
        );
    }
    if let Some(g) = m.required_growth {
        let _ = writeln!(
            s,
            "  Constant growth needed from {} ({}) to reach {target} in {}: {}/{per}",
            f.kind.format(f.train_end),
            num(last),
            m.by,
            pct(g)
        );
    }
    let _ = writeln!(
        s,
        "  Method: {} simulated sample paths of the fitted {} model (seed {}); probabilities are shares of paths.",
        count(m.simulation.paths),
        f.model,
        m.simulation.seed
    );
    s
}

/// The gap table.
pub fn gap(r: &GapReport) -> String {
    let mut s = String::new();
    let mut t = table(vec!["year".into(), "chip sales".into(), "basis".into()]);
    for y in &r.supply {
        t.add_row(vec![
            y.year.to_string(),
            grouped(y.value),
            if y.actual { "actual" } else { "forecast" }.to_string(),
        ]);
    }
    right_align(&mut t, 1);
    let _ = writeln!(s, "{t}");
    let _ = write!(
        s,
        "Cumulative chip sales {}-{}: {} USD bn",
        r.from,
        r.to,
        num(r.cumulative)
    );
    if let Some((lo, hi)) = r.cumulative_95 {
        let _ = write!(
            s,
            " (95% range from sample paths: {} to {})",
            num(lo),
            num(hi)
        );
    }
    let _ = writeln!(s, "\n");
    let mut g = table(vec![
        "demand estimate".into(),
        "USD bn".into(),
        "demand / sales".into(),
        "shortfall".into(),
        "years of sales".into(),
        "growth to close".into(),
    ]);
    for row in &r.rows {
        g.add_row(vec![
            row.demand.label.clone(),
            grouped(row.demand.value),
            format!("{:.2}x", row.ratio),
            grouped(row.shortfall),
            format!("{:.1}", row.years_of_sales),
            match row.growth_needed {
                Some(g) if row.shortfall > 0.0 => format!("{}/yr", pct(g)),
                _ => "none: sales cover it".into(),
            },
        ]);
    }
    right_align(&mut g, 1);
    let _ = writeln!(s, "{g}");
    let _ = writeln!(
        s,
        "years of sales = demand / mean annual sales in the window; growth to close = constant yearly growth from the last actual that makes cumulative sales equal the demand by {}.",
        r.to
    );
    for row in &r.rows {
        let _ = writeln!(s, "  {}: {}", row.demand.label, row.demand.source);
    }
    s
}

/// The scenario's window year by year: chip sales, the AI share and how it was obtained,
/// AI-chip sales.
pub fn scenario_years(g: &crate::scenarios::scenario::ScenarioGap) -> String {
    let mut t = table(vec![
        "year".into(),
        "chip sales".into(),
        "basis".into(),
        "AI share".into(),
        "AI-chip sales".into(),
        "AI share basis".into(),
    ]);
    for y in &g.years {
        t.add_row(vec![
            y.year.to_string(),
            grouped(y.sales),
            if y.actual { "actual" } else { "forecast" }.to_string(),
            pct(y.share),
            grouped(y.ai_sales),
            y.basis.to_string(),
        ]);
    }
    for c in [1, 3, 4] {
        if let Some(col) = t.column_mut(c) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    let mut s = format!("{t}\n");
    let _ = write!(
        s,
        "Total {}–{}: chip sales {} USD bn",
        g.chips.from,
        g.chips.to,
        num(g.chips.cumulative)
    );
    if let Some((lo, hi)) = g.chips.cumulative_95 {
        let _ = write!(s, " (95% range {}–{})", num(lo), num(hi));
    }
    let _ = write!(s, "; AI-chip sales {} USD bn", num(g.ai_supply));
    if let Some((lo, hi)) = g.ai_supply_95 {
        let _ = write!(s, " (95% range {}–{})", num(lo), num(hi));
    }
    let _ = writeln!(s, ".");
    s
}

/// `--explain`: the chosen model, its parameters, criteria and why it won. `shown` is the
/// model's name as the user knows it (`auto` rather than the `combo` it fits to), and `why`
/// says how it was picked when no selection ran (named with --model, or the default).
pub fn explain(f: &SeriesForecast, shown: &str, why: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "== {}: {} — {}", f.id, shown, f.description);
    let params: Vec<String> = f
        .params
        .iter()
        .map(|p| format!("{}={:.6}", p.name, p.value))
        .collect();
    let _ = writeln!(s, "   parameters: {}", params.join(", "));
    match &f.season_test {
        Some(t) => {
            let _ = writeln!(s, "   season: {}", t.describe());
        }
        None => {
            let _ = writeln!(
                s,
                "   season: length {} (non-seasonal models)",
                f.season_length
            );
        }
    }
    match &f.selection {
        Some(sel) => {
            let _ = writeln!(s, "   why: {}", sel.criterion);
            for c in &sel.scores {
                let mark = if c.model == sel.chosen {
                    " <- chosen"
                } else {
                    ""
                };
                let _ = writeln!(
                    s,
                    "     {:<10} holdout MASE {}{mark}",
                    c.model,
                    c.mase
                        .map(|m| format!("{m:.4}"))
                        .unwrap_or_else(|| "not fitted".into())
                );
            }
        }
        None => {
            let _ = writeln!(s, "   why: {why}");
        }
    }
    let _ = writeln!(s, "   intervals: {:?}", f.interval_method);
    s
}

/// Year-by-year crossing odds, up to `last`.
pub fn milestone_table(m: &Milestone, kind: crate::series::TimeKind, last: i64) -> String {
    let mut t = table(vec![
        "period".into(),
        "P(first crossing)".into(),
        "P(reached by)".into(),
        "P(value ≥ target)".into(),
    ]);
    for p in m.by_period.iter().filter(|p| p.period <= last) {
        t.add_row(vec![
            kind.format(p.period),
            pct(p.p_first),
            pct(p.p_crossed_by),
            pct(p.p_at_least),
        ]);
    }
    right_align(&mut t, 1);
    t.to_string()
}

#[cfg(test)]
mod tests {
    use super::{count, wrap};

    #[test]
    fn counts_are_grouped_in_threes() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_000), "1,000");
        assert_eq!(count(10_000), "10,000");
        assert_eq!(count(1_234_567), "1,234,567");
    }

    #[test]
    fn table_numbers_get_thousands_separators() {
        use super::grouped;
        assert_eq!(grouped(1302.24), "1,302.2");
        assert_eq!(grouped(-1234567.0), "-1,234,567.0");
        assert_eq!(grouped(999.96), "1,000.0");
        assert_eq!(grouped(26.355), "26.4");
        assert_eq!(grouped(f64::NAN), "NaN");
    }

    #[test]
    fn prose_wraps_at_spaces_and_keeps_its_indentation() {
        let text = "  alpha beta gamma delta\nshort";
        assert_eq!(wrap(text, 12), "  alpha beta\n  gamma\n  delta\nshort");
    }

    #[test]
    fn table_lines_and_long_words_are_left_whole() {
        let table = "│ a very long table line that must stay │";
        assert_eq!(wrap(table, 10), table);
        assert_eq!(
            wrap("see https://example.org/a/long/path now", 10),
            "see\nhttps://example.org/a/long/path\nnow"
        );
        assert!(
            wrap(&"word ".repeat(50), 80)
                .lines()
                .all(|l| l.chars().count() <= 80)
        );
    }
}
