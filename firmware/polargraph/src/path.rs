//! Path optimisation: join strokes that touch, then order them and pick each one's direction so
//! the pen travels as little as possible with the pen up.
//!
//! Greedy nearest-neighbour on a uniform grid gives a good tour in O(n) expected time; 2-opt
//! with neighbour lists (segment reversal, flipping every stroke in the span) then removes the
//! crossings greedy leaves. Both are deterministic: the same strokes give the same order.

use std::collections::HashMap;

use crate::geometry::{Point, Stroke};

/// Strokes whose ends are closer than this are joined into one (vpype's default tolerance).
pub const MERGE_TOLERANCE_MM: f64 = 0.05;

/// How many nearby strokes each stroke considers for 2-opt moves.
const NEIGHBOURS: usize = 10;

/// Upper bound on 2-opt passes; each pass is O(n · NEIGHBOURS) plus the reversals it makes.
const MAX_PASSES: usize = 50;

/// Pen-up travel of a tour given as (order, flipped).
fn tour_length(strokes: &[Stroke], start: Point, tour: &(Vec<usize>, Vec<bool>)) -> f64 {
    let mut at = start;
    let mut total = 0.0;
    for (&index, &flip) in tour.0.iter().zip(&tour.1) {
        let stroke = &strokes[index];
        let (first, last) = if flip {
            (stroke.end(), stroke.start())
        } else {
            (stroke.start(), stroke.end())
        };
        total += at.distance(first);
        at = last;
    }
    total
}

/// Removes repeated points and empty strokes.
pub fn clean(strokes: Vec<Stroke>) -> Vec<Stroke> {
    strokes
        .into_iter()
        .filter_map(|mut stroke| {
            stroke.points.dedup_by(|b, a| a.distance_sq(*b) < 1e-12);
            (!stroke.points.is_empty()).then_some(stroke)
        })
        .collect()
}

/// Pen-up travel from `start` through `strokes` in order.
pub fn travel(strokes: &[Stroke], start: Point) -> f64 {
    let mut at = start;
    let mut total = 0.0;
    for stroke in strokes {
        total += at.distance(stroke.start());
        at = stroke.end();
    }
    total
}

/// Cleans, merges, orders and orients `strokes` for a pen starting at `start`.
pub fn optimise(strokes: Vec<Stroke>, start: Point) -> Vec<Stroke> {
    let strokes = merge(clean(strokes), MERGE_TOLERANCE_MM);
    let greedy_tour = greedy(&strokes, start);
    let given_tour = ((0..strokes.len()).collect(), vec![false; strokes.len()]);
    // A drawing that is already well ordered (rows drawn back and forth) can start better than
    // greedy does; improve whichever start is shorter.
    let first =
        if tour_length(&strokes, start, &given_tour) < tour_length(&strokes, start, &greedy_tour) {
            given_tour
        } else {
            greedy_tour
        };
    let (order, flipped) = two_opt(&strokes, start, first.0, first.1);
    let mut slots: Vec<Option<Stroke>> = strokes.into_iter().map(Some).collect();
    order
        .into_iter()
        .zip(flipped)
        .filter_map(|(index, flip)| {
            let mut stroke = slots[index].take()?;
            if flip {
                stroke.reverse();
            }
            Some(stroke)
        })
        .collect()
}

/// A uniform grid over stroke endpoints for nearest-neighbour queries. Endpoint `2i` is the
/// start of stroke `i`, `2i + 1` its end.
struct EndpointGrid {
    cell: f64,
    /// Rings needed to cover the whole grid from any cell in it.
    span: i64,
    cells: HashMap<(i64, i64), Vec<usize>>,
    points: Vec<Point>,
}

impl EndpointGrid {
    fn new(strokes: &[Stroke]) -> EndpointGrid {
        let points: Vec<Point> = strokes.iter().flat_map(|s| [s.start(), s.end()]).collect();
        let (mut lo, mut hi) = (
            Point::new(f64::MAX, f64::MAX),
            Point::new(f64::MIN, f64::MIN),
        );
        for p in &points {
            lo = Point::new(lo.x.min(p.x), lo.y.min(p.y));
            hi = Point::new(hi.x.max(p.x), hi.y.max(p.y));
        }
        // About two endpoints per cell.
        let area = ((hi.x - lo.x) * (hi.y - lo.y)).max(1e-6);
        let cell = (2.0 * area / points.len().max(1) as f64).sqrt().max(0.1);
        let span = (((hi.x - lo.x).max(hi.y - lo.y) / cell).ceil() as i64).max(0) + 2;
        let mut grid = EndpointGrid {
            cell,
            span,
            cells: HashMap::new(),
            points,
        };
        for (id, p) in grid.points.iter().enumerate() {
            grid.cells.entry(grid.key(*p)).or_default().push(id);
        }
        grid
    }

