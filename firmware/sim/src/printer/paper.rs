//! The roll of paper: the dots burnt so far, where it was cut, and the picture of it.

use super::*;

/// Printed paper as a 1-bit image: `width` dots wide, rows packed MSB-first (the leftmost dot is
/// the high bit), 1 = a burnt (black) dot.
#[derive(Clone, PartialEq, Eq)]
pub struct PaperImage {
    width: u32,
    height: u32,
    bits: Vec<u8>,
}

impl PaperImage {
    pub(super) fn stride_for(width: u32) -> usize {
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

    /// Whether the dot at (`x`, `y`) is black; false outside the paper.
    pub fn is_black(&self, x: u32, y: u32) -> bool {
        if x >= self.width || y >= self.height {
            return false;
        }
        let index = y as usize * self.stride() + (x / 8) as usize;
        self.bits[index] & (0x80 >> (x % 8)) != 0
    }

    /// Row `y`'s packed bytes (empty outside the paper).
    pub fn row(&self, y: u32) -> &[u8] {
        if y >= self.height {
            return &[];
        }
        let stride = self.stride();
        let start = y as usize * stride;
        &self.bits[start..start + stride]
    }

    /// How many dots are black.
    pub fn black_dots(&self) -> usize {
        self.bits.iter().map(|b| b.count_ones() as usize).sum()
    }
}

impl fmt::Debug for PaperImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaperImage")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("black_dots", &self.black_dots())
            .finish()
    }
}

pub(super) struct Roll {
    pub(super) width: u32,
    pub(super) stride: usize,
    pub(super) bits: Vec<u8>,
    pub(super) height: u32,
    /// The row under the print line.
    pub(super) print_y: u32,
    pub(super) cutter_distance: u32,
    /// Rows at which the paper was cut, ascending.
    pub(super) cuts: Vec<u32>,
}

impl Roll {
    pub(super) fn new(width: u32, cutter_distance: u32) -> Roll {
        Roll {
            width,
            stride: PaperImage::stride_for(width),
            bits: Vec::new(),
            height: 0,
            print_y: 0,
            cutter_distance,
            cuts: Vec::new(),
        }
    }

    pub(super) fn extend_to(&mut self, rows: u32) {
        if rows > self.height {
            self.height = rows;
            self.bits.resize(rows as usize * self.stride, 0);
        }
    }

    pub(super) fn set_dot(&mut self, x: u32, y: u32) {
        if x >= self.width {
            return;
        }
        self.extend_to(y.saturating_add(1));
        self.bits[y as usize * self.stride + (x / 8) as usize] |= 0x80 >> (x % 8);
    }

    /// Burns a packed row at `y`, starting at dot `x0`, each source dot `scale` dots wide.
    pub(super) fn burn_row(&mut self, y: u32, x0: u32, row: &[u8], scale: u32) {
        if x0 == 0 && scale == 1 {
            // The paper's width is a multiple of 8 and callers have checked the row fits, so
            // source bytes land on paper bytes one to one.
            self.extend_to(y.saturating_add(1));
            let start = y as usize * self.stride;
            let line = &mut self.bits[start..start + self.stride];
            for (dst, src) in line.iter_mut().zip(row) {
                *dst |= src;
            }
            return;
        }
        for (byte_index, &byte) in row.iter().enumerate() {
            if byte == 0 {
                continue;
            }
            for bit in 0..8u32 {
                if byte & (0x80 >> bit) != 0 {
                    let x = x0 + (byte_index as u32 * 8 + bit) * scale;
                    for dx in 0..scale {
                        self.set_dot(x + dx, y);
                    }
                }
            }
        }
    }

    pub(super) fn feed(&mut self, rows: u32) -> u32 {
        self.print_y = self.print_y.saturating_add(rows);
        self.extend_to(self.print_y);
        rows
    }

    pub(super) fn cut_at(&mut self, row: u32) {
        let last = self.cuts.last().copied().unwrap_or(0);
        self.cuts.push(row.clamp(last, self.height.max(last)));
    }

    pub(super) fn image(&self, from: u32, to: Option<u32>) -> PaperImage {
        let to = to.unwrap_or(self.height).min(self.height);
        let from = from.min(to);
        PaperImage {
            width: self.width,
            height: to - from,
            bits: self.bits[from as usize * self.stride..to as usize * self.stride].to_vec(),
        }
    }

    pub(super) fn receipts(&self) -> Vec<PaperImage> {
        let mut receipts = Vec::with_capacity(self.cuts.len() + 1);
        let mut from = 0;
        for &cut in &self.cuts {
            receipts.push(self.image(from, Some(cut)));
            from = cut;
        }
        if self.height > from {
            receipts.push(self.image(from, None));
        }
        receipts
    }
}
