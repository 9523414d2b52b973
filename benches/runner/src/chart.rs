//! The SVG chart: one horizontal bar per program and non-baseline engine showing
//! its time ratio to the baseline on a logarithmic axis, plus the geomean group.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::report::Summary;

/// Width of the chart in pixels.
const WIDTH: u32 = 1000;
/// Height of one bar in pixels.
const BAR_PX: u32 = 12;
/// Vertical gap between program groups in pixels.
const GAP_PX: u32 = 10;

/// One bar or failure marker: row (0 = top), engine slot, ratio or failure label.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// Row index from the top (programs, then the geomean row).
    pub row: usize,
    /// Index among the non-baseline engines.
    pub slot: usize,
    /// The ratio, or the reason there is none.
    pub value: Result<f64, &'static str>,
}

/// The row labels (programs, then "geomean") and the marks to draw.
pub fn marks(summary: &Summary) -> (Vec<String>, Vec<Mark>) {
    let mut labels: Vec<String> = summary.rows.iter().map(|r| r.program.clone()).collect();
    labels.push("geomean".into());
    let mut marks = Vec::new();
    for (row, r) in summary.rows.iter().enumerate() {
        for (slot, c) in r.cells.iter().skip(1).enumerate() {
            let value = match (c.ratio, c.status) {
                (Some(x), _) => Ok(x),
                (None, "ok") => Err("no baseline"),
                (None, status) => Err(status),
            };
            marks.push(Mark { row, slot, value });
        }
    }
    let geo_row = summary.rows.len();
    for (slot, g) in summary.geomeans.iter().skip(1).enumerate() {
        marks.push(Mark {
            row: geo_row,
            slot,
            value: g.map(|g| g.0).ok_or("none"),
        });
    }
    (labels, marks)
}

