//! Black or white per dot: thresholding, error diffusion and ordered dithering.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::blue_noise::{BLUE_NOISE_SIZE, blue_noise_mask};
use super::{Bitmap, GrayImage};

/// How gray becomes black and white dots.
///
/// In a config file: `binarisation = { method = "atkinson" }`, or
/// `{ method = "threshold", level = 128 }` (`level` defaults to 128 and belongs to `threshold`
/// only). Methods: `threshold`, `floyd-steinberg`, `atkinson`, `bayer`, `blue-noise`.
///
/// # The default: Atkinson
/// Thermal paper does not print single dots reliably: a lone dot in a light area gets too little
/// heat from its neighbours and comes out faint or not at all, while dense areas gain ink (dot
/// gain). Floyd–Steinberg scatters exactly such lone dots through every highlight. Atkinson's
/// diffusion passes on only 6/8 of the error, so light grays snap to white, dark grays to black,
/// and what is left is mid-tone texture of neighbouring dots: higher contrast, cleaner line art,
/// fewer dots to burn (faster, cooler printing). For comics, which are mostly line art with flat
/// fills, that trade is right; [`Binarisation::Threshold`] is better still for pure line art,
/// and [`Binarisation::BlueNoise`] for photographs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "BinarisationConfig", into = "BinarisationConfig")]
pub enum Binarisation {
    /// Black where the pixel is darker than `level` (0–255): sharp line art, no texture; grays
    /// collapse to black or white.
    Threshold {
        /// Pixels below this print black; 128 splits the scale in half.
        level: u8,
    },
    /// Floyd–Steinberg error diffusion: the most faithful tones, at the price of isolated dots in
    /// highlights and "worm" textures.
    FloydSteinberg,
    /// Atkinson error diffusion (6/8 of the error): contrast over tone; see the type's docs.
    #[default]
    Atkinson,
    /// Ordered dithering with the 8×8 Bayer matrix: regular cross-hatch texture, no error
    /// propagation (a dot never depends on far-away pixels), 65 tone levels.
    Bayer,
    /// Ordered dithering with a 64×64 blue-noise threshold mask ([`blue_noise_mask`]): no visible
    /// pattern and no error propagation; 4097 tone levels.
    BlueNoise,
}

impl Binarisation {
    /// One of each method (the threshold at mid-gray), for tests, benchmarks and menus.
    pub const ALL: [Binarisation; 5] = [
        Binarisation::Threshold { level: 128 },
        Binarisation::FloydSteinberg,
        Binarisation::Atkinson,
        Binarisation::Bayer,
        Binarisation::BlueNoise,
    ];

    /// Binarises `image`: a bitmap of the same size, 1 = black.
    pub fn binarise(&self, image: &GrayImage) -> Bitmap {
        match *self {
            Binarisation::Threshold { level } => threshold(image, level),
            Binarisation::FloydSteinberg => floyd_steinberg(image),
            Binarisation::Atkinson => atkinson(image),
            Binarisation::Bayer => ordered(image, bayer_8x8(), 8),
            Binarisation::BlueNoise => ordered(image, blue_noise_mask(), BLUE_NOISE_SIZE),
        }
    }
}

impl fmt::Display for Binarisation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Binarisation::Threshold { level } => write!(f, "threshold {level}"),
            Binarisation::FloydSteinberg => f.write_str("floyd-steinberg"),
            Binarisation::Atkinson => f.write_str("atkinson"),
            Binarisation::Bayer => f.write_str("bayer"),
            Binarisation::BlueNoise => f.write_str("blue-noise"),
        }
    }
}

/// The config-file form. A flat struct rather than serde's tagged enum, because serde ignores
/// `deny_unknown_fields` on variants without fields: `{ method = "atkinson", level = 3 }` would
/// silently drop the level.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BinarisationConfig {
    method: Method,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    level: Option<u8>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Method {
    Threshold,
    FloydSteinberg,
    Atkinson,
    Bayer,
    BlueNoise,
}