    fn key(&self, p: Point) -> (i64, i64) {
        (
            (p.x / self.cell).floor() as i64,
            (p.y / self.cell).floor() as i64,
        )
    }

    fn remove_stroke(&mut self, stroke: usize) {
        for id in [2 * stroke, 2 * stroke + 1] {
            let key = self.key(self.points[id]);
            if let Some(ids) = self.cells.get_mut(&key) {
                ids.retain(|&other| other != id);
            }
        }
    }

    /// Up to `k` nearest endpoints to `p` accepted by `keep`, nearest first. Searches rings of
    /// cells outward until the ring is farther than the k-th best.
    fn nearest(&self, p: Point, k: usize, keep: impl Fn(usize) -> bool) -> Vec<(f64, usize)> {
        let (cx, cy) = self.key(p);
        let mut found: Vec<(f64, usize)> = Vec::new();
        // Far from every remaining point (a sparse grid, or a query point outside it) the ring
        // search would visit many empty cells: past this many rings, scan the points instead.
        const RINGS_BEFORE_SCAN: i64 = 24;
        for ring in 0..=RINGS_BEFORE_SCAN.min(self.span) {
            for (x, y) in ring_cells(cx, cy, ring) {
                if let Some(ids) = self.cells.get(&(x, y)) {
                    for &id in ids {
                        if keep(id) {
                            found.push((p.distance_sq(self.points[id]), id));
                        }
                    }
                }
            }
            found.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            found.truncate(k);
            // Anything in a farther ring is at least `ring · cell` away.
            let reach = ring as f64 * self.cell;
            if found.len() == k && found[k - 1].0 <= reach * reach {
                return found;
            }
        }
        found = self
            .cells
            .values()
            .flatten()
            .filter(|&&id| keep(id))
            .map(|&id| (p.distance_sq(self.points[id]), id))
            .collect();
        found.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        found.truncate(k);
        found
    }
}

/// The cells on the square ring at Chebyshev distance `ring` around (cx, cy).
fn ring_cells(cx: i64, cy: i64, ring: i64) -> Vec<(i64, i64)> {
    if ring == 0 {
        return vec![(cx, cy)];
    }
    let mut cells = Vec::with_capacity(8 * ring as usize);
    for d in -ring..=ring {
        cells.push((cx + d, cy - ring));
        cells.push((cx + d, cy + ring));
    }
    for d in -ring + 1..ring {
        cells.push((cx - ring, cy + d));
        cells.push((cx + ring, cy + d));
    }
    cells
}

/// Joins strokes end to end where an end of one lies within `tolerance` of an end of another.
pub fn merge(strokes: Vec<Stroke>, tolerance: f64) -> Vec<Stroke> {
    if strokes.len() < 2 {
        return strokes;
    }
    let mut grid = EndpointGrid::new(&strokes);
    let mut used = vec![false; strokes.len()];
    let mut merged = Vec::new();
    let tolerance_sq = tolerance * tolerance;
    for first in 0..strokes.len() {
        if used[first] {
            continue;
        }
        used[first] = true;
        grid.remove_stroke(first);
        let mut points = strokes[first].points.clone();
        // Grow at the end, then turn around and grow at the other end.
        for _ in 0..2 {
            loop {
                let end = points[points.len() - 1];
                let next = grid.nearest(end, 1, |_| true);
                let Some(&(d2, id)) = next.first() else { break };
                if d2 > tolerance_sq {
                    break;
                }
                let stroke = id / 2;
                used[stroke] = true;
                grid.remove_stroke(stroke);
                let mut tail = strokes[stroke].points.clone();
                if id % 2 == 1 {
                    tail.reverse();
                }
                points.extend(tail.into_iter().skip(1));
            }
            points.reverse();
        }
        merged.push(Stroke::new(points));
    }
    merged
}

