//! A picture laid out on the paper: darkness at any point, in millimetres.

use crate::geometry::{Point, Rect};
use crate::input::Picture;
use crate::tone::ToneCurve;

/// A picture fitted into the drawable area (aspect kept, centred), with the pen's tone curve
/// applied, answering "how dark here?" for any point on the paper.
#[derive(Clone, Debug)]
pub struct DarknessField {
    width: u32,
    height: u32,
    /// Darkness 0 (white) … 1 (black), per pixel, after the tone curve.
    darkness: Vec<f32>,
    area: Rect,
    mm_per_px: f64,
}

impl DarknessField {
    /// Fits `picture` into `drawable`.
    pub fn fit(picture: &Picture, tone: &ToneCurve, drawable: Rect) -> DarknessField {
        let (w, h) = (
            f64::from(picture.width.max(1)),
            f64::from(picture.height.max(1)),
        );
        let mm_per_px = (drawable.width / w).min(drawable.height / h);
        let (width_mm, height_mm) = (w * mm_per_px, h * mm_per_px);
        let centre = drawable.centre();
        let area = Rect {
            left: centre.x - width_mm / 2.0,
            top: centre.y - height_mm / 2.0,
            width: width_mm,
            height: height_mm,
        };
        let darkness = picture
            .pixels
            .iter()
            .map(|&b| 1.0 - f32::from(tone.apply(b)) / 255.0)
            .collect();
        DarknessField {
            width: picture.width,
            height: picture.height,
            darkness,
            area,
            mm_per_px,
        }
    }

    /// The same picture with every pixel's darkness passed through `map`.
    pub fn remapped(&self, map: impl Fn(f64) -> f64) -> DarknessField {
        DarknessField {
            darkness: self
                .darkness
                .iter()
                .map(|&d| map(f64::from(d)).clamp(0.0, 1.0) as f32)
                .collect(),
            ..self.clone()
        }
    }

    /// Where the picture lies on the paper.
    pub fn area(&self) -> Rect {
        self.area
    }

    /// The size of one picture pixel on paper.
    pub fn pixel_mm(&self) -> f64 {
        self.mm_per_px
    }

    /// Picture size in pixels.
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// Darkness of pixel (column, row).
    pub fn pixel(&self, column: u32, row: u32) -> f64 {
        f64::from(self.darkness[(row as usize) * (self.width as usize) + column as usize])
    }

    /// Darkness at `p`, interpolated between pixel centres; 0 outside the picture.
    pub fn darkness(&self, p: Point) -> f64 {
        if !self.area.contains(p, 0.0) {
            return 0.0;
        }
        let fx =
            ((p.x - self.area.left) / self.mm_per_px - 0.5).clamp(0.0, f64::from(self.width - 1));
        let fy =
            ((p.y - self.area.top) / self.mm_per_px - 0.5).clamp(0.0, f64::from(self.height - 1));
        let (x0, y0) = (fx.floor() as u32, fy.floor() as u32);
        let (x1, y1) = ((x0 + 1).min(self.width - 1), (y0 + 1).min(self.height - 1));
        let (tx, ty) = (fx - f64::from(x0), fy - f64::from(y0));
        let top = self.pixel(x0, y0) * (1.0 - tx) + self.pixel(x1, y0) * tx;
        let bottom = self.pixel(x0, y1) * (1.0 - tx) + self.pixel(x1, y1) * tx;
        top * (1.0 - ty) + bottom * ty
    }
}
