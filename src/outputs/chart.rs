//! Charts with plotters: a fan chart (history, forecast, shaded interval bands, a
//! threshold line, the as-of marker) and a gap bar chart. PNG or SVG by extension.
//!
//! Text is laid out with an embedded DejaVu Sans (Bitstream Vera licence, see
//! `assets/README.md`), so charts render on machines without any system fonts.

use super::atomic::write_atomically;
use crate::error::{Error, Result};
use crate::scenarios::gap::GapReport;
use crate::scenarios::projection::SeriesForecast;
use crate::series::time::{civil_from_days, days_in_month};
use crate::series::{MarketSeries, TimeKind};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use std::path::Path;
use std::sync::Once;

static FONT: Once = Once::new();
const FONT_BYTES: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
const BOLD_FONT_BYTES: &[u8] = include_bytes!("../../assets/DejaVuSans-Bold.ttf");

/// plotters measures text with the embedded fonts (layout: legend boxes, label areas).
fn register_fonts() {
    FONT.call_once(|| {
        for (style, bytes) in [
            (FontStyle::Normal, FONT_BYTES),
            (FontStyle::Bold, BOLD_FONT_BYTES),
        ] {
            // The embedded fonts are valid (a unit test renders with them); ignore the impossible error.
            let _ = plotters::style::register_font("sans-serif", style, bytes);
        }
    });
}

/// PNG bytes of an SVG document, rendered by resvg with the embedded fonts only (no system
/// fonts are looked up): real kerning and shaping, and bold titles, which plotters' own
/// bitmap text does not give.
fn svg_to_png(svg: &str, path: &Path) -> Result<Vec<u8>> {
    use resvg::{tiny_skia, usvg};
    let fail = |what: String| Error::Write {
        path: path.into(),
        message: format!("could not render the chart: {what}"),
    };
    let mut options = usvg::Options::default();
    let fonts = options.fontdb_mut();
    fonts.load_font_data(FONT_BYTES.to_vec());
    fonts.load_font_data(BOLD_FONT_BYTES.to_vec());
    fonts.set_sans_serif_family("DejaVu Sans");
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| fail(e.to_string()))?;
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| fail(format!("empty size {}x{}", size.width(), size.height())))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| fail(e.to_string()))
}

/// The legend box every chart uses.
fn legend<'a, DB, X, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    position: SeriesLabelPosition,
    path: &Path,
) -> Result<()>
where
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    chart
        .configure_series_labels()
        .position(position)
        .margin(15)
        .label_font(("sans-serif", 17))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(0xCC, 0xCC, 0xCC))
        .draw()
        .map_err(draw_err(path))
}

/// Chart size in pixels (16:9, readable on a slide).
pub const SIZE: (u32, u32) = (1280, 720);

/// Everything the fan chart shows.
#[derive(Debug, Clone)]
pub struct FanChart<'a> {
    /// Title line.
    pub title: String,
    /// Second line (model, levels, data vintage).
    pub subtitle: String,
    /// Y axis label, e.g. "USD bn (nominal)".
    pub y_label: String,
    /// X axis label, e.g. "year".
    pub x_label: String,
    /// Observed history (the full series, even beyond the as-of date, is allowed).
    pub history: &'a MarketSeries,
    /// Observations after the as-of date, drawn as hollow points if given.
    pub later_actuals: Option<&'a MarketSeries>,
    /// The forecast.
    pub forecast: &'a SeriesForecast,
    /// Horizontal threshold and its label (e.g. 1000, "$1T").
    pub threshold: Option<(f64, String)>,
    /// Vertical as-of marker at this ordinal, with a label.
    pub as_of: Option<(i64, String)>,
    /// Footnote (data source).
    pub footnote: String,
    /// Model name for the legend.
    pub model_label: String,
}

/// A period's position on a time axis in years: a month's start is year + (month − 1)/12 for
/// every dated kind (days inside a month in proportion), so month ticks fall on month starts.
fn x_of(kind: TimeKind, ordinal: i64) -> f64 {
    match kind {
        TimeKind::Integer | TimeKind::AnnualDate { .. } => ordinal as f64,
        TimeKind::YearMonth | TimeKind::MonthlyDate { .. } => ordinal as f64 / 12.0,
        TimeKind::YearQuarter { .. } => ordinal as f64 / 4.0,
        TimeKind::QuarterlyDate { .. } | TimeKind::Weekly { .. } | TimeKind::Daily => {
            let (y, m, d) = civil_from_days(kind.epoch_days(ordinal).unwrap_or(ordinal));
            y as f64 + (f64::from(m - 1) + f64::from(d - 1) / f64::from(days_in_month(y, m))) / 12.0
        }
    }
}

/// Half a period in axis units (years), the padding at both ends of a time axis.
fn half_period(kind: TimeKind) -> f64 {
    match kind.periods_per_year() {
        Some(p) if p > 1 => 0.5 / f64::from(p),
        _ if matches!(kind, TimeKind::Daily) => 0.5 / 365.25,
        _ if matches!(kind, TimeKind::Weekly { .. }) => 3.5 / 365.25,
        _ => 0.5,
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Tick positions for a time axis over [x0, x1] and how to label them: at most
/// `MAX_TICKS` ticks at whole years (steps 1, 2, 5, 10, … years) or, on a sub-annual axis
/// shorter than that, at month starts (steps 1, 2, 3 or 6 months), labelled "Mar 2026".
/// Returns the ticks and the step in months (0 for a plain index).
fn time_ticks(kind: TimeKind, x0: f64, x1: f64) -> (Vec<f64>, u32) {
    const MAX_TICKS: f64 = 10.0;
    let dated = !matches!(kind, TimeKind::Integer);
    let sub_annual = kind.season_length() > 1;
    let mut steps: Vec<(f64, u32)> = Vec::new();
    if sub_annual {
        steps.extend([1u32, 2, 3, 6].map(|m| (f64::from(m) / 12.0, m)));
    }
    let mut decade = 1.0;
    while steps.len() < 64 {
        for k in [1.0, 2.0, 5.0] {
            let step = k * decade;
            steps.push((step, if dated { (12.0 * step) as u32 } else { 0 }));
        }
        decade *= 10.0;
    }
    let (step, months) = steps
        .into_iter()
        .find(|(step, _)| (x1 - x0) / step < MAX_TICKS)
        .unwrap_or((decade, 0));
    let first = (x0 / step - 1e-9).ceil() as i64;
    let last = (x1 / step + 1e-9).floor() as i64;
    let ticks = (first..=last).map(|i| i as f64 * step).collect();
    (ticks, months)
}

/// An f64 axis (linear or log) whose ticks are given, labelled by the chart's formatter:
/// plotters' `WithKeyPoints` over an f64 range has no value formatter to override, and its
/// log axis labelled nothing below the first power of ten.
struct FixedTicks<R> {
    inner: R,
    ticks: Vec<f64>,
}

impl FixedTicks<RangedCoordf64> {
    /// A time axis over `x` with the ticks of [`time_ticks`].
    fn linear(x: std::ops::Range<f64>, ticks: Vec<f64>) -> Self {
        Self {
            inner: x.into(),
            ticks,
        }
    }
}

impl FixedTicks<LogCoord<f64>> {
    /// A log axis from `lo` to `hi` with ticks at 1, 2, 3 and 5 × 10^k inside it.
    fn log(lo: f64, hi: f64) -> Self {
        let mut ticks = Vec::new();
        let mut decade = 10f64.powf(lo.log10().floor());
        while decade <= hi {
            for k in [1.0, 2.0, 3.0, 5.0] {
                let t = k * decade;
                if t >= lo && t <= hi {
                    ticks.push(t);
                }
            }
            decade *= 10.0;
        }
        Self {
            inner: (lo..hi).log_scale().into(),
            ticks,
        }
    }
}

impl<R: Ranged<ValueType = f64>> Ranged for FixedTicks<R> {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;
    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }
    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        self.ticks.clone()
    }
    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }
}

