//! Weighted Voronoi stippling (Secord 2002), then one continuous tour through the dots: a
//! single-line portrait, TSP-art style.
//!
//! Dots start spread along a Hilbert curve, one each time the darkness summed along the curve
//! passes another share of the total (space-filling-curve dithering): already about as dense
//! as the picture is dark and fairly evenly spaced. Then Lloyd's iterations move each dot to
//! the density-weighted centroid of its Voronoi cell, which evens the spacing within a tone
//! and packs the dots tighter where it is darker; from that start, half a dozen iterations do
//! what twenty did from random dots. The density is darkness squared: a tour's ink per area
//! grows with the square root of its dot density, so squaring makes the line's ink follow the
//! picture's tone.
//!
//! Cells are computed on a raster with about twenty-four pixels per dot, cut into tiles of
//! about two dots each. A tile that one dot owns outright (it is the nearer at all four corners
//! than every other candidate) adds its precomputed sums in one go; otherwise each pixel finds
//! its nearest among the few dots whose bisectors cross the tile. Tile rows are shared among
//! threads, and the sums are integers, so a seed gives the same dots whatever the number of
//! cores.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::Canvas;
use crate::field::DarknessField;
use crate::geometry::{Point, Stroke};
use crate::point_tour;

/// Raster pixels per dot for the Voronoi cells: enough to place each centroid within a few
/// percent of the dot spacing.
const PIXELS_PER_DOT: f64 = 24.0;

/// Bounds on the number of dots when the caller does not choose.
const DEFAULT_DOTS: (f64, f64) = (500.0, 50_000.0);

/// Lloyd iterations at most; they stop sooner once the dots have settled.
const MAX_ITERATIONS: usize = 12;

/// Over-relaxation: each iteration but the last moves a dot this many times the way to its
/// cell's centroid (1 would be plain Lloyd), which settles in fewer iterations; the last is
/// plain, so the dots end on their centroids.
const OVER_RELAXATION: f32 = 1.6;

/// The dots have settled when they move on average less than this fraction of their mean
/// spacing in one iteration; one plain iteration follows.
const SETTLED: f64 = 0.025;

/// Density 1 (black) as an integer weight. Centroid sums are kept in integers so that adding
/// up the threads' partial sums in any order gives the same dots.
const WEIGHT_ONE: f32 = 65_536.0;

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
    // The tour: one line through every dot, from the picture's top-left corner.
    let order = point_tour::point_tour(&points, Point::new(area.left, area.top));
    vec![Stroke::new(order.into_iter().map(|i| points[i]).collect())]
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

/// A darkness raster for the Voronoi iterations: integer weight (darkness² × `WEIGHT_ONE`) per
/// pixel, 0 where nothing should be drawn.
struct Raster {
    width: usize,
    height: usize,
    weight: Vec<u32>,
}

impl Raster {
    /// `field` sampled `scale` times finer than its pixels, interpolated between pixel centres.
    fn new(field: &DarknessField, scale: usize) -> Raster {
        let (pw, ph) = field.size();
        let (width, height) = (pw as usize * scale, ph as usize * scale);
        // Where each raster column (row) falls between two picture columns (rows).
        let axis = |n: usize, pixels: u32| -> Vec<(u32, u32, f32)> {
            (0..n)
                .map(|i| {
                    let f =
                        ((i as f64 + 0.5) / scale as f64 - 0.5).clamp(0.0, f64::from(pixels - 1));
                    let i0 = f.floor() as u32;
                    (i0, (i0 + 1).min(pixels - 1), (f - f64::from(i0)) as f32)
                })
                .collect()
        };
        let (columns, rows) = (axis(width, pw), axis(height, ph));
        // Each picture row interpolated across the raster's columns, then rows between them.
        let across: Vec<f32> = (0..ph)
            .flat_map(|y| {
                columns.iter().map(move |&(x0, x1, t)| {
                    let (a, b) = (field.pixel(x0, y) as f32, field.pixel(x1, y) as f32);
                    a + (b - a) * t
                })
            })
            .collect();
        let mut weight = Vec::with_capacity(width * height);
        for &(y0, y1, t) in &rows {
            let top = &across[y0 as usize * width..][..width];
            let bottom = &across[y1 as usize * width..][..width];
            weight.extend(top.iter().zip(bottom).map(|(&a, &b)| {
                let darkness = a + (b - a) * t;
                (darkness * darkness * WEIGHT_ONE + 0.5) as u32
            }));
        }
        Raster {
            width,
            height,
            weight,
        }
    }
}

