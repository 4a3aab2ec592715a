//! An open tour through single points (stipple dots): greedy matching, then 2-opt and Or-opt
//! on flat arrays with neighbour lists. Strokes are ordered by [`crate::path`]; this is the
//! faster special case for points, which stipple draws as one continuous line.

use crate::geometry::Point;

/// Length of the pen's path from `start` through `points` in `order`.
fn open_length(points: &[Point], start: Point, order: &[usize]) -> f64 {
    let mut at = start;
    let mut total = 0.0;
    for &i in order {
        total += at.distance(points[i]);
        at = points[i];
    }
    total
}

/// Nearby points each point of a tour considers for its moves (more than six made the
/// portrait's tour no shorter).
const TOUR_NEIGHBOURS: usize = 6;

/// An open tour through single points (stipple dots), starting from `start`, as indices into
/// `points`.
///
/// Greedy matching builds it (the shortest candidate links first, never closing a loop or
/// giving a point a third link; fragments joined end to nearest end), then 2-opt and Or-opt
/// (moving runs of up to three points, either way round) improve it until neither can, each
/// point trying only its nearest few neighbours and being looked at again only when a link of
/// its changed. Deterministic, and on single points much faster than [`crate::path::optimise`] (flat
/// arrays, no merging, moves of points rather than strokes): on stipple dots its tour is a
/// little shorter, on random points within a few percent either way.
pub fn point_tour(points: &[Point], start: Point) -> Vec<usize> {
    let n = points.len();
    if n < 4 {
        // Few enough to try every order.
        let orders: &[&[usize]] = match n {
            0 => &[&[]],
            1 => &[&[0]],
            2 => &[&[0, 1], &[1, 0]],
            _ => &[
                &[0, 1, 2],
                &[0, 2, 1],
                &[1, 0, 2],
                &[1, 2, 0],
                &[2, 0, 1],
                &[2, 1, 0],
            ],
        };
        let length = |order: &[usize]| open_length(points, start, order);
        return orders
            .iter()
            .min_by(|a, b| length(a).total_cmp(&length(b)))
            .map_or_else(Vec::new, |order| order.to_vec());
    }
    let mut nodes = points.to_vec();
    nodes.push(start);
    let mut neighbours = nearest_neighbours(&nodes, TOUR_NEIGHBOURS);
    let mut cycle = greedy_matching(&nodes, &neighbours);
    // The tour is optimised closed, through the start and a dummy end point that is nowhere:
    // zero from the start, `far` from every dot. Any closed tour then costs `far` plus the
    // open path from the start to the dot beside the end, and no move that parts the start
    // from the end can pay (it costs another `far`, more than three links can save).
    let (pen, end) = (n as u32, n as u32 + 1);
    let k = cycle.iter().position(|&i| i == pen).unwrap_or(0);
    let (before, after) = (cycle[(k + n) % (n + 1)], cycle[(k + 1) % (n + 1)]);
    // Cut the start's longer link.
    let longer_before =
        start.distance(nodes[after as usize]) <= start.distance(nodes[before as usize]);
    cycle.insert(if longer_before { k } else { k + 1 }, end);
    // The end's position is never used.
    nodes.push(nodes[n]);
    neighbours.extend(std::iter::repeat_n(u32::MAX, TOUR_NEIGHBOURS));
    let mut tour = Tour::new(cycle, nodes, pen, end);
    tour.improve(&neighbours);
    tour.path()
}