/// The label of a tick made by [`time_ticks`].
fn time_label(x: f64, step_months: u32) -> String {
    if step_months == 0 || step_months.is_multiple_of(12) {
        return format!("{x:.0}");
    }
    let months = (x * 12.0).round() as i64;
    format!(
        "{} {}",
        MONTHS[months.rem_euclid(12) as usize],
        months.div_euclid(12)
    )
}

fn draw_err<E: std::fmt::Debug>(path: &Path) -> impl Fn(E) -> Error + '_ {
    move |e| Error::Write {
        path: path.into(),
        message: format!("chart drawing failed: {e:?}"),
    }
}

/// Trait object-free dispatch: a chart knows how to draw itself on any backend.
trait Drawable {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, path: &Path) -> Result<()>;
}

fn render_with<C: Drawable>(chart: &C, path: &Path) -> Result<()> {
    register_fonts();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ext != "png" && ext != "svg" {
        return Err(Error::Write {
            path: path.into(),
            message: format!("unsupported chart extension {ext:?}; valid: .png, .svg"),
        });
    }
    // One drawing for both formats: the SVG, rasterised by resvg for PNG.
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        chart.draw(&root, path)?;
        root.present().map_err(draw_err(path))?;
    }
    let bytes = if ext == "png" {
        svg_to_png(&svg, path)?
    } else {
        svg.into_bytes()
    };
    write_atomically(path, |tmp| {
        std::fs::write(tmp, &bytes).map_err(|e| Error::Write {
            path: path.into(),
            message: e.to_string(),
        })
    })
}

const BAND_95: RGBColor = RGBColor(0xD5, 0xDB, 0xFF);
const BAND_80: RGBColor = RGBColor(0x9C, 0xA9, 0xEE);
const FORECAST: RGBColor = RGBColor(0x1F, 0x3F, 0xB8);
const HISTORY: RGBColor = RGBColor(0x22, 0x22, 0x22);
const THRESHOLD: RGBColor = RGBColor(0xC0, 0x39, 0x2B);
const MUTED: RGBColor = RGBColor(0x77, 0x77, 0x77);

/// Thousands-separated label for a money amount (e.g. `1,000`).
pub fn money_label(v: f64) -> String {
    money(v)
}

fn money(v: f64) -> String {
    if v.abs() >= 1000.0 {
        let s = format!("{:.0}", v);
        let (neg, digits) = s
            .strip_prefix('-')
            .map(|d| (true, d))
            .unwrap_or((false, &s));
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if neg { format!("-{out}") } else { out }
    } else if v.abs() >= 10.0 || v == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// Split off a title band (title + subtitle) and a footnote band; return the plot area.
fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
    footnote: &str,
    path: &Path,
) -> Result<DrawingArea<DB, Shift>> {
    let e = draw_err(path);
    root.fill(&WHITE).map_err(&e)?;
    let (head, rest) = root.split_vertically(84);
    let (body, foot) = rest.split_vertically(SIZE.1 - 84 - 34);
    head.draw(&Text::new(
        title.to_string(),
        (24, 14),
        ("sans-serif", 30).into_font().style(FontStyle::Bold),
    ))
    .map_err(&e)?;
    head.draw(&Text::new(
        subtitle.to_string(),
        (24, 54),
        ("sans-serif", 18).into_font().color(&MUTED),
    ))
    .map_err(&e)?;
    foot.draw(&Text::new(
        footnote.to_string(),
        (24, 8),
        ("sans-serif", 15).into_font().color(&MUTED),
    ))
    .map_err(&e)?;
    Ok(body)
}

impl FanChart<'_> {
    /// Write the chart to `path` (`.png` or `.svg`).
    pub fn write(&self, path: &Path) -> Result<()> {
        render_with(self, path)
    }
}

impl Drawable for FanChart<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, path: &Path) -> Result<()> {
        let e = draw_err(path);
        let kind = self.history.kind();
        let f = self.forecast;
        let main = frame(root, &self.title, &self.subtitle, &self.footnote, path)?;
        // sub-annual data: the recent past only (four seasons or three horizons, whichever is
        // longer), so that the season and the forecast are readable; the subtitle gives the
        // fitted span
        let m = kind.season_length();
        let shown = if m > 1 {
            (4 * m).max(3 * f.periods.len())
        } else {
            usize::MAX
        };
        let skip = self.history.len().saturating_sub(shown);
        let hist: Vec<(f64, f64)> = self
            .history
            .ordinals()
            .zip(self.history.values())
            .skip(skip)
            .map(|(o, v)| (x_of(kind, o), *v))
            .collect();
        let fc: Vec<(f64, f64)> = f
            .periods
            .iter()
            .zip(&f.forecast.point)
            .map(|(o, v)| (x_of(kind, *o), *v))
            .collect();
        let later: Vec<(f64, f64)> = self
            .later_actuals
            .map(|s| {
                s.ordinals()
                    .zip(s.values())
                    .map(|(o, v)| (x_of(kind, o), *v))
                    .collect()
            })
            .unwrap_or_default();
        let all_y = hist
            .iter()
            .chain(&fc)
            .chain(&later)
            .map(|p| p.1)
            .chain(
                f.forecast
                    .intervals
                    .iter()
                    .flat_map(|i| i.lower.iter().chain(&i.upper).copied()),
            )
            .chain(self.threshold.iter().map(|t| t.0));
        let (ymin, ymax) = all_y.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
        let ymin = if ymin >= 0.0 { 0.0 } else { ymin * 1.05 };
        let ymax = ymax * 1.05 + 1e-9;
        let x0 = hist.first().map(|p| p.0).unwrap_or(0.0);
        let x1 = fc
            .last()
            .map(|p| p.0)
            .unwrap_or(x0 + 1.0)
            .max(later.last().map(|p| p.0).unwrap_or(x0));
        let pad = half_period(kind);
        let (ticks, step_months) = time_ticks(kind, x0 - pad, x1 + pad);
        let mut chart = ChartBuilder::on(&main)
            .margin(20)
            .margin_top(10)
            .x_label_area_size(45)
            .y_label_area_size(85)
            .build_cartesian_2d(FixedTicks::linear(x0 - pad..x1 + pad, ticks), ymin..ymax)
            .map_err(&e)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(0xE4, 0xE4, 0xE4))
            .y_desc(self.y_label.clone())
            .x_desc(self.x_label.clone())
            .x_label_formatter(&|x| time_label(*x, step_months))
            .y_label_formatter(&|y| money(*y))
            .label_style(("sans-serif", 17))
            .axis_desc_style(("sans-serif", 18))
            .draw()
            .map_err(&e)?;
        // bands: widest first, each anchored at the last observation so the fan opens there
        let anchor = hist.last().copied();
        let mut levels: Vec<&crate::models::Interval> = f.forecast.intervals.iter().collect();
        levels.sort_by(|a, b| b.level.total_cmp(&a.level));
        let n_levels = levels.len();
        for (i, iv) in levels.iter().enumerate() {
            let color = if n_levels == 1 || i == 0 {
                BAND_95
            } else {
                BAND_80
            };
            let mut poly: Vec<(f64, f64)> = anchor.into_iter().collect();
            poly.extend(
                f.periods
                    .iter()
                    .zip(&iv.upper)
                    .map(|(o, v)| (x_of(kind, *o), *v)),
            );
            poly.extend(
                f.periods
                    .iter()
                    .zip(&iv.lower)
                    .rev()
                    .map(|(o, v)| (x_of(kind, *o), *v)),
            );
            chart
                .draw_series(std::iter::once(Polygon::new(poly, color.filled())))
                .map_err(&e)?
                .label(format!("{}% interval", iv.level))
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 20, y + 6)], color.filled())
                });
        }
        if let Some((value, label)) = &self.threshold {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(x0 - pad, *value), (x1 + pad, *value)],
                    10,
                    6,
                    THRESHOLD.stroke_width(2),
                ))
                .map_err(&e)?
                .label(label.clone())
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], THRESHOLD.stroke_width(2))
                });
        }
        if let Some((ordinal, label)) = &self.as_of {
            let x = x_of(kind, *ordinal);
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(x, ymin), (x, ymax)],
                    4,
                    4,
                    MUTED.stroke_width(1),
                ))
                .map_err(&e)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    label.clone(),
                    (x, ymax * 0.97),
                    ("sans-serif", 16).into_font().color(&MUTED).pos(
                        plotters::style::text_anchor::Pos::new(
                            plotters::style::text_anchor::HPos::Right,
                            plotters::style::text_anchor::VPos::Top,
                        ),
                    ),
                )))
                .map_err(&e)?;
        }
        chart
            .draw_series(LineSeries::new(hist.clone(), HISTORY.stroke_width(2)))
            .map_err(&e)?
            .label("actual")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], HISTORY.stroke_width(2)));
        if !later.is_empty() {
            chart
                .draw_series(
                    later
                        .iter()
                        .map(|p| Circle::new(*p, 4, HISTORY.stroke_width(2))),
                )
                .map_err(&e)?
                .label("actual after the as-of date")
                .legend(|(x, y)| Circle::new((x + 10, y), 4, HISTORY.stroke_width(2)));
        }
        let mut fc_line: Vec<(f64, f64)> = anchor.into_iter().collect();
        fc_line.extend(fc.iter().copied());
        chart
            .draw_series(LineSeries::new(fc_line, FORECAST.stroke_width(3)))
            .map_err(&e)?
            .label(format!("forecast ({})", self.model_label))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], FORECAST.stroke_width(3)));
        chart
            .draw_series(fc.iter().map(|p| Circle::new(*p, 3, FORECAST.filled())))
            .map_err(&e)?;
        let mut drawn: Vec<(f64, f64)> = hist.clone();
        drawn.extend(fc.iter().copied());
        drawn.extend(later.iter().copied());
        for iv in &f.forecast.intervals {
            for (k, o) in f.periods.iter().enumerate() {
                drawn.push((x_of(kind, *o), iv.upper[k]));
                drawn.push((x_of(kind, *o), iv.lower[k]));
            }
        }
        let corner = emptiest_corner(&drawn, (x0 - pad, x1 + pad), (ymin, ymax));
        legend(&mut chart, corner, path)?;
        Ok(())
    }
}

