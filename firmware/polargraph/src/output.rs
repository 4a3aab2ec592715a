//! What a plan is turned into for people and other machines: an SVG preview, a PNG of the ink,
//! a JSON summary and Cartesian G-code.

use std::fmt::Write as _;

use serde::Serialize;

use crate::config::PlotterConfig;
use crate::geometry::{Point, Rect, Stroke};

/// Numbers about a planned drawing, saved as JSON beside the preview.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// What was drawn.
    pub input: Option<String>,
    /// The style (or `svg` for vector input).
    pub style: String,
    /// The seed: the same seed redraws the same plot.
    pub seed: u64,
    /// Number of pen-down strokes.
    pub strokes: usize,
    /// Length drawn with the pen down, mm.
    pub pen_down_mm: f64,
    /// Length travelled with the pen up, mm.
    pub pen_up_mm: f64,
    /// Steps made by the left motor (both directions).
    pub steps_left: u64,
    /// Steps made by the right motor.
    pub steps_right: u64,
    /// Plot time from the motion plan, seconds (moves and pen lifts).
    pub plot_time_s: f64,
    /// The physical lower bound: every stroke and travel at full speed with acceleration, pen
    /// lifts included, no corners slowed.
    pub lower_bound_s: f64,
}

/// An SVG of the plot in plot order, in millimetres on the paper: ink in one layer, pen-up
/// travel in another, the drawable area in a third.
pub fn svg(
    strokes: &[Stroke],
    start: Point,
    paper: Rect,
    drawable: Rect,
    pen_width: f64,
) -> String {
    let mut out = String::new();
    let (w, h) = (paper.width, paper.height);
    let at = |p: Point| (p.x - paper.left, p.y - paper.top);
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" width="{w}mm" height="{h}mm" viewBox="0 0 {w} {h}">"#
    );
    let (x, y) = at(Point::new(drawable.left, drawable.top));
    let _ = writeln!(
        out,
        r##"<g id="frame" inkscape:groupmode="layer" inkscape:label="drawable area"><rect x="{x:.3}" y="{y:.3}" width="{:.3}" height="{:.3}" fill="none" stroke="#9ab" stroke-width="0.2"/></g>"##,
        drawable.width, drawable.height
    );
    let _ = writeln!(
        out,
        r#"<g id="ink" inkscape:groupmode="layer" inkscape:label="ink" fill="none" stroke="black" stroke-width="{pen_width}" stroke-linecap="round" stroke-linejoin="round">"#
    );
    for stroke in strokes {
        out.push_str("<path d=\"");
        for (i, p) in stroke.points.iter().enumerate() {
            let (x, y) = at(*p);
            let _ = write!(out, "{}{x:.3} {y:.3}", if i == 0 { "M" } else { " L" });
        }
        if stroke.points.len() == 1 {
            out.push_str(" l0 0");
        }
        out.push_str("\"/>\n");
    }
    out.push_str("</g>\n");
    out.push_str(
        r##"<g id="travel" inkscape:groupmode="layer" inkscape:label="pen-up travel" fill="none" stroke="#e0342c" stroke-width="0.25" stroke-dasharray="1 1">"##,
    );
    out.push('\n');
    let mut from = start;
    for stroke in strokes {
        let ((x1, y1), (x2, y2)) = (at(from), at(stroke.start()));
        let _ = writeln!(
            out,
            r#"<line x1="{x1:.3}" y1="{y1:.3}" x2="{x2:.3}" y2="{y2:.3}"/>"#
        );
        from = stroke.end();
    }
    out.push_str("</g>\n</svg>\n");
    out
}

