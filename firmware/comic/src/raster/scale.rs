//! Fitting an image to the print head's width.

use super::{GrayImage, RasterError};

/// Makes `image` exactly `width` dots wide without losing any of it.
///
/// - **Wider** images are scaled down, keeping the aspect ratio, by area averaging
///   ([`downscale_area`]): every source pixel counts in proportion to how much of an output dot
///   it covers, so thin lines turn gray instead of vanishing or aliasing (nearest-neighbour
///   resizing, as the `escpos` crate does, drops whole rows and columns of line art).
/// - **Narrower** images are centred on white paper, not enlarged. The composer draws at the
///   printer's width; anything narrower is a deliberate choice (a small logo), and enlarging by a
///   non-integer factor would blur line art that the binarisation then has to dither.
/// - Images of exactly `width` pass unchanged. Never cropped: reference printing code
///   (Adafruit's) crops to 384 dots, which silently loses the right edge of a comic.
///
/// Fails only when the result would exceed [`super::MAX_PIXELS`] (a 1-pixel-wide image millions
/// of rows tall, centred).
pub fn fit_to_width(image: &GrayImage, width: u32) -> Result<GrayImage, RasterError> {
    use std::cmp::Ordering;
    match image.width().cmp(&width) {
        Ordering::Equal => Ok(image.clone()),
        Ordering::Greater => {
            let height = scaled_height(image.width(), image.height(), width);
            downscale_area(image, width, height)
        }
        Ordering::Less => centre(image, width),
    }
}

/// `height` scaled like `width` goes to `new_width`, rounded, at least 1 row for a non-empty image.
fn scaled_height(width: u32, height: u32, new_width: u32) -> u32 {
    if width == 0 || height == 0 {
        return 0;
    }
    let scaled =
        (u64::from(height) * u64::from(new_width) + u64::from(width) / 2) / u64::from(width);
    u32::try_from(scaled).unwrap_or(u32::MAX).max(1)
}

fn centre(image: &GrayImage, width: u32) -> Result<GrayImage, RasterError> {
    let left = (width - image.width()) / 2;
    let right = left + image.width();
    GrayImage::from_fn(width, image.height(), |x, y| {
        if (left..right).contains(&x) {
            image.get(x - left, y).unwrap_or(u8::MAX)
        } else {
            u8::MAX
        }
    })
}

/// Resamples `image` to `width × height` by area averaging (a box filter of exactly one output
/// pixel's footprint). Meant for shrinking; it also works, as a blocky enlargement, for growing.
pub fn downscale_area(
    image: &GrayImage,
    width: u32,
    height: u32,
) -> Result<GrayImage, RasterError> {
    if image.width() == 0 || image.height() == 0 || width == 0 || height == 0 {
        return GrayImage::filled(width, height, u8::MAX);
    }
    // Checked before the intermediate buffer below is allocated.
    super::checked_pixels("grayscale image", width, height.max(image.height()))?;
    // The box filter is separable: average along x into floats, then along y.
    let across = footprints(image.width(), width);
    let down = footprints(image.height(), height);
    let mut horizontal = vec![0f32; width as usize * image.height() as usize];
    for y in 0..image.height() {
        let source = image.row(y);
        let target = &mut horizontal[y as usize * width as usize..][..width as usize];
        for (out, weights) in target.iter_mut().zip(&across) {
            *out = weights
                .iter()
                .map(|&(index, weight)| f32::from(source[index]) * weight)
                .sum();
        }
    }
    GrayImage::from_fn(width, height, |x, y| {
        let value: f32 = down[y as usize]
            .iter()
            .map(|&(row, weight)| horizontal[row * width as usize + x as usize] * weight)
            .sum();
        value.round().clamp(0.0, 255.0) as u8
    })
}

/// For each of `target` output pixels along one axis, the source pixels it covers and the share
/// (summing to 1) each contributes.
fn footprints(source: u32, target: u32) -> Vec<Vec<(usize, f32)>> {
    let scale = f64::from(source) / f64::from(target);
    (0..target)
        .map(|i| {
            let start = f64::from(i) * scale;
            let end = f64::from(i + 1) * scale;
            let first = start.floor() as u32;
            let last = (end.ceil() as u32).min(source);
            (first..last)
                .filter_map(|j| {
                    let covered = end.min(f64::from(j) + 1.0) - start.max(f64::from(j));
                    (covered > 1e-9).then_some((j as usize, (covered / scale) as f32))
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wider_image_is_scaled_down_whole_and_keeps_its_aspect_ratio() {
        // 768 × 100: the left half black, the right half white.
        let image =
            GrayImage::from_fn(768, 100, |x, _| if x < 384 { 0 } else { 255 }).expect("small");
        let fitted = fit_to_width(&image, 384).expect("fits");
        assert_eq!((fitted.width(), fitted.height()), (384, 50));
        assert!(fitted.row(10)[..192].iter().all(|&v| v == 0));
        assert!(fitted.row(10)[192..].iter().all(|&v| v == 255));
    }

    #[test]
    fn area_averaging_turns_a_thin_line_gray_instead_of_dropping_it() {
        // A one-pixel black line every third column, shrunk by 3: every output pixel is 1/3 ink.
        let image =
            GrayImage::from_fn(9, 3, |x, _| if x % 3 == 1 { 0 } else { 255 }).expect("small");
        let small = downscale_area(&image, 3, 1).expect("small");
        assert_eq!(small.pixels(), &[170, 170, 170]);
    }

    #[test]
    fn fractional_footprints_share_a_pixel_between_neighbours() {
        // 3 → 2: output 0 covers source 0 and half of 1; output 1 the other half and 2.
        let image = GrayImage::new(3, 1, vec![0, 100, 200]).expect("small");
        let small = downscale_area(&image, 2, 1).expect("small");
        assert_eq!(small.pixels(), &[33, 167]);
    }

    #[test]
    fn a_narrower_image_is_centred_on_white() {
        let image = GrayImage::filled(4, 2, 0).expect("small");
        let fitted = fit_to_width(&image, 10).expect("fits");
        assert_eq!(fitted.row(0), &[255, 255, 255, 0, 0, 0, 0, 255, 255, 255]);
        assert_eq!(fitted.height(), 2);
    }

    #[test]
    fn empty_images_stay_empty() {
        let empty = GrayImage::filled(0, 0, 0).expect("empty");
        let fitted = fit_to_width(&empty, 384).expect("fits");
        assert_eq!((fitted.width(), fitted.height()), (384, 0));
    }
}