/// The corner of the plot whose legend-sized box (the outer 30% of the width, 30% of the
/// height) covers the fewest drawn points, preferring upper left, then upper right, lower
/// left and lower right on ties, so the legend hides as little of the data as possible.
fn emptiest_corner(points: &[(f64, f64)], x: (f64, f64), y: (f64, f64)) -> SeriesLabelPosition {
    let (w, h) = (x.1 - x.0, y.1 - y.0);
    let count = |left: bool, upper: bool| {
        points
            .iter()
            .filter(|(px, py)| {
                let fx = (px - x.0) / w;
                let fy = (py - y.0) / h;
                (if left { fx <= 0.3 } else { fx >= 0.7 })
                    && (if upper { fy >= 0.7 } else { fy <= 0.3 })
            })
            .count()
    };
    [
        (SeriesLabelPosition::UpperLeft, count(true, true)),
        (SeriesLabelPosition::UpperRight, count(false, true)),
        (SeriesLabelPosition::LowerLeft, count(true, false)),
        (SeriesLabelPosition::LowerRight, count(false, false)),
    ]
    .into_iter()
    .min_by_key(|(_, n)| *n)
    .map(|(p, _)| p)
    .unwrap_or(SeriesLabelPosition::UpperLeft)
}

/// One bar of a [`GapChart`].
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Label under the bar.
    pub label: String,
    /// Height.
    pub value: f64,
    /// Supply (blue) or demand (red).
    pub supply: bool,
    /// Whisker (low, high), e.g. a 95% range or a sensitivity range.
    pub range: Option<(f64, f64)>,
    /// Text inside the bar (e.g. "1.05x sales").
    pub note: Option<String>,
}

/// Bar chart of projected supply against demand figures.
#[derive(Debug, Clone)]
pub struct GapChart {
    /// Title.
    pub title: String,
    /// Second line.
    pub subtitle: String,
    /// Y axis label.
    pub y_label: String,
    /// Bars, left to right.
    pub bars: Vec<Bar>,
    /// Footnote.
    pub footnote: String,
}

impl GapChart {
    /// Bars for a plain gap report: cumulative sales (with its 95% range) then each demand.
    pub fn bars_for(r: &GapReport) -> Vec<Bar> {
        let mut bars = vec![Bar {
            label: format!("Chip sales {}-{}", r.from, r.to),
            value: r.cumulative,
            supply: true,
            range: r.cumulative_95,
            note: None,
        }];
        bars.extend(r.rows.iter().map(|row| Bar {
            label: row.demand.label.clone(),
            value: row.demand.value,
            supply: false,
            range: None,
            note: Some(format!("{:.2}x sales", row.ratio)),
        }));
        bars
    }

    /// Write the chart to `path` (`.png` or `.svg`).
    pub fn write(&self, path: &Path) -> Result<()> {
        render_with(self, path)
    }
}

