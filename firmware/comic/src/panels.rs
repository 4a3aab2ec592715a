//! Finding the panels of an empty comic grid: the enclosed blank regions of a drawing, so a
//! person can scan a hand-drawn grid and drop it in.
//!
//! Ink is whatever is darker than mid-grey. Hand-drawn frames have small gaps where the pen
//! skipped; ink is thickened by a few pixels first (a morphological closing's first half), so a
//! gap narrower than twice that does not let a panel leak into the page around it. Every blank
//! region that does not touch the page's edge and is big enough is a panel.

use std::collections::VecDeque;

use crate::raster::GrayImage;

/// Pixels darker than this are ink.
const INK_BELOW: u8 = 128;

/// A panel found on a grid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Panel {
    /// Left edge of the blank area, pixels.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// Blank pixels inside (less than `width × height` for a panel that is not rectangular).
    pub area: u64,
    /// Which pixels of the bounding box belong to the panel, row by row (`width × height`):
    /// art is drawn only there, so a slanted or round panel keeps its shape.
    pub mask: Vec<bool>,
}

impl Panel {
    /// A rectangular panel (every pixel of its box belongs to it).
    pub fn rectangle(x: u32, y: u32, width: u32, height: u32) -> Panel {
        Panel {
            x,
            y,
            width,
            height,
            area: u64::from(width) * u64::from(height),
            mask: vec![true; width as usize * height as usize],
        }
    }

    /// Whether page pixel (`x`, `y`) belongs to the panel.
    pub fn contains(&self, x: u32, y: u32) -> bool {
        x >= self.x
            && y >= self.y
            && x - self.x < self.width
            && y - self.y < self.height
            && self.mask[((y - self.y) * self.width + (x - self.x)) as usize]
    }
}

/// How panels are told from specks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Detection {
    /// Ink is thickened by this many pixels to seal gaps in hand-drawn frames.
    pub seal_px: u32,
    /// A region smaller than this fraction of the page is a speck, not a panel.
    pub min_area_fraction: f64,
}

impl Default for Detection {
    fn default() -> Self {
        Detection {
            seal_px: 3,
            min_area_fraction: 0.01,
        }
    }
}

/// A grid in which no panel could be found.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "{name}: no panel found: a panel is a blank area closed all round by ink lines, at least \
     {min_percent}% of the page; check that the frames are dark and closed"
)]
pub struct NoPanels {
    /// The grid's name (its file).
    pub name: String,
    /// The size a panel must have, percent of the page.
    pub min_percent: f64,
}

/// The panels of `grid`, in reading order (top to bottom, then left to right).
pub fn find_panels(
    grid: &GrayImage,
    detection: Detection,
    name: &str,
) -> Result<Vec<Panel>, NoPanels> {
    let (w, h) = (grid.width() as usize, grid.height() as usize);
    let ink = sealed_ink(grid, detection.seal_px);
    let mut seen = ink.clone();
    let min_area = (detection.min_area_fraction * (w * h) as f64).ceil() as u64;
    let mut panels = Vec::new();
    let mut queue = VecDeque::new();
    for start in 0..w * h {
        if seen[start] {
            continue;
        }
        seen[start] = true;
        queue.push_back(start);
        let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
        let mut region = Vec::new();
        let mut touches_edge = false;
        while let Some(i) = queue.pop_front() {
            let (x, y) = (i % w, i / w);
            region.push(i);
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            touches_edge |= x == 0 || y == 0 || x == w - 1 || y == h - 1;
            let neighbours = [
                (x > 0).then(|| i - 1),
                (x + 1 < w).then(|| i + 1),
                (y > 0).then(|| i - w),
                (y + 1 < h).then(|| i + w),
            ];
            for n in neighbours.into_iter().flatten() {
                if !seen[n] {
                    seen[n] = true;
                    queue.push_back(n);
                }
            }
        }
        let area = region.len() as u64;
        if !touches_edge && area >= min_area {
            // The sealing ate `seal_px` of blank paper on every side: give it back.
            let grow = detection.seal_px as usize;
            let (x0, y0) = (x0.saturating_sub(grow), y0.saturating_sub(grow));
            let (x1, y1) = ((x1 + grow).min(w - 1), (y1 + grow).min(h - 1));
            let (bw, bh) = (x1 - x0 + 1, y1 - y0 + 1);
            let mut inside = vec![false; bw * bh];
            for &i in &region {
                inside[(i / w - y0) * bw + (i % w - x0)] = true;
            }
            panels.push(Panel {
                x: x0 as u32,
                y: y0 as u32,
                width: bw as u32,
                height: bh as u32,
                area,
                mask: dilate(&inside, bw, bh, grow),
            });
        }
    }
    if panels.is_empty() {
        return Err(NoPanels {
            name: name.to_owned(),
            min_percent: detection.min_area_fraction * 100.0,
        });
    }
    reading_order(&mut panels);
    Ok(panels)
}