/// Nearest-neighbour tour: from the pen's position, always the nearest unused stroke end, drawn
/// from that end.
fn greedy(strokes: &[Stroke], start: Point) -> (Vec<usize>, Vec<bool>) {
    let mut grid = EndpointGrid::new(strokes);
    let mut order = Vec::with_capacity(strokes.len());
    let mut flipped = Vec::with_capacity(strokes.len());
    let mut at = start;
    while order.len() < strokes.len() {
        let Some(&(_, id)) = grid.nearest(at, 1, |_| true).first() else {
            break;
        };
        let stroke = id / 2;
        let flip = id % 2 == 1;
        grid.remove_stroke(stroke);
        order.push(stroke);
        flipped.push(flip);
        at = if flip {
            strokes[stroke].start()
        } else {
            strokes[stroke].end()
        };
    }
    (order, flipped)
}

/// 2-opt over the tour: reversing a span of strokes (and flipping each) replaces the two
/// travels at its edges; candidate spans start where a nearby stroke's end could join.
fn two_opt(
    strokes: &[Stroke],
    start: Point,
    mut order: Vec<usize>,
    mut flipped: Vec<bool>,
) -> (Vec<usize>, Vec<bool>) {
    let n = order.len();
    if n < 2 {
        return (order, flipped);
    }
    let grid = EndpointGrid::new(strokes);
    let neighbours: Vec<Vec<usize>> = (0..strokes.len())
        .map(|s| {
            let mut near: Vec<usize> = [strokes[s].start(), strokes[s].end()]
                .into_iter()
                .flat_map(|p| grid.nearest(p, NEIGHBOURS, |id| id / 2 != s))
                .map(|(_, id)| id / 2)
                .collect();
            near.sort_unstable();
            near.dedup();
            near
        })
        .collect();
    let mut position = vec![0; strokes.len()];
    for (k, &s) in order.iter().enumerate() {
        position[s] = k;
    }
    let head = |order: &[usize], flipped: &[bool], k: usize| {
        let s = &strokes[order[k]];
        if flipped[k] { s.end() } else { s.start() }
    };
    let tail = |order: &[usize], flipped: &[bool], k: usize| {
        let s = &strokes[order[k]];
        if flipped[k] { s.start() } else { s.end() }
    };
    for _ in 0..MAX_PASSES {
        let mut improved = false;
        for i in 0..n {
            // A long travel into stroke i is shortened by joining the previous stroke's end to
            // a stroke near it, and by joining stroke i's start to a stroke near that.
            let previous = if i == 0 {
                &[][..]
            } else {
                &neighbours[order[i - 1]][..]
            };
            let candidates = previous
                .iter()
                .chain(&neighbours[order[i]])
                .map(|&s| position[s])
                .chain(std::iter::once(i));
            for j in candidates {
                // Reverse positions lo..=hi: the travels into lo and out of hi change.
                let (lo, hi) = if j >= i { (i, j) } else { (j + 1, i - 1) };
                if lo > hi {
                    continue;
                }
                let into = if lo == 0 {
                    start
                } else {
                    tail(&order, &flipped, lo - 1)
                };
                let (first, last) = (head(&order, &flipped, lo), tail(&order, &flipped, hi));
                let after = (hi + 1 < n).then(|| head(&order, &flipped, hi + 1));
                let old = into.distance(first) + after.map_or(0.0, |a| last.distance(a));
                let new = into.distance(last) + after.map_or(0.0, |a| first.distance(a));
                if new < old - 1e-9 {
                    order[lo..=hi].reverse();
                    flipped[lo..=hi].reverse();
                    for k in lo..=hi {
                        flipped[k] = !flipped[k];
                        position[order[k]] = k;
                    }
                    improved = true;
                    break;
                }
            }
        }
        if !improved
            && !or_opt(
                strokes,
                start,
                &neighbours,
                &mut order,
                &mut flipped,
                &mut position,
            )
        {
            break;
        }
    }
    (order, flipped)
}