impl Drawable for GapChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, path: &Path) -> Result<()> {
        let e = draw_err(path);
        let main = frame(root, &self.title, &self.subtitle, &self.footnote, path)?;
        let ymax = self
            .bars
            .iter()
            .flat_map(|b| [Some(b.value), b.range.map(|r| r.1)])
            .flatten()
            .fold(0.0, f64::max)
            * 1.15;
        let n = self.bars.len().max(1);
        let labels: Vec<String> = self.bars.iter().map(|b| b.label.clone()).collect();
        let mut chart = ChartBuilder::on(&main)
            .margin(20)
            .margin_top(10)
            .x_label_area_size(45)
            .y_label_area_size(95)
            .build_cartesian_2d(-0.5..n as f64 - 0.5, 0.0..ymax.max(1.0))
            .map_err(&e)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(0xE4, 0xE4, 0xE4))
            .x_labels(n)
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
                    labels[i as usize].clone()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|y| money(*y))
            .y_desc(self.y_label.clone())
            .label_style(("sans-serif", 16))
            .axis_desc_style(("sans-serif", 18))
            .draw()
            .map_err(&e)?;
        let centre = plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Bottom,
        );
        let beside = plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Left,
            plotters::style::text_anchor::VPos::Bottom,
        );
        // the legend: one entry per kind of bar drawn, and the whisker when there is one
        let kinds = [
            (true, FORECAST, "projected chip sales"),
            (false, THRESHOLD, "compute-demand estimate"),
        ];
        for (supply, color, label) in kinds {
            if self.bars.iter().any(|b| b.supply == supply) {
                chart
                    .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())
                    .map_err(&e)?
                    .label(label)
                    .legend(move |(x, y)| {
                        Rectangle::new([(x, y - 6), (x + 20, y + 6)], color.mix(0.8).filled())
                    });
            }
        }
        if self.bars.iter().any(|b| b.range.is_some()) {
            chart
                .draw_series(std::iter::empty::<PathElement<(f64, f64)>>())
                .map_err(&e)?
                .label("whisker: range, as the subtitle says")
                .legend(|(x, y)| {
                    PathElement::new(
                        vec![(x + 10, y - 7), (x + 10, y + 7)],
                        HISTORY.stroke_width(2),
                    )
                });
        }
        for (i, b) in self.bars.iter().enumerate() {
            let x = i as f64;
            let color = if b.supply { FORECAST } else { THRESHOLD };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.3, 0.0), (x + 0.3, b.value)],
                    color.mix(0.8).filled(),
                )))
                .map_err(&e)?;
            // a whisker sits at the bar's centre, its caps 0.08 either side: the value label
            // starts clear of the cap, left-aligned, so it never touches the whisker
            let (label_x, pos) = if b.range.is_some() {
                (x + 0.12, beside)
            } else {
                (x, centre)
            };
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("${}B", money(b.value)),
                    (label_x, b.value + ymax * 0.012),
                    ("sans-serif", 19).into_font().color(&BLACK).pos(pos),
                )))
                .map_err(&e)?;
            if let Some(note) = &b.note {
                chart
                    .draw_series(std::iter::once(Text::new(
                        note.clone(),
                        (x, b.value * 0.5),
                        ("sans-serif", 19).into_font().color(&WHITE).pos(centre),
                    )))
                    .map_err(&e)?;
            }
            if let Some((lo, hi)) = b.range {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(x, lo), (x, hi)],
                        HISTORY.stroke_width(2),
                    )))
                    .map_err(&e)?;
                for y in [lo, hi] {
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            vec![(x - 0.08, y), (x + 0.08, y)],
                            HISTORY.stroke_width(2),
                        )))
                        .map_err(&e)?;
                }
            }
        }
        // the legend goes to the corner the bars (and their whiskers) leave emptiest
        let tops: Vec<(f64, f64)> = self
            .bars
            .iter()
            .enumerate()
            .flat_map(|(i, b)| {
                let x = i as f64;
                let hi = b.range.map_or(b.value, |r| r.1);
                // a bar fills everything under its top
                (0..=10).map(move |k| (x, hi * f64::from(k) / 10.0))
            })
            .collect();
        let corner = emptiest_corner(&tops, (-0.5, n as f64 - 0.5), (0.0, ymax.max(1.0)));
        legend(&mut chart, corner, path)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_weeks_of_daily_data_get_month_ticks_labelled_with_month_and_year() {
        let (x0, x1) = (x_of(TimeKind::Daily, 19_600), x_of(TimeKind::Daily, 19_712));
        let (ticks, step) = time_ticks(TimeKind::Daily, x0, x1);
        assert_eq!(step, 1);
        let labels: Vec<String> = ticks.iter().map(|t| time_label(*t, step)).collect();
        // 2023-08-30 .. 2023-12-20: month starts Sep to Dec
        assert_eq!(labels, ["Sep 2023", "Oct 2023", "Nov 2023", "Dec 2023"]);
    }

    #[test]
    fn long_axes_get_whole_years_and_never_more_than_ten_ticks() {
        for (x0, x1) in [(1986.0, 2030.0), (2020.3, 2028.2), (0.5, 500.0)] {
            let (ticks, step) = time_ticks(TimeKind::YearMonth, x0, x1);
            assert!(
                ticks.len() <= 10 && ticks.len() >= 2,
                "{x0}-{x1}: {ticks:?}"
            );
            assert!(
                ticks
                    .iter()
                    .all(|t| t.fract() == 0.0 && *t >= x0 && *t <= x1)
            );
            assert!(ticks.iter().all(|t| !time_label(*t, step).contains('.')));
        }
        let (ticks, step) = time_ticks(TimeKind::Integer, 0.5, 6.5);
        assert_eq!((ticks, step), (vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 0));
    }

    #[test]
    fn a_month_start_of_a_daily_series_sits_where_the_monthly_series_puts_that_month() {
        // 2024-03-01 is day 19,783 after 1970-01-01; monthly ordinal 2024 * 12 + 2
        let daily = x_of(TimeKind::Daily, 19_783);
        assert!((daily - x_of(TimeKind::YearMonth, 2024 * 12 + 2)).abs() < 1e-12);
    }

    #[test]
    fn the_milestone_annotation_box_is_crossed_by_no_curve_and_sits_above_the_bars() {
        // a curve rising through the span from 0.1 to 0.9, bars up to 0.2 under it
        let curve = vec![(2029.0, 0.1), (2031.0, 0.9)];
        let bars = vec![(2029.65, 2030.35, 0.2)];
        let (h, span) = (0.05, (2030.1, 2030.9));
        let top = super::annotation_top(std::slice::from_ref(&curve), &bars, span, h, 0.58);
        assert!(top - h >= 0.2, "{top} overlaps a bar");
        for k in 0..=100 {
            let x = 2029.0 + 2.0 * f64::from(k) / 100.0;
            let y = 0.1 + 0.4 * (x - 2029.0);
            if (span.0..=span.1).contains(&x) {
                assert!(
                    !(top - h..=top).contains(&y),
                    "curve at {x} crosses the box at {top}"
                );
            }
        }
    }

    #[test]
    fn the_legend_goes_to_the_corner_the_data_leaves_empty() {
        let growth: Vec<(f64, f64)> = (0..20).map(|i| (i as f64, i as f64)).collect();
        assert!(matches!(
            emptiest_corner(&growth, (0.0, 19.0), (0.0, 19.0)),
            SeriesLabelPosition::UpperLeft
        ));
        // high on the left, low on the right: the upper right is free
        let decline: Vec<(f64, f64)> = (0..20).map(|i| (i as f64, 19.0 - i as f64)).collect();
        assert!(matches!(
            emptiest_corner(&decline, (0.0, 19.0), (0.0, 19.0)),
            SeriesLabelPosition::UpperRight
        ));
    }

    #[test]
    fn a_log_axis_has_ticks_below_its_first_power_of_ten() {
        let axis = FixedTicks::log(220.0, 7_900.0);
        assert_eq!(
            axis.ticks,
            vec![300.0, 500.0, 1_000.0, 2_000.0, 3_000.0, 5_000.0]
        );
    }

    #[test]
    fn money_labels_use_thousands_separators() {
        assert_eq!(money(1000.0), "1,000");
        assert_eq!(money(12345.6), "12,346");
        assert_eq!(money(630.5), "630");
        assert_eq!(money(0.0), "0");
        assert_eq!(money(2.5), "2.50");
    }

    #[test]
    fn the_embedded_font_is_a_valid_font() {
        assert!(plotters::style::register_font("test-font", FontStyle::Normal, FONT_BYTES).is_ok());
        assert!(
            plotters::style::register_font("test-bold", FontStyle::Bold, BOLD_FONT_BYTES).is_ok()
        );
    }

    #[test]
    fn png_text_is_drawn_with_the_embedded_fonts_alone() {
        let text = |weight: &str| {
            format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><text x="5" y="30" font-family="sans-serif" font-size="28" font-weight="{weight}">1,500</text></svg>"#
            )
        };
        let ink = |svg: &str| {
            let png = svg_to_png(svg, Path::new("t.png")).unwrap();
            let pixmap = resvg::tiny_skia::Pixmap::decode_png(&png).unwrap();
            pixmap.pixels().iter().filter(|p| p.red() < 128).count()
        };
        let (regular, bold) = (ink(&text("normal")), ink(&text("bold")));
        assert!(regular > 100, "no text drawn: {regular} dark pixels");
        assert!(
            bold > regular,
            "bold ({bold}) is no heavier than regular ({regular})"
        );
    }
}

