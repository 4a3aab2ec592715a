//! Shared by the tests: a test image, a virtual printer matching a profile, and an independent
//! reader of the raster commands in a stream.

use crate::profile::RasterCommand;
use crate::raster::GrayImage;
pub(crate) use crate::simulated::{link_for, printer_for};

/// A gradient with line art on top: horizontal ramp in the upper half, vertical ramp in the
/// lower, a 2-dot frame, 1-dot diagonals, a circle and a row of dots that cross band borders.
pub(crate) fn test_pattern(width: u32, height: u32) -> GrayImage {
    let (w, h) = (f64::from(width), f64::from(height));
    GrayImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (f64::from(x), f64::from(y));
        let frame = x < 2 || y < 2 || x + 2 >= width || y + 2 >= height;
        let diagonal = x == y || x + y == width;
        let radius = ((fx - w / 2.0).powi(2) + (fy - h / 2.0).powi(2)).sqrt();
        let circle = (radius - w / 3.0).abs() < 1.0;
        let dots = y % 24 == 23 && x % 5 == 0;
        if frame || diagonal || circle || dots {
            0
        } else if y < height / 2 {
            (fx / w * 255.0) as u8
        } else {
            ((fy - h / 2.0) / (h / 2.0) * 255.0) as u8
        }
    })
    .expect("a test-sized image")
}

/// One raster command found in a stream.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Band {
    pub command: RasterCommand,
    /// Rows of the image it carries (24 for `ESC *`).
    pub rows: u32,
    /// `GS ( L`'s `p`.
    pub length_field: Option<usize>,
    /// Data bytes actually following the header.
    pub data_bytes: usize,
}

/// Walks an encoder's stream and lists its raster commands. Knows only the commands the encoder
/// emits; anything else is an error, which is itself a check on the encoder.
pub(crate) fn raster_bands(stream: &[u8]) -> Result<Vec<Band>, String> {
    const ESC: u8 = 0x1B;
    const GS: u8 = 0x1D;
    let word = |at: usize| -> Result<usize, String> {
        match stream.get(at..at + 2) {
            Some(&[lo, hi]) => Ok(usize::from(lo) | usize::from(hi) << 8),
            _ => Err(format!("stream ends inside a command at {at}")),
        }
    };
    let mut bands = Vec::new();
    let mut i = 0;
    while i < stream.len() {
        let rest = &stream[i..];
        match rest {
            [ESC, b'@' | b'2', ..] => i += 2,
            [ESC, b'3' | b'd', _, ..] | [GS, b'V', _, ..] => i += 3,
            [0x0A, ..] => i += 1,
            [b' '..=b'~', ..] => i += 1,
            [GS, b'v', b'0', 0, ..] => {
                let (width, rows) = (word(i + 4)?, word(i + 6)?);
                let data = width * rows;
                bands.push(Band {
                    command: RasterCommand::RasterBitImage,
                    rows: rows as u32,
                    length_field: None,
                    data_bytes: data,
                });
                i += 8 + data;
            }
            [GS, b'(', b'L', _, _, 48, 112, ..] => {
                let length = word(i + 3)?;
                let (width, rows) = (word(i + 11)?, word(i + 13)?);
                bands.push(Band {
                    command: RasterCommand::Graphics,
                    rows: rows as u32,
                    length_field: Some(length),
                    data_bytes: width.div_ceil(8) * rows,
                });
                i += 5 + length;
            }
            [GS, b'(', b'L', 2, 0, 48, 50, ..] => i += 7,
            [ESC, b'*', 33, ..] => {
                let columns = word(i + 3)?;
                bands.push(Band {
                    command: RasterCommand::ColumnBitImage,
                    rows: 24,
                    length_field: None,
                    data_bytes: 3 * columns,
                });
                i += 5 + 3 * columns;
            }
            _ => {
                return Err(format!(
                    "unexpected {:02X?} at {i}",
                    &rest[..rest.len().min(4)]
                ));
            }
        }
    }
    if i != stream.len() {
        return Err(format!(
            "the last command runs {} bytes past the end",
            i - stream.len()
        ));
    }
    Ok(bands)
}
