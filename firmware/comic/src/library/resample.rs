//! Resampling grayscale pictures with a triangle (linear) filter, widened when shrinking so fine
//! hatching averages to grey instead of aliasing.
//!
//! Written here rather than taken from `image::imageops::resize`, which runs a generic
//! floating-point path for every pixel type: it took 10–30 ms per panel, a whole comic 80 ms of
//! the 100 ms budget. This one is the same filter on 8-bit grey with integer weights and does a
//! panel in about a millisecond.

use crate::raster::GrayImage;

/// Fixed-point weights: they sum to 1 << SHIFT.
const SHIFT: u32 = 14;

/// For each output pixel along one axis, the first source pixel and the weights of it and the
/// ones after it.
struct Taps {
    first: Vec<u32>,
    weights: Vec<Vec<i32>>,
}

fn taps(source: u32, target: u32) -> Taps {
    let scale = f64::from(target) / f64::from(source);
    // Shrinking widens the filter to cover every source pixel an output pixel stands for.
    let support = if scale < 1.0 { 1.0 / scale } else { 1.0 };
    let mut first = Vec::with_capacity(target as usize);
    let mut weights = Vec::with_capacity(target as usize);
    for i in 0..target {
        let centre = (f64::from(i) + 0.5) / scale - 0.5;
        let lo = (centre - support).floor().max(0.0) as u32;
        let hi = ((centre + support).ceil() as u32).min(source - 1);
        let raw: Vec<f64> = (lo..=hi)
            .map(|j| (1.0 - (f64::from(j) - centre).abs() / support).max(0.0))
            .collect();
        let total: f64 = raw.iter().sum();
        let mut fixed: Vec<i32> = raw
            .iter()
            .map(|w| (w / total * f64::from(1 << SHIFT)).round() as i32)
            .collect();
        // Rounding may leave the sum off by a little: put the difference on the largest weight,
        // so flat areas stay exactly flat.
        let error = (1 << SHIFT) - fixed.iter().sum::<i32>();
        if let Some(max) = (0..fixed.len()).max_by_key(|&k| fixed[k]) {
            fixed[max] += error;
        }
        first.push(lo);
        weights.push(fixed);
    }
    Taps { first, weights }
}

/// The part of `source` at (`x`, `y`, `w`, `h`) scaled to `width × height`, optionally mirrored.
pub fn crop_resize(
    source: &GrayImage,
    (x, y, w, h): (u32, u32, u32, u32),
    width: u32,
    height: u32,
    mirrored: bool,
) -> GrayImage {
    let across = taps(w, width);
    let down = taps(h, height);
    // Only the source rows some output row reads are filtered across.
    let rows_needed = (down.first.first().copied().unwrap_or(0)
        ..down
            .first
            .iter()
            .zip(&down.weights)
            .map(|(f, w)| f + w.len() as u32)
            .max()
            .unwrap_or(0))
        .len();
    let row_base = down.first.first().copied().unwrap_or(0);
    let mut horizontal = vec![0i32; rows_needed * width as usize];
    for r in 0..rows_needed {
        let row = &source.row(y + row_base + r as u32)[x as usize..(x + w) as usize];
        let out = &mut horizontal[r * width as usize..(r + 1) * width as usize];
        for (o, (&start, weights)) in out.iter_mut().zip(across.first.iter().zip(&across.weights)) {
            let pixels = &row[start as usize..start as usize + weights.len()];
            // Kept at 8 + 14 bits: no overflow in i32 for any number of taps summing to 1.
            *o = pixels
                .iter()
                .zip(weights)
                .map(|(&p, &k)| i32::from(p) * k)
                .sum::<i32>()
                >> 6;
        }
    }
    let mut pixels = vec![0u8; width as usize * height as usize];
    let round = 1i64 << (2 * SHIFT - 6 - 1);
    for (j, out) in pixels.chunks_exact_mut(width as usize).enumerate() {
        let base = (down.first[j] - row_base) as usize;
        for (i, o) in out.iter_mut().enumerate() {
            let sum: i64 = down.weights[j]
                .iter()
                .enumerate()
                .map(|(k, &weight)| {
                    i64::from(horizontal[(base + k) * width as usize + i]) * i64::from(weight)
                })
                .sum();
            *o = ((sum + round) >> (2 * SHIFT - 6)).clamp(0, 255) as u8;
        }
        if mirrored {
            out.reverse();
        }
    }
    GrayImage::new(width, height, pixels).expect("width × height pixels were made")
}

/// `source` scaled to exactly `width × height`.
pub fn resize(source: &GrayImage, width: u32, height: u32) -> GrayImage {
    if (source.width(), source.height()) == (width, height) {
        return source.clone();
    }
    crop_resize(
        source,
        (0, 0, source.width(), source.height()),
        width,
        height,
        false,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_grey_stays_exactly_flat_at_any_scale() {
        let grey = GrayImage::filled(97, 61, 137).expect("small");
        for (w, h) in [(97, 61), (300, 20), (13, 200), (1, 1), (500, 500)] {
            let out = resize(&grey, w, h);
            assert!(out.pixels().iter().all(|&v| v == 137), "{w}x{h}");
        }
    }

    #[test]
    fn shrinking_fine_stripes_gives_grey_not_aliasing() {
        // 1-pixel black/white columns shrunk 3.3×: every output pixel should be mid-grey.
        let stripes =
            GrayImage::from_fn(330, 10, |x, _| if x % 2 == 0 { 0 } else { 255 }).expect("small");
        let out = resize(&stripes, 100, 10);
        assert!(
            out.pixels().iter().all(|&v| (100..=155).contains(&v)),
            "{:?}",
            out.row(5)
        );
    }

    #[test]
    fn enlarging_keeps_an_edge_where_it_was_and_mirroring_reverses_rows() {
        let half = GrayImage::from_fn(10, 4, |x, _| if x < 5 { 0 } else { 255 }).expect("small");
        let out = crop_resize(&half, (0, 0, 10, 4), 40, 4, false);
        assert!(out.row(2)[..18].iter().all(|&v| v < 20), "{:?}", out.row(2));
        assert!(
            out.row(2)[22..].iter().all(|&v| v > 235),
            "{:?}",
            out.row(2)
        );
        let mirrored = crop_resize(&half, (0, 0, 10, 4), 40, 4, true);
        let mut reversed = out.row(2).to_vec();
        reversed.reverse();
        assert_eq!(mirrored.row(2), reversed.as_slice());
    }

    #[test]
    fn a_crop_reads_only_its_window() {
        // Left half black, right half white; crop the right half: all white.
        let half = GrayImage::from_fn(100, 50, |x, _| if x < 50 { 0 } else { 255 }).expect("small");
        let out = crop_resize(&half, (50, 10, 50, 30), 23, 17, false);
        assert!(out.pixels().iter().all(|&v| v == 255));
    }
}
