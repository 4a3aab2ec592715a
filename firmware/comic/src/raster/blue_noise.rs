//! A blue-noise threshold mask, generated in code with Ulichney's void-and-cluster method.
//!
//! Blue noise spreads the dots of any gray level as evenly as possible without a visible grid:
//! the look of error diffusion with the locality of ordered dithering (a dot depends only on its
//! own pixel, so there are no "worms" and no error running across panel borders). Generating the
//! mask here instead of shipping a texture keeps it reproducible and reviewable; it takes tens of
//! milliseconds once per process and is then cached.
//!
//! Method (R. Ulichney, "The void-and-cluster method for dither array generation", 1993), on a
//! 64×64 torus with a Gaussian energy filter of σ = 1.5:
//! 1. Scatter 10 % of the cells from a fixed seed, then repeatedly move the dot in the tightest
//!    cluster (highest filtered energy) to the largest void (lowest energy among empty cells)
//!    until the move would put it back: the initial pattern is now evenly spread.
//! 2. Ranks below the initial count: remove the tightest cluster repeatedly, ranking downwards.
//! 3. Ranks from there up: fill the largest void repeatedly, ranking upwards. (The largest void of
//!    the dots is the tightest cluster of the gaps, so this one rule covers both of Ulichney's
//!    later phases.)

use std::sync::OnceLock;

/// The mask's side: 64 × 64 cells, 4096 ranks, enough tone levels for 8-bit input.
pub const BLUE_NOISE_SIZE: usize = 64;

const SIGMA: f64 = 1.5;
const SEED: u64 = 0x00C0_FFEE_0000_0A7E;

/// The mask, row-major: each rank 0..4096 exactly once. Computed on first use.
pub fn blue_noise_mask() -> &'static [u16] {
    static MASK: OnceLock<Vec<u16>> = OnceLock::new();
    MASK.get_or_init(|| void_and_cluster(BLUE_NOISE_SIZE, SIGMA, SEED))
}

/// Dots on a torus with their filtered energy kept up to date.
struct Field {
    size: usize,
    dots: Vec<bool>,
    energy: Vec<f64>,
    /// The filter's value at every toroidal offset, so a toggle is one pass over the field.
    kernel: Vec<f64>,
}

impl Field {
    fn new(size: usize, sigma: f64) -> Field {
        let mut kernel = vec![0.0; size * size];
        for dy in 0..size {
            for dx in 0..size {
                let wrap = |d: usize| d.min(size - d) as f64;
                let distance2 = wrap(dx).powi(2) + wrap(dy).powi(2);
                kernel[dy * size + dx] = (-distance2 / (2.0 * sigma * sigma)).exp();
            }
        }
        Field {
            size,
            dots: vec![false; size * size],
            energy: vec![0.0; size * size],
            kernel,
        }
    }

    fn toggle(&mut self, cell: usize) {
        let size = self.size;
        let (cx, cy) = (cell % size, cell / size);
        let sign = if self.dots[cell] { -1.0 } else { 1.0 };
        self.dots[cell] = !self.dots[cell];
        for y in 0..size {
            let dy = (y + size - cy) % size;
            for x in 0..size {
                let dx = (x + size - cx) % size;
                self.energy[y * size + x] += sign * self.kernel[dy * size + dx];
            }
        }
    }

    /// The dot with the most energy around it.
    fn tightest_cluster(&self) -> Option<usize> {
        self.extreme(true, |a, b| a > b)
    }

    /// The empty cell with the least energy around it.
    fn largest_void(&self) -> Option<usize> {
        self.extreme(false, |a, b| a < b)
    }

    /// The first cell (lowest index, so ties break the same way every run) with `dots == want`
    /// whose energy beats every other by `better`.
    fn extreme(&self, want: bool, better: impl Fn(f64, f64) -> bool) -> Option<usize> {
        let mut best: Option<usize> = None;
        for (cell, (&dot, &energy)) in self.dots.iter().zip(&self.energy).enumerate() {
            if dot == want && best.is_none_or(|b| better(energy, self.energy[b])) {
                best = Some(cell);
            }
        }
        best
    }
}