/// The `k` nearest other points of each point (fewer if there are not that many), nearest
/// first (ties to the lower index), as a flat array of `k` per point (`u32::MAX` pads).
fn nearest_neighbours(points: &[Point], k: usize) -> Vec<u32> {
    let n = points.len();
    let (mut lo, mut hi) = (points[0], points[0]);
    for p in points {
        lo = Point::new(lo.x.min(p.x), lo.y.min(p.y));
        hi = Point::new(hi.x.max(p.x), hi.y.max(p.y));
    }
    // About three points per cell: the nearest six are then usually within the 3 × 3 cells
    // around a point.
    let area = ((hi.x - lo.x) * (hi.y - lo.y)).max(1e-9);
    let cell = (3.0 * area / n as f64).sqrt().max(1e-6);
    let columns = (((hi.x - lo.x) / cell) as usize + 1).min(1 << 12);
    let rows = (((hi.y - lo.y) / cell) as usize + 1).min(1 << 12);
    let key = |p: Point| {
        let cx = (((p.x - lo.x) / cell) as usize).min(columns - 1);
        let cy = (((p.y - lo.y) / cell) as usize).min(rows - 1);
        (cx, cy)
    };
    let mut start = vec![0u32; columns * rows + 1];
    for &p in points {
        let (cx, cy) = key(p);
        start[cy * columns + cx + 1] += 1;
    }
    for b in 1..start.len() {
        start[b] += start[b - 1];
    }
    let mut fill = start.clone();
    // Points in cell order, with their coordinates alongside for locality.
    let mut sorted = vec![(0.0, 0.0, 0u32); n];
    for (i, &p) in points.iter().enumerate() {
        let (cx, cy) = key(p);
        let slot = &mut fill[cy * columns + cx];
        sorted[*slot as usize] = (p.x, p.y, i as u32);
        *slot += 1;
    }
    let mut result = vec![u32::MAX; n * k];
    let mut best: Vec<(f64, u32)> = Vec::with_capacity(k + 1);
    for &(x, y, i) in &sorted {
        best.clear();
        let p = Point::new(x, y);
        let (cx, cy) = key(p);
        let (cx, cy) = (cx as i64, cy as i64);
        let mut ring = 0i64;
        loop {
            for gy in (cy - ring).max(0)..=(cy + ring).min(rows as i64 - 1) {
                let edge = gy == cy - ring || gy == cy + ring;
                let step = if edge { 1 } else { (2 * ring).max(1) };
                let mut gx = cx - ring;
                while gx <= cx + ring {
                    if gx >= 0 && gx < columns as i64 {
                        let b = gy as usize * columns + gx as usize;
                        for &(qx, qy, j) in &sorted[start[b] as usize..start[b + 1] as usize] {
                            let d = (qx - x) * (qx - x) + (qy - y) * (qy - y);
                            if j != i && (best.len() < k || (d, j) < best[k - 1]) {
                                let at = best.partition_point(|&e| e < (d, j));
                                best.insert(at, (d, j));
                                best.truncate(k);
                            }
                        }
                    }
                    gx += step;
                }
            }
            // Every point not yet seen lies outside the square of cells searched.
            let reach = (x - lo.x - (cx - ring) as f64 * cell)
                .min((cx + ring + 1) as f64 * cell - (x - lo.x))
                .min(y - lo.y - (cy - ring) as f64 * cell)
                .min((cy + ring + 1) as f64 * cell - (y - lo.y));
            let whole = ring >= columns as i64 && ring >= rows as i64;
            if whole || (best.len() == k && best[k - 1].0 <= reach * reach) {
                break;
            }
            ring += 1;
        }
        for (slot, &(_, j)) in result[i as usize * k..].iter_mut().zip(&best) {
            *slot = j;
        }
    }
    result
}

