//! A queue of work for one thread that keeps virtual time honest.
//!
//! On the simulator, virtual time jumps ahead whenever every thread taking part waits on the
//! clock. A worker blocked on an empty queue is not waiting on the clock, so it must not take
//! part; a worker with work must, or time would leap past the work it is doing. Handing work
//! over is where this goes wrong: between one thread's push and the worker's wake-up, both
//! could look idle. So the thread that pushes takes the worker's place in time (a clock hold)
//! in the same step, and the worker gives it up only when it finds the queue empty. On real
//! time the hold is nothing and this is an ordinary queue.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use atelier_board::AnyClock;

#[derive(Debug)]
struct Queue<T> {
    items: VecDeque<T>,
    /// `Some` while the worker has work: its place in virtual time.
    hold: Option<Option<atelier_sim::Participant>>,
    closed: bool,
}

/// One worker's queue; clones share it.
#[derive(Debug)]
pub(crate) struct Bench<T> {
    shared: Arc<(Mutex<Queue<T>>, Condvar)>,
    clock: AnyClock,
}

impl<T> Clone for Bench<T> {
    fn clone(&self) -> Self {
        Bench {
            shared: Arc::clone(&self.shared),
            clock: self.clock.clone(),
        }
    }
}

impl<T> Bench<T> {
    pub(crate) fn new(clock: AnyClock) -> Bench<T> {
        Bench {
            shared: Arc::new((
                Mutex::new(Queue {
                    items: VecDeque::new(),
                    hold: None,
                    closed: false,
                }),
                Condvar::new(),
            )),
            clock,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Queue<T>> {
        self.shared.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds work and wakes the worker.
    pub(crate) fn push(&self, item: T) {
        let mut queue = self.lock();
        queue.items.push_back(item);
        if queue.hold.is_none() {
            queue.hold = Some(self.clock.hold());
        }
        drop(queue);
        self.shared.1.notify_all();
    }

    /// The next piece of work, waiting for one; `None` once closed and empty.
    pub(crate) fn next(&self) -> Option<T> {
        let mut queue = self.lock();
        loop {
            if let Some(item) = queue.items.pop_front() {
                return Some(item);
            }
            queue.hold = None;
            if queue.closed {
                return None;
            }
            queue = self
                .shared
                .1
                .wait(queue)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// No more work will come; the worker ends when the queue is empty.
    pub(crate) fn close(&self) {
        self.lock().closed = true;
        self.shared.1.notify_all();
    }
}