fn void_and_cluster(size: usize, sigma: f64, seed: u64) -> Vec<u16> {
    let cells = size * size;
    let mut field = Field::new(size, sigma);

    // Phase 0: a random start, then relax it into an even spread.
    let mut random = SplitMix64(seed);
    let initial = cells / 10;
    let mut placed = 0;
    while placed < initial {
        let cell = (random.next() % cells as u64) as usize;
        if !field.dots[cell] {
            field.toggle(cell);
            placed += 1;
        }
    }
    for _ in 0..cells * 4 {
        let Some(cluster) = field.tightest_cluster() else {
            break;
        };
        field.toggle(cluster);
        let Some(void) = field.largest_void() else {
            break;
        };
        field.toggle(void);
        if void == cluster {
            break;
        }
    }
    let prototype = (field.dots.clone(), field.energy.clone());

    let mut rank = vec![0u16; cells];
    // Phase 1: rank the initial dots from the top down by removing the tightest cluster.
    let mut count = initial;
    while let Some(cluster) = field.tightest_cluster() {
        field.toggle(cluster);
        count -= 1;
        rank[cluster] = count as u16;
    }
    // Phases 2 and 3: from the prototype, rank upwards by filling the largest void.
    (field.dots, field.energy) = prototype;
    let mut count = initial;
    while let Some(void) = field.largest_void() {
        field.toggle(void);
        rank[void] = count as u16;
        count += 1;
    }
    rank
}

/// Sebastiano Vigna's SplitMix64: a few lines, a fixed sequence forever (a library RNG may change
/// its stream between versions, which would silently change every blue-noise print).
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mask_holds_every_rank_exactly_once() {
        let mut ranks = blue_noise_mask().to_vec();
        ranks.sort_unstable();
        assert_eq!(ranks, (0..4096).collect::<Vec<u16>>());
    }

    /// Smallest toroidal distance between any two of the cells with rank below `below`.
    fn closest_pair(below: u16) -> f64 {
        let size = BLUE_NOISE_SIZE as i64;
        let points: Vec<(i64, i64)> = blue_noise_mask()
            .iter()
            .enumerate()
            .filter(|&(_, &rank)| rank < below)
            .map(|(cell, _)| (cell as i64 % size, cell as i64 / size))
            .collect();
        let mut closest = f64::MAX;
        for (i, a) in points.iter().enumerate() {
            for b in &points[i + 1..] {
                let wrap = |d: i64| d.abs().min(size - d.abs()) as f64;
                closest = closest.min(wrap(a.0 - b.0).hypot(wrap(a.1 - b.1)));
            }
        }
        closest
    }

    /// Pairs of side-by-side cells (torus) that both have rank below `below`.
    fn touching_pairs(below: u16) -> usize {
        let size = BLUE_NOISE_SIZE;
        let mask = blue_noise_mask();
        let on = |x: usize, y: usize| mask[(y % size) * size + x % size] < below;
        (0..size)
            .flat_map(|y| (0..size).map(move |x| (x, y)))
            .map(|(x, y)| {
                usize::from(on(x, y) && on(x + 1, y)) + usize::from(on(x, y) && on(x, y + 1))
            })
            .sum()
    }

    #[test]
    fn sparse_levels_are_evenly_spread() {
        // 256 dots on 4096 cells are 4 cells apart on average; white noise would put some side
        // by side (the birthday problem makes that near-certain), blue noise keeps them apart.
        assert!(closest_pair(256) >= 2.5, "{}", closest_pair(256));
        // 10 % gray: white noise expects 82 touching pairs, blue noise none.
        assert_eq!(touching_pairs(410), 0);
        // 25 % gray: white noise expects 512.
        assert!(touching_pairs(1024) < 256, "{}", touching_pairs(1024));
    }

    #[test]
    fn the_mask_is_the_same_every_time() {
        assert_eq!(
            void_and_cluster(16, SIGMA, SEED),
            void_and_cluster(16, SIGMA, SEED)
        );
    }
}
