//! Where a picture goes in a panel: scaled to cover it, cropped around the focal area toward the
//! anchor, and shrunk instead when covering would cut into the focal area.

use serde::{Deserialize, Serialize};

use crate::library::Anchor;

/// A rectangle in pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rect {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width (at least 1).
    pub width: u32,
    /// Height (at least 1).
    pub height: u32,
}

/// How one picture is put into one panel.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    /// The part of the picture used (in the picture's own pixels, before any mirroring).
    pub source: Rect,
    /// Where that part lands on the page.
    pub target: Rect,
    /// Whether it is mirrored left to right.
    pub mirrored: bool,
    /// Page pixels per picture pixel.
    pub scale: f64,
}

/// The focal area as fractions (x0, y0, x1, y1) of the picture, mirrored when the picture is.
fn focal_as_seen(focal: [f64; 4], mirrored: bool) -> [f64; 4] {
    let [x0, y0, x1, y1] = focal;
    if mirrored {
        [1.0 - x1, y0, 1.0 - x0, y1]
    } else {
        focal
    }
}

/// One axis of the placement: (source start, source length, target offset, target length).
///
/// `size` is the picture's length in its pixels, `focal` the focal span as fractions, `anchor`
/// where to keep (0 start, 1 end), `panel` the panel's length, `scale` page pixels per picture
/// pixel.
fn axis(size: u32, focal: (f64, f64), anchor: f64, panel: u32, scale: f64) -> (u32, u32, u32, u32) {
    let size_f = f64::from(size);
    let scaled = size_f * scale;
    if scaled >= f64::from(panel) {
        // Cropped: a window of the picture as long as the panel.
        let window = (f64::from(panel) / scale).min(size_f);
        let mut start = anchor * (size_f - window);
        // Slide the window the least needed to keep the focal span in it.
        start = start.min(focal.0 * size_f).max(focal.1 * size_f - window);
        start = start.clamp(0.0, size_f - window);
        let first = start.round() as u32;
        let length = (window.round() as u32).clamp(1, size - first.min(size - 1));
        (first.min(size - 1), length, 0, panel)
    } else {
        // Smaller than the panel: the whole picture, placed toward the anchor.
        let length = (scaled.round() as u32).clamp(1, panel);
        let offset = (anchor * f64::from(panel - length)).round() as u32;
        (0, size, offset, length)
    }
}

