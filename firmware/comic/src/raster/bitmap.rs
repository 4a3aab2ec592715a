use std::fmt;

use super::{RasterError, checked_pixels};

/// A 1-bit image in the layout every ESC/POS raster command uses: rows of `ceil(width / 8)`
/// bytes, the leftmost dot in the most significant bit, 1 = burn (black).
///
/// Keeping the printer's layout means the encoder copies rows instead of repacking them, and the
/// padding bits past `width` are always 0 so they never print.
#[derive(Clone, PartialEq, Eq)]
pub struct Bitmap {
    width: u32,
    height: u32,
    bits: Vec<u8>,
}

impl Bitmap {
    /// An all-white bitmap.
    pub fn new(width: u32, height: u32) -> Result<Bitmap, RasterError> {
        checked_pixels("bitmap", width, height)?;
        Ok(Bitmap {
            width,
            height,
            bits: vec![0; Self::stride_for(width) * height as usize],
        })
    }

    /// Wraps packed rows. Padding bits past `width` are cleared, so they can never print.
    pub fn from_packed(width: u32, height: u32, mut bits: Vec<u8>) -> Result<Bitmap, RasterError> {
        checked_pixels("bitmap", width, height)?;
        let stride = Self::stride_for(width);
        let expected = stride * height as usize;
        if bits.len() != expected {
            return Err(RasterError::SizeMismatch {
                kind: "bitmap",
                width,
                height,
                expected,
                actual: bits.len(),
            });
        }
        let used = width % 8;
        if used != 0 {
            let keep = 0xFF_u8 << (8 - used);
            for row in bits.chunks_exact_mut(stride) {
                if let Some(last) = row.last_mut() {
                    *last &= keep;
                }
            }
        }
        Ok(Bitmap {
            width,
            height,
            bits,
        })
    }

    /// An all-white bitmap the size of `image`, which is known to be within the pixel limit.
    pub(crate) fn white_like(image: &super::GrayImage) -> Bitmap {
        Bitmap {
            width: image.width(),
            height: image.height(),
            bits: vec![0; Self::stride_for(image.width()) * image.height() as usize],
        }
    }

    fn stride_for(width: u32) -> usize {
        width.div_ceil(8) as usize
    }

    /// Width in dots.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in dot rows.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Bytes per row.
    pub fn stride(&self) -> usize {
        Self::stride_for(self.width)
    }

    /// All rows, packed.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bits
    }

    /// Row `y`, packed (empty outside the bitmap).
    pub fn row(&self, y: u32) -> &[u8] {
        if y >= self.height {
            return &[];
        }
        let stride = self.stride();
        let start = y as usize * stride;
        &self.bits[start..start + stride]
    }

    /// Row `y` to write into (empty outside the bitmap); the caller keeps padding bits 0.
    pub(crate) fn row_mut(&mut self, y: u32) -> &mut [u8] {
        if y >= self.height {
            return &mut [];
        }
        let stride = self.stride();
        let start = y as usize * stride;
        &mut self.bits[start..start + stride]
    }

    /// Whether the dot at (`x`, `y`) burns; false outside the bitmap.
    pub fn is_black(&self, x: u32, y: u32) -> bool {
        x < self.width
            && self
                .row(y)
                .get((x / 8) as usize)
                .is_some_and(|byte| byte & (0x80 >> (x % 8)) != 0)
    }

    /// Sets the dot at (`x`, `y`); outside the bitmap it does nothing.
    pub fn set(&mut self, x: u32, y: u32, black: bool) {
        if x >= self.width || y >= self.height {
            return;
        }
        let index = y as usize * self.stride() + (x / 8) as usize;
        let mask = 0x80 >> (x % 8);
        if black {
            self.bits[index] |= mask;
        } else {
            self.bits[index] &= !mask;
        }
    }

    /// How many dots burn: proportional to the heat, the time and the wear a print costs.
    pub fn black_dots(&self) -> usize {
        self.bits.iter().map(|b| b.count_ones() as usize).sum()
    }
}

impl fmt::Debug for Bitmap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bitmap")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("black_dots", &self.black_dots())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_leftmost_dot_is_the_high_bit_and_rows_are_padded_to_bytes() {
        let mut bitmap = Bitmap::new(10, 2).expect("small");
        bitmap.set(0, 0, true);
        bitmap.set(9, 1, true);
        assert_eq!(bitmap.stride(), 2);
        assert_eq!(bitmap.as_bytes(), &[0x80, 0x00, 0x00, 0x40]);
        assert!(bitmap.is_black(9, 1));
        assert!(!bitmap.is_black(10, 1), "padding is not part of the image");
    }

    #[test]
    fn padding_bits_from_outside_are_cleared() {
        let bitmap = Bitmap::from_packed(10, 1, vec![0xFF, 0xFF]).expect("right size");
        assert_eq!(bitmap.as_bytes(), &[0xFF, 0xC0]);
        assert_eq!(bitmap.black_dots(), 10);
    }

    #[test]
    fn a_packed_buffer_of_the_wrong_size_is_refused() {
        let error = Bitmap::from_packed(16, 2, vec![0; 3]).expect_err("needs 4");
        assert!(matches!(
            error,
            RasterError::SizeMismatch {
                expected: 4,
                actual: 3,
                ..
            }
        ));
    }
}
