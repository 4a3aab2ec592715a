//! Turning and mirroring a picture for the way the projector hangs, and mixing two pictures.

use serde::{Deserialize, Serialize};

use super::Frame;

/// A clockwise quarter-turn of the picture.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub enum Rotation {
    /// As drawn.
    #[default]
    R0,
    /// A quarter-turn clockwise: apps draw on a portrait canvas.
    R90,
    /// Upside down (a lamp reaching over from the far side of a table).
    R180,
    /// A quarter-turn anticlockwise.
    R270,
}

impl TryFrom<u16> for Rotation {
    type Error = String;
    fn try_from(degrees: u16) -> Result<Self, Self::Error> {
        match degrees {
            0 => Ok(Rotation::R0),
            90 => Ok(Rotation::R90),
            180 => Ok(Rotation::R180),
            270 => Ok(Rotation::R270),
            other => Err(format!(
                "rotation {other} is not accepted: expected 0, 90, 180 or 270"
            )),
        }
    }
}

impl From<Rotation> for u16 {
    fn from(rotation: Rotation) -> u16 {
        match rotation {
            Rotation::R0 => 0,
            Rotation::R90 => 90,
            Rotation::R180 => 180,
            Rotation::R270 => 270,
        }
    }
}

/// How a surface's picture is turned and flipped on its way to the projector.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Orientation {
    /// Turn first…
    pub rotation: Rotation,
    /// …then flip left to right (a projector on a ceiling mount, or through a mirror).
    pub mirror: bool,
}

impl Orientation {
    /// The size apps draw at for a projector of `width × height`: swapped for quarter-turns.
    pub fn canvas_size(&self, width: u32, height: u32) -> (u32, u32) {
        match self.rotation {
            Rotation::R0 | Rotation::R180 => (width, height),
            Rotation::R90 | Rotation::R270 => (height, width),
        }
    }

    /// Writes `canvas` (of [`Orientation::canvas_size`]) turned and flipped into `out`. A canvas
    /// of the wrong size is drawn clipped rather than refused.
    pub fn apply(&self, canvas: &Frame, out: &mut Frame) {
        let (w, h) = (out.width() as usize, out.height() as usize);
        let (cw, ch) = (canvas.width() as usize, canvas.height() as usize);
        if *self == Orientation::default() && (cw, ch) == (w, h) {
            out.rgba_mut().copy_from_slice(canvas.rgba());
            return;
        }
        let source = canvas.rgba();
        let rotation = self.rotation;
        let mirror = self.mirror;
        let target = out.rgba_mut();
        if matches!(rotation, Rotation::R0 | Rotation::R180) && (cw, ch) == (w, h) {
            // Whole rows: a flip is a row copy, possibly reversed pixel by pixel.
            let flip_rows = rotation == Rotation::R180;
            let reverse = flip_rows != mirror;
            for (py, row) in target.chunks_exact_mut(w * 4).enumerate() {
                let sy = if flip_rows { h - 1 - py } else { py };
                let from = &source[sy * w * 4..(sy + 1) * w * 4];
                if reverse {
                    for (pixel, source) in row.chunks_exact_mut(4).zip(from.chunks_exact(4).rev()) {
                        pixel.copy_from_slice(source);
                    }
                } else {
                    row.copy_from_slice(from);
                }
            }
            return;
        }
        for py in 0..h {
            let row = &mut target[py * w * 4..(py + 1) * w * 4];
            for (px, pixel) in row.chunks_exact_mut(4).enumerate() {
                let x = if mirror { w - 1 - px } else { px };
                // Where physical pixel (x, py) comes from on the canvas.
                let (cx, cy) = match rotation {
                    Rotation::R0 => (x, py),
                    Rotation::R90 => (py, w - 1 - x),
                    Rotation::R180 => (w - 1 - x, h - 1 - py),
                    Rotation::R270 => (h - 1 - py, x),
                };
                if cx < cw && cy < ch {
                    let i = (cy * cw + cx) * 4;
                    pixel.copy_from_slice(&source[i..i + 4]);
                } else {
                    pixel.copy_from_slice(&[0, 0, 0, 255]);
                }
            }
        }
    }
}

