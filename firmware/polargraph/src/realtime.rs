//! Real-time scheduling for the thread that times the steps, where the system permits it.
//!
//! On a Pi an ordinary thread can be preempted for milliseconds (a compile, an SD card write);
//! a step that late bends the line. SCHED_FIFO lets the plotting thread run as soon as it
//! wakes, and mlockall keeps its memory from being paged out mid-plot. Both need privileges
//! (the packaged systemd unit grants LimitRTPRIO and LimitMEMLOCK); without them the plot still
//! runs, and the log says what was missing and how to allow it.

use thread_priority::{
    NormalThreadSchedulePolicy, RealtimeThreadSchedulePolicy, ThreadPriority, ThreadSchedulePolicy,
    set_thread_priority_and_policy, thread_native_id,
};

/// The SCHED_FIFO priority asked for: above ordinary threads and most kernel workers, below the
/// kernel's own interrupt threads (50).
pub const FIFO_PRIORITY: u8 = 40;

/// What the plotting thread was granted.
#[derive(Debug)]
pub struct RealTime {
    /// SCHED_FIFO, or why not.
    pub fifo: Result<(), String>,
    /// Memory locked, or why not.
    pub locked: Result<(), String>,
}

/// Keeps the current thread real-time until dropped, when it goes back to ordinary scheduling.
#[derive(Debug)]
pub struct Elevated {
    granted: RealTime,
}

impl Elevated {
    /// What was granted.
    pub fn granted(&self) -> &RealTime {
        &self.granted
    }
}

/// Asks for SCHED_FIFO on the current thread and for every page of the process to be locked in
/// memory; logs what was granted and, if not, how to allow it.
pub fn elevate() -> Elevated {
    let fifo = match FIFO_PRIORITY.try_into() {
        Ok(priority) => set_thread_priority_and_policy(
            thread_native_id(),
            ThreadPriority::Crossplatform(priority),
            ThreadSchedulePolicy::Realtime(RealtimeThreadSchedulePolicy::Fifo),
        )
        .map_err(|e| format!("{e:?}")),
        Err(e) => Err(e.to_string()),
    };
    let locked = rustix::mm::mlockall(
        rustix::mm::MlockAllFlags::CURRENT | rustix::mm::MlockAllFlags::FUTURE,
    )
    .map_err(|e| e.to_string());
    match &fifo {
        Ok(()) => tracing::info!(priority = FIFO_PRIORITY, "plotting thread runs SCHED_FIFO"),
        Err(why) => tracing::warn!(
            %why,
            "no real-time priority for the plotting thread (allow it with LimitRTPRIO=50 in the \
             systemd unit, or CAP_SYS_NICE): steps may come late on a busy Pi"
        ),
    }
    match &locked {
        Ok(()) => tracing::info!("memory locked"),
        Err(why) => tracing::warn!(
            %why,
            "memory not locked (allow it with LimitMEMLOCK=infinity): a page fault may delay a step"
        ),
    }
    Elevated {
        granted: RealTime { fifo, locked },
    }
}

impl Drop for Elevated {
    fn drop(&mut self) {
        if self.granted.fifo.is_ok() {
            let _ = set_thread_priority_and_policy(
                thread_native_id(),
                ThreadPriority::Min,
                ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Other),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use thread_priority::{ThreadSchedulePolicy as Policy, thread_schedule_policy};

    #[test]
    fn a_granted_elevation_is_really_fifo_and_is_undone_on_drop() {
        std::thread::spawn(|| {
            let elevated = elevate();
            let now = thread_schedule_policy().expect("policy");
            match &elevated.granted().fifo {
                Ok(()) => assert_eq!(now, Policy::Realtime(RealtimeThreadSchedulePolicy::Fifo)),
                // Not permitted here: the thread must have stayed ordinary.
                Err(_) => assert!(matches!(now, Policy::Normal(_)), "{now:?}"),
            }
            drop(elevated);
            let after = thread_schedule_policy().expect("policy");
            assert!(matches!(after, Policy::Normal(_)), "{after:?}");
        })
        .join()
        .expect("the test thread");
    }
}
