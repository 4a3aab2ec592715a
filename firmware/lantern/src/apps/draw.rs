//! Anti-aliased shapes for the apps (tiny-skia on the frame's own pixels) and the palette.

use embedded_graphics::pixelcolor::Rgb888;
use embedded_graphics::prelude::RgbColor;
use tiny_skia::{FillRule, LineCap, Paint, PathBuilder, Stroke, Transform};

use crate::render::Frame;

/// Projected black is "no light": apps draw light on dark. The palette is warm so a lamp in a
/// living room does not glare blue.
pub(crate) mod palette {
    use embedded_graphics::pixelcolor::Rgb888;

    /// Main text and hands.
    pub const INK: Rgb888 = Rgb888::new(246, 240, 228);
    /// Secondary text, minute ticks.
    pub const DIM: Rgb888 = Rgb888::new(150, 144, 134);
    /// Faint lines.
    pub const FAINT: Rgb888 = Rgb888::new(70, 67, 62);
    /// Accents: second hand, progress, "now".
    pub const ACCENT: Rgb888 = Rgb888::new(255, 150, 60);
    /// Warnings.
    pub const WARN: Rgb888 = Rgb888::new(255, 196, 0);
}

fn paint(color: Rgb888) -> Paint<'static> {
    let mut paint = Paint::default();
    paint.set_color_rgba8(color.r(), color.g(), color.b(), 255);
    paint.anti_alias = true;
    paint
}

/// Fills `path` in `color`, anti-aliased.
fn fill(frame: &mut Frame, path: &tiny_skia::Path, color: Rgb888) {
    if let Some(mut pixmap) = frame.pixmap() {
        pixmap.fill_path(
            path,
            &paint(color),
            FillRule::Winding,
            Transform::identity(),
            None,
        );
    }
}

/// A filled disc.
pub(crate) fn disc(frame: &mut Frame, cx: f32, cy: f32, radius: f32, color: Rgb888) {
    let Some(path) = PathBuilder::from_circle(cx, cy, radius.max(0.1)) else {
        return;
    };
    fill(frame, &path, color);
}

/// A circle outline.
pub(crate) fn ring(frame: &mut Frame, cx: f32, cy: f32, radius: f32, width: f32, color: Rgb888) {
    let Some(path) = PathBuilder::from_circle(cx, cy, radius.max(0.1)) else {
        return;
    };
    let stroke = Stroke {
        width,
        ..Stroke::default()
    };
    if let Some(mut pixmap) = frame.pixmap() {
        pixmap.stroke_path(&path, &paint(color), &stroke, Transform::identity(), None);
    }
}

/// A line with round ends.
pub(crate) fn line(frame: &mut Frame, from: (f32, f32), to: (f32, f32), width: f32, color: Rgb888) {
    let mut builder = PathBuilder::new();
    builder.move_to(from.0, from.1);
    builder.line_to(to.0, to.1);
    let Some(path) = builder.finish() else {
        return;
    };
    let stroke = Stroke {
        width,
        line_cap: LineCap::Round,
        ..Stroke::default()
    };
    if let Some(mut pixmap) = frame.pixmap() {
        pixmap.stroke_path(&path, &paint(color), &stroke, Transform::identity(), None);
    }
}

/// A filled rectangle with rounded corners.
pub(crate) fn rounded_rect(
    frame: &mut Frame,
    (x, y, w, h): (f32, f32, f32, f32),
    radius: f32,
    color: Rgb888,
) {
    if w <= 0.0 || h <= 0.0 {
        return;
    }
    let r = radius.min(w / 2.0).min(h / 2.0);
    // Quarter circles by cubic Béziers (k = 0.5523 places the control points).
    let k = 0.5523 * r;
    let mut b = PathBuilder::new();
    b.move_to(x + r, y);
    b.line_to(x + w - r, y);
    b.cubic_to(x + w - r + k, y, x + w, y + r - k, x + w, y + r);
    b.line_to(x + w, y + h - r);
    b.cubic_to(x + w, y + h - r + k, x + w - r + k, y + h, x + w - r, y + h);
    b.line_to(x + r, y + h);
    b.cubic_to(x + r - k, y + h, x, y + h - r + k, x, y + h - r);
    b.line_to(x, y + r);
    b.cubic_to(x, y + r - k, x + r - k, y, x + r, y);
    b.close();
    let Some(path) = b.finish() else {
        return;
    };
    fill(frame, &path, color);
}

/// A filled polygon.
pub(crate) fn polygon(frame: &mut Frame, points: &[(f32, f32)], color: Rgb888) {
    let mut b = PathBuilder::new();
    let Some((&first, rest)) = points.split_first() else {
        return;
    };
    b.move_to(first.0, first.1);
    for p in rest {
        b.line_to(p.0, p.1);
    }
    b.close();
    let Some(path) = b.finish() else {
        return;
    };
    fill(frame, &path, color);
}

/// The colour of a black body at `kelvin` (Tanner Helland's fit to the CIE data, good to a few
/// percent between 1000 K and 40000 K), scaled by `brightness` (0–1).
pub(crate) fn color_temperature(kelvin: f32, brightness: f32) -> Rgb888 {
    let t = kelvin.clamp(1000.0, 40000.0) / 100.0;
    let red = if t <= 66.0 {
        255.0
    } else {
        329.698_73 * (t - 60.0).powf(-0.133_204_76)
    };
    let green = if t <= 66.0 {
        99.470_8 * t.ln() - 161.119_57
    } else {
        288.122_16 * (t - 60.0).powf(-0.075_514_85)
    };
    let blue = if t >= 66.0 {
        255.0
    } else if t <= 19.0 {
        0.0
    } else {
        138.517_73 * (t - 10.0).ln() - 305.044_8
    };
    let level = brightness.clamp(0.0, 1.0);
    let channel = |v: f32| (v.clamp(0.0, 255.0) * level).round() as u8;
    Rgb888::new(channel(red), channel(green), channel(blue))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn color_temperature_runs_from_orange_to_blue_white() {
        let candle = color_temperature(1900.0, 1.0);
        assert_eq!(candle.r(), 255);
        assert!(candle.b() < 40, "{candle:?}");
        let daylight = color_temperature(6500.0, 1.0);
        assert!(daylight.r() > 240 && daylight.b() > 240, "{daylight:?}");
        let sky = color_temperature(10000.0, 1.0);
        assert!(sky.b() > sky.r(), "{sky:?}");
        assert_eq!(color_temperature(3000.0, 0.0), Rgb888::BLACK);
    }

    #[test]
    fn shapes_land_on_the_frame() {
        let mut frame = Frame::new(40, 40);
        disc(&mut frame, 20.0, 20.0, 10.0, Rgb888::WHITE);
        assert_eq!(frame.pixel(20, 20), Rgb888::WHITE);
        assert_eq!(frame.pixel(2, 2), Rgb888::BLACK);
        line(&mut frame, (0.0, 2.0), (39.0, 2.0), 2.0, Rgb888::RED);
        assert_eq!(frame.pixel(10, 2).r(), 255);
        rounded_rect(&mut frame, (0.0, 34.0, 40.0, 6.0), 3.0, Rgb888::GREEN);
        assert_eq!(frame.pixel(20, 37), Rgb888::GREEN);
    }
}