/// A closed tour from greedy matching: candidate links (each point to its neighbours) taken
/// shortest first when both ends have fewer than two links and they are not yet connected;
/// then the fragments chained, each end to the nearest free end of another.
fn greedy_matching(points: &[Point], neighbours: &[u32]) -> Vec<u32> {
    let n = points.len();
    let k = neighbours.len() / n;
    // Greedy rarely takes a link to farther than the fifth nearest.
    let near = k.min(5);
    let mut links: Vec<(u64, u32, u32)> = Vec::with_capacity(n * near);
    for i in 0..n {
        for &j in &neighbours[i * k..][..near] {
            // Each pair once: from its lower index, or from the only side that lists it.
            if j != u32::MAX
                && ((i as u32) < j || !neighbours[j as usize * k..][..near].contains(&(i as u32)))
            {
                // A non-negative float's bits order as the float does.
                let d = points[i].distance_sq(points[j as usize]).to_bits();
                links.push((d, i as u32, j));
            }
        }
    }
    links.sort_unstable();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn root(parent: &mut [u32], mut i: u32) -> u32 {
        while parent[i as usize] != i {
            parent[i as usize] = parent[parent[i as usize] as usize];
            i = parent[i as usize];
        }
        i
    }
    const NONE: u32 = u32::MAX;
    let mut adjacent = vec![[NONE; 2]; n];
    let degree =
        |adjacent: &[[u32; 2]], i: u32| adjacent[i as usize].iter().filter(|&&a| a != NONE).count();
    let link = |adjacent: &mut [[u32; 2]], a: u32, b: u32| {
        let slot = if adjacent[a as usize][0] == NONE {
            0
        } else {
            1
        };
        adjacent[a as usize][slot] = b;
        let slot = if adjacent[b as usize][0] == NONE {
            0
        } else {
            1
        };
        adjacent[b as usize][slot] = a;
    };
    let mut joined = 0;
    for &(_, a, b) in &links {
        if degree(&adjacent, a) < 2 && degree(&adjacent, b) < 2 {
            let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
            if ra != rb {
                parent[ra as usize] = rb;
                link(&mut adjacent, a, b);
                joined += 1;
            }
        }
    }
    // Chain the fragments: from an end, walk to the fragment's other end, link it to the
    // nearest end of a fragment not yet chained.
    let walk = |adjacent: &[[u32; 2]], from: u32| {
        let (mut previous, mut at) = (NONE, from);
        loop {
            let next = adjacent[at as usize]
                .iter()
                .copied()
                .find(|&a| a != NONE && a != previous);
            match next {
                Some(next) if next != from => (previous, at) = (at, next),
                _ => return at,
            }
        }
    };
    if joined + 1 < n {
        let mut ends: Vec<u32> = (0..n as u32)
            .filter(|&i| degree(&adjacent, i) < 2)
            .collect();
        let mut chained = vec![false; n];
        let first = ends[0];
        let mut at = walk(&adjacent, first);
        chained[first as usize] = true;
        chained[at as usize] = true;
        ends.retain(|&e| !chained[e as usize]);
        while !ends.is_empty() {
            let here = points[at as usize];
            let (slot, _) = ends
                .iter()
                .enumerate()
                .map(|(s, &e)| (s, here.distance_sq(points[e as usize])))
                .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
                .expect("an end is left");
            let next = ends[slot];
            let other = walk(&adjacent, next);
            link(&mut adjacent, at, next);
            chained[next as usize] = true;
            chained[other as usize] = true;
            ends.retain(|&e| !chained[e as usize]);
            at = other;
        }
        link(&mut adjacent, at, first);
    } else {
        // One path through everything: close it.
        let ends: Vec<u32> = (0..n as u32)
            .filter(|&i| degree(&adjacent, i) < 2)
            .collect();
        link(&mut adjacent, ends[0], ends[1]);
    }
    let mut order = Vec::with_capacity(n);
    let (mut previous, mut at) = (adjacent[0][1], 0u32);
    for _ in 0..n {
        order.push(at);
        let next = if adjacent[at as usize][0] == previous {
            adjacent[at as usize][1]
        } else {
            adjacent[at as usize][0]
        };
        (previous, at) = (at, next);
    }
    order
}

/// A closed tour as an array, with each point's position in it.
struct Tour {
    order: Vec<u32>,
    position: Vec<u32>,
    points: Vec<Point>,
    /// The pen's start, and the dummy end beside it (see [`point_tour`]).
    start: u32,
    end: u32,
    /// The end's distance from every point but the start.
    far: f64,
}

impl Tour {
    fn new(order: Vec<u32>, points: Vec<Point>, start: u32, end: u32) -> Tour {
        let mut position = vec![0; order.len()];
        for (k, &i) in order.iter().enumerate() {
            position[i as usize] = k as u32;
        }
        let (mut lo, mut hi) = (points[0], points[0]);
        for p in &points {
            lo = Point::new(lo.x.min(p.x), lo.y.min(p.y));
            hi = Point::new(hi.x.max(p.x), hi.y.max(p.y));
        }
        // More than any three links can be long.
        let far = 4.0 * lo.distance(hi) + 1.0;
        Tour {
            order,
            position,
            points,
            start,
            end,
            far,
        }
    }

    fn len(&self) -> usize {
        self.order.len()
    }

    fn next(&self, i: u32) -> u32 {
        let k = self.position[i as usize] as usize + 1;
        self.order[if k == self.len() { 0 } else { k }]
    }

    fn previous(&self, i: u32) -> u32 {
        let k = self.position[i as usize] as usize;
        self.order[if k == 0 { self.len() - 1 } else { k - 1 }]
    }

    fn d(&self, a: u32, b: u32) -> f64 {
        if a == self.end || b == self.end {
            if a == self.start || b == self.start {
                0.0
            } else {
                self.far
            }
        } else {
            self.points[a as usize].distance(self.points[b as usize])
        }
    }