/// A binarisation in a config file that names a parameter its method does not have.
#[derive(Debug, thiserror::Error)]
#[error("`level` belongs to method \"threshold\" only; method \"{method}\" takes no parameters")]
pub struct BinarisationConfigError {
    method: Binarisation,
}

impl TryFrom<BinarisationConfig> for Binarisation {
    type Error = BinarisationConfigError;

    fn try_from(config: BinarisationConfig) -> Result<Self, Self::Error> {
        let method = match config.method {
            Method::Threshold => {
                return Ok(Binarisation::Threshold {
                    level: config.level.unwrap_or(128),
                });
            }
            Method::FloydSteinberg => Binarisation::FloydSteinberg,
            Method::Atkinson => Binarisation::Atkinson,
            Method::Bayer => Binarisation::Bayer,
            Method::BlueNoise => Binarisation::BlueNoise,
        };
        match config.level {
            Some(_) => Err(BinarisationConfigError { method }),
            None => Ok(method),
        }
    }
}

impl From<Binarisation> for BinarisationConfig {
    fn from(binarisation: Binarisation) -> Self {
        let (method, level) = match binarisation {
            Binarisation::Threshold { level } => (Method::Threshold, Some(level)),
            Binarisation::FloydSteinberg => (Method::FloydSteinberg, None),
            Binarisation::Atkinson => (Method::Atkinson, None),
            Binarisation::Bayer => (Method::Bayer, None),
            Binarisation::BlueNoise => (Method::BlueNoise, None),
        };
        BinarisationConfig { method, level }
    }
}

fn burn(row: &mut [u8], x: usize) {
    row[x / 8] |= 0x80 >> (x % 8);
}

fn threshold(image: &GrayImage, level: u8) -> Bitmap {
    let mut out = Bitmap::white_like(image);
    for y in 0..image.height() {
        let row = out.row_mut(y);
        for (x, &pixel) in image.row(y).iter().enumerate() {
            if pixel < level {
                burn(row, x);
            }
        }
    }
    out
}

/// Paper white on the error-diffusion tone scale.
const WHITE: i32 = 256;
/// Mid-gray: values below it print black.
const MID: i32 = WHITE / 2;

/// Maps 8-bit gray onto a scale where white is 256 and 8-bit 128 is exactly half-way.
///
/// On the plain 0–255 scale, 50 % is 127.5: 127 and 128 are each half a level off, and error
/// diffusion faithfully accumulates that half level per pixel until it flips a dot, so a flat
/// mid-gray grows a defect every few dozen rows instead of a clean checkerboard. Stretching the
/// upper half by one step (129 is skipped) puts 128 at exactly 50 %, keeps 0 and 255 as pure
/// black and pure white (no stray dots on blank paper), and changes no tone by more than 0.4 %.
fn tone(value: u8) -> i32 {
    i32::from(value) + i32::from(value > 128)
}

/// Quantises `value` (tone plus carried error); returns whether it burns and the error left.
fn quantise(value: i32) -> (bool, i32) {
    if value < MID {
        (true, value)
    } else {
        (false, value - WHITE)
    }
}

fn floyd_steinberg(image: &GrayImage) -> Bitmap {
    let mut out = Bitmap::white_like(image);
    let width = image.width() as usize;
    // Error carried into this row and the next, with one cell of padding on each side so the
    // edges need no special case (what falls off the image is dropped).
    let mut this_row = vec![0i32; width + 2];
    let mut next_row = vec![0i32; width + 2];
    for y in 0..image.height() {
        let row = out.row_mut(y);
        for (x, &pixel) in image.row(y).iter().enumerate() {
            let (black, error) = quantise(tone(pixel) + this_row[x + 1]);
            if black {
                burn(row, x);
            }
            // 7/16, 3/16, 5/16, and the remainder as the 1/16, so integer rounding loses nothing.
            let right = error * 7 / 16;
            let below_left = error * 3 / 16;
            let below = error * 5 / 16;
            this_row[x + 2] += right;
            next_row[x] += below_left;
            next_row[x + 1] += below;
            next_row[x + 2] += error - right - below_left - below;
        }
        std::mem::swap(&mut this_row, &mut next_row);
        next_row.fill(0);
    }
    out
}