/// The top (in probability) of an annotation `text_h` tall whose box spans `span` on the x
/// axis, placed where no curve (polylines of `(x, p)`) and no bar (`(x_lo, x_hi, top)`,
/// filled from 0) passes through it: among the heights from 0.97 down to `text_h + 0.02`,
/// the one farthest from every curve point and bar top inside the span, nearest `prefer`
/// on ties.
fn annotation_top(
    curves: &[Vec<(f64, f64)>],
    bars: &[(f64, f64, f64)],
    span: (f64, f64),
    text_h: f64,
    prefer: f64,
) -> f64 {
    // what occupies the span: curve heights sampled across it, and bar tops (a bar fills
    // everything under its top)
    let mut heights: Vec<f64> = Vec::new();
    for c in curves {
        for w in c.windows(2) {
            let ((xa, ya), (xb, yb)) = (w[0], w[1]);
            for k in 0..=20 {
                let t = f64::from(k) / 20.0;
                let x = xa + t * (xb - xa);
                if (span.0..=span.1).contains(&x) {
                    heights.push(ya + t * (yb - ya));
                }
            }
        }
    }
    let floor = bars
        .iter()
        .filter(|(lo, hi, _)| *hi >= span.0 && *lo <= span.1)
        .map(|b| b.2)
        .fold(0.0, f64::max);
    let clearance = |top: f64| {
        let bottom = top - text_h;
        if bottom < floor {
            return -1.0;
        }
        heights
            .iter()
            .map(|&y| {
                if (bottom..=top).contains(&y) {
                    -1.0
                } else {
                    (y - top).abs().min((y - bottom).abs())
                }
            })
            .fold(f64::INFINITY, f64::min)
            .min(1.0)
    };
    let mut best = (prefer, f64::NEG_INFINITY);
    let mut top = 0.97;
    while top >= text_h + 0.02 {
        let c = clearance(top);
        // a clear box: as clear as possible, then nearest the preferred height
        let better = c > best.1 + 1e-9
            || ((c - best.1).abs() <= 1e-9 && (top - prefer).abs() < (best.0 - prefer).abs());
        if better {
            best = (top, c);
        }
        top -= 0.01;
    }
    best.0
}

/// The milestone chart: probability of having reached the target by each year (line),
/// of the first crossing in each year (bars), and of the value being above it (dashed).
#[derive(Debug, Clone)]
pub struct MilestoneChart<'a> {
    /// Title.
    pub title: String,
    /// Second line.
    pub subtitle: String,
    /// The milestone result.
    pub milestone: &'a crate::scenarios::milestone::Milestone,
    /// Last period to draw.
    pub last: i64,
    /// P(trailing-12-month sales have reached the target by the end of each month), as
    /// (month ordinal, probability); empty when there are no monthly paths.
    pub months: Vec<(i64, f64)>,
    /// Footnote.
    pub footnote: String,
}

impl MilestoneChart<'_> {
    /// Write the chart to `path` (`.png` or `.svg`).
    pub fn write(&self, path: &Path) -> Result<()> {
        render_with(self, path)
    }
}

impl Drawable for MilestoneChart<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, path: &Path) -> Result<()> {
        let e = draw_err(path);
        let m = self.milestone;
        let main = frame(root, &self.title, &self.subtitle, &self.footnote, path)?;
        let odds: Vec<_> = m
            .by_period
            .iter()
            .filter(|p| p.period <= self.last)
            .collect();
        let x0 = odds.first().map(|p| p.period).unwrap_or(m.by) as f64;
        let x1 = odds.last().map(|p| p.period).unwrap_or(m.by) as f64;
        let mut chart = ChartBuilder::on(&main)
            .margin(20)
            .margin_top(10)
            .x_label_area_size(45)
            .y_label_area_size(85)
            .build_cartesian_2d(x0 - 0.7..x1 + 0.7, 0.0..1.0)
            .map_err(&e)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(0xE4, 0xE4, 0xE4))
            .x_desc("year")
            .y_desc("probability")
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
            .label_style(("sans-serif", 17))
            .axis_desc_style(("sans-serif", 18))
            .draw()
            .map_err(&e)?;
        chart
            .draw_series(odds.iter().map(|p| {
                let x = p.period as f64;
                Rectangle::new([(x - 0.35, 0.0), (x + 0.35, p.p_first)], BAND_80.filled())
            }))
            .map_err(&e)?
            .label("first crossing in this year")
            .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 20, y + 6)], BAND_80.filled()));
        chart
            .draw_series(LineSeries::new(
                odds.iter().map(|p| (p.period as f64, p.p_crossed_by)),
                FORECAST.stroke_width(3),
            ))
            .map_err(&e)?
            .label("reached by this year")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], FORECAST.stroke_width(3)));
        chart
            .draw_series(DashedLineSeries::new(
                odds.iter().map(|p| (p.period as f64, p.p_at_least)),
                8,
                5,
                HISTORY.stroke_width(2),
            ))
            .map_err(&e)?
            .label("at or above the target in this year")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], HISTORY.stroke_width(2)));
        if !self.months.is_empty() {
            // the months of year Y spread across its bar, January at its left edge
            let monthly = RGBColor(0xE0, 0x8A, 0x00);
            chart
                .draw_series(LineSeries::new(
                    self.months
                        .iter()
                        .map(|(o, p)| (*o as f64 / 12.0 - 0.5 + 0.5 / 12.0, *p))
                        .filter(|(x, _)| *x <= x1 + 0.5),
                    monthly.stroke_width(2),
                ))
                .map_err(&e)?
                .label("trailing-12-month sales reached by this month (months across each year)")
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], monthly.stroke_width(2))
                });
        }
        let by = m.by as f64;
        chart
            .draw_series(DashedLineSeries::new(
                vec![(by, 0.0), (by, 1.0)],
                4,
                4,
                THRESHOLD.stroke_width(2),
            ))
            .map_err(&e)?;
        // the annotation goes beside the `by` line, at the height where no curve or bar
        // passes under it (measured in pixels on the drawn curves)
        let note = format!("reached by {}: {:.0}%", m.by, m.p_crossed_by * 100.0);
        let (w_px, h_px) = chart.plotting_area().dim_in_pixel();
        let x_per_px = (x1 - x0 + 1.4) / f64::from(w_px.max(1));
        let text_w = note.chars().count() as f64 * 10.0 * x_per_px;
        let text_h = 24.0 / f64::from(h_px.max(1));
        let right = by + 0.15 + text_w <= x1 + 0.7;
        let span = if right {
            (by + 0.1, by + 0.2 + text_w)
        } else {
            (by - 0.2 - text_w, by - 0.1)
        };
        let mut curves: Vec<Vec<(f64, f64)>> = vec![
            odds.iter()
                .map(|p| (p.period as f64, p.p_crossed_by))
                .collect(),
            odds.iter()
                .map(|p| (p.period as f64, p.p_at_least))
                .collect(),
        ];
        if !self.months.is_empty() {
            curves.push(
                self.months
                    .iter()
                    .map(|(o, p)| (*o as f64 / 12.0 - 0.5 + 0.5 / 12.0, *p))
                    .collect(),
            );
        }
        let bars: Vec<(f64, f64, f64)> = odds
            .iter()
            .map(|p| (p.period as f64 - 0.35, p.period as f64 + 0.35, p.p_first))
            .collect();
        let top = annotation_top(
            &curves,
            &bars,
            span,
            text_h,
            (m.p_crossed_by + 0.08).min(0.97),
        );
        let anchor = plotters::style::text_anchor::Pos::new(
            if right {
                plotters::style::text_anchor::HPos::Left
            } else {
                plotters::style::text_anchor::HPos::Right
            },
            plotters::style::text_anchor::VPos::Top,
        );
        chart
            .draw_series(std::iter::once(Text::new(
                note,
                (if right { by + 0.15 } else { by - 0.15 }, top),
                ("sans-serif", 18).into_font().color(&THRESHOLD).pos(anchor),
            )))
            .map_err(&e)?;
        // the curves rise to the right: the legend goes where they are not
        let early = odds.first().is_some_and(|p| p.p_crossed_by > 0.5);
        let corner = if early {
            SeriesLabelPosition::LowerRight
        } else {
            SeriesLabelPosition::UpperLeft
        };
        legend(&mut chart, corner, path)?;
        Ok(())
    }
}