    /// Reverses the run from position `from` forward to position `to` (cyclically), or the rest
    /// of the tour instead when that is shorter: the same closed tour either way.
    fn reverse(&mut self, from: usize, to: usize) {
        let m = self.len();
        let inside = (to + m - from) % m + 1;
        let (mut i, mut j, count) = if 2 * inside <= m {
            (from, to, inside / 2)
        } else {
            ((to + 1) % m, (from + m - 1) % m, (m - inside) / 2)
        };
        for _ in 0..count {
            self.order.swap(i, j);
            self.position[self.order[i] as usize] = i as u32;
            self.position[self.order[j] as usize] = j as u32;
            i = if i + 1 == m { 0 } else { i + 1 };
            j = if j == 0 { m - 1 } else { j - 1 };
        }
    }

    /// Replaces links a–b and c–d by a–c and b–d, where b follows a and d follows c in the
    /// same direction round the tour.
    fn two_opt_move(&mut self, a: u32, b: u32, c: u32, d: u32) {
        if self.next(a) == b {
            debug_assert_eq!(self.next(c), d);
            self.reverse(
                self.position[b as usize] as usize,
                self.position[c as usize] as usize,
            );
        } else {
            debug_assert_eq!(self.previous(c), d);
            self.reverse(
                self.position[c as usize] as usize,
                self.position[b as usize] as usize,
            );
        }
    }

    /// Moves the run of `length` points starting at position `from` into the gap after
    /// position `gap` (outside the run), reversed if `flip`, shifting whichever side of the
    /// tour between them is shorter.
    fn move_run(&mut self, from: usize, length: usize, gap: usize, flip: bool) {
        let m = self.len();
        let mut run = [0u32; 3];
        for (t, slot) in run.iter_mut().enumerate().take(length) {
            *slot = self.order[(from + t) % m];
        }
        let run = &mut run[..length];
        if flip {
            run.reverse();
        }
        // Points after the run up to the gap, and points after the gap up to the run.
        let after = (gap + m - (from + length) % m) % m + 1;
        let before = m - length - after;
        if after <= before {
            for t in 0..after {
                let (to, from) = ((from + t) % m, (from + length + t) % m);
                self.order[to] = self.order[from];
                self.position[self.order[to] as usize] = to as u32;
            }
            for (t, &i) in run.iter().enumerate() {
                let to = (from + after + t) % m;
                self.order[to] = i;
                self.position[i as usize] = to as u32;
            }
        } else {
            for t in (0..before).rev() {
                let (to, from) = ((gap + 1 + length + t) % m, (gap + 1 + t) % m);
                self.order[to] = self.order[from];
                self.position[self.order[to] as usize] = to as u32;
            }
            for (t, &i) in run.iter().enumerate() {
                let to = (gap + 1 + t) % m;
                self.order[to] = i;
                self.position[i as usize] = to as u32;
            }
        }
    }

    /// 2-opt and Or-opt until neither finds a shorter tour, points queued for another look
    /// when one of their links changes.
    fn improve(&mut self, neighbours: &[u32]) {
        let m = self.len();
        if m < 5 {
            return;
        }
        let k = neighbours.len() / m;
        let mut queue: std::collections::VecDeque<u32> = self.order.iter().copied().collect();
        let mut queued = vec![true; m];
        while let Some(a) = queue.pop_front() {
            queued[a as usize] = false;
            let near = &neighbours[a as usize * k..][..k];
            let touched = self
                .try_two_opt(a, near)
                .or_else(|| self.try_or_opt(a, neighbours, k));
            for i in touched.into_iter().flatten() {
                if !queued[i as usize] {
                    queued[i as usize] = true;
                    queue.push_back(i);
                }
            }
        }
    }

    /// A 2-opt move shortening the tour at a link of `a`; returns the points whose links
    /// changed.
    fn try_two_opt(&mut self, a: u32, near: &[u32]) -> Option<[u32; 6]> {
        for forward in [true, false] {
            let step = |t: &Tour, i: u32| if forward { t.next(i) } else { t.previous(i) };
            let b = step(self, a);
            let ab = self.d(a, b);
            for &c in near {
                if c == u32::MAX {
                    break;
                }
                let ac = self.d(a, c);
                if ac >= ab {
                    break;
                }
                let d = step(self, c);
                if c == b || d == a {
                    continue;
                }
                let gain = ab + self.d(c, d) - ac - self.d(b, d);
                if gain > 1e-9 {
                    self.two_opt_move(a, b, c, d);
                    return Some([a, b, c, d, a, a]);
                }
            }
        }
        None
    }