fn atkinson(image: &GrayImage) -> Bitmap {
    let mut out = Bitmap::white_like(image);
    let width = image.width() as usize;
    // Three rows of carried error; index x + 1 is pixel x (one cell of padding left, two right).
    let mut rows = [
        vec![0i32; width + 3],
        vec![0i32; width + 3],
        vec![0i32; width + 3],
    ];
    for y in 0..image.height() {
        let row = out.row_mut(y);
        for (x, &pixel) in image.row(y).iter().enumerate() {
            let (black, error) = quantise(tone(pixel) + rows[0][x + 1]);
            if black {
                burn(row, x);
            }
            // Six neighbours get 1/8 each; the other 2/8 are dropped on purpose.
            let share = error / 8;
            rows[0][x + 2] += share;
            rows[0][x + 3] += share;
            rows[1][x] += share;
            rows[1][x + 1] += share;
            rows[1][x + 2] += share;
            rows[2][x + 1] += share;
        }
        rows.rotate_left(1);
        rows[2].fill(0);
    }
    out
}

/// Ordered dithering with a `size × size` mask holding each rank 0..size² once.
///
/// Rank r is the threshold (r + ½) / size² of the way from black to white: a pixel burns when it
/// is darker, so 0 burns everywhere and 255 nowhere.
fn ordered(image: &GrayImage, mask: &[u16], size: usize) -> Bitmap {
    let mut out = Bitmap::white_like(image);
    let cells = (size * size) as u32;
    for y in 0..image.height() {
        let mask_row = &mask[(y as usize % size) * size..][..size];
        let row = out.row_mut(y);
        for (x, &pixel) in image.row(y).iter().enumerate() {
            // pixel / 255 < (rank + ½) / cells, in integers.
            let rank = u32::from(mask_row[x % size]);
            if 2 * cells * u32::from(pixel) < (2 * rank + 1) * 255 {
                burn(row, x);
            }
        }
    }
    out
}