/// The ink the pen leaves, as a greyscale image of the paper at `px_per_mm`, the line as wide as
/// the pen (anti-aliased).
pub fn ink(strokes: &[Stroke], paper: Rect, pen_width: f64, px_per_mm: f64) -> image::GrayImage {
    let width = (paper.width * px_per_mm).round().max(1.0) as u32;
    let height = (paper.height * px_per_mm).round().max(1.0) as u32;
    let Some(mut pixmap) = tiny_skia::Pixmap::new(width, height) else {
        return image::GrayImage::from_pixel(1, 1, image::Luma([255]));
    };
    pixmap.fill(tiny_skia::Color::WHITE);
    let mut paint = tiny_skia::Paint::default();
    paint.set_color(tiny_skia::Color::BLACK);
    paint.anti_alias = true;
    let stroke_style = tiny_skia::Stroke {
        width: (pen_width * px_per_mm) as f32,
        line_cap: tiny_skia::LineCap::Round,
        line_join: tiny_skia::LineJoin::Round,
        ..tiny_skia::Stroke::default()
    };
    let map = |p: Point| {
        (
            ((p.x - paper.left) * px_per_mm) as f32,
            ((p.y - paper.top) * px_per_mm) as f32,
        )
    };
    for stroke in strokes {
        let mut builder = tiny_skia::PathBuilder::new();
        for (i, p) in stroke.points.iter().enumerate() {
            let (x, y) = map(*p);
            if i == 0 {
                builder.move_to(x, y);
            } else {
                builder.line_to(x, y);
            }
        }
        if stroke.points.len() == 1 {
            let (x, y) = map(stroke.points[0]);
            // A zero-length line with round caps is a dot.
            builder.line_to(x + 0.001, y);
        }
        if let Some(path) = builder.finish() {
            pixmap.stroke_path(
                &path,
                &paint,
                &stroke_style,
                tiny_skia::Transform::identity(),
                None,
            );
        }
    }
    let pixels = pixmap
        .pixels()
        .iter()
        .map(|p| p.demultiply().red())
        .collect();
    image::GrayImage::from_raw(width, height, pixels).unwrap_or_else(|| image::GrayImage::new(1, 1))
}

/// Cartesian G-code for Makelangelo's Marlin polargraph firmware: millimetres, origin at the
/// centre of the paper, y up (Makelangelo's convention), `M280` for the pen servo.
pub fn gcode(strokes: &[Stroke], config: &PlotterConfig, paper: Rect) -> String {
    let centre = paper.centre();
    let xy = |p: Point| (p.x - centre.x, centre.y - p.y);
    let pen = &config.pen;
    let motion = &config.motion;
    let mut out = String::new();
    let _ = writeln!(out, ";FLAVOR:Marlin-polargraph");
    let _ = writeln!(
        out,
        ";Generated by Atelier polargraph; origin at the paper centre, y up, mm"
    );
    let _ = writeln!(out, ";PAPER:{:.1}x{:.1}", paper.width, paper.height);
    let _ = writeln!(out, "G21\nG90");
    let _ = writeln!(
        out,
        "M204 P{:.0} T{:.0}",
        motion.draw_accel_mm_s2, motion.travel_accel_mm_s2
    );
    let up = format!("M280 P0 S{:.0} T{}", pen.up_angle, pen.up_ms);
    let down = format!("M280 P0 S{:.0} T{}", pen.down_angle, pen.down_ms);
    let _ = writeln!(out, "{up}");
    for stroke in strokes {
        let (x, y) = xy(stroke.start());
        let _ = writeln!(
            out,
            "G0 X{x:.3} Y{y:.3} F{:.0}",
            motion.travel_speed_mm_s * 60.0
        );
        let _ = writeln!(out, "{down}");
        let mut feed = Some(motion.draw_speed_mm_s * 60.0);
        for p in stroke.points.iter().skip(1) {
            let (x, y) = xy(*p);
            match feed.take() {
                Some(f) => {
                    let _ = writeln!(out, "G1 X{x:.3} Y{y:.3} F{f:.0}");
                }
                None => {
                    let _ = writeln!(out, "G1 X{x:.3} Y{y:.3}");
                }
            }
        }
        let _ = writeln!(out, "{up}");
    }
    out
}