/// Nowcasts of one year after each known month, with interval bands and the actual total.
#[derive(Debug, Clone)]
pub struct NowcastChart<'a> {
    /// Title.
    pub title: String,
    /// Second line.
    pub subtitle: String,
    /// One nowcast per number of known months.
    pub nowcasts: &'a [crate::scenarios::nowcast::Nowcast],
    /// The year's actual total, when complete.
    pub actual: Option<f64>,
    /// A threshold drawn across (e.g. the $1T line), with its label.
    pub target: Option<(f64, String)>,
    /// Published forecasts of the same year: (label, value), drawn as marks in a column
    /// right of the months.
    pub published: Vec<(String, f64)>,
    /// The market model's figure for the same year on the same months, the headline every
    /// other command prints: (label, months known, point, widest interval's lower and upper).
    pub market: Option<(String, u32, f64, f64, f64)>,
    /// Footnote.
    pub footnote: String,
}

impl NowcastChart<'_> {
    /// Write the chart to `path` (`.png` or `.svg`).
    pub fn write(&self, path: &Path) -> Result<()> {
        render_with(self, path)
    }
}

impl Drawable for NowcastChart<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, path: &Path) -> Result<()> {
        let e = draw_err(path);
        let main = frame(root, &self.title, &self.subtitle, &self.footnote, path)?;
        let n = self.nowcasts;
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for r in n {
            for (_, l, h) in &r.intervals {
                lo = lo.min(*l);
                hi = hi.max(*h);
            }
        }
        let extra = self
            .published
            .iter()
            .map(|p| p.1)
            .chain(self.actual)
            .chain(self.target.as_ref().map(|t| t.0))
            .chain(self.market.iter().flat_map(|m| [m.3, m.4]));
        for v in extra {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        let pad = (hi - lo).max(1.0) * 0.08;
        // the months shown: those known, plus one, at least 3 (not all 11 when few are known)
        let last_known = n.iter().map(|r| r.known).max().unwrap_or(1);
        let months = (last_known + 1).clamp(3, 11);
        // a column for the published forecasts right of the months, wide enough for labels
        let column = if self.published.is_empty() {
            None
        } else {
            Some(f64::from(months) + 1.0)
        };
        let x1 = column.map_or(f64::from(months) + 0.5, |c| c + 1.6);
        let mut chart = ChartBuilder::on(&main)
            .margin(20)
            .margin_top(10)
            .x_label_area_size(45)
            .y_label_area_size(85)
            .build_cartesian_2d(0.5..x1, (lo - pad)..(hi + pad))
            .map_err(&e)?;
        let last_month = f64::from(months);
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(0xE4, 0xE4, 0xE4))
            .x_desc("months of the year known")
            .y_desc("full-year total, USD bn")
            // gridlines only over the months, drawn below; none in the published column
            .disable_x_mesh()
            .x_labels(((x1 - 0.5).round() as usize).max(2))
            .x_label_formatter(&move |x| {
                if *x >= 0.99 && *x <= last_month + 0.01 && (x - x.round()).abs() < 1e-6 {
                    format!("{x:.0}")
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|y| money(*y))
            .label_style(("sans-serif", 17))
            .axis_desc_style(("sans-serif", 18))
            .draw()
            .map_err(&e)?;
        for m in 1..=months {
            chart
                .draw_series(LineSeries::new(
                    [(f64::from(m), lo - pad), (f64::from(m), hi + pad)],
                    RGBColor(0xE4, 0xE4, 0xE4),
                ))
                .map_err(&e)?;
        }
        let mut levels: Vec<usize> =
            (0..n.first().map(|r| r.intervals.len()).unwrap_or(0)).collect();
        levels.sort_by(|a, b| n[0].intervals[*b].0.total_cmp(&n[0].intervals[*a].0));
        let n_levels = levels.len();
        for (rank, j) in levels.into_iter().enumerate() {
            let color = if n_levels == 1 || rank == 0 {
                BAND_95
            } else {
                BAND_80
            };
            let mut poly: Vec<(f64, f64)> = n
                .iter()
                .map(|r| (f64::from(r.known), r.intervals[j].2))
                .collect();
            poly.extend(
                n.iter()
                    .rev()
                    .map(|r| (f64::from(r.known), r.intervals[j].1)),
            );
            let level = n[0].intervals[j].0;
            chart
                .draw_series(std::iter::once(Polygon::new(poly, color.filled())))
                .map_err(&e)?
                .label(format!("{level}% interval"))
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 20, y + 6)], color.filled())
                });
        }
        if let Some((t, label)) = &self.target {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(0.5, *t), (x1, *t)],
                    6,
                    4,
                    MUTED.stroke_width(2),
                ))
                .map_err(&e)?
                .label(label.clone())
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], MUTED.stroke_width(2))
                });
        }
        if let Some(c) = column {
            // the published forecasts: a mark each, labelled; labels nudged apart
            let span = (hi - lo).max(1.0) + 2.0 * pad;
            let mut marks: Vec<(String, f64)> = self.published.clone();
            marks.sort_by(|a, b| a.1.total_cmp(&b.1));
            let mut label_y: Vec<f64> = marks.iter().map(|m| m.1).collect();
            let gap = span * 0.045;
            for i in 1..label_y.len() {
                if label_y[i] - label_y[i - 1] < gap {
                    label_y[i] = label_y[i - 1] + gap;
                }
            }
            let color = RGBColor(0x7B, 0x4F, 0xA0);
            for (k, (label, v)) in marks.iter().enumerate() {
                chart
                    .draw_series([
                        PathElement::new(
                            vec![(c - 0.25, *v), (c + 0.25, *v)],
                            color.stroke_width(3),
                        ),
                        PathElement::new(
                            vec![(c + 0.25, *v), (c + 0.32, label_y[k])],
                            color.stroke_width(1),
                        ),
                    ])
                    .map_err(&e)?;
                chart
                    .draw_series(std::iter::once(Text::new(
                        format!("{label} {}", money(*v)),
                        (c + 0.35, label_y[k] + span * 0.012),
                        ("sans-serif", 14).into_font().color(&color),
                    )))
                    .map_err(&e)?;
            }
            chart
                .draw_series(std::iter::once(Text::new(
                    "published forecasts".to_string(),
                    (c - 0.3, lo - pad * 0.4),
                    ("sans-serif", 15).into_font().color(&MUTED),
                )))
                .map_err(&e)?;
        }
        if let Some(a) = self.actual {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(0.5, a), (x1, a)],
                    10,
                    6,
                    THRESHOLD.stroke_width(2),
                ))
                .map_err(&e)?
                .label(format!("actual total {}", money(a)))
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], THRESHOLD.stroke_width(2))
                });
        }
        chart
            .draw_series(LineSeries::new(
                n.iter().map(|r| (f64::from(r.known), r.point)),
                FORECAST.stroke_width(3),
            ))
            .map_err(&e)?
            .label("nowcast")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], FORECAST.stroke_width(3)));
        chart
            .draw_series(
                n.iter()
                    .map(|r| Circle::new((f64::from(r.known), r.point), 4, FORECAST.filled())),
            )
            .map_err(&e)?;
        if let Some((label, known, point, lower, upper)) = &self.market {
            // beside the last nowcast, not on it: a black cross with its interval
            let x = f64::from(*known) + 0.18;
            chart
                .draw_series([
                    PathElement::new(vec![(x, *lower), (x, *upper)], BLACK.stroke_width(2)),
                    PathElement::new(
                        vec![(x - 0.06, *lower), (x + 0.06, *lower)],
                        BLACK.stroke_width(2),
                    ),
                    PathElement::new(
                        vec![(x - 0.06, *upper), (x + 0.06, *upper)],
                        BLACK.stroke_width(2),
                    ),
                ])
                .map_err(&e)?;
            chart
                .draw_series(std::iter::once(Cross::new(
                    (x, *point),
                    7,
                    BLACK.stroke_width(2),
                )))
                .map_err(&e)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("market model {}", money(*point)),
                    (x + 0.1, *point),
                    ("sans-serif", 15).into_font().color(&BLACK),
                )))
                .map_err(&e)?
                .label(label.clone())
                .legend(|(x, y)| {
                    PathElement::new(
                        vec![(x + 10, y - 7), (x + 10, y + 7)],
                        BLACK.stroke_width(2),
                    )
                });
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft, path)?;
        Ok(())
    }
}

