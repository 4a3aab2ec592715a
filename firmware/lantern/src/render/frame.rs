//! The picture in memory: an RGB frame that embedded-graphics, tiny-skia and the text renderer all
//! draw into.

use std::convert::Infallible;

use embedded_graphics::pixelcolor::Rgb888;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;

/// A `width × height` picture.
///
/// Stored as RGBA with alpha always 255, which is tiny-skia's premultiplied layout, so apps can
/// draw anti-aliased shapes through [`Frame::pixmap`] on the same bytes that embedded-graphics
/// draws on through [`DrawTarget`]; no copy between the two.
#[derive(Clone, PartialEq, Eq)]
pub struct Frame {
    width: u32,
    height: u32,
    rgba: Vec<u8>,
}

impl std::fmt::Debug for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Frame({}×{})", self.width, self.height)
    }
}

impl Frame {
    /// A black frame (each side at least one pixel).
    pub fn new(width: u32, height: u32) -> Frame {
        let (width, height) = (width.max(1), height.max(1));
        let mut rgba = vec![0u8; width as usize * height as usize * 4];
        for pixel in rgba.chunks_exact_mut(4) {
            pixel[3] = 255;
        }
        Frame {
            width,
            height,
            rgba,
        }
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The raw RGBA bytes, row by row.
    pub fn rgba(&self) -> &[u8] {
        &self.rgba
    }

    /// The raw RGBA bytes to write; keep alpha at 255.
    pub fn rgba_mut(&mut self) -> &mut [u8] {
        &mut self.rgba
    }

    fn index(&self, x: i32, y: i32) -> Option<usize> {
        let (x, y) = (u32::try_from(x).ok()?, u32::try_from(y).ok()?);
        (x < self.width && y < self.height)
            .then(|| (y as usize * self.width as usize + x as usize) * 4)
    }

    /// The colour at (`x`, `y`); black outside.
    pub fn pixel(&self, x: i32, y: i32) -> Rgb888 {
        self.index(x, y).map_or(Rgb888::BLACK, |i| {
            Rgb888::new(self.rgba[i], self.rgba[i + 1], self.rgba[i + 2])
        })
    }

    /// Sets the colour at (`x`, `y`); ignored outside.
    pub fn set_pixel(&mut self, x: i32, y: i32, color: Rgb888) {
        if let Some(i) = self.index(x, y) {
            self.rgba[i..i + 3].copy_from_slice(&[color.r(), color.g(), color.b()]);
        }
    }

    /// Mixes `color` into (`x`, `y`) with `coverage` out of 255 (anti-aliased text).
    pub fn blend_pixel(&mut self, x: i32, y: i32, color: Rgb888, coverage: u8) {
        if coverage == 0 {
            return;
        }
        if let Some(i) = self.index(x, y) {
            let a = u16::from(coverage);
            for (channel, source) in
                self.rgba[i..i + 3]
                    .iter_mut()
                    .zip([color.r(), color.g(), color.b()])
            {
                *channel =
                    ((u16::from(source) * a + u16::from(*channel) * (255 - a) + 127) / 255) as u8;
            }
        }
    }

    /// Fills the whole frame with one colour.
    pub fn fill(&mut self, color: Rgb888) {
        let pattern = [color.r(), color.g(), color.b(), 255];
        // One row by pixel, the rest by memcpy of that row: far faster than per-pixel writes.
        let row = self.width as usize * 4;
        for pixel in self.rgba[..row].chunks_exact_mut(4) {
            pixel.copy_from_slice(&pattern);
        }
        let (first, rest) = self.rgba.split_at_mut(row);
        for other in rest.chunks_exact_mut(row) {
            other.copy_from_slice(first);
        }
    }

    /// Fills the part of `area` inside the frame.
    pub fn fill_rect(&mut self, area: &Rectangle, color: Rgb888) {
        let area = area.intersection(&self.bounding_box());
        let Some(bottom_right) = area.bottom_right() else {
            return;
        };
        let pattern = [color.r(), color.g(), color.b(), 255];
        let (x0, x1) = (area.top_left.x as usize, bottom_right.x as usize);
        for y in area.top_left.y..=bottom_right.y {
            let start = (y as usize * self.width as usize + x0) * 4;
            let end = (y as usize * self.width as usize + x1 + 1) * 4;
            for pixel in self.rgba[start..end].chunks_exact_mut(4) {
                pixel.copy_from_slice(&pattern);
            }
        }
    }

    /// A tiny-skia view of the same pixels, for anti-aliased shapes. Always `Some`: the length
    /// matches by construction, but tiny-skia's constructor is fallible and a panic is not an
    /// option in a lamp.
    pub fn pixmap(&mut self) -> Option<tiny_skia::PixmapMut<'_>> {
        let (width, height) = (self.width, self.height);
        tiny_skia::PixmapMut::from_bytes(&mut self.rgba, width, height)
    }

