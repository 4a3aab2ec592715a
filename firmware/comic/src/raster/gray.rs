use std::fmt;

use super::{RasterError, checked_pixels};

/// An 8-bit grayscale image: 0 is black, 255 is white (paper), rows top to bottom.
///
/// White is 255 rather than 0 because that is what image files and the composer use; the
/// inversion to "1 = burn" happens once, in binarisation.
#[derive(Clone, PartialEq, Eq)]
pub struct GrayImage {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

impl GrayImage {
    /// Wraps `pixels` (row-major, `width × height` values).
    pub fn new(width: u32, height: u32, pixels: Vec<u8>) -> Result<GrayImage, RasterError> {
        let expected = checked_pixels("grayscale image", width, height)?;
        if pixels.len() != expected {
            return Err(RasterError::SizeMismatch {
                kind: "grayscale image",
                width,
                height,
                expected,
                actual: pixels.len(),
            });
        }
        Ok(GrayImage {
            width,
            height,
            pixels,
        })
    }

    /// An image of one flat `value`.
    pub fn filled(width: u32, height: u32, value: u8) -> Result<GrayImage, RasterError> {
        let count = checked_pixels("grayscale image", width, height)?;
        Ok(GrayImage {
            width,
            height,
            pixels: vec![value; count],
        })
    }

    /// An image whose pixel (x, y) is `value(x, y)`.
    pub fn from_fn(
        width: u32,
        height: u32,
        mut value: impl FnMut(u32, u32) -> u8,
    ) -> Result<GrayImage, RasterError> {
        let count = checked_pixels("grayscale image", width, height)?;
        let mut pixels = Vec::with_capacity(count);
        for y in 0..height {
            for x in 0..width {
                pixels.push(value(x, y));
            }
        }
        Ok(GrayImage {
            width,
            height,
            pixels,
        })
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// All pixels, row-major.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// All pixels, row-major, for drawing.
    pub fn pixels_mut(&mut self) -> &mut [u8] {
        &mut self.pixels
    }

    /// The top `rows` rows (all of them if there are fewer).
    pub fn top_rows(&self, rows: u32) -> GrayImage {
        let rows = rows.min(self.height);
        GrayImage {
            width: self.width,
            height: rows,
            pixels: self.pixels[..rows as usize * self.width as usize].to_vec(),
        }
    }

    /// The same picture with `rows` blank (white) rows added at the bottom.
    pub fn extended_down(&self, rows: u32) -> Result<GrayImage, RasterError> {
        let mut pixels = self.pixels.clone();
        pixels.resize(pixels.len() + rows as usize * self.width as usize, 255);
        GrayImage::new(self.width, self.height + rows, pixels)
    }

    /// Row `y` (empty outside the image).
    pub fn row(&self, y: u32) -> &[u8] {
        if y >= self.height {
            return &[];
        }
        let start = y as usize * self.width as usize;
        &self.pixels[start..start + self.width as usize]
    }

    /// The pixel at (`x`, `y`), or `None` outside the image.
    pub fn get(&self, x: u32, y: u32) -> Option<u8> {
        (x < self.width)
            .then(|| self.row(y).get(x as usize).copied())
            .flatten()
    }
}

impl fmt::Debug for GrayImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GrayImage")
            .field("width", &self.width)
            .field("height", &self.height)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buffer_of_the_wrong_size_is_refused_with_both_sizes() {
        let error = GrayImage::new(4, 3, vec![0; 11]).expect_err("11 ≠ 12");
        assert_eq!(
            error.to_string(),
            "grayscale image of 4 × 3 needs 12 bytes, got 11"
        );
    }

    #[test]
    fn an_absurd_size_is_refused_instead_of_allocated() {
        let error = GrayImage::filled(100_000, 100_000, 255).expect_err("10^10 pixels");
        assert!(matches!(error, RasterError::TooLarge { .. }));
    }

    #[test]
    fn pixels_are_row_major() {
        let image = GrayImage::from_fn(3, 2, |x, y| (10 * y + x) as u8).expect("small");
        assert_eq!(image.pixels(), &[0, 1, 2, 10, 11, 12]);
        assert_eq!(image.get(2, 1), Some(12));
        assert_eq!(image.get(3, 0), None);
        assert_eq!(image.row(1), &[10, 11, 12]);
    }
}