/// Grouped bars: industry vs chipcast error per group.
#[derive(Debug, Clone)]
pub struct BacktestChart {
    /// Title.
    pub title: String,
    /// Second line.
    pub subtitle: String,
    /// (label, industry MAPE, chipcast MAPE).
    pub groups: Vec<(String, f64, f64)>,
    /// Footnote.
    pub footnote: String,
}

impl BacktestChart {
    /// Write the chart to `path` (`.png` or `.svg`).
    pub fn write(&self, path: &Path) -> Result<()> {
        render_with(self, path)
    }
}

impl Drawable for BacktestChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, path: &Path) -> Result<()> {
        let e = draw_err(path);
        let main = frame(root, &self.title, &self.subtitle, &self.footnote, path)?;
        let n = self.groups.len().max(1);
        let xmax = self
            .groups
            .iter()
            .flat_map(|g| [g.1, g.2])
            .fold(1.0, f64::max)
            * 1.12;
        // horizontal bars: one row per group, top to bottom in input order
        let labels: Vec<String> = self.groups.iter().map(|g| g.0.clone()).collect();
        let row = |i: usize| (n - 1 - i) as f64;
        let mut chart = ChartBuilder::on(&main)
            .margin(20)
            .margin_top(10)
            .x_label_area_size(45)
            .y_label_area_size(210)
            .build_cartesian_2d(0.0..xmax, -0.5..n as f64 - 0.5)
            .map_err(&e)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(0xE4, 0xE4, 0xE4))
            .y_labels(n)
            .y_label_formatter(&|y| {
                let i = y.round();
                if (y - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
                    labels[n - 1 - i as usize].clone()
                } else {
                    String::new()
                }
            })
            .x_desc("mean absolute % error vs the WSTS actual")
            .x_label_formatter(&|x| format!("{x:.0}%"))
            .label_style(("sans-serif", 15))
            .axis_desc_style(("sans-serif", 17))
            .draw()
            .map_err(&e)?;
        chart
            .draw_series(self.groups.iter().enumerate().map(|(i, g)| {
                let y = row(i);
                Rectangle::new(
                    [(0.0, y + 0.02), (g.1, y + 0.38)],
                    THRESHOLD.mix(0.8).filled(),
                )
            }))
            .map_err(&e)?
            .label("published forecast")
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 6), (x + 20, y + 6)], THRESHOLD.mix(0.8).filled())
            });
        chart
            .draw_series(self.groups.iter().enumerate().map(|(i, g)| {
                let y = row(i);
                Rectangle::new(
                    [(0.0, y - 0.38), (g.2, y - 0.02)],
                    FORECAST.mix(0.8).filled(),
                )
            }))
            .map_err(&e)?
            .label("chipcast, same information")
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 6), (x + 20, y + 6)], FORECAST.mix(0.8).filled())
            });
        legend(&mut chart, SeriesLabelPosition::LowerRight, path)?;
        Ok(())
    }
}

/// Forecast of one target year at several as-of dates: points with 80/95% bars.
#[derive(Debug, Clone)]
pub struct VintageChart {
    /// Title.
    pub title: String,
    /// Second line.
    pub subtitle: String,
    /// (as-of as a fractional year, point, lo80, hi80, lo95, hi95, probability label).
    pub points: Vec<(f64, f64, f64, f64, f64, f64, f64)>,
    /// Threshold line.
    pub target: f64,
    /// Footnote.
    pub footnote: String,
}

impl VintageChart {
    /// Write the chart to `path` (`.png` or `.svg`).
    pub fn write(&self, path: &Path) -> Result<()> {
        render_with(self, path)
    }
}

impl Drawable for VintageChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, path: &Path) -> Result<()> {
        let e = draw_err(path);
        let main = frame(root, &self.title, &self.subtitle, &self.footnote, path)?;
        let x0 = self
            .points
            .iter()
            .map(|p| p.0)
            .fold(f64::INFINITY, f64::min)
            - 0.7;
        let x1 = self
            .points
            .iter()
            .map(|p| p.0)
            .fold(f64::NEG_INFINITY, f64::max)
            + 0.7;
        // a log axis: intervals of a growing market are wide upwards, and the target stays
        // readable; headroom above the tallest bar and its label for the legend (upper left)
        let ymax = self.points.iter().map(|p| p.5).fold(self.target, f64::max) * 2.6;
        let ymin = self
            .points
            .iter()
            .map(|p| p.4)
            .filter(|v| *v > 0.0)
            .fold(self.target, f64::min)
            * 0.8;
        // bars never overlap: each at most 0.45 of the gap to its nearer neighbour
        let halves: Vec<f64> = (0..self.points.len())
            .map(|i| {
                let x = self.points[i].0;
                let prev = i.checked_sub(1).map(|k| (x - self.points[k].0).abs());
                let next = self.points.get(i + 1).map(|p| (p.0 - x).abs());
                let gap = prev.into_iter().chain(next).fold(f64::INFINITY, f64::min);
                (0.45 * gap).min(0.12)
            })
            .collect();
        let mut chart = ChartBuilder::on(&main)
            .margin(20)
            .margin_top(10)
            .x_label_area_size(45)
            .y_label_area_size(85)
            .build_cartesian_2d(x0..x1, FixedTicks::log(ymin, ymax))
            .map_err(&e)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(0xE4, 0xE4, 0xE4))
            .x_desc("as of (end of the last month of data)")
            .y_desc("USD bn (nominal), log scale")
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| money(*y))
            .label_style(("sans-serif", 17))
            .axis_desc_style(("sans-serif", 18))
            .draw()
            .map_err(&e)?;
        chart
            .draw_series(DashedLineSeries::new(
                vec![(x0, self.target), (x1, self.target)],
                10,
                6,
                THRESHOLD.stroke_width(2),
            ))
            .map_err(&e)?
            .label(format!("target {}", money(self.target)))
            .legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], THRESHOLD.stroke_width(2))
            });
        chart
            .draw_series(
                self.points.iter().zip(&halves).map(|(p, h)| {
                    Rectangle::new([(p.0 - h, p.4), (p.0 + h, p.5)], BAND_95.filled())
                }),
            )
            .map_err(&e)?
            .label("95% interval")
            .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 20, y + 6)], BAND_95.filled()));
        chart
            .draw_series(
                self.points.iter().zip(&halves).map(|(p, h)| {
                    Rectangle::new([(p.0 - h, p.2), (p.0 + h, p.3)], BAND_80.filled())
                }),
            )
            .map_err(&e)?
            .label("80% interval")
            .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 20, y + 6)], BAND_80.filled()));
        chart
            .draw_series(LineSeries::new(
                self.points.iter().map(|p| (p.0, p.1)),
                FORECAST.stroke_width(2),
            ))
            .map_err(&e)?
            .label("point forecast")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], FORECAST.stroke_width(2)));
        chart
            .draw_series(
                self.points
                    .iter()
                    .map(|p| Circle::new((p.0, p.1), 5, FORECAST.filled())),
            )
            .map_err(&e)?;
        let above = plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Bottom,
        );
        let below = plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Top,
        );
        // a label too close to the previous point's goes under its bar instead
        chart
            .draw_series(self.points.iter().enumerate().map(|(i, p)| {
                let crowded = i > 0 && (p.0 - self.points[i - 1].0).abs() < 0.5;
                let (y, pos) = if crowded {
                    (p.4 * 0.98, below)
                } else {
                    (p.5 * 1.02, above)
                };
                Text::new(
                    format!("{:.0}%", p.6 * 100.0),
                    (p.0, y),
                    ("sans-serif", 16).into_font().color(&BLACK).pos(pos),
                )
            }))
            .map_err(&e)?;
        legend(&mut chart, SeriesLabelPosition::UpperLeft, path)?;
        Ok(())
    }
}