/// `count` stipple dots over `field`, in millimetres.
pub(crate) fn stipple(field: &DarknessField, count: usize, rng: &mut ChaCha8Rng) -> Vec<Point> {
    let area = field.area();
    let (pw, ph) = field.size();
    let scale = (PIXELS_PER_DOT * count as f64 / f64::from(pw * ph))
        .sqrt()
        .ceil()
        .max(1.0) as usize;
    let raster = Raster::new(field, scale);
    let mut dots = initial_dots(&raster, count, rng);
    if dots.is_empty() {
        return Vec::new();
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    relax(&raster, &mut dots, threads);
    let mm = area.width / raster.width as f64;
    dots.into_iter()
        .map(|(x, y)| Point::new(area.left + f64::from(x) * mm, area.top + f64::from(y) * mm))
        .filter(|p| area.contains(*p, 0.0))
        .collect()
}

/// Lloyd's iterations, over-relaxed until the dots settle, then one plain.
fn relax(raster: &Raster, dots: &mut [(f32, f32)], threads: usize) {
    let cells = Cells::new(raster, dots.len());
    let spacing = (cells.inked as f64 / dots.len() as f64).sqrt();
    let (width, height) = (raster.width as f32, raster.height as f32);
    let mut settled = false;
    for iteration in 0..MAX_ITERATIONS {
        let last = settled || iteration + 1 == MAX_ITERATIONS;
        let omega = if last { 1.0 } else { OVER_RELAXATION };
        let sums = centroid_sums(raster, &cells, dots, threads);
        let mut moved = 0.0;
        for (dot, &[weight, sx, sy]) in dots.iter_mut().zip(&sums) {
            if weight > 0 {
                // Sums are of 2x + 1 and 2y + 1 (pixel centres, doubled).
                let step = (
                    (sx as f64 / (2 * weight) as f64) as f32 - dot.0,
                    (sy as f64 / (2 * weight) as f64) as f32 - dot.1,
                );
                // A plain square root, not `hypot`: it is exactly rounded on every platform,
                // so whether the dots have settled does not depend on the machine.
                moved += f64::from((step.0 * step.0 + step.1 * step.1).sqrt());
                // Over-relaxed steps can overshoot the raster's edge.
                *dot = (
                    (dot.0 + omega * step.0).clamp(0.0, width - 0.001),
                    (dot.1 + omega * step.1).clamp(0.0, height - 0.001),
                );
            }
        }
        if last {
            break;
        }
        settled = moved / (dots.len() as f64) < SETTLED * spacing;
    }
}

/// Dots spread along a Hilbert curve through the raster, one each time the weight summed
/// along the curve passes another `total / count` (space-filling-curve dithering): already
/// close to evenly spaced, so Lloyd's iterations have little left to do. The seed shifts the
/// thresholds and jitters each dot within its pixel.
fn initial_dots(raster: &Raster, count: usize, rng: &mut ChaCha8Rng) -> Vec<(f32, f32)> {
    let total: u64 = raster.weight.iter().map(|&w| u64::from(w)).sum();
    if total == 0 || count == 0 {
        return Vec::new();
    }
    let step = total as f64 / count as f64;
    let mut next = rng.random::<f64>() * step;
    let mut sum = 0u64;
    let mut dots = Vec::with_capacity(count);
    let mut last = (0, 0);
    hilbert(raster.width, raster.height, &mut |x, y| {
        let w = raster.weight[y * raster.width + x];
        if w == 0 {
            return;
        }
        sum += u64::from(w);
        last = (x, y);
        while next < sum as f64 && dots.len() < count {
            dots.push((
                x as f32 + rng.random::<f32>(),
                y as f32 + rng.random::<f32>(),
            ));
            next += step;
        }
    });
    // Rounding can leave the last threshold just past the end.
    while dots.len() < count {
        dots.push((
            last.0 as f32 + rng.random::<f32>(),
            last.1 as f32 + rng.random::<f32>(),
        ));
    }
    dots
}

/// Visits every pixel of a `width` × `height` grid once, each next to the one before, along a
/// generalised Hilbert curve (Jakub Červený's "gilbert", for any rectangle).
fn hilbert(width: usize, height: usize, visit: &mut impl FnMut(usize, usize)) {
    let (w, h) = (width as i64, height as i64);
    if w == 0 || h == 0 {
        return;
    }
    let mut visit = |x: i64, y: i64| visit(x as usize, y as usize);
    if w >= h {
        gilbert((0, 0), (w, 0), (0, h), &mut visit);
    } else {
        gilbert((0, 0), (0, h), (w, 0), &mut visit);
    }
}

/// The curve over the rectangle at `(x, y)` spanned by the major axis `(ax, ay)` (the curve
/// ends along it) and the minor axis `(bx, by)`.
fn gilbert(
    (x, y): (i64, i64),
    (ax, ay): (i64, i64),
    (bx, by): (i64, i64),
    visit: &mut impl FnMut(i64, i64),
) {
    let (w, h) = ((ax + ay).abs(), (bx + by).abs());
    let (dax, day) = (ax.signum(), ay.signum());
    let (dbx, dby) = (bx.signum(), by.signum());
    if h == 1 {
        for i in 0..w {
            visit(x + i * dax, y + i * day);
        }
        return;
    }
    if w == 1 {
        for i in 0..h {
            visit(x + i * dbx, y + i * dby);
        }
        return;
    }
    let (mut ax2, mut ay2) = (ax.div_euclid(2), ay.div_euclid(2));
    let (mut bx2, mut by2) = (bx.div_euclid(2), by.div_euclid(2));
    let (w2, h2) = ((ax2 + ay2).abs(), (bx2 + by2).abs());
    if 2 * w > 3 * h {
        // Long and thin: split the long way only.
        if w2 % 2 == 1 && w > 2 {
            (ax2, ay2) = (ax2 + dax, ay2 + day);
        }
        gilbert((x, y), (ax2, ay2), (bx, by), visit);
        gilbert((x + ax2, y + ay2), (ax - ax2, ay - ay2), (bx, by), visit);
    } else {
        // Up the first half of the minor axis, along the major, back down.
        if h2 % 2 == 1 && h > 2 {
            (bx2, by2) = (bx2 + dbx, by2 + dby);
        }
        gilbert((x, y), (bx2, by2), (ax2, ay2), visit);
        gilbert((x + bx2, y + by2), (ax, ay), (bx - bx2, by - by2), visit);
        gilbert(
            (x + (ax - dax) + (bx2 - dbx), y + (ay - day) + (by2 - dby)),
            (-bx2, -by2),
            (-(ax - ax2), -(ay - ay2)),
            visit,
        );
    }
}

/// The raster cut into square tiles, which are also the buckets of a grid over the dots.
struct Cells {
    /// Tile side, raster pixels.
    size: usize,
    columns: usize,
    rows: usize,
    /// Each tile's [Σw, Σw(2x+1), Σw(2y+1)].
    sums: Vec<[u64; 3]>,
    /// Pixels with any weight.
    inked: usize,
}

impl Cells {
    fn new(raster: &Raster, dots: usize) -> Cells {
        let inked = raster.weight.iter().filter(|&&w| w > 0).count();
        // About two dots per tile where there is ink.
        let size = ((2.0 * inked as f64 / dots.max(1) as f64).sqrt().round() as usize).clamp(2, 64);
        let (columns, rows) = (raster.width.div_ceil(size), raster.height.div_ceil(size));
        let mut sums = vec![[0u64; 3]; columns * rows];
        for y in 0..raster.height {
            let row = &raster.weight[y * raster.width..][..raster.width];
            let tiles = &mut sums[(y / size) * columns..][..columns];
            for (column, (pixels, sum)) in row.chunks(size).zip(tiles).enumerate() {
                for (i, &w) in pixels.iter().enumerate() {
                    let (x, w) = ((column * size + i) as u64, u64::from(w));
                    sum[0] += w;
                    sum[1] += w * (2 * x + 1);
                    sum[2] += w * (2 * y as u64 + 1);
                }
            }
        }
        Cells {
            size,
            columns,
            rows,
            sums,
            inked,
        }
    }
}

/// Each dot's Voronoi cell's weight and weighted sums of doubled pixel centres (2x + 1,
/// 2y + 1): [Σw, Σw(2x+1), Σw(2y+1)]. Tile rows are shared among `threads` threads; each pixel
/// goes to its nearest dot (ties to the lower index), and integer sums add up the same in any
/// order, so the result does not depend on the number of threads: a seed gives the same dots
/// on a 4-core Pi and a 2-core laptop.
fn centroid_sums(
    raster: &Raster,
    cells: &Cells,
    dots: &[(f32, f32)],
    threads: usize,
) -> Vec<[u64; 3]> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let grid = DotGrid::new(dots, cells);
    let next_row = AtomicUsize::new(0);
    let work = || {
        let mut sums = vec![[0u64; 3]; dots.len()];
        let mut candidates = Vec::new();
        loop {
            let row = next_row.fetch_add(1, Ordering::Relaxed);
            if row >= cells.rows {
                return sums;
            }
            for column in 0..cells.columns {
                grid.sum_tile(raster, column, row, &mut candidates, &mut sums);
            }
        }
    };
    // This thread works too, alongside `threads − 1` others.
    let (mut sums, partial): (Vec<[u64; 3]>, Vec<Vec<[u64; 3]>>) = std::thread::scope(|scope| {
        let others: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let own = work();
        let others = others
            .into_iter()
            .map(|w| w.join().expect("a stipple thread panicked"))
            .collect();
        (own, others)
    });
    for other in partial {
        for (sum, add) in sums.iter_mut().zip(other) {
            for k in 0..3 {
                sum[k] += add[k];
            }
        }
    }
    sums
}