    /// The pixels as packed RGB, three bytes each (for PNG and the simulated projector).
    pub fn to_rgb(&self) -> Vec<u8> {
        let mut rgb = Vec::with_capacity(self.width as usize * self.height as usize * 3);
        for pixel in self.rgba.chunks_exact(4) {
            rgb.extend_from_slice(&pixel[..3]);
        }
        rgb
    }

    /// A frame from packed RGB bytes, or `None` when the length does not match.
    pub fn from_rgb(width: u32, height: u32, rgb: &[u8]) -> Option<Frame> {
        if width == 0 || height == 0 || rgb.len() != width as usize * height as usize * 3 {
            return None;
        }
        let mut rgba = Vec::with_capacity(rgb.len() / 3 * 4);
        for pixel in rgb.chunks_exact(3) {
            rgba.extend_from_slice(&[pixel[0], pixel[1], pixel[2], 255]);
        }
        Some(Frame {
            width,
            height,
            rgba,
        })
    }

    /// As an `image` buffer, to save or compare.
    pub fn to_image(&self) -> image::RgbImage {
        image::RgbImage::from_raw(self.width, self.height, self.to_rgb())
            .unwrap_or_else(|| image::RgbImage::new(self.width, self.height))
    }

    /// A copy at most `max_width` wide, shrunk by a whole factor with each pixel the average of
    /// the block it covers (for previews: cheap, and no aliasing shimmer on star fields).
    pub fn scaled_to_width(&self, max_width: u32) -> Frame {
        let factor = self.width.div_ceil(max_width.max(1)).max(1);
        if factor == 1 {
            return self.clone();
        }
        let (width, height) = (self.width / factor, self.height / factor);
        let (width, height) = (width.max(1), height.max(1));
        let mut out = Frame::new(width, height);
        let stride = self.width as usize * 4;
        for y in 0..height as usize {
            for x in 0..width as usize {
                let mut sum = [0u32; 3];
                let mut count = 0u32;
                for sy in y * factor as usize..((y + 1) * factor as usize).min(self.height as usize)
                {
                    let row = &self.rgba[sy * stride..(sy + 1) * stride];
                    for sx in
                        x * factor as usize..((x + 1) * factor as usize).min(self.width as usize)
                    {
                        for (total, value) in sum.iter_mut().zip(&row[sx * 4..sx * 4 + 3]) {
                            *total += u32::from(*value);
                        }
                        count += 1;
                    }
                }
                let at = (y * width as usize + x) * 4;
                for (channel, total) in out.rgba[at..at + 3].iter_mut().zip(sum) {
                    *channel = (total / count.max(1)) as u8;
                }
                out.rgba[at + 3] = 255;
            }
        }
        out
    }

    /// Multiplies every pixel by `level` (0 = black, 1 = unchanged).
    pub fn dim(&mut self, level: f32) {
        let scale = (level.clamp(0.0, 1.0) * 256.0) as u16;
        if scale >= 256 {
            return;
        }
        // A table per level, and alpha mapped to itself: one lookup per byte.
        let mut table = [0u8; 256];
        for (value, entry) in table.iter_mut().enumerate() {
            *entry = ((value as u16 * scale) >> 8) as u8;
        }
        for pixel in self.rgba.chunks_exact_mut(4) {
            pixel[0] = table[usize::from(pixel[0])];
            pixel[1] = table[usize::from(pixel[1])];
            pixel[2] = table[usize::from(pixel[2])];
        }
    }
}