/// The 8×8 Bayer index matrix, row-major.
fn bayer_8x8() -> &'static [u16] {
    static BAYER: std::sync::OnceLock<Vec<u16>> = std::sync::OnceLock::new();
    BAYER.get_or_init(|| {
        // Each doubling puts 4·M in every quadrant and adds 0, 2, 3, 1 (top-left, top-right,
        // bottom-left, bottom-right): the recursive construction of the Bayer matrix.
        let mut matrix = vec![0u16];
        let mut size = 1;
        while size < 8 {
            let bigger = size * 2;
            let mut next = vec![0u16; bigger * bigger];
            for y in 0..bigger {
                for x in 0..bigger {
                    let quadrant = [0, 2, 3, 1][(y / size) * 2 + x / size];
                    next[y * bigger + x] = 4 * matrix[(y % size) * size + x % size] + quadrant;
                }
            }
            matrix = next;
            size = bigger;
        }
        matrix
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(value: u8) -> GrayImage {
        GrayImage::filled(384, 600, value).expect("small")
    }

    fn coverage(bitmap: &Bitmap) -> f64 {
        bitmap.black_dots() as f64 / (f64::from(bitmap.width()) * f64::from(bitmap.height()))
    }

    #[test]
    fn floyd_steinberg_turns_flat_128_into_a_perfect_checkerboard() {
        let bitmap = Binarisation::FloydSteinberg.binarise(&flat(128));
        for y in 0..bitmap.height() {
            for x in 0..bitmap.width() {
                assert_eq!(bitmap.is_black(x, y), (x + y) % 2 == 1, "dot ({x}, {y})");
            }
        }
    }

    #[test]
    fn white_stays_blank_and_black_burns_everywhere_with_every_method() {
        for method in Binarisation::ALL {
            assert_eq!(method.binarise(&flat(255)).black_dots(), 0, "{method}");
            assert_eq!(
                method.binarise(&flat(0)).black_dots(),
                384 * 600,
                "{method}"
            );
        }
    }

    #[test]
    fn faithful_methods_keep_the_mean_tone() {
        for method in [
            Binarisation::FloydSteinberg,
            Binarisation::Bayer,
            Binarisation::BlueNoise,
        ] {
            for value in [32u8, 64, 128, 192, 224] {
                let expected = 1.0 - f64::from(value) / 255.0;
                let got = coverage(&method.binarise(&flat(value)));
                assert!(
                    (got - expected).abs() < 0.01,
                    "{method} at {value}: {got:.4} black, expected {expected:.4}"
                );
            }
        }
    }

    #[test]
    fn atkinson_trades_highlight_dots_for_contrast() {
        // Light gray: Atkinson burns far fewer (isolated) dots than Floyd–Steinberg…
        let light = flat(225);
        let atkinson = Binarisation::Atkinson.binarise(&light).black_dots();
        let floyd = Binarisation::FloydSteinberg.binarise(&light).black_dots();
        assert!(atkinson * 2 < floyd, "atkinson {atkinson}, floyd {floyd}");
        // …and mid-tones stay mid-tones.
        let mid = coverage(&Binarisation::Atkinson.binarise(&flat(128)));
        assert!((mid - 0.5).abs() < 0.03, "{mid}");
    }

    #[test]
    fn threshold_burns_exactly_the_pixels_below_the_level() {
        let ramp = GrayImage::from_fn(256, 1, |x, _| x as u8).expect("small");
        let bitmap = Binarisation::Threshold { level: 100 }.binarise(&ramp);
        assert_eq!(bitmap.black_dots(), 100);
        assert!(bitmap.is_black(99, 0) && !bitmap.is_black(100, 0));
    }

    #[test]
    fn the_bayer_matrix_holds_every_rank_once_in_the_classic_order() {
        let matrix = bayer_8x8();
        let mut sorted = matrix.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..64).collect::<Vec<u16>>());
        assert_eq!(&matrix[..4], &[0, 32, 8, 40]);
        assert_eq!(&matrix[8..12], &[48, 16, 56, 24]);
    }

    #[test]
    fn binarisation_reads_from_toml_and_refuses_unknown_keys() {
        #[derive(Debug, Deserialize)]
        struct Config {
            binarisation: Binarisation,
        }
        let config: Config =
            toml::from_str("binarisation = { method = \"threshold\", level = 90 }").expect("ok");
        assert_eq!(config.binarisation, Binarisation::Threshold { level: 90 });
        let config: Config =
            toml::from_str("binarisation = { method = \"blue-noise\" }").expect("ok");
        assert_eq!(config.binarisation, Binarisation::BlueNoise);
        let error = toml::from_str::<Config>("binarisation = { method = \"atkinson\", level = 3 }")
            .expect_err("atkinson has no level");
        assert!(
            error.to_string().contains("`level` belongs to method"),
            "{error}"
        );
        let error = toml::from_str::<Config>("binarisation = { method = \"atkinson\", gamma = 2 }")
            .expect_err("unknown key");
        assert!(error.to_string().contains("gamma"), "{error}");
        let error = toml::from_str::<Config>("binarisation = { method = \"halftone\" }")
            .expect_err("unknown method");
        assert!(
            error.to_string().contains("blue-noise"),
            "lists the methods: {error}"
        );
        for method in Binarisation::ALL {
            let text = toml::to_string(&BinarisationConfig::from(method)).expect("serialises");
            let back: Binarisation = toml::from_str(&text).expect("reads back");
            assert_eq!(back, method);
        }
    }
}