/// Rows first: panels whose vertical middles are within half the shorter one's height share a
/// row; rows top to bottom, panels left to right.
fn reading_order(panels: &mut [Panel]) {
    panels.sort_by_key(|p| (p.y, p.x));
    let mut row_start = 0;
    for i in 1..=panels.len() {
        let new_row = i == panels.len() || {
            let (first, this) = (&panels[row_start], &panels[i]);
            let mid = |p: &Panel| u64::from(p.y) * 2 + u64::from(p.height);
            let tolerance = u64::from(first.height.min(this.height));
            mid(this).abs_diff(mid(first)) > tolerance
        };
        if new_row {
            panels[row_start..i].sort_by_key(|p| p.x);
            row_start = i;
        }
    }
}

/// `set` (a `width × height` grid) grown by `radius` pixels in every direction.
fn dilate(set: &[bool], width: usize, height: usize, radius: usize) -> Vec<bool> {
    // Separable: grow along rows, then along columns.
    let mut rows = vec![false; width * height];
    for y in 0..height {
        for x in 0..width {
            let (a, b) = (x.saturating_sub(radius), (x + radius).min(width - 1));
            rows[y * width + x] = set[y * width + a..=y * width + b].iter().any(|&i| i);
        }
    }
    let mut out = vec![false; width * height];
    for y in 0..height {
        let (a, b) = (y.saturating_sub(radius), (y + radius).min(height - 1));
        for x in 0..width {
            out[y * width + x] = (a..=b).any(|yy| rows[yy * width + x]);
        }
    }
    out
}