/// `out = from · (1 − amount) + to · amount`; frames of different sizes leave `out` as `to`.
pub fn crossfade(from: &Frame, to: &Frame, amount: f32, out: &mut Frame) {
    let weight = (amount.clamp(0.0, 1.0) * 256.0) as u16;
    if from.rgba().len() != to.rgba().len() || out.rgba().len() != to.rgba().len() {
        out.clone_from(to);
        return;
    }
    let keep = 256 - weight;
    for ((o, a), b) in out.rgba_mut().iter_mut().zip(from.rgba()).zip(to.rgba()) {
        // keep + weight = 256, so the sum stays within 255 · 256: u16 suffices and vectorises.
        *o = ((u16::from(*a) * keep + u16::from(*b) * weight) >> 8) as u8;
    }
}

#[cfg(test)]
mod tests {
    use embedded_graphics::pixelcolor::Rgb888;

    use super::*;

    /// A 3×2 canvas whose pixels are numbered 1..=6 in the red channel, row by row.
    fn numbered(w: u32, h: u32) -> Frame {
        let mut frame = Frame::new(w, h);
        for y in 0..h as i32 {
            for x in 0..w as i32 {
                frame.set_pixel(x, y, Rgb888::new((y * w as i32 + x + 1) as u8, 0, 0));
            }
        }
        frame
    }

    fn reds(frame: &Frame) -> Vec<u8> {
        frame.rgba().chunks(4).map(|p| p[0]).collect()
    }

    #[test]
    fn rotations_and_mirror_move_pixels_where_expected() {
        let canvas = numbered(3, 2); // 1 2 3 / 4 5 6
        let mut out = Frame::new(3, 2);
        let turn = |rotation, mirror| Orientation { rotation, mirror };
        turn(Rotation::R0, false).apply(&canvas, &mut out);
        assert_eq!(reds(&out), [1, 2, 3, 4, 5, 6]);
        turn(Rotation::R180, false).apply(&canvas, &mut out);
        assert_eq!(reds(&out), [6, 5, 4, 3, 2, 1]);
        turn(Rotation::R0, true).apply(&canvas, &mut out);
        assert_eq!(reds(&out), [3, 2, 1, 6, 5, 4]);
        // Quarter-turns draw on a 2×3 canvas (1 2 / 3 4 / 5 6) for a 3×2 projector.
        let orientation = turn(Rotation::R90, false);
        assert_eq!(orientation.canvas_size(3, 2), (2, 3));
        let portrait = numbered(2, 3);
        orientation.apply(&portrait, &mut out);
        assert_eq!(reds(&out), [5, 3, 1, 6, 4, 2], "clockwise");
        turn(Rotation::R270, false).apply(&portrait, &mut out);
        assert_eq!(reds(&out), [2, 4, 6, 1, 3, 5], "anticlockwise");
        turn(Rotation::R90, true).apply(&portrait, &mut out);
        assert_eq!(reds(&out), [1, 3, 5, 2, 4, 6]);
    }

    #[test]
    fn rotation_parses_from_degrees() {
        assert_eq!(Rotation::try_from(270), Ok(Rotation::R270));
        assert!(
            Rotation::try_from(45)
                .unwrap_err()
                .contains("0, 90, 180 or 270")
        );
    }

    #[test]
    fn crossfade_mixes_linearly() {
        let mut a = Frame::new(1, 1);
        a.set_pixel(0, 0, Rgb888::new(200, 0, 100));
        let mut b = Frame::new(1, 1);
        b.set_pixel(0, 0, Rgb888::new(0, 200, 100));
        let mut out = Frame::new(1, 1);
        crossfade(&a, &b, 0.25, &mut out);
        assert_eq!(out.pixel(0, 0), Rgb888::new(150, 50, 100));
        crossfade(&a, &b, 1.0, &mut out);
        assert_eq!(out, b);
        crossfade(&a, &b, 0.0, &mut out);
        assert_eq!(out, a);
    }
}
