//! Each app's refresher (calendar fetches, MPD queries, sky positions) on a tokio runtime at its
//! own period, off the drawing path: shared by `lantern run` and the desktop simulator.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::Utc;

use crate::lamp::RefresherSpawner;

/// Runs each set of app refreshers on the runtime at their own periods, off the drawing path;
/// a new set (a changed config) retires the one before.
pub fn on_runtime(runtime: tokio::runtime::Handle, stop: Arc<AtomicBool>) -> RefresherSpawner {
    let generation = Arc::new(std::sync::atomic::AtomicU64::new(0));
    Box::new(move |refreshers| {
        let mine = generation.fetch_add(1, Ordering::SeqCst) + 1;
        for mut refresher in refreshers {
            let stop = Arc::clone(&stop);
            let generation = Arc::clone(&generation);
            runtime.spawn(async move {
                let mut ticks = tokio::time::interval(refresher.period());
                ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    ticks.tick().await;
                    if stop.load(Ordering::Relaxed) || generation.load(Ordering::SeqCst) != mine {
                        return;
                    }
                    let job = tokio::task::spawn_blocking(move || {
                        refresher.refresh(Utc::now());
                        refresher
                    });
                    match job.await {
                        Ok(back) => refresher = back,
                        Err(error) => {
                            tracing::error!("an app's refresher failed: {error}");
                            return;
                        }
                    }
                }
            });
        }
    })
}