impl OriginDimensions for Frame {
    fn size(&self) -> Size {
        Size::new(self.width, self.height)
    }
}

impl DrawTarget for Frame {
    type Color = Rgb888;
    type Error = Infallible;

    fn draw_iter<I>(&mut self, pixels: I) -> Result<(), Self::Error>
    where
        I: IntoIterator<Item = Pixel<Self::Color>>,
    {
        for Pixel(point, color) in pixels {
            self.set_pixel(point.x, point.y, color);
        }
        Ok(())
    }

    fn fill_solid(&mut self, area: &Rectangle, color: Self::Color) -> Result<(), Self::Error> {
        self.fill_rect(area, color);
        Ok(())
    }

    fn clear(&mut self, color: Self::Color) -> Result<(), Self::Error> {
        self.fill(color);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use embedded_graphics::primitives::{PrimitiveStyle, Rectangle};

    use super::*;

    #[test]
    fn a_preview_averages_each_block_and_keeps_the_aspect() {
        let mut frame = Frame::new(1280, 720);
        // Left half white, right half black, one red pixel.
        frame.fill_rect(
            &Rectangle::new(Point::zero(), Size::new(640, 720)),
            Rgb888::WHITE,
        );
        frame.set_pixel(1279, 719, Rgb888::RED);
        let preview = frame.scaled_to_width(320);
        assert_eq!((preview.width(), preview.height()), (320, 180));
        assert_eq!(preview.pixel(0, 0), Rgb888::WHITE);
        assert_eq!(preview.pixel(319, 0), Rgb888::BLACK);
        // One red pixel in a 4×4 block: a sixteenth of full red.
        assert_eq!(preview.pixel(319, 179), Rgb888::new(255 / 16, 0, 0));
        let small = Frame::new(64, 36);
        assert_eq!(small.scaled_to_width(320).width(), 64);
    }

    #[test]
    fn draws_and_clips_through_embedded_graphics() {
        let mut frame = Frame::new(8, 4);
        Rectangle::new(Point::new(-2, 1), Size::new(4, 10))
            .into_styled(PrimitiveStyle::with_fill(Rgb888::RED))
            .draw(&mut frame)
            .expect("infallible");
        assert_eq!(frame.pixel(0, 1), Rgb888::RED);
        assert_eq!(frame.pixel(1, 3), Rgb888::RED);
        assert_eq!(frame.pixel(2, 1), Rgb888::BLACK);
        assert_eq!(frame.pixel(0, 0), Rgb888::BLACK);
        frame.clear(Rgb888::BLUE).expect("infallible");
        assert!(frame.rgba().chunks(4).all(|p| p == [0, 0, 255, 255]));
        Pixel(Point::new(7, 3), Rgb888::GREEN)
            .draw(&mut frame)
            .expect("infallible");
        Pixel(Point::new(8, 3), Rgb888::GREEN)
            .draw(&mut frame)
            .expect("outside is ignored");
        assert_eq!(frame.pixel(7, 3), Rgb888::GREEN);
    }

    #[test]
    fn rgb_round_trip_blend_and_dim() {
        let mut frame = Frame::new(2, 1);
        frame.set_pixel(0, 0, Rgb888::new(200, 100, 50));
        let back = Frame::from_rgb(2, 1, &frame.to_rgb()).expect("size matches");
        assert_eq!(back, frame);
        assert!(Frame::from_rgb(2, 2, &[0; 3]).is_none());
        frame.blend_pixel(1, 0, Rgb888::WHITE, 128);
        assert_eq!(frame.pixel(1, 0), Rgb888::new(128, 128, 128));
        frame.dim(0.5);
        assert_eq!(frame.pixel(0, 0), Rgb888::new(100, 50, 25));
        let mut pixmap = frame.pixmap().expect("sizes match");
        pixmap.fill(tiny_skia::Color::WHITE);
        assert_eq!(frame.pixel(1, 0), Rgb888::WHITE);
    }
}
