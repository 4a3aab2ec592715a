//! Named points where a test can make the process die on purpose, to prove that what it writes
//! survives a kill at exactly that point (between an fsync and a rename, say) rather than at a
//! moment found by luck of timing.
//!
//! `ATELIER_FAILPOINT=NAME` aborts the process the first time it reaches `NAME`;
//! `ATELIER_FAILPOINT=NAME@N` the N-th time. Abort is as abrupt as `kill -9`: no destructor
//! runs and no buffer is flushed. Unset (always, outside tests), a failpoint costs one load of an
//! atomic.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// The environment variable that arms a failpoint.
pub const FAILPOINT_VARIABLE: &str = "ATELIER_FAILPOINT";

struct Armed {
    name: String,
    at: u64,
    hits: AtomicU64,
}

fn armed() -> Option<&'static Armed> {
    static ARMED: OnceLock<Option<Armed>> = OnceLock::new();
    ARMED
        .get_or_init(|| {
            let spec = std::env::var(FAILPOINT_VARIABLE).ok()?;
            let (name, at) = match spec.rsplit_once('@') {
                Some((name, n)) => (name.to_owned(), n.parse().ok()?),
                None => (spec, 1),
            };
            Some(Armed {
                name,
                at,
                hits: AtomicU64::new(0),
            })
        })
        .as_ref()
}

/// Aborts the process here if the test armed `name` for this hit.
pub fn failpoint(name: &str) {
    if let Some(armed) = armed()
        && armed.name == name
        && armed.hits.fetch_add(1, Ordering::SeqCst) + 1 == armed.at
    {
        tracing::warn!(failpoint = name, "failpoint reached: aborting as asked");
        std::process::abort();
    }
}