/// Ink, thickened by `radius` pixels in every direction (a square structuring element).
fn sealed_ink(grid: &GrayImage, radius: u32) -> Vec<bool> {
    let ink: Vec<bool> = grid.pixels().iter().map(|&v| v < INK_BELOW).collect();
    dilate(
        &ink,
        grid.width() as usize,
        grid.height() as usize,
        radius as usize,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page with wobbly hand-drawn frames around `boxes` (x, y, w, h), 4 px lines, and a gap
    /// of `gap` pixels in the first frame's top edge.
    fn drawn_grid(width: u32, height: u32, boxes: &[(u32, u32, u32, u32)], gap: u32) -> GrayImage {
        let mut pixels = vec![255u8; (width * height) as usize];
        let mut ink = |x: i64, y: i64| {
            if x >= 0 && y >= 0 && (x as u32) < width && (y as u32) < height {
                pixels[(y as u32 * width + x as u32) as usize] = 20;
            }
        };
        for (n, &(bx, by, bw, bh)) in boxes.iter().enumerate() {
            let wobble = |t: u32| ((f64::from(t) * 0.07 + n as f64).sin() * 2.0).round() as i64;
            for t in 0..bw {
                if n == 0 && (bw / 2..bw / 2 + gap).contains(&t) {
                    continue;
                }
                for k in 0..4 {
                    ink(i64::from(bx + t), i64::from(by) + wobble(t) + k);
                    ink(i64::from(bx + t), i64::from(by + bh) + wobble(t + 7) + k);
                }
            }
            for t in 0..bh + 4 {
                for k in 0..4 {
                    ink(i64::from(bx) + wobble(t + 3) + k, i64::from(by + t));
                    ink(i64::from(bx + bw) + wobble(t + 11) + k, i64::from(by + t));
                }
            }
        }
        GrayImage::new(width, height, pixels).expect("valid size")
    }

    #[test]
    fn wobbly_frames_give_their_panels_in_reading_order() {
        // Two on top (the right one lower by a few px), one wide below.
        let boxes = [(20, 20, 170, 150), (215, 26, 160, 140), (20, 200, 355, 170)];
        let grid = drawn_grid(400, 400, &boxes, 4);
        let panels = find_panels(&grid, Detection::default(), "test.png").expect("three panels");
        assert_eq!(panels.len(), 3, "{panels:?}");
        for (panel, &(bx, by, bw, bh)) in panels.iter().zip(&boxes) {
            // The blank inside the frame: within the wobble and line width of the drawn box.
            assert!(
                panel.x.abs_diff(bx + 4) <= 4 && panel.y.abs_diff(by + 4) <= 4,
                "{panel:?} vs {bx},{by}"
            );
            assert!(
                panel.width.abs_diff(bw - 4) <= 8 && panel.height.abs_diff(bh - 4) <= 8,
                "{panel:?} vs {bw}x{bh}"
            );
        }
    }

    #[test]
    fn a_gap_wider_than_the_seal_lets_the_panel_leak() {
        let boxes = [(20, 20, 170, 150), (215, 20, 160, 150)];
        let sealed = find_panels(&drawn_grid(400, 200, &boxes, 5), Detection::default(), "a")
            .expect("sealed");
        assert_eq!(sealed.len(), 2);
        let leaky = find_panels(&drawn_grid(400, 200, &boxes, 12), Detection::default(), "b")
            .expect("one left");
        assert_eq!(
            leaky.len(),
            1,
            "the first frame's 12 px gap opens it to the page"
        );
    }

    #[test]
    fn a_page_without_closed_frames_is_refused_with_its_name() {
        let blank = GrayImage::filled(300, 200, 255).expect("valid");
        let error =
            find_panels(&blank, Detection::default(), "grids/blank.png").expect_err("nothing");
        assert!(
            error
                .to_string()
                .starts_with("grids/blank.png: no panel found"),
            "{error}"
        );
        let specks = drawn_grid(300, 200, &[(10, 10, 12, 12)], 0);
        assert!(
            find_panels(&specks, Detection::default(), "specks").is_err(),
            "a 12 px box is a speck"
        );
    }

    #[test]
    fn a_slanted_gutter_gives_two_panels_whose_masks_keep_their_shape() {
        // A box cut by a diagonal from its top-left to its bottom-right corner.
        let mut grid = drawn_grid(300, 300, &[(20, 20, 260, 260)], 0);
        let mut pixels = grid.pixels().to_vec();
        for t in 0..260u32 {
            for k in 0..4 {
                let (x, y) = (20 + t + k, 20 + t);
                if x < 300 {
                    pixels[(y * 300 + x) as usize] = 20;
                }
            }
        }
        grid = GrayImage::new(300, 300, pixels).expect("valid");
        let panels = find_panels(&grid, Detection::default(), "slant").expect("two");
        assert_eq!(panels.len(), 2, "{panels:?}");
        let upper_right = panels
            .iter()
            .find(|p| p.contains(250, 50))
            .expect("upper right");
        let lower_left = panels
            .iter()
            .find(|p| p.contains(50, 250))
            .expect("lower left");
        assert_ne!(upper_right, lower_left);
        assert!(!upper_right.contains(50, 250) && !lower_left.contains(250, 50));
        // Boxes overlap (both span the diagonal), masks do not.
        assert!(upper_right.area < u64::from(upper_right.width * upper_right.height) * 3 / 4);
        for y in 0..300 {
            for x in 0..300 {
                assert!(
                    !(upper_right.contains(x, y) && lower_left.contains(x, y)),
                    "({x}, {y})"
                );
            }
        }
    }
}
