//! Weighted Voronoi stippling (Secord 2002), then one continuous tour through the dots: a
//! single-line portrait, TSP-art style.
//!
//! Dots start where darkness is (sampled from it), then each moves to the density-weighted
//! centroid of its Voronoi cell, which spreads them evenly within a tone and packs them tighter
//! where it is darker. The density is darkness squared: a tour's ink per area grows with the
//! square root of its dot density, so squaring makes the line's ink follow the picture's tone. Cells are computed on a raster fine enough for about fifty raster pixels
//! per dot, with a uniform grid for nearest-dot queries. Everything is single-threaded and
//! seeded, so a seed always gives the same dots.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::Canvas;
use crate::field::DarknessField;
use crate::geometry::{Point, Stroke};
use crate::path;

/// Lloyd iterations; after about twenty the dots move by a small fraction of their spacing.
const ITERATIONS: usize = 20;

/// Raster pixels per dot for the Voronoi cells: enough to place each centroid within a few
/// percent of the dot spacing.
const PIXELS_PER_DOT: f64 = 24.0;

/// Bounds on the number of dots when the caller does not choose.
const DEFAULT_DOTS: (f64, f64) = (500.0, 50_000.0);

pub(super) fn draw(
    canvas: &Canvas<'_>,
    field: &DarknessField,
    rng: &mut ChaCha8Rng,
    dots: Option<usize>,
) -> Vec<Stroke> {
    let area = field.area();
    let dots = dots.unwrap_or_else(|| default_dots(canvas, field));
    let points = stipple(field, dots, rng);
    if points.is_empty() {
        return Vec::new();
    }
    // The tour: order the dots as one-point strokes, then draw through them without lifting.
    let start = Point::new(area.left, area.top);
    let ordered = path::optimise(
        points.into_iter().map(|p| Stroke::new(vec![p])).collect(),
        start,
    );
    vec![Stroke::new(
        ordered.into_iter().flat_map(|s| s.points).collect(),
    )]
}

/// About one dot per (3 pen widths)² of density-weighted area, and no more than one per four
/// picture pixels (more dots than that only draw the pixels).
fn default_dots(canvas: &Canvas<'_>, field: &DarknessField) -> usize {
    let (w, h) = field.size();
    let mean: f64 = (0..h)
        .flat_map(|y| (0..w).map(move |x| (x, y)))
        .map(|(x, y)| field.pixel(x, y).sqrt())
        .sum::<f64>()
        / f64::from(w * h).max(1.0);
    let area = field.area();
    let spacing = 3.0 * canvas.pen_width;
    let by_pixels = f64::from(w * h) / 4.0;
    (mean * area.width * area.height / (spacing * spacing))
        .min(by_pixels)
        .clamp(DEFAULT_DOTS.0, DEFAULT_DOTS.1) as usize
}

/// A darkness raster for the Voronoi iterations.
struct Raster {
    width: usize,
    height: usize,
    density: Vec<f32>,
}

/// `count` stipple dots over `field`, in millimetres.
pub(crate) fn stipple(field: &DarknessField, count: usize, rng: &mut ChaCha8Rng) -> Vec<Point> {
    let area = field.area();
    let (pw, ph) = field.size();
    let scale = (PIXELS_PER_DOT * count as f64 / f64::from(pw * ph))
        .sqrt()
        .ceil()
        .max(1.0);
    let raster = {
        let (width, height) = (
            (f64::from(pw) * scale) as usize,
            (f64::from(ph) * scale) as usize,
        );
        let mm = area.width / width as f64;
        let density = (0..height)
            .flat_map(|y| (0..width).map(move |x| (x, y)))
            .map(|(x, y)| {
                let darkness = field.darkness(Point::new(
                    area.left + (x as f64 + 0.5) * mm,
                    area.top + (y as f64 + 0.5) * mm,
                ));
                (darkness * darkness) as f32
            })
            .collect();
        Raster {
            width,
            height,
            density,
        }
    };
    let mut dots = initial_dots(&raster, count, rng);
    if dots.is_empty() {
        return Vec::new();
    }
    let mut sums = vec![(0.0f64, 0.0f64, 0.0f64); dots.len()];
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let mut owners = vec![0u32; raster.width * raster.height];
    for _ in 0..ITERATIONS {
        assign(&raster, &dots, &mut owners, threads);
        sums.iter_mut().for_each(|s| *s = (0.0, 0.0, 0.0));
        for (index, &owner) in owners.iter().enumerate() {
            let rho = f64::from(raster.density[index]);
            if rho > 0.0 {
                let (px, py) = (
                    (index % raster.width) as f64 + 0.5,
                    (index / raster.width) as f64 + 0.5,
                );
                let sum = &mut sums[owner as usize];
                sum.0 += rho;
                sum.1 += rho * px;
                sum.2 += rho * py;
            }
        }
        for (dot, &(weight, sx, sy)) in dots.iter_mut().zip(&sums) {
            if weight > 0.0 {
                *dot = (sx / weight, sy / weight);
            }
        }
    }
    let mm = area.width / raster.width as f64;
    dots.into_iter()
        .map(|(x, y)| Point::new(area.left + x * mm, area.top + y * mm))
        .filter(|p| area.contains(*p, 0.0))
        .collect()
}

