use embedded_hal::digital::InputPin;

use crate::Instant;

/// A change of a digital level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Edge {
    /// Low to high.
    Rising,
    /// High to low.
    Falling,
}

impl Edge {
    /// The level after this edge: `true` for high.
    pub fn level_after(self) -> bool {
        matches!(self, Edge::Rising)
    }

    /// The edge that ends at `level`.
    pub fn to_level(level: bool) -> Edge {
        if level { Edge::Rising } else { Edge::Falling }
    }
}

/// An input that can block until its level changes, so a driver need not poll.
///
/// The deadline is on the run's [`Clock`](crate::Clock): the same clock the pin was opened with.
pub trait WaitForEdge: InputPin {
    /// Blocks until the next edge on this pin or until `deadline`, whichever comes first.
    ///
    /// Returns the edge and when it happened, or `None` when the deadline passed without one.
    /// Edges that came while nobody was waiting are not lost: the next call returns them in
    /// order, with their own times (as the kernel queues GPIO line events), so a driver busy
    /// elsewhere between calls misses no press.
    fn wait_for_edge(&mut self, deadline: Instant) -> Result<Option<(Edge, Instant)>, Self::Error>;
}

impl<T: WaitForEdge + ?Sized> WaitForEdge for &mut T {
    fn wait_for_edge(&mut self, deadline: Instant) -> Result<Option<(Edge, Instant)>, Self::Error> {
        T::wait_for_edge(self, deadline)
    }
}