/// One forecast year's interval: (year, lo80, hi80, lo95, hi95).
pub type Whisker = (i64, f64, f64, f64, f64);

/// Stacked areas (e.g. regions adding up to a total) with a marker where forecasts begin.
#[derive(Debug, Clone)]
pub struct StackedChart {
    /// Title.
    pub title: String,
    /// Second line.
    pub subtitle: String,
    /// (label, (year, value)) per layer, bottom first; all layers share the years.
    pub layers: Vec<(String, Vec<(i64, f64)>)>,
    /// Per layer (same order, may be empty): (year, lo80, hi80, lo95, hi95) of its forecast
    /// years, drawn as whiskers around the layer's top edge.
    pub intervals: Vec<Vec<Whisker>>,
    /// The total's (year, lo80, hi80, lo95, hi95), drawn in black at the top of the stack,
    /// right of the layers' whiskers; empty for none.
    pub total: Vec<Whisker>,
    /// First forecast year.
    pub forecast_start: i64,
    /// Footnote.
    pub footnote: String,
}

impl StackedChart {
    /// Write the chart to `path` (`.png` or `.svg`).
    pub fn write(&self, path: &Path) -> Result<()> {
        render_with(self, path)
    }
}

const LAYER_COLORS: [RGBColor; 6] = [
    RGBColor(0x1F, 0x3F, 0xB8),
    RGBColor(0x4E, 0x9A, 0x6B),
    RGBColor(0xC0, 0x39, 0x2B),
    RGBColor(0xE0, 0x9F, 0x3E),
    RGBColor(0x7B, 0x4F, 0xA0),
    RGBColor(0x55, 0x55, 0x55),
];

impl Drawable for StackedChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, path: &Path) -> Result<()> {
        let e = draw_err(path);
        let main = frame(root, &self.title, &self.subtitle, &self.footnote, path)?;
        let n = self.layers.first().map(|l| l.1.len()).unwrap_or(0);
        let mut cum = vec![vec![0.0; n]; self.layers.len() + 1];
        for (j, (_, pts)) in self.layers.iter().enumerate() {
            let below = cum[j].clone();
            for (i, (slot, base)) in cum[j + 1].iter_mut().zip(below).enumerate() {
                *slot = base + pts.get(i).map(|p| p.1).unwrap_or(0.0);
            }
        }
        let years: Vec<f64> = self
            .layers
            .first()
            .map(|l| l.1.iter().map(|p| p.0 as f64).collect())
            .unwrap_or_default();
        // the highest whisker: a layer's top edge plus its 95% upper distance
        let whisker_top = self
            .intervals
            .iter()
            .enumerate()
            .flat_map(|(j, iv)| {
                let cum = &cum;
                let years = &years;
                iv.iter().filter_map(move |&(year, _, _, _, hi95)| {
                    let i = years.iter().position(|x| *x == year as f64)?;
                    let point = self.layers[j].1.get(i)?.1;
                    Some(cum[j + 1][i] + hi95 - point)
                })
            })
            .fold(0.0, f64::max)
            .max(self.total.iter().map(|w| w.4).fold(0.0, f64::max));
        let ymax = cum
            .last()
            .map(|c| c.iter().copied().fold(0.0, f64::max))
            .unwrap_or(1.0)
            .max(whisker_top / 1.04)
            * 1.08;
        let pad = if self.intervals.iter().any(|v| !v.is_empty()) || !self.total.is_empty() {
            0.6
        } else {
            0.0
        };
        let (x0, x1) = (
            years.first().copied().unwrap_or(0.0),
            years.last().copied().unwrap_or(1.0) + pad,
        );
        let mut chart = ChartBuilder::on(&main)
            .margin(20)
            .margin_top(10)
            .x_label_area_size(45)
            .y_label_area_size(85)
            .build_cartesian_2d(x0..x1, 0.0..ymax.max(1.0))
            .map_err(&e)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(0xE4, 0xE4, 0xE4))
            .x_desc("year")
            .y_desc("USD bn (nominal)")
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| money(*y))
            .label_style(("sans-serif", 17))
            .axis_desc_style(("sans-serif", 18))
            .draw()
            .map_err(&e)?;
        // top layer first, so the legend reads in the order of the stack
        for (j, (label, _)) in self.layers.iter().enumerate().rev() {
            let color = LAYER_COLORS[j % LAYER_COLORS.len()];
            let mut poly: Vec<(f64, f64)> = years
                .iter()
                .zip(&cum[j + 1])
                .map(|(x, y)| (*x, *y))
                .collect();
            poly.extend(years.iter().zip(&cum[j]).rev().map(|(x, y)| (*x, *y)));
            chart
                .draw_series(std::iter::once(Polygon::new(
                    poly,
                    color.mix(0.75).filled(),
                )))
                .map_err(&e)?
                .label(label.clone())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 20, y + 6)], color.mix(0.75).filled())
                });
        }
        // whiskers: each layer's interval around its top edge (the stack below it held at
        // its points), side by side within the year so that they do not overlap
        let nl = self.layers.len().max(1) as f64;
        for (j, iv) in self.intervals.iter().enumerate() {
            let color = LAYER_COLORS[j % LAYER_COLORS.len()];
            let dark = RGBColor(color.0 / 2, color.1 / 2, color.2 / 2);
            let dx = (j as f64 - (nl - 1.0) / 2.0) * 0.14;
            for &(year, lo80, hi80, lo95, hi95) in iv {
                let Some(i) = years.iter().position(|x| *x == year as f64) else {
                    continue;
                };
                let point = self.layers[j].1.get(i).map(|p| p.1).unwrap_or(0.0);
                let top = cum[j + 1][i];
                let at = |v: f64| top + (v - point);
                let x = year as f64 + dx;
                chart
                    .draw_series([
                        PathElement::new(vec![(x, at(lo95)), (x, at(hi95))], dark.stroke_width(1)),
                        PathElement::new(vec![(x, at(lo80)), (x, at(hi80))], dark.stroke_width(4)),
                    ])
                    .map_err(&e)?;
            }
        }
        // the total's interval, at the top of the stack (where its point is), right of them
        let x_total = (nl - 1.0) / 2.0 * 0.14 + 0.14;
        for (k, &(year, lo80, hi80, lo95, hi95)) in self.total.iter().enumerate() {
            let x = year as f64 + x_total;
            let drawn = chart
                .draw_series([
                    PathElement::new(vec![(x, lo95), (x, hi95)], BLACK.stroke_width(1)),
                    PathElement::new(vec![(x, lo80), (x, hi80)], BLACK.stroke_width(4)),
                ])
                .map_err(&e)?;
            if k == 0 {
                drawn.label("total: 80% (thick) and 95%").legend(|(x, y)| {
                    PathElement::new(
                        vec![(x + 10, y - 7), (x + 10, y + 7)],
                        BLACK.stroke_width(4),
                    )
                });
            }
        }
        let fs = self.forecast_start as f64 - 0.5;
        chart
            .draw_series(DashedLineSeries::new(
                vec![(fs, 0.0), (fs, ymax)],
                4,
                4,
                HISTORY.stroke_width(1),
            ))
            .map_err(&e)?;
        chart
            .draw_series(std::iter::once(Text::new(
                "forecast →".to_string(),
                (fs + 0.2, ymax * 0.96),
                ("sans-serif", 16).into_font().color(&MUTED),
            )))
            .map_err(&e)?;
        legend(&mut chart, SeriesLabelPosition::UpperLeft, path)?;
        Ok(())
    }
}