/// Each dark pixel's nearest dot (its Voronoi cell), rows split over `threads` threads. The
/// nearest dot is exact (ties to the lower index), so the result does not depend on the split:
/// a seed gives the same dots on a 4-core Pi and a 2-core laptop.
fn assign(raster: &Raster, dots: &[(f64, f64)], owners: &mut [u32], threads: usize) {
    let grid = DotGrid::new(dots, raster.width, raster.height);
    let rows_per_chunk = raster.height.div_ceil(threads.max(1)).max(1);
    std::thread::scope(|scope| {
        for (chunk, owners) in owners.chunks_mut(rows_per_chunk * raster.width).enumerate() {
            let grid = &grid;
            scope.spawn(move || {
                let mut guess = 0;
                for (offset, owner) in owners.iter_mut().enumerate() {
                    let index = chunk * rows_per_chunk * raster.width + offset;
                    if raster.density[index] <= 0.0 {
                        continue;
                    }
                    let (px, py) = (
                        (index % raster.width) as f64 + 0.5,
                        (index / raster.width) as f64 + 0.5,
                    );
                    guess = grid.nearest(dots, px, py, guess);
                    *owner = guess as u32;
                }
            });
        }
    });
}

/// Dots drawn at random with probability proportional to darkness (inverse-CDF sampling).
fn initial_dots(raster: &Raster, count: usize, rng: &mut ChaCha8Rng) -> Vec<(f64, f64)> {
    let mut cumulative = Vec::with_capacity(raster.density.len());
    let mut total = 0.0f64;
    for &rho in &raster.density {
        total += f64::from(rho);
        cumulative.push(total);
    }
    if total <= 0.0 {
        return Vec::new();
    }
    (0..count)
        .map(|_| {
            let target = rng.random::<f64>() * total;
            let index = cumulative
                .partition_point(|&c| c < target)
                .min(raster.density.len() - 1);
            let (x, y) = (index % raster.width, index / raster.width);
            (
                x as f64 + rng.random::<f64>(),
                y as f64 + rng.random::<f64>(),
            )
        })
        .collect()
}

/// Dots bucketed by raster cell for nearest-dot queries.
struct DotGrid {
    cell: f64,
    columns: i64,
    rows: i64,
    buckets: Vec<Vec<usize>>,
}

impl DotGrid {
    fn new(dots: &[(f64, f64)], width: usize, height: usize) -> DotGrid {
        // About one dot per bucket.
        let cell = ((width * height) as f64 / dots.len() as f64)
            .sqrt()
            .max(1.0);
        let columns = (width as f64 / cell).ceil() as i64 + 1;
        let rows = (height as f64 / cell).ceil() as i64 + 1;
        let mut buckets = vec![Vec::new(); (columns * rows) as usize];
        for (i, &(x, y)) in dots.iter().enumerate() {
            let (cx, cy) = (
                ((x / cell) as i64).clamp(0, columns - 1),
                ((y / cell) as i64).clamp(0, rows - 1),
            );
            buckets[(cy * columns + cx) as usize].push(i);
        }
        DotGrid {
            cell,
            columns,
            rows,
            buckets,
        }
    }

    /// The dot nearest (x, y); `guess` (the previous pixel's answer) bounds the search.
    fn nearest(&self, dots: &[(f64, f64)], x: f64, y: f64, guess: usize) -> usize {
        let distance = |i: usize| {
            let (dx, dy) = (dots[i].0 - x, dots[i].1 - y);
            dx * dx + dy * dy
        };
        let mut best = guess.min(dots.len() - 1);
        let mut best_d = distance(best);
        let (cx, cy) = ((x / self.cell) as i64, (y / self.cell) as i64);
        let mut ring = 0i64;
        loop {
            // Every dot in ring r or beyond is at least (r − 1)·cell away.
            let reach = (ring - 1).max(0) as f64 * self.cell;
            if reach * reach > best_d || ring > self.columns.max(self.rows) {
                return best;
            }
            for gy in cy - ring..=cy + ring {
                if gy < 0 || gy >= self.rows {
                    continue;
                }
                let on_edge_row = gy == cy - ring || gy == cy + ring;
                let step = if on_edge_row { 1 } else { (2 * ring).max(1) };
                let mut gx = cx - ring;
                while gx <= cx + ring {
                    if gx >= 0 && gx < self.columns {
                        for &i in &self.buckets[(gy * self.columns + gx) as usize] {
                            let d = distance(i);
                            if d < best_d || (d == best_d && i < best) {
                                best = i;
                                best_d = d;
                            }
                        }
                    }
                    gx += step;
                }
            }
            ring += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::Rect;
    use crate::input::Picture;
    use crate::tone::ToneCurve;
    use rand::SeedableRng;

    #[test]
    fn dots_gather_where_it_is_dark_and_stay_on_the_picture() {
        // Left half white, right half black.
        let picture = Picture {
            width: 40,
            height: 20,
            pixels: (0..20)
                .flat_map(|_| (0..40).map(|x| if x < 20 { 255 } else { 0 }))
                .collect(),
        };
        let area = Rect {
            left: 100.0,
            top: 100.0,
            width: 200.0,
            height: 100.0,
        };
        let field = DarknessField::fit(&picture, &ToneCurve::linear(), area);
        let dots = stipple(&field, 400, &mut ChaCha8Rng::seed_from_u64(1));
        assert_eq!(dots.len(), 400);
        assert!(dots.iter().all(|p| field.area().contains(*p, 0.0)));
        assert!(dots.iter().all(|p| p.x > 199.0), "a dot in the white half");
        // Lloyd relaxation spreads them: no two dots nearly on top of each other.
        let closest = dots
            .iter()
            .enumerate()
            .flat_map(|(i, a)| dots[i + 1..].iter().map(move |b| a.distance(*b)))
            .fold(f64::INFINITY, f64::min);
        assert!(closest > 1.0, "closest pair {closest} mm apart");
    }
}
