//! From a grayscale picture to the dots a thermal head burns.
//!
//! A thermal printer has one colour and one width: every dot is black or not, and a line is
//! exactly the head's width in dots. So a comic goes through three steps, each in its own module:
//! [`GrayImage`] (what the composer draws) → [`fit_to_width`] (the head's width, never cropped) →
//! [`Binarisation`] (black or white per dot) → [`Bitmap`] (what the ESC/POS encoder sends).

mod bitmap;
mod blue_noise;
mod dither;
mod gray;
mod scale;

pub use bitmap::Bitmap;
pub use blue_noise::{BLUE_NOISE_SIZE, blue_noise_mask};
pub use dither::{Binarisation, BinarisationConfigError};
pub use gray::GrayImage;
pub use scale::{downscale_area, fit_to_width};

/// An image that cannot be built as asked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RasterError {
    /// The pixel buffer does not hold `width × height` values.
    #[error("{kind} of {width} × {height} needs {expected} bytes, got {actual}")]
    SizeMismatch {
        /// "grayscale image" or "bitmap".
        kind: &'static str,
        /// Width asked for.
        width: u32,
        /// Height asked for.
        height: u32,
        /// Bytes that size needs.
        expected: usize,
        /// Bytes given.
        actual: usize,
    },
    /// More pixels than the pipeline accepts.
    #[error("{kind} of {width} × {height} is too large; accepted: at most {MAX_PIXELS} pixels")]
    TooLarge {
        /// "grayscale image" or "bitmap".
        kind: &'static str,
        /// Width asked for.
        width: u32,
        /// Height asked for.
        height: u32,
    },
}

/// 2²⁸ pixels (a 576-dot strip 466 000 rows long, 58 m of paper): far beyond any comic, small
/// enough that a mistaken size fails with a message instead of exhausting memory.
pub const MAX_PIXELS: u64 = 1 << 28;

pub(crate) fn checked_pixels(
    kind: &'static str,
    width: u32,
    height: u32,
) -> Result<usize, RasterError> {
    let pixels = u64::from(width) * u64::from(height);
    if pixels > MAX_PIXELS {
        return Err(RasterError::TooLarge {
            kind,
            width,
            height,
        });
    }
    // At most 2^28, so it fits a usize on every target we build for.
    Ok(pixels as usize)
}

/// The whole raster pipeline for one printer: fit to `width_dots`, then binarise.
pub fn prepare(
    image: &GrayImage,
    width_dots: u32,
    method: Binarisation,
) -> Result<Bitmap, RasterError> {
    Ok(method.binarise(&fit_to_width(image, width_dots)?))
}