/// A dot that may own pixels of a tile: position and index.
#[derive(Clone, Copy)]
struct Candidate {
    x: f32,
    y: f32,
    index: u32,
}

impl Candidate {
    fn squared(&self, x: f32, y: f32) -> f32 {
        let (dx, dy) = (self.x - x, self.y - y);
        dx * dx + dy * dy
    }

    /// Squared distance to the farthest point of the rectangle [lo_x, hi_x] × [lo_y, hi_y].
    fn farthest(&self, (lo_x, hi_x): (f32, f32), (lo_y, hi_y): (f32, f32)) -> f32 {
        let dx = (self.x - lo_x).abs().max((self.x - hi_x).abs());
        let dy = (self.y - lo_y).abs().max((self.y - hi_y).abs());
        dx * dx + dy * dy
    }
}

/// Dots bucketed by tile, stored contiguously in bucket order.
struct DotGrid<'a> {
    cells: &'a Cells,
    /// Bucket b holds `dots[start[b]..start[b + 1]]`.
    start: Vec<u32>,
    dots: Vec<Candidate>,
}

impl<'a> DotGrid<'a> {
    fn new(dots: &[(f32, f32)], cells: &'a Cells) -> DotGrid<'a> {
        let size = cells.size as f32;
        let bucket = |&(x, y): &(f32, f32)| {
            let column = ((x / size) as usize).min(cells.columns - 1);
            let row = ((y / size) as usize).min(cells.rows - 1);
            row * cells.columns + column
        };
        let mut start = vec![0u32; cells.columns * cells.rows + 1];
        for dot in dots {
            start[bucket(dot) + 1] += 1;
        }
        for b in 1..start.len() {
            start[b] += start[b - 1];
        }
        let mut fill = start.clone();
        let empty = Candidate {
            x: 0.0,
            y: 0.0,
            index: 0,
        };
        let mut sorted = vec![empty; dots.len()];
        for (i, dot) in dots.iter().enumerate() {
            let slot = &mut fill[bucket(dot)];
            sorted[*slot as usize] = Candidate {
                x: dot.0,
                y: dot.1,
                index: i as u32,
            };
            *slot += 1;
        }
        DotGrid {
            cells,
            start,
            dots: sorted,
        }
    }

    /// Adds the pixels of tile (column, row) to their nearest dots' sums. `candidates` is
    /// scratch space.
    fn sum_tile(
        &self,
        raster: &Raster,
        column: usize,
        row: usize,
        candidates: &mut Vec<Candidate>,
        sums: &mut [[u64; 3]],
    ) {
        let size = self.cells.size;
        let tile = self.cells.sums[row * self.cells.columns + column];
        if tile[0] == 0 {
            return;
        }
        let (x0, y0) = (column * size, row * size);
        let (x1, y1) = (
            (x0 + size).min(raster.width),
            (y0 + size).min(raster.height),
        );
        // The tile's pixel centres span xs × ys.
        let xs = (x0 as f32 + 0.5, x1 as f32 - 0.5);
        let ys = (y0 as f32 + 0.5, y1 as f32 - 0.5);
        // Gather rings of buckets around the tile until every dot farther out is farther from
        // every pixel of the tile than some gathered dot is from all of them.
        candidates.clear();
        let mut bound = f32::INFINITY;
        let (c, r) = (column as i64, row as i64);
        let (columns, rows) = (self.cells.columns as i64, self.cells.rows as i64);
        let mut ring = 0i64;
        loop {
            for gy in (r - ring).max(0)..=(r + ring).min(rows - 1) {
                let edge = gy == r - ring || gy == r + ring;
                let step = if edge { 1 } else { (2 * ring).max(1) };
                let mut gx = c - ring;
                while gx <= c + ring {
                    if gx >= 0 && gx < columns {
                        let b = (gy * columns + gx) as usize;
                        for dot in &self.dots[self.start[b] as usize..self.start[b + 1] as usize] {
                            bound = bound.min(dot.farthest(xs, ys));
                            candidates.push(*dot);
                        }
                    }
                    gx += step;
                }
            }
            // Dots beyond this ring are at least `ring` tiles from the tile's pixels.
            let reach = (ring * size as i64) as f32;
            if reach * reach > bound || (ring >= columns && ring >= rows) {
                break;
            }
            ring += 1;
        }
        // The dot nearest the tile's centre (ties to the lower index), and its distance to
        // each corner.
        let centre = ((xs.0 + xs.1) / 2.0, (ys.0 + ys.1) / 2.0);
        let mut owner = candidates[0];
        let mut owner_d = f32::INFINITY;
        for dot in candidates.iter() {
            let d = dot.squared(centre.0, centre.1);
            if d < owner_d || (d == owner_d && dot.index < owner.index) {
                (owner, owner_d) = (*dot, d);
            }
        }
        let corners = [(xs.0, ys.0), (xs.1, ys.0), (xs.0, ys.1), (xs.1, ys.1)];
        let owner_corner = corners.map(|(x, y)| owner.squared(x, y));
        // A dot farther than the owner at all four corners is farther at every pixel (the tile
        // lies on the owner's side of their bisector): drop it.
        candidates.retain(|dot| {
            dot.index == owner.index
                || corners.iter().zip(&owner_corner).any(|(&(x, y), &dk)| {
                    let dj = dot.squared(x, y);
                    dj < dk || (dj == dk && dot.index < owner.index)
                })
        });
        if candidates.len() == 1 {
            let sum = &mut sums[owner.index as usize];
            for k in 0..3 {
                sum[k] += tile[k];
            }
            return;
        }
        // Lower index first, so that the strict comparison below breaks ties to it.
        candidates.sort_unstable_by_key(|dot| dot.index);
        let mut local = [[0u64; 3]; 32];
        let mut local_big;
        let local: &mut [[u64; 3]] = if candidates.len() <= local.len() {
            &mut local[..candidates.len()]
        } else {
            local_big = vec![[0u64; 3]; candidates.len()];
            &mut local_big
        };
        // Pixel by pixel, four at a time along each row (one vector register), into sums per
        // candidate.
        const LANES: usize = 4;
        for py in y0..y1 {
            let fy = py as f32 + 0.5;
            let row = &raster.weight[py * raster.width..][..raster.width];
            for px0 in (x0..x1).step_by(LANES) {
                let fx: [f32; LANES] = std::array::from_fn(|l| (px0 + l) as f32 + 0.5);
                let mut best_d = [f32::INFINITY; LANES];
                let mut best = [0u32; LANES];
                for (k, dot) in candidates.iter().enumerate() {
                    let dy = dot.y - fy;
                    let dy2 = dy * dy;
                    for l in 0..LANES {
                        let dx = dot.x - fx[l];
                        let d = dx * dx + dy2;
                        let nearer = d < best_d[l];
                        best_d[l] = if nearer { d } else { best_d[l] };
                        best[l] = if nearer { k as u32 } else { best[l] };
                    }
                }
                for (l, &k) in best.iter().enumerate().take(x1 - px0) {
                    let w = u64::from(row[px0 + l]);
                    let sum = &mut local[k as usize];
                    sum[0] += w;
                    sum[1] += w * (2 * (px0 + l) as u64 + 1);
                    sum[2] += w * (2 * py as u64 + 1);
                }
            }
        }
        for (dot, add) in candidates.iter().zip(local.iter()) {
            let sum = &mut sums[dot.index as usize];
            for k in 0..3 {
                sum[k] += add[k];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::Rect;
    use crate::input::Picture;
    use crate::path;
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

    /// A picture of `width` × `height` pixels whose brightness is `shade(x, y)`, fitted into a
    /// 200 mm square at (100, 100) with a linear tone curve.
    fn field(width: u32, height: u32, shade: impl Fn(u32, u32) -> u8) -> DarknessField {
        let picture = Picture {
            width,
            height,
            pixels: (0..height)
                .flat_map(|y| (0..width).map(move |x| (x, y)))
                .map(|(x, y)| shade(x, y))
                .collect(),
        };
        let area = Rect {
            left: 100.0,
            top: 100.0,
            width: 200.0,
            height: 200.0,
        };
        DarknessField::fit(&picture, &ToneCurve::linear(), area)
    }

    /// Each dot's distance to its nearest other dot.
    fn nearest_distances(dots: &[Point]) -> Vec<f64> {
        dots.iter()
            .enumerate()
            .map(|(i, a)| {
                dots.iter()
                    .enumerate()
                    .filter(|&(j, _)| j != i)
                    .map(|(_, b)| a.distance(*b))
                    .fold(f64::INFINITY, f64::min)
            })
            .collect()
    }

    #[test]
    fn on_flat_grey_the_dots_are_evenly_spaced_like_a_centroidal_voronoi_tessellation() {
        let field = field(60, 60, |_, _| 128);
        let count = 900;
        let dots = stipple(&field, count, &mut ChaCha8Rng::seed_from_u64(3));
        assert_eq!(dots.len(), count);
        let distances = nearest_distances(&dots);
        // Away from the edges, where cells are cut short.
        let mut inner: Vec<f64> = dots
            .iter()
            .zip(&distances)
            .filter(|(p, _)| p.x > 120.0 && p.x < 280.0 && p.y > 120.0 && p.y < 280.0)
            .map(|(_, &d)| d)
            .collect();
        inner.sort_by(f64::total_cmp);
        let mean = inner.iter().sum::<f64>() / inner.len() as f64;
        // A hexagonal lattice of this density has neighbours 1.075 √(area / dots) apart;
        // random dots average half of √(area / dots) and come arbitrarily close.
        let lattice = 1.0746 * (200.0 * 200.0 / count as f64).sqrt();
        let (min, p5) = (inner[0] / mean, inner[inner.len() / 20] / mean);
        assert!(
            mean > 0.8 * lattice,
            "mean spacing {mean:.2} mm, lattice {lattice:.2} mm"
        );
        assert!(min > 0.6, "closest dots {min:.2} of the mean spacing");
        assert!(p5 > 0.8, "5th percentile {p5:.2} of the mean spacing");
        // The tour through them: about one spacing per dot (2-opt and Or-opt on a lattice-like
        // set), never much more.
        let tour = point_tour::point_tour(&dots, Point::new(100.0, 100.0));
        let length: f64 = tour
            .windows(2)
            .map(|w| dots[w[0]].distance(dots[w[1]]))
            .sum();
        let per_dot = length / (count - 1) as f64;
        assert!(
            per_dot < 1.12 * mean,
            "tour {per_dot:.2} mm per dot, spacing {mean:.2} mm"
        );
    }

    #[test]
    fn dot_counts_follow_darkness_squared() {
        // Four vertical bands, darkness 1/4, 1/2, 3/4 and 1.
        let darkness: [f64; 4] = [0.25, 0.5, 0.75, 1.0];
        let field = field(80, 80, |x, _| {
            (255.0 * (1.0 - darkness[(x / 20) as usize])).round() as u8
        });
        let count = 4000;
        let dots = stipple(&field, count, &mut ChaCha8Rng::seed_from_u64(5));
        // Darkness² summed over a band (it does not vary down the picture), as the field
        // interpolates it: every 0.1 mm across.
        let weight = |left: f64, right: f64| {
            let steps = ((right - left) * 10.0) as usize;
            (0..steps)
                .map(|i| {
                    let x = left + (i as f64 + 0.5) / 10.0;
                    field.darkness(Point::new(x, 200.0)).powi(2)
                })
                .sum::<f64>()
        };
        let total = weight(100.0, 300.0);
        for band in 0..4 {
            let (left, right) = (100.0 + 50.0 * band as f64, 150.0 + 50.0 * band as f64);
            let inside = dots.iter().filter(|p| p.x >= left && p.x < right).count() as f64;
            let expected = count as f64 * weight(left, right) / total;
            assert!(
                (inside - expected).abs() < 0.1 * expected,
                "band {band}: {inside} dots, expected {expected:.0}"
            );
        }
    }

    #[test]
    fn the_dots_do_not_depend_on_the_number_of_threads() {
        let field = field(50, 40, |x, y| ((x * 5 + y * 3) % 256) as u8);
        let raster = Raster::new(&field, 2);
        let start = initial_dots(&raster, 700, &mut ChaCha8Rng::seed_from_u64(7));
        let relaxed = |threads| {
            let mut dots = start.clone();
            relax(&raster, &mut dots, threads);
            dots.iter()
                .map(|&(x, y)| (x.to_bits(), y.to_bits()))
                .collect::<Vec<_>>()
        };
        let one = relaxed(1);
        assert_eq!(one, relaxed(2));
        assert_eq!(one, relaxed(5));
        assert_ne!(
            one,
            start
                .iter()
                .map(|&(x, y)| (x.to_bits(), y.to_bits()))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn the_hilbert_curve_visits_every_pixel_once_stepping_to_a_neighbour() {
        for (width, height) in [(1, 1), (1, 7), (5, 1), (2, 3), (7, 5), (13, 30), (64, 64)] {
            let mut seen = vec![false; width * height];
            let mut previous: Option<(usize, usize)> = None;
            hilbert(width, height, &mut |x, y| {
                assert!(!seen[y * width + x], "({x}, {y}) visited twice");
                seen[y * width + x] = true;
                if let Some((px, py)) = previous {
                    assert_eq!(
                        px.abs_diff(x) + py.abs_diff(y),
                        1,
                        "a jump in {width}×{height}"
                    );
                }
                previous = Some((x, y));
            });
            assert!(seen.iter().all(|&s| s), "{width}×{height} not covered");
        }
    }

    #[test]
    fn the_tour_through_the_dots_is_no_longer_than_optimising_them_as_strokes() {
        // Dark at the bottom right, light at the top left.
        let field = field(60, 60, |x, y| (250 - 2 * (x + y)) as u8);
        let dots = stipple(&field, 1200, &mut ChaCha8Rng::seed_from_u64(11));
        let start = Point::new(100.0, 100.0);
        let tour = point_tour::point_tour(&dots, start);
        let ours: f64 = std::iter::once(start)
            .chain(tour.iter().map(|&i| dots[i]))
            .collect::<Vec<_>>()
            .windows(2)
            .map(|w| w[0].distance(w[1]))
            .sum();
        let strokes = dots.iter().map(|&p| Stroke::new(vec![p])).collect();
        let theirs = path::travel(&path::optimise(strokes, start), start);
        assert!(ours <= theirs, "tour {ours:.0} mm, optimise {theirs:.0} mm");
    }
}