/// The x range: whole decades around the ratios and 1.0 (plotters places log-axis
/// ticks from the first power of ten up, so the bounds must be powers of ten).
pub fn x_range(marks: &[Mark]) -> (f64, f64) {
    let values = marks
        .iter()
        .filter_map(|m| m.value.ok())
        .filter(|v| v.is_finite() && *v > 0.0);
    let (lo, hi) = values.fold((1.0f64, 1.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    // Just under the decade, so that rounding in plotters' ln(lo) / ln(10) cannot
    // skip the first decade's ticks.
    let decade_below = 10f64.powf((lo / 1.2).log10().floor().max(-4.0)) * 0.999;
    let decade_above = 10f64.powf((hi * 1.2).log10().ceil().min(4.0));
    (decade_below, decade_above)
}

/// Draw the chart of `summary` into an SVG file at `path`.
pub fn write_svg(summary: &Summary, path: &Path) -> Result<(), String> {
    draw(summary, path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Bar colours, one per non-baseline engine (cycled).
const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// The tick label for x: only 1, 2 and 5 times a power of ten are labelled.
pub fn tick_label(x: f64) -> String {
    if !(x.is_finite() && x > 0.0) {
        return String::new();
    }
    let mantissa = x / 10f64.powf(x.log10().floor());
    let nice = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .any(|m| (mantissa - m).abs() < 1e-6);
    if !nice {
        String::new()
    } else if x >= 1.0 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

/// The drawing itself; errors are plotters' own.
fn draw(summary: &Summary, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let (labels, marks) = marks(summary);
    // Engines without a single ratio get a legend entry but no bar slot.
    let others: Vec<&String> = summary.engines.iter().skip(1).collect();
    let has_bar = |slot: usize| marks.iter().any(|m| m.slot == slot && m.value.is_ok());
    let shown: Vec<usize> = (0..others.len()).filter(|&s| has_bar(s)).collect();
    let position = |slot: usize| shown.iter().position(|&s| s == slot);
    let slots = shown.len().max(1);
    let rows = labels.len();
    let height = 120 + rows as u32 * (slots as u32 * BAR_PX + GAP_PX);
    let (lo, hi) = x_range(&marks);

    let root = SVGBackend::new(path, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let baseline = summary.baseline();
    let caption = format!("Run time relative to {baseline} (log scale, lower is faster)");
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(110)
        .build_cartesian_2d((lo..hi).log_scale(), -0.5..(rows as f64 - 0.5))?;
    let row_label = |y: &f64| {
        let nearest = y.round();
        let from_top = (rows as f64 - 1.0 - nearest) as usize;
        match labels.get(from_top) {
            Some(l) if (y - nearest).abs() < 1e-6 => l.clone(),
            _ => String::new(),
        }
    };
    chart
        .configure_mesh()
        .y_labels(rows)
        .x_labels(40)
        .y_label_formatter(&row_label)
        .x_label_formatter(&|x| tick_label(*x))
        .x_desc(format!("median time / {baseline} median time"))
        .disable_y_mesh()
        .light_line_style(WHITE)
        .draw()?;

    let bar_h = 0.8 / slots as f64;
    let centre_of =
        |m: &Mark, pos: usize| (rows - 1 - m.row) as f64 + 0.4 - pos as f64 * bar_h - bar_h / 2.0;
    let small = |color: RGBColor, h: HPos| {
        ("sans-serif", 11)
            .into_font()
            .color(&color)
            .pos(Pos::new(h, VPos::Center))
    };
    for (slot, engine) in others.iter().enumerate() {
        let color = PALETTE[slot % PALETTE.len()];
        let Some(pos) = position(slot) else {
            let label = format!("{engine}: no results");
            chart
                .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())?
                .label(label)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.mix(0.3).filled())
                });
            continue;
        };
        let mine = || marks.iter().filter(move |m| m.slot == slot);
        let bars = mine().filter_map(|m| {
            let (v, y) = (m.value.ok()?, centre_of(m, pos));
            Some(Rectangle::new(
                [(1.0, y + bar_h * 0.45), (v, y - bar_h * 0.45)],
                color.filled(),
            ))
        });
        chart
            .draw_series(bars)?
            .label(engine.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));
        let values = mine().filter_map(|m| {
            let (v, y) = (m.value.ok()?, centre_of(m, pos));
            let (x, h) = if v >= 1.0 {
                (v * 1.01, HPos::Left)
            } else {
                (v / 1.01, HPos::Right)
            };
            Some(Text::new(format!("{v:.2}"), (x, y), small(BLACK, h)))
        });
        chart.draw_series(values)?;
        let failures = mine().filter_map(|m| {
            let why = m.value.err()?;
            Some(Text::new(
                format!("{engine}: {why}"),
                (lo * 1.02, centre_of(m, pos)),
                small(RED, HPos::Left),
            ))
        });
        chart.draw_series(failures)?;
    }
    let one = PathElement::new(
        vec![(1.0, -0.5), (1.0, rows as f64 - 0.5)],
        BLACK.stroke_width(1),
    );
    chart.draw_series(std::iter::once(one))?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{CellSummary, Row};

    /// A cell summary with a ratio or a failure.
    fn cs(status: &'static str, ratio: Option<f64>) -> CellSummary {
        CellSummary {
            status,
            median: ratio,
            min_max: None,
            peak_kib: None,
            ratio,
        }
    }

    /// Two programs, baseline and two engines, one failure.
    fn summary() -> Summary {
        Summary {
            engines: vec!["base".into(), "a".into(), "b".into()],
            rows: vec![
                Row {
                    program: "p".into(),
                    cells: vec![
                        cs("ok", Some(1.0)),
                        cs("ok", Some(0.5)),
                        cs("crashed", None),
                    ],
                },
                Row {
                    program: "q".into(),
                    cells: vec![
                        cs("ok", Some(1.0)),
                        cs("ok", Some(4.0)),
                        cs("ok", Some(2.0)),
                    ],
                },
            ],
            geomeans: vec![Some((1.0, 2)), Some((2.0f64.sqrt(), 2)), Some((2.0, 1))],
            groups: Vec::new(),
        }
    }

    #[test]
    fn marks_cover_programs_and_geomean() {
        let (labels, marks) = marks(&summary());
        assert_eq!(labels, vec!["p", "q", "geomean"]);
        assert_eq!(marks.len(), 6);
        assert_eq!(
            marks[1],
            Mark {
                row: 0,
                slot: 1,
                value: Err("crashed")
            }
        );
        assert_eq!(
            marks[5],
            Mark {
                row: 2,
                slot: 1,
                value: Ok(2.0)
            }
        );
        let (lo, hi) = x_range(&marks);
        assert!((lo - 0.0999).abs() < 1e-12 && (hi - 10.0).abs() < 1e-12);
    }

    #[test]
    fn only_round_ticks_are_labelled() {
        assert_eq!(tick_label(1.0), "1");
        assert_eq!(tick_label(20.0), "20");
        assert_eq!(tick_label(0.5), "0.5");
        assert_eq!(tick_label(0.3), "");
        assert_eq!(tick_label(0.0), "");
    }

    #[test]
    fn writes_an_svg_file() {
        let dir = std::env::temp_dir().join(format!("moonjet-bench-chart-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ratios.svg");
        write_svg(&summary(), &path).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("geomean") && svg.contains("crashed") && svg.contains("<rect"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