    /// An Or-opt move: a run of one to three points that begins or ends at `a` moved, either
    /// way round, next to a neighbour of one of its ends. Returns the points whose links
    /// changed.
    fn try_or_opt(&mut self, a: u32, neighbours: &[u32], k: usize) -> Option<[u32; 6]> {
        let m = self.len();
        for length in 1..=3usize {
            if m < length + 3 {
                break;
            }
            // The run's first point (in tour order): a, or the point length − 1 before it.
            let firsts = [a, (1..length).fold(a, |i, _| self.previous(i))];
            for (which, &first) in firsts.iter().enumerate() {
                if which == 1 && length == 1 {
                    break;
                }
                let from = self.position[first as usize] as usize;
                let last = self.order[(from + length - 1) % m];
                let (p, q) = (self.previous(first), self.next(last));
                let removed = self.d(p, first) + self.d(last, q) - self.d(p, q);
                if removed <= 1e-9 {
                    continue;
                }
                let in_run = |i: u32| (self.position[i as usize] as usize + m - from) % m < length;
                for end in [first, last] {
                    for &c in &neighbours[end as usize * k..][..k] {
                        if c == u32::MAX {
                            break;
                        }
                        if self.d(end, c) >= removed {
                            break;
                        }
                        if in_run(c) {
                            continue;
                        }
                        // The gaps on either side of c: (u, v) with v following u.
                        for (u, v) in [(c, self.next(c)), (self.previous(c), c)] {
                            if in_run(u) || in_run(v) {
                                continue;
                            }
                            let uv = self.d(u, v);
                            for flip in [false, true] {
                                let (x, y) = if flip { (last, first) } else { (first, last) };
                                let added = self.d(u, x) + self.d(y, v) - uv;
                                if removed - added > 1e-9 {
                                    let gap = self.position[u as usize] as usize;
                                    self.move_run(from, length, gap, flip);
                                    return Some([p, q, first, last, u, v]);
                                }
                            }
                        }
                    }
                }
            }
        }
        None
    }

    /// The open path: from the start away from the end, the points in order without either.
    fn path(&self) -> Vec<usize> {
        let m = self.len();
        let k = self.position[self.start as usize] as usize;
        let forward = self.previous(self.start) == self.end;
        (1..m - 1)
            .map(|t| {
                let i = if forward {
                    (k + t) % m
                } else {
                    (k + m - t) % m
                };
                self.order[i] as usize
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::Stroke;
    use crate::path::{optimise, travel};

    /// `n` points from a fixed pseudo-random sequence: uniform over 100 × 100 mm, with a third
    /// of them in tight clusters.
    fn scattered(n: usize) -> Vec<Point> {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        (0..n)
            .map(|i| {
                if i % 3 == 0 {
                    let centre = ((i / 60) % 5) as f64 * 20.0 + 10.0;
                    Point::new(centre + next() * 3.0, centre + next() * 3.0)
                } else {
                    Point::new(next() * 100.0, next() * 100.0)
                }
            })
            .collect()
    }

    #[test]
    fn a_point_tour_visits_every_point_once_about_as_short_as_optimising_strokes() {
        let start = Point::new(-5.0, -5.0);
        for n in [4, 5, 9, 50, 300, 2000] {
            let points = scattered(n);
            let order = point_tour(&points, start);
            let mut sorted = order.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..n).collect::<Vec<_>>(), "{n} points");
            assert_eq!(order, point_tour(&points, start), "not deterministic");
            // Both end in a local optimum of 2-opt and Or-opt, not always the same one: on
            // random points either can be a few percent shorter. (On stipple dots, the tour
            // is shorter: see the stipple tests.)
            let ours = open_length(&points, start, &order);
            let strokes = points.iter().map(|&p| Stroke::new(vec![p])).collect();
            let theirs = travel(&optimise(strokes, start), start);
            assert!(
                ours < theirs * 1.1,
                "{n} points: tour {ours:.1} mm, optimise {theirs:.1} mm"
            );
        }
    }

    #[test]
    fn a_point_tour_of_up_to_three_points_is_the_shortest() {
        let start = Point::new(0.0, 0.0);
        let points = [
            Point::new(10.0, 0.0),
            Point::new(1.0, 0.0),
            Point::new(5.0, 0.5),
        ];
        for n in 0..=3 {
            let points = &points[..n];
            let order = point_tour(points, start);
            assert_eq!(order.len(), n);
            if n == 3 {
                assert_eq!(order, [1, 2, 0]);
            }
        }
        // Coincident points are fine too.
        let same = vec![Point::new(3.0, 3.0); 12];
        assert_eq!(point_tour(&same, start).len(), 12);
    }
}
