//! Cutting a bitmap into raster commands a printer accepts.
//!
//! Written here rather than taken from a library: the `escpos` crate sends one unbanded `GS v 0`,
//! escposify drops the last partial `ESC *` band, and python-escpos lets the `GS ( L` length
//! field wrap past 65 535. Each command below keeps its own limit.

use super::Stream;
use super::commands::{DEFAULT_LINE_SPACING, ESC, GS, LF, line_spacing};
use crate::profile::RasterCommand;
use crate::raster::Bitmap;

/// `GS ( L` function 112's parameters before the data: `m fn a bx by c xL xH yL yH`.
const GRAPHICS_HEADER_BYTES: usize = 10;
/// The largest `p` a two-byte length field holds.
const GRAPHICS_MAX_LENGTH: usize = 65_535;
/// `ESC *` mode 33 (24-dot double density) prints 24 dot rows per band, 3 bytes per column.
pub(crate) const COLUMN_BAND_ROWS: u32 = 24;

/// How many rows each band of `command` may have for rows of `stride` bytes.
///
/// `GS v 0` takes the profile's limit; `GS ( L` also keeps its length field `p = 10 + data`
/// within 65 535 (at most 910 rows at 576 dots, 1365 at 384); `ESC *` bands are 24 rows.
pub fn band_rows(command: RasterCommand, stride: usize, max_band_rows: u32) -> u32 {
    match command {
        RasterCommand::RasterBitImage => max_band_rows,
        RasterCommand::Graphics => {
            let fit = (GRAPHICS_MAX_LENGTH - GRAPHICS_HEADER_BYTES) / stride.max(1);
            max_band_rows
                .min(u32::try_from(fit).unwrap_or(u32::MAX))
                .max(1)
        }
        RasterCommand::ColumnBitImage => COLUMN_BAND_ROWS,
    }
}

fn low_high(value: usize) -> [u8; 2] {
    // Callers keep values within 16 bits (widths ≤ 2040 dots, bands ≤ 2303 rows, p ≤ 65 535).
    u16::try_from(value).unwrap_or(u16::MAX).to_le_bytes()
}

fn bands(height: u32, rows: u32) -> impl Iterator<Item = (u32, u32)> {
    (0..height)
        .step_by(rows.max(1) as usize)
        .map(move |top| (top, rows.min(height - top)))
}

/// `GS v 0 m xL xH yL yH d…`, mode 0 (no scaling), one command per band. The paper moves a row
/// as each row prints, so each row is its own pacing segment.
pub(crate) fn raster_bit_image(stream: &mut Stream, bitmap: &Bitmap, max_rows: u32) {
    let stride = bitmap.stride();
    let rows_per_band = band_rows(RasterCommand::RasterBitImage, stride, max_rows);
    for (top, rows) in bands(bitmap.height(), rows_per_band) {
        let [xl, xh] = low_high(stride);
        let [yl, yh] = low_high(rows as usize);
        stream.push(&[GS, b'v', b'0', 0, xl, xh, yl, yh]);
        for y in top..top + rows {
            stream.push(bitmap.row(y));
            stream.moved(1);
        }
    }
}

/// `GS ( L` fn 112 (store: monochrome, scale 1×1, first colour) then fn 50 (print), per band.
pub(crate) fn graphics(stream: &mut Stream, bitmap: &Bitmap, max_rows: u32) {
    let stride = bitmap.stride();
    let rows_per_band = band_rows(RasterCommand::Graphics, stride, max_rows);
    for (top, rows) in bands(bitmap.height(), rows_per_band) {
        let length = GRAPHICS_HEADER_BYTES + stride * rows as usize;
        let [pl, ph] = low_high(length);
        let [xl, xh] = low_high(bitmap.width() as usize);
        let [yl, yh] = low_high(rows as usize);
        stream.push(&[
            GS, b'(', b'L', pl, ph, 48, 112, 48, 1, 1, 49, xl, xh, yl, yh,
        ]);
        for y in top..top + rows {
            stream.push(bitmap.row(y));
        }
        stream.push(&[GS, b'(', b'L', 2, 0, 48, 50]);
        stream.moved(rows);
    }
}

/// `ESC *` mode 33 bands, each followed by LF, with the line spacing set to the band height so
/// bands touch (`ESC 3 24` before, `ESC 2` after). The last band is padded with white rows, never
/// dropped: the printer moves 24 rows for it either way.
pub(crate) fn column_bit_image(stream: &mut Stream, bitmap: &Bitmap) {
    let width = bitmap.width() as usize;
    let band_bytes = 3 * width;
    stream.push(&line_spacing(COLUMN_BAND_ROWS as u8));
    let mut columns = vec![0u8; band_bytes];
    for (top, rows) in bands(bitmap.height(), COLUMN_BAND_ROWS) {
        columns.fill(0);
        // Transpose: row r of the band is bit (7 − r mod 8) of byte r / 8 in every column.
        for r in 0..rows {
            let row = bitmap.row(top + r);
            let (byte, bit) = ((r / 8) as usize, 0x80u8 >> (r % 8));
            for x in 0..width {
                if row[x / 8] & (0x80 >> (x % 8)) != 0 {
                    columns[3 * x + byte] |= bit;
                }
            }
        }
        let [nl, nh] = low_high(width);
        stream.push(&[ESC, b'*', 33, nl, nh]);
        stream.push(&columns);
        stream.push(&[LF]);
        stream.moved(COLUMN_BAND_ROWS);
    }
    stream.push(&DEFAULT_LINE_SPACING);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphics_bands_keep_the_length_field_within_16_bits() {
        // python-escpos's 960-row fragment at 576 dots needs p = 69 130: too big.
        assert_eq!(band_rows(RasterCommand::Graphics, 72, 2303), 910);
        assert_eq!(band_rows(RasterCommand::Graphics, 48, 2303), 1365);
        assert_eq!(band_rows(RasterCommand::Graphics, 48, 256), 256);
        let length = |rows: usize| GRAPHICS_HEADER_BYTES + 72 * rows;
        assert!(length(910) <= GRAPHICS_MAX_LENGTH && length(911) > GRAPHICS_MAX_LENGTH);
    }

    #[test]
    fn the_last_column_band_is_padded_not_dropped() {
        let mut bitmap = Bitmap::new(8, 25).expect("small");
        bitmap.set(3, 24, true);
        let mut stream = Stream::default();
        column_bit_image(&mut stream, &bitmap);
        // ESC 3 24, two bands of (5 + 24 + 1) bytes, ESC 2.
        assert_eq!(stream.bytes.len(), 3 + 2 * 30 + 2);
        let second = &stream.bytes[3 + 30..3 + 60];
        assert_eq!(&second[..5], &[ESC, b'*', 33, 8, 0]);
        // Column 3's first byte holds row 24 as its top bit; everything else is white padding.
        assert_eq!(second[5 + 9], 0x80);
        assert_eq!(second[5..29].iter().filter(|&&b| b != 0).count(), 1);
        assert_eq!(second[29], LF);
    }
}