/// One pass of Or-opt: moves single strokes to where they fit better (either way round), next to
/// a stroke they are near. Returns whether anything moved.
fn or_opt(
    strokes: &[Stroke],
    start: Point,
    neighbours: &[Vec<usize>],
    order: &mut Vec<usize>,
    flipped: &mut Vec<bool>,
    position: &mut [usize],
) -> bool {
    let ends = |order: &[usize], flipped: &[bool], k: usize| {
        let s = &strokes[order[k]];
        if flipped[k] {
            (s.end(), s.start())
        } else {
            (s.start(), s.end())
        }
    };
    let mut moved = false;
    let mut i = 0;
    while i < order.len() {
        let n = order.len();
        let (head, tail) = ends(order, flipped, i);
        let before = if i == 0 {
            start
        } else {
            ends(order, flipped, i - 1).1
        };
        let after = (i + 1 < n).then(|| ends(order, flipped, i + 1).0);
        // What taking stroke i out saves.
        let saved = before.distance(head) + after.map_or(0.0, |a| tail.distance(a))
            - after.map_or(0.0, |a| before.distance(a));
        let mut best: Option<(f64, usize, bool)> = None;
        for &other in &neighbours[order[i]] {
            let k = position[other];
            // Insert after position k (between k and k+1), or before it (after k − 1).
            for gap in [Some(k), k.checked_sub(1)]
                .into_iter()
                .flatten()
                .chain((k == 0).then_some(usize::MAX))
            {
                if gap == i || gap.wrapping_add(1) == i {
                    continue;
                }
                let left = if gap == usize::MAX {
                    start
                } else {
                    ends(order, flipped, gap).1
                };
                let right_index = gap.wrapping_add(1);
                let right = (right_index < n).then(|| ends(order, flipped, right_index).0);
                for flip in [false, true] {
                    let (a, b) = if flip { (tail, head) } else { (head, tail) };
                    let added = left.distance(a) + right.map_or(0.0, |r| b.distance(r))
                        - right.map_or(0.0, |r| left.distance(r));
                    let gain = saved - added;
                    if gain > 1e-9 && best.is_none_or(|(g, _, _)| gain > g) {
                        best = Some((gain, gap, flip));
                    }
                }
            }
        }
        if let Some((_, gap, flip)) = best {
            let stroke = order.remove(i);
            let was_flipped = flipped.remove(i);
            let target = if gap == usize::MAX {
                0
            } else if gap < i {
                gap + 1
            } else {
                gap
            };
            order.insert(target, stroke);
            flipped.insert(target, was_flipped ^ flip);
            let (lo, hi) = (i.min(target), i.max(target));
            for k in lo..=hi {
                position[order[k]] = k;
            }
            moved = true;
        }
        i += 1;
    }
    moved
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(a: (f64, f64), b: (f64, f64)) -> Stroke {
        Stroke::new(vec![Point::new(a.0, a.1), Point::new(b.0, b.1)])
    }

    #[test]
    fn touching_strokes_are_joined_whichever_way_they_point() {
        let strokes = vec![
            line((0.0, 0.0), (10.0, 0.0)),
            line((20.0, 0.0), (10.0, 0.0)),
            line((20.0, 0.0), (20.0, 5.0)),
        ];
        let merged = merge(strokes, MERGE_TOLERANCE_MM);
        assert_eq!(merged.len(), 1);
        assert!((merged[0].length() - 25.0).abs() < 1e-9);
    }

    #[test]
    fn optimising_never_loses_or_duplicates_ink() {
        let strokes: Vec<Stroke> = (0..200)
            .map(|i| {
                let x = f64::from((i * 37) % 101);
                let y = f64::from((i * 53) % 97);
                line((x, y), (x + 1.5, y + 0.5))
            })
            .collect();
        let ink: f64 = strokes.iter().map(Stroke::length).sum();
        let before = travel(&strokes, Point::default());
        let optimised = optimise(strokes, Point::default());
        let after = travel(&optimised, Point::default());
        assert!((optimised.iter().map(Stroke::length).sum::<f64>() - ink).abs() < 1e-6);
        assert!(after < before / 3.0, "travel {before:.0} → {after:.0} mm");
    }

    #[test]
    fn two_opt_undoes_a_crossing() {
        // Greedy from the left takes the near ends first and must cross back; 2-opt fixes it.
        let strokes = vec![
            line((0.0, 0.0), (0.0, 10.0)),
            line((10.0, 10.0), (10.0, 0.0)),
            line((1.0, 10.0), (1.0, 0.0)),
        ];
        let optimised = optimise(strokes.clone(), Point::new(0.0, -1.0));
        let strokes = &strokes;
        let brute = [
            [0, 2, 1],
            [0, 1, 2],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
        ]
        .iter()
        .flat_map(|order| {
            (0..8).map(move |flips: u32| {
                let tour: Vec<Stroke> = order
                    .iter()
                    .enumerate()
                    .map(|(k, &i)| {
                        let mut s = strokes[i].clone();
                        if flips & (1 << k) != 0 {
                            s.reverse();
                        }
                        s
                    })
                    .collect();
                travel(&tour, Point::new(0.0, -1.0))
            })
        })
        .fold(f64::INFINITY, f64::min);
        assert!((travel(&optimised, Point::new(0.0, -1.0)) - brute).abs() < 1e-9);
    }
}