/// Places a `width × height` picture with `focal` area and `anchor` in a panel at `panel`.
pub fn place(
    (width, height): (u32, u32),
    focal: [f64; 4],
    anchor: Anchor,
    panel: Rect,
    mirrored: bool,
) -> Placement {
    let [fx0, fy0, fx1, fy1] = focal_as_seen(focal, mirrored);
    let anchor = if mirrored { anchor.flipped() } else { anchor };
    let (ax, ay) = anchor.position();
    let (w, h) = (f64::from(width), f64::from(height));
    let (pw, ph) = (f64::from(panel.width), f64::from(panel.height));
    let cover = (pw / w).max(ph / h);
    // The focal area must fit whole: never scale so far that the crop cuts into it.
    let focal_fits = (pw / ((fx1 - fx0) * w)).min(ph / ((fy1 - fy0) * h));
    let scale = cover.min(focal_fits);
    let (sx, sw, tx, tw) = axis(width, (fx0, fx1), ax, panel.width, scale);
    let (sy, sh, ty, th) = axis(height, (fy0, fy1), ay, panel.height, scale);
    // The window was chosen in the mirrored picture: find it in the picture as stored.
    let sx = if mirrored { width - sx - sw } else { sx };
    Placement {
        source: Rect {
            x: sx,
            y: sy,
            width: sw,
            height: sh,
        },
        target: Rect {
            x: panel.x + tx,
            y: panel.y + ty,
            width: tw,
            height: th,
        },
        mirrored,
        scale,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WHOLE: [f64; 4] = [0.0, 0.0, 1.0, 1.0];

    fn panel(width: u32, height: u32) -> Rect {
        Rect {
            x: 100,
            y: 50,
            width,
            height,
        }
    }

    #[test]
    fn a_picture_of_the_panels_shape_fills_it_exactly() {
        let p = place((400, 300), WHOLE, Anchor::Center, panel(200, 150), false);
        assert_eq!(
            p.source,
            Rect {
                x: 0,
                y: 0,
                width: 400,
                height: 300
            }
        );
        assert_eq!(p.target, panel(200, 150));
        assert!((p.scale - 0.5).abs() < 1e-12);
    }

    #[test]
    fn a_wide_picture_in_a_square_panel_is_cropped_toward_the_anchor() {
        // 400 × 200 into 100 × 100: scale 0.5, a 200-wide window.
        let focal = [0.4, 0.0, 0.6, 1.0];
        let left = place(
            (400, 200),
            [0.0, 0.0, 0.1, 1.0],
            Anchor::Left,
            panel(100, 100),
            false,
        );
        assert_eq!((left.source.x, left.source.width), (0, 200));
        let center = place((400, 200), focal, Anchor::Center, panel(100, 100), false);
        assert_eq!((center.source.x, center.source.width), (100, 200));
        let right = place(
            (400, 200),
            [0.9, 0.0, 1.0, 1.0],
            Anchor::Right,
            panel(100, 100),
            false,
        );
        assert_eq!((right.source.x, right.source.width), (200, 200));
        for p in [left, center, right] {
            assert_eq!(p.target, panel(100, 100));
        }
    }

    #[test]
    fn the_window_slides_to_keep_the_focal_area_whatever_the_anchor() {
        // Anchored left, but the subject is at the far right.
        let p = place(
            (400, 200),
            [0.8, 0.2, 0.95, 0.8],
            Anchor::Left,
            panel(100, 100),
            false,
        );
        let (x0, x1) = (p.source.x, p.source.x + p.source.width);
        assert!(
            x0 <= 320 && x1 >= 380,
            "window {x0}..{x1} must hold 320..380"
        );
    }

    #[test]
    fn a_focal_area_too_big_to_crop_shrinks_the_picture_instead() {
        // Covering a tall panel would cut a wide subject: the picture is shown whole instead.
        let p = place((400, 200), WHOLE, Anchor::Bottom, panel(100, 300), false);
        assert_eq!(
            p.source,
            Rect {
                x: 0,
                y: 0,
                width: 400,
                height: 200
            }
        );
        assert_eq!((p.target.width, p.target.height), (100, 50));
        assert_eq!(p.target.y, 50 + 250, "anchored to the panel's bottom");
    }

    #[test]
    fn mirroring_finds_the_window_on_the_other_side() {
        // Subject at the left of the stored picture is at the right once mirrored.
        let focal = [0.0, 0.0, 0.25, 1.0];
        let plain = place((400, 200), focal, Anchor::Center, panel(100, 100), false);
        let mirrored = place((400, 200), focal, Anchor::Center, panel(100, 100), true);
        assert_eq!(plain.source.x, 0);
        assert_eq!(
            mirrored.source.x, 0,
            "the stored picture's left part is still used"
        );
        assert!(mirrored.mirrored);
        // The anchor names a part of the picture as drawn: mirrored, the same part is kept.
        for anchor in [
            Anchor::Left,
            Anchor::Right,
            Anchor::TopLeft,
            Anchor::BottomRight,
        ] {
            let focal = [0.3, 0.0, 0.4, 1.0];
            let plain = place((400, 200), focal, anchor, panel(100, 100), false);
            let mirrored = place((400, 200), focal, anchor, panel(100, 100), true);
            assert_eq!(plain.source, mirrored.source, "{anchor:?}");
        }
    }

    #[test]
    fn placements_stay_inside_picture_and_panel_for_odd_sizes() {
        for (w, h) in [(1, 1), (7, 1000), (1000, 7), (333, 777), (640, 480)] {
            for (pw, ph) in [(1, 1), (3, 500), (500, 3), (251, 199)] {
                for anchor in [Anchor::Center, Anchor::TopRight, Anchor::BottomLeft] {
                    for mirrored in [false, true] {
                        let p = place(
                            (w, h),
                            [0.1, 0.2, 0.3, 0.9],
                            anchor,
                            panel(pw, ph),
                            mirrored,
                        );
                        let s = p.source;
                        assert!(
                            s.width >= 1
                                && s.height >= 1
                                && s.x + s.width <= w
                                && s.y + s.height <= h,
                            "{p:?} for {w}x{h} in {pw}x{ph}"
                        );
                        let t = p.target;
                        assert!(
                            t.width >= 1
                                && t.height >= 1
                                && t.x + t.width <= 100 + pw
                                && t.y + t.height <= 50 + ph,
                            "{p:?}"
                        );
                    }
                }
            }
        }
    }
}
