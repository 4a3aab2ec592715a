//! Which art can go in which panel, and whether every panel of a grid can get a different piece.
//!
//! The Vomit Comic Robot picks at random and retries until something fits, which loops forever
//! when nothing does. Here the question "can this grid be filled?" is a bipartite matching
//! (panels ↔ pieces that fit them), answered up front; picks are then made one panel at a time,
//! each kept only if the remaining panels can still be filled, so a pick never needs a retry.

/// For each panel, the pieces (indices) that fit it.
pub type Candidates = Vec<Vec<usize>>;

/// Whether every panel can get its own piece, none used twice, without the pieces in `taken`.
pub fn fillable(candidates: &[Vec<usize>], taken: &[usize]) -> bool {
    first_unfillable(candidates, taken).is_none()
}

/// The first panel that cannot get a piece in a maximum matching, if any.
pub fn first_unfillable(candidates: &[Vec<usize>], taken: &[usize]) -> Option<usize> {
    // Kuhn's augmenting paths: panels are few (≤ a dozen), pieces up to a few hundred.
    let pieces = candidates
        .iter()
        .flatten()
        .copied()
        .max()
        .map_or(0, |m| m + 1);
    let mut owner: Vec<Option<usize>> = vec![None; pieces];
    for panel in 0..candidates.len() {
        let mut visited = vec![false; pieces];
        if !augment(panel, candidates, taken, &mut owner, &mut visited) {
            return Some(panel);
        }
    }
    None
}

fn augment(
    panel: usize,
    candidates: &[Vec<usize>],
    taken: &[usize],
    owner: &mut [Option<usize>],
    visited: &mut [bool],
) -> bool {
    for &piece in &candidates[panel] {
        if visited[piece] || taken.contains(&piece) {
            continue;
        }
        visited[piece] = true;
        let free = match owner[piece] {
            None => true,
            Some(other) => augment(other, candidates, taken, owner, visited),
        };
        if free {
            owner[piece] = Some(panel);
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_matching_is_found_where_greedy_choice_would_fail() {
        // Panel 0 fits 0 or 1, panel 1 fits only 0: greedy 0→0 would strand panel 1.
        let candidates = vec![vec![0, 1], vec![0]];
        assert!(fillable(&candidates, &[]));
        assert!(
            !fillable(&candidates, &[1]),
            "without piece 1 both need piece 0"
        );
        assert_eq!(first_unfillable(&candidates, &[1]), Some(1));
    }

    #[test]
    fn more_panels_than_fitting_pieces_cannot_be_filled() {
        let candidates = vec![vec![3], vec![3], vec![3, 4]];
        assert_eq!(first_unfillable(&candidates, &[]), Some(1));
        assert!(!fillable(&[vec![]], &[]), "a panel nothing fits");
        assert!(fillable(&[], &[]), "no panels: trivially filled");
    }
}
